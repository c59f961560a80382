{
    "name": "Discuss",
    "version": "17.0.1.0",
    "summary": "Chatter on business documents: messages, field tracking, followers, "
    "attachments, activities, outgoing mail and mail templates",
    "description": """
Any model inheriting ``mail.thread`` gets a history of messages (notes, messages to the
followers, tracked field changes with their old and new values), followers and attachments;
``mail.activity.mixin`` adds planned activities. Outgoing mail (``mail.mail``) is queued in
the transaction and sent through SMTP by a scheduled job.
""",
    "license": "LGPL-3",
    "depends": ["base", "web"],
    "data": [
        "security/mail_security.xml",
        "security/ir.model.access.csv",
        "data/mail_data.xml",
        "views/mail_views.xml",
        "views/mail_activity_popup_views.xml",
    ],
    "demo": [],
    "installable": True,
}
