"""The pytest plugin of erplite (registered as ``pytest11``): a real PostgreSQL for the tests.

A module author's test file::

    def test_confirm(env, assert_query_count):
        order = env["sale.order"].create({"partner_id": env.ref("base.partner_admin").id})
        with assert_query_count(2):
            order.action_confirm()
            env.flush_all()

What it provides:

- a PostgreSQL server for the session: the embedded one (``pgserver``, started in a
  temporary directory), or the server of ``ERPLITE_TEST_DSN`` when that variable is set;
  with ``--erplite-pgbouncer`` (or ``ERPLITE_TEST_PGBOUNCER=1``) every fixture reaches it
  through a PgBouncer in transaction mode that the session starts in front of it
  (``erplite.tools.pgbouncer``), with ``erplite.pooler`` set to ``transaction`` and the
  server itself as the direct DSN, as a production deployment behind PgBouncer is;
- a template database with the modules of the ``erplite_modules`` ini option installed once
  (``erplite_addons_path`` adds folders of modules, relative to the rootdir; ``erplite_demo =
  true`` loads their demo data);
- ``registry``: that database's registry; ``env``: a superuser environment in a transaction
  that is rolled back after the test; ``cr``: its cursor (which refuses to commit: a test
  whose code commits works on ``clone_database()``);
- ``erplite_templates(*modules)``: another template database, with other modules, made once
  per session for each set of modules;
- ``new_database``: a function creating an empty database (dropped after the test), for tests
  of installation; ``clone_database``: a copy of the template (``CREATE DATABASE ... TEMPLATE``);
- ``assert_query_count``: ``with assert_query_count(n): ...`` fails unless exactly ``n``
  statements were sent, listing them.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from erplite.sql import admin_connection, close_pool, count_queries, dsn_with_dbname


def pytest_addoption(parser: Any) -> None:
    parser.addoption(
        "--erplite-pgbouncer",
        action="store_true",
        default=False,
        help="reach the test PostgreSQL through a PgBouncer in transaction mode started by "
        "the session (also ERPLITE_TEST_PGBOUNCER=1)",
    )
    parser.addini(
        "erplite_modules",
        "modules installed in the test template database",
        type="args",
        default=["base"],
    )
    parser.addini(
        "erplite_demo",
        "install the template's modules with their demo data",
        type="bool",
        default=False,
    )
    parser.addini(
        "erplite_addons_path",
        "extra addons folders (relative to the rootdir)",
        type="args",
        default=[],
    )


def _quote(name: str) -> Any:
    from psycopg import sql

    return sql.Identifier(name)


def create_database(base_dsn: str, name: str, template: str | None = None) -> str:
    """Create database ``name`` (optionally from ``template``); return its DSN."""
    from psycopg import sql

    with admin_connection(base_dsn) as conn:
        if template:
            close_pool(dsn_with_dbname(base_dsn, template))
            _copy_database(conn, name, template)
        else:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                    _quote(name)
                )
            )
    return dsn_with_dbname(base_dsn, name)


def _copy_database(conn: Any, name: str, template: str) -> None:
    """``CREATE DATABASE name TEMPLATE template``. Behind a transaction-mode pooler, the
    pooler's idle server sessions on the template are ended first (as Odoo's database
    duplication ends the template's sessions), since PostgreSQL copies only a database
    nobody is connected to, and again if the pooler reconnected meanwhile."""
    import psycopg
    from psycopg import sql

    from erplite import pooler

    create = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(_quote(name), _quote(template))
    attempts = 3 if pooler.transaction_pooling() else 1
    for attempt in range(attempts):
        if attempts > 1:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [template],
            )
        try:
            conn.execute(create)
            return
        except psycopg.errors.ObjectInUse:
            if attempt == attempts - 1:
                raise


def drop_database(base_dsn: str, name: str) -> None:
    from psycopg import sql

    close_pool(dsn_with_dbname(base_dsn, name))
    with admin_connection(base_dsn) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(_quote(name)))


@pytest.fixture(scope="session")
def erplite_server(tmp_path_factory: Any, request: Any) -> Iterator[str]:
    """The DSN of a maintenance database on the test server (through PgBouncer with
    ``--erplite-pgbouncer``)."""
    with _postgres_server() as direct:
        if not _through_pgbouncer(request.config):
            yield direct
            return
        from erplite import pooler
        from erplite.sql import close_all_pools
        from erplite.tools.pgbouncer import PgBouncer

        with PgBouncer(direct) as bouncer:
            pooler.configure("transaction", direct_dsn=direct)
            try:
                yield bouncer.dsn
            finally:
                close_all_pools()
                pooler.configure(None)


def _through_pgbouncer(config: Any) -> bool:
    flag = os.environ.get("ERPLITE_TEST_PGBOUNCER", "").strip().lower()
    return bool(config.getoption("erplite_pgbouncer")) or flag in ("1", "true", "yes", "on")


@contextlib.contextmanager
def _postgres_server() -> Iterator[str]:
    """The maintenance DSN of ``ERPLITE_TEST_DSN``'s server, else of an embedded one."""
    configured = os.environ.get("ERPLITE_TEST_DSN")
    if configured:
        yield dsn_with_dbname(configured, "postgres")
        return
    import pgserver

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # a short path: unix socket paths are limited to about 100 bytes
        data_dir = Path(tempfile.mkdtemp(prefix="erplite-pg-"))
        server = pgserver.get_server(data_dir, cleanup_mode="delete")
    try:
        yield server.get_uri("postgres")
    finally:
        from erplite.sql import close_all_pools

        close_all_pools()
        server.cleanup()


def _addons_paths(config: Any) -> tuple[str, ...]:
    root = Path(str(config.rootpath))
    return tuple(str(root / path) for path in config.getini("erplite_addons_path"))


@pytest.fixture(scope="session")
def erplite_addons_paths(request: Any) -> tuple[str, ...]:
    return _addons_paths(request.config)


@pytest.fixture(scope="session")
def erplite_template(
    erplite_server: str, erplite_addons_paths: tuple, request: Any
) -> Iterator[tuple[str, Any]]:
    """``(dsn, registry)`` of the template database with the test modules installed."""
    from erplite import Registry

    modules = tuple(request.config.getini("erplite_modules"))
    name = f"erplite_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    dsn = create_database(erplite_server, name)
    try:
        demo = bool(request.config.getini("erplite_demo"))
        registry = Registry.new(dsn, install=modules, addons_paths=erplite_addons_paths, demo=demo)
        yield dsn, registry
    finally:
        drop_database(erplite_server, name)


@pytest.fixture(scope="session")
def erplite_templates(
    erplite_server: str, erplite_addons_paths: tuple
) -> Iterator[Callable[..., tuple[str, Any]]]:
    """``erplite_templates(*modules, demo=False)``: ``(dsn, registry)`` of a template database
    with ``modules`` installed, made the first time a test asks for that set of modules and
    shared by the session's later tests (dropped at its end). A folder of tests whose modules
    differ from ``erplite_modules`` points its ``erplite_template`` fixture at one."""
    from erplite import Registry

    made: dict[tuple, tuple[str, Any]] = {}

    def template(*modules: str, demo: bool = False) -> tuple[str, Any]:
        key = (tuple(sorted(modules)), demo)
        if key not in made:
            name = f"erplite_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            dsn = create_database(erplite_server, name)
            made[key] = (dsn, None)
            registry = Registry.new(
                dsn, install=modules, addons_paths=erplite_addons_paths, demo=demo
            )
            made[key] = (dsn, registry)
        return made[key]

    try:
        yield template
    finally:
        from erplite.sql import dbname_of

        for dsn, _registry in made.values():
            drop_database(erplite_server, dbname_of(dsn))


@pytest.fixture
def registry(erplite_template: tuple[str, Any]) -> Any:
    return erplite_template[1]


@pytest.fixture
def cr(registry: Any) -> Iterator[Any]:
    """A cursor on the template database, rolled back after the test."""
    cursor = registry.cursor()

    def refuse_commit() -> None:
        # a commit would leak this test's data into the template every later test uses
        raise RuntimeError(
            "the cr/env fixtures are rolled back after each test and cannot commit: "
            "use clone_database() or new_database() for code that commits"
        )

    cursor.commit = refuse_commit
    try:
        yield cursor
    finally:
        if not cursor.closed:
            cursor.rollback()
            cursor.close()


@pytest.fixture
def env(cr: Any) -> Any:
    """A superuser environment whose changes are rolled back after the test."""
    from erplite import api

    return api.Environment(cr, api.SUPERUSER_ID, {})


@pytest.fixture
def new_database(erplite_server: str) -> Iterator[Any]:
    """``new_database()`` creates an empty database and returns its DSN; dropped after."""
    created: list[str] = []

    def make() -> str:
        name = f"erplite_t_{uuid.uuid4().hex[:12]}"
        created.append(name)
        return create_database(erplite_server, name)

    yield make
    for name in created:
        drop_database(erplite_server, name)


@pytest.fixture
def clone_database(erplite_server: str, erplite_template: tuple[str, Any]) -> Iterator[Any]:
    """``clone_database()`` copies the template database and returns the copy's DSN."""
    from erplite.sql import dbname_of

    created: list[str] = []

    def make() -> str:
        name = f"erplite_c_{uuid.uuid4().hex[:12]}"
        created.append(name)
        return create_database(erplite_server, name, template=dbname_of(erplite_template[0]))

    yield make
    for name in created:
        drop_database(erplite_server, name)


@pytest.fixture
def assert_query_count() -> Any:
    """``with assert_query_count(n): ...``: exactly ``n`` statements, or a failure listing
    them. ``assert_query_count(n, at_most=True)`` accepts fewer."""

    @contextlib.contextmanager
    def check(expected: int, at_most: bool = False) -> Iterator[list]:
        with count_queries() as statements:
            yield statements
        count = len(statements)
        ok = count <= expected if at_most else count == expected
        if not ok:
            listing = "\n".join(
                f"  {index + 1}. {_render(q)}" for index, q in enumerate(statements)
            )
            relation = "at most" if at_most else "exactly"
            pytest.fail(
                f"expected {relation} {expected} statements, got {count}:\n{listing}", pytrace=False
            )

    return check


def _render(query: Any) -> str:
    try:
        from psycopg import sql

        if isinstance(query, sql.Composable):
            text = query.as_string(None)
        else:
            text = str(query)
    except Exception:  # rendering is best effort, for the failure message only
        text = repr(query)
    return text[:300]
