"""The form page of a record in a window action: show, save, discard, header buttons.

Worked example (a browser)::

    GET  /web/action/12/form/7?back=/web/action/12/list%3Fpage%3D2
         → the form of order 7 (its statusbar, header buttons, sheet, lines); the breadcrumb
           goes back to the list's second page
    POST /web/action/12/form/7   csrf_token, partner_id=9, order_line.0.id=3, ...
         → 303 to the form again once saved
         → 422: the form again with the user's input and each field's error, nothing written
    POST /web/action/12/form/7   ..., button=action_confirm
         → saved, then ``sale.order.action_confirm`` called on the record as the user
    GET  /web/action/12/form/new → a new record with the action's ``default_*``
    POST /web/action/12/form/new/onchange   csrf_token, the form's inputs,
         onchange_field=order_line.0.product_id
         → JSON: the values the form shows now (the line's price and subtotal, the total)
           and the onchange's warning, computed by ``onchange`` without writing anything
           (htmx posts it as the user types; see ``ui/form_onchange.py``)

A button whose method checks the user's identity (``ui/identity.py``, e.g. disabling a
user's two-factor authentication) is run from ``.../form/<id>/identity`` once the user has
typed their password again. A button runs only when the form the user was shown offers it (its ``groups`` and
``invisible`` evaluated on the record as saved) and it names a public method; the method runs
as the user, so the ORM's rights and the method's own checks apply. A ``UserError``,
``ValidationError`` or ``AccessError`` from the save or the button leaves the database as it
was (a savepoint) and shows its message on the form with the user's input.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from erplite import http
from erplite.exceptions import AccessError, InvalidArgument, MissingError, UserError
from erplite.http import request

from ..ui import urls
from ..ui.action_context import with_url_context
from ..ui.actions import WindowAction, load_window_action
from ..ui.binary import MAX_UPLOAD_BYTES
from ..ui.client_actions import (
    Notification,
    next_url,
    run_button,
    with_query,
)
from ..ui.dialog import signer
from ..ui.form_arch import ResolvedForm, arch_field_names, resolve_form
from ..ui.form_onchange import expression_values, form_onchange
from ..ui.form_values import posted_rows, values_to_write, widget_values
from ..ui.identity import identity_checked
from ..ui.modifiers import Modifiers
from ..ui.pages import backoffice_page, render_page
from ..ui.record_actions import record_operations
from ..ui.statusbar import many2one_states
from .list_page import load_views, model_fields, view_of


class FormPage:
    """One record in the action's form view, as the user may see it."""

    def __init__(self, action: WindowAction, record_id: int | None, *, shown: bool = False):
        """``shown``: the page only shows the record (a GET): its lines are read with the
        display names of their many2ones in the same statement (``x2many_display_names``)."""
        env = request.env
        self.action = action
        self.context = action.context
        self.model = env[action.res_model].with_context(**action.context)
        self.views = load_views(env, action)
        self.fields = model_fields(self.views, action.res_model)
        self.models = {
            name: model_fields(self.views, name) for name in self.views.get("models", {})
        }
        self.arch = view_of(self.views, "form")["arch"]
        self.names = [n for n in arch_field_names(self.arch) if n in self.fields]
        self.record = self.model.browse()
        self.defaults: dict[str, Any] = {}
        if record_id is not None:
            # one query finds it within the user's record rules, with the columns the form
            # shows and the display names of its many2ones; the reason of a miss is looked
            # up on the error path only
            found = self.model.with_context(active_test=False).search_read(
                [("id", "=", record_id)], self._stored_names()
            )
            # archived records open too (with a banner)
            record = self.model.browse([row["id"] for row in found])
            if not record:
                missing = self.model.browse(record_id)
                if not missing.exists():
                    raise MissingError(f"The record {record_id} does not exist or was deleted.")
                missing.check_access_rule("read")
                raise AccessError("You may not read this record.")
            self.record = record.with_context(x2many_display_names=True) if shown else record
        else:
            self.defaults = self.model.default_get(self.names)

    def _stored_names(self) -> list[str]:
        """The fields of the form that are columns of the model's table."""
        known = self.model._fields
        return [
            name
            for name in self.names
            if name in known and known[name].store and known[name].column_type is not None
        ]

    def values(self, posted: Any = None) -> dict[str, Any]:
        """The values the attribute expressions see (what the user posted on top)."""
        record = self.record
        values: dict[str, Any] = {"id": record.id or False}
        for name in self.names:
            kind = self.fields[name].get("type")
            value = record[name] if record else self.defaults.get(name, False)
            if kind == "many2one":
                value = value.id if hasattr(value, "id") else (value or False)
            elif kind in ("one2many", "many2many"):
                value = list(value.ids) if hasattr(value, "ids") else []
            values[name] = value
        if posted is not None:
            for name in self.names:
                if name in posted and self.fields[name].get("type") in ("selection", "char"):
                    values[name] = posted.get(name)
        return values

    def resolve(self, posted: Any = None) -> ResolvedForm:
        return self.resolve_values(self.values(posted))

    def resolve_posted(self, posted: Any) -> ResolvedForm:
        """The form as the user sees it with what they posted (its expressions evaluated on
        the posted values of the fields they could edit)."""
        form = self.resolve()
        vals, _errors = values_to_write(form, self.record, posted, tz=_tz(), models=self.models)
        return self.resolve_values({**self.values(), **expression_values(vals, form)})

    def resolve_values(self, values: dict[str, Any]) -> ResolvedForm:
        """The form with its attribute expressions evaluated on ``values``."""
        env = request.env
        modifiers = Modifiers(
            values,
            uid=env.uid,
            context=self.context,
            company_id=env.company.id,
        )
        form = resolve_form(
            self.arch,
            self.fields,
            modifiers,
            in_groups=lambda group: env.user.has_group(group),
            models=self.models,
        )
        if form.statusbar is not None and form.statusbar.field.type == "many2one":
            form.statusbar.states = many2one_states(env, form.statusbar.field, values, self.context)
        return form


def onchange_refused(exc: UserError | InvalidArgument) -> Any:
    """The JSON answer of an onchange (a form's or a dialog's) that the ORM refused: 404 for a
    record that no longer exists, 403 for an access error, else 422 with the message as the
    warning the page shows."""
    if isinstance(exc, MissingError):
        return request.make_json_response({"error": str(exc)}, status=404)
    status = 403 if isinstance(exc, AccessError) else 422
    message = getattr(exc, "message", None) or str(exc)
    answer = {"fields": {}, "lines": {}, "warning": {"title": "", "message": message}}
    return request.make_json_response(answer, status=status)


def with_sublists(
    answer: dict[str, Any], form: ResolvedForm, page: Any, id_prefix: str = ""
) -> Any:
    """``answer`` with the sub-lists whose lines the onchange replaced drawn again:
    ``answer["sublists"][field] = {"html": <rows>, "count": n}`` (backoffice.js swaps them in)."""
    answer["sublists"] = {
        name: {
            "html": request.render_template(
                "web/backoffice/sublist_rows.html",
                {"field": form.fields[name], "rows": rows, "page": page, "id_prefix": id_prefix},
            ),
            "count": len(rows),
        }
        for name, rows in answer.pop("rows", {}).items()
        if name in form.fields
    }
    return answer


def _tz() -> str | None:
    return request.env.context.get("tz") or None


def _int(text: Any) -> int | None:
    return int(text) if isinstance(text, str) and text.isdigit() and len(text) < 12 else None


def _render(
    page: FormPage,
    form: ResolvedForm,
    back: str | None,
    menu_id: int | None,
    *,
    posted: Any = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Any:
    widgets = widget_values(
        form,
        page.record,
        tz=_tz(),
        defaults=page.defaults,
        models=page.models,
        env=request.env,
    )
    if posted is not None:  # the user's input, kept
        for name, widget in widgets.items():
            node = form.fields[name]
            if node.readonly:
                continue
            if node.type == "one2many" and f"{name}__present" in posted:
                widget.rows = posted_rows(node, posted)
            elif node.type == "many2one" and name in posted:
                widget.text = posted.get(name, "")
                widget.label = posted.get(f"{name}__display", "")
            elif node.type == "boolean" and name in posted:
                widget.text = "True" if posted.getlist(name)[-1] not in ("0", "") else ""
            elif node.type not in ("many2many", "one2many") and name in posted:
                widget.text = posted.get(name, "")
    query: list[tuple[str, Any]] = []
    if back:
        query.append(("back", back))
    if menu_id:
        query.append(("menu", menu_id))
    query.extend(page.action.url_query())
    record = page.record
    title = record.display_name if record else "New"
    post_url = urls.form_url(page.action.id, record.id or None, query)
    record_ops = None
    if record:
        record_ops = record_operations(page.model, page.fields, "form")
        list_back = back or urls.action_url(page.action.id)
        record_ops["links"] = {
            op: urls.records_url(
                page.action.id,
                op,
                [
                    ("ids", record.id),
                    ("view", "form"),
                    ("back", list_back if op == "delete" else post_url),
                ],
            )
            for op in record_ops["operations"]
            if op != "duplicate"
        }
        record_ops["list_back"] = list_back
    return render_page(
        "web/backoffice/form.html",
        {
            "action": page.action,
            "page": page,
            "form": form,
            "record": record,
            "title": title,
            "widgets": widgets,
            "errors": errors or {},
            "message": message,
            "back": back,
            "menu_id": menu_id,
            "post_url": post_url,
            "record_ops": record_ops,
            "onchange_url": with_query(
                urls.form_url(page.action.id, record.id or None) + "/onchange",
                extra=dict(page.action.url_query()),
            ),
            "new_url": urls.form_url(page.action.id, None, query),
        },
        action=page.action,
        menu_id=menu_id,
        status=status,
    )


class FormController(http.Controller):
    @http.route(
        [
            "/web/action/<int:action_id>/form/<int:record_id>",
            "/web/action/<int:action_id>/form/new",
        ],
        type="http",
        auth="user",
        methods=["GET"],
    )
    @backoffice_page
    def form(self, action_id: int, record_id: int | None = None, **kw: Any):
        action = with_url_context(
            load_window_action(request.env, action_id), request.httprequest.args
        )
        page = FormPage(action, record_id, shown=True)
        return _render(page, page.resolve(), urls.safe_back(kw.get("back")), _int(kw.get("menu")))

    @http.route(
        [
            "/web/action/<int:action_id>/form/<int:record_id>",
            "/web/action/<int:action_id>/form/new",
        ],
        type="http",
        auth="user",
        methods=["POST"],
        max_content_length=MAX_UPLOAD_BYTES + 1024 * 1024,
    )
    @backoffice_page
    def save(self, action_id: int, record_id: int | None = None, **kw: Any):
        """Save the posted form, then run the header ``button`` when one was clicked."""
        env = request.env
        action = with_url_context(load_window_action(env, action_id), request.httprequest.args)
        page = FormPage(action, record_id)
        posted = request.httprequest.form
        files = request.httprequest.files
        back, menu_id = urls.safe_back(kw.get("back")), _int(kw.get("menu"))
        form = page.resolve()
        vals, errors = values_to_write(
            form, page.record, posted, tz=_tz(), models=page.models, files=files
        )
        if not errors:  # the form as the user saw it last: its expressions on the posted values
            now = {**page.values(), **expression_values(vals, form)}
            form = page.resolve_values(now)
            vals, errors = values_to_write(
                form, page.record, posted, tz=_tz(), models=page.models, files=files
            )
        if errors:
            return _render(
                page,
                page.resolve(posted),
                back,
                menu_id,
                posted=posted,
                errors=errors,
                message="Some fields are not valid: correct them and save again.",
                status=422,
            )
        button = kw.get("button")
        result: Any = None
        active: dict[str, Any] = {}
        identity_button = None
        if button and identity_checked(action.res_model, button):
            identity_button, button = button, None  # saved now, run once the password is given
        try:
            with env.cr.savepoint():
                record = page.record
                if record:
                    if vals:
                        record.write(vals)
                else:
                    record = page.model.create(vals)
                if button:
                    result, active = self._run_button(page, record, button)
                env.flush_all()
        except (UserError, AccessError) as exc:
            status = 403 if isinstance(exc, AccessError) else 422
            page.record = page.model.browse(record_id) if record_id else page.model.browse()
            return _render(
                page,
                page.resolve(posted),
                back,
                menu_id,
                posted=posted,
                message=getattr(exc, "message", None) or str(exc),
                status=status,
            )
        query: list[tuple[str, Any]] = []
        if back:
            query.append(("back", back))
        if menu_id:
            query.append(("menu", menu_id))
        query.extend(action.url_query())
        if identity_button:
            identity = [("button", identity_button), *query]
            return request.redirect(
                urls.form_url(action.id, record.id) + "/identity?" + urlencode(identity)
            )
        origin = urls.form_url(action.id, record.id, query)
        if result is None or result is True or result is False:
            return request.redirect(origin)
        try:
            target = next_url(
                env,
                result,
                origin=origin,
                signer=signer(),
                active=active,
                current_action_id=action.id,
            )
        except UserError as exc:  # an action this page cannot follow: said on the form
            target = with_query(origin, extra={"notify": signer().dumps(_warning(exc).payload())})
        return request.redirect(target)

    @http.route(
        [
            "/web/action/<int:action_id>/form/<int:record_id>/onchange",
            "/web/action/<int:action_id>/form/new/onchange",
        ],
        type="http",
        auth="user",
        methods=["POST"],
    )
    def onchange(self, action_id: int, record_id: int | None = None, **kw: Any):
        """The values the form shows once ``onchange_field`` changed (JSON, nothing written)."""
        env = request.env
        try:
            action = load_window_action(env, action_id)
            page = FormPage(with_url_context(action, request.httprequest.args), record_id)
            shown = page.resolve_posted(request.httprequest.form)
            answer = form_onchange(
                page.model,
                page.record,
                shown,
                request.httprequest.form,
                changed=str(kw.get("onchange_field") or ""),
                tz=_tz(),
                models=page.models,
                base_values=page.values(),
                resolve=page.resolve_values,
            )
            with_sublists(answer, shown, page)
        except (UserError, InvalidArgument) as exc:
            return onchange_refused(exc)
        return request.make_json_response(answer)

    @staticmethod
    def _run_button(page: FormPage, record: Any, name: str) -> tuple[Any, dict[str, Any]]:
        """Call header button ``name`` on the saved record, if the form offers it now:
        ``(what it returned, the context of that action)`` (an action to follow, see
        ``ui/client_actions.py``).

        ``type="object"``: the public method, as the user, with the button's ``context``;
        ``type="action"``: the action it names (``%(xml_id)d``). The action gets the page's
        context, the button's and ``active_*`` of the record, as in Odoo's web client."""
        page.record = record
        form = page.resolve()
        button = form.buttons.get(name)
        if button is None or button.special or button.hidden:
            raise AccessError(f"The button {name!r} is not available on this record.")
        return run_button(record, button, page.values(), page.context, "page")


def _warning(exc: Exception) -> Notification:
    message = getattr(exc, "message", None) or str(exc)
    return Notification(message, title="Not done", type="warning")
