"""``stock.picking.type``: an operation type (Receipts, Delivery Orders, Internal Transfers).

Each type numbers its transfers with its own sequence (``WH/OUT/00001``, created with the type
from the warehouse's code and ``sequence_code``), proposes their source and destination
locations, and counts its transfers for the inventory overview: ready (reserved), waiting
(confirmed, not yet available), late (scheduled before now and neither done nor cancelled).
"""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models

PICKING_TYPE_CODES = [
    ("incoming", "Receipt"),
    ("outgoing", "Delivery"),
    ("internal", "Internal Transfer"),
]


class StockPickingType(models.Model):
    _name = "stock.picking.type"
    _description = "Picking Type"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char("Operation Type", required=True)
    code = fields.Selection(PICKING_TYPE_CODES, string="Type of Operation", required=True)
    color = fields.Integer("Color")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    sequence_id = fields.Many2one(
        "ir.sequence", string="Reference Sequence", copy=False, check_company=True
    )
    sequence_code = fields.Char(
        "Sequence Prefix", required=True, help="The middle of the transfers' names: WH/IN/..."
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse", string="Warehouse", ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    default_location_src_id = fields.Many2one(
        "stock.location", string="Default Source Location", check_company=True
    )
    default_location_dest_id = fields.Many2one(
        "stock.location", string="Default Destination Location", check_company=True
    )
    return_picking_type_id = fields.Many2one(
        "stock.picking.type", string="Operation Type for Returns", check_company=True
    )

    count_picking_draft = fields.Integer(compute="_compute_picking_count")
    count_picking_ready = fields.Integer(compute="_compute_picking_count")
    count_picking_waiting = fields.Integer(compute="_compute_picking_count")
    count_picking_late = fields.Integer(compute="_compute_picking_count")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("sequence_id") and vals.get("sequence_code"):
                warehouse = self.env["stock.warehouse"].browse(vals.get("warehouse_id"))
                prefix = f"{warehouse.code}/" if warehouse else ""
                company_id = vals.get("company_id") or self.env.company.id
                vals["sequence_id"] = (
                    self.env["ir.sequence"]
                    .sudo()
                    .create(
                        {
                            "name": f"{warehouse.name or ''} Sequence {vals['sequence_code']}",
                            "prefix": f"{prefix}{vals['sequence_code']}/",
                            "padding": 5,
                            "company_id": company_id,
                        }
                    )
                    .id
                )
        return super().create(vals_list)

    def _compute_picking_count(self):
        Picking = self.env["stock.picking"]
        domains: dict[str, list[Any]] = {
            "count_picking_draft": [("state", "=", "draft")],
            "count_picking_waiting": [("state", "in", ("confirmed", "waiting"))],
            "count_picking_ready": [("state", "=", "assigned")],
            "count_picking_late": [
                ("scheduled_date", "<", fields.Datetime.now()),
                ("state", "in", ("assigned", "waiting", "confirmed")),
            ],
        }
        for field_name, domain in domains.items():
            groups = Picking._read_group(
                [*domain, ("picking_type_id", "in", self.ids)], ["picking_type_id"], ["__count"]
            )
            counts = {picking_type.id: count for picking_type, count in groups}
            picking_type: Any
            for picking_type in self:
                picking_type[field_name] = counts.get(picking_type.id, 0)
