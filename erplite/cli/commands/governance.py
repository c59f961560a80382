"""``erplite governance backfill -d DB [--dry-run]``: build customer assignments from stamps.

Worked example::

    $ erplite governance backfill -d shop --dry-run
    would create 2, skip 1, refuse 1 (dry run: nothing written)
      create  #12 Azure Interior          NORTH  alice   backfill from stamps
      ...
      refuse  #15 Deco Addict             NORTH  bob     bob is not a valid manager or agent ...

The work is the ``customer_governance`` module's (``sa.customer.assignment``'s
``_backfill_from_stamps``); this command opens the database, runs it as the superuser in one
transaction, prints the summary, and commits unless ``--dry-run`` (then it rolls back).
"""

from __future__ import annotations

import argparse
from typing import Any

from erplite.cli.commands.common import CliError, database_server, environment
from erplite.cli.commands.init import prepare_database
from erplite.cli.config import Config

__all__ = ["run_backfill", "format_summary"]

VERBS = (("created", "create"), ("skipped", "skip"), ("refused", "refuse"))


def run_backfill(config: Config, args: argparse.Namespace) -> int:
    dry_run = bool(args.dry_run)
    with database_server(config) as server:
        prepared = prepare_database(server, config, create=False, initialise=False)
        with environment(prepared.registry, commit=not dry_run) as env:
            if "sa.customer.assignment" not in env.registry:
                raise CliError(
                    f"module customer_governance is not installed in database "
                    f"{prepared.dbname!r}: nothing to backfill"
                )
            summary = env["sa.customer.assignment"]._backfill_from_stamps(dry_run=dry_run)
    print(format_summary(summary, dry_run=dry_run), flush=True)
    return 0


def format_summary(summary: dict[str, list[dict[str, Any]]], *, dry_run: bool) -> str:
    """The summary as printed: one count line, then one line per customer."""
    counts = ", ".join(f"{verb} {len(summary[key])}" for key, verb in VERBS)
    head = f"would {counts} (dry run: nothing written)" if dry_run else f"done: {counts}"
    lines = [head]
    for key, verb in VERBS:
        for entry in summary[key]:
            lines.append(
                f"  {verb:<7} #{entry['partner_id']} {entry['name']:<24} {entry['account']:<8} "
                f"{entry['actor'] or '-':<10} {entry['reason']}"
            )
    return "\n".join(lines)
