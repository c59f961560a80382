# ruff: noqa: B018
{
    "name": "ORM test models",
    "version": "17.0.1.0",
    "summary": "Models exercising the ORM, for erplite's own tests",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv"],
    "license": "LGPL-3",
}
