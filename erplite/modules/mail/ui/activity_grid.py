"""The activity view's grid: ``get_activity_data``'s answer as rows, columns and cells.

No database and no HTTP here: the page (``controllers/activity_view.py``) reads the data,
this shapes it, the template draws it.

Worked example::

    data = env["mail.activity"].get_activity_data("crm.lead", domain, limit=80, offset=0)
    grid = ActivityGrid.from_data(data)
    [c.name for c in grid.columns]        # ['Email', 'Call', 'Meeting', 'To-Do']
    grid.columns[1].by_state              # {'overdue': 1, 'today': 0, 'planned': 2}
    grid.rows[0].res_id                   # the most urgent record first
    grid.rows[0].cells[1]                 # Cell(count=2, state='overdue', deadline=...) or None

Each column is an activity type (in the types' order; ``get_activity_data`` adds the types
the page's activities use); activities without a type, when there are any, get a last
column ``Other`` (its ``type_id`` is ``0``). A column's header
counts its activities by state over the page (Odoo 17's progress bar), a cell is the
activities of one record and type: their number, the state of the closest deadline (the
colour: overdue red, today orange, planned green) and that deadline.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: the states of an activity, most urgent first (the order of a header's bar)
STATES = ("overdue", "today", "planned")
STATE_LABELS = {"overdue": "Overdue", "today": "Today", "planned": "Planned"}

#: the column of the activities without a type
OTHER_TYPE_ID = 0


@dataclass
class Cell:
    """The activities of one record and one type."""

    type_id: int
    count: int
    state: str
    deadline: datetime.date | None
    ids: list[int]
    by_state: dict[str, int]


@dataclass
class Column:
    """An activity type, with the page's counts of its activities by state."""

    type_id: int
    name: str
    by_state: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    def summary(self) -> str:
        """``"1 overdue, 2 planned"``: the header's bar read aloud."""
        parts = [
            f"{self.by_state[s]} {STATE_LABELS[s].lower()}" for s in STATES if self.by_state[s]
        ]
        return ", ".join(parts) or "none"


@dataclass
class Row:
    """One record: its id and a cell (or None) per column."""

    res_id: int
    cells: list[Cell | None]


@dataclass
class ActivityGrid:
    columns: list[Column]
    rows: list[Row]
    #: the records of the search that have an activity, in all pages
    count: int

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ActivityGrid:
        """The grid of a ``get_activity_data`` answer (its keys may be ints or, after a trip
        through JSON, their text)."""
        grouped = {
            int(res_id): {_type_key(key): value for key, value in cells.items()}
            for res_id, cells in (data.get("grouped_activities") or {}).items()
        }
        columns = [Column(int(item[0]), str(item[1])) for item in data.get("activity_types") or ()]
        if any(OTHER_TYPE_ID in cells for cells in grouped.values()):
            columns.append(Column(OTHER_TYPE_ID, "Other"))
        rows = []
        for res_id in data.get("activity_res_ids") or ():
            cells: list[Cell | None] = []
            found = grouped.get(int(res_id), {})
            for column in columns:
                entry = found.get(column.type_id)
                cell = _cell(column.type_id, entry) if entry else None
                if cell is not None:
                    for state, count in cell.by_state.items():
                        if state in column.by_state:
                            column.by_state[state] += count
                cells.append(cell)
            rows.append(Row(int(res_id), cells))
        return cls(columns, rows, int(data.get("activity_res_count") or len(rows)))

    def column(self, type_id: int) -> Column | None:
        return next((c for c in self.columns if c.type_id == type_id), None)


def _type_key(key: Any) -> int:
    """A type id of ``grouped_activities`` (``False`` or ``"false"``: no type)."""
    if key in (False, None, "false", "False", ""):
        return OTHER_TYPE_ID
    return int(key)


def _cell(type_id: int, entry: Mapping[str, Any]) -> Cell:
    deadline = entry.get("o_closest_deadline")
    if isinstance(deadline, str):
        deadline = datetime.date.fromisoformat(deadline[:10])
    by_state = {str(k): int(v) for k, v in (entry.get("count_by_state") or {}).items()}
    count = int(entry.get("count") or 0)
    state = str(entry.get("state") or "planned")
    return Cell(
        type_id=type_id,
        count=count,
        state=state,
        deadline=deadline if isinstance(deadline, datetime.date) else None,
        ids=[int(i) for i in entry.get("ids") or ()],
        by_state=by_state or {state: count},
    )


__all__ = ["OTHER_TYPE_ID", "STATES", "STATE_LABELS", "ActivityGrid", "Cell", "Column", "Row"]
