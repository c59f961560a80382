"""Run a request again when PostgreSQL refuses it for concurrency, as Odoo's ``retrying``.

Worked example::

    def serve():                              # one whole try, in its own transaction
        with registry.cursor() as cr:         # commits at the end, rolls back on error
            return endpoint(**params)

    response = retrying(serve, httprequest=httprequest)

or, Odoo's way, with a cursor opened once around the tries::

    with contextlib.closing(registry.cursor()) as cr:
        env = api.Environment(cr, uid, context)
        result = retrying(functools.partial(call_kw, env[model], method, args, kw), env)

Two transactions that write the same row, or take locks in opposite orders, make PostgreSQL
abort one of them with a serialization failure (SQLSTATE 40001), a deadlock (40P01) or a lock
not available (55P03). Nothing is wrong with such a request: run again it will succeed. So the
whole try is rolled back and run again, up to ``max_tries`` (5) times, after a jittered
exponential pause (``random.uniform(0, 2 ** tryno) * backoff_base``). Between tries the
request's input is rewound so that the body, form and uploads read the same again.

An ``IntegrityError`` (unique, not-null, foreign-key, check violation) is not a concurrency
accident: it is not retried but turned into a ``ValidationError`` that says which constraint
refused the data, as Odoo does.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
import psycopg.errors

from erplite.exceptions import ValidationError

_logger = logging.getLogger(__name__)

T = TypeVar("T")

#: SQLSTATEs worth retrying: serialization_failure, deadlock_detected, lock_not_available.
PG_CONCURRENCY_ERRORS_TO_RETRY = frozenset({"40001", "40P01", "55P03"})

#: Odoo's ``MAX_TRIES_ON_CONCURRENCY_FAILURE``.
MAX_TRIES_ON_CONCURRENCY_FAILURE = 5

#: Seconds multiplying ``random.uniform(0, 2 ** tryno)``. Odoo waits up to 2, 4, 8, 16 s; a
#: tenth of that (at most 3 s in all) keeps a web request's latency bounded while still
#: spreading concurrent retries apart.
BACKOFF_BASE = 0.1

NOT_NULL_VIOLATION = "23502"
FOREIGN_KEY_VIOLATION = "23503"


def is_concurrency_error(exc: BaseException) -> bool:
    """Whether ``exc`` is a PostgreSQL error that a new try of the transaction may not hit."""
    return isinstance(exc, psycopg.Error) and exc.sqlstate in PG_CONCURRENCY_ERRORS_TO_RETRY


def retrying(
    func: Callable[[], T],
    env: Any = None,
    *,
    max_tries: int = MAX_TRIES_ON_CONCURRENCY_FAILURE,
    backoff_base: float = BACKOFF_BASE,
    httprequest: Any = None,
    on_retry: Callable[[BaseException, int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``func()`` until it succeeds without a concurrency error; return its result.

    :param func: one try; without ``env`` it opens and commits its own transaction.
    :param env: Odoo-style: the environment whose cursor the tries share. After a try it is
        flushed; after a failure rolled back (and ``env.registry.reset_changes()`` called);
        after success committed (running post-commit hooks) and
        ``env.registry.signal_changes()`` called, when the registry has those methods.
    :param max_tries: tries in all; the last concurrency error is re-raised.
    :param backoff_base: scale of the jittered exponential pause (seconds).
    :param httprequest: the werkzeug request to rewind between tries (see
        :func:`rewind_request`).
    :param on_retry: called with the error and the failed try number before the pause, to
        reset per-try state (reload the session, ...).
    :param sleep: the pause function (tests pass a recorder).
    :raises ValidationError: for an ``IntegrityError``, never retried.
    """
    if max_tries < 1:
        raise ValueError("max_tries must be at least 1")
    try:
        for tryno in range(1, max_tries + 1):
            try:
                result = func()
                if env is not None and not env.cr.closed:
                    env.cr.flush()  # the last writes may be the ones that conflict
                break
            except psycopg.IntegrityError as exc:
                _rollback(env)
                raise as_validation_error(exc, getattr(env, "registry", None)) from exc
            except psycopg.Error as exc:
                if env is not None and env.cr.closed:
                    raise
                _rollback(env)
                if not is_concurrency_error(exc):
                    raise
                tries_left = max_tries - tryno
                if not tries_left:
                    _logger.info("%s, maximum number of tries reached", _state_name(exc))
                    raise
                rewind_request(httprequest)
                if on_retry is not None:
                    on_retry(exc, tryno)
                wait = random.uniform(0.0, 2**tryno) * backoff_base
                _logger.info(
                    "%s, %d tries left, try again in %.04f sec...",
                    _state_name(exc),
                    tries_left,
                    wait,
                )
                sleep(wait)
    except BaseException:
        _call_registry(env, "reset_changes")
        raise
    if env is not None and not env.cr.closed:
        env.cr.commit()  # runs the post-commit hooks
    _call_registry(env, "signal_changes")
    return result


def _rollback(env: Any) -> None:
    if env is not None and not env.cr.closed:
        env.cr.rollback()
    _call_registry(env, "reset_changes")


def _call_registry(env: Any, name: str) -> None:
    method = getattr(getattr(env, "registry", None), name, None)
    if callable(method):
        method()


def _state_name(exc: psycopg.Error) -> str:
    return type(exc).__name__ if exc.sqlstate is None else f"{type(exc).__name__} ({exc.sqlstate})"


# ---------------------------------------------------------------------------------------------
# Rewinding the request
# ---------------------------------------------------------------------------------------------

# werkzeug.Request attributes caching what was read from the body
_BODY_CACHES = ("stream", "form", "files", "values", "data", "_cached_data", "_cached_json")


def _seekable(stream: Any) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError, OSError):
        return False


def rewind_request(httprequest: Any) -> None:
    """Make the body of ``httprequest`` (a werkzeug request) readable again from its start.

    When the WSGI input can seek (test clients, servers that spool bodies), it is rewound and
    werkzeug's caches (``stream``, ``form``, ``files``, ``get_data()``, ``get_json()``) are
    dropped, so a new try reads everything afresh. Otherwise the caches are kept (werkzeug
    keeps what was read through ``form``, ``files`` and ``get_data()``) and each uploaded
    file is rewound; an upload that cannot seek makes the retry impossible
    (``RuntimeError``, as Odoo). An endpoint reading ``httprequest.stream`` itself on such a
    server cannot be retried faithfully: read the body with ``get_data()``.
    """
    if httprequest is None:
        return
    cached = httprequest.__dict__
    raw = httprequest.environ.get("wsgi.input")
    if raw is not None and _seekable(raw):
        raw.seek(0)
        for name in _BODY_CACHES:
            cached.pop(name, None)
        return
    stream = cached.get("stream")
    if stream is not None and _seekable(stream):
        stream.seek(0)
    files = cached.get("files")
    if files:
        for name, upload in files.items(multi=True):
            if _seekable(upload.stream):
                upload.stream.seek(0)
            else:
                raise RuntimeError(
                    f"Cannot retry request on input file {name!r} after serialization failure"
                )


# ---------------------------------------------------------------------------------------------
# Integrity errors
# ---------------------------------------------------------------------------------------------


def _model_of_table(registry: Any, table: str | None) -> Any:
    models = getattr(registry, "models", None) or {}
    for model in models.values():
        if table and getattr(model, "_table", None) == table:
            return model
    return None


def _sql_constraint_message(model: Any, constraint: str | None) -> str | None:
    if model is None or not constraint:
        return None
    for key, _definition, message in getattr(model, "_sql_constraints", None) or ():
        # Odoo names the PostgreSQL constraint "<table>_<key>" (cut to 63 bytes)
        if constraint == f"{model._table}_{key}"[:63]:
            return str(message)
    return None


def as_validation_error(exc: psycopg.IntegrityError, registry: Any = None) -> ValidationError:
    """A readable ``ValidationError`` for an ``IntegrityError``, naming what refused the data.

    With ``registry`` (anything with a ``models`` mapping of model classes), the table and
    column are named after their model and field, and a violated ``_sql_constraints`` entry
    gives its declared message, as Odoo's ``_as_validation_error``.
    """
    diag = exc.diag
    table, column, constraint = diag.table_name, diag.column_name, diag.constraint_name
    model = _model_of_table(registry, table)
    model_name = getattr(model, "_name", None) or table or "unknown"
    model_label = getattr(model, "_description", None) or model_name
    field = (getattr(model, "_fields", None) or {}).get(column) if model is not None else None
    field_label = getattr(field, "string", None) or column or "unknown"

    if exc.sqlstate == NOT_NULL_VIOLATION:
        return ValidationError(
            "The operation cannot be completed:\n"
            "- Create/update: a mandatory field is not set.\n"
            "- Delete: another model requires the record being deleted."
            " If possible, archive it instead.\n\n"
            f"Model: {model_label} ({model_name})\n"
            f"Field: {field_label} ({column or 'unknown'})\n"
        )
    if exc.sqlstate == FOREIGN_KEY_VIOLATION:
        return ValidationError(
            "The operation cannot be completed: another model requires the record being"
            " deleted. If possible, archive it instead.\n\n"
            f"Model: {model_label} ({model_name})\n"
            f"Constraint: {constraint}\n"
        )
    declared = _sql_constraint_message(model, constraint)
    if declared is not None:
        return ValidationError(f"The operation cannot be completed: {declared}")
    primary = diag.message_primary or (str(exc).splitlines() or ["integrity error"])[0]
    message = f"The operation cannot be completed: {primary}"
    if constraint and constraint not in primary:
        message += f"\nConstraint: {constraint}"
    return ValidationError(message)


__all__ = [
    "BACKOFF_BASE",
    "MAX_TRIES_ON_CONCURRENCY_FAILURE",
    "PG_CONCURRENCY_ERRORS_TO_RETRY",
    "as_validation_error",
    "is_concurrency_error",
    "retrying",
    "rewind_request",
]
