"""Installing fixture modules: CSV and XML data (ref, eval, function, delete, menus), external
ids, model reflection, module states, auto_install, demo data, and an upgrade without DDL."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from erplite import Registry
from erplite.sql import count_queries
from erplite.testing import create_database, drop_database
from tests.loading.conftest import ADDONS, environment


@pytest.fixture(scope="module")
def library(erplite_server: str) -> Iterator[tuple[str, Any]]:
    """``(dsn, registry)`` of a database with ``ld_library`` installed, without demo data."""
    name = f"erplite_l_{uuid.uuid4().hex[:12]}"
    dsn = create_database(erplite_server, name)
    try:
        yield dsn, Registry.new(dsn, install=("ld_library",), addons_paths=(ADDONS,))
    finally:
        drop_database(erplite_server, name)


@pytest.fixture
def env(library: tuple[str, Any]) -> Iterator[Any]:
    """A superuser environment on the library database, rolled back after the test."""
    registry = library[1]
    cr = registry.cursor()
    try:
        from erplite import SUPERUSER_ID, api

        yield api.Environment(cr, SUPERUSER_ID, {})
    finally:
        cr.rollback()
        cr.close()


def test_module_states_and_versions(env):
    modules = {
        m.name: m
        for m in env["ir.module.module"].search(
            [("name", "in", ["base", "ld_library", "ld_loans"])]
        )
    }
    assert modules["base"].state == "installed"
    assert modules["ld_library"].state == "installed"
    assert modules["ld_library"].latest_version == "17.0.1.0"
    assert modules["ld_library"].demo is False
    assert modules["ld_loans"].state == "uninstalled"
    assert modules["ld_loans"].latest_version is False


def test_models_are_reflected_with_their_external_ids(env):
    book_model = env.ref("ld_library.model_ld_book")
    assert book_model._name == "ir.model"
    assert (book_model.model, book_model.name, book_model.modules) == (
        "ld.book",
        "Book",
        "ld_library",
    )
    fields = {f.name: f for f in book_model.field_id}
    assert fields["author_id"].ttype == "many2one"
    assert fields["author_id"].relation == "ld.author"
    assert fields["name"].required is True
    assert env.ref("base.model_res_partner").model == "res.partner"


def test_access_csv_refers_to_model_and_group_external_ids(env):
    access = env.ref("ld_library.access_ld_book_user")
    assert access.model_id == env.ref("ld_library.model_ld_book")
    assert access.group_id == env.ref("base.group_user")
    assert (access.perm_read, access.perm_write, access.perm_create, access.perm_unlink) == (
        True,
        True,
        True,
        False,
    )


def test_csv_named_after_its_model(env):
    herbert = env.ref("ld_library.author_herbert")
    assert (herbert.name, herbert.country_code, herbert.born) == (
        "Frank Herbert",
        "US",
        datetime.date(1920, 10, 8),
    )
    assert env.ref("ld_library.tag_poetry").color == 2


def test_xml_ref_and_eval(env):
    dune = env.ref("ld_library.book_dune")
    assert dune.author_id == env.ref("ld_library.author_herbert")  # ref="author_herbert"
    assert dune.tag_ids == env.ref("ld_library.tag_fiction")  # Command.set([ref(...)])
    assert dune.pages == 412 and dune.price == 19.0  # eval of numbers and arithmetic
    assert dune.published == datetime.date(1965, 9, 1)  # DateTime + relativedelta
    assert dune.state == "published"
    earthsea = env.ref("ld_library.book_earthsea")
    assert earthsea.author_id == env.ref("ld_library.author_le_guin")  # fully qualified ref
    assert set(earthsea.tag_ids.mapped("name")) == {"Fiction", "Poetry"}  # raw (4, id) triplets
    assert earthsea.published == datetime.date(datetime.date.today().year, 1, 1)  # context_today()


def test_function_delete_and_sequence(env):
    tags = env["ld.tag"].search([])
    # <function> created two tags with color 7; <delete> removed one tag by id, one by search
    assert sorted(tags.mapped("name")) == ["Fiction", "Poetry", "classic", "essay"]
    assert tags.filtered(lambda t: t.name == "essay").color == 7
    assert env.ref("ld_library.tag_temp", raise_if_not_found=False) is None
    assert env["ir.config_parameter"].get_param("ld_library.max_loans") == "3"
    # the books took their references from the ir.sequence of the data file
    year = datetime.date.today().year
    references = sorted(env["ld.book"].search([]).mapped("reference"))
    assert references == [f"BK/{year}/{n:03d}" for n in range(1, 5)]


def test_menus_actions_and_cron(env):
    root = env.ref("ld_library.menu_root")
    books = env.ref("ld_library.menu_books")
    action = env.ref("ld_library.action_books")
    assert (root.name, root.sequence, root.parent_id) == ("Library", 30, env["ir.ui.menu"])
    assert books.parent_id == root
    assert books.name == "Books"  # taken from the action
    assert books.action == f"ir.actions.act_window,{action.id}"
    assert books.groups_id == env.ref("base.group_user")
    cron = env.ref("ld_library.cron_archive_drafts")
    assert (cron.model_id.model, cron.method_name, cron.numbercall, cron.active) == (
        "ld.book",
        "action_archive",
        -1,
        False,
    )


def test_noupdate_records_get_their_flag(env):
    data = env["ir.model.data"]
    assert data._xmlid_lookup("ld_library.book_frozen")[3] is True
    assert data._xmlid_lookup("ld_library.book_dune")[3] is False


def test_demo_data_is_not_loaded_without_demo(env):
    assert env.ref("ld_library.book_demo", raise_if_not_found=False) is None


def test_unchanged_schema_issues_no_ddl(library):
    dsn, _registry = library
    with count_queries() as statements:
        Registry.new(dsn, update=("base",), addons_paths=(ADDONS,))
    ddl = [
        _text(q)
        for q in statements
        if _text(q).lstrip().upper().startswith(("ALTER", "CREATE", "DROP"))
    ]
    assert ddl == []
    assert len(statements) > 50  # base and ld_library were really upgraded


def _text(query: Any) -> str:
    try:
        return query.as_string(None)
    except (AttributeError, TypeError):
        return str(query)


def test_demo_data_and_auto_install(new_database):
    dsn = new_database()
    registry = Registry.new(dsn, install=("ld_library",), addons_paths=(ADDONS,), demo=True)
    with environment(registry) as env:
        assert env.ref("ld_library.book_demo").author_id == env.ref("ld_library.author_herbert")
        assert env["ir.module.module"].search([("name", "=", "ld_library")]).demo is True
    # a module installed later in a database with demo data gets its demo data too; the
    # bridge module comes with ld_loans because all of its dependencies are there
    registry = Registry.new(dsn, install=("ld_loans",), addons_paths=(ADDONS,))
    with environment(registry) as env:
        modules = env["ir.module.module"].search([("name", "in", ["ld_loans", "ld_bridge"])])
        assert {(m.name, m.state, m.demo) for m in modules} == {
            ("ld_loans", "installed", True),
            ("ld_bridge", "installed", True),
        }
        assert env.ref("ld_bridge.tag_bridged").name == "Bridged"
        assert env.ref("ld_loans.loan_dune").book_id == env.ref("ld_library.book_dune")
