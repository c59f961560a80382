"""Odoo 17's ``load`` on every model: rows of cells imported as records, all or nothing.

Worked example::

    result = env["product.product"].load(
        ["id", "name", "categ_id", "list_price"],
        [["desk", "Desk", "All / Office", "100"],
         ["",     "Chair", "All",         "fifty"]],
    )
    # {'ids': False, 'nextrow': 0, 'messages': [{'type': 'error', 'record': 1,
    #   'rows': {'from': 1, 'to': 1}, 'field': 'list_price', 'field_name': 'Sales Price',
    #   'message': "'fifty' does not seem to be a number for field 'Sales Price'"}]}

``fields`` are paths as ``export_data`` writes them (``partner_id/id``, ``order_line/name``,
``x:id``). The steps (Odoo 17's ``load``, ``_extract_records``, ``_convert_records``):

1. *extract*: a row starts a record; the following rows that hold only one2many cells are
   that record's further lines. ``rows`` of a message are those rows (0-based, in ``data``).
2. *convert*: each cell becomes a field value (``erplite.orm.import_convert``); a bad cell is a
   message naming its record, rows and field.
3. *write*: each record in its own savepoint, as the user (access rights, record rules, field
   groups, constraints apply): a ``.id`` updates that record; an ``id`` (external id, in module
   ``__import__`` when it has no dot) updates the record it names or creates one and records
   the external id; otherwise a new record. A refusal (``ValidationError``, ``AccessError``,
   ``UserError``, a database constraint) is a message of that record, and the next record is
   tried, so that one run reports every bad record.
4. If any message is an error, everything the load did is rolled back and ``ids`` is
   ``False``. With ``import_dryrun`` in the context everything is rolled back anyway (the test
   run of the import page), and ``ids`` says what would have been written.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from typing import Any

import psycopg

from erplite.exceptions import UserError
from erplite.orm.import_convert import IMPORT_MODULE, ImportValueError, convert_record
from erplite.orm.model_access import AccessMixin
from erplite.orm.model_export import split_path
from erplite.orm.recordset import Recordset

_logger = logging.getLogger(__name__)

RELATIONAL = ("many2one", "one2many", "many2many")


class _RollBack(Exception):
    """Raised inside the load's savepoint to undo it (errors, or a dry run)."""


class ImportMixin(AccessMixin):
    """``load`` and its steps (a mixin of ``BaseModel``)."""

    __slots__ = ()

    def load(self, fields: list[str], data: list[list[Any]]) -> dict[str, Any]:
        """Import ``data`` (rows of cells) into the columns ``fields``: ``{'ids': [...] or
        False, 'messages': [...], 'nextrow': 0}``; nothing is written if a message is an error."""
        paths = [split_path(name) for name in fields]
        messages: list[dict[str, Any]] = []
        ids: list[int] = []
        self.env.flush_all()
        try:
            with self.env.cr.savepoint():
                self._check_import_paths(paths)
                for values, info in self._import_records(paths, data, messages):
                    record_id = self._import_one(values, info, messages)
                    if record_id:
                        ids.append(record_id)
                if any(message["type"] == "error" for message in messages):
                    raise _RollBack()
                if self.env.context.get("import_dryrun"):
                    raise _RollBack()
        except _RollBack:
            self._forget_rolled_back()
        except (UserError, ValueError) as error:
            # a column the user may not write, or that does not exist: the whole file is refused
            self._forget_rolled_back()
            messages.append({"type": "error", "message": str(error), "record": None, "field": None})
        failed = any(message["type"] == "error" for message in messages)
        return {"ids": False if failed else ids, "messages": messages, "nextrow": 0}

    def _forget_rolled_back(self) -> None:
        """Drop what the transaction remembers of rows that the rollback removed."""
        # the savepoint's rollback already emptied the record cache; external ids are kept apart
        self.env.transaction.xmlid_cache.clear()

    def _check_import_paths(self, paths: list[list[str]]) -> None:
        """Refuse unknown columns and fields of ``groups=`` the user lacks (``AccessError``)."""
        for path in paths:
            model = self
            for position, name in enumerate(path):
                if name in ("id", ".id"):
                    if position != len(path) - 1:
                        raise ValueError(f"Invalid column {'/'.join(path)!r}: {name} must end it")
                    break
                field = model._fields.get(name)
                if field is None:
                    raise ValueError(
                        f"Unknown column {'/'.join(path)!r}: {model._name} has no field {name!r}"
                    )
                model._check_field_access([name], "write")
                if field.type == "one2many":
                    model = self.env[field.comodel_name]
                elif field.type in RELATIONAL:
                    # the rest of the path says how the related record is named
                    if path[position + 1 :] not in ([], ["id"], [".id"]):
                        raise ValueError(
                            f"Invalid column {'/'.join(path)!r}: a {field.type} is named by its "
                            "name, its external id (/id) or its database id (/.id)"
                        )
                    break

    def _import_records(
        self, paths: list[list[str]], data: list[list[Any]], messages: list[dict[str, Any]]
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """``(values, info)`` of each record of ``data``, converted; bad cells logged."""
        labels = {name: field.string for name, field in self._fields.items()}
        for index, (record, info) in enumerate(self._extract_records(paths, data)):
            info = dict(info, record=index)

            def log(field_name: str, error: ImportValueError, info: dict[str, Any] = info) -> None:
                message = dict(info, type="error", field=field_name, message=error.message)
                message["field_name"] = labels.get(field_name, field_name)
                if error.moreinfo:
                    message["moreinfo"] = error.moreinfo
                messages.append(message)

            values = convert_record(self, record, log)
            if not _is_blank(record.get(".id")):
                text = str(record[".id"]).strip()
                if not text.isdigit() or not self.search([("id", "=", int(text))], limit=1):
                    messages.append(
                        dict(
                            info,
                            type="error",
                            field=".id",
                            message=f"Unknown database identifier '{text}'",
                        )
                    )
                    continue
                values["id"] = int(text)
            if not _is_blank(record.get("id")):
                xmlid = str(record["id"]).strip()
                values["__xmlid"] = xmlid if "." in xmlid else f"{IMPORT_MODULE}.{xmlid}"
            yield values, info

    def _extract_records(
        self, paths: list[list[str]], data: list[list[Any]]
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """Group ``data`` into records: ``(record, {'rows': {'from', 'to'}})``, where a
        record maps plain fields to cells and relations to lists of sub-records."""
        fields = self._fields

        def kind(name: str) -> str:
            field = fields.get(name)
            return field.type if field is not None else "reference"

        o2m_columns = [i for i, path in enumerate(paths) if kind(path[0]) == "one2many"]
        other_columns = [i for i, path in enumerate(paths) if kind(path[0]) != "one2many"]

        def only_one2many_cells(row: list[Any]) -> bool:
            return any(not _is_blank(_cell(row, i)) for i in o2m_columns) and all(
                _is_blank(_cell(row, i)) for i in other_columns
            )

        relations = list(dict.fromkeys(path[0] for path in paths if kind(path[0]) in RELATIONAL))
        index = 0
        while index < len(data):
            row = data[index]
            span = [row, *itertools.takewhile(only_one2many_cells, data[index + 1 :])]
            record = {
                path[0]: _cell(row, i)
                for i, path in enumerate(paths)
                if kind(path[0]) not in RELATIONAL
            }
            for name in relations:
                # a relation named alone: its sub-path is [None]
                columns: list[tuple[int, list[Any]]] = [
                    (i, path[1:] or [None]) for i, path in enumerate(paths) if path[0] == name
                ]
                sub_paths = [sub_path for _i, sub_path in columns]
                sub_data = [[_cell(line, i) for i, _sub in columns] for line in span]
                sub_data = [
                    cells for cells in sub_data if any(not _is_blank(cell) for cell in cells)
                ]
                comodel = self.env[fields[name].comodel_name]
                if fields[name].type == "one2many":
                    record[name] = [
                        sub for sub, _info in comodel._extract_records(sub_paths, sub_data)
                    ]
                else:
                    record[name] = [
                        {sub_path[0]: cells[j] for j, sub_path in enumerate(sub_paths)}
                        for cells in sub_data[:1]
                    ]
            yield record, {"rows": {"from": index, "to": index + len(span) - 1}}
            index += len(span)

    def _import_one(
        self, values: dict[str, Any], info: dict[str, Any], messages: list[dict[str, Any]]
    ) -> int | None:
        """Create or update one record in a savepoint; a refusal becomes a message."""
        try:
            with self.env.cr.savepoint():
                record_id: int = self._load_record(values).id
                return record_id
        except (UserError, ValueError, psycopg.Error) as error:
            self.env.transaction.xmlid_cache.clear()
            text = error.args[0] if isinstance(error, UserError) and error.args else str(error)
            if isinstance(error, psycopg.Error):
                text = f"The database refused the record: {error.diag.message_primary or error}"
            messages.append(dict(info, type="error", message=str(text), field=None))
            return None

    def _load_record(self, values: dict[str, Any]) -> Recordset:
        """Write ``values`` to the record they name (``id``, ``__xmlid``) or create one."""
        values = dict(values)
        record_id = values.pop("id", None)
        xmlid = values.pop("__xmlid", None)
        if record_id:
            record = self.browse(record_id)
            record.write(values)
            return record
        data = self.env["ir.model.data"].sudo()
        if xmlid:
            model_name, existing_id = data._xmlid_to_res_model_res_id(xmlid)
            if model_name and model_name != self._name:
                # never re-point another model's external id (e.g. base.user_admin) at a new record
                raise UserError(
                    f"The external id {xmlid} already names a record of model {model_name}, "
                    f"not {self._name}."
                )
            if existing_id and self.browse(existing_id).exists():
                record = self.browse(existing_id)
                record.write(values)
                return record
        record = self.create(values)
        if xmlid:
            data._update_xmlids([{"xml_id": xmlid, "record": record, "noupdate": False}])
        return record


def _cell(row: list[Any], index: int) -> Any:
    return row[index] if index < len(row) else ""


def _is_blank(cell: Any) -> bool:
    return cell is None or cell is False or (isinstance(cell, str) and not cell.strip())
