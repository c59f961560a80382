"""The user's own preferences: name, email, time zone, and their password.

Worked example (a browser)::

    GET  /web/preferences                              → the form
    POST /web/preferences        name, email, tz       → saved (res.users' self-writeable fields)
    POST /web/preferences/password  old_password, new_password, confirm_password
         → changed with ``res.users.change_password`` (the old password is checked and a wrong
           one counts as a failed login); the session stays logged in

Everything is written as the user (never through ``env.user``, a superuser record):
``res.users`` lets users change only their own ``SELF_WRITEABLE_FIELDS``; a post naming any
other field of users is refused (403) and changes nothing. The page also shows the user's two-factor authentication
(``two_factor.py``) and API keys (``api_keys.py``).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from erplite import http
from erplite.exceptions import AccessDenied, AccessError, UserError
from erplite.http import request

from ..ui.pages import backoffice_page, render_page

#: the time zones offered (computed once: the list does not change while the server runs)
_TIMEZONES: list[str] = []


def _timezones() -> list[str]:
    if not _TIMEZONES:
        _TIMEZONES.extend(sorted(available_timezones()))
    return _TIMEZONES


def preferences_page(
    message: str | None = None, error: str | None = None, status: int = 200
) -> Any:
    """The preferences page: the user's settings, password, two-factor authentication and
    API keys (their names and scopes: a key itself is shown once, when it is made)."""
    user = request.env.user
    return render_page(
        "web/backoffice/preferences.html",
        {
            "timezones": _timezones(),
            "message": message,
            "error": error,
            "totp_enabled": user.totp_enabled,
            "api_keys": user.api_key_ids,
        },
        status=status,
    )


def renew_session_token() -> None:
    """Keep this session valid after a change its token depends on (password, TOTP)."""
    session = request.session
    session.session_token = request.env.user.sudo()._compute_session_token(session.sid)


class Preferences(http.Controller):
    @http.route("/web/preferences", type="http", auth="user", methods=["GET", "POST"])
    @backoffice_page
    def preferences(self, name: str = "", email: str = "", tz: str = "", **kw: Any):
        if request.httprequest.method == "GET":
            return preferences_page()
        if tz and tz not in _timezones():
            return preferences_page(
                error=f"Time zone: {tz!r} is not a known time zone.", status=422
            )
        if not name.strip():
            return preferences_page(error="Name: this field is required.", status=422)
        Users = request.env["res.users"]
        others = sorted(key for key in kw if key in Users._fields)
        if others:
            return preferences_page(
                error=f"{', '.join(others)}: cannot be changed on this page.", status=403
            )
        try:
            with request.env.cr.savepoint():
                # as the user, not through env.user (a superuser record, as in Odoo):
                # res.users lets them write their own SELF_WRITEABLE_FIELDS, nothing else
                Users.browse(request.env.uid).write(
                    {"name": name.strip(), "email": email.strip() or False, "tz": tz or False}
                )
        except (UserError, AccessError) as exc:
            return preferences_page(error=getattr(exc, "message", None) or str(exc), status=422)
        return preferences_page(message="Your preferences are saved.")

    @http.route("/web/preferences/password", type="http", auth="user", methods=["POST"])
    @backoffice_page
    def change_password(
        self, old_password: str = "", new_password: str = "", confirm_password: str = "", **kw: Any
    ):
        if new_password != confirm_password:
            return preferences_page(error="The new passwords do not match.", status=422)
        env = request.env
        try:
            with env.cr.savepoint():
                env["res.users"].change_password(old_password, new_password)
        except AccessDenied:
            return preferences_page(error="The old password is not right.", status=403)
        except UserError as exc:
            return preferences_page(error=exc.message, status=422)
        # the session's token depends on the password: renew it so this session stays valid
        renew_session_token()
        return preferences_page(message="Your password is changed.")
