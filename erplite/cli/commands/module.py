"""``erplite module list [-d DB]``: each module's name, state and installed version.

Worked example::

    $ erplite module list -d shop
    name     state        version
    base     installed    17.0.1.0
    crm      uninstalled
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from erplite.cli.commands.common import database_server, environment
from erplite.cli.commands.init import prepare_database
from erplite.cli.config import Config

__all__ = ["run_list", "format_table"]

COLUMNS = ("name", "state", "version")


def run_list(config: Config, args: argparse.Namespace) -> int:
    with database_server(config) as server:
        prepared = prepare_database(server, config, create=False, initialise=False)
        with environment(prepared.registry, commit=False) as env:
            rows = env["ir.module.module"].search_read(
                [], ["name", "state", "latest_version"], order="name"
            )
    table = [(row["name"], row["state"], row.get("latest_version") or "") for row in rows]
    print(format_table(COLUMNS, table), flush=True)
    return 0


def format_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Left-aligned columns separated by two spaces, trailing spaces trimmed."""
    cells = [[str(value) for value in header]] + [
        ["" if value in (None, False) else str(value) for value in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in cells
    ]
    return "\n".join(line.rstrip() for line in lines)
