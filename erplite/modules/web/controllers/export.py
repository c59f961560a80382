"""Exporting a list's records to CSV or XLSX, with a field chooser.

Worked example (a browser)::

    GET  /web/action/12/export?<the list's search>[&ids=4&ids=7]
         → the field chooser: the list's columns checked, every exportable field offered
           (relations one level deep: ``partner_id/name``), CSV or XLSX
    POST /web/action/12/export  (csrf_token, search, ids, fields, format, import_compat)
         → the file: the selected records (``ids``), else every record matching the search

The records are searched and exported as the logged-in user (``export_data``): record rules
apply, and a field the user may not read is refused with a message on the page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from werkzeug.datastructures import MultiDict

from erplite import http
from erplite.exceptions import UserError
from erplite.http import request

from ..ui import urls
from ..ui.actions import WindowAction, load_window_action
from ..ui.data_fields import FieldOption, export_options
from ..ui.pages import backoffice_page, render_page
from ..ui.spreadsheets import CONTENT_TYPES, write_file
from .list_page import ListPage


def selected_ids(values: list[str]) -> list[int]:
    """The record ids of a posted selection (``ids=4&ids=7`` or ``ids=4,7``), in order."""
    ids: list[int] = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if part.isdigit() and len(part) < 12 and int(part) not in ids:
                ids.append(int(part))
    return ids


def grouped_options(options: list[FieldOption]) -> list[tuple[FieldOption, list[FieldOption]]]:
    """Each top-level field with the subfields of its relation (the chooser's tree)."""
    groups: list[tuple[FieldOption, list[FieldOption]]] = []
    by_path: dict[str, list[FieldOption]] = {}
    for option in options:
        head, _, rest = option.path.partition("/")
        if rest and head in by_path:
            by_path[head].append(option)
        else:
            children: list[FieldOption] = []
            by_path[option.path] = children
            groups.append((option, children))
    return groups


class ExportController(http.Controller):
    @http.route("/web/action/<int:action_id>/export", type="http", auth="user", methods=["GET"])
    @backoffice_page
    def export_page(self, action_id: int, **kw: Any):
        action = load_window_action(request.env, action_id)
        args = request.httprequest.args
        page = ListPage(action, args)
        ids = selected_ids(args.getlist("ids"))
        search = urlencode([(k, v) for k, v in args.items(multi=True) if k != "ids"])
        selected = [column.name for column in page.columns]
        return self._render(action, page, search, ids, selected, "xlsx", False, None)

    @http.route("/web/action/<int:action_id>/export", type="http", auth="user", methods=["POST"])
    @backoffice_page
    def export_file(self, action_id: int, **kw: Any):
        action = load_window_action(request.env, action_id)
        form = request.httprequest.form
        search = form.get("search", "")
        page = ListPage(action, MultiDict(parse_qsl(search, keep_blank_values=True)))
        ids = selected_ids(form.getlist("ids"))
        paths = [path for path in form.getlist("fields") if path]
        file_format = form.get("format") if form.get("format") in CONTENT_TYPES else "xlsx"
        import_compat = form.get("import_compat") == "1"
        options = {option.path: option for option in export_options(page.model)}
        error = None
        unknown = [path for path in paths if path not in options]
        if not paths:
            error = "Choose at least one field to export."
        elif unknown:
            error = f"These fields cannot be exported: {', '.join(unknown)}."
        if error is None:
            domain = [("id", "in", ids)] if ids else page.domain
            try:
                records = page.model.search(domain, order=page.order_clause())
                rows = records.with_context(import_compat=import_compat).export_data(paths)["datas"]
            except (UserError, ValueError) as exc:
                error = str(exc)
        if error is not None:
            return self._render(action, page, search, ids, paths, file_format, import_compat, error)
        headers = paths if import_compat else [options[path].label for path in paths]
        data = write_file(file_format, headers, rows)
        filename = f"{action.res_model.replace('.', '_')}.{file_format}"
        return request.make_response(
            data,
            headers=[
                ("Content-Type", CONTENT_TYPES[file_format]),
                ("Content-Disposition", f'attachment; filename="{filename}"'),
                ("Cache-Control", "no-store"),
            ],
        )

    @staticmethod
    def _render(
        action: WindowAction,
        page: ListPage,
        search: str,
        ids: list[int],
        selected: list[str],
        file_format: str,
        import_compat: bool,
        error: str | None,
    ) -> Any:
        count = len(ids) if ids else page.model.search_count(page.domain)
        values = {
            "action": action,
            "groups": grouped_options(export_options(page.model)),
            "selected": selected,
            "search": search,
            "ids": ids,
            "count": count,
            "file_format": file_format,
            "import_compat": import_compat,
            "error": error,
            "back": urls.action_url(action.id, "list", parse_qsl(search)),
        }
        return render_page(
            "web/backoffice/export.html",
            values,
            action=action,
            menu_id=page.menu_id,
            status=400 if error else 200,
        )
