"""Visibility policies compiled into record rules, with real users through the ORM: the matrix
policy x role x (assigned to me, to another, unassigned, other SA, plain) for search, read,
write, read_group, name_search and export; orders follow their customer."""

from __future__ import annotations

from typing import Any

import pytest

from erplite.exceptions import AccessError

CASES = ("mine", "other", "unassigned", "other_sa", "plain")

#: what a member with this role sees under this policy
EXPECTED = {
    ("sa_wide", "agent"): {"mine", "other", "unassigned", "plain"},
    ("sa_wide", "viewer"): {"mine", "other", "unassigned", "plain"},
    ("assigned_plus_unassigned", "agent"): {"mine", "unassigned", "plain"},
    ("assigned_plus_unassigned", "viewer"): {"unassigned", "plain"},
    ("assigned_only", "agent"): {"mine", "plain"},
    ("assigned_only", "viewer"): {"plain"},
    ("sa_wide", "manager"): {"mine", "other", "unassigned", "plain"},
    ("assigned_plus_unassigned", "manager"): {"mine", "other", "unassigned", "plain"},
    ("assigned_only", "manager"): {"mine", "other", "unassigned", "plain"},
}


@pytest.fixture
def world(env, make_user, make_account, add_member, make_customer, assign):
    """``world(policy, role)``: ``(me, customers by case)`` with ``me`` a member of ``role``."""

    def build(policy: str, role: str) -> tuple[Any, dict[str, Any]]:
        me, colleague, outsider = make_user("me"), make_user("colleague"), make_user("outsider")
        account = make_account("acc", policy)
        other_account = make_account("other", "sa_wide")
        add_member(account, me, role)
        add_member(account, colleague)
        add_member(other_account, outsider)
        customers = {case: make_customer(f"Customer {case}") for case in ("plain",)}
        for case in ("mine", "other", "unassigned"):
            customers[case] = make_customer(f"Customer {case}", account)
        customers["other_sa"] = make_customer("Customer other_sa", other_account)
        assign(account, customers["other"], colleague)
        if role != "viewer":
            assign(account, customers["mine"], me)
        else:  # a viewer cannot be an actor: "mine" is then someone else's
            assign(account, customers["mine"], colleague)
        assign(other_account, customers["other_sa"], outsider)
        env.flush_all()
        return me, customers

    return build


def _visible(partners: Any, customers: dict[str, Any]) -> set[str]:
    ids = set(partners.ids)
    return {case for case, customer in customers.items() if customer.id in ids}


@pytest.mark.parametrize(("policy", "role"), sorted(EXPECTED))
def test_policy_matrix_search_read_write(env: Any, world: Any, policy: str, role: str):
    me, customers = world(policy, role)
    expected = EXPECTED[policy, role]
    Partner = env["res.partner"].with_user(me)
    all_ids = [customer.id for customer in customers.values()]
    # search
    assert _visible(Partner.search([("id", "in", all_ids)]), customers) == expected
    # name_search
    found = Partner.name_search("Customer ", limit=100)
    assert {case for case, c in customers.items() if c.id in {i for i, _ in found}} == expected
    # read_group
    groups = Partner.read_group([("id", "in", all_ids)], ["is_company"], ["is_company"])
    assert sum(group["is_company_count"] for group in groups) == len(expected)
    # export of what the user finds
    exported = Partner.search([("id", "in", all_ids)]).export_data(["name"])["datas"]
    assert {row[0] for row in exported} == {customers[case].name for case in expected}
    # read and write of each customer
    for case, customer in customers.items():
        record = customer.with_user(me)
        if case in expected:
            assert record.read(["name"])[0]["name"] == customer.name
            record.write({"phone": "+32 2 000 00 00"})
        else:
            with pytest.raises(AccessError):
                record.read(["name"])
            with pytest.raises(AccessError):
                record.write({"phone": "+32 2 000 00 00"})


def test_orders_follow_the_customers_visibility(env: Any, world: Any) -> None:
    me, customers = world("assigned_plus_unassigned", "agent")
    orders = {
        case: env["sale.order"].create({"partner_id": customer.id, "user_id": False})
        for case, customer in customers.items()
    }
    env.flush_all()
    Order = env["sale.order"].with_user(me)
    ids = Order.search([("id", "in", [o.id for o in orders.values()])]).ids
    seen = {case for case, order in orders.items() if order.id in ids}
    # plain customers' orders stay under the sales rules: unassigned ones are visible
    assert seen == {"mine", "unassigned", "plain"}


def test_seed_manager_sees_the_branches(
    env, make_user, make_account, add_member, make_customer, assign
) -> None:
    boss, agent = make_user("boss"), make_user("agent")
    seed = make_account("seed", "assigned_only")
    branch = make_account("branch", "assigned_only", parent_id=seed.id)
    sub = make_account("sub", "assigned_only", parent_id=branch.id)
    add_member(seed, boss, "manager")
    add_member(sub, agent)
    customer = make_customer("Deep Customer", sub)
    assign(sub, customer, agent)
    env.flush_all()
    assert env["res.partner"].with_user(boss).search([("id", "=", customer.id)]) == customer
    branch_manager = make_user("branchmgr")
    add_member(branch, branch_manager, "manager")
    other_seed = make_account("other-seed", "sa_wide")
    add_member(other_seed, make_user("nobody"), "manager")
    assert env["res.partner"].with_user(branch_manager).search([("id", "=", customer.id)])


def test_governance_admin_and_superuser_see_everything(env, world, make_user) -> None:
    _me, customers = world("assigned_only", "agent")
    admin = make_user("gov", "customer_governance.group_governance_admin")
    ids = [c.id for c in customers.values()]
    assert len(env["res.partner"].with_user(admin).search([("id", "in", ids)])) == 5
    assert len(env["res.partner"].search([("id", "in", ids)])) == 5


def test_search_under_a_policy_is_one_statement(env, world, assert_query_count) -> None:
    me, customers = world("assigned_plus_unassigned", "agent")
    Partner = env["res.partner"].with_user(me)
    Partner.search([("id", "in", [1])])  # warm the rule and group caches
    with assert_query_count(1):
        Partner.search([("is_company", "=", True)])


def test_managers_see_the_whole_tree_below_them(
    env, make_user, make_account, add_member, make_customer, assign, assert_query_count
) -> None:
    """seed > l1 > l2 > l3 > l4: a manager sees every customer below their SA at any depth,
    none above it or beside it, in one statement; moving a branch moves what they see."""
    chain = [make_account("seed", "assigned_only")]
    for depth in range(1, 5):
        chain.append(make_account(f"l{depth}", "assigned_only", parent_id=chain[-1].id))
    side = make_account("side", "assigned_only", parent_id=chain[1].id)
    agent = make_user("agent")
    add_member(chain[4], agent)
    deep = make_customer("Deep Customer", chain[4])
    assign(chain[4], deep, agent)
    unassigned_deep = make_customer("Unassigned Deep", chain[4])
    beside = make_customer("Side Customer", side)
    managers = {}
    for depth, account in enumerate(chain):
        managers[depth] = make_user(f"mgr{depth}")
        add_member(account, managers[depth], "manager")
    side_manager = make_user("sidemgr")
    add_member(side, side_manager, "manager")
    env.flush_all()
    ids = [deep.id, unassigned_deep.id, beside.id]

    def seen(user: Any) -> set[str]:
        found = env["res.partner"].with_user(user).search([("id", "in", ids)])
        return set(found.mapped("name"))

    below = {"Deep Customer", "Unassigned Deep"}
    assert set(chain[4].lineage_ids.ids) == {account.id for account in chain}
    assert seen(managers[0]) == below | {"Side Customer"}
    assert seen(managers[1]) == below | {"Side Customer"}
    for depth in (2, 3, 4):
        assert seen(managers[depth]) == below
    assert seen(side_manager) == {"Side Customer"}
    assert seen(agent) == {"Deep Customer"}
    Partner = env["res.partner"].with_user(managers[0])
    Partner.search([("id", "in", [1])])  # warm the rule and group caches
    with assert_query_count(1):
        Partner.search([("is_company", "=", True)])
    # l3 (with l4 below it) moves under the side branch: l2's manager loses it, side's gains it
    chain[3].write({"parent_id": side.id})
    env.flush_all()
    moved = {chain[0].id, chain[1].id, side.id, chain[3].id, chain[4].id}
    assert set(chain[4].lineage_ids.ids) == moved
    assert seen(managers[2]) == set()
    assert seen(side_manager) == below | {"Side Customer"}
    assert seen(managers[4]) == below


def test_a_change_of_policy_or_membership_applies_at_once(
    env: Any, world: Any, make_user: Any, add_member: Any
) -> None:
    """What each user sees is cached (the SAs of their memberships): a change of an SA's
    policy or a new membership drops it, the next search already follows."""
    me, customers = world("sa_wide", "agent")
    ids = [customer.id for customer in customers.values()]
    account = customers["mine"].x_sa_id

    def seen(user: Any) -> set[str]:
        return _visible(env["res.partner"].with_user(user).search([("id", "in", ids)]), customers)

    assert seen(me) == EXPECTED["sa_wide", "agent"]
    account.visibility_policy = "assigned_only"
    assert seen(me) == EXPECTED["assigned_only", "agent"]
    newcomer = make_user("newcomer")
    assert seen(newcomer) == {"plain"}
    add_member(account, newcomer, "manager")
    assert seen(newcomer) == {"mine", "other", "unassigned", "plain"}
