"""Odoo 17's ``odoo.fields``: the field types (see ``erplite.orm.fields``)."""

from erplite.orm.commands import Command
from erplite.orm.fields import (
    Binary,
    Boolean,
    Char,
    Date,
    Datetime,
    Field,
    Float,
    Html,
    Id,
    Integer,
    Json,
    Monetary,
    Selection,
    Text,
)
from erplite.orm.fields_relational import Many2many, Many2one, One2many

__all__ = [
    "Field",
    "Boolean",
    "Integer",
    "Float",
    "Monetary",
    "Char",
    "Text",
    "Html",
    "Selection",
    "Date",
    "Datetime",
    "Binary",
    "Json",
    "Id",
    "Many2one",
    "One2many",
    "Many2many",
    "Command",
]
