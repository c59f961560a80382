"""Incoming webhooks: ``/web/hook/<uuid>`` runs an ``on_webhook`` automation rule.

Worked example (the rule's ``url`` field gives the path)::

    curl -X POST -H "Content-Type: application/json" \\
         -d '{"_model": "res.partner", "_id": 7, "source": "crm"}' \\
         https://erp.example.com/web/hook/0b6f2a86-2a3e-4f6e-9f4e-6f1c1b8a3c55
    # 200 {"status": "ok"}

As in Odoo 17, the random uuid is the secret: no session or key is asked. The rule's actions
run as the superuser (the rule and its actions were set up by an administrator) on the record
the payload names with ``_model`` (the rule's model) and ``_id`` (Odoo 17's default record
getter), or on no record, with the posted JSON object in the context key ``payload``. A GET
passes its query parameters as the payload.

Answers: 404 for a uuid that names no active ``on_webhook`` rule; 400 with a message for a
body that is not a JSON object, an ``_id`` that is not an integer or another model in
``_model``; 404 for an ``_id`` that names no record; 200 ``{"status": "ok"}`` once the
actions ran (their changes are committed with the request).
"""

from __future__ import annotations

from typing import Any

from erplite import http
from erplite.http import request
from erplite.http.limits import TooDeeplyNested, loads_json


def _error(status: int, message: str) -> Any:
    return request.make_json_response({"status": "error", "message": message}, status=status)


class BaseAutomationWebhook(http.Controller):
    @http.route(
        "/web/hook/<string:rule_uuid>",
        type="http",
        auth="none",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
    )
    def call_webhook(self, rule_uuid: str, **query: Any) -> Any:
        rule = (
            request.env["base.automation"]
            .sudo()
            .search([("webhook_uuid", "=", rule_uuid), ("trigger", "=", "on_webhook")], limit=1)
        )
        if not rule:
            return _error(404, "No automation rule has this webhook address.")
        if request.httprequest.method == "POST":
            data = request.httprequest.get_data()
            try:
                payload = loads_json(data) if data.strip() else {}
            except TooDeeplyNested as error:
                return _error(400, str(error))
            except ValueError as error:
                return _error(400, f"The body is not valid JSON: {error}")
        else:
            payload = dict(query)
        if not isinstance(payload, dict):
            return _error(400, "The body must be a JSON object.")
        records, problem = _target_records(rule, payload)
        if problem is not None:
            return _error(*problem)
        rule._run_webhook(records, payload)
        return request.make_json_response({"status": "ok"})


def _target_records(rule: Any, payload: dict) -> tuple[Any, tuple[int, str] | None]:
    """The record ``_model``/``_id`` of the payload name (the rule's model only), or none."""
    model = rule.env[rule.model_id.model]
    if "_id" not in payload:
        return model.browse(), None
    named_model = payload.get("_model", model._name)
    if named_model != model._name:
        return model.browse(), (400, f"_model must be {model._name!r}, not {named_model!r}.")
    record_id = payload["_id"]
    if isinstance(record_id, str) and record_id.isdigit():
        record_id = int(record_id)
    if not isinstance(record_id, int) or isinstance(record_id, bool) or record_id <= 0:
        return model.browse(), (400, f"_id must be a positive integer, not {payload['_id']!r}.")
    record = model.browse(record_id).exists()
    if not record:
        return model.browse(), (404, f"No {model._name} record has the id {record_id}.")
    return record, None
