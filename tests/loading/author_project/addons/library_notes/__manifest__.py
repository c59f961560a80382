{
    "name": "Library notes",
    "version": "1.0",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv", "data/notes_data.xml"],
    "demo": ["demo/notes_demo.xml"],
}
