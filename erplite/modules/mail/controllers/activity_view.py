"""The activity view of a window action (Odoo 17's ``activity`` view type, drawn on the
server): one row per record of the search that has an activity, one column per activity
type, each cell the record's activities of that type.

Worked example (a browser)::

    GET  /web/action/5/activity?searched=1&search_partner_id=azure
         → the grid of the search's records (``mail.activity.get_activity_data``, as the
           user), the action's ``limit`` per page (``page=<n>``), each row headed by the
           arch's ``activity-box`` template, each column by its counts per state
    GET  /web/action/5/activity/cell?res_id=12&type_id=4&<search>
         → the record's activities of that type (htmx: the cell's popover; else a page),
           each with "Mark Done", and "Schedule" for one more
    GET  /web/action/5/activity/schedule?res_id=12&type_id=4&<search>
         → 303 to the grid with a dialog: a new activity of that type on that record
           (``mail.mail_activity_view_form_popup``; saving it creates it as the user)
    POST /web/action/5/activity/done   csrf_token, activity_id, feedback, back
         → the activity done (``action_feedback``, posted in the record's chatter), 303 back
           to the grid with a notification

Every read and write goes through the ORM as the logged-in user: the grid has the records
their rules let them read, an activity is marked done or planned only on a record they may
change (``mail.activity``'s checks through the document).
"""

from __future__ import annotations

import copy
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import werkzeug.exceptions
from markupsafe import Markup

from erplite import http
from erplite.addons.web.controllers.list_page import (  # type: ignore[import-not-found]
    ListPage,
    view_of,
)
from erplite.addons.web.ui import urls  # type: ignore[import-not-found]
from erplite.addons.web.ui.actions import load_window_action  # type: ignore[import-not-found]
from erplite.addons.web.ui.client_actions import (  # type: ignore[import-not-found]
    Notification,
    next_url,
    with_query,
)
from erplite.addons.web.ui.dialog import signer  # type: ignore[import-not-found]
from erplite.addons.web.ui.kanban_cards import (  # type: ignore[import-not-found]
    KanbanSpec,
    render_error,
    widget_state,
)
from erplite.addons.web.ui.list_arch import Column  # type: ignore[import-not-found]
from erplite.addons.web.ui.pages import (  # type: ignore[import-not-found]
    backoffice_page,
    render_page,
)
from erplite.exceptions import AccessError, MissingError, UserError
from erplite.http import request
from erplite.security import shared_cache
from erplite.tools.lazy_modules import lazy_module
from erplite.tools.qweb import QWebError

from ..models.mail_activity import deadline_state, user_today
from ..models.mail_activity_mixin import deadline_for
from ..ui.activity_grid import OTHER_TYPE_ID, STATE_LABELS, STATES, ActivityGrid

if TYPE_CHECKING:
    from lxml import etree
else:  # lxml imported on first use (erplite.tools.lazy_modules)
    etree = lazy_module("lxml.etree", __name__, "etree")

_logger = logging.getLogger(__name__)


def activity_box_spec(env: Any, arch: str, fields: dict[str, Any]) -> KanbanSpec:
    """The ``activity-box`` template of an activity arch, compiled as a kanban card is (the
    same ``record.<field>`` values, ``<field>`` nodes and ``t-field``), once per registry."""
    cache = shared_cache(env).setdefault(("mail.activity_box",), {})
    key = (arch, tuple(sorted(fields)))
    spec = cache.get(key)
    if spec is None:
        root = etree.fromstring(arch.encode())
        kanban = etree.Element("kanban")
        kanban.extend(copy.deepcopy(node) for node in root if node.tag == "field")
        card = etree.SubElement(
            etree.SubElement(kanban, "templates"), "t", {"t-name": "kanban-box"}
        )
        box = root.find("./templates/*[@t-name='activity-box']")
        if box is not None:
            box = copy.deepcopy(box)
            del box.attrib["t-name"]
            card.append(box)
        else:  # Odoo 17's default: the record's name
            etree.SubElement(card, "field", {"name": "display_name"})
        spec = cache[key] = KanbanSpec.from_arch(etree.tostring(kanban).decode(), fields)
    return spec


def _int(text: Any) -> int | None:
    return int(text) if isinstance(text, str) and text.isdigit() and len(text) < 12 else None


class ActivityPage(ListPage):
    """A list page's search drawn as the activity grid."""

    view_type = "activity"

    def __init__(self, action: Any, args: Any):
        super().__init__(action, args)
        arch = view_of(self.views, "activity")["arch"]
        self.title = etree.fromstring(arch.encode()).get("string") or action.name
        self.box = activity_box_spec(request.env, arch, self.fields)
        self.widget = widget_state(self.model)
        self.number = max(_int(args.get("page")) or 1, 1)
        self.today = user_today(request.env.user)

    # -- data -------------------------------------------------------------------------------
    def grid(self) -> ActivityGrid:
        limit = self.action.limit
        data = self.model.env["mail.activity"].get_activity_data(
            self.action.res_model, self.domain, limit=limit, offset=(self.number - 1) * limit
        )
        return ActivityGrid.from_data(data)

    def read_fields(self) -> list[str]:
        names = [*self.box.read_fields, "display_name"]
        known = self.model._fields
        if any(self.fields.get(n, {}).get("type") == "monetary" for n in names):
            names.append("currency_id")
        return list(dict.fromkeys(n for n in names if n in known and n != "id"))

    def box_rows(self, grid: ActivityGrid) -> dict[int, dict[str, Any]]:
        """The rows' values for their boxes, by id (one ``search_read``)."""
        ids = [row.res_id for row in grid.rows]
        if not ids:
            return {}
        return {row["id"]: row for row in self.rows([("id", "in", ids)], limit=len(ids))}

    def box_html(self, row: dict[str, Any], back: str) -> Markup:
        """A row's head: the arch's ``activity-box`` rendered for the record."""

        def formatted(name: str) -> str:
            return self.cell(row, Column(name, name, self.fields[name]["type"]))

        try:
            return self.box.render_card(
                row,
                self.fields,
                formatted,
                open_url=self.record_url(row["id"], back),
                widget=self.widget,
                record=self.model.browse(row["id"]),
            )
        except QWebError as error:
            _logger.warning("activity box of %s %s: %s", self.model._name, row["id"], error)
            return render_error(error)

    # -- URLs -------------------------------------------------------------------------------
    def page_query(self) -> list[tuple[str, str]]:
        query = self.search_query()
        if self.number > 1:
            query.append(("page", str(self.number)))
        return query

    def back(self) -> str:
        return urls.action_url(self.action.id, "activity", self.page_query())

    def cell_url(self, res_id: int, type_id: int) -> str:
        query = [("res_id", res_id), ("type_id", type_id), *self.page_query()]
        return urls.action_url(self.action.id, "activity") + "/cell?" + _encode(query)

    def schedule_url(self, res_id: int, type_id: int) -> str:
        query = [("res_id", res_id), ("type_id", type_id), *self.page_query()]
        return urls.action_url(self.action.id, "activity") + "/schedule?" + _encode(query)

    def page_url(self, number: int) -> str:
        query = self.search_query()
        if number > 1:
            query.append(("page", str(number)))
        return urls.action_url(self.action.id, "activity", query)

    # -- the record of a cell ---------------------------------------------------------------
    def readable_record(self, res_id: Any) -> Any:
        """Record ``res_id`` of the action's model if the user may read it (else 404)."""
        record_id = _int(res_id)
        found = self.model.search([("id", "=", record_id)]) if record_id else None
        if not found:
            raise werkzeug.exceptions.NotFound("No such record.")
        return found

    def activity_type(self, type_id: Any) -> Any:
        """The activity type ``type_id`` (``0``: none), if it exists."""
        number = _int(type_id)
        if number is None:
            raise werkzeug.exceptions.NotFound("No such activity type.")
        types = request.env["mail.activity.type"].with_context(active_test=False)
        found = types.browse(number).exists() if number else types.browse()
        if number and not found:
            raise werkzeug.exceptions.NotFound("No such activity type.")
        return found

    def state_of(self, activity: Any) -> str:
        return str(deadline_state(activity.date_deadline, self.today))


def _encode(query: list[tuple[str, Any]]) -> str:
    return urlencode([(k, str(v)) for k, v in query])


def _open(action_id: int) -> tuple[Any, ActivityPage]:
    action = load_window_action(request.env, action_id)
    if "activity" not in action.view_types:
        raise werkzeug.exceptions.NotFound("This action has no activity view.")
    return action, ActivityPage(action, request.httprequest.args)


class ActivityViewController(http.Controller):
    @http.route("/web/action/<int:action_id>/activity", type="http", auth="user", methods=["GET"])
    @backoffice_page
    def activity(self, action_id: int, **kw: Any) -> Any:
        action, page = _open(action_id)
        grid = page.grid()
        limit = action.limit
        first = (page.number - 1) * limit + 1 if grid.rows else 0
        values = {
            "page": page,
            "action": action,
            "facets": page.state.facets(page.panel, {}),
            "grid": grid,
            "records": page.box_rows(grid),
            "back": page.back(),
            "states": STATES,
            "state_labels": STATE_LABELS,
            "other_type_id": OTHER_TYPE_ID,
            "first_index": first,
            "last_index": first + len(grid.rows) - 1 if grid.rows else 0,
            "previous_url": page.page_url(page.number - 1) if page.number > 1 else None,
            "next_url": page.page_url(page.number + 1)
            if page.number * limit < grid.count
            else None,
        }
        return render_page("mail/activity_view.html", values, action=action, menu_id=page.menu_id)

    @http.route(
        "/web/action/<int:action_id>/activity/cell", type="http", auth="user", methods=["GET"]
    )
    @backoffice_page
    def cell(self, action_id: int, res_id: str = "", type_id: str = "", **kw: Any) -> Any:
        """A cell's activities: the popover's list (htmx) or a page of its own."""
        action, page = _open(action_id)
        record = page.readable_record(res_id)
        activity_type = page.activity_type(type_id)
        domain: list[Any] = [("res_model", "=", record._name), ("res_id", "=", record.id)]
        if activity_type:
            domain.append(("activity_type_id", "=", activity_type.id))
        else:  # the "Other" column: the activities without a type
            domain.append(("activity_type_id", "=", False))
        values = {
            "page": page,
            "action": action,
            "record": record,
            "activity_type": activity_type,
            "type_id": activity_type.id if activity_type else OTHER_TYPE_ID,
            "activities": request.env["mail.activity"].search(domain),
            "back": page.back(),
            "can_write": record.check_access_rights("write", raise_exception=False),
            "state_labels": STATE_LABELS,
        }
        if request.httprequest.headers.get("HX-Request"):
            response = request.render("mail/activity_cell.html", values)
            response.headers["Cache-Control"] = "no-store"
            return response
        return render_page(
            "mail/activity_cell_page.html", values, action=action, menu_id=page.menu_id
        )

    @http.route(
        "/web/action/<int:action_id>/activity/schedule", type="http", auth="user", methods=["GET"]
    )
    @backoffice_page
    def schedule(self, action_id: int, res_id: str = "", type_id: str = "", **kw: Any) -> Any:
        """The grid again with the "Schedule Activity" dialog of a record and a type."""
        action, page = _open(action_id)
        record = page.readable_record(res_id)
        activity_type = page.activity_type(type_id)
        view = request.env.ref("mail.mail_activity_view_form_popup", raise_if_not_found=False)
        context: dict[str, Any] = {
            "default_res_model": record._name,
            "default_res_id": record.id,
            "default_user_id": request.env.uid,
        }
        if activity_type:  # the type's summary and delay, as Odoo 17's onchange gives them
            context["default_activity_type_id"] = activity_type.id
            deadline = deadline_for(activity_type, user_today(request.env.user))
            context["default_date_deadline"] = deadline.isoformat()
            if activity_type.summary:
                context["default_summary"] = activity_type.summary
        dialog = {
            "type": "ir.actions.act_window",
            "name": f"Schedule an activity on {record.display_name}",
            "res_model": "mail.activity",
            "target": "new",
            "views": [[view.id if view else False, "form"]],
            "context": context,
        }
        return request.redirect(next_url(request.env, dialog, origin=page.back(), signer=signer()))

    @http.route(
        "/web/action/<int:action_id>/activity/done", type="http", auth="user", methods=["POST"]
    )
    @backoffice_page
    def done(self, action_id: int, activity_id: str = "", back: str = "", **kw: Any) -> Any:
        """Mark an activity done (its record's chatter says so); back to the grid."""
        action = load_window_action(request.env, action_id)
        target = urls.safe_back(back) or urls.action_url(action.id, "activity")
        activity = request.env["mail.activity"].browse(_int(activity_id) or 0)
        try:
            if not activity.exists() or activity.res_model != action.res_model:
                raise MissingError("This activity no longer exists: it may be done already.")
            kind = activity.activity_type_id.name or "Activity"
            summary = activity.summary
            with request.env.cr.savepoint():
                activity.action_feedback(feedback=(kw.get("feedback") or "").strip() or False)
            note = Notification(
                f"{kind} done" + (f": {summary}" if summary else ""), type="success"
            )
        except (AccessError, MissingError, UserError) as exc:
            note = Notification(str(exc), title="Not done", type="danger")
        token = signer().dumps(note.payload())
        return request.redirect(with_query(target, ("notify", "dialog"), {"notify": token}))


__all__ = ["ActivityPage", "ActivityViewController", "activity_box_spec"]
