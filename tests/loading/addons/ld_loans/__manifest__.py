{
    "name": "Library loans (loader tests)",
    "version": "1.0",
    "summary": "Fixture module: a model of its own and fields added to another module's model",
    "depends": ["ld_library"],
    "data": ["security/ir.model.access.csv", "data/loans_data.xml", "views/loans_views.xml"],
    "license": "LGPL-3",
    "pre_init_hook": "pre_init",
    "post_init_hook": "post_init",
    "uninstall_hook": "uninstall",
}
