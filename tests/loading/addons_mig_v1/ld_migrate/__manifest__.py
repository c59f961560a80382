{
    "name": "Migrations (loader tests), version 1",
    "version": "1.0",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv", "data/items.xml"],
    "license": "LGPL-3",
}
