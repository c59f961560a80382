"""Models and recordsets.

A module declares *definition classes*::

    class SaleOrder(models.Model):
        _name = "sale.order"
        _order = "date_order desc, id desc"
        name = fields.Char(required=True)
        line_ids = fields.One2many("sale.order.line", "order_id")

        @api.depends("line_ids.price_total")
        def _compute_amount(self): ...

    class SaleOrderWithNote(models.Model):     # another module extends it
        _inherit = "sale.order"
        note = fields.Text()

The registry turns them into one *registry class* per model (``erplite.orm.model_setup``),
whose instances are recordsets: an environment, a tuple of ids and a prefetch set. This file
holds the class machinery and the recordset operations (set algebra, ``mapped``,
``filtered``, ``sorted``, environments); the other methods are in one mixin per concern
(``model_fetch``, ``model_triggers``, ``model_flush``, ``model_create``, ``model_write``,
``model_read``, ``model_search``, ``model_names``...: the table in ``recordset.py``).
"""

from __future__ import annotations

import itertools
import operator as py_operator
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, cast

from erplite import api
from erplite.exceptions import ValidationError
from erplite.orm import fields
from erplite.orm.model_create import CreateMixin
from erplite.orm.model_create_lines import CreateLinesMixin
from erplite.orm.model_defaults import DefaultsMixin
from erplite.orm.model_export import ExportMixin
from erplite.orm.model_fetch import FetchMixin
from erplite.orm.model_flush import FlushMixin
from erplite.orm.model_import import ImportMixin
from erplite.orm.model_names import NamesMixin
from erplite.orm.model_onchange import OnchangeMixin
from erplite.orm.model_read import ReadMixin
from erplite.orm.model_read_group import ReadGroupMixin
from erplite.orm.model_search import SearchMixin
from erplite.orm.model_triggers import TriggersMixin
from erplite.orm.model_views import ViewsMixin
from erplite.orm.model_write import WriteMixin
from erplite.sql import SQL

PREFETCH_MAX = 1000


def module_of(python_module: str) -> str | None:
    """The erplite module a class belongs to, from its Python module name."""
    parts = python_module.split(".")
    if len(parts) >= 3 and parts[0] == "erplite" and parts[1] == "addons":
        return parts[2]
    return None


class MetaModel(type):
    """Collects definition classes per erplite module, for the registry to assemble."""

    module_to_models: dict[str, list[type]] = defaultdict(list)

    def __new__(
        mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any], **kwargs: Any
    ) -> MetaModel:
        # records have no instance dict (see Recordset.__slots__): a model class adds no slot
        attrs.setdefault("__slots__", ())
        return super().__new__(mcs, name, bases, attrs, **kwargs)

    def __init__(cls, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> None:
        super().__init__(name, bases, attrs)
        if not attrs.get("_register", True):
            # registry classes and the base classes are not definitions
            return
        if "_module" not in attrs:
            cls._module = module_of(cls.__module__)
        if not attrs.get("_name") and not attrs.get("_inherit"):
            raise TypeError(f"Model class {cls.__module__}.{name} has neither _name nor _inherit")
        if cls._module:
            MetaModel.module_to_models[cls._module].append(cls)


class BaseModel(
    # one concern per mixin and file; each derives from AccessMixin (the access gate) and
    # Recordset (what the mixins use of each other, declared for the type checker)
    WriteMixin,
    ReadMixin,
    CreateMixin,
    CreateLinesMixin,
    DefaultsMixin,
    FlushMixin,
    TriggersMixin,
    FetchMixin,
    SearchMixin,
    ReadGroupMixin,
    ViewsMixin,
    ExportMixin,
    ImportMixin,
    OnchangeMixin,
    NamesMixin,
    metaclass=MetaModel,
):
    """The recordset class every model derives from (Odoo's ``BaseModel``)."""

    __slots__ = ()

    _register = False
    _auto = False
    _abstract = True
    _transient = False
    # empty on the base classes; every registry class has its name and table (model_setup)
    _name: str = ""
    _description: str | None = None
    _inherit: str | list[str] | tuple[str, ...] = ()
    _inherits: dict[str, str] = {}
    _table: str = ""
    _order = "id"
    _rec_name: str | None = None
    _rec_names_search: list[str] | None = None
    _parent_name = "parent_id"
    _parent_store = False
    _active_name: str | None = None
    _sql_constraints: list[tuple[str, str, str]] = []
    _check_company_auto = False
    #: fields that only the model's own code changes (a workflow's ``state``): outside a
    #: superuser environment, ``write`` refuses them and ``create`` refuses any value but the
    #: default. Merged over ``_inherit`` extensions (see ``model_setup.setup_protected_fields``).
    _protected_fields: list[str] | tuple[str, ...] = ()
    _log_access: bool | None = None
    _module: str | None = None
    _fold_name = "fold"
    _translate = False
    _transient_max_hours = 1.0

    # set on registry classes by the registry
    pool: Any = None
    _fields: dict[str, fields.Field] = {}
    _is_registry_class = False
    #: the merged ``_protected_fields`` of the registry class (empty: create and write skip
    #: the check at the cost of one attribute test)
    _protected_names: frozenset[str] = frozenset()

    if TYPE_CHECKING:
        # a recordset's other attributes are its model's fields and methods, which the
        # registry assembles from every module's definitions: the type checker cannot know them
        def __getattr__(self, name: str) -> Any: ...

    id = fields.Id()
    display_name = fields.Char(
        string="Display Name", compute="_compute_display_name", search="_search_display_name"
    )

    # ------------------------------------------------------------------------------------------
    # construction
    # ------------------------------------------------------------------------------------------
    @classmethod
    def _setup_registry_hook(cls, registry: Any) -> None:
        """Called on each model's registry class once the registry's models are all set up
        (no database access): a module may adapt the registry's classes here, as
        ``base_automation`` wraps ``create``/``write``/``unlink`` (Odoo patches them in
        ``_register_hook``). Nothing by default."""

    def _register_hook(self) -> None:
        """Called once on every model when the registry is complete (loaded, or modules
        installed), as superuser: a module adapts the model to the database's data here."""

    def __init__(self, env: api.Environment, ids: tuple[int, ...], prefetch_ids: Any) -> None:
        self.env = env
        self._ids = ids
        self._prefetch_ids = prefetch_ids

    @classmethod
    def _browse(cls, env: api.Environment, ids: tuple[int, ...], prefetch_ids: Any) -> BaseModel:
        record = object.__new__(cls)
        record.env = env
        record._ids = ids
        record._prefetch_ids = prefetch_ids
        return record

    def browse(self, ids: Any = None) -> BaseModel:
        """The records of ``ids`` (an id, a list of ids, or nothing) in this environment."""
        if not ids:
            ids = ()
        elif isinstance(ids, int):
            ids = (ids,)
        else:
            ids = tuple(ids)
        return self._browse(self.env, ids, ids)

    @property
    def ids(self) -> list[int]:
        return list(self._ids)

    @property
    def _origin(self) -> BaseModel:
        return self

    def _prefetch_ids_iter(self) -> Iterator[int]:
        return iter(self._prefetch_ids)

    # ------------------------------------------------------------------------------------------
    # recordset protocol
    # ------------------------------------------------------------------------------------------
    def __bool__(self) -> bool:
        return bool(self._ids)

    __nonzero__ = __bool__

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[BaseModel]:
        # BaseModel._browse inlined: a loop over thousands of records makes one per id
        cls, env, new = type(self), self.env, object.__new__
        if len(self._ids) > PREFETCH_MAX and self._prefetch_ids is self._ids:
            for chunk in _split_every(PREFETCH_MAX, self._ids):
                for record_id in chunk:
                    record = new(cls)
                    record.env = env
                    record._ids = (record_id,)
                    record._prefetch_ids = chunk
                    yield record
        else:
            prefetch_ids = self._prefetch_ids
            for record_id in self._ids:
                record = new(cls)
                record.env = env
                record._ids = (record_id,)
                record._prefetch_ids = prefetch_ids
                yield record

    def __reversed__(self) -> Iterator[BaseModel]:
        for record_id in reversed(self._ids):
            yield self._browse(self.env, (record_id,), self._prefetch_ids)

    def __contains__(self, item: Any) -> bool:
        if isinstance(item, BaseModel) and item._name == self._name:
            return len(item) == 1 and item.id in self._ids
        if isinstance(item, str):
            return item in self._fields
        raise TypeError(f"unsupported operand types in: {item!r} in {self!r}")

    def _check_same_model(self, other: Any, op: str) -> None:
        if not isinstance(other, BaseModel) or other._name != self._name:
            raise TypeError(f"inconsistent models in: {self!r} {op} {other!r}")

    def __add__(self, other: BaseModel) -> BaseModel:
        self._check_same_model(other, "+")
        return self.browse(self._ids + other._ids)

    def concat(self, *args: BaseModel) -> BaseModel:
        ids = list(self._ids)
        for arg in args:
            self._check_same_model(arg, "+")
            ids.extend(arg._ids)
        return self.browse(ids)

    def __sub__(self, other: BaseModel) -> BaseModel:
        self._check_same_model(other, "-")
        other_ids = set(other._ids)
        return self.browse([i for i in self._ids if i not in other_ids])

    def __and__(self, other: BaseModel) -> BaseModel:
        self._check_same_model(other, "&")
        other_ids = set(other._ids)
        return self.browse(list(dict.fromkeys(i for i in self._ids if i in other_ids)))

    def __or__(self, other: BaseModel) -> BaseModel:
        return self.union(other)

    def union(self, *args: BaseModel) -> BaseModel:
        ids = list(self._ids)
        for arg in args:
            self._check_same_model(arg, "|")
            ids.extend(arg._ids)
        return self.browse(list(dict.fromkeys(ids)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseModel):
            return NotImplemented
        return self._name == other._name and set(self._ids) == set(other._ids)

    def __lt__(self, other: BaseModel) -> bool:
        self._check_same_model(other, "<")
        return set(self._ids) < set(other._ids)

    def __le__(self, other: BaseModel) -> bool:
        self._check_same_model(other, "<=")
        return set(self._ids) <= set(other._ids)

    def __gt__(self, other: BaseModel) -> bool:
        self._check_same_model(other, ">")
        return set(self._ids) > set(other._ids)

    def __ge__(self, other: BaseModel) -> bool:
        self._check_same_model(other, ">=")
        return set(self._ids) >= set(other._ids)

    def __hash__(self) -> int:
        return hash((self._name, frozenset(self._ids)))

    def __getitem__(self, key: Any) -> Any:
        """``record['field']`` reads a field; ``records[i]`` / ``records[a:b]`` index."""
        if isinstance(key, str):
            field = self._fields.get(key)
            if field is None:
                raise KeyError(f"Invalid field {key!r} on model {self._name!r}")
            return field.__get__(self, type(self))
        if isinstance(key, slice):
            return self._browse(self.env, self._ids[key], self._prefetch_ids)
        return self._browse(self.env, (self._ids[key],), self._prefetch_ids)

    def __setitem__(self, key: str, value: Any) -> None:
        field = self._fields.get(key)
        if field is None:
            raise KeyError(f"Invalid field {key!r} on model {self._name!r}")
        field.__set__(self, value)

    def __repr__(self) -> str:
        return f"{self._name}{self._ids!r}"

    def __int__(self) -> int:
        return self.id or 0

    def ensure_one(self) -> BaseModel:
        """Return ``self`` if it holds exactly one record, else raise ``ValueError``."""
        if len(self._ids) == 1:
            return self
        raise ValueError(f"Expected singleton: {self!r}")

    # ------------------------------------------------------------------------------------------
    # environments
    # ------------------------------------------------------------------------------------------
    def with_env(self, env: api.Environment) -> BaseModel:
        return self._browse(env, self._ids, self._prefetch_ids)

    def sudo(self, flag: bool = True) -> BaseModel:
        """The same records in a superuser environment (``flag=False`` leaves it)."""
        if flag == self.env.su:
            return self
        return self.with_env(self.env(su=flag))

    def with_user(self, user: Any) -> BaseModel:
        """The same records as ``user`` (never superuser unless ``user`` is the superuser)."""
        if not user:
            return self
        return self.with_env(self.env(user=user, su=False))

    def with_company(self, company: Any) -> BaseModel:
        """The same records with ``company`` first in ``allowed_company_ids``."""
        if not company:
            return self
        company_id = int(getattr(company, "id", company))
        # as Odoo: from the context only (a context without companies gets [company])
        allowed = list(self.env.context.get("allowed_company_ids") or [])
        if allowed and allowed[0] == company_id:
            return self
        if company_id in allowed:
            allowed.remove(company_id)
        allowed.insert(0, company_id)
        return self.with_context(allowed_company_ids=allowed)

    def with_context(self, *args: Any, **kwargs: Any) -> BaseModel:
        """The same records with the context updated (or replaced by a positional dict)."""
        if (
            args
            and "allowed_company_ids" not in args[0]
            and "allowed_company_ids" in self.env.context
        ):
            args = (dict(args[0], allowed_company_ids=self.env.context["allowed_company_ids"]),)
        context = dict(args[0] if args else self.env.context, **kwargs)
        return self.with_env(self.env(context=context))

    def with_prefetch(self, prefetch_ids: Any = None) -> BaseModel:
        return self._browse(
            self.env, self._ids, self._ids if prefetch_ids is None else prefetch_ids
        )

    # ------------------------------------------------------------------------------------------
    # functional helpers
    # ------------------------------------------------------------------------------------------
    def mapped(self, func: str | Callable[..., Any]) -> Any:
        """The values of a dotted field path (a recordset for relations, a list otherwise) or
        of a function over the records."""
        if not self:
            if isinstance(func, str):
                recs = self
                for name in func.split("."):
                    field = recs._fields[name]
                    if not field.relational:
                        return []
                    recs = self.env[field.comodel_name]
                return recs
            return []
        if isinstance(func, str):
            recs = self
            for name in func.split("."):
                recs = recs._mapped_field(name)
            return recs
        values = [func(rec) for rec in self]
        if values and isinstance(values[0], BaseModel):
            first = values[0]
            return first.union(*values[1:]) if len(values) > 1 else first
        return values

    def _mapped_field(self, name: str) -> Any:
        field = self._fields.get(name)
        if field is None:
            raise KeyError(f"Invalid field {name!r} on model {self._name!r}")
        # whole-recordset access: fetch every record at once rather than by prefetch batches
        self._ensure_cached(field)
        values = [field.__get__(rec, type(self)) for rec in self.with_prefetch(self._ids)]
        if field.relational:
            ids: list[int] = []
            for value in values:
                ids.extend(value._ids)
            comodel = self.env[field.comodel_name]
            return comodel._browse(self.env, tuple(dict.fromkeys(ids)), tuple(dict.fromkeys(ids)))
        return values

    def filtered(self, func: str | Callable[..., Any]) -> BaseModel:
        """The records for which ``func`` (a function or a dotted field path) is truthy."""
        if isinstance(func, str):
            path = func
            return self.browse([rec.id for rec in self if any(rec.mapped(path))])
        return self.browse([rec.id for rec in self if func(rec)])

    def filtered_domain(self, domain: list[Any]) -> BaseModel:
        """The records matching ``domain``, evaluated in Python on the records' values."""
        from erplite.orm.domain_eval import filter_records

        records: BaseModel = filter_records(self, domain)
        return records

    def sorted(
        self, key: str | Callable[..., Any] | None = None, reverse: bool = False
    ) -> BaseModel:
        """The records ordered by ``key`` (a function, or an order spec like ``'name desc'``);
        by ``_order`` when no key is given."""
        if key is None:
            if not self:
                return self
            ids = self.search([("id", "in", self.ids)], order=self._order)._ids
            return self._browse(
                self.env, tuple(reversed(ids)) if reverse else ids, self._prefetch_ids
            )
        if isinstance(key, str):
            specs = []
            for part in key.split(","):
                words = part.split()
                specs.append((words[0], len(words) > 1 and words[1].lower() == "desc"))
            records = list(self)
            for fname, desc in reversed(specs):
                records.sort(key=_field_sort_key(fname), reverse=desc != reverse)
            return self.browse([r.id for r in records])
        ordered = sorted(self, key=key, reverse=reverse)
        return self.browse([r.id for r in ordered])

    def grouped(self, key: str | Callable[..., Any]) -> dict[Any, BaseModel]:
        """Partition the records by ``key`` (a field name or a function)."""
        getter = py_operator.itemgetter(key) if isinstance(key, str) else key
        groups: dict[Any, list[int]] = defaultdict(list)
        for record in self:
            groups[getter(record)].append(record.id)
        return {k: self.browse(v).with_prefetch(self._prefetch_ids) for k, v in groups.items()}

    # ------------------------------------------------------------------------------------------
    # archiving
    # ------------------------------------------------------------------------------------------
    def action_archive(self) -> bool:
        assert self._active_name, f"No 'active' field on model {self._name}"
        return self.filtered(lambda r: r[self._active_name]).write({self._active_name: False})

    def action_unarchive(self) -> bool:
        assert self._active_name, f"No 'active' field on model {self._name}"
        return self.filtered(lambda r: not r[self._active_name]).write({self._active_name: True})

    def toggle_active(self) -> None:
        active = self.filtered(cast(str, self._active_name))
        (self - active).action_unarchive()
        active.action_archive()

    # ------------------------------------------------------------------------------------------
    # setup hooks
    # ------------------------------------------------------------------------------------------
    @classmethod
    def _valid_field_parameter(cls, field: Any, name: str) -> bool:
        return False


def _sort_key(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.ids
    if value is False or value is None:
        return (0,)
    return (1, value)


def _field_sort_key(name: str) -> Callable[[BaseModel], Any]:
    """The sort key of records by their field ``name`` (``sorted('name desc')``)."""

    def key(record: BaseModel) -> Any:
        return _sort_key(record[name])

    return key


def _split_every(size: int, ids: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
    iterator = iter(ids)
    while True:
        chunk = tuple(itertools.islice(iterator, size))
        if not chunk:
            return
        yield chunk


class AbstractModel(BaseModel):
    """A model without a table: a mixin others inherit."""

    __slots__ = ()

    _register = False
    _auto = False
    _abstract = True


class Model(BaseModel):
    """A model stored in a table."""

    __slots__ = ()

    _register = False
    _auto = True
    _abstract = False


class TransientModel(Model):
    """A model whose records are vacuumed after ``_transient_max_hours`` (wizards), or beyond
    ``_transient_max_count`` records, by ``_transient_vacuum`` (an autovacuum job)."""

    __slots__ = ()

    _register = False
    _transient = True
    _transient_max_count = 0

    @api.autovacuum
    def _transient_vacuum(self) -> None:
        """Delete the records not written for ``_transient_max_hours``, then the oldest ones
        beyond ``_transient_max_count`` (Odoo's rules)."""

        cr = self.env.cr
        table = SQL.identifier(self._table)
        ids: list[int] = []
        if self._transient_max_hours:
            cr.execute(
                SQL(
                    "SELECT id FROM %s WHERE COALESCE(write_date, create_date, "
                    "(now() AT TIME ZONE 'UTC'))::timestamp < (now() AT TIME ZONE 'UTC') - %s::interval",
                    table,
                    f"{int(self._transient_max_hours * 3600)} seconds",
                )
            )
            ids.extend(row[0] for row in cr.fetchall())
        if self._transient_max_count:
            cr.execute(
                SQL(
                    "SELECT id FROM %s ORDER BY id DESC OFFSET %s", table, self._transient_max_count
                )
            )
            ids.extend(row[0] for row in cr.fetchall())
        if ids:
            self.sudo().browse(sorted(set(ids))).unlink()


__all__ = ["BaseModel", "Model", "AbstractModel", "TransientModel", "MetaModel", "ValidationError"]
