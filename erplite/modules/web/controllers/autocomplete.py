"""Suggestions of the many2one and many2many widgets: ``name_search`` as the user.

Worked example (the widget's script, or any client)::

    GET /web/autocomplete/res.partner?q=azu
    → <li role="option" data-id="7">Azure Interior</li> ... (at most 8, HTML-escaped)

An unknown model is a 404; a model the user may not read is a 403 (the ORM refuses it).
"""

from __future__ import annotations

from typing import Any

import werkzeug.exceptions

from erplite import http
from erplite.http import request

#: suggestions shown under a many2one widget (Odoo 17 shows 8)
SUGGESTIONS = 8


class Autocomplete(http.Controller):
    @http.route("/web/autocomplete/<string:model>", type="http", auth="user", methods=["GET"])
    def suggestions(self, model: str, q: str = "", **kw: Any):
        env = request.env
        if model not in env.registry:
            raise werkzeug.exceptions.NotFound(f"Unknown model {model!r}.")
        found = env[model].name_search(q.strip()[:200], limit=SUGGESTIONS)
        response = request.render(
            "web/backoffice/suggestions.html", {"suggestions": found, "query": q}
        )
        response.headers["Cache-Control"] = "no-store"
        return response
