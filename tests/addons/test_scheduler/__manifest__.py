# ruff: noqa: B018
{
    "name": "Scheduler test models",
    "version": "17.0.1.0",
    "summary": "Jobs that count their runs, for the tests of the scheduler",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv"],
    "license": "LGPL-3",
}
