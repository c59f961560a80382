"""The user menu's security screens in the browser: a salesperson makes an API key (shown
once, then listed by its name only) and revokes it, sets up two-factor authentication by
typing the code of the secret shown; the administrator disables it from the user's settings
form after typing their own password again."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from erplite.security import totp
from tests.web.conftest import ARTIFACTS, log_in


def test_api_keys_and_two_factor_authentication(page: Any, backoffice: Any) -> None:
    sally = backoffice.ids["sally"]
    log_in(page, backoffice, "sally")
    page.goto(f"{backoffice.url}/web")
    page.click(".o-user-menu summary")
    page.click(".o-user-menu >> text=Preferences")
    page.wait_for_url(re.compile(r"/web/preferences$"))
    expect(page.locator(".o-no-apikeys")).to_have_text("You have no API key.")

    page.click("a:has-text('New API key')")
    page.fill("#k-name", "Stock sync script")
    page.fill("#k-password", "sally")
    page.click("button:has-text('Generate the key')")
    key = page.locator(".o-apikey-value").input_value()
    ARTIFACTS.mkdir(exist_ok=True)
    assert len(key) >= 32
    expect(page.locator(".o-apikey-new .o-alert-info")).to_contain_text(
        "it will not be shown again"
    )
    with backoffice.env() as env:
        assert env["res.users.apikeys"]._check_credentials(scope="rpc", key=key) == sally
    page.screenshot(path=str(ARTIFACTS / "journey_user_security_api_key.png"))
    page.click("a:has-text('Done')")
    row = page.locator("tr.o-apikey")
    expect(row).to_contain_text("Stock sync script")
    expect(row).to_contain_text("rpc")
    assert key not in page.content()  # never shown again
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button:has-text('Revoke')").click()
    expect(page.locator(".o-alert-info")).to_contain_text("is revoked")
    with backoffice.env() as env:
        assert not env["res.users.apikeys"].search([("user_id", "=", sally)])
        assert env["res.users.apikeys"]._check_credentials(scope="rpc", key=key) is None

    page.click("a:has-text('Set up two-factor authentication')")
    expect(page.locator(".o-totp-qr svg")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "journey_user_security_totp_setup.png"))
    secret = page.locator("input[name=secret]").input_value()
    assert page.locator(".o-totp-secret").inner_text().replace(" ", "") == secret
    page.fill("#t-code", totp.current_code(secret))
    page.fill("#t-password", "sally")
    page.click("button:has-text('Enable two-factor authentication')")
    expect(page.locator(".o-alert-info")).to_have_text("Two-factor authentication is enabled.")
    page.goto(f"{backoffice.url}/web/preferences")  # the session stays valid
    expect(page.locator(".o-totp-status")).to_contain_text("enabled")
    with backoffice.env() as env:
        assert env["res.users"].browse(sally).totp_enabled

    # the administrator disables it from the settings, after typing their password again
    page.context.clear_cookies()
    log_in(page, backoffice, "admin")
    with backoffice.env() as env:
        action = env.ref("base.action_res_users").id
    page.goto(f"{backoffice.url}/web/action/{action}/form/{sally}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(".o-header-buttons button:has-text('Disable two-factor authentication')")
    page.wait_for_url(re.compile(r"/identity\?button=action_totp_disable"))
    page.fill("#i-password", "not-admin")
    page.click("button:has-text('Confirm')")
    expect(page.locator(".o-alert")).to_have_text("The password is not right.")
    with backoffice.env() as env:
        assert env["res.users"].browse(sally).totp_enabled
    page.fill("#i-password", "admin")
    page.click("button:has-text('Confirm')")
    page.wait_for_url(re.compile(rf"/form/{sally}"))
    assert page.locator("button:has-text('Disable two-factor authentication')").count() == 0
    with backoffice.env() as env:
        assert not env["res.users"].browse(sally).totp_enabled
