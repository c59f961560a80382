"""``erplite shell -d DB``: a Python prompt with ``env``, ``registry`` and ``erplite`` set.

Worked example::

    $ erplite shell -d shop
    >>> env["res.partner"].search_count([])
    42
    >>> env.cr.commit()          # nothing is saved unless you say so

    $ echo 'print(env.user.login)' | erplite shell -d shop     # a script on stdin runs as is

``env`` is a superuser environment on one cursor. Whatever the session did and did not commit
is rolled back when it ends. With no database server configured, the shell opens a database of
the embedded server (``erplite``, or ``-d NAME``), creating the database as ``erplite serve``
would on a first start; the embedded server itself must exist (``erplite serve`` makes it).
"""

from __future__ import annotations

import argparse
import code
import sys
from typing import Any

from erplite.cli.commands.common import database_server, environment, print_admin_credentials
from erplite.cli.commands.init import modules_to_install_first, prepare_database
from erplite.cli.config import Config

__all__ = ["run", "interact"]

BANNER = (
    "erplite shell on database {dbname!r}\n"
    "  env       superuser environment (env.cr is the cursor, env.cr.commit() saves)\n"
    "  registry  the database's registry\n"
    "Nothing is committed unless you call env.cr.commit(); the rest is rolled back at exit."
)


def run(config: Config, args: argparse.Namespace) -> int:
    with database_server(config) as server:
        embedded = server.embedded is not None
        prepared = prepare_database(
            server,
            config,
            create=embedded,
            initialise=embedded,
            first_install=modules_to_install_first(server),
        )
        if prepared.admin_password:
            print_admin_credentials(None, prepared.admin_password)
        registry = prepared.registry
        with environment(registry, commit=False) as env:
            import erplite

            local: dict[str, Any] = {
                "env": env,
                "registry": registry,
                "erplite": erplite,
                "cr": env.cr,
            }
            interact(local, BANNER.format(dbname=prepared.dbname))
    return 0


def interact(local: dict[str, Any], banner: str) -> None:
    """A REPL on a terminal; a script read from stdin otherwise (as ``odoo-bin shell`` does)."""
    if not sys.stdin.isatty():
        source = sys.stdin.read()
        exec(compile(source, "<stdin>", "exec"), local)
        return
    try:
        import readline
        import rlcompleter

        readline.set_completer(rlcompleter.Completer(local).complete)
        readline.parse_and_bind("tab: complete")
    except ImportError:  # pragma: no cover - no readline on this platform
        pass
    code.interact(banner=banner, local=local, exitmsg="")
