"""The ``activity`` view type (Odoo 17's ``mail`` declares it): a grid of the records of a
model inheriting ``mail.activity.mixin``, one column per activity type.

Its arch is Odoo 17's::

    <activity string="Opportunities">
        <field name="partner_id"/>
        <templates>
            <div t-name="activity-box">
                <field name="name"/><field name="partner_id" muted="1"/>
            </div>
        </templates>
    </activity>

The ``activity-box`` template is the head of each row (rendered as a kanban card is); the
web page drawing the view is ``controllers/activity_view.py``.
"""

from __future__ import annotations

from erplite import fields, models


class IrUiView(models.Model):
    _inherit = "ir.ui.view"

    type = fields.Selection(selection_add=[("activity", "Activity")])


class IrActionsActWindowView(models.Model):
    _inherit = "ir.actions.act_window.view"

    view_mode = fields.Selection(selection_add=[("activity", "Activity")])
