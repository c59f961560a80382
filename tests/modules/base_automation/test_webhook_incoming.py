"""Incoming webhooks: ``/web/hook/<uuid>`` runs an ``on_webhook`` rule with the posted JSON;
a wrong uuid is a 404, a bad body a 400 with a clear message."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from erplite import SUPERUSER_ID, api
from erplite.http import Application
from erplite.sql import SQL

TASK = "test.automation.task"


@pytest.fixture(scope="module")
def hook(automation_registry: Any) -> Iterator[dict]:
    """A committed on_webhook rule on tasks (store the payload, set the note) and a task."""
    with automation_registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        model_id = env["ir.model"]._get_id(TASK)
        note = env["ir.model.fields"].search([("model", "=", TASK), ("name", "=", "note")])
        rule = env["base.automation"].create(
            {
                "name": "incoming",
                "model_id": model_id,
                "trigger": "on_webhook",
                "action_server_ids": [
                    (0, 0, {"name": "store", "model_id": model_id, "state": "method",
                            "method_name": "record_payload", "args": "[]"}),
                    (0, 0, {"name": "mark", "model_id": model_id, "state": "object_write",
                            "fields_lines": [(0, 0, {"col1": note.id, "value": "hooked"})]}),
                ],
            }
        )  # fmt: skip
        task = env[TASK].create({"name": "target"})
        values = {"url": rule.url, "task_id": task.id, "rule_id": rule.id}
    yield values
    with automation_registry.cursor() as cr:
        cr.execute(SQL("DELETE FROM base_automation WHERE id = %s", values["rule_id"]))
        cr.execute(SQL("DELETE FROM test_automation_note"))


@pytest.fixture(scope="module")
def client(automation_registry: Any) -> Client:
    return Client(Application(automation_registry.dsn, automation_registry.addons_paths))


def _notes(registry: Any) -> list[str]:
    with registry.cursor() as cr:
        cr.execute(SQL("SELECT name FROM test_automation_note ORDER BY id"))
        return [row[0] for row in cr.fetchall()]


def test_a_posted_object_runs_the_rule_with_its_payload(automation_registry, hook, client):
    response = client.post(hook["url"], json={"source": "crm", "amount": 3})
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})
    assert _notes(automation_registry)[-1] == repr([("amount", 3), ("source", "crm")])


def test_the_payload_names_the_record(automation_registry, hook, client):
    body = {"_model": TASK, "_id": hook["task_id"], "why": "paid"}
    assert client.post(hook["url"], json=body).status_code == 200
    with automation_registry.cursor() as cr:
        cr.execute(SQL("SELECT note FROM test_automation_task WHERE id = %s", hook["task_id"]))
        assert cr.fetchone()[0] == "hooked"


def test_get_passes_the_query_as_payload(automation_registry, hook, client):
    assert client.get(hook["url"] + "?ping=1").status_code == 200
    assert _notes(automation_registry)[-1] == repr([("ping", "1")])


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{not json", 400, "The body is not valid JSON"),
        (b"[1, 2]", 400, "The body must be a JSON object."),
        (b'{"_id": "seven"}', 400, "_id must be a positive integer, not 'seven'."),
        (b'{"_model": "res.users", "_id": 2}', 400, "_model must be 'test.automation.task'"),
        (b'{"_id": 987654}', 404, "No test.automation.task record has the id 987654."),
    ],
)
def test_bad_bodies_are_client_errors(hook, client, body, status, message):
    response = client.post(hook["url"], data=body, content_type="application/json")
    assert response.status_code == status
    assert message in response.get_json()["message"]


def test_a_wrong_uuid_is_not_found(client):
    response = client.post("/web/hook/00000000-0000-4000-8000-000000000000", json={})
    assert response.status_code == 404
    assert json.loads(response.data)["message"] == "No automation rule has this webhook address."
