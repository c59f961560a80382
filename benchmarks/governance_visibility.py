"""``search_read`` of 80 customers among 100,000 governed ones, as an agent under the
``assigned_plus_unassigned`` policy and as the superuser, with the plan of the agent's search
(issue 15).

    .venv/bin/python benchmarks/governance_visibility.py              # 100,000 customers
    .venv/bin/python benchmarks/governance_visibility.py -n 20000     # fewer

It starts its own PostgreSQL (``pgserver``, in a temporary folder, removed afterwards), installs
``customer_governance`` and builds, through the ORM, a seed service account with 10 branches
(``assigned_plus_unassigned``), 20 agents per branch and a manager per branch; then, in SQL for
speed (the ORM would spend minutes on checks the data does not need), the customers spread
evenly over the branches, 90% of them assigned to one of their branch's agents (an active
``sa.customer.assignment`` and the stamps ``x_sa_id``/``x_actor_id``), 10% unassigned; then
``ANALYZE``.

Measured, each in its own transaction after a warm-up, the median of ``--runs`` runs (the
two users taking turns):
``env["res.partner"].search_read([("x_sa_id", "!=", False)], FIELDS, limit=80)`` as one agent (its record rules
compiled into the query) and as the superuser (no rule), seconds and statements; then
``EXPLAIN (ANALYZE, BUFFERS)`` of the agent's search query. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from erplite import SUPERUSER_ID, Command, Registry, api
from erplite.sql import SQL, admin_connection, close_all_pools, count_queries, dsn_with_dbname

BRANCHES = 10
AGENTS = 20
UNASSIGNED_EVERY = 10  # one customer in ten has no actor (independent of branch and agent)
FIELDS = ["name", "email", "phone", "x_sa_id", "x_actor_id"]
#: the governed customers (the users' own partners, plain, would come first by name)
DOMAIN = [("x_sa_id", "!=", False)]


def prepare(dsn: str, customers: int) -> int:
    """The service accounts, members and governed customers; returns the measured agent's id."""
    registry = Registry.new(dsn, install=("customer_governance",))
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        salesman = env.ref("sales_team.group_sale_salesman")
        seed = env["sa.account"].create(
            {"name": "Seed", "code": "SEED", "visibility_policy": "assigned_plus_unassigned"}
        )
        branches = env["sa.account"].create(
            [
                {
                    "name": f"Branch {b}",
                    "code": f"B{b}",
                    "parent_id": seed.id,
                    "visibility_policy": "assigned_plus_unassigned",
                }
                for b in range(BRANCHES)
            ]
        )
        users = env["res.users"].create(
            [
                {
                    "name": f"Agent {b}-{a}",
                    "login": f"agent{b}-{a}",
                    "groups_id": [Command.set(salesman.ids)],
                }
                for b in range(BRANCHES)
                for a in range(AGENTS + 1)  # the last one of each branch is its manager
            ]
        )
        memberships = []
        for b, branch in enumerate(branches):
            for a in range(AGENTS + 1):
                user = users[b * (AGENTS + 1) + a]
                role = "manager" if a == AGENTS else "agent"
                memberships.append({"account_id": branch.id, "user_id": user.id, "role": role})
        env["sa.membership"].create(memberships)
        env.flush_all()
        agent_id = users[0].id
        # the customers and their assignments, in SQL (see the module docstring)
        cr.execute(
            SQL(
                """
            WITH agents AS (
                SELECT m.account_id, m.user_id,
                       row_number() OVER (PARTITION BY m.account_id ORDER BY m.user_id) - 1 AS rank
                FROM sa_membership m WHERE m.role = 'agent'
            ), branches AS (
                SELECT id, row_number() OVER (ORDER BY id) - 1 AS rank
                FROM sa_account WHERE parent_id IS NOT NULL
            ), spread AS (
                SELECT n, b.id AS account_id,
                       CASE WHEN (n / %s) %% %s = 9 THEN NULL ELSE ag.user_id END AS user_id
                FROM generate_series(1, %s) AS n
                JOIN branches b ON b.rank = n %% %s
                JOIN agents ag ON ag.account_id = b.id AND ag.rank = (n / %s) %% %s
            )
            INSERT INTO res_partner (name, complete_name, email, phone, is_company, active,
                                     company_id, x_sa_id, x_actor_id,
                                     create_uid, write_uid, create_date, write_date)
            SELECT 'Customer ' || lpad(n::text, 6, '0'), 'Customer ' || lpad(n::text, 6, '0'),
                   'c' || n || '@example.com', '+32 2 ' || n, TRUE, TRUE,
                   NULL, account_id, user_id, 1, 1, now(), now()
            FROM spread
            """,
                BRANCHES * AGENTS,
                UNASSIGNED_EVERY,
                customers,
                BRANCHES,
                BRANCHES,
                AGENTS,
            )
        )
        cr.execute(
            SQL(
                """
            INSERT INTO sa_customer_assignment (account_id, partner_id, user_id, date_start,
                                                state, opened_by_id, open_reason, company_id,
                                                create_uid, write_uid, create_date, write_date)
            SELECT p.x_sa_id, p.id, p.x_actor_id, now(), 'active', 1, 'benchmark',
                   a.company_id, 1, 1, now(), now()
            FROM res_partner p JOIN sa_account a ON a.id = p.x_sa_id
            WHERE p.x_actor_id IS NOT NULL
            """
            )
        )
    with registry.cursor() as cr:
        cr.execute(SQL("ANALYZE"))
    return agent_id


def measure(registry: Registry, uids: list[int], runs: int) -> list[tuple[float, int, int]]:
    """For each of ``uids``: median seconds, statements and rows of the ``search_read``. The
    users take turns run after run, so that a change of the machine's load hits them alike."""
    seconds: dict[int, list[float]] = {uid: [] for uid in uids}
    counts: dict[int, tuple[int, int]] = {}
    for run in range(runs + 1):
        for uid in uids:
            with registry.cursor() as cr:
                env = api.Environment(cr, uid, {})
                with count_queries() as sent:
                    start = time.perf_counter()
                    result = env["res.partner"].search_read(DOMAIN, FIELDS, limit=80)
                    elapsed = time.perf_counter() - start
            if run:  # the first run warms the caches (rules, groups, plans)
                seconds[uid].append(elapsed)
            counts[uid] = (len(sent), len(result))
    return [(statistics.median(seconds[uid]), *counts[uid]) for uid in uids]


def explain(registry: Registry, uid: int) -> str:
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        query = env["res.partner"]._search(DOMAIN, limit=80)
        cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS) %s", query.select()))
        return "\n".join(row[0] for row in cr.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    import pgserver

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = pgserver.get_server(
            Path(tempfile.mkdtemp(prefix="erplite-governance-bench-")), cleanup_mode="delete"
        )
    try:
        base = server.get_uri("postgres")
        with admin_connection(base) as conn:
            conn.execute("CREATE DATABASE governance_bench TEMPLATE template0 ENCODING 'UTF8'")
        dsn = dsn_with_dbname(base, "governance_bench")
        start = time.perf_counter()
        agent_id = prepare(dsn, args.customers)
        print(f"{args.customers} governed customers prepared in {time.perf_counter() - start:.1f}s")
        registry = Registry(dsn)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            governed = env["res.partner"].search_count([("x_sa_id", "!=", False)])
            visible = env["res.partner"].with_user(agent_id).search_count(DOMAIN)
        print(f"governed customers: {governed}; visible to the agent: {visible}")
        agent, root = measure(registry, [agent_id, SUPERUSER_ID], args.runs)
        print()
        print("| search_read of 80 customers | median ms | statements | rows |")
        print("|---|---|---|---|")
        print(
            f"| agent, assigned_plus_unassigned | {agent[0] * 1000:.2f} | {agent[1]} | {agent[2]} |"
        )
        print(f"| superuser (no rule) | {root[0] * 1000:.2f} | {root[1]} | {root[2]} |")
        print(f"\nratio agent / superuser: {agent[0] / root[0]:.2f}")
        print("\nEXPLAIN (ANALYZE, BUFFERS) of the agent's search:\n")
        print(explain(registry, agent_id))
    finally:
        close_all_pools()
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
