"""Graph and pivot archs, and the pivot table built from ``read_group`` answers (no HTTP).

Worked example::

    spec = ChartSpec.from_arch('''<pivot>
        <field name="user_id" type="row"/>
        <field name="date_order" interval="month" type="col"/>
        <field name="amount_total" type="measure"/>
    </pivot>''', fields)
    spec.rows, spec.cols, spec.measures       # ['user_id'], ['date_order:month'], ['amount_total']
    table = build_pivot(read_group, ['user_id'], ['date_order:month'], ['amount_total'], fields)
    table.columns       # [Header(('March 2026',), ...), ...] in read_group's order
    table.rows          # [Row(level=0, labels=('Sally',), cells=[Cell(values, domain)], total)]
    table.column_totals, table.grand_total

``read_group(groupby)`` answers ``Model.read_group(domain, measures, groupby, lazy=False)``
(each group with ``__count`` and ``__domain``); the table calls it once per row level with
and without the columns, once for the columns and once for the grand total, so every total is
the database's aggregate (an average of averages is never computed). A cell's ``domain`` is
only its group's conditions (the search's domain is not repeated in it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from erplite.tools.lazy_modules import lazy_module

from .search import DATE_INTERVALS

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET
else:  # imported on first use (erplite.tools.lazy_modules): a JSON-RPC worker parses no XML
    ET = lazy_module("xml.etree.ElementTree", __name__, "ET")

#: the measure counting the records of a group
COUNT = "__count"
CHART_TYPES = ("bar", "line", "pie")
NUMERIC_TYPES = ("integer", "float", "monetary")

Groups = list[dict[str, Any]]
ReadGroup = Callable[[list[str]], Groups]


@dataclass
class ChartSpec:
    """What a ``<graph>`` or ``<pivot>`` arch declares."""

    chart_type: str = "bar"
    rows: list[str] = field(default_factory=list)
    cols: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)

    @classmethod
    def from_arch(cls, arch: str, fields: Mapping[str, Mapping[str, Any]]) -> ChartSpec:
        """The spec of the arch; fields the user may not read (absent from ``fields``) are
        left out, and a date field without ``interval`` groups by month as in Odoo 17."""
        root = ET.fromstring(arch)
        chart_type = root.get("type", "bar")
        spec = cls(chart_type if chart_type in CHART_TYPES else "bar")
        for node in root.iter("field"):
            name = node.get("name", "")
            description = fields.get(name)
            if description is None or node.get("invisible") in ("1", "True"):
                continue
            kind = node.get("type", "row")
            if kind == "measure":
                if description.get("type") in NUMERIC_TYPES:
                    spec.measures.append(name)
                continue
            group_by = name
            if description.get("type") in ("date", "datetime"):
                interval = node.get("interval", "month")
                group_by = f"{name}:{interval if interval in DATE_INTERVALS else 'month'}"
            (spec.cols if kind == "col" else spec.rows).append(group_by)
        return spec


def measure_choices(fields: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str]]:
    """``(name, label)`` of the measures offered: the count, then the stored numbers."""
    numbers = sorted(
        (
            (name, str(description.get("string") or name))
            for name, description in fields.items()
            if description.get("type") in NUMERIC_TYPES
            and description.get("store")
            and name != "id"
        ),
        key=lambda item: item[1].lower(),
    )
    return [(COUNT, "Count"), *numbers]


def group_label(spec: str, value: Any, fields: Mapping[str, Mapping[str, Any]]) -> str:
    """The text of a group's value (``None`` for the group of empty values, as Odoo)."""
    if value is False or value is None:
        return "None"
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return str(value[1])
    description = fields.get(spec.partition(":")[0], {})
    if description.get("type") == "selection":
        return str(dict(description.get("selection") or ()).get(value, value))
    return str(value)


def group_key(value: Any) -> Any:
    """A hashable key of a group's value (a many2one's id)."""
    if isinstance(value, (list, tuple)):
        return value[0] if value else False
    return value


@dataclass
class Cell:
    values: list[Any]
    domain: list
    count: int


@dataclass
class Header:
    keys: tuple
    labels: tuple[str, ...]
    total: Cell


@dataclass
class Row:
    level: int
    keys: tuple
    labels: tuple[str, ...]
    cells: list[Cell | None]
    total: Cell

    @property
    def label(self) -> str:
        return self.labels[-1] if self.labels else "Total"


@dataclass
class PivotTable:
    measures: list[str]
    rows: list[Row]
    columns: list[Header]
    grand_total: Cell


def _cell(group: dict[str, Any], measures: list[str], base_length: int) -> Cell:
    count = int(group.get(COUNT) or 0)
    values = [count if m == COUNT else (group.get(m) or 0) for m in measures]
    return Cell(values, list(group.get("__domain") or [])[base_length:], count)


def build_pivot(
    read_group: ReadGroup,
    rows: list[str],
    cols: list[str],
    measures: list[str],
    fields: Mapping[str, Mapping[str, Any]],
    *,
    base_length: int = 0,
) -> PivotTable:
    """The pivot table of ``rows`` x ``cols``: each row level's headers under their parent
    (in ``read_group``'s order), a cell per column, the totals. ``base_length`` is the length
    of the search's domain, which starts every ``__domain`` and is cut from the cells'."""

    def keys_of(group: dict[str, Any], specs: list[str]) -> tuple:
        return tuple(group_key(group.get(spec)) for spec in specs)

    def labels_of(group: dict[str, Any], specs: list[str]) -> tuple[str, ...]:
        return tuple(group_label(spec, group.get(spec), fields) for spec in specs)

    total_groups = read_group([])
    grand_total = (
        _cell(total_groups[0], measures, base_length)
        if total_groups
        else Cell([0 for _ in measures], [], 0)
    )
    columns = [
        Header(keys_of(g, cols), labels_of(g, cols), _cell(g, measures, base_length))
        for g in (read_group(cols) if cols else [])
    ]
    column_index = {header.keys: index for index, header in enumerate(columns)}
    levels: list[list[Row]] = []
    for depth in range(1, len(rows) + 1):
        specs = rows[:depth]
        level: list[Row] = []
        by_keys: dict[tuple, Row] = {}
        for group in read_group(specs):
            row = Row(
                depth - 1,
                keys_of(group, specs),
                labels_of(group, specs),
                [None] * len(columns),
                _cell(group, measures, base_length),
            )
            level.append(row)
            by_keys[row.keys] = row
        if cols:
            for group in read_group([*specs, *cols]):
                row = by_keys.get(keys_of(group, specs))
                index = column_index.get(keys_of(group, cols))
                if row is not None and index is not None:
                    row.cells[index] = _cell(group, measures, base_length)
        levels.append(level)
    ordered: list[Row] = []

    def place(depth: int, parent: tuple) -> None:
        if depth >= len(levels):
            return
        for row in levels[depth]:
            if row.keys[:depth] == parent:
                ordered.append(row)
                place(depth + 1, row.keys)

    place(0, ())
    return PivotTable(list(measures), ordered, columns, grand_total)


__all__ = [
    "CHART_TYPES",
    "COUNT",
    "Cell",
    "ChartSpec",
    "Header",
    "PivotTable",
    "Row",
    "build_pivot",
    "group_key",
    "group_label",
    "measure_choices",
]
