"""Field groups (``groups=`` on a field): explicit reads and writes refused, silent skipping in
``read()`` without a list, ``fields_get`` and prefetching, and no searching, ordering or
grouping on a field one may not see."""

from __future__ import annotations

import pytest

from erplite.exceptions import AccessError

DOC = "test_security.document"


@pytest.fixture
def doc(env):
    return env[DOC].create(
        {"name": "D", "value": 1, "secret": "s3", "not_for_managers": "nm", "either": "e"}
    )


@pytest.fixture
def editor(make_user):
    return make_user(groups=("base.group_user", "test_security.group_editor"))


@pytest.fixture
def keeper(make_user):
    return make_user(
        groups=("base.group_user", "test_security.group_editor", "test_security.group_secret")
    )


def test_explicit_read_refused(env, doc, editor):
    with pytest.raises(AccessError) as info:
        doc.with_user(editor).read(["name", "secret"])
    message = str(info.value)
    assert "Document type: Secured Document (test_security.document)" in message
    assert "Operation: read" in message and "- secret" in message and "- name" not in message
    with pytest.raises(AccessError):
        doc.with_user(editor).secret  # noqa: B018
    with pytest.raises(AccessError):
        env[DOC].with_user(editor).search_read([], ["secret"])


def test_member_reads_it(env, doc, keeper):
    assert doc.with_user(keeper).read(["secret"])[0]["secret"] == "s3"
    assert doc.with_user(keeper).secret == "s3"


def test_read_without_fields_skips_silently(env, doc, editor, keeper):
    values = doc.with_user(editor).read()[0]
    assert "secret" not in values and values["name"] == "D" and "not_for_managers" in values
    assert "secret" in doc.with_user(keeper).read()[0]
    rows = env[DOC].with_user(editor).search_read([("id", "=", doc.id)])
    assert "secret" not in rows[0]


def test_fields_get_skips_silently(env, editor, keeper):
    assert "secret" not in env[DOC].with_user(editor).fields_get()
    assert "secret" in env[DOC].with_user(keeper).fields_get()
    assert "secret" in env[DOC].fields_get()


def test_prefetch_skips_silently(env, doc, editor):
    env.invalidate_all()
    record = doc.with_user(editor)
    assert record.name == "D"  # prefetches the other columns it may read
    cache = env.transaction.cache
    field_secret = env[DOC]._fields["secret"]
    field_value = env[DOC]._fields["value"]
    assert cache.contains(doc.id, field_value, record.env)
    assert not cache.contains(doc.id, field_secret, record.env)


def test_write_and_create_refused(env, doc, editor, keeper):
    with pytest.raises(AccessError, match="Operation: write"):
        doc.with_user(editor).write({"secret": "x"})
    with pytest.raises(AccessError):
        env[DOC].with_user(editor).create({"name": "n", "secret": "x"})
    doc.with_user(keeper).write({"secret": "new"})
    assert doc.secret == "new"


def test_search_order_and_group_refused(env, doc, editor, keeper):
    model = env[DOC].with_user(editor)
    with pytest.raises(AccessError):
        model.search([("secret", "=", "s3")])
    with pytest.raises(AccessError):
        model.search([], order="secret")
    with pytest.raises(AccessError):
        model.read_group([], ["value:sum"], ["secret"])
    with pytest.raises(AccessError):
        model._read_group([], [], ["secret:count"])
    with pytest.raises(AccessError):
        model.search_count([("secret", "!=", False)])
    # through a relation too
    line_model = env["test_security.line"].with_user(editor)
    with pytest.raises(AccessError):
        line_model.search([("document_id.secret", "=", "s3")])
    assert env[DOC].with_user(keeper).search([("secret", "=", "s3")]) == doc


def test_negated_groups(env, doc, editor, make_user):
    manager = make_user(groups=("base.group_user", "test_security.group_manager"))
    assert doc.with_user(editor).not_for_managers == "nm"
    with pytest.raises(AccessError):
        doc.with_user(manager).not_for_managers  # noqa: B018
    assert "not_for_managers" not in doc.with_user(manager).read()[0]


def test_comma_lists_are_any_of(env, doc, editor, keeper, make_user):
    manager = make_user(
        groups=("base.group_user", "test_security.group_manager")
    )  # implies deleter
    assert doc.with_user(keeper).either == "e"
    assert doc.with_user(manager).either == "e"
    with pytest.raises(AccessError):
        doc.with_user(editor).either  # noqa: B018


def test_sudo_reads_everything(env, doc, editor):
    assert doc.with_user(editor).sudo().secret == "s3"
    assert "secret" in doc.with_user(editor).sudo().read()[0]


def test_group_change_reopens_the_field(env, doc, editor):
    with pytest.raises(AccessError):
        doc.with_user(editor).read(["secret"])
    editor.write({"groups_id": [(4, env.ref("test_security.group_secret").id)]})
    assert doc.with_user(editor).read(["secret"])[0]["secret"] == "s3"
