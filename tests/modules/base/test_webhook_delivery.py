"""``ir.webhook.delivery``: webhooks queued in the transaction and sent after commit by the
scheduler, against a real local HTTP server that fails on purpose: signatures, retries with
backoff, giving up, nothing sent twice, the delivery log and who may read it."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import http.server
import importlib
import json
import random
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from erplite import SUPERUSER_ID, api
from erplite.exceptions import AccessError
from erplite.http.databases import Databases
from erplite.scheduler import CronRunner
from erplite.sql import SQL

DOC = "test_security.document"


class Receiver:
    """A local HTTP server answering with the planned statuses (then 200), optionally slowly;
    :meth:`wait_for` blocks until it received ``n`` requests."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.plan: list[int] = []
        self.delay = 0.0
        self.condition = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.condition:
                    status = receiver.plan.pop(0) if receiver.plan else 200
                    delay = receiver.delay
                if delay:
                    time.sleep(delay)  # the endpoint hangs: the sender's timeout must fire
                try:
                    self.send_response(status)
                    self.end_headers()
                except OSError:
                    pass  # the sender gave up waiting
                with receiver.condition:
                    receiver.received.append(
                        {
                            "headers": dict(self.headers),
                            "body": body,
                            "status": status,
                            "at": time.monotonic(),
                        }
                    )
                    receiver.condition.notify_all()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float) -> list[dict]:
        with self.condition:
            self.condition.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def hooks(own_registry: Any) -> Iterator[Any]:
    """``hooks(url, **params)`` commits a webhook action on documents (and the given
    ``webhook.*`` parameters) and returns ``(action_id, secret)``; cleaned after the test."""

    def clear() -> None:
        with own_registry.cursor() as cr:
            cr.execute(SQL("DELETE FROM ir_webhook_delivery"))
            cr.execute(SQL("DELETE FROM ir_cron_trigger"))
            cr.execute(SQL("DELETE FROM ir_config_parameter WHERE key LIKE 'webhook.%%'"))
            # only the delivery job stays due: the others would run during the tests
            cr.execute(
                SQL(
                    "UPDATE ir_cron SET nextcall = %s WHERE id != %s",
                    datetime.datetime(2999, 1, 1),
                    api.Environment(cr, SUPERUSER_ID, {}).ref("base.webhook_delivery_job").id,
                )
            )

    def make(url: str, **params: Any) -> tuple[int, str]:
        with own_registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            for key, value in params.items():
                env["ir.config_parameter"].set_param(f"webhook.{key}", str(value))
            name = env["ir.model.fields"].search([("model", "=", DOC), ("name", "=", "name")])
            action = env["ir.actions.server"].create(
                {
                    "name": "hook",
                    "model_id": env["ir.model"]._get_id(DOC),
                    "state": "webhook",
                    "webhook_url": url,
                    "webhook_field_ids": [(6, 0, name.ids)],
                }
            )
            return action.id, action.webhook_secret

    clear()
    yield make
    clear()


def fire(registry: Any, action_id: int, name: str = "doc") -> int:
    """Run the action on a new document in a committed transaction; the document's id."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        doc = env[DOC].create({"name": name})
        env["ir.actions.server"].browse(action_id).with_context(
            active_model=DOC, active_ids=doc.ids
        ).run()
        return doc.id


def deliveries(registry: Any) -> list[dict]:
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        return env["ir.webhook.delivery"].search_read(
            [], ["delivery_id", "state", "attempt", "status_code", "duration", "error"], load=None
        )


@pytest.fixture
def runner(own_registry: Any) -> Iterator[CronRunner]:
    databases = Databases(own_registry.dsn, own_registry.addons_paths)
    databases.get(databases.single_name)
    cron = CronRunner(databases, threads=1, max_sleep=3600)
    cron.start()
    assert cron.idle.wait(30)
    yield cron
    cron.stop()


def test_signed_delivery_sent_after_commit_and_logged(own_registry, hooks, receiver, runner):
    action_id, secret = hooks(receiver.url)
    doc_id = fire(own_registry, action_id, "signed")
    committed = time.monotonic()
    [request] = receiver.wait_for(1, timeout=30)
    latency_ms = (request["at"] - committed) * 1000
    payload = json.loads(request["body"])
    assert set(payload) == {
        "event", "action_id", "model", "ids", "values", "delivery_id", "timestamp",
    }  # fmt: skip
    assert (payload["event"], payload["model"], payload["ids"]) == (
        "ir.actions.server",
        DOC,
        [doc_id],
    )
    assert payload["values"] == [{"id": doc_id, "name": "signed"}]
    assert request["headers"]["X-Erplite-Delivery"] == payload["delivery_id"]
    expected = hmac.new(secret.encode(), request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Erplite-Signature"] == f"sha256={expected}"
    assert runner.idle.wait(30)
    [log] = deliveries(own_registry)
    assert (log["delivery_id"], log["state"], log["attempt"], log["status_code"]) == (
        payload["delivery_id"], "sent", 1, 200,
    )  # fmt: skip
    assert log["duration"] > 0 and not log["error"]
    print(f"\nwebhook delivered {latency_ms:.0f} ms after the commit (woken by NOTIFY)")


def test_failures_are_retried_with_backoff_then_sent_once(own_registry, hooks, receiver, runner):
    receiver.plan = [500, 503]
    action_id, _secret = hooks(receiver.url, retry_base_seconds=0.2)
    fire(own_registry, action_id)
    requests = receiver.wait_for(3, timeout=30)
    assert [r["status"] for r in requests] == [500, 503, 200]
    assert len({r["headers"]["X-Erplite-Delivery"] for r in requests}) == 1
    assert len({r["body"] for r in requests}) == 1  # the same document, the same signature
    gaps = [b["at"] - a["at"] for a, b in zip(requests, requests[1:])]
    assert gaps[0] >= 0.1 and gaps[1] >= 0.2  # half of 0.2 s, then half of 0.4 s at least
    runner.wake()  # another pass: nothing left to send
    assert runner.idle.wait(30)
    assert len(receiver.received) == 3
    [log] = deliveries(own_registry)
    assert (log["state"], log["attempt"], log["status_code"]) == ("sent", 3, 200)


def test_an_endpoint_that_hangs_times_out_and_is_given_up(own_registry, hooks, receiver, runner):
    receiver.delay = 1.0
    action_id, _secret = hooks(receiver.url, timeout=0.2, max_attempts=2, retry_base_seconds=0.1)
    fire(own_registry, action_id)
    receiver.wait_for(2, timeout=30)
    assert runner.idle.wait(30)
    [log] = deliveries(own_registry)
    assert (log["state"], log["attempt"], log["status_code"]) == ("failed", 2, 0)
    assert "timed out" in log["error"]


def test_a_rolled_back_transaction_queues_and_sends_nothing(own_registry, hooks, receiver):
    action_id, _secret = hooks(receiver.url)
    with pytest.raises(RuntimeError):
        with own_registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            doc = env[DOC].create({"name": "rolled back"})
            env["ir.actions.server"].browse(action_id).with_context(
                active_model=DOC, active_ids=doc.ids
            ).run()
            raise RuntimeError("rolled back")
    own_registry["ir.cron"]._run_due(own_registry)
    assert deliveries(own_registry) == [] and receiver.received == []


def test_a_failed_delivery_can_be_sent_again_from_the_log(own_registry, hooks, receiver):
    receiver.plan = [500]
    action_id, _secret = hooks(receiver.url, max_attempts=1)
    fire(own_registry, action_id)
    own_registry["ir.cron"]._run_due(own_registry)
    assert [d["state"] for d in deliveries(own_registry)] == ["failed"]
    with own_registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["ir.webhook.delivery"].search([]).action_retry()
    own_registry["ir.cron"]._run_due(own_registry)
    assert [r["status"] for r in receiver.received] == [500, 200]
    assert [d["state"] for d in deliveries(own_registry)] == ["sent"]


def test_backoff_doubles_with_jitter_and_is_capped(env):
    retry_delay = importlib.import_module(type(env["ir.webhook.delivery"]).__module__).retry_delay
    rng = random.Random(7)
    for attempt, full in ((1, 10), (2, 20), (3, 40), (12, 3600)):
        delays = [retry_delay(attempt, 10, rng) for _ in range(50)]
        assert all(full / 2 <= d <= full for d in delays)
        assert len(set(delays)) > 1  # jitter


def test_the_log_and_the_secret_are_for_administrators_only(env):
    user = env["res.users"].create(
        {
            "name": "Ursula",
            "login": f"ursula-{uuid.uuid4().hex[:6]}",
            "groups_id": [(6, 0, [env.ref("base.group_user").id])],
        }
    )
    action = env["ir.actions.server"].create(
        {
            "name": "hook",
            "model_id": env["ir.model"]._get_id(DOC),
            "state": "webhook",
            "webhook_url": "http://127.0.0.1:9/x",
        }
    )
    delivery = env["ir.webhook.delivery"]._enqueue(action, action.webhook_url, {"event": "x"})
    with pytest.raises(AccessError):
        delivery.with_user(user).read(["body"])
    with pytest.raises(AccessError):
        action.with_user(user).read(["webhook_secret"])
    admin = env.ref("base.user_admin")
    assert delivery.with_user(admin).read(["state"])[0]["state"] == "pending"
    assert action.with_user(admin).read(["webhook_secret"])[0]["webhook_secret"]
