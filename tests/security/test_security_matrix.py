"""The security matrix: for every model of every installed module, as a plain internal user, a
portal user and the public user, each CRUD operation is allowed exactly where the
``ir.model.access`` data says so.

The expectation is computed here from the access rows and the user's groups (implied groups
followed through ``implied_ids``), independently of :mod:`erplite.security`; then each operation
is tried through the ORM, inside a savepoint rolled back afterwards, on an existing record
(one is created as superuser when the table is empty and ``create({})`` works).

An operation counts as refused when it raises an access-rights error ("You are not allowed
to ..."; usually the one naming the model, possibly another model an override reads first).
Anything else (success, a missing required value, a record rule, a business error) means the
access rights let it through. A write or unlink that can only be tried on a missing record and
raises ``MissingError`` before any access check (an override reading the record first) is not
conclusive and is left out. Models added by later modules join automatically: the list comes
from the registry.
"""

from __future__ import annotations

import pytest

from erplite.exceptions import AccessError, MissingError

MODES = ("read", "write", "create", "unlink")
VERBS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}
NO_SUCH_ID = 2**31 - 7


class _Rollback(Exception):
    """Raised to undo a savepoint that succeeded."""


def _group_closure(user) -> set[int]:
    groups = user.sudo().groups_id
    seen = set(groups.ids)
    todo = groups
    while todo:
        todo = todo.mapped("implied_ids").filtered(lambda g: g.id not in seen)
        seen.update(todo.ids)
    return seen


def _expected(env, user) -> dict[str, set[str]]:
    """``{model: {modes allowed}}`` from the access rows and the user's groups. Creating a
    record of an ``_inherits`` child creates its parents too, which needs their right."""
    groups = _group_closure(user)
    allowed: dict[str, set[str]] = {}
    for row in env["ir.model.access"].sudo().search([("active", "=", True)]):
        if row.group_id and row.group_id.id not in groups:
            continue
        modes = allowed.setdefault(row.model_id.model, set())
        modes.update(mode for mode in MODES if row[f"perm_{mode}"])

    def can_create(model_name: str) -> bool:
        parents = env.registry.models[model_name]._inherits
        return "create" in allowed.get(model_name, ()) and all(can_create(p) for p in parents)

    for model_name, modes in allowed.items():
        if model_name in env.registry.models and not can_create(model_name):
            modes.discard("create")
    return allowed


def _refused_by_acl(error: Exception) -> bool:
    return isinstance(error, AccessError) and str(error).startswith("You are not allowed to ")


class Inconclusive(Exception):
    pass


def _try(env, user, model_name: str, mode: str, record_id: int) -> bool:
    """Whether the ORM let ``user`` past the access rights for ``mode`` on ``model_name``
    (raises ``Inconclusive`` when the record is missing and that stopped the operation)."""
    model = env[model_name].with_user(user)
    try:
        with env.cr.savepoint():
            if mode == "read":
                model.search([], limit=1)
                model.browse(record_id).read(["id"])
            elif mode == "create":
                model.create({})
            elif mode == "write":
                model.browse(record_id).write({})
            else:
                model.browse(record_id).unlink()
            raise _Rollback()
    except _Rollback:
        return True
    except MissingError:
        if record_id == NO_SUCH_ID and mode in ("write", "unlink"):
            raise Inconclusive() from None
        return True
    except Exception as error:  # anything but an access-rights refusal passed the check
        return not _refused_by_acl(error)
    finally:
        env.invalidate_all()


def _some_record(env, model_name: str) -> int:
    """The id of a record of ``model_name``: an existing one, else one created with the
    defaults (as superuser, in the test's transaction), else an id that does not exist."""
    model = env[model_name].sudo().with_context(active_test=False)
    existing = model.search([], limit=1, order="id")
    if existing:
        return existing.id
    try:
        with env.cr.savepoint():
            return model.create({}).id
    except Exception:  # required values without defaults: no record to try on
        return NO_SUCH_ID
    finally:
        env.invalidate_all()


def _models(registry):
    return sorted(name for name, cls in registry.models.items() if cls._auto and not cls._abstract)


@pytest.fixture(params=["internal", "portal", "public"])
def subject(request, env, make_user):
    if request.param == "public":
        return env.ref("base.public_user")
    groups = ("base.group_user",) if request.param == "internal" else ("base.group_portal",)
    return make_user(groups=groups)


def test_security_matrix(env, registry, subject):
    expected = _expected(env, subject)
    models = _models(registry)
    assert "res.partner" in models and "test_security.document" in models
    mismatches, checked = [], 0
    for model_name in models:
        record_id = _some_record(env, model_name)
        for mode in MODES:
            want = mode in expected.get(model_name, set())
            try:
                got = _try(env, subject, model_name, mode, record_id)
            except Inconclusive:
                continue
            checked += 1
            if got != want:
                mismatches.append(
                    f"{model_name} {mode}: ACL says {'allowed' if want else 'refused'}, "
                    f"the ORM {'allowed' if got else 'refused'}"
                )
    assert not mismatches, f"{subject.login}:\n" + "\n".join(mismatches)
    assert checked >= 3.5 * len(models)


def test_matrix_sees_a_model_without_any_right(env, registry):
    """The matrix's expectation is not vacuous: a model without a matching right is refused."""
    internal = env.ref("base.public_user")
    assert "test_security.restricted" in _models(registry)
    assert "test_security.restricted" not in _expected(env, internal)
    assert not _try(env, internal, "test_security.restricted", "read", NO_SUCH_ID)
    assert _try(env, internal, "test_security.tag", "read", NO_SUCH_ID)
