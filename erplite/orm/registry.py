"""The registry: the model classes of one database.

Worked example::

    from erplite import Registry, api, SUPERUSER_ID

    registry = Registry.new("dbname=shop", install=("orders",), demo=True)   # create/upgrade
    registry = Registry("dbname=shop")                                     # open as it is
    with registry.cursor() as cr:                # commits at the end, rolls back on error
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["res.partner"].create({"name": "Ada"})

Building a registry imports the installed modules' Python packages (as
``erplite.addons.<module>``) in dependency order, assembles each model's class from its
definitions (``model_setup``), and sets up fields and the trigger tree of computed fields.

This file is the ORM's part: :class:`Registry` builds the model classes of the modules it is
given. Which modules a database has, where their folders are, and installing or upgrading them
(schema sync, data files, migrations) belong to module loading, the layer above the ORM: the
public ``erplite.Registry`` is :class:`erplite.loading.loader.Registry`, a subclass that opens a
database as it is (``Registry(dsn)``) and runs ``Registry.new``.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from erplite.exceptions import ValidationError
from erplite.orm import model_setup
from erplite.orm.models import BaseModel, MetaModel
from erplite.orm.search_plans import PlanCache
from erplite.sql import SQL, Cursor, connection_pool, dbname_of

if TYPE_CHECKING:
    from typing import TypeAlias

    from erplite.orm.fields import Field

    #: Odoo's trigger tree: under the key None, the computed fields to recompute on the
    #: modified records themselves; under a field, the tree of the records reached through
    #: that field. The type of a value depends on its key (a list of fields under None, a
    #: tree under a field), which a dict's type cannot say: values are Any.
    TriggerTree: TypeAlias = "dict[Field | None, Any]"

_logger = logging.getLogger(__name__)


def import_module_package(name: str, path: Path) -> Any:
    """Import the module folder ``path`` as the package ``erplite.addons.<name>``."""
    qualified = f"erplite.addons.{name}"
    loaded = sys.modules.get(qualified)
    if loaded is not None:
        if [str(Path(p).resolve()) for p in getattr(loaded, "__path__", [])] == [
            str(Path(path).resolve())
        ]:
            return loaded
        # the same module name found in another folder (a new version of the module on
        # another addons path): forget the old code, its definitions included; registries
        # already built keep their classes
        for key in [k for k in sys.modules if k == qualified or k.startswith(qualified + ".")]:
            del sys.modules[key]
        MetaModel.module_to_models.pop(name, None)
    import erplite.addons  # noqa: F401

    spec = importlib.util.spec_from_file_location(
        qualified, Path(path) / "__init__.py", submodule_search_locations=[str(path)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"Cannot import module {name!r} from {path}")
    package = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = package
    try:
        spec.loader.exec_module(package)
    except BaseException:
        del sys.modules[qualified]
        for key in [k for k in sys.modules if k.startswith(qualified + ".")]:
            del sys.modules[key]
        MetaModel.module_to_models.pop(name, None)
        raise
    return package


class Registry(Mapping[str, "type[BaseModel]"]):
    """The models of one database: empty until :meth:`load` builds them from modules.

    ``erplite.Registry`` (:class:`erplite.loading.loader.Registry`) is the subclass to use: it
    finds the database's modules, ``Registry(dsn)`` opens an initialised database and
    ``Registry.new(dsn, install=..., update=...)`` creates, installs and upgrades."""

    _lock = threading.RLock()
    # base: ``database.secret``, kept once read (declared for the type checker only)
    _database_secret: str

    def __init__(self, dsn: str, addons_paths: Iterable[str | Path] = ()):
        self.dsn = dsn
        self.dbname = dbname_of(dsn)
        self.addons_paths = tuple(str(p) for p in addons_paths)
        self.models: dict[str, type[BaseModel]] = {}
        self.installed_modules: list[str] = []
        self.module_paths: dict[str, Path] = {}
        self.field_triggers: dict[Field, TriggerTree] = {}
        self.field_computed: dict[Field, list[Field]] = {}
        self.field_inverses: dict[Field, list[Field]] = {}
        self._trigger_trees: dict[Field, TriggerTree] = {}
        self._merged_trees: dict[tuple[Field, ...], TriggerTree] = {}
        self._depends_paths: dict[Field, list[list[Field]]] = {}
        self.ready = False
        # (kind, uid, ...) -> value; cleared when groups, access rights or rules change
        self.access_cache: dict[tuple[Any, ...], Any] = {}
        # many2one field -> the field of its comodel that gives its display name when joined,
        # or None (see SearchMixin._joinable_display_name), and under (field, "sql") its
        # comodel's declared SQL display name or None (_display_name_expression): the classes
        # do not change
        self.display_name_joins: dict[Any, Any] = {}
        # (model name, columns..., join) -> the text of the prefetch's SELECT of those columns
        # when no record rule applies (see FetchMixin._fetch_columns_sql): the fields do not
        # change either
        self.fetch_statements: dict[tuple[Any, ...], str] = {}
        # database.secret of ir.config_parameter, read once (see its _get_secret)
        self.database_secret: str | None = None
        # the compiled searches, built from the answers of access_cache: emptied with it
        self.search_plans = PlanCache()
        # the last value of the sequence signalling security changes between processes that
        # this process knows (see erplite.security.cache.check_access_signal)
        self.access_signal: int | None = None
        self.registry_sequence: int | None = None
        #: while modules load: those whose data files are not loaded yet in this run (the views
        #: they extend are checked without their extensions, as Odoo 17 does)
        self.modules_pending_data: set[str] = set()

    # -- Mapping ------------------------------------------------------------------------------
    def __getitem__(self, model_name: str) -> type[BaseModel]:
        return self.models[model_name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.models)

    def __len__(self) -> int:
        return len(self.models)

    def __contains__(self, model_name: object) -> bool:
        return model_name in self.models

    # -- cursors ------------------------------------------------------------------------------
    def cursor(self) -> Cursor:
        """A new transaction on this database; use it as a context manager."""
        cr = Cursor(connection_pool(self.dsn), self.dbname)
        cr.registry = self
        return cr

    # -- building -----------------------------------------------------------------------------
    def load(self, modules: list[str], module_paths: Mapping[str, Path]) -> None:
        """Import ``modules`` (in dependency order) from their folders ``module_paths`` (module
        name -> folder, e.g. ``erplite.loading.discover_modules``) and build every model class."""
        self.module_paths = dict(module_paths)
        self.models = {}
        for module in modules:
            path = self.module_paths.get(module)
            if path is None:
                raise RuntimeError(f"Module {module!r} is installed but cannot be found")
            import_module_package(module, path)
            for cls in MetaModel.module_to_models.get(module, ()):
                model_setup.build_model(cls, self)
        self.installed_modules = list(modules)
        self.setup_models()

    def setup_models(self) -> None:
        models = self.models
        for name in self._inherits_order():
            model_setup.setup_fields(models[name], self)
        for name in self._inherits_order():
            model_setup.add_inherited_fields(models[name], self)
        for model_class in models.values():
            model_setup.setup_computed(model_class, self)
            model_setup.collect_methods(model_class)
            model_setup.setup_protected_fields(model_class)
            model_setup.setup_create_steps(model_class)
        self._build_triggers()
        registry_classes: list[Any] = list(models.values())
        for registry_class in registry_classes:
            registry_class._setup_registry_hook(self)
        self.ready = True

    def register_hooks(self, cr: Cursor) -> None:
        """Odoo 17's last loading step: call every model's ``_register_hook()`` once the
        registry is complete and its tables exist (a module adapts the models to its data
        there, e.g. the audit log's rules wrap the audited models' methods)."""
        from erplite.orm.environment import SUPERUSER_ID, Environment

        env = Environment(cr, SUPERUSER_ID, {})
        for name in list(self.models):
            env[name]._register_hook()
        env.flush_all()

    def signal_registry_change(self, cr: Cursor) -> None:
        """Tell the other processes, once ``cr`` commits, to rebuild their registry of this
        database (and so run the ``_register_hook`` methods again on the data committed):
        bump the registry signal they watch (see ``erplite.http.databases``)."""
        cr.execute(SQL("SELECT to_regclass('erplite_registry_signal') IS NOT NULL"), flush=False)
        if not cr.fetchone()[0]:
            cr.execute(
                SQL(
                    "CREATE TABLE erplite_registry_signal"
                    " (id int PRIMARY KEY, sequence bigint NOT NULL)"
                ),
                flush=False,
            )
        cr.execute(
            SQL(
                "INSERT INTO erplite_registry_signal (id, sequence) VALUES (1, 1) "
                "ON CONFLICT (id) DO UPDATE SET sequence = erplite_registry_signal.sequence + 1"
            ),
            flush=False,
        )

    def _inherits_order(self) -> list[str]:
        order: list[str] = []
        seen: set[str] = set()

        def visit(name: str, stack: tuple[str, ...]) -> None:
            if name in seen:
                return
            if name in stack:
                raise TypeError(f"Cycle in _inherits: {' -> '.join(stack + (name,))}")
            cls = self.models[name]
            parents: dict[str, str] = {}
            for klass in reversed(cls.__mro__):
                parents.update(klass.__dict__.get("_inherits", {}) or {})
            for parent in parents:
                if parent in self.models:
                    visit(parent, stack + (name,))
            seen.add(name)
            order.append(name)

        for name in sorted(self.models):
            visit(name, ())
        return order

    def _build_triggers(self) -> None:
        triggers: dict[Field, TriggerTree] = defaultdict(dict)
        computed: dict[tuple[str, str], list[Field]] = defaultdict(list)
        inverses: dict[Field, list[Field]] = defaultdict(list)

        def add(modified: Field, keys: list[Field], dependent: Field) -> None:
            node = triggers[modified]
            for key in keys:
                node = node.setdefault(key, {})
            dependents = node.setdefault(None, [])
            if dependent not in dependents:
                dependents.append(dependent)

        for model_class in self.models.values():
            for field in model_class._fields.values():
                if field.type == "one2many":
                    comodel = self.models.get(field.comodel_name)
                    if comodel is None:
                        raise TypeError(f"Field {field!r}: unknown comodel {field.comodel_name!r}")
                    inverse = comodel._fields.get(field.inverse_name)
                    if inverse is None:
                        raise TypeError(
                            f"Field {field!r}: no inverse field {field.inverse_name!r} "
                            f"on {field.comodel_name}"
                        )
                    inverses[inverse].append(field)
                elif field.relational and field.comodel_name not in self.models:
                    raise TypeError(f"Field {field!r}: unknown comodel {field.comodel_name!r}")
                if field.compute and not field.related and isinstance(field.compute, str):
                    computed[(model_class._name, field.compute)].append(field)
                if not field.depends:
                    continue
                paths = model_setup.resolve_depends(model_class, field, self)
                self._depends_paths[field] = paths
                if model_class._abstract:
                    continue  # no record to recompute (as Odoo): its inheritors have their own
                for path in paths:
                    for index, step in enumerate(path):
                        keys = list(reversed(path[:index]))
                        add(step, keys, field)
                        if step.type == "one2many" and index < len(path):
                            comodel = self.models[step.comodel_name]
                            add(comodel._fields[step.inverse_name], [step, *keys], field)
                        elif step.type == "many2many":
                            for inverse in self.many2many_inverses(step):
                                add(inverse, [step, *keys], field)
        self.field_triggers = dict(triggers)
        self.field_computed = {}
        for fields in computed.values():
            for field in fields:
                self.field_computed[field] = fields
        self.field_inverses = dict(inverses)
        self._trigger_trees = {}
        self._merged_trees = {}

    def field_depends_paths(self, field: Field) -> list[list[Field]]:
        return self._depends_paths.get(field, [])

    def many2many_inverses(self, field: Field) -> list[Field]:
        """The many2many fields on the comodel sharing ``field``'s relation table."""
        comodel = self.models.get(field.comodel_name)
        if comodel is None:
            return []
        return [
            other
            for other in comodel._fields.values()
            if other.type == "many2many"
            and other.relation == field.relation
            and other.column1 == field.column2
            and other is not field
        ]

    def get_trigger_tree(self, fields: Iterable[Field]) -> TriggerTree:
        """The merged, transitive trigger tree of ``fields`` (computed once per set of fields;
        callers must not modify it)."""
        key = tuple(fields)
        cached = self._merged_trees.get(key)
        if cached is not None:
            return cached
        tree: TriggerTree = {}
        for field in key:
            sub = self._transitive_tree(field)
            if sub:
                _merge_tree(tree, sub)
        if len(self._merged_trees) < 10000:
            self._merged_trees[key] = tree
        return tree

    def _transitive_tree(self, field: Field) -> TriggerTree:
        cached = self._trigger_trees.get(field)
        if cached is not None:
            return cached
        self._trigger_trees[field] = {}  # guards against dependency cycles
        base = self.field_triggers.get(field)
        if not base:
            return {}
        tree = _copy_tree(base)
        self._expand(tree)
        self._trigger_trees[field] = tree
        return tree

    def _expand(self, node: TriggerTree) -> None:
        for key, child in list(node.items()):
            if key is not None:
                self._expand(child)
        for dependent in list(node.get(None, ())):
            sub = self._transitive_tree(dependent)
            if sub:
                _merge_tree(node, sub)

    # -- security caches ----------------------------------------------------------------------
    def clear_access_cache(self) -> None:
        """Forget cached access rights, record rules and group memberships (they changed)."""
        self.access_cache.clear()
        self.search_plans.clear()

    # -- errors -------------------------------------------------------------------------------
    def integrity_error_to_validation(self, error: Any) -> ValidationError:
        """A ``ValidationError`` for a constraint violation: the ``_sql_constraints`` message
        when the constraint is declared, else a message naming the table and column."""
        import psycopg

        diag = error.diag
        constraint = diag.constraint_name or ""
        table = diag.table_name or ""
        for model_class in self.models.values():
            if model_class._table != table:
                continue
            for name, _definition, message in model_class._sql_constraints:
                if constraint == f"{table}_{name}":
                    return ValidationError(message)
            if isinstance(error, psycopg.errors.NotNullViolation):
                field = model_class._fields.get(diag.column_name or "")
                label = field.string if field is not None else diag.column_name
                return ValidationError(
                    f"The operation cannot be completed: a mandatory field is not set: "
                    f"{label} ({model_class._name}.{diag.column_name})"
                )
            if isinstance(error, psycopg.errors.ForeignKeyViolation):
                return ValidationError(
                    "The operation cannot be completed: another model requires the record "
                    f"being deleted, or a referenced record does not exist "
                    f"({model_class._name}, constraint {constraint})"
                )
        return ValidationError(f"The operation cannot be completed: {diag.message_primary}")


def _copy_tree(tree: TriggerTree) -> TriggerTree:
    return {key: (list(value) if key is None else _copy_tree(value)) for key, value in tree.items()}


def _merge_tree(target: TriggerTree, source: TriggerTree) -> None:
    for key, value in source.items():
        if key is None:
            existing = target.setdefault(None, [])
            for field in value:
                if field not in existing:
                    existing.append(field)
        else:
            _merge_tree(target.setdefault(key, {}), value)


__all__ = ["Registry", "import_module_package"]
