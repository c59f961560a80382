"""The vendored browser libraries are served by the web module and run in Chromium."""

from __future__ import annotations

from typing import Any


def test_htmx_and_chartjs_load_from_the_web_module(page: Any, backoffice: Any) -> None:
    page.goto(f"{backoffice.url}/web/login")
    page.add_script_tag(url=f"{backoffice.url}/web/static/lib/htmx/htmx.min.js")
    page.add_script_tag(url=f"{backoffice.url}/web/static/lib/chartjs/chart.umd.min.js")
    assert page.evaluate("htmx.version") == "2.0.11"
    assert page.evaluate("Chart.version") == "4.6.2"
