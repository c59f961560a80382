"""Eight workers reassign the same customers at once, each in its own thread, connection and
transaction (PostgreSQL at REPEATABLE READ, as erplite runs it): every worker ends up done
(serialization failures and deadlocks are retried as the HTTP layer retries a request), each
customer has exactly one active assignment, and its history is one unbroken chain holding each
worker's assignment once, in the same commit order for every customer: no update is lost and
nothing is rewritten."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from erplite import SUPERUSER_ID, Command, Registry, api
from erplite.http.retrying import retrying
from erplite.sql import close_pool

WORKERS = 8
CUSTOMERS = 2


def _short_sleep(seconds: float) -> None:
    time.sleep(min(seconds, 0.5))


def test_eight_workers_reassign_the_same_customers(clone_database, erplite_addons_paths):
    dsn = clone_database()
    registry = Registry(dsn, erplite_addons_paths)
    salesman = "sales_team.group_sale_salesman"
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})

        def user(login: str) -> int:
            group = env.ref(salesman)
            return (
                env["res.users"]
                .create({"name": login, "login": login, "groups_id": [Command.set(group.ids)]})
                .id
            )

        boss_id = user("boss")
        actor_ids = [user(f"actor{index}") for index in range(WORKERS)]
        first_id = user("first")
        account = env["sa.account"].create(
            {"name": "North", "code": "N", "visibility_policy": "assigned_only"}
        )
        Membership = env["sa.membership"]
        Membership.create({"account_id": account.id, "user_id": boss_id, "role": "manager"})
        for actor_id in [first_id, *actor_ids]:
            Membership.create({"account_id": account.id, "user_id": actor_id, "role": "agent"})
        customer_ids = []
        for index in range(CUSTOMERS):
            customer = env["res.partner"].create(
                {"name": f"Contested {index}", "x_sa_id": account.id}
            )
            env["sa.customer.assignment"].assign(account.id, customer.id, first_id, "initial")
            customer_ids.append(customer.id)
        account_id = account.id

    barrier = threading.Barrier(WORKERS)
    tries: list[int] = []

    def reassign_all(worker: int) -> str:
        order = list(customer_ids)
        random.Random(worker).shuffle(order)  # other lock orders: deadlocks happen too
        barrier.wait(30)

        def one_try() -> str:
            tries.append(worker)
            with registry.cursor() as cr:
                env = api.Environment(cr, boss_id, {})
                Assignment = env["sa.customer.assignment"]
                for customer_id in order:
                    Assignment.assign(account_id, customer_id, actor_ids[worker], f"w{worker}")
                env.flush_all()
            return "done"

        # the HTTP layer's retries, with pauses capped so that the test stays short
        return retrying(one_try, max_tries=60, backoff_base=0.05, sleep=_short_sleep)

    try:
        with ThreadPoolExecutor(WORKERS) as pool:
            outcomes = list(pool.map(reassign_all, range(WORKERS)))
        assert outcomes == ["done"] * WORKERS
        assert len(tries) >= WORKERS
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            login_of = {user.id: user.login for user in env["res.users"].browse(actor_ids)}
            chains = []
            for customer_id in customer_ids:
                history = env["sa.customer.assignment"].search(
                    [("partner_id", "=", customer_id)], order="id"
                )
                assert len(history) == 1 + WORKERS
                active = history.filtered(lambda a: a.state == "active")
                assert len(active) == 1 and active == history[-1]
                assert history[0].user_id.login == "first"
                # each worker's assignment exactly once: no lost update
                workers = [a.open_reason for a in history[1:]]
                assert sorted(workers) == sorted(f"w{w}" for w in range(WORKERS))
                # an unbroken chain: each expired one closed by the next one, never reopened
                for before, after in zip(history, history[1:], strict=False):
                    assert before.state == "expired"
                    assert before.date_end and before.date_end <= after.date_start
                    reason = f"reassigned to {login_of[after.user_id.id]}: {after.open_reason}"
                    assert before.close_reason == reason
                customer = env["res.partner"].browse(customer_id)
                assert (customer.x_sa_id.id, customer.x_actor_id) == (account_id, active.user_id)
                chains.append(workers)
            # the workers' transactions are serialized: the same order for every customer
            assert all(chain == chains[0] for chain in chains)
    finally:
        close_pool(dsn)
