# ruff: noqa: B018
{
    "name": "Automation test models",
    "version": "17.0.1.0",
    "summary": "Tasks with stages, states and dates, for the tests of base_automation",
    "depends": ["base_automation"],
    "data": ["security/ir.model.access.csv"],
    "license": "LGPL-3",
}
