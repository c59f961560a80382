"""``erplite.http.rest``, the declaration layer under the orders REST API: input checks and
conversions, exception statuses, declaration errors, record schemas and the document."""

from __future__ import annotations

import datetime
import math

import pytest

from erplite.exceptions import AccessError, MissingError, UserError, ValidationError
from erplite.http import rest
from erplite.http.rest import InvalidInput, from_text, validate

LINE = {
    "type": "object",
    "properties": {
        "qty": {"type": "number", "minimum": 0, "maximum": 10},
        "ids": {"type": "array", "items": rest.ID, "maxItems": 2},
        "day": {"type": ["string", "null"], "format": "date"},
    },
    "required": ["qty"],
    "additionalProperties": False,
}
BODY = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 5},
        "lines": {"type": "array", "items": LINE},
    },
    "additionalProperties": False,
}


def invalid(schema, value) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        validate(schema, value)
    assert info.value.status == 400
    return info.value


# -- validate -----------------------------------------------------------------------------------


def test_validate_names_the_nested_field_and_value():
    error = invalid(BODY, {"lines": [{"qty": 1}, {"qty": 11}]})
    assert error.field == "lines[1].qty" and error.value == 11 and "at most 10" in error.message
    error = invalid(BODY, {"lines": [{"qty": 1, "ids": [1, 0]}]})
    assert error.field == "lines[0].ids[1]"
    assert invalid(BODY, {"lines": [{}]}).field == "lines[0].qty"
    assert invalid(BODY, {"colour": 1}).field == "colour"
    assert invalid(BODY, {"name": "abcdef"}).message == "name has more than 5 characters"
    assert "more than 2 items" in invalid(BODY, {"lines": [{"qty": 1, "ids": [1, 2, 3]}]}).message


def test_validate_types_as_json_schema():
    assert validate({"type": "integer"}, 3.0) == 3 and isinstance(
        validate({"type": "integer"}, 3.0), int
    )
    assert invalid({"type": "integer"}, 3.5).message == "the body must be of type integer"
    assert invalid({"type": "integer"}, True)  # a boolean is not an integer
    assert invalid({"type": "number"}, False)
    assert validate({"type": ["string", "null"]}, None) is None
    assert invalid({"type": "string"}, None)
    assert (
        invalid({"type": "string", "enum": ["a", "b"]}, "c").message
        == 'the body must be one of "a", "b"'
    )
    assert invalid({"type": "number"}, math.inf).message == "the body must be a finite number"
    assert invalid({"type": "number"}, math.nan)


def test_validate_refuses_text_postgresql_cannot_store():
    assert "NUL" in invalid({"type": "string"}, "a\x00").message
    assert "Unicode" in invalid({"type": "string"}, "a\ud800b").message


def test_validate_converts_dates_and_date_times_to_utc():
    assert validate({"type": "string", "format": "date"}, "2024-02-29") == datetime.date(
        2024, 2, 29
    )
    as_dt = {"type": "string", "format": "date-time"}
    assert validate(as_dt, "2024-03-01T01:30:00+02:00") == datetime.datetime(2024, 2, 29, 23, 30)
    assert validate(as_dt, "2024-03-01T01:30:00.5Z") == datetime.datetime(
        2024, 3, 1, 1, 30, 0, 500000
    )
    for text in ("2024-02-30", "2024-3-1", "20240301", "2024-03-01T10:00"):
        assert invalid({"type": "string", "format": "date"}, text)
    for text in ("2024-03-01", "2024-03-01T24:00:00Z", "0001-01-01T00:00:00+00:01", "now"):
        assert invalid(as_dt, text)


def test_validate_follows_components_and_any_of():
    ref = rest.component("TestLayerLine", LINE)
    assert validate({"type": "array", "items": ref}, [{"qty": 2}]) == [{"qty": 2}]
    assert invalid({"type": "array", "items": ref}, [{"qty": -1}]).field == "[0].qty"
    either = {"anyOf": [{"type": "integer"}, {"type": "string", "format": "date"}]}
    assert validate(either, "2024-01-01") == datetime.date(2024, 1, 1)
    assert "; or " in invalid(either, "x").message


@pytest.mark.parametrize(
    ("schema", "text", "value"),
    [
        ({"type": "integer"}, "42", 42),
        ({"type": "integer"}, "-7", -7),
        ({"type": "number"}, "2.5e2", 250.0),
        ({"type": "boolean"}, "false", False),
        ({"type": "string"}, "٣", "٣"),
        ({"type": "string", "format": "date"}, "2024-01-31", datetime.date(2024, 1, 31)),
    ],
)
def test_from_text_converts_parameters(schema, text, value):
    assert from_text(schema, text, "p") == value


@pytest.mark.parametrize(
    ("schema", "text"),
    [
        ({"type": "integer"}, "٣"),  # int() would take other scripts' digits
        ({"type": "integer"}, "1_000"),
        ({"type": "integer"}, " 1"),
        ({"type": "integer"}, "1.0"),
        ({"type": "number"}, "nan"),
        ({"type": "number"}, "inf"),
        ({"type": "boolean"}, "yes"),
        (rest.ID, "0"),
        (rest.ID, str(2**31)),
    ],
)
def test_from_text_refuses(schema, text):
    with pytest.raises(InvalidInput) as info:
        from_text(schema, text, "p")
    assert info.value.field == "p"


# -- statuses -----------------------------------------------------------------------------------


class LayerStateError(UserError):
    pass


def test_status_of_exceptions():
    assert rest.status_of(AccessError("x")) == 403
    assert rest.status_of(MissingError("x")) == 404
    assert rest.status_of(ValidationError("x")) == 422
    assert rest.status_of(UserError("x")) == 422
    assert rest.status_of(rest.RestError(418, "teapot")) == 418
    assert rest.status_of(KeyError("x")) is None
    assert rest.status_of(LayerStateError("x")) == 422
    rest.register_error_status(LayerStateError, 409)
    assert rest.status_of(LayerStateError("x")) == 409  # the most specific class wins
    assert rest.status_of(UserError("x")) == 422
    with pytest.raises(TypeError):
        rest.register_error_status(int, 409)


def test_error_body_names_the_field():
    body = rest.error_body(InvalidInput("lines[0].qty", "lines[0].qty must be at most 10", 11))
    assert body["name"] == "erplite.http.rest.InvalidInput"
    assert (body["message"], body["field"], body["value"]) == (
        "lines[0].qty must be at most 10",
        "lines[0].qty",
        11,
    )
    assert "field" not in rest.error_body(UserError("no"))


# -- declarations -------------------------------------------------------------------------------


def test_declaration_mistakes_are_refused():
    with pytest.raises(ValueError, match="unsupported JSON Schema keywords"):
        rest.component("TestLayerTypo", {"type": "object", "propertes": {}})
    with pytest.raises(ValueError, match="already named"):
        rest.component("Ref", {"type": "string"})
    with pytest.raises(ValueError, match="path parameters"):
        rest.Operation("GET", "/x/{a}", summary="x", responses={200: None}, operation_id="x")
    with pytest.raises(ValueError, match="no success response"):
        rest.Operation("GET", "/x", summary="x", responses={404: None}, operation_id="x")
    with pytest.raises(ValueError, match="auth"):
        rest.Operation(
            "GET", "/x", summary="x", responses={200: None}, auth="key", operation_id="x"
        )


def test_operations_imply_their_error_statuses():
    op = rest.Operation(
        "PATCH",
        "/things/{thing_id}",
        summary="x",
        path_params={"thing_id": rest.ID},
        body={"type": "object"},
        responses={200: None},
        errors={409: "Wrong state"},
        operation_id="x",
    )
    assert op.rule == "/things/<thing_id>"
    assert list(op.errors) == [400, 401, 403, 404, 409, 415, 422, 429]
    assert op.errors[409].startswith("Wrong state; or: The record is busy")
    assert "login throttle" in op.errors[429]
    create = rest.Operation(
        "POST", "/things", summary="x", body={"type": "object"}, responses={201: None},
        operation_id="z",
    )  # fmt: skip
    assert create.errors[409].startswith("The record is busy")
    session_only = rest.Operation(
        "GET", "/mine", summary="x", responses={200: None}, auth="user", operation_id="w"
    )
    assert list(session_only.errors) == [400, 401, 403, 409]  # no API key: no login throttle
    public = rest.Operation(
        "GET", "/doc", summary="x", responses={200: None}, auth="none", operation_id="y"
    )
    assert list(public.errors) == [400]  # an unknown query parameter, always


def test_document_operation_ids_are_unique(registry):
    ops = [
        rest.Operation("GET", "/a", summary="a", responses={200: None}, operation_id="read"),
        rest.Operation("GET", "/b", summary="b", responses={200: None}, operation_id="read"),
    ]
    doc = rest.build_document(ops, registry, title="t", version="1")
    assert [doc["paths"][p]["get"]["operationId"] for p in ("/a", "/b")] == ["read", "read_2"]
    assert doc["openapi"] == "3.1.0"
    assert list(doc["components"]["schemas"]) == ["Error"]  # only the components used


def test_document_lists_busy_and_throttled_with_retry_after(registry):
    ops = [
        rest.Operation(
            "POST", "/orders", summary="c", body={"type": "object"}, responses={201: None},
            operation_id="create",
        ),
    ]  # fmt: skip
    responses = rest.build_document(ops, registry, title="t", version="1")["paths"]["/orders"][
        "post"
    ]["responses"]
    for status in ("409", "429"):
        assert "Retry-After" in responses[status]["headers"], status
        assert responses[status]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    assert "busy" in responses["409"]["description"]
    assert "throttle" in responses["429"]["description"]


# -- record schemas -----------------------------------------------------------------------------


def test_record_schema_from_the_fields(registry):
    schema = rest.RecordSchema(
        "TestLayerProduct",
        "product.product",
        ["id", "name", "type", "categ_id", "company_id", "active"],
    ).json_schema(registry)
    props = schema["properties"]
    assert props["name"]["type"] == "string"  # required: never null
    assert props["type"]["enum"] == ["consu", "service", "product"]
    assert props["categ_id"]["$ref"] == "#/components/schemas/Ref"  # required many2one
    assert props["company_id"]["anyOf"] == [{"$ref": "#/components/schemas/Ref"}, {"type": "null"}]
    assert props["active"]["type"] == "boolean"
    assert schema["required"] == ["id", "name", "type", "categ_id", "company_id", "active"]
    with pytest.raises(ValueError, match="has no field 'colour'"):
        rest.RecordSchema("TestLayerBad", "res.partner", ["colour"]).json_schema(registry)
    if "test_orm.fields" in registry:  # a fixture model with a binary field
        with pytest.raises(TypeError, match="no JSON form"):
            rest.RecordSchema("TestLayerBin", "test_orm.fields", ["data"]).json_schema(registry)


def test_record_schema_values(env):
    company = env.ref("base.main_company")
    product = env["product.product"].create({"name": "Lamp", "default_code": "L1"})
    order = env["sale.order"].create(
        {
            "partner_id": company.partner_id.id,
            "date_order": datetime.datetime(2030, 1, 2, 3, 4, 5),
            "order_line": [(0, 0, {"product_id": product.id})],
        }
    )
    line_schema = rest.RecordSchema(
        "TestLayerLine2", "sale.order.line", ["id", "product_id", "tax_id"]
    )
    schema = rest.RecordSchema(
        "TestLayerOrder",
        "sale.order",
        ["id", "date_order", "validity_date", "note", "partner_id", "amount_total", "order_line"],
        nested={"order_line": line_schema},
    )
    value = schema.dump_one(order)
    assert value == {
        "id": order.id,
        "date_order": "2030-01-02T03:04:05Z",
        "validity_date": None,
        "note": None,
        "partner_id": {"id": company.partner_id.id, "name": company.partner_id.display_name},
        "amount_total": order.amount_total,
        "order_line": [
            {
                "id": order.order_line.id,
                "product_id": {"id": product.id, "name": "[L1] Lamp"},
                "tax_id": order.order_line.tax_id.ids,
            }
        ],
    }
    assert schema.dump(order.browse()) == []
