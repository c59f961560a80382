"""The browser infrastructure itself: a real Chromium logs in through the form."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import log_in


def test_log_in_and_out_in_a_real_browser(page: Any, backoffice: Any) -> None:
    log_in(page, backoffice, "sally")
    assert "Sally Seller" in page.content()
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["session_id"]["httpOnly"] is True
