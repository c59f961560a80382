"""``stock.location``: where stock is, a tree (``_parent_store``) of places.

The ``usage`` of a location says what it is: ``view`` (a node grouping others, never holding
stock), ``internal`` (a shelf of one of the company's warehouses: its stock is counted as on
hand), ``supplier`` and ``customer`` (the partners' side of receipts and deliveries),
``inventory`` (the counterpart of inventory adjustments: what is lost or found) and
``transit``. Only internal (and transit) locations hold stock that counts; an internal location
refuses to go below zero unless it ``allow_negative_stock``.

``complete_name`` is the path of names from the warehouse ("WH/Stock/Shelf 1"), as in Odoo 17:
a view location without a parent, or any view location, starts the path afresh.
"""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models
from erplite.exceptions import UserError, ValidationError

LOCATION_USAGES = [
    ("supplier", "Vendor Location"),
    ("view", "View"),
    ("internal", "Internal Location"),
    ("customer", "Customer Location"),
    ("inventory", "Inventory Loss"),
    ("transit", "Transit Location"),
]


def computed_location(string: str, index: bool | None = None) -> Any:
    """The source or destination location of a transfer or a move: required, of its
    company, computed by ``_compute_locations`` (from its operation type) and editable."""
    return fields.Many2one(
        "stock.location",
        string=string,
        required=True,
        index=index,
        check_company=True,
        compute="_compute_locations",
        store=True,
        readonly=False,
        precompute=True,
    )


class StockLocation(models.Model):
    _name = "stock.location"
    _description = "Inventory Locations"
    _parent_name = "location_id"
    _parent_store = True
    _order = "complete_name, id"
    _rec_name = "complete_name"
    _rec_names_search = ["complete_name"]
    _check_company_auto = True

    name = fields.Char("Location Name", required=True)
    complete_name = fields.Char(
        "Full Location Name", compute="_compute_complete_name", recursive=True, store=True
    )
    active = fields.Boolean(default=True, help="Archived locations are hidden, not deleted.")
    usage = fields.Selection(
        LOCATION_USAGES,
        string="Location Type",
        required=True,
        default="internal",
        index=True,
    )
    location_id = fields.Many2one(
        "stock.location",
        string="Parent Location",
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    child_ids = fields.One2many("stock.location", "location_id", string="Contains")
    parent_path = fields.Char(index=True)
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        index=True,
        help="Leave empty to share the location between companies (partners' locations). "
        "By default, the parent location's company.",
    )
    allow_negative_stock = fields.Boolean(
        help="Let the stock of this location go below zero when more is moved out than it "
        "holds (an internal location refuses it otherwise).",
    )
    quant_ids = fields.One2many("stock.quant", "location_id", string="Stock")

    @api.depends("name", "location_id.complete_name", "usage")
    def _compute_complete_name(self):
        location: Any
        for location in self:
            if location.location_id and location.usage != "view":
                location.complete_name = f"{location.location_id.complete_name}/{location.name}"
            else:
                location.complete_name = location.name

    @api.constrains("location_id")
    def _check_location_recursion(self):
        if not self._check_recursion():
            raise ValidationError("A location cannot contain itself.")

    @api.constrains("usage", "location_id")
    def _check_view_holds_no_stock(self):
        quants = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [
                    ("location_id", "in", self.filtered(lambda loc: loc.usage == "view").ids),
                    ("quantity", "!=", 0),
                ],
                ["location_id"],
                ["__count"],
            )
        )
        for location, _count in quants:
            raise ValidationError(
                f"{location.complete_name} holds stock: it cannot become a view location."
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "company_id" not in vals:
                # a sublocation belongs to its parent's company (none for partners' locations)
                parent = self.browse(vals.get("location_id"))
                vals["company_id"] = parent.company_id.id if parent else self.env.company.id
        return super().create(vals_list)

    def write(self, vals):
        if "usage" in vals or "company_id" in vals:
            self._check_no_stock_to_move(vals)
        return super().write(vals)

    def _check_no_stock_to_move(self, vals: dict) -> None:
        """A location holding stock keeps its usage and company: the stock would change
        meaning (on hand or not, whose)."""
        held = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [("location_id", "in", self.ids), ("quantity", "!=", 0)],
                ["location_id"],
                ["__count"],
            )
        )
        for location, _count in held:
            if ("usage" in vals and vals["usage"] != location.usage) or (
                "company_id" in vals and (vals["company_id"] or False) != location.company_id.id
            ):
                raise UserError(
                    f"{location.complete_name} holds stock: its type and company cannot change. "
                    "Move its stock elsewhere first."
                )

    def _should_be_valued(self) -> bool:
        """Whether the stock of this location counts as the company's (on hand)."""
        self.ensure_one()
        return self.usage in ("internal", "transit")

    def _refuses_negative(self) -> bool:
        """Whether this location refuses to go below zero (internal, not allowed)."""
        self.ensure_one()
        return self.usage == "internal" and not self.allow_negative_stock
