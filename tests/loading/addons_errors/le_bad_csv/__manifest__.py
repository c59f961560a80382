{
    "name": "Broken data: le_bad_csv",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv", "data/le_bad_csv.thing.csv"],
}
