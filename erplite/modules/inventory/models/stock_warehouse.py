"""``stock.warehouse``: a company's warehouse, with the locations and operation types it needs.

Creating a warehouse of code ``WH`` creates, as Odoo 17 does:

- its view location ``WH`` (under "Physical Locations") and its stock location ``WH/Stock``
  (``lot_stock_id``, internal), where its stock is kept;
- three operation types, each numbering its transfers with a sequence of its own:
  Receipts (``WH/IN/00001``: vendors → stock), Delivery Orders (``WH/OUT/00001``: stock →
  customers) and Internal Transfers (``WH/INT/00001``: stock → stock).

Every company gets a warehouse when the module is installed and when it is created
(``res.company._create_missing_warehouse``).
"""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models


class StockWarehouse(models.Model):
    _name = "stock.warehouse"
    _description = "Warehouse"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char("Warehouse", required=True, index=True)
    code = fields.Char(
        "Short Name",
        required=True,
        size=5,
        help="Prefix of the names of its locations and transfers (WH/Stock, WH/OUT/00001).",
    )
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Address",
        default=lambda self: self.env.company.partner_id,
        check_company=True,
    )
    view_location_id = fields.Many2one(
        "stock.location", string="View Location", readonly=True, check_company=True
    )
    lot_stock_id = fields.Many2one(
        "stock.location", string="Location Stock", readonly=True, check_company=True
    )
    in_type_id = fields.Many2one("stock.picking.type", string="In Type", check_company=True)
    out_type_id = fields.Many2one("stock.picking.type", string="Out Type", check_company=True)
    int_type_id = fields.Many2one("stock.picking.type", string="Internal Type", check_company=True)

    _sql_constraints = [
        (
            "warehouse_name_uniq",
            "unique(name, company_id)",
            "The name of the warehouse must be unique per company!",
        ),
        (
            "warehouse_code_uniq",
            "unique(code, company_id)",
            "The short name of the warehouse must be unique per company!",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        Location = self.env["stock.location"].sudo()
        parent: Any = self.env.ref("inventory.stock_location_locations")
        for vals in vals_list:
            company_id = vals.get("company_id") or self.env.company.id
            vals["company_id"] = company_id
            view = Location.create(
                {
                    "name": vals["code"],
                    "usage": "view",
                    "location_id": parent.id,
                    "company_id": company_id,
                }
            )
            stock = Location.create(
                {
                    "name": "Stock",
                    "usage": "internal",
                    "location_id": view.id,
                    "company_id": company_id,
                }
            )
            vals["view_location_id"] = view.id
            vals["lot_stock_id"] = stock.id
        warehouses = super().create(vals_list)
        for warehouse in warehouses:
            warehouse._create_operation_types()
        return warehouses

    def _create_operation_types(self) -> None:
        """Receipts, Delivery Orders and Internal Transfers of this warehouse."""
        self.ensure_one()
        suppliers: Any = self.env.ref("inventory.stock_location_suppliers")
        customers: Any = self.env.ref("inventory.stock_location_customers")
        Type = self.env["stock.picking.type"].sudo()
        common = {"warehouse_id": self.id, "company_id": self.company_id.id}
        receipts = Type.create(
            {
                **common,
                "name": "Receipts",
                "code": "incoming",
                "sequence_code": "IN",
                "sequence": 1,
                "default_location_src_id": suppliers.id,
                "default_location_dest_id": self.lot_stock_id.id,
            }
        )
        deliveries = Type.create(
            {
                **common,
                "name": "Delivery Orders",
                "code": "outgoing",
                "sequence_code": "OUT",
                "sequence": 5,
                "default_location_src_id": self.lot_stock_id.id,
                "default_location_dest_id": customers.id,
                "return_picking_type_id": receipts.id,
            }
        )
        internal = Type.create(
            {
                **common,
                "name": "Internal Transfers",
                "code": "internal",
                "sequence_code": "INT",
                "sequence": 2,
                "default_location_src_id": self.lot_stock_id.id,
                "default_location_dest_id": self.lot_stock_id.id,
            }
        )
        receipts.return_picking_type_id = deliveries
        self.sudo().write(
            {"in_type_id": receipts.id, "out_type_id": deliveries.id, "int_type_id": internal.id}
        )

    def _create_main_xml_ids(self) -> None:
        """Name the records of the main warehouse as Odoo does (``stock_location_stock``,
        ``picking_type_in``, ``picking_type_out``, ``picking_type_internal``), for data files
        and tests; ``noupdate`` so that upgrades keep them."""
        self.ensure_one()
        records = {
            "stock_location_view": self.view_location_id,
            "stock_location_stock": self.lot_stock_id,
            "picking_type_in": self.in_type_id,
            "picking_type_out": self.out_type_id,
            "picking_type_internal": self.int_type_id,
        }
        self.env["ir.model.data"].sudo().create(
            [
                {
                    "module": "inventory",
                    "name": name,
                    "model": record._name,
                    "res_id": record.id,
                    "noupdate": True,
                }
                for name, record in records.items()
            ]
        )


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._create_missing_warehouse()
        return companies

    def _create_missing_warehouse(self) -> None:
        """Give each company of ``self`` (every company when empty) a warehouse if it has
        none, named after it, of code WH (WH2, WH3... when taken)."""
        companies = self or self.search([])
        Warehouse = self.env["stock.warehouse"].sudo()
        has_one = {
            company.id
            for [company] in Warehouse.with_context(active_test=False)._read_group(
                [("company_id", "in", companies.ids)], ["company_id"]
            )
        }
        for company in companies:
            if company.id in has_one:
                continue
            Warehouse.create(
                {
                    "name": company.name,
                    "code": "WH",
                    "company_id": company.id,
                    "partner_id": company.partner_id.id,
                }
            )
