{
    "name": "Sales and Inventory",
    "version": "17.0.1.0",
    "summary": "Deliveries of confirmed sales orders",
    "description": """
The bridge between ``orders`` and ``inventory`` (Odoo's ``sale_stock``), installed with them:
confirming (or approving) a sales order makes one delivery of its storable products from its
warehouse; the lines count what was delivered (``qty_delivered``, from done moves, returns
deducted) and the order shows its delivery status. Cancelling an order cancels its open
deliveries; an order with a done delivery cannot be cancelled.
""",
    "license": "LGPL-3",
    "depends": ["orders", "inventory"],
    "data": [
        "views/sale_order_views.xml",
    ],
    "installable": True,
    "auto_install": True,
}
