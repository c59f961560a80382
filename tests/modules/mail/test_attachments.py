"""``ir.attachment``: content stored in PostgreSQL, access checked through the record."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from erplite.exceptions import AccessError


def test_content_size_checksum_and_base64(env: Any, make_order: Any) -> None:
    order = make_order()
    doc = env["ir.attachment"].create(
        {
            "name": "quote.pdf",
            "raw": b"%PDF-1.4 quote",
            "res_model": "sale.order",
            "res_id": order.id,
        }
    )
    env.invalidate_all()
    assert doc.raw == b"%PDF-1.4 quote"
    assert doc.datas == base64.b64encode(b"%PDF-1.4 quote")
    assert doc.file_size == 14 and len(doc.checksum) == 40
    assert doc.mimetype == "application/pdf"
    doc.datas = base64.b64encode(b"v2")
    env.invalidate_all()
    assert doc.raw == b"v2" and doc.file_size == 2
    env.cr.execute("SELECT raw FROM ir_attachment WHERE id = %s", [doc.id])
    assert bytes(env.cr.fetchone()[0]) == b"v2"  # in the database, not on a disk


def test_access_follows_the_record(
    env: Any, make_order: Any, salesman: Any, make_user: Any
) -> None:
    other = make_user("other", "sales_team.group_sale_salesman")
    mine = make_order(user_id=salesman.id)
    theirs = make_order(user_id=other.id)
    files = env["ir.attachment"].create(
        [
            {"name": "mine.txt", "raw": b"a", "res_model": "sale.order", "res_id": mine.id},
            {"name": "theirs.txt", "raw": b"b", "res_model": "sale.order", "res_id": theirs.id},
        ]
    )
    env.invalidate_all()
    as_salesman = env["ir.attachment"].with_user(salesman)
    found = as_salesman.search([("id", "in", files.ids)])
    assert found.mapped("name") == ["mine.txt"]
    assert as_salesman.search_count([("id", "in", files.ids)]) == 1
    with pytest.raises(AccessError):
        as_salesman.browse(files[1].id).read(["raw"])
    with pytest.raises(AccessError):
        as_salesman.browse(files[1].id).unlink()
    with pytest.raises(AccessError):
        as_salesman.create(
            {"name": "x.txt", "raw": b"x", "res_model": "sale.order", "res_id": theirs.id}
        )
    own = as_salesman.create(
        {"name": "y.txt", "raw": b"y", "res_model": "sale.order", "res_id": mine.id}
    )
    assert own.read(["name"])[0]["name"] == "y.txt"


def test_an_attachment_of_no_record_is_its_creators(
    env: Any, salesman: Any, make_user: Any
) -> None:
    other = make_user("other", "sales_team.group_sale_salesman")
    scratch = env["ir.attachment"].with_user(salesman).create({"name": "n.txt", "raw": b"n"})
    env.invalidate_all()
    assert scratch.read(["name"])
    with pytest.raises(AccessError):
        scratch.with_user(other).read(["name"])
    assert not env["ir.attachment"].with_user(other).search([("id", "=", scratch.id)])
