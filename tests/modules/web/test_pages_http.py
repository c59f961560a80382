"""The backoffice pages over HTTP (a werkzeug client): private caching, CSRF on every POST,
hand-made posts of bad values answered with field errors (never a 500), the company switcher,
the autocomplete, 404/403 pages."""

from __future__ import annotations

from typing import Any

from tests.modules.web.conftest import csrf_of


def test_pages_are_private_and_posts_need_the_csrf_token(served: Any) -> None:
    client = served.client("max")
    url = f"/web/action/{served.ids['action']}/form/{served.ids['big']}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    refused = client.post(url, data={"client_order_ref": "no token"})
    assert refused.status_code == 400
    forged = client.post(url, data={"client_order_ref": "x", "csrf_token": "0" * 40 + "o1"})
    assert forged.status_code == 400
    company = client.post("/web/session/company", data={"company_id": "1"})
    assert company.status_code == 400


def test_bad_posted_values_are_field_errors_and_nothing_is_written(served: Any) -> None:
    client = served.client("max")
    url = f"/web/action/{served.ids['action']}/form/new"
    token = csrf_of(client.get(url).get_data(as_text=True))
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "partner_id": "not-an-id",
            "validity_date": "2026-02-30",
            "date_order": "yesterday",
            "client_order_ref": "kept <b>as typed</b>",
            "order_line__present": "1",
            "order_line.0.id": "",
            "order_line.0.product_uom_qty": "1e999",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Customer: &#39;not-an-id&#39; is not a record id" in page
    assert "Expiration: &#39;2026-02-30&#39; is not a valid date (YYYY-MM-DD)" in page
    assert "Order Date: &#39;yesterday&#39; is not a valid date and time" in page
    assert "Line 1: Quantity: &#39;1e999&#39; is not a finite number" in page
    assert 'value="kept &lt;b&gt;as typed&lt;/b&gt;"' in page  # the input kept, escaped
    registry = served.env()
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM sale_order WHERE client_order_ref LIKE 'kept%%'")
        assert cr.fetchone() == (0,)


def test_a_line_id_of_another_record_is_refused(served: Any) -> None:
    client = served.client("max")
    ids = served.ids
    url = f"/web/action/{ids['action']}/form/new"
    token = csrf_of(client.get(url).get_data(as_text=True))
    registry = served.env()
    with registry.cursor() as cr:
        cr.execute("SELECT id FROM sale_order_line WHERE order_id = %s LIMIT 1", [ids["big"]])
        (line_id,) = cr.fetchone()
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "partner_id": str(ids["customer"]),
            "order_line__present": "1",
            "order_line.0.id": str(line_id),
            "order_line.0.product_uom_qty": "99",
        },
    )
    assert response.status_code == 422
    assert "line 1 is not a line of this record" in response.get_data(as_text=True)


def test_the_company_switcher_accepts_only_the_users_companies(served: Any) -> None:
    client = served.client("mona")
    page = client.get("/web").get_data(as_text=True)
    assert 'name="company_id"' in page and "Second Company" in page
    token = csrf_of(page)
    switched = client.post(
        "/web/session/company",
        data={"csrf_token": token, "company_id": str(served.ids["second"]), "redirect": "/web"},
    )
    assert switched.status_code == 303
    page = client.get("/web").get_data(as_text=True)
    assert f'<option value="{served.ids["second"]}" selected>' in page
    refused = client.post(
        "/web/session/company", data={"csrf_token": token, "company_id": "999999"}
    )
    assert refused.status_code == 403
    # a single-company user has no switcher
    assert 'name="company_id"' not in served.client("max").get("/web").get_data(as_text=True)


def test_autocomplete_suggests_through_name_search_as_the_user(served: Any) -> None:
    client = served.client("sid")
    found = client.get("/web/autocomplete/res.partner?q=Customer 1")
    assert found.status_code == 200
    assert f'data-id="{served.ids["customer"]}"' not in found.get_data(as_text=True)
    assert "Customer 1</li>" in found.get_data(as_text=True)
    assert client.get("/web/autocomplete/no.such.model?q=x").status_code == 404
    assert client.get("/web/autocomplete/ir.cron?q=x").status_code == 403  # no read right


def test_missing_and_forbidden_records_are_404_and_403_pages(served: Any) -> None:
    client = served.client("sid")  # a salesperson: not the manager's orders
    ids = served.ids
    forbidden = client.get(f"/web/action/{ids['action']}/form/{ids['big']}")
    assert forbidden.status_code == 403
    assert "Access denied" in forbidden.get_data(as_text=True)
    assert "Traceback" not in forbidden.get_data(as_text=True)
    missing = client.get(f"/web/action/{ids['action']}/form/987654")
    assert missing.status_code == 404 and "o-navbar" in missing.get_data(as_text=True)
    assert client.get("/web/action/987654/list").status_code == 404
    assert client.get("/web/menu/987654").status_code == 404


def test_preferences_and_password_change_keep_the_session(served: Any) -> None:
    from erplite import SUPERUSER_ID, api

    registry = served.env()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["res.users"].create({"name": "Pia Prefs", "login": "pia", "password": "pia"})
    client = served.client("pia")
    page = client.get("/web/preferences").get_data(as_text=True)
    token = csrf_of(page)
    saved = client.post(
        "/web/preferences",
        data={
            "csrf_token": token,
            "name": "Pia P.",
            "email": "pia@example.com",
            "tz": "Europe/Paris",
        },
    )
    assert saved.status_code == 200 and "Your preferences are saved." in saved.get_data(
        as_text=True
    )
    bad_zone = client.post(
        "/web/preferences", data={"csrf_token": token, "name": "Pia", "tz": "Mars/Olympus"}
    )
    assert bad_zone.status_code == 422 and "not a known time zone" in bad_zone.get_data(
        as_text=True
    )

    wrong = client.post(
        "/web/preferences/password",
        data={
            "csrf_token": token,
            "old_password": "nope",
            "new_password": "n3w-pass",
            "confirm_password": "n3w-pass",
        },
    )
    assert wrong.status_code == 403 and "old password is not right" in wrong.get_data(as_text=True)
    changed = client.post(
        "/web/preferences/password",
        data={
            "csrf_token": token,
            "old_password": "pia",
            "new_password": "n3w-pass",
            "confirm_password": "n3w-pass",
        },
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)[:300]
    assert client.get("/web").status_code == 200  # still logged in
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        pia = env["res.users"].search([("login", "=", "pia")])
        assert (pia.name, pia.email, pia.tz) == ("Pia P.", "pia@example.com", "Europe/Paris")
    from werkzeug.test import Client

    browser = Client(served.app)  # another browser logs in with the new password
    login_token = csrf_of(browser.get("/web/login").get_data(as_text=True))
    relogged = browser.post(
        "/web/login", data={"login": "pia", "password": "n3w-pass", "csrf_token": login_token}
    )
    assert relogged.status_code == 303
