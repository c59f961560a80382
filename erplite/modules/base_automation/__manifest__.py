{
    "name": "Automation Rules",
    "version": "17.0.1.0",
    "summary": "Automated actions: server actions run when records are created, changed, "
    "deleted, when a date passes, or when a webhook is called",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": [
        "security/ir.model.access.csv",
        "data/base_automation_data.xml",
        "views/base_automation_views.xml",
    ],
    "demo": [],
    "installable": True,
}
