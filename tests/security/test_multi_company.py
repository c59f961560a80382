"""Multi-company: ``allowed_company_ids`` checked against the user's companies, ``env.company``
and ``env.companies``, the global rules of the base models, and ``check_company``."""

from __future__ import annotations

import pytest

from erplite.exceptions import AccessError, UserError

DOC = "test_security.document"


@pytest.fixture
def main(env):
    return env.ref("base.main_company")


def test_env_company_and_companies(env, make_user, main, company_b):
    user = make_user(company=company_b, companies=main | company_b)
    user_env = env(user=user)
    assert user_env.company == company_b
    assert set(user_env.companies.ids) == {main.id, company_b.id}
    narrowed = env(user=user, context={"allowed_company_ids": [main.id]})
    assert narrowed.company == main and narrowed.companies.ids == [main.id]
    assert env[DOC].with_user(user).with_company(main).env.company == main


def test_forged_allowed_company_ids_refused(env, make_user, main, company_b):
    user = make_user(company=main, companies=main)
    with pytest.raises(AccessError, match="unauthorized or invalid companies"):
        env(user=user, context={"allowed_company_ids": [main.id, company_b.id]})
    with pytest.raises(AccessError):
        env[DOC].with_user(user).with_context(allowed_company_ids=[company_b.id])
    with pytest.raises(AccessError):
        env[DOC].with_user(user).with_company(company_b)
    with pytest.raises(AccessError):
        env(user=user, context={"allowed_company_ids": [999_999]})
    # a superuser environment may use any company
    assert env(context={"allowed_company_ids": [company_b.id]}).company == company_b
    # once the user is given the company, the same context is fine
    user.write({"company_ids": [(4, company_b.id)]})
    assert env(user=user, context={"allowed_company_ids": [company_b.id]}).company == company_b


def test_partner_rule_follows_allowed_companies(env, make_user, main, company_b):
    user = make_user(groups=("base.group_user",), company=main, companies=main | company_b)
    partners = env["res.partner"].create(
        [
            {"name": "P main", "company_id": main.id},
            {"name": "P b", "company_id": company_b.id},
            {"name": "P shared"},
        ]
    )
    model = env["res.partner"].with_user(user)
    domain = [("id", "in", partners.ids)]
    assert set(model.search(domain).mapped("name")) == {"P main", "P b", "P shared"}
    in_main = model.with_context(allowed_company_ids=[main.id])
    assert set(in_main.search(domain).mapped("name")) == {"P main", "P shared"}
    loner = make_user(groups=("base.group_user",), company=main, companies=main)
    assert set(env["res.partner"].with_user(loner).search(domain).mapped("name")) == {
        "P main",
        "P shared",
    }


def test_company_rules(env, make_user, main, company_b):
    employee = make_user(groups=("base.group_user",), company=main, companies=main)
    assert company_b not in env["res.company"].with_user(employee).search([])
    assert main in env["res.company"].with_user(employee).search([])
    erp_manager = make_user(
        groups=("base.group_user", "base.group_erp_manager"), company=main, companies=main
    )
    assert company_b in env["res.company"].with_user(erp_manager).search([])


def test_user_rule(env, make_user, main, company_b):
    employee = make_user(groups=("base.group_user",), company=main, companies=main)
    internal_b = make_user(groups=("base.group_user",), company=company_b, companies=company_b)
    portal_b = make_user(groups=("base.group_portal",), company=company_b, companies=company_b)
    visible = (
        env["res.users"].with_user(employee).search([("id", "in", (internal_b.id, portal_b.id))])
    )
    # internal users are visible to all, external users within the allowed companies
    assert visible == internal_b


def test_check_company_lists_inconsistencies(env, main, company_b):
    partner_b = env["res.partner"].create({"name": "Partner B", "company_id": company_b.id})
    tag_b = env["test_security.tag"].create({"name": "Tag B", "company_id": company_b.id})
    shared_tag = env["test_security.tag"].create({"name": "Shared"})
    doc = env[DOC].create({"name": "Doc A", "company_id": main.id, "tag_ids": [(4, shared_tag.id)]})
    with pytest.raises(UserError) as info:
        doc.write({"partner_id": partner_b.id})
    assert str(info.value) == (
        "Incompatible companies on records:\n"
        f"- 'Doc A' belongs to company {main.display_name!r} and 'Partner' "
        "(partner_id: 'Partner B') belongs to another company."
    )
    with pytest.raises(UserError) as info:
        env[DOC].create(
            {
                "name": "Doc C",
                "company_id": main.id,
                "partner_id": partner_b.id,
                "tag_ids": [(6, 0, [tag_b.id, shared_tag.id])],
            }
        )
    lines = str(info.value).splitlines()
    assert lines[0] == "Incompatible companies on records:"
    assert any("'Partner' (partner_id: 'Partner B')" in line for line in lines)
    assert any("'Tags' (tag_ids: 'Tag B')" in line for line in lines)
    # consistent values are fine, and changing the company re-checks everything
    doc.write({"partner_id": env["res.partner"].create({"name": "Shared partner"}).id})
    with pytest.raises(UserError):
        doc.write(
            {
                "company_id": company_b.id,
                "tag_ids": [
                    (
                        4,
                        env["test_security.tag"]
                        .create({"name": "Tag A", "company_id": main.id})
                        .id,
                    )
                ],
            }
        )
    # a document without company may only point to shared records
    with pytest.raises(UserError, match="belongs to company False"):
        env[DOC].create({"name": "No company", "company_id": False, "tag_ids": [(4, tag_b.id)]})
