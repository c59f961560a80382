"""``ir.actions.server``: each state (object_write, object_create, multi, method, webhook)
run on the context's records as the user, with the user's rights; webhooks POSTed to a real
local HTTP server by the scheduler once the transaction commits, signed, and not at all after a
rollback (retries and the delivery log: ``test_webhook_delivery.py``)."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from erplite import SUPERUSER_ID, api
from erplite.exceptions import AccessError, ValidationError

DOC = "test_security.document"


def user_with(env: Any, *groups: str) -> Any:
    return env["res.users"].create(
        {
            "name": "Runner",
            "login": f"runner-{uuid.uuid4().hex[:6]}",
            "groups_id": [(6, 0, [env.ref(g).id for g in ("base.group_user", *groups)])],
        }
    )


def field_id(env: Any, model: str, name: str) -> int:
    return env["ir.model.fields"].search([("model", "=", model), ("name", "=", name)]).id


def server_action(env: Any, **values: Any) -> Any:
    vals = {"name": "act", "model_id": env["ir.model"]._get_id(DOC), **values}
    return env["ir.actions.server"].create(vals)


def run(action: Any, records: Any, user: Any = None) -> Any:
    action = action.with_user(user) if user else action
    return action.with_context(active_model=records._name, active_ids=records.ids).run()


def test_object_write_as_the_user(env):
    docs = env[DOC].create([{"name": "a"}, {"name": "b"}])
    action = server_action(
        env,
        state="object_write",
        fields_lines=[
            (0, 0, {"col1": field_id(env, DOC, "value"), "value": "42"}),
            (
                0,
                0,
                {
                    "col1": field_id(env, DOC, "partner_id"),
                    "value": str(env.ref("base.main_partner").id),
                },
            ),
        ],
    )
    editor = user_with(env, "test_security.group_editor")
    assert run(action, docs, editor) is False
    assert docs.mapped("value") == [42, 42]
    assert docs.partner_id == env.ref("base.main_partner")
    reader = user_with(env, "test_security.group_reader")
    with pytest.raises(AccessError):
        run(action, docs, reader)


def test_object_create_and_link(env):
    doc = env[DOC].create({"name": "a"})
    action = server_action(
        env,
        state="object_create",
        crud_model_id=env["ir.model"]._get_id("test_security.tag"),
        link_field_id=field_id(env, DOC, "tag_ids"),
        fields_lines=[
            (0, 0, {"col1": field_id(env, "test_security.tag", "name"), "value": "urgent"})
        ],
    )
    run(action, doc)
    assert doc.tag_ids.mapped("name") == ["urgent"]
    with pytest.raises(ValidationError, match="choose the model of the record to create"):
        with env.cr.savepoint():
            server_action(env, state="object_create")


def test_method_calls_a_public_method_with_json_arguments(env):
    docs = env[DOC].create([{"name": "a"}, {"name": "b"}])
    action = server_action(env, state="method", method_name="write", args='[{"value": 7}]')
    run(action, docs)
    assert docs.mapped("value") == [7, 7]
    action = server_action(env, state="method", method_name="action_archive")
    run(action, docs[0])
    assert not docs[0].active and docs[1].active
    for bad, message in (
        ("_private", "is not a public method"),
        ("no_such", "has no method"),
        ("write", "invalid args"),
    ):
        with pytest.raises(ValidationError, match=message):
            with env.cr.savepoint():
                server_action(
                    env, state="method", method_name=bad, args="7" if bad == "write" else "[]"
                )


def test_multi_runs_children_in_order(env):
    doc = env[DOC].create({"name": "a"})
    first = server_action(
        env, name="first", sequence=2, state="method", method_name="write", args='[{"value": 1}]'
    )
    second = server_action(
        env,
        name="second",
        sequence=1,
        state="method",
        method_name="write",
        args='{"vals": {"value": 2}}',
    )
    multi = server_action(env, state="multi", child_ids=[(6, 0, [first.id, second.id])])
    run(multi, doc)
    assert doc.value == 1  # second (sequence 1) ran, then first


def test_groups_restrict_who_may_run(env):
    doc = env[DOC].create({"name": "a"})
    action = server_action(
        env,
        state="method",
        method_name="write",
        args='[{"value": 3}]',
        groups_id=[(6, 0, [env.ref("test_security.group_manager").id])],
    )
    editor = user_with(env, "test_security.group_editor")
    with pytest.raises(AccessError, match="run the action"):
        run(action, doc, editor)
    run(action, doc, user_with(env, "test_security.group_editor", "test_security.group_manager"))
    assert doc.value == 3


def test_records_of_another_model_are_ignored(env):
    doc = env[DOC].create({"name": "a", "value": 1})
    action = server_action(env, state="method", method_name="write", args='[{"value": 9}]')
    action.with_context(active_model="res.partner", active_ids=[doc.id]).run()
    assert doc.value == 1


# -- webhooks against a real HTTP server ------------------------------------------------------


@pytest.fixture
def receiver() -> Iterator[dict]:
    """A local HTTP server recording the requests it receives."""
    received: list[dict] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"path": self.path, "headers": dict(self.headers), "body": body})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}/hook", "received": received}
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_posts_the_chosen_fields_after_commit(own_registry, receiver):
    with own_registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        docs = env[DOC].create([{"name": "hook a", "value": 5}, {"name": "hook b", "value": 6}])
        action = server_action(
            env,
            state="webhook",
            webhook_url=receiver["url"],
            webhook_field_ids=[(6, 0, [field_id(env, DOC, "name"), field_id(env, DOC, "value")])],
        )
        secret = action.webhook_secret
        run(action, docs)
        assert receiver["received"] == []  # not before the commit
        ids = docs.ids
    assert receiver["received"] == []  # queued: the scheduler's job sends it
    assert own_registry["ir.cron"]._run_due(own_registry) >= 1
    assert len(receiver["received"]) == 1
    request = receiver["received"][0]
    payload = json.loads(request["body"])
    assert request["path"] == "/hook"
    assert payload["event"] == "ir.actions.server" and payload["model"] == DOC
    assert payload["ids"] == ids
    assert payload["values"] == [
        {"id": ids[0], "name": "hook a", "value": 5},
        {"id": ids[1], "name": "hook b", "value": 6},
    ]
    assert request["headers"]["X-Erplite-Delivery"] == payload["delivery_id"]
    expected = hmac.new(secret.encode(), request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Erplite-Signature"] == f"sha256={expected}"


def test_webhook_sends_nothing_when_the_transaction_rolls_back(own_registry, receiver):
    with pytest.raises(RuntimeError):
        with own_registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            doc = env[DOC].create({"name": "hook c"})
            action = server_action(env, state="webhook", webhook_url=receiver["url"])
            run(action, doc)
            raise RuntimeError("rolled back")
    own_registry["ir.cron"]._run_due(own_registry)
    assert receiver["received"] == []


def test_webhook_url_must_be_http(env):
    with pytest.raises(ValidationError, match="must be an http"):
        server_action(env, state="webhook", webhook_url="file:///etc/passwd")


def test_webhook_secret_is_for_settings_users_only(env):
    action = server_action(env, state="webhook", webhook_url="http://127.0.0.1:9/x")
    reader = user_with(env)
    assert "webhook_secret" not in env["ir.actions.server"].with_user(reader).fields_get()
    with pytest.raises(AccessError):
        action.with_user(reader).read(["webhook_secret"])
