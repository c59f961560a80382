"""The backoffice's home, menus and company switcher.

Worked example (a browser)::

    GET  /web                      → the apps the user may open (``ir.ui.menu.load_menus``)
    GET  /web/menu/7               → 303 to the first action under menu 7 (an app's first screen)
    POST /web/session/company      company_id=3, redirect=/web/action/12/list
         → 303 back, with company 3 first in ``allowed_company_ids`` (one of the user's own;
           another is refused with a 403)
"""

from __future__ import annotations

from typing import Any

from erplite import http
from erplite.exceptions import AccessError, MissingError
from erplite.http import request

from ..ui import urls
from ..ui.pages import backoffice_page, menu_tree, render_page


class Backoffice(http.Controller):
    @http.route("/web/menu/<int:menu_id>", type="http", auth="user", methods=["GET"])
    @backoffice_page
    def menu(self, menu_id: int, **kw: Any):
        """The screen of a menu: its action, or the first action below it."""
        menus = menu_tree()
        item = menus.items.get(menu_id)
        if item is None:
            raise MissingError("This menu does not exist or is not available to you.")
        target = menus.first_action(item)
        if target is None or target.action_model != "ir.actions.act_window":
            raise MissingError(f"The menu {item.name!r} opens nothing here.")
        app = menus.app(menu_id)
        query = [("menu", app.id)] if app else []
        return request.redirect(urls.action_url(int(target.action_id or 0), None, query))

    @http.route("/web/session/company", type="http", auth="user", methods=["POST"])
    def switch_company(self, company_id: str = "", redirect: str = "/web", **kw: Any):
        """Make ``company_id`` the current company (first of ``allowed_company_ids``)."""
        env = request.env
        user = env.user
        if not company_id.isdigit() or int(company_id) not in user.company_ids.ids:
            raise AccessError("You may not switch to this company.")
        chosen = int(company_id)
        others = [c for c in (request.session.context or {}).get("allowed_company_ids") or []]
        allowed = [chosen] + [c for c in others if c != chosen and c in user.company_ids.ids]
        request.session.context = {
            **(request.session.context or {}),
            "allowed_company_ids": allowed,
        }
        return request.redirect(urls.safe_back(redirect) or "/web")


def home_page() -> Any:
    """The home page of a logged-in user: the apps."""
    return render_page("web/backoffice/home.html", {})
