"""The graph page of a window action: a bar, line or pie chart of ``read_group``.

Worked example (a browser)::

    GET /web/action/12/graph                     → the graph arch's chart (sales by month,
                                                   the sum of amount_total, as bars)
    GET /web/action/12/graph?chart=pie&measure=__count
        → the number of orders per month, as a pie
    GET /web/action/12/graph?searched=1&filter=sale&groupby=user_id&groupby=date_order:month
        → the search's filters, grouped by salesperson (one dataset per month)

The search bar is the list's (ui/search.py): its group-bys replace the arch's (the first two
are drawn: the labels, then one dataset per value of the second). The data is read as the
user (``read_group`` applies the record rules) and embedded in the page as JSON that
``static/src/js/graph.js`` draws with Chart.js.
"""

from __future__ import annotations

from typing import Any

from erplite import http

from ..ui import urls
from ..ui.pages import backoffice_page
from ..ui.pivot import CHART_TYPES, COUNT, group_key, group_label
from .analysis_page import AnalysisPage, analysis_response


class GraphPage(AnalysisPage):
    """A list page's search drawn as a chart."""

    view_type = "graph"

    def __init__(self, action: Any, args: Any):
        super().__init__(action, args)
        chart = args.get("chart")
        self.chart_type = chart if chart in CHART_TYPES else self.chart_spec.chart_type
        offered = {name for name, _label in self.measures}
        measure = args.get("measure")
        default = self.chart_spec.measures[0] if self.chart_spec.measures else COUNT
        self.measure = measure if measure in offered else default
        self.group_by = (self.state.group_by or [*self.chart_spec.rows, *self.chart_spec.cols])[:2]

    def search_query(self) -> list[tuple[str, str]]:
        """The search, and the chart and measure chosen (kept by the search bar's links)."""
        query = super().search_query()
        if "chart" in self.args or self.chart_type != self.chart_spec.chart_type:
            query.append(("chart", self.chart_type))
        if "measure" in self.args:
            query.append(("measure", self.measure))
        return query

    def chart_url(self, chart_type: str) -> str:
        query = [(k, v) for k, v in self.search_query() if k != "chart"]
        return urls.action_url(self.action.id, "graph", [*query, ("chart", chart_type)])

    def measure_label(self) -> str:
        return dict(self.measures).get(self.measure, self.measure)

    def chart_data(self) -> dict[str, Any]:
        """Chart.js's ``{type, labels, datasets: [{label, data}]}`` of the search."""
        measure = [] if self.measure == COUNT else [self.measure]
        groups = self.model.read_group(
            self.domain,
            measure,
            self.group_by,
            orderby=", ".join(self.group_by) or False,
            lazy=False,
        )

        def value(group: dict[str, Any]) -> float:
            return float(
                group.get("__count") if self.measure == COUNT else group.get(self.measure) or 0
            )

        if not self.group_by:
            labels = ["Total"]
            datasets = [{"label": self.measure_label(), "data": [value(g) for g in groups]}]
        elif len(self.group_by) == 1 or self.chart_type == "pie":
            labels = [
                " / ".join(group_label(s, g.get(s), self.fields) for s in self.group_by)
                for g in groups
            ]
            datasets = [{"label": self.measure_label(), "data": [value(g) for g in groups]}]
        else:
            first, second = self.group_by
            label_of: dict[Any, str] = {}
            series: dict[Any, dict[Any, float]] = {}
            series_labels: dict[Any, str] = {}
            for group in groups:
                x, serie = group_key(group.get(first)), group_key(group.get(second))
                label_of.setdefault(x, group_label(first, group.get(first), self.fields))
                series_labels.setdefault(serie, group_label(second, group.get(second), self.fields))
                series.setdefault(serie, {})[x] = value(group)
            labels = list(label_of.values())
            datasets = [
                {"label": series_labels[s], "data": [points.get(x, 0) for x in label_of]}
                for s, points in series.items()
            ]
        return {"type": self.chart_type, "labels": labels, "datasets": datasets}


class GraphController(http.Controller):
    @http.route("/web/action/<int:action_id>/graph", type="http", auth="user", methods=["GET"])
    @backoffice_page
    def graph(self, action_id: int, **kw: Any):
        return analysis_response(
            action_id,
            GraphPage,
            "web/backoffice/graph.html",
            lambda page: {"chart": page.chart_data()},
        )
