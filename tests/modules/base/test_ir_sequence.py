"""``ir.sequence``: formatting, standard (PostgreSQL sequence, gaps) and no_gap (row lock)
implementations, companies, date ranges, access rights."""

from __future__ import annotations

import datetime

import psycopg
import pytest

from erplite import SUPERUSER_ID, api
from erplite.exceptions import AccessError, UserError


def _pg_sequence_exists(env, name: str) -> bool:
    env.cr.execute("SELECT 1 FROM pg_class WHERE relkind = 'S' AND relname = %s", [name])
    return env.cr.fetchone() is not None


def test_standard_sequence_formats_prefix_padding_and_suffix(env):
    seq = env["ir.sequence"].create(
        {
            "name": "Orders",
            "code": "test.order",
            "prefix": "SO/%(year)s/",
            "suffix": "-%(y)s",
            "padding": 4,
            "company_id": False,
        }
    )
    year = datetime.date.today().year
    assert env["ir.sequence"].next_by_code("test.order") == f"SO/{year}/0001-{year % 100:02d}"
    assert seq.next_by_id() == f"SO/{year}/0002-{year % 100:02d}"
    assert seq.number_next_actual == 3
    assert _pg_sequence_exists(env, f"ir_sequence_{seq.id:03d}")
    assert env["ir.sequence"].next_by_code("no.such.code") is False


def test_placeholders_take_the_document_date_from_the_context(env):
    seq = env["ir.sequence"].create(
        {
            "name": "Dated",
            "prefix": "%(year)s-%(month)s-%(day)s/%(y)s/%(doy)s/%(woy)s/%(weekday)s/",
            "suffix": "@%(h24)s:%(min)s",
            "company_id": False,
        }
    )
    dated = seq.with_context(ir_sequence_date="2024-03-05 14:30:00")
    assert dated._next() == "2024-03-05/24/065/10/2/1@14:30"


def test_standard_sequences_may_have_gaps_no_gap_ones_do_not(env):
    standard = env["ir.sequence"].create({"name": "S", "company_id": False})
    no_gap = env["ir.sequence"].create(
        {"name": "N", "implementation": "no_gap", "company_id": False}
    )
    assert not _pg_sequence_exists(env, f"ir_sequence_{no_gap.id:03d}")
    for seq in (standard, no_gap):
        assert seq._next() == "1"
        with pytest.raises(RuntimeError), env.cr.savepoint():
            assert seq._next() == "2"
            raise RuntimeError("the document is not saved")
    assert standard._next() == "3"  # number 2 is lost: nextval is not transactional
    assert no_gap._next() == "2"  # number 2 came back with the rollback
    assert no_gap.number_next_actual == 3


def test_step_restart_and_implementation_changes(env):
    seq = env["ir.sequence"].create(
        {"name": "S", "number_increment": 5, "number_next": 10, "company_id": False}
    )
    assert [seq._next(), seq._next()] == ["10", "15"]
    seq.write({"number_next": 100})
    assert seq._next() == "100"
    seq.number_next_actual = 7
    assert seq._next() == "7"
    seq.write({"implementation": "no_gap"})
    assert not _pg_sequence_exists(env, f"ir_sequence_{seq.id:03d}")
    seq.write({"implementation": "standard", "number_next": 50})
    assert seq._next() == "50"
    name = f"ir_sequence_{seq.id:03d}"
    seq.unlink()
    assert not _pg_sequence_exists(env, name)
    other = env["ir.sequence"].create({"name": "other", "company_id": False})
    with pytest.raises(UserError, match="Step must not be zero"):
        other.write({"number_increment": 0})


def test_next_by_code_prefers_the_current_company(env):
    main = env.ref("base.main_company")
    other = env["res.company"].create({"name": "Other Co"})
    env["ir.sequence"].create(
        {"name": "shared", "code": "test.doc", "prefix": "ALL/", "company_id": False}
    )
    env["ir.sequence"].create(
        {"name": "main", "code": "test.doc", "prefix": "MAIN/", "company_id": main.id}
    )
    Sequence = env["ir.sequence"]
    assert Sequence.with_context(allowed_company_ids=[main.id]).next_by_code("test.doc") == "MAIN/1"
    assert Sequence.with_context(allowed_company_ids=[other.id]).next_by_code("test.doc") == "ALL/1"


def test_date_ranges_restart_numbering_each_year(env):
    seq = env["ir.sequence"].create(
        {
            "name": "Invoices",
            "use_date_range": True,
            "prefix": "INV/%(range_year)s/",
            "padding": 3,
            "company_id": False,
        }
    )
    assert seq._next(sequence_date="2023-02-01") == "INV/2023/001"
    assert seq._next(sequence_date="2023-12-31") == "INV/2023/002"
    assert seq._next(sequence_date=datetime.date(2024, 1, 1)) == "INV/2024/001"
    ranges = seq.date_range_ids.sorted("date_from")
    assert [(r.date_from, r.date_to) for r in ranges] == [
        (datetime.date(2023, 1, 1), datetime.date(2023, 12, 31)),
        (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)),
    ]
    assert ranges[0].number_next_actual == 3
    assert _pg_sequence_exists(env, f"ir_sequence_{seq.id:03d}_{ranges[0].id:03d}")


def test_invalid_prefix_is_a_user_error(env):
    seq = env["ir.sequence"].create({"name": "Bad", "prefix": "%(nope)s/", "company_id": False})
    with pytest.raises(UserError, match="Invalid prefix or suffix for sequence 'Bad'"):
        seq._next()


def test_internal_users_draw_numbers_but_cannot_manage_sequences(env, internal_user):
    env["ir.sequence"].create({"name": "S", "code": "test.user", "company_id": False})
    env["ir.sequence"].create(
        {"name": "N", "code": "test.user.nogap", "implementation": "no_gap", "company_id": False}
    )
    as_user = env["ir.sequence"].with_user(internal_user)
    assert as_user.next_by_code("test.user") == "1"
    assert as_user.next_by_code("test.user.nogap") == "1"
    with pytest.raises(AccessError):
        as_user.create({"name": "mine"})
    portal = env["res.users"].create(
        {
            "name": "P",
            "login": "portal-seq",
            "groups_id": [(6, 0, [env.ref("base.group_portal").id])],
        }
    )
    with pytest.raises(AccessError):
        env["ir.sequence"].with_user(portal).next_by_code("test.user")


def test_no_gap_numbers_are_taken_one_transaction_at_a_time(own_registry):
    with own_registry.cursor() as cr:
        seq_id = (
            api.Environment(cr, SUPERUSER_ID, {})["ir.sequence"]
            .create({"name": "Locked", "implementation": "no_gap", "company_id": False})
            .id
        )
    first, second = own_registry.cursor(), own_registry.cursor()
    try:
        assert api.Environment(first, SUPERUSER_ID, {})["ir.sequence"].browse(seq_id)._next() == "1"
        # the row is locked until the first transaction ends: the second one is refused at
        # once (lock_not_available, which the HTTP layer retries), never given number 1 too
        with pytest.raises(psycopg.errors.LockNotAvailable):
            api.Environment(second, SUPERUSER_ID, {})["ir.sequence"].browse(seq_id)._next()
        first.commit()
        second.rollback()
        assert (
            api.Environment(second, SUPERUSER_ID, {})["ir.sequence"].browse(seq_id)._next() == "2"
        )
    finally:
        first.close()
        second.close()
