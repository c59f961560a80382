"""Model kinds and inheritance: mixins, classical and prototype ``_inherit``, ``_inherits``
delegation, ``_order``, ``_rec_name``, ``_parent_store``, archiving, transient models."""

from erplite import api, fields, models


class NamedMixin(models.AbstractModel):
    _name = "test_orm.mixin.named"
    _description = "Mixin giving a name"

    name = fields.Char()
    nickname = fields.Char()

    def describe(self):
        # listed first in _inherit, this mixin comes first in the MRO: super() reaches the next
        return [*super().describe(), f"named:{self.name}"]


class CountedMixin(models.AbstractModel):
    _name = "test_orm.mixin.counted"
    _description = "Mixin giving a counter"

    counter = fields.Integer(default=1)

    def describe(self):
        return [f"counted:{self.counter}"]

    def bump(self):
        for record in self:
            record.counter += 1


class MultiMixin(models.Model):
    _name = "test_orm.multi"
    _description = "Model built from two mixins"
    _inherit = ["test_orm.mixin.named", "test_orm.mixin.counted"]

    extra = fields.Char()

    def describe(self):
        return [*super().describe(), "multi"]


class Animal(models.Model):
    _name = "test_orm.animal"
    _description = "Animal"
    _order = "sequence, name desc, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    sound = fields.Char(default="...")
    legs = fields.Integer(default=4)

    def speak(self):
        return [f"animal:{self.sound}"]


class Dog(models.Model):
    """Prototype inheritance: a new model (own table) with the fields of ``test_orm.animal``."""

    _name = "test_orm.dog"
    _description = "Dog"
    _inherit = "test_orm.animal"

    sound = fields.Char(default="woof")
    breed = fields.Char()

    def speak(self):
        return [*super().speak(), "dog"]


class AnimalExtension(models.Model):
    """Classical extension of ``test_orm.animal`` declared after the prototype child: the
    child sees it too, as in Odoo."""

    _inherit = "test_orm.animal"

    color = fields.Char(default="brown")
    legs = fields.Integer(default=3)  # override of the default only

    def speak(self):
        return [*super().speak(), "extended"]


class Owner(models.Model):
    """``_inherits`` delegation to ``test_orm.animal`` (the odd pet-owner hybrid)."""

    _name = "test_orm.owner"
    _description = "Delegating model"
    _inherits = {"test_orm.animal": "animal_id"}

    animal_id = fields.Many2one("test_orm.animal", required=True, ondelete="cascade")
    leash = fields.Char()
    # stored, depending on an inherited field: a change of the parent recomputes it
    label = fields.Char(compute="_compute_label", store=True)

    @api.depends("name", "leash")
    def _compute_label(self):
        for owner in self:
            owner.label = f"{owner.name}/{owner.leash or ''}"


class PartnerExtension(models.Model):
    """Classical extension of a model of another module (``base``)."""

    _inherit = "res.partner"

    test_orm_nickname = fields.Char()

    def test_orm_marker(self):
        return "test_orm"


class Coded(models.Model):
    _name = "test_orm.coded"
    _description = "Model with _rec_name and _order"
    _rec_name = "code"
    _order = "priority desc, code"

    code = fields.Char(required=True)
    label = fields.Char()
    priority = fields.Integer()


class Category(models.Model):
    _name = "test_orm.category"
    _description = "Hierarchy with a parent store"
    _parent_store = True
    _order = "name"

    name = fields.Char(required=True)
    parent_id = fields.Many2one("test_orm.category", ondelete="cascade", index=True)
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("test_orm.category", "parent_id")
    active = fields.Boolean(default=True)


class Node(models.Model):
    _name = "test_orm.node"
    _description = "Hierarchy without a parent store"
    _order = "name"

    name = fields.Char()
    parent_id = fields.Many2one("test_orm.node", ondelete="cascade")
    child_ids = fields.One2many("test_orm.node", "parent_id")


class Chain(models.Model):
    _name = "test_orm.chain"
    _description = "Model ordered by its own many2one"
    _order = "parent_id, name"

    name = fields.Char()
    parent_id = fields.Many2one("test_orm.chain")


class Archivable(models.Model):
    _name = "test_orm.archivable"
    _description = "Model with an active field"

    name = fields.Char()
    active = fields.Boolean(default=True)
    category_id = fields.Many2one("test_orm.category")


class Wizard(models.TransientModel):
    _name = "test_orm.wizard"
    _description = "Transient model"

    name = fields.Char()
    animal_id = fields.Many2one("test_orm.animal")

    @api.model
    def default_get(self, fields_list):
        result = super().default_get(fields_list)
        if "name" in fields_list and not result.get("name"):
            result["name"] = "wizard"
        return result
