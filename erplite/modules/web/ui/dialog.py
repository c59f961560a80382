"""A window action opened in a dialog (``target="new"``): a wizard's form over the page.

Worked example (a button returned the backorder wizard's action, see
:mod:`.client_actions`)::

    dialog = Dialog("stock.backorder.confirmation", 4, "Create Backorder?", context, origin=url)
    form = DialogForm(env, dialog)       # the wizard's form view, record 4 as the user reads it
    html = render_dialog(form, token)    # a <dialog> whose form posts to /web/dialog

    # a new record (no ``res_id``): the values of Odoo's first onchange, i.e. the defaults
    # (``default_*`` of the context) and what the onchange methods fill in (the lines of a
    # return wizard from its transfer, ``active_id``)

The dialog's form view is drawn as a page's form is (``ui/form_arch.py``, the same widgets),
its ``<footer>`` buttons at the bottom; it has its own onchange (``/web/dialog/onchange``,
``controllers/dialog.py``) as a page's form does: ``type="object"`` buttons save the wizard and call
their method on it as the user, ``special="cancel"`` closes the dialog, ``special="save"``
saves and closes. Every page can show a dialog: :func:`erplite.modules.web.ui.pages.render_page`
draws the one its URL's ``dialog`` token names.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from erplite.exceptions import AccessError, MissingError
from erplite.http import request

from .client_actions import Dialog, Notification, Signer
from .form_arch import FieldNode, ResolvedForm, arch_field_names, resolve_form
from .form_onchange import expression_values
from .form_values import Widget, posted_rows, values_to_write, widget_values
from .modifiers import Modifiers
from .widgets import display_value, input_value

#: the field types whose values onchange answers as commands
_X2MANY = ("one2many", "many2many")

#: the fields the ORM sets itself
_MAGIC = frozenset({"id", "create_uid", "create_date", "write_uid", "write_date"})


def signer() -> Signer:
    """The signer of the current session's dialog and notification tokens."""
    secret = str(request.app.secret)
    message = f"web.client_actions:{request.session.sid}".encode()
    return Signer(hmac.new(secret.encode(), message, hashlib.sha256).digest())


def _fields_of(views: Mapping[str, Any], model: str) -> dict[str, Any]:
    described = views.get("models", {}).get(model, {})
    if isinstance(described.get("fields"), dict):
        return described["fields"]
    return dict(described)


class DialogForm:
    """The form of a dialog's record (or new record), as the user may see it."""

    def __init__(self, env: Any, dialog: Dialog):
        if dialog.res_model not in env.registry:
            raise MissingError(f"The dialog opens an unknown model {dialog.res_model!r}.")
        self.env = env
        self.dialog = dialog
        self.context = dict(dialog.context)
        self.model = env[dialog.res_model].with_context(**self.context)
        self.views = self.model.get_views([[dialog.view_id or False, "form"]], {})
        self.fields = _fields_of(self.views, dialog.res_model)
        self.models = {name: _fields_of(self.views, name) for name in self.views.get("models", {})}
        self.arch = self.views["views"]["form"]["arch"]
        self.names = [n for n in arch_field_names(self.arch) if n in self.fields]
        self.record = self.model.browse()
        self.defaults: dict[str, Any] = {}
        #: the lines a new record's onchange proposed, per one2many field (their values)
        self.new_lines: dict[str, list[dict[str, Any]]] = {}
        if dialog.res_id:
            found = self.model.search([("id", "=", dialog.res_id)])
            if not found:
                if not self.model.browse(dialog.res_id).exists():
                    raise MissingError("This dialog's record no longer exists: open it again.")
                raise AccessError("You may not read this dialog's record.")
            self.record = self.model.browse(found.ids)
        else:
            self._first_onchange()

    def _first_onchange(self) -> None:
        """The values of a new record as Odoo's first onchange gives them."""
        spec: dict[str, Any] = {}
        for name in self.names:
            description = self.fields[name]
            if description.get("type") == "one2many":
                # every stored field of the lines, shown or not: a new line is created with
                # them (Odoo's client keeps a line's hidden values too)
                comodel = self.env[str(description.get("relation"))]
                inverse = getattr(self.model._fields[name], "inverse_name", None)
                spec[name] = {
                    "fields": {
                        sub: {}
                        for sub, field in comodel._fields.items()
                        if field.store
                        and not field.groups
                        and field.type not in _X2MANY
                        and sub not in _MAGIC
                        and sub != inverse
                    }
                }
            else:
                spec[name] = {}
        values = self.model.onchange({}, [], spec).get("value", {})
        for name, value in values.items():
            kind = self.fields[name].get("type")
            if kind == "many2one" and isinstance(value, dict):
                value = value.get("id") or False
            elif kind == "many2many" and isinstance(value, list):
                value = _ids_of_commands(value)
            elif kind == "one2many" and isinstance(value, list):
                self.new_lines[name] = [
                    dict(c[2]) for c in value if isinstance(c, (list, tuple)) and c[0] == 0
                ]
                continue
            self.defaults[name] = value
        missing = [
            name
            for name in self.names
            if self.fields[name].get("type") == "one2many" and not self.new_lines.get(name)
        ]
        if missing:  # lines a default_get proposes as commands (the onchange keeps none)
            for name, value in self.model.default_get(missing).items():
                if isinstance(value, list):
                    self.new_lines[name] = [
                        dict(c[2]) for c in value if isinstance(c, (list, tuple)) and c[0] == 0
                    ]

    def values(self) -> dict[str, Any]:
        """The values the attribute expressions see."""
        values: dict[str, Any] = {"id": self.record.id or False}
        for name in self.names:
            kind = self.fields[name].get("type")
            value = self.record[name] if self.record else self.defaults.get(name, False)
            if kind == "many2one":
                value = value.id if hasattr(value, "id") else (value or False)
            elif kind in _X2MANY:
                value = list(value.ids) if hasattr(value, "ids") else list(value or [])
            values[name] = value
        return values

    def resolve(self) -> ResolvedForm:
        return self.resolve_values(self.values())

    def resolve_posted(self, posted: Any) -> ResolvedForm:
        """The form as the user sees it with what they posted (its expressions evaluated on
        the posted values of the fields they could edit), as a page's form does."""
        form = self.resolve()
        tz = self.env.context.get("tz") or None
        vals, _errors = values_to_write(form, self.record, posted, tz=tz, models=self.models)
        return self.resolve_values({**self.values(), **expression_values(vals, form)})

    def resolve_values(self, values: dict[str, Any]) -> ResolvedForm:
        """The form with its attribute expressions evaluated on ``values``."""
        env = self.env
        modifiers = Modifiers(values, uid=env.uid, context=self.context, company_id=env.company.id)
        return resolve_form(
            self.arch,
            self.fields,
            modifiers,
            in_groups=lambda group: env.user.has_group(group),
            models=self.models,
        )

    def widgets(self, form: ResolvedForm, posted: Any = None) -> dict[str, Widget]:
        tz = self.env.context.get("tz") or None
        shown = widget_values(
            form, self.record, tz=tz, defaults=self.defaults, models=self.models, env=self.env
        )
        for name, lines in self.new_lines.items():
            node = form.fields.get(name)
            if node is not None and name in shown:
                shown[name].rows = [self._line_row(node, line, tz) for line in lines]
        if posted is not None:  # the user's input, kept
            for name, widget in shown.items():
                node = form.fields[name]
                if node.readonly:
                    continue
                if node.type == "one2many" and f"{name}__present" in posted:
                    shown_rows = widget.rows
                    widget.rows = posted_rows(node, posted)
                    for before, row in zip(shown_rows, widget.rows):  # cells not posted
                        for column, cell in before["cells"].items():
                            if not row["cells"].get(column, ("", ""))[0]:
                                row["cells"][column] = cell
                elif node.type == "many2one" and name in posted:
                    widget.text = posted.get(name, "")
                    widget.label = posted.get(f"{name}__display", "")
                elif node.type == "boolean" and name in posted:
                    widget.text = "True" if posted.getlist(name)[-1] not in ("0", "") else ""
                elif node.type not in _X2MANY and name in posted:
                    widget.text = posted.get(name, "")
        return shown

    def _line_row(self, node: FieldNode, line: Mapping[str, Any], tz: str | None) -> dict:
        """A proposed new line (onchange values) as a sub-list row."""
        row: dict[str, Any] = {"id": None, "cells": {}}
        if node.sublist is None:
            return row
        comodel = self.models.get(str(node.description.get("relation")), {})
        for column in node.sublist.columns:
            value = line.get(column.name, False)
            description = {**comodel.get(column.name, {}), "name": column.name}
            if column.type == "many2one":
                record_id = value.get("id") if isinstance(value, dict) else value
                relation = description.get("relation")
                label = ""
                if isinstance(record_id, int) and record_id and relation:
                    label = self.env[relation].browse(record_id).display_name
                row["cells"][column.name] = (str(record_id or ""), label)
            else:
                row["cells"][column.name] = (
                    input_value(description, value, tz=tz),
                    display_value(description, value, tz=tz),
                )
        return row


def _ids_of_commands(commands: list) -> list[int]:
    ids: list[int] = []
    for command in commands:
        if isinstance(command, int):
            ids.append(command)
        elif isinstance(command, (list, tuple)) and command:
            if command[0] in (4, 1) and len(command) > 1:
                ids.append(command[1])
            elif command[0] == 6 and len(command) > 2:
                ids = list(command[2])
            elif command[0] == 5:
                ids = []
    return ids


def render_dialog(
    form_page: DialogForm,
    token: str,
    *,
    posted: Any = None,
    errors: Mapping[str, str] | None = None,
    message: str | None = None,
) -> Markup:
    """The ``<dialog>`` of ``form_page`` (its form posts ``token`` to ``/web/dialog``)."""
    form = form_page.resolve()
    html = request.render_template(
        "web/backoffice/dialog.html",
        {
            "dialog": form_page.dialog,
            "page": form_page,
            "form": form,
            "footer": _footer_buttons(form),
            "widgets": form_page.widgets(form, posted),
            "errors": dict(errors or {}),
            "message": message,
            "token": token,
            "close_url": form_page.dialog.origin,
            "form_id": "o-dialog-form",
            "id_prefix": "d-",
        },
    )
    return Markup(html)


def _footer_buttons(form: ResolvedForm) -> list[Any]:
    """The buttons of the form's ``<footer>``, drawn in the dialog's footer (Odoo moves them
    there); the footer node is taken out of the body."""
    found: list[Any] = []

    def take(items: list[Any]) -> list[Any]:
        kept = []
        for item in items:
            if getattr(item, "kind", None) == "node" and item.tag == "footer":
                found.extend(c for c in item.children if getattr(c, "kind", "") == "button")
                continue
            if getattr(item, "kind", None) == "node":
                item.children = take(item.children)
            kept.append(item)
        return kept

    form.body = take(form.body)
    return found


def has_footer(form: ResolvedForm) -> bool:
    """Whether the form has a ``<footer>`` (its buttons replace the dialog's Save)."""

    def walk(items: list[Any]) -> bool:
        for item in items:
            if getattr(item, "kind", None) == "node":
                if item.tag == "footer" or walk(item.children):
                    return True
        return False

    return walk(form.body)


def dialog_for_page(args: Mapping[str, Any]) -> tuple[Markup | None, Notification | None]:
    """The dialog and the notification a page's URL names (``dialog``, ``notify``), drawn
    for the current user; a token that is not this session's shows a warning instead."""
    token = args.get("dialog")
    note = args.get("notify")
    if not token and not note:
        return None, None
    sign = signer()
    notification = None
    if note:
        try:
            notification = Notification.from_payload(sign.loads(note))
        except AccessError:
            notification = None
    if not token:
        return None, notification
    try:
        dialog = Dialog.from_payload(sign.loads(token))
        return render_dialog(DialogForm(request.env, dialog), token), notification
    except (AccessError, MissingError) as exc:
        return None, Notification(str(exc), title="The dialog cannot open", type="warning")


__all__ = ["DialogForm", "dialog_for_page", "has_footer", "render_dialog", "signer"]
