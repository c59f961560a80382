"""The user's API keys (Odoo 17's ``res.users.apikeys``): create one, see it once, revoke it.

Worked example (a browser)::

    GET  /web/preferences/apikeys/new   → the form: a name, a scope, an optional expiry, and
                                          the password again (Odoo's identity check)
    POST /web/preferences/apikeys       csrf_token, name=laptop script, scope=rpc,
                                        expiration_date=2027-01-31, password
         → ``res.users.apikeys._generate(scope, name, expiration_date)`` as the user; the page
           shows the key this one time (never logged, never shown again: only its hash is
           kept); the preferences list it by name, scope and dates
    POST /web/preferences/apikeys/5/revoke   csrf_token → ``_remove()`` (one's own key)

The external API (XML-RPC, JSON-RPC, JSON-2) accepts the key in place of the password.
"""

from __future__ import annotations

import datetime
from typing import Any

from erplite import http
from erplite.exceptions import AccessDenied, MissingError, UserError
from erplite.http import request

from ..ui.pages import backoffice_page, render_page
from .preferences import preferences_page

#: the scopes offered: what the key may be used for (``_check_credentials(scope=...)``)
SCOPES = (("rpc", "External API (XML-RPC, JSON-RPC, JSON-2)"),)


def _form(error: str | None = None, values: dict[str, str] | None = None, status: int = 200) -> Any:
    return render_page(
        "web/backoffice/apikey_new.html",
        {"scopes": SCOPES, "error": error, "values": values or {}, "key": None},
        status=status,
    )


def _expiration(text: str) -> datetime.datetime | None:
    """The end of the day ``text`` (YYYY-MM-DD, UTC), or None when empty."""
    if not text.strip():
        return None
    try:
        day = datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"Expiration date: {text[:20]!r} is not a date (YYYY-MM-DD)") from None
    if day < datetime.datetime.now(datetime.timezone.utc).date():
        raise UserError("Expiration date: the date is in the past.")
    return datetime.datetime.combine(day, datetime.time(23, 59, 59))


class ApiKeys(http.Controller):
    @http.route("/web/preferences/apikeys/new", type="http", auth="user", methods=["GET"])
    @backoffice_page
    def new(self, **kw: Any):
        return _form()

    @http.route("/web/preferences/apikeys", type="http", auth="user", methods=["POST"])
    @backoffice_page
    def create(
        self,
        name: str = "",
        scope: str = "",
        expiration_date: str = "",
        password: str = "",
        **kw: Any,
    ):
        env = request.env
        values = {"name": name, "scope": scope, "expiration_date": expiration_date}
        if scope not in dict(SCOPES):
            return _form("Scope: choose what the key is for.", values, 422)
        if not name.strip():
            return _form("Description: this field is required.", values, 422)
        try:
            with env.cr.savepoint():
                expires = _expiration(expiration_date)
                env["res.users"]._check_identity(password, "Creating an API key")
                key = env["res.users.apikeys"]._generate(scope, name.strip()[:200], expires)
        except AccessDenied as exc:
            text = "The password is not right." if password else exc.message
            return _form(text, values, 403)
        except UserError as exc:
            return _form(exc.message, values, 422)
        response = render_page(
            "web/backoffice/apikey_new.html",
            {"scopes": SCOPES, "error": None, "values": values, "key": key},
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    @http.route(
        "/web/preferences/apikeys/<int:key_id>/revoke", type="http", auth="user", methods=["POST"]
    )
    @backoffice_page
    def revoke(self, key_id: int, **kw: Any):
        env = request.env
        key = env["res.users.apikeys"].search([("id", "=", key_id), ("user_id", "=", env.uid)])
        if not key:
            raise MissingError("This API key does not exist or is not yours.")
        name = key.name
        with env.cr.savepoint():
            key._remove()
        return preferences_page(message=f"The API key {name!r} is revoked.")
