"""Values in the transaction's cache are shared by every user of the cursor: a value a
``sudo()`` read (or another user) put there must not reach a user whose access rights or
record rules refuse its record. Reading by attribute, ``export_data``, ``read``, ``mapped``
and ``filtered_domain`` all check, as a fetch would; and what the user fetched, created or
passed once costs no statement more (erplite.orm.read_checks)."""

from __future__ import annotations

import pytest

from erplite.exceptions import AccessError

DOC = "test_security.document"


@pytest.fixture
def manager(make_user):
    return make_user(groups=("base.group_user", "test_security.group_manager"))


@pytest.fixture
def docs(env):
    """D1..D6 (values 1..6); managers may read those of value 3 at most."""
    records = env[DOC].create([{"name": f"D{i}", "value": i} for i in range(1, 7)])
    env["ir.rule"].create(
        {
            "name": "managers: small values",
            "model_id": env["ir.model"]._get_id(DOC),
            "domain_force": "[('value', '<=', 3)]",
            "groups": [(4, env.ref("test_security.group_manager").id)],
        }
    )
    env.flush_all()
    return records


def sudo_cached(records):
    """Put every column of ``records`` in the cache as superuser (as a module's sudo() read
    does), then return them."""
    records.sudo().read([name for name, f in records._fields.items() if f.store])
    return records


def test_attribute_read_of_a_sudo_cached_record_is_refused(docs, manager):
    hidden = sudo_cached(docs)[4].with_user(manager)
    with pytest.raises(AccessError):
        hidden.name  # noqa: B018
    with pytest.raises(AccessError):
        hidden["value"]
    with pytest.raises(AccessError):
        hidden.user_id  # noqa: B018 (the many2one fast path)


def test_export_data_of_a_sudo_cached_record_is_refused(docs, manager):
    hidden = sudo_cached(docs)[4].with_user(manager)
    with pytest.raises(AccessError):
        hidden.export_data(["name", "value"])
    with pytest.raises(AccessError):
        docs.with_user(manager).export_data(["name"])  # D4-D6 among them


def test_read_mapped_and_filtered_domain_of_sudo_cached_records_hide_them(docs, manager):
    as_manager = sudo_cached(docs).with_user(manager)
    with pytest.raises(AccessError):
        as_manager[5].read(["name"])
    with pytest.raises(AccessError):
        as_manager.mapped("name")
    # filtered_domain leaves the values of the hidden records out, as their fetch does
    assert not as_manager.filtered_domain([("value", ">", 4)])
    assert as_manager.filtered_domain([("value", ">", 2)]).mapped("name") == ["D3"]


def test_readable_records_among_sudo_cached_ones_are_read(docs, manager, assert_query_count):
    as_manager = sudo_cached(docs).with_user(manager)
    docs.with_user(manager).search([])  # the user's groups and rules in their caches
    # the rules read the documents' own cached columns: their verdict costs no statement,
    # for the whole prefetch set at once (the refused ones left unchecked)
    with assert_query_count(0):
        assert as_manager[0].name == "D1"
    with assert_query_count(0):
        assert [doc.name for doc in as_manager[:3]] == ["D1", "D2", "D3"]
    with pytest.raises(AccessError):
        as_manager[3].name  # noqa: B018
    assert as_manager[:3].export_data(["name"]) == {"datas": [["D1"], ["D2"], ["D3"]]}


def test_records_the_user_fetched_cost_no_statement(env, docs, manager, assert_query_count):
    mine = env[DOC].with_user(manager).search([("name", "like", "D")])
    assert len(mine) == 3
    env.invalidate_all()
    with assert_query_count(9, at_most=True) as statements:  # and the user's group lookups
        assert [doc.name for doc in mine] == ["D1", "D2", "D3"]
    assert sum("test_security_document" in str(s) for s in statements) == 1  # the fetch
    with assert_query_count(0):
        assert [doc.value for doc in mine] == [1, 2, 3]
        assert mine.export_data(["name", "value"])["datas"][0] == ["D1", 1]
        assert mine.read(["name"])[2] == {"id": mine[2].id, "name": "D3"}


def test_records_the_user_created_are_read_back_without_statement(
    env, docs, manager, assert_query_count
):
    created = env[DOC].with_user(manager).create({"name": "mine", "value": 2})
    with assert_query_count(0):
        assert created.name == "mine"
        assert created.value == 2


def test_a_change_of_the_data_the_rules_read_drops_the_checks(env, docs, manager):
    as_manager = docs.with_user(manager)
    env.invalidate_all()
    assert as_manager[0].name == "D1"  # fetched and passed
    docs[0].sudo().write({"value": 9})  # no longer readable by managers
    sudo_cached(docs)
    with pytest.raises(AccessError):
        as_manager[0].name  # noqa: B018
    # a change of a field the rules do not read keeps the check of the others
    assert as_manager[1].name == "D2"
    docs[1].sudo().write({"name": "D2 renamed"})
    assert as_manager[1].name == "D2 renamed"


def test_a_rule_change_drops_the_checks(env, docs, manager):
    as_manager = docs.with_user(manager)
    env.invalidate_all()
    assert as_manager[0].name == "D1"
    env["ir.rule"].create(
        {
            "name": "nothing for managers",
            "model_id": env["ir.model"]._get_id(DOC),
            "domain_force": "[('value', '<', 0)]",
        }
    )
    sudo_cached(docs)
    with pytest.raises(AccessError):
        as_manager[0].name  # noqa: B018


def test_a_group_change_drops_the_checks(env, docs, make_user):
    reader = make_user(groups=("base.group_user", "test_security.group_reader"))  # no rule
    as_reader = sudo_cached(docs).with_user(reader)
    assert as_reader[5].name == "D6"
    reader.write({"groups_id": [(4, env.ref("test_security.group_manager").id)]})
    sudo_cached(docs)
    with pytest.raises(AccessError):
        as_reader[5].name  # noqa: B018


def test_cached_values_of_a_model_without_read_right_are_refused(env, make_user):
    restricted = env["test_security.restricted"].create({"name": "managers only"})
    user = make_user(groups=("base.group_user",))
    assert restricted.name == "managers only"  # cached by the superuser
    with pytest.raises(AccessError):
        restricted.with_user(user).name  # noqa: B018


def test_x2many_of_a_hidden_record_is_refused_on_a_cache_miss(env, docs, manager):
    env["test_security.line"].create({"document_id": docs[4].id, "name": "L"})
    env.invalidate_all()
    with pytest.raises(AccessError):
        docs[4].with_user(manager).line_ids  # noqa: B018


def test_other_companies_are_a_separate_check(env, docs, make_user, company_b):
    """The checks of a user are kept per set of allowed companies (rules read them)."""
    env["ir.rule"].create(
        {
            "name": "own companies",
            "model_id": env["ir.model"]._get_id(DOC),
            "domain_force": "[('company_id', 'in', company_ids)]",
        }
    )
    other = env[DOC].create({"name": "B", "value": 1, "company_id": company_b.id})
    main = env.ref("base.main_company")
    user = make_user(groups=("test_security.group_reader",), companies=main | company_b)
    sudo_cached(other)
    both = other.with_user(user).with_context(allowed_company_ids=[main.id, company_b.id])
    assert both.name == "B"
    with pytest.raises(AccessError):
        other.with_user(user).with_context(allowed_company_ids=[main.id]).name  # noqa: B018


def test_salesperson_cannot_read_another_salespersons_order_from_the_cache(env, make_user):
    """Orders: "own documents only" for a salesperson, and an order of another one read by
    sudo() earlier in the transaction."""
    salesperson = make_user(groups=("sales_team.group_sale_salesman",))
    colleague = make_user(groups=("sales_team.group_sale_salesman",))
    customer = env["res.partner"].create({"name": "Customer"})
    order = env["sale.order"].create({"partner_id": customer.id, "user_id": colleague.id})
    env.flush_all()
    order.sudo().read(["name", "amount_total", "partner_id"])
    theirs = order.with_user(salesperson)
    with pytest.raises(AccessError):
        theirs.name  # noqa: B018
    with pytest.raises(AccessError):
        theirs.export_data(["name", "partner_id/name"])
    with pytest.raises(AccessError):
        theirs.read(["name"])
    assert order.with_user(colleague).name == order.name


def test_a_change_of_the_parent_record_drops_the_checks_of_its_inherits_children(
    env, docs, manager
):
    """The rules of an ``_inherits`` child read its parent (another model): a change of any
    parent drops the checks of the children."""
    child = env["test_security.child"].create({"document_id": docs[0].id, "note": "n"})
    as_manager = child.with_user(manager)
    env.invalidate_all()
    assert as_manager.note == "n"
    docs[0].write({"value": 9})  # the parent is hidden from managers now
    sudo_cached(child)
    with pytest.raises(AccessError):
        as_manager.note  # noqa: B018


def test_rules_on_ids_are_decided_without_statement(env, make_user, assert_query_count):
    """Companies: a rule on the record's id (``[('id', 'in', company_ids)]``) is decided on
    the ids alone for the values a sudo() read cached."""
    user = make_user(groups=("base.group_user",))
    main = env.ref("base.main_company")
    other = env["res.company"].create({"name": "Not the user's"})
    (main | other).sudo().read(["name"])
    as_user = (main | other).with_user(user)
    assert as_user.search_count([]) >= 1  # the user's rights and rules known
    with assert_query_count(0):
        assert as_user[0].name == main.name
    with pytest.raises(AccessError):
        as_user[1].name  # noqa: B018


def test_a_target_record_kept_for_its_prefetch_set_is_not_given_past_the_checks(env, docs, manager):
    """The record a many2one made for a readable record of a prefetch set is kept for the
    others of the set (``TargetRecords``): a record of that set the user may not read still
    refuses the many2one, as before anything was kept."""
    owner = env.user
    docs.write({"user_id": owner.id})
    as_manager = sudo_cached(docs).with_user(manager)
    assert as_manager[0].user_id.id == owner.id  # kept for the set
    with pytest.raises(AccessError):
        as_manager[4].user_id  # noqa: B018
    assert as_manager[2].user_id is as_manager[0].user_id
