"""docs/module-author.md cannot rot: its files are copied out of the page, the module is
installed into a copy of the template database, and its screens are read through the ORM and
opened in the backoffice over HTTP."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from werkzeug.test import Client

from erplite import SUPERUSER_ID, Registry, api
from erplite.sql import close_pool

GUIDE = Path(__file__).parents[2] / "docs" / "module-author.md"
_BLOCK = re.compile(r"```(?:python|xml|csv)\n(.*?)```", re.S)
_PATH = re.compile(r"^(?:#|<!--)\s*(library/[\w./]+?)\s*(?:-->)?$")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def write_guide_module(root: Path) -> list[str]:
    """The guide's files that start with a comment naming their path, written under ``root``."""
    written = []
    for block in _BLOCK.findall(GUIDE.read_text(encoding="utf-8")):
        first, _, body = block.partition("\n")
        match = _PATH.match(first.strip())
        if not match:
            continue
        target = root / match.group(1)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
        written.append(match.group(1))
    return written


def test_the_guide_module_installs_and_its_screens_open(
    tmp_path: Path, clone_database: Any, erplite_addons_paths: tuple[str, ...]
) -> None:
    files = write_guide_module(tmp_path)
    assert sorted(files) == [
        "library/__init__.py",
        "library/__manifest__.py",
        "library/models/__init__.py",
        "library/models/book.py",
        "library/security/ir.model.access.csv",
        "library/views/book_views.xml",
    ]
    dsn = clone_database()
    paths = (*erplite_addons_paths, str(tmp_path))
    registry = Registry.new(dsn, install=("library",), addons_paths=paths)
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            publisher = env["res.partner"].create({"name": "Penguin"})
            books = env["library.book"].create(
                [
                    {
                        "name": "Dune",
                        "author": "Herbert",
                        "pages": 600,
                        "publisher_id": publisher.id,
                    },
                    {"name": "Emma", "author": "Austen", "pages": 400, "state": "available"},
                ]
            )
            views = env["library.book"].get_views(
                [[False, "list"], [False, "form"], [False, "kanban"], [False, "search"]]
            )
            assert '<field name="pages" sum="Pages"/>' in views["views"]["list"]["arch"]
            assert 'name="action_make_available"' in views["views"]["form"]["arch"]
            assert 'filter name="by_year"' in views["views"]["search"]["arch"]
            action = env.ref("library.book_action")
            menus = env["ir.ui.menu"].load_menus()
            assert "Library" in {menu["name"] for menu in menus.values() if isinstance(menu, dict)}
            env.ref("base.user_admin").password = "admin"
            dune = books[0]
        client = Client(_application(dsn, paths))
        _log_in(client, "admin")
        listing = _page(client, f"/web/action/{action.id}/list")
        assert "Emma" in listing and "Dune" not in listing  # search_default_available
        assert "Dune" in _page(client, f"/web/action/{action.id}/list?searched=1")
        kanban = _page(client, f"/web/action/{action.id}/kanban?searched=1")
        assert re.search(r'aria-label="Draft">.*?Dune.*?by <span[^>]*>Herbert</span>', kanban, re.S)
        assert "600 pages" in kanban
        form = _page(client, f"/web/action/{action.id}/form/{dune.id}")
        assert "Make available" in form and 'placeholder="Condition, shelf..."' in form
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["library.book"].browse(dune.id).action_make_available()
            assert env["library.book"].browse(dune.id).state == "available"
    finally:
        close_pool(dsn)


def _application(dsn: str, paths: tuple[str, ...]) -> Any:
    from erplite.http import Application

    return Application(dsn, paths)


def _log_in(client: Client, login: str) -> None:
    token = _CSRF.search(client.get("/web/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/web/login", data={"login": login, "password": login, "csrf_token": token}
    )
    assert response.status_code == 303


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    return response.get_data(as_text=True)
