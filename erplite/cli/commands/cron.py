"""``erplite cron``: run the scheduled jobs of one or more databases until Ctrl-C or SIGTERM.

Worked example::

    erplite cron -d shop                         # the jobs of one database
    erplite cron -d shop,shop2 --max-cron-threads 4
    erplite cron --dsn "host=db" --db-filter '^shop'   # every initialised database matching

The steps: open the database server (the configured one, or the embedded one of ``serve``),
choose the databases (:func:`cron_databases`), then run an
:class:`erplite.scheduler.CronRunner` with ``--max-cron-threads`` workers in the foreground.
Run as many of these as you like, on as many hosts: PostgreSQL hands each job to one of them.
"""

from __future__ import annotations

import argparse
import logging

from erplite.cli.commands.common import CliError, database_server, split_modules
from erplite.cli.commands.server import stop_on_sigterm
from erplite.cli.config import Config
from erplite.http.databases import Databases
from erplite.scheduler import CronRunner
from erplite.sql import dsn_with_dbname

__all__ = ["run", "cron_databases"]

_logger = logging.getLogger("erplite.cli")


def cron_databases(base_dsn: str, dbnames: tuple[str, ...], config: Config) -> Databases:
    """The databases a runner serves: ``dbnames`` if given (one: the one-database form), else
    every database of the server that ``config.dbfilter`` allows."""
    addons = tuple(config.addons_path)
    if len(dbnames) == 1:
        return Databases(dsn_with_dbname(base_dsn, dbnames[0]), addons)
    if dbnames:
        return Databases(base_dsn, addons, multi=True, db_names=dbnames)
    return Databases(base_dsn, addons, multi=True, dbfilter=config.dbfilter)


def run(config: Config, args: argparse.Namespace) -> int:
    threads = config.max_cron_threads
    if threads < 1:
        raise CliError("--max-cron-threads must be at least 1 for 'erplite cron'")
    with stop_on_sigterm(), database_server(config) as server:
        dbnames = split_modules(server.default_dbname)
        databases = cron_databases(server.base_dsn, dbnames, config)
        which = ", ".join(dbnames) if dbnames else "every database the filter allows"
        print(f"erplite: running scheduled jobs of {which} (press Ctrl-C to stop)", flush=True)
        runner = CronRunner(databases, threads=threads)
        try:
            runner.run_forever()
        except KeyboardInterrupt:
            _logger.info("stopping the scheduler")
        finally:
            runner.stop()
    return 0
