"""The restricted evaluator: what XML data and record rules may write, and what is refused."""

from __future__ import annotations

import datetime
import time

import pytest
from dateutil.relativedelta import relativedelta

from erplite.exceptions import AccessError
from erplite.tools import safe_eval as safe_eval_module
from erplite.tools.safe_eval import (
    BUILTIN_NAMES,
    SafeEvalError,
    date_context,
    safe_eval,
    safe_eval_domain,
)

# ---------------------------------------------------------------------------------------------
# Helpers: what a caller (the XML loader, the record-rule code) puts in the context
# ---------------------------------------------------------------------------------------------


class FakeCommand:
    """Odoo's Command, reduced to classmethods returning triplets, exposed through the hook."""

    _safe_eval_attributes = frozenset(
        {"create", "link", "set", "clear", "unlink", "delete", "update"}
    )

    @classmethod
    def create(cls, values):
        return (0, 0, values)

    @classmethod
    def update(cls, record_id, values):
        return (1, record_id, values)

    @classmethod
    def delete(cls, record_id):
        return (2, record_id, 0)

    @classmethod
    def unlink(cls, record_id):
        return (3, record_id, 0)

    @classmethod
    def link(cls, record_id):
        return (4, record_id, 0)

    @classmethod
    def clear(cls):
        return (5, 0, 0)

    @classmethod
    def set(cls, ids):
        return (6, 0, list(ids))

    @classmethod
    def secret(cls):  # not in _safe_eval_attributes
        return "leaked"


class FakeUser:
    """A record proxy exposing ``id`` (and a related record) but nothing else."""

    _safe_eval_attributes = frozenset({"id", "company_id", "name"})

    def __init__(self, uid, company=None):
        self.id = uid
        self.company_id = company
        self.password = "hunter2"

    @property
    def name(self):
        return f"user {self.id}"


class Plain:
    """An object with no hook: expressions may not touch any of its attributes."""

    value = 42

    def method(self):
        return "called"


XML_IDS = {"base.group_user": 11, "base.group_system": 12, "base.main_company": 1}


def ref(xml_id):
    return XML_IDS[xml_id]


def refused(expr, context=None, match=None, **kwargs):
    with pytest.raises(SafeEvalError, match=match) as info:
        safe_eval(expr, context, **kwargs)
    return info.value


# ---------------------------------------------------------------------------------------------
# Literals, operators, comparisons
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("42", 42),
        ("-3.5", -3.5),
        ("'abc'", "abc"),
        ("True", True),
        ("None", None),
        ("(1, 'a', None)", (1, "a", None)),
        ("[1, [2, 3]]", [1, [2, 3]]),
        ("{'a': 1, 'b': [2]}", {"a": 1, "b": [2]}),
        ("{1, 2, 2}", {1, 2}),
        ("()", ()),
        ("1 + 2 * 3 - 4", 3),
        ("7 / 2", 3.5),
        ("7 // 2", 3),
        ("7 % 3", 1),
        ("2 ** 10", 1024),
        ("1 << 4 | 1", 17),
        ("6 & 3 ^ 1", 3),
        ("-(5) + +2", -3),
        ("~0", -1),
        ("'ab' + 'cd'", "abcd"),
        ("'ab' * 3", "ababab"),
        ("[0] * 3", [0, 0, 0]),
        ("(1, 2) + (3,)", (1, 2, 3)),
        ("'%s-%03d' % ('x', 7)", "x-007"),
        ("not 0", True),
        ("1 and 'x'", "x"),
        ("0 or '' or 'y'", "y"),
        ("0 and undefined_name", 0),
        ("'yes' if 1 > 0 else 'no'", "yes"),
        ("'yes' if [] else 'no'", "no"),
        ("[10, 20, 30][1]", 20),
        ("[10, 20, 30][-1]", 30),
        ("'abcdef'[1:4]", "bcd"),
        ("[1, 2, 3, 4][::2]", [1, 3]),
        ("{'k': 'v'}['k']", "v"),
        ("\n    [(4, 1),\n     (6, 0, [1])]\n  ", [(4, 1), (6, 0, [1])]),
    ],
)
def test_literals_and_arithmetic(expr, expected):
    assert safe_eval(expr) == expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("1 < 2", True),
        ("2 <= 1", False),
        ("1 < 2 < 3", True),
        ("1 < 3 < 2", False),
        ("'a' == 'a' != 'b'", True),
        ("2 in [1, 2]", True),
        ("'x' not in 'abc'", True),
        ("'b' in {'a': 1, 'b': 2}", True),
        ("None is None", True),
        ("False is not None", True),
        ("(1, 2) >= (1, 1)", True),
    ],
)
def test_comparisons(expr, expected):
    assert safe_eval(expr) is expected


def test_context_names_shadow_builtins_and_are_looked_up_lazily():
    assert safe_eval("len + 1", {"len": 41}) == 42
    assert safe_eval("x if flag else y", {"flag": True, "x": 1}) == 1  # y never looked up


def test_whitelisted_builtins():
    assert BUILTIN_NAMES >= {"len", "min", "max", "sum", "sorted", "range", "zip", "enumerate"}
    assert safe_eval("len([1, 2, 3]) + abs(-2)") == 5
    assert safe_eval("min(3, 1, 2), max([3, 1, 2])") == (1, 3)
    assert safe_eval("sum([1, 2, 3]), sum([[1], [2]], [])") == (6, [1, 2])
    assert safe_eval("round(2.567, 2), round(2.5)") == (2.57, 2)
    assert safe_eval("any([0, 1]), all([1, 0])") == (True, False)
    assert safe_eval("sorted({3, 1, 2}, reverse=True)") == [3, 2, 1]
    assert safe_eval("list(enumerate('ab'))") == [(0, "a"), (1, "b")]
    assert safe_eval("dict(zip(['a', 'b'], [1, 2]))") == {"a": 1, "b": 2}
    assert safe_eval("list(range(2, 8, 3))") == [2, 5]
    assert safe_eval("int('12') + float('0.5') + bool(1)") == 13.5
    assert safe_eval("str(12) + str(tuple([1]))") == "12(1,)"
    assert safe_eval("set([1, 1]) == {1}") is True


def test_comprehensions_and_generator_expressions():
    assert safe_eval("[x * 2 for x in range(5) if x % 2]") == [2, 6]
    assert safe_eval("{k: v for k, v in [('a', 1), ('b', 2)]}") == {"a": 1, "b": 2}
    assert safe_eval("{x % 3 for x in range(10)}") == {0, 1, 2}
    assert safe_eval("sum(x for x in range(10))") == 45
    assert safe_eval("[(a, b) for a in [1, 2] for b in 'xy' if a > 1]") == [(2, "x"), (2, "y")]
    # The loop variable shadows the context only inside the comprehension.
    assert safe_eval("([x for x in [1, 2]], x)", {"x": "outer"}) == ([1, 2], "outer")
    ids = safe_eval("[c.id for c in companies]", {"companies": [FakeUser(3), FakeUser(5)]})
    assert ids == [3, 5]


def test_allowed_methods_of_builtin_types():
    assert safe_eval("' Ab '.strip().lower()") == "ab"
    assert safe_eval("'a,b'.split(',')") == ["a", "b"]
    assert safe_eval("'-'.join(['a', 'b'])") == "a-b"
    assert safe_eval("'abc'.replace('b', 'x').upper()") == "AXC"
    assert safe_eval("'{0}-{name}'.format(1, name='x')") == "1-x"
    assert safe_eval("'report.pdf'.endswith('.pdf')") is True
    assert safe_eval("[1, 2, 2].count(2), (1, 2).index(2)") == (2, 1)
    assert safe_eval("d.get('a'), d.get('z', 0), sorted(d.keys())", {"d": {"a": 1}}) == (
        1,
        0,
        ["a"],
    )
    assert safe_eval("list(d.items())", {"d": {"a": 1}}) == [("a", 1)]


# ---------------------------------------------------------------------------------------------
# What XML data files write: ref(), Command triplets, Command classmethods
# ---------------------------------------------------------------------------------------------


def test_ref_and_raw_command_triplets():
    context = {"ref": ref}
    assert safe_eval("[(4, ref('base.group_user'))]", context) == [(4, 11)]
    assert safe_eval("[(6, 0, [ref('base.group_user'), ref('base.group_system')])]", context) == [
        (6, 0, [11, 12])
    ]
    assert safe_eval("[(6, 0, [1, 2])]") == [(6, 0, [1, 2])]
    assert safe_eval("[(0, 0, {'name': 'Line', 'qty': 2})]") == [(0, 0, {"name": "Line", "qty": 2})]
    assert safe_eval("ref('base.main_company')", context) == 1


def test_command_classmethods_through_the_hook():
    context = {"Command": FakeCommand, "ref": ref}
    assert safe_eval("[Command.link(ref('base.group_user'))]", context) == [(4, 11, 0)]
    assert safe_eval("[Command.set([1, 2])]", context) == [(6, 0, [1, 2])]
    assert safe_eval("[Command.create({'name': 'x'}), Command.clear()]", context) == [
        (0, 0, {"name": "x"}),
        (5, 0, 0),
    ]
    assert safe_eval("[Command.update(3, {'a': 1}), Command.delete(4)]", context) == [
        (1, 3, {"a": 1}),
        (2, 4, 0),
    ]
    assert safe_eval("Command.unlink(7)", context) == (3, 7, 0)
    error = refused("Command.secret()", context)
    assert str(error) == "attribute access 'secret' is not allowed on class 'FakeCommand' at 1:0"


def test_errors_of_trusted_callables_are_wrapped_with_their_position():
    error = refused("[(4, ref('base.nope'))]", {"ref": ref}, filename="data/groups.xml")
    assert str(error) == "KeyError: 'base.nope' at data/groups.xml:1:5"
    assert isinstance(error.__cause__, KeyError)


def test_user_errors_pass_through_unchanged():
    def deny():
        raise AccessError("no")

    with pytest.raises(AccessError):
        safe_eval("deny()", {"deny": deny})


# ---------------------------------------------------------------------------------------------
# Date helpers
# ---------------------------------------------------------------------------------------------


def test_date_helpers():
    context = date_context()
    today = datetime.date.today()
    expected = (today - relativedelta(days=3)).strftime("%Y-%m-%d")
    assert safe_eval("(context_today() - relativedelta(days=3)).strftime('%Y-%m-%d')", context) == (
        expected
    )
    assert safe_eval("time.strftime('%Y-01-01')", context) == time.strftime("%Y-01-01")
    tomorrow = safe_eval("datetime.datetime.now() + timedelta(days=1)", context)
    assert isinstance(tomorrow, datetime.datetime)
    assert tomorrow - datetime.datetime.now() > datetime.timedelta(hours=23)
    assert safe_eval("datetime.date.today()", context) == today
    assert safe_eval("datetime.date(2024, 2, 29).replace(day=1).isoformat()", context) == (
        "2024-02-01"
    )
    assert safe_eval("date(2024, 1, 31) + relativedelta(months=1)", context) == datetime.date(
        2024, 2, 29
    )
    assert safe_eval("datetime.timedelta(days=2).days", context) == 2
    assert safe_eval("DateTime.today().replace(day=1).day", context) == 1
    assert safe_eval("datetime.now().year", context) == datetime.datetime.now().year
    combined = safe_eval(
        "datetime.datetime.combine(context_today(), datetime.time(8, 30))", context
    )
    assert combined == datetime.datetime.combine(today, datetime.time(8, 30))
    assert isinstance(safe_eval("time.time()", context), float)


def test_context_today_uses_the_time_zone():
    far_east = safe_eval("context_today()", date_context(tz="Pacific/Kiritimati"))
    far_west = safe_eval("context_today()", date_context(tz="Pacific/Pago_Pago"))
    assert far_east - far_west == datetime.timedelta(days=1)  # UTC+14 against UTC-11


# ---------------------------------------------------------------------------------------------
# Record-rule domains
# ---------------------------------------------------------------------------------------------


def test_record_rule_domains():
    context = {"company_ids": [1, 3], "user": FakeUser(7, company=FakeUser(1)), **date_context()}
    assert safe_eval_domain("[('company_id', 'in', company_ids)]", context) == [
        ("company_id", "in", [1, 3])
    ]
    assert safe_eval_domain(
        "['|', ('user_id', '=', user.id), ('user_id', '=', False)]", context
    ) == ["|", ("user_id", "=", 7), ("user_id", "=", False)]
    assert safe_eval_domain("[('company_id', '=', user.company_id.id)]", context) == [
        ("company_id", "=", 1)
    ]
    assert safe_eval_domain("['&', '!', ('a', '=', 1), ['b', 'ilike', user.name]]", context) == [
        "&",
        "!",
        ("a", "=", 1),
        ["b", "ilike", "user 7"],
    ]
    assert safe_eval_domain("[]", context) == []
    assert safe_eval_domain("[('date', '>=', time.strftime('%Y-%m-01'))]", context) == [
        ("date", ">=", time.strftime("%Y-%m-01"))
    ]


def test_record_proxy_exposes_only_declared_attributes():
    error = refused("user.password", {"user": FakeUser(7)})
    assert str(error) == "attribute access 'password' is not allowed on 'FakeUser' objects at 1:0"


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("('a', '=', 1)", "a domain must be a list, not tuple: ('a', '=', 1) in rule.xml"),
        (
            "[('a', '=', 1), 'x']",
            "invalid domain element #1: 'x' (expected a (field, operator, value) triple or "
            "one of '&', '|', '!') in rule.xml",
        ),
        ("[('a', '=')]", "invalid domain element #0: ('a', '=')"),
        ("['|', 42]", "invalid domain element #1: 42"),
    ],
)
def test_invalid_domains(expr, message):
    with pytest.raises(SafeEvalError) as info:
        safe_eval_domain(expr, {}, filename="rule.xml")
    assert str(info.value).startswith(message)


# ---------------------------------------------------------------------------------------------
# Refusals: names, attributes, syntax
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("__import__('os')", "name '__import__' is not allowed at 1:0"),
        ("os.system('ls')", "name 'os' is not defined at 1:0"),
        ("open('x')", "name 'open' is not defined at 1:0"),
        ("exec('1')", "name 'exec' is not defined at 1:0"),
        ("eval('1')", "name 'eval' is not defined at 1:0"),
        ("getattr(1, 'real')", "name 'getattr' is not defined at 1:0"),
        ("type(1)", "name 'type' is not defined at 1:0"),
        ("__builtins__", "name '__builtins__' is not allowed at 1:0"),
        ("lambda: 1", "lambda expressions are not allowed at 1:0"),
        ("[y := 1]", "assignment expressions (:=) are not allowed at 1:1"),
        ("f'{1}'", "f-strings are not allowed at 1:0"),
        ("b'x'", "bytes literals are not allowed at 1:0"),
        ("1j", "complex literals are not allowed at 1:0"),
        ("[*[1]]", "unpacking with '*' is not allowed at 1:1"),
        ("dict(**{'a': 1})", "unpacking with '**' is not allowed at 1:5"),
        ("{**{'a': 1}}", "unpacking with '**' is not allowed at 1:0"),
        ("[1] @ [2]", "operator '@' is not allowed at 1:0"),
        ("[x for x.y in [1]]", "comprehension targets must be names or tuples of names at 1:0"),
        ("1 +", "invalid syntax"),
        ("import os", "invalid syntax"),
    ],
)
def test_refused_names_and_syntax(expr, message):
    assert str(refused(expr)).startswith(message)


def test_dunder_attributes_are_refused_before_anything_runs():
    called = []
    error = refused("f() and ().__class__.__bases__", {"f": lambda: called.append(1)})
    assert "attribute access '__" in str(error) and "is not allowed at 1:" in str(error)
    assert called == []  # the whole tree is checked before evaluation
    assert str(refused("'abc'.__class__")) == "attribute access '__class__' is not allowed at 1:0"
    assert str(refused("datetime.date.today().__reduce__()", date_context())).startswith(
        "attribute access '__reduce__' is not allowed"
    )
    # Even an object whose hook lists a dunder name does not expose it.

    class Sneaky:
        _safe_eval_attributes = frozenset({"__class__"})

    assert "'__class__' is not allowed" in str(refused("s.__class__", {"s": Sneaky()}))


def test_attributes_of_plain_objects_are_refused():
    context = {"obj": Plain(), "Plain": Plain}
    assert str(refused("obj.value", context)) == (
        "attribute access 'value' is not allowed on 'Plain' objects at 1:0"
    )
    assert str(refused("obj.method()", context)) == (
        "attribute access 'method' is not allowed on 'Plain' objects at 1:0"
    )
    assert "on class 'Plain'" in str(refused("Plain.value", context))
    # Builtin types expose their table only; functions and modules expose nothing.
    assert "'format_map' is not allowed on 'str' objects" in str(refused("'x'.format_map({})"))
    assert "'copy' is not allowed on 'dict' objects" in str(refused("{}.copy()"))
    assert "'append' is not allowed on 'list' objects" in str(refused("[].append(1)"))
    assert "'fromkeys' is not allowed" in str(refused("dict.fromkeys([1])"))
    assert "'func' is not allowed on 'partial' objects" in str(refused("'-'.join.func"))
    assert "'year' is not allowed on 'function' objects" in str(
        refused("context_today.year", date_context())
    )


def test_only_named_callables_may_be_called():
    context = {"f": lambda: lambda: "inner", "funcs": [len]}
    message = "calling the result of an expression is not allowed"
    assert str(refused("f()()", context)).startswith(message)
    assert str(refused("funcs[0]([])", context)).startswith(message)
    assert str(refused("(f if 1 else f)()", context)).startswith(message)
    assert str(refused("[g() for g in funcs]", context)) == (
        "calling 'g' is not allowed: comprehension variables are not callable at 1:1"
    )


def test_str_format_cannot_reach_attributes_or_items():
    message = "format field '0.__class__' is not allowed"
    assert str(refused("'{0.__class__}'.format(1)")).startswith(message)
    assert "format field 'x[0]' is not allowed" in str(refused("'{x[0]}'.format(x=[1])"))


# ---------------------------------------------------------------------------------------------
# Refusals: bounded evaluation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("'a' * 10**9", "repetition too large: 1000000000 items (limit 1000000) at 1:0"),
        ("10**9 * 'a'", "repetition too large: 1000000000 items"),
        ("[[0] * 1000] * 1000", "repetition too large: 1001000 items"),
        ("10**10**10", "power too large: 10 ** 10000000000 (limit 4096 bits) at 1:0"),
        ("(10**1000) ** 100", "power too large"),
        ("3 ** 3000", "integer too large (limit 4096 bits) at 1:0"),
        ("1 << 10**9", "shift too large (limit 4096 bits)"),
        ("2**4000 * 2**4000", "integer too large"),
        ("range(10**9)", "range() too large (limit 1000000 items) at 1:0"),
        ("list(range(10**9))", "range() too large (limit 1000000 items) at 1:5"),
        ("range(10**100)", "range() too large"),
        ("('a' * 10**6).replace('a', 'bb')", "str.replace() result too large: 2000000 characters"),
        ("('-' * 20000).join(['x' * 10**5] * 9)", "str.join() result too large: 1060000 chara"),
        ("'{:>1000000000}'.format(1)", "format width 1000000000 is too large (limit 1000)"),
        ("'{:>{}}'.format(1, 10**9)", "format width 1000000000 is too large"),
        ("('{0}' * 1000).format('x' * 10**4)", "formatted string too large"),
        ("'%1000000000d' % 1", "%-format width 1000000000 is too large (limit 1000)"),
        ("'%*d' % (10**9, 1)", "'*' width in %-format is not allowed"),
        ("('%(a)s' * 100) % {'a': 'x' * 10**5}", "formatted string too large"),
        ("sum([[0] * 1000] * 999, [0] * 2000)", "sum() too large: 1001000 items"),
        ("round(5, -10**9)", "round() digits too large (limit 1000)"),
    ],
)
def test_bounded_evaluation(expr, message):
    assert message in str(refused(expr, date_context()))


def test_strftime_widths_are_bounded():
    context = date_context()
    assert "strftime width 999999999 is too large" in str(
        refused("datetime.datetime.now().strftime('%999999999Y')", context)
    )
    assert "strftime width 99999 is too large" in str(refused("time.strftime('%99999d')", context))
    assert safe_eval("time.strftime('%%99999d')", context) == "%99999d"  # a literal '%'


def test_node_and_depth_limits():
    too_many = "[" + ", ".join(["1"] * 10_001) + "]"
    assert str(refused(too_many)).startswith("expression too large: more than 10000 nodes at 1:")
    too_deep = "[" * 150 + "]" * 150
    assert str(refused(too_deep)).startswith("expression nested too deeply (limit 100 levels)")
    assert "nested too deeply" in str(refused("-" * 150 + "1"))
    # So deep that Python's own parser gives up: still a SafeEvalError.
    assert "nested too deeply" in str(refused("1" + "+1" * 20_000))
    assert "nested too deeply" in str(refused("-" * 20_000 + "1"))
    assert str(refused("x" * 300_000)).startswith("expression too long: 300000 characters")


def test_step_budget_bounds_comprehensions():
    expr = "[1 for a in range(1000) for b in range(1000)]"
    assert str(refused(expr)) == "evaluation too expensive: more than 200000 steps at 1:0"
    assert "too many 'for' clauses (limit 5)" in str(
        refused("[1 " + " ".join(f"for x{i} in [1]" for i in range(6)) + "]")
    )


def test_shared_references_are_counted_where_they_appear():
    # A comprehension can repeat a big value without '*': its result is measured deeply.
    expr = "[big for _ in range(20)]"
    assert "value too large: " in str(refused(expr, {"big": list(range(100_000))}))
    assert len(safe_eval(expr, {"big": list(range(1000))})) == 20


def test_limits_are_read_at_each_call(monkeypatch):
    monkeypatch.setattr(safe_eval_module, "MAX_SIZE", 10)
    assert "repetition too large: 11 items (limit 10)" in str(refused("'a' * 11"))
    assert safe_eval("'a' * 10") == "a" * 10
    monkeypatch.setattr(safe_eval_module, "MAX_NODES", 3)
    assert "more than 3 nodes" in str(refused("[1, 2, 3]"))


# ---------------------------------------------------------------------------------------------
# Error positions
# ---------------------------------------------------------------------------------------------


def test_error_positions_and_filename():
    error = refused("os", filename="security/rules.xml")
    assert str(error) == "name 'os' is not defined at security/rules.xml:1:0"
    assert (error.reason, error.lineno, error.col, error.filename) == (
        "name 'os' is not defined",
        1,
        0,
        "security/rules.xml",
    )
    # Columns are characters (not UTF-8 bytes); leading whitespace keeps positions exact.
    assert str(refused("'é' + missing")) == "name 'missing' is not defined at 1:6"
    error = refused("\n    [(4, 1),\n     (4, nope)]", filename="data.xml")
    assert str(error) == "name 'nope' is not defined at data.xml:3:9"
    error = refused("  [1, 2].__len__()", filename="data.xml")
    assert str(error) == "attribute access '__len__' is not allowed at data.xml:1:2"
    error = refused("1 +", filename="data.xml")
    assert error.filename == "data.xml" and str(error).startswith("invalid syntax")
    assert str(refused("1 / 0")) == "ZeroDivisionError: division by zero at 1:0"
    assert str(refused("x + 'a'", {"x": 1})).startswith("TypeError: unsupported operand")
    with pytest.raises(SafeEvalError, match="expression must be a string, not int"):
        safe_eval(42)


def test_safe_eval_error_is_a_value_error():
    assert issubclass(SafeEvalError, ValueError)
    with pytest.raises(ValueError):
        safe_eval("nope")
