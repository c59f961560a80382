"""The access gate: the one file of ``erplite/orm`` that asks ``erplite.security``.

Every check the ORM makes on behalf of a user goes through a method of this mixin, and this
file alone imports the security layer; the rest of the ORM (the CRUD methods, the search, the
domain compiler, the fetch) asks the model::

    records._check_access("write")                 # ir.model.access, raises AccessError
    records._check_field_access(["name"], "write") # field groups, raises AccessError
    records._check_rules("write")                  # ir.rule on these records, one query
    records._apply_rules(query, "read")            # ir.rule as a condition of a query
    comodel._rule_condition("read", alias, query)  # the same condition, for a domain's join
    records._check_read_passed()                   # cached values: the read checks, once

A superuser environment is the only bypass: each method answers at once when ``env.su``. The
answers themselves (which groups, rights, rules and field groups) are the security layer's,
cached there; this file only says where the ORM asks.

Values in the transaction's cache are shared by every user of the cursor: a user reading one
passes the read checks of its record first, remembered for the transaction
(``erplite.orm.read_checks``): the records the user's own fetches returned, created or passed
a check cost nothing more.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from erplite import security
from erplite.exceptions import AccessError, MissingError
from erplite.orm.arrays import array_param
from erplite.orm.query import Query
from erplite.orm.read_checks import ANY_DATA, RuleInputs
from erplite.orm.recordset import Recordset
from erplite.security import companies, protected_fields
from erplite.sql import SQL

if TYPE_CHECKING:
    from erplite.orm.fields import Field


class AccessMixin(Recordset):
    """Access rights, field groups and record rules of ``BaseModel``, as the ORM asks them."""

    __slots__ = ()

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

    # ------------------------------------------------------------------------------------------
    # reading cached values (see erplite.orm.read_checks)
    # ------------------------------------------------------------------------------------------
    def _read_rule_inputs(self) -> RuleInputs | None:
        """What the read checks of this model read (None: no record rule restricts them).
        A model whose ``_check_rules`` adds checks of its own (a document's access) may read
        anything."""
        if type(self)._check_rules is not AccessMixin._check_rules:
            return ANY_DATA
        inputs = security.rule_inputs(self, "read")
        if inputs is None:
            return None
        return RuleInputs(*inputs)

    def _note_read_passed(self, ids: Iterable[Any]) -> None:
        """Remember that ``ids`` passed the read checks of the user (rules applied by the
        query that returned them, or checked)."""
        env = self.env
        if env.su:
            return
        inputs = self._read_rule_inputs()
        if inputs is None:
            env.transaction.read_checks.add_every(env, self._name)
        else:
            env.transaction.read_checks.add(env, self._name, ids, inputs)

    def _note_created(self) -> None:
        """The user created ``self``: its values are the user's, readable back from the
        cache as in Odoo (when the user may read the model at all)."""
        if self.env.su or not self.check_access_rights("read", raise_exception=False):
            return
        self._note_read_passed(self._ids)

    def _read_allowed_ids(self, ids: list[int], first_only: bool = False) -> list[int]:
        """The ids among ``ids`` the user may read, remembered as passed; raise
        ``AccessError`` when the user may not read the model at all. The rules are evaluated
        on the cached values when they read nothing but the records' own cached columns
        (as a flush and a query would: the cache holds the pending writes), else by one
        query; the checks of a model's own (``_check_rules`` overridden) on the batch, then
        record by record when it fails (``first_only``: on ``ids[0]`` alone)."""
        env = self.env
        self._check_access("read")
        inputs = self._read_rule_inputs()
        checks = env.transaction.read_checks
        if inputs is None:
            checks.add_every(env, self._name)
            return ids
        if inputs is ANY_DATA:
            allowed = self._own_checks_allowed(ids, first_only)
        else:
            found = self._rules_on_cache(ids, inputs)
            if found is None:
                found = self.browse(ids)._rule_allowed_ids("read")
            allowed = ids if found is None else [i for i in ids if i in found]
        checks.add(env, self._name, allowed, inputs)
        return allowed

    def _own_checks_allowed(self, ids: list[int], first_only: bool) -> list[int]:
        """The ids among ``ids`` that pass ``_check_rules("read")`` (a model's own checks):
        all of them in one call, else each alone (``first_only``: ``ids[0]`` alone)."""
        try:
            self.browse(ids)._check_rules("read")
            return ids
        except AccessError:
            if len(ids) == 1:
                return []
        allowed = []
        for record_id in ids[:1] if first_only else ids:
            try:
                self.browse([record_id])._check_rules("read")
            except AccessError:
                continue
            allowed.append(record_id)
        return allowed

    def _rules_on_cache(self, ids: list[int], inputs: RuleInputs) -> set[int] | None:
        """The ids among ``ids`` the read rules allow, evaluated on their cached values
        (``filtered_domain``), or None when the rules read more than the records' own cached
        columns."""
        if inputs.models:
            return None
        env = self.env
        cache = env.transaction.cache
        for name in inputs.fields:
            if name == "id":
                continue  # known without the cache
            field = self._fields[name]
            if not field.store or field.column_type is None or field.depends_context:
                return None
            if any(not cache.contains(i, field, env) for i in ids):
                return None
        tree = security.rule_tree(self, "read")
        if tree is None:
            return set(ids)
        records: Any = self.browse(ids).sudo()  # a model: BaseModel's filtered_domain
        return set(records.filtered_domain(tree)._ids)

    def _note_search_passed(self, ids: list[int]) -> None:
        """``ids`` came from a search of the user (its query holds the read rules): passed,
        unless the model adds checks of its own (``_check_rules`` overridden)."""
        if not self.env.su and self._read_rule_inputs() is not ANY_DATA:
            self._note_read_passed(ids)

    def _check_read_passed(self) -> None:
        """Raise ``AccessError`` unless the user may read every record of ``self``: the
        records not checked yet in this transaction pass the access rights and the record
        rules, as fetching them would (see ``_read_allowed_ids``)."""
        env = self.env
        if env.su:
            return
        passed = env._read_passed.get(self._name, ())
        unchecked = [i for i in self._ids if i not in passed and isinstance(i, int)]
        if not unchecked:
            return
        allowed = set(self._read_allowed_ids(unchecked))
        refused = [i for i in unchecked if i not in allowed]
        if refused:
            existing = self.browse(refused).sudo().exists()
            if existing:
                raise self.browse(existing._ids)._access_error("read")

    def _filter_read_passed(self) -> list[Any]:
        """The ids of ``self`` the user may read (the others are left out, as a fetch leaves
        them out), the records not checked yet checked as ``_check_read_passed`` does."""
        env = self.env
        if env.su:
            return list(self._ids)
        passed = env._read_passed.get(self._name, ())
        unchecked = [i for i in self._ids if i not in passed and isinstance(i, int)]
        if not unchecked:
            return list(self._ids)
        allowed = set(self._read_allowed_ids(unchecked))
        return [i for i in self._ids if i in passed or i in allowed or not isinstance(i, int)]

    def _check_cached_read(self, ids: list[Any]) -> None:
        """Raise ``AccessError`` unless the user may read the record ``ids[0]`` whose value is
        cached; ``ids`` also holds other records of its prefetch set with cached values,
        checked together (those refused are left unchecked)."""
        if ids[0] not in self._read_allowed_ids(ids, first_only=True):
            record = self.browse(ids[:1])
            if record.sudo().exists():
                raise record._access_error("read")

    def _read_changed(self, ids: Collection[Any] | None, fnames: Iterable[str] | None) -> None:
        """Records of this model changed (``ids``; None: any) in ``fnames`` (None: any, or
        created, deleted): drop the read checks the change may invalidate."""
        self.env.transaction.read_checks.changed(self._name, ids, fnames)

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
