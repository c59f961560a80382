"""Array parameters sent as PostgreSQL array literals (``erplite.orm.arrays``): the values the
server reads back are the ones sent, whatever their kind."""

from __future__ import annotations

import math

from erplite.orm.arrays import array_literal, array_param
from erplite.sql import SQL


def _round_trip(env, values, sql_type):
    env.cr.execute(SQL("SELECT %s", array_param(values, sql_type)), flush=False)
    return env.cr.fetchone()[0]


def test_ints_floats_and_booleans_are_literals(env):
    assert array_literal([3, 1, 2]) == "{3,1,2}"
    assert array_literal((1.5, 2.0)) == "{1.5,2.0}"
    assert array_literal([True, None, False]) == "{t,NULL,f}"
    assert array_literal([]) == "{}"
    assert _round_trip(env, [3, 1, None, -7], "int4") == [3, 1, None, -7]
    assert _round_trip(env, [True, False, None], "bool") == [True, False, None]
    assert _round_trip(env, (), "int4") == []


def test_floats_keep_every_digit_and_special_values(env):
    values = [0.1, 1 / 3, 1e300, -2.5e-310, 123456789.123456789, 2, None]
    assert _round_trip(env, values, "float8") == [
        float(v) if v is not None else None for v in values
    ]
    special = _round_trip(env, [math.inf, -math.inf, math.nan], "float8")
    assert special[:2] == [math.inf, -math.inf] and math.isnan(special[2])


def test_other_values_go_in_binary(env):
    assert array_literal(["a", "b"]) is None
    assert array_literal([1, "1"]) is None
    assert _round_trip(env, ['x"y\\z', "{,}", None], "varchar") == ['x"y\\z', "{,}", None]
