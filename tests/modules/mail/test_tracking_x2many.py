"""Tracked many2many and one2many fields (Odoo 17 tracks them as the display names of their
records, comma-separated, in ``old_value_char``/``new_value_char``), in the history and on
the chatter, on the tickets of ``tests/addons/test_mail_tracking``."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from erplite import SUPERUSER_ID, Command, Registry, api
from erplite.sql import close_pool, dbname_of
from erplite.testing import create_database, drop_database

MODULES = ("base", "mail", "test_mail_tracking")


@pytest.fixture
def env(erplite_templates: Any) -> Iterator[Any]:
    """A superuser environment on a database with the tickets, rolled back after the test."""
    registry = erplite_templates(*MODULES)[1]
    cr = registry.cursor()
    try:
        yield api.Environment(cr, SUPERUSER_ID, {})
    finally:
        cr.rollback()
        cr.close()


@pytest.fixture
def tags(env: Any) -> Any:
    return env["test.mail.tag"].create([{"name": "Bug"}, {"name": "Urgent"}, {"name": "UI"}])


def changes(ticket: Any) -> list[tuple[str, str, str]]:
    """The tracked changes of the ticket's messages, oldest first: (field, old, new)."""
    ticket.env.flush_all()
    ticket.invalidate_recordset(["message_ids"])
    return [
        (value.field_id.name, value.old_value_char or "", value.new_value_char or "")
        for message in ticket.message_ids.sorted("id")
        for value in message.tracking_value_ids.sorted("id")
    ]


def test_a_many2many_change_is_tracked_with_the_display_names(env: Any, tags: Any) -> None:
    bug, urgent, ui = tags
    ticket = env["test.mail.ticket"].create({"name": "Crash", "tag_ids": [Command.set(bug.ids)]})
    ticket.write({"tag_ids": [Command.link(urgent.id)]})
    assert changes(ticket) == [("tag_ids", "Bug", "Bug, Urgent")]
    ticket.write({"tag_ids": [Command.set([ui.id])]})
    assert changes(ticket)[-1] == ("tag_ids", "Bug, Urgent", "UI")
    assert len(ticket.message_ids) == 3  # the creation and one message per write


def test_a_one2many_change_is_tracked(env: Any) -> None:
    ticket = env["test.mail.ticket"].create({"name": "Crash"})
    env.flush_all()
    ticket.write({"line_ids": [Command.create({"name": "Reproduce"})]})
    ticket.write({"line_ids": [Command.create({"name": "Fix"})]})
    assert changes(ticket) == [
        ("line_ids", "", "Reproduce"),
        ("line_ids", "Reproduce", "Reproduce, Fix"),
    ]


def test_an_x2many_and_a_scalar_written_together_are_one_message(env: Any, tags: Any) -> None:
    ticket = env["test.mail.ticket"].create({"name": "Crash"})
    env.flush_all()
    ticket.write({"name": "Crash on save", "tag_ids": [Command.set(tags[:2].ids)]})
    assert sorted(changes(ticket)) == [
        ("name", "Crash", "Crash on save"),
        ("tag_ids", "", "Bug, Urgent"),
    ]
    assert len(ticket.message_ids) == 2  # the creation and that write


def test_the_same_records_in_another_order_are_no_change(env: Any, tags: Any) -> None:
    ticket = env["test.mail.ticket"].create({"name": "Crash", "tag_ids": [Command.set(tags.ids)]})
    env.flush_all()
    ticket.write({"tag_ids": [Command.set(list(reversed(tags.ids)))]})
    assert changes(ticket) == []


def test_tracking_x2many_changes_of_many_records_costs_a_constant_number_of_statements(
    env: Any, tags: Any, assert_query_count: Any
) -> None:
    tickets = env["test.mail.ticket"].create([{"name": f"T{i}"} for i in range(5)])
    env.flush_all()
    tickets.invalidate_recordset(["tag_ids"])
    # the relation read by the write (the old values), its rows inserted, the relation read
    # again (the write dropped it from the cache), the INSERT of the messages with their
    # tracking values: the same for 5 tickets as for 1
    with assert_query_count(4):
        tickets.write({"tag_ids": [Command.set(tags.ids)]})
        env.flush_all()
    assert len(changes(tickets[0])) == 1 and len(changes(tickets[4])) == 1


@pytest.fixture(scope="module")
def site(
    erplite_server: str, erplite_templates: Any, erplite_addons_paths: Any
) -> Iterator[tuple[Any, int]]:
    from erplite.http import Application

    name = f"erplite_trk_{uuid.uuid4().hex[:10]}"
    template = erplite_templates(*MODULES)[0]
    dsn = create_database(erplite_server, name, template=dbname_of(template))
    registry = Registry(dsn, erplite_addons_paths)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["res.users"].create(
            {
                "name": "Tess",
                "login": "tess",
                "password": "tess",
                "groups_id": [Command.set([env.ref("base.group_user").id])],
            }
        )
        bug, urgent = env["test.mail.tag"].create([{"name": "Bug"}, {"name": "Urgent"}])
        ticket = env["test.mail.ticket"].create({"name": "Crash", "tag_ids": [(6, 0, bug.ids)]})
        ticket.write({"tag_ids": [Command.link(urgent.id)]})
        ticket_id = ticket.id
    try:
        yield Application(dsn, erplite_addons_paths), ticket_id
    finally:
        close_pool(dsn)
        drop_database(erplite_server, name)


def test_the_chatter_shows_the_x2many_change(site: tuple[Any, int]) -> None:
    app, ticket_id = site
    client = Client(app)
    page = client.get("/web/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    login = {"login": "tess", "password": "tess", "csrf_token": token}
    assert client.post("/web/login", data=login).status_code == 303
    html = client.get(f"/mail/chatter/test.mail.ticket/{ticket_id}").get_data(as_text=True)
    assert re.search(
        r'o-tracking-old">Bug</span> → <span class="o-tracking-new">Bug, Urgent</span> '
        r'<span class="o-tracking-field">\(Tags\)',
        html,
    )
