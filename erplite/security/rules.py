"""Record rules (``ir.rule``): which records of model M may this user see or change.

Global rules are intersected; the rules of the user's groups are united, then intersected with
the global ones; ``domain_force`` is evaluated by the restricted evaluator with ``user``,
``company_id``, ``company_ids``, ``time``. The result is compiled into the query's SQL
(:func:`rule_sql`), never into a list of ids. Answers are cached (see :mod:`.cache`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from erplite.exceptions import AccessError
from erplite.orm.domains import AND, OR, Domain, DomainCondition, DomainNary, DomainNot
from erplite.security.access import Records, check_mode, flush_security_data, model_label
from erplite.security.cache import access_cache
from erplite.security.groups import has_group, user_group_ids
from erplite.sql import SQL
from erplite.tools.safe_eval import date_context, safe_eval_domain

if TYPE_CHECKING:
    from erplite.orm.environment import Environment
    from erplite.orm.query import Query

_logger = logging.getLogger("erplite.security")

#: a rule as read: (id, name, domain_force, global)
Rule = tuple[int, str, str, bool]


class RecordProxy:
    """A read-only view of a record for rule domains: ``user.id``, ``user.company_id.id``,
    ``user.company_ids.ids``, ``user.partner_id.id`` and the like. A proxy used as a value
    in a domain stands for its ids."""

    _safe_eval_attributes = frozenset(
        {
            "id",
            "ids",
            "company_id",
            "company_ids",
            "partner_id",
            "groups_id",
            "login",
            "name",
            "commercial_partner_id",
            "parent_id",
            "employee_ids",
            "email",
            "share",
            "lang",
            "tz",
        }
    )

    def __init__(self, record: Any):
        self._record = record

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._safe_eval_attributes:
            raise AttributeError(name)
        record = self._record
        if name == "ids":
            return list(record._ids)
        if name == "id":
            return record._ids[0] if record._ids else False
        if name not in record._fields:
            if name == "commercial_partner_id":
                name = "partner_id" if "partner_id" in record._fields else "id"
                if name == "id":
                    return self
            else:
                raise AttributeError(name)
        value = record[name] if len(record) == 1 else record.mapped(name)
        if hasattr(value, "_ids"):
            return RecordProxy(value)
        return value

    def __iter__(self) -> Iterator[Any]:
        return iter(self._record._ids)

    def __len__(self) -> int:
        return len(self._record)

    def __bool__(self) -> bool:
        return bool(self._record._ids)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RecordProxy):
            return bool(
                self._record._name == other._record._name
                and self._record._ids == other._record._ids
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._record._name, self._record._ids))

    def __repr__(self) -> str:
        return f"RecordProxy({self._record!r})"


def _eval_context(env: Environment) -> dict[str, Any]:
    """The names a ``domain_force`` sees: ``user``, ``company_id``, ``company_ids``, ``time``
    (and the date helpers of :func:`erplite.tools.safe_eval.date_context`)."""
    user = env(su=True)["res.users"].browse(env.uid)
    context = date_context()
    context.update(
        {
            "user": RecordProxy(user),
            "company_id": env.company.id,
            "company_ids": list(env.companies.ids),
        }
    )
    return context


def _plain_values(domain: list[Any]) -> list[Any]:
    """Replace record proxies in the leaves of ``domain`` by ids."""
    result = []
    for item in domain:
        if isinstance(item, list | tuple) and len(item) == 3:
            field_expr, operator, value = item
            if isinstance(value, RecordProxy):
                ids = list(value)
                if str(operator).lower() in ("in", "not in", "child_of", "parent_of"):
                    value = ids
                else:
                    value = ids[0] if len(ids) == 1 else (ids or False)
            elif isinstance(value, list | tuple) and any(isinstance(v, RecordProxy) for v in value):
                flat: list[Any] = []
                for v in value:
                    flat.extend(v) if isinstance(v, RecordProxy) else flat.append(v)
                value = flat
            item = (field_expr, operator, value)
        result.append(item)
    return result


def _rules(env: Environment, model_name: str | None, mode: str) -> list[Rule]:
    """``(id, name, domain_force, global)`` of the active rules of ``model_name`` for
    ``mode`` that concern the user (global ones and those of the user's groups)."""
    if "ir.rule" not in env.registry.models:
        return []
    flush_security_data(env)
    groups = sorted(user_group_ids(env, env.uid))
    column = SQL.identifier("r", f"perm_{mode}")
    env.cr.execute(
        SQL(
            'SELECT r.id, r.name, r.domain_force, r."global" FROM ir_rule r '
            "JOIN ir_model m ON m.id = r.model_id "
            'WHERE m.model = %s AND r.active AND %s AND (r."global" OR EXISTS ('
            " SELECT 1 FROM rule_group_rel g WHERE g.rule_group_id = r.id AND g.group_id = ANY(%s)"
            ")) ORDER BY r.id",
            model_name,
            column,
            groups,
        ),
        flush=False,
    )
    rows: list[Rule] = env.cr.fetchall()
    return rows


def _companies_key(env: Environment) -> tuple[int, ...]:
    return tuple(env.context.get("allowed_company_ids") or ())


def rule_domain(env: Environment, model_name: str | None, mode: str = "read") -> list[Any] | None:
    """The domain restricting ``model_name`` for ``mode`` by its own rules: global rules
    intersected, group rules united then intersected with them. ``None`` when nothing
    restricts. (The rules of ``_inherits`` parents are added by :func:`rule_tree`.)"""
    if env.su:
        return None
    mode = check_mode(mode)
    key = ("rules", env.uid, model_name, mode, _companies_key(env))
    cache = access_cache(env)
    if key in cache:
        cached: list[Any] | None = cache[key]
        return cached
    rules = _rules(env, model_name, mode)
    if not rules:
        cache[key] = None
        return None
    eval_context = _eval_context(env)
    global_domains: list[list[Any]] = []
    group_domains: list[list[Any]] = []
    for rule_id, name, domain_force, is_global in rules:
        domain = safe_eval_domain(
            domain_force or "[]", eval_context, filename=f"ir.rule {rule_id} ({name})"
        )
        domain = _plain_values(domain) or [(1, "=", 1)]
        (global_domains if is_global else group_domains).append(domain)
    parts = list(global_domains)
    if group_domains:
        parts.append(OR(group_domains))
    result = AND(parts)
    cache[key] = result
    return result


def rule_tree(model: Records, mode: str) -> Domain | None:
    """The rules of ``model`` for ``mode``, those of its ``_inherits`` parents included, as a
    domain tree, or ``None`` when nothing restricts. Cached like the rules; it is optimized
    for each query (see :func:`rule_sql`), as searchable non-stored fields may answer with
    the data of the moment."""
    env = model.env
    if env.su:
        return None
    mode = check_mode(mode)
    key = ("rule_tree", env.uid, model._name, mode, _companies_key(env))
    cache = access_cache(env)
    if key in cache:
        cached: Domain | None = cache[key]
        return cached
    tree: Domain | None = None
    domain = rule_domain(env, model._name, mode)
    if domain is not None:
        tree = Domain(domain)
    for parent_model, fk in model._inherits.items():
        parent_tree = rule_tree(env[parent_model], mode)
        if parent_tree is not None:
            condition = DomainCondition(fk, "any", parent_tree)
            tree = condition if tree is None else tree & condition
    cache[key] = tree
    return tree


def has_rules(model: Records, mode: str) -> bool:
    """Whether record rules apply to ``mode`` on ``model`` for the user (cached)."""
    return rule_tree(model, mode) is not None


def rule_inputs(model: Records, mode: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """What the rules of ``model`` for ``mode`` read, for who remembers their verdicts: the
    fields of the checked records themselves, and the models whose any change may change the
    verdict on any record (reached through a relation or a hierarchy; ``"*"`` when code decides,
    a field's search method, so that any change may). ``None`` when no rule restricts."""
    env = model.env
    tree = rule_tree(model, mode)
    if tree is None:
        return None
    key = ("rule_inputs", env.uid, model._name, check_mode(mode), _companies_key(env))
    cache = access_cache(env)
    if key in cache:
        cached: tuple[frozenset[str], frozenset[str]] = cache[key]
        return cached
    fields: set[str] = set()
    models: set[str] = set()
    _tree_inputs(model, tree, fields, models, own=True)
    result = (frozenset(fields), frozenset(models))
    cache[key] = result
    return result


def _tree_inputs(model: Records, node: Any, fields: set[str], models: set[str], own: bool) -> None:
    """Add what ``node`` (a domain on ``model``) reads to ``fields`` (of ``model``'s records
    themselves when ``own``) and ``models``."""
    item: Any = node  # the node types declare their attributes as slots, untyped
    if isinstance(node, DomainCondition):
        path = item.field_expr.split(".")
        _path_inputs(model, path, item.operator, item.value, fields, models, own)
    elif isinstance(node, DomainNot):
        _tree_inputs(model, item.child, fields, models, own)
    elif isinstance(node, DomainNary):
        for child in item.children:
            _tree_inputs(model, child, fields, models, own)


def _path_inputs(
    model: Records,
    path: list[str],
    operator: str,
    value: Any,
    fields: set[str],
    models: set[str],
    own: bool,
) -> None:
    """Add what the condition ``(".".join(path), operator, value)`` on ``model`` reads."""
    name, rest = path[0], path[1:]
    field = model._fields.get(name)
    if field is None:
        models.add("*")
        return
    if own:
        fields.add(name)
    else:
        models.add(str(model._name))
    if not field.store:
        if field.related:
            related = field.related.split(".")
            _path_inputs(model, related + rest, operator, value, fields, models, own)
        else:  # a search method: code, which may read anything
            models.add("*")
        return
    if operator in ("child_of", "parent_of"):
        # the hierarchy is other records' data
        models.add(str(model._name))
    if not field.relational:
        return
    comodel = model.env[field.comodel_name]
    if field.type != "many2one" or rest or operator in ("any", "not any", "child_of", "parent_of"):
        models.add(str(comodel._name))
    if rest:
        _path_inputs(comodel, rest, operator, value, fields, models, own=False)
    elif isinstance(value, Domain):
        _tree_inputs(comodel, value, fields, models, own=False)
    elif isinstance(value, str) and operator not in ("child_of", "parent_of"):
        models.add("*")  # a name search on the comodel: its display name may be computed


def rule_sql(model: Records, mode: str, alias: str, query: Query) -> SQL | None:
    """The SQL condition of the record rules of ``model`` (and of its ``_inherits`` parents)
    for ``mode``, on table ``alias``; ``None`` when nothing restricts."""
    tree = rule_tree(model, mode)
    if tree is None:
        return None
    # rule domains are evaluated as superuser: what they reference is not itself filtered
    sudo_model = model.sudo().with_context(active_test=False)
    tree = tree.optimize(sudo_model)
    if tree.is_true():
        return None
    return tree.to_sql(sudo_model, alias, query)


def make_access_error(records: Records, mode: str) -> AccessError:
    """The error for records refused by record rules, as Odoo words it. Users in
    ``base.group_no_one`` (technical features) also get the records and the rules."""
    env = records.env
    model = records._name
    _logger.info(
        "Access Denied by record rules for operation: %s on record ids: %r, uid: %s, model: %s",
        mode,
        list(records._ids[:6]),
        env.uid,
        model,
    )
    user = env(su=True)["res.users"].browse(env.uid)
    user_description = f"{user.name} (id={env.uid})"
    message = (
        "Uh-oh! Looks like you have stumbled upon some top-secret records.\n\n"
        f"Sorry, {user_description} doesn't have '{mode}' access to:\n"
        f"- {model_label(env, model)} ({model})"
    )
    resolution = (
        "If you really, really need access, perhaps you can win over your friendly "
        "administrator with a batch of freshly baked cookies."
    )
    if has_group(env, env.uid, "base.group_no_one") and has_group(env, env.uid, "base.group_user"):
        names = [
            name or f"#{rule_id}" for rule_id, name, _domain, _global in _rules(env, model, mode)
        ]
        message += f"\n\nRecords: {list(records._ids[:6])}{'...' if len(records._ids) > 6 else ''}"
        if names:
            message += "\n\nBlame the following rules:\n" + "\n".join(f"- {n}" for n in names)
    return AccessError(f"{message}\n\n{resolution}")
