"""ERPLITE peer of the shared ORM benchmark: scenarios S1–S6 in-process (SPEC.md section 4).

Each scenario is written as an erplite application developer would write it: the public ORM API
of the ``bench`` module's models (``benchmarks/addons/bench``), one ``registry.cursor()`` block
per scenario (one transaction, committed when the block ends, inside the timed section), in a
superuser environment as a script, a cron job or ``erplite shell`` would use.

Three ways in:

* ``python bench_erplite.py --peer erplite --dsn DSN --db DB --scenarios S1,.. --out FILE``: the
  shared harness's peer protocol (``BENCH_COMMON`` names its ``common/`` folder, whose
  ``harness.Harness`` times the scenarios and counts statements at the server);
* ``python bench_erplite.py template --dsn DSN --db DB``: install the ``bench`` module into the
  empty database DB and set the ``admin`` password to ``admin`` (``peer.sh template``);
* ``python bench_erplite.py s8-path --dsn DSN --db DB``: print the URL path of the backoffice
  list page of ``bench.order`` that S8 loads (``peer.sh s8-path``);
* ``import bench_erplite``: ``benchmarks/run.py`` runs the same scenario functions standalone.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ADDONS = HERE / "addons"
#: the shared folder of the benchmark (data.py, harness.py), beside the project by default
DEFAULT_COMMON = HERE.parent.parent / "shared" / "bench" / "peers" / "common"


def common_dir() -> Path:
    """The shared ``common/`` folder: ``$BENCH_COMMON``, else ``../shared/bench/peers/common``."""
    folder = Path(os.environ.get("BENCH_COMMON") or DEFAULT_COMMON)
    if not (folder / "data.py").is_file():
        raise SystemExit(f"bench_erplite: no data.py in {folder} (set BENCH_COMMON)")
    return folder


sys.path.insert(0, str(common_dir()))
import data  # noqa: E402  (the shared, deterministic benchmark data)
from harness import s3_check, s5_check  # noqa: E402  (the shared result digests)

from erplite import SUPERUSER_ID, Command, Registry, api  # noqa: E402
from erplite.sql import dsn_with_dbname  # noqa: E402

S3_FIELDS = ["name", "partner_id", "amount_total", "state", "date"]


# ---------------------------------------------------------------------------------------------
# the scenarios
# ---------------------------------------------------------------------------------------------


def setup_products(registry: Any) -> list[int]:
    """Untimed: the 100 products every scenario uses."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        return env["bench.product"].create(data.products()).ids


def s1_bulk_create(registry: Any, partners: list[dict]) -> tuple[list[int], int]:
    """S1: the 10,000 partners in one multi-record create."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        ids = env["bench.partner"].create(partners).ids
    return ids, len(ids)


def create_orders(
    env: Any, orders: list[dict], partner_ids: list[int], product_ids: list[int]
) -> None:
    """The orders of the shared data, one create per order with its lines nested, as ``env``
    (S2's work; also the A/B scripts' of ``profile/``)."""
    Order = env["bench.order"]
    for order in orders:
        Order.create(
            {
                "name": order["name"],
                "partner_id": partner_ids[order["partner"]],
                "date": order["date"],
                "state": order["state"],
                "line_ids": [
                    Command.create(
                        {
                            "product_id": product_ids[line["product"]],
                            "quantity": line["quantity"],
                            "price_unit": line["price_unit"],
                        }
                    )
                    for line in order["lines"]
                ],
            }
        )


def s2_orders(
    registry: Any, orders: list[dict], partner_ids: list[int], product_ids: list[int]
) -> tuple[None, None]:
    """S2: one create per order, its 5 lines nested; the totals are stored computes."""
    with registry.cursor() as cr:
        create_orders(api.Environment(cr, SUPERUSER_ID, {}), orders, partner_ids, product_ids)
    return None, None


def s3_search_read(registry: Any, fragments: list[str]) -> tuple[list[dict], list]:
    """S3: 200 searches through the partner's name, read into Python values."""
    amounts = []
    rows: list[dict] = []
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Order = env["bench.order"]
        for fragment in fragments:
            rows = Order.search_read(
                [
                    ("partner_id.name", "ilike", fragment),
                    ("state", "=", "draft"),
                    ("amount_total", ">", 100),
                ],
                S3_FIELDS,
                order="amount_total desc",
                limit=80,
            )
            amounts.append([row["amount_total"] for row in rows])
    return rows, s3_check(amounts)


def s4_recompute(registry: Any) -> tuple[None, None]:
    """S4: quantity = 3 on every line; subtotals and totals recompute by themselves."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["bench.order.line"].search([]).write({"quantity": data.S4_QUANTITY})
    return None, None


def s5_read_group(registry: Any) -> tuple[None, list]:
    """S5: total by the partner's country and by month."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        groups = env["bench.order"]._read_group(
            [], ["partner_id.country_code", "date:month"], ["amount_total:sum"]
        )
    return None, s5_check(groups)


def s6_browse_read(registry: Any) -> tuple[None, list]:
    """S6: every line's ``order_id.partner_id.name``, prefetched hop by hop."""
    count = total = 0
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        for line in env["bench.order.line"].search([], order="id"):
            count += 1
            total += len(line.order_id.partner_id.name)
    return None, [count, total]


def run_scenarios(runner: Any, registry: Any) -> None:
    """Run S1–S6 in order through ``runner.run(name, function, *args)`` (the harness's
    protocol: the runner decides which scenarios to time, S1 and S2 always run)."""
    product_ids = setup_products(registry)
    partners, orders, fragments = data.partners(), data.orders(), data.fragments()
    partner_ids = runner.run("S1", s1_bulk_create, registry, partners)
    runner.run("S2", s2_orders, registry, orders, partner_ids, product_ids)
    last = runner.run("S3", s3_search_read, registry, fragments)
    if last:
        print(f"{runner.peer} S3 sample row:", last[0], flush=True)
    runner.run("S4", s4_recompute, registry)
    runner.run("S5", s5_read_group, registry)
    runner.run("S6", s6_browse_read, registry)


# ---------------------------------------------------------------------------------------------
# entry points
# ---------------------------------------------------------------------------------------------


def install_template(dsn: str, db: str) -> None:
    """Install the ``bench`` module into the empty database ``db``; admin's password 'admin'."""
    registry = Registry.new(dsn_with_dbname(dsn, db), install=("bench",), addons_paths=(ADDONS,))
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env.ref("base.user_admin").password = "admin"


def s8_path(dsn: str, db: str) -> str:
    """The path S8 GETs: the list of the action Bench > Orders in its app's menu bar, as the
    menu links to it (``bench_views.xml``: the first 80 orders by date DESC, id DESC, with name,
    partner, date, state, amount_total, and the pager's count)."""
    registry = Registry(dsn_with_dbname(dsn, db), addons_paths=(ADDONS,))
    # the web module's package, loaded by the registry (under erplite.addons: its only name)
    action_url = importlib.import_module("erplite.addons.web.ui.urls").action_url
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        action = env.ref("bench.bench_order_action")
        menu = env.ref("bench.bench_menu_root")
        return action_url(action.id, "list", [("menu", menu.id)])


def main(argv: list[str]) -> None:
    if argv[:1] in (["template"], ["s8-path"]):
        import argparse

        parser = argparse.ArgumentParser(prog=f"bench_erplite.py {argv[0]}")
        parser.add_argument("--dsn", required=True, help="libpq DSN without dbname")
        parser.add_argument("--db", required=True)
        args = parser.parse_args(argv[1:])
        if argv[0] == "template":
            install_template(args.dsn, args.db)
        else:
            print(s8_path(args.dsn, args.db))
        return
    from harness import Harness

    harness = Harness("erplite", dict(order="bench_order", line="bench_order_line"))
    registry = Registry(dsn_with_dbname(harness.args.dsn, harness.args.db), addons_paths=(ADDONS,))
    run_scenarios(harness, registry)
    harness.save()


if __name__ == "__main__":
    main(sys.argv[1:])
