"""``mail.thread``: the chatter of a business document (Odoo 17's mixin).

A model inheriting it (``_inherit = ["mail.thread"]``) gets:

- a history of messages: ``message_post(body=..., message_type="comment",
  subtype_xmlid="mail.mt_comment" | "mail.mt_note", attachment_ids=[...])`` writes one
  (sanitised HTML body, the current user's partner as author), ``message_ids`` reads them;
- followers: ``message_subscribe(partner_ids)`` / ``message_unsubscribe``; a message of the
  ``mail.mt_comment`` subtype is mailed to the followers (``mail.mail``, sent by the mail
  queue's scheduled job); notes are not;
- field tracking: a field declared ``tracking=True`` (or a sequence number) records each change
  as a message with the old and new value (``mail.tracking.value``), in the same transaction;
- a creation message ("Sales Order created"), and its creator as follower.

Tracking works per flush: the first change of a tracked field of a record (by ``write``, or by
the recomputation of a stored computed field) keeps the record's tracked values as they were
(:meth:`_track_prepare`: one SELECT for the records whose values are not in the cache); when
the model's pending writes are flushed, the records whose tracked values differ get ONE message
each, whatever the number of fields changed, all inserted with their tracking values by one
statement (:func:`erplite.addons.mail.tracking.insert_messages`). Many2many and one2many
fields are tracked as the display names of their records (Odoo 17); a write of tracked x2many
fields only is recorded at once (it leaves no pending column for a flush). The context keys
``tracking_disable`` and ``mail_notrack`` (tracking) and ``mail_create_nolog`` (the creation
message) turn them off, as in Odoo 17; the audit log (``auditlog``) does not obey them.
"""

from __future__ import annotations

from typing import Any

from markupsafe import escape

from erplite import SUPERUSER_ID, api, fields, models
from erplite.exceptions import UserError

from ..tracking import (
    TRACKABLE_TYPES,
    X2MANY_TYPES,
    Change,
    TrackedRecord,
    insert_messages,
    same_value,
    tracking_columns,
)

#: the key of the transaction's tracking state in ``cr.precommit.data``
TRACKING_KEY = "mail.tracking"
#: the last user who changed a tracked document in the transaction (the author of changes
#: computed later, at the flush, as superuser)
TRACKING_UID_KEY = "mail.tracking.uid"


class MailThread(models.AbstractModel):
    _name = "mail.thread"
    _description = "Email Thread"
    #: the access to the document needed to post a message on it (Odoo 17's default)
    _mail_post_access = "write"

    message_ids = fields.Many2many(
        "mail.message", compute="_compute_message_ids", string="Messages", copy=False
    )
    message_follower_ids = fields.Many2many(
        "mail.followers", compute="_compute_message_followers", string="Followers", copy=False
    )
    message_partner_ids = fields.Many2many(
        "res.partner",
        compute="_compute_message_followers",
        search="_search_message_partner_ids",
        string="Followers (Partners)",
        copy=False,
    )
    message_is_follower = fields.Boolean(
        "Is Follower", compute="_compute_message_followers", copy=False
    )
    message_attachment_count = fields.Integer(
        "Attachment Count", compute="_compute_message_attachment_count", copy=False
    )

    # ------------------------------------------------------------------------------------------
    # reading the thread
    # ------------------------------------------------------------------------------------------
    def _compute_message_ids(self):
        messages = self.env["mail.message"].sudo()
        rows = messages.search_read(
            [("model", "=", self._name), ("res_id", "in", [i for i in self.ids if i])],
            ["res_id"],
            order="id desc",
        )
        by_record: dict[int, list[int]] = {}
        for row in rows:
            by_record.setdefault(row["res_id"], []).append(row["id"])
        record: Any
        for record in self:
            record.message_ids = [(6, 0, by_record.get(record.id, []))]

    def _compute_message_followers(self):
        followers = self.env["mail.followers"].sudo()
        rows = followers.search_read(
            [("res_model", "=", self._name), ("res_id", "in", [i for i in self.ids if i])],
            ["res_id", "partner_id"],
            load="",
        )
        my_partner = self.env.user.partner_id.id
        by_record: dict[int, list[dict]] = {}
        for row in rows:
            by_record.setdefault(row["res_id"], []).append(row)
        record: Any
        for record in self:
            mine = by_record.get(record.id, [])
            record.message_follower_ids = [(6, 0, [row["id"] for row in mine])]
            record.message_partner_ids = [(6, 0, [row["partner_id"] for row in mine])]
            record.message_is_follower = any(row["partner_id"] == my_partner for row in mine)

    def _search_message_partner_ids(self, operator: str, value: Any) -> list:
        followers = (
            self.env["mail.followers"]
            .sudo()
            .search([("res_model", "=", self._name), ("partner_id", operator, value)])
        )
        return [("id", "in", followers.mapped("res_id"))]

    def _compute_message_attachment_count(self):
        attachments = self.env["ir.attachment"].sudo()
        rows = attachments.read_group(
            [("res_model", "=", self._name), ("res_id", "in", [i for i in self.ids if i])],
            ["res_id"],
            ["res_id"],
        )
        counts = {row["res_id"]: row["res_id_count"] for row in rows}
        record: Any
        for record in self:
            record.message_attachment_count = counts.get(record.id, 0)

    # ------------------------------------------------------------------------------------------
    # posting
    # ------------------------------------------------------------------------------------------
    def message_post(
        self,
        *,
        body: str = "",
        subject: str | None = None,
        message_type: str = "notification",
        subtype_xmlid: str | None = None,
        subtype_id: int | None = None,
        partner_ids: list[int] | None = None,
        attachment_ids: list[int] | None = None,
        author_id: int | None = None,
        email_from: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Post a message on the record: ``message_type="comment"`` with
        ``subtype_xmlid="mail.mt_comment"`` is a message to the followers (mailed to them),
        ``"mail.mt_note"`` an internal note. The user needs ``_mail_post_access`` on the
        record; the body is sanitised. Returns the ``mail.message``."""
        self.ensure_one()
        if kwargs:
            raise UserError(
                f"message_post: unknown arguments {', '.join(sorted(kwargs))} "
                "(body, subject, message_type, subtype_xmlid, subtype_id, partner_ids, "
                "attachment_ids, author_id, email_from)"
            )
        self.check_access(self._mail_post_access)
        if not subtype_id:
            default = "mail.mt_comment" if message_type == "comment" else "mail.mt_note"
            subtype: Any = self.env.ref(subtype_xmlid or default)
            subtype_id = subtype.id
        author = (
            self.env["res.partner"].browse(author_id) if author_id else self.env.user.partner_id
        )
        attachments = self.env["ir.attachment"].browse(attachment_ids or [])
        if attachments:
            # the user must be allowed to read them; they move onto this record
            attachments.check_access("read")
            attachments.sudo().write({"res_model": self._name, "res_id": self.id})
        message = (
            self.env["mail.message"]
            .sudo()
            .create(
                {
                    "model": self._name,
                    "res_id": self.id,
                    "record_name": self.display_name,
                    "body": body or "",
                    "subject": subject or False,
                    "message_type": message_type,
                    "subtype_id": subtype_id,
                    "author_id": author.id,
                    "email_from": email_from or author.email or False,
                    "partner_ids": [(6, 0, list(partner_ids or []))],
                    "attachment_ids": [(6, 0, attachments.ids)],
                }
            )
        )
        self._notify_thread(message)
        return message.with_env(self.env)

    def message_log(self, *, body: str = "", **kwargs: Any) -> Any:
        """An internal note written by the system (``message_type="notification"``)."""
        return self.message_post(
            body=body, message_type="notification", subtype_xmlid="mail.mt_note", **kwargs
        )

    def _notify_thread(self, message: Any) -> None:
        """Mail a posted message to the record's followers that follow its subtype (and to
        its explicit recipients), except its author: one ``mail.mail`` queued in the
        transaction, sent by the mail queue's scheduled job. Internal notes are not mailed."""
        subtype = message.sudo().subtype_id
        if subtype.internal or message.message_type not in ("comment", "email"):
            return
        followers = (
            self.env["mail.followers"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "=", self.id)])
        )
        partners = message.sudo().partner_ids
        for follower in followers:
            followed = follower.subtype_ids
            if (followed and subtype in followed) or (not followed and subtype.default):
                partners |= follower.partner_id
        partners -= message.sudo().author_id
        partners = partners.filtered(lambda partner: partner.email)
        if not partners:
            return
        self.env["mail.mail"].sudo().create(
            {
                "mail_message_id": message.id,
                "subject": message.subject or self.display_name,
                "body_html": message.body or "",
                "email_from": message.email_from or False,
                "recipient_ids": [(6, 0, partners.ids)],
                "model": self._name,
                "res_id": self.id,
            }
        )

    # ------------------------------------------------------------------------------------------
    # followers
    # ------------------------------------------------------------------------------------------
    def message_subscribe(
        self, partner_ids: list[int] | None = None, subtype_ids: list[int] | None = None
    ) -> bool:
        """Make ``partner_ids`` follow the records (``subtype_ids``: the subtypes they follow;
        none: the default ones). Following yourself needs read access to the records,
        subscribing others write access, as in Odoo 17."""
        if not self or not partner_ids:
            return True
        own = self.env.user.partner_id.id
        self.check_access("read" if set(partner_ids) == {own} else "write")
        followers = self.env["mail.followers"].sudo()
        existing = followers.search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("partner_id", "in", list(partner_ids)),
            ]
        )
        known = {(f.res_id, f.partner_id.id): f for f in existing}
        to_create = []
        for record in self:
            for partner_id in dict.fromkeys(partner_ids):
                follower = known.get((record.id, partner_id))
                if follower is None:
                    to_create.append(
                        {
                            "res_model": self._name,
                            "res_id": record.id,
                            "partner_id": partner_id,
                            "subtype_ids": [(6, 0, list(subtype_ids or []))],
                        }
                    )
                elif subtype_ids is not None:
                    follower.subtype_ids = [(6, 0, list(subtype_ids))]
        if to_create:
            followers.create(to_create)
        self.invalidate_recordset(
            ["message_follower_ids", "message_partner_ids", "message_is_follower"], flush=False
        )
        return True

    def message_unsubscribe(self, partner_ids: list[int] | None = None) -> bool:
        """Remove ``partner_ids`` from the followers (yourself: read access is enough)."""
        if not self or not partner_ids:
            return True
        own = self.env.user.partner_id.id
        self.check_access("read" if set(partner_ids) == {own} else "write")
        self.env["mail.followers"].sudo().search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("partner_id", "in", list(partner_ids)),
            ]
        ).unlink()
        self.invalidate_recordset(
            ["message_follower_ids", "message_partner_ids", "message_is_follower"], flush=False
        )
        return True

    # ------------------------------------------------------------------------------------------
    # creation, deletion
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        context = self.env.context
        if context.get("tracking_disable"):
            return records
        if not context.get("mail_notrack"):
            records._track_start_created()
        if not context.get("mail_create_nolog"):
            records._message_log_creation()
        return records

    def _creation_message(self) -> str:
        """The body of the creation message (Odoo 17: '<description> created')."""
        return f"{self._description} created"

    def _message_log_creation(self) -> None:
        """One 'created' note per new record, and its creator as follower, in one statement."""
        body = str(escape(self._creation_message()))
        uid = self.env.uid or SUPERUSER_ID
        insert_messages(
            self.env, self._name, [(record_id, uid, body) for record_id in self.ids], []
        )
        if uid != SUPERUSER_ID:
            self.sudo()._subscribe_creator()

    def _subscribe_creator(self) -> None:
        partner = self.env.user.partner_id.id
        if partner:
            self.env["mail.followers"].create(
                [
                    {"res_model": self._name, "res_id": record_id, "partner_id": partner}
                    for record_id in self.ids
                ]
            )

    def unlink(self):
        """Deleting records deletes their messages and followers (Odoo 17 too)."""
        ids = list(self.ids)
        name = self._name
        result = super().unlink()
        if ids:
            su = self.env(su=True)
            su["mail.message"].search([("model", "=", name), ("res_id", "in", ids)]).unlink()
            su["mail.followers"].search([("res_model", "=", name), ("res_id", "in", ids)]).unlink()
        return result

    # ------------------------------------------------------------------------------------------
    # tracking
    # ------------------------------------------------------------------------------------------
    @classmethod
    def _track_fields(cls) -> list[Any]:
        """The tracked fields of the model (``tracking=`` on a stored field of a known type),
        computed once per registry class."""
        cached = cls.__dict__.get("_tracked_fields_cache")
        if cached is None:
            cached = [
                field
                for field in cls._fields.values()
                if field.tracking and field.store and field.type in TRACKABLE_TYPES
            ]
            setattr(cls, "_tracked_fields_cache", cached)  # noqa: B010  (per registry class)
        return cached

    def _track_get_fields(self) -> list[str]:
        """Odoo 17's name: the names of the tracked fields."""
        return [field.name for field in self._track_fields()]

    def _track_disabled(self) -> bool:
        context = self.env.context
        return bool(context.get("tracking_disable") or context.get("mail_notrack"))

    def _track_state(self) -> dict[int, TrackedRecord | None]:
        """The transaction's tracked records of this model (dropped by commit and rollback)."""
        data = self.env.cr.precommit.data.setdefault(TRACKING_KEY, {})
        return data.setdefault(self._name, {})

    def _track_prepare(self, fields: list[Any] | None = None) -> None:
        """Keep the tracked values of ``self`` as they are now, for the records not kept yet:
        the cached values, and one SELECT for the records lacking some."""
        tracked = self._track_fields()
        if not tracked or self._track_disabled():
            return
        if fields is not None and not any(field in tracked for field in fields):
            return
        state = self._track_state()
        ids = [i for i in self._ids if isinstance(i, int) and i not in state]
        if not ids:
            return
        env = self.env
        cache = env.cache
        uid = env.uid or SUPERUSER_ID
        if not env.su:
            env.cr.precommit.data[TRACKING_UID_KEY] = uid
        elif uid == SUPERUSER_ID:
            uid = env.cr.precommit.data.get(TRACKING_UID_KEY, SUPERUSER_ID)
        wanted = list(tracked)
        for field in tracked:
            currency = field.type == "monetary" and field.get_currency_field(self)
            # a currency that is no column (a related field not stored, as crm.lead's
            # company_currency) is read when the change is recorded, not fetched here
            if currency and self._fields[currency] not in wanted and self._fields[currency].store:
                wanted.append(self._fields[currency])
        lacking = [i for i in ids if not all(cache.contains(i, field, env) for field in wanted)]
        if lacking:
            self.browse(lacking).sudo()._fetch_fields(wanted)
        for record_id in ids:
            values = {}
            for field in tracked:
                if cache.contains(record_id, field, env):
                    values[field.name] = cache.get_value(record_id, field, env)
            state[record_id] = TrackedRecord(uid, values)

    def _track_start_created(self) -> None:
        """New records: their tracked values now are the reference of later changes (the
        computed ones are computed for it, which the flush would do anyway)."""
        tracked = self._track_fields()
        if not tracked or self._track_disabled():
            return
        state = self._track_state()
        env = self.env
        cache = env.cache
        records = self.sudo()
        for record_id in self._ids:
            state[record_id] = None  # not to be kept by the computations below
        for field in tracked:
            if field.compute:
                records.mapped(field.name)  # computes what is pending, from the cache
        for record_id in self._ids:
            values = {}
            for field in tracked:
                if cache.contains(record_id, field, env):
                    values[field.name] = cache.get_value(record_id, field, env)
            state[record_id] = TrackedRecord(env.uid or SUPERUSER_ID, values)

    def write(self, vals):
        if not self._track_disabled():
            tracked = self._track_fields()
            if tracked and any(field.name in vals for field in tracked):
                self._track_prepare()
                result = super().write(vals)
                if any(f.type in X2MANY_TYPES and f.name in vals for f in tracked):
                    self._track_x2many_written()
                return result
        return super().write(vals)

    def _track_x2many_written(self) -> None:
        """Record now the changes of the records of ``self`` that have no write pending (only
        their tracked x2many fields were written: no flush of this model would see them);
        the others are recorded by the flush, with their other changes."""
        state = self.env.cr.precommit.data.get(TRACKING_KEY, {}).get(self._name)
        if not state:
            return
        pending = self.env.transaction.towrite.get(self._name) or {}
        batch = {
            record_id: state.pop(record_id)
            for record_id in self._ids
            if record_id in state and record_id not in pending
        }
        if batch:
            self._track_finalize(batch)

    def _compute_field_value(self, field: Any) -> None:
        # a stored computed field about to change (a total after its lines changed): keep the
        # values it had, as Odoo 17's mail.thread does here
        if field.store and field.tracking:
            self._track_prepare([field])
        else:
            companions = self.env.registry.field_computed.get(field, ())
            if any(f.store and f.tracking for f in companions):
                self._track_prepare(list(companions))
        super()._compute_field_value(field)

    def _flush_towrite(self) -> None:
        state = self.env.cr.precommit.data.get(TRACKING_KEY, {}).get(self._name)
        pending = self.env.transaction.towrite.get(self._name)
        batch: dict[int, TrackedRecord | None] = {}
        if state and pending:
            for record_id in list(pending):
                if isinstance(record_id, int) and record_id in state:
                    batch[record_id] = state.pop(record_id)
        super()._flush_towrite()
        if batch:
            self._track_finalize(batch)

    def _track_finalize(self, batch: dict[int, TrackedRecord | None]) -> None:
        """Compare the kept values of the records of ``batch`` with their values now and
        write the changes: one message per changed record, one statement in all."""
        env = self.env
        cache = env.cache
        tracked = self._track_fields()
        # x2many values that a write dropped from the cache: fetched again, in one batch
        for field in tracked:
            if field.type in X2MANY_TYPES:
                lacking = [
                    record_id
                    for record_id, kept in batch.items()
                    if kept is not None
                    and field.name in kept.values
                    and not cache.contains(record_id, field, env)
                ]
                if lacking:
                    self.browse(lacking).sudo()._fetch_fields([field])
        changed: list[tuple[int, int, list[tuple[Any, Any, Any]]]] = []
        for record_id, kept in batch.items():
            if kept is None:
                continue
            diffs = []
            for field in tracked:
                if field.name not in kept.values or not cache.contains(record_id, field, env):
                    continue
                old = kept.values[field.name]
                new = cache.get_value(record_id, field, env)
                if not same_value(field, old, new):
                    diffs.append((field, old, new))
            if diffs:
                changed.append((record_id, kept.uid, diffs))
        if not changed:
            return
        labels = self._track_labels(changed)
        changes = []
        records = self.browse([record_id for record_id, _u, _d in changed]).sudo()
        related_currencies: dict[str, dict[int, int]] = {}
        for record_id, _uid, diffs in changed:
            for field, old, new in diffs:
                currency_id = None
                if field.type == "monetary":
                    currency_name = field.get_currency_field(self)
                    currency = self._fields[currency_name] if currency_name else None
                    if currency is not None and cache.contains(record_id, currency, env):
                        currency_id = cache.get_value(record_id, currency, env)
                    elif currency is not None and not currency.store:
                        # a related currency: read through its path, for the batch at once
                        if currency_name not in related_currencies:
                            related_currencies[currency_name] = {
                                record.id: record[currency_name].id for record in records
                            }
                        currency_id = related_currencies[currency_name].get(record_id)
                field_labels = labels.get(field.name, {})
                changes.append(
                    Change(
                        record_id,
                        field.name,
                        tracking_columns(field, old, field_labels),
                        tracking_columns(field, new, field_labels),
                        currency_id or None,
                    )
                )
        insert_messages(
            env, self._name, [(record_id, uid, "") for record_id, uid, _d in changed], changes
        )
        self.browse([record_id for record_id, _u, _d in changed]).invalidate_recordset(
            ["message_ids"], flush=False
        )

    def _track_labels(self, changed: list) -> dict[str, dict]:
        """The labels of the changed selection values and the display names of the changed
        many2one and x2many values, by field name (display names: one query per comodel not
        cached)."""
        labels: dict[str, dict] = {}
        targets: dict[Any, set[int]] = {}
        for _record_id, _uid, diffs in changed:
            for field, old, new in diffs:
                if field.type == "selection" and field.name not in labels:
                    labels[field.name] = dict(field._selection(self))
                elif field.type == "many2one":
                    targets.setdefault(field, set()).update(v for v in (old, new) if v)
                elif field.type in X2MANY_TYPES:
                    targets.setdefault(field, set()).update((*(old or ()), *(new or ())))
        for field, ids in targets.items():
            comodel = self.env[field.comodel_name].sudo().browse(sorted(ids))
            labels[field.name] = {record.id: record.display_name for record in comodel}
        return labels
