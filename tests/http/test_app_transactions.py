"""One transaction per request: error responses, retries on a real serialization failure,
integrity errors, post-commit hooks, rewound uploads."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
import uuid

import pytest
from werkzeug.test import Client

from erplite import SUPERUSER_ID, api
from tests.http.conftest import login, rpc


@pytest.fixture(scope="module")
def admin_client(app):
    client = Client(app)
    assert login(client, "admin", "admin").status_code == 303
    return client


def new_counter(web_db, value=0) -> int:
    with web_db.registry().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        return env["test_http.counter"].create({"name": uuid.uuid4().hex, "value": value}).id


def counter_value(web_db, counter_id) -> int:
    with web_db.registry().cursor() as cr:
        cr.execute("SELECT value FROM test_http_counter WHERE id = %s", [counter_id])
        return cr.fetchone()[0]


# -- error responses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "message"),
    [
        ("user", 400, "Confirm the order first."),
        ("validation", 400, "The end date is before the start date."),
        ("access", 403, "You may not read this."),
        ("denied", 403, "You may not log in here."),
        ("missing", 404, "The record was deleted."),
    ],
)
def test_expected_errors_have_their_status_and_a_readable_message(client, kind, status, message):
    """As Odoo 17's ``type='http'`` dispatcher: ``UserError`` (``ValidationError``
    included) is a 400, ``AccessError`` and ``AccessDenied`` a 403."""
    response = client.get(f"/test_http/raise/{kind}")
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert message in response.get_data(as_text=True)
    as_json = client.get(f"/test_http/raise/{kind}", headers={"Accept": "application/json"})
    assert as_json.status_code == status
    assert as_json.get_json()["message"] == message


def test_unexpected_error_is_a_500_with_an_id_and_no_traceback(client, caplog):
    with caplog.at_level(logging.ERROR, logger="erplite.http.errors"):
        response = client.get("/test_http/raise/crash")
    page = response.get_data(as_text=True)
    error_id = response.headers["X-Error-Id"]
    assert response.status_code == 500
    assert error_id in page
    assert "hunter2" not in page and "Traceback" not in page and "RuntimeError" not in page
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and logged[0].exc_info[0] is RuntimeError  # the traceback is in the log


def test_json_errors_use_odoos_envelope(client):
    body = rpc(client, "/test_http/json/raise", {"kind": "validation"}).get_json()
    assert body["jsonrpc"] == "2.0" and body["id"] == 7
    error = body["error"]
    assert error["code"] == 200 and error["message"] == "Odoo Server Error"
    assert error["data"]["name"] == "erplite.exceptions.ValidationError"
    assert error["data"]["message"] == "The end date is before the start date."
    assert error["data"]["arguments"] == ["The end date is before the start date."]
    assert error["data"]["debug"] == ""


def test_json_unexpected_error_hides_its_details(client):
    response = rpc(client, "/test_http/json/raise", {"kind": "crash"})
    data = response.get_json()["error"]["data"]
    assert response.status_code == 200
    assert data["name"] == "werkzeug.exceptions.InternalServerError"
    assert response.headers["X-Error-Id"] in data["message"]
    assert "hunter2" not in response.get_data(as_text=True)


def test_json_unknown_route_is_the_404_envelope(client):
    response = rpc(client, "/test_http/json/nowhere")
    assert response.status_code == 404


# -- transactions -------------------------------------------------------------------------------


def test_integrity_error_is_a_validation_error_and_not_retried(admin_client, web_db, caplog):
    name = uuid.uuid4().hex
    with caplog.at_level(logging.INFO, logger="erplite.http.retrying"):
        body = rpc(admin_client, "/test_http/duplicate", {"name": name}).get_json()
    assert body["error"]["data"]["name"] == "erplite.exceptions.ValidationError"
    assert "A counter with this name exists already." in body["error"]["data"]["message"]
    assert not [r for r in caplog.records if "tries left" in r.getMessage()]
    with web_db.registry().cursor() as cr:  # nothing of the request was committed
        cr.execute("SELECT count(*) FROM test_http_counter WHERE name = %s", [name])
        assert cr.fetchone()[0] == 0


def test_postcommit_hooks_run_after_the_commit_only(admin_client):
    from erplite.addons.test_http.models.counter import POSTCOMMIT_LOG

    tag = uuid.uuid4().hex
    body = rpc(admin_client, "/test_http/hook", {"tag": tag}).get_json()
    assert body["result"] == 0  # not run while the endpoint ran
    assert POSTCOMMIT_LOG.count(tag) == 1  # run once the request committed
    failed = uuid.uuid4().hex
    rpc(admin_client, "/test_http/hook", {"tag": failed, "fail": True})
    assert failed not in POSTCOMMIT_LOG  # dropped with the rollback


def test_concurrent_updates_of_one_row_are_retried_and_both_succeed(app, web_db, caplog):
    """A real serialization failure: both requests read the row before either writes."""
    counter_id = new_counter(web_db)
    clients = [Client(app), Client(app)]
    for client in clients:
        login(client, "admin", "admin")
    results: list = [None, None]

    def call(index: int) -> None:
        response = rpc(clients[index], f"/test_http/increment/{counter_id}", {"pause": 0.5})
        results[index] = response.get_json()

    with caplog.at_level(logging.INFO, logger="erplite.http.retrying"):
        threads = [threading.Thread(target=call, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
            time.sleep(0.1)
        for thread in threads:
            thread.join(30)
    assert all("result" in result for result in results), results
    assert sorted(result["result"]["value"] for result in results) == [1, 2]
    assert counter_value(web_db, counter_id) == 2
    retried = [r for r in caplog.records if "tries left" in r.getMessage()]
    assert retried and "40001" in retried[0].getMessage()


def test_a_retried_request_reads_its_upload_again(app, web_db, caplog):
    counter_id = new_counter(web_db)
    first, second = Client(app), Client(app)
    for client in (first, second):
        login(client, "admin", "admin")
    payload = b"x" * 5000
    results: dict = {}

    def increment() -> None:
        results["json"] = rpc(
            first, f"/test_http/increment/{counter_id}", {"pause": 0.6}
        ).get_json()

    def upload() -> None:
        response = second.post(
            f"/test_http/upload_increment/{counter_id}",
            data={"upload": (io.BytesIO(payload), "data.bin"), "pause": "0.6"},
        )
        results["upload"] = response.get_json()

    with caplog.at_level(logging.INFO, logger="erplite.http.retrying"):
        thread = threading.Thread(target=increment)
        thread.start()
        time.sleep(0.2)
        upload()
        thread.join(30)
    assert results["json"]["result"]["value"] == 1
    assert results["upload"] == {"size": 5000, "value": 2}  # the whole file, on the retry too
    assert [r for r in caplog.records if "tries left" in r.getMessage()]
    assert counter_value(web_db, counter_id) == 2


def _keep_changing(web_db, counter_id: int, stop: threading.Event) -> None:
    """Commit a change of the counter every few milliseconds until ``stop`` (60 s at most)."""
    import psycopg

    deadline = time.monotonic() + 60
    # no prepared statement: the suite also runs through PgBouncer in transaction mode
    with psycopg.connect(web_db.dsn, autocommit=True, prepare_threshold=None) as conn:
        while not stop.is_set() and time.monotonic() < deadline:
            conn.execute(
                "UPDATE test_http_counter SET name = md5(random()::text) WHERE id = %s",
                [counter_id],
            )
            time.sleep(0.01)


def test_a_row_kept_busy_through_every_retry_is_a_409_saying_so(app, web_db, caplog):
    """Each try reads the counter, pauses while another transaction commits a change of its
    row, then writes it: a serialization failure every time. After the last try the client is
    told the record was busy (409, Retry-After), not that the database is unreachable."""
    counter_id = new_counter(web_db)
    client = Client(app)
    login(client, "admin", "admin")
    stop = threading.Event()
    changer = threading.Thread(target=_keep_changing, args=(web_db, counter_id, stop))
    changer.start()
    try:
        with caplog.at_level(logging.INFO, logger="erplite.http"):
            response = client.post(
                f"/test_http/upload_increment/{counter_id}",
                data={"upload": (io.BytesIO(b"x"), "data.bin"), "pause": "0.1"},
                headers={"Accept": "application/json"},
            )
            answer = rpc(client, f"/test_http/increment/{counter_id}", {"pause": 0.1})
    finally:
        stop.set()
        changer.join(60)
    assert response.status_code == 409, response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "1"
    body = response.get_json()
    assert "busy" in body["message"] and "cannot be reached" not in body["message"]
    error = answer.get_json()["error"]  # JSON-RPC: Odoo's envelope, the same message
    assert "busy" in error["data"]["message"]
    assert len([r for r in caplog.records if "tries left" in r.getMessage()]) == 2 * 4
    assert [r for r in caplog.records if "Record busy" in r.getMessage()]
    assert counter_value(web_db, counter_id) == 0  # nothing written


def test_http_route_error_rolls_back_its_writes(admin_client, web_db):
    counter_id = new_counter(web_db, value=5)
    response = admin_client.post(
        "/jsonrpc",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    web_db.name,
                    web_db.admin_uid,
                    "admin",
                    "test_http.counter",
                    "refuse",
                    [[counter_id]],
                ],
            },
        },
    )
    assert json.loads(response.get_data())["error"]["data"]["message"] == "Counters cannot do that."
    assert counter_value(web_db, counter_id) == 5
