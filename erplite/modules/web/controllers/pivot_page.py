"""The pivot page of a window action: rows x columns of group-bys, with measures and totals.

Worked example (a browser)::

    GET /web/action/12/pivot                     → the pivot arch's table (salesperson x
                                                   month, the sum of amount_total), each row's
                                                   and column's total, the grand total
    GET /web/action/12/pivot?row=user_id&row=partner_id&measure=__count&measure=amount_total
        → each salesperson's row expanded by customer, two measures per column
    GET /web/action/12/pivot?searched=1&groupby=state
        → the search bar's group-bys are the rows (as in Odoo 17)

Each cell links to the list of its records: the list's URL with the search and the cell's
conditions (``domain=<JSON>``, ui/search.py), so it can be bookmarked. The table is built by
ui/pivot.py from ``read_group`` answers read as the user (record rules apply).
"""

from __future__ import annotations

import json
from typing import Any

from erplite import http

from ..ui import urls
from ..ui.pages import backoffice_page
from ..ui.pivot import COUNT, Cell, PivotTable, build_pivot
from ..ui.search import normalize_domain, valid_group_by
from .analysis_page import AnalysisPage, analysis_response

#: row levels a pivot may be expanded to (each costs two queries)
MAX_ROW_LEVELS = 4


class PivotPage(AnalysisPage):
    """A list page's search drawn as a pivot table."""

    view_type = "pivot"

    def __init__(self, action: Any, args: Any):
        super().__init__(action, args)
        offered = dict(self.measures)
        chosen = [m for m in args.getlist("measure") if m in offered]
        self.measure_names = list(dict.fromkeys(chosen)) or self.chart_spec.measures or [COUNT]
        rows = [r for r in args.getlist("row") if valid_group_by(r, self.fields)]
        self.rows = (rows or self.state.group_by or self.chart_spec.rows)[:MAX_ROW_LEVELS]
        cols = [c for c in args.getlist("col") if valid_group_by(c, self.fields)]
        self.cols = (cols or self.chart_spec.cols)[:1]

    # -- URLs -------------------------------------------------------------------------------
    def pivot_query(
        self, *, rows: list[str] | None = None, measures: list[str] | None = None
    ) -> list[tuple[str, str]]:
        query = self.search_query()
        query.extend(("row", r) for r in (self.rows if rows is None else rows))
        query.extend(("col", c) for c in self.cols)
        query.extend(("measure", m) for m in (self.measure_names if measures is None else measures))
        return query

    def expand_url(self, spec: str) -> str:
        return urls.action_url(self.action.id, "pivot", self.pivot_query(rows=[*self.rows, spec]))

    def collapse_url(self, level: int) -> str:
        return urls.action_url(self.action.id, "pivot", self.pivot_query(rows=self.rows[:level]))

    def measure_url(self, name: str) -> str:
        """The pivot with measure ``name`` added, or removed when shown (one stays)."""
        measures = [m for m in self.measure_names if m != name]
        if name not in self.measure_names:
            measures.append(name)
        return urls.action_url(
            self.action.id, "pivot", self.pivot_query(measures=measures or [name])
        )

    def cell_url(self, cell: Cell | None, label: str) -> str:
        """The list of a cell's records: the search (without its group-bys) and the cell's
        conditions ANDed to it."""
        query = [
            (k, v) for k, v in self.search_query() if k not in ("groupby", "domain", "domain_label")
        ]
        conditions = cell.domain if cell else []
        if conditions:
            base = self.state.domain_text and json.loads(self.state.domain_text)
            domain = normalize_domain([*(base or []), *conditions]) if base else conditions
            query.extend([("domain", json.dumps(domain)), ("domain_label", label)])
        return urls.action_url(self.action.id, "list", query)

    def can_expand(self) -> bool:
        return len(self.rows) < MAX_ROW_LEVELS

    # -- data -------------------------------------------------------------------------------
    def table(self) -> PivotTable:
        specs = [m for m in self.measure_names if m != COUNT]

        def read_group(groupby: list[str]) -> list[dict[str, Any]]:
            return self.model.read_group(
                self.domain, specs, groupby, orderby=", ".join(groupby) or False, lazy=False
            )

        return build_pivot(
            read_group,
            self.rows,
            self.cols,
            self.measure_names,
            self.fields,
            base_length=len(self.domain),
        )

    def label(self, spec: str) -> str:
        name, _, interval = spec.partition(":")
        text = str(self.fields.get(name, {}).get("string") or name)
        return f"{text}: {interval.capitalize()}" if interval else text

    def measure_label(self, name: str) -> str:
        return dict(self.measures).get(name, name)

    def value(self, name: str, value: Any) -> str:
        if name == COUNT:
            return str(int(value or 0))
        if self.fields.get(name, {}).get("type") == "integer":
            return f"{int(value or 0):,}"
        return f"{float(value or 0):,.2f}"


class PivotController(http.Controller):
    @http.route("/web/action/<int:action_id>/pivot", type="http", auth="user", methods=["GET"])
    @backoffice_page
    def pivot(self, action_id: int, **kw: Any):
        return analysis_response(
            action_id, PivotPage, "web/backoffice/pivot.html", lambda page: {"table": page.table()}
        )
