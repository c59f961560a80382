"""The login throttle under parallel guessing, through a real server: every wrong password that
is checked is counted (no increment lost to concurrency), the guesses past the threshold are
refused without checking the password, and the right password is refused while blocked."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from erplite import Command
from tests.reliability.conftest import Tally, percentile

pytestmark = pytest.mark.reliability

GUESSERS = 8
GUESSES_EACH = 3
THRESHOLD = 5  # LoginThrottle's default
BLOCKED = "Too many login failures"


@pytest.fixture
def target(shop) -> Iterator[str]:
    """A user to guess the password of; every failure counter is cleared afterwards (the
    guesses also block the address they come from, 127.0.0.1, for the suite's other tests)."""
    with shop.env() as env:
        env["res.users"].create(
            {
                "name": "Guess Target",
                "login": "guess-target",
                "password": "the-right-one",
                "groups_id": [Command.set([env.ref("base.group_user").id])],
            }
        )
    try:
        yield "guess-target"
    finally:
        with shop.env() as env:
            env.cr.execute("DELETE FROM auth_login_failure")
            env["res.users"].search([("login", "=", "guess-target")]).unlink()


def authenticate(server, login: str, password: str) -> str:
    """``/web/session/authenticate``: ``"ok"``, ``"blocked"`` or ``"wrong"``."""
    params = {"db": server.shop.name, "login": login, "password": password}
    envelope = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
    status, body, _headers = server.request("POST", "/web/session/authenticate", envelope)
    assert status == 200 and isinstance(body, dict), (status, body)
    if "result" in body:
        return "ok"
    error = body["error"]["data"]
    assert error["name"].endswith("AccessDenied"), error  # never a server error
    return "blocked" if BLOCKED in error["message"] else "wrong"


def failures_of(shop, key: str) -> int:
    with shop.env() as env:
        env.cr.execute("SELECT failures FROM auth_login_failure WHERE key = %s", [key])
        row = env.cr.fetchone()
        return row[0] if row else 0


def test_parallel_guesses_are_counted_and_blocked(server, shop, target, figures):
    tally = Tally()
    outcomes: list[str] = []
    latencies: dict[str, list[float]] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(GUESSERS)

    def guesser(number: int) -> None:
        barrier.wait(30)
        for index in range(GUESSES_EACH):
            started = time.monotonic()
            outcome = authenticate(server, target, f"guess-{number}-{index}")
            latency = time.monotonic() - started
            tally.add(outcome, latency)
            with lock:
                outcomes.append(outcome)
                latencies.setdefault(outcome, []).append(latency)

    threads = [threading.Thread(target=guesser, args=(n,)) for n in range(GUESSERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads)

    checked = outcomes.count("wrong")
    assert len(outcomes) == GUESSERS * GUESSES_EACH and outcomes.count("ok") == 0
    # each password checked was counted once, for the login and for the address
    assert failures_of(shop, f"login:{target}") == checked
    assert failures_of(shop, "ip:127.0.0.1") == checked
    # past the threshold the guesses are refused unchecked; only the guesses that passed the
    # check while the first failures were being recorded (one per guesser at most) got beyond
    assert THRESHOLD <= checked <= THRESHOLD + GUESSERS - 1, outcomes
    assert outcomes.count("blocked") == len(outcomes) - checked > 0
    # the right password does not get through a blocked login, nor does it count
    assert authenticate(server, target, "the-right-one") == "blocked"
    assert failures_of(shop, f"login:{target}") == checked
    figures(
        **tally.summary(),
        checked=checked,
        blocked=outcomes.count("blocked"),
        blocked_p95_ms=round(percentile(latencies["blocked"], 0.95) * 1000, 1),
        checked_p95_ms=round(percentile(latencies["wrong"], 0.95) * 1000, 1),
    )
