# ruff: noqa: B018
{
    "name": "Mail tracking test models",
    "version": "17.0.1.0",
    "summary": "Tickets with tracked tags (many2many) and lines (one2many), for the tests of mail",
    "depends": ["mail"],
    "data": ["security/ir.model.access.csv"],
    "license": "LGPL-3",
}
