"""The ORM's speed shortcuts, each owned by its class: for each, a test that shows the shortcut
is taken and one that shows the general path gives the same result."""

from __future__ import annotations

from typing import Any

import pytest

from erplite import Command
from erplite.orm.create_plan import _fragment
from erplite.sql import SQL, BinaryParam, count_queries

ORDER = "test_orm.bench.order"
LINE = "test_orm.bench.order.line"


def _order_vals(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "line_ids": [
            Command.create({"quantity": quantity, "price_unit": 2.5}) for quantity in (1, 2, 4)
        ],
    }


def _snapshot(order: Any) -> tuple[Any, ...]:
    lines = sorted((line.quantity, line.price_unit, line.subtotal) for line in order.line_ids)
    return order.amount_total, lines


# -- a parent and its lines in one statement (_creates_plainly) ---------------------------------


def test_create_steps_are_noted_once_per_model_class_at_setup(registry: Any) -> None:
    """Whether a model keeps the ORM's own create steps is a class attribute set at setup,
    on each model class itself: not compared method by method on each create."""
    assert registry.models[LINE].__dict__["_create_steps_plain"] is True
    assert registry.models["test_orm.nested.note"].__dict__["_create_steps_plain"] is False


def test_lines_go_in_their_parent_statement(env: Any) -> None:
    env[ORDER].create(_order_vals("warm"))
    env.flush_all()
    with count_queries() as statements:
        order = env[ORDER].create(_order_vals("fused"))
    assert len(statements) == 1  # the order and its three lines: one INSERT of CTEs
    env.flush_all()
    env.invalidate_all()
    assert _snapshot(order) == (17.5, [(1.0, 2.5, 2.5), (2.0, 2.5, 5.0), (4.0, 2.5, 10.0)])


def test_lines_created_by_their_own_create_give_the_same_records(
    env: Any, registry: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fused = env[ORDER].create(_order_vals("fused"))
    env.flush_all()
    # the line model as if it overrode a step of create: its lines get their own INSERT
    monkeypatch.setattr(registry.models[LINE], "_create_steps_plain", False)
    monkeypatch.setattr(env[LINE]._crud_plan(), "plain_links", {})
    with count_queries() as statements:
        general = env[ORDER].create(_order_vals("general"))
    assert len(statements) == 2
    env.flush_all()
    env.invalidate_all()
    assert _snapshot(general) == _snapshot(fused)


# -- pre-rendered INSERT templates (SQL.raw) ----------------------------------------------------


def test_an_insert_template_is_not_parsed_again() -> None:
    template = "INSERT INTO t (a, b) VALUES (%s, %s), (%s, %s)"
    fragment = _fragment(template, [1, "x", None, 2.5])
    assert fragment.text is template  # taken as rendered
    parsed = SQL(template, 1, "x", None, 2.5)
    assert (fragment.text, fragment.params) == (parsed.text, parsed.params)


def test_an_insert_template_with_binary_values_is_parsed() -> None:
    template = "INSERT INTO t (a, b) VALUES (%s, %s)"
    blob = BinaryParam([1, 2])
    fragment = _fragment(template, [1, blob])
    assert fragment.text == "INSERT INTO t (a, b) VALUES (%s, %b)"
    assert fragment.params == (1, [1, 2])


def test_sql_raw_keeps_text_and_params() -> None:
    parsed = SQL("SELECT %s, %s", 1, "a")
    raw = SQL.raw(parsed.text, list(parsed.params))
    assert (raw.text, raw.params) == (parsed.text, parsed.params)
    assert isinstance(raw.params, tuple)


# -- what an environment derives from itself, once ------------------------------------------------


def test_create_skips_default_get_without_default_keys_in_the_context(env: Any) -> None:
    assert env._has_default_keys is False
    assert "_has_default_keys" in env.__dict__  # computed once for the environment
    record = env["test_orm.base"].create({"name": "plain"})
    assert (record.value, record.partner_id) == (0, env["test_orm.partner"])


def test_create_asks_default_get_with_default_keys_in_the_context(env: Any) -> None:
    partner = env["test_orm.partner"].create({"name": "Default"})
    context_env = env["test_orm.base"].with_context(default_partner_id=partner.id).env
    assert context_env._has_default_keys is True
    record = env["test_orm.base"].with_env(context_env).create({"name": "with defaults"})
    assert (record.value, record.partner_id) == (0, partner)


def test_the_environment_of_created_lines_is_derived_once(env: Any) -> None:
    lines_env = env._active_test_off
    assert lines_env is env._active_test_off
    assert lines_env.context["active_test"] is False
    assert (lines_env.uid, lines_env.su, lines_env.cr) == (env.uid, env.su, env.cr)
    assert lines_env is env(context={**env.context, "active_test": False})


def test_a_field_knows_once_whether_it_is_a_column(env: Any) -> None:
    for field in env["test_orm.base"]._fields.values():
        assert field.stored_column == bool(field.store and field.column_type is not None)
    assert env["test_orm.base"]._fields["value"].stored_column is True
    assert env["test_orm.base"]._fields["value_ctx"].stored_column is False


# -- display names read in the search's statement (registry.display_name_joins) -----------------


def test_display_names_joined_equal_those_read_apart(env: Any, registry: Any) -> None:
    partners = env["test_orm.partner"].create([{"name": "Joined A"}, {"name": "Joined B"}])
    records = env["test_orm.base"].create(
        [{"name": f"J{i}", "partner_id": partners[i % 2].id} for i in range(3)]
    )
    env.flush_all()
    env.invalidate_all()
    with count_queries() as statements:
        rows = records.search_read([("id", "in", records.ids)], ["partner_id"], order="id")
    assert len(statements) == 1  # the partners' names came with the records
    field = env["test_orm.base"]._fields["partner_id"]
    assert registry.display_name_joins[field] is env["test_orm.partner"]._fields["name"]
    env.invalidate_all()
    apart = [(r.partner_id.id, r.partner_id.display_name) for r in records]
    assert [row["partner_id"] for row in rows] == apart


# -- create's rows: names shared per row shape, rows completed in place (_create_rows) ----------


def test_rows_of_one_shape_share_their_names_and_keep_the_callers_values(env: Any) -> None:
    """Rows giving the same names share one set of names, and the rows are completed with the
    magic columns in place: neither may leak into the caller's dicts or into another row."""
    order = env[ORDER].create({"name": "shapes"})
    vals_list = [
        {"order_id": order.id, "quantity": 2.0, "price_unit": 1.5},
        {"order_id": order.id, "quantity": 3.0, "price_unit": 2.0},
    ]
    line_model = env[LINE]
    _rows, _relational, _inverses, given = line_model._create_rows(
        [dict(vals) for vals in vals_list]
    )
    assert given[0] is given[1]
    assert given[0] == {"order_id", "quantity", "price_unit"}
    lines = line_model.create(vals_list)
    env.flush_all()
    env.invalidate_all()
    assert lines.mapped("subtotal") == [3.0, 6.0]
    assert order.amount_total == 9.0
    assert vals_list[1] == {"order_id": order.id, "quantity": 3.0, "price_unit": 2.0}


def test_a_row_lacking_a_column_others_give_inserts_null(env: Any) -> None:
    order = env[ORDER].create({"name": "ragged"})
    given = [
        {"order_id": order.id, "quantity": 2.0, "price_unit": 4.0},
        {"order_id": order.id, "quantity": 5.0},
    ]
    lines = env[LINE].create(given)
    env.flush_all()
    env.invalidate_all()
    env.cr.execute(
        SQL(
            "SELECT quantity, price_unit, create_uid FROM test_orm_bench_order_line "
            "WHERE id = ANY(%s) ORDER BY id",
            list(lines.ids),
        )
    )
    assert env.cr.fetchall() == [(2.0, 4.0, env.uid), (5.0, None, env.uid)]
    assert given[1] == {"order_id": order.id, "quantity": 5.0}


# -- the prefetch's SELECT kept by the registry (registry.fetch_statements) ---------------------


def _fetch_partner_names(env: Any, partners: Any) -> list[str]:
    env.invalidate_all()
    return [partner.name for partner in partners]


def test_the_fetch_statement_is_built_once_and_reused_for_other_ids(
    env: Any, registry: Any
) -> None:
    partners = env["test_orm.partner"].create([{"name": f"Kept {i}"} for i in range(4)])
    env.flush_all()
    registry.fetch_statements.clear()
    assert _fetch_partner_names(env, partners[:2]) == ["Kept 0", "Kept 1"]
    keys = [key for key in registry.fetch_statements if key[0] == "test_orm.partner"]
    assert len(keys) == 1
    text = registry.fetch_statements[keys[0]]
    assert '"test_orm_partner"."id" = ANY(%s::int4[])' in text
    with count_queries() as statements:
        assert _fetch_partner_names(env, partners[2:]) == ["Kept 2", "Kept 3"]
    assert [str(q) for q in statements] == [text]  # the kept text, other ids as its parameter
    assert registry.fetch_statements[keys[0]] is text


def test_a_fetch_without_the_kept_statement_reads_the_same_values(env: Any, registry: Any) -> None:
    partners = env["test_orm.partner"].create([{"name": "Built A"}, {"name": "Built B"}])
    env.flush_all()
    kept = _fetch_partner_names(env, partners)
    with count_queries() as statements:
        kept_again = _fetch_partner_names(env, partners)
    registry.fetch_statements.clear()
    with count_queries() as built:
        assert _fetch_partner_names(env, partners) == kept == kept_again
    assert [str(q) for q in built] == [str(q) for q in statements]


def test_a_record_rule_is_applied_to_the_fetch_whatever_the_kept_statement(
    env: Any, registry: Any, internal_user: Any
) -> None:
    from erplite.exceptions import AccessError

    partners = env["test_orm.partner"].create([{"name": "Open"}, {"name": "Secret"}])
    env.flush_all()
    assert _fetch_partner_names(env, partners) == ["Open", "Secret"]  # kept, as superuser
    env["ir.rule"].create(
        {
            "name": "no secrets",
            "model_id": env.ref("test_orm.model_test_orm_partner").id,
            "domain_force": "[('name', '!=', 'Secret')]",
        }
    )
    env.flush_all()
    env.invalidate_all()
    shown, hidden = partners.with_user(internal_user)
    with count_queries() as statements:
        assert shown.name == "Open"
    fetches = [str(q) for q in statements if 'FROM "test_orm_partner"' in str(q)]
    assert len(fetches) == 1
    assert fetches[0].endswith(
        'AND ("test_orm_partner"."name" != %s OR "test_orm_partner"."name" IS NULL)'
    )
    assert fetches[0] not in registry.fetch_statements.values()  # built with the rule, not kept
    with pytest.raises(AccessError):
        _ = hidden.name


# -- a batch of consecutive ids fetched by its bounds (model_fetch._id_run) --------------------


def _partner_fetches(statements: Any) -> list[str]:
    return [str(q) for q in statements if 'FROM "test_orm_partner"' in str(q)]


def test_a_batch_of_consecutive_ids_is_fetched_by_its_bounds(env: Any, registry: Any) -> None:
    """40 partners created together have consecutive ids: their batch is read through the
    primary key's range, with the values of the array's fetch, ascending or descending; a
    batch with a hole, or smaller than ``RUN_MIN``, sends its ids."""
    partners = env["test_orm.partner"].create([{"name": f"Run {i}"} for i in range(40)])
    env.flush_all()
    assert partners.ids == list(range(partners.ids[0], partners.ids[0] + 40))
    expected = [f"Run {i}" for i in range(40)]
    with count_queries() as statements:
        assert _fetch_partner_names(env, partners) == expected
    fetches = _partner_fetches(statements)
    assert len(fetches) == 1
    assert '"test_orm_partner"."id" BETWEEN %s::int4 AND %s::int4' in fetches[0]
    bounds = (partners.ids[0], partners.ids[-1])
    name = [partners._fields["name"]]
    assert partners._fetch_columns_sql(name, None).params == bounds
    assert partners[::-1]._fetch_columns_sql(name, None).params == bounds
    assert _fetch_partner_names(env, partners[::-1]) == expected[::-1]
    with count_queries() as statements:  # the 21st left out: the others' ids are sent
        holed = partners[:20] + partners[21:]
        assert _fetch_partner_names(env, holed) == expected[:20] + expected[21:]
    fetches = _partner_fetches(statements)
    assert len(fetches) == 1 and "BETWEEN" not in fetches[0]
    with count_queries() as statements:
        few = partners.browse(partners.ids[:31])  # its own prefetch set
        assert _fetch_partner_names(env, few) == expected[:31]
    assert "BETWEEN" not in _partner_fetches(statements)[0]


def test_a_record_rule_is_applied_to_a_fetch_by_bounds(
    env: Any, registry: Any, internal_user: Any
) -> None:
    from erplite.exceptions import AccessError

    partners = env["test_orm.partner"].create(
        [{"name": "Secret" if i % 2 else f"Open {i}"} for i in range(40)]
    )
    env["ir.rule"].create(
        {
            "name": "no secrets",
            "model_id": env.ref("test_orm.model_test_orm_partner").id,
            "domain_force": "[('name', '!=', 'Secret')]",
        }
    )
    env.flush_all()
    env.invalidate_all()
    as_user = partners.with_user(internal_user)
    with count_queries() as statements:
        assert as_user[0].name == "Open 0"
    fetches = _partner_fetches(statements)
    assert len(fetches) == 1 and "BETWEEN" in fetches[0]
    assert fetches[0].endswith(
        'AND ("test_orm_partner"."name" != %s OR "test_orm_partner"."name" IS NULL)'
    )
    assert as_user[38].name == "Open 38"
    with pytest.raises(AccessError):
        _ = as_user[1].name


# -- the prefetch's rows in binary (Cursor.execute(binary=True)) -------------------------------


def _every_column(env: Any) -> list[Any]:
    """The columns the prefetch of ``test_orm.fields`` reads together."""
    model = env["test_orm.fields"]
    return model._prefetch_fields(model._fields["name"])


def _cached_columns(env: Any, record: Any) -> dict[str, Any]:
    cache = env.transaction.cache
    return {f.name: cache.get_value(record.id, f, env) for f in _every_column(env)}


@pytest.fixture
def every_type(env: Any) -> Any:
    """Two records of every column type, the second one empty."""
    currency = env["res.currency"].search([], limit=1)
    records = env["test_orm.fields"].create(
        [
            {
                "name": "Binary é",
                "code": "BN",
                "text": "line 1\nline 2",
                "html": "<p>rich</p>",
                "count": -7,
                "ratio": 0.1 + 0.2,
                "price": 12.34,
                "currency_id": currency.id,
                "amount": 99.99,
                "flag": True,
                "day": "2026-12-07",
                "moment": "2026-12-07 11:59:58",
                "state": "done",
                "data": b"\x00\x01bytes",
                "payload": {"a": [1, 2.5, None, "x"], "b": {"c": True}},
                "target_id": env["test_orm.target"].create({"name": "T"}).id,
            },
            {"name": "Empty", "flag": False, "default_count": 0, "greeting": False},
        ]
    )
    env.flush_all()
    return records


def test_the_prefetch_reads_its_rows_in_binary(
    env: Any, every_type: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from erplite.sql import Cursor

    sent: list[tuple[str, bool]] = []
    execute = Cursor.execute

    def noting(self: Any, query: Any, params: Any = None, **kwargs: Any) -> Any:
        sent.append((str(getattr(query, "text", query)), kwargs.get("binary", False)))
        return execute(self, query, params, **kwargs)

    monkeypatch.setattr(Cursor, "execute", noting)
    env.invalidate_all()
    assert every_type[0].name == "Binary é"
    fetches = [binary for text, binary in sent if 'FROM "test_orm_fields"' in text]
    assert fetches == [True]


def test_values_fetched_in_binary_equal_those_fetched_as_text(env: Any, every_type: Any) -> None:
    env.invalidate_all()
    assert every_type[0].name == "Binary é"  # the prefetch: both records, in binary
    binary = [_cached_columns(env, record) for record in every_type]
    env.invalidate_all()
    names = [f.name for f in _every_column(env)]
    env["test_orm.fields"].search_fetch([("id", "in", every_type.ids)], names)  # as text
    text = [_cached_columns(env, record) for record in every_type]
    assert binary == text
    assert binary[0]["ratio"] == 0.1 + 0.2 and binary[0]["payload"]["a"][1] == 2.5
    assert binary[0]["moment"].isoformat() == "2026-12-07T11:59:58"
    assert binary[1]["payload"] is None and binary[1]["day"] is None and binary[1]["count"] is None
