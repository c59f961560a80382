"""Page templates are read once per registry, and again when changed only in development mode
(``Application(dev=True)``, ``ERPLITE_DEV=1``, ``erplite serve --dev``)."""

from __future__ import annotations

import os

import pytest

from erplite.http.requestlib import make_template_environment
from erplite.http.wsgi import application_from_environ


@pytest.mark.parametrize("dev", [False, True], ids=["production", "dev"])
def test_a_changed_template_is_read_again_in_development_mode_only(tmp_path, dev):
    template = tmp_path / "templates" / "page.html"
    template.parent.mkdir()
    template.write_text("<p>first {{ value }}</p>")
    environment = make_template_environment({"shop": tmp_path}, auto_reload=dev)
    assert environment.get_template("shop/page.html").render(value=1) == "<p>first 1</p>"

    template.write_text("<p>second {{ value }}</p>")
    stat = template.stat()
    os.utime(template, (stat.st_atime, stat.st_mtime + 10))  # a later mtime, whatever the clock
    again = environment.get_template("shop/page.html").render(value=2)
    assert again == ("<p>second 2</p>" if dev else "<p>first 2</p>")


def test_development_mode_comes_from_erplite_dev():
    dsn = "dbname=shop"
    assert application_from_environ({"ERPLITE_DSN": dsn}).dev is False
    assert application_from_environ({"ERPLITE_DSN": dsn, "ERPLITE_DEV": "1"}).dev is True
    assert application_from_environ({"ERPLITE_DSN": dsn, "ERPLITE_DEV": "no"}).dev is False
