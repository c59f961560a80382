"""The checks of what callers pass to the ORM: one place per kind of argument.

Worked example::

    from erplite.orm import arguments

    arguments.check_limit(80)          # 80
    arguments.check_limit(False)       # None: no limit, as Odoo reads a falsy limit
    arguments.check_limit(-1)          # InvalidArgument: Invalid limit -1: expected ...
    arguments.check_offset("5")        # InvalidArgument: Invalid offset '5': expected ...
    arguments.check_order("name desc") # "name desc"; the fields are checked by the parser
    raise arguments.field_error(model, "nope")   # InvalidArgument: Invalid field 'nope' on ...
    raise arguments.value_error(field, "twelve")  # InvalidValue, a ValidationError

The ``check_*`` functions return the argument (normalised) or raise; the ``*_error``
functions make the exception for the caller to raise, so that the traceback points at the
place that found the mistake.

Every mistake of a caller raises the type Odoo 17 raises, with a message naming the argument
(and the model, field or value concerned):

==============================================  ==============================================
argument                                        exception
==============================================  ==============================================
domain, field name, order, limit, offset,       ``InvalidArgument`` (a ``ValueError``, Odoo's
groupby, aggregate, context key                 type for these)
a value for a field (create, write, defaults)   ``InvalidValue`` (a ``ValidationError``, and a
                                                ``ValueError`` as before, for code catching
                                                conversion errors)
==============================================  ==============================================

Both are the caller's mistake, not a bug of erplite: the HTTP layer answers them as client
errors (JSON-RPC's error envelope, an XML-RPC fault, 400/422 on JSON-2 and REST), logged at
INFO. A plain ``ValueError`` from anywhere else stays an unexpected error (a bug).

The checks run on every search and read: each is a few type tests, no more.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from erplite.exceptions import InvalidArgument, InvalidValue

if TYPE_CHECKING:
    from erplite.orm.fields import Field
    from erplite.orm.recordset import Recordset

# the largest and smallest value of an ``integer`` (int4) column
INT4_MIN = -(2**31)
INT4_MAX = 2**31 - 1


# ---------------------------------------------------------------------------------------------
# limit, offset, order
# ---------------------------------------------------------------------------------------------


def check_limit(limit: Any) -> int | None:
    """``limit`` as the query takes it: ``None`` (no limit) for ``None`` and ``False``, else a
    whole number >= 0."""
    if type(limit) is int and limit >= 0:
        return limit
    if limit is None or limit is False:
        return None
    raise InvalidArgument(f"Invalid limit {limit!r}: expected a whole number >= 0, or None")


def check_offset(offset: Any) -> int:
    """``offset`` as the query takes it: a whole number >= 0 (``None``/``False`` are 0)."""
    if type(offset) is int and offset >= 0:
        return offset
    if offset is None or offset is False:
        return 0
    raise InvalidArgument(f"Invalid offset {offset!r}: expected a whole number >= 0")


def check_order(order: Any) -> str | None:
    """``order`` if it is a string (``None``/``False``: the model's order); its terms and
    fields are checked as it is parsed (:func:`order_error`)."""
    if order is None or type(order) is str:
        return order
    if order is False:
        return None
    raise InvalidArgument(f"Invalid order {order!r}: expected a string such as 'name desc, id'")


def order_error(model: Recordset, order: Any, reason: str = "") -> InvalidArgument:
    """``order`` is not a valid order of ``model`` (``reason`` says why)."""
    detail = f": {reason}" if reason else ""
    return InvalidArgument(f"Invalid order {order!r} for model {model._name}{detail}")


# ---------------------------------------------------------------------------------------------
# field names, group-bys, aggregates
# ---------------------------------------------------------------------------------------------


def field_error(model: Recordset, name: Any, where: str = "") -> InvalidArgument:
    """``model`` has no field ``name`` (``where`` says in what: ``"in order 'x'"``)."""
    suffix = f" {where}" if where else ""
    return InvalidArgument(f"Invalid field {name!r} on model {model._name!r}{suffix}")


def check_field_names(model: Recordset, names: Any, argument: str = "fields") -> Any:
    """``names`` if it is a list of field names of ``model``; ``argument`` names it in the
    message of anything else (an unknown, quoted or non-string name, a bare string)."""
    if not isinstance(names, (list, tuple)):
        raise InvalidArgument(
            f"Invalid {argument} {names!r} for model {model._name!r}: expected a list of "
            "field names"
        )
    fields = model._fields
    for name in names:
        if type(name) is not str or name not in fields:
            raise field_error(model, name, f"in {argument}")
    return names


def groupby_error(model: Recordset, spec: Any, reason: str) -> InvalidArgument:
    """The group-by ``spec`` of a ``read_group`` on ``model`` is wrong."""
    return InvalidArgument(f"Invalid groupby {spec!r} on model {model._name!r}: {reason}")


def aggregate_error(model: Recordset, spec: Any, reason: str) -> InvalidArgument:
    """The aggregate ``spec`` of a ``read_group`` on ``model`` is wrong."""
    return InvalidArgument(f"Invalid aggregate {spec!r} on model {model._name!r}: {reason}")


# ---------------------------------------------------------------------------------------------
# domains
# ---------------------------------------------------------------------------------------------


def domain_error(domain: Any, reason: str = "", what: str = "domain") -> InvalidArgument:
    """``domain`` is not a domain (``reason`` says which part is wrong; ``what`` may say
    ``"domain term"`` for one of its items)."""
    detail = f": {reason}" if reason else ""
    return InvalidArgument(f"Invalid {what} {domain!r}{detail}")


def term_error(term: Any, reason: str) -> InvalidArgument:
    """The domain term ``term`` is wrong (an unknown field or operator, a relation path
    through a plain field...)."""
    return InvalidArgument(f"{reason} in domain term {term!r}")


#: the types of a domain's value any field compares with (dates and datetimes included)
_DOMAIN_SCALARS = (str, int, float, bool, type(None), datetime.date)


def check_domain_value(term: Any, field: Field, value: Any) -> Any:
    """``value`` of the domain term ``term`` on ``field`` unless no field of its type takes
    it: a scalar, a date, a record set, a domain (``any``) or a list of these (a list may hold
    ``[id, name]`` pairs, as many2one values are read) passes; a dict, bytes or any other
    object raises ``InvalidArgument`` naming the term (a ``json`` field takes any value, a
    ``binary`` field bytes).

    Called where a term is compiled (not on the planned path, which only sees scalars)."""
    if isinstance(value, _DOMAIN_SCALARS) or field.type == "json":
        return value
    if isinstance(value, list | tuple):
        for element in value:
            if not isinstance(element, _DOMAIN_SCALARS) and not _domain_element_ok(field, element):
                raise term_error(term, f"Invalid value {element!r} for field {field.name!r}")
        return value
    if _domain_element_ok(field, value) or hasattr(value, "_ids") or hasattr(value, "optimize"):
        return value
    raise term_error(term, f"Invalid value {value!r} for field {field.name!r}")


def _domain_element_ok(field: Field, element: Any) -> bool:
    if isinstance(element, bytes | bytearray):
        return field.type == "binary"
    if isinstance(element, list | tuple):
        return all(isinstance(item, _DOMAIN_SCALARS) for item in element)
    return hasattr(element, "_ids")


def domain_value_error(error: InvalidValue) -> InvalidArgument:
    """A value of a domain does not fit its field (``error`` says which)."""
    return InvalidArgument(f"Invalid domain: {error}")


def hierarchy_error(model: Recordset, parent_name: str, operator: str) -> InvalidArgument:
    """``child_of``/``parent_of`` on ``model``, which has no parent field ``parent_name``."""
    return InvalidArgument(
        f"Invalid operator {operator!r} on model {model._name!r}: it has no parent field "
        f"{parent_name!r}"
    )


# ---------------------------------------------------------------------------------------------
# context
# ---------------------------------------------------------------------------------------------


def check_company_ids(company_ids: Any) -> Any:
    """``company_ids`` (the context key ``allowed_company_ids``) if it is a list of ids."""
    if isinstance(company_ids, (list, tuple)) and all(type(cid) is int for cid in company_ids):
        return company_ids
    raise InvalidArgument(
        f"Invalid context key allowed_company_ids {company_ids!r}: expected a list of company ids"
    )


# ---------------------------------------------------------------------------------------------
# values of fields, and what create/write are given
# ---------------------------------------------------------------------------------------------


def value_error(field: Field, value: Any, reason: str = "") -> InvalidValue:
    """``value`` does not fit ``field`` (``InvalidValue``, a ``ValidationError``)."""
    detail = f" ({reason})" if reason else ""
    return InvalidValue(f"Wrong value for {field.model_name}.{field.name}: {value!r}{detail}")


def check_text(field: Field, value: str) -> str:
    """``value`` unless it holds a NUL character, which PostgreSQL text cannot store."""
    if "\x00" in value:
        raise value_error(field, value, "text cannot contain NUL characters")
    return value


def check_int4(field: Field, value: int) -> int:
    """``value`` unless it is outside the range of an ``integer`` column."""
    if INT4_MIN <= value <= INT4_MAX:
        return value
    raise value_error(field, value, f"out of the range {INT4_MIN} to {INT4_MAX}")


def values_error(model: Recordset, method: str, vals: Any, expected: str) -> InvalidArgument:
    """``create``/``write`` of ``model`` was given ``vals``, not ``expected``."""
    return InvalidArgument(f"{method}() on {model._name} expects {expected}, got {vals!r}")


__all__ = [
    "INT4_MAX",
    "INT4_MIN",
    "aggregate_error",
    "check_company_ids",
    "check_domain_value",
    "check_field_names",
    "check_int4",
    "check_limit",
    "check_offset",
    "check_order",
    "check_text",
    "domain_error",
    "domain_value_error",
    "field_error",
    "groupby_error",
    "hierarchy_error",
    "order_error",
    "term_error",
    "value_error",
    "values_error",
]
