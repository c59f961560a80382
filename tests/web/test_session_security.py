"""Issue 10, finding 6, in a real Chromium: another site can neither log a user out nor frame
erplite's pages; the login page stores no session until someone logs in."""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import _ServerThread, log_in


def attacker_site(html: str) -> _ServerThread:
    """Another origin (another port of 127.0.0.1) serving one page."""

    def app(environ: dict, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [html.encode()]

    return _ServerThread(app)


def session_rows(backoffice: Any) -> int:
    with backoffice.env() as env:
        env.cr.execute("SELECT to_regclass('http_session') IS NOT NULL")
        if not env.cr.fetchone()[0]:
            return 0  # made with the first session stored
        env.cr.execute("SELECT count(*) FROM http_session")
        return env.cr.fetchone()[0]


def logged_in_as(page: Any, backoffice: Any, name: str) -> bool:
    page.goto(f"{backoffice.url}/web")
    return name in page.content()


def test_another_site_cannot_log_the_user_out(page: Any, backoffice: Any) -> None:
    log_in(page, backoffice, "sally")
    logout = f"{backoffice.url}/web/session/logout"
    html = (
        f'<img src="{logout}"><iframe src="{logout}"></iframe>'
        f'<form id="f" method="post" action="{logout}"></form>'
    )
    with attacker_site(html) as attacker:
        page.goto(attacker.url)
        page.wait_for_load_state("load")
        assert logged_in_as(page, backoffice, "Sally Seller")
        # the attacker's form POST has no CSRF token: refused
        page.goto(attacker.url)
        with page.expect_navigation():
            page.evaluate("document.getElementById('f').submit()")
        assert "CSRF" in page.content()
        assert logged_in_as(page, backoffice, "Sally Seller")


def test_logging_out_by_a_link_asks_to_confirm(page: Any, backoffice: Any) -> None:
    log_in(page, backoffice, "sally")
    page.goto(f"{backoffice.url}/web/session/logout")
    assert page.locator("h1").inner_text() == "Log out?"
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/web/login$"))
    assert not logged_in_as(page, backoffice, "Sally Seller")


def test_pages_are_not_framed_by_another_site(page: Any, backoffice: Any) -> None:
    html = f'<iframe id="victim" src="{backoffice.url}/web/login"></iframe>'
    with attacker_site(html) as attacker:
        page.goto(attacker.url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(500)
        framed = page.frame_locator("#victim").locator("input[name=login]")
        assert framed.count() == 0  # Chromium refused to render the login form in the frame


def test_the_login_page_stores_no_session_until_a_login(page: Any, backoffice: Any) -> None:
    before = session_rows(backoffice)
    page.goto(f"{backoffice.url}/web/login")
    page.reload()
    assert session_rows(backoffice) == before
    assert any(c["name"] == "session_id" for c in page.context.cookies())  # the form's sid
    log_in(page, backoffice, "sally")
    assert "Sally Seller" in page.content()
    assert session_rows(backoffice) == before + 1
