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


def test_a_limited_search_reads_the_names_of_the_kept_rows_only(env: Any) -> None:
    """Limited, the names come from a scalar subquery (evaluated for the kept rows, after the
    sort and the limit) instead of a join of every row; the values are those of the join."""
    Order = env["test_orm.comp.order"]
    partners = env["test_orm.comp.partner"].create([{"name": f"Kept {i}"} for i in range(3)])
    Order.create(
        [
            {"name": f"DNL{i}", "partner_id": partners[i % 3].id if i % 4 else False}
            for i in range(8)
        ]
    )
    env.flush_all()
    env.invalidate_all()
    domain = [("name", "=like", "DNL%")]
    with count_queries() as queries:
        limited = Order.search_read(domain, ["name", "partner_id"], order="name desc", limit=5)
    assert len(queries) == 1
    assert "LEFT JOIN" not in str(queries[0]) and "(SELECT" in str(queries[0])
    env.invalidate_all()
    with count_queries() as queries:
        joined = Order.search_read(domain, ["name", "partner_id"], order="name desc")
    assert "LEFT JOIN" in str(queries[0])  # no limit: every row is kept, a join it is
    assert limited == joined[:5]
    assert [row["partner_id"] for row in limited] == [
        (partners[1].id, "Kept 1"),
        (partners[0].id, "Kept 0"),
        (partners[2].id, "Kept 2"),
        False,
        (partners[0].id, "Kept 0"),
    ]


def test_a_limited_search_ordered_by_the_many2one_takes_the_names_from_its_join(env: Any) -> None:
    Order = env["test_orm.comp.order"]
    partners = env["test_orm.comp.partner"].create([{"name": "Zed"}, {"name": "Abe"}])
    Order.create([{"name": "DNO1", "partner_id": partners[0].id}])
    Order.create([{"name": "DNO2", "partner_id": partners[1].id}])
    env.flush_all()
    env.invalidate_all()
    with count_queries() as queries:
        rows = Order.search_read(
            [("name", "=like", "DNO%")], ["partner_id"], order="partner_id.name", limit=2
        )
    assert len(queries) == 1 and "(SELECT" not in str(queries[0])
    assert "LEFT JOIN" in str(queries[0])  # the order's join brings the names too
    assert [row["partner_id"] for row in rows] == [(partners[1].id, "Abe"), (partners[0].id, "Zed")]
