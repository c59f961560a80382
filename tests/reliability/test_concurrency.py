"""Many clients on one order at once, through a real server: exactly one workflow step wins, the
history tells what happened, line totals are exact, and a race on a sequence's new date range is
retried rather than refused."""

from __future__ import annotations

import datetime
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg.errors
import pytest

from erplite import SUPERUSER_ID, Registry, api
from tests.reliability.conftest import Tally, error_name

pytestmark = pytest.mark.reliability

ROUNDS = 4
RACERS = 6


def new_order(shop, quantity: float) -> int:
    with shop.env() as env:
        order = (
            env["sale.order"]
            .with_user(shop.ids["salesman"])
            .create(
                {
                    "partner_id": shop.ids["customer"],
                    "order_line": [
                        (0, 0, {"product_id": shop.ids["desk"], "product_uom_qty": quantity})
                    ],
                }
            )
        )
        return order.id


def race(calls: list, tally: Tally) -> list:
    """Run ``calls`` (functions returning an outcome) at once; their outcomes, in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(30)
        started = time.monotonic()
        outcome = call()
        tally.add(outcome, time.monotonic() - started)
        return outcome

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def rest_step(server, login: str, order_id: int, step: str):
    def call():
        status, body, _headers = server.rest(login, "POST", f"/api/orders/{order_id}/{step}")
        if status == 409:
            return f"409 {body['name'].rpartition('.')[2]}"
        return status

    return call


def rpc_step(server, login: str, order_id: int, method: str):
    def call():
        status, result = server.rpc(login, "sale.order", method, [order_id])
        return 200 if status == 200 else f"rpc {error_name(result)}"

    return call


def history(shop, order_id: int) -> tuple[str, list[tuple[str, str, str]]]:
    with shop.env() as env:
        order = env["sale.order"].browse(order_id)
        rows = env["sale.order.history"].search([("order_id", "=", order_id)], order="id")
        return order.state, [(row.step, row.from_state, row.to_state) for row in rows]


def assert_consistent(state: str, rows: list[tuple[str, str, str]]) -> None:
    """Each step starts where the previous one ended, from ``draft`` to the order's state."""
    assert rows and rows[0][1] == "draft", rows
    for previous, row in zip(rows, rows[1:]):
        assert row[1] == previous[2], rows
    assert rows[-1][2] == state, (state, rows)


def test_concurrent_workflow_steps_on_one_order_exactly_one_wins(server, shop, figures):
    tally = Tally()
    mark = server.mark()
    for _round in range(ROUNDS):
        # six confirmations of one quotation (under the approval threshold): one sales order
        small = new_order(shop, 1)
        outcomes = race([rest_step(server, "salesman", small, "confirm")] * RACERS, tally)
        assert outcomes.count(200) == 1, outcomes
        assert all(str(o).startswith("409") for o in outcomes if o != 200), outcomes
        state, rows = history(shop, small)
        assert state == "sale" and rows == [("confirm", "draft", "sale")]

        # an order waiting for approval, approved and rejected at once: one of them wins
        big = new_order(shop, 60)  # 6,000 >= the threshold
        status, body, _h = server.rest("salesman", "POST", f"/api/orders/{big}/confirm")
        assert status == 200 and body["state"] == "to_approve"
        calls = [rest_step(server, "manager", big, "approve")] * (RACERS // 2) + [
            rpc_step(server, "manager", big, "action_reject")
        ] * (RACERS // 2)
        outcomes = race(calls, tally)
        assert outcomes.count(200) == 1, outcomes
        state, rows = history(shop, big)
        assert state in ("sale", "draft") and len(rows) == 2
        assert_consistent(state, rows)

        # then cancelled six times at once: one cancellation
        outcomes = race([rest_step(server, "manager", big, "cancel")] * RACERS, tally)
        assert outcomes.count(200) == 1, outcomes
        state, rows = history(shop, big)
        assert state == "cancel" and len(rows) == 3 and rows[-1][0] == "cancel"
        assert_consistent(state, rows)
    figures(**tally.summary(), **server.retries(mark))


def test_concurrent_line_additions_keep_the_totals_exact(server, shop, figures):
    order_id = new_order(shop, 1)  # one desk: 100.00
    tally = Tally()
    mark = server.mark()
    added: list[float] = []
    lock = threading.Lock()
    clients, per_client = 6, 5
    barrier = threading.Barrier(clients)

    def client(number: int) -> None:
        barrier.wait(30)
        for index in range(per_client):
            quantity = float(number * per_client + index + 1)  # lamps at 7.25: cents add up
            started = time.monotonic()
            status, result = server.rpc(
                "salesman",
                "sale.order",
                "write",
                [order_id],
                {
                    "order_line": [
                        (0, 0, {"product_id": shop.ids["lamp"], "product_uom_qty": quantity})
                    ]
                },
            )
            outcome = 200 if status == 200 else f"rpc {error_name(result)}"
            tally.add(outcome, time.monotonic() - started)
            if outcome == 200:
                with lock:
                    added.append(quantity)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads)
    assert set(tally.statuses) <= {200, "rpc RecordBusy"}, tally.statuses
    assert len(added) >= clients  # most of them went through their retries
    with shop.env() as env:
        order = env["sale.order"].browse(order_id)
        assert len(order.order_line) == 1 + len(added)
        expected = round(100.0 + 7.25 * sum(added), 2)
        assert order.amount_untaxed == expected
        assert round(sum(order.order_line.mapped("price_subtotal")), 2) == expected
        env.cr.execute("SELECT amount_untaxed FROM sale_order WHERE id = %s", [order_id])
        assert float(env.cr.fetchone()[0]) == expected  # stored, not just computed in memory
    figures(**tally.summary(), lines_added=len(added), **server.retries(mark))


def test_a_new_date_range_made_by_two_transactions_at_once_is_retried_not_refused(shop):
    """Two transactions take the first number of a year nobody used: both create its date
    range; the second one, blocked on the unique index until the first commits, gets a
    serialization failure (which a request retries), and its retry takes number 2."""
    registry = Registry(shop.dsn)
    day = datetime.date(2041, 3, 1)
    first_cr, second_cr = registry.cursor(), registry.cursor()
    outcome: dict = {}
    try:
        first = api.Environment(first_cr, SUPERUSER_ID, {})["ir.sequence"]
        second = api.Environment(second_cr, SUPERUSER_ID, {})["ir.sequence"]
        second.search([], limit=1)  # the second transaction's snapshot: before the range
        number = first.next_by_code("sale.order", sequence_date=day)

        def take() -> None:
            try:
                outcome["number"] = second.next_by_code("sale.order", sequence_date=day)
            except Exception as exc:  # the test inspects it
                outcome["error"] = exc

        thread = threading.Thread(target=take)
        thread.start()
        time.sleep(0.5)  # the second insert waits on the first transaction's index entry
        first_cr.commit()
        thread.join(30)
    finally:
        first_cr.close()
        second_cr.rollback()
        second_cr.close()
    assert isinstance(outcome.get("error"), psycopg.errors.SerializationFailure), outcome
    with registry.cursor() as cr:  # the retry
        again = api.Environment(cr, SUPERUSER_ID, {})["ir.sequence"]
        retried = again.next_by_code("sale.order", sequence_date=day)
    assert number != retried and number[-3:] < retried[-3:]


def test_read_modify_write_clients_with_if_match_lose_no_update(server, shop, figures):
    """Each client reads the order's reference, appends its mark and writes it back with the
    ETag it read as If-Match, reading again after a 412: every mark ends up in the reference,
    where writes without If-Match would overwrite one another."""
    order_url = f"/api/orders/{new_order(shop, 1)}"
    assert server.rest("salesman", "PATCH", order_url, {"client_order_ref": "start"})[0] == 200
    tally = Tally()
    clients, max_tries = 6, 30
    barrier = threading.Barrier(clients)
    tries: list[int] = []

    def client(number: int) -> None:
        barrier.wait(30)
        for attempt in range(1, max_tries + 1):
            _status, order, headers = server.rest("salesman", "GET", order_url)
            reference = f"{order['client_order_ref']} +{number}"
            started = time.monotonic()
            status, _body, _h = server.rest(
                "salesman",
                "PATCH",
                order_url,
                {"client_order_ref": reference},
                If_Match=headers["etag"],
            )
            tally.add(status, time.monotonic() - started)
            if status == 200:
                tries.append(attempt)
                return
            assert status in (409, 412), status

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads)
    assert len(tries) == clients, tally.statuses
    reference = server.rest("salesman", "GET", order_url)[1]["client_order_ref"]
    marks = reference.split()
    assert marks[0] == "start" and sorted(marks[1:]) == [f"+{n}" for n in range(clients)]
    figures(**tally.summary(), most_tries=max(tries))
