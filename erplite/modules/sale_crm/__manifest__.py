{
    "name": "Opportunity to Quotation",
    "version": "17.0.1.0",
    "summary": "Quotations made from opportunities, and opportunities won by their orders",
    "description": """
The bridge between ``crm`` and ``orders`` (Odoo's ``sale_crm``), installed with them: "New
Quotation" on an opportunity opens a quotation for its customer, sales team and salesperson,
linked to it (``opportunity_id``, ``origin``); the opportunity counts its quotations and sums
its confirmed orders, with smart buttons listing them. When a quotation of an opportunity is
confirmed, the opportunity is marked won (the company's setting "Won on Order Confirmation").
""",
    "license": "LGPL-3",
    "depends": ["crm", "orders"],
    "data": [
        "security/ir.model.access.csv",
        "views/sale_order_views.xml",
        "views/crm_lead_views.xml",
        "views/res_company_views.xml",
        "wizard/crm_quotation_partner_views.xml",
    ],
    "installable": True,
    "auto_install": True,
}
