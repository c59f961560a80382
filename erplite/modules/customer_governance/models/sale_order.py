"""The stamps on orders (``sa.stamped.mixin``): an order of a governed customer carries its
customer's ``x_sa_id`` and ``x_actor_id`` and is visible to a member exactly when its customer
is."""

from __future__ import annotations

from erplite import models

from . import sa_stamped_mixin  # noqa: F401 - defined before the models inheriting it


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "sa.stamped.mixin"]
