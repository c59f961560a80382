"""The chatter under a form, the attachments' upload and download, and "my activities".

The web module's form leaves one hook under a record of a ``mail.thread`` model: a block that
loads ``GET /mail/chatter/<model>/<id>`` (htmx, on load). The chatter shows the record's
messages (newest first, with their tracked changes and attachments), its followers, its
planned activities and attachments, and forms that post back here::

    GET  /mail/chatter/sale.order/7                 the chatter (a fragment of the page)
    POST /mail/chatter/sale.order/7/post            csrf_token, body, kind=note|message,
                                                    attachment (files, optional)
    POST /mail/chatter/sale.order/7/follow          (and /unfollow): the current user
    POST /mail/chatter/sale.order/7/activity        activity_type_id, summary, date_deadline
    POST /mail/activity/12/done                     feedback (optional)
    POST /mail/attachment/upload                    res_model, res_id, file
    GET  /mail/attachment/5                         the file (access through its record)
    GET  /mail/activities                           the user's activities, counted by state

Everything runs as the logged-in user through the ORM (``message_post`` checks the right to
post, attachments and activities are checked through their record). An htmx request gets the
chatter fragment back; a plain form post is redirected to the page it came from.
"""

from __future__ import annotations

import datetime
import mimetypes
from typing import Any

from markupsafe import escape
from werkzeug.exceptions import NotFound

from erplite import http
from erplite.addons.web.ui.pages import render_page  # type: ignore[import-not-found]
from erplite.exceptions import AccessError, MissingError, UserError, ValidationError
from erplite.http import request

#: the largest file the chatter accepts (bytes)
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


def _thread(model: str, res_id: int) -> Any:
    """The record ``res_id`` of the ``mail.thread`` model ``model``, readable by the user;
    ``NotFound`` for an unknown model, a model without chatter or a missing record."""
    env = request.env
    if model not in env or not hasattr(env[model], "message_post"):
        raise NotFound()
    record = env[model].browse(res_id)
    if not record.exists():
        raise NotFound()
    record.check_access("read")
    return record


def _text_to_html(text: str) -> str:
    """A plain text typed in the chatter as HTML paragraphs (escaped)."""
    paragraphs = [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n\n")]
    return "".join(
        f"<p>{'<br>'.join(str(escape(line)) for line in p.splitlines())}</p>"
        for p in paragraphs
        if p
    )


def _is_htmx() -> bool:
    return request.httprequest.headers.get("HX-Request") == "true"


def _back() -> Any:
    """After a plain form post: the page it came from (same site only), else home."""
    referrer = request.httprequest.referrer or ""
    host = request.httprequest.host_url
    target = referrer if referrer.startswith(host) else request.url("/web")
    return request.redirect(target, code=303)


def chatter_values(record: Any, error: str = "") -> dict:
    """What ``mail/chatter.html`` shows for ``record``."""
    env = request.env
    messages = record.message_ids.message_format()
    followers = record.message_follower_ids.sudo()
    activities = record.activity_ids if "activity_ids" in record._fields else env["mail.activity"]
    if "activity_ids" not in record._fields:
        activities = env["mail.activity"].search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)]
        )
    attachments = env["ir.attachment"].search(
        [("res_model", "=", record._name), ("res_id", "=", record.id)]
    )
    return {
        "record": record,
        "base": f"/mail/chatter/{record._name}/{record.id}",
        "messages": messages,
        "followers": [
            {"name": f.partner_id.display_name, "partner_id": f.partner_id.id} for f in followers
        ],
        "is_follower": record.message_is_follower,
        "activities": activities,
        "activity_types": env["mail.activity.type"].search([]),
        "attachments": attachments,
        "can_write": record.check_access_rights("write", raise_exception=False),
        "today": datetime.date.today().isoformat(),
        "error": error,
    }


class ChatterController(http.Controller):
    def _chatter(self, record: Any, error: str = "", status: int = 200) -> Any:
        return request.render("mail/chatter.html", chatter_values(record, error), status=status)

    def _answer(self, record: Any, error: str = "") -> Any:
        if _is_htmx():
            return self._chatter(record, error, status=200 if not error else 422)
        if error:
            return self._chatter(record, error, status=422)
        return _back()

    @http.route(
        "/mail/chatter/<string:model>/<int:res_id>", type="http", auth="user", methods=["GET"]
    )
    def chatter(self, model: str, res_id: int, **kw: Any) -> Any:
        try:
            record = _thread(model, res_id)
        except AccessError as error:
            return request.make_response(str(escape(str(error))), status=403)
        return self._chatter(record)

    @http.route(
        "/mail/chatter/<string:model>/<int:res_id>/post",
        type="http",
        auth="user",
        methods=["POST"],
        max_content_length=MAX_ATTACHMENT_BYTES + 65536,
    )
    def post(self, model: str, res_id: int, **kw: Any) -> Any:
        record = _thread(model, res_id)
        body = _text_to_html(kw.get("body", ""))
        files = [f for f in request.httprequest.files.getlist("attachment") if f.filename]
        if not body and not files:
            return self._answer(record, "Write something or attach a file first.")
        note = kw.get("kind", "note") != "message"
        try:
            with request.env.cr.savepoint():
                attachment_ids = [self._store(record, f).id for f in files]
                record.message_post(
                    body=body,
                    message_type="comment",
                    subtype_xmlid="mail.mt_note" if note else "mail.mt_comment",
                    attachment_ids=attachment_ids,
                )
        except (AccessError, UserError, ValidationError) as error:
            return self._answer(record, str(error))
        return self._answer(record)

    @http.route(
        [
            "/mail/chatter/<string:model>/<int:res_id>/follow",
            "/mail/chatter/<string:model>/<int:res_id>/unfollow",
        ],
        type="http",
        auth="user",
        methods=["POST"],
    )
    def follow(self, model: str, res_id: int, **kw: Any) -> Any:
        record = _thread(model, res_id)
        partner = request.env.user.partner_id.id
        if request.httprequest.path.endswith("/unfollow"):
            record.message_unsubscribe(partner_ids=[partner])
        else:
            record.message_subscribe(partner_ids=[partner])
        return self._answer(record)

    @http.route(
        "/mail/chatter/<string:model>/<int:res_id>/activity",
        type="http",
        auth="user",
        methods=["POST"],
    )
    def schedule(self, model: str, res_id: int, **kw: Any) -> Any:
        record = _thread(model, res_id)
        try:
            deadline = datetime.date.fromisoformat(kw.get("date_deadline") or "")
        except ValueError:
            return self._answer(record, "Give the due date as YYYY-MM-DD.")
        type_id = kw.get("activity_type_id") or ""
        try:
            with request.env.cr.savepoint():
                request.env["mail.activity"].create(
                    {
                        "res_model": record._name,
                        "res_id": record.id,
                        "activity_type_id": int(type_id) if type_id.isdigit() else False,
                        "summary": (kw.get("summary") or "").strip() or False,
                        "date_deadline": deadline,
                        "user_id": request.env.uid,
                    }
                )
        except (AccessError, UserError, ValidationError) as error:
            return self._answer(record, str(error))
        return self._answer(record)

    @http.route("/mail/activity/<int:activity_id>/done", type="http", auth="user", methods=["POST"])
    def done(self, activity_id: int, **kw: Any) -> Any:
        activity = request.env["mail.activity"].browse(activity_id)
        try:
            model, res_id = activity.res_model, activity.res_id
        except (AccessError, MissingError):
            raise NotFound() from None
        record = _thread(model, res_id)
        try:
            with request.env.cr.savepoint():
                activity.action_feedback(feedback=(kw.get("feedback") or "").strip() or False)
        except (AccessError, UserError) as error:
            return self._answer(record, str(error))
        return self._answer(record)

    # -- attachments --------------------------------------------------------------------------
    def _store(self, record: Any, upload: Any) -> Any:
        content = upload.read(MAX_ATTACHMENT_BYTES + 1)
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise UserError(
                f"{upload.filename}: the file is larger than {MAX_ATTACHMENT_BYTES // 2**20} MB."
            )
        return request.env["ir.attachment"].create(
            {
                "name": upload.filename,
                "raw": content,
                "res_model": record._name,
                "res_id": record.id,
                "mimetype": upload.mimetype
                or mimetypes.guess_type(upload.filename)[0]
                or "application/octet-stream",
            }
        )

    @http.route(
        "/mail/attachment/upload",
        type="http",
        auth="user",
        methods=["POST"],
        max_content_length=MAX_ATTACHMENT_BYTES + 65536,
    )
    def upload(self, **kw: Any) -> Any:
        res_id = kw.get("res_id") or ""
        record = _thread(kw.get("res_model") or "", int(res_id) if res_id.isdigit() else 0)
        upload = request.httprequest.files.get("file")
        if upload is None or not upload.filename:
            return self._answer(record, "Choose a file to upload.")
        try:
            with request.env.cr.savepoint():
                self._store(record, upload)
        except (AccessError, UserError, ValidationError) as error:
            return self._answer(record, str(error))
        return self._answer(record)

    @http.route("/mail/attachment/<int:attachment_id>", type="http", auth="user", methods=["GET"])
    def download(self, attachment_id: int, **kw: Any) -> Any:
        attachment = request.env["ir.attachment"].browse(attachment_id)
        try:
            rows = attachment.read(["name", "raw", "mimetype"])
        except AccessError:
            return request.make_response("You may not read this file.", status=403)
        if not rows:
            raise NotFound()
        row = rows[0]
        name = (row["name"] or "file").replace('"', "")
        return request.make_response(
            row["raw"] or b"",
            headers=[
                ("Content-Type", row["mimetype"] or "application/octet-stream"),
                ("Content-Disposition", f'attachment; filename="{name}"'),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )

    # -- my activities ------------------------------------------------------------------------
    @http.route("/mail/activities", type="http", auth="user", methods=["GET"])
    def my_activities(self, **kw: Any) -> Any:
        env = request.env
        activities = env["mail.activity"].search([("user_id", "=", env.uid)])
        return render_page(
            "mail/activities.html",
            {
                "counts": env["mail.activity"].get_my_activity_counts(),
                "activities": activities,
                "title": "My Activities",
            },
        )
