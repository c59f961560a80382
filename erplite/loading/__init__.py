"""Module loading, the part that needs no database: manifests, dependency order, data files.

Finding modules, ordering them and parsing their data files are pure functions of the file
system; the registry then applies the result to a database (schema, records, migrations).

- :mod:`~erplite.loading.manifest`: :func:`discover_modules` maps module names to folders
  (bundled ``erplite/modules``, addons paths, ``erplite.addons`` entry points);
  :func:`read_manifest` reads a ``__manifest__.py`` (a dict literal, never executed).
- :mod:`~erplite.loading.graph`: :func:`resolve_install_order` (what to load, in Odoo's order),
  :func:`auto_install_candidates`, :func:`dependents`.
- :mod:`~erplite.loading.data_files`: :func:`parse_data_file` turns an ``.xml`` or ``.csv`` file
  into operations (:class:`RecordOp`, :class:`FunctionOp`, :class:`DeleteOp`, :class:`MenuOp`,
  :class:`CsvOp`), each with its file and line.

Problems raise :class:`ModuleError` (module, manifest file, line) or :class:`DataFileError`
(``"<module>/<file>:<line>: ..."``).

Worked example::

    from erplite.loading import (
        discover_modules, read_manifest, resolve_install_order, auto_install_candidates,
        parse_data_file,
    )

    folders = discover_modules(["/srv/addons"])        # {"base": Path(...), "orders": ...}
    manifests = {name: read_manifest(path) for name, path in folders.items()}
    order = resolve_install_order(manifests, ["orders"])         # ["base", ..., "orders"]
    extra = auto_install_candidates(manifests, set(order))       # e.g. bridge modules
    order = resolve_install_order(manifests, ["orders", *extra])
    for name in order:
        manifest = manifests[name]
        for relpath in manifest.data:
            for op in parse_data_file(name, manifest.path, relpath):
                ...  # RecordOp(model="res.groups", xml_id="orders.group_manager", ...)
"""

from erplite.loading.data_files import (
    FIELD_KINDS,
    CsvOp,
    DataFileError,
    DeleteOp,
    FieldValue,
    FunctionOp,
    MenuOp,
    Op,
    RecordOp,
    parse_data_file,
    qualify_xml_id,
)
from erplite.loading.graph import auto_install_candidates, dependents, resolve_install_order
from erplite.loading.manifest import (
    Manifest,
    ModuleError,
    adapt_version,
    bundled_modules_dir,
    discover_modules,
    is_module_dir,
    read_manifest,
)

__all__ = [
    "FIELD_KINDS",
    "CsvOp",
    "DataFileError",
    "DeleteOp",
    "FieldValue",
    "FunctionOp",
    "Manifest",
    "MenuOp",
    "ModuleError",
    "Op",
    "RecordOp",
    "adapt_version",
    "auto_install_candidates",
    "bundled_modules_dir",
    "dependents",
    "discover_modules",
    "is_module_dir",
    "parse_data_file",
    "qualify_xml_id",
    "read_manifest",
    "resolve_install_order",
]
