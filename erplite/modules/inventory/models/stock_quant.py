"""``stock.quant``: how much of a product a location holds, and how much of it is reserved.

There is one quant per product and location (erplite has no lots, packages nor owners; a unique
constraint keeps it so). Quants change only through moves: validating a move takes its
quantity out of the source location and puts it in the destination; reserving a move raises
``reserved_quantity`` of the quants it draws on. Both go through the two batched methods of
this file, which are the only writers of ``quantity`` and ``reserved_quantity`` (protected
fields: nobody writes them directly):

- :meth:`StockQuant._update_quantities` applies changes of any number of (product, location)
  pairs in three statements: the missing quants are inserted (``ON CONFLICT DO NOTHING``), the
  quants are locked and read (``SELECT ... FOR NO KEY UPDATE``, in id order so that two
  transactions lock in one order), and all are updated by one ``UPDATE ... FROM unnest(...)``.
  An internal location that would go below zero (and does not ``allow_negative_stock``) makes it
  raise a ``UserError`` naming the product, the location and the quantities, before anything
  is written.
- :meth:`StockQuant._lock_available` locks and reads, in one statement, the quants a set of
  reservations may draw on (under each move's source location, oldest ``in_date`` first).

Why row locks are enough: a transaction that validates a delivery holds the lock of the quant
it changes until it commits. Another one that wants the same quant waits; once the first has
committed, PostgreSQL (REPEATABLE READ) aborts the waiting one with a serialization failure,
which the caller's ``retrying`` (the HTTP layer's, or the scheduler's) runs again from the
start: it then reads the new quantity and either succeeds or refuses. No validation is lost
and no quantity is computed from a stale read.

Inventory adjustments: set ``inventory_quantity`` on quants (or create a quant with it), then
``action_apply_inventory`` moves the difference from or to the inventory loss location
(``inventory.stock_location_inventory``) through done moves, as Odoo 17 does.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from erplite import api, fields, models
from erplite.exceptions import UserError
from erplite.sql import SQL

#: stock quantities are kept to this many decimals (the digits of the quantity fields)
PRECISION = 3


def float_round(value: float) -> float:
    return round(value, PRECISION)


def computed_quantity(string: str, compute: str, help: str, search: str | None = None) -> Any:
    """A quantity of product computed by method ``compute`` (``PRECISION`` digits), searchable
    through method ``search`` when given: the quantities of products and of reordering rules."""
    return fields.Float(string, digits=(16, PRECISION), compute=compute, search=search, help=help)


class StockQuant(models.Model):
    _name = "stock.quant"
    _description = "Quants"
    _order = "location_id, product_id, id"
    _rec_name = "product_id"
    _check_company_auto = True
    #: changed only by moves (see the module docstring)
    _protected_fields = ["quantity", "reserved_quantity"]

    product_id = fields.Many2one(
        "product.product",
        string="Product",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        domain=[("type", "=", "product")],
    )
    location_id = fields.Many2one(
        "stock.location",
        string="Location",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="location_id.company_id", store=True, index=True, string="Company"
    )
    quantity = fields.Float(
        "Quantity",
        digits=(16, PRECISION),
        readonly=True,
        default=0.0,
        help="The quantity of the product in the location (its sublocations have quants of "
        "their own).",
    )
    reserved_quantity = fields.Float(
        "Reserved Quantity",
        digits=(16, PRECISION),
        readonly=True,
        default=0.0,
        help="The part of the quantity reserved by transfers not yet validated.",
    )
    available_quantity = fields.Float(
        "Available Quantity",
        digits=(16, PRECISION),
        compute="_compute_available_quantity",
        help="On hand minus reserved.",
    )
    in_date = fields.Datetime("Incoming Date", readonly=True, default=fields.Datetime.now)
    inventory_quantity = fields.Float(
        "Counted Quantity",
        digits=(16, PRECISION),
        help="The quantity counted during an inventory; applied by Apply.",
    )
    inventory_quantity_set = fields.Boolean("Inventory Quantity Set", default=False)
    inventory_diff_quantity = fields.Float(
        "Difference",
        digits=(16, PRECISION),
        compute="_compute_inventory_diff_quantity",
        help="Counted minus on hand: what applying the count will move.",
    )

    _sql_constraints = [
        (
            "product_location_uniq",
            "unique(product_id, location_id)",
            "A product has one quant per location.",
        ),
    ]

    @api.depends("quantity", "reserved_quantity")
    def _compute_available_quantity(self):
        quant: Any
        for quant in self:
            quant.available_quantity = float_round(quant.quantity - quant.reserved_quantity)

    @api.depends("inventory_quantity", "inventory_quantity_set", "quantity")
    def _compute_inventory_diff_quantity(self):
        quant: Any
        for quant in self:
            if quant.inventory_quantity_set:
                quant.inventory_diff_quantity = float_round(
                    quant.inventory_quantity - quant.quantity
                )
            else:
                quant.inventory_diff_quantity = 0.0

    # ------------------------------------------------------------------------------------------
    # inventory mode: counted quantities
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        """Create quants in inventory mode: a counted quantity for a product and location. A
        pair that already has its quant gets the counted quantity written on it instead."""
        existing = self.browse()
        to_create = []
        for vals in vals_list:
            if "inventory_quantity" in vals:
                vals.setdefault("inventory_quantity_set", True)
            quant = (
                self.search(
                    [
                        ("product_id", "=", vals.get("product_id")),
                        ("location_id", "=", vals.get("location_id")),
                    ],
                    limit=1,
                )
                if vals.get("product_id") and vals.get("location_id")
                else self.browse()
            )
            if quant:
                quant.write(
                    {
                        key: value
                        for key, value in vals.items()
                        if key in ("inventory_quantity", "inventory_quantity_set")
                    }
                )
                existing |= quant
            else:
                to_create.append(vals)
        created = super().create(to_create) if to_create else self.browse()
        return existing | created

    def write(self, vals):
        if "inventory_quantity" in vals and "inventory_quantity_set" not in vals:
            vals = {**vals, "inventory_quantity_set": True}
        return super().write(vals)

    def action_set_inventory_quantity_to_zero(self):
        """Forget the counted quantities."""
        self.write({"inventory_quantity": 0.0, "inventory_quantity_set": False})
        return True

    def action_apply_inventory(self):
        """Apply the counted quantities: a done move of each difference between the quant's
        location and the inventory loss location; the count is then cleared."""
        quants = self.filtered("inventory_quantity_set")
        if not quants:
            raise UserError("Set a counted quantity on the quants to apply first.")
        quants.check_access("write")
        for quant in quants:
            if quant.location_id.usage not in ("internal", "transit"):
                raise UserError(
                    f"Inventory adjustments count internal locations only, not "
                    f"{quant.location_id.complete_name}."
                )
            if quant.inventory_quantity < 0 and quant.location_id._refuses_negative():
                raise UserError(
                    f"The counted quantity of {quant.product_id.display_name} in "
                    f"{quant.location_id.complete_name} cannot be negative "
                    f"({quant.inventory_quantity})."
                )
        loss: Any = self.env.ref("inventory.stock_location_inventory")
        move_vals = []
        for quant in quants:
            diff = float_round(quant.inventory_quantity - quant.quantity)
            if not diff:
                continue
            source, dest = (loss, quant.location_id) if diff > 0 else (quant.location_id, loss)
            move_vals.append(
                {
                    "name": "Product Quantity Updated",
                    "product_id": quant.product_id.id,
                    "product_uom_qty": abs(diff),
                    "location_id": source.id,
                    "location_dest_id": dest.id,
                    "company_id": quant.location_id.company_id.id or self.env.company.id,
                    "is_inventory": True,
                }
            )
        moves = self.env["stock.move"].sudo().create(move_vals)
        moves._action_confirm()
        moves._set_inventory_lines()
        moves._action_done()
        quants.sudo().write({"inventory_quantity": 0.0, "inventory_quantity_set": False})
        return True

    # ------------------------------------------------------------------------------------------
    # the batched writers (see the module docstring)
    # ------------------------------------------------------------------------------------------
    @api.model
    def _update_quantities(
        self, changes: list[tuple[int, int, float, float]], insert_missing: bool = True
    ) -> None:
        """Apply ``changes``, tuples ``(product_id, location_id, quantity delta, reserved
        delta)``, in three statements whatever their number (pairs may repeat: their deltas
        add up); two when ``insert_missing`` is false (the caller knows every quant exists:
        it has just locked them). Raise ``UserError`` before writing anything if an internal location that
        refuses negative stock would hold less than zero, or if more would be unreserved than
        is reserved."""
        totals: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0.0])
        for product_id, location_id, quantity, reserved in changes:
            total = totals[product_id, location_id]
            total[0] += quantity
            total[1] += reserved
        if not totals:
            return
        self.flush_model()
        cr = self.env.cr
        pairs = sorted(totals)
        products = [pair[0] for pair in pairs]
        locations = [pair[1] for pair in pairs]
        if insert_missing:
            self._insert_missing(products, locations)
        cr.execute(
            SQL(
                "SELECT q.id, q.product_id, q.location_id, q.quantity::float8, "
                "q.reserved_quantity::float8, l.usage, l.allow_negative_stock "
                "FROM stock_quant q JOIN stock_location l ON l.id = q.location_id "
                "WHERE (q.product_id, q.location_id) IN "
                "(SELECT * FROM unnest(%s::int4[], %s::int4[])) "
                "ORDER BY q.id FOR NO KEY UPDATE OF q",
                products,
                locations,
            )
        )
        rows = cr.fetchall()
        new_values = []
        refusals = []
        for quant_id, product_id, location_id, quantity, reserved, usage, negative_ok in rows:
            delta, reserved_delta = totals[product_id, location_id]
            new_quantity = float_round(quantity + delta)
            new_reserved = float_round(reserved + reserved_delta)
            if delta < 0 and new_quantity < 0 and usage == "internal" and not negative_ok:
                refusals.append((product_id, location_id, -delta, quantity, "on hand"))
            if new_reserved < 0:
                refusals.append((product_id, location_id, -reserved_delta, reserved, "reserved"))
            new_values.append((quant_id, new_quantity, new_reserved))
        if refusals:
            raise UserError(self._refusal_message(refusals))
        self._write_quantities(new_values)

    def _insert_missing(self, products: list[int], locations: list[int]) -> None:
        """Insert an empty quant for each pair (``products[i]``, ``locations[i]``) that has
        none: one statement. A pair inserted meanwhile by a concurrent transaction makes
        PostgreSQL raise a serialization failure (the caller's transaction is retried)."""
        cr = self.env.cr
        cr.execute(
            SQL(
                "INSERT INTO stock_quant (product_id, location_id, company_id, quantity, "
                "reserved_quantity, inventory_quantity, inventory_quantity_set, in_date, "
                "create_uid, create_date, write_uid, write_date) "
                "SELECT u.product_id, u.location_id, l.company_id, 0, 0, 0, false, "
                "now() AT TIME ZONE 'UTC', %s, now() AT TIME ZONE 'UTC', %s, "
                "now() AT TIME ZONE 'UTC' "
                "FROM unnest(%s::int4[], %s::int4[]) AS u(product_id, location_id) "
                "JOIN stock_location l ON l.id = u.location_id "
                "ON CONFLICT (product_id, location_id) DO NOTHING",
                self.env.uid,
                self.env.uid,
                products,
                locations,
            )
        )

    @api.model
    def _lock_available(self, requests: list[tuple[int, int]]) -> list[tuple]:
        """Lock and return the quants that reservations of ``requests``, pairs ``(product_id,
        source location_id)``, may draw on: those of the product in the source location or
        below it, internal, with something available; oldest ``in_date`` first. Each row is
        ``(quant id, product id, location id, quantity, reserved quantity, source id)``. One
        statement."""
        if not requests:
            return []
        self.flush_model()
        pairs = sorted(set(requests))
        sources = self.env["stock.location"].browse(sorted({pair[1] for pair in pairs}))
        paths = {location.id: location.parent_path for location in sources}
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT q.id, q.product_id, q.location_id, q.quantity::float8, "
                "q.reserved_quantity::float8, r.source_id "
                "FROM unnest(%s::int4[], %s::int4[], %s::text[]) "
                "AS r(product_id, source_id, source_path) "
                "JOIN stock_quant q ON q.product_id = r.product_id "
                "JOIN stock_location l ON l.id = q.location_id "
                "AND l.parent_path LIKE r.source_path || '%%' "
                "WHERE l.usage IN ('internal', 'transit') AND q.quantity > q.reserved_quantity "
                "ORDER BY q.in_date, q.id FOR NO KEY UPDATE OF q",
                [pair[0] for pair in pairs],
                [pair[1] for pair in pairs],
                [paths[pair[1]] for pair in pairs],
            )
        )
        return cr.fetchall()

    @api.model
    def _write_quantities(self, values: list[tuple[int, float, float]]) -> None:
        """Write ``(quant id, quantity, reserved quantity)`` rows of locked quants: one
        statement; the cached quantities of quants and products are forgotten."""
        if not values:
            return
        self.env.cr.execute(
            SQL(
                "UPDATE stock_quant q SET quantity = v.quantity, "
                "reserved_quantity = v.reserved, write_uid = %s, "
                "write_date = now() AT TIME ZONE 'UTC' "
                "FROM unnest(%s::int4[], %s::float8[], %s::float8[]) AS v(id, quantity, reserved) "
                "WHERE q.id = v.id",
                self.env.uid,
                [row[0] for row in values],
                [row[1] for row in values],
                [row[2] for row in values],
            )
        )
        self.invalidate_model(
            [
                "quantity",
                "reserved_quantity",
                "available_quantity",
                "inventory_diff_quantity",
                "write_uid",
                "write_date",
            ],
            flush=False,
        )
        self.env["product.product"]._invalidate_quantities()

    def _refusal_message(self, refusals: list[tuple]) -> str:
        products = self.env["product.product"].browse({row[0] for row in refusals})
        locations = self.env["stock.location"].browse({row[1] for row in refusals})
        names = {p.id: p.display_name for p in products.sudo()}
        places = {loc.id: loc.complete_name for loc in locations.sudo()}
        lines = []
        for product_id, location_id, wanted, held, kind in refusals:
            if kind == "on hand":
                lines.append(
                    f"Not enough {names[product_id]} in {places[location_id]}: "
                    f"{wanted:g} needed, {held:g} on hand."
                )
            else:
                lines.append(
                    f"Cannot unreserve {wanted:g} {names[product_id]} in "
                    f"{places[location_id]}: only {held:g} reserved."
                )
        return "\n".join(lines)
