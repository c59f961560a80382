"""The visibility matrix through the external API: for each policy and role, a real user calls
``execute_kw`` over JSON-RPC (search_read, name_search, read_group, export_data, read and write
of each case) and finds exactly what the ORM matrix (``test_governance_visibility.EXPECTED``)
says: their own, another actor's, unassigned, another SA's and plain customers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.modules.customer_governance.test_governance_visibility import EXPECTED
from tests.security.api_harness import Apis, add_user


def _world(apis: Apis, policy: str, role: str) -> tuple[str, dict[str, int], str]:
    """Committed: ``me`` with ``role`` in an SA under ``policy``, a colleague, another SA with
    its own agent; the five cases' customers named after a unique tag."""
    db = apis.db
    tag = uuid.uuid4().hex[:8]
    me, colleague, outsider = (add_user(db, name) for name in ("me", "colleague", "outsider"))
    with db.cursor() as cr:
        env = db.env(cr)
        account = env["sa.account"].create(
            {"name": f"Acc {tag}", "code": f"A{tag}", "visibility_policy": policy}
        )
        other = env["sa.account"].create(
            {"name": f"Other {tag}", "code": f"O{tag}", "visibility_policy": "sa_wide"}
        )
        Membership = env["sa.membership"]
        Membership.create({"account_id": account.id, "user_id": db.ids[me], "role": role})
        Membership.create({"account_id": account.id, "user_id": db.ids[colleague]})
        Membership.create({"account_id": other.id, "user_id": db.ids[outsider]})
        governed = {"mine": account, "other": account, "unassigned": account, "other_sa": other}
        ids = {"plain": env["res.partner"].create({"name": f"{tag} plain"}).id}
        for case, sa in governed.items():
            ids[case] = env["res.partner"].create({"name": f"{tag} {case}", "x_sa_id": sa.id}).id
        Assignment = env["sa.customer.assignment"]
        mine_actor = me if role != "viewer" else colleague  # a viewer is never an actor
        Assignment.assign(account.id, ids["mine"], db.ids[mine_actor])
        Assignment.assign(account.id, ids["other"], db.ids[colleague])
        Assignment.assign(other.id, ids["other_sa"], db.ids[outsider])
    return me, ids, tag


@pytest.mark.parametrize(("policy", "role"), sorted(EXPECTED))
def test_policy_matrix_over_jsonrpc(app: Any, api_db: Any, policy: str, role: str) -> None:
    apis = Apis(app, api_db)
    me, ids, tag = _world(apis, policy, role)
    expected = EXPECTED[policy, role]
    by_id = {customer_id: case for case, customer_id in ids.items()}

    def call(method: str, args: list, kw: dict | None = None) -> Any:
        return apis.call("jsonrpc", me, "res.partner", method, args, kw)

    def cases(found_ids: list[int]) -> set[str]:
        return {by_id[i] for i in found_ids if i in by_id}

    everyone = [("id", "in", list(ids.values()))]
    found = call("search_read", [everyone], {"fields": ["name"]})
    assert found.ok, found
    assert cases([row["id"] for row in found.result]) == expected
    named = call("name_search", [tag], {"limit": 100})
    assert named.ok, named
    assert cases([pair[0] for pair in named.result]) == expected
    groups = call("read_group", [everyone, ["name"], ["name"]], {"lazy": False})
    assert groups.ok, groups
    assert {group["name"] for group in groups.result} == {f"{tag} {case}" for case in expected}
    visible_ids = [ids[case] for case in sorted(expected)]
    exported = call("export_data", [visible_ids, ["name"]])
    assert exported.ok, exported
    assert {row[0] for row in exported.result["datas"]} == {f"{tag} {c}" for c in expected}
    for case, customer_id in ids.items():
        read = call("read", [[customer_id], ["name"]])
        written = call("write", [[customer_id], {"phone": "+32 2 000 00 00"}])
        if case in expected:
            assert read.ok and read.result[0]["name"] == f"{tag} {case}", (case, read)
            assert written.ok, (case, written)
        else:
            assert not read.ok and read.kind == "AccessError", (case, read)
            assert not written.ok and written.kind == "AccessError", (case, written)
