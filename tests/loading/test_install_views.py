"""Views across an upgrade: a module whose new version renames the node another module's
view extends upgrades together with that module (the extension of a module not yet reloaded
in the run is not applied while checking, as in Odoo 17), and a module that still targets the
old node fails with the install rolled back."""

from __future__ import annotations

import pytest

from erplite import Registry
from erplite.loading import DataFileError
from tests.loading.conftest import HERE, environment, snapshot

V1 = str(HERE / "addons_views_v1")
V2 = str(HERE / "addons_views_v2")


def form_arch(registry) -> str:
    with environment(registry) as env:
        view = env.ref("lv_base.partner_view_form")
        return env["res.partner"].get_view(view.id)["arch"]


def test_upgrade_of_a_view_extended_by_a_later_module(new_database):
    dsn = new_database()
    registry = Registry.new(dsn, install=("lv_ext",), addons_paths=(V1,))
    assert form_arch(registry) == (
        '<form><group name="contact"><field name="name"/><field name="email"/></group></form>'
    )
    registry = Registry.new(dsn, update=("lv_base",), addons_paths=(V2,))
    assert form_arch(registry) == (
        '<form><group name="reach"><field name="name"/><field name="email"/></group></form>'
    )


def test_an_extension_left_behind_by_an_upgrade_fails_it(new_database, tmp_path):
    dsn = new_database()
    Registry.new(dsn, install=("lv_ext",), addons_paths=(V1,))
    # lv_base version 2 with lv_ext version 1 (which targets the group version 2 renamed)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "lv_base").symlink_to(HERE / "addons_views_v2" / "lv_base")
    (mixed / "lv_ext").symlink_to(HERE / "addons_views_v1" / "lv_ext")
    before = snapshot(dsn)
    with pytest.raises(DataFileError) as failure:
        Registry.new(dsn, update=("lv_base",), addons_paths=(str(mixed),))
    assert str(failure.value).startswith(
        "lv_ext/views/partner_views.xml:3: ValidationError: Invalid view lv_ext.partner_view_form_ext: "
        'element <group name="contact" position="inside"> cannot be located in parent view'
    )
    assert snapshot(dsn) == before
