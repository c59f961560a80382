"""A product's stock: on hand, incoming, outgoing and forecast, per location or warehouse.

As in Odoo 17, the quantities are computed (not stored) for the locations the context names:

- ``location``: a location id (or a list of ids): that location and those below it;
- ``warehouse``: a warehouse id (or a list): the locations of those warehouses;
- neither: every internal location of the allowed companies.

``qty_available`` is the quants' quantity there; ``incoming_qty`` / ``outgoing_qty`` the demand
of the moves not done nor cancelled (nor draft) that enter / leave those locations;
``virtual_available`` (the forecast) is on hand + incoming - outgoing; ``free_qty`` is on hand
minus reserved. Each is searchable (``[("qty_available", ">", 0)]``). Computing them for any
number of products costs four statements.
"""

from __future__ import annotations

import operator as py_operator
from typing import Any

from erplite import api, fields, models
from erplite.exceptions import UserError

from .stock_quant import computed_quantity, float_round

OPERATORS = {
    "<": py_operator.lt,
    ">": py_operator.gt,
    "<=": py_operator.le,
    ">=": py_operator.ge,
    "=": py_operator.eq,
    "!=": py_operator.ne,
}

QUANTITY_FIELDS = ("qty_available", "virtual_available", "incoming_qty", "outgoing_qty", "free_qty")

OPEN_MOVE_STATES = ("waiting", "confirmed", "partially_available", "assigned")


class ProductProduct(models.Model):
    _inherit = "product.product"

    qty_available = computed_quantity(
        "Quantity On Hand",
        "_compute_quantities",
        "In the context's location or warehouse (and below), else in every internal location.",
        search="_search_qty_available",
    )
    virtual_available = computed_quantity(
        "Forecasted Quantity",
        "_compute_quantities",
        "On hand + incoming - outgoing.",
        search="_search_virtual_available",
    )
    free_qty = computed_quantity(
        "Free To Use Quantity",
        "_compute_quantities",
        "On hand minus reserved.",
        search="_search_free_qty",
    )
    incoming_qty = computed_quantity(
        "Incoming",
        "_compute_quantities",
        "Awaited by moves not yet done.",
        search="_search_incoming_qty",
    )
    outgoing_qty = computed_quantity(
        "Outgoing",
        "_compute_quantities",
        "Leaving by moves not yet done.",
        search="_search_outgoing_qty",
    )
    stock_quant_ids = fields.One2many("stock.quant", "product_id")
    stock_move_ids = fields.One2many("stock.move", "product_id")

    @api.depends_context("location", "warehouse", "allowed_company_ids")
    def _compute_quantities(self):
        quantities = self._quantities()
        product: Any
        for product in self:
            values = quantities.get(product.id, {})
            for name in QUANTITY_FIELDS:
                product[name] = values.get(name, 0.0)

    def _invalidate_quantities(self) -> None:
        """Forget the computed quantities (the quants or moves changed)."""
        self.env["product.product"].invalidate_model(list(QUANTITY_FIELDS), flush=False)

    def _get_domain_locations(self):
        """The internal locations the context designates (see the module docstring)."""
        Location = self.env["stock.location"].sudo()
        context = self.env.context
        roots = Location.browse()
        if context.get("location"):
            roots = Location.browse(_ids(context["location"], "location"))
        elif context.get("warehouse"):
            warehouses = (
                self.env["stock.warehouse"].sudo().browse(_ids(context["warehouse"], "warehouse"))
            )
            roots = warehouses.view_location_id
        domain: list[Any] = [("usage", "in", ("internal", "transit"))]
        if roots:
            domain.append(("id", "child_of", roots.ids))
        else:
            domain.append(("company_id", "in", self.env.companies.ids))
        return Location.search(domain)

    def _quantities(self) -> dict[int, dict[str, float]]:
        """``{product id: {field: quantity}}`` for the products of ``self``."""
        ids = [product_id for product_id in self.ids if isinstance(product_id, int)]
        if not ids:
            return {}
        locations = self._get_domain_locations().ids
        Quant = self.env["stock.quant"].sudo()
        Move = self.env["stock.move"].sudo()
        on_hand = {
            product.id: (quantity, reserved)
            for product, quantity, reserved in Quant._read_group(
                [("product_id", "in", ids), ("location_id", "in", locations)],
                ["product_id"],
                ["quantity:sum", "reserved_quantity:sum"],
            )
        }
        moves = [("product_id", "in", ids), ("state", "in", OPEN_MOVE_STATES)]
        incoming = dict(
            (product.id, quantity)
            for product, quantity in Move._read_group(
                [
                    *moves,
                    ("location_dest_id", "in", locations),
                    ("location_id", "not in", locations),
                ],
                ["product_id"],
                ["product_uom_qty:sum"],
            )
        )
        outgoing = dict(
            (product.id, quantity)
            for product, quantity in Move._read_group(
                [
                    *moves,
                    ("location_id", "in", locations),
                    ("location_dest_id", "not in", locations),
                ],
                ["product_id"],
                ["product_uom_qty:sum"],
            )
        )
        result = {}
        for product_id in ids:
            quantity, reserved = on_hand.get(product_id, (0.0, 0.0))
            quantity, reserved = quantity or 0.0, reserved or 0.0
            incoming_qty = incoming.get(product_id) or 0.0
            outgoing_qty = outgoing.get(product_id) or 0.0
            result[product_id] = {
                "qty_available": float_round(quantity),
                "free_qty": float_round(quantity - reserved),
                "incoming_qty": float_round(incoming_qty),
                "outgoing_qty": float_round(outgoing_qty),
                "virtual_available": float_round(quantity + incoming_qty - outgoing_qty),
            }
        return result

    def _search_quantity(self, field_name: str, operator: str, value):
        if operator not in OPERATORS:
            raise UserError(f"Searching {field_name} with {operator!r} is not supported.")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UserError(f"Searching {field_name} needs a number, not {value!r}.")
        products = self.search([("type", "=", "product")])
        quantities = products._quantities()
        compare = OPERATORS[operator]
        ids = [
            product_id
            for product_id, values in quantities.items()
            if compare(values[field_name], value)
        ]
        return [("id", "in", ids)]

    def _search_qty_available(self, operator, value):
        return self._search_quantity("qty_available", operator, value)

    def _search_virtual_available(self, operator, value):
        return self._search_quantity("virtual_available", operator, value)

    def _search_free_qty(self, operator, value):
        return self._search_quantity("free_qty", operator, value)

    def _search_incoming_qty(self, operator, value):
        return self._search_quantity("incoming_qty", operator, value)

    def _search_outgoing_qty(self, operator, value):
        return self._search_quantity("outgoing_qty", operator, value)


def _ids(value, key: str) -> list[int]:
    """Ids from a context value: an id or a list of ids."""
    values = value if isinstance(value, list | tuple) else [value]
    for item in values:
        if isinstance(item, bool) or not isinstance(item, int):
            raise UserError(f"The context key {key!r} takes record ids, not {item!r}.")
    return list(values)
