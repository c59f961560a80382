"""Drawing a backoffice page: the shell around it, and the 403/404 pages in the same frame.

Worked example (in a controller)::

    @http.route("/web/action/<int:action_id>/list", type="http", auth="user")
    @backoffice_page
    def list_page(self, action_id, **kw):
        ...
        return render_page("web/backoffice/list.html", {"action": action, ...},
                           action=action)

:func:`backoffice_page` turns a ``MissingError`` raised while building the page into a 404
page and an ``AccessError`` into a 403 page, both inside the backoffice frame (with the
menus), never a traceback. Every page is private: ``Cache-Control: no-store``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from erplite.exceptions import AccessError, MissingError
from erplite.http import request

from .dialog import dialog_for_page
from .shell import MenuItem, MenuTree, load_menu_tree, shell_values


def render_page(
    template: str,
    values: dict[str, Any],
    *,
    action: Any = None,
    menu_id: int | None = None,
    status: int = 200,
) -> Any:
    """``template`` in the backoffice frame; the app whose menus are shown is the one of
    ``menu_id`` (the URL's ``menu``), else the first app opening ``action``.

    The URL's ``dialog`` and ``notify`` tokens (``ui/client_actions.py``) draw a dialog over
    the page and a notification on it, whatever the page."""
    env = request.env
    if "dialog_html" not in values:
        dialog_html, notification = dialog_for_page(request.httprequest.args)
        values = {**values, "dialog_html": dialog_html}
        if notification is not None:
            values.setdefault("notification", notification)
    menus = load_menu_tree(env)
    app: MenuItem | None = menus.app(menu_id)
    if app is None and action is not None:
        app = menus.app_of_action("ir.actions.act_window", action.id)
    qcontext = {**shell_values(env, app=app, menus=menus), **values}
    response = request.render(template, qcontext, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(status: int, title: str, message: str) -> Any:
    """A 403/404 page in the backoffice frame (the menus stay usable)."""
    return render_page(
        "web/backoffice/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def backoffice_page(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Answer a missing record with a 404 page and a refused access with a 403 page."""

    @functools.wraps(endpoint)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return endpoint(*args, **kwargs)
        except MissingError as exc:
            return error_page(404, "Not found", str(exc) or "This page does not exist.")
        except AccessError as exc:
            return error_page(403, "Access denied", str(exc))

    return wrapper


def menu_tree() -> MenuTree:
    return load_menu_tree(request.env)


__all__ = ["backoffice_page", "error_page", "menu_tree", "render_page"]
