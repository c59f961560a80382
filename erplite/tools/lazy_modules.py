"""Modules imported on first use: a name bound at import time whose module loads later.

Worked example (``erplite/tools/view_arch.py``)::

    from typing import TYPE_CHECKING

    from erplite.tools.lazy_modules import lazy_module

    if TYPE_CHECKING:
        from lxml import etree
    else:
        etree = lazy_module("lxml.etree", __name__, "etree")

    def parse(text):
        return etree.fromstring(text)   # lxml is imported here, at the first use

Why: every worker process imports the models and controllers of its modules, but many of the
libraries they use serve only some requests. lxml (views, QWeb, mail templates) is about 4 MiB
of a worker's memory, and a worker answering JSON-RPC calls never parses an arch.

The first attribute read through the placeholder imports the module, then binds the real
module to the name in every module that asked for it, so later reads are plain global
lookups (no cost per use). Type checkers see the ordinary import (``TYPE_CHECKING``).
"""

from __future__ import annotations

import importlib
import sys
import threading
from types import ModuleType
from typing import Any


class LazyModule:
    """The placeholder of :func:`lazy_module`: imports ``name`` on its first attribute read."""

    __slots__ = ("_name", "_bindings", "_module")

    def __init__(self, name: str) -> None:
        self._name = name
        #: (module name, global name) of the names bound to this placeholder
        self._bindings: list[tuple[str, str]] = []
        self._module: ModuleType | None = None

    def bind(self, holder: str, global_name: str) -> None:
        """Replace this placeholder by the module in ``holder``'s global ``global_name`` when
        the module is imported."""
        with _lock:
            self._bindings.append((holder, global_name))

    def _load(self) -> ModuleType:
        module = self._module
        if module is None:
            module = importlib.import_module(self._name)
            with _lock:
                self._module = module
                for holder_name, global_name in self._bindings:
                    holder = sys.modules.get(holder_name)
                    if holder is not None and getattr(holder, global_name, None) is self:
                        setattr(holder, global_name, module)
        return module

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._load(), attribute)

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not imported yet"
        return f"<lazy module {self._name!r} ({state})>"


_lock = threading.Lock()
_placeholders: dict[str, LazyModule] = {}


def lazy_module(name: str, holder: str, global_name: str) -> Any:
    """The module ``name`` if it is imported already, else a placeholder that imports it on
    its first attribute read and then replaces itself by the module in ``holder``'s global
    ``global_name`` (``holder`` is the calling module's ``__name__``)."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    with _lock:
        placeholder = _placeholders.get(name)
        if placeholder is None:
            placeholder = _placeholders[name] = LazyModule(name)
    placeholder.bind(holder, global_name)
    return placeholder


__all__ = ["LazyModule", "lazy_module"]
