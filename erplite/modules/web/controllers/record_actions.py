"""Record actions of a window action: the form's action menu and a list's selection.

Worked example (a browser)::

    GET  /web/action/12/records/archive?ids=4&ids=7&searched=1&filter=draft
         → "Archive 2 records?" (no ``ids``: every record matching the search, counted)
    POST /web/action/12/records/archive   csrf_token, ids=4, ids=7, search=<the list's query>
         → archived as the user, 303 back to the list (or to ``back``), which shows
           "2 records archived." (a notification, as after every operation)
    GET  /web/action/12/records/write?ids=4&ids=7&field=user_id
         → mass edit: the field's widget (only fields the list shows and the user may edit)
    POST /web/action/12/records/write     ..., field=user_id, user_id=9
         → "Salesperson will be set to Sam on 2 records." (nothing written yet)
    POST /web/action/12/records/write     ..., field=user_id, user_id=9, confirmed=1
         → one ``write`` on the 2 records as the user, 303 back
    POST /web/action/12/records/duplicate csrf_token, ids=4, view=form  → 303 to the copy's
                                          form (from a list: every record copied, 303 back)
    POST /web/action/12/records/server    csrf_token, ids=4, server_action=31
         → the server action bound to the model run on record 4; an action it returns is
           followed (a dialog, a page, a notification: ``ui/client_actions.py``)

A posted value that is not valid for its field is shown beside the field (422), a refusal of
the ORM (rights, rules, ``_protected_fields``, constraints) as a message on the page (403/422);
either way nothing is written (a savepoint). See ``ui/record_actions.py``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from werkzeug.datastructures import MultiDict

from erplite import http
from erplite.exceptions import AccessError, MissingError, UserError
from erplite.http import request

from ..ui import urls
from ..ui.actions import WindowAction, load_window_action
from ..ui.client_actions import Notification, next_url, page_url, with_query
from ..ui.dialog import signer
from ..ui.form_arch import FieldNode
from ..ui.form_values import Widget
from ..ui.pages import backoffice_page, render_page
from ..ui.record_actions import LABELS, RecordOperations, count_text
from ..ui.widgets import FieldInputError, display_value
from .export import selected_ids
from .list_page import ListPage


class _Selection:
    """The records an operation applies to: the ids chosen, else the list's search."""

    def __init__(
        self, action: WindowAction, search: str, ids: list[int], back: str | None, view: Any
    ):
        self.action = action
        self.search = search
        self.page = ListPage(action, MultiDict(parse_qsl(search, keep_blank_values=True)))
        self.ids = ids
        self.ops = RecordOperations(self.page.model, self.page.fields)
        self.back = back or urls.action_url(action.id, "list", parse_qsl(search))
        self.view_type = "form" if view == "form" else "list"

    def records(self) -> Any:
        if self.ids:  # archived ones too (to unarchive them); the user's rules apply
            model = self.page.model.with_context(active_test=False)
            return self.page.model.browse(model.search([("id", "in", self.ids)]).ids)
        return self.page.model.search(self.page.domain)

    def count(self) -> int:
        if self.ids:
            return len(self.records())
        return self.page.model.search_count(self.page.domain)

    def columns(self) -> list[str]:
        return [column.name for column in self.page.columns]


def _render(
    selection: _Selection,
    operation: str,
    *,
    field: str = "",
    posted: Any = None,
    confirm: str | None = None,
    error: str | None = None,
    field_error: str | None = None,
    server_action: dict[str, Any] | None = None,
    status: int = 200,
) -> Any:
    ops = selection.ops
    node, widget = None, None
    if operation == "write" and field:
        description = {**selection.page.fields.get(field, {}), "name": field}
        node = FieldNode(
            name=field,
            string=str(description.get("string") or field),
            description=description,
            widget=None,
            readonly=False,
            required=bool(description.get("required")),
            nolabel=False,
        )
        widget = Widget()
        if posted is not None:
            widget.text = posted.get(field, "")
            widget.label = posted.get(f"{field}__display", "")
    values = {
        "action": selection.action,
        "operation": operation,
        "label": server_action["name"] if server_action else LABELS.get(operation, operation),
        "server_action": server_action,
        "search": selection.search,
        "search_items": parse_qsl(selection.search, keep_blank_values=True),
        "view": selection.view_type,
        "ids": selection.ids,
        "count": selection.count(),
        "back": selection.back,
        "fields": ops.editable_fields(selection.columns()) if operation == "write" else [],
        "field": field,
        "node": node,
        "widget": widget,
        "confirm": confirm,
        "error": error,
        "errors": {field: field_error} if field_error else {},
        "records_url": urls.records_url(selection.action.id, operation),
    }
    return render_page(
        "web/backoffice/records.html",
        values,
        action=selection.action,
        menu_id=selection.page.menu_id,
        status=status,
    )


def _server_action(selection: _Selection, raw: Any) -> dict[str, Any]:
    wanted = int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 12 else None
    for action in selection.ops.server_actions(selection.view_type):
        if action["id"] == wanted:
            return action
    raise AccessError("This action is not available on these records.")


class RecordActionsController(http.Controller):
    @http.route(
        "/web/action/<int:action_id>/records/<string:operation>",
        type="http",
        auth="user",
        methods=["GET"],
    )
    @backoffice_page
    def confirm_page(self, action_id: int, operation: str, **kw: Any):
        """The confirmation (and, for mass edit, the field and its value) of an operation."""
        if operation not in LABELS:
            raise MissingError(f"Unknown record action {operation!r}.")
        args = request.httprequest.args
        search = urlencode(
            [
                (k, v)
                for k, v in args.items(multi=True)
                if k not in ("ids", "back", "field", "server_action", "view")
            ]
        )
        selection = _Selection(
            load_window_action(request.env, action_id),
            search,
            selected_ids(args.getlist("ids")),
            urls.safe_back(args.get("back")),
            args.get("view"),
        )
        server_action = None
        if operation == "server":
            server_action = _server_action(selection, args.get("server_action"))
        field = args.get("field", "")
        if field and field not in dict(selection.ops.editable_fields(selection.columns())):
            field = ""
        return _render(selection, operation, field=field, server_action=server_action)

    @http.route(
        "/web/action/<int:action_id>/records/<string:operation>",
        type="http",
        auth="user",
        methods=["POST"],
    )
    @backoffice_page
    def run(self, action_id: int, operation: str, **kw: Any):
        """Run the operation on the selection as the user, then go back."""
        if operation not in LABELS:
            raise MissingError(f"Unknown record action {operation!r}.")
        env = request.env
        form = request.httprequest.form
        selection = _Selection(
            load_window_action(env, action_id),
            form.get("search", ""),
            selected_ids(form.getlist("ids")),
            urls.safe_back(form.get("back")),
            form.get("view"),
        )
        server_action = None
        if operation == "server":
            server_action = _server_action(selection, form.get("server_action"))
        values = None
        field = form.get("field", "")
        if operation == "write":
            raw = form.getlist(field)[-1] if form.getlist(field) else form.get(field)
            try:
                name, value = selection.ops.parse_edit(
                    field, raw, selection.columns(), tz=env.context.get("tz")
                )
            except FieldInputError as exc:
                return _render(
                    selection,
                    operation,
                    field=field if field in selection.page.fields else "",
                    posted=form,
                    field_error=exc.message,
                    error="The value is not valid: correct it and try again.",
                    status=422,
                )
            values = {name: value}
            if form.get("confirmed") != "1":
                description = selection.page.fields[name]
                shown = value
                if description.get("type") == "many2one" and value:
                    shown = env[description["relation"]].browse(value).display_name
                text = display_value(description, shown, tz=env.context.get("tz"))
                count = selection.count()
                confirm = (
                    f"{description.get('string') or name} will be set to "
                    f"{text!r} on {count_text(count)}."
                    if text
                    else f"{description.get('string') or name} will be emptied on "
                    f"{count_text(count)}."
                )
                return _render(selection, operation, field=name, posted=form, confirm=confirm)
        try:
            with env.cr.savepoint():
                records = selection.records()
                message, result = selection.ops.run(
                    operation,
                    records,
                    values=values,
                    server_action_id=server_action["id"] if server_action else None,
                    view_type=selection.view_type,
                )
                env.flush_all()
        except UserError as exc:
            offered = dict(selection.ops.editable_fields(selection.columns()))
            return _render(
                selection,
                operation,
                field=field if field in offered else "",
                posted=form,
                server_action=server_action,
                error=getattr(exc, "message", None) or str(exc),
                status=403 if isinstance(exc, AccessError) else 422,
            )
        sign = signer()
        done = Notification(message, type="success")
        if operation == "server":  # an action it returned is followed, as Odoo's client does
            return request.redirect(
                next_url(
                    env,
                    result,
                    origin=selection.back,
                    signer=sign,
                    active={
                        "active_model": records._name,
                        "active_id": records.ids[0] if records.ids else False,
                        "active_ids": records.ids,
                    },
                    current_action_id=selection.action.id,
                    notification=None if isinstance(result, dict) else done,
                )
            )
        shown = {"notify": sign.dumps(done.payload())}
        if result is not None and selection.view_type == "form":  # the copy opens
            back = urls.safe_back(form.get("list_back"))
            query = [("back", back)] if back else []
            copy_url = urls.form_url(selection.action.id, result[:1].id, query)
            return request.redirect(with_query(copy_url, extra=shown))
        return request.redirect(with_query(page_url(selection.back), extra=shown))
