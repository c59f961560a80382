"""Domains: Odoo 17's search language as an immutable tree, optimised, then compiled to SQL.

Worked example::

    from erplite.orm.domains import Domain

    d = Domain(["|", ("state", "=", "draft"), "!", ("partner_id.name", "ilike", "acme")])
    # -> DomainOr(state = 'draft', NOT partner_id.name ilike 'acme')
    d = d.optimize(env["sale.order"])
    # -> DomainOr(state = 'draft', partner_id not any [name ilike 'acme'])
    sql = d.to_sql(env["sale.order"], "sale_order", query)      # an erplite.sql.SQL fragment

The three steps are separate: ``Domain(list)`` parses Odoo's prefix notation (``&``, ``|``,
``!``, implicit AND) and checks each term's shape and operator; ``optimize(model)`` resolves
field names against the model (an unknown name is a ``ValueError`` naming model and field),
rewrites dotted paths into ``any``, pushes negations onto operators, folds constant branches
and normalises values; ``to_sql`` asks each field to render its own conditions
(``Field.condition_to_sql``), so this module stays independent of the field types. Values
never become SQL text: they are parameters.

A condition may be *bound*: its ``param`` is the position of its value among the values of
the domain it was parsed from (``erplite.orm.search_plans`` parses a domain so, to record
which SQL parameter comes from which value). Optimising keeps the position on the conditions
that carry the value on; compiling hands each condition to the transaction's plan recorder,
when a search plan is being recorded (``Transaction.plan_recorder``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from erplite.orm import arguments
from erplite.sql import SQL

if TYPE_CHECKING:
    from typing import TypeAlias

    from erplite.orm.fields import Field
    from erplite.orm.query import Query
    from erplite.orm.recordset import Recordset
    from erplite.orm.search_plans import Recorder

    #: a term of Odoo's list form: ``(field_expr, operator, value)``
    Term: TypeAlias = "tuple[Any, str, Any]"
    #: an item of Odoo's list form (prefix notation): an operator or a term
    Item: TypeAlias = "str | Term"

OPERATORS = (
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "=?",
    "=like",
    "=ilike",
    "like",
    "not like",
    "ilike",
    "not ilike",
    "in",
    "not in",
    "child_of",
    "parent_of",
    "any",
    "not any",
)
#: the types of a value that every field takes in a term, not checked further
_PLAIN_VALUES = frozenset((str, int, float, bool, type(None)))

NEGATIVE_OPERATORS = ("!=", "not like", "not ilike", "not in", "not any")
_NEGATION = {
    "=": "!=",
    "!=": "=",
    "<": ">=",
    ">=": "<",
    ">": "<=",
    "<=": ">",
    "in": "not in",
    "not in": "in",
    "like": "not like",
    "not like": "like",
    "ilike": "not ilike",
    "not ilike": "ilike",
    "any": "not any",
    "not any": "any",
}
TRUE_LEAF = (1, "=", 1)
FALSE_LEAF = (0, "=", 1)


class _DomainMeta(type):
    """``Domain(x)`` parses ``x``; the subclasses are constructed as usual."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is Domain:
            return _make(*args, **kwargs)
        return super().__call__(*args, **kwargs)


def _make(arg: Any = None, operator: str | None = None, value: Any = None) -> Domain:
    if operator is not None:
        return DomainCondition(arg, operator, value)
    if isinstance(arg, Domain):
        return arg
    if arg is None or arg is True:
        return TRUE
    if arg is False:
        return FALSE
    if isinstance(arg, list | tuple):
        return _parse(arg)
    raise arguments.domain_error(arg, "expected a list of terms")


class Domain(metaclass=_DomainMeta):
    """Base of the domain tree. ``Domain(x)`` builds a tree from a list, a bool or a term."""

    __slots__ = ()

    if TYPE_CHECKING:
        # what ``_DomainMeta.__call__`` does for ``Domain(...)`` (``_make``'s signature); the
        # subclasses are built by their own ``__init__``
        def __new__(
            cls, arg: Any = None, operator: str | None = None, value: Any = None
        ) -> Domain: ...

    def __setattr__(self, name: str, value: Any) -> None:
        # nodes are shared between trees (optimisation returns parts of its input): a change
        # would corrupt every tree holding the node
        raise TypeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise TypeError(f"{type(self).__name__} is immutable")

    # -- combination ---------------------------------------------------------------------------
    def __and__(self, other: Any) -> Domain:
        return DomainAnd.make([self, Domain(other)])

    def __or__(self, other: Any) -> Domain:
        return DomainOr.make([self, Domain(other)])

    def __invert__(self) -> Domain:
        return DomainNot(self)

    def is_true(self) -> bool:
        return False

    def is_false(self) -> bool:
        return False

    def __iter__(self) -> Iterator[Item]:
        """Back to Odoo's list form (prefix notation)."""
        raise NotImplementedError

    def to_list(self) -> list[Item]:
        return list(self)

    # -- steps ---------------------------------------------------------------------------------
    def optimize(self, model: Recordset) -> Domain:
        """Resolve and simplify against ``model``; the result is equivalent and valid."""
        return self

    def to_sql(self, model: Recordset, alias: str, query: Query) -> SQL:
        """The SQL condition for an optimised domain on ``model`` as table ``alias``."""
        raise NotImplementedError

    def field_names(self) -> set[str]:
        return set()


class _DomainBool(Domain):
    __slots__ = ("value",)
    value: bool

    def __init__(self, value: bool) -> None:
        object.__setattr__(self, "value", value)

    def is_true(self) -> bool:
        return self.value

    def is_false(self) -> bool:
        return not self.value

    def __iter__(self) -> Iterator[Item]:
        yield TRUE_LEAF if self.value else FALSE_LEAF

    def __invert__(self) -> Domain:
        return FALSE if self.value else TRUE

    def to_sql(self, model: Recordset, alias: str, query: Query) -> SQL:
        return SQL("TRUE" if self.value else "FALSE")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _DomainBool) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return "TRUE" if self.value else "FALSE"


TRUE = _DomainBool(True)
FALSE = _DomainBool(False)


class DomainNot(Domain):
    __slots__ = ("child",)
    child: Domain

    def __init__(self, child: Domain) -> None:
        object.__setattr__(self, "child", child)

    def __iter__(self) -> Iterator[Item]:
        yield "!"
        yield from self.child

    def __invert__(self) -> Domain:
        return self.child

    def optimize(self, model: Recordset) -> Domain:
        child = self.child
        if isinstance(child, DomainNot):
            return child.child.optimize(model)
        if isinstance(child, _DomainBool):
            return ~child
        if isinstance(child, DomainNary):
            # De Morgan: the negations end up on the conditions
            other = DomainOr if isinstance(child, DomainAnd) else DomainAnd
            return other.make([DomainNot(c) for c in child.children]).optimize(model)
        if isinstance(child, DomainCondition) and isinstance(child.field_expr, str):
            fname, _, rest = child.field_expr.partition(".")
            field = model._fields.get(fname)
            if rest and field is not None and field.relational:
                # as Odoo 17's distribute_not: the negation of a path is "not any" on its first
                # relation (``!`` (a.b = x) is (a not any [b = x]): a record whose ``a`` is empty
                # matches), not the negated operator along the path
                inner = DomainCondition(
                    rest, child.operator, child.value, _checked=True, param=child.param
                )
                return DomainCondition(fname, "not any", inner, _checked=True).optimize(model)
        if isinstance(child, DomainCondition) and child.operator in _NEGATION:
            # as Odoo 17's distribute_not: the operator is negated
            negated = DomainCondition(
                child.field_expr,
                _NEGATION[child.operator],
                child.value,
                _checked=True,
                param=child.param,
            )
            return negated.optimize(model)
        optimized = child.optimize(model)
        if isinstance(optimized, _DomainBool):
            return ~optimized
        return DomainNot(optimized)

    def to_sql(self, model: Recordset, alias: str, query: Query) -> SQL:
        return SQL("(NOT (%s))", self.child.to_sql(model, alias, query))

    def field_names(self) -> set[str]:
        return self.child.field_names()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DomainNot) and other.child == self.child

    def __hash__(self) -> int:
        return hash(("not", self.child))

    def __repr__(self) -> str:
        return f"NOT {self.child!r}"


class DomainNary(Domain):
    __slots__ = ("children",)
    children: tuple[Domain, ...]
    OPERATOR = ""
    ZERO: Domain  # the absorbing element (FALSE for AND)
    IDENTITY: Domain  # the neutral element (TRUE for AND)

    def __init__(self, children: Iterable[Domain]) -> None:
        object.__setattr__(self, "children", tuple(children))

    @classmethod
    def make(cls, children: Iterable[Domain]) -> Domain:
        flat: list[Domain] = []
        for child in children:
            if isinstance(child, cls):
                flat.extend(child.children)
            elif child == cls.IDENTITY:
                continue
            elif child == cls.ZERO:
                return cls.ZERO
            else:
                flat.append(child)
        if not flat:
            return cls.IDENTITY
        if len(flat) == 1:
            return flat[0]
        return cls(flat)

    def __iter__(self) -> Iterator[Item]:
        for _ in range(len(self.children) - 1):
            yield self.OPERATOR
        for child in self.children:
            yield from child

    def optimize(self, model: Recordset) -> Domain:
        return type(self).make(child.optimize(model) for child in self.children)

    def to_sql(self, model: Recordset, alias: str, query: Query) -> SQL:
        keyword = " AND " if isinstance(self, DomainAnd) else " OR "
        parts = [child.to_sql(model, alias, query) for child in self.children]
        return SQL("(%s)", SQL(keyword).join(parts))

    def field_names(self) -> set[str]:
        names: set[str] = set()
        for child in self.children:
            names |= child.field_names()
        return names

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DomainNary)
            and type(other) is type(self)
            and other.children == self.children
        )

    def __hash__(self) -> int:
        return hash((self.OPERATOR, self.children))

    def __repr__(self) -> str:
        name = "AND" if isinstance(self, DomainAnd) else "OR"
        return f"{name}({', '.join(map(repr, self.children))})"


class DomainAnd(DomainNary):
    __slots__ = ()
    OPERATOR = "&"
    ZERO = FALSE
    IDENTITY = TRUE


class DomainOr(DomainNary):
    __slots__ = ()
    OPERATOR = "|"
    ZERO = TRUE
    IDENTITY = FALSE


class DomainCondition(Domain):
    """A term ``(field_expr, operator, value)``; ``param``: the position of its value among
    the values of a bound domain (see the module's docstring), else None."""

    __slots__ = ("field_expr", "operator", "value", "param")
    field_expr: str  # checked at construction (or by the caller, ``_checked``)
    operator: str
    value: Any
    param: int | None

    def __init__(
        self,
        field_expr: Any,
        operator: str,
        value: Any,
        _checked: bool = False,
        param: int | None = None,
    ) -> None:
        if not _checked:
            if not isinstance(field_expr, str) or not field_expr:
                raise arguments.term_error(
                    (field_expr, operator, value), f"Invalid field {field_expr!r}"
                )
            if not isinstance(operator, str) or operator.lower() not in OPERATORS:
                raise arguments.term_error(
                    (field_expr, operator, value), f"Invalid operator {operator!r}"
                )
            operator = operator.lower()
            # Odoo's normalize_leaf: "= [..]" means "in", "in True" means "="
            if operator in ("=", "!=") and isinstance(value, list | tuple):
                operator = "in" if operator == "=" else "not in"
            elif operator in ("in", "not in") and isinstance(value, bool):
                operator = "=" if operator == "in" else "!="
            if operator in ("in", "not in") and not isinstance(
                value, list | tuple | set | frozenset
            ):
                if hasattr(value, "_ids"):
                    value = list(value._ids)
                elif isinstance(value, Domain):
                    pass
                else:
                    value = [value]
            if isinstance(value, set | frozenset):
                value = sorted(value, key=repr)
            if operator in ("any", "not any") and isinstance(value, list | tuple):
                value = Domain(list(value))
        object.__setattr__(self, "field_expr", field_expr)
        object.__setattr__(self, "operator", operator)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "param", param)

    def __iter__(self) -> Iterator[Item]:
        value = self.value
        if isinstance(value, Domain):
            value = list(value)
        yield (self.field_expr, self.operator, value)

    def field_names(self) -> set[str]:
        return {self.field_expr.split(".", 1)[0]}

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DomainCondition)
            and other.field_expr == self.field_expr
            and other.operator == self.operator
            and _hashable(other.value) == _hashable(self.value)
        )

    def __hash__(self) -> int:
        return hash((self.field_expr, self.operator, _hashable(self.value)))

    def __repr__(self) -> str:
        return f"{self.field_expr} {self.operator} {self.value!r}"

    def _error(self, message: str) -> ValueError:
        return arguments.term_error(tuple(next(iter(self))), message)

    def optimize(self, model: Recordset) -> Domain:
        fname, _, rest = self.field_expr.partition(".")
        operator, value = self.operator, self.value
        field = model._fields.get(fname)
        if field is None:
            raise self._error(f"Invalid field {model._name}.{fname}")
        if operator == "=?":
            if value is False or value is None:
                return TRUE
            operator = "="
        if rest:
            if not field.relational:
                raise self._error(
                    f"Invalid path {self.field_expr!r}: {model._name}.{fname} is not a relation"
                )
            inner = DomainCondition(rest, operator, value, param=self.param)
            return DomainCondition(fname, "any", inner, _checked=True).optimize(model)
        if type(value) not in _PLAIN_VALUES:  # a dict would reach SQL as an unadaptable type
            arguments.check_domain_value(tuple(next(iter(self))), field, value)
        # a non-stored field: its related path, or the domain its search method returns
        if not field.store or (field.column_type is None and not field.relational):
            return self._optimize_nonstored(model, field, operator, value)
        if operator in ("in", "not in"):
            if isinstance(value, list | tuple) and not value:
                return FALSE if operator == "in" else TRUE
            if isinstance(value, list | tuple) and any(hasattr(v, "_ids") for v in value):
                value = [getattr(v, "id", v) if hasattr(v, "_ids") else v for v in value]
        if operator in ("any", "not any"):
            if not field.relational:
                raise self._error(
                    f"Operator {operator!r} needs a relational field, not {model._name}.{fname}"
                )
            comodel = model.env[field.comodel_name]
            sub = Domain(value).optimize(comodel)
            return DomainCondition(fname, operator, sub, _checked=True)
        if (
            field.relational
            and isinstance(value, str)
            and operator not in ("child_of", "parent_of")
        ):
            # ("partner_id", "ilike", "acme") searches on the comodel's record name
            comodel = model.env[field.comodel_name]
            positive = _NEGATION[operator] if operator in NEGATIVE_OPERATORS else operator
            if positive == "in":
                positive = "="
            # the comodel's name search (Odoo's _name_search: _rec_names_search applies)
            name = (
                "display_name"
                if "display_name" in comodel._fields
                else comodel._rec_name_search_field()
            )
            sub = DomainCondition(name, positive, value, param=self.param).optimize(comodel)
            any_operator = "not any" if operator in NEGATIVE_OPERATORS else "any"
            return DomainCondition(fname, any_operator, sub, _checked=True)
        if field.relational and operator in ("<", "<=", ">", ">=") and field.type != "many2one":
            raise self._error(f"Invalid operator {operator!r} for {model._name}.{fname}")
        return DomainCondition(fname, operator, value, _checked=True, param=self.param)

    def _optimize_nonstored(
        self, model: Recordset, field: Field, operator: str, value: Any
    ) -> Domain:
        if field.related:
            return DomainCondition(
                field.related, operator, value, _checked=False, param=self.param
            ).optimize(model)
        if field.search:
            _unplannable(model)  # the method is code: it may answer anything
            if callable(field.search):
                domain = field.search(model, operator, value)
            else:
                domain = getattr(model, field.search)(operator, value)
            return Domain(domain).optimize(model)
        raise self._error(f"Non-stored field {model._name}.{field.name} cannot be searched")

    def to_sql(self, model: Recordset, alias: str, query: Query) -> SQL:
        field = model._fields[self.field_expr]
        operator, value = self.operator, self.value
        if operator in ("child_of", "parent_of"):
            _unplannable(model)  # the hierarchy is read from the data
            return model._hierarchy_to_sql(field, operator, value, alias, query)
        if field.type == "many2one" and operator in ("any", "not any"):
            comodel = model.env[field.comodel_name].with_context(active_test=False)
            return _many2one_any_join(
                model, field, comodel, value, alias, query, negate=operator == "not any"
            )
        recorder = _plan_recorder(model)
        if recorder is None:
            sql: SQL = field.condition_to_sql(operator, value, model, alias, query)
        else:
            sql = recorder.compile_condition(
                self, model, field, alias, query, opaque=isinstance(value, Domain)
            )
        return sql


def _plan_recorder(model: Recordset) -> Recorder | None:
    """The recorder of the search plan being recorded in ``model``'s transaction, if any (an
    environment stand-in without a transaction, as unit tests give, has none)."""
    transaction = getattr(model.env, "transaction", None)
    return None if transaction is None else transaction.plan_recorder


def _unplannable(model: Recordset) -> None:
    """The search being compiled depends on data or code: its shape is not planned."""
    recorder = _plan_recorder(model)
    if recorder is not None:
        recorder.plannable = False


def _many2one_any_join(
    model: Recordset,
    field: Field,
    comodel: Recordset,
    value: Any,
    alias: str,
    query: Query,
    negate: bool = False,
) -> SQL:
    """``(many2one, "any", domain)`` as a LEFT JOIN of the comodel (the one that reading the
    display names or ordering by that field also uses) and the domain and the comodel's rules
    on the joined row, as Odoo does for ``auto_join`` fields: a many2one points to one row at
    most, so nothing is duplicated, and the planner may order the joins as it sees fit. The
    row must exist: a missing target matches nothing, even a domain true for empty values.

    ``negate`` compiles ``not any`` on the same join: the records whose target is missing or
    does not match (an unknown value, SQL NULL, counts as not matching), so an empty many2one
    is kept, as Odoo 17's ``not any``."""
    comodel._check_access("read")
    tree = Domain(value).optimize(comodel)
    env = comodel.env
    if env.transaction.is_dirty():
        comodel._flush_search(tree, None)
    if tree.is_false():
        return SQL("TRUE") if negate else SQL("FALSE")
    join_alias = query.left_join(alias, field.name, comodel._table, "id", field.name)
    conditions = [SQL("%s IS NOT NULL", SQL.identifier(join_alias, "id"))]
    if not tree.is_true():
        if not env.su:
            comodel._check_field_access(sorted(tree.field_names()), "read")
        conditions.append(tree.to_sql(comodel, join_alias, query))
    if not env.su:
        rules = comodel._rule_condition("read", join_alias, query)
        if rules is not None:
            conditions.append(rules)
    matched = SQL(" AND ").join(conditions)
    if negate:
        return SQL("(NOT COALESCE(%s, FALSE))", matched)
    return SQL("(%s)", matched)


def _hashable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def _parse(items: list[Any] | tuple[Any, ...]) -> Domain:
    """Parse Odoo's prefix notation, with implicit AND between consecutive terms."""
    if (
        isinstance(items, tuple)
        and len(items) == 3
        and isinstance(items[1], str)
        and items[1] not in ("&", "|", "!")
    ):
        items = [items]
    stack: list[Domain] = []
    for item in reversed(items):
        if item in ("&", "|"):
            if len(stack) < 2:
                raise arguments.domain_error(list(items), f"missing operand for {item!r}")
            left, right = stack.pop(), stack.pop()
            cls = DomainAnd if item == "&" else DomainOr
            stack.append(cls.make([left, right]))
        elif item == "!":
            if not stack:
                raise arguments.domain_error(list(items), "missing operand for '!'")
            stack.append(DomainNot(stack.pop()))
        elif isinstance(item, Domain):
            stack.append(item)
        elif isinstance(item, list | tuple) and len(item) == 3:
            if tuple(item) == TRUE_LEAF:
                stack.append(TRUE)
            elif tuple(item) == FALSE_LEAF:
                stack.append(FALSE)
            else:
                stack.append(DomainCondition(item[0], item[1], item[2]))
        else:
            raise arguments.domain_error(item, what="domain term")
    return DomainAnd.make(reversed(stack))


def normalize_domain(domain: Any) -> list[Item]:
    """Odoo's ``expression.normalize_domain``: the list form with explicit operators."""
    return list(Domain(domain))


def AND(domains: Iterable[Any]) -> list[Item]:
    return list(DomainAnd.make([Domain(d) for d in domains]))


def OR(domains: Iterable[Any]) -> list[Item]:
    return list(DomainOr.make([Domain(d) for d in domains]))
