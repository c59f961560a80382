"""The REST API of sales orders and products, for scripts, and its OpenAPI 3.1 document.

Routes (authentication: an API key in ``Authorization: bearer <key>``, or a logged-in
session; every call runs with the caller's access rights and record rules):

==========================================  ===============================================
``GET /api/orders``                         orders, filtered (``state``, ``partner_id``,
                                            ``user_id``, ``date_from``/``date_to`` on the order
                                            date, ``q``), paged (``limit``/``offset``), sorted
                                            (``order``, checked by the ORM)
``GET /api/orders/{order_id}``              one order with its lines
``POST /api/orders``                        a new quotation with its lines (201, ``Location``)
``PATCH /api/orders/{order_id}``            change a quotation (``draft`` only, else 409)
``POST /api/orders/{order_id}/confirm``     ``action_confirm`` (to ``sale`` or ``to_approve``)
``POST /api/orders/{order_id}/approve``     ``action_approve`` (Sales Manager, else 403)
``POST /api/orders/{order_id}/cancel``      ``action_cancel``
``GET /api/products``, ``/{product_id}``    products, read-only
``GET /api/openapi.json``                   the OpenAPI 3.1 document (no authentication)
==========================================  ===============================================

Worked example::

    curl -H "Authorization: bearer $KEY" -H "Content-Type: application/json" \\
         -d '{"partner_id": 7, "order_line": [{"product_id": 3, "product_uom_qty": 2}]}' \\
         https://erp.example.com/api/orders
    → 201 {"id": 42, "name": "SO/2026/00042", "state": "draft",
           "partner_id": {"id": 7, "name": "Azure Interior"}, ..., "order_line": [...]}

    curl -X POST -H "Authorization: bearer $KEY" https://erp.example.com/api/orders/42/confirm
    → 200 {..., "state": "sale"}     (409 when the order is not a quotation any more)

JSON forms: many2one values are ``{"id", "name"}`` (or ``null``) in responses and plain ids in
request bodies; dates ``YYYY-MM-DD``; datetimes RFC 3339, in UTC in responses; taxes are lists
of ids. Errors are JSON with their status: 400 bad input (``field`` names it), 401, 403, 404,
409 wrong state (``StateError``) or a record busy through every retry (with ``Retry-After``),
412 stale ``If-Match``, 415 not JSON, 422 a business rule or constraint refused it, 429 (with
``Retry-After``) an API key refused by the login throttle.

Optimistic concurrency: ``GET /api/orders/{order_id}`` (and every answer with one order) sends
the order's version as ``ETag``; ``PATCH`` and the workflow steps given ``If-Match: <that tag>``
change the order only if nobody changed it since, else 412 (read it again and retry).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from erplite import Command, http
from erplite.http import request, rest

from ..models.sale_order import ORDER_STATES, StateError

rest.register_error_status(StateError, 409)

# ---------------------------------------------------------------------------------------------
# Schemas: the JSON forms of records come from the models' fields; the inputs are declared here
# ---------------------------------------------------------------------------------------------

ORDER_LINE = rest.RecordSchema(
    "OrderLine",
    "sale.order.line",
    [
        "id",
        "sequence",
        "product_id",
        "name",
        "product_uom_qty",
        "price_unit",
        "discount",
        "tax_id",
        "price_subtotal",
        "price_tax",
        "price_total",
    ],
)
ORDER = rest.RecordSchema(
    "Order",
    "sale.order",
    [
        "id",
        "name",
        "state",
        "partner_id",
        "date_order",
        "validity_date",
        "client_order_ref",
        "note",
        "user_id",
        "company_id",
        "currency_id",
        "amount_untaxed",
        "amount_tax",
        "amount_total",
        "order_line",
    ],
    nested={"order_line": ORDER_LINE},
)
PRODUCT = rest.RecordSchema(
    "Product",
    "product.product",
    [
        "id",
        "name",
        "default_code",
        "type",
        "list_price",
        "standard_price",
        "uom_name",
        "categ_id",
        "taxes_id",
        "active",
        "company_id",
        "description",
    ],
)


ORDER_PAGE = rest.page_component("OrderPage", ORDER.ref)
PRODUCT_PAGE = rest.page_component("ProductPage", PRODUCT.ref)

MAX_LIMIT = 1000
PAGING = {
    "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": MAX_LIMIT,
        "default": 80,
        "description": "How many records at most (default 80)",
    },
    "offset": {
        "type": "integer",
        "minimum": 0,
        "maximum": rest.MAX_ID,
        "default": 0,
        "description": "How many matching records to skip",
    },
    "order": {
        "type": "string",
        "maxLength": 200,
        "description": 'Sort order, as the ORM reads it: "field [asc|desc], ..." '
        '(e.g. "date_order desc, id"); default the model\'s order',
    },
}

_QUANTITY = {"type": "number", "minimum": -1e9, "maximum": 1e9}
_PRICE = {"type": "number", "minimum": -1e12, "maximum": 1e12}
LINE_FIELDS: dict[str, Any] = {
    "product_id": {
        **rest.ID,
        "description": "The product sold (its description, price and taxes are proposed from it)",
    },
    "name": {"type": "string", "minLength": 1, "maxLength": 10000, "description": "Description"},
    "product_uom_qty": {**_QUANTITY, "description": "Quantity (default 1)"},
    "price_unit": {**_PRICE, "description": "Unit price (default the product's sales price)"},
    "discount": {"type": "number", "minimum": 0, "maximum": 100, "description": "Discount (%)"},
    "sequence": {**rest.INT32, "description": "Position among the lines"},
    "tax_id": {
        "type": "array",
        "items": rest.ID,
        "maxItems": 20,
        "description": "Taxes (ids; default the product's taxes of the order's company)",
    },
}
LINE_CREATE = rest.component(
    "OrderLineCreate",
    {
        "type": "object",
        "description": "A new order line.",
        "properties": LINE_FIELDS,
        "required": ["product_id"],
        "additionalProperties": False,
    },
)
LINE_WRITE = rest.component(
    "OrderLineWrite",
    {
        "type": "object",
        "description": "A line of the order: with `id`, an existing line of this order (the "
        "fields given change); without, a new line (`product_id` needed).",
        "properties": {"id": {**rest.ID, "description": "An existing line"}, **LINE_FIELDS},
        "additionalProperties": False,
    },
)
MAX_LINES = 200
ORDER_FIELDS: dict[str, Any] = {
    "partner_id": {**rest.ID, "description": "The customer"},
    "date_order": {
        "type": "string",
        "format": "date-time",
        "description": "Order date (RFC 3339; default now)",
    },
    "validity_date": {
        "type": ["string", "null"],
        "format": "date",
        "description": "Expiration of the quotation",
    },
    "client_order_ref": {"type": ["string", "null"], "maxLength": 1000},
    "note": {"type": ["string", "null"], "maxLength": 100000, "description": "Terms (HTML)"},
    "user_id": {
        "type": ["integer", "null"],
        "minimum": 1,
        "maximum": rest.MAX_ID,
        "description": "The salesperson (default the caller)",
    },
}
ORDER_CREATE = rest.component(
    "OrderCreate",
    {
        "type": "object",
        "description": "A new quotation and its lines.",
        "properties": {
            **ORDER_FIELDS,
            "company_id": {**rest.ID, "description": "Company (default the caller's)"},
            "order_line": {"type": "array", "items": LINE_CREATE, "maxItems": MAX_LINES},
        },
        "required": ["partner_id"],
        "additionalProperties": False,
    },
)
ORDER_UPDATE = rest.component(
    "OrderUpdate",
    {
        "type": "object",
        "description": "Changes to a quotation. `order_line`, when given, is the complete "
        "list of lines: lines with an `id` are kept (and changed), lines without are created, "
        "the order's other lines are deleted.",
        "properties": {
            **ORDER_FIELDS,
            "order_line": {"type": "array", "items": LINE_WRITE, "maxItems": MAX_LINES},
        },
        "additionalProperties": False,
    },
)

ORDER_ID = {"order_id": {**rest.ID, "description": "The order's id"}}
TAGS_ORDERS = ["Orders"]
TAGS_PRODUCTS = ["Products"]

# the values of a body field that are ids of records, with the model they must exist in
_ORDER_REFERENCES = {
    "partner_id": "res.partner",
    "user_id": "res.users",
    "company_id": "res.company",
}
_LINE_REFERENCES = {"product_id": "product.product", "tax_id": "account.tax"}


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _check_references(body: dict[str, Any]) -> None:
    """422 for an id of ``body`` (an order and its lines) that names no record, before the
    database refuses it; one query per model."""
    env = request.env
    found: list[tuple[str, str, int]] = []  # (field path, model, id)
    items = [("", body, _ORDER_REFERENCES)] + [
        (f"order_line[{index}].", line, _LINE_REFERENCES)
        for index, line in enumerate(body.get("order_line") or ())
    ]
    for prefix, values, references in items:
        for fname, model in references.items():
            value = values.get(fname)
            for rid in value if isinstance(value, list) else [value] if value else []:
                found.append((prefix + fname, model, rid))
    existing: dict[str, set[int]] = {}
    for model in {model for _path, model, _rid in found}:
        ids = sorted({rid for _path, name, rid in found if name == model})
        existing[model] = set(env[model].browse(ids).exists().ids)
    for path, model, rid in found:
        if rid not in existing[model]:
            raise rest.RestError(
                422,
                f"{path}: {env[model]._description} {rid} does not exist.",
                field=path,
                value=rid,
            )


def _line_values(line: dict[str, Any]) -> dict[str, Any]:
    values = {key: value for key, value in line.items() if key != "id"}
    if "tax_id" in values:
        values["tax_id"] = [Command.set(list(dict.fromkeys(values["tax_id"])))]
    return values


def _order_values(body: dict[str, Any]) -> dict[str, Any]:
    """The values to write of a checked body (lines apart), its references checked."""
    _check_references(body)
    values = {key: value for key, value in body.items() if key != "order_line"}
    if "user_id" in values and values["user_id"] is None:
        values["user_id"] = False
    return values


def _search_page(
    model: str,
    schema: rest.RecordSchema,
    domain: list,
    limit: int,
    offset: int,
    order: str | None,
) -> dict[str, Any]:
    Model = request.env[model]
    try:
        records = Model.search(domain, offset=offset, limit=limit, order=order or None)
    except ValueError as exc:  # the ORM refuses an order naming no sortable field
        raise rest.InvalidInput("order", str(exc), order) from None
    return {
        "count": Model.search_count(domain),
        "limit": limit,
        "offset": offset,
        "items": schema.dump(records),
    }


def _order(order_id: int, *, if_match: bool = False) -> Any:
    """The order ``order_id`` (404 if missing); with ``if_match``, 412 unless the request's
    ``If-Match`` (when given) names its current ``ETag``."""
    order = rest.get_record("sale.order", order_id)
    if if_match:
        rest.check_if_match(ORDER, order)
    return order


def _workflow_step(step: str, *, summary: str, errors: dict[int, str]) -> Callable:
    """Declare ``POST /api/orders/{order_id}/<step>``, a step of the order's workflow answered
    with the order (``errors``: the statuses the step adds, as for :func:`rest.operation`)."""
    return rest.operation(
        "POST",
        f"/api/orders/{{order_id}}/{step}",
        summary=summary,
        tags=TAGS_ORDERS,
        path_params=ORDER_ID,
        responses={200: ORDER.ref},
        errors=errors,
        conditional=True,
    )


def _run_step(order_id: int, action: str) -> rest.Reply:
    """Call the workflow method ``action`` (``"action_confirm"``) of order ``order_id`` (412
    when ``If-Match`` names an older version); the order's JSON form after it."""
    order = _order(order_id, if_match=True)
    getattr(order, action)()
    return rest.record_reply(ORDER, order)


# ---------------------------------------------------------------------------------------------
# routes
# ---------------------------------------------------------------------------------------------


class OrdersRestApi(http.Controller):
    @rest.operation(
        "GET",
        "/api/orders",
        summary="List sales orders",
        tags=TAGS_ORDERS,
        query={
            "state": {
                "type": "string",
                "enum": [state for state, _label in ORDER_STATES],
                "description": "Only the orders in this state",
            },
            "partner_id": {**rest.ID, "description": "Only the orders of this customer"},
            "user_id": {**rest.ID, "description": "Only the orders of this salesperson"},
            "date_from": {
                "type": "string",
                "format": "date",
                "description": "Only the orders dated this day or later (UTC)",
            },
            "date_to": {
                "type": "string",
                "format": "date",
                "description": "Only the orders dated this day or earlier (UTC)",
            },
            "q": {
                "type": "string",
                "maxLength": 200,
                "description": "Only the orders whose reference or customer reference "
                "contains this text",
            },
            **PAGING,
        },
        responses={200: ORDER_PAGE},
    )
    def list_orders(
        self,
        state: str | None,
        partner_id: int | None,
        user_id: int | None,
        date_from: datetime.date | None,
        date_to: datetime.date | None,
        q: str | None,
        limit: int,
        offset: int,
        order: str | None,
    ) -> dict[str, Any]:
        """The orders the caller may read, newest first unless `order` says otherwise."""
        domain: list = []
        if state:
            domain.append(("state", "=", state))
        if partner_id:
            domain.append(("partner_id", "=", partner_id))
        if user_id:
            domain.append(("user_id", "=", user_id))
        if date_from:
            domain.append(
                ("date_order", ">=", datetime.datetime.combine(date_from, datetime.time()))
            )
        if date_to:
            end = datetime.datetime.combine(date_to, datetime.time.max).replace(microsecond=0)
            domain.append(("date_order", "<=", end))
        if q:
            domain += ["|", ("name", "ilike", q), ("client_order_ref", "ilike", q)]
        return _search_page("sale.order", ORDER, domain, limit, offset, order)

    @rest.operation(
        "GET",
        "/api/orders/{order_id}",
        summary="Read a sales order",
        tags=TAGS_ORDERS,
        path_params=ORDER_ID,
        responses={200: ORDER.ref},
        conditional=True,
    )
    def read_order(self, order_id: int) -> rest.Reply:
        """The order and its lines, with the order's version as `ETag` (send it back as
        `If-Match` when changing the order)."""
        return rest.record_reply(ORDER, _order(order_id))

    @rest.operation(
        "POST",
        "/api/orders",
        summary="Create a quotation",
        tags=TAGS_ORDERS,
        body=ORDER_CREATE,
        responses={201: ORDER.ref},
        response_headers={201: {"Location": "The URL of the new order"}},
        conditional=True,
    )
    def create_order(self, body: dict[str, Any]) -> rest.Reply:
        """A new quotation (state `draft`) with its lines; its number comes from the
        `sale.order` sequence."""
        values = _order_values(body)
        values["order_line"] = [
            Command.create(_line_values(line)) for line in body.get("order_line") or ()
        ]
        order = request.env["sale.order"].create(values)
        return rest.record_reply(
            ORDER, order, 201, {"Location": request.url(f"/api/orders/{order.id}")}
        )

    @rest.operation(
        "PATCH",
        "/api/orders/{order_id}",
        summary="Change a quotation",
        tags=TAGS_ORDERS,
        path_params=ORDER_ID,
        body=ORDER_UPDATE,
        responses={200: ORDER.ref},
        errors={409: "The order is not a quotation in draft"},
        conditional=True,
    )
    def update_order(self, order_id: int, body: dict[str, Any]) -> rest.Reply:
        """Only quotations in `draft` change; any other state is a 409. With `If-Match`, only
        the version of the order it names changes (412 otherwise)."""
        order = _order(order_id, if_match=True)
        if order.state != "draft":
            raise StateError(
                f"Order {order.name} is {order._state_label()}: only quotations in draft can "
                "be changed."
            )
        values = _order_values(body)
        if "order_line" in body:
            current = set(order.order_line.ids)
            commands, kept = [], set()
            for index, line in enumerate(body["order_line"]):
                prefix = f"order_line[{index}]."
                line_id = line.get("id")
                if line_id is None:
                    if "product_id" not in line:
                        raise rest.RestError(
                            422,
                            f"{prefix}product_id: a new line needs a product.",
                            field=f"{prefix}product_id",
                        )
                    commands.append(Command.create(_line_values(line)))
                    continue
                if line_id not in current or line_id in kept:
                    raise rest.RestError(
                        422,
                        f"{prefix}id: {line_id} is not a line of {order.name}"
                        + (" (given twice)." if line_id in kept else "."),
                        field=f"{prefix}id",
                        value=line_id,
                    )
                kept.add(line_id)
                line_values = _line_values(line)
                if line_values:
                    commands.append(Command.update(line_id, line_values))
            commands[:0] = [Command.delete(line_id) for line_id in sorted(current - kept)]
            values["order_line"] = commands
        if values:
            order.write(values)
        return rest.record_reply(ORDER, order)

    @_workflow_step(
        "confirm",
        summary="Confirm a quotation",
        errors={409: "The order is not a quotation (draft or sent)"},
    )
    def confirm_order(self, order_id: int) -> rest.Reply:
        """Under the company's approval threshold the quotation becomes a sales order
        (`sale`); from the threshold on, it waits for a Sales Manager (`to_approve`)."""
        return _run_step(order_id, "action_confirm")

    @_workflow_step(
        "approve",
        summary="Approve an order waiting for approval",
        errors={
            403: "Not a Sales Manager, or the order is not readable",
            409: "The order is not waiting for approval",
        },
    )
    def approve_order(self, order_id: int) -> rest.Reply:
        """A Sales Manager approves an order in `to_approve`: it becomes a sales order."""
        return _run_step(order_id, "action_approve")

    @_workflow_step(
        "cancel", summary="Cancel an order", errors={409: "The order is already cancelled"}
    )
    def cancel_order(self, order_id: int) -> rest.Reply:
        """Quotations, orders waiting for approval and sales orders can be cancelled."""
        return _run_step(order_id, "action_cancel")

    # -- products -----------------------------------------------------------------------------
    @rest.operation(
        "GET",
        "/api/products",
        summary="List products",
        tags=TAGS_PRODUCTS,
        query={
            "q": {
                "type": "string",
                "maxLength": 200,
                "description": "Only the products whose name or internal reference contains "
                "this text",
            },
            "categ_id": {
                **rest.ID,
                "description": "Only the products of this category and its subcategories",
            },
            "type": {"type": "string", "enum": ["consu", "service", "product"]},
            "active": {
                "type": "boolean",
                "default": True,
                "description": "false: the archived products instead of the active ones",
            },
            **PAGING,
        },
        responses={200: PRODUCT_PAGE},
    )
    def list_products(
        self,
        q: str | None,
        categ_id: int | None,
        type: str | None,  # noqa: A002 - the field's name
        active: bool,
        limit: int,
        offset: int,
        order: str | None,
    ) -> dict[str, Any]:
        """The products the caller may read."""
        domain: list = [("active", "=", bool(active))]
        if q:
            domain += ["|", ("name", "ilike", q), ("default_code", "ilike", q)]
        if categ_id:
            domain.append(("categ_id", "child_of", categ_id))
        if type:
            domain.append(("type", "=", type))
        return _search_page("product.product", PRODUCT, domain, limit, offset, order)

    @rest.operation(
        "GET",
        "/api/products/{product_id}",
        summary="Read a product",
        tags=TAGS_PRODUCTS,
        path_params={"product_id": {**rest.ID, "description": "The product's id"}},
        responses={200: PRODUCT.ref},
        conditional=True,
    )
    def read_product(self, product_id: int) -> rest.Reply:
        """The product, archived or not."""
        return rest.record_reply(PRODUCT, rest.get_record("product.product", product_id))

    # -- the document -------------------------------------------------------------------------
    @rest.operation(
        "GET",
        "/api/openapi.json",
        summary="This API's OpenAPI 3.1 document",
        tags=["Meta"],
        auth="none",
        responses={200: {"type": "object"}},
    )
    def openapi(self) -> dict[str, Any]:
        """Generated from the declarations of the REST routes installed in this database."""
        return rest.openapi_document(
            title="erplite REST API",
            version="1.0",
            description="Sales orders and products, for scripts. Authenticate with an API key "
            "(`Authorization: bearer <key>`) or a session; every call runs with the caller's "
            "access rights. Errors are JSON objects with their HTTP status.",
        )
