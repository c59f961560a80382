{
    "name": "Broken data: le_bad_xml",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv", "data/things.xml"],
}
