"""The list page of a window action: its search panel, the records or the groups, the pager.

Worked example (a browser)::

    GET /web/action/12                           → 303 to the action's first view (its list)
    GET /web/action/12/list?searched=1&search_partner_id=azure&groupby=user_id
        → the quotations of customers matching "azure", grouped by salesperson, each group
          with its count and the sums of the list's ``sum=`` columns (``read_group``)
    GET /web/action/12/list?order=amount_total desc&page=2
        → the second page of 80 (the action's ``limit``), sorted by total
    GET /web/action/12/list/group?...&group=3    → the rows of the fourth group (htmx)

Everything is read as the logged-in user (``request.env``): the records are those the user's
rules let them see, and ``get_views`` gives the list without the fields they may not read.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any, TypeVar, cast

import werkzeug.exceptions
from markupsafe import Markup, escape

from erplite import http
from erplite.http import request

from ..ui import urls
from ..ui.action_context import URL_ARGUMENT, with_url_context
from ..ui.actions import WindowAction, eval_context, load_window_action
from ..ui.client_actions import with_query
from ..ui.favorites import default_favorite, favorite_url
from ..ui.list_arch import ListSpec
from ..ui.modifiers import Modifiers
from ..ui.pages import backoffice_page, render_page
from ..ui.record_actions import record_operations
from ..ui.search import SearchPanel, SearchState, and_domains, valid_group_by
from ..ui.widgets import display_formatter, display_value

#: The most records the list's pager counts (Odoo 17's web client counts up to 10,000 too): a
#: list of a million records is not counted whole for each page; it shows "10000+".
COUNT_LIMIT = 10_000


def load_views(env: Any, action: WindowAction, *, load_filters: bool = False) -> dict[str, Any]:
    """``get_views`` of the action's model for its views and its search view (Odoo 17).
    Favorites (``ir.filters``) are loaded apart, when the user opens their menu
    (``controllers/favorites.py``), so a list page does not pay for them."""
    options: dict[str, Any] = {"action_id": action.id}
    if load_filters:
        options["load_filters"] = True
    return env[action.res_model].get_views(action.views_request(), options)


_Parsed = TypeVar("_Parsed")

#: the list specs and search panels parsed from archs, by arch and fields (see parsed_arch)
_PARSED_ARCHS: dict[tuple[Any, ...], Any] = {}
_PARSED_ARCHS_MAX = 512


def parsed_arch(
    parse: Callable[[str, dict[str, Any]], _Parsed], arch: str, fields: dict[str, Any]
) -> _Parsed:
    """``parse(arch, fields)`` (``ListSpec.from_arch``, ``SearchPanel.from_arch``), parsed
    once per process for an arch and the label and type of its fields (all that parsing
    reads of them): ``get_views`` gives the same arch on every page of an action, and
    parsing it (the XML, the filters' contexts) was a tenth of a list page's time. The
    answer is shared by the pages that ask: read it, never change it."""
    key = (
        parse,
        arch,
        tuple((name, d.get("string"), d.get("type")) for name, d in fields.items()),
    )
    found = _PARSED_ARCHS.get(key)
    if found is None:
        if len(_PARSED_ARCHS) >= _PARSED_ARCHS_MAX:
            _PARSED_ARCHS.clear()
        found = _PARSED_ARCHS[key] = parse(arch, fields)
    return cast(_Parsed, found)


def view_of(views: dict[str, Any], view_type: str) -> dict[str, Any]:
    """One view of a ``get_views`` answer (``list`` may come back under Odoo's ``tree``)."""
    found = views["views"].get(view_type)
    if found is None and view_type == "list":
        found = views["views"].get("tree")
    if found is None:
        raise werkzeug.exceptions.NotFound(f"This action has no {view_type} view.")
    return found


def model_fields(views: dict[str, Any], model: str) -> dict[str, Any]:
    """The fields description of ``model`` in a ``get_views`` answer (Odoo 17 puts it under
    ``models[model]``, later versions under ``models[model]["fields"]``)."""
    described = views.get("models", {}).get(model, {})
    if isinstance(described.get("fields"), dict):
        return described["fields"]
    return described


def _order(raw: str | None, fields: dict[str, Any], default: str | None) -> tuple[str, str]:
    """``(field, direction)`` of the ``order`` argument when it names a sortable field."""
    if raw:
        name, _, direction = raw.strip().partition(" ")
        direction = direction.strip().lower() or "asc"
        if name in fields and fields[name].get("sortable", True) and direction in ("asc", "desc"):
            return name, direction
    if default:
        name, _, direction = default.split(",")[0].strip().partition(" ")
        return name, (direction.strip().lower() or "asc")
    return "", ""


class ListPage:
    """The values of one list page (so the controller stays a list of steps)."""

    #: the view type whose page this is (a kanban page reuses the list's search and rows)
    view_type = "list"

    def __init__(self, action: WindowAction, args: Any):
        env = request.env
        self.action = action
        self.args = args
        self.model = env[action.res_model].with_context(**action.context)
        self.views = load_views(env, action, load_filters=False)
        self.fields = model_fields(self.views, action.res_model)
        if self.view_type == "list" or "list" in action.view_types:
            self.spec = parsed_arch(
                ListSpec.from_arch, view_of(self.views, "list")["arch"], self.fields
            )
        else:
            self.spec = ListSpec()
        search_view = self.views["views"].get("search")
        self.panel = parsed_arch(
            SearchPanel.from_arch, search_view["arch"] if search_view else "<search/>", self.fields
        )
        self.state = SearchState.from_query(args, self.panel, self.fields, action.context)
        names = eval_context(env)
        self.domain = and_domains(
            [action.domain, self.state.domain(self.panel, self.fields, names)]
        )
        self.order_field, self.order_direction = _order(
            args.get("order"), self.fields, self.spec.default_order
        )
        modifiers = Modifiers({}, uid=env.uid, context=action.context)
        self.columns = [c for c in self.spec.columns if not modifiers.is_true(c.column_invisible)]
        #: the field of the ``handle`` column: its rows are dragged into order (unless the
        #: user sorted the list by another column)
        self.handle_field = next(
            (
                c.name
                for c in self.columns
                if c.widget == "handle" and c.type == "integer" and not args.get("order")
            ),
            None,
        )
        self.menu_id = _int(args.get("menu"))
        self.currencies: dict[int, Any] = {}
        self.tz = env.context.get("tz")
        self._record_url_queries: dict[str, str] = {}
        self._search_query: list[tuple[str, str]] | None = None

    # -- URLs -------------------------------------------------------------------------------
    def search_query(self) -> list[tuple[str, str]]:
        """The URL arguments of this page's search (a new list: callers add to it)."""
        if self._search_query is None:  # the page's links ask for it a dozen times
            query = self.state.query()
            if self.menu_id:
                query.append(("menu", str(self.menu_id)))
            self._search_query = [*query, *self.action.url_query()]
        return list(self._search_query)

    def url(self, **changes: Any) -> str:
        """This page's URL with ``order``/``page`` changed (the search kept)."""
        query = self.search_query()
        order = changes.get("order", f"{self.order_field} {self.order_direction}".strip())
        default = _order(None, self.fields, self.spec.default_order)
        if order and order != f"{default[0]} {default[1]}".strip():
            query.append(("order", order))
        page = changes.get("page", 1)
        if page and page > 1:
            query.append(("page", str(page)))
        return urls.action_url(self.action.id, self.view_type, query)

    def _url_of_state(self, state: SearchState) -> str:
        query = state.query()
        if self.menu_id:
            query.append(("menu", str(self.menu_id)))
        query.extend(self.action.url_query())
        return urls.action_url(self.action.id, self.view_type, query)

    def toggle_filter_url(self, name: str) -> str:
        """The search with filter ``name`` added, or removed when it is on."""
        filters = [f for f in self.state.filters if f != name]
        if name not in self.state.filters:
            filters.append(name)
        return self._url_of_state(dataclasses.replace(self.state, filters=filters, searched=True))

    def toggle_groupby_url(self, spec: str) -> str:
        """The search grouped by ``spec`` too, or no longer when it already is."""
        group_by = [g for g in self.state.group_by if g != spec]
        if spec not in self.state.group_by:
            group_by.append(spec)
        return self._url_of_state(dataclasses.replace(self.state, group_by=group_by, searched=True))

    def groupable_fields(self) -> list[tuple[str, str]]:
        """``(name, label)`` of the fields a custom group-by may use."""
        return sorted(
            (
                (name, str(description.get("string") or name))
                for name, description in self.fields.items()
                if valid_group_by(name, self.fields)
                and description.get("type") not in ("one2many", "many2many", "html", "text")
                and name != "id"
            ),
            key=lambda item: item[1].lower(),
        )

    def sort_url(self, column: Any) -> str:
        direction = "asc"
        if column.name == self.order_field and self.order_direction == "asc":
            direction = "desc"
        return self.url(order=f"{column.name} {direction}", page=1)

    def record_url(self, record_id: int | None, back: str) -> str:
        # Every row links to its record twice with the same query (``back``, ``menu``):
        # it is encoded once per page, not 160 times for a list of 80.
        suffix = self._record_url_queries.get(back)
        if suffix is None:
            query: list[tuple[str, Any]] = [("back", back)]
            if self.menu_id:
                query.append(("menu", self.menu_id))
            query.extend(self.action.url_query())
            bare = urls.form_url(self.action.id, None)
            suffix = urls.form_url(self.action.id, None, query)[len(bare) :]
            self._record_url_queries[back] = suffix
        return urls.form_url(self.action.id, record_id) + suffix

    # -- data -------------------------------------------------------------------------------
    def order_clause(self) -> str | None:
        """The sorted column first, then the other terms of the view's ``default_order`` (as
        Odoo 17's list keeps them after a clicked column): ``date desc, id desc`` stays a
        total order, so ties keep their place from page to page."""
        if not self.order_field:
            return None
        terms = [f"{self.order_field} {self.order_direction}"]
        for term in (self.spec.default_order or "").split(","):
            name = term.strip().partition(" ")[0]
            if name and name != self.order_field:
                terms.append(term.strip())
        return ", ".join(terms)

    def read_fields(self) -> list[str]:
        """The fields a row needs: its columns, the currency of monetary columns, and the
        fields the decorations test."""
        names = [column.name for column in self.columns]
        if any(c.type == "monetary" for c in self.columns) and "currency_id" in self.model._fields:
            names.append("currency_id")
        for _name, expression in self.spec.decorations:
            names.extend(n for n in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expression))
        known = self.model._fields
        return list(dict.fromkeys(n for n in names if n in known and n != "id"))

    def rows(self, domain: list, *, limit: int, offset: int = 0) -> list[dict[str, Any]]:
        """The rows of the page: one ``search_read`` (the search, the columns and the display
        names of the many2ones in one query); the currencies' symbols come from the registry's
        cache (``res.currency._formats``)."""
        rows = self.model.search_read(
            domain, self.read_fields(), offset=offset, limit=limit, order=self.order_clause()
        )
        currency_ids = {
            row["currency_id"][0]
            for row in rows
            if isinstance(row.get("currency_id"), (list, tuple))
        }
        self.currencies = request.env["res.currency"]._formats(currency_ids)
        return rows

    def records(self, page: int) -> tuple[list[dict[str, Any]], int]:
        """The rows of page ``page`` and the pager's count: exact up to ``COUNT_LIMIT``,
        ``COUNT_LIMIT + 1`` meaning "more" (a bounded count, as Odoo 17's list counts with
        ``search_count(domain, limit=...)``), exact again on the pages beyond it."""
        limit = self.action.limit
        offset = (page - 1) * limit
        rows = self.rows(self.domain, limit=limit, offset=offset)
        if offset == 0 and len(rows) < limit:
            count = len(rows)
        elif offset + limit <= COUNT_LIMIT:
            count = self.model.search_count(self.domain, limit=COUNT_LIMIT + 1)
        else:
            count = self.model.search_count(self.domain)
        return rows, count

    def groups(self) -> list[dict[str, Any]]:
        aggregates = [
            f"{c.name}:{c.aggregate[0]}" for c in self.columns if c.aggregate and c.numeric
        ]
        group_by = self.state.group_by[0]
        return self.model.read_group(
            self.domain, aggregates, [group_by], orderby=group_by, lazy=True
        )

    def cell(self, row: dict[str, Any], column: Any) -> str:
        value = row.get(column.name, False)
        if column.type == "many2one":
            return str(value[1]) if isinstance(value, (list, tuple)) and len(value) > 1 else ""
        currency = None
        if column.type == "monetary":
            currency_value = row.get("currency_id")
            if isinstance(currency_value, (list, tuple)):
                currency = self.currencies.get(currency_value[0])
        if column.type in ("many2many", "one2many"):
            return f"{len(value or [])} records"
        return display_value(self.fields[column.name], value, tz=self.tz, currency=currency)

    def rows_html(self, records: list[dict[str, Any]], back: str) -> Markup:
        """The table rows of ``records`` (``list_rows.html``): each opens its record (its
        link on the row and on the first cell, with a checkbox to select it), a cell per
        column (``data-label`` names the column on a phone), decorations as classes.

        The hottest loop of the backoffice (80 rows of every column on each list page):
        drawn here rather than cell by cell in the template, where a call of ``cell`` and
        the escaping of each cell's static label and class cost half of the page's time.
        What does not change from row to row is done once per page: the columns' static
        parts escaped, each column's formatter chosen (:func:`display_formatter`, the text
        :meth:`cell` gives), the record link's text around the record's id."""
        columns = self.columns
        openings = [
            str(
                Markup('  <td data-label="{}" class="o-cell-{}{}">').format(
                    column.string, column.name, " o-num" if column.numeric else ""
                )
            )
            for column in columns
        ]
        link_head, link_tail = self._record_link_parts(back)
        lead = next((i for i, c in enumerate(columns) if c.widget != "handle"), 0)
        handle = (
            '  <td class="o-handle-cell"><button type="button" class="o-handle" draggable="true"'
            ' aria-label="Move the record (arrow keys)">&#10303;</button></td>\n'
            if self.handle_field
            else '  <td class="o-handle-cell"></td>\n'
        )
        # the texts column by column (one formatter per column), escaped only when one of
        # them holds an HTML special character
        texts: list[list[str] | None] = [
            None  # a handle's cell: no text
            if column.widget == "handle" and index != lead
            else self._column_texts(column, records)
            for index, column in enumerate(columns)
        ]
        if any(_HTML_SPECIAL("\n".join(column_texts or ())) for column_texts in texts):
            texts = [
                None if column_texts is None else [_escaped(text) for text in column_texts]
                for column_texts in texts
            ]
        ids = [int(record["id"]) for record in records]
        hrefs = [f"{link_head}{record_id}{link_tail}" for record_id in ids]
        if self.spec.decorations:
            classes = [_escaped(self.decorations(record)) for record in records]
        else:
            classes = [""] * len(records)
        parts: list[str] = []
        for row, record_id in enumerate(ids):
            href = hrefs[row]
            parts.append(f'<tr class="o-row {classes[row]}" data-href="{href}">\n')
            for index, opening in enumerate(openings):
                column_texts = texts[index]
                if column_texts is None:
                    parts.append(handle)
                elif index != lead:
                    parts.append(f"{opening}{column_texts[row]}</td>\n")
                else:
                    label = column_texts[row] or f"#{record_id}"
                    parts.append(
                        f'{opening}<input type="checkbox" class="o-select" name="ids"'
                        f' value="{record_id}" form="o-list-selection"'
                        f' aria-label="Select this record"><a href="{href}">{label}</a></td>\n'
                    )
            parts.append("</tr>\n")
        return Markup("".join(parts))

    def _column_texts(self, column: Any, records: list[dict[str, Any]]) -> list[str]:
        """``cell(row, column)`` of each row (not escaped), with what depends only on the
        column (its type, its field's description, the time zone) looked up once."""
        name = column.name
        values = [row.get(name, False) for row in records]
        if column.type == "many2one":
            return [
                str(value[1]) if isinstance(value, (list, tuple)) and len(value) > 1 else ""
                for value in values
            ]
        if column.type in ("many2many", "one2many"):
            return [self.cell(row, column) for row in records]
        formatter = display_formatter(self.fields[name], tz=self.tz)
        if column.type != "monetary":
            return [formatter(value, None) for value in values]
        currencies = self.currencies
        texts = []
        for row, value in zip(records, values):
            currency_value = row.get("currency_id")
            currency = None
            if isinstance(currency_value, (list, tuple)):
                currency = currencies.get(currency_value[0])
            texts.append(formatter(value, currency))
        return texts

    def _record_link_parts(self, back: str) -> tuple[str, str]:
        """The escaped text of a row's link before and after its record's id (the link is
        ``record_url(id, back)`` under the mount point)."""
        marker = 1_000_000_007  # an id whose digits are found once in the URL
        link = str(escape(request.url(self.record_url(marker, back))))
        head, found, tail = link.partition(f"/form/{marker}")
        if not found:
            raise RuntimeError(f"unexpected record URL {link!r}")
        return f"{head}/form/", tail

    def footer(self, rows: list[dict[str, Any]]) -> dict[str, str]:
        """The ``sum``/``avg`` of the page's records per column, as Odoo 17 shows them."""
        result: dict[str, str] = {}
        for column in self.columns:
            if not column.aggregate or not column.numeric or not rows:
                continue
            values = [row.get(column.name) or 0 for row in rows]
            total = sum(values) if column.aggregate[0] == "sum" else sum(values) / len(values)
            result[column.name] = display_value(
                {"type": "float" if column.type == "monetary" else column.type}, total
            )
        return result

    def group_label(self, group: dict[str, Any]) -> str:
        spec = self.state.group_by[0]
        value = group.get(spec)
        if value is False or value is None:
            return "None"
        name = spec.partition(":")[0]
        description = self.fields.get(name, {})
        if isinstance(value, (list, tuple)) and len(value) == 2:
            return str(value[1])
        if description.get("type") == "selection":
            return str(dict(description.get("selection") or ()).get(value, value))
        return str(value)

    def decorations(self, row: dict[str, Any]) -> str:
        if not self.spec.decorations:
            return ""
        values = {
            name: (value[0] if isinstance(value, (list, tuple)) and len(value) == 2 else value)
            for name, value in row.items()
        }
        modifiers = Modifiers(values, uid=request.env.uid, context=self.action.context)
        return " ".join(
            f"decoration-{name}"
            for name, expression in self.spec.decorations
            if modifiers.is_true(expression)
        )


_HTML_SPECIAL = re.compile("[<>&\"']").search


def _escaped(text: str) -> str:
    """``text`` escaped for HTML as Jinja2 escapes it (most cells need nothing escaped)."""
    return str(escape(text)) if _HTML_SPECIAL(text) else text


def _int(text: Any) -> int | None:
    return int(text) if isinstance(text, str) and text.isdigit() and len(text) < 12 else None


class ListController(http.Controller):
    @http.route("/web/action/<int:action_id>", type="http", auth="user", methods=["GET"])
    @backoffice_page
    def action(self, action_id: int, **kw: Any):
        """An action's first view (its list, or its form when it has only a form)."""
        action = load_window_action(request.env, action_id)
        query = [("menu", kw["menu"])] if _int(kw.get("menu")) else []
        query += [(k, v) for k, v in request.httprequest.args.items() if k == URL_ARGUMENT]
        view_type = action.first_view_type
        if view_type == "form":
            return request.redirect(urls.form_url(action.id, None, query))
        if view_type not in ("list", "kanban"):
            view_type = "list" if "list" in action.view_types else view_type
        return request.redirect(urls.action_url(action.id, view_type, query))

    @http.route("/web/action/<int:action_id>/list", type="http", auth="user", methods=["GET"])
    @backoffice_page
    def list_page(self, action_id: int, **kw: Any):
        action = with_url_context(
            load_window_action(request.env, action_id), request.httprequest.args
        )
        if request.httprequest.args.get("searched") != "1":  # the action opens
            saved = default_favorite(request.env, action.res_model, action.id)
            if saved is not None:
                evaluated = eval_context(request.env)
                menu_id = _int(kw.get("menu"))
                url = favorite_url(action.id, "list", saved, evaluated, menu_id)
                url = with_query(url, extra=dict(action.url_query()))
                return request.redirect(url)
        page = ListPage(action, request.httprequest.args)
        number = max(_int(kw.get("page")) or 1, 1)
        values: dict[str, Any] = {"page": page, "action": action, "facets": None}
        names = self._default_names(page)
        values["facets"] = page.state.facets(page.panel, names)
        if page.state.group_by:
            values["groups"] = page.groups()
        else:
            records, count = page.records(number)
            # counted up to COUNT_LIMIT + 1 (pages before the limit): "more than COUNT_LIMIT"
            more = count > COUNT_LIMIT and number * action.limit <= COUNT_LIMIT
            last = max((count - 1) // action.limit + 1, 1)
            if more:
                last = number + 1 if len(records) == action.limit else number
            values.update(
                records=records,
                count=count,
                count_label=f"{COUNT_LIMIT}+" if more else str(count),
                number=number,
                first_index=(number - 1) * action.limit + 1 if count else 0,
                last_index=(number - 1) * action.limit + len(records),
                previous_url=page.url(page=number - 1) if number > 1 else None,
                next_url=page.url(page=number + 1) if number < last else None,
                footer=page.footer(records),
            )
        values["back"] = page.url(page=number)
        values["record_ops"] = record_operations(page.model, page.fields, "list")
        if request.httprequest.headers.get("HX-Request") and kw.get("fragment") == "results":
            return request.render("web/backoffice/list_results.html", values)
        return render_page("web/backoffice/list.html", values, action=action, menu_id=page.menu_id)

    @http.route("/web/action/<int:action_id>/list/group", type="http", auth="user", methods=["GET"])
    @backoffice_page
    def group_rows(self, action_id: int, group: str = "", **kw: Any):
        """The records of one group of a grouped list (unfolded in place with htmx)."""
        args = request.httprequest.args
        action = with_url_context(load_window_action(request.env, action_id), args)
        page = ListPage(action, args)
        index = _int(group)
        groups = page.groups() if page.state.group_by else []
        if index is None or index >= len(groups):
            raise werkzeug.exceptions.NotFound("No such group.")
        domain = groups[index].get("__domain") or []
        records = page.rows(domain, limit=action.limit)
        return request.render(
            "web/backoffice/list_group_rows.html",
            {"page": page, "records": records, "back": page.url()},
        )

    @staticmethod
    def _default_names(page: ListPage) -> dict[tuple[str, int], str]:
        """Display names of the records searched by id (``search_default_<many2one>``)."""
        names: dict[tuple[str, int], str] = {}
        wanted: dict[str, set[int]] = {}
        for name, ids in page.state.ids.items():
            wanted.setdefault(name, set()).update(ids)
        for name, texts in page.state.texts.items():
            for text in texts:
                if text[:1] == "#" and text[1:].isdigit():
                    wanted.setdefault(name, set()).add(int(text[1:]))
        for name, ids in wanted.items():
            relation = page.fields.get(name, {}).get("relation")
            if relation:
                for record in request.env[relation].browse(sorted(ids)).exists():
                    names[(name, record.id)] = record.display_name
        return names
