"""``sale.order``: quotations and sales orders, and their approval workflow.

The workflow is the table :data:`TRANSITIONS`: each step names the states it may start from and
the state it leads to. The ``action_*`` methods are the only way to change ``state``; they all
go through :meth:`SaleOrder._transition`, which refuses a step from any other state with a
``StateError`` (a ``UserError``) naming both states, and records who took the step and when
(``sale.order.history``)::

    draft ──send──► sent
      │               │
      ├──confirm──────┴──► sale            (total under the company's approval threshold)
      └──submit───────┴──► to_approve ──approve──► sale      (Sales Manager only)
                                 └─────reject───► draft      (Sales Manager only)
    draft, sent, to_approve, sale ──cancel──► cancel ──draft──► draft
                                               sent ──draft──► draft

``action_confirm`` chooses between *confirm* and *submit* by comparing the order's total with
``company_id.so_double_validation_amount``. While an order waits for approval or is confirmed,
its lines cannot change (see ``sale.order.line``).

``state`` is a protected field (``_protected_fields``, :mod:`erplite.security.protected_fields`):
outside a superuser environment, ``write({"state": ...})`` is refused with an ``AccessError``
and an order is created as a quotation (``draft``) only, so no client can skip the approval or
reopen a confirmed order's lines. :meth:`SaleOrder._transition` checks the step and the user's
right to change the orders, then writes the new state as superuser.
"""

from __future__ import annotations

from erplite import api, fields, models
from erplite.exceptions import AccessError, UserError

ORDER_STATES = [
    ("draft", "Quotation"),
    ("sent", "Quotation Sent"),
    ("to_approve", "To Approve"),
    ("sale", "Sales Order"),
    ("cancel", "Cancelled"),
]

#: step -> (states the step starts from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "send": (("draft",), "sent"),
    "confirm": (("draft", "sent"), "sale"),
    "submit": (("draft", "sent"), "to_approve"),
    "approve": (("to_approve",), "sale"),
    "reject": (("to_approve",), "draft"),
    "cancel": (("draft", "sent", "to_approve", "sale"), "cancel"),
    "draft": (("sent", "cancel"), "draft"),
}

#: the steps only a Sales Manager may take
MANAGER_STEPS = frozenset({"approve", "reject"})

#: states in which the lines of an order are frozen
LOCKED_STATES = frozenset({"to_approve", "sale"})


class StateError(UserError):
    """A step refused because of the order's state (a wrong transition, lines of a locked
    order changed). A ``UserError`` everywhere; the REST routes answer it with 409 Conflict."""


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Sales Order"
    _order = "date_order desc, id desc"
    _check_company_auto = True
    #: changed by the workflow's steps only (see the module docstring)
    _protected_fields = ["state"]

    name = fields.Char(
        "Order Reference",
        required=True,
        copy=False,
        readonly=True,
        index="trigram",
        default="New",
        help="Given by the sequence 'sale.order' when the order is created.",
    )
    state = fields.Selection(
        ORDER_STATES,
        string="Status",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        default="draft",
        tracking=3,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        tracking=1,
    )
    date_order = fields.Datetime(
        "Order Date",
        required=True,
        copy=False,
        default=fields.Datetime.now,
        help="Creation date of a quotation, confirmation date of a sales order.",
    )
    validity_date = fields.Date(
        "Expiration", copy=False, help="The date until which the quotation's prices hold."
    )
    client_order_ref = fields.Char("Customer Reference", copy=False)
    note = fields.Html("Terms and conditions")
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index=True,
        default=lambda self: self.env.user,
        tracking=2,
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        index=True,
        check_company=True,
        help="The sales team the order is counted for (set from an opportunity by sale_crm).",
    )
    origin = fields.Char(
        "Source Document", help="The document that made this order (e.g. an opportunity)."
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id", store=True, string="Currency")
    order_line = fields.One2many("sale.order.line", "order_id", string="Order Lines", copy=True)

    amount_untaxed = fields.Monetary("Untaxed Amount", compute="_compute_amounts", store=True)
    amount_tax = fields.Monetary("Taxes", compute="_compute_amounts", store=True)
    amount_total = fields.Monetary("Total", compute="_compute_amounts", store=True, tracking=4)

    history_ids = fields.One2many(
        "sale.order.history",
        "order_id",
        string="History",
        help="Who took each step of the workflow, and when.",
    )

    # ------------------------------------------------------------------------------------------
    # amounts
    # ------------------------------------------------------------------------------------------
    @api.depends("order_line.price_subtotal", "order_line.price_tax", "order_line.price_total")
    def _compute_amounts(self):
        for order in self:
            lines = order.order_line
            order.amount_untaxed = sum(lines.mapped("price_subtotal"))
            order.amount_tax = sum(lines.mapped("price_tax"))
            order.amount_total = order.amount_untaxed + order.amount_tax

    # ------------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "New") == "New":
                # the number of the order's company, dated by the order
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                sequence_date = fields.Datetime.to_datetime(vals.get("date_order")) or None
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("sale.order", sequence_date=sequence_date)
                    or "New"
                )
        return super().create(vals_list)

    def write(self, vals):
        result = super().write(vals)
        if "company_id" in vals:
            # the lines follow their order's company: their products and taxes must too
            self.order_line._check_company()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_draft_or_cancel(self):
        for order in self:
            if order.state not in ("draft", "cancel"):
                raise UserError(
                    f"You cannot delete {order.name}: it is {order._state_label()}. "
                    "Cancel it first."
                )

    # ------------------------------------------------------------------------------------------
    # workflow
    # ------------------------------------------------------------------------------------------
    def action_quotation_sent(self):
        """Mark draft quotations as sent to the customer."""
        self._transition("send")
        return True

    def action_confirm(self):
        """Confirm the quotations: those whose total is under their company's approval
        threshold become sales orders, the others wait for a Sales Manager (``to_approve``)."""
        to_approve = self.filtered(lambda order: order._approval_required())
        to_confirm = self - to_approve
        # check every order before changing any
        to_confirm._check_transition("confirm")
        to_approve._check_transition("submit")
        to_confirm._transition("confirm", {"date_order": fields.Datetime.now()})
        to_approve._transition("submit")
        return True

    def action_approve(self):
        """Approve orders waiting for approval: they become sales orders (Sales Manager)."""
        self._transition("approve", {"date_order": fields.Datetime.now()})
        return True

    def action_reject(self):
        """Send orders waiting for approval back to quotations (Sales Manager)."""
        self._transition("reject")
        return True

    def action_cancel(self):
        """Cancel quotations and sales orders."""
        self._transition("cancel")
        return True

    def action_draft(self):
        """Turn sent or cancelled orders back into quotations."""
        self._transition("draft")
        return True

    def _approval_required(self) -> bool:
        """Whether confirming this order needs a Sales Manager: its total reaches its
        company's threshold (both are in the company's currency)."""
        self.ensure_one()
        return self.amount_total >= self.company_id.so_double_validation_amount

    def _check_transition(self, step: str) -> None:
        """Raise unless every order of ``self`` may take ``step`` now (and the user may)."""
        sources, target = TRANSITIONS[step]
        if step in MANAGER_STEPS and self and not self._is_sales_manager():
            raise AccessError(
                f"Only a Sales Manager can {step} orders waiting for approval "
                f"({', '.join(self.mapped('name'))})."
            )
        for order in self:
            if order.state not in sources:
                raise StateError(
                    f"Order {order.name} cannot go from {order._state_label()} to "
                    f"{order._state_label(target)} ({step}): only "
                    f"{' or '.join(order._state_label(state) for state in sources)} orders can."
                )

    def _transition(self, step: str, values: dict | None = None) -> None:
        """Take workflow ``step`` on every order of ``self``: check it is allowed, set the new
        state (and ``values``), and record who did it and when.

        ``values`` are written with the user's rights; the state, a protected field, as
        superuser once the step and the user's right to change the orders are checked."""
        if not self:
            return
        self._check_transition(step)
        sources, target = TRANSITIONS[step]
        previous = {order.id: order.state for order in self}
        if values:
            self.write(values)  # also checks that the user may change these orders
        else:
            self.check_access("write")
        self.sudo().write({"state": target})
        now = fields.Datetime.now()
        # The history is written by the workflow, not by the user: users may not edit it.
        self.env["sale.order.history"].sudo().create(
            [
                {
                    "order_id": order.id,
                    "step": step,
                    "from_state": previous[order.id],
                    "to_state": target,
                    "user_id": self.env.uid,
                    "date": now,
                }
                for order in self
            ]
        )

    def _check_lines_editable(self) -> None:
        """Raise ``UserError`` if an order of ``self`` waits for approval or is confirmed."""
        for order in self.sudo():
            if order.state in LOCKED_STATES:
                raise StateError(
                    f"The lines of {order.name} cannot be changed: it is "
                    f"{order._state_label()}. Cancel it and set it back to quotation first."
                )

    def _is_sales_manager(self) -> bool:
        return self.env.su or self.env.user.has_group("sales_team.group_sale_manager")

    def _state_label(self, state: str | None = None) -> str:
        """The label of ``state`` (default: the order's own state), e.g. 'To Approve'."""
        state = state or self.state
        return dict(ORDER_STATES).get(state, state)
