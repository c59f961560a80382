{
    "name": "Broken data: le_bad_eval",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv", "data/things.xml"],
}
