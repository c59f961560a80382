"""``res.users`` in the mail module: the user's activity counts (Odoo 17's systray)."""

from __future__ import annotations

from erplite import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def systray_get_activities(self) -> list[dict]:
        """The current user's activities counted by model and state, as Odoo 17's systray
        asks them (see ``mail.activity.get_my_activity_counts``)."""
        return self.env["mail.activity"].get_my_activity_counts()
