"""The typed face of a recordset, shared by ``BaseModel``'s mixins.

``BaseModel`` (``models.py``) is assembled from mixins, one file per concern:

=========================  ==========================================================
``model_access``           the access gate: ACLs, field groups, record rules (the root)
``model_fetch``            stored values into the cache, prefetch
``model_triggers``         computed fields, ``modified`` and the trigger tree
``model_flush``            pending writes sent as UPDATEs, cache invalidation
``model_defaults``         ``default_get``, the defaults ``create`` adds, a new column's
                           default for the rows a table has (``_init_column``)
``model_create``           ``create`` and its steps (the INSERT, precomputation)
``model_create_lines``     a record and its lines in one statement
``model_write``            ``write``, field assignment, ``unlink``, ``copy``, constraints,
                           hierarchies (``_check_recursion``, ``parent_path``)
``model_read``             ``read`` and ``exists``
``model_search``           ``search`` and ordering; ``model_read_group`` grouping
``model_names``            ``display_name`` (compute, search), ``name_get``
``model_views``            ``get_views`` and ``fields_get``; ``model_onchange``,
                           ``model_export``, ``model_import``: forms and data exchange
=========================  ==========================================================

Each mixin uses what the others provide: the environment and ids of the recordset, the class
attributes the registry sets (``_fields``, ``_table``...), and a few methods of the others
(``browse``, ``search``, ``_ensure_cached``...). ``Recordset`` declares them, so that the type
checker verifies each mixin on its own; every mixin derives from it, and so ``BaseModel`` does.

The declarations exist for the type checker only (under ``TYPE_CHECKING``): at run time the
class is empty and adds nothing to an attribute lookup. A declared method is checked against
its implementation (an override with another signature is an error), so the two cannot drift.

Code that takes "a recordset of any model" annotates it ``Recordset``; ``BaseModel`` adds
that a recordset's other attributes are its model's fields and methods, which only the
registry knows (see ``BaseModel.__getattr__``).
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import TypeAlias

    from typing_extensions import Self

    from erplite.orm.create_plan import _CrudPlan
    from erplite.orm.domains import Domain
    from erplite.orm.environment import Environment
    from erplite.orm.fields import Field
    from erplite.orm.ids import NewId
    from erplite.orm.query import Query
    from erplite.orm.registry import Registry
    from erplite.sql import SQL

    #: the id of a record: a database id, or a ``NewId`` for a record not created yet
    IdType: TypeAlias = "int | NewId"


class Recordset:
    """What every mixin of ``BaseModel`` may use of the others (declarations only)."""

    # a record holds these three and nothing else: no instance dict, so that creating and
    # reading records (thousands per loop over a recordset) costs less
    __slots__ = ("env", "_ids", "_prefetch_ids")

    if TYPE_CHECKING:
        # -- the recordset (models.BaseModel._browse) ------------------------------------------
        env: Environment
        _ids: tuple[int, ...]
        _prefetch_ids: Iterable[int]

        # -- set on registry classes (model_setup) ----------------------------------------------
        pool: Registry
        _fields: dict[str, Field]
        _name: str
        _table: str
        _order: str
        _rec_name: str | None
        _rec_names_search: list[str] | None
        _parent_name: str
        _parent_store: bool
        _active_name: str | None
        _inherits: dict[str, str]
        _log_access: bool | None
        _check_company_auto: bool
        _protected_names: frozenset[str]
        _auto: bool
        _abstract: bool
        _transient: bool
        _onchange_methods: dict[str, list[str]]
        _sql_constraints: list[tuple[str, str, str]]
        _constraint_methods: dict[str, list[str]]
        _ondelete_methods: list[str]
        _inherit_children: set[str]
        _definition_bases: tuple[type, ...]
        _original_module: str | None
        _create_steps_plain: bool
        _crud_plan_cache: _CrudPlan | None

        # fields every model has (descriptors on BaseModel)
        id: Any
        display_name: Any

        # -- models.py: construction and the recordset protocol ---------------------------------
        @classmethod
        def _browse(cls, env: Environment, ids: tuple[int, ...], prefetch_ids: Any) -> Self: ...
        def browse(self, ids: Any = None) -> Self: ...
        @property
        def ids(self) -> list[int]: ...
        def _prefetch_ids_iter(self) -> Iterator[int]: ...
        def __iter__(self) -> Iterator[Self]: ...
        def __len__(self) -> int: ...
        def __bool__(self) -> bool: ...
        def __getitem__(self, key: Any) -> Any: ...
        def __setitem__(self, key: str, value: Any) -> None: ...
        def ensure_one(self) -> Self: ...
        def with_env(self, env: Environment) -> Self: ...
        def sudo(self, flag: bool = True) -> Self: ...
        def with_user(self, user: Any) -> Self: ...
        def with_company(self, company: Any) -> Self: ...
        def with_context(self, *args: Any, **kwargs: Any) -> Self: ...
        def with_prefetch(self, prefetch_ids: Any = None) -> Self: ...
        def mapped(self, func: str | Callable[..., Any]) -> Any: ...
        def _mapped_field(self, name: str) -> Any: ...
        def filtered(self, func: str | Callable[..., Any]) -> Self: ...
        def _check_company(self, fnames: Iterable[str] | None = None) -> None: ...

        # -- model_fetch.py: values into the cache -----------------------------------------------
        def _get_cache_value(self, field: Field) -> Any: ...
        def _prefetch_fields(self, field: Field) -> list[Field]: ...
        def _ensure_cached(self, field: Field) -> None: ...
        def _fetch_fields(
            self, fields: Iterable[Field], join: tuple[Any, ...] | None = None
        ) -> list[int]: ...

        # -- model_triggers.py: computed fields, what depends on a change ----------------------
        def _recompute_field(self, field: Field, ids: Iterable[IdType] | None = None) -> None: ...
        def _compute_field_value(self, field: Field) -> None: ...
        def _compute_temporary(self, fields: Sequence[Field]) -> None: ...
        def _inverse_related_values(self, field: Field) -> None: ...
        def modified(
            self, fnames: Iterable[str], create: bool = False, before: bool = False
        ) -> None: ...
        def _modified_triggers(self, tree: dict[Any, Any], create: bool = False) -> None: ...

        # -- model_flush.py: pending writes to the database -------------------------------------
        def _execute_write(self, statement: SQL) -> None: ...
        def flush_model(self, fnames: Iterable[str] | None = None) -> None: ...
        def flush_recordset(self, fnames: Iterable[str] | None = None) -> None: ...
        def invalidate_model(
            self, fnames: Iterable[str] | None = None, flush: bool = True
        ) -> None: ...
        def invalidate_recordset(
            self, fnames: Iterable[str] | None = None, flush: bool = True
        ) -> None: ...

        # -- model_defaults.py -------------------------------------------------------------------
        def default_get(self, fields_list: Iterable[str]) -> dict[str, Any]: ...
        def _add_missing_default_values(self, vals: dict[str, Any]) -> dict[str, Any]: ...

        # -- model_create.py ---------------------------------------------------------------------
        def _field_or_error(self, name: str) -> Field: ...
        def _now(self) -> datetime.datetime: ...
        def _crud_plan(self) -> _CrudPlan: ...
        def create(self, vals_list: list[dict[str, Any]] | dict[str, Any]) -> Self: ...
        def _create(self, rows: list[dict[str, Any]]) -> Self: ...
        def _insert_statement(
            self, rows: list[dict[str, Any]], link: Any = None
        ) -> tuple[SQL, list[dict[str, Any]], list[str]]: ...
        def _create_cache(
            self, ids: tuple[int, ...], values: list[dict[str, Any]], columns: list[str]
        ) -> Self: ...
        def _protecting_given(
            self, records: Recordset, given: list[set[str]]
        ) -> contextlib.AbstractContextManager[None]: ...
        def _update_inverse_caches(
            self,
            records: Recordset,
            field: Field,
            new_values: list[Any],
            created: bool = False,
        ) -> None: ...
        def _precompute_cache(
            self, rows: list[dict[str, Any]], todo: list[int], new_ids: tuple[NewId, ...]
        ) -> None: ...
        def _forget_temporary(
            self, fields: Iterable[Field], new_ids: tuple[NewId, ...], lent: bool = False
        ) -> None: ...
        def _round_monetary_rows(self, rows: list[dict[str, Any]]) -> None: ...

        # -- model_create_lines.py: a record and its lines in one statement --------------------
        def _fusable_lines(self, relational: list[dict[Field, Any]]) -> list[Any] | None: ...
        def _create_with_lines(
            self, row: dict[str, Any], lines: list[Any], given: set[str] | None = None
        ) -> Self: ...

        # -- model_write.py ----------------------------------------------------------------------
        def _set_field_value(self, field: Field, value: Any) -> None: ...
        def _run_inverses(self, values: dict[Field, Any]) -> None: ...
        def write(self, vals: dict[str, Any]) -> bool: ...
        def unlink(self) -> bool: ...

        # -- model_read.py -----------------------------------------------------------------------
        def exists(self) -> Self: ...
        def _read_field_names(self, fields: list[str] | None) -> list[str]: ...
        def _read_format(
            self, names: list[str], load: str = "_classic_read"
        ) -> list[dict[str, Any]]: ...
        def read(
            self, fields: list[str] | None = None, load: str = "_classic_read"
        ) -> list[dict[str, Any]]: ...

        # -- model_search.py ---------------------------------------------------------------------
        def _search(
            self, domain: Any, offset: int = 0, limit: int | None = None, order: str | None = None
        ) -> Query: ...
        # ``count=True`` (Odoo 16's form) gives the number of records instead
        def search(
            self,
            domain: Any,
            offset: int = 0,
            limit: int | None = None,
            order: str | None = None,
            count: bool = False,
        ) -> Self: ...
        def search_count(self, domain: Any, limit: int | None = None) -> int: ...
        def _flush_search(self, tree: Domain, order: str | None) -> None: ...
        def _hierarchy_to_sql(
            self, field: Field, operator: str, value: Any, alias: str, query: Query
        ) -> SQL: ...
        def _joinable_display_name(self, field: Field) -> Any: ...
        def _many2one_display_names(self, names: list[str]) -> tuple[Any, ...]: ...
        def _search_fetch(
            self,
            domain: Any,
            field_names: list[str],
            offset: int = 0,
            limit: int | None = None,
            order: str | None = None,
            display_names: tuple[Any, ...] = (),
        ) -> Self: ...
        def search_fetch(
            self,
            domain: Any,
            field_names: list[str],
            offset: int = 0,
            limit: int | None = None,
            order: str | None = None,
        ) -> Self: ...
        def _order_to_sql(
            self,
            order: str,
            query: Query,
            alias: str,
            reverse: bool = False,
            raw: bool = False,
            _seen: frozenset[Field] = frozenset(),
        ) -> SQL: ...

        # -- model_onchange.py -------------------------------------------------------------------
        def _onchange_assign(self, field: Field, value: Any) -> None: ...

        # -- model_access.py: the access gate ------------------------------------------------------
        def _check_access(self, mode: str) -> None: ...
        def _check_field_access(self, field_names: Iterable[str], mode: str) -> None: ...
        def _rule_condition(self, mode: str, alias: str, query: Query) -> SQL | None: ...
        def check_access_rights(self, operation: str, raise_exception: bool = True) -> bool: ...
        def check_access_rule(self, operation: str) -> None: ...
        def _field_accessible(self, field: Field) -> bool: ...
        def _filter_read_passed(self) -> list[Any]: ...

        # -- model_write.py: constraints and hierarchies ----------------------------------------
        def _validate_fields(
            self, field_names: Iterable[str], excluded: Iterable[str] = ()
        ) -> None: ...
        def _parent_store_update(self, check_recursion: bool = False) -> None: ...
