"""x2many commands, as Odoo 17's ``Command``: ``Command.create(vals)`` is ``(0, 0, vals)``,
``update(id, vals)`` ``(1, id, vals)``, ``delete(id)`` ``(2, id, 0)``, ``unlink(id)``
``(3, id, 0)``, ``link(id)`` ``(4, id, 0)``, ``clear()`` ``(5, 0, 0)``, ``set(ids)``
``(6, 0, ids)``. Raw triplets are accepted everywhere commands are."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from erplite.orm import arguments

if TYPE_CHECKING:
    from erplite.orm.fields import Field

#: a command as a triplet: ``(code, id, values or ids or 0)``
CommandTuple = tuple[int, int, Any]


class Command(enum.IntEnum):
    CREATE = 0
    UPDATE = 1
    DELETE = 2
    UNLINK = 3
    LINK = 4
    CLEAR = 5
    SET = 6

    @classmethod
    def create(cls, values: dict[str, Any]) -> CommandTuple:
        return (cls.CREATE, 0, values)

    @classmethod
    def update(cls, id: int, values: dict[str, Any]) -> CommandTuple:
        return (cls.UPDATE, id, values)

    @classmethod
    def delete(cls, id: int) -> CommandTuple:
        return (cls.DELETE, id, 0)

    @classmethod
    def unlink(cls, id: int) -> CommandTuple:
        return (cls.UNLINK, id, 0)

    @classmethod
    def link(cls, id: int) -> CommandTuple:
        return (cls.LINK, id, 0)

    @classmethod
    def clear(cls) -> CommandTuple:
        return (cls.CLEAR, 0, 0)

    @classmethod
    def set(cls, ids: Iterable[int]) -> CommandTuple:
        return (cls.SET, 0, list(ids))


# the restricted evaluator of data files may call these (set after the class: an Enum member
# cannot be a frozenset)
Command._safe_eval_attributes = frozenset(  # type: ignore[attr-defined]
    {
        "create",
        "update",
        "delete",
        "unlink",
        "link",
        "clear",
        "set",
        "CREATE",
        "UPDATE",
        "DELETE",
        "UNLINK",
        "LINK",
        "CLEAR",
        "SET",
    }
)


def normalize_commands(value: Any, field: Field) -> list[CommandTuple]:
    """Validate x2many ``value`` and return it as a list of full triplets.

    Accepts commands, raw triplets, a list of ids or a recordset (meaning ``set``). Refuses
    anything else with an ``InvalidValue`` (a ``ValidationError`` and ``ValueError``) naming the field and the bad element.
    """
    if value is None or value is False:
        return [(Command.CLEAR, 0, 0)]
    ids = getattr(value, "_ids", None)
    if ids is not None:
        return [(Command.SET, 0, list(ids))]
    if not isinstance(value, list | tuple):
        raise arguments.value_error(field, value)
    if all(isinstance(item, int) and not isinstance(item, bool) for item in value):
        return [(Command.SET, 0, list(value))]
    result: list[CommandTuple] = []
    for item in value:
        if type(item) is tuple and len(item) == 3 and item[0] == 0 and type(item[2]) is dict:
            result.append((Command.CREATE, 0, item[2]))  # Command.create(values), the usual
            continue
        if not isinstance(item, list | tuple) or not item or not isinstance(item[0], int):
            raise arguments.value_error(field, item, "invalid command")
        code = int(item[0])
        padded = tuple(item) + (0,) * (3 - len(item))
        if code in (Command.CREATE,):
            if not isinstance(padded[2], dict):
                raise arguments.value_error(field, item)
            result.append((Command.CREATE, 0, padded[2]))
        elif code == Command.UPDATE:
            if not isinstance(padded[2], dict):
                raise arguments.value_error(field, item)
            result.append((Command.UPDATE, _as_id(padded[1], field, item), padded[2]))
        elif code in (Command.DELETE, Command.UNLINK, Command.LINK):
            result.append((Command(code), _as_id(padded[1], field, item), 0))
        elif code == Command.CLEAR:
            result.append((Command.CLEAR, 0, 0))
        elif code == Command.SET:
            targets = padded[2] or []
            result.append((Command.SET, 0, [_as_id(i, field, item) for i in targets]))
        else:
            raise arguments.value_error(field, item, "unknown command")
    return result


def _as_id(value: Any, field: Field, item: Any) -> int:
    if hasattr(value, "_ids"):
        value = value.id
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= arguments.INT4_MAX:
        raise arguments.value_error(field, item)
    return value
