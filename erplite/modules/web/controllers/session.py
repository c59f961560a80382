"""Logging in and out: the login page, the JSON session routes, the landing page.

Worked example (a browser, no JavaScript needed)::

    GET  /web/login?redirect=/web            → the form, with a CSRF token
    POST /web/login  login, password, csrf_token, redirect
         → 303 to the redirect, new session_id cookie (the sid is rotated: no fixation)
         → the form again with "Wrong login/password" (or the throttling message)
    POST /web/session/logout  csrf_token     → 303 to /web/login; the session is destroyed
    GET  /web/session/logout                 → a page asking to confirm (its button POSTs)

and a script::

    POST /web/session/authenticate  {"jsonrpc": "2.0", "params": {"db": "shop", "login": "admin",
                                      "password": "admin"}}
    → {"result": {"uid": 2, "db": "shop", "user_context": {...}, ...}} and a session cookie
"""

from __future__ import annotations

from typing import Any

from erplite import http
from erplite.exceptions import AccessDenied, AccessError
from erplite.http import request
from erplite.http.service import version_info


def session_info() -> dict[str, Any]:
    """What Odoo 17's ``ir.http.session_info()`` tells a client about its session."""
    session = request.session
    env = request.env
    user = env.user
    companies = user.company_ids
    info = version_info()
    return {
        "uid": session.uid,
        "is_system": user._is_system(),
        "is_admin": user._is_admin(),
        "user_context": dict(session.context or {}),
        "db": session.db,
        "server_version": info["server_version"],
        "server_version_info": info["server_version_info"],
        "erplite_version": info["erplite_version"],
        "name": user.name,
        "username": user.login,
        "partner_display_name": user.partner_id.display_name,
        "partner_id": user.partner_id.id,
        "company_id": user.company_id.id,
        "user_companies": {
            "current_company": user.company_id.id,
            "allowed_companies": {
                company.id: {"id": company.id, "name": company.name} for company in companies
            },
        },
        "web.base.url": request.httprequest.host_url.rstrip("/") + request.httprequest.script_root,
        # for the X-CSRF-Token header of JSON-2/REST calls made with the session cookie
        # (another site cannot read this answer: JSON-RPC grants no CORS)
        "csrf_token": request.csrf_token(),
    }


def _access_denied_message(exc: AccessDenied) -> str:
    """The message shown on the login page: the default one says nothing of what was wrong;
    another one (throttling) is shown as it is."""
    if exc.args == AccessDenied().args:
        return "Wrong login/password"
    return exc.args[0] if exc.args else "Wrong login/password"


def _safe_redirect(redirect: str | None, default: str = "/web") -> str:
    """A local path to go to after login or logout (never another site)."""
    if not redirect or not isinstance(redirect, str) or not redirect.startswith("/"):
        return default
    if redirect.startswith("//") or "\\" in redirect:
        return default
    return redirect


class Session(http.Controller):
    @http.route("/", type="http", auth="none")
    def index(self, **kw: Any):
        return request.redirect("/web", 303)

    @http.route("/web", type="http", auth="user", methods=["GET"])
    def web_client(self, **kw: Any):
        """The landing page of a logged-in user: the backoffice's apps."""
        from .backoffice import home_page

        return home_page()

    # -- the login page -----------------------------------------------------------------------
    @http.route("/web/login", type="http", auth="none", methods=["GET", "POST"])
    def web_login(self, redirect: str | None = None, **kw: Any):
        """The login form; it works without JavaScript (POST with a CSRF token)."""
        httprequest = request.httprequest
        databases = request.app.databases
        if (
            httprequest.method == "GET"
            and redirect
            and request.session.uid
            and request.session.db == request.db
        ):
            return request.redirect(_safe_redirect(redirect))
        values: dict[str, Any] = {
            "redirect": redirect or "",
            "login": kw.get("login", ""),
            "db": request.db,
            "databases": (
                databases.host_databases(request.host)
                if databases.multi and request.app.list_db
                else []
            ),
            "action": request.url("/web/login"),
        }
        status = 200
        if httprequest.method == "POST":
            db = kw.get("db") or request.db
            if not db or not databases.allowed(db, request.host):
                values["error"] = "Choose a database." if not db else f"Database {db!r} not found."
                status = 404 if db else 400
            else:
                try:
                    uid = request.session.authenticate(db, kw.get("login"), kw.get("password"))
                except AccessDenied as exc:
                    values["error"] = _access_denied_message(exc)  # 200, as Odoo
                else:
                    if request.session.uid != uid:  # a second factor is needed
                        return request.redirect_query(
                            "/web/login/totp", {"redirect": _safe_redirect(redirect)}
                        )
                    return request.redirect(_safe_redirect(redirect))
                values["db"] = db
        values["csrf_token"] = request.csrf_token()
        return request.render("login.html", values, status=status)

    @http.route("/web/login/totp", type="http", auth="none", methods=["GET", "POST"])
    def web_totp(self, redirect: str | None = None, totp_token: str | None = None, **kw: Any):
        """The second step of a login with two-factor authentication."""
        session = request.session
        pre_uid = session.get("pre_uid")
        if (
            not pre_uid
            or not session.db
            or not request.app.databases.allowed(session.db, request.host)
        ):
            return request.redirect_query("/web/login", {"redirect": _safe_redirect(redirect)})
        error = None
        if request.httprequest.method == "POST":
            request.use_database(session.db)
            user = request.env(user=pre_uid)["res.users"].browse(pre_uid)
            user_agent_env = {"REMOTE_ADDR": request.httprequest.remote_addr or ""}
            try:
                user._totp_check(str(totp_token or ""), user_agent_env)
            except AccessDenied as exc:
                error = _access_denied_message(exc)
            else:
                session.finalize(request.env)
                return request.redirect(_safe_redirect(redirect))
        return request.render(
            "web/totp.html",
            {"error": error, "redirect": redirect or "", "action": request.url("/web/login/totp")},
        )

    # -- JSON session routes ------------------------------------------------------------------
    @http.route("/web/session/authenticate", type="json", auth="none")
    def authenticate(self, db: str, login: str, password: str, base_location: str | None = None):
        """Log the session in; the answer describes the session (Odoo's ``session_info``)."""
        if not request.app.databases.allowed(db, request.host):
            raise AccessError("Database not found.")
        pre_uid = request.session.authenticate(db, login, password)
        if pre_uid != request.session.uid:
            return {"uid": None}  # a second factor is needed: use /web/login
        return session_info()

    @http.route("/web/session/get_session_info", type="json", auth="user")
    def get_session_info(self):
        return session_info()

    @http.route("/web/session/destroy", type="json", auth="user")
    def destroy(self):
        request.session.logout()

    @http.route("/web/session/logout", type="http", auth="none", methods=["GET", "POST"])
    def logout(self, redirect: str = "/web/login", csrf_token: str | None = None, **kw: Any):
        """Destroy the session (its id stops existing) and go to ``redirect``.

        A POST carries a CSRF token (checked by the dispatcher), and so may a GET
        (``?csrf_token=``); a GET without a valid one, which any other site can make a
        browser send, only shows a page whose button logs out (by a POST with a token).
        """
        target = _safe_redirect(redirect, "/web/login")
        session = request.session
        if (
            request.httprequest.method == "GET"
            and (session.uid or session.get("pre_uid"))
            and not request.validate_csrf(csrf_token)
        ):
            return request.render(
                "web/logout.html",
                {"redirect": target, "action": request.url("/web/session/logout")},
            )
        session.logout(keep_db=True)
        return request.redirect(target, 303)
