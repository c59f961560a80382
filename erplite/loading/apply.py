"""Applying parsed data files to a database through the ORM.

``DataLoader(env, module, mode).load(relpath)`` parses one file (``data_files``) and applies
its operations: records are created or updated by external id (``ir.model.data``), records
marked ``noupdate`` are left alone when a module is updated, ``eval`` expressions go through
the restricted evaluator (``erplite.tools.safe_eval``) with ``ref()``, ``Command`` and the
date helpers. Any failure becomes a ``DataFileError`` naming the file, the line and the cause.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from erplite.loading.data_files import (
    CsvOp,
    DataFileError,
    DeleteOp,
    FieldValue,
    FunctionOp,
    MenuOp,
    RecordOp,
    parse_data_file,
    qualify_xml_id,
)
from erplite.orm.commands import Command
from erplite.sql import SQL
from erplite.tools.safe_eval import SafeEvalError, date_context, safe_eval, safe_eval_domain

_TRUE_STRINGS = ("1", "true", "t", "yes", "y", "on")


class DataLoader:
    """Loads the data files of one module; ``mode`` is ``'init'`` or ``'update'``."""

    def __init__(self, env: Any, module: str, module_dir: Path, mode: str = "init"):
        self.env = env
        self.module = module
        self.module_dir = Path(module_dir)
        self.mode = mode
        self.loaded_xmlids: set[str] = set()
        # external ids found pointing to an existing record: a data file refers to the same
        # few ids many times (model_*, groups), one existence check each is enough
        self._refs: dict[str, int] = {}
        self._absent: set[str] = set()  # external ids known not to exist (see load)

    # -- entry points -------------------------------------------------------------------------
    def load(self, relpath: str) -> None:
        ops = parse_data_file(self.module, self.module_dir, relpath)
        self._prefetch_xmlids(ops)
        for op in ops:
            self.apply(op)

    def _prefetch_xmlids(self, ops: list) -> None:
        """Look up every external id the file declares in one query (instead of one per
        record): found ones go to the transaction's cache of ``ir.model.data``, missing ones
        are remembered as such until the loader creates them."""
        xml_ids: set[str] = set()
        for op in ops:
            if isinstance(op, RecordOp | MenuOp) and op.xml_id:
                xml_ids.add(op.xml_id)
            elif isinstance(op, CsvOp) and "id" in op.header:
                index = op.header.index("id")
                for _line, cells in op.rows:
                    if cells[index]:
                        try:
                            xml_ids.add(qualify_xml_id(cells[index], self.module))
                        except ValueError:
                            pass  # reported with its line when the row is applied
        if not xml_ids:
            return
        pairs = [xml_id.split(".", 1) for xml_id in sorted(xml_ids)]
        self.env.cr.execute(
            SQL(
                "SELECT module, name, id, model, res_id, noupdate FROM ir_model_data "
                "WHERE (module, name) IN (SELECT * FROM unnest(%s::varchar[], %s::varchar[]))",
                [p[0] for p in pairs],
                [p[1] for p in pairs],
            )
        )
        cache = self.env.transaction.xmlid_cache
        found = set()
        for module, name, data_id, model, res_id, noupdate in self.env.cr.fetchall():
            cache[f"{module}.{name}"] = (data_id, model, res_id, noupdate)
            found.add(f"{module}.{name}")
        self._absent = xml_ids - found

    def apply(self, op: Any) -> None:
        try:
            if isinstance(op, RecordOp):
                self._record(op)
            elif isinstance(op, CsvOp):
                self._csv(op)
            elif isinstance(op, FunctionOp):
                self._function(op)
            elif isinstance(op, DeleteOp):
                self._delete(op)
            elif isinstance(op, MenuOp):
                self._menu(op)
        except DataFileError:
            raise
        except Exception as error:  # every cause becomes a located, readable error
            line = getattr(op, "line", None)
            raise DataFileError(op.path, line, _describe(error)) from error

    # -- helpers ------------------------------------------------------------------------------
    def _ref(self, xml_id: str) -> int:
        qualified = qualify_xml_id(xml_id, self.module)
        res_id = self._refs.get(qualified)
        if res_id is None:
            record = self.env.ref(qualified, raise_if_not_found=False)
            if not record:
                raise LoadError(f"External ID not found: {qualified}")
            res_id = self._refs[qualified] = record.id
        return res_id

    def _model_of(self, xml_id: str) -> str:
        model, _res_id = self.env["ir.model.data"]._xmlid_to_res_model_res_id(
            qualify_xml_id(xml_id, self.module)
        )
        if not model:
            raise LoadError(f"External ID not found: {qualify_xml_id(xml_id, self.module)}")
        return model

    def _eval_context(self) -> dict:
        context = date_context()
        context.update({"ref": self._ref, "Command": Command, "obj": None})
        return context

    def _eval(self, expression: str, where: str) -> Any:
        # the error names the file and line already: the position is within the expression
        return safe_eval(expression, self._eval_context())

    def _existing(self, xml_id: str) -> tuple[Any, bool] | None:
        """``(record, noupdate)`` of ``xml_id`` if it exists (record may be empty if deleted)."""
        if xml_id in self._absent:
            return None
        try:
            _data_id, model, res_id, noupdate = self.env["ir.model.data"]._xmlid_lookup(xml_id)
        except ValueError:
            return None
        return self.env[model].browse(res_id).exists(), noupdate

    def _save(
        self, model: Any, xml_id: str | None, vals: dict, noupdate: bool, forcecreate: bool = True
    ) -> Any:
        if xml_id is None:
            return model.create(vals)
        self.loaded_xmlids.add(xml_id)
        existing = self._existing(xml_id)
        if existing is not None:
            record, was_noupdate = existing
            if record and self.mode == "update" and (noupdate or was_noupdate):
                return record
            if record:
                if record._name != model._name:
                    raise ValueError(
                        f"External ID {xml_id} points to a {record._name}, not a {model._name}"
                    )
                record = model.browse(record.id)  # with the record's context (install_xmlid)
                record.write(vals)
                self.env["ir.model.data"]._update_xmlids(
                    [{"xml_id": xml_id, "record": record, "noupdate": noupdate}], update=True
                )
                return record
        if not forcecreate and noupdate and self.mode == "update":
            # a noupdate record that is gone stays gone when it says forcecreate="0" (Odoo)
            return model.browse()
        record = model.create(vals)
        self.env["ir.model.data"]._update_xmlids(
            [{"xml_id": xml_id, "record": record, "noupdate": noupdate}]
        )
        self._absent.discard(xml_id)
        return record

    # -- records ------------------------------------------------------------------------------
    def _record(self, op: RecordOp) -> Any:
        if op.model not in self.env:
            raise LoadError(f"Unknown model {op.model!r}")
        model = self.env[op.model]
        if op.context:
            model = model.with_context(**self._eval(op.context, op.path))
        if op.model == "ir.ui.view" and op.xml_id:
            # as Odoo's convert.py: a view's errors name its external id and file
            model = model.with_context(install_xmlid=op.xml_id, install_filename=op.path)
        if op.xml_id and self.mode == "update":
            existing = self._existing(op.xml_id)
            if existing is not None and existing[0] and (op.noupdate or existing[1]):
                self.loaded_xmlids.add(op.xml_id)
                return existing[0]
        vals = {}
        for value in op.fields:
            field = model._fields.get(value.name)
            if field is None:
                raise DataFileError(
                    value.path, value.line, f"Invalid field {value.name!r} on model {op.model!r}"
                )
            try:
                vals[value.name] = self._field_value(model, field, value)
            except DataFileError:
                raise
            except Exception as error:  # located at the field's own line
                raise DataFileError(
                    value.path, value.line, f"field {value.name!r}: {_describe(error)}"
                ) from error
        return self._save(model, op.xml_id, vals, op.noupdate, op.forcecreate)

    def _field_value(self, model: Any, field: Any, value: FieldValue) -> Any:
        kind, raw = value.kind, value.value
        where = f"{value.path}:{value.line}"
        if kind == "ref":
            target = self._ref(raw) if raw else False
            if field.type in ("one2many", "many2many"):
                return [Command.set([target] if target else [])]
            return target
        if kind == "eval":
            result = self._eval(raw, where)
            if field.type == "many2one" and hasattr(result, "_ids"):
                return result.id
            if field.type in ("one2many", "many2many") and hasattr(result, "_ids"):
                return [Command.set(result.ids)]
            return result
        if kind == "search":
            domain = safe_eval_domain(raw, self._eval_context(), filename=where)
            comodel = self.env[value.model_hint or field.comodel_name]
            found = comodel.search(domain)
            if field.type == "many2one":
                return found[:1].id
            return [Command.set(found.ids)]
        if kind == "records":
            return [Command.create(self._nested_vals(record)) for record in raw]
        if kind in ("int", "float", "xml", "html"):
            return raw
        if kind == "base64":
            return base64.b64encode(raw) if isinstance(raw, bytes) else raw
        if kind == "file":
            module, _, relpath = str(raw).partition(",")
            return str(raw)
        if kind in ("list", "tuple"):
            items = [self._plain_value(item) for item in raw]
            return items if kind == "list" else tuple(items)
        return _convert_text(field, raw)

    def _plain_value(self, value: FieldValue) -> Any:
        if value.kind == "eval":
            return self._eval(value.value, f"{value.path}:{value.line}")
        if value.kind == "ref":
            return self._ref(value.value)
        if value.kind in ("list", "tuple"):
            items = [self._plain_value(item) for item in value.value]
            return items if value.kind == "list" else tuple(items)
        return value.value

    def _nested_vals(self, op: RecordOp) -> dict:
        model = self.env[op.model]
        return {fv.name: self._field_value(model, model._fields[fv.name], fv) for fv in op.fields}

    # -- functions, deletions, menus ----------------------------------------------------------
    def _function(self, op: FunctionOp) -> Any:
        if op.noupdate and self.mode == "update":
            return None
        self._refs.clear()  # the function may delete records, or create external ids
        self._absent.clear()
        if op.model not in self.env:
            raise ValueError(f"Unknown model {op.model!r}")
        if op.name.startswith("__"):
            raise ValueError(f"Method {op.name!r} cannot be called from a data file")
        model = self.env[op.model]
        if op.context:
            model = model.with_context(**self._eval(op.context, op.path))
        args: list = []
        kwargs: dict = {}
        if op.eval:
            evaluated = self._eval(op.eval, f"{op.path}:{op.line}")
            args = list(evaluated) if isinstance(evaluated, list | tuple) else [evaluated]
        for item in op.args:
            if isinstance(item, FunctionOp):
                args.append(self._function(item))
            elif item.name:
                kwargs[item.name] = self._plain_value(item)
            else:
                args.append(self._plain_value(item))
        method = getattr(model, op.name, None)
        if method is None or not callable(method):
            raise ValueError(f"Model {op.model!r} has no method {op.name!r}")
        if getattr(method, "_api", None) not in ("model", "model_create") and args:
            # as Odoo's call_kw: a record method takes the ids of its records first
            ids = args.pop(0)
            method = getattr(model.browse(ids if isinstance(ids, list | tuple) else [ids]), op.name)
        return method(*args, **kwargs)

    def _delete(self, op: DeleteOp) -> None:
        self._refs.clear()
        model = self.env[op.model]
        if op.xml_id:
            existing = self._existing(op.xml_id)
            if existing is not None and existing[0]:
                existing[0].unlink()
        if op.search:
            domain = safe_eval_domain(
                op.search, self._eval_context(), filename=f"{op.path}:{op.line}"
            )
            model.search(domain).unlink()

    def _menu(self, op: MenuOp) -> Any:
        menu_model = self.env["ir.ui.menu"]
        vals: dict[str, Any] = {"active": op.active}
        name = op.name
        if op.action:
            action = self.env[self._model_of(op.action)].browse(self._ref(op.action))
            vals["action"] = f"{action._name},{action.id}"
            if name is None:
                name = action.name
        vals["name"] = name or op.xml_id.split(".", 1)[1]
        vals["parent_id"] = self._ref(op.parent) if op.parent else False
        if op.sequence is not None:
            vals["sequence"] = op.sequence
        if op.web_icon:
            vals["web_icon"] = op.web_icon
        if op.groups:
            commands = []
            for group in op.groups.split(","):
                group = group.strip()
                if group.startswith("-"):
                    commands.append(Command.unlink(self._ref(group[1:])))
                else:
                    commands.append(Command.link(self._ref(group)))
            vals["groups_id"] = commands
        return self._save(menu_model, op.xml_id, vals, op.noupdate)

    # -- CSV ----------------------------------------------------------------------------------
    def _csv(self, op: CsvOp) -> None:
        if op.model not in self.env:
            raise DataFileError(op.path, None, f"Unknown model {op.model!r}")
        model = self.env[op.model]
        columns = []
        for name in op.header:
            if name == "id":
                columns.append(("id", None, "id"))
                continue
            fname, kind = name, "text"
            for suffix, suffix_kind in (
                (":id", "ref"),
                ("/id", "ref"),
                ("/.id", "dbid"),
                (".id", "dbid"),
            ):
                if name.endswith(suffix):
                    fname, kind = name[: -len(suffix)], suffix_kind
                    break
            field = model._fields.get(fname)
            if field is None:
                raise DataFileError(
                    op.path, 1, f"Invalid field {fname!r} on model {op.model!r} (column {name!r})"
                )
            columns.append((fname, field, kind))
        for line, cells in op.rows:
            try:
                xml_id = None
                vals: dict[str, Any] = {}
                for (fname, field, kind), cell in zip(columns, cells, strict=True):
                    if kind == "id":
                        xml_id = qualify_xml_id(cell, self.module) if cell else None
                    elif kind == "ref":
                        ids = [self._ref(x.strip()) for x in cell.split(",") if x.strip()]
                        if field.type == "many2one":
                            vals[fname] = ids[0] if ids else False
                        else:
                            vals[fname] = [Command.set(ids)]
                    elif kind == "dbid":
                        ids = [int(x) for x in cell.split(",") if x.strip()]
                        vals[fname] = (
                            (ids[0] if ids else False)
                            if field.type == "many2one"
                            else [Command.set(ids)]
                        )
                    else:
                        vals[fname] = _convert_text(field, cell)
                self._save(model, xml_id, vals, noupdate=False)
            except DataFileError:
                raise
            except Exception as error:
                raise DataFileError(op.path, line, _describe(error)) from error


def _convert_text(field: Any, text: str) -> Any:
    if field.type == "boolean":
        return str(text).strip().lower() in _TRUE_STRINGS
    if text == "" and field.type not in ("char", "text", "html"):
        return False
    if field.type == "integer":
        return int(text)
    if field.type in ("float", "monetary"):
        return float(text)
    if field.type == "many2one":
        return int(text) if str(text).isdigit() else text
    return text


class LoadError(ValueError):
    """A data file asks for something that does not exist (its message says what)."""


def _describe(error: Exception) -> str:
    if isinstance(error, SafeEvalError):
        return f"invalid expression: {error}"
    if isinstance(error, LoadError):
        return str(error)
    name = type(error).__name__
    message = str(error.args[0]) if getattr(error, "args", None) else str(error)
    return f"{name}: {message}"
