"""``erplite governance backfill -d DB [--dry-run]`` on a copy of the template loaded with
stamps only: a dry run writes nothing, a run creates what the stamps describe, refuses the
conflicts (nothing written for them), and a second run creates nothing (idempotent)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from erplite import SUPERUSER_ID, Command, Registry, api
from erplite.cli.main import main
from erplite.sql import SQL


@pytest.fixture
def stamped(clone_database: Any, erplite_addons_paths: tuple[str, ...], capsys: Any):
    """A copy of the template with customers carrying stamps only (as an import leaves them);
    returns ``(run, env_block, ids)``."""
    dsn = clone_database()
    registry = Registry(dsn, addons_paths=erplite_addons_paths)

    @contextlib.contextmanager
    def env_block() -> Iterator[Any]:
        with registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})

    with env_block() as env:
        salesman = env.ref("sales_team.group_sale_salesman").id

        def user(login: str) -> Any:
            return env["res.users"].create(
                {"name": login, "login": login, "groups_id": [Command.set([salesman])]}
            )

        alice, bob, stranger = user("alice"), user("bob"), user("stranger")
        north = env["sa.account"].create({"name": "North", "code": "NORTH"})
        env["sa.membership"].create(
            [
                {"account_id": north.id, "user_id": alice.id, "role": "agent"},
                {"account_id": north.id, "user_id": bob.id, "role": "viewer"},
            ]
        )
        Partner = env["res.partner"]
        ids = {
            "alice": Partner.create(
                {"name": "To Alice", "x_sa_id": north.id, "x_actor_id": alice.id}
            ).id,
            "unassigned": Partner.create({"name": "Unassigned", "x_sa_id": north.id}).id,
            "viewer": Partner.create(
                {"name": "To Bob", "x_sa_id": north.id, "x_actor_id": bob.id}
            ).id,
            "stranger": Partner.create(
                {"name": "To Stranger", "x_sa_id": north.id, "x_actor_id": stranger.id}
            ).id,
            "plain": Partner.create({"name": "Plain"}).id,
        }
        assert not env["sa.customer.assignment"].search([])

    def run(*argv: str) -> tuple[int, str]:
        addons = ",".join(erplite_addons_paths)
        code = main(["governance", "backfill", *argv, "--addons-path", addons, "--dsn", dsn])
        return code, capsys.readouterr().out

    return run, env_block, ids


def test_dry_run_writes_nothing(stamped: Any) -> None:
    run, env_block, ids = stamped
    code, out = run("--dry-run")
    assert code == 0
    assert out.splitlines()[0] == "would create 1, skip 1, refuse 2 (dry run: nothing written)"
    assert f"create  #{ids['alice']} To Alice" in out
    with env_block() as env:
        assert not env["sa.customer.assignment"].search([])


def test_backfill_creates_skips_refuses_and_is_idempotent(stamped: Any) -> None:
    run, env_block, ids = stamped
    code, out = run()
    assert code == 0 and out.splitlines()[0] == "done: create 1, skip 1, refuse 2"
    assert "bob is not a valid manager or agent of service account NORTH" in out
    assert "stranger is not a valid manager or agent" in out
    with env_block() as env:
        assignments = env["sa.customer.assignment"].search([])
        assert assignments.partner_id.ids == [ids["alice"]]
        assert (assignments.state, assignments.user_id.login, assignments.open_reason) == (
            "active",
            "alice",
            "backfill from stamps",
        )
        # the refused customers keep their stamps, untouched
        assert env["res.partner"].browse(ids["stranger"]).x_actor_id.login == "stranger"
    code, out = run()
    assert out.splitlines()[0] == "done: create 0, skip 2, refuse 2"
    assert "the active assignment already matches the stamps" in out
    with env_block() as env:
        assert env["sa.customer.assignment"].search_count([]) == 1


def test_conflicting_stamp_is_refused(stamped: Any) -> None:
    run, env_block, ids = stamped
    run()
    with env_block() as env:
        alice = env["res.users"].search([("login", "=", "alice")])
        bob = env["res.users"].search([("login", "=", "bob")])
        # an older integration rewrites the stamp behind the ORM's back
        env.cr.execute(
            SQL("UPDATE res_partner SET x_actor_id = %s WHERE id = %s", bob.id, ids["alice"])
        )
        assert alice
    code, out = run()
    assert "conflict: the stamps say NORTH/bob, the active assignment says NORTH/alice" in out
    with env_block() as env:
        assert env["sa.customer.assignment"].search_count([]) == 1
