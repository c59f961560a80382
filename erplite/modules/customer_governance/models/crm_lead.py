"""The stamps on leads (``sa.stamped.mixin``): a lead or opportunity of a governed customer
carries its customer's ``x_sa_id`` and ``x_actor_id`` and is visible to a member exactly when
its customer is; a lead without a customer is not governed."""

from __future__ import annotations

from erplite import models

from . import sa_stamped_mixin  # noqa: F401 - defined before the models inheriting it


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "sa.stamped.mixin"]

    _sa_visible_without_customer = True
