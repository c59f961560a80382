"""_read_group without a limit groups first and then orders the groups (a materialized WITH,
ordered by the positions of its columns): the same groups, in the same order, as the plain
statement a limit keeps, in one statement."""

from __future__ import annotations

import re
from typing import Any

import pytest

from erplite.sql import count_queries

FIELDS = "test_orm.fields"


@pytest.fixture
def records(env: Any) -> Any:
    targets = env["test_orm.target"].create([{"name": "Zed"}, {"name": "Abe"}])
    values = []
    for index in range(24):
        values.append(
            {
                "name": f"sorted {index % 3}",
                "count": index,
                "state": ("draft", "done")[index % 2],
                "target_id": targets[index % 2].id if index % 5 else False,
                "day": f"2024-{index % 6 + 1:02d}-{index % 27 + 1:02d}",
            }
        )
    return env[FIELDS].create(values)


def _grouped(env: Any, limit: int | None, *args: Any, **kwargs: Any) -> tuple[list[Any], str]:
    with count_queries() as statements:
        groups = env[FIELDS]._read_group(*args, limit=limit, **kwargs)
    assert len(statements) == 1
    text = (
        statements[0].as_string(None) if hasattr(statements[0], "as_string") else str(statements[0])
    )
    return groups, text


@pytest.mark.parametrize(
    ("groupby", "aggregates", "order"),
    [
        (["state", "day:month"], ["count:sum"], None),
        (["state", "day:month"], ["count:sum"], "day:month desc, state"),
        (["name"], ["count:sum", "count:max"], "count:sum desc, name"),
        (["day:month"], ["count:min"], "day:month desc nulls first"),
        (["target_id.name", "state"], ["__count"], None),
    ],
)
def test_groups_ordered_after_grouping_are_those_of_the_plain_statement(
    env: Any, records: Any, groupby: list[str], aggregates: list[str], order: str | None
) -> None:
    domain = [("id", "in", records.ids)]
    grouped, text = _grouped(env, None, domain, groupby, aggregates, order=order)
    plain, plain_text = _grouped(env, 1000, domain, groupby, aggregates, order=order)
    assert "MATERIALIZED" in text
    assert re.search(r'SELECT \* FROM "groups" ORDER BY [1-9] (ASC|DESC)', text)
    assert "MATERIALIZED" not in plain_text
    assert grouped == plain
    assert len(grouped) > 1


def test_a_many2one_group_keeps_its_comodels_order(env: Any, records: Any) -> None:
    """A many2one group is ordered by its comodel's _order (the id here, though the names
    sort the other way), which is not a column of the result: the plain statement."""
    groups, text = _grouped(env, None, [("id", "in", records.ids)], ["target_id"], ["__count"])
    assert "MATERIALIZED" not in text
    assert [target.name for target, _count in groups if target] == ["Zed", "Abe"]
