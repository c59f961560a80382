"""The domain tree without a database: parsing, normalisation, errors, negation, constant
folding, equality, round trip, and the SQL each node renders, on fake models."""

from __future__ import annotations

import pytest

from erplite.orm import fields
from erplite.orm.domains import (
    AND,
    FALSE,
    FALSE_LEAF,
    OR,
    TRUE,
    TRUE_LEAF,
    Domain,
    DomainAnd,
    DomainCondition,
    DomainNot,
    DomainOr,
    normalize_domain,
)
from erplite.orm.fields_relational import Many2many, Many2one, One2many
from erplite.orm.query import Query

# ---------------------------------------------------------------------------------------------
# fake models: just what optimize() and to_sql() read
# ---------------------------------------------------------------------------------------------


class FakeModel:
    """A model class stand-in: ``_name``, ``_table``, ``_fields`` and an ``env`` mapping."""

    def __init__(self, model_name: str, env: dict, **definitions: fields.Field):
        self._name = model_name
        self._table = model_name.replace(".", "_")
        self.env = env
        self._fields = {}
        for fname, field in definitions.items():
            field.setup_attrs(self, fname)
            self._fields[fname] = field
        env[model_name] = self

    def _rec_name_search_field(self) -> str:
        return "name"

    def with_context(self, *args, **kwargs):
        return self

    def _search_is_vip(self, operator, value):
        return [("score", ">=" if (operator == "=") == bool(value) else "<", 100)]


def _models():
    env: dict = {}
    partner = FakeModel(
        "fake.partner",
        env,
        name=fields.Char(),
        score=fields.Integer(),
        active=fields.Boolean(),
        day=fields.Date(),
        country_id=Many2one("fake.country"),
        tag_ids=Many2many(
            "fake.tag", relation="fake_partner_tag_rel", column1="partner_id", column2="tag_id"
        ),
        line_ids=One2many("fake.line", "partner_id"),
        is_vip=fields.Boolean(store=False, compute="_compute_vip", search="_search_is_vip"),
        country_name=fields.Char(related="country_id.name", store=False),
        flag=fields.Boolean(),
    )
    FakeModel("fake.country", env, name=fields.Char(), code=fields.Char())
    FakeModel("fake.tag", env, name=fields.Char())
    FakeModel("fake.line", env, name=fields.Char(), partner_id=Many2one("fake.partner"))
    return partner


A = ("name", "=", "a")
B = ("score", ">", 1)
C = ("day", "<", "2024-01-01")


def _render(sql) -> tuple[str, tuple]:
    return sql.code.as_string(None), sql.params


# ---------------------------------------------------------------------------------------------
# parsing and normalisation
# ---------------------------------------------------------------------------------------------


def test_empty_and_constant_domains():
    assert Domain([]) is TRUE
    assert Domain([]).is_true()
    assert Domain(True) is TRUE and Domain(False) is FALSE
    assert Domain([TRUE_LEAF]) is TRUE
    assert Domain([FALSE_LEAF]) is FALSE
    assert list(TRUE) == [TRUE_LEAF] and list(FALSE) == [FALSE_LEAF]


def test_implicit_and():
    tree = Domain([A, B])
    assert isinstance(tree, DomainAnd)
    assert list(tree) == ["&", A, B]


def test_prefix_operators():
    tree = Domain(["|", A, "!", B])
    assert isinstance(tree, DomainOr)
    assert tree.children[0] == DomainCondition(*A)
    assert isinstance(tree.children[1], DomainNot)
    assert list(tree) == ["|", A, "!", B]


def test_implicit_and_after_an_operator():
    assert list(Domain(["|", A, B, C])) == ["&", "|", A, B, C]


def test_nested_operators_are_flattened():
    tree = Domain(["&", A, "&", B, C])
    assert isinstance(tree, DomainAnd) and len(tree.children) == 3
    assert list(tree) == ["&", "&", A, B, C]
    assert len(Domain(["|", "|", A, B, C]).children) == 3


def test_round_trip_to_list():
    for domain in (
        [A],
        ["&", A, B],
        ["|", A, "!", B],
        ["!", "|", A, B],
        ["&", "|", A, B, "|", B, C],
        [("country_id", "any", [("name", "=", "x")])],
        [("id", "in", [1, 2, 3])],
    ):
        assert list(Domain(domain)) == normalize_domain(domain)
        assert Domain(list(Domain(domain))) == Domain(domain)
    assert list(Domain([("country_id", "any", [A, B])])) == [("country_id", "any", ["&", A, B])]


def test_terms_are_normalised():
    assert list(Domain([("name", "IN", ("a", "b"))])) == [("name", "in", ("a", "b"))]
    assert list(Domain([("name", "=", ["a", "b"])])) == [("name", "in", ["a", "b"])]
    assert list(Domain([("name", "!=", ["a"])])) == [("name", "not in", ["a"])]
    assert list(Domain([("name", "in", "a")])) == [("name", "in", ["a"])]
    assert list(Domain([("flag", "in", True)])) == [("flag", "=", True)]
    assert list(Domain([("id", "in", {3, 1})])) == [("id", "in", [1, 3])]


def test_and_or_helpers():
    assert AND([[A], [B]]) == ["&", A, B]
    assert OR([[A], [B], [C]]) == ["|", "|", A, B, C]
    assert AND([[A], []]) == [A]
    assert OR([[A], [TRUE_LEAF]]) == [TRUE_LEAF]
    assert (Domain([A]) & Domain([B])) == Domain(["&", A, B])
    assert (Domain([A]) | [B]) == Domain(["|", A, B])
    assert ~Domain([A]) == Domain(["!", A])


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "domain, message",
    [
        ([("name", "bogus", 1)], "bogus"),
        ([("name", "=")], "Invalid domain term"),
        ([("name", "=", 1, 2)], "Invalid domain term"),
        (["|", A], "missing operand"),
        (["!"], "missing operand"),
        (["&", A], "missing operand"),
        ([42], "Invalid domain term"),
        ([("", "=", 1)], "Invalid field"),
        ([(None, "=", 1)], "Invalid field"),
        ("name = 1", "Invalid domain"),
        ([("name", None, 1)], "Invalid operator"),
    ],
)
def test_bad_domains_are_refused(domain, message):
    with pytest.raises(ValueError, match=message):
        Domain(domain)


def test_unknown_field_names_model_and_field():
    partner = _models()
    with pytest.raises(ValueError, match=r"fake\.partner\.nope"):
        Domain([("nope", "=", 1)]).optimize(partner)
    with pytest.raises(ValueError, match=r"fake\.country\.nope"):
        Domain([("country_id.nope", "=", 1)]).optimize(partner)
    with pytest.raises(ValueError, match="not a relation"):
        Domain([("name.x", "=", 1)]).optimize(partner)
    with pytest.raises(ValueError, match="any"):
        Domain([("name", "any", [A])]).optimize(partner)


# ---------------------------------------------------------------------------------------------
# optimisation: negation, constant folding, paths, non-stored fields
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "operator, negated",
    [
        ("=", "!="),
        ("!=", "="),
        ("<", ">="),
        (">=", "<"),
        (">", "<="),
        ("<=", ">"),
        ("in", "not in"),
        ("not in", "in"),
        ("like", "not like"),
        ("ilike", "not ilike"),
        ("not like", "like"),
        ("not ilike", "ilike"),
    ],
)
def test_negation_is_pushed_onto_the_operator(operator, negated):
    partner = _models()
    value = [1] if "in" in operator.split() else 1
    tree = Domain(["!", ("score", operator, value)]).optimize(partner)
    assert tree == DomainCondition("score", negated, value)


def test_de_morgan():
    partner = _models()
    tree = Domain(["!", "&", ("name", "=", "a"), ("score", "<", 3)]).optimize(partner)
    assert tree == Domain(["|", ("name", "!=", "a"), ("score", ">=", 3)])
    tree = Domain(["!", "|", ("name", "=", "a"), ("score", "<", 3)]).optimize(partner)
    assert tree == Domain(["&", ("name", "!=", "a"), ("score", ">=", 3)])
    assert Domain(["!", "!", A]).optimize(partner) == DomainCondition(*A)


def test_negation_without_an_inverse_operator_stays():
    partner = _models()
    tree = Domain(["!", ("name", "=like", "a%")]).optimize(partner)
    assert tree == DomainNot(DomainCondition("name", "=like", "a%"))
    assert Domain(["!", TRUE_LEAF]).optimize(partner) is FALSE


def test_negation_of_a_path_is_not_any():
    # Odoo 17's distribute_not leaves a path's negation alone: ! (a.b = x) is a not any [b = x]
    partner = _models()
    tree = Domain(["!", ("country_id.name", "=", "x")]).optimize(partner)
    assert tree == DomainCondition("country_id", "not any", DomainCondition("name", "=", "x"))
    # a negative operator on the path itself is not negated: some country not named x
    tree = Domain([("country_id.name", "!=", "x")]).optimize(partner)
    assert tree == DomainCondition("country_id", "any", DomainCondition("name", "!=", "x"))


def test_constant_folding():
    partner = _models()
    assert Domain([("name", "in", [])]).optimize(partner) is FALSE
    assert Domain([("name", "not in", [])]).optimize(partner) is TRUE
    assert Domain(["|", ("name", "in", []), A]).optimize(partner) == DomainCondition(*A)
    assert Domain(["&", ("name", "in", []), A]).optimize(partner) is FALSE
    assert Domain(["|", ("name", "not in", []), A]).optimize(partner) is TRUE
    assert Domain(["!", ("name", "in", [])]).optimize(partner) is TRUE
    assert Domain([("name", "=?", False)]).optimize(partner) is TRUE
    assert Domain([("name", "=?", "x")]).optimize(partner) == DomainCondition("name", "=", "x")
    assert (Domain([A]) & TRUE) == Domain([A])
    assert (Domain([A]) | TRUE) is TRUE
    assert (Domain([A]) & FALSE) is FALSE
    assert (Domain([A]) | FALSE) == Domain([A])


def test_paths_become_any():
    partner = _models()
    tree = Domain([("country_id.name", "=", "x")]).optimize(partner)
    assert tree == DomainCondition("country_id", "any", DomainCondition("name", "=", "x"))
    tree = Domain([("line_ids.partner_id.name", "ilike", "y")]).optimize(partner)
    inner = DomainCondition("partner_id", "any", DomainCondition("name", "ilike", "y"))
    assert tree == DomainCondition("line_ids", "any", inner)


def test_relational_value_by_name_searches_the_comodel():
    partner = _models()
    tree = Domain([("country_id", "ilike", "bel")]).optimize(partner)
    assert tree == DomainCondition("country_id", "any", DomainCondition("name", "ilike", "bel"))
    tree = Domain([("country_id", "not ilike", "bel")]).optimize(partner)
    assert tree == DomainCondition("country_id", "not any", DomainCondition("name", "ilike", "bel"))


def test_non_stored_fields_are_rewritten():
    partner = _models()
    assert Domain([("is_vip", "=", True)]).optimize(partner) == DomainCondition("score", ">=", 100)
    assert Domain([("country_name", "=", "x")]).optimize(partner) == DomainCondition(
        "country_id", "any", DomainCondition("name", "=", "x")
    )


def test_optimize_is_idempotent():
    partner = _models()
    for domain in (["|", A, "!", B], [("country_id.name", "=", "x")], ["!", "&", A, C]):
        once = Domain(domain).optimize(partner)
        assert once.optimize(partner) == once


# ---------------------------------------------------------------------------------------------
# immutability, equality and hashing
# ---------------------------------------------------------------------------------------------


def test_nodes_are_immutable():
    tree = Domain(["|", A, B])
    with pytest.raises(TypeError):
        tree.children = ()
    condition = DomainCondition(*A)
    with pytest.raises(TypeError):
        condition.value = "b"
    combined = tree & Domain([C])
    assert list(tree) == ["|", A, B]  # combining builds a new tree
    assert list(combined) == ["&", "|", A, B, C]


def test_equality_and_hash():
    first = Domain(["|", A, ("id", "in", [1, 2])])
    second = Domain(["|", A, ("id", "in", (1, 2))])
    assert first == second
    assert hash(first) == hash(second)
    assert len({first, second, Domain([A])}) == 2
    assert Domain([A]) != Domain([B])
    assert Domain(["&", A, B]) != Domain(["|", A, B])
    assert DomainCondition("name", "any", Domain([A])) == DomainCondition("name", "any", [A])


# ---------------------------------------------------------------------------------------------
# to_sql: each node renders itself, values are parameters
# ---------------------------------------------------------------------------------------------


def test_condition_sql_is_parameterised():
    partner = _models()
    query = Query(None, "fake_partner")
    code, params = _render(
        Domain([("name", "=", "x'; DROP TABLE t")])
        .optimize(partner)
        .to_sql(partner, "fake_partner", query)
    )
    assert code == '"fake_partner"."name" = %s'
    assert params == ("x'; DROP TABLE t",)


@pytest.mark.parametrize(
    "domain, expected_code, expected_params",
    [
        ([("name", "=", False)], '"t"."name" IS NULL', ()),
        ([("name", "!=", False)], '"t"."name" IS NOT NULL', ()),
        ([("name", "!=", "a")], '("t"."name" != %s OR "t"."name" IS NULL)', ("a",)),
        ([("score", "in", [1, False])], '("t"."score" = ANY(%s) OR "t"."score" IS NULL)', ([1],)),
        ([("score", "not in", [1])], '("t"."score" <> ALL(%s) OR "t"."score" IS NULL)', ([1],)),
        (
            [("score", "not in", [1, False])],
            '("t"."score" <> ALL(%s) AND "t"."score" IS NOT NULL)',
            ([1],),
        ),
        ([("name", "ilike", "ab")], '"t"."name"::text ILIKE %s', ("%ab%",)),
        (
            [("name", "not ilike", "ab")],
            '("t"."name"::text NOT ILIKE %s OR "t"."name" IS NULL)',
            ("%ab%",),
        ),
        ([("name", "=like", "a_")], '"t"."name"::text LIKE %s', ("a_",)),
        ([("flag", "=", True)], '"t"."flag" IS TRUE', ()),
        ([("flag", "=", False)], '"t"."flag" IS NOT TRUE', ()),
        ([("score", ">=", 3)], '"t"."score" >= %s', (3,)),
    ],
)
def test_condition_sql(domain, expected_code, expected_params):
    partner = _models()
    tree = Domain(domain).optimize(partner)
    code, params = _render(tree.to_sql(partner, "t", Query(None, "t")))
    assert code == expected_code
    assert params == expected_params


def test_and_or_not_sql():
    partner = _models()
    tree = Domain(["|", ("name", "=", "a"), "!", ("name", "=like", "b%")]).optimize(partner)
    code, params = _render(tree.to_sql(partner, "t", Query(None, "t")))
    assert code == '("t"."name" = %s OR (NOT ("t"."name"::text LIKE %s)))'
    assert params == ("a", "b%")
    assert _render(TRUE.to_sql(partner, "t", None)) == ("TRUE", ())
    assert _render(FALSE.to_sql(partner, "t", None)) == ("FALSE", ())


def test_many2many_sql_uses_the_relation_table():
    partner = _models()
    tree = Domain([("tag_ids", "in", [4, 5])]).optimize(partner)
    code, params = _render(tree.to_sql(partner, "t", Query(None, "t")))
    assert code == (
        'EXISTS (SELECT 1 FROM "fake_partner_tag_rel" AS "t__tag_ids" WHERE '
        '"t__tag_ids"."partner_id" = "t"."id" AND "t__tag_ids"."tag_id" = ANY(%s))'
    )
    assert params == ([4, 5],)
    code, _params = _render(
        Domain([("tag_ids", "=", False)]).optimize(partner).to_sql(partner, "t", Query(None, "t"))
    )
    assert code.startswith("NOT EXISTS (SELECT 1 FROM")
