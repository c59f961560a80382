"""Where a limited ``search_read`` takes the display names of a many2one from, by the shape of
its search (S3 of the benchmark: a condition on the comodel, ordered by a column, limited)."""

from __future__ import annotations

from typing import Any

from erplite.sql import count_queries


def test_a_condition_on_the_comodel_brings_the_names_through_its_join(env: Any) -> None:
    """The condition joins the comodel already: its names come from that join (no scalar
    subquery per kept row), one statement, the values of a search without the limit."""
    Order = env["test_orm.comp.order"]
    partners = env["test_orm.comp.partner"].create(
        [{"name": "Shape Ann"}, {"name": "Shape Bob"}, {"name": "Other"}]
    )
    Order.create(
        [{"name": f"SH{i}", "partner_id": partners[i % 3].id, "discount": i} for i in range(9)]
    )
    env.flush_all()
    env.invalidate_all()
    domain = [("partner_id.name", "ilike", "shape"), ("discount", ">", 1)]
    with count_queries() as queries:
        rows = Order.search_read(domain, ["name", "partner_id"], order="discount desc", limit=3)
    assert len(queries) == 1
    text = str(queries[0])
    assert "LEFT JOIN" in text and "(SELECT" not in text
    assert [(row["name"], row["partner_id"][1]) for row in rows] == [
        ("SH7", "Shape Bob"),
        ("SH6", "Shape Ann"),
        ("SH4", "Shape Bob"),
    ]
    env.invalidate_all()
    assert Order.search_read(domain, ["name", "partner_id"], order="discount desc")[:3] == rows
