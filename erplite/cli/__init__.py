"""The ``erplite`` command line.

Worked example::

    from erplite.cli.main import main

    main(["-d", "shop", "-i", "base", "--stop-after-init"])   # returns the exit code
    main(["db", "list"])

Modules: :mod:`~erplite.cli.config` (INI file < ``ERPLITE_*`` variables < flags; ``PG*``
variables), :mod:`~erplite.cli.embedded` (the private PostgreSQL run when no database is
configured), :mod:`~erplite.cli.main` (argument parsing, logging, one-line errors) and
:mod:`erplite.cli.commands` (one module per command group).
"""

from __future__ import annotations

from erplite.cli.config import Config, ConfigError, load_config

__all__ = ["CliError", "Config", "ConfigError", "load_config", "EmbeddedPostgres"]


def __getattr__(name: str):
    # Resolved on use, so that importing the package loads neither the commands nor pgserver
    # (and ``python -m erplite.cli.main`` does not find its module imported already).
    if name == "CliError":
        from erplite.cli.commands.common import CliError

        return CliError
    if name == "EmbeddedPostgres":
        from erplite.cli.embedded import EmbeddedPostgres

        return EmbeddedPostgres
    raise AttributeError(f"module 'erplite.cli' has no attribute {name!r}")
