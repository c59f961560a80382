"""The user menu's security screens over HTTP: API keys (made after the password is typed
again, shown once, listed by name, revoked), two-factor authentication (set up with a code
of the secret, disabled with the password) and the settings' identity check before an
administrator disables a user's second factor. Every POST needs the CSRF token."""

from __future__ import annotations

import re
from typing import Any

from erplite import SUPERUSER_ID, Command, api
from erplite.security import totp
from tests.modules.web.conftest import csrf_of


def _make_user(served: Any, login: str, *groups: str) -> int:
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        user = env["res.users"].create(
            {
                "name": login.title(),
                "login": login,
                "password": login,
                "groups_id": [Command.set([env.ref(g).id for g in groups or ("base.group_user",)])],
            }
        )
        return user.id


def _sql(served: Any, query: str, *params: Any) -> Any:
    with served.env().cursor() as cr:
        cr.execute(query, list(params))
        return cr.fetchall()


def test_an_api_key_is_shown_once_listed_by_name_and_revoked(served: Any) -> None:
    uid = _make_user(served, "kay")
    client = served.client("kay")
    token = csrf_of(client.get("/web/preferences/apikeys/new").get_data(as_text=True))
    data = {"name": "sync script", "scope": "rpc", "expiration_date": ""}
    assert (
        client.post("/web/preferences/apikeys", data={**data, "password": "kay"}).status_code == 400
    )
    wrong = client.post(
        "/web/preferences/apikeys", data={**data, "password": "nope", "csrf_token": token}
    )
    assert wrong.status_code == 403 and "The password is not right." in wrong.get_data(as_text=True)
    past = client.post(
        "/web/preferences/apikeys",
        data={**data, "expiration_date": "2001-01-01", "password": "kay", "csrf_token": token},
    )
    assert past.status_code == 422 and "in the past" in past.get_data(as_text=True)
    assert _sql(served, "SELECT count(*) FROM res_users_apikeys WHERE user_id = %s", uid) == [(0,)]

    made = client.post(
        "/web/preferences/apikeys", data={**data, "password": "kay", "csrf_token": token}
    )
    page = made.get_data(as_text=True)
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    key = re.search(r'class="o-apikey-value" value="([^"]+)"', page).group(1)
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        assert env["res.users.apikeys"]._check_credentials(scope="rpc", key=key) == uid
    listed = client.get("/web/preferences").get_data(as_text=True)
    assert "sync script" in listed and key not in listed
    ((key_id,),) = _sql(served, "SELECT id FROM res_users_apikeys WHERE user_id = %s", uid)
    # another user cannot revoke it
    other = served.client("max")
    refused = other.post(
        f"/web/preferences/apikeys/{key_id}/revoke",
        data={"csrf_token": csrf_of(other.get("/web/preferences").get_data(as_text=True))},
    )
    assert refused.status_code == 404
    revoked = client.post(f"/web/preferences/apikeys/{key_id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 200 and "is revoked" in revoked.get_data(as_text=True)
    assert _sql(served, "SELECT count(*) FROM res_users_apikeys WHERE user_id = %s", uid) == [(0,)]


def _enable_totp(served: Any, client: Any, password: str) -> str:
    page = client.get("/web/preferences/totp").get_data(as_text=True)
    secret = re.search(r'name="secret" value="([A-Z0-9]+)"', page).group(1)
    assert "<svg" in page  # the QR code
    token = csrf_of(page)
    wrong_code = client.post(
        "/web/preferences/totp/enable",
        data={"csrf_token": token, "secret": secret, "code": "000000", "password": password},
    )
    if totp.current_code(secret) != "000000":
        assert wrong_code.status_code == 422
        assert "The code is not right" in wrong_code.get_data(as_text=True)
    enabled = client.post(
        "/web/preferences/totp/enable",
        data={
            "csrf_token": token,
            "secret": secret,
            "code": totp.current_code(secret),
            "password": password,
        },
    )
    assert enabled.status_code == 200, enabled.get_data(as_text=True)[:2000]
    assert "Two-factor authentication is enabled." in enabled.get_data(as_text=True)
    return token


def test_set_up_and_disable_two_factor_authentication(served: Any) -> None:
    uid = _make_user(served, "tess")
    client = served.client("tess")
    page = client.get("/web/preferences/totp").get_data(as_text=True)
    token = csrf_of(page)
    secret = re.search(r'name="secret" value="([A-Z0-9]+)"', page).group(1)
    bad_password = client.post(
        "/web/preferences/totp/enable",
        data={
            "csrf_token": token,
            "secret": secret,
            "code": totp.current_code(secret),
            "password": "wrong",
        },
    )
    assert bad_password.status_code == 403
    assert _sql(served, "SELECT totp_secret FROM res_users WHERE id = %s", uid) == [(None,)]
    token = _enable_totp(served, client, "tess")
    assert _sql(served, "SELECT totp_secret IS NOT NULL FROM res_users WHERE id = %s", uid) == [
        (True,)
    ]
    # the session stays logged in (its token follows the secret)
    still = client.get("/web/preferences")
    assert still.status_code == 200 and "is <strong>enabled</strong>" in still.get_data(
        as_text=True
    )
    refused = client.post(
        "/web/preferences/totp/disable", data={"csrf_token": token, "password": "nope"}
    )
    assert refused.status_code == 403
    disabled = client.post(
        "/web/preferences/totp/disable", data={"csrf_token": token, "password": "tess"}
    )
    assert disabled.status_code == 200
    assert _sql(served, "SELECT totp_secret FROM res_users WHERE id = %s", uid) == [(None,)]
    assert client.get("/web/preferences").status_code == 200


def test_an_administrator_disables_a_users_second_factor_after_the_identity_check(
    served: Any,
) -> None:
    uid = _make_user(served, "tom")
    _make_user(served, "ada", "base.group_system")
    _enable_totp(served, served.client("tom"), "tom")
    admin = served.client("ada")
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        action = env.ref("base.action_res_users").id
    form = admin.get(f"/web/action/{action}/form/{uid}").get_data(as_text=True)
    assert 'value="action_totp_disable"' in form
    token = csrf_of(form)
    clicked = admin.post(
        f"/web/action/{action}/form/{uid}",
        data={"csrf_token": token, "button": "action_totp_disable"},
    )
    assert (
        clicked.status_code == 303
        and "/identity?button=action_totp_disable" in clicked.headers["Location"]
    )
    identity_url = clicked.headers["Location"]
    assert "needs your password again" in admin.get(identity_url).get_data(as_text=True)
    wrong = admin.post(identity_url, data={"csrf_token": token, "password": "tom"})
    assert wrong.status_code == 403
    assert _sql(served, "SELECT totp_secret IS NOT NULL FROM res_users WHERE id = %s", uid) == [
        (True,)
    ]
    done = admin.post(identity_url, data={"csrf_token": token, "password": "ada"})
    assert done.status_code == 303
    assert _sql(served, "SELECT totp_secret FROM res_users WHERE id = %s", uid) == [(None,)]
    # a button that does not check identity has no such page
    assert admin.get(f"/web/action/{action}/form/{uid}/identity?button=unlink").status_code == 404


def test_every_new_post_needs_the_csrf_token(served: Any) -> None:
    client = served.client("max")
    action, order = served.ids["action"], served.ids["big"]
    posts = [
        f"/web/action/{action}/form/{order}/onchange",
        f"/web/action/{action}/form/new/onchange",
        f"/web/action/{action}/records/archive",
        f"/web/action/{action}/records/delete",
        f"/web/action/{action}/records/write",
        f"/web/action/{action}/records/duplicate",
        f"/web/action/{action}/records/server",
        f"/web/action/{action}/favorites",
        f"/web/action/{action}/favorites/1/delete",
        f"/web/action/{action}/form/{order}/identity",
        "/web/preferences/totp/enable",
        "/web/preferences/totp/disable",
        "/web/preferences/apikeys",
        "/web/preferences/apikeys/1/revoke",
    ]
    for url in posts:
        response = client.post(url, data={"ids": str(order), "password": "max"})
        assert response.status_code == 400, url
    with served.env().cursor() as cr:
        cr.execute("SELECT count(*) FROM sale_order WHERE id = %s", [order])
        assert cr.fetchone() == (1,)


def test_preferences_write_only_the_self_writeable_fields(served: Any) -> None:
    """The preferences form writes as the user (``res.users``' SELF_WRITEABLE_FIELDS), never
    through the superuser record ``env.user``: a post naming any other field of users (the
    login, the groups, the active flag) is refused and changes nothing."""
    uid = _make_user(served, "pref")
    client = served.client("pref")
    token = csrf_of(client.get("/web/preferences").get_data(as_text=True))
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        system = env.ref("base.group_system").id
    base = {"csrf_token": token, "name": "Pref", "email": "pref@example.com", "tz": "UTC"}
    for extra in ({"login": "admin2"}, {"groups_id": str(system)}, {"active": ""}):
        refused = client.post("/web/preferences", data={**base, **extra, "name": "Changed"})
        assert refused.status_code == 403, extra
        assert "cannot be changed on this page" in refused.get_data(as_text=True)
    assert _sql(served, "SELECT login, active FROM res_users WHERE id = %s", uid) == [
        ("pref", True)
    ]
    assert _sql(
        served, "SELECT count(*) FROM res_groups_users_rel WHERE uid = %s AND gid = %s", uid, system
    ) == [(0,)]
    saved = client.post("/web/preferences", data=base)
    assert saved.status_code == 200 and "Your preferences are saved." in saved.get_data(
        as_text=True
    )
    assert _sql(
        served,
        "SELECT p.name, p.email, p.tz FROM res_users u JOIN res_partner p ON p.id = u.partner_id "
        "WHERE u.id = %s",
        uid,
    ) == [("Pref", "pref@example.com", "UTC")]
