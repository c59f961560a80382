"""Search plans: the SQL of a search compiled once per domain *shape*, reused with new values.

A search compiles its domain in three steps (parse, ``optimize`` against the model, ``to_sql``)
and then adds the user's record rules and the ``ORDER BY``. For the same model, user, companies
and order, a domain with the same structure, fields and operators, whose values only differ
(``[("name", "ilike", "acme")]`` then ``[("name", "ilike", "bolt")]``) gives the same SQL text
with other parameters. A plan keeps that text and, for each parameter, where it comes from:

- the domain is turned into a *shape*: its structure with each value replaced by its kind
  (``str``, non-empty; ``int``; a list without ``False``...). Booleans, ``None``, empty strings
  and empty lists are kept in the shape itself, as the compiler branches on them, and so are
  the values a field writes into the SQL text (a fixed selection's, see ``literal_value``);
- the first search of a shape compiles as usual from the domain parsed *bound* (each condition
  with a variable value knows the position of that value: ``DomainCondition.param``), with a
  :class:`Recorder` set on the transaction (``Transaction.plan_recorder``) that notes every
  condition compiled into SQL (``DomainCondition.to_sql``, the rules' conditions included):
  its field, operator, the position its value came from (or the constant, for rules and
  conditions the ORM adds), and the SQL text it gave;
- a later search of that shape skips parsing, optimising and assembling: each recorded condition
  is compiled again with the new value (``Field.condition_to_sql``, so conversions and patterns
  are the field's own) and its text must equal the recorded one, else the search compiles from
  scratch. The parameters are those of the conditions, in order.

A shape is not planned (it compiles from scratch every time) when what it compiles to may depend
on data or on values beyond their kind: a searchable non-stored field (its ``search`` method is
code), ``child_of``/``parent_of``, a condition whose value is a domain or a container built from
the domain's values, a value of another type (a date, a recordset), or a pending write to flush.
Plans live in a cache of the registry (``registry.search_plans``, a :class:`PlanCache`) that the
registry empties with its access cache: a change of rights, rules, groups or of the registry
drops them with the answers they were built from. ``PlanCache.query`` is the whole of it for the
ORM: the query of a search from its plan, or None (compile from scratch).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

from erplite.orm.domains import DomainCondition
from erplite.orm.query import Query
from erplite.sql import SQL

if TYPE_CHECKING:
    from erplite.orm.environment import Environment

#: plans kept per registry (least recently used dropped first)
MAX_PLANS = 512

_SCALARS = (str, int, float)
_LOGIC = ("&", "|", "!")


#: a domain's shape: its structure, each value replaced by its kind (hashable)
Shape = tuple[Any, ...]
#: what identifies a plan: model, shape, user, su, active_test, companies, order, paging
PlanKey = tuple[Any, ...]
#: a recorded condition: (model, su, field, operator, ("slot", position) | ("const", value),
#: alias, the SQL text it gave)
Entry = tuple[str, bool, str, str, tuple[str, Any], str, str]
#: a query's joins: alias -> (kind, table, condition)
Joins = dict[str, tuple[str, str, SQL]]


class Unplannable(Exception):
    """The domain's compilation depends on more than its shape."""


# ---------------------------------------------------------------------------------------------
# shapes
# ---------------------------------------------------------------------------------------------


def domain_shape(domain: Any, model: Any = None) -> tuple[Shape, list[Any]] | None:
    """``(shape, values)`` of a domain in list form, or None when it cannot be planned.

    ``values`` are the domain's variable values in order; ``shape`` is hashable and equal for
    two domains that compile to the same SQL text. With ``model``, the values its fields
    compile as SQL literals (``literal_value``) are part of the shape."""
    if not isinstance(domain, list | tuple):
        return None
    values: list[Any] = []
    try:
        shape = _shape_of(domain, values, model)
    except Unplannable:
        return None
    return shape, values


def literal_value(model: Any, fname: str, operator: str, value: Any) -> bool:
    """Whether ``(fname, operator, value)`` on ``model`` compiles its value as a literal: a
    value of a fixed selection (``Selection.condition_to_sql``)."""
    if model is None or type(value) is not str:
        return False
    field = model._fields.get(fname)
    return field is not None and field.type == "selection" and field.literal_value(operator, value)


def _shape_of(items: Any, values: list[Any], model: Any = None) -> Shape:
    if (
        isinstance(items, tuple)
        and len(items) == 3
        and isinstance(items[1], str)
        and items[1] not in _LOGIC
    ):
        items = [items]  # a single term, as Domain() reads it
    shape: list[Any] = []
    for item in items:
        if isinstance(item, str):
            if item not in _LOGIC:
                raise Unplannable
            shape.append(item)
            continue
        if not isinstance(item, list | tuple) or len(item) != 3:
            raise Unplannable
        fname, operator, value = item
        if not isinstance(fname, str) or not isinstance(operator, str):
            raise Unplannable  # (1, "=", 1) and errors: compiled (and reported) as usual
        op = operator.lower()
        if op in ("any", "not any") and isinstance(value, list | tuple):
            shape.append((fname, op, ("domain", _shape_of(value, values))))
            continue
        if literal_value(model, fname, op, value):
            shape.append((fname, op, ("literal", value)))
            continue
        shape.append((fname, op, _value_kind(value, values)))
    return tuple(shape)


def _value_kind(value: Any, values: list[Any]) -> Any:
    kind = type(value)
    if value is None or kind is bool:
        return ("const", value)
    if kind is str or kind is int or kind is float:
        if kind is str and not value:
            return ("const", "")
        values.append(value)
        return kind.__name__
    if kind is list or kind is tuple:
        if not value:
            return ("const", kind.__name__)
        has_null = False
        for element in value:
            element_kind = type(element)
            if element is None or element is False:
                has_null = True
            elif element_kind not in (str, int, float, bool):
                raise Unplannable
        values.append(value)
        return ("list", kind.__name__, has_null)
    raise Unplannable


def bind(domain: Any, values: list[Any], model: Any = None) -> list[Any]:
    """``domain`` with each term of a variable value replaced by its condition, bound to the
    position of that value (the positions of ``domain_shape(domain, model)``)."""
    counter = iter(range(len(values)))
    return _bind_items(domain, counter, model)


def _bind_items(items: Any, counter: Iterator[int], model: Any = None) -> list[Any]:
    if (
        isinstance(items, tuple)
        and len(items) == 3
        and isinstance(items[1], str)
        and items[1] not in _LOGIC
    ):
        items = [items]
    result: list[Any] = []
    for item in items:
        if isinstance(item, str):
            result.append(item)
            continue
        fname, operator, value = item
        if operator.lower() in ("any", "not any") and isinstance(value, list | tuple):
            result.append((fname, operator, _bind_items(value, counter)))
            continue
        kind = type(value)
        if (
            value is None
            or kind is bool
            or (kind is str and not value)
            or literal_value(model, fname, operator.lower(), value)
            or (kind in (list, tuple) and not value)
        ):
            result.append((fname, operator, value))
        else:
            result.append(DomainCondition(fname, operator, value, param=next(counter)))
    return result


# ---------------------------------------------------------------------------------------------
# recording
# ---------------------------------------------------------------------------------------------


class Recorder:
    """What one compilation sent to SQL, condition by condition: set as the transaction's
    ``plan_recorder`` while a plan is recorded, asked by ``DomainCondition.to_sql``."""

    __slots__ = ("values", "entries", "plannable")

    def __init__(self, values: list[Any]) -> None:
        #: the values of the bound domain, by position
        self.values = values
        self.entries: list[Entry] = []
        self.plannable = True

    def compile_condition(
        self, condition: Any, model: Any, field: Any, alias: str, query: Any, opaque: bool
    ) -> SQL:
        """``field.condition_to_sql(...)`` of ``condition``, noted; ``opaque``: its value is
        a domain the field compiles inside (into the text: not planned)."""
        transaction = model.env.transaction
        operator, value = condition.operator, condition.value
        transaction.plan_recorder = None  # what the field compiles inside is part of its text
        try:
            sql: SQL = field.condition_to_sql(operator, value, model, alias, query)
        finally:
            transaction.plan_recorder = self
        param = condition.param
        if param is not None:
            if opaque or value is not self.values[param]:
                self.plannable = False  # the value was made from the domain's: not replayable
                return sql
            source: tuple[str, Any] = ("slot", param)
        elif opaque or any(value is known for known in self.values):
            # a domain, or a condition that lost its position on the way: not replayable
            self.plannable = False
            return sql
        else:
            source = ("const", value)
        self.entries.append(
            (model._name, model.env.su, field.name, operator, source, alias, sql.text)
        )
        return sql


def record(
    model: Any,
    domain: Any,
    values: list[Any],
    offset: int,
    limit: int | None,
    order: str | None,
) -> SearchPlan | None:
    """Compile ``domain`` bound, and make the plan of its shape; None when the compilation
    depends on more than the shape."""
    transaction = model.env.transaction
    recorder = Recorder(values)
    outer = transaction.plan_recorder
    transaction.plan_recorder = recorder
    try:
        query = model._search_compiled(bind(domain, values, model), offset, limit, order)
    except Exception:
        return None  # compiled again from scratch, which raises the error with its values
    finally:
        transaction.plan_recorder = outer
    if not recorder.plannable or query.is_false or not query.conditions:
        return None
    where = query.where_clause
    plan = SearchPlan(where.text, query.joins, query.order, recorder.entries)
    # the recipe must give back exactly the parameters of the compilation
    params = plan.params(model.env, values)
    if params is None or len(params) != len(where.params) or params != list(where.params):
        return None
    return plan


# ---------------------------------------------------------------------------------------------
# plans
# ---------------------------------------------------------------------------------------------


class SearchPlan:
    """The compiled WHERE, joins and ORDER BY of one shape, and the recipe of its parameters."""

    __slots__ = ("where_text", "joins", "order", "entries")

    def __init__(
        self, where_text: str, joins: Joins, order: SQL | None, entries: list[Entry]
    ) -> None:
        self.where_text = where_text
        self.joins = joins
        self.order = order
        self.entries = entries

    def query(
        self, env: Environment, table: str, values: list[Any], limit: int | None, offset: int
    ) -> Query | None:
        """The query of the search of ``values`` (``offset``, ``limit``), or None when a
        condition compiles to another text with them (compile from scratch then)."""
        params = self.params(env, values)
        if params is None:
            return None
        where = SQL.raw(self.where_text, params)
        return Query.planned(env, table, where, self.joins, self.order, limit, offset or None)

    def params(self, env: Environment, values: list[Any]) -> list[Any] | None:
        """The parameters for ``values``, or None when a condition compiles to another text
        with them (the search must then compile from scratch)."""
        params: list[Any] = []
        scratch = None
        for model_name, su, fname, operator, source, alias, text in self.entries:
            model = env[model_name] if env.su == su else env(su=su)[model_name]
            field = model._fields[fname]
            value = values[source[1]] if source[0] == "slot" else source[1]
            if scratch is None:
                scratch = Query(env, model._table)
            sql = field.condition_to_sql(operator, value, model, alias, scratch)
            if sql.text != text:
                return None
            params.extend(sql.params)
        return params


class PlanCache:
    """The plans of one registry (or of one transaction, while it changes security data),
    by key, the least recently used dropped first past ``MAX_PLANS``. The owner empties it
    when the answers the plans were built from change (rights, rules, groups, models)."""

    __slots__ = ("_plans",)

    def __init__(self) -> None:
        self._plans: OrderedDict[PlanKey, SearchPlan | None] = OrderedDict()

    def lookup(self, key: PlanKey) -> SearchPlan | None | Literal[False]:
        """The plan of ``key``; None when the shape cannot be planned; False when unknown."""
        plans = self._plans
        plan: SearchPlan | None | Literal[False] = plans.get(key, False)
        if plan is not False:
            try:
                plans.move_to_end(key)
            except KeyError:  # dropped by another thread meanwhile: still usable
                pass
        return plan

    def remember(self, key: PlanKey, plan: SearchPlan | None) -> None:
        """Keep ``plan`` (None: the shape cannot be planned) for ``key``."""
        plans = self._plans
        plans[key] = plan
        while len(plans) > MAX_PLANS:
            try:
                plans.popitem(last=False)
            except KeyError:  # emptied by another thread meanwhile
                break

    def query(
        self, model: Any, domain: Any, offset: int, limit: int | None, order: str | None
    ) -> Query | None:
        """The query of ``model.search(domain, offset, limit, order)`` from the plan of the
        domain's shape, recorded on first use; None when the shape cannot be planned (the
        caller compiles the domain from scratch)."""
        shaped = domain_shape(domain, model)
        if shaped is None:
            return None
        shape, values = shaped
        env = model.env
        context = env.context
        key = (
            model._name,
            shape,
            env.uid,
            env.su,
            bool(context.get("active_test", True)),
            tuple(context.get("allowed_company_ids") or ()),
            order,
            limit is not None or bool(offset),
        )
        plan = self.lookup(key)
        if plan is False:
            plan = record(model, domain, values, offset, limit, order)
            self.remember(key, plan)
        if plan is None:
            return None
        return plan.query(env, model._table, values, limit, offset)

    def clear(self) -> None:
        self._plans.clear()

    def items(self) -> Iterator[tuple[PlanKey, SearchPlan | None]]:
        return iter(list(self._plans.items()))

    def __iter__(self) -> Iterator[PlanKey]:
        return iter(list(self._plans))

    def __len__(self) -> int:
        return len(self._plans)


def plans(env: Environment) -> PlanCache:
    """The plan cache of ``env``'s registry, or of its transaction while that transaction
    changes security data (what it compiles then may be rolled back)."""
    transaction = env.transaction
    cache: PlanCache = (
        transaction.search_plans if transaction.access_dirty else env.registry.search_plans
    )
    return cache
