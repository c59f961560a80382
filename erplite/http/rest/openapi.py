"""The OpenAPI 3.1 document of the REST operations routed in a database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import werkzeug.exceptions

from erplite.http.rest.errors import METHODS, STATUS_TITLES
from erplite.http.rest.operations import (
    IF_MATCH_TEXT,
    RETRY_AFTER_TEXT,
    Operation,
    operation_of,
)
from erplite.http.rest.schemas import ERROR_NAME, RecordSchema, _components, _ref

SECURITY_SCHEMES = {
    "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key (scope `rpc`) in `Authorization: bearer <key>`.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "session_id",
        "description": "The session of a user logged in through `/web/login`.",
    },
}


def operations_of(routing_map: Any) -> list[Operation]:
    """The REST operations routed in ``routing_map`` (a database's URL map), sorted by path."""
    found: dict[tuple[str, str], Operation] = {}
    for rule in routing_map.iter_rules():
        op = operation_of(rule.endpoint)
        if op is not None:
            found[(op.path, op.method)] = op
    order = {method: index for index, method in enumerate(METHODS)}
    return [found[key] for key in sorted(found, key=lambda k: (k[0], order[k[1]]))]


def build_document(
    operations: Iterable[Operation],
    registry: Any,
    *,
    title: str,
    version: str,
    description: str | None = None,
    server_url: str = "/",
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``operations`` (record schemas taken from ``registry``)."""
    paths: dict[str, dict[str, Any]] = {}
    used_ids: set[str] = set()
    for op in operations:
        item = _operation_object(op)
        op_id = item["operationId"]
        suffix = 2
        while item["operationId"] in used_ids:
            item["operationId"] = f"{op_id}_{suffix}"
            suffix += 1
        used_ids.add(item["operationId"])
        paths.setdefault(op.path, {})[op.method.lower()] = item
    info: dict[str, Any] = {"title": title, "version": version}
    if description:
        info["description"] = description
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": info,
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": _components_used(paths, registry),
            "securitySchemes": SECURITY_SCHEMES,
        },
    }
    return document


def _operation_object(op: Operation) -> dict[str, Any]:
    """The OpenAPI operation object of ``op``: its parameters, body, responses and security."""
    item: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary}
    if op.description:
        item["description"] = op.description
    if op.tags:
        item["tags"] = op.tags
    parameters = _parameters(op)
    if parameters:
        item["parameters"] = parameters
    if op.body is not None:
        item["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": dict(op.body)}},
        }
    item["responses"] = {**_success_responses(op), **_error_responses(op)}
    if op.auth == "bearer":
        item["security"] = [{"apiKey": []}, {"session": []}]
    elif op.auth == "user":
        item["security"] = [{"session": []}]
    else:
        item["security"] = []
    return item


def _parameters(op: Operation) -> list[dict[str, Any]]:
    """The path and query parameters of ``op``, and its ``If-Match`` header if it checks one."""
    parameters = []
    for location, params in (("path", op.path_params), ("query", op.query)):
        for name, schema in params.items():
            parameter: dict[str, Any] = {
                "name": name,
                "in": location,
                "required": location == "path",
                "schema": dict(schema),
            }
            if schema.get("description"):
                parameter["description"] = schema["description"]
            parameters.append(parameter)
    if op.checks_if_match:
        parameters.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "maxLength": 1000},
                "description": IF_MATCH_TEXT,
            }
        )
    return parameters


def _success_responses(op: Operation) -> dict[str, Any]:
    """The responses ``op`` declares, by status, with their schemas and headers."""
    responses: dict[str, Any] = {}
    for status, schema in sorted(op.responses.items()):
        response: dict[str, Any] = {"description": STATUS_TITLES.get(status, "Success")}
        if schema is not None:
            response["content"] = {"application/json": {"schema": dict(schema)}}
        headers = op.response_headers.get(status)
        if headers:
            response["headers"] = {
                name: {"description": text, "schema": {"type": "string"}}
                for name, text in headers.items()
            }
        responses[str(status)] = response
    return responses


def _error_responses(op: Operation) -> dict[str, Any]:
    """The error statuses ``op`` can answer, each with the error body and its headers."""
    responses: dict[str, Any] = {}
    for status, text in op.errors.items():
        response: dict[str, Any] = {
            "description": text,
            "content": {"application/json": {"schema": _ref(ERROR_NAME)}},
        }
        if status == 401:
            response["headers"] = {
                "WWW-Authenticate": {
                    "description": "`bearer`: authenticate with an API key",
                    "schema": {"type": "string"},
                }
            }
        elif status in (409, 429):  # a busy record, the login throttle
            response["headers"] = {
                "Retry-After": {"description": RETRY_AFTER_TEXT, "schema": {"type": "string"}}
            }
        responses[str(status)] = response
    return responses


def _refs_in(value: Any) -> Iterable[str]:
    if isinstance(value, Mapping):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            yield ref.rsplit("/", 1)[-1]
        for sub in value.values():
            yield from _refs_in(sub)
    elif isinstance(value, list):
        for sub in value:
            yield from _refs_in(sub)


def _components_used(paths: Mapping[str, Any], registry: Any) -> dict[str, Any]:
    """The components the paths refer to, and those they refer to, by name."""
    schemas: dict[str, Any] = {}
    pending = list(_refs_in(paths))
    while pending:
        name = pending.pop()
        if name in schemas:
            continue
        target = _components[name]
        schema = target.json_schema(registry) if isinstance(target, RecordSchema) else dict(target)
        schemas[name] = schema
        pending.extend(_refs_in(schema))
    return dict(sorted(schemas.items()))


def openapi_document(*, title: str, version: str, description: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the REST operations of the request's database.

    Built from the declarations of the routes installed there (cached with the database's
    registry); the server URL is the application's mount point.
    """
    from erplite.http import request

    if request.db is None:
        raise werkzeug.exceptions.NotFound("No database is selected.")
    server_url = request.httprequest.script_root or "/"
    key = ("rest.openapi", title, version, description, server_url)
    cache = request.database_cache
    document = cache.get(key)
    if document is None:
        document = build_document(
            operations_of(request.routing_map),
            request.registry,
            title=title,
            version=version,
            description=description,
            server_url=server_url,
        )
        cache[key] = document
    return document
