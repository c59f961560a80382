"""The kanban page over HTTP: cards are the arch's ``kanban-box`` template rendered by QWeb,
the cards' fields are read in one batch, columns count and sum the whole search, quick create
writes a record in its column (and is refused where the arch or the rights say no)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from erplite.sql import count_queries
from tests.modules.web.conftest import csrf_of


def _kanban(client: Any, action: int, query: str = "searched=1") -> str:
    response = client.get(f"/web/action/{action}/kanban?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def _column(page: str, label: str) -> str:
    match = re.search(
        rf'<section class="o-kanban-column[^"]*" data-value="[^"]*" aria-label="{label}">(.*?)</section>',
        page,
        re.S,
    )
    assert match, f"no column {label!r}"
    return match.group(1)


def test_order_cards_are_the_arch_template_rendered(served: Any) -> None:
    page = _kanban(served.client("max"), served.ids["action"])
    quotations = _column(page, "Quotation")
    assert quotations.count('class="o-kanban-card"') == 86
    # the template's own markup, with its <field> nodes and t-esc of record.<field>.value
    assert '<strong class="o_kanban_record_title"><span class="o-field o-field-many2one' in page
    assert re.search(r"Customer \d</span></strong>", quotations)
    assert '<span class="o-field o-field-badge o-field-name-state">Quotation</span>' in quotations
    assert re.search(r"<span>SO/\d+/\d+ \d{4}-\d\d-\d\d \d\d:\d\d</span>", quotations)
    # the whole card opens the record's form
    assert re.search(r'<a class="o-kanban-open" href="/web/action/\d+/form/\d+\?back=', quotations)


def test_columns_count_and_sum_the_whole_search(served: Any) -> None:
    page = _kanban(served.client("max"), served.ids["action"])
    with served.env().cursor() as cr:
        cr.execute("SELECT count(*), sum(amount_total) FROM sale_order WHERE state = 'draft'")
        count, total = cr.fetchone()
    quotations = _column(page, "Quotation")
    assert f'<span class="o-kanban-count" aria-label="{count} records">{count}</span>' in quotations
    assert f"{float(total):,.2f}</span></p>" in quotations
    assert re.search(r'data-sum="[\d.]+"', quotations)
    empty = _column(page, "Cancelled")
    assert ">0</span>" in empty and "0.00</span></p>" in empty


def test_the_cards_fields_are_read_in_one_batch(served: Any) -> None:
    client = served.client("max")
    url = f"/web/action/{served.ids['action']}/kanban?searched=1"
    for _ in range(2):
        assert client.get(url).status_code == 200
    with count_queries() as statements:
        response = client.get(url)
    assert response.get_data(as_text=True).count('class="o-kanban-card"') == 86
    listing = [str(s) for s in statements if str(s).strip().upper() not in ("BEGIN", "COMMIT")]
    # (8 today) the signals, the credentials and the viewer (3), one search_read, the
    # customers' names, the columns' counts and sums (read_group), the viewer's name, the
    # currency: never one statement per card
    assert len(listing) <= 8, "\n".join(s[:200] for s in listing)


def test_quick_create_in_a_column(served: Any) -> None:
    client = served.client("max")
    with served.env().cursor() as cr:
        cr.execute(
            "SELECT res_id FROM ir_model_data WHERE module = 'product' AND name = 'product_normal_action'"
        )
        row = cr.fetchone()
    assert row, "the products action"
    action = row[0]
    page = _kanban(client, action, "searched=1&groupby=type")
    assert 'class="o-kanban-quick-create"' in page
    assert re.search(r'<label class="o-sr-only" for="o-kanban-column-\d+-name">', page)
    back = f"/web/action/{action}/kanban?searched=1&groupby=type"
    response = client.post(
        f"/web/action/{action}/kanban/quick_create",
        data={
            "csrf_token": csrf_of(page),
            "name": "Quick Service",
            "value": "service",
            "back": back,
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(back)
    with served.env().cursor() as cr:
        cr.execute(
            "SELECT p.type FROM product_product p WHERE p.name = %s",
            ("Quick Service",),
        )
        assert cr.fetchall() == [("service",)]


def test_quick_create_is_refused_where_the_arch_says_no(served: Any) -> None:
    client = served.client("max")
    action = served.ids["action"]
    page = _kanban(client, action)
    assert 'class="o-kanban-quick-create"' not in page  # quick_create="false"
    response = client.post(
        f"/web/action/{action}/kanban/quick_create",
        data={"csrf_token": csrf_of(page), "name": "S-hand-made", "value": "draft"},
    )
    assert response.status_code == 422
    assert "cannot be created from this kanban" in response.get_data(as_text=True)
    with served.env().cursor() as cr:
        cr.execute("SELECT count(*) FROM sale_order WHERE name = 'S-hand-made'")
        assert cr.fetchone() == (0,)


def test_stages_with_fold_set_start_folded(
    tmp_path: Any, clone_database: Any, erplite_addons_paths: tuple
) -> None:
    """Columns of a many2one whose comodel has ``fold`` (a stage) start folded when it is set."""
    from werkzeug.test import Client

    from erplite import SUPERUSER_ID, Registry, api
    from erplite.http import Application
    from erplite.sql import close_pool

    module = tmp_path / "kanban_stages"
    (module / "security").mkdir(parents=True)
    (module / "views").mkdir()
    (module / "__init__.py").write_text(
        "from erplite import fields, models\n\n\n"
        "class Stage(models.Model):\n"
        "    _name = 'x.stage'\n    _description = 'Stage'\n    _order = 'sequence'\n"
        "    name = fields.Char(required=True)\n    sequence = fields.Integer()\n"
        "    fold = fields.Boolean()\n\n\n"
        "class Task(models.Model):\n"
        "    _name = 'x.task'\n    _description = 'Task'\n"
        "    name = fields.Char(required=True)\n    stage_id = fields.Many2one('x.stage')\n"
    )
    (module / "__manifest__.py").write_text(
        "{'name': 'Stages', 'version': '17.0.1.0', 'depends': ['web'], 'license': 'LGPL-3',"
        " 'data': ['security/ir.model.access.csv', 'views/views.xml']}"
    )
    (module / "security" / "ir.model.access.csv").write_text(
        "id,name,model_id:id,group_id:id,perm_read,perm_write,perm_create,perm_unlink\n"
        "access_stage,stage,model_x_stage,base.group_user,1,1,1,1\n"
        "access_task,task,model_x_task,base.group_user,1,1,1,1\n"
    )
    (module / "views" / "views.xml").write_text(
        """<odoo>
  <record id="task_kanban" model="ir.ui.view">
    <field name="name">x.task.kanban</field><field name="model">x.task</field>
    <field name="arch" type="xml">
      <kanban default_group_by="stage_id"><field name="name"/>
        <templates><t t-name="kanban-box"><div><field name="name"/></div></t></templates>
      </kanban>
    </field>
  </record>
  <record id="task_action" model="ir.actions.act_window">
    <field name="name">Tasks</field><field name="res_model">x.task</field>
    <field name="view_mode">kanban,form</field>
  </record>
</odoo>"""
    )
    dsn = clone_database()
    paths = (*erplite_addons_paths, str(tmp_path))
    registry = Registry.new(dsn, install=("kanban_stages",), addons_paths=paths)
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            todo, done = env["x.stage"].create(
                [{"name": "To do", "sequence": 1}, {"name": "Done", "sequence": 2, "fold": True}]
            )
            env["x.task"].create(
                [{"name": "Write", "stage_id": todo.id}, {"name": "Ship", "stage_id": done.id}]
            )
            env.ref("base.user_admin").password = "admin"
            action = env.ref("kanban_stages.task_action").id
            todo_id, done_id = todo.id, done.id
        client = Client(Application(dsn, paths))
        token = csrf_of(client.get("/web/login").get_data(as_text=True))
        client.post("/web/login", data={"login": "admin", "password": "admin", "csrf_token": token})
        page = _kanban(client, action)
        assert (
            f'<section class="o-kanban-column o-folded" data-value="{done_id}" aria-label="Done">'
            in page
        )
        assert (
            f'<section class="o-kanban-column" data-value="{todo_id}" aria-label="To do">' in page
        )
        assert 'aria-expanded="false"' in page and 'aria-expanded="true"' in page
        assert "Write" in page and "Ship" in page
    finally:
        close_pool(dsn)


def test_the_move_menu_works_without_script(served: Any) -> None:
    """A card's "Move to" form posted as a plain form: written, then back to the kanban."""
    client, ids = served.client("max"), served.ids
    query = "searched=1&groupby=partner_id"
    back = f"/web/action/{ids['action']}/kanban?{query}"
    page = _kanban(client, ids["action"], query)
    assert f'<select id="o-move-{ids["big"]}" name="value">' in page
    assert re.search(rf'<label class="o-sr-only" for="o-move-{ids["big"]}">Move SO/', page)
    other = re.search(r'<option value="(\d+)">Customer 1</option>', page)
    assert other, "the other customers' columns are offered"
    data = {
        "csrf_token": csrf_of(page),
        "record_id": str(ids["big"]),
        "field": "partner_id",
        "value": other.group(1),
        "back": back,
    }
    response = client.post(f"/web/action/{ids['action']}/kanban/move", data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith(back)
    with served.env().cursor() as cr:
        cr.execute("SELECT partner_id FROM sale_order WHERE id = %s", (ids["big"],))
        assert cr.fetchone() == (int(other.group(1)),)
    data.update(value=str(ids["customer"]), back="https://example.com/")
    outside = client.post(f"/web/action/{ids['action']}/kanban/move", data=data)
    assert outside.status_code == 204  # written, and no redirect away from the kanban


def test_a_column_with_more_cards_than_drawn_says_so(
    served: Any, monkeypatch: pytest.MonkeyPatch, web_ui: Any
) -> None:
    import importlib

    kanban_page = importlib.import_module("erplite.addons.web.controllers.kanban_page")
    monkeypatch.setattr(kanban_page, "KANBAN_LIMIT", 10)
    quotations = _column(_kanban(served.client("max"), served.ids["action"]), "Quotation")
    assert quotations.count('class="o-kanban-card"') == 10
    assert re.search(r"10 of \d+ shown: search to narrow them down\.", quotations)
