"""Module manifests and module discovery.

A module is a folder holding ``__init__.py`` and ``__manifest__.py``; the manifest is a single
Python dict literal. :func:`read_manifest` turns one into a validated, normalised
:class:`Manifest` (``ast.literal_eval`` only: a manifest is data and is never executed), and
:func:`discover_modules` finds every module folder, bundled, on the addons paths or declared by an
installed package under the entry-point group ``erplite.addons``.

Normalisation follows Odoo 17 (``odoo/modules/module.py``): a short version ``1.2`` becomes
``17.0.1.2``; ``base`` is a dependency of every module but ``base``; ``auto_install=True`` means
"when all of ``depends`` are installed"; the license defaults to ``LGPL-3``.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "MANIFEST_FILE",
    "SERIES",
    "Manifest",
    "ModuleError",
    "adapt_version",
    "bundled_modules_dir",
    "discover_modules",
    "is_module_dir",
    "read_manifest",
]

MANIFEST_FILE = "__manifest__.py"
#: The Odoo series erplite is compatible with; module versions are prefixed with it.
SERIES = "17.0"
ENTRY_POINT_GROUP = "erplite.addons"

_VERSION_RE = re.compile(r"^[0-9]+\.[0-9]+(?:\.[0-9]+)?$")


class ModuleError(Exception):
    """A module cannot be read, found or ordered.

    ``module`` is the technical name of the module at fault (``None`` only for an addons path
    problem), ``path`` the file or folder concerned (``None`` when there is none, e.g. a module
    that does not exist), ``line`` a 1-based line in ``path`` when known. ``str(error)`` reads
    ``"<path>:<line>: <detail>"`` and the detail always names the module.
    """

    def __init__(
        self,
        detail: str,
        *,
        module: str | None,
        path: Path | str | None = None,
        line: int | None = None,
    ) -> None:
        self.detail = detail
        self.module = module
        self.path = Path(path) if path is not None else None
        self.line = line
        if self.path is None:
            message = detail
        elif line is None:
            message = f"{self.path}: {detail}"
        else:
            message = f"{self.path}:{line}: {detail}"
        super().__init__(message)


@dataclass(frozen=True)
class Manifest:
    """A module's validated manifest.

    ``name`` is the technical name (the folder name), ``title`` the manifest's ``name`` key.
    ``depends`` always contains ``base`` (except for ``base`` itself). ``auto_install`` is
    ``False`` or the tuple of trigger dependencies: ``True`` in the file becomes all of
    ``depends``, and an empty tuple means "install whenever possible" (Odoo's ``[]``).
    ``raw`` is the manifest dict as read, unknown keys included.
    """

    name: str
    path: Path
    version: str = f"{SERIES}.1.0"
    depends: tuple[str, ...] = ()
    data: tuple[str, ...] = ()
    demo: tuple[str, ...] = ()
    summary: str = ""
    license: str = "LGPL-3"
    installable: bool = True
    auto_install: bool | tuple[str, ...] = False
    title: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def manifest_path(self) -> Path:
        """The ``__manifest__.py`` file of the module."""
        return self.path / MANIFEST_FILE


def adapt_version(version: str) -> str:
    """Prefix a module version with the series, as Odoo does: ``1.2`` -> ``17.0.1.2``.

    A version already starting with ``17.0.`` is kept. Raises :class:`ValueError` unless the
    module's own part is ``x.y`` or ``x.y.z``.
    """
    if version == SERIES or not version.startswith(SERIES + "."):
        own = version
        version = f"{SERIES}.{version}"
    else:
        own = version[len(SERIES) + 1 :]
    if not _VERSION_RE.match(own):
        raise ValueError(f"invalid version {own!r}: use x.y, x.y.z, {SERIES}.x.y or {SERIES}.x.y.z")
    return version


def is_module_dir(path: Path) -> bool:
    """Whether ``path`` is a module folder (has ``__init__.py`` and ``__manifest__.py``)."""
    return (path / "__init__.py").is_file() and (path / MANIFEST_FILE).is_file()


# -- reading one manifest ----------------------------------------------------------------------


def read_manifest(module_dir: Path | str) -> Manifest:
    """Read, validate and normalise ``<module_dir>/__manifest__.py``.

    Raises :class:`ModuleError` naming the module, the file and, where it can, the line: for a
    missing file, a syntax error, a file that is not one dict literal, a value that is not a
    literal, or a known key of the wrong type.
    """
    module_dir = Path(module_dir)
    name = module_dir.name
    file = module_dir / MANIFEST_FILE
    raw, lines = _literal_dict(_read_source(name, file), name, file)
    keys = _ManifestKeys(name, file, raw, lines)
    installable = keys.flag("installable", True)
    version = _version(keys, installable)
    depends = _depends(keys)
    return Manifest(
        name=name,
        path=module_dir,
        version=version,
        depends=depends,
        auto_install=_auto_install(keys, depends),
        data=keys.names("data"),
        demo=keys.names("demo"),
        summary=keys.text("summary", ""),
        license=keys.text("license", "") or "LGPL-3",
        installable=installable,
        title=keys.text("name", name),
        raw=raw,
    )


def _read_source(name: str, file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModuleError(
            f"module {name!r} has no {MANIFEST_FILE}", module=name, path=file
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModuleError(
            f"module {name!r}: cannot read manifest: {exc}", module=name, path=file
        ) from exc


@dataclass
class _ManifestKeys:
    """The keys of one manifest, read with their expected types; errors name the key's line."""

    name: str
    file: Path
    raw: dict[str, Any]
    lines: dict[str, int]

    def error(self, message: str, key: str) -> ModuleError:
        return ModuleError(
            f"module {self.name!r}: {message}",
            module=self.name,
            path=self.file,
            line=self.lines.get(key),
        )

    def fail(self, key: str, expected: str) -> ModuleError:
        return self.error(f"manifest key {key!r} must be {expected}, not {self.raw[key]!r}", key)

    def text(self, key: str, default: str) -> str:
        value = self.raw.get(key, default)
        if not isinstance(value, str):
            raise self.fail(key, "a string")
        return value

    def names(self, key: str) -> tuple[str, ...]:
        value = self.raw.get(key, [])
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "a list of strings")
        return tuple(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "True or False")
        return value


def _version(keys: _ManifestKeys, installable: bool) -> str:
    """The module's version with the series (``17.0.x.y``)."""
    version = keys.text("version", "1.0")
    try:
        return adapt_version(version)
    except ValueError as exc:
        # As in Odoo, a module that cannot be installed anyway may carry any version.
        if installable:
            raise keys.error(str(exc), "version") from None
        return version


def _depends(keys: _ManifestKeys) -> tuple[str, ...]:
    """The declared dependencies, ``base`` first unless declared (or the module is base)."""
    declared = keys.names("depends")
    if keys.name == "base" and "base" in declared:
        raise ModuleError(
            "module 'base' cannot depend on itself",
            module=keys.name,
            path=keys.file,
            line=keys.lines.get("depends"),
        )
    return declared if keys.name == "base" or "base" in declared else ("base", *declared)


def _auto_install(keys: _ManifestKeys, depends: tuple[str, ...]) -> bool | tuple[str, ...]:
    """``False``, or the dependencies whose installation installs the module (``True``: all)."""
    auto_install_raw = keys.raw.get("auto_install", False)
    if isinstance(auto_install_raw, bool):
        return depends if auto_install_raw else False
    auto_install = keys.names("auto_install")
    strangers = [dep for dep in auto_install if dep not in depends]
    if strangers:
        raise keys.error(
            "auto_install triggers must be dependencies, "
            f"found non-dependencies {', '.join(strangers)}",
            "auto_install",
        )
    return auto_install


def _literal_dict(source: str, name: str, file: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse a manifest source into its dict and the line of each key; never executes it."""
    try:
        tree = ast.parse(source, filename=str(file), mode="eval")
    except SyntaxError as exc:
        raise ModuleError(
            f"module {name!r}: syntax error in manifest: {exc.msg}",
            module=name,
            path=file,
            line=exc.lineno,
        ) from None
    body = tree.body
    if not isinstance(body, ast.Dict):
        raise ModuleError(
            f"module {name!r}: the manifest must be a single dict literal",
            module=name,
            path=file,
            line=body.lineno,
        )
    raw: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in zip(body.keys, body.values, strict=True):
        if key_node is None:  # {**other}
            raise ModuleError(
                f"module {name!r}: '**' is not allowed in a manifest",
                module=name,
                path=file,
                line=value_node.lineno,
            )
        if not (isinstance(key_node, ast.Constant) and isinstance(key_node.value, str)):
            raise ModuleError(
                f"module {name!r}: manifest keys must be strings",
                module=name,
                path=file,
                line=key_node.lineno,
            )
        key = key_node.value
        try:
            raw[key] = ast.literal_eval(value_node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            raise ModuleError(
                f"module {name!r}: manifest key {key!r} must be a literal value",
                module=name,
                path=file,
                line=value_node.lineno,
            ) from None
        lines[key] = key_node.lineno
    return raw, lines


# -- discovery ---------------------------------------------------------------------------------


def bundled_modules_dir() -> Path:
    """The folder of erplite's own modules (``erplite/modules``)."""
    import erplite  # the package is (being) imported already: this cannot cycle

    return Path(erplite.__file__).parent / "modules"


def discover_modules(
    addons_paths: Iterable[Path | str],
    *,
    include_bundled: bool = True,
    include_entry_points: bool = True,
) -> dict[str, Path]:
    """Map each available module's name to its folder.

    Sources, in this order: the bundled modules (``erplite/modules/*``), the subfolders of each
    addons path, then the entry points of group ``erplite.addons`` (name = module name, value =
    an importable package whose folder is the module). Folders that are not modules are skipped.
    A name found twice at different places raises :class:`ModuleError` naming both folders:
    nothing is shadowed silently. A missing addons path raises :class:`ModuleError` too.
    """
    found: dict[str, Path] = {}

    def add(name: str, folder: Path, origin: str) -> None:
        folder = folder.resolve()
        previous = found.get(name)
        if previous is not None and previous != folder:
            raise ModuleError(
                f"module {name!r} is found twice: {previous} and {folder} ({origin}); "
                "remove one of them or one of the addons paths",
                module=name,
                path=folder,
            )
        found[name] = folder

    if include_bundled:
        bundled = bundled_modules_dir()
        if bundled.is_dir():
            for folder in _module_folders(bundled):
                add(folder.name, folder, "bundled")

    for addons_path in addons_paths:
        directory = Path(addons_path).expanduser()
        if not directory.is_dir():
            raise ModuleError(
                f"addons path {str(addons_path)!r} does not exist or is not a directory",
                module=None,
                path=directory,
            )
        for folder in _module_folders(directory):
            add(folder.name, folder, f"addons path {directory}")

    if include_entry_points:
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            add(
                entry_point.name,
                _entry_point_folder(entry_point),
                f"entry point {entry_point.value}",
            )

    return found


def _module_folders(directory: Path) -> list[Path]:
    return sorted(
        child
        for child in directory.iterdir()
        if child.is_dir() and not child.name.startswith((".", "_")) and is_module_dir(child)
    )


def _entry_point_folder(entry_point: importlib.metadata.EntryPoint) -> Path:
    name, value = entry_point.name, entry_point.value.strip()
    where = f"entry point {name!r} = {value!r} (group {ENTRY_POINT_GROUP!r})"
    if ":" in value:
        raise ModuleError(
            f"module {name!r}: {where} must name a package, not an object",
            module=name,
        )
    try:
        spec = importlib.util.find_spec(value)
    except (ImportError, ValueError) as exc:
        raise ModuleError(
            f"module {name!r}: {where} cannot be imported: {exc}", module=name
        ) from exc
    if spec is None or not spec.submodule_search_locations:
        raise ModuleError(f"module {name!r}: {where} is not an importable package", module=name)
    folder = Path(next(iter(spec.submodule_search_locations)))
    if not is_module_dir(folder):
        raise ModuleError(
            f"module {name!r}: {where} is not a module folder "
            f"(needs __init__.py and {MANIFEST_FILE})",
            module=name,
            path=folder,
        )
    if folder.name != name:
        # The technical name is the folder name everywhere else (xml ids, imports).
        raise ModuleError(
            f"module {name!r}: {where} points to folder {folder.name!r}; "
            "the entry point name must be the folder name",
            module=name,
            path=folder,
        )
    return folder
