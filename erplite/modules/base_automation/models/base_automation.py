"""``base.automation``: automation rules, Odoo 17's automated actions without Python code.

A rule watches one model (``model_id``) and runs its server actions (``action_server_ids``:
update fields, create a record, call a declared public method, send a webhook, and what other
modules add, such as mail's) on the records that match, when its ``trigger`` happens:

=====================  =======================================================================
``on_create``          records are created
``on_write``           records are written, one of ``trigger_field_ids`` (any field if none)
                       changing value
``on_create_or_write`` either of the above
``on_unlink``          records are about to be deleted
``on_stage_set``       ``stage_id`` becomes the record ``trg_field_ref``
``on_state_set``       ``state`` becomes ``trg_selection_value``
``on_priority_set``    ``priority`` becomes ``trg_selection_value``
``on_user_set``        ``user_id`` becomes set
``on_archive``         ``active`` becomes False (``on_unarchive``: True)
``on_time``            ``trg_date_range`` ``trg_date_range_type`` after (before, if negative)
                       the date of ``trg_date_id`` (``on_time_created``/``on_time_updated``:
                       after ``create_date``/``write_date``); checked by the job
                       ``base_automation.ir_cron_data_base_automation_check`` every 15
                       minutes, and triggered when the next known record falls due
``on_webhook``         ``POST /web/hook/<webhook_uuid>`` (see ``controllers/webhook.py``)
=====================  =======================================================================

A record matches when it satisfied ``filter_pre_domain`` before a write and satisfies
``filter_domain`` after the change (domains are text evaluated by the restricted evaluator,
with ``uid``, ``user`` and the date helpers; never Python code).

Guarantees (the hooks are in :mod:`.triggers`):

- rules run in the transaction of the change, as the user who made it (their access rights
  apply to what the actions do), after ``create``/``write`` and before ``unlink``; write
  rules whose trigger fields name a stored computed field also run after the ORM recomputed
  it to a new value (in the environment that triggered the recomputation);
- each action of a rule runs once per matching record, with that record as ``active_id``
  and ``active_ids`` (Odoo 17's ``_process``), actions in sequence, each on every record;
- a rule never runs again on a record while its own actions change that record (nor while
  another rule that it triggered does): no recursion, whatever the actions write;
- the rules are read once per process and kept with the security answers
  (:func:`erplite.security.shared_cache`): creating, changing or deleting a rule drops them in
  every process, like a change of access rights; a model without rules pays a dictionary
  lookup per ``create``/``write``/``unlink``.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from typing import Any

from erplite import api, fields, models
from erplite.exceptions import ValidationError
from erplite.security import invalidate_access_cache, shared_cache
from erplite.tools.safe_eval import SafeEvalError, date_context, safe_eval_domain

from .rules import DATE_RANGE, TIME_TRIGGERS, VALUE_FIELDS, Rule, value_domain
from .triggers import install_triggers

_CACHE_KEY = ("base.automation", "rules")

_logger = logging.getLogger(__name__)


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class BaseAutomation(models.Model):
    _name = "base.automation"
    _description = "Automation Rule"
    _order = "sequence, id"

    name = fields.Char(required=True)
    description = fields.Html()
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    model_id = fields.Many2one(
        "ir.model", string="Model", required=True, ondelete="cascade", index=True
    )
    model_name = fields.Char(related="model_id.model", string="Model Name")
    trigger = fields.Selection(
        [
            ("on_stage_set", "Stage is set to"),
            ("on_user_set", "User is set"),
            ("on_state_set", "State is set to"),
            ("on_priority_set", "Priority is set to"),
            ("on_archive", "On archived"),
            ("on_unarchive", "On unarchived"),
            ("on_create_or_write", "On save"),
            ("on_create", "On creation"),
            ("on_write", "On update"),
            ("on_unlink", "On deletion"),
            ("on_time", "Based on date field"),
            ("on_time_created", "After creation"),
            ("on_time_updated", "After last update"),
            ("on_webhook", "On webhook"),
        ],
        required=True,
        default="on_create_or_write",
    )
    trigger_field_ids = fields.Many2many(
        "ir.model.fields",
        "base_automation_trigger_field_rel",
        "automation_id",
        "field_id",
        string="Trigger Fields",
        help="The rule fires when one of these fields changes (any field if none)",
    )
    trg_field_ref = fields.Integer(
        "Trigger Reference", help="on_stage_set: the id of the stage the record must reach"
    )
    trg_selection_value = fields.Char(
        "Trigger Value", help="on_state_set, on_priority_set: the value the field must take"
    )
    filter_pre_domain = fields.Char(
        "Before Update Domain", help="The records must match it before the update"
    )
    filter_domain = fields.Char("Apply on", help="The records must match it after the change")
    trg_date_id = fields.Many2one(
        "ir.model.fields", string="Trigger Date", ondelete="cascade", help="on_time: the date"
    )
    trg_date_range = fields.Integer(
        "Delay", help="After the date (a negative number: before it), in trg_date_range_type"
    )
    trg_date_range_type = fields.Selection(
        [("minutes", "Minutes"), ("hour", "Hours"), ("day", "Days"), ("month", "Months")],
        string="Delay Type",
        default="hour",
    )
    last_run = fields.Datetime(readonly=True, copy=False)
    action_server_ids = fields.One2many(
        "ir.actions.server", "base_automation_id", string="Actions", copy=True
    )
    webhook_uuid = fields.Char(
        "Webhook UUID",
        readonly=True,
        copy=False,
        index=True,
        default=lambda self: str(uuid.uuid4()),
        help="The secret part of the URL of an on_webhook rule: /web/hook/<uuid>",
    )
    url = fields.Char("Webhook URL", compute="_compute_url")

    _sql_constraints = [
        ("webhook_uuid_unique", "UNIQUE (webhook_uuid)", "A webhook UUID is used once."),
    ]

    @classmethod
    def _setup_registry_hook(cls, registry: Any) -> None:
        super()._setup_registry_hook(registry)
        install_triggers(registry)

    @api.depends("webhook_uuid", "trigger")
    def _compute_url(self):
        rule: Any
        for rule in self:
            rule.url = f"/web/hook/{rule.webhook_uuid}" if rule.trigger == "on_webhook" else False

    # -- checks -------------------------------------------------------------------------------
    @api.constrains(
        "trigger", "model_id", "filter_domain", "filter_pre_domain", "trg_date_id",
        "trigger_field_ids", "trg_selection_value",
    )  # fmt: skip
    def _check_rule(self):
        rule: Any
        for rule in self:
            label = f"Automation rule {rule.name!r}"
            model_name = rule.model_id.model
            if model_name not in self.env:
                raise ValidationError(f"{label}: model {model_name!r} is not installed")
            model = self.env[model_name]
            for name in ("filter_pre_domain", "filter_domain"):
                text = rule[name]
                if text:
                    try:
                        domain = rule._eval_domain(text)
                        # field names, operators and values, checked by the compiler
                        model.sudo().search_count([("id", "=", 0), *domain])
                    except (SafeEvalError, ValueError) as error:
                        raise ValidationError(
                            f"{label}: invalid {name} {text!r}: {error}"
                        ) from None
            for field in rule.trigger_field_ids:
                if field.model != model_name:
                    raise ValidationError(
                        f"{label}: trigger field {field.name!r} is not a field of {model_name!r}"
                    )
            watched = VALUE_FIELDS.get(rule.trigger)
            if watched and watched not in model._fields:
                raise ValidationError(
                    f"{label}: trigger {rule.trigger!r} needs a field {watched!r} on {model_name!r}"
                )
            if watched and rule.trigger in ("on_state_set", "on_priority_set"):
                selection: Any = model._fields[watched]
                values = selection.get_values(model) if selection.type == "selection" else None
                if values is not None and rule.trg_selection_value not in values:
                    raise ValidationError(
                        f"{label}: {rule.trg_selection_value!r} is not a value of {watched!r} "
                        f"(one of {', '.join(map(str, values))})"
                    )
            if rule.trigger == "on_time":
                date_field = rule.trg_date_id
                if not date_field or date_field.model != model_name:
                    raise ValidationError(f"{label}: choose a date field of {model_name!r}")
                if date_field.ttype not in ("date", "datetime"):
                    raise ValidationError(f"{label}: {date_field.name!r} is not a date field")

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        rules.action_server_ids.write({"usage": "base_automation"})
        rules._rules_changed()
        return rules

    def write(self, vals):
        result = super().write(vals)
        if "action_server_ids" in vals:
            self.action_server_ids.write({"usage": "base_automation"})
        self._rules_changed()
        return result

    def unlink(self):
        result = super().unlink()
        self._rules_changed()
        return result

    def _rules_changed(self) -> None:
        """Drop the cached rules here and, once committed, in every process."""
        invalidate_access_cache(self.env)
        job = self.env.ref("base_automation.ir_cron_data_base_automation_check", False)
        if job and self.filtered(lambda r: r.trigger in TIME_TRIGGERS):
            job.sudo()._trigger()

    # -- reading the rules (cached) ------------------------------------------------------------
    @api.model
    def _rules_of(self, model_name: str) -> tuple[Rule, ...]:
        """The active rules of ``model_name`` (from the cache; one query to fill it)."""
        cache = shared_cache(self.env)
        rules = cache.get(_CACHE_KEY)
        if rules is None:
            rules = self._load_rules()
            cache[_CACHE_KEY] = rules
        return rules.get(model_name, ())

    def _load_rules(self) -> dict[str, tuple[Rule, ...]]:
        by_model: dict[str, list[Rule]] = {}
        for rule in self.sudo().with_context(active_test=True).search([]):
            by_model.setdefault(rule.model_id.model, []).append(rule._as_rule())
        return {model: tuple(rules) for model, rules in by_model.items()}

    def _as_rule(self) -> Rule:
        self.ensure_one()
        watched = VALUE_FIELDS.get(self.trigger)
        return Rule(
            id=self.id,
            name=self.name,
            model=self.model_id.model,
            trigger=self.trigger,
            pre_domain=self.filter_pre_domain or "",
            domain=self.filter_domain or "",
            trigger_fields=(watched,) if watched else tuple(self.trigger_field_ids.mapped("name")),
            action_ids=tuple(self.action_server_ids.ids),
            value_domain=value_domain(self.trigger, self.trg_field_ref, self.trg_selection_value),
        )

    # -- matching and running ------------------------------------------------------------------
    def _eval_domain(self, text: str) -> list:
        context = {**date_context(tz=self.env.context.get("tz")), "uid": self.env.uid}
        context["user"] = self.env.user
        return safe_eval_domain(text, context)

    @api.model
    def _filter(self, rule: Rule, records: Any, *, pre: bool) -> Any:
        """The ``records`` matching the rule's pre-domain (``pre``) or its domain and value
        condition, evaluated on the records' values (cached values cost no query). The rule
        decides, not the user's field access: the values are read as superuser, the records
        returned in the caller's environment."""
        if not records:
            return records
        if pre:
            domain = self._eval_domain(rule.pre_domain) if rule.pre_domain else []
        else:
            domain = self._eval_domain(rule.domain) if rule.domain else []
            value = list(rule.value_domain)
            if value:
                domain = ["&", *value, *domain] if domain else value
        if not domain:
            return records
        return records.browse(records.sudo().filtered_domain(domain)._ids)

    @api.model
    def _process(self, rule: Rule, records: Any) -> None:
        """Run the rule's actions on each of ``records`` (in their environment: as their
        user), except on the records the rule is already being run on (no recursion).

        As Odoo 17's ``base.automation._process``: every remaining record is marked as being
        processed first, then each action runs once per record, with that record alone as
        ``active_id``/``active_ids`` (a webhook sends one delivery per record)."""
        running = _running(records.env)
        records = records.browse([rid for rid in records._ids if (rule.id, rid) not in running])
        if not records or not rule.action_ids:
            return
        keys = {(rule.id, rid) for rid in records._ids}
        running.update(keys)
        try:
            actions = records.env["ir.actions.server"].browse(rule.action_ids)
            for action in actions:
                for record_id in records._ids:
                    action.with_context(
                        active_model=records._name,
                        active_ids=[record_id],
                        active_id=record_id,
                        webhook_event=rule.trigger,
                    ).run()
            _settle(records, rule)
        finally:
            running.difference_update(keys)

    # -- incoming webhooks ---------------------------------------------------------------------
    def _run_webhook(self, records: Any, payload: dict) -> None:
        """Run this ``on_webhook`` rule's actions on ``records`` with the posted ``payload``
        in the context (see ``controllers/webhook.py``)."""
        self.ensure_one()
        rule = self._as_rule()
        model = records.with_context(payload=payload)
        if records:
            self._process(rule, model)
            return
        # no record named: the actions run on the model (a declared method reads the payload)
        for action in model.env["ir.actions.server"].browse(rule.action_ids):
            action.with_context(active_model=model._name, webhook_event="on_webhook").run()

    # -- time-based rules (the job) ------------------------------------------------------------
    @api.private
    def process_time_based_rules(self) -> int:
        """Run the time-based rules on the records whose moment came since the rule's last
        run; return how many records they ran on. Called by the job
        ``base_automation.ir_cron_data_base_automation_check``.

        As Odoo 17's ``_check``: the rule runs on each due record on its own, a record whose
        actions fail is logged and skipped (its changes undone) without stopping the others,
        and ``last_run`` moves on to this run's moment."""
        count = 0
        soonest: datetime.datetime | None = None
        rules = self.with_context(active_test=True).search([("trigger", "in", list(TIME_TRIGGERS))])
        for rule in rules:
            now = _utcnow()
            try:
                with self.env.cr.savepoint():
                    records = rule._due_records(now)
                    moment = rule._next_moment(now)
            except Exception:
                # a rule whose domain no longer holds (a field removed...) must not stop others
                _logger.exception("automation rule %r (%s) failed", rule.name, rule.id)
                continue
            count += rule._run_on_each(records)
            rule.last_run = now
            if moment is not None and (soonest is None or moment < soonest):
                soonest = moment
        if soonest is not None:
            self._wake_job_at(soonest)
        return count

    def _run_on_each(self, records: Any) -> int:
        """Run this rule on each of ``records`` in a savepoint of its own; return how many
        ran without error."""
        rule = self._as_rule()
        done = 0
        for record in records:
            try:
                with self.env.cr.savepoint():
                    self._process(rule, record)
            except Exception:
                _logger.exception(
                    "automation rule %r (%s) failed on %s,%s",
                    self.name,
                    self.id,
                    record._name,
                    record.id,
                )
                continue
            done += 1
        return done

    def _wake_job_at(self, moment: datetime.datetime) -> None:
        """Have the job run at ``moment`` (the next record due), not only at its interval."""
        job = self.env.ref("base_automation.ir_cron_data_base_automation_check", False)
        if job and moment < job.nextcall:
            triggers = self.env["ir.cron.trigger"].sudo()
            if not triggers.search_count([("cron_id", "=", job.id), ("call_at", "=", moment)]):
                job.sudo()._trigger(moment)

    def _time_terms(self) -> tuple[Any, str, Any, Any]:
        """``(model, date field, delay, to_field)``: ``to_field(moment)`` is the value the
        date field compares with (a date field holds midnights)."""
        date_name = {"on_time_created": "create_date", "on_time_updated": "write_date"}.get(
            self.trigger, self.trg_date_id.name
        )
        model = self.env[self.model_id.model]
        delay = DATE_RANGE[self.trg_date_range_type or "hour"](self.trg_date_range or 0)
        is_date = model._fields[date_name].type == "date"

        def to_field(moment: datetime.datetime) -> Any:
            return moment.date() if is_date else moment

        return model, date_name, delay, to_field

    def _due_records(self, now: datetime.datetime) -> Any:
        """The records whose moment (date + delay) is in (last_run, now]."""
        self.ensure_one()
        model, date_name, delay, to_field = self._time_terms()
        domain: list = [(date_name, "<=", to_field(now - delay))]
        if self.last_run:
            domain.append((date_name, ">", to_field(self.last_run - delay)))
        if self.filter_domain:
            domain += self._eval_domain(self.filter_domain)
        return model.search(domain)

    def _next_moment(self, now: datetime.datetime) -> datetime.datetime | None:
        """When the next record not due yet becomes due (its date + the delay), if any."""
        self.ensure_one()
        model, date_name, delay, to_field = self._time_terms()
        domain: list = [(date_name, ">", to_field(now - delay))]
        if self.filter_domain:
            domain += self._eval_domain(self.filter_domain)
        [row] = model.search_read(domain, [date_name], order=f"{date_name} asc", limit=1) or [None]
        if row is None or not row[date_name]:
            return None
        value = row[date_name]
        if not isinstance(value, datetime.datetime):
            value = datetime.datetime.combine(value, datetime.time())
        return value + delay


def _settle(records: Any, rule: Rule) -> None:
    """Recompute now the stored computed fields that ``rule`` watches and that its actions
    changed on ``records`` (a line added changes a total): while the rule is marked as
    running on them, so that its own changes do not fire it again."""
    tocompute = records.env.transaction.tocompute
    for name in rule.trigger_fields:
        field = records._fields.get(name)
        if field is None or not (field.store and field.compute):
            continue
        pending = tocompute.get(field)
        if pending and not pending.isdisjoint(records._ids):
            records._recompute_field(field, ids=records._ids)


def _running(env: Any) -> set:
    """The (rule id, record id) pairs whose actions are running in this transaction (kept in
    the cursor's per-transaction data, as Odoo modules keep theirs in ``precommit.data``)."""
    running: set = env.cr.precommit.data.setdefault("base_automation.running", set())
    return running
