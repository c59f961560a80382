{
    "name": "Sales Orders",
    "version": "17.0.1.1",
    "summary": "Quotations and sales orders, with a manager's approval above a threshold",
    "description": """
Quotations become sales orders when confirmed. Above the company's approval threshold a
confirmed quotation waits for a Sales Manager, who approves or rejects it. Every step is
recorded (who, when). Salespeople see their own orders and the unassigned ones; managers see
every order of their companies.
""",
    "license": "LGPL-3",
    "depends": ["product", "mail", "sales_team"],
    "data": [
        "security/sale_security.xml",
        "security/ir.model.access.csv",
        "data/sale_data.xml",
        "views/sale_views.xml",
        "views/sale_activity_views.xml",
        "views/sale_actions.xml",
        "views/sale_menus.xml",
    ],
    "demo": [
        "demo/sale_demo.xml",
    ],
    "installable": True,
}
