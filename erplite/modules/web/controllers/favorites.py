"""Favorites of a window action: saved searches (``ir.filters``), listed, saved, applied,
deleted; the default one applies when the action's list opens.

Worked example (a browser)::

    GET  /web/action/12/favorites?view=list&searched=1&search_partner_id=azure&groupby=user_id
         → the user's and the shared favorites of the action (each a link applying it), and
           the form saving the current search (htmx loads it into the search panel's
           "Favorites" menu when it opens; without JavaScript it is a page)
    POST /web/action/12/favorites   csrf_token, name, shared=1?, default=1?, view=list,
                                    search=<the page's query>
         → saved as the user (``ir.filters.create_or_replace``), 303 to the page with it
           applied; sharing needs the settings group (the record rules refuse otherwise)
    POST /web/action/12/favorites/5/delete   csrf_token, back=<the page>
         → deleted as the user, 303 back
    GET  /web/action/12/list        → 303 to the default favorite's search, when there is one
                                      (``searched=1`` in the URL: the user chose a search)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict

from erplite import http
from erplite.exceptions import AccessError, MissingError, UserError
from erplite.http import request

from ..ui import urls
from ..ui.actions import eval_context, load_window_action
from ..ui.favorites import favorite_url, favorite_values
from ..ui.pages import backoffice_page, render_page
from .graph_page import GraphPage
from .kanban_page import KanbanPage
from .list_page import ListPage
from .pivot_page import PivotPage

#: the pages a favorite opens in (those drawing the search panel)
VIEW_TYPES = ("list", "kanban", "graph", "pivot", "activity")


def _page_class(view_type: str) -> type[ListPage]:
    """The page class of ``view_type`` (each reads the search and the order the same way)."""
    return {"kanban": KanbanPage, "graph": GraphPage, "pivot": PivotPage}.get(view_type, ListPage)


def _view(raw: Any) -> str:
    return raw if raw in VIEW_TYPES else "list"


def _menu(raw: Any) -> int | None:
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 12 else None


def _render(
    action: Any,
    view_type: str,
    search: list[tuple[str, str]],
    *,
    error: str | None = None,
    name: str = "",
    status: int = 200,
) -> Any:
    env = request.env
    names = eval_context(env)
    menu_id = _menu(dict(search).get("menu"))
    favorites = [
        {
            **saved,
            "url": favorite_url(action.id, view_type, saved, names, menu_id),
            "own": bool(saved["user_id"]) and saved["user_id"][0] == env.uid,
        }
        for saved in env["ir.filters"].get_filters(action.res_model, action.id)
    ]
    values = {
        "action": action,
        "view_type": view_type,
        "favorites": favorites,
        "search": search,
        "back": urls.action_url(action.id, view_type, search),
        "may_share": env.user.has_group("base.group_system"),
        "error": error,
        "name": name,
    }
    if request.httprequest.headers.get("HX-Request") and not error:
        return request.render("web/backoffice/favorites_menu.html", values)
    return render_page(
        "web/backoffice/favorites.html", values, action=action, menu_id=menu_id, status=status
    )


class FavoritesController(http.Controller):
    @http.route("/web/action/<int:action_id>/favorites", type="http", auth="user", methods=["GET"])
    @backoffice_page
    def favorites(self, action_id: int, **kw: Any):
        action = load_window_action(request.env, action_id)
        args = request.httprequest.args
        search = [(k, v) for k, v in args.items(multi=True) if k != "view"]
        return _render(action, _view(args.get("view")), search)

    @http.route("/web/action/<int:action_id>/favorites", type="http", auth="user", methods=["POST"])
    @backoffice_page
    def save(self, action_id: int, **kw: Any):
        """Save the posted search as a favorite, then open it."""
        env = request.env
        action = load_window_action(env, action_id)
        form = request.httprequest.form
        view_type = _view(form.get("view"))
        search = parse_qsl(form.get("search", ""), keep_blank_values=True)
        name = (form.get("name") or "").strip()
        if not name:
            return _render(
                action, view_type, search, error="Name: this field is required.", status=422
            )
        page = _page_class(view_type)(action, MultiDict(search))
        vals = favorite_values(
            page, name[:200], shared=form.get("shared") == "1", default=form.get("default") == "1"
        )
        try:
            with env.cr.savepoint():
                saved = env["ir.filters"].create_or_replace(vals)
                env.flush_all()
        except UserError as exc:
            return _render(
                action,
                view_type,
                search,
                error=getattr(exc, "message", None) or str(exc),
                name=name,
                status=403 if isinstance(exc, AccessError) else 422,
            )
        row = saved.read(["name", "domain", "context", "sort"])[0]
        return request.redirect(
            favorite_url(action.id, view_type, row, eval_context(env), page.menu_id)
        )

    @http.route(
        "/web/action/<int:action_id>/favorites/<int:filter_id>/delete",
        type="http",
        auth="user",
        methods=["POST"],
    )
    @backoffice_page
    def delete(self, action_id: int, filter_id: int, **kw: Any):
        """Delete a favorite (one's own; a shared one needs the settings group)."""
        env = request.env
        action = load_window_action(env, action_id)
        saved = env["ir.filters"].search(
            [("id", "=", filter_id), ("model_id", "=", action.res_model)]
        )
        if not saved:
            raise MissingError("This favorite does not exist or was deleted.")
        form = request.httprequest.form
        try:
            with env.cr.savepoint():
                saved.unlink()
                env.flush_all()
        except UserError as exc:
            search = parse_qsl(form.get("search", ""), keep_blank_values=True)
            return _render(
                action,
                _view(form.get("view")),
                search,
                error=getattr(exc, "message", None) or str(exc),
                status=403 if isinstance(exc, AccessError) else 422,
            )
        return request.redirect(urls.safe_back(form.get("back")) or urls.action_url(action.id))
