"""Suggestions of the many2one and many2many widgets: ``name_search`` as the user.

Worked example (the widget's script, or any client)::

    GET /web/autocomplete/res.partner?q=azu
    → <li role="option" data-id="7">Azure Interior</li> ... (at most 8, HTML-escaped)

An unknown model is a 404; a model the user may not read is a 403 (the ORM refuses it).

Below the suggestions, as Odoo 17's many2one: ``Create "<typed>"`` (a quick create through
``name_create``) and ``Create and edit...`` (the model's form in a dialog, its name filled
with what was typed: ``default_name``; saved, the new record is set on the field), offered
when the user may create records of the model::

    POST /web/autocomplete/res.partner/name_create   csrf_token, name=Lumber Inc
    → {"id": 42, "display_name": "Lumber Inc"}   (422 {"error": ...} when it is refused)
    GET  /web/autocomplete/res.partner/create_dialog?name=Lumber+Inc&origin=/web/action/3/form/new
    → the <dialog> of a new partner (ui/dialog.py), posted to /web/dialog
"""

from __future__ import annotations

from typing import Any

import werkzeug.exceptions

from erplite import http
from erplite.exceptions import AccessError, UserError
from erplite.http import request

from ..ui import urls
from ..ui.client_actions import Dialog
from ..ui.dialog import DialogForm, render_dialog, signer

#: suggestions shown under a many2one widget (Odoo 17 shows 8)
SUGGESTIONS = 8


class Autocomplete(http.Controller):
    @http.route("/web/autocomplete/<string:model>", type="http", auth="user", methods=["GET"])
    def suggestions(self, model: str, q: str = "", **kw: Any):
        env = request.env
        if model not in env.registry:
            raise werkzeug.exceptions.NotFound(f"Unknown model {model!r}.")
        found = env[model].name_search(q.strip()[:200], limit=SUGGESTIONS)
        creatable = bool(env[model]._rec_name) and env[model].check_access_rights(
            "create", raise_exception=False
        )
        response = request.render(
            "web/backoffice/suggestions.html",
            {"suggestions": found, "query": q.strip()[:200], "creatable": creatable},
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    @http.route(
        "/web/autocomplete/<string:model>/name_create", type="http", auth="user", methods=["POST"]
    )
    def name_create(self, model: str, name: str = "", **kw: Any):
        """``Create "<typed>"``: a record of ``model`` named ``name``, as the user."""
        env = request.env
        if model not in env.registry:
            raise werkzeug.exceptions.NotFound(f"Unknown model {model!r}.")
        if not name.strip():
            return request.make_json_response({"error": "Type a name first."}, status=422)
        try:
            with env.cr.savepoint():
                created = env[model].name_create(name.strip()[:200])
                env.flush_all()
        except (UserError, AccessError) as exc:
            status = 403 if isinstance(exc, AccessError) else 422
            message = getattr(exc, "message", None) or str(exc)
            return request.make_json_response({"error": message}, status=status)
        if not created:
            return request.make_json_response(
                {"error": f"{model} cannot be created from a name."}, status=422
            )
        record_id, display_name = created
        return request.make_json_response({"id": record_id, "display_name": display_name})

    @http.route(
        "/web/autocomplete/<string:model>/create_dialog", type="http", auth="user", methods=["GET"]
    )
    def create_dialog(self, model: str, name: str = "", origin: str = "", **kw: Any):
        """``Create and edit...``: the dialog of a new record of ``model`` named ``name``."""
        env = request.env
        if model not in env.registry:
            raise werkzeug.exceptions.NotFound(f"Unknown model {model!r}.")
        env[model].check_access_rights("create")
        description = getattr(env[model], "_description", None) or model
        rec_name = env[model]._rec_name or "name"
        dialog = Dialog(
            res_model=model,
            res_id=None,
            name=f"Create {description or model}",
            context={f"default_{rec_name}": name.strip()[:200]} if name.strip() else {},
            origin=urls.safe_back(origin) or "/web",
            select=True,
        )
        token = signer().dumps(dialog.payload())
        response = request.make_response(str(render_dialog(DialogForm(env, dialog), token)))
        response.headers["Cache-Control"] = "no-store"
        return response
