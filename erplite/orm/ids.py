"""The id of a record not in the database yet, and the type of a record's id."""

from __future__ import annotations

from typing import Any


class NewId:
    """The id of a record not in the database yet (a ``precompute`` computation); false,
    hashable by identity, ordered after every real id."""

    __slots__ = ("sequence",)
    _counter = 0

    def __init__(self) -> None:
        NewId._counter += 1
        self.sequence = NewId._counter

    def __bool__(self) -> bool:
        return False

    def __lt__(self, other: Any) -> bool:
        return isinstance(other, NewId) and self.sequence < other.sequence

    def __gt__(self, other: Any) -> bool:
        return not isinstance(other, NewId) or self.sequence > other.sequence

    def __repr__(self) -> str:
        return f"<NewId {self.sequence}>"


#: the id of a record: a database id, or a ``NewId`` for a record not created yet
IdType = int | NewId
