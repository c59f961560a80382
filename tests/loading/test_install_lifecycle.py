"""One database through a module's life: install, upgrade (noupdate respected, dependents
upgraded too), uninstall keeping the data, reinstall, uninstall dropping the data."""

from __future__ import annotations

import threading

import psycopg
import pytest

from erplite import Registry
from erplite.exceptions import UserError
from erplite.loading.loader import uninstall_modules
from tests.loading.conftest import ADDONS, environment

LD_TABLES = {
    "ld_author",
    "ld_book",
    "ld_tag",
    "ld_loan",
    "ld_book_ld_tag_rel",
    "ld_book_reader_tag_rel",
}


def _catalog(dsn: str) -> tuple[set[str], dict[str, str], set[str]]:
    """(ld_* tables, {column: is_nullable} of ld_book, ir_sequence_* sequences)."""
    with psycopg.connect(dsn) as conn:
        tables = {
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'ld\\_%'"
            )
        }
        columns = dict(
            conn.execute(
                "SELECT column_name, is_nullable FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = 'ld_book'"
            ).fetchall()
        )
        sequences = {
            row[0]
            for row in conn.execute(
                "SELECT relname FROM pg_class WHERE relkind = 'S' AND relname LIKE 'ir\\_sequence\\_%'"
            )
        }
    return tables, columns, sequences


def _states(env) -> dict[str, str]:
    modules = env["ir.module.module"].search(
        [("name", "in", ["ld_library", "ld_loans", "ld_bridge"])]
    )
    return {module.name: module.state for module in modules}


def test_install_upgrade_uninstall(new_database):
    dsn = new_database()
    registry = Registry.new(dsn, install=("ld_library",), addons_paths=(ADDONS,))
    with environment(registry) as env:
        mine = env["ld.book"].create({"name": "My own book"})  # user data: no external id
        env.ref("ld_library.book_dune").name = "Dune (edited)"
        env.ref("ld_library.book_frozen").name = "Frozen (edited)"

    # a module depending on ld_library, and the bridge that comes with it (auto_install)
    registry = Registry.new(dsn, install=("ld_loans",), addons_paths=(ADDONS,))
    with environment(registry) as env:
        assert _states(env) == {
            "ld_library": "installed",
            "ld_loans": "installed",
            "ld_bridge": "installed",
        }
        # the hooks of ld_loans' manifest ran: pre_init before its tables, post_init after its data
        assert env["ir.config_parameter"].get_param("ld_loans.pre_init_before_tables") == "True"
        assert env["ld.tag"].search_count([("name", "=", "post-init after 1 loan")]) == 1
        # the new required field's column was filled with its default on the existing rows
        assert env["ld.book"].browse(mine.id).shelf == "A1"
        # ld_loans' view extends ld_library's form in place
        form = env["ld.book"].get_view(view_type="form")
        assert form["id"] == env.ref("ld_library.book_view_form").id
        assert '<field name="pages"/><field name="shelf"/>' in form["arch"]
        assert '<page name="loans" string="Loans"><field name="loan_ids"><tree>' in form["arch"]
        assert form["models"]["ld.loan"] == ("borrower",)
        env.ref("ld_loans.loan_dune").borrower = "Someone else"
        env.ref("ld_library.book_frozen").unlink()
        env.ref("ld_library.book_once").unlink()
        # a module marked 'to upgrade' is upgraded by the next run, as in Odoo
        env["ir.module.module"].search([("name", "=", "ld_library")]).state = "to upgrade"

    registry = Registry.new(dsn, addons_paths=(ADDONS,))
    with environment(registry) as env:
        assert _states(env) == {
            "ld_library": "installed",
            "ld_loans": "installed",
            "ld_bridge": "installed",
        }
        assert env.ref("ld_library.book_dune").name == "Dune"  # reset by the data
        # the modules depending on ld_library were upgraded too: their data was reloaded
        assert env.ref("ld_loans.loan_dune").borrower == "Paul"
        # a deleted noupdate record comes back (forcecreate), as in Odoo
        assert env.ref("ld_library.book_frozen").name == "The Left Hand of Darkness"
        # ... unless it says forcecreate="0"
        assert env.ref("ld_library.book_once", raise_if_not_found=False) is None
        assert env["ld.book"].browse(mine.id).name == "My own book"
        assert env["ld.tag"].search_count([("name", "like", "post-init")]) == 1  # not at upgrades
        sequence_name = f"ir_sequence_{env.ref('ld_library.seq_book').id:03d}"
        with pytest.raises(UserError, match="Published books cannot be deleted"):
            env.ref("ld_library.book_dune").unlink()

    tables, columns, sequences = _catalog(dsn)
    assert tables == LD_TABLES
    assert columns["shelf"] == "NO"
    assert sequence_name in sequences

    # uninstalling ld_library removes the modules depending on it, and every record and
    # external id of the three modules; the tables and columns stay with the user's data
    registry = uninstall_modules(dsn, ["ld_library"], addons_paths=(ADDONS,))
    assert "ld.book" not in registry and "ld.loan" not in registry
    with environment(registry) as env:
        assert _states(env) == {
            "ld_library": "uninstalled",
            "ld_loans": "uninstalled",
            "ld_bridge": "uninstalled",
        }
        assert env["ir.module.module"].search([("name", "=", "ld_library")]).latest_version is False
        assert (
            env["ir.model.data"].search_count(
                [("module", "in", ["ld_library", "ld_loans", "ld_bridge"])]
            )
            == 0
        )
        assert env["ir.model"].search_count([("model", "like", "ld.")]) == 0
        assert env["ir.model.fields"].search_count([("model", "like", "ld.")]) == 0
        assert env["ir.ui.menu"].search_count([("name", "=", "Library")]) == 0
        assert env["ir.ui.view"].search_count([("model", "=", "ld.book")]) == 0
        assert env["ir.actions.act_window"].search_count([("res_model", "=", "ld.book")]) == 0
        assert (
            env["ir.cron"]
            .with_context(active_test=False)
            .search_count([("name", "=", "Archive drafts")])
            == 0
        )
        assert env["ir.sequence"].search_count([("code", "=", "ld.book")]) == 0
        env["res.partner"].create({"name": "life goes on"})
        assert env["ir.config_parameter"].get_param("ld_loans.uninstall_hook") == "ran"
    tables, columns, sequences = _catalog(dsn)
    assert tables == LD_TABLES and "shelf" in columns
    assert sequence_name not in sequences  # the PostgreSQL sequence went with its record
    with psycopg.connect(dsn) as conn:
        # the published Dune went too: checks declared at_uninstall=False do not run
        assert conn.execute("SELECT name FROM ld_book").fetchall() == [("My own book",)]
        assert conn.execute("SELECT count(*) FROM ld_loan").fetchone()[0] == 0

    # installed again on the data left behind, then uninstalled for good, data included
    registry = Registry.new(dsn, install=("ld_loans",), addons_paths=(ADDONS,))
    with environment(registry) as env:
        assert _states(env) == {
            "ld_library": "installed",
            "ld_loans": "installed",
            "ld_bridge": "installed",
        }
        assert env["ld.book"].search([("name", "=", "My own book")]).shelf == "A1"
    registry = uninstall_modules(dsn, ["ld_library"], addons_paths=(ADDONS,), drop_data=True)
    tables, columns, _sequences = _catalog(dsn)
    assert tables == set()
    assert columns == {}
    with environment(registry) as env:
        assert _states(env) == {
            "ld_library": "uninstalled",
            "ld_loans": "uninstalled",
            "ld_bridge": "uninstalled",
        }


def test_uninstalling_a_module_that_extends_another_module_s_model(new_database):
    dsn = new_database()
    registry = Registry.new(dsn, install=("ld_loans",), addons_paths=(ADDONS,))
    with environment(registry) as env:
        # installed with base in the same run: ld_loans' pre_init_hook ran once tables existed
        assert env["ir.config_parameter"].get_param("ld_loans.pre_init_before_tables") == "False"
    # ld_bridge only: ld_loans and ld_library stay, nothing of theirs is dropped
    uninstall_modules(dsn, ["ld_bridge"], addons_paths=(ADDONS,), drop_data=True)
    tables, columns, _sequences = _catalog(dsn)
    assert tables == LD_TABLES and columns["shelf"] == "NO"
    # ld_loans, keeping its data: its required column on ld_book stays, but accepts new rows
    registry = uninstall_modules(dsn, ["ld_loans"], addons_paths=(ADDONS,))
    tables, columns, _sequences = _catalog(dsn)
    assert tables == LD_TABLES and columns["shelf"] == "YES"
    with environment(registry) as env:
        assert "shelf" not in env["ld.book"]._fields
        # its view extension went with it: ld_library's form is as ld_library wrote it
        assert "shelf" not in env["ld.book"].get_view(view_type="form")["arch"]
        env["ld.book"].create({"name": "After ld_loans"})
        assert (
            env["ir.model.fields"].search_count([("model", "=", "ld.book"), ("name", "=", "shelf")])
            == 0
        )
    # ld_loans again, then for good: its table, its column and its many2many table are
    # dropped; ld_library's tables and data stay
    Registry.new(dsn, install=("ld_loans",), addons_paths=(ADDONS,))
    registry = uninstall_modules(dsn, ["ld_loans"], addons_paths=(ADDONS,), drop_data=True)
    tables, columns, _sequences = _catalog(dsn)
    assert tables == {"ld_author", "ld_book", "ld_tag", "ld_book_ld_tag_rel"}
    assert "shelf" not in columns and "name" in columns
    with environment(registry) as env:
        assert env.ref("ld_library.book_dune").name == "Dune"
        assert env["ld.book"].search_count([("name", "=", "After ld_loans")]) == 1


def test_concurrent_runs_on_one_database_wait_for_each_other(new_database):
    dsn = new_database()
    Registry.new(dsn)  # base
    errors: list[BaseException] = []

    def install() -> None:
        try:
            Registry.new(dsn, install=("ld_library",), addons_paths=(ADDONS,))
        except BaseException as error:  # reported to the test's thread
            errors.append(error)

    workers = [threading.Thread(target=install) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert errors == []
    with psycopg.connect(dsn) as conn:
        # installed once: the second run saw the module installed and had nothing to do
        assert conn.execute("SELECT count(*) FROM ld_author").fetchone()[0] == 2
        assert (
            conn.execute("SELECT state FROM ir_module_module WHERE name = 'ld_library'").fetchone()[
                0
            ]
            == "installed"
        )
