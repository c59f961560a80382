"""Installing, upgrading and uninstalling modules on a database, in one transaction per run.

:class:`Registry` is the public ``erplite.Registry``: the ORM's registry
(:class:`erplite.orm.registry.Registry`) given the modules of a database. ``Registry(dsn)``
opens an initialised database as it is; ``Registry.new`` (and :func:`uninstall_modules`) runs
``load_modules``:

1. read the manifests (a broken manifest is an error only if its module is needed), work out
   the modules to install, upgrade and remove: the arguments, plus the modules whose state in
   ``ir.module.module`` is ``to install`` / ``to upgrade`` / ``to remove``; upgrading a module
   upgrades the installed modules depending on it, removing one removes them; ``auto_install``
   modules join when their triggers are there; everything in dependency order;
2. ``pre-`` migration scripts of the upgraded modules (before any schema change);
3. removal of the modules to uninstall (their records and external ids; their tables and
   columns only with ``drop_data``), in reverse dependency order;
4. import the modules' Python code, build the registry, synchronise the schema, run each
   model's ``init()``, reflect the models in ``ir.model`` / ``ir.model.fields``;
5. for each module to install or upgrade, in order: its data files (then its demo files when
   the module has demo data), its ``post_init_hook`` (installation) or ``post-`` migration
   scripts (upgrade), its state and version;
6. ``end-`` migration scripts; records an upgraded module no longer declares are deleted
   (unless ``noupdate``); the registry signal tells the other processes; commit.

The manifest hooks are Odoo 17's: ``pre_init_hook(env)`` before the module's tables exist
(when its dependencies were installed before the run; else once their tables exist),
``post_init_hook(env)`` after its data, ``uninstall_hook(env)`` before its records go. A module
whose ``external_dependencies`` names a Python package that cannot be imported is refused.

Any error rolls the whole run back: the database is as it was before. Migration scripts are
``<module>/migrations/<version>/{pre,post,end}-*.py`` and ``migrations/<module>/<version>/...``
at the top of the project (and of each ``upgrade_paths`` folder); only the versions after the
installed one and up to the new one run (``0.0.0`` runs at every upgrade), in version order.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import logging
import sys
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg

from erplite import pooler
from erplite.loading.apply import DataLoader
from erplite.loading.graph import auto_install_candidates, dependents, resolve_install_order
from erplite.loading.manifest import (
    Manifest,
    ModuleError,
    adapt_version,
    discover_modules,
    read_manifest,
)
from erplite.orm import registry as orm_registry
from erplite.sql import SQL, Cursor, connection_pool, dbname_of

if TYPE_CHECKING:
    from erplite.orm.environment import Environment

_logger = logging.getLogger(__name__)

_INSTALLED_STATES = ("installed", "to upgrade", "to remove")
#: the advisory lock serialising the runs of load_modules on one database ("erplite" in ASCII)
_LOAD_LOCK = 0x65726C697465
#: reflection records: kept up to date by the loader itself, never deleted as obsolete data
_REFLECTION_MODELS = ("ir.model", "ir.model.fields", "ir.module.module")


# -- manifests ---------------------------------------------------------------------------------


def scan_modules(
    addons_paths: Iterable[str | Path] = (),
) -> tuple[dict[str, Manifest], dict[str, ModuleError]]:
    """``(manifests, broken)``: the readable manifests of every module found, and the error of
    each module whose manifest cannot be read."""
    manifests: dict[str, Manifest] = {}
    broken: dict[str, ModuleError] = {}
    for name, path in discover_modules(tuple(addons_paths)).items():
        try:
            manifests[name] = read_manifest(path)
        except ModuleError as error:
            broken[name] = error
    return manifests, broken


def _check_needed(
    manifests: dict[str, Manifest], broken: dict[str, ModuleError], names: Iterable[str]
) -> None:
    """Raise the manifest error of any module of ``names`` or of their dependencies."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in broken:
            raise broken[name]
        if name in manifests:
            todo.extend(manifests[name].depends)


def module_states(cr: Cursor) -> dict[str, tuple[str, str | None, bool]]:
    """``name -> (state, installed version, demo)`` from ``ir.module.module``."""
    if not _table_exists(cr, "ir_module_module"):
        return {}
    cr.execute(SQL("SELECT name, state, latest_version, demo FROM ir_module_module"), flush=False)
    return {name: (state, version, bool(demo)) for name, state, version, demo in cr.fetchall()}


def installed_modules(cr: Cursor, addons_paths: Iterable[str | Path] = ()) -> list[str]:
    """The installed modules of the database, in dependency order."""
    states = module_states(cr)
    installed = [name for name, (state, _v, _d) in states.items() if state in _INSTALLED_STATES]
    if not installed:
        return []
    manifests, broken = scan_modules(addons_paths)
    _check_needed(manifests, broken, installed)
    missing = [name for name in sorted(installed) if name not in manifests]
    if missing:
        raise ModuleError(
            f"Installed module {missing[0]!r} cannot be found in the addons paths",
            module=missing[0],
        )
    return resolve_install_order(manifests, installed)


def _table_exists(cr: Cursor, table: str) -> bool:
    cr.execute(SQL("SELECT to_regclass(%s) IS NOT NULL", table), flush=False)
    row = cr.fetchone()
    return bool(row and row[0])


# -- migrations --------------------------------------------------------------------------------


def _version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))


def migration_scripts(
    manifest: Manifest,
    stage: str,
    installed: str | None,
    new: str,
    upgrade_paths: Iterable[str | Path] = (),
) -> list[Path]:
    """The ``<stage>-*.py`` scripts to run when upgrading ``manifest``'s module from version
    ``installed`` to ``new``: those of the version folders after ``installed`` up to ``new``
    (and of ``0.0.0``, run at every upgrade), by version then file name. Folders are looked for
    in ``<module>/migrations/`` and in ``<top>/<module>/`` for each ``<top>`` of
    ``upgrade_paths``. Nothing runs at installation."""
    if not installed:
        return []
    low, high = _version_key(adapt_version(installed)), _version_key(adapt_version(new))
    if low >= high:
        return []
    scripts: list[tuple[tuple, str, Path]] = []
    bases = [manifest.path / "migrations"]
    bases += [Path(top) / manifest.name for top in upgrade_paths]
    for base in bases:
        if not base.is_dir():
            continue
        for version_dir in base.iterdir():
            if not version_dir.is_dir() or version_dir.name.startswith((".", "_")):
                continue
            if version_dir.name == "0.0.0":
                key: tuple = (-1,)  # before every version
            else:
                try:
                    key = _version_key(adapt_version(version_dir.name))
                except ValueError:
                    _logger.warning("ignoring migration folder %s: not a version", version_dir)
                    continue
                if not low < key <= high:
                    continue
            for script in sorted(version_dir.glob(f"{stage}-*.py")):
                scripts.append((key, script.name, script))
    return [path for _key, _name, path in sorted(scripts)]


def run_migration(cr: Cursor, module: str, script: Path, installed_version: str) -> None:
    """Run ``migrate(cr, installed_version)`` of ``script`` (module code, trusted like the
    module). A failure raises ``ModuleError`` naming the script and the line that failed."""
    spec = importlib.util.spec_from_file_location(
        f"erplite_migration_{abs(hash(str(script)))}", script
    )
    if spec is None or spec.loader is None:
        raise ModuleError(
            f"module {module!r}: cannot load migration script", module=module, path=script
        )
    _logger.info("module %s: running migration %s", module, script)
    try:
        code = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(code)
        migrate = getattr(code, "migrate", None)
        if migrate is None:
            raise ModuleError(
                f"module {module!r}: migration script has no migrate(cr, version) function",
                module=module,
                path=script,
            )
        with cr.savepoint(flush=False):
            migrate(cr, installed_version)
    except ModuleError:
        raise
    except Exception as error:
        line = None
        for frame in traceback.extract_tb(error.__traceback__):
            if Path(frame.filename) == script:
                line = frame.lineno
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ModuleError(
            f"module {module!r}: migration failed: {type(error).__name__}: {detail}",
            module=module,
            path=script,
            line=line,
        ) from error


# -- the registry ------------------------------------------------------------------------------


class Registry(orm_registry.Registry):
    """The models of one database (``erplite.Registry``). ``Registry(dsn)`` opens an
    initialised database as it is; ``Registry.new(dsn, install=..., update=...)`` creates,
    installs and upgrades."""

    def __init__(
        self,
        dsn: str,
        addons_paths: Iterable[str | Path] = (),
        *,
        _modules: list[str] | None = None,
    ):
        super().__init__(dsn, addons_paths)
        modules = _modules
        if modules is None:
            with self.cursor() as cr:
                modules = installed_modules(cr, self.addons_paths)
            if not modules:
                raise RuntimeError(
                    f"Database {self.dbname!r} is not initialised: use Registry.new() or "
                    f"'erplite -d {self.dbname} -i base'"
                )
        self.load(modules, discover_modules(self.addons_paths))
        if _modules is None:  # an installed database as it is: its hooks run now
            with self.cursor() as cr:
                self.register_hooks(cr)

    @classmethod
    def new(
        cls,
        dsn: str,
        install: Iterable[str] = (),
        update: Iterable[str] = (),
        addons_paths: Iterable[str | Path] = (),
        demo: bool = False,
    ) -> Registry:
        """Initialise ``dsn`` if empty, install ``install`` and upgrade ``update`` (one
        transaction: a failure leaves the database as it was), and return the registry."""
        return load_modules(
            cls,
            dsn,
            install=tuple(install),
            update=tuple(update),
            addons_paths=tuple(addons_paths),
            demo=demo,
        )


# -- the run -----------------------------------------------------------------------------------


def uninstall_modules(
    dsn: str,
    modules: Iterable[str],
    addons_paths: Iterable[str | Path] = (),
    drop_data: bool = False,
) -> Any:
    """Uninstall ``modules`` and the installed modules depending on them (one transaction) and
    return the new registry. Their records and external ids are deleted; their tables and
    columns are dropped only if ``drop_data`` (else the data stays, unused)."""
    return load_modules(
        Registry,
        dsn,
        uninstall=tuple(modules),
        addons_paths=tuple(addons_paths),
        drop_data=drop_data,
    )


def load_modules(
    registry_cls: type,
    dsn: str,
    install: tuple = (),
    update: tuple = (),
    addons_paths: tuple = (),
    demo: bool = False,
    uninstall: tuple = (),
    drop_data: bool = False,
    upgrade_paths: tuple = (),
) -> Any:
    """Install, upgrade and uninstall modules in one transaction; return the new registry.

    ``update`` may hold ``"all"``. Upgrading a module that is not installed does nothing (as
    in Odoo). ``demo`` loads demo data with the modules installed now; a database created
    with demo data gets the demo data of every module installed later too. The steps are
    those of this file's docstring, one function each.
    """
    manifests, broken = scan_modules(addons_paths)
    for name in (*install, *update, *uninstall):
        if name != "all" and name not in manifests:
            raise broken.get(name) or ModuleError(f"Unknown module {name!r}", module=name)
    with _loading_transaction(dsn) as cr:
        plan = _plan_run(cr, manifests, broken, install, update, uninstall, demo)
        for module in plan.order:
            if module in plan.to_update:
                old_version = plan.old_versions[module]
                _migrate(cr, module, manifests[module], "pre", old_version, upgrade_paths)
        if plan.to_remove:
            old_order = resolve_install_order(manifests, plan.installed)
            _uninstall(
                cr, registry_cls, dsn, addons_paths, old_order, plan.to_remove, drop_data, manifests
            )
        registry, env = _build_registry(cr, registry_cls, dsn, addons_paths, manifests, plan)
        loaded_xmlids = _load_module_data(env, manifests, plan, demo, upgrade_paths)
        for module in plan.order:
            if module in plan.to_update:
                old_version = plan.old_versions[module]
                _migrate(cr, module, manifests[module], "end", old_version, upgrade_paths)
        if plan.to_update:
            env.invalidate_all()
            updated = [m for m in plan.order if m in plan.to_update]
            _remove_obsolete_records(env, updated, loaded_xmlids)
        env.flush_all()
        registry.register_hooks(cr)
        registry.signal_registry_change(cr)
        cr.commit()
    registry.modules_pending_data = set()
    registry.clear_access_cache()
    return registry


@contextlib.contextmanager
def _loading_transaction(dsn: str) -> Iterator[Cursor]:
    """A cursor on ``dsn`` holding the database's loading lock: one run at a time per
    database (two workers started with -i, a CLI upgrade while a server starts), the second
    waiting, then starting its transaction seeing the first's work. The transaction is rolled
    back if the block raises; the lock is released and the cursor closed in any case.

    Behind a transaction-mode pooler (``erplite.pooler``) the lock, a session-level one, is
    held on a connection of its own over the direct DSN, since the pooler would hand the
    cursor's later transactions to other server sessions."""
    if pooler.transaction_pooling():
        with _direct_loading_lock(dsn):
            cr = Cursor(connection_pool(dsn), dbname_of(dsn))
            try:
                yield cr
            except BaseException:
                cr.rollback()
                raise
            finally:
                cr.close()
        return
    cr = Cursor(connection_pool(dsn), dbname_of(dsn))
    cr.execute(SQL("SELECT pg_advisory_lock(%s)", _LOAD_LOCK), flush=False)
    cr.commit()
    try:
        yield cr
    except BaseException:
        cr.rollback()
        raise
    finally:
        try:
            cr.execute(SQL("SELECT pg_advisory_unlock(%s)", _LOAD_LOCK), flush=False)
            cr.commit()
        except psycopg.Error:  # a broken connection: the pool discards it, its lock with it
            _logger.warning("could not release the module loading lock", exc_info=True)
        finally:
            cr.close()


@contextlib.contextmanager
def _direct_loading_lock(dsn: str) -> Iterator[None]:
    """The loading lock of ``dsn``'s database held on a direct connection for the block
    (released when that connection closes)."""
    direct = pooler.session_dsn(dsn)
    if direct is None:
        raise RuntimeError(
            f"cannot install or upgrade modules of {dbname_of(dsn)!r} through a "
            "transaction-mode pooler without a direct DSN (db_direct_dsn, "
            "ERPLITE_DB_DIRECT_DSN): the loading lock needs a session"
        )
    with psycopg.connect(direct, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [_LOAD_LOCK])
        yield


@dataclasses.dataclass
class _Plan:
    """What one run does (step 1), from its arguments and ``ir.module.module``."""

    #: ``name -> (state, installed version, demo)`` before the run
    states: dict[str, tuple[str, str | None, bool]]
    #: the modules installed before the run
    installed: set[str]
    #: the modules installed after the run, in dependency order
    order: list[str]
    #: the modules of ``order`` installed by this run, in order
    newly: list[str]
    to_update: set[str]
    to_remove: set[str]
    #: the installed version of each module of ``to_update``
    old_versions: dict[str, str | None]
    #: whether the database has demo data (modules installed now get theirs)
    base_demo: bool


def _plan_run(
    cr: Cursor,
    manifests: dict[str, Manifest],
    broken: dict[str, ModuleError],
    install: tuple,
    update: tuple,
    uninstall: tuple,
    demo: bool,
) -> _Plan:
    """Step 1: the modules to install, upgrade and remove: the arguments, plus the modules
    whose state is ``to install`` / ``to upgrade`` / ``to remove``; upgrading a module upgrades
    the installed modules depending on it, removing one removes them; ``auto_install`` modules
    join when their triggers are there; everything in dependency order. A broken manifest is
    an error only if its module is needed."""
    states = module_states(cr)
    installed = [n for n, (s, _v, _d) in states.items() if s in _INSTALLED_STATES]
    _check_needed(manifests, broken, installed)
    missing = sorted(n for n in installed if n not in manifests)
    if missing:
        raise ModuleError(
            f"Installed module {missing[0]!r} cannot be found in the addons paths",
            module=missing[0],
        )
    installed_set = set(installed)
    marked = {
        state: {n for n, (s, _v, _d) in states.items() if s == state}
        for state in ("to install", "to upgrade", "to remove")
    }
    to_remove = set(uninstall) | marked["to remove"]
    if "base" in to_remove:
        raise ModuleError("The base module cannot be uninstalled", module="base")
    if to_remove:
        to_remove |= set(dependents(manifests, to_remove)) & installed_set
    to_remove &= installed_set
    requested_update = set(installed_set) if "all" in update else set(update) | marked["to upgrade"]
    for name in sorted(requested_update - installed_set):
        _logger.warning("module %s is not installed: not upgraded", name)
    to_update = requested_update & installed_set
    if to_update:
        to_update |= set(dependents(manifests, to_update)) & installed_set
    to_update -= to_remove
    wanted = (installed_set - to_remove) | set(install) | marked["to install"] | {"base"}
    order = _install_order(manifests, broken, wanted, to_remove)
    newly = [m for m in order if m not in installed_set]
    for module in newly:
        _check_external_dependencies(manifests[module])
    return _Plan(
        states=states,
        installed=installed_set,
        order=order,
        newly=newly,
        to_update=to_update,
        to_remove=to_remove,
        old_versions={m: states[m][1] for m in to_update},
        base_demo=states.get("base", ("", None, demo))[2] if "base" in installed_set else demo,
    )


def _install_order(
    manifests: dict[str, Manifest],
    broken: dict[str, ModuleError],
    wanted: set[str],
    to_remove: set[str],
) -> list[str]:
    """``wanted`` with their dependencies and the ``auto_install`` modules whose triggers are
    there (but not those being removed), in dependency order."""
    _check_needed(manifests, broken, wanted)
    order = resolve_install_order(manifests, wanted)
    while True:
        extra = [m for m in auto_install_candidates(manifests, set(order)) if m not in to_remove]
        if not extra:
            return order
        _check_needed(manifests, broken, extra)
        order = resolve_install_order(manifests, set(order) | set(extra))


def _migrate(
    cr: Cursor,
    module: str,
    manifest: Manifest,
    stage: str,
    old_version: str | None,
    upgrade_paths: tuple,
) -> None:
    """Run the ``stage`` (``pre``, ``post``, ``end``) migration scripts of ``module`` upgraded
    from ``old_version`` (steps 2, 5 and 6)."""
    if not old_version:  # not installed before: nothing to migrate (migration_scripts agrees)
        return
    for script in migration_scripts(manifest, stage, old_version, manifest.version, upgrade_paths):
        run_migration(cr, module, script, old_version)


def _build_registry(
    cr: Cursor,
    registry_cls: type,
    dsn: str,
    addons_paths: tuple,
    manifests: dict[str, Manifest],
    plan: _Plan,
) -> tuple[Any, Any]:
    """Step 4: import the modules' Python code and build the registry, synchronise the
    schema, run each model's ``init()``, reflect the models in ``ir.model`` /
    ``ir.model.fields``; the ``pre_init_hook`` of each new module. ``(registry, env)``."""
    from erplite import api
    from erplite.orm import schema

    registry = registry_cls(dsn, addons_paths, _modules=plan.order)
    cr.registry = registry
    # pre_init_hook: before the module's tables exist, as in Odoo, when its dependencies
    # are installed already; else (they come in this run) once their tables exist
    early = [m for m in plan.newly if set(manifests[m].depends) <= plan.installed]
    for module in early:
        _run_hook(api.Environment(cr, api.SUPERUSER_ID, {}), manifests[module], "pre_init_hook")
    new_columns: list[tuple[str, str]] = []
    schema.sync_models(cr, registry, new_columns=new_columns)
    if "base" in plan.newly:
        # base's package is imported by now, under erplite.addons (its only name)
        base_bootstrap = importlib.import_module("erplite.addons.base.bootstrap")
        base_bootstrap.bootstrap(cr)
        new_columns.extend(
            (model_name, name)
            for model_name in base_bootstrap.BOOTSTRAP_MODELS
            for name, field in registry.models[model_name]._fields.items()
            if field.store and field.column_type is not None and name != "id"
        )
    env = api.Environment(cr, api.SUPERUSER_ID, {})
    for model_class in registry.models.values():
        if model_class._auto and not model_class._abstract and "init" in dir(model_class):
            env[model_class._name].init()
    # fields added to models whose tables have rows: those rows get the defaults
    for model_name, field_name in new_columns:
        env[model_name]._init_column(field_name)
    _reflect_models(env, registry)
    _register_modules(env, manifests)
    for module in plan.newly:
        if module not in early:
            _run_hook(env, manifests[module], "pre_init_hook")
    return registry, env


def _load_module_data(
    env: Environment, manifests: dict[str, Manifest], plan: _Plan, demo: bool, upgrade_paths: tuple
) -> set[str]:
    """Step 5: for each module to install or upgrade, in order: its data files (then its demo
    files when the module has demo data), its ``post_init_hook`` (installation) or ``post-``
    migration scripts (upgrade), its state and version. The external ids loaded."""
    registry = env.registry
    loaded_xmlids: set[str] = set()
    changed = [m for m in plan.order if m in plan.newly or m in plan.to_update]
    progress = _progress(len(changed))
    registry.modules_pending_data = set(changed)
    for module in changed:
        manifest = manifests[module]
        if module in plan.newly:
            mode, with_demo = "init", demo or plan.base_demo
        else:
            mode, with_demo = "update", plan.states[module][2]
        registry.modules_pending_data.discard(module)
        _logger.info("module %s: %s", module, "installing" if mode == "init" else "upgrading")
        loader = DataLoader(env, module, manifest.path, mode)
        for relpath in manifest.data:
            loader.load(relpath)
        if with_demo:
            for relpath in manifest.demo:
                loader.load(relpath)
        loaded_xmlids |= loader.loaded_xmlids
        if mode == "init":
            _run_hook(env, manifest, "post_init_hook")
        else:
            _migrate(env.cr, module, manifest, "post", plan.old_versions[module], upgrade_paths)
        env["ir.module.module"].search([("name", "=", module)]).write(
            {"state": "installed", "latest_version": manifest.version, "demo": bool(with_demo)}
        )
        env.flush_all()
        progress(module)
    return loaded_xmlids


def _check_external_dependencies(manifest: Manifest) -> None:
    """Refuse to install a module whose manifest's ``external_dependencies`` lists a Python
    package that cannot be imported (Odoo's check)."""
    external = manifest.raw.get("external_dependencies") or {}
    for package in external.get("python", []) if isinstance(external, dict) else []:
        if importlib.util.find_spec(str(package).split(".")[0]) is None:
            raise ModuleError(
                f"module {manifest.name!r} needs the Python package {package!r}, which is not installed",
                module=manifest.name,
                path=manifest.manifest_path,
            )


def _run_hook(env: Environment, manifest: Manifest, key: str) -> None:
    """Call the function of the module's package named by its manifest's ``key``
    (``pre_init_hook``, ``post_init_hook``, ``uninstall_hook``) with ``env``, as Odoo 17."""
    name = manifest.raw.get(key)
    if not name:
        return
    package = sys.modules.get(f"erplite.addons.{manifest.name}")
    hook = getattr(package, str(name), None)
    if not callable(hook):
        raise ModuleError(
            f"module {manifest.name!r}: {key} {name!r} is not a function of the module",
            module=manifest.name,
            path=manifest.manifest_path,
        )
    _logger.info("module %s: running %s", manifest.name, key)
    try:
        hook(env)
        env.flush_all()
    except Exception as error:
        raise ModuleError(
            f"module {manifest.name!r}: {key} failed: {type(error).__name__}: {error}",
            module=manifest.name,
            path=manifest.manifest_path,
        ) from error


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


# -- reflection --------------------------------------------------------------------------------


def _field_values(name: str, model_id: int, fname: str, field: Any, module: str | None) -> dict:
    return {
        "name": fname,
        "model": name,
        "model_id": model_id,
        "field_description": field.string or fname,
        "ttype": field.type,
        "relation": getattr(field, "comodel_name", None) or False,
        "relation_field": getattr(field, "inverse_name", None) or False,
        "required": bool(field.required),
        "readonly": bool(field.readonly),
        "store": bool(field.store),
        "index": bool(getattr(field, "index", False)),
        "related": field.related or False,
        "groups": field.groups or False,
        "modules": module or False,
    }


def _reflect_models(env: Environment, registry: Any) -> None:
    """Make ``ir.model`` and ``ir.model.fields`` match the registry (``<module>.model_<name>``
    external ids included): new rows for new models and fields, changed attributes updated,
    rows of models and fields that no longer exist deleted."""
    model_ids = _reflect_model_rows(env, registry)
    _reflect_field_rows(env, registry, model_ids)


def _reflect_model_rows(env: Environment, registry: Any) -> dict[str, int]:
    """The ``ir.model`` rows and their external ids; ``{model name: ir.model id}``."""
    IrModel = env["ir.model"]
    rows = {
        rec["model"]: rec
        for rec in IrModel.search_read([], ["model", "name", "transient", "abstract", "modules"])
    }
    new_models = []
    for name, model_class in registry.models.items():
        vals = {
            "name": model_class._description or name,
            "model": name,
            "transient": bool(model_class._transient),
            "abstract": bool(model_class._abstract),
            "modules": model_class._original_module or False,
        }
        row = rows.get(name)
        if row is None:
            new_models.append(vals)
        elif any(row[key] != value for key, value in vals.items()):
            IrModel.browse(row["id"]).write(vals)
    existing = {name: row["id"] for name, row in rows.items()}
    if new_models:
        for record in IrModel.create(new_models):
            existing[record.model] = record.id
    gone = [existing.pop(name) for name in list(existing) if name not in registry.models]
    if gone:
        IrModel.browse(gone).unlink()
    env["ir.model.data"]._update_xmlids_bulk(
        [
            {
                "xml_id": f"{model_class._original_module or 'base'}.model_{name.replace('.', '_')}",
                "record": IrModel.browse(existing[name]),
                "noupdate": False,
            }
            for name, model_class in registry.models.items()
        ]
    )
    return existing


def _reflect_field_rows(env: Environment, registry: Any, model_ids: dict[str, int]) -> None:
    """The ``ir.model.fields`` rows of every field of every model."""
    IrFields = env["ir.model.fields"]
    keys = list(_field_values("", 0, "", _Blank(), None))
    current = {
        (rec["model"], rec["name"]): rec
        for rec in IrFields.search_read([], keys, load="_classic_write")
    }
    new_fields = []
    for name, model_class in registry.models.items():
        for fname, field in model_class._fields.items():
            vals = _field_values(
                name, model_ids[name], fname, field, _field_module(model_class, fname)
            )
            row = current.pop((name, fname), None)
            if row is None:
                new_fields.append(vals)
            elif any(row[key] != value for key, value in vals.items()):
                IrFields.browse(row["id"]).write(vals)
    obsolete = [row["id"] for row in current.values()]
    if new_fields:
        IrFields.create(new_fields)
    if obsolete:
        IrFields.browse(obsolete).unlink()


class _Blank:
    """A stand-in field, to list the keys of :func:`_field_values`."""

    string = type = comodel_name = inverse_name = related = groups = None
    required = readonly = store = index = False


def _field_module(model_class: type, fname: str) -> str | None:
    """The module whose definition class first declares field ``fname`` of the model; the
    model's own module for the fields no definition declares (``id``, the magic fields, the
    fields of ``_inherits`` parents)."""
    for klass in reversed(model_class.__mro__):
        if "_is_registry_class" in klass.__dict__:
            continue
        if fname in klass.__dict__ and getattr(klass, "_module", None):
            return klass._module
    return model_class._original_module


def _register_modules(env: Environment, manifests: dict[str, Manifest]) -> None:
    """One ``ir.module.module`` row per module found (new ones ``uninstalled``)."""
    Module = env["ir.module.module"]
    known = {rec["name"] for rec in Module.search_read([], ["name"])}
    missing = [
        {
            "name": name,
            "shortdesc": manifest.title or name,
            "summary": manifest.summary or False,
            "license": manifest.license or False,
            "state": "uninstalled",
            "auto_install": manifest.auto_install is not False,
        }
        for name, manifest in sorted(manifests.items())
        if name not in known
    ]
    if missing:
        Module.create(missing)


# -- removal -----------------------------------------------------------------------------------


def _unlink_records(env: Environment, pairs: list[tuple[str, int]], what: str) -> None:
    """Delete the records ``(model, id)`` (latest first) through the ORM; a record that cannot
    be deleted (still referenced, refused by a check) is kept and logged, as Odoo does."""
    for model, res_id in pairs:
        if model not in env or model in _REFLECTION_MODELS:
            continue
        record = env[model].browse(res_id).exists()
        if not record:
            continue
        try:
            with env.cr.savepoint():
                record.unlink()
        except Exception as error:  # noqa: BLE001 - logged, the run goes on without this record
            _logger.warning("%s: cannot delete %s(%s): %s", what, model, res_id, error)


def _remove_obsolete_records(env: Environment, modules: list[str], loaded: set[str]) -> None:
    """After an upgrade, delete the records of ``modules`` whose data files no longer declare
    them, and their external ids (``noupdate`` ones are kept)."""
    for module in reversed(modules):
        env.cr.execute(
            SQL(
                "SELECT id, name, model, res_id FROM ir_model_data WHERE module = %s "
                "AND NOT COALESCE(noupdate, false) ORDER BY id DESC",
                module,
            )
        )
        obsolete = [
            (data_id, model, res_id)
            for data_id, name, model, res_id in env.cr.fetchall()
            if f"{module}.{name}" not in loaded and model not in _REFLECTION_MODELS
        ]
        if not obsolete:
            continue
        _logger.info("module %s: deleting %d records no longer in its data", module, len(obsolete))
        _unlink_records(
            env, [(model, res_id) for _id, model, res_id in obsolete], f"module {module}"
        )
        env.cr.execute(
            SQL("DELETE FROM ir_model_data WHERE id = ANY(%s)", [row[0] for row in obsolete])
        )
        env.invalidate_all()


def _uninstall(
    cr: Cursor,
    registry_cls: type,
    dsn: str,
    addons_paths: tuple,
    installed_order: list[str],
    to_remove: set[str],
    drop_data: bool,
    manifests: dict[str, Manifest],
) -> None:
    """Remove the records and external ids of ``to_remove`` (reverse dependency order), with
    the registry of the modules installed so far; drop their tables and columns only when
    ``drop_data`` asks for it."""
    from erplite import api

    registry = registry_cls(dsn, addons_paths, _modules=installed_order)
    cr.registry = registry
    env = api.Environment(cr, api.SUPERUSER_ID, {})
    env.transaction.module_uninstall = True
    for module in reversed(installed_order):
        if module not in to_remove:
            continue
        _logger.info(
            "module %s: uninstalling%s", module, " (dropping its data)" if drop_data else ""
        )
        _run_hook(env, manifests[module], "uninstall_hook")
        cr.execute(
            SQL(
                "SELECT model, res_id FROM ir_model_data WHERE module = %s ORDER BY id DESC", module
            )
        )
        _unlink_records(env, cr.fetchall(), f"uninstalling {module}")
        cr.execute(SQL("DELETE FROM ir_model_data WHERE module = %s", module))
        owned = [name for name, cls in registry.models.items() if cls._original_module == module]
        added = [
            (cls, field)
            for cls in registry.models.values()
            if cls._original_module != module
            for field in cls._fields.values()
            if _field_module(cls, field.name) == module
        ]
        if drop_data:
            _drop_data(cr, registry, owned, added)
        added_names = {(cls._name, field.name) for cls, field in added}
        rows = env["ir.model.fields"].search(
            [("model", "in", sorted({model for model, _f in added_names}))]
        )
        rows.filtered(lambda row: (row.model, row.name) in added_names).unlink()  # noqa: B023
        env["ir.model"].search([("model", "in", owned)]).unlink()
        env["ir.module.module"].search([("name", "=", module)]).write(
            {"state": "uninstalled", "latest_version": False, "demo": False}
        )
        env.flush_all()
    env.invalidate_all()
    cr.transaction = None


def _drop_data(cr: Cursor, registry: Any, owned: list[str], added: list[tuple[type, Any]]) -> None:
    """Drop the tables of the models in ``owned``, the columns and many2many tables of the
    fields in ``added`` (fields a module adds to other modules' models)."""
    tables = {
        registry.models[name]._table
        for name in owned
        if registry.models[name]._auto and not registry.models[name]._abstract
    }
    for name in owned:
        for field in registry.models[name]._fields.values():
            if field.type == "many2many" and field.store and getattr(field, "relation", None):
                tables.add(field.relation)
    for cls, field in added:
        if not field.store or not cls._auto or cls._abstract or cls._table in tables:
            continue
        if field.type == "many2many" and getattr(field, "relation", None):
            tables.add(field.relation)
        elif field.column_type:
            cr.execute(
                SQL(
                    "ALTER TABLE %s DROP COLUMN IF EXISTS %s",
                    SQL.identifier(cls._table),
                    SQL.identifier(field.column_name),
                )
            )
    for table in sorted(tables):
        cr.execute(SQL("DROP TABLE IF EXISTS %s CASCADE", SQL.identifier(table)))
