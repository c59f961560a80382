"""The access gate: the one file of ``erplite/orm`` that asks ``erplite.security``.

Every check the ORM makes on behalf of a user goes through a method of this mixin, and this
file alone imports the security layer; the rest of the ORM (the CRUD methods, the search, the
domain compiler, the fetch) asks the model::

    records._check_access("write")                 # ir.model.access, raises AccessError
    records._check_field_access(["name"], "write") # field groups, raises AccessError
    records._check_rules("write")                  # ir.rule on these records, one query
    records._apply_rules(query, "read")            # ir.rule as a condition of a query
    comodel._rule_condition("read", alias, query)  # the same condition, for a domain's join

A superuser environment is the only bypass: each method answers at once when ``env.su``. The
answers themselves (which groups, rights, rules and field groups) are the security layer's,
cached there; this file only says where the ORM asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from erplite import security
from erplite.exceptions import AccessError, MissingError
from erplite.orm.arrays import array_param
from erplite.orm.query import Query
from erplite.orm.recordset import Recordset
from erplite.security import companies, protected_fields
from erplite.sql import SQL

if TYPE_CHECKING:
    from erplite.orm.fields import Field


class AccessMixin(Recordset):
    """Access rights, field groups and record rules of ``BaseModel``, as the ORM asks them."""

    # ------------------------------------------------------------------------------------------
    # access rights (ir.model.access)
    # ------------------------------------------------------------------------------------------
    def _check_access(self, mode: str) -> None:
        """Raise ``AccessError`` unless the user's access rights allow ``mode`` on the model."""
        if self.env.su:
            return
        security.check_model_access(self.env, self._name, mode)

    def check_access_rights(self, operation: str, raise_exception: bool = True) -> bool:
        """Whether the user's access rights allow ``operation`` on this model."""
        if self.env.su:
            return True
        return security.check_model_access(self.env, self._name, operation, raise_exception)

    def check_access_rule(self, operation: str) -> None:
        """Raise ``AccessError`` if a record rule refuses ``operation`` on ``self``."""
        self._check_rules(operation)

    def check_access(self, operation: str) -> None:
        """Odoo 18's combined check: access rights, then record rules."""
        self.check_access_rights(operation)
        self.check_access_rule(operation)

    # ------------------------------------------------------------------------------------------
    # field groups
    # ------------------------------------------------------------------------------------------
    def _check_field_access(self, field_names: Iterable[str], mode: str) -> None:
        """Raise ``AccessError`` if the user may not ``mode`` one of ``field_names`` (their
        ``groups=``); unknown names are left to the caller."""
        if self.env.su:
            return
        security.check_field_access(self, field_names, mode)

    def _field_accessible(self, field: Field) -> bool:
        """Whether the user may see ``field`` of this model (its ``groups=``)."""
        return security.field_accessible(self.env, field)

    def _check_protected_write(self, vals: Mapping[str, Any]) -> None:
        """Refuse a write of ``vals`` that changes a protected field (``_protected_fields``)."""
        protected_fields.check_write(self, vals)

    def _check_protected_create(self, vals_list: list[dict[str, Any]]) -> None:
        """Refuse a create of ``vals_list`` that sets a protected field (``_protected_fields``)."""
        protected_fields.check_create(self, vals_list)

    # ------------------------------------------------------------------------------------------
    # record rules (ir.rule)
    # ------------------------------------------------------------------------------------------
    def _has_rules(self, mode: str) -> bool:
        """Whether record rules restrict ``mode`` on this model for the user (cached)."""
        if self.env.su:
            return False
        return security.has_rules(self, mode)

    def _rule_condition(self, mode: str, alias: str, query: Query) -> SQL | None:
        """The SQL condition of the record rules of this model (and of its ``_inherits``
        parents) for ``mode`` on table ``alias`` of ``query``; None when nothing restricts.
        The domain compiler asks it for the comodel of a join."""
        if self.env.su:
            return None
        return security.rule_sql(self, mode, alias, query)

    def _apply_rules(self, query: Query, mode: str = "read") -> None:
        """Restrict ``query`` to the records the record rules let the user see."""
        if self.env.su:
            return
        condition = security.rule_sql(self, mode, query.alias, query)
        if condition is not None:
            query.add_where(condition)

    def _rule_allowed_ids(self, mode: str) -> set[int] | None:
        """The ids of ``self`` the record rules allow for ``mode`` (one query), or None when
        no rule restricts ``mode``."""
        query = Query(self.env, self._table)
        condition = security.rule_sql(self, mode, query.alias, query)
        if condition is None:
            return None
        self.env.flush_all()
        query.add_where(
            SQL("%s = ANY(%s)", SQL.identifier(query.alias, "id"), array_param(self._ids, "int4"))
        )
        query.add_where(condition)
        self.env.cr.execute(query.select(), flush=False)
        return {row[0] for row in self.env.cr.fetchall()}

    def _check_rules(self, mode: str) -> None:
        """Raise ``AccessError`` if a record rule hides any record of ``self`` for ``mode``;
        one query whatever the number of records."""
        if self.env.su or not self._ids:
            return
        allowed = self._rule_allowed_ids(mode)
        if allowed is None:
            return
        refused = [i for i in self._ids if i not in allowed]
        if refused:
            forbidden = self.browse(refused).sudo().exists()
            if forbidden:
                raise self.browse(forbidden._ids)._access_error(mode)
            # the refused records are gone: nothing to say when reading or deleting them
            if mode not in ("read", "unlink"):
                raise MissingError(
                    f"Record does not exist or has been deleted.\n(Record: {self.browse(refused)!r}, "
                    f"User: {self.env.uid})"
                )

    def _filter_access_rules(self, operation: str) -> Any:
        """The records of ``self`` the record rules allow for ``operation``."""
        if self.env.su or not self._ids:
            return self
        allowed = self._rule_allowed_ids(operation)
        if allowed is None:
            return self
        return self.browse([i for i in self._ids if i in allowed])

    def _access_error(self, mode: str) -> AccessError:
        """The error for the records of ``self`` refused by record rules for ``mode``, as
        Odoo words it."""
        return security.make_access_error(self, mode)

    def _raise_missing_or_forbidden(self, ids: list[int], mode: str) -> None:
        """Raise ``AccessError`` for ids that exist but are hidden, else ``MissingError``."""
        existing = self.browse(ids).sudo().exists()
        if existing:
            raise self.browse(existing._ids)._access_error(mode)
        raise MissingError(
            f"Record does not exist or has been deleted.\n(Record: {self.browse(ids)!r}, "
            f"User: {self.env.uid})"
        )

    # ------------------------------------------------------------------------------------------
    # companies
    # ------------------------------------------------------------------------------------------
    def _check_company(self, fnames: Iterable[str] | None = None) -> None:
        """Refuse relational values of another company (``check_company=True`` fields)."""
        companies.check_company(self, fnames)

    @staticmethod
    def _company_moving_fields(fields: Mapping[str, Any]) -> frozenset[str]:
        """The names among ``fields`` whose change moves a record to another company (a write
        of one of them checks the record rules on the new values too)."""
        return companies.company_moving_fields(fields)


__all__ = ["AccessMixin"]
