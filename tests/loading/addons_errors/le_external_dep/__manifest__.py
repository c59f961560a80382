{
    "name": "Needs a Python package that is not installed",
    "depends": ["base"],
    "external_dependencies": {"python": ["erplite_no_such_package"]},
}
