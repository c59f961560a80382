"""The kanban page of a window action: cards in columns, and moving a card to another column.

Worked example (a browser)::

    GET  /web/action/12/kanban                   → columns of the arch's ``default_group_by``
                                                   (each with its count), the search panel
    GET  /web/action/12/kanban?searched=1&groupby=user_id      → one column per salesperson
    POST /web/action/12/kanban/move   record_id=7, field=user_id, value=5, csrf_token
         → 204: the card's group field written as the user
         → 422/403 with the refusal's message (a rule, a constraint, a protected field):
           nothing is written, the card goes back

    POST /web/action/12/kanban/quick_create   name=..., value=<column>, back=<kanban URL>
         → 303 back: a record created by ``name_create`` in that column (when the arch does
           not say ``quick_create="false"``); the kanban with the refusal's message otherwise

A card is the arch's ``<templates><t t-name="kanban-box">`` rendered on the server by QWeb
(see ``ui/kanban_cards.py``), the whole card a link to the record's form; an arch without a
template shows its first field as the title and the others below. The columns of a selection
are all its values; of a many2one, the groups ``read_group`` finds (a stage with ``fold`` set
starts folded). Each column shows the count of the whole search and, when the arch's
``<progressbar sum_field=..>`` names one, the sum of that field; a column's title folds it.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl

import werkzeug.exceptions
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from erplite import http
from erplite.exceptions import AccessError, MissingError, UserError
from erplite.http import request
from erplite.security import shared_cache
from erplite.tools.qweb import QWebError

from ..ui import urls
from ..ui.action_context import with_url_context
from ..ui.actions import load_window_action
from ..ui.kanban_cards import KanbanSpec, render_error, render_plain_card, widget_state
from ..ui.list_arch import Column
from ..ui.pages import backoffice_page, render_page
from ..ui.widgets import FieldInputError, display_value, parse_value
from .list_page import ListPage, _int, view_of

_logger = logging.getLogger(__name__)

#: cards drawn per page of a kanban (all columns together); a column with more says so
KANBAN_LIMIT = 200


class KanbanPage(ListPage):
    """A list page whose records are drawn as cards in columns."""

    view_type = "kanban"

    def __init__(self, action: Any, args: Any):
        super().__init__(action, args)
        self.kanban = kanban_spec(request.env, view_of(self.views, "kanban")["arch"], self.fields)
        self.card_fields = self.kanban.read_fields
        default = self.kanban.default_group_by
        self.group_field = (self.state.group_by or [default or ""])[0].partition(":")[0]
        if self.group_field not in self.fields:
            self.group_field = ""
        self.widget = widget_state(self.model)
        self.sum_field = self.kanban.sum_field

    def read_fields(self) -> list[str]:
        names = [*self.card_fields, self.group_field, "display_name"]
        known = self.model._fields
        monetary = any(self.fields.get(n, {}).get("type") == "monetary" for n in names)
        if monetary and "currency_id" in known:
            names.append("currency_id")
        if self.sum_field:
            names.append(self.sum_field)
        return list(dict.fromkeys(n for n in names if n and n in known and n != "id"))

    def columns_and_cards(self) -> list[dict[str, Any]]:
        """``[{"value", "label", "cards", "count", "sum", "folded"}]`` in the order of the
        group field's values; counts and sums are those of the whole search (``read_group``),
        not only of the cards drawn."""
        rows = self.rows(self.domain, limit=KANBAN_LIMIT)
        if not self.group_field:
            return [
                {
                    "value": "",
                    "label": self.action.name,
                    "cards": rows,
                    "count": len(rows),
                    "sum": sum(r.get(self.sum_field) or 0 for r in rows)
                    if self.sum_field
                    else None,
                    "folded": False,
                }
            ]
        description = self.fields[self.group_field]
        columns: dict[Any, dict[str, Any]] = {}

        def column(key: Any, label: str) -> dict[str, Any]:
            return columns.setdefault(
                key,
                {"value": key or "", "label": label, "cards": [], "count": 0, "sum": None},
            )

        if description.get("type") == "selection":
            for value, label in description.get("selection") or ():
                column(value, str(label))
        for group in self._groups():
            value = group.get(self.group_field)
            key = value[0] if isinstance(value, (list, tuple)) else value
            label = str(value[1]) if isinstance(value, (list, tuple)) else "None"
            if description.get("type") == "selection" and key in columns:
                label = columns[key]["label"]
            found = column(key, label)
            found["count"] = group.get(f"{self.group_field}_count") or group.get("__count") or 0
            if self.sum_field:
                found["sum"] = group.get(self.sum_field) or 0
        for row in rows:
            value = row.get(self.group_field)
            key = value[0] if isinstance(value, (list, tuple)) else value
            label = str(value[1]) if isinstance(value, (list, tuple)) else "None"
            column(key, label)["cards"].append(row)
        folded = self._folded_ids(columns)
        for key, found in columns.items():
            found["folded"] = key in folded
            if self.sum_field and found["sum"] is None:
                found["sum"] = 0
        return list(columns.values())

    def _groups(self) -> list[dict[str, Any]]:
        aggregates = [f"{self.sum_field}:sum"] if self.sum_field else []
        return self.model.read_group(
            self.domain, aggregates, [self.group_field], orderby=self.group_field, lazy=True
        )

    def total(self, amount: float) -> str:
        """A column's sum as the page shows it."""
        return display_value({"type": "float"}, amount)

    def _folded_ids(self, columns: dict[Any, Any]) -> set[Any]:
        """The columns folded by default: the stages (a many2one's records) whose ``fold`` is
        set, as Odoo 17 folds them."""
        description = self.fields[self.group_field]
        relation = description.get("relation")
        if description.get("type") != "many2one" or not relation:
            return set()
        comodel = request.env[relation]
        if "fold" not in comodel._fields:
            return set()
        ids = [key for key in columns if isinstance(key, int)]
        try:
            return {record.id for record in comodel.browse(ids) if record.fold}
        except AccessError:  # stages the user may not read: columns stay unfolded
            return set()

    def can_quick_create(self) -> bool:
        """Odoo 17's quick create: a name typed in a column creates a record in it."""
        return bool(
            self.kanban.quick_create
            and self.group_field
            and self.fields[self.group_field].get("type") in ("many2one", "selection")
            and self.model.check_access_rights("create", raise_exception=False)
        )

    def card(self, row: dict[str, Any], back: str) -> Markup:
        """A card: the arch's ``kanban-box`` template rendered for ``row``, or, for an arch
        without one, its first field as the title and the others below."""
        open_url = self.record_url(row["id"], back)
        if self.kanban.template is None:
            return render_plain_card(self.card_title(row), self.card_lines(row))

        def formatted(name: str) -> str:
            description = self.fields[name]
            return self.cell(row, Column(name, name, description["type"]))

        try:
            return self.kanban.render_card(
                row,
                self.fields,
                formatted,
                open_url=open_url,
                widget=self.widget,
                record=self.model.browse(row["id"]),
            )
        except QWebError as error:
            _logger.warning("kanban card of %s %s: %s", self.model._name, row["id"], error)
            return render_error(error)

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


def kanban_spec(env: Any, arch: str, fields: dict[str, Any]) -> KanbanSpec:
    """The parsed arch and compiled card template, once per registry (dropped when views
    change, with the rest of the shared cache)."""
    cache = shared_cache(env).setdefault(("web.kanban",), {})
    key = (arch, tuple(sorted(fields)))
    spec = cache.get(key)
    if spec is None:
        spec = cache[key] = KanbanSpec.from_arch(arch, fields)
    return spec


class KanbanController(http.Controller):
    @http.route("/web/action/<int:action_id>/kanban", type="http", auth="user", methods=["GET"])
    @backoffice_page
    def kanban(self, action_id: int, **kw: Any):
        action = with_url_context(
            load_window_action(request.env, action_id), request.httprequest.args
        )
        if "kanban" not in action.view_types:
            raise werkzeug.exceptions.NotFound("This action has no kanban view.")
        return self._render(action, request.httprequest.args)

    def _render(self, action: Any, args: Any, error: str = "", status: int = 200) -> Any:
        page = KanbanPage(action, args)
        values = {
            "page": page,
            "action": action,
            "facets": page.state.facets(page.panel, {}),
            "columns": page.columns_and_cards(),
            "back": urls.action_url(action.id, "kanban", page.search_query()),
            "move_url": urls.action_url(action.id, "kanban") + "/move",
            "quick_create_url": urls.action_url(action.id, "kanban") + "/quick_create",
            "error": error,
        }
        return render_page(
            "web/backoffice/kanban.html", values, action=action, menu_id=page.menu_id, status=status
        )

    @http.route(
        "/web/action/<int:action_id>/kanban/quick_create",
        type="http",
        auth="user",
        methods=["POST"],
    )
    @backoffice_page
    def quick_create(self, action_id: int, name: str = "", value: str = "", back: str = "", **kw):
        """Odoo 17's quick create: a record named ``name`` (``name_create``) in the column of
        ``value``, as the user; back to the kanban, or the kanban with the refusal's message."""
        env = request.env
        action = load_window_action(env, action_id)
        prefix = urls.action_url(action.id, "kanban")
        back_url = back if back.startswith(prefix) and "//" not in back else prefix
        args = MultiDict(parse_qsl(back_url.partition("?")[2], keep_blank_values=True))
        page = KanbanPage(action, args)
        try:
            if not page.can_quick_create():
                raise UserError("Records cannot be created from this kanban.")
            if not name.strip():
                raise UserError("Type a name to create a record.")
            description = {**page.fields[page.group_field], "name": page.group_field}
            column_value = parse_value(description, value) if value else False
            with env.cr.savepoint():
                page.model.with_context(
                    **{f"default_{page.group_field}": column_value}
                ).name_create(name.strip())
                env.flush_all()
        except FieldInputError as exc:
            return self._render(action, args, exc.message, status=422)
        except (AccessError, UserError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            return self._render(action, args, message, status=422)
        return request.redirect(back_url)

    @http.route(
        "/web/action/<int:action_id>/kanban/move", type="http", auth="user", methods=["POST"]
    )
    def move(
        self,
        action_id: int,
        record_id: str = "",
        field: str = "",
        value: str = "",
        back: str = "",
        **kw: Any,
    ):
        """Write a card's group field (a drag to another column, or the card's "Move to"
        menu), as the user. A plain form post (no script) with ``back`` is answered with a
        redirect there; a refusal is answered with its message either way."""
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
        prefix = urls.action_url(action_id, "kanban")
        if back.startswith(prefix) and "//" not in back:
            return request.redirect(back)
        return request.make_response("", status=204)


def _text() -> list[tuple[str, str]]:
    return [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")]
