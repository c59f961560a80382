"""The JSON Schemas of the REST layer: named components (``$ref``), the supported keywords,
and :class:`RecordSchema`, the JSON form of a model's records derived from its fields."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

#: every component declared, by name: a JSON Schema dict or a RecordSchema
_components: dict[str, Any] = {}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def component(name: str, schema: Mapping[str, Any]) -> dict[str, str]:
    """Declare the JSON Schema ``schema`` as component ``name``; return its ``$ref``.

    :raises ValueError: another schema already has that name (component names are global).
    """
    _check_schema(schema, name)
    existing = _components.get(name)
    if existing is not None and existing != schema:
        raise ValueError(f"another REST schema is already named {name!r}")
    _components[name] = dict(schema)
    return _ref(name)


def page_component(name: str, item: Mapping[str, Any]) -> dict[str, str]:
    """Declare component ``name``, a page of ``item`` (a schema or its ``$ref``) as the list
    routes answer it: ``count`` (how many match in all), ``limit``, ``offset`` and ``items``;
    return its ``$ref``."""
    return component(
        name,
        {
            "type": "object",
            "description": "A page of results: `count` matches in all, `items` from `offset`.",
            "properties": {
                "count": {"type": "integer", "description": "How many records match in all"},
                "limit": {"type": "integer"},
                "offset": {"type": "integer"},
                "items": {"type": "array", "items": dict(item)},
            },
            "required": ["count", "limit", "offset", "items"],
            "additionalProperties": False,
        },
    )


_KNOWN_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "format",
        "$ref",
        "anyOf",
        "description",
        "title",
        "default",
        "examples",
        "readOnly",
    }
)


def _check_schema(schema: Mapping[str, Any], where: str) -> None:
    """Refuse keywords :func:`validate` does not enforce (a typo would be silently ignored)."""
    if not isinstance(schema, Mapping):
        raise TypeError(f"{where}: a schema is a dict, not {schema!r}")
    unknown = set(schema) - _KNOWN_KEYWORDS
    if unknown:
        raise ValueError(f"{where}: unsupported JSON Schema keywords {sorted(unknown)}")
    for name, sub in (schema.get("properties") or {}).items():
        _check_schema(sub, f"{where}.{name}")
    if isinstance(schema.get("items"), Mapping):
        _check_schema(schema["items"], f"{where}[]")
    for index, sub in enumerate(schema.get("anyOf") or ()):
        _check_schema(sub, f"{where}.anyOf[{index}]")


REF_NAME = "Ref"
component(
    REF_NAME,
    {
        "type": "object",
        "description": "A related record (many2one): its id and display name.",
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        "required": ["id", "name"],
        "additionalProperties": False,
    },
)
ERROR_NAME = "Error"
component(
    ERROR_NAME,
    {
        "type": "object",
        "description": "An error: Odoo's serialized exception (`name` is the exception class, "
        "`message` the text to show), with `field` and `value` naming the input refused.",
        "properties": {
            "name": {"type": "string"},
            "message": {"type": "string"},
            "arguments": {"type": "array"},
            "context": {"type": "object"},
            "debug": {"type": "string"},
            "field": {"type": "string"},
            "value": {},
        },
        "required": ["name", "message"],
    },
)


class RecordSchema:
    """The JSON form of a model's records, derived from the model's fields.

    :param name: the component name in the OpenAPI document (``"Order"``).
    :param model: the model (``"sale.order"``).
    :param fields: the fields shown, ``"id"`` included if wanted.
    :param nested: x2many fields shown as lists of records of another :class:`RecordSchema`
        instead of lists of ids.
    :param description: the component's description.

    Values: many2one ``{"id", "name"}`` or ``null``; x2many a list of ids (or of nested
    records); ``date`` ``"YYYY-MM-DD"``; ``datetime`` ``"YYYY-MM-DDTHH:MM:SSZ"`` (UTC);
    integers and floats numbers, never ``null``; booleans ``true``/``false``; text, selection,
    dates and many2one ``null`` when empty, unless the field is required.
    """

    SIMPLE_TYPES: Mapping[str, dict[str, Any]] = {
        "char": {"type": "string"},
        "text": {"type": "string"},
        "html": {"type": "string"},
        "selection": {"type": "string"},
        "integer": {"type": "integer"},
        "float": {"type": "number"},
        "monetary": {"type": "number"},
        "boolean": {"type": "boolean"},
        "date": {"type": "string", "format": "date"},
        "datetime": {"type": "string", "format": "date-time"},
    }
    NULLABLE_TYPES = frozenset(
        {"char", "text", "html", "selection", "date", "datetime", "many2one"}
    )

    def __init__(
        self,
        name: str,
        model: str,
        fields: Iterable[str],
        *,
        nested: Mapping[str, RecordSchema] | None = None,
        description: str | None = None,
    ):
        self.name = name
        self.model = model
        self.fields = list(fields)
        self.nested = dict(nested or {})
        self.description = description
        existing = _components.get(name)
        if existing is not None and not (
            isinstance(existing, RecordSchema) and existing.model == model
        ):
            raise ValueError(f"another REST schema is already named {name!r}")
        _components[name] = self

    @property
    def ref(self) -> dict[str, str]:
        """``{"$ref": "#/components/schemas/<name>"}``."""
        return _ref(self.name)

    # -- the JSON Schema ----------------------------------------------------------------------
    def json_schema(self, registry: Any) -> dict[str, Any]:
        """The JSON Schema of one record, from the fields of the model in ``registry``."""
        model_fields = registry[self.model]._fields
        properties = {}
        for fname in self.fields:
            field = model_fields.get(fname)
            if field is None:
                raise ValueError(f"RecordSchema {self.name}: {self.model} has no field {fname!r}")
            properties[fname] = self._field_schema(field)
        schema: dict[str, Any] = {
            "type": "object",
            "properties": properties,
            "required": list(self.fields),
            "additionalProperties": False,
        }
        description = self.description or registry[self.model]._description
        if description:
            schema["description"] = f"{description} (`{self.model}`)"
        return schema

    def _field_schema(self, field: Any) -> dict[str, Any]:
        ftype = field.type
        if field.name == "id":
            schema: dict[str, Any] = {"type": "integer"}
        elif ftype == "many2one":
            schema = _ref(REF_NAME)
        elif ftype in ("one2many", "many2many"):
            sub = self.nested.get(field.name)
            schema = {"type": "array", "items": sub.ref if sub else {"type": "integer"}}
        elif ftype in self.SIMPLE_TYPES:
            schema = dict(self.SIMPLE_TYPES[ftype])
            if ftype == "selection" and isinstance(field.selection, (list, tuple)):
                schema["enum"] = [value for value, _label in field.selection]
        else:
            raise TypeError(
                f"RecordSchema {self.name}: field {field.model_name}.{field.name} of type "
                f"{ftype!r} has no JSON form"
            )
        if ftype in self.NULLABLE_TYPES and not field.required and field.name != "id":
            if "$ref" in schema:
                schema = {"anyOf": [schema, {"type": "null"}]}
            else:
                schema["type"] = [schema["type"], "null"]
                if "enum" in schema:
                    schema["enum"] = [*schema["enum"], None]
        description = field.string or ""
        if getattr(field, "help", None):
            description = f"{description}: {field.help}" if description else field.help
        if description:
            schema = {**schema, "description": description}
        return schema

    # -- the values ---------------------------------------------------------------------------
    def dump(self, records: Any) -> list[dict[str, Any]]:
        """The JSON form of ``records`` (read with the caller's rights), in their order."""
        if not records:
            return []
        names = [fname for fname in self.fields if fname != "id"]
        rows = records.read(names)
        model_fields = records._fields
        for fname, sub in self.nested.items():
            if fname not in self.fields:
                continue
            ids = list(dict.fromkeys(i for row in rows for i in row[fname]))
            subs = {item["id"]: item for item in sub.dump(records.env[sub.model].browse(ids))}
            for row in rows:
                row[fname] = [subs[i] for i in row[fname] if i in subs]
        result = []
        for row in rows:
            item = {}
            for fname in self.fields:
                if fname == "id":
                    item["id"] = row["id"]
                elif fname in self.nested:
                    item[fname] = row[fname]
                else:
                    item[fname] = self._value(model_fields[fname], row[fname])
            result.append(item)
        return result

    def dump_one(self, record: Any) -> dict[str, Any]:
        """The JSON form of one record."""
        record.ensure_one()
        return self.dump(record)[0]

    @staticmethod
    def _value(field: Any, value: Any) -> Any:
        ftype = field.type
        if ftype == "many2one":
            if not value:
                return None
            rid, name = value if isinstance(value, (tuple, list)) else (value, "")
            return {"id": rid, "name": str(name) if name else ""}
        if ftype in ("one2many", "many2many"):
            return list(value or ())
        if ftype == "boolean":
            return bool(value)
        if ftype == "integer":
            return int(value or 0)
        if ftype in ("float", "monetary"):
            return float(value or 0.0)
        if value is False or value is None:
            return None
        if ftype == "datetime":
            if isinstance(value, str):
                value = datetime.datetime.fromisoformat(value)
            if value.tzinfo is not None:
                value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
            return value.isoformat() + "Z"
        if ftype == "date":
            return value.isoformat() if isinstance(value, datetime.date) else str(value)
        return str(value)


def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    name = ref.rsplit("/", 1)[-1]
    target = _components.get(name)
    if not isinstance(target, Mapping):
        raise TypeError(f"$ref {ref!r} is not a component usable for input")
    return target
