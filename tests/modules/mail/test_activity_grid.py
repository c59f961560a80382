"""The activity view's grid shaped from ``get_activity_data``'s answer (no database): columns
in the types' order with their counts by state, rows in the answer's order, a cell per
record and type, an ``Other`` column for activities without a type, JSON keys understood."""

from __future__ import annotations

import datetime
import importlib
import json
from typing import Any

import pytest

DAY = datetime.date(2026, 12, 7)
OTHER_TYPE_ID = 0


@pytest.fixture(scope="module")
def grid_module(erplite_template: Any) -> Any:
    """``erplite.addons.mail.ui.activity_grid`` (importable once the modules are loaded)."""
    return importlib.import_module("erplite.addons.mail.ui.activity_grid")


def _entry(state: str, count: int, *ids: int, **by_state: int) -> dict:
    return {
        "count": count,
        "ids": list(ids),
        "state": state,
        "o_closest_deadline": DAY,
        "count_by_state": by_state or {state: count},
    }


DATA = {
    "activity_types": [[4, "Call", []], [2, "Email", []], [9, "Meeting", []]],
    "activity_res_ids": [30, 12],
    "grouped_activities": {
        12: {4: _entry("planned", 1, 51)},
        30: {4: _entry("overdue", 2, 60, 61, overdue=1, planned=1), 2: _entry("today", 1, 62)},
    },
    "activity_res_count": 7,
}


def test_columns_rows_and_cells(grid_module: Any) -> None:
    ActivityGrid = grid_module.ActivityGrid
    grid = ActivityGrid.from_data(DATA)
    assert [c.name for c in grid.columns] == ["Call", "Email", "Meeting"]
    assert [r.res_id for r in grid.rows] == [30, 12]
    first = grid.rows[0].cells
    assert first[0].state == "overdue" and first[0].count == 2 and first[0].ids == [60, 61]
    assert first[1].state == "today" and first[2] is None
    assert grid.rows[1].cells[0].deadline == DAY
    assert grid.count == 7


def test_a_column_counts_its_activities_by_state(grid_module: Any) -> None:
    ActivityGrid = grid_module.ActivityGrid
    grid = ActivityGrid.from_data(DATA)
    call, email, meeting = grid.columns
    assert call.by_state == {"overdue": 1, "today": 0, "planned": 2}
    assert call.total == 3 and call.summary() == "1 overdue, 2 planned"
    assert email.summary() == "1 today" and meeting.total == 0 and meeting.summary() == "none"


def test_activities_without_a_type_get_a_last_column(grid_module: Any) -> None:
    ActivityGrid = grid_module.ActivityGrid
    data = dict(DATA, grouped_activities={12: {False: _entry("planned", 1, 70)}})
    grid = ActivityGrid.from_data(data)
    assert grid_module.OTHER_TYPE_ID == OTHER_TYPE_ID
    assert grid.columns[-1].type_id == OTHER_TYPE_ID and grid.columns[-1].name == "Other"
    assert grid.rows[1].cells[-1].ids == [70]
    assert OTHER_TYPE_ID not in [c.type_id for c in ActivityGrid.from_data(DATA).columns]


def test_an_answer_that_went_through_json(grid_module: Any) -> None:
    ActivityGrid = grid_module.ActivityGrid
    data = json.loads(json.dumps(DATA, default=str))  # keys become text, dates ISO strings
    grid = ActivityGrid.from_data(data)
    assert grid.rows[0].cells[0].ids == [60, 61] and grid.rows[0].cells[0].deadline == DAY
