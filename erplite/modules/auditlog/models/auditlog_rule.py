"""``auditlog.rule``: which model is audited, and for which operations (the OCA module's rule).

A *subscribed* rule wraps its model's ``create``, ``write`` and ``unlink`` in the registry of
every process, as OCA's module patches them: the registry calls ``_register_hook`` when it is
built, and a change of the rules bumps the registry signal so that the other processes rebuild
theirs. Whatever calls the ORM (a page, RPC, a script, a scheduled job) is audited, as the user
of its environment (``sudo()`` keeps that user).

What a wrapped method logs, per record, in ONE extra INSERT statement per call (the log rows
and their lines in one CTE), plus one SELECT for the old values not in the cache:

- ``create``: the values of the fields given, as created;
- ``write``: the old and new value of every field written;
- ``unlink``: the values the record had (every stored field with ``capture_record``, else
  none: the log says who deleted which record).

Many2many and one2many values are logged as the ids of their records (``old_value``) and
their display names (``old_value_text``), as OCA's module does (one query per comodel whose
names are not cached); binary contents are not logged.

Worked example::

    rule = env["auditlog.rule"].create({"name": "Partners", "model_id": model.id})
    rule.subscribe()
    partner.write({"name": "New name"})     # one auditlog.log, one auditlog.log.line
"""

from __future__ import annotations

import datetime
import functools
import json
from typing import Any

from erplite import api, fields, models
from erplite.exceptions import UserError
from erplite.sql import SQL

#: the wrapped methods
AUDITED_METHODS = ("create", "write", "unlink")
#: models never audited (the trail itself, and what auditing reads)
NEVER_AUDITED = frozenset({"auditlog.log", "auditlog.log.line", "auditlog.rule"})
#: field types whose values are not logged (contents, not facts)
UNLOGGED_TYPES = frozenset({"binary"})
#: relational types logged as their ids (``old_value``) and display names (``_text``)
X2MANY_TYPES = frozenset({"one2many", "many2many"})
#: the key of the rules in the security layer's shared cache
RULES_CACHE_KEY = "auditlog.rules"


class AuditlogRule(models.Model):
    _name = "auditlog.rule"
    _description = "Auditlog - Rule"
    _order = "name, id"

    name = fields.Char(required=True)
    model_id = fields.Many2one(
        "ir.model", string="Model", required=True, ondelete="cascade", index=True
    )
    model_name = fields.Char(related="model_id.model", string="Technical Model Name")
    log_write = fields.Boolean("Log Writes", default=True)
    log_unlink = fields.Boolean("Log Deletes", default=True)
    log_create = fields.Boolean("Log Creates", default=True)
    log_type = fields.Selection(
        [("full", "Full log"), ("fast", "Fast log")],
        string="Type",
        required=True,
        default="full",
        help="Both log the old and new value of every field written (erplite reads the old "
        "values from the cache when it can, so 'fast' costs the same).",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("subscribed", "Subscribed")], required=True, default="draft"
    )
    capture_record = fields.Boolean(
        "Capture Record", help="Log the values of a deleted record, not only its deletion"
    )
    users_to_exclude_ids = fields.Many2many(
        "res.users",
        "audittail_rules_users",
        "rule_id",
        "user_id",
        string="Users to Exclude",
    )
    fields_to_exclude_ids = fields.Many2many(
        "ir.model.fields",
        "audittail_rules_fields",
        "rule_id",
        "field_id",
        string="Fields to Exclude",
    )

    _sql_constraints = [
        (
            "model_uniq",
            "unique(model_id)",
            "There is already a rule defined on this model: edit it instead.",
        ),
    ]

    # -- subscription -------------------------------------------------------------------------
    def subscribe(self) -> bool:
        """Start auditing the rules' models (in every process)."""
        for rule in self:
            if rule.model_id.model in NEVER_AUDITED:
                raise UserError(f"The model {rule.model_id.model} cannot be audited.")
        self.write({"state": "subscribed"})
        return True

    def unsubscribe(self) -> bool:
        """Stop auditing the rules' models."""
        self.write({"state": "draft"})
        return True

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        rules._rules_changed()
        return rules

    def write(self, vals):
        result = super().write(vals)
        self._rules_changed()
        return result

    def unlink(self):
        result = super().unlink()
        self._rules_changed()
        return result

    def _rules_changed(self) -> None:
        """Wrap the newly audited models here, and tell the other processes (and the
        cached rules of this one) that the rules changed."""
        from erplite import security

        security.invalidate_access_cache(self.env)
        self.flush_model()
        self._register_hook()
        self.env.registry.signal_registry_change(self.env.cr)

    def _register_hook(self) -> None:
        self.env.cr.execute(
            SQL(
                "SELECT m.model FROM auditlog_rule r JOIN ir_model m ON m.id = r.model_id "
                "WHERE r.state = 'subscribed'"
            ),
            flush=False,
        )
        for (model_name,) in self.env.cr.fetchall():
            model_class = self.env.registry.models.get(model_name)
            if model_class is not None and model_name not in NEVER_AUDITED:
                _wrap_model(model_class)

    # -- what a wrapped method asks ------------------------------------------------------------
    @api.model
    def _audit_settings(self, model_name: str) -> dict | None:
        """The subscribed rule of ``model_name`` as a dict (operations, excluded users and
        field names), or ``None``; cached with the security data."""
        from erplite import security

        cache = security.shared_cache(self.env)
        rules = cache.get(RULES_CACHE_KEY)
        if rules is None:
            rules = {}
            self.env.cr.execute(
                SQL(
                    "SELECT m.model, r.log_create, r.log_write, r.log_unlink, r.capture_record, "
                    "ARRAY(SELECT user_id FROM audittail_rules_users WHERE rule_id = r.id), "
                    "ARRAY(SELECT f.name FROM audittail_rules_fields x JOIN ir_model_fields f "
                    "ON f.id = x.field_id WHERE x.rule_id = r.id) "
                    "FROM auditlog_rule r JOIN ir_model m ON m.id = r.model_id "
                    "WHERE r.state = 'subscribed'"
                ),
                flush=False,
            )
            for row in self.env.cr.fetchall():
                rules[row[0]] = {
                    "create": row[1],
                    "write": row[2],
                    "unlink": row[3],
                    "capture_record": row[4],
                    "excluded_users": frozenset(row[5]),
                    "excluded_fields": frozenset(row[6]),
                }
            cache[RULES_CACHE_KEY] = rules
        return rules.get(model_name)


# ---------------------------------------------------------------------------------------------
# the wrappers
# ---------------------------------------------------------------------------------------------


def _wrap_model(model_class: Any) -> None:
    """Wrap ``create``, ``write`` and ``unlink`` of the registry class ``model_class`` (once)."""
    if model_class.__dict__.get("_auditlog_wrapped"):
        return
    original_create = model_class.create
    original_write = model_class.write
    original_unlink = model_class.unlink

    @functools.wraps(original_create)
    def create(self, vals_list):
        records = original_create(self, vals_list)
        settings = _settings(self, "create")
        if settings is not None and records:
            names = {
                name
                for vals in ([vals_list] if isinstance(vals_list, dict) else vals_list)
                for name in vals
            }
            fields_ = _logged_fields(records, names, settings)
            new = _values(records, fields_, with_name=True)
            _insert_logs(records, "create", fields_, {}, new)
        return records

    @functools.wraps(original_write)
    def write(self, vals):
        settings = _settings(self, "write")
        if settings is None or not self._ids:
            return original_write(self, vals)
        fields_ = _logged_fields(self, set(vals), settings)
        old = _values(self, fields_)
        result = original_write(self, vals)
        new = _values(self, fields_, with_name=True)
        _insert_logs(self, "write", fields_, old, new)
        return result

    @functools.wraps(original_unlink)
    def unlink(self):
        settings = _settings(self, "unlink")
        if settings is None or not self._ids:
            return original_unlink(self)
        records = self
        fields_: list[Any] = []
        if settings["capture_record"]:
            fields_ = _logged_fields(self, set(self._fields), settings)
        old = _values(self, fields_, with_name=True)
        result = original_unlink(self)
        _insert_logs(records, "unlink", fields_, old, {})
        return result

    # the registry class of one database: other databases' classes are not touched
    model_class.create = create
    model_class.write = write
    model_class.unlink = unlink
    model_class._auditlog_wrapped = True


def _settings(records: Any, operation: str) -> dict | None:
    """The rule of ``records``' model if it audits ``operation`` for the current user."""
    env = records.env
    if "auditlog.rule" not in env.registry.models:
        return None
    settings = env["auditlog.rule"]._audit_settings(records._name)
    if settings is None or not settings[operation] or env.uid in settings["excluded_users"]:
        return None
    return settings


def _logged_fields(records: Any, names: set[str], settings: dict) -> list[Any]:
    """The stored fields of ``names`` whose values are logged, in the model's order."""
    excluded = settings["excluded_fields"]
    return [
        field
        for name, field in records._fields.items()
        if name in names
        and name not in excluded
        and field.store
        and field.type not in UNLOGGED_TYPES
        and name not in ("id", "write_date", "write_uid", "create_date", "create_uid")
    ]


def _values(records: Any, fields_: list[Any], with_name: bool = False) -> dict[int, dict[str, Any]]:
    """The values of ``fields_`` of ``records`` (and their ``display_name`` with
    ``with_name``) as ``read`` gives them (``_classic_read``: a many2one as ``(id, name)``),
    as superuser; one SELECT for those not cached."""
    names = [field.name for field in fields_] + (["display_name"] if with_name else [])
    if not names:
        return {}
    rows = records.sudo().read(names)
    return {row.pop("id"): row for row in rows}


def _x2many_names(
    records: Any, fields_: list[Any], *values: dict[int, dict[str, Any]]
) -> dict[str, dict[int, str]]:
    """The display names of the records the x2many ``fields_`` hold in ``values``, by field
    name (as superuser; one query per comodel whose names are not cached)."""
    names: dict[str, dict[int, str]] = {}
    for field in fields_:
        if field.type not in X2MANY_TYPES:
            continue
        ids = {i for rows in values for row in rows.values() for i in row.get(field.name) or ()}
        comodel = records.env[field.comodel_name].sudo().with_context(active_test=False)
        names[field.name] = {line.id: line.display_name for line in comodel.browse(sorted(ids))}
    return names


def _as_text(
    field: Any, value: Any, record: Any, names: dict[int, str] | None = None
) -> tuple[str, str]:
    """``(old_value, old_value_text)``-style pair for one value: as stored, as read (the
    records of an x2many by their display names, from ``names``, as OCA's module logs them)."""
    if value is False or value is None:
        return "", ""
    if field.type == "many2one":
        return str(value[0]), str(value[1])
    if field.type in X2MANY_TYPES:
        labels = names or {}
        return json.dumps(list(value)), ", ".join(str(labels.get(v, v)) for v in value)
    if field.type == "selection":
        labels = dict(field._selection(record))
        return str(value), str(labels.get(value, value))
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat(), value.isoformat(" ") if isinstance(
            value, datetime.datetime
        ) else value.isoformat()
    return str(value), str(value)


def _insert_logs(
    records: Any,
    method: str,
    fields_: list[Any],
    old: dict[int, dict[str, Any]],
    new: dict[int, dict[str, Any]],
) -> None:
    """One ``auditlog.log`` per record of ``records`` and one line per field of ``fields_``,
    in one statement."""
    env = records.env
    ids = list(records._ids)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    model = records.browse()
    lines: dict[str, list] = {
        "res_id": [],
        "fname": [],
        "description": [],
        "old": [],
        "new": [],
        "old_text": [],
        "new_text": [],
    }
    names = []
    x2many_names = _x2many_names(records, fields_, old, new)
    for record_id in ids:
        before = old.get(record_id, {})
        after = new.get(record_id, {})
        label = after.get("display_name") or before.get("display_name")
        names.append(str(label)[:64] if label else f"{records._description} #{record_id}")
        for field in fields_:
            if field.name not in before and field.name not in after:
                continue
            labels = x2many_names.get(field.name)
            old_value, old_text = _as_text(field, before.get(field.name), model, labels)
            new_value, new_text = _as_text(field, after.get(field.name), model, labels)
            lines["res_id"].append(record_id)
            lines["fname"].append(field.name)
            lines["description"].append(field.string or field.name)
            lines["old"].append(old_value)
            lines["new"].append(new_value)
            lines["old_text"].append(old_text)
            lines["new_text"].append(new_text)
    logs = SQL(
        "INSERT INTO auditlog_log (name, model_id, model_name, res_id, user_id, method, "
        "log_type, create_uid, create_date, write_uid, write_date) "
        "SELECT v.name, (SELECT id FROM ir_model WHERE model = %s), %s, v.res_id, %s, %s, "
        "'full', %s, %s, %s, %s "
        "FROM unnest(%s::int4[], %s::varchar[]) AS v(res_id, name) RETURNING id, res_id",
        records._name,
        records._name,
        env.uid,
        method,
        env.uid,
        now,
        env.uid,
        now,
        ids,
        names,
    )
    if not lines["res_id"]:
        env.cr.execute(logs, flush=False)
        return
    env.cr.execute(
        SQL(
            "WITH log AS (%s) "
            "INSERT INTO auditlog_log_line (log_id, field_id, field_name, field_description, "
            "old_value, new_value, old_value_text, new_value_text, "
            "create_uid, create_date, write_uid, write_date) "
            "SELECT log.id, f.id, l.fname, l.description, l.old, l.new, l.old_text, "
            "l.new_text, %s, %s, %s, %s "
            "FROM unnest(%s::int4[], %s::varchar[], %s::varchar[], %s::text[], %s::text[], "
            "%s::text[], %s::text[]) AS l(res_id, fname, description, old, new, old_text, "
            "new_text) "
            "JOIN log ON log.res_id = l.res_id "
            "LEFT JOIN ir_model_fields f ON f.model = %s AND f.name = l.fname",
            logs,
            env.uid,
            now,
            env.uid,
            now,
            lines["res_id"],
            lines["fname"],
            lines["description"],
            lines["old"],
            lines["new"],
            lines["old_text"],
            lines["new_text"],
            records._name,
        ),
        flush=False,
    )
