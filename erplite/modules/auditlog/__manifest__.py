{
    "name": "Audit Log",
    "version": "17.0.1.0",
    "summary": "Who created, changed or deleted which record, when, with the old and new "
    "value of every field written (the OCA module's models: auditlog.rule, auditlog.log, "
    "auditlog.log.line)",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": [
        "security/auditlog_security.xml",
        "security/ir.model.access.csv",
        "views/auditlog_views.xml",
    ],
    "demo": [],
    "installable": True,
}
