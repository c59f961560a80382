"""The module dependency graph: which modules to load, and in which order.

The order is Odoo 17's (``odoo/modules/graph.py``): a module's *depth* is 0 for a module
without dependencies (``base``) and otherwise one more than its deepest dependency; modules load
by increasing depth, and by name within one depth. That is a topological order that does not
depend on dict order or on the order of ``depends`` lists, so every run loads alike.

All functions take the ``{name: Manifest}`` mapping of the available modules and raise
:class:`~erplite.loading.manifest.ModuleError` with the module and manifest file at fault.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from erplite.loading.manifest import Manifest, ModuleError

__all__ = ["auto_install_candidates", "dependents", "resolve_install_order"]


def resolve_install_order(
    manifests: Mapping[str, Manifest],
    wanted: Iterable[str],
    *,
    installed: Iterable[str] = (),
) -> list[str]:
    """The modules to load, in dependency order.

    That is ``wanted``, the modules of ``installed`` and all their transitive dependencies.
    Raises :class:`ModuleError` for an unknown module, a missing dependency, a dependency cycle,
    or a module that is not installable (requested, installed or depended upon).
    """
    depths = _Depths(manifests, strict=True)
    for name in sorted({*wanted, *installed}):
        if name not in manifests:
            raise ModuleError(f"Unknown module {name!r}", module=name)
        depths.visit(name)
    return _ordered(depths.depth)


def auto_install_candidates(manifests: Mapping[str, Manifest], installed: set[str]) -> list[str]:
    """The auto-install modules to add to ``installed``, in dependency order.

    A module qualifies when it is installable, not installed, and all its ``auto_install``
    triggers are installed or themselves qualify: the search runs to a fixed point, and the
    dependencies of a qualifying module count as installed (they will be). A module whose
    trigger list is empty qualifies whenever it is not installed (Odoo's ``auto_install: []``).
    """
    present = _closure(manifests, installed)
    chosen: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name in sorted(manifests):
            manifest = manifests[name]
            auto_install = manifest.auto_install
            if auto_install is False or not manifest.installable:
                continue
            if name in present or name in chosen:
                continue
            triggers = manifest.depends if auto_install is True else auto_install
            if all(trigger in present for trigger in triggers):
                chosen.add(name)
                present |= _closure(manifests, {name})
                changed = True
    depths = _Depths(manifests, strict=True)
    for name in sorted(chosen):
        depths.visit(name)
    return [name for name in _ordered(depths.depth) if name in chosen]


def dependents(manifests: Mapping[str, Manifest], modules: Iterable[str]) -> list[str]:
    """The modules that depend, directly or not, on any of ``modules`` (not those themselves).

    They come in reverse load order (the exact reverse of :func:`resolve_install_order`'s order),
    which is the order to uninstall them in.
    """
    targets = set(modules)
    for name in sorted(targets):
        if name not in manifests:
            raise ModuleError(f"Unknown module {name!r}", module=name)
    users: dict[str, set[str]] = {}
    for name, manifest in manifests.items():
        for dep in manifest.depends:
            users.setdefault(dep, set()).add(name)
    found: set[str] = set()
    todo = sorted(targets)
    while todo:
        for user in users.get(todo.pop(), ()):
            if user not in found and user not in targets:
                found.add(user)
                todo.append(user)
    depths = _Depths(manifests, strict=False)
    for name in sorted(found):
        depths.visit(name)
    return [name for name in reversed(_ordered(depths.depth)) if name in found]


# -- internals ---------------------------------------------------------------------------------


def _ordered(depth: Mapping[str, int]) -> list[str]:
    return sorted(depth, key=lambda name: (depth[name], name))


def _closure(manifests: Mapping[str, Manifest], names: Iterable[str]) -> set[str]:
    """``names`` and the known modules they depend on, transitively."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        manifest = manifests.get(name)
        if manifest is not None:
            todo.extend(manifest.depends)
    return seen


class _Depths:
    """Depth-first walk computing each visited module's depth and detecting cycles.

    ``strict`` walks check what loading needs (every dependency exists and is installable);
    non-strict walks skip unknown dependencies.
    """

    def __init__(self, manifests: Mapping[str, Manifest], *, strict: bool) -> None:
        self.manifests = manifests
        self.strict = strict
        self.depth: dict[str, int] = {}
        self._stack: list[str] = []

    def visit(self, name: str, needed_by: str | None = None) -> int:
        if name in self.depth:
            return self.depth[name]
        if name in self._stack:
            cycle = [*self._stack[self._stack.index(name) :], name]
            first = self.manifests[cycle[0]]
            raise ModuleError(
                f"dependency cycle between modules: {' -> '.join(cycle)}",
                module=cycle[0],
                path=first.manifest_path,
            )
        manifest = self.manifests[name]
        if self.strict and not manifest.installable:
            why = f", required by module {needed_by!r}" if needed_by else ""
            raise ModuleError(
                f"module {name!r} is not installable (installable: False){why}",
                module=name,
                path=manifest.manifest_path,
            )
        self._stack.append(name)
        depth = 0
        for dep in sorted(set(manifest.depends)):
            if dep not in self.manifests:
                if not self.strict:
                    continue
                raise ModuleError(
                    f"module {name!r} depends on module {dep!r}, which is not available",
                    module=name,
                    path=manifest.manifest_path,
                )
            depth = max(depth, self.visit(dep, name) + 1)
        self._stack.pop()
        self.depth[name] = depth
        return depth
