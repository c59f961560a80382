"""Odoo 17's ``odoo.models``: the model base classes (see ``erplite.orm.models``)."""

from erplite.orm.models import AbstractModel, BaseModel, MetaModel, Model, TransientModel

__all__ = ["BaseModel", "Model", "AbstractModel", "TransientModel", "MetaModel"]
