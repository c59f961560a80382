"""search_read's many2one values: ``(id, display name)``, names joined in the search query."""

from __future__ import annotations

from typing import Any

from erplite.sql import count_queries


def test_search_read_joins_the_names_in_one_statement(env: Any) -> None:
    partner = env["test_orm.comp.partner"].create({"name": "Joined Name"})
    env["test_orm.comp.order"].create({"name": "DN1", "partner_id": partner.id})
    env.flush_all()
    env.invalidate_all()
    with count_queries() as queries:
        rows = env["test_orm.comp.order"].search_read([("name", "=", "DN1")], ["partner_id"])
    assert rows == [{"id": rows[0]["id"], "partner_id": (partner.id, "Joined Name")}]
    assert len(queries) == 1


def test_a_name_written_but_not_flushed_is_the_one_read(env: Any) -> None:
    partner = env["test_orm.comp.partner"].create({"name": "Old Name"})
    env["test_orm.comp.order"].create({"name": "DN2", "partner_id": partner.id})
    env.flush_all()
    env.invalidate_all()
    partner.name = "New Name"  # pending in the cache; the search's join reads the old one
    rows = env["test_orm.comp.order"].search_read([("name", "=", "DN2")], ["partner_id"])
    assert rows[0]["partner_id"] == (partner.id, "New Name")
    assert partner.display_name == "New Name"


def test_a_partner_without_name_reads_false_as_label(env: Any) -> None:
    partner = env["test_orm.comp.partner"].create({"name": False})
    env["test_orm.comp.order"].create({"name": "DN3", "partner_id": partner.id})
    env.flush_all()
    env.invalidate_all()
    rows = env["test_orm.comp.order"].search_read([("name", "=", "DN3")], ["partner_id"])
    assert rows[0]["partner_id"] == (partner.id, partner.display_name)
    assert partner.display_name is False
