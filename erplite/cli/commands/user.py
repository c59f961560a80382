"""``erplite user password --login LOGIN``: set a user's password (a lost admin password).

Worked example::

    $ erplite user password --login admin -d shop
    New password for 'admin':
    Repeat the password:
    erplite: password of 'admin' changed in database 'shop'

    $ printf '%s\\n' "$NEW_PASSWORD" | erplite user password --login admin --password-stdin

On a terminal the password is asked twice, without echo; with ``--password-stdin``, or when
stdin is not a terminal, the first line of stdin is the password. It is never an argument
(which the process list would show) and never logged. The new password ends the user's
sessions, as any password change does, and clears the failed attempts counted against the
login, so that a login blocked by the throttle works again at once.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from erplite.cli.commands.apikey import find_user
from erplite.cli.commands.common import CliError, database_server, environment
from erplite.cli.commands.init import prepare_database
from erplite.cli.config import Config

__all__ = ["run_password", "read_password"]


def run_password(config: Config, args: argparse.Namespace) -> int:
    with database_server(config) as server:
        prepared = prepare_database(server, config, create=False, initialise=False)
        with environment(prepared.registry) as env:
            user = find_user(env, args.login, prepared.dbname)
            password = read_password(args.login, from_stdin=bool(args.password_stdin))
            user.password = password
            # a lost password often comes with failed attempts: the login is not kept blocked
            user._clear_login_failures(user.login, None)
    print(
        f"erplite: password of {args.login!r} changed in database {prepared.dbname!r}", flush=True
    )
    return 0


def read_password(login: str, *, from_stdin: bool) -> str:
    """The new password: prompted twice on a terminal, else the first line of stdin."""
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
    else:
        password = getpass.getpass(f"New password for {login!r}: ")
        if password and getpass.getpass("Repeat the password: ") != password:
            raise CliError("the two passwords differ: nothing changed")
    if not password:
        raise CliError("the password is empty: nothing changed")
    return password
