"""Order numbers: SO/<year of the order date>/<5 digits>, taken from ir.sequence at create."""

from __future__ import annotations

import datetime
import re

NUMBER = re.compile(r"^SO/(\d{4})/(\d{5})$")


def test_orders_are_numbered_in_sequence(make_order):
    first, second = make_order(), make_order()
    year = str(datetime.date.today().year)
    match1, match2 = NUMBER.match(first.name), NUMBER.match(second.name)
    assert match1 and match2, (first.name, second.name)
    assert match1.group(1) == match2.group(1) == year
    assert int(match2.group(2)) == int(match1.group(2)) + 1


def test_the_year_is_the_order_date_and_numbering_restarts_each_year(make_order):
    order = make_order(date_order="2019-06-30 10:00:00")
    assert order.name == "SO/2019/00001"
    assert make_order(date_order="2019-12-31 23:00:00").name == "SO/2019/00002"
    assert make_order(date_order="2018-01-01 08:00:00").name == "SO/2018/00001"


def test_several_orders_in_one_create_get_distinct_numbers(env, customer):
    orders = env["sale.order"].create([{"partner_id": customer.id} for _ in range(3)])
    numbers = [int(NUMBER.match(name).group(2)) for name in orders.mapped("name")]
    assert numbers == list(range(numbers[0], numbers[0] + 3))


def test_a_given_name_is_kept(make_order):
    assert make_order(name="IMPORTED-42").name == "IMPORTED-42"


def test_a_copy_gets_a_new_number_and_the_same_lines(make_order):
    order = make_order(quantity=3)
    order.order_line.write({"price_unit": 80.0, "name": "Desk, special price"})
    copy = order.copy()
    assert copy.name != order.name and NUMBER.match(copy.name)
    assert copy.state == "draft"
    assert not copy.history_ids
    line = copy.order_line
    assert (line.product_uom_qty, line.price_unit, line.name) == (3, 80.0, "Desk, special price")
    assert line.tax_id == order.order_line.tax_id
    assert copy.amount_total == order.amount_total == 264.0


def test_the_sequence_is_data_of_the_module(env):
    sequence = env.ref("orders.seq_sale_order")
    assert (sequence.code, sequence.prefix, sequence.padding) == (
        "sale.order",
        "SO/%(range_year)s/",
        5,
    )
