"""The display names a search joins (``_display_name_sql``, the plain ``_rec_name``) are those
``read`` gives: as Odoo 17's ``Many2one.convert_to_read`` (``value.sudo().display_name``), the
name of the linked record is shown whatever the user may read of the linked model, since what
is visible is the record read, not its comodel. The joined query reads no more than that: the
user still needs the right to read the model searched, and the linked record itself stays
unreadable."""

from __future__ import annotations

from typing import Any

import pytest

from erplite.exceptions import AccessError
from erplite.sql import count_queries

DOC = "test_security.document"
LINE = "test_security.line"


def test_a_line_shows_its_document_the_user_may_not_read(env: Any, make_user: Any) -> None:
    user = make_user(groups=("base.group_user",))  # lines yes, documents no (no access right)
    document = env[DOC].create({"name": "Board Minutes"})
    line = env[LINE].create({"document_id": document.id, "name": "item"})
    env.flush_all()
    env.invalidate_all()
    lines = env[LINE].with_user(user)
    lines.search_read([("id", "=", line.id)], ["document_id"])  # the user's rights, cached
    env.invalidate_all()
    with count_queries() as statements:
        rows = lines.search_read([("id", "=", line.id)], ["document_id"])
    assert len(statements) == 1
    assert rows[0]["document_id"] == (document.id, "Board Minutes")
    env.invalidate_all()
    assert lines.browse(line.id).read(["document_id"]) == rows
    with pytest.raises(AccessError):
        env[DOC].with_user(user).browse(document.id).read(["name"])


def test_a_partner_hidden_by_a_rule_is_named_as_read_names_it(env: Any, make_user: Any) -> None:
    """res.partner's declared SQL display name ("Company, Person") for a partner a record
    rule hides from the user."""
    user = make_user(groups=("base.group_user", "test_security.group_reader"))
    company = env["res.partner"].create({"name": "Hidden Co", "is_company": True})
    person = env["res.partner"].create({"name": "Hugo Hidden", "parent_id": company.id})
    document = env[DOC].create({"name": "Contract", "partner_id": person.id})
    env["ir.rule"].create(
        {
            "name": "readers: no hidden partners",
            "model_id": env["ir.model"]._get_id("res.partner"),
            "domain_force": "[('name', 'not like', 'Hid')]",
            "groups": [(4, env.ref("test_security.group_reader").id)],
        }
    )
    env.flush_all()
    env.invalidate_all()
    documents = env[DOC].with_user(user)
    documents.search_read([("id", "=", document.id)], ["partner_id"], limit=5)  # rights cached
    env.invalidate_all()
    with count_queries() as statements:
        rows = documents.search_read([("id", "=", document.id)], ["partner_id"], limit=5)
    assert len(statements) == 1
    assert "COALESCE(NULLIF" in str(statements[0])  # the declared expression, joined
    assert rows[0]["partner_id"] == (person.id, "Hidden Co, Hugo Hidden")
    env.invalidate_all()
    assert documents.browse(document.id).read(["partner_id"]) == rows
    with pytest.raises(AccessError):
        env["res.partner"].with_user(user).browse(person.id).read(["name"])


def test_the_joined_names_need_the_right_to_read_the_model_searched(
    env: Any, make_user: Any
) -> None:
    user = make_user(groups=("base.group_user",))
    env[DOC].create({"name": "Secret", "partner_id": env["res.partner"].create({"name": "P"}).id})
    with pytest.raises(AccessError):
        env[DOC].with_user(user).search_read([], ["partner_id"])
