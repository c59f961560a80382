"""Installing, upgrading and uninstalling modules on a database, in one transaction per run.

``load_modules`` is what ``Registry.new`` runs:

1. read the manifests, resolve what to load in dependency order (``auto_install`` included);
2. import the modules' Python code and build the registry's model classes;
3. ``pre-`` migration scripts of upgraded modules; schema synchronisation; each model's
   ``init()``; ``ir.model`` / ``ir.model.fields`` reflection;
4. for each module to install or upgrade, in order: its data files (then demo files when demo
   data is on), its ``post-`` migration scripts, its state and version in ``ir.module.module``;
5. ``end-`` migration scripts; commit.

Any error rolls the whole run back: the database is as it was before the command.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Any

from erplite.loading.apply import DataLoader
from erplite.loading.graph import auto_install_candidates, dependents, resolve_install_order
from erplite.loading.manifest import Manifest, ModuleError, discover_modules, read_manifest
from erplite.sql import SQL, Cursor, connection_pool, dbname_of

_logger = logging.getLogger(__name__)

TOP_MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"
_INSTALLED_STATES = ("installed", "to upgrade", "to remove")


def read_manifests(addons_paths: tuple = ()) -> dict[str, Manifest]:
    folders = discover_modules(addons_paths)
    return {name: read_manifest(path) for name, path in folders.items()}


def _table_exists(cr: Any, table: str) -> bool:
    cr.execute(SQL("SELECT to_regclass(%s) IS NOT NULL", table), flush=False)
    return bool(cr.fetchone()[0])


def module_states(cr: Any) -> dict[str, tuple[str, str | None, bool]]:
    """``name -> (state, installed version, demo)`` from ``ir.module.module``."""
    if not _table_exists(cr, "ir_module_module"):
        return {}
    cr.execute(SQL("SELECT name, state, latest_version, demo FROM ir_module_module"), flush=False)
    return {name: (state, version, bool(demo)) for name, state, version, demo in cr.fetchall()}


def installed_modules(cr: Any, addons_paths: tuple = ()) -> list[str]:
    """The installed modules of the database, in dependency order."""
    states = module_states(cr)
    installed = [name for name, (state, _v, _d) in states.items() if state in _INSTALLED_STATES]
    if not installed:
        return []
    manifests = read_manifests(addons_paths)
    missing = [name for name in installed if name not in manifests]
    if missing:
        raise ModuleError(f"Installed module {missing[0]!r} cannot be found in the addons paths",
                          module=missing[0])
    return resolve_install_order(manifests, installed)


def _version_key(version: str) -> tuple:
    parts = []
    for part in version.split("."):
        parts.append(int(part) if part.isdigit() else 0)
    return tuple(parts)


def migration_scripts(manifest: Manifest, stage: str, installed: str | None, new: str) -> list[Path]:
    """The ``<stage>-*.py`` scripts of versions after ``installed`` up to ``new``, in order."""
    if not installed:
        return []
    from erplite.loading.manifest import adapt_version

    low, high = _version_key(adapt_version(installed)), _version_key(adapt_version(new))
    scripts: list[tuple[tuple, str, Path]] = []
    for base in (manifest.path / "migrations", TOP_MIGRATIONS / manifest.name):
        if not base.is_dir():
            continue
        for version_dir in base.iterdir():
            if not version_dir.is_dir():
                continue
            key = _version_key(adapt_version(version_dir.name))
            if low < key <= high:
                for script in sorted(version_dir.glob(f"{stage}-*.py")):
                    scripts.append((key, script.name, script))
    return [path for _key, _name, path in sorted(scripts)]


def run_migration(cr: Any, script: Path, installed_version: str) -> None:
    """Run ``migrate(cr, version)`` of ``script`` (module code, trusted like the module)."""
    spec = importlib.util.spec_from_file_location(f"erplite_migration_{abs(hash(script))}", script)
    if spec is None or spec.loader is None:
        raise ModuleError(f"cannot load migration script {script}", module=script.parent.parent.name, path=script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    migrate = getattr(module, "migrate", None)
    if migrate is None:
        raise ModuleError(f"migration script {script} has no migrate(cr, version) function",
                          module=script.parent.parent.name, path=script)
    _logger.info("running migration %s", script)
    with cr.savepoint(flush=False):
        migrate(cr, installed_version)


def load_modules(registry_cls: type, dsn: str, install: tuple = (), update: tuple = (),
                 addons_paths: tuple = (), demo: bool = False, uninstall: tuple = (),
                 drop_data: bool = False) -> Any:
    """Install, upgrade and uninstall modules in one transaction; return the new registry."""
    from erplite import api
    from erplite.orm import schema

    manifests = read_manifests(addons_paths)
    for name in (*install, *update, *uninstall):
        if name != "all" and name not in manifests:
            raise ModuleError(f"Unknown module {name!r}", module=name)
    cr = Cursor(connection_pool(dsn), dbname_of(dsn))
    try:
        states = module_states(cr)
        installed = [n for n, (s, _v, _d) in states.items() if s in _INSTALLED_STATES and n in manifests]
        installed_set = set(installed)
        db_demo = any(d for _s, _v, d in states.values()) if states else demo
        to_remove = set(uninstall)
        if to_remove:
            if "base" in to_remove:
                raise ModuleError("The base module cannot be uninstalled", module="base")
            to_remove |= set(dependents(manifests, to_remove)) & installed_set
        to_update = set(installed) if "all" in update else {m for m in update if m in installed_set}
        not_installed = [m for m in update if m != "all" and m not in installed_set]
        wanted = (installed_set - to_remove) | set(install) | set(not_installed) | {"base"}
        order = resolve_install_order(manifests, wanted)
        while True:
            extra = [m for m in auto_install_candidates(manifests, set(order)) if m not in order
                     and m not in to_remove]
            if not extra:
                break
            order = resolve_install_order(manifests, set(order) | set(extra))
        newly = [m for m in order if m not in installed_set]

        # pre-migrations, before the code of the new version touches the schema
        for module in order:
            if module in to_update:
                for script in migration_scripts(manifests[module], "pre", states[module][1],
                                                manifests[module].version):
                    run_migration(cr, script, states[module][1])

        if to_remove:
            _uninstall(cr, registry_cls, dsn, addons_paths, installed, to_remove, manifests, drop_data)

        registry = registry_cls(dsn, addons_paths, _modules=order)
        cr.registry = registry
        schema.sync_models(cr, registry)
        if "base" in newly:
            from erplite.modules.base.bootstrap import bootstrap

            bootstrap(cr)
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        for model_class in registry.models.values():
            if model_class._auto and not model_class._abstract and "init" in dir(model_class):
                env[model_class._name].init()
        _reflect_models(env, registry)
        _register_modules(env, manifests)

        progress = _progress(len([m for m in order if m in newly or m in to_update]))
        for module in order:
            manifest = manifests[module]
            if module in newly:
                mode = "init"
            elif module in to_update:
                mode = "update"
            else:
                continue
            loader = DataLoader(env, module, manifest.path, mode)
            for relpath in manifest.data:
                loader.load(relpath)
            with_demo = demo if mode == "init" else (states.get(module, ("", "", False))[2] or db_demo and demo)
            if with_demo:
                for relpath in manifest.demo:
                    loader.load(relpath)
            if mode == "update":
                _remove_obsolete_records(env, module, loader.loaded_xmlids)
                for script in migration_scripts(manifest, "post", states[module][1], manifest.version):
                    run_migration(cr, script, states[module][1])
            env["ir.module.module"].search([("name", "=", module)]).write({
                "state": "installed", "latest_version": manifest.version, "demo": bool(with_demo),
            })
            env.flush_all()
            progress(module)
        for module in order:
            if module in to_update:
                for script in migration_scripts(manifests[module], "end", states[module][1],
                                                manifests[module].version):
                    run_migration(cr, script, states[module][1])
        env.flush_all()
        cr.execute(SQL("SELECT 1"), flush=True)
        _signal_registry_change(cr)
        cr.commit()
    except BaseException:
        cr.rollback()
        raise
    finally:
        cr.close()
    registry.clear_access_cache()
    return registry


def _progress(total: int) -> Any:
    """A step function advancing a progress bar (drawn only on a terminal)."""
    from erplite.tools.progress import ProgressBar

    if not total:
        return lambda label: None
    bar = ProgressBar(total, "modules")

    def step(label: str) -> None:
        bar.set_label(label)
        bar.update(1)
        if bar.count >= total:
            bar.close()

    return step


def _reflect_models(env: Any, registry: Any) -> None:
    """Create or update ``ir.model`` and ``ir.model.fields`` rows (``model_<name>`` ids)."""
    IrModel = env["ir.model"]
    IrFields = env["ir.model.fields"]
    existing = {rec["model"]: rec["id"] for rec in IrModel.search_read([], ["model"])}
    new_models = []
    for name, model_class in registry.models.items():
        vals = {"name": model_class._description or name, "model": name,
                "transient": bool(model_class._transient), "abstract": bool(model_class._abstract),
                "modules": model_class._original_module}
        if name not in existing:
            new_models.append(vals)
    if new_models:
        created = IrModel.create(new_models)
        for record in created:
            existing[record.model] = record.id
    xmlids = []
    for name, model_class in registry.models.items():
        module = model_class._original_module or "base"
        xmlids.append({"xml_id": f"{module}.model_{name.replace('.', '_')}",
                       "record": IrModel.browse(existing[name]), "noupdate": False})
    env["ir.model.data"]._update_xmlids_bulk(xmlids)
    current = {(rec["model"], rec["name"]) for rec in IrFields.search_read([], ["model", "name"], load=False)}
    new_fields = []
    for name, model_class in registry.models.items():
        for fname, field in model_class._fields.items():
            if (name, fname) in current:
                continue
            new_fields.append({
                "name": fname, "model": name, "model_id": existing[name],
                "field_description": field.string or fname, "ttype": field.type,
                "relation": getattr(field, "comodel_name", None) or False,
                "required": bool(field.required), "readonly": bool(field.readonly),
                "store": bool(field.store), "related": field.related or False,
                "groups": field.groups or False,
            })
    if new_fields:
        IrFields.create(new_fields)


def _register_modules(env: Any, manifests: dict[str, Manifest]) -> None:
    Module = env["ir.module.module"]
    known = {rec["name"]: rec["id"] for rec in Module.search_read([], ["name"])}
    missing = [
        {"name": name, "shortdesc": manifest.title or name, "summary": manifest.summary or False,
         "license": manifest.license or False, "state": "uninstalled",
         "auto_install": manifest.auto_install is not False}
        for name, manifest in manifests.items() if name not in known
    ]
    if missing:
        Module.create(missing)


def _remove_obsolete_records(env: Any, module: str, loaded: set[str]) -> None:
    """After an update, delete the records of ``module`` whose data no longer declares them."""
    for name, model, res_id in env["ir.model.data"]._module_xmlids(module):
        xml_id = f"{module}.{name}"
        if xml_id in loaded or model in ("ir.model", "ir.model.fields", "ir.module.module"):
            continue
        env.cr.execute(SQL("SELECT noupdate FROM ir_model_data WHERE module = %s AND name = %s",
                           module, name))
        row = env.cr.fetchone()
        if row and row[0]:
            continue
        if model in env:
            env[model].browse(res_id).exists().unlink()
        env.cr.execute(SQL("DELETE FROM ir_model_data WHERE module = %s AND name = %s", module, name))


def _uninstall(cr: Any, registry_cls: type, dsn: str, addons_paths: tuple, installed: list[str],
               to_remove: set[str], manifests: dict, drop_data: bool) -> None:
    """Remove the records and external ids of ``to_remove`` (reverse dependency order); drop
    their tables and columns only when ``drop_data`` asks for it."""
    from erplite import api

    order = resolve_install_order(manifests, installed)
    registry = registry_cls(dsn, addons_paths, _modules=order)
    cr.registry = registry
    env = api.Environment(cr, api.SUPERUSER_ID, {})
    for module in reversed(order):
        if module not in to_remove:
            continue
        for name, model, res_id in env["ir.model.data"]._module_xmlids(module):
            if model in ("ir.model", "ir.model.fields", "ir.module.module"):
                continue
            if model in env:
                env[model].browse(res_id).exists().unlink()
        cr.execute(SQL("DELETE FROM ir_model_data WHERE module = %s", module))
        owned = [name for name, cls in registry.models.items() if cls._original_module == module]
        if drop_data:
            for name in owned:
                model_class = registry.models[name]
                if model_class._auto and not model_class._abstract:
                    cr.execute(SQL("DROP TABLE IF EXISTS %s CASCADE", SQL.identifier(model_class._table)))
            for cls in registry.models.values():
                for field in cls._fields.values():
                    defined_here = _field_module(cls, field.name) == module
                    if defined_here and cls._original_module != module and field.store and field.column_type:
                        cr.execute(SQL("ALTER TABLE %s DROP COLUMN IF EXISTS %s",
                                       SQL.identifier(cls._table), SQL.identifier(field.column_name)))
        env["ir.model"].search([("model", "in", owned)]).unlink()
        env["ir.module.module"].search([("name", "=", module)]).write({"state": "uninstalled", "latest_version": False})
        env.flush_all()
    cr.transaction = None


def _field_module(model_class: type, fname: str) -> str | None:
    for klass in reversed(model_class.__mro__):
        if fname in klass.__dict__ and getattr(klass, "_module", None):
            return klass._module
    return None


def _signal_registry_change(cr: Any) -> None:
    """Bump the registry signal other worker processes watch (see the HTTP layer)."""
    cr.execute(SQL(
        "CREATE TABLE IF NOT EXISTS erplite_registry_signal (id int PRIMARY KEY, sequence bigint NOT NULL)"
    ), flush=False)
    cr.execute(SQL(
        "INSERT INTO erplite_registry_signal (id, sequence) VALUES (1, 1) "
        "ON CONFLICT (id) DO UPDATE SET sequence = erplite_registry_signal.sequence + 1"
    ), flush=False)
