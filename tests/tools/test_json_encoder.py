"""``erplite.tools.json_encoder`` writes, through orjson, the text ``json.dumps`` writes with
Odoo's conventions: byte for byte for every kind of value erplite returns, and the same values
where orjson's number format differs."""

from __future__ import annotations

import collections
import dataclasses
import datetime
import decimal
import enum
import json
import math
import types
import uuid
from typing import Any

import pytest
from markupsafe import Markup

from erplite.tools.json_encoder import _fast_text, dumps, dumps_bytes, json_default


def reference(value: Any) -> str:
    """What erplite wrote before orjson (and Odoo writes)."""
    return json.dumps(value, ensure_ascii=False, default=json_default, separators=(",", ":"))


Point = collections.namedtuple("Point", "x y")


class Amount(float):
    pass


class Code(int):
    pass


class Level(enum.IntEnum):
    HIGH = 3


class Color(str, enum.Enum):
    RED = "red"


class Attributes(dict):
    pass


@dataclasses.dataclass
class Pair:
    left: int
    right: int


class Plain:
    def __str__(self) -> str:
        return "plain object"


UTC = datetime.timezone.utc
PARIS = datetime.timezone(datetime.timedelta(hours=1))

#: Values erplite returns, each written byte for byte as json writes it.
IDENTICAL = {
    "date": datetime.date(2026, 12, 7),
    "date before year 1000": datetime.date(999, 1, 2),
    "date of year 1": datetime.date(1, 1, 1),
    "naive datetime": datetime.datetime(2026, 12, 7, 8, 15, 30, 123456),
    "aware datetime": datetime.datetime(2026, 12, 7, 9, 15, tzinfo=PARIS),
    "utc datetime": datetime.datetime(2026, 12, 7, 9, 15, tzinfo=UTC),
    "time": datetime.time(10, 30),
    "decimal": decimal.Decimal("1.50"),
    "decimal integer": decimal.Decimal("1200"),
    "decimal NaN": decimal.Decimal("NaN"),
    "floats": [0.1, 1.5, -0.0, 1e16, 1.5e300, 123456789.123, 2.5e-4, 100.0, 5e15],
    "NaN": math.nan,
    "infinities": [math.inf, -math.inf],
    "NaN in a record": [{"id": 1, "ratio": math.nan, "name": "x"}],
    "ints": [0, -1, 2**63 - 1, -(2**63), 2**64, 2**70, -(2**80)],
    "bools and null": [True, False, None],
    "bytes": b"raw bytes",
    "invalid utf-8 bytes": b"\xff\xfeok",
    "bytearray": bytearray(b"array"),
    "memoryview": memoryview(b"view"),
    "set": {3, 1, 2},
    "frozenset": frozenset({"b", "a"}),
    "unsortable set": {1},
    "non-ascii": "é à ß 中文 😀 \u2028\u2029 \x7f \x80",
    "control characters": "".join(chr(code) for code in range(32)),
    "quotes and slashes": 'a "quoted" \\ back/slash',
    "markup": Markup("<b>bold</b>"),
    "empty containers": [[], {}, ()],
    "tuple": (1, "two", 3.0),
    "named tuple": Point(1, 2),
    "int subclass": Code(7),
    "float subclass": Amount(2.5),
    "int enum": Level.HIGH,
    "str enum": Color.RED,
    "dict subclass": Attributes(a=1),
    "mapping proxy": types.MappingProxyType({"k": "v"}),
    "non-string keys": {1: "one", None: "none", False: "no", 2.5: "half"},
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "dataclass": Pair(1, 2),
    "other object": Plain(),
    "deep nesting": json.loads("[" * 300 + "]" * 300),
    "a page of records": [
        {
            "id": index,
            "name": f"SO{index:05d} «Müller»",
            "partner_id": (index, f"Partner {index}"),
            "amount_total": index * 10.25,
            "state": "draft",
            "date": datetime.date(2026, 1, 1) + datetime.timedelta(days=index),
            "write_date": datetime.datetime(2026, 1, 1, 12, 0) + datetime.timedelta(hours=index),
            "tag_ids": [1, 2, 3],
            "active": True,
            "note": False,
        }
        for index in range(80)
    ],
}


@pytest.mark.parametrize("value", IDENTICAL.values(), ids=IDENTICAL.keys())
def test_the_text_is_the_one_json_writes(value):
    expected = reference(value)
    assert dumps(value) == expected
    assert dumps_bytes(value) == expected.encode()


def test_a_jsonrpc_envelope_of_records_is_written_by_orjson():
    """The fast path is taken for what an RPC call returns (nothing for json to redo)."""
    envelope = {"jsonrpc": "2.0", "id": 3, "result": IDENTICAL["a page of records"]}
    assert _fast_text(envelope) == reference(envelope).encode()


@pytest.mark.parametrize(
    "value",
    [math.nan, {"x": None}, {1: "int key"}, 2**64, "lone \ud800 surrogate"],
    ids=["NaN", "null", "int key", "big int", "surrogate"],
)
def test_what_orjson_would_write_otherwise_is_left_to_json(value):
    assert _fast_text(value) is None
    assert dumps(value) == reference(value)


def test_a_small_float_has_a_shorter_exponent_but_the_same_value():
    values = [1e-7, 1.5e-10, -3e-5, 5e-324]
    text = dumps(values)
    assert text != reference(values)  # "1e-07" in json's text
    assert json.loads(text) == json.loads(reference(values)) == values


def test_a_plain_enum_is_written_as_its_value():
    """The one kind of value orjson writes otherwise (erplite returns none)."""

    class Shape(enum.Enum):
        ROUND = "round"

    assert dumps(Shape.ROUND) == '"round"'
    assert reference(Shape.ROUND) == '"Shape.ROUND"'


def test_errors_are_the_ones_json_raises():
    circular: list = []
    circular.append(circular)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps(circular)

    class Broken:
        def __str__(self) -> str:
            raise LookupError("no text")

    with pytest.raises(LookupError, match="no text"):
        dumps({"x": Broken()})
    with pytest.raises(UnicodeEncodeError):
        dumps_bytes("lone \ud800 surrogate")
    assert dumps("lone \ud800 surrogate") == reference("lone \ud800 surrogate")


def test_recordsets_are_written_as_their_ids(env):
    users = env["res.users"].search([], limit=3, order="id")
    assert users
    value = {"users": users, "empty": env["res.partner"]}
    assert (
        dumps(value) == reference(value) == f'{{"users":{users.ids},"empty":[]}}'.replace(" ", "")
    )
