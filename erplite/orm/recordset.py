"""The typed face of a recordset, shared by ``BaseModel``'s mixins.

``BaseModel`` (``models.py``) is assembled from mixins, one file per concern: reading and
computing (``model_compute``), creating (``model_create``), writing and deleting
(``model_crud``), searching (``model_search``), grouping, views, onchange, export and import.
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

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import TypeAlias

    from typing_extensions import Self

    from erplite.orm.environment import Environment
    from erplite.orm.fields import Field
    from erplite.orm.model_create import NewId
    from erplite.orm.query import Query
    from erplite.orm.registry import Registry
    from erplite.sql import SQL

    #: the id of a record: a database id, or a ``NewId`` for a record not created yet
    IdType: TypeAlias = "int | NewId"


class Recordset:
    """What every mixin of ``BaseModel`` may use of the others (declarations only)."""

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

        # -- model_compute.py: the cache, computation, triggers, flush --------------------------
        def _get_cache_value(self, field: Field) -> Any: ...
        def _prefetch_fields(self, field: Field) -> list[Field]: ...
        def _ensure_cached(self, field: Field) -> None: ...
        def _set_field_value(self, field: Field, value: Any) -> None: ...
        def _recompute_field(self, field: Field, ids: Iterable[IdType] | None = None) -> None: ...
        def modified(
            self, fnames: Iterable[str], create: bool = False, before: bool = False
        ) -> None: ...
        def flush_model(self, fnames: Iterable[str] | None = None) -> None: ...
        def flush_recordset(self, fnames: Iterable[str] | None = None) -> None: ...
        def invalidate_model(
            self, fnames: Iterable[str] | None = None, flush: bool = True
        ) -> None: ...
        def invalidate_recordset(
            self, fnames: Iterable[str] | None = None, flush: bool = True
        ) -> None: ...

        # -- model_create.py ---------------------------------------------------------------------
        def _field_or_error(self, name: str) -> Field: ...
        def default_get(self, fields_list: Iterable[str]) -> dict[str, Any]: ...
        def create(self, vals_list: list[dict[str, Any]] | dict[str, Any]) -> Self: ...

        # -- model_crud.py -----------------------------------------------------------------------
        def write(self, vals: dict[str, Any]) -> bool: ...
        def unlink(self) -> bool: ...
        def exists(self) -> Self: ...
        def read(
            self, fields: list[str] | None = None, load: str = "_classic_read"
        ) -> list[dict[str, Any]]: ...
        def check_access_rights(self, operation: str, raise_exception: bool = True) -> bool: ...

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
            _seen: frozenset[str] = frozenset(),
        ) -> SQL: ...

        # -- model_onchange.py -------------------------------------------------------------------
        def _onchange_assign(self, field: Field, value: Any) -> None: ...

        # -- model_crud.py: constraints and hierarchies ----------------------------------------
        def _validate_fields(
            self, field_names: Iterable[str], excluded: Iterable[str] = ()
        ) -> None: ...
        def _parent_store_update(self, check_recursion: bool = False) -> None: ...
        def check_access_rule(self, operation: str) -> None: ...
