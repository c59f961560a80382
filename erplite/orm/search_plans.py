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
- the first search of a shape compiles as usual, with each value wrapped in a marker (a ``str``
  or ``int`` subclass that remembers its position), and records every condition compiled into
  SQL (``DomainCondition.to_sql``, the rules' conditions included): its field, operator, the
  position its value came from (or the constant, for rules and conditions the ORM adds), and
  the SQL text it gave;
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
drops them with the answers they were built from.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from erplite.sql import SQL

#: plans kept per registry (least recently used dropped first)
MAX_PLANS = 512

_state = threading.local()


class _SlotStr(str):
    slot: int


class _SlotInt(int):
    slot: int


class _SlotFloat(float):
    slot: int


class _SlotList(list):
    slot: int


_SLOT_TYPES = (_SlotStr, _SlotInt, _SlotFloat, _SlotList)
_WRAP = {str: _SlotStr, int: _SlotInt, float: _SlotFloat, list: _SlotList, tuple: _SlotList}
_SCALARS = (str, int, float)
_LOGIC = ("&", "|", "!")


class Unplannable(Exception):
    """The domain's compilation depends on more than its shape."""


# ---------------------------------------------------------------------------------------------
# shapes
# ---------------------------------------------------------------------------------------------


def domain_shape(domain: Any, model: Any = None) -> tuple[tuple, list] | None:
    """``(shape, values)`` of a domain in list form, or None when it cannot be planned.

    ``values`` are the domain's variable values in order; ``shape`` is hashable and equal for
    two domains that compile to the same SQL text. With ``model``, the values its fields
    compile as SQL literals (``literal_value``) are part of the shape."""
    if not isinstance(domain, list | tuple):
        return None
    values: list = []
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


def _shape_of(items: Any, values: list, model: Any = None) -> tuple:
    if (
        isinstance(items, tuple)
        and len(items) == 3
        and isinstance(items[1], str)
        and items[1] not in _LOGIC
    ):
        items = [items]  # a single term, as Domain() reads it
    shape: list = []
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


def _value_kind(value: Any, values: list) -> Any:
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


def slotted(domain: Any, values: list, model: Any = None) -> list:
    """``domain`` with each variable value replaced by a marker remembering its position
    (the positions of ``domain_shape(domain, model)``)."""
    counter = iter(range(len(values)))
    return _slot_items(domain, counter, model)


def _slot_items(items: Any, counter: Any, model: Any = None) -> list:
    if (
        isinstance(items, tuple)
        and len(items) == 3
        and isinstance(items[1], str)
        and items[1] not in _LOGIC
    ):
        items = [items]
    result: list = []
    for item in items:
        if isinstance(item, str):
            result.append(item)
            continue
        fname, operator, value = item
        if operator.lower() in ("any", "not any") and isinstance(value, list | tuple):
            result.append((fname, operator, _slot_items(value, counter)))
            continue
        kind = type(value)
        if value is None or kind is bool or (kind is str and not value):
            result.append((fname, operator, value))
        elif literal_value(model, fname, operator.lower(), value):
            result.append((fname, operator, value))
        elif kind in (list, tuple) and not value:
            result.append((fname, operator, value))
        else:
            marker = _WRAP[kind](value)
            marker.slot = next(counter)
            result.append((fname, operator, marker))
    return result


# ---------------------------------------------------------------------------------------------
# recording
# ---------------------------------------------------------------------------------------------


class Recorder:
    """What one compilation sent to SQL, condition by condition."""

    __slots__ = ("entries", "plannable")

    def __init__(self) -> None:
        self.entries: list[tuple] = []
        self.plannable = True


def recorder() -> Recorder | None:
    """The recorder of the compilation running in this thread, if any."""
    stack = getattr(_state, "stack", None)
    return stack[-1] if stack else None


def compile_condition(
    model: Any, field: Any, operator: str, value: Any, alias: str, query: Any
) -> SQL:
    """``field.condition_to_sql(...)``, noted by the running recording if any (the domain
    compiler calls it for each condition it renders)."""
    stack = getattr(_state, "stack", None)
    rec = stack[-1] if stack else None
    if rec is None:
        return field.condition_to_sql(operator, value, model, alias, query)
    stack.append(None)  # what the field compiles inside (sub-searches) is part of its text
    try:
        sql = field.condition_to_sql(operator, value, model, alias, query)
    finally:
        stack.pop()
    if isinstance(value, _SLOT_TYPES):
        source: Any = ("slot", value.slot)
    elif _holds_slot(value):
        rec.plannable = False
        return sql
    else:
        source = ("const", value)
    rec.entries.append((model._name, model.env.su, field.name, operator, source, alias, sql.text))
    return sql


def mark_unplannable() -> None:
    """The running compilation depends on data or code: do not plan it."""
    rec = recorder()
    if rec is not None:
        rec.plannable = False


def _holds_slot(value: Any) -> bool:
    from erplite.orm.domains import Domain

    if isinstance(value, Domain):
        return True
    if isinstance(value, list | tuple | set | frozenset):
        return any(isinstance(v, _SLOT_TYPES) or _holds_slot(v) for v in value)
    return False


class recording:
    """``with recording() as rec:`` records the compilations of this thread into ``rec``."""

    def __enter__(self) -> Recorder:
        stack = getattr(_state, "stack", None)
        if stack is None:
            stack = _state.stack = []
        self.rec = Recorder()
        stack.append(self.rec)
        return self.rec

    def __exit__(self, *exc: Any) -> None:
        _state.stack.pop()


# ---------------------------------------------------------------------------------------------
# plans
# ---------------------------------------------------------------------------------------------


class SearchPlan:
    """The compiled WHERE, joins and ORDER BY of one shape, and the recipe of its parameters."""

    __slots__ = ("where_text", "joins", "order", "entries")

    def __init__(self, where_text: str, joins: dict, order: Any, entries: list[tuple]):
        self.where_text = where_text
        self.joins = joins
        self.order = order
        self.entries = entries

    def params(self, env: Any, values: list) -> list | None:
        """The parameters for ``values``, or None when a condition compiles to another text
        with them (the search must then compile from scratch)."""
        from erplite.orm.query import Query

        params: list = []
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
        self._plans: OrderedDict[tuple[Any, ...], SearchPlan | None] = OrderedDict()

    def lookup(self, key: tuple[Any, ...]) -> SearchPlan | None | bool:
        """The plan of ``key``; None when the shape cannot be planned; False when unknown."""
        plans = self._plans
        plan = plans.get(key, False)
        if plan is not False:
            try:
                plans.move_to_end(key)
            except KeyError:  # dropped by another thread meanwhile: still usable
                pass
        return plan

    def remember(self, key: tuple[Any, ...], plan: SearchPlan | None) -> None:
        """Keep ``plan`` (None: the shape cannot be planned) for ``key``."""
        plans = self._plans
        plans[key] = plan
        while len(plans) > MAX_PLANS:
            try:
                plans.popitem(last=False)
            except KeyError:  # emptied by another thread meanwhile
                break

    def clear(self) -> None:
        self._plans.clear()

    def items(self) -> Iterator[tuple[tuple[Any, ...], SearchPlan | None]]:
        return iter(list(self._plans.items()))

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(list(self._plans))

    def __len__(self) -> int:
        return len(self._plans)


def plans(env: Any) -> PlanCache:
    """The plan cache of ``env``'s registry, or of its transaction while that transaction
    changes security data (what it compiles then may be rolled back)."""
    transaction = env.transaction
    cache: PlanCache = (
        transaction.search_plans if transaction.access_dirty else env.registry.search_plans
    )
    return cache


def remember(env: Any, key: tuple[Any, ...], plan: SearchPlan | None) -> None:
    plans(env).remember(key, plan)


def lookup(env: Any, key: tuple[Any, ...]) -> SearchPlan | None | bool:
    """The plan of ``key``; None when the shape cannot be planned; False when unknown."""
    return plans(env).lookup(key)
