"""Opportunities and their quotations, as Odoo 17's ``sale_crm``.

An opportunity lists its orders (``order_ids``), counts its quotations (``quotation_count``:
draft or sent) and its sales orders (``sale_order_count``: confirmed, or waiting for approval),
and sums the untaxed amount of the latter (``sale_amount_total``). The three are computed for
a whole recordset from one query on ``sale.order``, under the user's rights: a salesperson
counts the orders they may see.

"New Quotation" (:meth:`CrmLead.action_sale_quotations_new`) makes a quotation for the
opportunity's customer, sales team, salesperson and company, linked to it (``opportunity_id``)
with its name as ``origin``, and opens its form; an opportunity without a customer first asks
for one (the ``crm.quotation.partner`` wizard). Odoo 17 opens an unsaved form with those values
as defaults instead: the backoffice does not carry a returned action's context to a new record,
so the quotation is made at once (a draft without lines, which the user completes).
"""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models
from erplite.exceptions import UserError

#: states of the orders counted as quotations, and of those counted (and summed) as orders
QUOTATION_STATES = ("draft", "sent")
ORDER_STATES = ("to_approve", "sale")


def _window_action(env: Any, xml_id: str) -> dict[str, Any]:
    """The window action ``xml_id`` as the dict a button returns (Odoo's ``_for_xml_id``)."""
    action = env.ref(xml_id).sudo()
    return {
        "id": action.id,
        "type": "ir.actions.act_window",
        "name": action.name,
        "res_model": action.res_model,
        "view_mode": action.view_mode,
        "views": action.views,
        "target": action.target,
        "context": {},
        "domain": [],
    }


class CrmLead(models.Model):
    _inherit = "crm.lead"

    order_ids = fields.One2many("sale.order", "opportunity_id", string="Orders")
    quotation_count = fields.Integer("Number of Quotations", compute="_compute_sale_data")
    sale_order_count = fields.Integer("Number of Sale Orders", compute="_compute_sale_data")
    sale_amount_total = fields.Monetary(
        "Sum of Orders",
        compute="_compute_sale_data",
        currency_field="company_currency",
        help="Untaxed total of the confirmed orders",
    )

    @api.depends("order_ids.state", "order_ids.amount_untaxed")
    def _compute_sale_data(self) -> None:
        """From the orders of the leads, which the ORM reads for all the leads of ``self`` in
        one query (under the user's rules: a salesperson counts the orders they may see)."""
        lead: Any
        for lead in self:
            states = lead.order_ids.mapped("state")
            orders = lead.order_ids.filtered(lambda order: order.state in ORDER_STATES)
            lead.quotation_count = sum(1 for state in states if state in QUOTATION_STATES)
            lead.sale_order_count = len(orders)
            lead.sale_amount_total = sum(orders.mapped("amount_untaxed"))

    # -- new quotation --------------------------------------------------------------------------

    def action_sale_quotations_new(self) -> dict[str, Any]:
        """ "New Quotation": the quotation form with the opportunity's values (see
        :meth:`action_new_quotation`), or first the wizard asking for its customer."""
        self.ensure_one()
        self._check_quotable()
        if not self.partner_id:
            action = _window_action(self.env, "sale_crm.crm_quotation_partner_action")
            action["context"] = {"active_model": "crm.lead", "active_id": self.id}
            return action
        return self.action_new_quotation()

    def action_new_quotation(self) -> dict[str, Any]:
        """Make the quotation (a draft without lines) with the opportunity's values
        (:meth:`_prepare_opportunity_quotation_context`) and open its form; the action's
        context keeps them as defaults for the quotations made from there."""
        self.ensure_one()
        if not self.partner_id:
            raise UserError(f"{self.name!r} has no customer: choose one for the quotation first.")
        defaults = self._prepare_opportunity_quotation_context()
        values = {
            name.removeprefix("default_"): value
            for name, value in defaults.items()
            if name.startswith("default_")
        }
        order = self.env["sale.order"].create(values)
        action = _window_action(self.env, "sale_crm.sale_action_quotations_new")
        action.update(
            res_id=order.id,
            view_mode="form",
            views=[[False, "form"]],
            context={**defaults, "search_default_opportunity_id": self.id},
            domain=[("opportunity_id", "=", self.id)],
        )
        return action

    def _prepare_opportunity_quotation_context(self) -> dict[str, Any]:
        """The defaults of a quotation made from this opportunity: its customer, company,
        sales team and salesperson, the link to it and its name as the origin."""
        self.ensure_one()
        context: dict[str, Any] = {
            "default_opportunity_id": self.id,
            "default_partner_id": self.partner_id.id,
            "default_origin": self.name,
            "default_company_id": self.company_id.id or self.env.company.id,
        }
        if self.team_id:
            context["default_team_id"] = self.team_id.id
        if self.user_id:
            context["default_user_id"] = self.user_id.id
        return context

    def _check_quotable(self) -> None:
        """Quotations are made from active opportunities only."""
        if self.type != "opportunity" or not self.active:
            raise UserError(
                f"{self.name!r} is not an active opportunity: convert it (or restore it) "
                "before making a quotation."
            )

    # -- smart buttons --------------------------------------------------------------------------

    def action_view_sale_quotation(self) -> dict[str, Any]:
        """The opportunity's quotations (draft, sent or cancelled): the form of the only one,
        else their list."""
        self.ensure_one()
        return self._orders_action(
            "orders.action_quotations", [*QUOTATION_STATES, "cancel"], "Quotations"
        )

    def action_view_sale_order(self) -> dict[str, Any]:
        """The opportunity's sales orders (confirmed or waiting for approval)."""
        self.ensure_one()
        return self._orders_action("orders.action_orders", list(ORDER_STATES), "Sales Orders")

    def _orders_action(self, xml_id: str, states: list[str], name: str) -> dict[str, Any]:
        action = _window_action(self.env, xml_id)
        domain = [("opportunity_id", "=", self.id), ("state", "in", states)]
        action.update(
            name=name,
            domain=domain,
            context=self._prepare_opportunity_quotation_context(),
        )
        orders = self.env["sale.order"].search(domain)
        if len(orders) == 1:
            action.update(view_mode="form", views=[[False, "form"]], res_id=orders.id)
        return action

    # -- merge ----------------------------------------------------------------------------------

    def merge_opportunity(
        self, user_id: int | bool = False, team_id: int | bool = False, auto_unlink: bool = True
    ) -> Any:
        """The orders of the merged opportunities follow them into the one kept."""
        parent: Any = super()  # the method is the crm module's
        head = parent.merge_opportunity(user_id, team_id, auto_unlink=False)
        others = self.with_context(active_test=False) - head
        orders = self.env["sale.order"].sudo().search([("opportunity_id", "in", others.ids)])
        if orders:
            orders.write({"opportunity_id": head.id})
        if auto_unlink:
            others.unlink()
        return head
