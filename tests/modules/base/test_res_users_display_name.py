"""A user displays as its partner's name: ``res.users`` delegates ``name`` to ``res.partner``
(``_inherits``), and, as in Odoo 17, a delegated ``name`` is the record name."""

from __future__ import annotations

from typing import Any


def test_users_display_their_delegated_name(env: Any, internal_user: Any) -> None:
    assert type(env["res.users"])._rec_name == "name"
    assert internal_user.display_name == "Ines Internal"
    assert internal_user.name_get() == [(internal_user.id, "Ines Internal")]
    assert internal_user.read(["display_name"]) == [
        {"id": internal_user.id, "display_name": "Ines Internal"}
    ]


def test_many2one_to_a_user_reads_the_users_name(env: Any, internal_user: Any) -> None:
    partner = env["res.partner"].with_user(internal_user).create({"name": "Made by Ines"})
    env.flush_all()
    env.invalidate_all()
    [row] = partner.read(["create_uid"])
    assert row["create_uid"] == (internal_user.id, "Ines Internal")
    [row] = env["res.partner"].search_read([("id", "=", partner.id)], ["create_uid"])
    assert row["create_uid"] == (internal_user.id, "Ines Internal")


def test_user_name_search_finds_the_delegated_name(env: Any, internal_user: Any) -> None:
    found = env["res.users"].name_search("Ines Intern")
    assert (internal_user.id, "Ines Internal") in found
    assert env["res.users"].search([("display_name", "ilike", "ines internal")]) == internal_user


def test_renaming_the_partner_renames_the_user(env: Any, internal_user: Any) -> None:
    assert internal_user.display_name == "Ines Internal"
    internal_user.partner_id.name = "Ines Renamed"
    assert internal_user.display_name == "Ines Renamed"
