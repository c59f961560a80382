{
    "name": "Library bridge (loader tests)",
    "version": "1.0",
    "summary": "Fixture module installed automatically with ld_loans",
    "depends": ["ld_library", "ld_loans"],
    "data": ["data/bridge_data.xml"],
    "auto_install": True,
    "license": "LGPL-3",
}
