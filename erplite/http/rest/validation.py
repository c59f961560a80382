"""The input checks: :func:`validate` a decoded JSON value against its schema and convert it,
:func:`from_text` a path or query parameter; a failure is an :class:`InvalidInput` (400)."""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from erplite.http.rest.errors import InvalidInput
from erplite.http.rest.schemas import _resolve

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)([Zz]|[+-]\d{2}:\d{2})?$"
)
_INT_RE = re.compile(r"^-?[0-9]{1,20}$")
_NUMBER_RE = re.compile(r"^-?[0-9]{1,30}(\.[0-9]{1,30})?([eE][+-]?[0-9]{1,3})?$")
_JSON_TYPES = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and math.isfinite(v) and v.is_integer())
    ),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def _describe(path: str) -> str:
    return path or "the body"


def _parse_datetime(value: str) -> datetime.datetime:
    match = _DATETIME_RE.match(value)
    if not match:
        raise ValueError("not an RFC 3339 date-time")
    day, time, offset = match.groups()
    parsed = datetime.datetime.fromisoformat(f"{day}T{time}")
    if offset and offset not in ("Z", "z"):
        sign = 1 if offset[0] == "+" else -1
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        if hours > 23 or minutes > 59:
            raise ValueError("invalid time zone offset")
        parsed -= sign * datetime.timedelta(hours=hours, minutes=minutes)
    return parsed


def validate(schema: Mapping[str, Any], value: Any, path: str = "") -> Any:
    """Check ``value`` (decoded JSON) against ``schema``; return it converted.

    ``date`` strings become ``datetime.date``, ``date-time`` strings naive UTC
    ``datetime.datetime``, integral floats of an ``integer`` ints. Strings may not hold NUL
    characters nor lone surrogates (PostgreSQL cannot store them), numbers must be finite.

    :raises InvalidInput: naming ``path`` (``"order_line[0].discount"``) and the value.
    """
    schema = _resolve(schema)
    if "anyOf" in schema:
        errors = []
        for sub in schema["anyOf"]:
            try:
                return validate(sub, value, path)
            except InvalidInput as exc:
                errors.append(exc.message)
        raise InvalidInput(path, f"{_describe(path)}: {'; or '.join(errors)}", value)
    types = schema.get("type")
    if types is not None:
        types = [types] if isinstance(types, str) else list(types)
        if not any(_JSON_TYPES[t](value) for t in types):
            raise InvalidInput(
                path, f"{_describe(path)} must be of type {' or '.join(types)}", value
            )
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(json.dumps(v) for v in schema["enum"])
        raise InvalidInput(path, f"{_describe(path)} must be one of {allowed}", value)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return _validate_number(schema, value, path, types)
    if isinstance(value, str):
        return _validate_string(schema, value, path)
    if isinstance(value, list):
        return _validate_array(schema, value, path)
    if isinstance(value, dict):
        return _validate_object(schema, value, path)
    return value


def _validate_array(schema: Mapping[str, Any], value: list, path: str) -> list:
    if "minItems" in schema and len(value) < schema["minItems"]:
        raise InvalidInput(
            path, f"{_describe(path)} needs at least {schema['minItems']} items", value
        )
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        raise InvalidInput(
            path, f"{_describe(path)} has more than {schema['maxItems']} items", len(value)
        )
    items = schema.get("items")
    if items is None:
        return list(value)
    return [validate(items, item, f"{path}[{index}]") for index, item in enumerate(value)]


def _validate_number(schema: Mapping[str, Any], value: Any, path: str, types: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(path, f"{_describe(path)} must be a finite number", str(value))
    if types and "integer" in types and "number" not in types and isinstance(value, float):
        value = int(value)
    if "minimum" in schema and value < schema["minimum"]:
        raise InvalidInput(path, f"{_describe(path)} must be at least {schema['minimum']}", value)
    if "maximum" in schema and value > schema["maximum"]:
        raise InvalidInput(path, f"{_describe(path)} must be at most {schema['maximum']}", value)
    return value


def _validate_string(schema: Mapping[str, Any], value: str, path: str) -> Any:
    if "\x00" in value:
        raise InvalidInput(
            path, f"{_describe(path)} may not contain NUL characters", value.replace("\x00", "\\0")
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(path, f"{_describe(path)} is not valid Unicode text") from None
    if "minLength" in schema and len(value) < schema["minLength"]:
        raise InvalidInput(
            path, f"{_describe(path)} needs at least {schema['minLength']} characters", value
        )
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise InvalidInput(
            path, f"{_describe(path)} has more than {schema['maxLength']} characters", value[:50]
        )
    fmt = schema.get("format")
    if fmt == "date":
        try:
            if not _DATE_RE.match(value):
                raise ValueError(value)
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(
                path, f"{_describe(path)} must be a date (YYYY-MM-DD)", value
            ) from None
    if fmt == "date-time":
        try:
            return _parse_datetime(value)
        except (ValueError, OverflowError):
            raise InvalidInput(
                path,
                f"{_describe(path)} must be a date-time (RFC 3339: YYYY-MM-DDTHH:MM:SSZ)",
                value,
            ) from None
    return value


def _validate_object(schema: Mapping[str, Any], value: dict, path: str) -> dict:
    properties = schema.get("properties") or {}
    prefix = f"{path}." if path else ""
    for name in schema.get("required") or ():
        if name not in value:
            raise InvalidInput(prefix + name, f"{prefix + name} is required")
    if schema.get("additionalProperties", True) is False:
        for name in value:
            if name not in properties:
                allowed = ", ".join(properties) or "none"
                raise InvalidInput(
                    prefix + str(name),
                    f"{prefix + str(name)} is not a known field (known: {allowed})",
                )
    result = {}
    for name, item in value.items():
        if name in properties:
            result[name] = validate(properties[name], item, prefix + name)
        else:
            result[name] = item
    return result


def from_text(schema: Mapping[str, Any], text: str, name: str) -> Any:
    """Convert the text of a path or query parameter by its schema, then :func:`validate` it."""
    schema = _resolve(schema)
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or ["string"])
    value: Any = text
    if "integer" in types and _INT_RE.match(text):
        value = int(text)
    elif "number" in types and _NUMBER_RE.match(text):
        value = float(text)
    elif "boolean" in types and text in ("true", "false"):
        value = text == "true"
    elif "null" in types and text == "":
        value = None
    elif "string" not in types:
        kind = " or ".join(t for t in types if t != "null")
        raise InvalidInput(
            name, f"{name} must be {'an' if kind[0] in 'aeiou' else 'a'} {kind}", text
        )
    return validate(schema, value, name)
