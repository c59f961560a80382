"""The dialog of a window action opened with ``target="new"``: a wizard's buttons.

Worked example (a browser; the dialog was drawn over the transfer's form by the URL's
``dialog`` token, see ``ui/client_actions.py`` and ``ui/dialog.py``)::

    POST /web/dialog   csrf_token, dialog=<token>, the wizard's inputs, button=process
         → the wizard saved (created, or its record written), ``process`` called on it as
           the user; 303 to what it returned: the form again (``act_window_close`` or
           nothing: the dialog closes), another dialog, a list, an address, a notification
         → 422: the dialog again over a plain page with the user's input and the
           ``UserError``/``ValidationError``/``AccessError`` message, nothing written
    POST /web/dialog   ..., button=special:save    → saved, the dialog closes
    POST /web/dialog/onchange   csrf_token, dialog=<token>, the inputs, onchange_field=user_id
         → JSON: the values the dialog shows now (a wizard's team once its salesperson
           changed), its modifiers and warning, nothing written (``ui/form_onchange.py``)
    (a many2one's "Create and edit..." dialog, ``controllers/autocomplete.py``: saved, the
    dialog closes and the new record is set on the field, the page as the user left it)

htmx posts the dialog's form itself (``HX-Request``): the answer is then the dialog alone,
swapped in place (an error), or an ``HX-Redirect`` to the next page. A token this session
did not make is refused (403): the context a wizard runs with is the one the server gave.
"""

from __future__ import annotations

import json
import re
from typing import Any

from erplite import http
from erplite.exceptions import AccessError, InvalidArgument, UserError
from erplite.http import request

from ..ui.binary import MAX_UPLOAD_BYTES
from ..ui.client_actions import (
    Dialog,
    next_url,
    run_button,
)
from ..ui.dialog import DialogForm, has_footer, render_dialog, signer
from ..ui.form_arch import Button
from ..ui.form_onchange import form_onchange
from ..ui.form_values import values_to_write
from ..ui.pages import backoffice_page, render_page
from .form_page import onchange_refused, with_sublists

_ACTION_OF_URL = re.compile(r"^/web/action/(\d+)(?:/|\?|$)")


def _answer(url: str) -> Any:
    """Go to ``url``: a redirect, or ``HX-Redirect`` for htmx (which follows it)."""
    if request.httprequest.headers.get("HX-Request"):
        response = request.make_response("", headers=[("HX-Redirect", url)])
        response.status_code = 200
        return response
    return request.redirect(url)


def _again(
    page: DialogForm,
    token: str,
    posted: Any,
    *,
    message: str,
    status: int,
    errors: dict[str, str] | None = None,
) -> Any:
    """The dialog again with the user's input and ``message``."""
    html = render_dialog(page, token, posted=posted, errors=errors, message=message)
    if request.httprequest.headers.get("HX-Request"):  # swapped in place by htmx
        response = request.make_response(str(html))
        response.headers["Cache-Control"] = "no-store"
        return response
    return render_page(
        "web/backoffice/dialog_page.html",
        {"dialog_html": html, "dialog": page.dialog, "back": page.dialog.origin},
        status=status,
    )


#: what a dialog whose form has no ``<footer>`` offers (templates/backoffice/dialog.html)
_DEFAULT_BUTTONS = {
    "special:save": Button("", "Save", "object", special="save"),
    "special:cancel": Button("", "Discard", "object", special="cancel"),
}


def _selected(record: Any, origin: str) -> Any:
    """The answer of a saved "Create and edit..." dialog: for htmx, the dialog removed and
    the event ``erplite:created`` (``{id, display_name}``) for the page's script, which sets
    the field; without script, the page again."""
    if not request.httprequest.headers.get("HX-Request"):
        return request.redirect(origin)
    created = {"id": record.id, "display_name": record.display_name}
    response = request.make_response("")
    response.headers["HX-Trigger"] = json.dumps({"erplite:created": created})
    response.headers["Cache-Control"] = "no-store"
    return response


class DialogController(http.Controller):
    @http.route(
        "/web/dialog",
        type="http",
        auth="user",
        methods=["POST"],
        max_content_length=MAX_UPLOAD_BYTES + 1024 * 1024,
    )
    @backoffice_page
    def run(self, **kw: Any):
        """Save the dialog's record, then run its ``button``; go where its result says."""
        env = request.env
        posted = request.httprequest.form
        token = str(posted.get("dialog") or "")
        sign = signer()
        dialog = Dialog.from_payload(sign.loads(token))
        page = DialogForm(env, dialog)
        form = page.resolve()
        vals, errors = values_to_write(
            form,
            page.record,
            posted,
            tz=env.context.get("tz") or None,
            models=page.models,
            new_lines=page.new_lines,
            files=request.httprequest.files,
        )
        if errors:
            return _again(
                page,
                token,
                posted,
                errors=errors,
                message="Some fields are not valid: correct them and try again.",
                status=422,
            )
        key = str(posted.get("button") or "special:save")
        button = form.buttons.get(key)
        if button is None and key in _DEFAULT_BUTTONS and not has_footer(form):
            button = _DEFAULT_BUTTONS[key]  # the Save and Discard of a form without footer
        if button is None or button.hidden:
            raise AccessError(f"The button {key!r} is not available in this dialog.")
        if button.special == "cancel":
            return _answer(dialog.origin)
        result: Any = None
        active: dict[str, Any] = {}
        shown = page.record  # what the dialog shows again if the button fails
        try:
            with env.cr.savepoint():
                record = page.record
                if record:
                    if vals:
                        record.write(vals)
                else:
                    record = page.model.create(vals)
                if not button.special:
                    result, active = self._run_button(page, record, button)
                env.flush_all()
        except UserError as exc:
            page.record = shown  # a record created in the savepoint is gone with it
            status = 403 if isinstance(exc, AccessError) else 422
            return _again(
                page,
                token,
                posted,
                message=getattr(exc, "message", None) or str(exc),
                status=status,
            )
        if dialog.select:  # "Create and edit...": the record goes to the page's field
            return _selected(record, dialog.origin)
        match = _ACTION_OF_URL.match(dialog.origin)
        target = next_url(
            env,
            result,
            origin=dialog.origin,
            signer=sign,
            active=active,
            current_action_id=int(match.group(1)) if match else None,
        )
        return _answer(target)

    @http.route("/web/dialog/onchange", type="http", auth="user", methods=["POST"])
    def onchange(self, **kw: Any):
        """The values the dialog's form shows once ``onchange_field`` changed (JSON, nothing
        written), as a page's form (``ui/form_onchange.py``)."""
        env = request.env
        posted = request.httprequest.form
        try:
            page = DialogForm(env, Dialog.from_payload(signer().loads(posted.get("dialog"))))
            shown = page.resolve_posted(posted)
            answer = form_onchange(
                page.model,
                page.record,
                shown,
                posted,
                changed=str(kw.get("onchange_field") or ""),
                tz=env.context.get("tz") or None,
                models=page.models,
                base_values=page.values(),
                resolve=page.resolve_values,
                new_lines=page.new_lines,
            )
            with_sublists(answer, shown, page, "d-")
        except (UserError, InvalidArgument) as exc:
            return onchange_refused(exc)
        return request.make_json_response(answer)

    @staticmethod
    def _run_button(page: DialogForm, record: Any, button: Any) -> tuple[Any, dict[str, Any]]:
        """Call ``button`` on the saved wizard as the user: ``(its result, its context)``."""
        page.record = record
        offered = page.resolve().buttons.get(button.key)
        if offered is None or offered.hidden:  # hidden once saved
            raise AccessError(f"The button {button.string!r} is not available now.")
        return run_button(record, button, page.values(), page.context, "dialog")


__all__ = ["DialogController"]
