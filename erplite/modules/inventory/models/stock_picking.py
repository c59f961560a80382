"""``stock.picking``: a transfer, the moves of one operation between two locations.

Its ``name`` comes from its operation type's sequence (``WH/OUT/00001``); its ``state`` is
computed from its moves, as in Odoo 17::

    draft      a move is draft (or there is none)
    cancel     every move is cancelled
    done       every move is done or cancelled
    assigned   ready: (move_type "direct") a move is reserved, even in part;
               (move_type "one") every move is reserved
    confirmed  waiting for stock
    waiting    every move waits for another operation

The actions: ``action_confirm`` (drafts become confirmed; receipts are then available at once),
``action_assign`` (reserve), ``do_unreserve``, ``button_validate`` (the moves' quantities are
done; with less than the demand, a backorder of the rest is made unless the user refuses it in
the ``stock.backorder.confirmation`` wizard, or the context says so: ``skip_backorder`` with
``picking_ids_not_to_backorder``, as in Odoo 17), ``action_cancel`` (releases reservations) and
returns (``stock.return.picking``).
"""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models
from erplite.exceptions import UserError

from .stock_location import computed_location

PICKING_STATES = [
    ("draft", "Draft"),
    ("waiting", "Waiting Another Operation"),
    ("confirmed", "Waiting"),
    ("assigned", "Ready"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]


class StockPicking(models.Model):
    _name = "stock.picking"
    _description = "Transfer"
    _order = "scheduled_date asc, id desc"
    _check_company_auto = True

    name = fields.Char(
        "Reference", default="/", required=True, copy=False, index="trigram", readonly=True
    )
    origin = fields.Char("Source Document", index="trigram", help="The document that asked it.")
    note = fields.Html("Notes")
    backorder_id = fields.Many2one(
        "stock.picking",
        string="Back Order of",
        copy=False,
        index=True,
        check_company=True,
        help="The transfer whose rest this one is.",
    )
    backorder_ids = fields.One2many("stock.picking", "backorder_id", string="Back Orders")
    return_id = fields.Many2one(
        "stock.picking", string="Return of", copy=False, index=True, check_company=True
    )
    return_ids = fields.One2many("stock.picking", "return_id", string="Returns")
    move_type = fields.Selection(
        [("direct", "As soon as possible"), ("one", "When all products are ready")],
        string="Shipping Policy",
        default="direct",
        required=True,
    )
    state = fields.Selection(
        PICKING_STATES,
        string="Status",
        compute="_compute_state",
        store=True,
        index=True,
        copy=False,
        readonly=True,
    )
    scheduled_date = fields.Datetime(
        "Scheduled Date",
        default=fields.Datetime.now,
        required=True,
        index=True,
        help="When the transfer should happen; late once past.",
    )
    date_done = fields.Datetime("Date of Transfer", copy=False, readonly=True)
    location_id = computed_location("Source Location")
    location_dest_id = computed_location("Destination Location")
    move_ids = fields.One2many("stock.move", "picking_id", string="Stock Moves", copy=True)
    move_line_ids = fields.One2many("stock.move.line", "picking_id", string="Operations")
    picking_type_id = fields.Many2one(
        "stock.picking.type", "Operation Type", required=True, index=True, check_company=True
    )
    picking_type_code = fields.Selection(related="picking_type_id.code")
    partner_id = fields.Many2one("res.partner", "Contact", check_company=True)
    company_id = fields.Many2one(
        related="picking_type_id.company_id", store=True, index=True, string="Company"
    )
    user_id = fields.Many2one(
        "res.users", "Responsible", default=lambda self: self.env.user, copy=False
    )
    product_id = fields.Many2one(
        "product.product", "Product", related="move_ids.product_id", readonly=True
    )

    @api.depends("picking_type_id")
    def _compute_locations(self):
        picking: Any
        for picking in self:
            picking_type = picking.picking_type_id
            picking.location_id = picking.location_id or picking_type.default_location_src_id
            picking.location_dest_id = (
                picking.location_dest_id or picking_type.default_location_dest_id
            )

    @api.depends("move_type", "move_ids.state")
    def _compute_state(self):
        picking: Any
        for picking in self:
            states = picking.move_ids.mapped("state")
            if not states or "draft" in states:
                picking.state = "draft"
            elif all(state == "cancel" for state in states):
                picking.state = "cancel"
            elif all(state in ("cancel", "done") for state in states):
                picking.state = "done"
            else:
                picking.state = picking._state_of_open_moves(
                    [s for s in states if s not in ("cancel", "done")]
                )

    def _state_of_open_moves(self, states: list[str]) -> str:
        if self.move_type == "one":
            if all(state == "assigned" for state in states):
                return "assigned"
        elif any(state in ("assigned", "partially_available") for state in states):
            return "assigned"
        if all(state == "waiting" for state in states):
            return "waiting"
        return "confirmed"

    @api.model_create_multi
    def create(self, vals_list):
        Type = self.env["stock.picking.type"]
        for vals in vals_list:
            if vals.get("name", "/") == "/" and vals.get("picking_type_id"):
                sequence = Type.browse(vals["picking_type_id"]).sudo().sequence_id
                if sequence:
                    vals["name"] = sequence.next_by_id()
        return super().create(vals_list)

    def write(self, vals):
        if {"location_id", "location_dest_id", "partner_id"} & vals.keys():
            for picking in self:
                if picking.state in ("done", "cancel"):
                    raise UserError(
                        f"{picking.name} is {picking._state_label()}: it cannot change."
                    )
        result = super().write(vals)
        moves_vals = {
            key: vals[key]
            for key in ("location_id", "location_dest_id", "partner_id")
            if key in vals
        }
        if moves_vals:
            moves = self.move_ids.filtered(lambda move: move.state not in ("done", "cancel"))
            moves.write(moves_vals)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_if_draft_or_cancel(self):
        for picking in self:
            if picking.state not in ("draft", "cancel"):
                raise UserError(
                    f"{picking.name} is {picking._state_label()}: only draft or cancelled "
                    "transfers can be deleted. Cancel it first."
                )

    def _state_label(self) -> str:
        return dict(PICKING_STATES).get(self.state, self.state)

    # ------------------------------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------------------------------
    def _check_open(self, action: str) -> None:
        for picking in self:
            if picking.state in ("done", "cancel"):
                raise UserError(
                    f"{picking.name} is {picking._state_label()}: it cannot be {action}."
                )

    def action_confirm(self):
        """Confirm the draft moves; receipts (from a vendor or the inventory loss) are then
        available at once."""
        self.check_access("write")
        self._check_open("confirmed")
        for picking in self:
            if not picking.move_ids:
                raise UserError(f"{picking.name} has no product to move: add one first.")
        self.move_ids._action_confirm()
        self.filtered(
            lambda p: p.location_id.usage in ("supplier", "inventory")
        ).move_ids._action_assign()
        return True

    def action_assign(self):
        """Reserve the products of the transfers (confirming the drafts first)."""
        self.check_access("write")
        self._check_open("reserved")
        self.filtered(lambda picking: picking.state == "draft").action_confirm()
        self.move_ids._action_assign()
        return True

    def do_unreserve(self):
        """Release the reservations of the transfers."""
        self.check_access("write")
        self._check_open("unreserved")
        self.move_ids._do_unreserve()
        return True

    def action_cancel(self):
        """Cancel the transfers: their moves not done are cancelled, reservations released."""
        self.check_access("write")
        for picking in self:
            if picking.state == "done":
                raise UserError(f"{picking.name} is done: it cannot be cancelled.")
        self.move_ids._action_cancel()
        return True

    def button_validate(self):
        """Validate the transfers: the quantities of their moves are done, the stock moves.

        Refused, naming the product, the location and the quantities, when a transfer has no
        quantity at all (nothing reserved nor set). When a move has less than its demand, the
        user chooses (wizard ``stock.backorder.confirmation``) between a backorder of the rest
        and none; the context keys ``skip_backorder`` and ``picking_ids_not_to_backorder`` give
        that choice directly."""
        self.check_access("write")
        self._check_open("validated")
        self.filtered(lambda picking: picking.state == "draft").action_confirm()
        for picking in self:
            moves = picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
            if all(move.quantity <= 0 for move in moves):
                raise UserError(picking._nothing_to_validate_message(moves))
        context = self.env.context
        if not context.get("skip_backorder"):
            partial = self.filtered(lambda picking: picking._is_partial())
            if partial:
                return partial._action_backorder_wizard()
        not_to_backorder = set(context.get("picking_ids_not_to_backorder") or ())
        no_backorder = self.filtered(lambda picking: picking.id in not_to_backorder)
        if no_backorder:
            no_backorder._action_done(cancel_backorder=True)
        if self - no_backorder:
            (self - no_backorder)._action_done()
        return True

    def _is_partial(self) -> bool:
        return any(
            move.quantity < move.product_uom_qty
            for move in self.move_ids
            if move.state not in ("done", "cancel")
        )

    def _nothing_to_validate_message(self, moves) -> str:
        free = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [
                    ("product_id", "in", moves.product_id.ids),
                    ("location_id", "child_of", moves.location_id.ids),
                    ("location_id.usage", "=", "internal"),
                ],
                ["product_id"],
                ["quantity:sum", "reserved_quantity:sum"],
            )
        )
        available = {product.id: qty - reserved for product, qty, reserved in free}
        details = "; ".join(
            f"{move.product_id.display_name} from {move.location_id.complete_name}: "
            f"{move.product_uom_qty:g} needed, 0 reserved, "
            f"{available.get(move.product_id.id, 0.0):g} available"
            for move in moves
        )
        return (
            f"{self.name} cannot be validated: no quantity is reserved nor set ({details}). "
            "Reserve the products or set the quantities first."
        )

    def _action_backorder_wizard(self) -> dict:
        wizard = self.env["stock.backorder.confirmation"].create({"pick_ids": [(6, 0, self.ids)]})
        return {
            "name": "Create Backorder?",
            "type": "ir.actions.act_window",
            "res_model": "stock.backorder.confirmation",
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "new",
            "context": dict(self.env.context, button_validate_picking_ids=self.ids),
        }

    def _action_done(self, cancel_backorder: bool = False) -> None:
        """Do the moves; the rest of a partial transfer goes to a backorder (made here)
        unless ``cancel_backorder``."""
        moves = self.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        _done, rests = moves._action_done(cancel_backorder=cancel_backorder)
        self.sudo().write({"date_done": fields.Datetime.now()})
        if rests:
            self._create_backorders(rests)

    def _create_backorders(self, rests) -> None:
        for picking in self:
            picking_rests = rests.filtered(lambda move, p=picking: move.picking_id == p)
            if not picking_rests:
                continue
            backorder = picking.sudo().copy(
                {"name": "/", "move_ids": [], "backorder_id": picking.id, "date_done": False}
            )
            picking_rests._write_state({"picking_id": backorder.id})
            picking_rests.move_line_ids.sudo().write({"picking_id": backorder.id})
            picking_rests._action_assign()

    # ------------------------------------------------------------------------------------------
    # screens
    # ------------------------------------------------------------------------------------------
    def action_view_backorders(self):
        return {
            "name": "Backorders",
            "type": "ir.actions.act_window",
            "res_model": "stock.picking",
            "view_mode": "tree,form",
            "domain": [("backorder_id", "in", self.ids)],
        }
