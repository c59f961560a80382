"""Every command finds the embedded PostgreSQL the way ``erplite serve`` does.

- ``-d NAME`` alone picks a database on the embedded server (``--data-dir``, else
  ``ERPLITE_DATA_DIR``, else the per-user default); it never falls back to a system socket.
- A command that only uses databases never initialises a second, empty cluster: it says where
  it looked and how to name the right folder.
- Errors name the embedded server; a command that joined a server another process runs leaves
  it running and does not log that it stopped it.
"""

from __future__ import annotations

import io
import logging
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import psycopg
import pytest

from erplite.cli.main import main

pytest.importorskip("erplite.orm.registry")

HOLDER = textwrap.dedent(
    """
    import sys
    from erplite.cli.embedded import EmbeddedPostgres
    with EmbeddedPostgres(sys.argv[1]) as pg:
        print(pg.start(), flush=True)
        sys.stdin.read()
    """
)


@pytest.fixture
def running_elsewhere(tmp_path_factory: Any) -> Any:
    """An embedded server started by another process (as ``erplite serve`` would be)."""
    data_dir = tmp_path_factory.mktemp("served")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    base_dsn = holder.stdout.readline().strip()
    assert base_dsn, "the holder process could not start the embedded server"
    try:
        yield data_dir, base_dsn
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(60)


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--log-level", "info"])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "argv",
    [
        ["db", "list"],
        ["db", "drop", "shop2"],
        ["module", "list", "-d", "shop2"],
        ["shell", "-d", "shop2"],
        ["apikey", "list", "-d", "shop2"],
        ["user", "password", "--login", "admin", "-d", "shop2"],
    ],
)
def test_commands_without_a_cluster_do_not_create_one(clean_env, tmp_path, capsys, argv) -> None:
    pgdata = tmp_path / "xdg" / "erplite" / "pgdata"
    code, _, err = run(capsys, *argv)
    assert code == 1
    assert err.startswith(f"erplite: there is no embedded PostgreSQL in {pgdata}:")
    assert "--data-dir" in err and "ERPLITE_DATA_DIR" in err and "Traceback" not in err
    assert not (pgdata / "PG_VERSION").exists()


def test_database_name_alone_uses_the_embedded_server_of_erplite_data_dir(
    clean_env, monkeypatch, capsys, caplog, running_elsewhere
) -> None:
    data_dir, base_dsn = running_elsewhere
    monkeypatch.setenv("ERPLITE_DATA_DIR", str(data_dir))  # no --data-dir from here on
    caplog.set_level(logging.INFO)

    code, out, err = run(capsys, "db", "create", "shop2")
    assert code == 0, err
    assert "Password:" in out
    code, out, err = run(capsys, "-d", "shop2", "--stop-after-init")
    assert code == 0, err
    code, out, err = run(capsys, "module", "list", "-d", "shop2")
    assert code == 0, err
    assert ["base", "installed"] == next(
        line.split()[:2] for line in out.splitlines() if line.startswith("base ")
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("print(env.cr.dbname)\n"))
    code, out, err = run(capsys, "shell", "-d", "shop2")
    assert (code, out.strip()) == (0, "shop2"), err
    code, out, _ = run(capsys, "db", "list")
    assert code == 0 and "shop2" in out.split()

    # the server belongs to the other process: nothing was started or stopped here
    messages = [record.getMessage() for record in caplog.records]
    assert not [m for m in messages if "stopping the embedded PostgreSQL" in m], messages
    assert not [m for m in messages if "starting the embedded PostgreSQL" in m], messages
    with psycopg.connect(base_dsn, connect_timeout=5) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)

    # errors say which server they looked at
    pgdata = Path(data_dir) / "pgdata"
    code, _, err = run(capsys, "module", "list", "-d", "nope")
    assert code == 1
    assert f"database 'nope' does not exist on the embedded PostgreSQL in {pgdata}" in err
    code, _, err = run(capsys, "db", "drop", "nope")
    assert code == 1 and f"on the embedded PostgreSQL in {pgdata}" in err
