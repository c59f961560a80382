"""What the backoffice does with an action returned by a button or a server action, as Odoo
17's web client does (``action_service.doAction``), drawn on the server.

Worked example (in a controller, after ``picking.button_validate()`` returned a dict)::

    signer = Signer(key)                       # a key bound to the user's session
    url = next_url(env, result, origin="/web/action/7/form/3", signer=signer)
    # a partial transfer: the wizard opens in a dialog over the transfer's form
    #   '/web/action/7/form/3?dialog=eyJtIjoic3RvY2suYmFja29yZGVy...'
    # None/True or ``ir.actions.act_window_close``: the form again (reloaded)
    #   '/web/action/7/form/3'
    # a smart button's act_window listing related records: that model's list, the action's
    # domain as a removable facet
    #   '/web/action/9/list?domain=[["backorder_id","in",[3]]]&domain_label=Backorders'
    # ``ir.actions.client`` ``display_notification``: the form again with the notification
    #   '/web/action/7/form/3?notify=eyJ0Ijoi...'

The result types:

- ``ir.actions.act_window`` with ``target="new"``: a **dialog** (:class:`Dialog`) over the
  page the button was on; the dialog's form is the model's form view (``views`` or
  ``view_id`` of the action), of record ``res_id`` or of a new record whose defaults come
  from the action's ``context`` (``default_*``). The context also carries ``active_id``,
  ``active_ids`` and ``active_model`` of the record the button ran on.
- ``ir.actions.act_window`` otherwise (``current``, ``main``, no target): the records it
  shows, in a window action of the same model the user may open (the action itself when it
  is a stored one, the page's own action when it shows that model, else the first one):
  ``res_id`` opens its form, a ``domain`` becomes the list's removable facet. Its
  ``context`` travels with it (a signed ``ctx`` in the URL, ``ui/action_context.py``): its
  ``default_*`` fill the records created there, its ``search_default_*`` the search.
- ``ir.actions.act_window_close``, ``None``, ``True``, ``False``: back to the page (reloaded:
  the dialog, if one was open, closes).
- ``ir.actions.act_url``: its ``url`` (a path of this site or an ``http(s)`` address).
- ``ir.actions.client`` with ``tag="display_notification"``: the page again with the
  notification (``params``: ``title``, ``message``, ``type``, ``sticky``); its ``next``
  action, when it has one, is followed instead with the notification shown there.
- ``ir.actions.client`` ``reload`` / ``soft_reload``: the page again.

A dialog or a notification travels in the URL as a token signed with a key bound to the
user's session (:class:`Signer`): a hand-made or tampered token is refused, so the context a
wizard runs with is the one the server's code returned, never one a client made up.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from erplite.exceptions import AccessError, MissingError, UserError
from erplite.http.service import get_public_method
from erplite.security import user_group_ids
from erplite.tools.safe_eval import SafeEvalError, safe_eval, safe_eval_domain

from . import urls
from .actions import load_window_action

#: context keys that belong to the user's session, not to an action: never carried
_SESSION_KEYS = frozenset({"uid", "allowed_company_ids", "lang", "tz"})


class BadToken(AccessError):
    """A dialog or notification token that this session did not make."""


class Signer:
    """Signs and reads the tokens of dialogs and notifications with one key (per session)."""

    def __init__(self, key: bytes):
        self.key = key

    def dumps(self, payload: Mapping[str, Any]) -> str:
        data = base64.urlsafe_b64encode(
            json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        ).rstrip(b"=")
        signature = hmac.new(self.key, data, hashlib.sha256).hexdigest()[:32]
        return f"{data.decode()}.{signature}"

    def loads(self, token: Any) -> dict[str, Any]:
        """The payload of ``token``; :class:`BadToken` when it is not one of this key."""
        if not isinstance(token, str) or "." not in token or len(token) > 16000:
            raise BadToken("This dialog has expired: open it again.")
        data, _, signature = token.rpartition(".")
        expected = hmac.new(self.key, data.encode(), hashlib.sha256).hexdigest()[:32]
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            raise BadToken("This dialog has expired: open it again.")
        try:
            payload = json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
        except ValueError as exc:
            raise BadToken("This dialog has expired: open it again.") from exc
        if not isinstance(payload, dict):
            raise BadToken("This dialog has expired: open it again.")
        return payload


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def clean_context(context: Any) -> dict[str, Any]:
    if not isinstance(context, Mapping):
        return {}
    return {
        str(key): value
        for key, value in context.items()
        if key not in _SESSION_KEYS and _jsonable(value)
    }


@dataclass
class Dialog:
    """A window action opened in a dialog (``target="new"``): a wizard's form."""

    res_model: str
    res_id: int | None
    name: str
    context: dict[str, Any] = field(default_factory=dict)
    view_id: int | None = None
    #: the URL of the page under the dialog (where closing it goes back to)
    origin: str = "/web"
    #: opened by a many2one's "Create and edit...": once saved, the new record goes back to
    #: the field on the page (which stays as the user left it) instead of reloading the page
    select: bool = False

    def payload(self) -> dict[str, Any]:
        payload = {
            "m": self.res_model,
            "id": self.res_id,
            "n": self.name,
            "c": self.context,
            "v": self.view_id,
            "o": self.origin,
        }
        if self.select:
            payload["s"] = 1
        return payload

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Dialog:
        res_id = payload.get("id")
        view_id = payload.get("v")
        return cls(
            res_model=str(payload.get("m") or ""),
            res_id=res_id if isinstance(res_id, int) and res_id > 0 else None,
            name=str(payload.get("n") or ""),
            context=clean_context(payload.get("c")),
            view_id=view_id if isinstance(view_id, int) and view_id > 0 else None,
            origin=urls.safe_back(str(payload.get("o") or "")) or "/web",
            select=payload.get("s") == 1,
        )


@dataclass
class Notification:
    """Odoo's ``display_notification`` params, shown at the top of the next page."""

    message: str
    title: str = ""
    type: str = "info"  # info | success | warning | danger
    sticky: bool = False

    def payload(self) -> dict[str, Any]:
        return {"t": self.title, "m": self.message, "k": self.type, "s": self.sticky}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Notification:
        kind = str(payload.get("k") or "info")
        return cls(
            message=str(payload.get("m") or ""),
            title=str(payload.get("t") or ""),
            type=kind if kind in ("info", "success", "warning", "danger") else "info",
            sticky=bool(payload.get("s")),
        )


def with_query(url: str, drop: tuple[str, ...] = (), extra: Mapping[str, str] | None = None) -> str:
    """``url`` without the query arguments ``drop``, with ``extra`` added."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in drop]
    query.extend((k, v) for k, v in (extra or {}).items() if v)
    return urlunsplit(parts._replace(query=urlencode(query)))


def page_url(origin: str) -> str:
    """``origin`` without its dialog and notification (the page itself, reloaded)."""
    return with_query(origin, ("dialog", "notify"))


def _view_id(action: Mapping[str, Any]) -> int | None:
    for item in action.get("views") or ():
        if isinstance(item, (list, tuple)) and len(item) == 2 and item[1] == "form":
            return item[0] if isinstance(item[0], int) and item[0] else None
    view = action.get("view_id")
    if isinstance(view, (list, tuple)):
        view = view[0] if view else None
    return view if isinstance(view, int) and view else None


def dialog_of(action: Mapping[str, Any], origin: str, active: Mapping[str, Any]) -> Dialog:
    """The dialog of a ``target="new"`` window action returned on the page ``origin``.

    ``active``: ``active_model``/``active_id``/``active_ids`` of the records the button ran
    on (the action's own context wins, as in Odoo's ``doActionButton``)."""
    res_id = action.get("res_id")
    context = {**clean_context(active), **clean_context(_context_of(action, active))}
    return Dialog(
        res_model=str(action.get("res_model") or ""),
        res_id=res_id if isinstance(res_id, int) and res_id > 0 else None,
        name=str(action.get("name") or ""),
        context=context,
        view_id=_view_id(action),
        origin=page_url(origin),
    )


def _context_of(action: Mapping[str, Any], active: Mapping[str, Any]) -> Any:
    context = action.get("context")
    if isinstance(context, str):  # a stored action read as a dict: its text, evaluated
        names = {
            "context": dict(active),
            "uid": None,
            "active_id": active.get("active_id"),
            "active_ids": active.get("active_ids") or [],
            "active_model": active.get("active_model"),
        }
        try:
            context = safe_eval(context or "{}", names)
        except SafeEvalError as exc:
            raise UserError(f"The action's context cannot be read: {exc}") from exc
    return context


def active_context(
    context: Mapping[str, Any], model: str, ids: list[int], button_context: Mapping[str, Any]
) -> dict[str, Any]:
    """The context an action returned by a button gets (Odoo's ``doActionButton``): the
    page's context less its ``default_*``, ``search_default_*`` and ``group_by`` (they were
    meant for the page), the button's ``context``, then ``active_model``/``active_id``/
    ``active_ids`` of the records it ran on."""
    kept = {
        key: value
        for key, value in context.items()
        if not key.startswith(("default_", "search_default_")) and key != "group_by"
    }
    active: dict[str, Any] = {"active_model": model}
    if ids:
        active.update(active_id=ids[0], active_ids=list(ids))
    return {**kept, **dict(button_context), **active}


def eval_button_context(text: str | None, names: Mapping[str, Any]) -> dict[str, Any]:
    """A button's ``context`` attribute, evaluated with the record's values ``names``."""
    if not text or not text.strip():
        return {}
    try:
        value = safe_eval(text, dict(names))
    except SafeEvalError as exc:
        raise UserError(f"The button's context {text!r} cannot be evaluated: {exc}") from exc
    return dict(value) if isinstance(value, Mapping) else {}


#: the fields of a stored window action a button's ``type="action"`` opens
_WINDOW_FIELDS = (
    "name",
    "res_model",
    "res_id",
    "view_mode",
    "views",
    "view_id",
    "domain",
    "context",
    "target",
    "groups_id",
)


def stored_action(env: Any, reference: str, context: Mapping[str, Any]) -> dict[str, Any]:
    """The action a ``type="action"`` button names (``%(module.xml_id)d``, an xml id or a
    database id) as the dict a method would return, its ``context`` and ``domain`` evaluated
    with ``context`` (``active_id``...). Only window and URL actions open from a button.

    :raises MissingError: no such action.
    :raises AccessError: the action is restricted to groups the user is not in.
    """
    text = reference.strip()
    if text.startswith("%(") and text.endswith(")d"):
        text = text[2:-2]
    if text.isdigit() and len(text) < 12:
        record = env["ir.actions.act_window"].sudo().browse(int(text)).exists()
    else:
        record = env.ref(text, raise_if_not_found=False) if "." in text else None
        if record is not None:
            record = record.sudo()
    if not record or record._name not in ("ir.actions.act_window", "ir.actions.act_url"):
        raise MissingError(f"The button opens an unknown action {reference!r}.")
    if record._name == "ir.actions.act_url":
        return {"type": "ir.actions.act_url", "url": record.url, "name": record.name}
    values = record.read(list(_WINDOW_FIELDS), load=False)[0]
    group_ids = values.pop("groups_id", None) or []
    if group_ids and not env.su:
        if not set(user_group_ids(env, env.uid)) & set(group_ids):
            raise AccessError(f"You may not open {values.get('name')!r}.")
    names = {
        "uid": env.uid,
        "context": dict(context),
        "active_id": context.get("active_id"),
        "active_ids": context.get("active_ids") or [],
        "active_model": context.get("active_model"),
    }
    try:
        own = safe_eval(values.get("context") or "{}", names) or {}
        domain = safe_eval_domain(values["domain"], names) if values.get("domain") else None
    except SafeEvalError as exc:
        raise UserError(f"The action {values.get('name')!r} cannot be read: {exc}") from exc
    return {
        **values,
        "type": "ir.actions.act_window",
        "context": {**dict(context), **(dict(own) if isinstance(own, Mapping) else {})},
        "domain": domain,
    }


def run_button(
    record: Any, button: Any, values: Mapping[str, Any], context: Mapping[str, Any], where: str
) -> tuple[Any, dict[str, Any]]:
    """Run the form ``button`` (``type="object"``: its public method as the user, with the
    button's ``context``; ``type="action"``: the action it names) on the saved ``record``,
    whose page shows ``values`` in ``context``: ``(what it returned, the context of that
    action)``. The action gets the page's context, the button's and ``active_*`` of the
    record, as in Odoo's web client. ``where`` names the page in the refusal of another type
    ("page", "dialog")."""
    scope = {
        **values,
        "context": dict(context),
        "uid": record.env.uid,
        "active_id": record.id,
        "active_ids": record.ids,
        "active_model": record._name,
    }
    button_context = eval_button_context(button.context, scope)
    active = active_context(context, record._name, record.ids, button_context)
    if button.type == "action":
        return stored_action(record.env, button.name, active), active
    if button.type != "object":
        raise UserError(f"The button {button.string!r} cannot be run from this {where}.")
    method = get_public_method(record, button.name)
    target = record.with_context(**button_context) if button_context else record
    return method(target), active


def next_url(
    env: Any,
    result: Any,
    *,
    origin: str,
    signer: Signer,
    active: Mapping[str, Any] | None = None,
    current_action_id: int | None = None,
    notification: Notification | None = None,
) -> str:
    """Where the browser goes once a button (or a server action) returned ``result`` on the
    page ``origin``; see the module's docstring for each type of action."""
    notify = {"notify": signer.dumps(notification.payload())} if notification else {}
    if not isinstance(result, Mapping) or not result.get("type"):
        return with_query(page_url(origin), extra=notify)
    kind = result.get("type")
    if kind == "ir.actions.act_window":
        if result.get("target") == "new":
            dialog = dialog_of(result, origin, active or {})
            return with_query(
                page_url(origin), extra={"dialog": signer.dumps(dialog.payload()), **notify}
            )
        return with_query(window_url(env, result, current_action_id, signer=signer), extra=notify)
    if kind == "ir.actions.act_url":
        target = str(result.get("url") or "")
        if target.startswith("/") and not target.startswith("//") and "\\" not in target:
            return target
        if target.startswith(("http://", "https://")):
            return target
        raise UserError(f"The action opens an address that is not allowed: {target!r}.")
    if kind == "ir.actions.client":
        params = result.get("params") or {}
        if result.get("tag") == "display_notification" and isinstance(params, Mapping):
            shown = Notification(
                message=str(params.get("message") or ""),
                title=str(params.get("title") or ""),
                type=str(params.get("type") or "info"),
                sticky=bool(params.get("sticky")),
            )
            if isinstance(params.get("next"), Mapping):
                return next_url(
                    env,
                    params["next"],
                    origin=origin,
                    signer=signer,
                    active=active,
                    current_action_id=current_action_id,
                    notification=shown,
                )
            return with_query(page_url(origin), extra={"notify": signer.dumps(shown.payload())})
        return with_query(page_url(origin), extra=notify)
    # ir.actions.act_window_close and anything a page has nothing more to do with
    return with_query(page_url(origin), extra=notify)


def window_url(
    env: Any,
    action: Mapping[str, Any],
    current_action_id: int | None,
    *,
    signer: Signer | None = None,
) -> str:
    """The URL showing what window action ``action`` (a dict, stored or made by a method)
    shows, in a stored window action of its model that the user may open; with ``signer``,
    the action's ``context`` goes along (``ctx``, see ``ui/action_context.py``)."""
    res_model = str(action.get("res_model") or "")
    if res_model not in env.registry:
        raise UserError(f"The action opens an unknown model {res_model!r}.")
    action_id = _stored_action_id(env, action, res_model, current_action_id)
    window = load_window_action(env, action_id)
    res_id = action.get("res_id")
    view_mode = [m.strip() for m in str(action.get("view_mode") or "").split(",") if m.strip()]
    carried: list[tuple[str, Any]] = []
    token = context_token(signer, action.get("context")) if signer is not None else None
    if token:
        carried.append(("ctx", token))
    if isinstance(res_id, int) and res_id > 0:
        return urls.form_url(window.id, res_id, carried)
    if view_mode and view_mode[0] == "form":
        return urls.form_url(window.id, None, carried)
    view_type = {"tree": "list"}.get(view_mode[0], view_mode[0]) if view_mode else None
    if view_type not in window.view_types:
        view_type = window.first_view_type
    query: list[tuple[str, Any]] = list(carried)
    domain = action.get("domain")
    if isinstance(domain, str):
        domain = safe_eval_domain(domain, {"uid": env.uid, "context": dict(env.context)})
    if domain:
        query += [
            ("domain", json.dumps(list(domain), default=str)),
            ("domain_label", str(action.get("name") or "Records")),
        ]
    return urls.action_url(window.id, view_type, query)


#: keys of a button's context about the button's record, not about the action it opens
_NOT_CARRIED = frozenset({"active_id", "active_ids", "active_model"})


def context_token(sign: Signer, context: Any) -> str | None:
    """The ``ctx`` token of an action's context (``ui/action_context.py``), if it has one."""
    kept = {k: v for k, v in clean_context(context).items() if k not in _NOT_CARRIED}
    return sign.dumps({"c": kept}) if kept else None


def _stored_action_id(
    env: Any, action: Mapping[str, Any], res_model: str, current_action_id: int | None
) -> int:
    """A stored window action of ``res_model`` to draw ``action`` with."""
    own = action.get("id")
    if isinstance(own, int) and own > 0:
        return own
    if current_action_id:
        current = env["ir.actions.act_window"].sudo().browse(current_action_id).exists()
        if current and current.res_model == res_model:
            return current_action_id
    found = env["ir.actions.act_window"].sudo().search([("res_model", "=", res_model)], order="id")
    for candidate in found:
        try:
            load_window_action(env, candidate.id)
        except AccessError:
            continue
        return candidate.id
    raise UserError(f"There is no screen of {res_model!r} that you may open.")


__all__ = [
    "BadToken",
    "Dialog",
    "active_context",
    "clean_context",
    "context_token",
    "eval_button_context",
    "stored_action",
    "Notification",
    "Signer",
    "dialog_of",
    "next_url",
    "page_url",
    "run_button",
    "window_url",
    "with_query",
]
