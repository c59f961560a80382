"""The identity check of a form's button (Odoo 17's ``res.users.identitycheck``): the user
types their password again before a sensitive method runs.

Worked example (a browser, an administrator on a user's form)::

    POST /web/action/8/form/5   ..., button=action_totp_disable
         → the form is saved, then 303 to /web/action/8/form/5/identity?button=action_totp_disable
    GET  /web/action/8/form/5/identity?button=action_totp_disable   → "Enter your password"
    POST /web/action/8/form/5/identity   csrf_token, button, password
         → ``res.users.browse(5).action_totp_disable(password=...)`` as the user, 303 to the
           form; a wrong password: the page again (403), counted as a failed login

Only the buttons of ``ui/identity.py`` are run here, and only when the record's form offers
them to the user now (``groups``, ``invisible``), as any button of the form.
"""

from __future__ import annotations

from typing import Any

from erplite import http
from erplite.exceptions import AccessDenied, AccessError, MissingError, UserError
from erplite.http import request

from ..ui import urls
from ..ui.actions import load_window_action
from ..ui.identity import identity_checked
from ..ui.pages import backoffice_page, render_page
from .form_page import FormPage
from .preferences import renew_session_token


def _int(text: Any) -> int | None:
    return int(text) if isinstance(text, str) and text.isdigit() and len(text) < 12 else None


class IdentityCheck(http.Controller):
    @http.route(
        "/web/action/<int:action_id>/form/<int:record_id>/identity",
        type="http",
        auth="user",
        methods=["GET", "POST"],
    )
    @backoffice_page
    def identity(self, action_id: int, record_id: int, button: str = "", **kw: Any):
        env = request.env
        action = load_window_action(env, action_id)
        page = FormPage(action, record_id)
        offered = page.resolve().buttons.get(button)
        if not identity_checked(action.res_model, button) or offered is None or offered.hidden:
            raise MissingError("This button is not available on this record.")
        back, menu_id = urls.safe_back(kw.get("back")), _int(kw.get("menu"))
        query: list[tuple[str, Any]] = [("back", back), ("menu", menu_id)]
        form_url = urls.form_url(action.id, record_id, query)
        values = {
            "action": action,
            "record": page.record,
            "button": offered,
            "back": back,
            "menu_id": menu_id,
            "form_url": form_url,
            "error": None,
        }
        if request.httprequest.method == "GET":
            return render_page(
                "web/backoffice/identity.html", values, action=action, menu_id=menu_id
            )
        password = request.httprequest.form.get("password", "")
        try:
            with env.cr.savepoint():
                getattr(page.record, button)(password=password)
                env.flush_all()
        except AccessDenied as exc:
            values["error"] = "The password is not right." if password else exc.message
            return render_page(
                "web/backoffice/identity.html", values, action=action, menu_id=menu_id, status=403
            )
        except UserError as exc:
            values["error"] = exc.message
            status = 403 if isinstance(exc, AccessError) else 422
            return render_page(
                "web/backoffice/identity.html",
                values,
                action=action,
                menu_id=menu_id,
                status=status,
            )
        if record_id == env.uid:  # one's own TOTP or password: this session stays valid
            renew_session_token()
        return request.redirect(form_url)
