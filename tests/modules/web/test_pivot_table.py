"""ui/pivot.py: graph/pivot archs, and the pivot table built from read_group answers (row
levels under their parents, a cell per column, totals from the database's own groups)."""

from __future__ import annotations

from typing import Any

FIELDS = {
    "user_id": {"type": "many2one", "string": "Salesperson", "store": True},
    "state": {
        "type": "selection",
        "string": "Status",
        "store": True,
        "selection": [("draft", "Quotation"), ("sale", "Sales Order")],
    },
    "date_order": {"type": "datetime", "string": "Order Date", "store": True},
    "amount_total": {"type": "monetary", "string": "Total", "store": True},
    "note": {"type": "text", "string": "Note", "store": True},
}

SALLY, SAM = (1, "Sally"), (2, "Sam")


def _group(count: int, amount: float, **values: Any) -> dict[str, Any]:
    domain: list = [("company_id", "=", 1)]  # the search's domain starts every __domain
    for spec, value in values.items():
        key = value[0] if isinstance(value, tuple) else value
        domain.append((spec.partition(":")[0], "=", key))
    return {**values, "__count": count, "amount_total": amount, "__domain": domain}


def _read_group(answers: dict[tuple, list[dict[str, Any]]], calls: list) -> Any:
    def read_group(groupby: list[str]) -> list[dict[str, Any]]:
        calls.append(tuple(groupby))
        return answers[tuple(groupby)]

    return read_group


ANSWERS = {
    (): [_group(5, 500.0)],
    ("state",): [_group(3, 100.0, state="draft"), _group(2, 400.0, state="sale")],
    ("user_id",): [_group(4, 450.0, user_id=SALLY), _group(1, 50.0, user_id=SAM)],
    ("user_id", "state"): [
        _group(2, 50.0, user_id=SALLY, state="draft"),
        _group(2, 400.0, user_id=SALLY, state="sale"),
        _group(1, 50.0, user_id=SAM, state="draft"),
    ],
    ("user_id", "date_order:month"): [
        _group(3, 150.0, user_id=SALLY, **{"date_order:month": "March 2026"}),
        _group(1, 300.0, user_id=SALLY, **{"date_order:month": False}),
        _group(1, 50.0, user_id=SAM, **{"date_order:month": "March 2026"}),
    ],
    ("user_id", "date_order:month", "state"): [
        _group(2, 50.0, user_id=SALLY, state="draft", **{"date_order:month": "March 2026"}),
    ],
}


def test_arch_rows_columns_measures(web_ui: Any) -> None:
    pivot = web_ui("pivot")
    spec = pivot.ChartSpec.from_arch(
        """<pivot string="Sales">
            <field name="user_id" type="row"/>
            <field name="date_order" interval="week" type="col"/>
            <field name="amount_total" type="measure"/>
            <field name="note" type="measure"/>
            <field name="secret" type="row"/>
        </pivot>""",
        FIELDS,
    )
    assert (spec.chart_type, spec.rows, spec.cols) == ("bar", ["user_id"], ["date_order:week"])
    assert spec.measures == ["amount_total"]  # a text is no measure, an unknown field dropped
    graph = pivot.ChartSpec.from_arch(
        '<graph type="pie"><field name="date_order"/><field name="state" type="col"/></graph>',
        FIELDS,
    )
    assert (graph.chart_type, graph.rows, graph.cols) == ("pie", ["date_order:month"], ["state"])
    assert pivot.ChartSpec.from_arch('<graph type="radar"/>', FIELDS).chart_type == "bar"
    assert pivot.measure_choices(FIELDS) == [("__count", "Count"), ("amount_total", "Total")]


def test_rows_by_columns_with_totals_and_cell_domains(web_ui: Any) -> None:
    pivot = web_ui("pivot")
    calls: list = []
    table = pivot.build_pivot(
        _read_group(ANSWERS, calls),
        ["user_id"],
        ["state"],
        ["__count", "amount_total"],
        FIELDS,
        base_length=1,
    )
    assert [h.labels for h in table.columns] == [("Quotation",), ("Sales Order",)]
    assert [h.total.values for h in table.columns] == [[3, 100.0], [2, 400.0]]
    assert [(r.level, r.label, r.total.values) for r in table.rows] == [
        (0, "Sally", [4, 450.0]),
        (0, "Sam", [1, 50.0]),
    ]
    sally, sam = table.rows
    assert [c.values for c in sally.cells] == [[2, 50.0], [2, 400.0]]
    assert sam.cells[1] is None  # no order of Sam is confirmed: an empty cell
    assert sally.cells[1].domain == [("user_id", "=", 1), ("state", "=", "sale")]
    assert sally.total.domain == [("user_id", "=", 1)]
    assert table.grand_total.values == [5, 500.0] and table.grand_total.domain == []
    assert sorted(calls) == [(), ("state",), ("user_id",), ("user_id", "state")]


def test_expanded_rows_sit_under_their_parent(web_ui: Any) -> None:
    pivot = web_ui("pivot")
    answers = {
        **ANSWERS,
        ("date_order:month",): [],
    }
    calls: list = []
    table = pivot.build_pivot(
        _read_group(answers, calls), ["user_id", "date_order:month"], [], ["amount_total"], FIELDS
    )
    assert [(r.level, r.label, r.total.values) for r in table.rows] == [
        (0, "Sally", [450.0]),
        (1, "March 2026", [150.0]),
        (1, "None", [300.0]),  # the orders without a date, named as Odoo does
        (0, "Sam", [50.0]),
        (1, "March 2026", [50.0]),
    ]
    assert table.columns == [] and all(r.cells == [] for r in table.rows)
    assert sorted(calls) == [(), ("user_id",), ("user_id", "date_order:month")]


def test_group_labels(web_ui: Any) -> None:
    pivot = web_ui("pivot")
    assert pivot.group_label("state", "sale", FIELDS) == "Sales Order"
    assert pivot.group_label("user_id", (3, "Mike"), FIELDS) == "Mike"
    assert pivot.group_label("user_id", False, FIELDS) == "None"
    assert pivot.group_key((3, "Mike")) == 3 and pivot.group_key("draft") == "draft"


def test_a_url_domain_is_a_list_of_leaves_or_nothing(web_ui: Any) -> None:
    search = web_ui("search")
    assert search.url_domain('["&", ["user_id", "=", 3], ["state", "=", "sale"]]') == [
        "&",
        ("user_id", "=", 3),
        ("state", "=", "sale"),
    ]
    for bad in ("", "{}", "[1]", '[["a", "="]]', "not json", '"x"', "[" * 5000):
        assert search.url_domain(bad) is None, bad
