"""axe-core (vendored from its npm package, ``tests/web/vendor``) finds no serious or critical
accessibility violation on the list, form and kanban pages, on a desktop and on a 390 px phone;
and the pages can be worked with the keyboard alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.web.conftest import log_in

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

#: What an axe violation is reported with: the rule, its impact, and where.
_RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " + n.failureSummary),
  }));
}"""


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(_RUN_AXE)
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def _pages(backoffice: Any) -> dict[str, str]:
    ids = backoffice.ids
    action = ids["quotations_action"]
    return {
        "list": f"{backoffice.url}/web/action/{action}/list?searched=1",
        "form": f"{backoffice.url}/web/action/{action}/form/{ids['sally_azure']}",
        "kanban": f"{backoffice.url}/web/action/{action}/kanban?searched=1",
        "new form": f"{backoffice.url}/web/action/{action}/form/new",
    }


def _check_pages(page: Any, backoffice: Any) -> None:
    log_in(page, backoffice, "mike")
    found = {}
    for name, url in _pages(backoffice).items():
        page.goto(url)
        violations = serious_violations(page)
        if violations:
            found[name] = violations
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


def test_no_serious_violation_on_desktop(page: Any, backoffice: Any) -> None:
    _check_pages(page, backoffice)


def test_no_serious_violation_on_a_phone(phone_page: Any, backoffice: Any) -> None:
    _check_pages(phone_page, backoffice)


def test_axe_is_the_vendored_version_and_finds_a_planted_violation(
    page: Any, backoffice: Any
) -> None:
    """The check above can fail: an input without a label is reported."""
    page.goto(f"{backoffice.url}/web/login")
    page.evaluate(
        "() => document.body.insertAdjacentHTML('beforeend', '<input id=unlabelled type=text>')"
    )
    violations = serious_violations(page)
    assert page.evaluate("axe.version") == "4.14.1"
    assert any(
        v["id"] == "label" and any("#unlabelled" in n for n in v["nodes"]) for v in violations
    )


def test_the_kanban_cards_and_columns_are_reached_with_the_keyboard(
    page: Any, backoffice: Any
) -> None:
    log_in(page, backoffice, "mike")
    page.goto(_pages(backoffice)["kanban"])
    focused = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focused.append(
            page.evaluate(
                "() => document.activeElement.className + '|' + "
                "(document.activeElement.getAttribute('aria-label') || "
                "document.activeElement.textContent.trim())"
            )
        )
        if focused[-1].startswith("o-kanban-open"):
            break
    assert any(f.startswith("o-kanban-fold|") for f in focused), focused
    assert focused[-1].startswith("o-kanban-open|Open SO/"), focused
    page.keyboard.press("Enter")
    page.wait_for_url("**/form/**")


def test_a_card_moves_to_another_column_with_the_keyboard(page: Any, backoffice: Any) -> None:
    """Dragging needs a pointer: each card's "Move to" menu does the same from the keyboard."""
    ids = backoffice.ids
    log_in(page, backoffice, "mike")
    page.goto(f"{_pages(backoffice)['kanban']}&groupby=user_id")
    sally = page.locator(".o-kanban-column[aria-label='Sally Seller']")
    before = int(sally.locator(".o-kanban-count").inner_text())
    card = page.locator(f".o-kanban-card[data-id='{ids['sam_azure']}']")
    card.locator(".o-kanban-open").focus()
    page.keyboard.press("Tab")
    select = card.locator(".o-kanban-move select")
    assert select.evaluate("element => element === document.activeElement")
    assert select.is_visible()
    select.select_option(label="Sally Seller")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(
        f".o-kanban-column[aria-label='Sally Seller'] .o-kanban-card[data-id='{ids['sam_azure']}']"
    )
    assert int(sally.locator(".o-kanban-count").inner_text()) == before + 1
    with backoffice.env() as env:
        assert env["sale.order"].browse(ids["sam_azure"]).user_id.id == ids["sally"]
