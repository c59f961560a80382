"""Schema synchronisation: make the tables match the model classes, never losing data.

For each concrete model: create the table (``id SERIAL PRIMARY KEY``), add missing columns,
apply safe type changes (widening: ``varchar(n)`` to a larger size or to ``text``, ``int4`` to
``int8``/``numeric``/``float8``), set or drop NOT NULL, create foreign keys with the field's
``ondelete``, indexes (``btree``, ``trigram`` when ``pg_trgm`` is available) and
``_sql_constraints``, and the relation tables of many2many fields. A type change that could lose
data is refused with an error naming the column. The current schema is read from the catalog
in a few queries; an unchanged schema sends no DDL at all.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

from psycopg import sql

from erplite.orm.fields_relational import Many2many, Many2one
from erplite.sql import SQL

if TYPE_CHECKING:
    from erplite.orm.fields import Field
    from erplite.orm.recordset import Recordset
    from erplite.orm.registry import Registry
    from erplite.sql import Cursor

_logger = logging.getLogger(__name__)

# conversions PostgreSQL does without losing information
_SAFE_CASTS = {
    ("varchar", "text"),
    ("int4", "int8"),
    ("int4", "numeric"),
    ("int4", "float8"),
    ("float8", "numeric"),
    ("numeric", "float8"),
    ("text", "varchar"),
    ("date", "timestamp"),
    ("bool", "varchar"),
    ("int4", "varchar"),
    ("varchar", "jsonb"),
}


class SchemaError(Exception):
    """The schema cannot be brought in line with the models without losing data."""


class SchemaState:
    """A snapshot of the catalog: tables, columns, constraints and indexes."""

    def __init__(self, cr: Cursor):
        cr.execute(
            SQL(
                "SELECT c.relname, a.attname, t.typname, a.attnotnull, "
                "       CASE WHEN a.atttypmod > 4 THEN a.atttypmod - 4 ELSE NULL END "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
                "JOIN pg_type t ON t.oid = a.atttypid "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
            ),
            flush=False,
        )
        self.columns: dict[str, dict[str, tuple[str, bool, int | None]]] = {}
        for table, column, udt, notnull, size in cr.fetchall():
            self.columns.setdefault(table, {})[column] = (udt, notnull, size)
        cr.execute(
            SQL(
                "SELECT conname, conrelid::regclass::text, contype, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
            ),
            flush=False,
        )
        self.constraints = {
            name: (table, kind, definition) for name, table, kind, definition in cr.fetchall()
        }
        # the definition a constraint was declared with, kept as its comment (as Odoo does):
        # PostgreSQL normalises the text, so comparing with it is only a heuristic
        cr.execute(
            SQL(
                "SELECT conname, obj_description(oid, 'pg_constraint') FROM pg_constraint "
                "WHERE connamespace = current_schema()::regnamespace AND contype IN ('c', 'u', 'x')"
            ),
            flush=False,
        )
        self.declared = {name: comment for name, comment in cr.fetchall() if comment}
        cr.execute(
            SQL("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"), flush=False
        )
        self.indexes = {row[0] for row in cr.fetchall()}
        cr.execute(SQL("SELECT extname FROM pg_extension"), flush=False)
        self.extensions = {row[0] for row in cr.fetchall()}

    def has_table(self, table: str) -> bool:
        return table in self.columns


def ensure_trigram(cr: Cursor, state: SchemaState) -> bool:
    """Create ``pg_trgm`` if the server has it; trigram indexes are skipped otherwise."""
    if "pg_trgm" in state.extensions:
        return True
    cr.execute(SQL("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"), flush=False)
    if cr.fetchone() is None:
        return False
    cr.execute(SQL("CREATE EXTENSION IF NOT EXISTS pg_trgm"), flush=False)
    state.extensions.add("pg_trgm")
    return True


def sync_models(
    cr: Cursor,
    registry: Registry,
    model_names: list[str] | None = None,
    new_columns: list[tuple[str, str]] | None = None,
) -> int:
    """Bring the tables of ``model_names`` (default: all) in line; return the DDL count.

    ``new_columns``, when given, receives ``(model, field)`` for each column added to a table
    that already existed: its rows need the field's default (``BaseModel._init_column``)."""
    state = SchemaState(cr)
    names = model_names if model_names is not None else list(registry.models)
    models = [
        registry.models[n]
        for n in names
        if registry.models[n]._auto and not registry.models[n]._abstract
    ]
    ddl = 0
    existing_tables = {model._table for model in models if state.has_table(model._table)}
    for model in models:
        ddl += _sync_table(cr, state, model)
    for model in models:
        count, added = _sync_columns(cr, state, model)
        ddl += count
        if new_columns is not None and model._table in existing_tables:
            new_columns.extend((model._name, name) for name in added)
    trigram = any(
        getattr(f, "index", None) == "trigram" for m in models for f in m._fields.values()
    )
    has_trigram = ensure_trigram(cr, state) if trigram else False
    for model in models:
        ddl += _sync_foreign_keys(cr, state, registry, model)
        ddl += _sync_indexes(cr, state, model, has_trigram)
        ddl += _sync_constraints(cr, state, model)
        ddl += _sync_relations(cr, state, registry, model)
    if ddl:
        _logger.info("schema: %d DDL statements", ddl)
    return ddl


def _sync_table(cr: Cursor, state: SchemaState, model: type[Recordset]) -> int:
    if state.has_table(model._table):
        return 0
    cr.execute(
        SQL("CREATE TABLE %s (id SERIAL PRIMARY KEY)", SQL.identifier(model._table)), flush=False
    )
    state.columns[model._table] = {"id": ("int4", True, None)}
    return 1


def _column_fields(model: type[Recordset]) -> list[Field]:
    return [
        f
        for f in model._fields.values()
        if f.store and f.column_type is not None and f.name != "id"
    ]


def _sync_columns(cr: Cursor, state: SchemaState, model: type[Recordset]) -> tuple[int, list[str]]:
    """Add, retype and (un)constrain the columns of ``model``; return the DDL count and the
    names of the fields whose column was added."""
    ddl = 0
    added: list[str] = []
    table = SQL.identifier(model._table)
    existing = state.columns[model._table]
    for field in _column_fields(model):
        column = SQL.identifier(field.column_name)
        assert field.column_type is not None  # as _column_fields() chose
        udt, sql_type = field.column_type
        current = existing.get(field.column_name)
        if current is None:
            cr.execute(SQL(f"ALTER TABLE %s ADD COLUMN %s {sql_type}", table, column), flush=False)
            existing[field.column_name] = (udt, False, getattr(field, "size", None))
            current = existing[field.column_name]
            ddl += 1
            added.append(field.name)
        elif current[0] != udt or (udt == "varchar" and current[2] != getattr(field, "size", None)):
            ddl += _change_type(cr, model, field, current)
            existing[field.column_name] = (udt, current[1], getattr(field, "size", None))
            current = existing[field.column_name]
        wants_not_null = bool(field.required) and not field.compute
        if wants_not_null and not current[1]:
            cr.execute(SQL("SELECT 1 FROM %s WHERE %s IS NULL LIMIT 1", table, column), flush=False)
            if cr.fetchone() is None:
                cr.execute(
                    SQL("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", table, column), flush=False
                )
                existing[field.column_name] = (current[0], True, current[2])
                ddl += 1
            else:
                _logger.warning(
                    "%s.%s is required but has NULL values: NOT NULL not set",
                    model._name,
                    field.name,
                )
        elif not wants_not_null and current[1]:
            cr.execute(
                SQL("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", table, column), flush=False
            )
            existing[field.column_name] = (current[0], False, current[2])
            ddl += 1
    # columns no field uses any more (a field removed, a module uninstalled without dropping
    # its data) keep their data but must not refuse new rows (Odoo's _check_removed_columns)
    used = {field.column_name for field in _column_fields(model)} | {"id"}
    for name, (udt, notnull, size) in list(existing.items()):
        if notnull and name not in used:
            cr.execute(
                SQL("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", table, SQL.identifier(name)),
                flush=False,
            )
            existing[name] = (udt, False, size)
            ddl += 1
    return ddl, added


def _change_type(
    cr: Cursor, model: type[Recordset], field: Field, current: tuple[str, bool, int | None]
) -> int:
    assert field.column_type is not None  # as _column_fields() chose
    udt, sql_type = field.column_type
    old_udt, _notnull, old_size = current
    new_size = getattr(field, "size", None)
    safe = (old_udt, udt) in _SAFE_CASTS
    if old_udt == udt == "varchar":
        safe = new_size is None or (old_size is not None and new_size >= old_size)
    elif (old_udt, udt) == ("text", "varchar"):
        safe = new_size is None
    if not safe:
        raise SchemaError(
            f"Cannot change column {model._table}.{field.column_name} of {model._name}.{field.name} "
            f"from {old_udt}{f'({old_size})' if old_size else ''} to {sql_type} without losing "
            "data: write a migration script"
        )
    cr.execute(
        SQL(
            f"ALTER TABLE %s ALTER COLUMN %s TYPE {sql_type} USING %s::{sql_type}",
            SQL.identifier(model._table),
            SQL.identifier(field.column_name),
            SQL.identifier(field.column_name),
        ),
        flush=False,
    )
    return 1


_ONDELETE = {
    "set null": "SET NULL",
    "cascade": "CASCADE",
    "restrict": "RESTRICT",
    "no action": "NO ACTION",
    "set default": "SET DEFAULT",
}


def _fk_name(table: str, column: str) -> str:
    name = f"{table}_{column}_fkey"
    return name if len(name) <= 63 else name[:54] + f"_{abs(hash(name)) % 10**8:08d}"


def _sync_foreign_keys(
    cr: Cursor, state: SchemaState, registry: Registry, model: type[Recordset]
) -> int:
    ddl = 0
    for field in _column_fields(model):
        if field.type != "many2one":
            continue
        comodel = registry.models[field.comodel_name]
        if not comodel._auto or comodel._abstract:
            continue
        name = _fk_name(model._table, field.column_name)
        ondelete = cast(Many2one, field).ondelete
        assert ondelete is not None  # Many2one.setup_attrs() chose it
        action = _ONDELETE[ondelete]
        wanted = (
            f"FOREIGN KEY ({field.column_name}) REFERENCES {comodel._table}(id) ON DELETE {action}"
        )
        current = state.constraints.get(name)
        if current is not None and _same_fk(current[2], wanted):
            continue
        if current is not None:
            _drop_constraint(cr, model._table, name)
            ddl += 1
        _add_constraint(
            cr,
            model._table,
            name,
            SQL(
                f"FOREIGN KEY (%s) REFERENCES %s(id) ON DELETE {action}",
                SQL.identifier(field.column_name),
                SQL.identifier(comodel._table),
            ),
        )
        state.constraints[name] = (model._table, "f", wanted)
        ddl += 1
    return ddl


def _same_fk(definition: str, wanted: str) -> bool:
    def normalise(text: str) -> str:
        return " ".join(text.replace('"', "").upper().split())

    left, right = normalise(definition), normalise(wanted)
    if "ON DELETE" not in left:
        left += " ON DELETE NO ACTION"
    return left == right


def _index_name(table: str, column: str, kind: str = "index") -> str:
    name = f"{table}__{column}_{kind}"
    return name if len(name) <= 63 else name[:54] + f"_{abs(hash(name)) % 10**8:08d}"


def _sync_indexes(cr: Cursor, state: SchemaState, model: type[Recordset], has_trigram: bool) -> int:
    ddl = 0
    for field in _column_fields(model):
        index = field.index
        if (
            field.type == "many2one"
            and index is None
            and field.store
            and field.name not in ("create_uid", "write_uid")
        ):
            # every many2one is indexed: joins, rules and one2many reads go through it; not the
            # magic user columns (as in Odoo), which every INSERT would pay for
            index = True
        if not index:
            continue
        column = SQL.identifier(field.column_name)
        if index == "trigram" and has_trigram:
            name = _index_name(model._table, field.column_name, "trigram")
            method = SQL("USING gin (%s gin_trgm_ops)", column)
        else:  # btree (also for a trigram index without pg_trgm)
            name = _index_name(model._table, field.column_name)
            if field.name == "parent_path":  # searched with LIKE 'prefix%'
                method = SQL("(%s text_pattern_ops)", column)
            else:
                method = SQL("(%s)", column)
        if name not in state.indexes:
            _create_index(cr, state, name, model._table, method)
            ddl += 1
    return ddl


def _create_index(cr: Cursor, state: SchemaState, name: str, table: str, method: SQL) -> None:
    """``CREATE INDEX name ON table <method>``, ``method`` being the access method and the
    columns (``(col)``, ``USING gin (col gin_trgm_ops)``); the index is added to ``state``."""
    cr.execute(
        SQL("CREATE INDEX %s ON %s %s", SQL.identifier(name), SQL.identifier(table), method),
        flush=False,
    )
    state.indexes.add(name)


def _drop_constraint(cr: Cursor, table: str, name: str) -> None:
    """``ALTER TABLE table DROP CONSTRAINT name``."""
    cr.execute(
        SQL("ALTER TABLE %s DROP CONSTRAINT %s", SQL.identifier(table), SQL.identifier(name)),
        flush=False,
    )


def _add_constraint(cr: Cursor, table: str, name: str, definition: SQL) -> None:
    """``ALTER TABLE table ADD CONSTRAINT name <definition>``."""
    cr.execute(
        SQL(
            "ALTER TABLE %s ADD CONSTRAINT %s %s",
            SQL.identifier(table),
            SQL.identifier(name),
            definition,
        ),
        flush=False,
    )


def _sync_constraints(cr: Cursor, state: SchemaState, model: type[Recordset]) -> int:
    ddl = 0
    for name, definition, _message in model._sql_constraints:
        conname = f"{model._table}_{name}"
        current = state.constraints.get(conname)
        if current is not None:
            # the comment went through the driver's formatting, as the constraint did
            declared = state.declared.get(conname)
            if declared is not None:
                if declared == definition.replace("%%", "%"):
                    continue
            elif " ".join(current[2].split()).lower() == " ".join(definition.split()).lower():
                continue
            elif _equivalent_constraint(current[2], definition):
                continue
            _drop_constraint(cr, model._table, conname)
            ddl += 1
        # the definition is code of the module (like a column type), never input
        _add_constraint(cr, model._table, conname, SQL(definition))
        cr.execute(
            SQL(
                "COMMENT ON CONSTRAINT %s ON %s IS %s",
                SQL.identifier(conname),
                SQL.identifier(model._table),
                sql.Literal(definition),
            ),
            flush=False,
        )
        state.declared[conname] = definition.replace("%%", "%")
        cr.execute(
            SQL("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s", conname),
            flush=False,
        )
        row = cr.fetchone()
        state.constraints[conname] = (model._table, "x", row[0] if row else definition)
        ddl += 1
    return ddl


def _equivalent_constraint(current: str, declared: str) -> bool:
    def squash(text: str) -> str:
        return "".join(ch for ch in text.lower() if ch.isalnum())

    return squash(current) == squash(declared) or squash(declared) in squash(current)


def _sync_relations(
    cr: Cursor, state: SchemaState, registry: Registry, model: type[Recordset]
) -> int:
    ddl = 0
    for any_field in model._fields.values():
        if any_field.type != "many2many" or not any_field.store:
            continue
        field = cast(Many2many, any_field)
        relation = field.relation
        if state.has_table(relation):
            continue
        comodel = registry.models[field.comodel_name]
        cr.execute(
            SQL(
                "CREATE TABLE %s (%s integer NOT NULL REFERENCES %s(id) ON DELETE CASCADE, "
                "%s integer NOT NULL REFERENCES %s(id) ON DELETE CASCADE, PRIMARY KEY (%s, %s))",
                SQL.identifier(relation),
                SQL.identifier(field.column1),
                SQL.identifier(model._table),
                SQL.identifier(field.column2),
                SQL.identifier(comodel._table),
                SQL.identifier(field.column1),
                SQL.identifier(field.column2),
            ),
            flush=False,
        )
        _create_index(
            cr,
            state,
            _index_name(relation, field.column2),
            relation,
            SQL("(%s, %s)", SQL.identifier(field.column2), SQL.identifier(field.column1)),
        )
        state.columns[relation] = {
            field.column1: ("int4", True, None),
            field.column2: ("int4", True, None),
        }
        ddl += 2
    return ddl
