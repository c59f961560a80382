"""``ir.actions.server``: an action run on records, Odoo 17's server actions without Python code.

``state`` says what :meth:`IrActionsServer.run` does with the records of the context
(``active_model`` must be the action's model; ``active_ids``, else ``active_id``):

- ``object_write``: write the values of ``fields_lines`` on the records;
- ``object_create``: create a record of ``crud_model_id`` with the values of ``fields_lines``
  (and set it in the records' ``link_field_id``, a many2one or many2many, when given);
- ``multi``: run ``child_ids`` in order (the last action returned wins);
- ``webhook``: queue a JSON document of the records' ``webhook_field_ids`` for ``webhook_url``,
  sent by the scheduler once the transaction commits, retried until it is accepted (nothing
  is sent if the transaction rolls back; see ``ir.webhook.delivery``);
- ``method`` (erplite's replacement of Odoo's ``code``): call the public method
  ``method_name`` of the model on the records, with ``args`` (a JSON list of positional
  arguments or a JSON object of keyword arguments), as ``ir.cron`` does.

The states are open to modules (``mail`` adds its own, as Odoo 17's mail does): extend the
model with ``state = fields.Selection(selection_add=[("followers", "Add Followers")])`` and
define ``_run_action_<state>(self, records)``; :meth:`IrActionsServer.run` calls it on the
context's records in the caller's environment (their rights apply) and passes on an action
dict it returns. Automation rules (``base_automation``) run every state through ``run``.

``fields_lines`` values are data, never code: ``evaluation_type="value"`` converts the text to
the field's type (``"1"``/``"true"`` for booleans, numbers, an id for a many2one, an ISO date),
``"reference"`` takes a record id (``"res.partner,7"`` or ``"7"``).

Everything runs as the calling user with their rights (``run`` never switches to superuser
for the records): a user who may not write the records gets an ``AccessError``, a user
outside ``groups_id`` may not run the action at all. Bind an action to a model's action menu
with ``binding_model_id``.

The webhook document follows the contract of outgoing webhooks::

    {"event": "ir.actions.server", "action_id": 7, "model": "sale.order", "ids": [3, 4],
     "values": [{"id": 3, "name": "S00003", ...}, ...], "delivery_id": "<uuid4>",
     "timestamp": "2026-12-06T21:00:00Z"}

with headers ``X-Erplite-Delivery`` (the delivery id) and ``X-Erplite-Signature:
sha256=<hex HMAC-SHA256 of the body keyed by webhook_secret>``. ``event`` is the trigger of
the automation rule that ran the action (``on_create``, ...), else ``ir.actions.server``.
Delivery, timeouts, retries and the log: ``ir.webhook.delivery``.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import secrets
from typing import Any

from erplite import api, fields, models
from erplite.exceptions import AccessError, UserError, ValidationError
from erplite.security import user_group_ids

_logger = logging.getLogger(__name__)

_PUBLIC_METHOD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _parse_args(text: str | None) -> tuple[list, dict]:
    value = json.loads(text) if text and text.strip() else []
    if isinstance(value, list):
        return value, {}
    if isinstance(value, dict):
        return [], value
    raise ValueError("args must be a JSON list (positional) or a JSON object (keyword arguments)")


class IrActionsServer(models.Model):
    _name = "ir.actions.server"
    _inherit = "ir.actions.actions"
    _description = "Server Actions"
    _order = "sequence, name, id"

    type = fields.Char(default="ir.actions.server", required=True)
    usage = fields.Selection(
        [("ir_actions_server", "Server Action"), ("ir_cron", "Scheduled Action")],
        default="ir_actions_server",
        required=True,
    )
    state = fields.Selection(
        [
            ("object_write", "Update the Record"),
            ("object_create", "Create a new Record"),
            ("multi", "Execute Existing Actions"),
            ("webhook", "Send Webhook Notification"),
            ("method", "Call a Method"),
        ],
        string="Type",
        default="object_write",
        required=True,
    )
    sequence = fields.Integer(default=5)
    model_id = fields.Many2one("ir.model", string="Model", required=True, ondelete="cascade")
    model_name = fields.Char(related="model_id.model", string="Model Name")
    groups_id = fields.Many2many(
        "res.groups", "ir_act_server_group_rel", "act_id", "gid", string="Allowed Groups"
    )
    fields_lines = fields.One2many("ir.server.object.lines", "server_id", string="Value Mapping")
    crud_model_id = fields.Many2one("ir.model", string="Record to Create", ondelete="cascade")
    link_field_id = fields.Many2one(
        "ir.model.fields",
        string="Link Field",
        ondelete="cascade",
        help="A many2one or many2many of the records that receives the created record",
    )
    child_ids = fields.Many2many(
        "ir.actions.server", "rel_server_actions", "server_id", "action_id", string="Child Actions"
    )
    method_name = fields.Char("Method", help="A public method of the model (state 'method')")
    args = fields.Text(
        "Arguments",
        default="[]",
        help="JSON: a list of positional arguments or an object of keyword arguments",
    )
    webhook_url = fields.Char("Webhook URL")
    webhook_field_ids = fields.Many2many(
        "ir.model.fields",
        "ir_act_server_webhook_field_rel",
        "server_id",
        "field_id",
        string="Webhook Fields",
    )
    webhook_secret = fields.Char(
        "Webhook Secret",
        groups="base.group_system",
        copy=False,
        default=lambda self: secrets.token_hex(32),
        help="Key of the HMAC-SHA256 signature sent in X-Erplite-Signature",
    )

    # -- checks -------------------------------------------------------------------------------
    @api.constrains("state", "method_name", "args", "model_id", "webhook_url", "crud_model_id")
    def _check_state_settings(self):
        for action in self:
            label = f"Server action {action.name!r}"
            if action.state == "method":
                if not _PUBLIC_METHOD.match(action.method_name or ""):
                    raise ValidationError(
                        f"{label}: {action.method_name!r} is not a public method name"
                    )
                model_name = action.model_id.model
                if model_name in self.env and not callable(
                    getattr(self.env[model_name], action.method_name, None)
                ):
                    raise ValidationError(
                        f"{label}: model {model_name!r} has no method {action.method_name!r}"
                    )
                try:
                    _parse_args(action.args)
                except ValueError as error:
                    raise ValidationError(f"{label}: invalid args: {error}") from None
            elif action.state == "webhook":
                url = action.webhook_url or ""
                if not url.startswith(("http://", "https://")):
                    raise ValidationError(f"{label}: the webhook URL must be an http(s) URL")
            elif action.state == "object_create" and not action.crud_model_id:
                raise ValidationError(f"{label}: choose the model of the record to create")

    # -- running ------------------------------------------------------------------------------
    def run(self) -> Any:
        """Run the actions on the context's records (``active_model``, ``active_ids`` or
        ``active_id``) as the current user; return the last action dict a step returned, or
        False."""
        result: Any = False
        for action in self.sudo():
            if action.groups_id and not self.env.su:
                if not set(action.groups_id.ids) & user_group_ids(self.env, self.env.uid):
                    raise AccessError(
                        f"You don't have enough access rights to run the action {action.name!r}."
                    )
            records = self._active_records(action.model_id.model)
            outcome = getattr(action, f"_run_action_{action.state}")(records)
            if outcome:
                result = outcome
        return result

    def _active_records(self, model_name: str) -> Any:
        """The records of the context, in the user's environment (not as superuser)."""
        model = self.env[model_name]
        context = self.env.context
        if context.get("active_model", model_name) != model_name:
            return model.browse()
        ids = context.get("active_ids") or (
            [context["active_id"]] if context.get("active_id") else []
        )
        return model.browse(ids)

    def _field_values(self, model: Any) -> dict:
        return {line.col1.name: line._value(model) for line in self.fields_lines}

    def _run_action_object_write(self, records: Any) -> Any:
        if records:
            records.write(self._field_values(records))
        return False

    def _run_action_object_create(self, records: Any) -> Any:
        model = records.env[self.crud_model_id.model]
        created = model.create(self._field_values(model))
        link = self.link_field_id
        if link and records:
            if link.ttype == "many2one":
                records.write({link.name: created.id})
            elif link.ttype == "many2many":
                records.write({link.name: [(4, created.id)]})
        return False

    def _run_action_multi(self, records: Any) -> Any:
        result: Any = False
        children = self.child_ids.sorted(lambda a: (a.sequence, a.id))
        for child in children.with_env(records.env):
            outcome = child.run()
            if outcome:
                result = outcome
        return result

    def _run_action_method(self, records: Any) -> Any:
        args, kwargs = _parse_args(self.args)
        if not _PUBLIC_METHOD.match(self.method_name or ""):
            raise UserError(f"{self.method_name!r} is not a public method name")
        outcome = getattr(records, self.method_name)(*args, **kwargs)
        return outcome if isinstance(outcome, dict) and outcome.get("type") else False

    def _run_action_webhook(self, records: Any) -> Any:
        names = ["id", *[f.name for f in self.webhook_field_ids if f.name != "id"]]
        values = [_jsonable(row) for row in records.read(names)] if records else []
        payload = {
            "event": self.env.context.get("webhook_event") or "ir.actions.server",
            "action_id": self.id,
            "model": records._name,
            "ids": list(records.ids),
            "values": values,
            "timestamp": datetime.datetime.now(datetime.timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            ),
        }
        # queued in this transaction, sent by the scheduler after the commit
        self.env["ir.webhook.delivery"]._enqueue(self, self.webhook_url, payload)
        return False


def _jsonable(values: dict) -> dict:
    result = {}
    for name, value in values.items():
        if isinstance(value, datetime.datetime):
            value = value.strftime("%Y-%m-%d %H:%M:%S")
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        elif isinstance(value, bytes):
            value = value.decode("ascii", "replace")
        elif isinstance(value, tuple):
            value = list(value)
        result[name] = value
    return result


class IrServerObjectLines(models.Model):
    _name = "ir.server.object.lines"
    _description = "Server Action value mapping"
    _order = "id"

    server_id = fields.Many2one(
        "ir.actions.server", string="Related Server Action", ondelete="cascade"
    )
    col1 = fields.Many2one("ir.model.fields", string="Field", required=True, ondelete="cascade")
    value = fields.Text(required=True, help="The value, as text; a record id for a reference")
    evaluation_type = fields.Selection(
        [("value", "Value"), ("reference", "Reference")],
        string="Evaluation Type",
        default="value",
        required=True,
    )

    def _value(self, model: Any) -> Any:
        """The line's value converted for its field of ``model`` (data, never code)."""
        field = model._fields.get(self.col1.name)
        if field is None:
            raise UserError(f"Field {self.col1.name!r} does not exist on model {model._name!r}")
        text = (self.value or "").strip()
        if self.evaluation_type == "reference" or field.type == "many2one":
            if not text:
                return False
            reference = text.rpartition(",")[2]
            if not reference.isdigit():
                raise UserError(f"Field {field.name!r}: {text!r} is not a record reference")
            return int(reference) if field.type == "many2one" else [(4, int(reference))]
        if field.type == "boolean":
            return text.lower() in ("1", "true", "yes", "on")
        if field.type == "integer":
            return int(text) if text else 0
        if field.type in ("float", "monetary"):
            return float(text) if text else 0.0
        if field.type in ("date", "datetime"):
            return text or False
        if field.type == "many2many":
            return [(6, 0, [int(i) for i in text.split(",") if i.strip().isdigit()])]
        return self.value
