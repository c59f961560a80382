{
    "name": "Migrations (loader tests), version 2",
    "version": "2.0",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv", "data/items.xml"],
    "license": "LGPL-3",
}
