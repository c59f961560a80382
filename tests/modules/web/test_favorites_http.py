"""Favorites over HTTP: a search saved as ``ir.filters`` (personal; shared only by settings
users, as the record rules say), applied by its URL, the default one applied when the action
opens, deleted; every POST needs the CSRF token."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from erplite import SUPERUSER_ID, api
from tests.modules.web.conftest import csrf_of


def _filters(served: Any) -> list[tuple]:
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        found = env["ir.filters"].search([("model_id", "=", "sale.order")], order="id")
        return [(f.name, f.user_id.login, f.is_default, f.domain, f.context) for f in found]


def _delete_all(served: Any) -> None:
    # through the ORM: the served workers cache the default filters until a change signals
    with served.env().cursor() as cr:
        api.Environment(cr, SUPERUSER_ID, {})["ir.filters"].search([]).unlink()


def test_save_apply_and_delete_a_personal_favorite(served: Any) -> None:
    _delete_all(served)
    client = served.client("max")
    action = served.ids["action"]
    search = "searched=1&search_partner_id=Customer+1&groupby=user_id"
    menu = client.get(
        f"/web/action/{action}/favorites?view=list&{search}", headers={"HX-Request": "true"}
    )
    text = menu.get_data(as_text=True)
    assert menu.status_code == 200 and "No favorite yet." in text and "<html" not in text
    assert "Shared with all users" not in text  # max is no settings user
    token = csrf_of(text)
    data = {"name": "Customer 1 by salesperson", "view": "list", "search": search}
    assert client.post(f"/web/action/{action}/favorites", data=data).status_code == 400
    saved = client.post(f"/web/action/{action}/favorites", data={**data, "csrf_token": token})
    assert saved.status_code == 303
    query = parse_qs(urlsplit(saved.headers["Location"]).query)
    assert json.loads(query["domain"][0]) == [["partner_id", "child_of", "Customer 1"]]
    assert query["domain_label"] == ["Customer 1 by salesperson"] and query["groupby"] == [
        "user_id"
    ]
    assert _filters(served) == [
        (
            "Customer 1 by salesperson",
            "max",
            False,
            "[['partner_id', 'child_of', 'Customer 1']]",
            "{'group_by': ['user_id']}",
        )
    ]
    applied = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Customer 1 by salesperson" in applied and "o-group-toggle" in applied

    listed = client.get(f"/web/action/{action}/favorites?view=list").get_data(as_text=True)
    assert "Customer 1 by salesperson" in listed
    with served.env().cursor() as cr:
        cr.execute("SELECT id FROM ir_filters")
        (filter_id,) = cr.fetchone()
    # another user neither sees nor deletes it
    other = served.client("mona")
    assert "Customer 1 by salesperson" not in other.get(
        f"/web/action/{action}/favorites?view=list"
    ).get_data(as_text=True)
    refused = other.post(
        f"/web/action/{action}/favorites/{filter_id}/delete",
        data={"csrf_token": csrf_of(other.get("/web").get_data(as_text=True))},
    )
    assert refused.status_code == 404
    deleted = client.post(
        f"/web/action/{action}/favorites/{filter_id}/delete",
        data={"csrf_token": token, "back": f"/web/action/{action}/list?searched=1"},
    )
    assert deleted.status_code == 303 and deleted.headers["Location"].endswith("searched=1")
    assert _filters(served) == []


def test_sharing_needs_the_settings_group_and_a_name_is_required(served: Any) -> None:
    _delete_all(served)
    client = served.client("max")
    action = served.ids["action"]
    token = csrf_of(client.get(f"/web/action/{action}/favorites?view=list").get_data(as_text=True))
    shared = client.post(
        f"/web/action/{action}/favorites",
        data={"csrf_token": token, "name": "For all", "shared": "1", "search": "searched=1"},
    )
    assert shared.status_code == 403
    assert "o-alert" in shared.get_data(as_text=True)
    unnamed = client.post(
        f"/web/action/{action}/favorites", data={"csrf_token": token, "name": "  ", "search": ""}
    )
    assert unnamed.status_code == 422 and "Name: this field is required." in unnamed.get_data(
        as_text=True
    )
    assert _filters(served) == []


def test_the_default_favorite_applies_when_the_action_opens(served: Any) -> None:
    _delete_all(served)
    client = served.client("max")
    action = served.ids["action"]
    token = csrf_of(client.get(f"/web/action/{action}/favorites?view=list").get_data(as_text=True))
    client.post(
        f"/web/action/{action}/favorites",
        data={
            "csrf_token": token,
            "name": "Mine by customer",
            "default": "1",
            "search": "searched=1&groupby=partner_id&order=amount_total desc",
        },
    )
    opened = client.get(f"/web/action/{action}/list?menu=3")
    assert opened.status_code == 303
    query = parse_qs(urlsplit(opened.headers["Location"]).query)
    assert query["domain_label"] == ["Mine by customer"] and query["groupby"] == ["partner_id"]
    assert query["order"] == ["amount_total desc"] and query["menu"] == ["3"]
    # a search the user chose is kept; another user has no default
    assert client.get(f"/web/action/{action}/list?searched=1").status_code == 200
    assert served.client("mona").get(f"/web/action/{action}/list").status_code == 200
    _delete_all(served)


def test_opening_an_action_reads_its_default_favorite_from_the_registry_cache(served: Any) -> None:
    """The default favorite is looked up in the registry's cache: opening the list costs no
    more statements than a searched list (the action's default search may find fewer rows),
    and a default created or deleted elsewhere (another
    process) applies at the next opening."""
    from erplite.sql import count_queries

    _delete_all(served)
    client = served.client("max")
    action = served.ids["action"]
    opened_url, searched_url = f"/web/action/{action}/list", f"/web/action/{action}/list?searched=1"
    for url in (opened_url, searched_url):  # warm
        assert client.get(url).status_code == 200
    with count_queries() as opened:
        assert client.get(opened_url).status_code == 200
    with count_queries() as searched:
        assert client.get(searched_url).status_code == 200
    assert not [s for s in opened if "ir_filters" in str(s)]
    assert len(opened) <= len(searched)
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        shared = env["ir.filters"].create(
            {
                "name": "Shared default",
                "model_id": "sale.order",
                "action_id": action,
                "user_id": False,
                "is_default": True,
                "context": "{'group_by': ['state']}",
            }
        )
        shared_id = shared.id
    redirected = client.get(opened_url)
    assert redirected.status_code == 303
    assert parse_qs(urlsplit(redirected.headers["Location"]).query)["groupby"] == ["state"]
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["ir.filters"].browse(shared_id).write({"is_default": False})
    assert client.get(opened_url).status_code == 200
    _delete_all(served)
