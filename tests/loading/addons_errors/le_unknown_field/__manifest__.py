{
    "name": "Broken data: le_unknown_field",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv", "data/things.xml"],
}
