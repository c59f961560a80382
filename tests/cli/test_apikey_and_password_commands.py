"""``erplite apikey create|list|revoke`` and ``erplite user password``, in process, on a copy
of the template database: a key printed once and accepted by the API-key check, listed without
its secret, revoked by id or by name; a lost password set from stdin, never shown."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from erplite import SUPERUSER_ID, Registry, api
from erplite.cli.main import main
from erplite.exceptions import AccessDenied


@dataclass
class Database:
    """A copy of the template, and the command run on it (in process)."""

    dsn: str
    addons_paths: tuple[str, ...]
    capsys: Any

    def run(self, *argv: str) -> tuple[int, str, str]:
        """``erplite ARGV --dsn DSN``: (exit code, stdout, stderr)."""
        addons = ",".join(self.addons_paths)
        code = main([*argv, "--log-level", "info", "--addons-path", addons, "--dsn", self.dsn])
        out, err = self.capsys.readouterr()
        return code, out, err

    def env(self) -> Any:
        """``with db.env() as env``: a superuser environment in a transaction of its own."""
        registry = Registry(self.dsn, addons_paths=self.addons_paths)

        @contextlib.contextmanager
        def block() -> Iterator[Any]:
            with registry.cursor() as cr:
                yield api.Environment(cr, SUPERUSER_ID, {})

        return block()

    def key_owner(self, key: str) -> int | None:
        with self.env() as env:
            return env["res.users.apikeys"]._check_credentials(scope="rpc", key=key)

    def admin_id(self) -> int:
        with self.env() as env:
            return env.ref("base.user_admin").id


@pytest.fixture
def db(clone_database: Any, erplite_addons_paths: tuple[str, ...], capsys: Any) -> Database:
    return Database(clone_database(), erplite_addons_paths, capsys)


def test_apikey_create_prints_the_key_once_and_it_authenticates(db: Database, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    code, out, err = db.run("apikey", "create", "--login", "admin", "--name", "ci")
    assert code == 0, err
    key = out.strip()
    assert len(out.splitlines()) == 1 and len(key) >= 32  # stdout is the key alone
    assert "shown once" in err and key not in err
    assert key not in caplog.text
    assert db.key_owner(key) == db.admin_id()

    code, out, err = db.run("apikey", "list", "--login", "admin")
    assert code == 0, err
    header, row = out.strip().splitlines()
    assert header.split() == ["id", "login", "name", "scope", "created", "expires"]
    assert row.split()[1:4] == ["admin", "ci", "rpc"]
    assert key not in out and key[:8] not in out


def test_apikey_revoke_by_id_or_by_name(db: Database) -> None:
    keys = {}
    for name in ("first", "second", "twin", "twin"):
        code, out, err = db.run("apikey", "create", "--login", "admin", "--name", name)
        assert code == 0, err
        keys.setdefault(name, []).append(out.strip())
    listed = db.run("apikey", "list")[1].strip().splitlines()[1:]
    ids = {line.split()[2]: line.split()[0] for line in listed}

    assert db.run("apikey", "revoke", "--login", "admin", ids["first"])[0] == 0
    code, out, _ = db.run("apikey", "revoke", "--login", "admin", "second")
    assert code == 0 and "'second'" in out and "revoked" in out
    assert db.key_owner(keys["first"][0]) is None
    assert db.key_owner(keys["second"][0]) is None
    assert db.key_owner(keys["twin"][0]) == db.admin_id()

    code, _, err = db.run("apikey", "revoke", "--login", "admin", "twin")
    assert code == 1 and "2 API keys of 'admin' are named 'twin'" in err and "by its id" in err
    code, _, err = db.run("apikey", "revoke", "--login", "admin", "gone")
    assert code == 1 and "has no API key 'gone'" in err
    code, _, err = db.run("apikey", "revoke", "--login", "nobody", "twin")
    assert code == 1 and "no user with login 'nobody'" in err


def test_apikey_create_refuses_a_bad_expiry_and_keeps_an_expired_key_out(db: Database) -> None:
    argv = ("apikey", "create", "--login", "admin", "--name", "old")
    code, _, err = db.run(*argv, "--expires", "next week")
    assert code == 1 and "--expires: invalid date 'next week'" in err
    code, out, err = db.run(*argv, "--expires", "2020-01-31")
    assert code == 0, err
    assert db.key_owner(out.strip()) is None  # expired already
    listed = db.run("apikey", "list", "--login", "admin")[1]
    assert "2020-01-31 23:59:59" in listed


def test_user_password_from_stdin_sets_a_lost_password_and_unblocks_the_login(
    db: Database, caplog: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "correct horse battery staple"
    monkeypatch.setattr("sys.stdin", io.StringIO(secret + "\n"))
    code, out, err = db.run("user", "password", "--login", "admin", "--password-stdin")
    assert code == 0, err
    assert "password of 'admin' changed" in out
    assert secret not in out + err + caplog.text
    with db.env() as env:
        admin = env.ref("base.user_admin")
        admin.with_user(admin)._check_credentials(secret, {"interactive": True})
        with pytest.raises(AccessDenied):
            admin.with_user(admin)._check_credentials("admin", {"interactive": True})

    with db.env() as env:  # enough failed guesses to block the login
        users = env["res.users"]
        for _ in range(12):
            users._record_login_failure("admin", None)
        with pytest.raises(AccessDenied):
            users._check_login_throttle("admin", None)
    monkeypatch.setattr("sys.stdin", io.StringIO("another one\n"))
    code, _, err = db.run("user", "password", "--login", "admin", "--password-stdin")
    assert code == 0, err
    with db.env() as env:  # the new password works at once: the failures are forgotten
        env["res.users"]._check_login_throttle("admin", None)

    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    code, _, err = db.run("user", "password", "--login", "admin")
    assert code == 1 and "the password is empty: nothing changed" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("x\n"))
    code, _, err = db.run("user", "password", "--login", "ghost")
    assert code == 1 and "no user with login 'ghost'" in err
