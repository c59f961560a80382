"""The widgets' server side: ``/web/content`` (a binary field's file, read as the user),
``/web/dataset/resequence`` (the handle widget's new order, written as the user) and the
binary widget's posted values (an upload, a clear, the filename field)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from erplite import SUPERUSER_ID, api


def _rpc(client: Any, url: str, params: dict[str, Any]) -> dict[str, Any]:
    response = client.post(url, json={"jsonrpc": "2.0", "method": "call", "params": params})
    assert response.status_code == 200
    return response.get_json()


def test_a_file_is_downloaded_as_the_user(served: Any) -> None:
    registry = served.env()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        attachment = env["ir.attachment"].create(
            {
                "name": "terms & conditions.txt",
                "raw": b"Pay within 30 days.",
                "res_model": "sale.order",
                "res_id": served.ids["big"],
            }
        )
    url = f"/web/content/ir.attachment/{attachment.id}/datas"
    manager = served.client("max")
    found = manager.get(f"{url}?filename_field=name&download=1")
    assert found.status_code == 200
    assert found.get_data() == b"Pay within 30 days."
    assert found.headers["Content-Type"].startswith("text/plain")
    disposition = found.headers["Content-Disposition"]
    assert disposition == "attachment; filename*=UTF-8''terms%20%26%20conditions.txt"
    assert found.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in found.headers["Content-Security-Policy"]
    # without a filename field: named after the record
    unnamed = manager.get(url).headers["Content-Disposition"]
    assert unnamed.endswith(f"ir_attachment-{attachment.id}-datas")
    # the salesperson may not read the order, so neither its attachment
    assert served.client("sid").get(url).status_code == 403
    assert manager.get(f"/web/content/ir.attachment/{attachment.id}/name").status_code == 404
    assert manager.get(f"/web/content/ir.attachment/{attachment.id}/nope").status_code == 404
    assert manager.get("/web/content/no.model/1/datas").status_code == 404
    assert manager.get("/web/content/ir.attachment/987654/datas").status_code == 404


def test_rows_dragged_into_a_new_order_are_resequenced(served: Any) -> None:
    registry = served.env()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        lines = env["sale.order"].browse(served.ids["big"]).order_line[:4]
        lines.write({"sequence": 10})
        lines[3].sequence = 20
        ids = lines.ids
    manager = served.client("max")
    moved = [ids[3], ids[0], ids[1], ids[2]]
    answer = _rpc(
        manager,
        "/web/dataset/resequence",
        {"model": "sale.order.line", "ids": moved, "field": "sequence"},
    )
    assert answer["result"] is True

    def sequences() -> list[int]:
        with registry.cursor() as cr:
            cr.execute("SELECT id, sequence FROM sale_order_line WHERE id = ANY(%s)", [moved])
            found = dict(cr.fetchall())
        return [found[i] for i in moved]

    assert sequences() == [10, 11, 12, 13]  # 10, 10, 10, 20: equal values renumbered
    answer = _rpc(
        manager,
        "/web/dataset/resequence",
        {"model": "sale.order.line", "ids": moved[::-1], "offset": 100},
    )
    assert answer["result"] is True
    assert sequences() == [103, 102, 101, 100]  # Odoo's offset: offset, offset + 1, ...
    # not an integer field: nothing done, as Odoo answers
    answer = _rpc(
        manager,
        "/web/dataset/resequence",
        {"model": "sale.order.line", "ids": moved, "field": "name"},
    )
    assert answer["result"] is False
    # the salesperson may not write the manager's order lines
    refused = _rpc(
        served.client("sid"), "/web/dataset/resequence", {"model": "sale.order.line", "ids": moved}
    )
    assert "error" in refused
    assert sequences() == [103, 102, 101, 100]
    bad = _rpc(manager, "/web/dataset/resequence", {"model": "sale.order.line", "ids": ["1"]})
    assert "ids must be a list of record ids" in bad["error"]["data"]["message"]


def test_posted_binary_values(env: Any, web_ui: Any) -> None:
    binary = web_ui("binary")
    form_arch = web_ui("form_arch")
    attachment = env["ir.attachment"].create({"name": "old.txt", "raw": b"old"})
    node = form_arch.FieldNode(
        "datas", "File", {"type": "binary"}, None, False, False, False, attrs={"filename": "name"}
    )

    def upload(name: str, content: bytes) -> MultiDict:
        import io

        return MultiDict({"datas": FileStorage(io.BytesIO(content), filename=name)})

    # an upload: the content in base64, the name of the file in the filename field
    values = binary.posted_binary(
        node, MultiDict({"name": "old.txt"}), upload("C:\\docs\\new.txt", b"new"), attachment
    )
    assert values == {"datas": base64.b64encode(b"new"), "name": "new.txt"}
    # a name the user typed is kept
    typed = binary.posted_binary(
        node, MultiDict({"name": "Contract"}), upload("new.txt", b"new"), attachment
    )
    assert typed == {"datas": base64.b64encode(b"new")}
    # cleared: the file goes, the name (required on ir.attachment) stays
    cleared = binary.posted_binary(node, MultiDict({"datas__clear": "1"}), MultiDict(), attachment)
    assert cleared == {"datas": False}
    assert binary.posted_binary(node, MultiDict(), MultiDict(), attachment) == {}
    assert binary.download_url(attachment, "datas", "name") == (
        f"/web/content/ir.attachment/{attachment.id}/datas?filename_field=name&download=1"
    )


def test_create_from_the_many2one_as_the_user(served: Any) -> None:
    from tests.modules.web.conftest import csrf_of

    client = served.client("sid")
    page = client.get(f"/web/action/{served.ids['action']}/form/new").get_data(as_text=True)
    token = csrf_of(page)
    offered = client.get("/web/autocomplete/res.partner?q=Nobody%20Yet").get_data(as_text=True)
    assert 'data-create="quick" data-name="Nobody Yet"' in offered
    assert 'data-create="edit"' in offered
    # a model the salesperson may read but not create: nothing offered
    assert "data-create" not in client.get("/web/autocomplete/res.users?q=x").get_data(as_text=True)
    created = client.post(
        "/web/autocomplete/res.partner/name_create", data={"csrf_token": token, "name": " Lumber "}
    )
    assert created.status_code == 200
    partner_id = created.get_json()["id"]
    assert created.get_json()["display_name"] == "Lumber"
    assert (
        client.post(
            "/web/autocomplete/res.partner/name_create", data={"csrf_token": token, "name": ""}
        ).status_code
        == 422
    )
    refused = client.post(
        "/web/autocomplete/res.users/name_create", data={"csrf_token": token, "name": "Eve"}
    )
    assert refused.status_code == 403 and "error" in refused.get_json()
    assert (
        client.post("/web/autocomplete/res.partner/name_create", data={"name": "x"}).status_code
        == 400
    )

    # Create and edit...: the dialog of a new partner with the typed name; saved through
    # htmx, the dialog answers the new record for the page's field
    dialog = client.get(
        "/web/autocomplete/res.partner/create_dialog?name=Lumber%20Two&origin=/web/action/1/form/new"
    ).get_data(as_text=True)
    assert 'id="f-d-name"' in dialog and 'value="Lumber Two"' in dialog
    dialog_token = re.search(r'name="dialog" value="([^"]+)"', dialog).group(1)
    saved = client.post(
        "/web/dialog",
        data={
            "csrf_token": token,
            "dialog": dialog_token,
            "name": "Lumber Two",
            "email": "two@lumber.example.com",
            "button": "special:save",
        },
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200, saved.get_data(as_text=True)[:400]
    event = json.loads(saved.headers["HX-Trigger"])["erplite:created"]
    assert event["display_name"] == "Lumber Two" and event["id"] > partner_id
    assert client.get("/web/autocomplete/res.users/create_dialog?name=x").status_code == 403
