"""Retrying a request on concurrency errors; integrity errors as ValidationError."""

from __future__ import annotations

import io
import types

import psycopg
import psycopg.errors
import pytest
from psycopg import sql
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from erplite.exceptions import ValidationError
from erplite.http.retrying import as_validation_error, is_concurrency_error, retrying
from erplite.sql import Cursor, connection_pool


class Flaky:
    """A try that fails with ``errors`` (one per call) before returning ``"done"``."""

    def __init__(self, *errors):
        self.errors = list(errors)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def serialization_failure():
    return psycopg.errors.SerializationFailure("could not serialize access")


# -- retries ------------------------------------------------------------------------------------


def test_serialization_failures_are_retried_until_success():
    func, sleeps = Flaky(serialization_failure(), serialization_failure()), Sleeps()
    assert retrying(func, backoff_base=0.01, sleep=sleeps) == "done"
    assert func.calls == 3
    assert len(sleeps) == 2
    # jittered exponential backoff: uniform(0, 2 ** tryno) * base
    assert 0 <= sleeps[0] <= 2 * 0.01 and 0 <= sleeps[1] <= 4 * 0.01


def test_deadlocks_and_lock_timeouts_are_retried_too():
    func = Flaky(
        psycopg.errors.DeadlockDetected("deadlock detected"),
        psycopg.errors.LockNotAvailable("could not obtain lock"),
    )
    assert retrying(func, sleep=Sleeps()) == "done"
    assert func.calls == 3


def test_gives_up_after_max_tries_with_the_last_error():
    errors = [serialization_failure() for _ in range(5)]
    func, sleeps = Flaky(*errors), Sleeps()
    with pytest.raises(psycopg.errors.SerializationFailure) as info:
        retrying(func, sleep=sleeps)
    assert info.value is errors[-1]
    assert func.calls == 5
    assert len(sleeps) == 4  # no pause after the last try


def test_max_tries_is_configurable():
    func = Flaky(serialization_failure(), serialization_failure())
    with pytest.raises(psycopg.errors.SerializationFailure):
        retrying(func, max_tries=2, sleep=Sleeps())
    assert func.calls == 2


def test_other_database_errors_are_not_retried():
    func = Flaky(psycopg.errors.UndefinedTable('relation "x" does not exist'))
    with pytest.raises(psycopg.errors.UndefinedTable):
        retrying(func, sleep=Sleeps())
    assert func.calls == 1
    assert not is_concurrency_error(psycopg.errors.UndefinedTable())
    assert is_concurrency_error(serialization_failure())


def test_on_retry_is_told_the_error_and_the_failed_try():
    error = serialization_failure()
    seen = []
    retrying(Flaky(error), sleep=Sleeps(), on_retry=lambda exc, tryno: seen.append((exc, tryno)))
    assert seen == [(error, 1)]


def test_with_an_env_the_shared_cursor_is_rolled_back_then_committed():
    log = []
    cr = types.SimpleNamespace(
        closed=False,
        flush=lambda: log.append("flush"),
        rollback=lambda: log.append("rollback"),
        commit=lambda: log.append("commit"),
    )
    registry = types.SimpleNamespace(
        reset_changes=lambda: log.append("reset_changes"),
        signal_changes=lambda: log.append("signal_changes"),
    )
    env = types.SimpleNamespace(cr=cr, registry=registry)
    assert retrying(Flaky(serialization_failure()), env, sleep=Sleeps()) == "done"
    assert log == ["rollback", "reset_changes", "flush", "commit", "signal_changes"]


# -- the request's input is rewound -------------------------------------------------------------


def upload_request(stream_factory=None):
    builder = EnvironBuilder(
        method="POST",
        path="/upload",
        data={"name": "report", "file": (io.BytesIO(b"file content"), "report.txt")},
    )
    environ = builder.get_environ()
    if stream_factory is not None:
        environ["wsgi.input"] = stream_factory(environ["wsgi.input"].read())
    return Request(environ)


def test_form_and_uploads_read_the_same_on_every_try():
    httprequest = upload_request()
    seen = []

    def serve():
        seen.append((httprequest.form["name"], httprequest.files["file"].read()))
        if len(seen) == 1:
            raise serialization_failure()
        return "ok"

    assert retrying(serve, httprequest=httprequest, sleep=Sleeps()) == "ok"
    assert seen == [("report", b"file content"), ("report", b"file content")]


def test_raw_body_reads_the_same_on_every_try():
    httprequest = Request(
        EnvironBuilder(
            method="POST", data=b'{"a": 1}', content_type="application/json"
        ).get_environ()
    )
    seen = []

    def serve():
        seen.append(httprequest.stream.read())
        if len(seen) == 1:
            raise serialization_failure()

    retrying(serve, httprequest=httprequest, sleep=Sleeps())
    assert seen == [b'{"a": 1}', b'{"a": 1}']


class OneWayStream(io.RawIOBase):
    """A WSGI input that cannot seek, as most servers give."""

    def __init__(self, data):
        self._buffer = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, b):
        return self._buffer.readinto(b)


def test_unseekable_input_keeps_the_parsed_form_and_rewinds_uploads():
    httprequest = upload_request(OneWayStream)
    seen = []

    def serve():
        seen.append((httprequest.form["name"], httprequest.files["file"].read()))
        if len(seen) == 1:
            raise serialization_failure()

    retrying(serve, httprequest=httprequest, sleep=Sleeps())
    assert seen == [("report", b"file content"), ("report", b"file content")]


def test_an_upload_that_cannot_rewind_makes_the_retry_fail():
    httprequest = upload_request(OneWayStream)
    httprequest.files["file"].stream = OneWayStream(b"file content")

    def serve():
        httprequest.files["file"].read()
        raise serialization_failure()

    with pytest.raises(RuntimeError, match="Cannot retry request on input file 'file'"):
        retrying(serve, httprequest=httprequest, sleep=Sleeps())


# -- integrity errors ---------------------------------------------------------------------------


def test_integrity_error_is_a_validation_error_and_is_not_retried():
    class DuplicateLogin(psycopg.errors.UniqueViolation):
        diag = types.SimpleNamespace(
            table_name="res_users",
            column_name=None,
            constraint_name="res_users_login_key",
            message_primary='duplicate key value violates unique constraint "res_users_login_key"',
        )

    func = Flaky(DuplicateLogin("duplicate"))
    with pytest.raises(ValidationError) as info:
        retrying(func, sleep=Sleeps())
    assert func.calls == 1
    assert "res_users_login_key" in str(info.value)
    assert isinstance(info.value.__cause__, psycopg.errors.UniqueViolation)


@pytest.fixture(scope="module")
def gadgets(pg_dsn):
    """A table with a unique, a check and a not-null constraint, and a row to fight over."""
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE gadget (id serial PRIMARY KEY, code varchar NOT NULL,"
            " qty integer NOT NULL DEFAULT 0,"
            " CONSTRAINT gadget_code_uniq UNIQUE (code),"
            " CONSTRAINT gadget_qty_positive CHECK (qty >= 0))"
        )
        conn.execute("INSERT INTO gadget (code, qty) VALUES ('G1', 10)")
    return pg_dsn


def _pg_error(dsn, statement):
    with psycopg.connect(dsn) as conn:
        with pytest.raises(psycopg.IntegrityError) as info:
            conn.execute(statement)
    return info.value


def test_real_unique_violation_names_the_constraint(gadgets):
    exc = _pg_error(gadgets, "INSERT INTO gadget (code) VALUES ('G1')")
    error = as_validation_error(exc)
    assert str(error).startswith("The operation cannot be completed: duplicate key value")
    assert "gadget_code_uniq" in str(error)


def test_declared_sql_constraint_message_is_used(gadgets):
    class Gadget:
        _name = "x.gadget"
        _table = "gadget"
        _description = "Gadget"
        _fields = {}
        _sql_constraints = [("qty_positive", "CHECK (qty >= 0)", "Quantities cannot be negative.")]

    registry = types.SimpleNamespace(models={"x.gadget": Gadget})
    exc = _pg_error(gadgets, "UPDATE gadget SET qty = -1")
    error = as_validation_error(exc, registry)
    assert str(error) == "The operation cannot be completed: Quantities cannot be negative."


def test_not_null_violation_names_model_and_field(gadgets):
    class Gadget:
        _name = "x.gadget"
        _table = "gadget"
        _description = "Gadget"
        _fields = {"code": types.SimpleNamespace(string="Internal Code")}

    registry = types.SimpleNamespace(models={"x.gadget": Gadget})
    exc = _pg_error(gadgets, "INSERT INTO gadget (code) VALUES (NULL)")
    message = str(as_validation_error(exc, registry))
    assert "a mandatory field is not set" in message
    assert "Model: Gadget (x.gadget)" in message
    assert "Field: Internal Code (code)" in message


def test_real_serialization_failure_is_retried_to_the_right_value(gadgets):
    """Two transactions update one row; the one that loses the race is run again."""
    pool = connection_pool(gadgets)
    tries = []

    def add_five():
        with Cursor(pool) as cr:  # REPEATABLE READ, commits at the end of the block
            cr.execute(sql.SQL("SELECT qty FROM gadget WHERE code = %s"), ["G1"])
            if not tries:  # a concurrent request commits after our snapshot was taken
                with psycopg.connect(gadgets, autocommit=True) as other:
                    other.execute("UPDATE gadget SET qty = qty + 100 WHERE code = 'G1'")
            tries.append(1)
            cr.execute(sql.SQL("UPDATE gadget SET qty = qty + 5 WHERE code = %s"), ["G1"])

    retrying(add_five, sleep=Sleeps())
    assert len(tries) == 2
    with psycopg.connect(gadgets) as conn:
        assert conn.execute("SELECT qty FROM gadget WHERE code = 'G1'").fetchone() == (115,)
