"""The HTTP layer changes an object's state through that object's methods (issue 11).

Read from the source with ``ast`` (nothing is imported), over the files of ``erplite/http``:

- no file reads or calls a private attribute (``_name``, not ``__dunder__``) of the objects the
  HTTP layer passes around (the request, its dispatcher, an endpoint, the session, the
  application, a database state): ``request.cursor()``, not ``request._cursor()``;
- no file assigns a private attribute of an object other than ``self``/``cls`` (a cache an
  object keeps is set by that object's own methods).

Models keep Odoo's names (``model._name``, ``user._compute_session_token``): they belong to
the ORM's API, not to this rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

HTTP = Path(__file__).resolve().parents[2] / "erplite" / "http"

#: Names the HTTP layer gives its own objects.
HTTP_OBJECTS = frozenset(
    {"request", "dispatcher", "endpoint", "session", "app", "state", "httprequest", "store"}
)


def _private(attr: str) -> bool:
    return attr.startswith("_") and not attr.startswith("__")


def _assigned(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return node.targets
    if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        return [node.target]
    return []


def _violations(path: Path, root: Path) -> Iterator[str]:
    """What ``path`` does against the rules, each as ``file:line: what`` (relative to
    ``root``)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    where = path.relative_to(root)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in HTTP_OBJECTS
            and _private(node.attr)
        ):
            yield f"{where}:{node.lineno}: reads {ast.unparse(node)}"
        for target in _assigned(node):
            for sub in ast.walk(target):
                if (
                    isinstance(sub, ast.Attribute)
                    and _private(sub.attr)
                    and not (isinstance(sub.value, ast.Name) and sub.value.id in ("self", "cls"))
                ):
                    yield f"{where}:{node.lineno}: assigns {ast.unparse(sub)}"


def test_http_objects_change_through_their_own_methods() -> None:
    root = HTTP.parent.parent
    violations = [found for path in sorted(HTTP.rglob("*.py")) for found in _violations(path, root)]
    assert violations == []


def test_the_check_finds_a_private_access(tmp_path: Path) -> None:
    """The walk above sees the accesses it forbids (a check that cannot fail is none)."""
    sample = tmp_path / "erplite" / "http" / "sample.py"
    sample.parent.mkdir(parents=True)
    sample.write_text(
        "def serve(self, request, endpoint):\n"
        "    request._cursor()\n"
        "    endpoint._cached = True\n"
        "    self._fine = request.cursor()\n"
    )
    assert sorted(_violations(sample, tmp_path)) == [
        "erplite/http/sample.py:2: reads request._cursor",
        "erplite/http/sample.py:3: assigns endpoint._cached",
        "erplite/http/sample.py:3: reads endpoint._cached",
    ]
