"""Acceptance: the real ``erplite`` command, in a subprocess, against the test server.

``-d ... -i base --stop-after-init``, then ``module list``; ``-u``; an unknown module leaves the
database as it was; ``shell`` runs a script from stdin and commits only when told; ``db``
creates, lists and drops databases on a configured server.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid

import psycopg.conninfo
import pytest

from erplite.sql import dsn_with_dbname

pytest.importorskip("erplite.orm.registry")


def erplite(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ERPLITE_", "PG"))}
    return subprocess.run(
        [sys.executable, "-m", "erplite.cli.main", *argv, "--log-level", "warning"],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=environ,
        timeout=180,
    )


def module_rows(dsn: str) -> list[list[str]]:
    result = erplite("module", "list", "--dsn", dsn)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].split() == ["name", "state", "version"]
    return [line.split() for line in lines[1:]]


def test_install_then_module_list(new_database):
    dsn = new_database()
    result = erplite("--dsn", dsn, "-i", "base", "--stop-after-init")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^\s*Login:\s+admin$", result.stdout, re.M)
    assert re.search(r"^\s*Password:\s+\S{12,}$", result.stdout, re.M)
    rows = module_rows(dsn)
    base = next(row for row in rows if row[0] == "base")
    assert base[1] == "installed" and base[2].startswith("17.0.")

    # An unknown module is one line and changes nothing.
    result = erplite("--dsn", dsn, "-i", "no_such_module", "--stop-after-init")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("erplite: ")
    assert "no_such_module" in result.stderr and "Traceback" not in result.stderr
    assert module_rows(dsn) == rows


def test_upgrade(new_database):
    dsn = new_database()
    assert erplite("--dsn", dsn, "-i", "base", "--stop-after-init").returncode == 0
    rows = module_rows(dsn)
    result = erplite("--dsn", dsn, "-u", "base", "--stop-after-init")
    assert result.returncode == 0, result.stderr
    assert "Password:" not in result.stdout  # only a database initialised now gets one
    assert module_rows(dsn) == rows


def test_shell_commits_only_when_told(new_database):
    dsn = new_database()
    assert erplite("--dsn", dsn, "-i", "base", "--stop-after-init").returncode == 0
    count = "print(env['res.partner'].search_count([('name', '=', 'From the shell')]))"
    create = "env['res.partner'].create({'name': 'From the shell'})"
    result = erplite("shell", "--dsn", dsn, stdin=f"{create}\n{count}\n")
    assert (result.returncode, result.stdout.strip()) == (0, "1"), result.stderr
    assert erplite("shell", "--dsn", dsn, stdin=count).stdout.strip() == "0"  # rolled back
    result = erplite("shell", "--dsn", dsn, stdin=f"{create}\nenv.cr.commit()\n")
    assert result.returncode == 0, result.stderr
    assert erplite("shell", "--dsn", dsn, stdin=count).stdout.strip() == "1"
    names = "print(*sorted(name for name in dir() if not name.startswith('_')))"
    shown = erplite("shell", "--dsn", dsn, stdin=names).stdout.split()
    assert {"cr", "env", "erplite", "registry"} <= set(shown)


def test_db_create_list_drop_on_a_configured_server(erplite_server):
    name = f"erplite_cli_{uuid.uuid4().hex[:8]}"
    server = dsn_with_dbname(erplite_server, "postgres")
    result = erplite("db", "create", name, "--dsn", server)
    assert result.returncode == 0, result.stderr
    assert "Password:" in result.stdout
    listed = erplite("db", "list", "--dsn", server).stdout.split()
    assert name in listed
    again = erplite("db", "create", name, "--dsn", server)
    assert again.returncode == 1 and f"database '{name}' already exists" in again.stderr
    rows = module_rows(dsn_with_dbname(server, name))
    assert ["base", "installed"] in [row[:2] for row in rows]
    assert erplite("db", "drop", name, "--dsn", server).returncode == 0
    assert name not in erplite("db", "list", "--dsn", server).stdout.split()


def test_failed_first_install_drops_the_new_database(erplite_server):
    name = f"erplite_cli_{uuid.uuid4().hex[:8]}"
    server = dsn_with_dbname(erplite_server, "postgres")
    result = erplite("db", "create", name, "--install", "no_such_module", "--dsn", server)
    assert result.returncode == 1 and "no_such_module" in result.stderr
    assert name not in erplite("db", "list", "--dsn", server).stdout.split()
    params = psycopg.conninfo.conninfo_to_dict(server)
    params["dbname"] = name
    result = erplite("--dsn", psycopg.conninfo.make_conninfo(**params), "--stop-after-init")
    assert result.returncode == 0, result.stderr  # -d of a missing database creates it
    assert erplite("db", "drop", name, "--dsn", server).returncode == 0
