{
    "name": "Customer Governance",
    "version": "17.0.1.1",
    "summary": "Service accounts, memberships, visibility policies and assignment history",
    "description": """
Customers governed by service accounts (SA: a branch, team or reseller), assigned within the SA
to an actor. Memberships give users a role in an SA; each SA's visibility policy, compiled into
record rules, decides which governed customers (and their orders and leads) a member sees.
Assignments keep their full history; the stamps ``x_sa_id`` / ``x_actor_id`` on customers,
orders and leads mirror the active assignment for the integrations that read them.
""",
    "license": "LGPL-3",
    "depends": ["orders", "crm"],
    "data": [
        "security/governance_security.xml",
        "security/ir.model.access.csv",
        "views/governance_wizard_views.xml",
        "views/sa_account_views.xml",
        "views/sa_membership_views.xml",
        "views/sa_customer_assignment_views.xml",
        "views/res_partner_views.xml",
        "views/governance_menus.xml",
    ],
    "installable": True,
}
