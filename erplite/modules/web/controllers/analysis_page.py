"""What the graph and the pivot pages share: a list page's search read from an analysis view
(its arch's title, rows, columns and measures, the measures the model offers), and the
answer of their route.

Worked example (a page of a new view type drawn from ``read_group``)::

    class HeatmapPage(AnalysisPage):
        view_type = "heatmap"

    @http.route("/web/action/<int:action_id>/heatmap", type="http", auth="user")
    @backoffice_page
    def heatmap(self, action_id, **kw):
        return analysis_response(action_id, HeatmapPage, "web/backoffice/heatmap.html",
                                 lambda page: {"cells": page.cells()})
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import werkzeug.exceptions

from erplite.http import request
from erplite.tools.lazy_modules import lazy_module

from ..ui.actions import load_window_action
from ..ui.pages import render_page
from ..ui.pivot import ChartSpec, measure_choices
from .list_page import ListPage, view_of

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET
else:  # imported on first use (erplite.tools.lazy_modules): a JSON-RPC worker parses no XML
    ET = lazy_module("xml.etree.ElementTree", __name__, "ET")


class AnalysisPage(ListPage):
    """A list page's search, with its ``view_type`` view's arch read: ``title``,
    ``chart_spec`` (rows, columns, measures, chart type) and ``measures`` offered."""

    def __init__(self, action: Any, args: Any):
        super().__init__(action, args)
        arch = view_of(self.views, self.view_type)["arch"]
        self.title = ET.fromstring(arch).get("string") or action.name
        self.chart_spec = ChartSpec.from_arch(arch, self.fields)
        self.measures = measure_choices(self.fields)


def analysis_response(
    action_id: int,
    page_class: type[AnalysisPage],
    template: str,
    content: Callable[[Any], dict[str, Any]],
) -> Any:
    """The page of window action ``action_id`` drawn as ``page_class``'s view (404 when the
    action has none): ``template`` rendered with the page, the action, the search facets and
    ``content(page)``."""
    action = load_window_action(request.env, action_id)
    view_type = page_class.view_type
    if view_type not in action.view_types:
        raise werkzeug.exceptions.NotFound(f"This action has no {view_type} view.")
    page = page_class(action, request.httprequest.args)
    values = {
        "page": page,
        "action": action,
        "facets": page.state.facets(page.panel, {}),
        **content(page),
    }
    return render_page(template, values, action=action, menu_id=page.menu_id)
