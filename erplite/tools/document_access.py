"""Access through a document: records that belong to another record named by a model field and
``res_id`` (attachments, chatter messages, followers, activities) are readable by who may read
that record, and changed by who may change it, as Odoo 17 checks them.

A record of no document (an empty model or ``res_id``) is for its creator and the settings
group (``base.group_system``) only. Everything here runs the checks of the calling user's
environment; a superuser environment passes.

Worked example (an attachments model)::

    def _check_rules(self, mode):
        super()._check_rules(mode)
        document_access.check(self, mode, "res_model")

    def _search(self, domain, offset=0, limit=None, order=None):
        return document_access.search(self, super()._search, domain, offset, limit, order,
                                      "res_model")
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from erplite.exceptions import AccessError

#: the access an operation on a dependent record needs on its document
DOCUMENT_MODE = {"read": "read", "create": "write", "write": "write", "unlink": "write"}


def check_records(env: Any, model_name: str, ids: Iterable[int], mode: str) -> None:
    """Raise ``AccessError`` unless the user of ``env`` may ``mode`` (read/write) the records
    ``ids`` of ``model_name``; records that no longer exist are skipped; an unknown model is
    for the settings group only."""
    if env.su:
        return
    if model_name not in env:
        if not env.user.has_group("base.group_system"):
            raise AccessError(f"Sorry, you are not allowed to access {model_name} records.")
        return
    records = env[model_name].browse(sorted(set(ids))).exists()
    records.check_access(mode)


def _rows(records: Any, model_field: str) -> list[dict]:
    return records.sudo().read([model_field, "res_id", "create_uid"], load="")


def check(records: Any, mode: str, model_field: str) -> None:
    """Raise ``AccessError`` unless the user may ``mode`` (read/create/write/unlink) every
    record of ``records``, whose document is ``(record[model_field], record.res_id)``."""
    env = records.env
    if env.su or not records._ids:
        return
    documents: dict[str, set[int]] = defaultdict(set)
    orphans = []
    for row in _rows(records, model_field):
        if row[model_field] and row["res_id"]:
            documents[row[model_field]].add(row["res_id"])
        elif row["create_uid"] != env.uid:
            orphans.append(row["id"])
    if orphans and not env.user.has_group("base.group_system"):
        raise AccessError(
            f"Sorry, you are not allowed to access the {records._description} records "
            f"{orphans}: they belong to no record you can see."
        )
    for model_name, ids in documents.items():
        check_records(env, model_name, ids, DOCUMENT_MODE[mode])


def readable_ids(records: Any, model_field: str) -> set[int]:
    """The ids of ``records`` whose document the user may read."""
    env = records.env
    if not records._ids:
        return set()
    if env.su:
        return set(records._ids)
    is_system = env.user.has_group("base.group_system")
    by_document: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    allowed: set[int] = set()
    for row in _rows(records, model_field):
        if row[model_field] and row["res_id"]:
            by_document[row[model_field]][row["res_id"]].append(row["id"])
        elif is_system or row["create_uid"] == env.uid:
            allowed.add(row["id"])
    for model_name, attached in by_document.items():
        if model_name not in env:
            if is_system:
                allowed.update(i for group in attached.values() for i in group)
            continue
        model = env[model_name]
        if not model.check_access_rights("read", raise_exception=False):
            continue
        visible = model.browse(list(attached)).exists()._filter_access_rules("read")
        for record_id in visible._ids:
            allowed.update(attached[record_id])
    return allowed


def search(
    model: Any,
    plain_search: Callable[..., Any],
    domain: Any,
    offset: int,
    limit: int | None,
    order: str | None,
    model_field: str,
) -> Any:
    """``_search`` restricted to the records whose document the user may read:
    ``plain_search`` is the model's own ``_search`` (``super()._search``). The matches are
    filtered, then paged, as the documents' access cannot be told in SQL."""
    query = plain_search(domain, 0, None, order)
    if query.is_false:
        return query
    model.env.cr.execute(query.select(), flush=False)
    ids = [row[0] for row in model.env.cr.fetchall()]
    allowed = readable_ids(model.browse(ids), model_field)
    ids = [i for i in ids if i in allowed][offset:]
    if limit is not None:
        ids = ids[:limit]
    return plain_search([("id", "in", ids)], 0, None, order)
