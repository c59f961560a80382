"""``mail.template``: emails written from a record (Odoo 17's model).

``subject``, ``email_from``, ``email_to``, ``email_cc``, ``partner_to`` and ``reply_to`` are
*inline templates*: text with ``{{ expression }}`` parts, rendered by Jinja2's
``SandboxedEnvironment`` with the record as ``object`` (Odoo 17's inline_template engine):
``"Order {{ object.name }} confirmed"``. ``body_html`` is a QWeb template (``t-out``,
``t-if``, ``t-foreach``... with ``object``), rendered by ``ir.qweb`` when the base module has
it (else as an inline template). The sandbox forbids attribute access to private names
(``_``-prefixed) and runs as the user sending, so a template reads only what its sender may.

``send_mail(res_id)`` renders the template on that record and queues one ``mail.mail`` (sent
by the mail queue's job); ``force_send=True`` sends it at once.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from erplite import fields, models
from erplite.exceptions import UserError
from erplite.tools.lazy_modules import lazy_module

if TYPE_CHECKING:
    from lxml import etree
else:  # lxml imported on first use (erplite.tools.lazy_modules)
    etree = lazy_module("lxml.etree", __name__, "etree")

#: the fields rendered as inline templates
INLINE_FIELDS = ("subject", "email_from", "email_to", "email_cc", "partner_to", "reply_to")


#: attributes a template may not reach on any object: the environment and database, the
#: switches of user or rights, and the methods that change data
BLOCKED_ATTRIBUTES = frozenset(
    {
        "env", "cr", "pool", "registry", "sudo", "with_user", "with_env", "with_context",
        "with_company", "create", "write", "unlink", "copy", "browse", "search", "search_read",
        "read", "invalidate_recordset", "invalidate_model", "flush_model", "flush_recordset",
        "message_post", "send_mail", "exists", "load", "export_data", "execute",
    }
)  # fmt: skip


@functools.cache
def _sandbox(html: bool) -> Any:
    """The sandbox of inline templates, escaping HTML or not, made at the first render (Jinja2
    is imported then, not by every worker that loads the module: about 2 MiB).

    Jinja2's sandbox (no dunder or internal attribute), and no private attribute
    (``_``-prefixed) nor one of :data:`BLOCKED_ATTRIBUTES` of any object: a template reads
    the record's fields and follows its relations, nothing else. A refused or unknown
    attribute is an error, not an empty string."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    class RecordSandbox(SandboxedEnvironment):
        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            if attr.startswith("_") or attr in BLOCKED_ATTRIBUTES:
                return False
            return super().is_safe_attribute(obj, attr, value)

    return RecordSandbox(autoescape=html, keep_trailing_newline=True, undefined=StrictUndefined)


def render_inline(text: str, values: dict, html: bool = False) -> str:
    """Render the inline template ``text`` (``{{ }}`` parts) with ``values`` in the sandbox;
    ``UserError`` naming the problem if the template is wrong or refused."""
    if not text:
        return ""
    from jinja2 import TemplateError

    try:
        return _sandbox(html).from_string(text).render(values)
    except TemplateError as error:
        raise UserError(f"The template {text[:60]!r} cannot be rendered: {error}") from None


class MailTemplate(models.Model):
    _name = "mail.template"
    _description = "Email Templates"
    _order = "name, id"

    name = fields.Char("Name", required=True)
    model_id = fields.Many2one(
        "ir.model", "Applies to", required=True, ondelete="cascade", index=True
    )
    model = fields.Char("Related Document Model", related="model_id.model", store=True)
    subject = fields.Char("Subject", help="An inline template: {{ object.name }}")
    email_from = fields.Char("From")
    email_to = fields.Char("To (Emails)", help="Comma-separated addresses (inline template)")
    email_cc = fields.Char("Cc")
    partner_to = fields.Char("To (Partners)", help="Comma-separated partner ids (inline template)")
    reply_to = fields.Char("Reply To")
    body_html = fields.Html("Body", sanitize=False, help="A QWeb template with object")
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "email_template_attachment_rel",
        "email_template_id",
        "attachment_id",
        string="Attachments",
    )
    mail_server_id = fields.Many2one("ir.mail_server", "Outgoing Mail Server")
    auto_delete = fields.Boolean("Auto Delete", default=True)

    # -- rendering ----------------------------------------------------------------------------
    def _render_context(self, record: Any) -> dict:
        return {"object": record, "user": self.env.user, "ctx": dict(self.env.context)}

    def _render_field(self, field_name: str, res_ids: list[int]) -> dict[int, str]:
        """``{res_id: rendered value}`` of ``field_name`` on the records ``res_ids``."""
        self.ensure_one()
        records = self.env[self.model].browse(res_ids)
        template = self[field_name] or ""
        result = {}
        for record in records:
            values = self._render_context(record)
            if field_name == "body_html":
                result[record.id] = self._render_body(template, values)
            else:
                result[record.id] = render_inline(template, values)
        return result

    def _render_body(self, template: str, values: dict) -> str:
        """The body: a QWeb template rendered by ``ir.qweb`` (``t-out="object.name"``), or,
        where base has no ``ir.qweb`` yet, an inline template (``{{ object.name }}``)."""
        if "ir.qweb" not in self.env:
            return str(Markup(render_inline(template, values, html=True)))
        try:
            root = etree.fromstring(f"<t>{template}</t>")
        except etree.XMLSyntaxError as error:
            raise UserError(f"Template {self.name!r}: the body is not valid XML: {error}") from None
        return str(self.env["ir.qweb"]._render(root, values))

    def generate_email(self, res_ids: list[int] | int, fields: list[str]) -> Any:
        """Odoo 17's method: the rendered ``fields`` per record (a dict per res_id, or one
        dict for one id)."""
        self.ensure_one()
        multi = not isinstance(res_ids, int)
        ids: list[int] = list(res_ids) if not isinstance(res_ids, int) else [res_ids]
        self.env[self.model].browse(ids).check_access("read")
        result: dict[int, dict] = {res_id: {} for res_id in ids}
        for name in fields:
            for res_id, value in self._render_field(name, ids).items():
                result[res_id][name] = value
        return result if multi else result[ids[0]]

    def send_mail(
        self,
        res_id: int,
        force_send: bool = False,
        raise_exception: bool = False,
        email_values: dict | None = None,
    ) -> int:
        """Render the template on record ``res_id`` and queue the mail (sent at once with
        ``force_send``); return the ``mail.mail`` id."""
        self.ensure_one()
        record = self.env[self.model].browse(res_id)
        record.check_access("read")
        values = self.generate_email(res_id, [*INLINE_FIELDS, "body_html"])
        partner_ids = []
        for part in (values.pop("partner_to") or "").split(","):
            part = part.strip()
            if part:
                if not part.isdigit():
                    raise UserError(
                        f"Template {self.name!r}: partner_to gave {part!r}, not a partner id"
                    )
                partner_ids.append(int(part))
        mail_values = {
            "subject": values["subject"] or False,
            "email_from": values["email_from"] or False,
            "email_to": values["email_to"] or False,
            "email_cc": values["email_cc"] or False,
            "body_html": values["body_html"],
            "body": values["body_html"],
            "recipient_ids": [(6, 0, partner_ids)],
            "model": self.model,
            "res_id": res_id,
            "message_type": "email",
            "auto_delete": self.auto_delete,
            "mail_server_id": self.mail_server_id.id or False,
            "attachment_ids": [(6, 0, self.attachment_ids.ids)],
        }
        mail_values.update(email_values or {})
        mail = self.env["mail.mail"].sudo().create(mail_values)
        if force_send:
            mail.send(raise_exception=raise_exception)
        return mail.id
