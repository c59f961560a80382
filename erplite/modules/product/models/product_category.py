"""``product.category``: a tree of product categories (``_parent_store``).

Each category knows its ``complete_name`` ("All / Saleable / Office"), stored and recomputed
down the tree when a name or a parent changes; ``parent_path`` makes ``child_of`` searches a
single indexed ``LIKE``.
"""

from __future__ import annotations

from erplite import api, fields, models
from erplite.exceptions import ValidationError


class ProductCategory(models.Model):
    _name = "product.category"
    _description = "Product Category"
    _parent_name = "parent_id"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name"

    name = fields.Char(required=True, index="trigram")
    complete_name = fields.Char(compute="_compute_complete_name", recursive=True, store=True)
    parent_id = fields.Many2one(
        "product.category", string="Parent Category", index=True, ondelete="cascade"
    )
    parent_path = fields.Char(index=True)
    child_id = fields.One2many("product.category", "parent_id", string="Child Categories")
    product_count = fields.Integer(
        "# Products",
        compute="_compute_product_count",
        help="The number of products in this category and below.",
    )

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            if category.parent_id:
                category.complete_name = f"{category.parent_id.complete_name} / {category.name}"
            else:
                category.complete_name = category.name

    def _compute_product_count(self):
        stored = self.filtered("id")  # a form's new category (onchange) has no product yet
        counts: dict = {}
        if stored:
            # one grouped query for every category of self, subcategories included
            groups = self.env["product.product"]._read_group(
                [("categ_id", "child_of", stored.ids)], ["categ_id"], ["__count"]
            )
            counts = {categ.id: count for categ, count in groups}
        for category in self:
            descendants = (
                self.search([("id", "child_of", category.ids)]) if category.id else self.browse()
            )
            category.product_count = sum(counts.get(child.id, 0) for child in descendants)

    @api.constrains("parent_id")
    def _check_category_recursion(self):
        if not self._check_recursion():
            raise ValidationError("You cannot create recursive categories.")
