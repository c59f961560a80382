"""The security layer: one function per question, called by the ORM's public methods.

- May this user do X on model M?  :func:`check_model_access` (``ir.model.access``)
- Which records of M may this user see or change?  :func:`rule_sql` / :func:`rule_domain`
  (``ir.rule``, compiled into the query's SQL)
- May this user see or write field F?  :func:`field_accessible`, :func:`check_field_access`
- Which groups is the user in?  :func:`user_group_ids` (implied groups included)

A superuser environment (``sudo()`` or uid 1) is the only bypass: the ORM does not call these
functions for it, and no context key changes what they answer. Results are cached in the
registry per user (and allowed companies for rules), and dropped whenever groups, access rights
or rules change.

Credentials live beside: :mod:`passwords`, :mod:`apikeys`, :mod:`totp`, :mod:`throttle`.
"""

from __future__ import annotations

from typing import Any

from erplite.exceptions import AccessError
from erplite.sql import SQL

_VERBS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}
_MODES = ("read", "write", "create", "unlink")


def _check_mode(mode: str) -> str:
    if mode not in _MODES:
        raise ValueError(f"Invalid access mode {mode!r}")
    return mode


def _model_label(env: Any, model_name: str) -> str:
    model = env.registry.models.get(model_name)
    return (model._description if model is not None and model._description else model_name)


# ---------------------------------------------------------------------------------------------
# groups
# ---------------------------------------------------------------------------------------------


def user_group_ids(env: Any, uid: int) -> frozenset[int]:
    """The groups of ``uid``, implied groups included (one query, then cached)."""
    cache = env.registry.access_cache
    key = ("groups", uid)
    groups = cache.get(key)
    if groups is None:
        if "res.groups" not in env.registry.models:
            return frozenset()
        env.cr.execute(SQL(
            "WITH RECURSIVE g(id) AS ("
            " SELECT gid FROM res_groups_users_rel WHERE uid = %s"
            " UNION SELECT r.hid FROM res_groups_implied_rel r JOIN g ON r.gid = g.id"
            ") SELECT id FROM g", uid), flush=False)
        groups = frozenset(row[0] for row in env.cr.fetchall())
        cache[key] = groups
    return groups


def _group_id(env: Any, xml_id: str) -> int | None:
    cache = env.registry.access_cache
    key = ("xmlid", xml_id)
    if key not in cache:
        model, res_id = env["ir.model.data"].sudo()._xmlid_to_res_model_res_id(xml_id)
        cache[key] = res_id if model == "res.groups" else None
    return cache[key]


# ---------------------------------------------------------------------------------------------
# access rights
# ---------------------------------------------------------------------------------------------


def check_model_access(env: Any, model_name: str, mode: str, raise_exception: bool = True) -> bool:
    """Whether the access rights of the user's groups allow ``mode`` on ``model_name``.

    Rights add up over the groups (implied ones included); a right without a group applies
    to everyone; no matching right means no access.
    """
    if env.su:
        return True
    mode = _check_mode(mode)
    cache = env.registry.access_cache
    key = ("access", env.uid, model_name, mode)
    allowed = cache.get(key)
    if allowed is None:
        if "ir.model.access" not in env.registry.models:
            allowed = False
        else:
            groups = sorted(user_group_ids(env, env.uid))
            column = SQL.identifier("a", f"perm_{mode}")
            env.cr.execute(SQL(
                "SELECT 1 FROM ir_model_access a JOIN ir_model m ON m.id = a.model_id "
                "WHERE m.model = %s AND a.active AND %s "
                "AND (a.group_id IS NULL OR a.group_id = ANY(%s)) LIMIT 1",
                model_name, column, groups), flush=False)
            allowed = env.cr.fetchone() is not None
        cache[key] = allowed
    if not allowed and raise_exception:
        raise AccessError(
            f"You are not allowed to {_VERBS[mode]} '{_model_label(env, model_name)}' "
            f"({model_name}) records."
        )
    return allowed


# ---------------------------------------------------------------------------------------------
# record rules
# ---------------------------------------------------------------------------------------------


class RecordProxy:
    """A read-only view of a record for rule domains: ``user.id``, ``user.company_id.id``,
    ``user.company_ids.ids``, ``user.partner_id.id`` and the like."""

    _safe_eval_attributes = frozenset({
        "id", "ids", "company_id", "company_ids", "partner_id", "groups_id", "login", "name",
        "commercial_partner_id", "parent_id", "employee_ids",
    })

    def __init__(self, record: Any):
        self._record = record

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._safe_eval_attributes:
            raise AttributeError(name)
        record = self._record
        if name == "ids":
            return list(record._ids)
        if name == "id":
            return record.id if len(record) == 1 else (record.ids[0] if record else False)
        if name == "commercial_partner_id" and "commercial_partner_id" not in record._fields:
            name = "partner_id"
        value = record[name] if len(record) == 1 else record.mapped(name)
        if hasattr(value, "_ids"):
            return RecordProxy(value)
        return value

    def __iter__(self):
        return iter(self._record._ids)

    def __len__(self) -> int:
        return len(self._record)


def _eval_context(env: Any) -> dict:
    from erplite.tools.safe_eval import date_context

    user = env(su=True)["res.users"].browse(env.uid)
    context = date_context()
    context.update({
        "user": RecordProxy(user),
        "company_id": env.company.id,
        "company_ids": env.companies.ids,
        "time": context.get("time"),
    })
    return context


def _rules(env: Any, model_name: str, mode: str) -> list[tuple[int, str, str, bool]]:
    """``(id, name, domain_force, global)`` of the active rules of ``model_name`` for
    ``mode`` that concern the user (global ones and those of the user's groups)."""
    if "ir.rule" not in env.registry.models:
        return []
    groups = sorted(user_group_ids(env, env.uid))
    column = SQL.identifier("r", f"perm_{mode}")
    env.cr.execute(SQL(
        "SELECT r.id, r.name, r.domain_force, r.global_ FROM ir_rule r "
        "JOIN ir_model m ON m.id = r.model_id "
        "WHERE m.model = %s AND r.active AND %s AND (r.global_ OR EXISTS ("
        " SELECT 1 FROM rule_group_rel g WHERE g.rule_group_id = r.id AND g.group_id = ANY(%s)"
        ")) ORDER BY r.id", model_name, column, groups), flush=False)
    return env.cr.fetchall()


def rule_domain(env: Any, model_name: str, mode: str = "read") -> list | None:
    """The domain restricting ``model_name`` for ``mode``: global rules intersected, group
    rules united then intersected with them. ``None`` when nothing restricts."""
    if env.su:
        return None
    mode = _check_mode(mode)
    companies = tuple(env.context.get("allowed_company_ids") or ())
    key = ("rules", env.uid, model_name, mode, companies)
    cache = env.registry.access_cache
    if key in cache:
        return cache[key]
    from erplite.orm.domains import AND, OR
    from erplite.tools.safe_eval import safe_eval_domain

    rules = _rules(env, model_name, mode)
    if not rules:
        cache[key] = None
        return None
    eval_context = _eval_context(env)
    global_domains, group_domains = [], []
    for rule_id, name, domain_force, is_global in rules:
        domain = safe_eval_domain(domain_force or "[]", eval_context, filename=f"ir.rule {rule_id} ({name})")
        (global_domains if is_global else group_domains).append(domain or [(1, "=", 1)])
    parts = list(global_domains)
    if group_domains:
        parts.append(OR(group_domains))
    result = AND(parts)
    cache[key] = result
    return result


def rule_sql(model: Any, mode: str, alias: str, query: Any) -> SQL | None:
    """The SQL condition of the record rules of ``model`` (and of its ``_inherits`` parents)
    for ``mode``, on table ``alias``; ``None`` when nothing restricts."""
    env = model.env
    if env.su:
        return None
    from erplite.orm.domains import Domain, DomainCondition

    tree = None
    domain = rule_domain(env, model._name, mode)
    if domain is not None:
        tree = Domain(domain)
    for parent_model, fk in model._inherits.items():
        parent_domain = rule_domain(env, parent_model, mode)
        if parent_domain is not None:
            condition = DomainCondition(fk, "any", Domain(parent_domain))
            tree = condition if tree is None else tree & condition
    if tree is None:
        return None
    # rule domains are evaluated as superuser: what they reference is not itself filtered
    sudo_model = model.sudo().with_context(active_test=False)
    optimized = tree.optimize(sudo_model)
    if optimized.is_true():
        return None
    return optimized.to_sql(sudo_model, alias, query)


def make_access_error(records: Any, mode: str) -> AccessError:
    """The error for records refused by record rules, naming the rules that apply."""
    env = records.env
    names = [name for _id, name, _domain, _global in _rules(env, records._name, mode) if name]
    message = (
        f"Due to security restrictions, you are not allowed to {_VERBS.get(mode, mode)} "
        f"'{_model_label(env, records._name)}' ({records._name}) records.\n\n"
        f"Records: {records._ids[:6]!r}{'...' if len(records._ids) > 6 else ''}, User: {env.uid}"
    )
    if names:
        message += "\n\nThis restriction is due to the following rules:\n" + "\n".join(f"- {n}" for n in names)
    return AccessError(message)


# ---------------------------------------------------------------------------------------------
# field groups
# ---------------------------------------------------------------------------------------------


def field_accessible(env: Any, field: Any) -> bool:
    """Whether the user may see ``field`` (its ``groups``, with ``!`` negation)."""
    if env.su or not field.groups:
        return True
    key = ("field", env.uid, field.groups)
    cache = env.registry.access_cache
    if key in cache:
        return cache[key]
    groups = user_group_ids(env, env.uid)
    positive, negative = [], []
    for xml_id in field.groups.split(","):
        xml_id = xml_id.strip()
        if not xml_id:
            continue
        if xml_id.startswith("!"):
            negative.append(_group_id(env, xml_id[1:]))
        else:
            positive.append(_group_id(env, xml_id))
    allowed = (not positive or any(g in groups for g in positive if g)) and not any(
        g in groups for g in negative if g)
    cache[key] = allowed
    return allowed


def check_field_access(model: Any, field_names: Any, mode: str) -> None:
    """Raise ``AccessError`` if the user may not ``mode`` one of ``field_names``."""
    env = model.env
    if env.su:
        return
    refused = []
    for name in field_names:
        field = model._fields.get(name)
        if field is not None and field.groups and not field_accessible(env, field):
            refused.append(name)
    if refused:
        raise AccessError(
            "The requested operation can not be completed due to security restrictions.\n\n"
            f"Document type: {_model_label(env, model._name)} ({model._name})\n"
            f"Operation: {mode}\nUser: {env.uid}\nFields:\n"
            + "\n".join(f"- {name}" for name in refused)
        )


__all__ = [
    "check_model_access", "rule_domain", "rule_sql", "make_access_error", "field_accessible",
    "check_field_access", "user_group_ids", "RecordProxy",
]
