"""Importing a CSV or XLSX file into a list's model: map the columns, test, import.

Worked example (a browser)::

    GET  /web/action/12/import          → the upload form
    POST /web/action/12/import  (multipart: csrf_token, file, step=load)
         → the file's columns, each matched to a field by label or technical name
           (changeable), and its first rows
    POST ... step=test   (the same file and the columns' fields: column=<path> per column)
         → a dry run of ``load`` (``import_dryrun``: everything rolled back): each bad row with
           its row number (the header is row 1), column and the error's text; nothing written
    POST ... step=import → ``load``: every row written, or none and the errors shown

The form is one page: with htmx, each step replaces only the result area, so the chosen file
stays in the form and is sent again with each step (nothing is kept on the server). Without
JavaScript, the page is drawn again and the file is chosen again. Uploads are limited to
``MAX_UPLOAD_BYTES``. Everything runs as the logged-in user: access rights, record rules,
field groups and constraints apply, and their refusals are reported per row.
"""

from __future__ import annotations

from typing import Any

from erplite import http
from erplite.http import request

from ..ui import urls
from ..ui.actions import WindowAction, load_window_action
from ..ui.data_fields import FieldOption, import_options, match_columns
from ..ui.pages import backoffice_page, render_page
from ..ui.spreadsheets import FileError, read_file

#: The largest file the import page accepts (the route's request body limit).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Rows shown as a preview beside the mapping.
PREVIEW_ROWS = 5


class ImportState:
    """What the import page shows after a step (so the controller stays a list of steps)."""

    def __init__(self, action: WindowAction, options: list[FieldOption]):
        self.action = action
        self.options = options
        self.headers: list[str] = []
        self.rows: list[list[Any]] = []
        self.mapping: list[str] = []
        self.filename = ""
        self.error: str | None = None
        self.messages: list[dict[str, Any]] = []
        self.success: str | None = None
        self.step = ""

    @property
    def preview(self) -> list[list[Any]]:
        return self.rows[:PREVIEW_ROWS]

    def read_upload(self, upload: Any) -> bool:
        """Read the posted file; an unreadable or missing file is ``error``."""
        if upload is None or not upload.filename:
            self.error = "Choose a CSV or XLSX file to import."
            return False
        self.filename = upload.filename
        try:
            self.headers, self.rows = read_file(upload.filename, upload.read())
        except FileError as exc:
            self.error = str(exc)
            return False
        return True

    def read_mapping(self, form: Any) -> None:
        """The posted field of each column when it was posted for these same columns, else
        the automatic match; paths that are not offered are dropped."""
        offered = {option.path for option in self.options}
        posted = form.getlist("column")
        if form.getlist("header") == self.headers and len(posted) == len(self.headers):
            self.mapping = [path if path in offered else "" for path in posted]
        else:
            self.mapping = match_columns(self.headers, self.options)

    def run(self, model: Any, dryrun: bool) -> None:
        """``load`` the mapped columns; its messages become rows of the page."""
        columns = [(index, path) for index, path in enumerate(self.mapping) if path]
        if not columns:
            self.error = "Choose the field of at least one column."
            return
        if not self.rows:
            self.error = "The file has no rows under its column titles."
            return
        fields = [path for _index, path in columns]
        data = [[row[index] for index, _path in columns] for row in self.rows]
        result = model.with_context(import_dryrun=dryrun).load(fields, data)
        labels = {option.path: option.label for option in self.options}
        for message in result["messages"]:
            self.messages.append(self._describe(message, columns, labels))
        if result["ids"] is False:
            self.error = (
                "The file was not imported: nothing was written. Correct these rows and try again."
                if not dryrun
                else "The test found errors: nothing would be imported. Nothing was written."
            )
        elif dryrun:
            self.success = (
                f"Everything looks valid: {len(result['ids'])} records would be imported. "
                "Nothing was written yet."
            )
        else:
            self.success = f"{len(result['ids'])} records were imported."

    def _describe(
        self, message: dict[str, Any], columns: list[tuple[int, str]], labels: dict[str, str]
    ) -> dict[str, Any]:
        rows = message.get("rows") or {}
        field = message.get("field")
        column = ""
        if field:
            for index, path in columns:
                if path.split("/")[0] == field or path == field:
                    column = self.headers[index]
                    break
        first = rows.get("from")
        last = rows.get("to")
        return {
            "row": first + 2 if isinstance(first, int) else None,
            "last_row": last + 2 if isinstance(last, int) and last != first else None,
            "column": column,
            "field": message.get("field_name") or labels.get(field or "", field or ""),
            "message": message.get("message", ""),
            "type": message.get("type", "error"),
        }


class ImportController(http.Controller):
    @http.route("/web/action/<int:action_id>/import", type="http", auth="user", methods=["GET"])
    @backoffice_page
    def import_page(self, action_id: int, **kw: Any):
        action = load_window_action(request.env, action_id)
        model = request.env[action.res_model]
        model.check_access_rights("create")
        state = ImportState(action, import_options(model))
        return self._render(action, state, fragment=False)

    @http.route(
        "/web/action/<int:action_id>/import",
        type="http",
        auth="user",
        methods=["POST"],
        max_content_length=MAX_UPLOAD_BYTES,
    )
    @backoffice_page
    def import_file(self, action_id: int, **kw: Any):
        action = load_window_action(request.env, action_id)
        model = request.env[action.res_model].with_context(**action.context)
        form = request.httprequest.form
        state = ImportState(action, import_options(model))
        state.step = form.get("step") if form.get("step") in ("load", "test", "import") else "load"
        if state.read_upload(request.httprequest.files.get("file")):
            state.read_mapping(form)
            if state.step in ("test", "import"):
                state.run(model, dryrun=state.step == "test")
        fragment = bool(request.httprequest.headers.get("HX-Request"))
        return self._render(action, state, fragment=fragment)

    @staticmethod
    def _render(action: WindowAction, state: ImportState, fragment: bool) -> Any:
        values = {
            "action": action,
            "state": state,
            "back": urls.action_url(action.id, "list"),
            "max_megabytes": MAX_UPLOAD_BYTES // (1024 * 1024),
        }
        if fragment:
            response = request.render("web/backoffice/import_result.html", values)
            response.headers["Cache-Control"] = "no-store"
            return response
        return render_page("web/backoffice/import.html", values, action=action)
