{
    "name": "Broken data: le_dangling_ref",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv", "data/things.xml"],
}
