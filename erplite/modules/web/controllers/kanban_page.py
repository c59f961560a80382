"""The kanban page of a window action: cards in columns, and moving a card to another column.

Worked example (a browser)::

    GET  /web/action/12/kanban                   → columns of the arch's ``default_group_by``
                                                   (each with its count), the search panel
    GET  /web/action/12/kanban?searched=1&groupby=user_id      → one column per salesperson
    POST /web/action/12/kanban/move   record_id=7, field=user_id, value=5, csrf_token
         → 204: the card's group field written as the user
         → 422/403 with the refusal's message (a rule, a constraint, a protected field):
           nothing is written, the card goes back

A card shows the ``<field>`` nodes declared at the top of the ``<kanban>`` arch (the first as
its title); the ``kanban-box`` QWeb template itself is not drawn yet. The columns of a
selection are all its values; of a many2one, the groups ``read_group`` finds.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import werkzeug.exceptions

from erplite import http
from erplite.exceptions import AccessError, MissingError, UserError
from erplite.http import request

from ..ui import urls
from ..ui.actions import load_window_action
from ..ui.list_arch import Column
from ..ui.pages import backoffice_page, render_page
from ..ui.widgets import FieldInputError, parse_value
from .list_page import ListPage, _int, view_of

#: cards drawn per page of a kanban (all columns together)
KANBAN_LIMIT = 200


class KanbanPage(ListPage):
    """A list page whose records are drawn as cards in columns."""

    view_type = "kanban"

    def __init__(self, action: Any, args: Any):
        super().__init__(action, args)
        root = ET.fromstring(view_of(self.views, "kanban")["arch"])
        self.card_fields = [
            node.get("name", "")
            for node in root
            if node.tag == "field" and node.get("name") in self.fields
        ]
        default = root.get("default_group_by")
        self.group_field = (self.state.group_by or [default or ""])[0].partition(":")[0]
        if self.group_field not in self.fields:
            self.group_field = ""

    def read_fields(self) -> list[str]:
        names = [*self.card_fields, self.group_field] if self.group_field else self.card_fields
        return list(dict.fromkeys(n for n in names if n))

    def columns_and_cards(self) -> list[dict[str, Any]]:
        """``[{"value", "label", "cards"}]`` in the order of the group field's values."""
        rows = self.rows(self.domain, limit=KANBAN_LIMIT)
        if not self.group_field:
            return [{"value": "", "label": self.action.name, "cards": rows}]
        description = self.fields[self.group_field]
        columns: dict[Any, dict[str, Any]] = {}
        if description.get("type") == "selection":
            for value, label in description.get("selection") or ():
                columns[value] = {"value": value, "label": label, "cards": []}
        for row in rows:
            value = row.get(self.group_field)
            key = value[0] if isinstance(value, (list, tuple)) else value
            label = value[1] if isinstance(value, (list, tuple)) else "None"
            column = columns.setdefault(key, {"value": key or "", "label": label, "cards": []})
            column["cards"].append(row)
        return list(columns.values())

    def card_lines(self, row: dict[str, Any]) -> list[tuple[str, str]]:
        """``(label, text)`` of a card's fields after its title."""
        lines = []
        for name in self.card_fields[1:]:
            if name == self.group_field or name == "currency_id":
                continue
            column = next((c for c in self.spec.columns if c.name == name), None)
            if column is None:
                description = self.fields[name]
                column = Column(name, str(description.get("string") or name), description["type"])
            lines.append((column.string, self.cell(row, column)))
        return lines

    def card_title(self, row: dict[str, Any]) -> str:
        if not self.card_fields:
            return f"#{row['id']}"
        name = self.card_fields[0]
        description = self.fields[name]
        return self.cell(row, Column(name, name, description["type"])) or f"#{row['id']}"


class KanbanController(http.Controller):
    @http.route("/web/action/<int:action_id>/kanban", type="http", auth="user", methods=["GET"])
    @backoffice_page
    def kanban(self, action_id: int, **kw: Any):
        action = load_window_action(request.env, action_id)
        if "kanban" not in action.view_types:
            raise werkzeug.exceptions.NotFound("This action has no kanban view.")
        page = KanbanPage(action, request.httprequest.args)
        values = {
            "page": page,
            "action": action,
            "facets": page.state.facets(page.panel, {}),
            "columns": page.columns_and_cards(),
            "back": urls.action_url(action.id, "kanban", page.search_query()),
            "move_url": urls.action_url(action.id, "kanban") + "/move",
        }
        return render_page(
            "web/backoffice/kanban.html", values, action=action, menu_id=page.menu_id
        )

    @http.route(
        "/web/action/<int:action_id>/kanban/move", type="http", auth="user", methods=["POST"]
    )
    def move(self, action_id: int, record_id: str = "", field: str = "", value: str = "", **kw):
        """Write a card's group field (a drag to another column), as the user."""
        env = request.env
        try:
            action = load_window_action(env, action_id)
            model = env[action.res_model].with_context(**action.context)
            description = model.fields_get([field]).get(field)
            if (
                description is None
                or not description.get("store")
                or description.get("type") not in ("many2one", "selection", "char", "integer")
            ):
                raise UserError(f"The cards cannot be moved by {field!r}.")
            record = model.browse(_int(record_id) or 0)
            if not record.exists():
                raise MissingError("This card's record does not exist any more.")
            new_value = parse_value({**description, "name": field}, value)
            with env.cr.savepoint():
                record.write({field: new_value})
                env.flush_all()
        except FieldInputError as exc:
            return request.make_response(exc.message, status=422, headers=_text())
        except (AccessError, MissingError, UserError) as exc:
            status = (
                403
                if isinstance(exc, AccessError)
                else 404
                if isinstance(exc, MissingError)
                else 422
            )
            message = getattr(exc, "message", None) or str(exc)
            return request.make_response(message, status=status, headers=_text())
        return request.make_response("", status=204)


def _text() -> list[tuple[str, str]]:
    return [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")]
