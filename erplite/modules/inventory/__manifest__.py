{
    "name": "Inventory",
    "version": "17.0.1.0",
    "summary": "Warehouses, locations, transfers, stock moves and stock on hand",
    "description": """
Odoo's ``stock``, smaller: warehouses with their locations and operation types, transfers
(receipts, deliveries, internal moves) made of stock moves that are confirmed, reserved and
validated, the stock on hand per product and location (``stock.quant``, updated under row
locks), inventory adjustments, returns, and min/max reordering rules turned into draft receipts
by a scheduled job.
""",
    "license": "LGPL-3",
    "depends": ["product"],
    "data": [
        "security/stock_security.xml",
        "security/ir.model.access.csv",
        "data/stock_data.xml",
        "wizard/stock_backorder_confirmation_views.xml",
        "wizard/stock_picking_return_views.xml",
        "views/stock_location_views.xml",
        "views/stock_warehouse_views.xml",
        "views/stock_picking_type_views.xml",
        "views/stock_picking_views.xml",
        "views/stock_move_views.xml",
        "views/stock_quant_views.xml",
        "views/stock_orderpoint_views.xml",
        "views/product_views.xml",
        "views/stock_menus.xml",
    ],
    "demo": [
        "demo/stock_demo.xml",
    ],
    "installable": True,
}
