{
    "name": "Migrations (loader tests), version 3 (a failing migration)",
    "version": "3.0",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv", "data/items.xml"],
    "license": "LGPL-3",
}
