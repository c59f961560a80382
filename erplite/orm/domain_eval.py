"""Evaluating a domain in Python, on the records' values: ``records.filtered_domain(domain)``.

Worked example::

    orders = env["sale.order"].browse(ids)
    drafts = orders.filtered_domain([("state", "=", "draft"), ("partner_id.name", "ilike", "acme")])
    # the same records as orders & env["sale.order"].search(<same domain>), in the order of
    # ``orders``, without a query for values already in the cache

The semantics are the SQL side's (``erplite.orm.domains`` and ``Field.condition_to_sql``), so
that filtering in memory and searching agree:

* negations are pushed onto the operators first (``!`` of ``<`` is ``>=``), as Odoo 17 does;
  what has no inverse operator (``=like``, ``child_of``...) is the complement;
* NULL semantics: ``= False`` matches empty values only, ``!=`` / ``not in`` / ``not like``
  with a value also match empty values, ``in`` with ``False`` among the values matches empty
  values, ``like ''`` matches everything including empty values, a comparison (``<``...) never
  matches an empty value; an empty boolean is ``False``;
* ``like``/``ilike``/``=like``/``=ilike`` values are SQL LIKE patterns (``%`` and ``_`` are
  wildcards, ``\\`` escapes), ``like`` adds ``%`` around the value;
* a dotted path ``a.b`` is ``(a, any, [(b, ...)])``: some related record matches; its
  negation is ``(a, not any, [(b, ...)])``: no related record matches (an empty ``a`` too);
  ``any``/``not any`` take a domain on the comodel; a string value on a relational field
  matches the comodel's record name;
* ``child_of``/``parent_of`` use ``parent_path`` when the model keeps a parent store, the
  parent chain otherwise; on a many2one to the model itself, that field is the parent link.

Unlike ``search``, no ``active`` condition is added: the records are those given. Non-stored
computed fields are evaluated on their computed values (for the given records only).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from erplite.orm import arguments
from erplite.orm.domains import (
    _NEGATION,
    NEGATIVE_OPERATORS,
    Domain,
    DomainAnd,
    DomainCondition,
    DomainNary,
    DomainNot,
    DomainOr,
    _DomainBool,
)
from erplite.orm.hierarchy import hierarchy_ids

if TYPE_CHECKING:
    from erplite.orm.fields import Field
    from erplite.orm.recordset import Recordset

#: the recordset type ``filter_records`` gives back as it was given
RecordsT = TypeVar("RecordsT", bound="Recordset")

_LIKE = ("like", "not like", "ilike", "not ilike", "=like", "=ilike")
_COMPARISONS = ("<", "<=", ">", ">=")


def filter_records(records: RecordsT, domain: Any) -> RecordsT:
    """The records of ``records`` matching ``domain``, in their order and prefetch set."""
    if not records:
        return records
    tree = _push_not(Domain(domain))
    matched = _evaluate(tree, records)
    return records._browse(
        records.env, tuple(i for i in records._ids if i in matched), records._prefetch_ids
    )


# ---------------------------------------------------------------------------------------------
# the tree
# ---------------------------------------------------------------------------------------------


def _push_not(node: Domain, negate: bool = False) -> Domain:
    """``node`` with its negations moved onto the operators (Odoo's ``distribute_not``)."""
    if isinstance(node, DomainNot):
        return _push_not(node.child, not negate)
    if isinstance(node, _DomainBool):
        return ~node if negate else node
    if isinstance(node, DomainNary):
        cls = type(node)
        if negate:
            cls = DomainOr if cls is DomainAnd else DomainAnd
        return cls.make([_push_not(child, negate) for child in node.children])
    if not negate or not isinstance(node, DomainCondition):  # the other nodes are above
        return node
    if isinstance(node.field_expr, str) and "." in node.field_expr:
        # ``!`` (a.b op x) is (a not any [b op x]), as the SQL side compiles it
        fname, _, rest = node.field_expr.partition(".")
        inner = DomainCondition(rest, node.operator, node.value, _checked=True)
        return DomainCondition(fname, "not any", inner, _checked=True)
    if node.operator in _NEGATION:
        return DomainCondition(node.field_expr, _NEGATION[node.operator], node.value, _checked=True)
    return DomainNot(node)


def _subset(records: Recordset, ids: set[int]) -> Recordset:
    return records._browse(
        records.env, tuple(i for i in records._ids if i in ids), records._prefetch_ids
    )


def _evaluate(node: Domain, records: Recordset) -> set[int]:
    """The ids of ``records`` matching ``node`` (a tree whose negations were pushed)."""
    if not records:
        return set()
    if isinstance(node, _DomainBool):
        return set(records._ids) if node.value else set()
    if isinstance(node, DomainAnd):
        remaining = records
        for child in node.children:
            remaining = _subset(remaining, _evaluate(child, remaining))
            if not remaining:
                break
        return set(remaining._ids)
    if isinstance(node, DomainOr):
        result: set[int] = set()
        remaining = records
        for child in node.children:
            found = _evaluate(child, remaining)
            result |= found
            remaining = _subset(remaining, set(remaining._ids) - found)
            if not remaining:
                break
        return result
    if isinstance(node, DomainNot):
        # SQL's NOT leaves NULL conditions NULL: those records match neither way
        child = _push_not(node.child)
        return set(records._ids) - _evaluate(child, records) - _unknown(child, records)
    assert isinstance(node, DomainCondition)  # the four kinds of node: the last one
    return _evaluate_condition(node, records)


def _unknown(node: Domain, records: Recordset) -> set[int]:
    """The ids of ``records`` for which the SQL form of ``node`` is NULL rather than false:
    the conditions left under a NOT (no inverse operator) on an empty value."""
    if not isinstance(node, DomainCondition) or "." in node.field_expr:
        return set()
    field = records._fields.get(node.field_expr)
    if field is None:
        return set()
    if node.operator in ("=like", "=ilike") and not field.relational:
        return {i for i, value in _values(records, field).items() if value is None}
    if (
        node.operator in ("child_of", "parent_of")
        and field.type == "many2one"
        and field.comodel_name != records._name
    ):
        return {i for i, value in _values(records, field).items() if value is None}
    return set()


def _error(node: DomainCondition, message: str) -> ValueError:
    return arguments.term_error(next(iter(node)), message)


def _evaluate_condition(node: DomainCondition, records: Recordset) -> set[int]:
    fname, _, rest = node.field_expr.partition(".")
    field = records._fields.get(fname)
    if field is None:
        raise _error(node, f"Invalid field {records._name}.{fname}")
    operator, value = node.operator, node.value
    if operator == "=?":
        if value is False or value is None:
            return set(records._ids)
        operator = "="
    if rest:
        if not field.relational:
            raise _error(
                node, f"Invalid path {node.field_expr!r}: {records._name}.{fname} is not a relation"
            )
        return _any(records, field, DomainCondition(rest, operator, value))
    if operator in ("any", "not any"):
        if not field.relational:
            raise _error(
                node, f"Operator {operator!r} needs a relational field, not {records._name}.{fname}"
            )
        found = _any(records, field, Domain(value))
        return found if operator == "any" else set(records._ids) - found
    if operator in ("child_of", "parent_of"):
        return _hierarchy(records, field, operator, value)
    if field.relational:
        if isinstance(value, str):
            # a name: the comodel's records whose name matches (the SQL side's rewrite)
            comodel = records.env[field.comodel_name]
            negative = operator in NEGATIVE_OPERATORS
            positive = _NEGATION[operator] if negative else operator
            if positive == "in":
                positive = "="
            found = _any(records, field, Domain(comodel._search_display_name(positive, value)))
            return set(records._ids) - found if negative else found
        if hasattr(value, "_ids"):
            value = list(value._ids)
            operator = {"=": "in", "!=": "not in"}.get(operator, operator)
        elif isinstance(value, list | tuple):
            value = [getattr(v, "id", v) if hasattr(v, "_ids") else v for v in value]
        if field.type != "many2one":
            return _x2many(records, field, operator, value)
    values = _values(records, field)
    test = _scalar_test(records, field, operator, value)
    return {record_id for record_id in records._ids if test(values[record_id])}


# ---------------------------------------------------------------------------------------------
# relations
# ---------------------------------------------------------------------------------------------


def _values(records: Recordset, field: Field) -> dict[int, Any]:
    """The cache values of ``field`` for ``records`` (``None`` when empty)."""
    env = records.env
    if field.name == "id":
        return {record_id: record_id for record_id in records._ids}
    records._ensure_cached(field)
    cache = env.transaction.cache
    # the records the user may not read are left empty, as their fetch leaves them, even
    # when another user's read put their values in the cache
    readable = set(records._filter_read_passed())
    return {
        record_id: cache.get_value(record_id, field, env, default=None)
        if record_id in readable
        else None
        for record_id in records._ids
    }


def _related_ids(records: Recordset, field: Field) -> dict[int, tuple[int, ...]]:
    """The ids each record reaches through the relational ``field``."""
    if field.type == "many2one":
        return {
            record_id: (() if value is None else (value,))
            for record_id, value in _values(records, field).items()
        }
    records._ensure_cached(field)
    return {
        record._ids[0]: record[field.name]._ids
        for record in records._browse(
            records.env, tuple(dict.fromkeys(records._ids)), records._prefetch_ids
        )
    }


def _any(records: Recordset, field: Field, subdomain: Any) -> set[int]:
    """The ids of ``records`` with a related record (through ``field``) matching
    ``subdomain``."""
    related = _related_ids(records, field)
    target_ids = tuple(dict.fromkeys(i for ids in related.values() for i in ids))
    if not target_ids:
        return set()
    comodel = records.env[field.comodel_name]
    targets = comodel._browse(records.env, target_ids, target_ids)
    matched = _evaluate(_push_not(Domain(subdomain)), targets)
    return {record_id for record_id, ids in related.items() if any(i in matched for i in ids)}


def _x2many(records: Recordset, field: Field, operator: str, value: Any) -> set[int]:
    """One2many/many2many conditions on ids (the SQL side's EXISTS / IN forms)."""
    related = _related_ids(records, field)
    if value is False or value is None or (isinstance(value, list | tuple) and not value):
        # ("line_ids", "=", False): without lines; "!=" False: with lines
        empty = operator in ("=", "in") or (operator == "!=" and value == [])
        return {rid for rid, ids in related.items() if bool(ids) != empty}
    if operator in ("in", "not in", "=", "!="):
        wanted = set(value) if isinstance(value, list | tuple) else {value}
        wanted = {getattr(i, "id", i) for i in wanted if i}
        hit = {rid for rid, ids in related.items() if not wanted.isdisjoint(ids)}
        if operator in ("not in", "!="):
            return set(related) - hit
        return hit
    raise arguments.term_error((field.name, operator, value), "Invalid operator")


def _hierarchy(records: Recordset, field: Field, operator: str, value: Any) -> set[int]:
    model = records.env[records._name]
    if field.name == "id" or (field.type == "many2one" and field.comodel_name == records._name):
        hierarchy = model
        parent_name = model._parent_name if field.name == "id" else field.name
        targets: dict[int, tuple[int, ...]] = {
            record_id: (record_id,) for record_id in records._ids
        }
    else:
        hierarchy = records.env[field.comodel_name]
        parent_name = hierarchy._parent_name
        targets = _related_ids(records, field)
    if parent_name not in hierarchy._fields:
        raise arguments.hierarchy_error(hierarchy, parent_name, operator)
    ids = hierarchy_ids(hierarchy, value)
    if not ids:
        return set()
    hierarchy = hierarchy.sudo().with_context(active_test=False)
    candidates = tuple(dict.fromkeys(i for values in targets.values() for i in values))
    if operator == "child_of":
        matched = _descendants_among(hierarchy, parent_name, set(ids), candidates)
    else:
        matched = _ancestors(hierarchy, parent_name, ids)
    return {record_id for record_id, values in targets.items() if not matched.isdisjoint(values)}


def _path_ids(model: Recordset, ids: tuple[int, ...]) -> dict[int, list[int]]:
    records = model._browse(model.env, ids, ids)
    field = model._fields["parent_path"]
    return {
        record_id: [int(part) for part in (path or "").split("/") if part]
        for record_id, path in _values(records, field).items()
    }


def _parent_map(model: Recordset, parent_name: str, ids: Iterable[int]) -> dict[int, int | None]:
    """``{id: parent id}`` for ``ids`` and all their ancestors, one query per level."""
    field = model._fields[parent_name]
    parents: dict[int, int | None] = {}
    todo = tuple(dict.fromkeys(ids))
    while todo:
        values = _values(model._browse(model.env, todo, todo), field)
        parents.update(values)
        todo = tuple({p for p in values.values() if p is not None and p not in parents})
    return parents


def _chain(parents: dict[int, int | None], record_id: int) -> list[int]:
    """``record_id`` and its ancestors (a cycle stops the walk)."""
    chain: list[int] = []
    current: int | None = record_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def _descendants_among(
    model: Recordset, parent_name: str, roots: set[int], candidates: tuple[int, ...]
) -> set[int]:
    """The candidates that are one of ``roots`` or below one of them."""
    if model._parent_store and parent_name == model._parent_name:
        paths = _path_ids(model, candidates)
        return {i for i, path in paths.items() if not roots.isdisjoint(path)}
    parents = _parent_map(model, parent_name, candidates)
    return {i for i in candidates if not roots.isdisjoint(_chain(parents, i))}


def _ancestors(model: Recordset, parent_name: str, ids: list[int]) -> set[int]:
    """``ids`` and every record above them."""
    if model._parent_store and parent_name == model._parent_name:
        return {i for path in _path_ids(model, tuple(ids)).values() for i in path}
    parents = _parent_map(model, parent_name, ids)
    return {i for record_id in ids for i in _chain(parents, record_id)}


# ---------------------------------------------------------------------------------------------
# scalar comparisons
# ---------------------------------------------------------------------------------------------


def _comparable(records: Recordset, field: Field, value: Any, operator: str = "=") -> Any:
    """``value`` converted as the SQL side converts its parameters."""
    if field.type == "datetime" and operator in _COMPARISONS:
        import datetime

        # a bare date compared with a datetime covers the whole day, as in Odoo
        if isinstance(value, str) and len(value) == 10:
            value = value + (" 23:59:59" if operator in (">", "<=") else " 00:00:00")
        elif isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            bound = datetime.time.max if operator in (">", "<=") else datetime.time.min
            value = datetime.datetime.combine(value, bound)
    if field.type == "many2one":
        return getattr(value, "id", value)
    return field.convert_to_cache(value, records, validate=False)


def _scalar_test(
    records: Recordset, field: Field, operator: str, value: Any
) -> Callable[[Any], bool]:
    """A predicate on a cache value (``None`` when empty) implementing the condition."""
    boolean = field.type == "boolean"
    if operator in ("in", "not in"):
        values = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
        if boolean:
            wanted = {bool(v) for v in values}
            if operator == "not in":
                wanted = {True, False} - wanted
            return lambda x: bool(x) in wanted
        has_null = any(v is False or v is None for v in values)
        items = {_comparable(records, field, v) for v in values if v is not False and v is not None}
        if operator == "in":
            return lambda x: has_null if x is None else x in items
        return lambda x: (not has_null) if x is None else x not in items
    if operator in ("=", "!="):
        if boolean and (isinstance(value, bool) or value is None):
            truthy = bool(value) if operator == "=" else not value
            return lambda x: bool(x) == truthy
        if value is False or value is None:
            return (lambda x: x is None) if operator == "=" else (lambda x: x is not None)
        target = _comparable(records, field, value)
        if operator == "=":
            return lambda x: x is not None and x == target
        return lambda x: x is None or x != target
    if operator in _COMPARISONS:
        target = _comparable(records, field, value, operator)
        compare: Callable[[Any, Any], bool] = {
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }[operator]
        if boolean:
            return lambda x: compare(bool(x), bool(target))
        return lambda x: x is not None and target is not None and compare(x, target)
    if operator in _LIKE:
        text = "" if value is False or value is None else str(value)
        wildcard = operator in ("like", "ilike", "not like", "not ilike")
        negative = operator.startswith("not")
        regex = _like_regex(f"%{text}%" if wildcard else text, "ilike" in operator)
        with_null = (wildcard and not text) or (negative and bool(text))

        def test(x: Any) -> bool:
            if x is None:
                return with_null
            found = regex.fullmatch(_as_text(x)) is not None
            return (not found if negative else found) or False

        return test
    raise arguments.term_error((field.name, operator, value), "Invalid operator")


def _as_text(value: Any) -> str:
    """A value as PostgreSQL's ``::text`` renders it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    return str(value)


def _like_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """A regular expression matching what SQL ``LIKE pattern`` matches."""
    parts = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        if char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
        index += 1
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


__all__ = ["filter_records"]
