{
    "name": "Library (loader tests)",
    "version": "1.0",
    "summary": "Fixture module: CSV and XML data with ref, eval, function, delete, menus",
    "depends": ["base"],
    "data": [
        "security/ir.model.access.csv",
        "data/ld.tag.csv",
        "data/ld.author.csv",
        "data/library_data.xml",
        "views/library_views.xml",
    ],
    "demo": ["demo/library_demo.xml"],
    "license": "LGPL-3",
}
