{
    "name": "Base",
    "version": "17.0.1.1",
    "summary": "The kernel of erplite: users, groups, companies, partners, access rights and ir.* models",
    "license": "LGPL-3",
    "depends": [],
    "data": [
        "data/base_data.xml",
        "security/base_groups.xml",
        "security/ir.model.access.csv",
        "security/base_security.xml",
        "data/ir_cron_data.xml",
        "views/res_partner_views.xml",
        "views/base_settings_views.xml",
        "views/ir_webhook_delivery_views.xml",
    ],
    "demo": [],
    "installable": True,
}
