"""``ir.sequence``: numbering of documents (``SO001``, ``INV/2024/0042``), as in Odoo 17.

Two implementations:

- ``standard`` (the default): a real PostgreSQL sequence ``ir_sequence_<id:03d>`` (and
  ``ir_sequence_<id:03d>_<range id:03d>`` per date range). Fast and never blocking, but a number
  taken by a transaction that rolls back is lost: there can be gaps.
- ``no_gap``: the next number is the ``number_next`` column of the sequence's row, read and
  incremented under a row lock (``FOR UPDATE NOWAIT``). A rolled back transaction gives its number
  back; two concurrent transactions cannot both hold it (the second fails with
  ``lock_not_available``, which the HTTP layer retries).

The number is formatted as ``prefix + zero-padded number + suffix``, where prefix and suffix take
the placeholders ``%(year)s %(month)s %(day)s %(y)s %(doy)s %(woy)s %(weekday)s %(h24)s
%(h12)s %(min)s %(sec)s`` (the date of the document: ``sequence_date`` or the context key
``ir_sequence_date``, else now in the context's ``tz``), their ``range_`` forms (the start of the
date range) and ``current_`` forms (now). Interpolation is ``%``-formatting with a dict of strings:
nothing is evaluated.

With ``use_date_range``, numbering restarts in each date range (``ir.sequence.date_range``,
created per calendar year when a date has none).

Worked example::

    seq = env["ir.sequence"].create({"name": "Orders", "code": "sale.order",
                                     "prefix": "SO/%(year)s/", "padding": 4})
    env["ir.sequence"].next_by_code("sale.order")      # 'SO/2024/0001'
    seq.next_by_id()                                   # 'SO/2024/0002'
"""

from __future__ import annotations

import datetime
import logging
import zoneinfo
from typing import Any

import psycopg.errors
from psycopg import sql

from erplite import api, fields, models
from erplite.exceptions import UserError, ValidationError
from erplite.sql import SQL

_logger = logging.getLogger(__name__)

#: placeholder name -> strftime directive
_PLACEHOLDERS = {
    "year": "%Y",
    "month": "%m",
    "day": "%d",
    "y": "%y",
    "doy": "%j",
    "woy": "%W",
    "weekday": "%w",
    "h24": "%H",
    "h12": "%I",
    "min": "%M",
    "sec": "%S",
}


def _pg_name(sequence_id: int, range_id: int | None = None) -> str:
    """The PostgreSQL sequence of an ``ir.sequence`` (or of one of its date ranges)."""
    if range_id is None:
        return f"ir_sequence_{sequence_id:03d}"
    return f"ir_sequence_{sequence_id:03d}_{range_id:03d}"


def _create_pg_sequence(cr: Any, name: str, increment: int, start: int) -> None:
    if not increment:
        raise UserError("Step must not be zero.")
    # DDL takes no parameters: the integers are inlined as literals
    cr.execute(
        SQL(
            "CREATE SEQUENCE %s INCREMENT BY %s START WITH %s",
            SQL.identifier(name),
            sql.Literal(int(increment)),
            sql.Literal(int(start)),
        )
    )


def _drop_pg_sequences(cr: Any, names: list[str]) -> None:
    if names:
        cr.execute(
            SQL(
                "DROP SEQUENCE IF EXISTS %s RESTRICT",
                SQL(", ").join(SQL.identifier(name) for name in names),
            )
        )


def _alter_pg_sequence(
    cr: Any, name: str, increment: int | None = None, restart: int | None = None
) -> None:
    if increment == 0:
        raise UserError("Step must not be zero.")
    cr.execute(SQL("SELECT 1 FROM pg_class WHERE relkind = 'S' AND relname = %s", name))
    if cr.fetchone() is None:
        return
    cr.execute(
        SQL(
            "ALTER SEQUENCE %s%s%s",
            SQL.identifier(name),
            SQL(" INCREMENT BY %s", sql.Literal(int(increment)))
            if increment is not None
            else SQL(),
            SQL(" RESTART WITH %s", sql.Literal(int(restart))) if restart is not None else SQL(),
        )
    )


def _nextval(cr: Any, name: str) -> int:
    cr.execute(SQL("SELECT nextval(%s)", name))
    return cr.fetchone()[0]


def _predict_nextval(cr: Any, name: str) -> int:
    """The number ``nextval`` would give, without taking it."""
    cr.execute(
        SQL(
            "SELECT last_value, is_called, "
            "(SELECT increment_by FROM pg_sequences WHERE sequencename = %s) FROM %s",
            name,
            SQL.identifier(name),
        )
    )
    last_value, is_called, increment = cr.fetchone()
    return last_value + increment if is_called else last_value


def _take_nogap(record: Any, increment: int) -> int:
    """Take ``number_next`` of ``record``'s row under a row lock and advance it."""
    record.flush_recordset(["number_next"])
    cr = record.env.cr
    table = SQL.identifier(record._table)
    cr.execute(SQL("SELECT number_next FROM %s WHERE id = %s FOR UPDATE NOWAIT", table, record.id))
    number = cr.fetchone()[0]
    cr.execute(
        SQL(
            "UPDATE %s SET number_next = number_next + %s WHERE id = %s",
            table,
            int(increment),
            record.id,
        )
    )
    record.invalidate_recordset(["number_next"])
    return number


class IrSequence(models.Model):
    _name = "ir.sequence"
    _description = "Sequence"
    _order = "name"

    name = fields.Char(required=True)
    code = fields.Char("Sequence Code")
    implementation = fields.Selection(
        [("standard", "Standard"), ("no_gap", "No gap")],
        required=True,
        default="standard",
        help="'No gap' never skips a number (a rolled back transaction gives its number back) "
        "but serialises the transactions taking numbers; 'Standard' is faster and may skip.",
    )
    active = fields.Boolean(default=True)
    prefix = fields.Char(help="Prefix of the numbers, with %(year)s-style placeholders")
    suffix = fields.Char(help="Suffix of the numbers, with %(year)s-style placeholders")
    number_next = fields.Integer("Next Number", required=True, default=1)
    number_next_actual = fields.Integer(
        "Actual Next Number",
        compute="_compute_number_next_actual",
        inverse="_inverse_number_next_actual",
        help="The number the next call will give (a standard sequence may have moved since)",
    )
    number_increment = fields.Integer("Step", required=True, default=1)
    padding = fields.Integer(
        "Sequence Size",
        required=True,
        default=0,
        help="Numbers are padded with zeros on the left up to this size",
    )
    company_id = fields.Many2one(
        "res.company", string="Company", default=lambda self: self.env.company
    )
    use_date_range = fields.Boolean("Use subsequences per date_range")
    date_range_ids = fields.One2many("ir.sequence.date_range", "sequence_id", string="Subsequences")

    # -- number_next_actual -------------------------------------------------------------------
    def _compute_number_next_actual(self):
        for seq in self:
            if not seq.id:
                seq.number_next_actual = 0
            elif seq.implementation == "standard":
                seq.number_next_actual = _predict_nextval(self.env.cr, _pg_name(seq.id))
            else:
                seq.number_next_actual = seq.number_next

    def _inverse_number_next_actual(self):
        for seq in self:
            seq.write({"number_next": seq.number_next_actual or 1})

    # -- CRUD: the PostgreSQL sequences follow the rows ---------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        sequences = super().create(vals_list)
        for seq in sequences:
            if seq.implementation == "standard":
                _create_pg_sequence(
                    self.env.cr, _pg_name(seq.id), seq.number_increment or 1, seq.number_next or 1
                )
        return sequences

    def write(self, vals):
        new_implementation = vals.get("implementation")
        cr = self.env.cr
        for seq in self:
            increment = vals.get("number_increment", seq.number_increment)
            number = vals.get("number_next", seq.number_next)
            if seq.implementation == "standard":
                if new_implementation in ("standard", None):
                    if vals.get("number_next"):
                        _alter_pg_sequence(cr, _pg_name(seq.id), restart=number)
                    if seq.number_increment != increment:
                        _alter_pg_sequence(cr, _pg_name(seq.id), increment=increment)
                        seq.date_range_ids._alter_sequence(increment=increment)
                else:
                    _drop_pg_sequences(
                        cr,
                        [_pg_name(seq.id)]
                        + [_pg_name(seq.id, sub.id) for sub in seq.date_range_ids],
                    )
            elif new_implementation == "standard":
                _create_pg_sequence(cr, _pg_name(seq.id), increment, number)
                for sub in seq.date_range_ids:
                    _create_pg_sequence(
                        cr, _pg_name(seq.id, sub.id), increment, sub.number_next or 1
                    )
        result = super().write(vals)
        self.flush_model(list(vals))
        return result

    def unlink(self):
        names = [_pg_name(seq.id) for seq in self]
        names += [_pg_name(sub.sequence_id.id, sub.id) for sub in self.date_range_ids]
        result = super().unlink()
        _drop_pg_sequences(self.env.cr, names)
        return result

    # -- numbers ------------------------------------------------------------------------------
    def _get_prefix_suffix(self, date: Any = None, date_range: Any = None) -> tuple[str, str]:
        """The prefix and suffix with their placeholders replaced (see the module docstring)."""
        self.ensure_one()
        tz = zoneinfo.ZoneInfo("UTC")
        if self.env.context.get("tz"):
            try:
                tz = zoneinfo.ZoneInfo(self.env.context["tz"])
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                _logger.warning(
                    "unknown time zone %r: sequence dates in UTC", self.env.context["tz"]
                )
        now = datetime.datetime.now(tz)
        effective = range_date = now
        if date or self.env.context.get("ir_sequence_date"):
            effective = fields.Datetime.to_datetime(date or self.env.context["ir_sequence_date"])
        if date_range or self.env.context.get("ir_sequence_date_range"):
            range_date = fields.Datetime.to_datetime(
                date_range or self.env.context["ir_sequence_date_range"]
            )
        values = {}
        for key, directive in _PLACEHOLDERS.items():
            values[key] = effective.strftime(directive)
            values[f"range_{key}"] = range_date.strftime(directive)
            values[f"current_{key}"] = now.strftime(directive)
        try:
            prefix = (self.prefix % values) if self.prefix else ""
            suffix = (self.suffix % values) if self.suffix else ""
        except (ValueError, TypeError, KeyError) as error:
            raise UserError(
                f"Invalid prefix or suffix for sequence {self.name!r}: {error}"
            ) from None
        return prefix, suffix

    def get_next_char(self, number_next: int) -> str:
        """The formatted number ``number_next``: prefix, padded number, suffix."""
        prefix, suffix = self._get_prefix_suffix()
        return f"{prefix}{number_next:0{max(self.padding, 0)}d}{suffix}"

    def _next_do(self) -> str:
        if self.implementation == "standard":
            number = _nextval(self.env.cr, _pg_name(self.id))
        else:
            number = _take_nogap(self, self.number_increment)
        return self.get_next_char(number)

    def _create_date_range_seq(self, date: Any) -> Any:
        """A date range holding ``date``: its calendar year, shortened so as not to overlap the
        ranges already defined."""
        date = fields.Date.to_date(date)
        date_from = datetime.date(date.year, 1, 1)
        date_to = datetime.date(date.year, 12, 31)
        Range = self.env["ir.sequence.date_range"]
        after = Range.search(
            [
                ("sequence_id", "=", self.id),
                ("date_from", ">=", date),
                ("date_from", "<=", date_to),
            ],
            order="date_from desc",
            limit=1,
        )
        if after:
            date_to = after.date_from - datetime.timedelta(days=1)
        before = Range.search(
            [("sequence_id", "=", self.id), ("date_to", ">=", date_from), ("date_to", "<=", date)],
            order="date_to desc",
            limit=1,
        )
        if before:
            date_from = before.date_to + datetime.timedelta(days=1)
        try:
            with self.env.cr.savepoint():
                return Range.sudo().create(
                    {"date_from": date_from, "date_to": date_to, "sequence_id": self.id}
                )
        except ValidationError as exc:
            if not isinstance(exc.__cause__, psycopg.errors.UniqueViolation):
                raise
            # a concurrent transaction created this range and committed: ours cannot see it
            # (its snapshot is older). A concurrency failure, not bad data: the request is
            # tried again (erplite.http.retrying) and its new snapshot finds the range.
            raise psycopg.errors.SerializationFailure(
                f"the date range {date_from}..{date_to} of sequence {self.id} was created by "
                "a concurrent transaction"
            ) from exc

    def _next(self, sequence_date: Any = None) -> str:
        """The next number of this sequence (of its date range for ``sequence_date`` or the
        context's ``ir_sequence_date``, today by default, when it uses date ranges)."""
        self.ensure_one()
        if not self.use_date_range:
            return self._next_do()
        date = sequence_date or self.env.context.get("ir_sequence_date") or fields.Date.today()
        date = fields.Date.to_date(date)
        date_range = self.env["ir.sequence.date_range"].search(
            [("sequence_id", "=", self.id), ("date_from", "<=", date), ("date_to", ">=", date)],
            limit=1,
        )
        if not date_range:
            date_range = self._create_date_range_seq(date)
        return date_range.with_context(ir_sequence_date_range=date_range.date_from)._next()

    def next_by_id(self, sequence_date: Any = None) -> str:
        """The next number of this sequence (read access to sequences is required)."""
        self.check_access_rights("read")
        return self._next(sequence_date=sequence_date)

    @api.model
    def next_by_code(self, sequence_code: str, sequence_date: Any = None) -> str | bool:
        """The next number of the sequence ``sequence_code`` of the current company (or of no
        company); ``False`` if there is none."""
        self.check_access_rights("read")
        company_id = self.env.company.id
        sequences = self.search(
            [("code", "=", sequence_code), ("company_id", "in", [company_id, False])],
            order="company_id",
        )
        if not sequences:
            _logger.debug("no ir.sequence with code %r for company %s", sequence_code, company_id)
            return False
        return sequences[0]._next(sequence_date=sequence_date)


class IrSequenceDateRange(models.Model):
    _name = "ir.sequence.date_range"
    _description = "Sequence Date Range"
    _rec_name = "sequence_id"
    _order = "date_from"

    date_from = fields.Date("From", required=True)
    date_to = fields.Date("To", required=True)
    sequence_id = fields.Many2one(
        "ir.sequence", string="Main Sequence", required=True, ondelete="cascade", index=True
    )
    number_next = fields.Integer("Next Number", required=True, default=1)
    number_next_actual = fields.Integer(
        "Actual Next Number",
        compute="_compute_number_next_actual",
        inverse="_inverse_number_next_actual",
    )

    _sql_constraints = [
        (
            "unique_range_per_sequence",
            "UNIQUE (sequence_id, date_from, date_to)",
            "You cannot create two date ranges for the same sequence with the same date range.",
        ),
    ]

    def _compute_number_next_actual(self):
        for sub in self:
            if sub.id and sub.sequence_id.implementation == "standard":
                sub.number_next_actual = _predict_nextval(
                    self.env.cr, _pg_name(sub.sequence_id.id, sub.id)
                )
            else:
                sub.number_next_actual = sub.number_next

    def _inverse_number_next_actual(self):
        for sub in self:
            sub.write({"number_next": sub.number_next_actual or 1})

    @api.model_create_multi
    def create(self, vals_list):
        ranges = super().create(vals_list)
        for sub in ranges:
            main = sub.sequence_id
            if main.implementation == "standard":
                _create_pg_sequence(
                    self.env.cr,
                    _pg_name(main.id, sub.id),
                    main.number_increment or 1,
                    sub.number_next or 1,
                )
        return ranges

    def write(self, vals):
        if vals.get("number_next"):
            standard = self.filtered(lambda sub: sub.sequence_id.implementation == "standard")
            standard._alter_sequence(restart=vals["number_next"])
        result = super().write(vals)
        self.flush_model(list(vals))
        return result

    def unlink(self):
        names = [_pg_name(sub.sequence_id.id, sub.id) for sub in self]
        result = super().unlink()
        _drop_pg_sequences(self.env.cr, names)
        return result

    def _alter_sequence(self, increment: int | None = None, restart: int | None = None) -> None:
        for sub in self:
            _alter_pg_sequence(
                self.env.cr, _pg_name(sub.sequence_id.id, sub.id), increment, restart
            )

    def _next(self) -> str:
        main = self.sequence_id
        if main.implementation == "standard":
            number = _nextval(self.env.cr, _pg_name(main.id, self.id))
        else:
            number = _take_nogap(self, main.number_increment)
        return main.get_next_char(number)
