"""Field tracking's values and its one statement.

``mail.thread`` keeps, per transaction, the values tracked fields had before they changed
(:class:`TrackedRecord` per record); when the model's pending writes are flushed, the records
whose tracked values differ get one ``mail.message`` each, with one ``mail.tracking.value`` per
changed field. :func:`insert_messages` writes all of them, for any number of records, in ONE
statement: a data-modifying CTE inserting the messages, then their tracking values joined on
the returned ids. The subtype, the author's partner and the fields' ``ir.model.fields`` ids are
looked up inside that statement, so tracking costs no other query.

:func:`tracking_columns` spreads a value over the typed columns Odoo 17 uses (see
``mail.tracking.value``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from erplite.sql import SQL

#: the typed columns of mail_tracking_value, each side (old_/new_) has one of each
VALUE_KINDS = ("integer", "float", "char", "text", "datetime")

#: the field types tracking knows how to record
TRACKABLE_TYPES = frozenset(
    {
        "boolean",
        "integer",
        "float",
        "monetary",
        "char",
        "text",
        "html",
        "selection",
        "date",
        "datetime",
        "many2one",
        "one2many",
        "many2many",
    }
)

#: the relational types tracked as the display names of their records (Odoo 17)
X2MANY_TYPES = frozenset({"one2many", "many2many"})


#: the array parameter of each kind of value (constant SQL)
_ARRAY_OF = {
    "integer": "%s::int4[]",
    "float": "%s::float8[]",
    "char": "%s::varchar[]",
    "text": "%s::text[]",
    "datetime": "%s::timestamp[]",
}


@dataclass
class TrackedRecord:
    """The tracked values of one record before the changes of the transaction (cache values,
    by field name), and the user who made the first of those changes."""

    uid: int
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Change:
    """One changed field of one record, ready for ``mail_tracking_value``."""

    res_id: int
    field_name: str
    old: dict[str, Any]
    new: dict[str, Any]
    currency_id: int | None = None


def same_value(field: Any, old: Any, new: Any) -> bool:
    """Whether two cache values of ``field`` are the same value (``None`` and ``False`` are
    both empty; an empty number is 0)."""
    if field.type in ("integer", "float", "monetary", "boolean"):
        return (old or 0) == (new or 0)
    if field.type in X2MANY_TYPES:
        return set(old or ()) == set(new or ())
    if (old is None or old is False) and (new is None or new is False):
        return True
    return bool(old == new)


def tracking_columns(field: Any, value: Any, labels: dict) -> dict[str, Any]:
    """``value`` (a cache value of ``field``) as the typed columns of one side of a tracking
    value: ``{"integer": ..}``, ``{"float": ..}``... ``labels`` maps a many2one id to its display
    name and a selection key to its label; an x2many's ids (Odoo 17: their display names,
    comma-separated) are looked up in ``labels`` too."""
    kind = field.type
    if value is None:
        value = False
    if kind in X2MANY_TYPES:
        return {"char": ", ".join(str(labels.get(i, "")) for i in value or ())}
    if kind == "many2one":
        return {"integer": value or 0, "char": labels.get(value, "") if value else ""}
    if kind == "selection":
        return {"char": labels.get(value, value) if value else ""}
    if kind in ("boolean", "integer"):
        return {"integer": int(value or 0)}
    if kind in ("float", "monetary"):
        return {"float": float(value or 0.0)}
    if kind == "date":
        if not value:
            return {"datetime": None}
        return {"datetime": datetime.datetime.combine(value, datetime.time())}
    if kind == "datetime":
        return {"datetime": value or None}
    if kind in ("text", "html"):
        return {"text": value or ""}
    return {"char": value or ""}


def insert_messages(
    env: Any,
    model_name: str,
    messages: list[tuple[int, int, str]],
    changes: list[Change],
    subtype_xmlid: str = "mail.mt_note",
    message_type: str = "notification",
) -> None:
    """Insert one ``mail.message`` per ``(res_id, author uid, body)`` of ``messages`` on records
    of ``model_name``, and the tracking values ``changes`` of those records, in one statement.
    ``res_id`` must be unique among ``messages``."""
    if not messages:
        return
    module, _dot, name = subtype_xmlid.partition(".")
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    res_ids = [m[0] for m in messages]
    uids = [m[1] for m in messages]
    bodies = [m[2] for m in messages]
    message_cte = SQL(
        "INSERT INTO mail_message (model, res_id, message_type, subtype_id, author_id, body, "
        "date, create_uid, create_date, write_uid, write_date) "
        "SELECT %s, v.res_id, %s, "
        "(SELECT res_id FROM ir_model_data WHERE module = %s AND name = %s "
        "AND model = 'mail.message.subtype'), "
        "(SELECT partner_id FROM res_users WHERE res_users.id = v.uid), v.body, "
        "%s, v.uid, %s, v.uid, %s "
        "FROM unnest(%s::int4[], %s::int4[], %s::text[]) AS v(res_id, uid, body) "
        "RETURNING id, res_id",
        model_name,
        message_type,
        module,
        name,
        now,
        now,
        now,
        res_ids,
        uids,
        bodies,
    )
    if not changes:
        env.cr.execute(message_cte, flush=False)
        return
    columns: dict[str, list] = {"res_id": [], "fname": [], "currency_id": []}
    for side in ("old", "new"):
        for kind in VALUE_KINDS:
            columns[f"{side}_{kind}"] = []
    for change in changes:
        columns["res_id"].append(change.res_id)
        columns["fname"].append(change.field_name)
        columns["currency_id"].append(change.currency_id)
        for side, values in (("old", change.old), ("new", change.new)):
            for kind in VALUE_KINDS:
                columns[f"{side}_{kind}"].append(values.get(kind))
    value_columns = [f"{side}_{kind}" for side in ("old", "new") for kind in VALUE_KINDS]
    arrays = SQL(", ").join(
        [
            SQL("%s::int4[]", columns["res_id"]),
            SQL("%s::varchar[]", columns["fname"]),
            SQL("%s::int4[]", columns["currency_id"]),
            *[SQL(_ARRAY_OF[name.split("_", 1)[1]], columns[name]) for name in value_columns],
        ]
    )
    targets = SQL(", ").join(
        [SQL.identifier(f"{side}_value_{kind}") for side in ("old", "new") for kind in VALUE_KINDS]
    )
    sources = SQL(", ").join([SQL.identifier("t", name) for name in value_columns])
    aliases = SQL(", ").join([SQL.identifier(name) for name in value_columns])
    env.cr.execute(
        SQL(
            "WITH msg AS (%s) "
            "INSERT INTO mail_tracking_value (mail_message_id, field_id, currency_id, %s) "
            "SELECT msg.id, f.id, t.currency_id, %s "
            "FROM unnest(%s) AS t(res_id, fname, currency_id, %s) "
            "JOIN msg ON msg.res_id = t.res_id "
            "JOIN ir_model_fields f ON f.model = %s AND f.name = t.fname",
            message_cte,
            targets,
            sources,
            arrays,
            aliases,
            model_name,
        ),
        flush=False,
    )
