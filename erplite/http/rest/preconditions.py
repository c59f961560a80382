"""Optimistic concurrency for REST routes: an ``ETag`` on each record sent, ``If-Match`` checked
before a change (``412 Precondition Failed`` when the record changed since the client read it).

Worked example (a controller)::

    @rest.operation("GET", "/api/books/{book_id}", ..., conditional=True)
    def read_book(self, book_id):
        return rest.record_reply(BOOK, rest.get_record("library.book", book_id))

    @rest.operation("PATCH", "/api/books/{book_id}", ..., conditional=True)
    def update_book(self, book_id, body):
        book = rest.get_record("library.book", book_id)
        rest.check_if_match(BOOK, book)          # 412 unless If-Match names its current ETag
        book.write(body)
        return rest.record_reply(BOOK, book)     # the body and its new ETag

A client that reads, changes and writes back (a read-modify-write) sends the ``ETag`` it read
as ``If-Match``; when another client changed the record meanwhile, its write is refused instead
of silently undoing the other one. ``If-Match: *`` matches any existing record; no ``If-Match``
changes unconditionally, as before.

The tag is strong, made from the record's ``write_date``, the ``write_date`` of the nested
records the schema shows (an order's lines) and the JSON form sent: ``write_date`` has a
precision of one second, so the JSON form tells apart two changes made in the same second.
The check happens in the request's transaction (REPEATABLE READ): a change committed by
another request after this one's snapshot makes its own write fail with a serialization
failure, and its retry, with a new snapshot, answers 412.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import werkzeug.http

from erplite.http.rest.errors import RestError
from erplite.http.rest.operations import Reply
from erplite.http.rest.schemas import RecordSchema

PRECONDITION_FAILED = 412


def etag_of(schema: RecordSchema, record: Any, body: Any = None) -> str:
    """The quoted strong ``ETag`` of ``record`` as ``schema`` shows it (``body``: its JSON
    form, when the caller has it already)."""
    record.ensure_one()
    if body is None:
        body = schema.dump_one(record)
    stamps = [str(record.write_date or record.create_date or "")]
    for fname in schema.nested:
        if fname in schema.fields:
            stamps.extend(f"{sub.id}:{sub.write_date}" for sub in record[fname])
    text = json.dumps(
        [record._name, record.id, stamps, body], sort_keys=True, default=str, ensure_ascii=True
    )
    return werkzeug.http.quote_etag(hashlib.sha256(text.encode()).hexdigest()[:32])


def record_reply(
    schema: RecordSchema,
    record: Any,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Reply:
    """The JSON form of ``record`` with its ``ETag`` header."""
    body = schema.dump_one(record)
    return Reply(body, status, {**(headers or {}), "ETag": etag_of(schema, record, body)})


def check_if_match(schema: RecordSchema, record: Any) -> None:
    """Refuse the change (412) when the request's ``If-Match`` does not name the current
    ``ETag`` of ``record``; nothing to check without ``If-Match``.

    :raises RestError: 412, naming the current tag (``value``).
    """
    from erplite.http import request

    header = request.httprequest.headers.get("If-Match")
    if header is None:
        return
    wanted = werkzeug.http.parse_etags(header)
    if wanted.star_tag:
        return
    current = etag_of(schema, record)
    if not wanted.contains(werkzeug.http.unquote_etag(current)[0]):
        raise RestError(
            PRECONDITION_FAILED,
            f"{record._description} {record.id} changed since the version your If-Match names "
            f"({header.strip()[:100]}); read it again (its ETag is now {current}) and retry.",
            field="If-Match",
            value=current,
        )


__all__ = ["PRECONDITION_FAILED", "check_if_match", "etag_of", "record_reply"]
