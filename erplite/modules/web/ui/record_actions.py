"""Record actions: what the form's action menu and a list's selection do to records.

Worked example::

    ops = RecordOperations(env["sale.order"], fields)     # fields: get_views' description
    ops.available(view_type="list")  # ['duplicate', 'archive', 'unarchive', 'delete', 'write']
    ops.server_actions("list")       # [{'id': 31, 'name': 'Mark as sent'}] (binding_model_id)
    ops.editable_fields(columns)     # [('user_id', 'Salesperson'), ...]: what mass edit offers
    name, value = ops.parse_edit(posted_field, posted_value, allowed, tz=...)
    # FieldInputError: Quantity: 'lots' is not a number  (shown beside the field, never a 500)
    done = ops.run("write", records, values={"user_id": 7})   # "3 records updated."

Every operation runs on the records as the user (``records`` comes from the user's
environment): ACLs, record rules and ``_protected_fields`` refuse what the user may not do,
with their own message. ``archive``/``unarchive`` call ``action_archive``/``action_unarchive``,
``delete`` ``unlink``, ``duplicate`` ``copy`` (each record), ``write`` (mass edit) one ``write`` of one field
on every record, ``server`` a server action bound to the model through ``binding_model_id``
(``run()`` with ``active_model``/``active_ids``), refused when it is not bound to the model or
not available to the user's groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from erplite.exceptions import AccessError, UserError

from .widgets import FieldInputError, parse_value

#: field types mass edit can set (one value for every record)
EDITABLE_TYPES = frozenset(
    {
        "char",
        "text",
        "integer",
        "float",
        "monetary",
        "date",
        "datetime",
        "boolean",
        "selection",
        "many2one",
    }
)

#: what each operation is called on buttons and in its confirmation
LABELS = {
    "duplicate": "Duplicate",
    "archive": "Archive",
    "unarchive": "Unarchive",
    "delete": "Delete",
    "write": "Edit a field",
    "server": "Run",
}


#: the access right each operation needs (a server action checks its own)
_RIGHTS = {
    "archive": "write",
    "unarchive": "write",
    "write": "write",
    "delete": "unlink",
    "duplicate": "create",
}


def count_text(count: int) -> str:
    return f"{count} record" if count == 1 else f"{count} records"


class RecordOperations:
    """The operations offered on the records of one model, as the user may run them."""

    def __init__(self, model: Any, fields: Mapping[str, Mapping[str, Any]]):
        self.model = model
        self.fields = fields

    # -- what is offered ------------------------------------------------------------------------
    def available(self, view_type: str) -> list[str]:
        """The operations offered on ``view_type``'s records (the rights decide at run time)."""
        model = self.model
        result = []
        if model.check_access_rights("create", False):
            result.append("duplicate")
        if "active" in model._fields and model.check_access_rights("write", False):
            result += ["archive", "unarchive"]
        if model.check_access_rights("unlink", False):
            result.append("delete")
        if view_type == "list" and model.check_access_rights("write", False):
            result.append("write")
        return result

    def server_actions(self, view_type: str) -> list[dict[str, Any]]:
        """``{'id', 'name'}`` of the server actions bound to the model for ``view_type``."""
        env = self.model.env
        if "ir.actions.actions" not in env:
            return []
        bindings = env["ir.actions.actions"].get_bindings(self.model._name)
        result = []
        for action in bindings.get("action", ()):
            if action.get("type") != "ir.actions.server":
                continue
            types = [t.strip() for t in (action.get("binding_view_types") or "").split(",")]
            types = ["list" if t == "tree" else t for t in types if t]
            if types and view_type not in types:
                continue
            result.append({"id": action["id"], "name": action["name"]})
        return result

    def editable_fields(self, names: Iterable[str]) -> list[tuple[str, str]]:
        """``(name, label)`` of the fields among ``names`` mass edit offers: stored, of a
        type with one value for every record, not read-only."""
        result = []
        for name in dict.fromkeys(names):
            description = self.fields.get(name)
            if description is None or not self._settable(name):
                continue
            if description.get("readonly"):
                continue
            result.append((name, str(description.get("string") or name)))
        return result

    def _settable(self, name: str) -> bool:
        description = self.fields.get(name) or {}
        field = self.model._fields.get(name)
        return (
            field is not None
            and description.get("type") in EDITABLE_TYPES
            and bool(description.get("store", True))
            and name not in ("id", "create_uid", "create_date", "write_uid", "write_date")
        )

    # -- posted values --------------------------------------------------------------------------
    def parse_edit(
        self, name: str, raw: Any, allowed: Iterable[str], *, tz: str | None
    ) -> tuple[str, Any]:
        """``(field, value)`` of a posted mass edit; ``allowed``: the fields of the page.

        A field the page does not show is refused (``FieldInputError``), a read-only one is
        left to the ORM (which refuses a protected field with its own message); a text that is
        not a value of the field raises ``FieldInputError`` naming the field and the text."""
        if not name or name not in set(allowed) or not self._settable(name):
            raise FieldInputError(f"{name or 'The field'}: this field cannot be edited here.")
        description = {**self.fields[name], "name": name}
        value = parse_value(description, raw, tz=tz)
        if (
            self.fields[name].get("required")
            and value in (False, "")
            and description.get("type") not in ("boolean", "integer", "float", "monetary")
        ):
            raise FieldInputError(f"{description.get('string') or name}: this field is required")
        return name, value

    # -- running --------------------------------------------------------------------------------
    def run(
        self,
        operation: str,
        records: Any,
        *,
        values: Mapping[str, Any] | None = None,
        server_action_id: int | None = None,
        view_type: str = "list",
    ) -> tuple[str, Any]:
        """Run ``operation`` on ``records`` (the user's); ``(message, result)`` where result is
        the copies for ``duplicate`` and what the server action returned for ``server`` (an
        action to follow, or ``False``). Raises the ORM's ``UserError``/``AccessError``."""
        mode = _RIGHTS.get(operation)
        if mode:  # a refused right is said as such, before anything is looked at
            records.check_access_rights(mode)
        if not records:
            raise UserError("Select at least one record.")
        done = count_text(len(records))
        if operation == "archive":
            records.action_archive()
            return f"{done} archived.", None
        if operation == "unarchive":
            records.action_unarchive()
            return f"{done} unarchived.", None
        if operation == "delete":
            records.unlink()
            return f"{done} deleted.", None
        if operation == "duplicate":
            copies = records.browse()
            for record in records:
                copies |= record.copy()
            return f"{done} duplicated.", copies
        if operation == "write":
            records.write(dict(values or {}))
            return f"{done} updated.", None
        if operation == "server":
            bound = {a["id"]: a for a in self.server_actions(view_type)}
            if server_action_id not in bound:
                raise AccessError("This action is not available on these records.")
            action = records.env["ir.actions.server"].browse(server_action_id)
            outcome = action.with_context(
                active_model=records._name, active_ids=records.ids, active_id=records.ids[0]
            ).run()
            return f"{bound[server_action_id]['name']}: done on {done}.", outcome
        raise UserError(f"Unknown operation {operation!r}.")


def record_operations(model: Any, fields: Mapping[str, Any], view_type: str) -> dict[str, Any]:
    """What a page offers on its records: ``operations``, ``server_actions`` and ``labels``."""
    ops = RecordOperations(model, fields)
    return {
        "operations": ops.available(view_type),
        "server_actions": ops.server_actions(view_type),
        "labels": LABELS,
    }


__all__ = ["EDITABLE_TYPES", "LABELS", "RecordOperations", "count_text", "record_operations"]
