{
    "name": "Sales Teams",
    "version": "17.0.1.0",
    "summary": "The sales groups and the sales teams shared by Sales and CRM",
    "description": """
The groups of the Sales application ("User: Own Documents Only", "User: All Documents",
"Administrator") and the sales teams (``crm.team``: a leader and members), as Odoo 17's
``sales_team`` module has them: ``orders`` and ``crm`` both depend on it, so neither needs the
other.
""",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": [
        "security/sales_team_security.xml",
        "security/ir.model.access.csv",
        "data/crm_team_data.xml",
        "views/crm_team_views.xml",
    ],
    "installable": True,
}
