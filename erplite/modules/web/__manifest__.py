{
    "name": "Web",
    "version": "17.0.1.0",
    "summary": "Login page, sessions, the backoffice pages (menus, lists, search, forms), health "
    "and version, static files, and the external API (XML-RPC, JSON-RPC, JSON-2)",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": [],
    "demo": [],
    "installable": True,
    "auto_install": True,
}
