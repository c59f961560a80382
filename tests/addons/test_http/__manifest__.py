# ruff: noqa: B018
{
    "name": "HTTP test routes",
    "version": "17.0.1.0",
    "summary": "Routes and a model exercising the HTTP layer, for erplite's own tests",
    "depends": ["web"],
    "data": ["security/ir.model.access.csv"],
    "license": "LGPL-3",
}
