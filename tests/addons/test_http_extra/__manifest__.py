# ruff: noqa: B018
{
    "name": "HTTP test routes, installed late",
    "version": "17.0.1.0",
    "summary": "A module installed during the HTTP tests: its routes appear without a restart",
    "depends": ["web"],
    "data": [],
    "license": "LGPL-3",
}
