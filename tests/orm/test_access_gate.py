"""One access gate: ``erplite/orm/model_access.py`` is the only file of the ORM that imports
the security layer (at the top of the file or inside a function); the rest of the ORM asks
the model."""

from __future__ import annotations

import ast
from pathlib import Path

import erplite.orm

ORM = Path(next(iter(erplite.orm.__path__)))


def _imports_security(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(
                alias.name == "erplite.security" or alias.name.startswith("erplite.security.")
                for alias in node.names
            ):
                return True
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "erplite.security" or node.module.startswith("erplite.security."):
                return True
            if node.module == "erplite" and any(a.name == "security" for a in node.names):
                return True
    return False


def _security_importers() -> set[str]:
    return {
        str(path.relative_to(ORM))
        for path in sorted(ORM.rglob("*.py"))
        if _imports_security(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    }


def test_only_model_access_imports_security() -> None:
    assert _security_importers() == {"model_access.py"}


def test_the_walk_sees_every_form_of_import() -> None:
    """The check would fail on any spelling of the import, nested in a function or not."""
    for source in (
        "from erplite import security",
        "import erplite.security",
        "import erplite.security.companies as c",
        "from erplite.security.protected_fields import check_write",
        "def f():\n    from erplite.security import rule_sql\n",
    ):
        assert _imports_security(ast.parse(source)), source
    for source in ("from erplite import sql", "import erplite.securityx", "from . import x"):
        assert not _imports_security(ast.parse(source)), source
