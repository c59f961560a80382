{
    "name": "CRM",
    "version": "17.0.1.0",
    "summary": "Leads, opportunities and the sales pipeline",
    "description": """
Leads (``crm.lead`` of type ``lead``) are qualified and converted into opportunities, which move
through the stages of their sales team's pipeline (``crm.stage``) until they are won or lost
(with a reason, ``crm.lost.reason``). The probability follows the stage unless it is set by
hand; the prorated revenue is the expected revenue weighted by it. Duplicates are merged into
the oldest. Salespeople see their own and unassigned leads, team leaders their team's, managers
all of them, in their companies.
""",
    "license": "LGPL-3",
    "depends": ["sales_team", "mail"],
    "data": [
        "security/crm_security.xml",
        "security/ir.model.access.csv",
        "data/crm_stage_data.xml",
        "data/crm_lost_reason_data.xml",
        "views/crm_lead_views.xml",
        "views/crm_lead_activity_views.xml",
        "wizard/crm_lead_to_opportunity_views.xml",
        "wizard/crm_lead_lost_views.xml",
        "views/crm_config_views.xml",
        "views/crm_actions.xml",
        "views/crm_menus.xml",
    ],
    "demo": [
        "demo/crm_demo.xml",
    ],
    "installable": True,
}
