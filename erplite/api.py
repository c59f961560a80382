"""Odoo 17's ``odoo.api``: the ``Environment`` and the method decorators.

``@api.depends('line_ids.value')`` declares what a compute method reads; ``@api.constrains``
the fields whose change runs a check; ``@api.onchange`` form helpers; ``@api.model`` methods
that ignore their records; ``@api.model_create_multi`` a ``create`` taking a list of dicts;
``@api.ondelete(at_uninstall=False)`` a check run before ``unlink``; ``@api.depends_context``
the context keys a computed value depends on.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from erplite.orm.environment import SUPERUSER_ID, Environment, frozendict

__all__ = [
    "Environment",
    "SUPERUSER_ID",
    "frozendict",
    "depends",
    "depends_context",
    "constrains",
    "onchange",
    "model",
    "model_create_multi",
    "ondelete",
    "returns",
    "autovacuum",
    "private",
]

F = TypeVar("F", bound=Callable[..., Any])


def depends(*args: Any) -> Callable[[F], F]:
    """Declare the dotted field paths a compute method depends on (or one callable
    returning them)."""
    if len(args) == 1 and callable(args[0]):
        paths: Any = args[0]
    else:
        paths = tuple(args)

    def decorate(method: F) -> F:
        method._depends = paths  # type: ignore[attr-defined]
        return method

    return decorate


def depends_context(*keys: str) -> Callable[[F], F]:
    def decorate(method: F) -> F:
        method._depends_context = tuple(keys)  # type: ignore[attr-defined]
        return method

    return decorate


def constrains(*fields: str) -> Callable[[F], F]:
    """Run the decorated check after create/write/recompute of any of ``fields``; it raises
    ``ValidationError`` to refuse the change."""

    def decorate(method: F) -> F:
        method._constrains = tuple(fields)  # type: ignore[attr-defined]
        return method

    return decorate


def onchange(*fields: str) -> Callable[[F], F]:
    def decorate(method: F) -> F:
        method._onchange = tuple(fields)  # type: ignore[attr-defined]
        return method

    return decorate


def ondelete(*, at_uninstall: bool) -> Callable[[F], F]:
    """Run the decorated check before ``unlink`` (and during uninstall if ``at_uninstall``)."""

    def decorate(method: F) -> F:
        method._ondelete = at_uninstall  # type: ignore[attr-defined]
        return method

    return decorate


def model(method: F) -> F:
    """The method works on the model, not on records (``self`` is an empty recordset)."""
    method._api = "model"  # type: ignore[attr-defined]
    return method


def model_create_multi(method: F) -> F:
    """``create`` taking a list of dicts; a single dict is wrapped in a list before the
    method runs, so that an override can always iterate over ``vals_list``."""

    @functools.wraps(method)
    def create(self: Any, vals_list: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(vals_list, Mapping):
            vals_list = [vals_list]
        return method(self, vals_list, *args, **kwargs)

    create._api = "model_create"  # type: ignore[attr-defined]
    return create  # type: ignore[return-value]


def private(method: F) -> F:
    """Not callable through RPC, whatever its name."""
    method._api_private = True  # type: ignore[attr-defined]
    return method


def returns(model: str, downgrade: Any = None, upgrade: Any = None) -> Callable[[F], F]:
    def decorate(method: F) -> F:
        method._returns = (model, downgrade, upgrade)  # type: ignore[attr-defined]
        return method

    return decorate


def autovacuum(method: F) -> F:
    method._autovacuum = True  # type: ignore[attr-defined]
    return method
