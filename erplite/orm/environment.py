"""Environments, the transaction they share, and the transaction's cache.

An ``Environment`` is (cursor, uid, context, su). Every environment on one cursor shares one
``Transaction``: its cache of field values, the writes not yet flushed (``towrite``), the
stored computed fields waiting for recomputation (``tocompute``) and the fields being computed
right now (``protected``). ``sudo()``, ``with_user()``, ``with_context()`` and
``with_company()`` return environments on the same transaction, so they see each other's
writes without a query.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, NoReturn

from erplite.exceptions import AccessError, CacheMiss, UserError
from erplite.orm import arguments
from erplite.orm.ids import NewId
from erplite.orm.read_checks import Passed, ReadChecks
from erplite.orm.search_plans import PlanCache, Recorder

if TYPE_CHECKING:
    from erplite.orm.fields import Field
    from erplite.orm.fields_relational import TargetRecords
    from erplite.orm.models import BaseModel
    from erplite.orm.recordset import IdType, Recordset
    from erplite.orm.registry import Registry
    from erplite.sql import Cursor

SUPERUSER_ID = 1
_MISSING = object()


class frozendict(dict[str, Any]):
    """An immutable dict, for contexts."""

    def _immutable(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("'frozendict' object is immutable")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _immutable

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset((k, _freeze(v)) for k, v in self.items()))


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return frozenset((k, _freeze(v)) for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return tuple(_freeze(v) for v in value)
    return value


class Cache:
    """Field values of the transaction: ``field -> {id: cache value}``.

    Fields that depend on the context (``depends_context``) are keyed further by the values of
    those context keys in the environment that reads them.
    """

    def __init__(self) -> None:
        self._data: dict[Field, dict[Any, Any]] = defaultdict(dict)
        # per model, ids of temporary records given back to be lent again (take_temporary)
        self._spare_ids: dict[str, list[NewId]] = {}

    def _field_dict(self, field: Field, env: Environment) -> dict[Any, Any]:
        data = self._data[field]
        if field.depends_context:
            key = env.cache_key(field)
            data = data.setdefault(key, {})
        return data

    def contains(self, record_id: IdType, field: Field, env: Environment) -> bool:
        return record_id in self._field_dict(field, env)

    def get_value(
        self, record_id: IdType, field: Field, env: Environment, default: Any = _MISSING
    ) -> Any:
        data = self._field_dict(field, env)
        try:
            return data[record_id]
        except KeyError:
            if default is _MISSING:
                raise CacheMiss(record_id, field) from None
            return default

    def get_values(self, ids: Iterable[IdType], field: Field, env: Environment) -> Iterator[Any]:
        data = self._field_dict(field, env)
        for record_id in ids:
            if record_id in data:
                yield data[record_id]

    def set_value(self, record_id: IdType, field: Field, value: Any, env: Environment) -> None:
        self._field_dict(field, env)[record_id] = value

    def update(
        self, ids: Iterable[IdType], field: Field, values: Iterable[Any], env: Environment
    ) -> None:
        self._field_dict(field, env).update(zip(ids, values))

    def insert_missing(
        self, ids: Iterable[IdType], field: Field, values: Iterable[Any], env: Environment
    ) -> None:
        """Store fetched values without overwriting what the transaction already holds."""
        data = self._field_dict(field, env)
        if not data or (isinstance(ids, list) and data.keys().isdisjoint(ids)):
            # nothing to keep (a fetch's batch is the records not cached yet, as a rule)
            data.update(zip(ids, values))
            return
        # some are cached (a search_read's rows found again): a plain loop, cheaper than
        # building the fetched dict and intersecting its keys for the few rows of a search
        for record_id, value in zip(ids, values):
            if record_id not in data:
                data[record_id] = value

    def missing_ids(
        self, ids: Iterable[IdType], field: Field, env: Environment
    ) -> Iterator[IdType]:
        data = self._field_dict(field, env)
        for record_id in ids:
            if record_id not in data:
                yield record_id

    def discard(self, record_id: IdType, field: Field, env: Environment) -> None:
        self._field_dict(field, env).pop(record_id, None)

    def invalidate(
        self, spec: Iterable[tuple[Field, Iterable[IdType] | None]] | None = None
    ) -> None:
        """Forget values: ``spec`` is ``[(field, ids or None for all)]``, or everything."""
        if spec is None:
            self._data.clear()
            return
        for field, ids in spec:
            if ids is None:
                self._data.pop(field, None)
                continue
            data = self._data.get(field)
            if not data:
                continue
            targets = data.values() if field.depends_context else [data]
            for target in targets:
                for record_id in ids:
                    target.pop(record_id, None)

    def take_temporary(self, model_name: str, count: int) -> tuple[NewId, ...]:
        """``count`` ids for temporary records of ``model_name`` (a precomputation), those
        given back (``give_back_temporary``) first, in their order of creation."""
        spare = self._spare_ids.get(model_name)
        if not spare:
            return tuple(NewId() for _index in range(count))
        taken = spare[-count:]
        del spare[-count:]
        taken.extend(NewId() for _index in range(count - len(taken)))
        return tuple(sorted(taken))

    def give_back_temporary(self, model_name: str, ids: tuple[NewId, ...]) -> bool:
        """Keep ``ids`` (from ``take_temporary``) to lend again, up to 64 per model; whether
        they are kept. Their values of the fields that each precomputation sets first (the
        stored columns, the x2many) may then stay in the cache, overwritten by the next
        one: the precomputations of many small creates (a create per order with its lines)
        then add no key to those dicts and take none out. A dict keeps a slot for every key
        taken out until it grows, and grows to three times the keys it holds: fresh ids for
        every order left the dicts of 10,000 lines twice the size they need (576 KiB a
        field, where 288 hold them)."""
        spare = self._spare_ids.setdefault(model_name, [])
        if len(spare) + len(ids) > 64:
            return False
        spare.extend(ids)
        return True

    def cached_ids(self, field: Field) -> set[IdType]:
        """The ids having a value of ``field`` in the cache, in any context."""
        data = self._data.get(field)
        if not data:
            return set()
        if not field.depends_context:
            return set(data)
        return {record_id for values in data.values() for record_id in values}

    def invalidate_field(self, field: Field, env: Environment | None = None) -> None:
        self._data.pop(field, None)

    def clear(self) -> None:
        self._data.clear()


class Transaction:
    """What every environment of one cursor shares."""

    # flags some modules set on the transaction (declared for the type checker only)
    module_uninstall: bool  # the loader is uninstalling modules
    now: datetime.datetime  # the time of the transaction's writes (model_create._now)
    config_parameters_changed: bool  # base: ir.config_parameter written by this transaction

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.cache = Cache()
        # model name -> {id: {field name: cache value}}
        self.towrite: dict[str, dict[IdType, dict[str, Any]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        # field -> ids to recompute
        self.tocompute: dict[Field, set[IdType]] = defaultdict(set)
        # field -> ids being computed (assignments go to the cache)
        self.protected: dict[Field, set[IdType]] = defaultdict(set)
        self.default_env: Environment | None = None
        # once the transaction changed security data (see erplite.security.cache), what it
        # caches of the answers is its own: it may be rolled back
        self.access_dirty = False
        self.access_cache: dict[Any, Any] = {}
        #: the records each user's reads passed (see erplite.orm.read_checks)
        self.read_checks = ReadChecks()
        self.search_plans = PlanCache()
        #: per many2one, the target records it gave for the records of one prefetch set
        #: (see erplite.orm.fields_relational.TargetRecords)
        self.many2one_targets: dict[Field, TargetRecords] = {}
        #: while a search plan is recorded, what notes the conditions compiled (see
        #: erplite.orm.search_plans): the compiler asks it, None otherwise
        self.plan_recorder: Recorder | None = None
        # (uid, su, context) -> the environment derived from any of this transaction's
        self.derived_envs: dict[tuple[Any, ...], Environment] = {}
        # external id -> (data id, model, res_id, noupdate), read by ir.model.data
        self.xmlid_cache: dict[str, Any] = {}
        # whether ir.config_parameter changed in this transaction (its cached secret is stale)
        self.config_parameters_changed = False

    def clear_access_cache(self) -> None:
        """Forget the answers cached for this transaction alone (see ``access_dirty``), and
        the read checks made with the former answers."""
        self.access_cache.clear()
        self.search_plans.clear()
        self.read_checks.clear()

    def is_dirty(self) -> bool:
        return bool(self.towrite) or any(self.tocompute.values())

    def flush(self) -> None:
        """Recompute what is pending, then send every pending write."""
        if self.default_env is not None and self.is_dirty():
            self.default_env.flush_all()

    def clear(self) -> None:
        """Forget the cache and the pending work (after a rollback)."""
        self.cache.clear()
        self.towrite.clear()
        self.tocompute.clear()
        self.protected.clear()
        self.clear_access_cache()

    def release(self) -> None:
        """Drop the environments kept for the transaction (its cursor is closed): they and the
        transaction refer to each other, a cycle only the garbage collector would free."""
        self.default_env = None
        self.derived_envs = {}
        self.many2one_targets = {}


class Environment(Mapping[str, "BaseModel"]):
    """Odoo's ``api.Environment``: the model registry bound to a cursor, a user and a context.

    ``env["res.partner"]`` is an empty recordset of that model; ``env.user``, ``env.company``,
    ``env.companies``, ``env.ref(xml_id)``, ``env.su``; ``env(user=..., context=..., su=...)``
    derives a new environment on the same transaction.
    """

    cr: Cursor
    uid: int | None
    context: frozendict
    su: bool
    transaction: Transaction
    registry: Registry
    cache: Cache

    def __init__(
        self,
        cr: Cursor,
        uid: int | None,
        context: Mapping[str, Any] | None = None,
        su: bool = False,
    ) -> None:
        transaction = cr.transaction
        if transaction is None:
            registry = getattr(cr, "registry", None)
            if registry is None:
                raise ValueError("the cursor is not bound to a registry (use registry.cursor())")
            transaction = Transaction(registry)
            cr.transaction = transaction
        self.cr = cr
        self.uid = uid
        self.context = context if isinstance(context, frozendict) else frozendict(context or {})
        self.su = bool(su) or uid == SUPERUSER_ID
        self.transaction = transaction
        self.registry = transaction.registry
        self.cache = transaction.cache
        if transaction.default_env is None:
            transaction.default_env = Environment.__new__(Environment)
            _init_env(transaction.default_env, cr, SUPERUSER_ID, frozendict(), True, transaction)
        self._company_check()

    def _company_check(self) -> None:
        """Refuse an ``allowed_company_ids`` that is not a subset of the user's companies."""
        allowed = self.context.get("allowed_company_ids")
        if not allowed or self.su or self.uid is None:
            return
        if "res.users" not in self.registry:
            return
        arguments.check_company_ids(allowed)
        user_companies = set(self._user_company_ids())
        forged = [cid for cid in allowed if cid not in user_companies]
        if forged:
            raise AccessError(f"Access to unauthorized or invalid companies: {forged}")

    def _user_company_ids(self) -> tuple[int, ...]:
        user = self(su=True)["res.users"].browse(self.uid)
        return tuple(user.company_ids._ids)

    # -- Mapping ------------------------------------------------------------------------------
    def __getitem__(self, model_name: str) -> BaseModel:
        try:
            cls = self.registry.models[model_name]
        except KeyError:
            raise KeyError(f"Unknown model {model_name!r}") from None
        return cls._browse(self, (), ())

    def __iter__(self) -> Iterator[str]:
        return iter(self.registry.models)

    def __len__(self) -> int:
        return len(self.registry.models)

    def __contains__(self, model_name: object) -> bool:
        return model_name in self.registry.models

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Environment)
            and self.cr is other.cr
            and self.uid == other.uid
            and self.su == other.su
            and self.context == other.context
        )

    def __hash__(self) -> int:
        return hash((id(self.cr), self.uid, self.su, hash(self.context)))

    def __call__(
        self,
        cr: Cursor | None = None,
        user: Any = None,
        context: Mapping[str, Any] | None = None,
        su: bool | None = None,
    ) -> Environment:
        if cr is None and user is None and context is None and su is not None:
            # env(su=...), i.e. sudo(): remembered on the environment itself
            flips = self._su_envs
            env = flips.get(bool(su))
            if env is None:
                env = flips[bool(su)] = self._derive(self.cr, self.uid, self.context, bool(su))
            return env
        cr = self.cr if cr is None else cr
        uid = self.uid if user is None else int(getattr(user, "id", user))
        context = self.context if context is None else context
        su = (user is None and self.su) if su is None else su
        return self._derive(cr, uid, context, su)

    @cached_property
    def _su_envs(self) -> dict[bool, Environment]:
        """``env(su=...)``'s environments, remembered on the environment itself."""
        return {}

    @cached_property
    def _read_passed(self) -> dict[str, Passed]:
        """``{model name: ids}`` whose read checks this environment's user passed in the
        transaction (see ``erplite.orm.read_checks``; a live dict, emptied, never replaced)."""
        return self.transaction.read_checks.passed(self)

    @cached_property
    def _has_default_keys(self) -> bool:
        """Whether the context has ``default_<field>`` keys (``create`` then asks
        ``default_get`` even for the fields without a default)."""
        return any(name.startswith("default_") for name in self.context)

    @cached_property
    def _active_test_off(self) -> Environment:
        """This environment with ``active_test`` off in its context (the one of
        ``One2many.write_commands``, which ``create`` uses for the lines it inserts)."""
        return self(context={**self.context, "active_test": False})

    def _derive(
        self, cr: Cursor, uid: int | None, context: Mapping[str, Any], su: bool
    ) -> Environment:
        if cr is not self.cr:
            return Environment(cr, uid, context, su)
        # derived environments are shared within the transaction, as Odoo does: reading a
        # many2one's display name as superuser, env.user... must not build one each time
        if not isinstance(context, frozendict):
            context = frozendict(context or {})
        try:
            key = (uid, bool(su) or uid == SUPERUSER_ID, context)
            envs = self.transaction.derived_envs
            env = envs.get(key)
        except TypeError:  # a context value that cannot be hashed
            return Environment(cr, uid, context, su)
        if env is None:
            env = envs[key] = Environment(cr, uid, context, su)
        return env

    # -- user and company ---------------------------------------------------------------------
    @property
    def user(self) -> BaseModel:
        return self(su=True)["res.users"].browse(self.uid)

    @property
    def company(self) -> BaseModel:
        """The current company: the first of ``allowed_company_ids``, else the user's."""
        company_ids = self.context.get("allowed_company_ids")
        env = self(su=True)
        if company_ids:
            return env["res.company"].browse(company_ids[0])
        company: BaseModel = self.user.company_id
        return company.with_env(self)

    @property
    def companies(self) -> BaseModel:
        company_ids = self.context.get("allowed_company_ids")
        env = self(su=True)
        if company_ids:
            return env["res.company"].browse(company_ids).with_env(self)
        companies: BaseModel = self.user.company_ids
        return companies.with_env(self)

    @property
    def lang(self) -> str | None:
        return self.context.get("lang")

    def is_superuser(self) -> bool:
        return self.su

    def is_admin(self) -> bool:
        return self.su or self.user.has_group("base.group_erp_manager") or self.is_system()

    def is_system(self) -> bool:
        return self.su or self.user.has_group("base.group_system")

    def ref(self, xml_id: str, raise_if_not_found: bool = True) -> BaseModel | None:
        """The record of external id ``module.name``."""
        res_model, res_id = self["ir.model.data"]._xmlid_to_res_model_res_id(
            xml_id, raise_if_not_found=raise_if_not_found
        )
        if res_model and res_id:
            record = self[res_model].browse(res_id)
            if record.exists():
                return record
            if raise_if_not_found:
                raise ValueError(
                    f"No record found for unique ID {xml_id}. It may have been deleted."
                )
        return None

    def cache_key(self, field: Field) -> tuple[Any, ...]:
        """The values of the context keys ``field`` depends on, for its cache."""
        result: list[Any] = []
        for key in field.depends_context:
            if key == "uid":
                result.append(self.uid)
            elif key == "active_test":
                result.append(self.context.get("active_test", True))
            elif key == "company":
                ids = self.context.get("allowed_company_ids")
                result.append(ids[0] if ids else None)
            else:
                value = self.context.get(key)
                result.append(_freeze(value))
        return tuple(result)

    # -- pending work --------------------------------------------------------------------------
    def flush_all(self) -> None:
        """Recompute all pending stored fields, then send every pending write."""
        transaction = self.transaction
        env = transaction.default_env or self
        for _round in range(1000):
            pending = [
                (f, ids)
                for f, ids in transaction.tocompute.items()
                if ids - transaction.protected.get(f, set())
            ]
            if not pending:
                break
            for field, _ids in pending:
                env[field.model_name]._recompute_field(field)
        else:
            raise UserError("Recomputation does not converge (circular dependency)")
        names = [name for name, pending in transaction.towrite.items() if pending]
        if names:
            env[names[0]]._flush_models_towrite(names)

    def invalidate_all(self, flush: bool = True) -> None:
        if flush:
            self.flush_all()
        self.cache.invalidate()
        # the data may have changed behind the ORM's back: the read checks are redone
        self.transaction.read_checks.clear()

    def protecting(self, fields: Iterable[Field], records: Recordset) -> Protection:
        """While the block runs, assigning ``fields`` on ``records`` only fills the cache."""
        return Protection(self.transaction, [(fields, records._ids)])

    def is_protected(self, field: Field, record_id: IdType) -> bool:
        return record_id in self.transaction.protected.get(field, ())

    def add_to_compute(self, field: Field, ids: Iterable[IdType]) -> None:
        self.transaction.tocompute[field].update(ids)

    def remove_to_compute(self, field: Field, ids: Iterable[IdType]) -> None:
        pending = self.transaction.tocompute.get(field)
        if pending is None:
            return
        pending.difference_update(ids)
        if not pending:
            del self.transaction.tocompute[field]

    def is_to_compute(self, field: Field, record_id: IdType) -> bool:
        pending = self.transaction.tocompute.get(field)
        return pending is not None and record_id in pending

    def __repr__(self) -> str:
        return f"<Environment uid={self.uid} su={self.su} {self.cr!r}>"


class Protection:
    """The context manager of ``Environment.protecting``, for several groups at once:
    ``[(fields, ids)]``; on entering, each group's ids are added to the protected ids of its
    fields, on leaving only the ids it added are removed."""

    __slots__ = ("transaction", "groups", "added")

    def __init__(
        self, transaction: Transaction, groups: list[tuple[Iterable[Field], Iterable[IdType]]]
    ) -> None:
        self.transaction = transaction
        self.groups = groups
        self.added: list[tuple[Field, set[IdType]]] = []

    def __enter__(self) -> None:
        protected = self.transaction.protected
        added = self.added
        for fields, group_ids in self.groups:
            ids = set(group_ids)
            for field in fields:
                current = protected.get(field)
                if current is None:
                    protected[field] = set(ids)
                    added.append((field, ids))
                else:
                    new = ids - current
                    if new:
                        current |= new
                        added.append((field, new))

    def __exit__(self, *exc_info: Any) -> None:
        protected = self.transaction.protected
        for field, new in self.added:
            current = protected.get(field)
            if current is not None:
                current -= new
                if not current:
                    del protected[field]
        self.added = []


def _init_env(
    env: Environment,
    cr: Cursor,
    uid: int | None,
    context: frozendict,
    su: bool,
    transaction: Transaction,
) -> None:
    env.cr = cr
    env.uid = uid
    env.context = context
    env.su = su
    env.transaction = transaction
    env.registry = transaction.registry
    env.cache = transaction.cache
