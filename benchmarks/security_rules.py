"""Benchmark: ``search_read`` with three record rules active versus the same call under sudo.

Run it from the project's root (one command, the embedded PostgreSQL is started and removed)::

    .venv/bin/python benchmarks/security_rules.py            # --records 20000 --repeat 300

``ERPLITE_BENCH_DSN`` (or ``ERPLITE_TEST_DSN``) points it to an existing server instead: a
scratch database is created there and dropped afterwards.

What is measured: a database with the ``test_security`` fixture module (``tests/addons``),
``--records`` documents spread over two companies and a handful of owners, and three rules on
the document model, as a real deployment has them:

- a global multi-company rule (``company_id in company_ids``),
- a rule of the manager group (``user_id = user.id or user_id unset``),
- a rule of the editor group, implied by the manager group (``value >= 0``).

A manager then runs ``search_read`` (a list view: 80 rows, four fields, ordered) and the same
call through ``sudo()``, interleaved, with warm caches; each figure is the median over
``--repeat`` calls, and the ratio is user time / sudo time (the target is at most 1.3). A
second scenario reads every matching row. The statement counts of both are printed too: rules
are part of the SQL, so they must be equal.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from erplite import SUPERUSER_ID, Registry, api  # noqa: E402
from erplite.sql import count_queries  # noqa: E402
from erplite.testing import create_database, drop_database  # noqa: E402

MODEL = "test_security.document"
FIELDS = ["name", "value", "user_id", "company_id"]


@contextmanager
def server():
    """The DSN of a maintenance database: the configured server, or an embedded one."""
    configured = os.environ.get("ERPLITE_BENCH_DSN") or os.environ.get("ERPLITE_TEST_DSN")
    if configured:
        yield configured
        return
    import pgserver

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data_dir = Path(tempfile.mkdtemp(prefix="erplite-bench-"))
        pg = pgserver.get_server(data_dir, cleanup_mode="delete")
    try:
        yield pg.get_uri("postgres")
    finally:
        from erplite.sql import close_all_pools

        close_all_pools()
        pg.cleanup()


def populate(env, records: int) -> int:
    """Companies, owners, documents and the three rules; return the manager's id."""
    main = env.ref("base.main_company")
    other = env["res.company"].create({"name": "Other company"})
    manager_group = env.ref("test_security.group_manager")
    users = env["res.users"].create(
        [
            {
                "name": f"Owner {i}",
                "login": f"owner{i}",
                "groups_id": [(6, 0, [env.ref("base.group_user").id, manager_group.id])],
                "company_id": main.id,
                "company_ids": [(6, 0, [main.id, other.id])],
            }
            for i in range(5)
        ]
    )
    manager = users[0]
    batch = []
    for i in range(records):
        batch.append(
            {
                "name": f"Document {i:06d}",
                "value": i % 1000,
                "user_id": users[i % 5].id if i % 3 else False,
                "company_id": main.id if i % 4 else other.id,
            }
        )
        if len(batch) == 5000:
            env[MODEL].create(batch)
            batch = []
    if batch:
        env[MODEL].create(batch)
    model_id = env["ir.model"]._get_id(MODEL)
    env["ir.rule"].create(
        [
            {
                "name": "multi-company",
                "model_id": model_id,
                "domain_force": "[('company_id', 'in', company_ids)]",
            },
            {
                "name": "managers: own or unassigned",
                "model_id": model_id,
                "groups": [(4, manager_group.id)],
                "domain_force": "['|', ('user_id', '=', user.id), ('user_id', '=', False)]",
            },
            {
                "name": "editors: positive values",
                "model_id": model_id,
                "groups": [(4, env.ref("test_security.group_editor").id)],
                "domain_force": "[('value', '>=', 0)]",
            },
        ]
    )
    env.cr.execute("ANALYZE test_security_document")
    return manager.id


def measure(
    registry, uid: int, repeat: int, limit: int | None
) -> tuple[float, float, int, int, int]:
    """Median seconds of the user's and of sudo's search_read, their statement counts, and
    the number of rows the user gets."""
    domain = [("name", "like", "Document")]
    user_times, sudo_times = [], []
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        model = env[MODEL]
        rows = len(model.search_read(domain, FIELDS, limit=limit, order="value desc, id"))
        model.sudo().search_read(domain, FIELDS, limit=limit, order="value desc, id")
        with count_queries() as user_statements:
            env.invalidate_all()
            model.search_read(domain, FIELDS, limit=limit, order="value desc, id")
        with count_queries() as sudo_statements:
            env.invalidate_all()
            model.sudo().search_read(domain, FIELDS, limit=limit, order="value desc, id")
        for _ in range(repeat):
            for target, times in ((model, user_times), (model.sudo(), sudo_times)):
                env.invalidate_all()
                start = time.perf_counter()
                target.search_read(domain, FIELDS, limit=limit, order="value desc, id")
                times.append(time.perf_counter() - start)
        cr.rollback()
    return (
        statistics.median(user_times),
        statistics.median(sudo_times),
        len(user_statements),
        len(sudo_statements),
        rows,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    with server() as base_dsn:
        name = f"erplite_bench_rules_{uuid.uuid4().hex[:8]}"
        dsn = create_database(base_dsn, name)
        try:
            registry = Registry.new(
                dsn, install=("test_security",), addons_paths=(str(ROOT / "tests" / "addons"),)
            )
            with registry.cursor() as cr:
                manager_id = populate(api.Environment(cr, SUPERUSER_ID, {}), args.records)
            print(
                f"search_read on {args.records} documents, three record rules "
                f"(1 global, 2 of the user's groups), median of {args.repeat} calls each"
            )
            worst = 0.0
            for label, limit in (("80 rows (list view)", 80), ("every visible row", None)):
                user_t, sudo_t, user_n, sudo_n, rows = measure(
                    registry,
                    manager_id,
                    args.repeat if limit else max(10, args.repeat // 10),
                    limit,
                )
                ratio = user_t / sudo_t
                worst = max(worst, ratio)
                print(
                    f"  {label:22} user {user_t * 1000:8.3f} ms   sudo {sudo_t * 1000:8.3f} ms   "
                    f"ratio {ratio:5.2f}   statements {user_n} vs {sudo_n}   rows {rows}"
                )
            print(f"worst ratio: {worst:.2f} (target <= 1.30)")
        finally:
            drop_database(base_dsn, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
