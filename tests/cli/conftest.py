"""Helpers of the CLI tests: free ports, and a clean environment for configuration tests."""

from __future__ import annotations

import socket

import pytest

# A test must not pick up the developer's own erplite or libpq settings.
_VARIABLES = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path):
    """os.environ without ERPLITE_* and PG* variables; XDG_DATA_HOME in the tmp dir."""
    import os

    for name in list(os.environ):
        if name.startswith("ERPLITE_") or name in _VARIABLES:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return os.environ


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def port() -> int:
    return free_port()
