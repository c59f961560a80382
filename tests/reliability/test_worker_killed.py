"""A gunicorn worker killed with SIGKILL in the middle of a write: PostgreSQL rolls the write back
(no order without its lines, no half of its lines), the dead worker's connection and locks go
away, and the new worker serves at once."""

from __future__ import annotations

import http.client
import os
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests.reliability.conftest import Server, Tally

pytestmark = pytest.mark.reliability

ROUNDS = 3
LINES = 200  # the most a REST body takes: a write that lasts long enough to be caught


@pytest.fixture(scope="module")
def server(shop):
    """One worker, so that the process killed is the one writing."""
    running = Server(shop, workers=1, threads=4)
    try:
        yield running
    finally:
        running.stop()


def writing_backend(admin: psycopg.Connection) -> int | None:
    """The backend of the shop whose transaction has written something, if any."""
    row = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = 'shop' AND backend_xid IS NOT NULL"
        " AND pid <> pg_backend_pid() LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def backend_alive(admin: psycopg.Connection, pid: int) -> bool:
    row = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    return bool(row[0])


def test_a_worker_killed_mid_write_leaves_no_partial_write(server, shop, cluster, figures):
    respawns, cleanups = [], []
    after = Tally()
    with psycopg.connect(cluster.dsn("postgres"), autocommit=True) as admin:
        for _round in range(ROUNDS):
            ref = f"killed-{uuid.uuid4().hex[:8]}"
            body = {
                "partner_id": shop.ids["customer"],
                "client_order_ref": ref,
                "order_line": [{"product_id": shop.ids["lamp"], "product_uom_qty": 1}] * LINES,
            }
            outcome: dict = {}

            def write(body=body, outcome=outcome) -> None:
                try:
                    outcome["status"] = server.rest("salesman", "POST", "/api/orders", body)[0]
                except (OSError, http.client.HTTPException) as exc:
                    outcome["status"] = type(exc).__name__

            (worker,) = server.workers()
            writer = threading.Thread(target=write)
            writer.start()
            deadline = time.monotonic() + 20
            backend = None
            while backend is None and time.monotonic() < deadline and writer.is_alive():
                backend = writing_backend(admin)
            assert backend is not None, f"no write caught in progress: {outcome}"
            os.kill(worker, signal.SIGKILL)
            killed = time.monotonic()
            writer.join(30)
            assert outcome["status"] in ("RemoteDisconnected", "ConnectionResetError"), outcome

            # PostgreSQL sees the client gone and rolls its transaction back
            while backend_alive(admin, backend) and time.monotonic() < killed + 30:
                time.sleep(0.01)
            cleanups.append(time.monotonic() - killed)
            assert not backend_alive(admin, backend)
            # gunicorn's master starts a new worker, which serves at once
            server.wait_ready(30)
            respawns.append(time.monotonic() - killed)
            assert server.workers() != [worker]

            with shop.env() as env:
                assert not env["sale.order"].search([("client_order_ref", "=", ref)])
                env.cr.execute(
                    "SELECT count(*) FROM sale_order_line l"
                    " LEFT JOIN sale_order o ON o.id = l.order_id WHERE o.id IS NULL"
                )
                assert env.cr.fetchone()[0] == 0

            # the new worker's pool is sound: parallel reads and writes all succeed
            def call(index: int, ref=ref) -> None:
                started = time.monotonic()
                if index % 2:
                    status = server.rest("salesman", "GET", "/api/orders?limit=5")[0]
                else:
                    small = {
                        "partner_id": shop.ids["customer"],
                        "client_order_ref": f"{ref}-after-{index}",
                        "order_line": [{"product_id": shop.ids["desk"]}],
                    }
                    status = server.rest("salesman", "POST", "/api/orders", small)[0]
                after.add(status, time.monotonic() - started)

            with ThreadPoolExecutor(4) as pool:
                list(pool.map(call, range(12)))
        assert set(after.statuses) == {200, 201}, after.statuses
        assert admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'shop'"
            " AND state = 'idle in transaction'"
        ).fetchone() == (0,)
    figures(
        kills=ROUNDS,
        backend_gone_s=[round(seconds, 3) for seconds in cleanups],
        worker_back_s=[round(seconds, 3) for seconds in respawns],
        after=after.summary(),
    )
