"""``stock.move``: a quantity of a product going from one location to another.

A move's life, as in Odoo 17 (its ``state`` changes only through these methods)::

    draft ──_action_confirm──► confirmed ──_action_assign──► partially_available / assigned
      │                            ▲                                   │
      │                            └──────────_do_unreserve────────────┤
      └──────────────_action_cancel (any state but done)──► cancel     └──_action_done──► done

- ``product_uom_qty`` is the demand; ``quantity`` is what is reserved, then what is done: it is
  the sum of the move's lines (``stock.move.line``), each drawing on one location.
- Reserving (``_action_assign``) takes the quants under the source location, oldest first, for
  storable products leaving an internal location; any other move (a receipt from a vendor, a
  consumable) is available at once for its whole demand.
- Writing ``quantity`` by hand reserves more (refused beyond what is available, unless the
  location allows negative stock) or releases the excess.
- ``_action_done`` moves the quants (batched: :meth:`stock.quant._update_quantities`) and, for a
  move done with less than its demand, splits the rest into a new move for the backorder (or
  drops it when the backorder is refused).

A done move is history: its product, quantities, locations and transfer cannot change, and it
cannot be cancelled or deleted.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from erplite import api, fields, models
from erplite.exceptions import UserError

from .stock_location import computed_location
from .stock_quant import PRECISION, float_round

MOVE_STATES = [
    ("draft", "New"),
    ("waiting", "Waiting Another Move"),
    ("confirmed", "Waiting Availability"),
    ("partially_available", "Partially Available"),
    ("assigned", "Available"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]

#: the fields of a done move that nothing may change
FROZEN_WHEN_DONE = frozenset(
    {"product_id", "product_uom_qty", "quantity", "location_id", "location_dest_id", "picking_id"}
)


class StockMove(models.Model):
    _name = "stock.move"
    _description = "Stock Move"
    _order = "sequence, id"
    _check_company_auto = True
    #: changed by the workflow's methods only (see the module docstring)
    _protected_fields = ["state"]

    name = fields.Char(
        "Description",
        compute="_compute_name",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    sequence = fields.Integer(default=10)
    date = fields.Datetime(
        "Date Scheduled",
        default=fields.Datetime.now,
        required=True,
        index=True,
        help="When the move is planned; once done, when it was done.",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    product_id = fields.Many2one(
        "product.product",
        string="Product",
        required=True,
        index=True,
        check_company=True,
        domain=[("type", "in", ("product", "consu"))],
    )
    product_type = fields.Selection(related="product_id.type", string="Product Type")
    product_uom_qty = fields.Float(
        "Demand",
        digits=(16, PRECISION),
        required=True,
        default=1.0,
        help="The quantity to move.",
    )
    quantity = fields.Float(
        "Quantity",
        digits=(16, PRECISION),
        copy=False,
        default=0.0,
        help="Reserved, then done: the sum of the move's lines.",
    )
    picked = fields.Boolean("Picked", copy=False)
    location_id = computed_location("Source Location", index=True)
    location_dest_id = computed_location("Destination Location", index=True)
    partner_id = fields.Many2one("res.partner", string="Destination Address")
    picking_id = fields.Many2one(
        "stock.picking", string="Transfer", index=True, check_company=True, ondelete="cascade"
    )
    picking_type_id = fields.Many2one(
        "stock.picking.type",
        string="Operation Type",
        check_company=True,
        compute="_compute_picking_type_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    reference = fields.Char(compute="_compute_reference", store=True, precompute=True)
    state = fields.Selection(
        MOVE_STATES,
        string="Status",
        default="draft",
        copy=False,
        index=True,
        readonly=True,
        required=True,
    )
    origin = fields.Char("Source Document")
    move_line_ids = fields.One2many("stock.move.line", "move_id", string="Operations")
    is_inventory = fields.Boolean("Inventory", help="An inventory adjustment.")
    origin_returned_move_id = fields.Many2one(
        "stock.move",
        string="Origin return move",
        copy=False,
        index=True,
        check_company=True,
        help="The move this one returns.",
    )
    returned_move_ids = fields.One2many("stock.move", "origin_returned_move_id")

    # ------------------------------------------------------------------------------------------
    # computed
    # ------------------------------------------------------------------------------------------
    @api.depends("product_id")
    def _compute_name(self):
        move: Any
        for move in self:
            move.name = move.name or move.product_id.display_name or "/"

    @api.depends("picking_id")
    def _compute_locations(self):
        move: Any
        for move in self:
            if move.picking_id:
                move.location_id = move.location_id or move.picking_id.location_id
                move.location_dest_id = move.location_dest_id or move.picking_id.location_dest_id

    @api.depends("picking_id")
    def _compute_picking_type_id(self):
        move: Any
        for move in self:
            move.picking_type_id = move.picking_type_id or move.picking_id.picking_type_id

    @api.depends("picking_id.name")
    def _compute_reference(self):
        move: Any
        for move in self:
            move.reference = move.picking_id.name if move.picking_id else move.name

    # ------------------------------------------------------------------------------------------
    # CRUD guards
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("product_uom_qty", 1.0) < 0:
                raise UserError(
                    f"The demand of a move cannot be negative ({vals['product_uom_qty']})."
                )
        quantities = []
        if not self.env.context.get("stock_move_writing_quantity"):
            # a quantity given at creation is reserved (or set) as if written afterwards
            quantities = [vals.pop("quantity", 0.0) for vals in vals_list]
        moves = super().create(vals_list)
        self.env["product.product"]._invalidate_quantities()
        for move, quantity in zip(moves, quantities):
            if quantity:
                move._set_quantity(quantity)
        return moves

    def write(self, vals):
        frozen = FROZEN_WHEN_DONE.intersection(vals)
        if frozen:
            for move in self:
                if move.state == "done":
                    raise UserError(
                        f"{move.reference or move.name} ({move.product_id.display_name}) is "
                        f"done: its {', '.join(sorted(frozen))} cannot change."
                    )
        if vals.get("product_uom_qty", 0) < 0:
            raise UserError(f"The demand of a move cannot be negative ({vals['product_uom_qty']}).")
        if {"location_id", "product_id"} & vals.keys():
            # the reservation was made for the old source and product
            changed = self.filtered(
                lambda m: (
                    m.move_line_ids
                    and m.state not in ("done", "cancel")
                    and any(
                        m[name].id != vals[name]
                        for name in ("location_id", "product_id")
                        if name in vals
                    )
                )
            )
            changed._do_unreserve()
        if "quantity" in vals and not self.env.context.get("stock_move_writing_quantity"):
            quantity = vals.pop("quantity")
            result = super().write(vals) if vals else True
            self._set_quantity(quantity)
        else:
            result = super().write(vals)
        if {"state", "product_uom_qty", "location_id", "location_dest_id"} & vals.keys():
            self.env["product.product"]._invalidate_quantities()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_if_draft_or_cancel(self):
        for move in self:
            if move.state not in ("draft", "cancel"):
                raise UserError(
                    f"You can only delete draft or cancelled moves: {move.reference or move.name}"
                    f" ({move.product_id.display_name}) is {move._state_label()}."
                )

    def _label(self) -> str:
        """The move's transfer, or the move itself, for messages."""
        return (
            self.picking_id.name
            if self.picking_id
            else f"the move of {self.product_id.display_name}"
        )

    def _state_label(self) -> str:
        return dict(MOVE_STATES)[self.state]

    def _write_state(self, vals: dict) -> None:
        """The workflow's writes (``state`` is protected; the quantities come from lines)."""
        self.sudo().with_context(stock_move_writing_quantity=True).write(vals)

    # ------------------------------------------------------------------------------------------
    # workflow
    # ------------------------------------------------------------------------------------------
    def _action_confirm(self):
        """Draft moves become confirmed (waiting for their reservation)."""
        moves = self.filtered(lambda move: move.state == "draft")
        for move in moves:
            if move.product_uom_qty <= 0:
                raise UserError(
                    f"{move.product_id.display_name}: the demand of a move to confirm must be "
                    f"positive ({move.product_uom_qty:g})."
                )
        moves._write_state({"state": "confirmed"})
        return moves

    def _bypasses_reservation(self) -> bool:
        """Whether this move is available without drawing on quants: it leaves a location
        that is not internal (a vendor, the inventory loss) or moves a consumable."""
        self.ensure_one()
        return (
            self.product_id.type != "product"
            or self.location_id.usage not in ("internal", "transit")
            or self.is_inventory
        )

    def _action_assign(self):
        """Reserve what the moves need: quants under each source location, oldest first, for
        a fixed number of statements whatever the number of moves."""
        moves = self.filtered(lambda m: m.state in ("confirmed", "waiting", "partially_available"))
        moves._reserve()

    def _reserve(self) -> None:
        """Reserve the missing quantity of each move of ``self`` (whatever its state)."""
        moves = self
        if not moves:
            return
        line_vals: list[dict] = []
        new_quantity: dict[int, float] = {}
        bypass = moves.filtered(lambda move: move._bypasses_reservation())
        for move in bypass:
            missing = float_round(move.product_uom_qty - move.quantity)
            if missing > 0:
                line_vals.append(move._line_vals(move.location_id, missing))
                new_quantity[move.id] = move.product_uom_qty
        to_reserve = moves - bypass
        reserved_changes = []
        if to_reserve:
            rows = self.env["stock.quant"]._lock_available(
                [(move.product_id.id, move.location_id.id) for move in to_reserve]
            )
            # what each quant still offers, in the order the lock returned them (oldest first)
            offers: dict[tuple[int, int], list[list]] = defaultdict(list)
            free: dict[int, float] = {}
            for quant_id, product_id, location_id, quantity, reserved, source_id in rows:
                free.setdefault(quant_id, float_round(quantity - reserved))
                offers[product_id, source_id].append([quant_id, location_id])
            for move in to_reserve:
                missing = float_round(move.product_uom_qty - move.quantity)
                taken = 0.0
                for quant_id, location_id in offers[move.product_id.id, move.location_id.id]:
                    if missing <= 0:
                        break
                    take = min(missing, free[quant_id])
                    if take <= 0:
                        continue
                    free[quant_id] = float_round(free[quant_id] - take)
                    missing = float_round(missing - take)
                    taken += take
                    line_vals.append(
                        move._line_vals(self.env["stock.location"].browse(location_id), take)
                    )
                    reserved_changes.append((move.product_id.id, location_id, 0.0, take))
                if taken:
                    new_quantity[move.id] = float_round(move.quantity + taken)
        # the quants reserved were just locked by _lock_available: they exist
        self.env["stock.quant"]._update_quantities(reserved_changes, insert_missing=False)
        if line_vals:
            self.env["stock.move.line"].sudo().create(line_vals)
        moves._write_reserved_quantities(new_quantity)

    def _write_reserved_quantities(self, new_quantity: dict[int, float]) -> None:
        """Write each move's quantity (``new_quantity``, or its current one) and the state it
        gives: assigned when covered, partially available, or confirmed."""
        by_values: dict[tuple, list[int]] = defaultdict(list)
        for move in self:
            quantity = new_quantity.get(move.id, move.quantity)
            if quantity >= move.product_uom_qty:
                state = "assigned"
            elif quantity > 0:
                state = "partially_available"
            else:
                state = "confirmed"
            if (quantity, state) != (move.quantity, move.state):
                by_values[quantity, state].append(move.id)
        for (quantity, state), ids in by_values.items():
            self.browse(ids)._write_state({"quantity": quantity, "state": state})

    def _line_vals(self, location, quantity: float) -> dict:
        return {
            "move_id": self.id,
            "picking_id": self.picking_id.id,
            "product_id": self.product_id.id,
            "location_id": location.id,
            "location_dest_id": self.location_dest_id.id,
            "quantity": quantity,
            "company_id": self.company_id.id,
        }

    def _set_inventory_lines(self) -> None:
        """Inventory moves are done at once for their whole demand, reserving nothing."""
        self.env["stock.move.line"].sudo().create(
            [move._line_vals(move.location_id, move.product_uom_qty) for move in self]
        )
        for move in self:
            move._write_state({"quantity": move.product_uom_qty, "state": "assigned"})

    def _reserves_quants(self) -> bool:
        """Whether this move's lines hold reservations on quants."""
        return not self._bypasses_reservation()

    def _do_unreserve(self):
        """Release the reservations of moves not done: their lines go, they wait again."""
        moves = self.filtered(lambda move: move.state not in ("done", "cancel", "draft"))
        for move in self:
            if move.state == "done":
                raise UserError(f"{move.reference or move.name}: a done move cannot be unreserved.")
        lines = moves.move_line_ids
        changes = [
            (line.product_id.id, line.location_id.id, 0.0, -line.quantity)
            for line in lines
            if line.move_id._reserves_quants()
        ]
        self.env["stock.quant"]._update_quantities(changes)
        lines.sudo().unlink()
        moves._write_state({"quantity": 0.0, "state": "confirmed"})
        return True

    def _set_quantity(self, quantity: float) -> None:
        """A quantity written by hand: reserve more, or release the excess."""
        if quantity < 0:
            raise UserError(f"A quantity cannot be negative ({quantity:g}).")
        for move in self:
            if move.state in ("done", "cancel"):
                raise UserError(
                    f"{move.reference or move.name} ({move.product_id.display_name}) is "
                    f"{move._state_label()}: its quantity cannot change."
                )
            if move.state == "draft":
                move._action_confirm()
            current = move.quantity
            if quantity > current:
                move._reserve_more(float_round(quantity - current))
            elif quantity < current:
                move._release(float_round(current - quantity))
            move._write_state({"picked": True})

    def _reserve_more(self, extra: float) -> None:
        self.ensure_one()
        if self._bypasses_reservation() or self.location_id.allow_negative_stock:
            lines = self.move_line_ids.filtered(lambda line: line.location_id == self.location_id)
            if self._reserves_quants():
                self.env["stock.quant"]._update_quantities(
                    [(self.product_id.id, self.location_id.id, 0.0, extra)]
                )
            if lines:
                lines[0].sudo().write({"quantity": float_round(lines[0].quantity + extra)})
            else:
                self.env["stock.move.line"].sudo().create(self._line_vals(self.location_id, extra))
            self._write_reserved_quantities({self.id: float_round(self.quantity + extra)})
            return
        demand = self.product_uom_qty
        had = self.quantity
        # reserve up to the new quantity, as if it were the demand
        self._write_state({"product_uom_qty": float_round(had + extra)})
        self._reserve()
        self._write_state({"product_uom_qty": demand})
        self._write_reserved_quantities({})
        if float_round(self.quantity - had) < extra:
            raise UserError(
                f"Not enough {self.product_id.display_name} in {self.location_id.complete_name}"
                f": {float_round(had + extra):g} wanted for {self._label()}, only "
                f"{self.quantity:g} available to reserve."
            )

    def _release(self, excess: float) -> None:
        """Take ``excess`` off the move's lines, last first, releasing their reservation."""
        self.ensure_one()
        changes = []
        reserves = self._reserves_quants()
        for line in self.move_line_ids.sorted("id", reverse=True):
            if excess <= 0:
                break
            take = min(excess, line.quantity)
            excess = float_round(excess - take)
            if reserves:
                changes.append((line.product_id.id, line.location_id.id, 0.0, -take))
            if take >= line.quantity:
                line.sudo().unlink()
            else:
                line.sudo().write({"quantity": float_round(line.quantity - take)})
        self.env["stock.quant"]._update_quantities(changes)
        remaining = float_round(sum(self.move_line_ids.mapped("quantity")))
        self._write_reserved_quantities({self.id: remaining})

    def _action_cancel(self):
        """Cancel moves not done, releasing their reservations."""
        for move in self:
            if move.state == "done":
                raise UserError(
                    f"{move.reference or move.name} ({move.product_id.display_name}) is done: "
                    "a done move cannot be cancelled."
                )
        moves = self.filtered(lambda move: move.state != "cancel")
        moves._do_unreserve()
        moves._write_state({"state": "cancel", "quantity": 0.0})
        return True

    def _action_done(self, cancel_backorder: bool = False):
        """Validate the moves: their quants move (in three statements), they become done. A
        move done with less than its demand leaves a new move of the rest (for a backorder),
        unless ``cancel_backorder``. Returns the done moves and the moves of the rest."""
        moves = self.filtered(lambda move: move.state not in ("done", "cancel"))
        moves._action_confirm()
        empty = moves.filtered(lambda move: float_round(move.quantity) <= 0)
        done = moves - empty
        rests_vals = []
        for move in done:
            rest = float_round(move.product_uom_qty - move.quantity)
            if rest > 0 and not cancel_backorder:
                rests_vals.append(move._rest_vals(rest))
        changes = []
        for line in done.move_line_ids:
            move = line.move_id
            if move.product_id.type != "product":
                continue
            reserved = line.quantity if move._reserves_quants() else 0.0
            changes.append((line.product_id.id, line.location_id.id, -line.quantity, -reserved))
            changes.append((line.product_id.id, line.location_dest_id.id, line.quantity, 0.0))
        self.env["stock.quant"]._update_quantities(changes)
        if not cancel_backorder:
            # the demand of a move done in part is what was done: its rest is a new move
            for move in done:
                if move.quantity < move.product_uom_qty:
                    move._write_state({"product_uom_qty": move.quantity})
        done._write_state({"state": "done", "date": fields.Datetime.now(), "picked": True})
        rests = self.browse()
        if empty and not cancel_backorder:
            rests |= empty  # nothing done: the whole move goes to the backorder
        elif empty:
            empty._action_cancel()
        if rests_vals:
            rests |= self.sudo().create(rests_vals)
            rests.filtered(lambda move: move.state == "draft")._action_confirm()
        return done, rests

    def _rest_vals(self, rest: float) -> dict:
        return {
            "name": self.name,
            "product_id": self.product_id.id,
            "product_uom_qty": rest,
            "location_id": self.location_id.id,
            "location_dest_id": self.location_dest_id.id,
            "picking_type_id": self.picking_type_id.id,
            "picking_id": self.picking_id.id,
            "partner_id": self.partner_id.id,
            "origin": self.origin,
            "company_id": self.company_id.id,
            "date": self.date,
            "origin_returned_move_id": self.origin_returned_move_id.id,
        }
