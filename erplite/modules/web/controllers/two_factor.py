"""The user's two-factor authentication (Odoo 17's ``auth_totp``): set it up, disable it.

Worked example (a browser)::

    GET  /web/preferences/totp          → a new secret as a QR code and as text, and the form
    POST /web/preferences/totp/enable   csrf_token, secret, code, password
         → the password checked again (``_check_identity``: a stolen session is not enough),
           then ``res.users._totp_try_setting(secret, code)``: enabled when the code is the
           secret's current one; else the page again with the same secret and the reason
    POST /web/preferences/totp/disable  csrf_token, password
         → ``res.users.action_totp_disable(password=...)`` (the identity check is the model's)

The session's token depends on the TOTP secret (enabling or disabling it ends the user's other
sessions), so this session's token is computed again and the user stays logged in. A wrong
password counts as a failed login (throttled), as on the login page.

``segno`` (the QR code) is imported when the set-up page is drawn, not when the module loads:
every worker loads the module, few ever draw that page.
"""

from __future__ import annotations

from typing import Any

from erplite import http
from erplite.exceptions import AccessDenied, UserError
from erplite.http import request
from erplite.security import totp

from ..ui.pages import backoffice_page, render_page
from .preferences import preferences_page, renew_session_token


def _setup_page(secret: str, error: str | None = None, status: int = 200) -> Any:
    import segno  # on first use: see the module docstring

    env = request.env
    uri = totp.provisioning_uri(secret, env.user.login, issuer=env.company.name or "erplite")
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4, title="QR code of the secret")
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_page(
        "web/backoffice/totp_setup.html",
        {"secret": secret, "grouped_secret": grouped, "qr_svg": qr_svg, "error": error},
        status=status,
    )


class TwoFactor(http.Controller):
    @http.route("/web/preferences/totp", type="http", auth="user", methods=["GET"])
    @backoffice_page
    def setup(self, **kw: Any):
        if request.env.user.totp_enabled:
            return preferences_page(
                error="Two-factor authentication is already enabled.", status=409
            )
        return _setup_page(totp.new_secret())

    @http.route("/web/preferences/totp/enable", type="http", auth="user", methods=["POST"])
    @backoffice_page
    def enable(self, secret: str = "", code: str = "", password: str = "", **kw: Any):
        env = request.env
        secret = "".join(secret.split()).upper()
        if len(secret) < 16 or not secret.isalnum():
            return _setup_page(totp.new_secret(), "The secret is not valid: scan this one.", 422)
        try:
            with env.cr.savepoint():
                env["res.users"]._check_identity(password, "Setting up two-factor authentication")
                if not env["res.users"].browse(env.uid)._totp_try_setting(secret, code):
                    raise UserError("The code is not right: type the 6 digits your app shows now.")
        except AccessDenied as exc:
            text = "The password is not right." if password else exc.message
            return _setup_page(secret, text, 403)
        except UserError as exc:
            return _setup_page(secret, exc.message, 422)
        renew_session_token()
        return preferences_page(message="Two-factor authentication is enabled.")

    @http.route("/web/preferences/totp/disable", type="http", auth="user", methods=["POST"])
    @backoffice_page
    def disable(self, password: str = "", **kw: Any):
        env = request.env
        try:
            with env.cr.savepoint():
                env["res.users"].browse(env.uid).action_totp_disable(password=password)
        except AccessDenied as exc:
            text = exc.message if not password else "The password is not right."
            return preferences_page(error=text, status=403)
        except UserError as exc:
            return preferences_page(error=exc.message, status=422)
        renew_session_token()
        return preferences_page(message="Two-factor authentication is disabled.")
