"""``erplite apikey create|list|revoke``: a user's API keys, from the command line.

Worked example::

    $ erplite apikey create --login admin --name "nightly export" -d shop
    3f9c0e...                       (stdout: the key, shown this once; stderr says so)
    $ erplite apikey list --login admin -d shop
    id  login  name            scope  created              expires
    4   admin  nightly export  rpc    2026-12-06 21:40:12
    $ erplite apikey revoke --login admin "nightly export" -d shop     # or its id: 4

The key is what ``Authorization: bearer <key>`` carries (REST, JSON-2) and what XML-RPC and
JSON-RPC clients accept in place of the password. ``create`` writes only the key to stdout,
so that ``KEY=$(erplite apikey create ...)`` keeps it; nothing else ever shows a key, and the
database keeps only a slow hash of it (``res.users.apikeys``). ``list`` shows the keys' ids,
names, scopes and dates. ``revoke`` deletes one key, named by its id or by its name (a name
that two keys of the user share is refused: give the id).

With no database configured, the commands use the embedded server's database, as
``erplite serve`` does.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from typing import Any

from erplite.cli.commands.common import CliError, database_server, environment
from erplite.cli.commands.init import prepare_database
from erplite.cli.commands.module import format_table
from erplite.cli.config import Config

__all__ = ["run_create", "run_list", "run_revoke", "find_user", "parse_expiry"]

DEFAULT_SCOPE = "rpc"
COLUMNS = ("id", "login", "name", "scope", "created", "expires")


def run_create(config: Config, args: argparse.Namespace) -> int:
    expiry = parse_expiry(args.expires) if args.expires else None
    with database_server(config) as server:
        prepared = prepare_database(server, config, create=False, initialise=False)
        with environment(prepared.registry) as env:
            user = find_user(env, args.login, prepared.dbname)
            if not user.active:
                raise CliError(f"user {args.login!r} is archived: its keys would not work")
            keys = env["res.users.apikeys"].with_user(user)
            key = keys._generate(args.scope or DEFAULT_SCOPE, args.name, expiry)
    print(key, flush=True)
    print(
        f"erplite: API key {args.name!r} created for {args.login!r} in database "
        f"{prepared.dbname!r}; it is shown once: store it now",
        file=sys.stderr,
        flush=True,
    )
    return 0


def run_list(config: Config, args: argparse.Namespace) -> int:
    with database_server(config) as server:
        prepared = prepare_database(server, config, create=False, initialise=False)
        with environment(prepared.registry, commit=False) as env:
            domain: list[Any] = []
            if args.login:
                domain = [("user_id", "=", find_user(env, args.login, prepared.dbname).id)]
            keys = env["res.users.apikeys"].search(domain, order="id")
            rows = [
                (
                    key.id,
                    key.user_id.login,
                    key.name,
                    key.scope or "(any)",
                    _when(key.create_date),
                    _when(key.expiration_date),
                )
                for key in keys
            ]
    print(format_table(COLUMNS, rows), flush=True)
    return 0


def run_revoke(config: Config, args: argparse.Namespace) -> int:
    with database_server(config) as server:
        prepared = prepare_database(server, config, create=False, initialise=False)
        with environment(prepared.registry) as env:
            user = find_user(env, args.login, prepared.dbname)
            key = _find_key(env, user, args.key)
            label = f"{key.name!r} (id {key.id})"
            key._remove()
    print(f"erplite: API key {label} of {args.login!r} revoked", flush=True)
    return 0


def find_user(env: Any, login: str, dbname: str) -> Any:
    """The user (archived ones included) whose login is ``login``, or CliError."""
    user = env["res.users"].with_context(active_test=False).search([("login", "=", login)])
    if not user:
        raise CliError(f"no user with login {login!r} in database {dbname!r}")
    return user


def parse_expiry(text: str) -> datetime.datetime:
    """``YYYY-MM-DD`` (the end of that day) or ``YYYY-MM-DD HH:MM[:SS]``, in UTC."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = datetime.date.fromisoformat(value)
            return datetime.datetime.combine(day, datetime.time(23, 59, 59))
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise CliError(
            f"option --expires: invalid date {text!r}: expected YYYY-MM-DD or "
            "'YYYY-MM-DD HH:MM' (UTC)"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


def _find_key(env: Any, user: Any, wanted: str) -> Any:
    keys = env["res.users.apikeys"]
    owned = [("user_id", "=", user.id)]
    if wanted.strip().isdigit():
        found = keys.search([*owned, ("id", "=", int(wanted))])
        if found:
            return found
    found = keys.search([*owned, ("name", "=", wanted)], order="id")
    if not found:
        raise CliError(f"user {user.login!r} has no API key {wanted!r} (see 'erplite apikey list')")
    if len(found) > 1:
        ids = ", ".join(str(key.id) for key in found)
        raise CliError(
            f"{len(found)} API keys of {user.login!r} are named {wanted!r} (ids {ids}): "
            "revoke one by its id"
        )
    return found


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""
