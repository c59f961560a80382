"""The README's screenshots of the orders list and form, taken in real Chromium.

Every run takes them into ``tests/web/artifacts/``; to refresh the committed ones in ``docs/``:

    ERPLITE_UPDATE_DOCS=1 .venv/bin/python -m pytest tests/web/test_readme_screenshots.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from tests.web.conftest import ARTIFACTS, log_in

DOCS = Path(__file__).parents[2] / "docs"
SHOTS = ("orders-list.png", "orders-form.png")


def test_readme_screenshots_of_the_orders_list_and_form(browser: Any, backoffice: Any) -> None:
    ids = backoffice.ids
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        log_in(page, backoffice, "mike")
        ARTIFACTS.mkdir(exist_ok=True)
        page.goto(f"{backoffice.url}/web/action/{ids['quotations_action']}/list?searched=1")
        assert page.locator("tr.o-row").count() == 5
        page.screenshot(path=str(ARTIFACTS / SHOTS[0]))
        page.goto(
            f"{backoffice.url}/web/action/{ids['quotations_action']}/form/{ids['to_approve']}"
        )
        # the order waits for approval: its lines are drawn read-only (disabled inputs)
        desk = page.locator("tr.o-line input[name$='product_id__display']").first
        assert desk.input_value() == "Office Desk" and desk.is_disabled()
        assert not page.locator(".o-add-line").is_visible()
        page.screenshot(path=str(ARTIFACTS / SHOTS[1]))
    finally:
        context.close()
    for name in SHOTS:
        assert (ARTIFACTS / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        if os.environ.get("ERPLITE_UPDATE_DOCS") == "1":
            shutil.copyfile(ARTIFACTS / name, DOCS / name)
        assert (DOCS / name).exists(), f"docs/{name} is committed for the README"
