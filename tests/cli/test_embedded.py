"""The embedded PostgreSQL (a real pgserver in a temporary directory) and the db commands on it."""

from __future__ import annotations

import psycopg
import pytest

from erplite.cli.embedded import (
    EmbeddedPostgres,
    database_exists,
    ensure_database,
    pgserver_bin_dir,
)
from erplite.cli.main import main


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("embedded")


def test_start_create_stop_restart(data_dir):
    pg = EmbeddedPostgres(data_dir)
    with pg:
        base = pg.start()
        assert pg.start() == base  # started once
        assert (data_dir / "pgdata" / "PG_VERSION").exists()
        assert psycopg.conninfo.conninfo_to_dict(base)["dbname"] == "postgres"
        assert ensure_database(base, "erplite") is True
        assert ensure_database(base, "erplite") is False
        dsn = pg.dsn_for("erplite")
        with psycopg.connect(dsn, autocommit=True) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("erplite",)
            conn.execute("CREATE TABLE kept (value text)")
            conn.execute("INSERT INTO kept VALUES ('still here')")
    assert not pg.running
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(dsn, connect_timeout=2)

    # A restart on the same directory finds the data.
    with EmbeddedPostgres(data_dir) as again:
        base = again.start()
        assert database_exists(base, "erplite")
        with psycopg.connect(again.dsn_for("erplite")) as conn:
            assert conn.execute("SELECT value FROM kept").fetchall() == [("still here",)]


def test_nested_users_share_the_server(data_dir):
    with EmbeddedPostgres(data_dir) as outer:
        base = outer.start()
        with EmbeddedPostgres(data_dir) as inner:
            assert inner.start() == base
        # stopping the inner handle leaves the server up for the outer one
        with psycopg.connect(base, connect_timeout=5) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)


def test_unusual_database_names_are_quoted(data_dir):
    with EmbeddedPostgres(data_dir) as pg:
        base = pg.start()
        assert ensure_database(base, 'we"ird name') is True
        assert database_exists(base, 'we"ird name')


def test_pgserver_ships_the_dump_programs():
    bin_dir = pgserver_bin_dir()
    assert bin_dir is not None
    assert (bin_dir / "pg_dump").exists() and (bin_dir / "pg_restore").exists()


def test_db_commands_on_the_embedded_server(data_dir, tmp_path, clean_env, capsys):
    """dump, restore, list and drop through the command line (no registry needed)."""
    with EmbeddedPostgres(data_dir) as pg:
        base = pg.start()
        ensure_database(base, "source")
        with psycopg.connect(pg.dsn_for("source"), autocommit=True) as conn:
            conn.execute("CREATE TABLE partner (name text)")
            conn.execute("INSERT INTO partner VALUES ('Azure'), ('Deco')")
    common = ["--data-dir", str(data_dir)]
    dump = tmp_path / "source.dump"

    assert main(["db", "dump", "source", str(dump), *common]) == 0
    assert dump.stat().st_size > 0
    assert main(["db", "restore", "copy", str(dump), *common]) == 0
    capsys.readouterr()
    assert main(["db", "list", *common]) == 0
    listed = capsys.readouterr().out.split()
    assert "source" in listed and "copy" in listed and "postgres" not in listed

    with EmbeddedPostgres(data_dir) as pg:
        with psycopg.connect(pg.dsn_for("copy")) as conn:
            rows = conn.execute("SELECT name FROM partner ORDER BY name").fetchall()
        assert rows == [("Azure",), ("Deco",)]

    # Restoring over an existing database is refused; a broken dump leaves nothing behind.
    assert main(["db", "restore", "copy", str(dump), *common]) == 1
    assert "already exists" in capsys.readouterr().err
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"not a dump")
    assert main(["db", "restore", "broken", str(broken), *common]) == 1
    err = capsys.readouterr().err
    assert err.count("erplite: ") == 1 and "pg_restore failed" in err
    assert main(["db", "restore", "nope", str(tmp_path / "missing.dump"), *common]) == 1
    assert "does not exist" in capsys.readouterr().err

    assert main(["db", "drop", "copy", *common]) == 0
    assert main(["db", "drop", "copy", *common]) == 1
    assert (
        "erplite: database 'copy' does not exist on the embedded PostgreSQL in"
        in capsys.readouterr().err
    )
    assert main(["db", "dump", "nope", str(tmp_path / "x.dump"), *common]) == 1
    assert "cannot connect to the database" in capsys.readouterr().err

    with EmbeddedPostgres(data_dir) as pg:
        base = pg.start()
        assert not database_exists(base, "copy")
        assert not database_exists(base, "broken")
