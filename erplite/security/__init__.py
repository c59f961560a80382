"""The security layer: one function per question, called by the ORM's public methods.

- May this user do X on model M?  :func:`check_model_access` (``ir.model.access``)
- Which records of M may this user see or change?  :func:`rule_sql` / :func:`rule_domain`
  (``ir.rule``, compiled into the query's SQL, never a list of ids)
- May this user see or write field F?  :func:`field_accessible`, :func:`check_field_access`
- Which groups is the user in?  :func:`user_group_ids` (implied groups included),
  :func:`has_group`

A superuser environment (``sudo()`` or uid 1) is the only bypass: the ORM does not call these
functions for it, and no context key changes what they answer.

Caching. Answers are cached in ``registry.access_cache``, shared by every transaction of the
process. A transaction that changes groups, rights, rules or the users' groups and companies
calls :func:`invalidate_access_cache`: the shared cache is emptied, and from then on that
transaction caches in a dictionary of its own (what it computes may be rolled back, so it must
not leak to others). Once it commits, the shared cache is emptied again and the change is
signalled to the other processes through the sequence ``erplite_access_signal``; a process
calls :func:`check_access_signal` at the start of a request to drop what it cached before.

Credentials live beside: :mod:`passwords`, :mod:`apikeys`, :mod:`totp`, :mod:`throttle`, and
are used by ``res.users`` (base module). Logging in, for the HTTP layer::

    uid = env["res.users"].authenticate(db, login, password,
                                         {"interactive": False, "REMOTE_ADDR": address})
    # AccessDenied: wrong credentials (one message) or throttled (``retry_after`` set);
    # interactive=False (RPC): an API key is accepted instead of the password.
    try:
        uid = env["res.users"].authenticate(db, login, password, {"interactive": True, ...})
    except SecondFactorRequired as pending:       # password right, TOTP enabled
        ...                                       # keep pending.uid, ask for the code, then
        env["res.users"].browse(pending.uid)._totp_check(code, user_agent_env)
    key_uid = env["res.users.apikeys"]._check_credentials(scope="rpc", key=bearer_key)
"""

from __future__ import annotations

import logging
from typing import Any

from erplite.exceptions import AccessDenied, AccessError
from erplite.sql import SQL

_logger = logging.getLogger(__name__)

_VERBS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}
_MODES = ("read", "write", "create", "unlink")
SIGNAL_SEQUENCE = "erplite_access_signal"


class SecondFactorRequired(AccessDenied):
    """The password was right, and the user has two-factor authentication enabled.

    ``uid`` is the user whose password was checked: the caller keeps it as a *pending* login
    (never as a session user) and completes it with
    ``env["res.users"].browse(uid)._totp_check(code)``. It is an :class:`AccessDenied`, so a
    caller unaware of two-factor authentication refuses the login.
    """

    def __init__(self, uid: int, message: str = "A two-factor authentication code is required."):
        super().__init__(message)
        self.uid = uid


def _check_mode(mode: str) -> str:
    if mode not in _MODES:
        raise ValueError(f"Invalid access mode {mode!r}")
    return mode


def _model_label(env: Any, model_name: str) -> str:
    model = env.registry.models.get(model_name)
    return model._description if model is not None and model._description else model_name


# ---------------------------------------------------------------------------------------------
# caches
# ---------------------------------------------------------------------------------------------


def _cache(env: Any) -> dict:
    """The cache to use: the registry's, or the transaction's own once it changed security
    data (what it computes then may be rolled back)."""
    transaction = env.transaction
    if getattr(transaction, "access_dirty", False):
        return transaction.access_cache
    return env.registry.access_cache


def shared_cache(env: Any) -> dict:
    """The cache of answers derived from security data (groups, rights, rules) and from the
    other data invalidated with it (views, menus, actions: see ``ir.ui.view``): the registry's,
    or the transaction's own once it changed such data. A module caches there what must be
    dropped when :func:`invalidate_access_cache` runs, in this process and in the others."""
    return _cache(env)


def invalidate_access_cache(env: Any) -> None:
    """Forget cached groups, rights, rules and field accesses: the security data changed in
    ``env``'s transaction. Other transactions and processes stop using the old answers once
    it commits."""
    registry = env.registry
    registry.clear_access_cache()
    transaction = env.transaction
    transaction.access_cache.clear()
    if getattr(transaction, "access_dirty", False):
        return
    transaction.access_dirty = True
    cr = env.cr

    def committed() -> None:
        transaction.access_dirty = False
        transaction.access_cache.clear()
        registry.clear_access_cache()
        _signal_change(registry)

    def rolled_back() -> None:
        transaction.access_dirty = False
        transaction.access_cache.clear()

    cr.postcommit.add(committed)
    cr.postrollback.add(rolled_back)


def ensure_signal_sequence(cr: Any) -> None:
    """Create the sequence signalling security changes between processes (idempotent)."""
    cr.execute(
        SQL("CREATE SEQUENCE IF NOT EXISTS %s", SQL.identifier(SIGNAL_SEQUENCE)), flush=False
    )


def _signal_change(registry: Any) -> None:
    """Tell the other processes that the security data changed (after a commit)."""
    import psycopg

    try:
        with registry.cursor() as cr:
            cr.execute(SQL("SELECT nextval(%s)", SIGNAL_SEQUENCE), flush=False)
            registry.access_signal = cr.fetchone()[0]
    except psycopg.Error:  # a database without the sequence (not upgraded yet): nothing to tell
        _logger.warning("cannot signal a security change to other processes", exc_info=True)


def check_access_signal(registry: Any, cr: Any) -> bool:
    """Drop the process's cached security answers if another process changed security data
    since they were cached (one query). Returns whether the cache was dropped."""
    cr.execute(
        SQL("SELECT last_value, is_called FROM %s", SQL.identifier(SIGNAL_SEQUENCE)), flush=False
    )
    last_value, is_called = cr.fetchone()
    value = last_value if is_called else 0
    known = getattr(registry, "access_signal", None)
    registry.access_signal = value
    if known != value:
        registry.clear_access_cache()
        return known is not None
    return False


# ---------------------------------------------------------------------------------------------
# groups
# ---------------------------------------------------------------------------------------------


def user_group_ids(env: Any, uid: int) -> frozenset[int]:
    """The groups of ``uid``, implied groups included (one query, then cached)."""
    cache = _cache(env)
    key = ("groups", uid)
    groups = cache.get(key)
    if groups is None:
        if "res.groups" not in env.registry.models:
            return frozenset()
        env.cr.execute(
            SQL(
                "WITH RECURSIVE g(id) AS ("
                " SELECT gid FROM res_groups_users_rel WHERE uid = %s"
                " UNION SELECT r.hid FROM res_groups_implied_rel r JOIN g ON r.gid = g.id"
                ") SELECT id FROM g",
                uid,
            ),
            flush=False,
        )
        groups = frozenset(row[0] for row in env.cr.fetchall())
        cache[key] = groups
    return groups


def group_id(env: Any, xml_id: str) -> int | None:
    """The id of the group of external id ``module.name`` (None if there is none); cached."""
    cache = _cache(env)
    key = ("xmlid", xml_id)
    if key not in cache:
        if "." not in xml_id:
            raise ValueError(f"External ID must be fully qualified: {xml_id!r}")
        model, res_id = (
            env["ir.model.data"].sudo()._xmlid_to_res_model_res_id(xml_id, raise_if_not_found=False)
        )
        cache[key] = res_id if model == "res.groups" else None
    return cache[key]


_group_id = group_id  # former private name


def has_group(env: Any, uid: int, xml_id: str) -> bool:
    """Whether user ``uid`` is in the group ``module.name`` (directly or by implication)."""
    gid = group_id(env, xml_id)
    return bool(gid) and gid in user_group_ids(env, uid)


def has_groups(env: Any, uid: int, groups: str) -> bool:
    """Odoo's ``user_has_groups``: ``groups`` is a comma-separated list of external ids, each
    optionally negated with ``!``; true if the user is in none of the negated groups and in
    at least one of the others (or there are no others)."""
    positive, negative = [], []
    for xml_id in groups.split(","):
        xml_id = xml_id.strip()
        if not xml_id:
            continue
        if xml_id.startswith("!"):
            negative.append(xml_id[1:].strip())
        else:
            positive.append(xml_id)
    if any(has_group(env, uid, xml_id) for xml_id in negative):
        return False
    return not positive or any(has_group(env, uid, xml_id) for xml_id in positive)


# ---------------------------------------------------------------------------------------------
# access rights
# ---------------------------------------------------------------------------------------------


def check_model_access(env: Any, model_name: str, mode: str, raise_exception: bool = True) -> bool:
    """Whether the access rights of the user's groups allow ``mode`` on ``model_name``.

    Rights add up over the groups (implied ones included); a right without a group applies
    to everyone; no matching right means no access. Refusals raise ``AccessError`` with
    Odoo's message (unless ``raise_exception`` is false).
    """
    if env.su:
        return True
    mode = _check_mode(mode)
    cache = _cache(env)
    key = ("access", env.uid, model_name, mode)
    allowed = cache.get(key)
    if allowed is None:
        if "ir.model.access" not in env.registry.models:
            allowed = False
        else:
            _flush_security_data(env)
            groups = sorted(user_group_ids(env, env.uid))
            column = SQL.identifier("a", f"perm_{mode}")
            env.cr.execute(
                SQL(
                    "SELECT 1 FROM ir_model_access a JOIN ir_model m ON m.id = a.model_id "
                    "WHERE m.model = %s AND a.active AND %s "
                    "AND (a.group_id IS NULL OR a.group_id = ANY(%s)) LIMIT 1",
                    model_name,
                    column,
                    groups,
                ),
                flush=False,
            )
            allowed = env.cr.fetchone() is not None
        cache[key] = allowed
    if not allowed and raise_exception:
        raise _model_access_error(env, model_name, mode)
    return allowed


def _model_access_error(env: Any, model_name: str, mode: str) -> AccessError:
    """Odoo's message: the operation refused, the groups that would allow it, what to do."""
    message = (
        f"You are not allowed to {_VERBS[mode]} '{_model_label(env, model_name)}' "
        f"({model_name}) records."
    )
    _logger.info(
        "Access Denied by ACLs for operation: %s, uid: %s, model: %s", mode, env.uid, model_name
    )
    names: list[str] = []
    if "ir.model.access" in env.registry.models:
        _flush_security_data(env)
        column = SQL.identifier("a", f"perm_{mode}")
        env.cr.execute(
            SQL(
                "SELECT DISTINCT a.group_id FROM ir_model_access a JOIN ir_model m ON m.id = a.model_id "
                "WHERE m.model = %s AND a.active AND %s AND a.group_id IS NOT NULL",
                model_name,
                column,
            ),
            flush=False,
        )
        ids = [row[0] for row in env.cr.fetchall()]
        names = sorted(env(su=True)["res.groups"].browse(ids).mapped("full_name"))
    if names:
        info = "This operation is allowed for the following groups:\n" + "\n".join(
            f"\t- {name}" for name in names
        )
    else:
        info = "No group currently allows this operation."
    return AccessError(
        f"{message}\n\n{info}\n\nContact your administrator to request access if necessary."
    )


# ---------------------------------------------------------------------------------------------
# record rules
# ---------------------------------------------------------------------------------------------


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

    def __iter__(self):
        return iter(self._record._ids)

    def __len__(self) -> int:
        return len(self._record)

    def __bool__(self) -> bool:
        return bool(self._record._ids)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RecordProxy):
            return (
                self._record._name == other._record._name
                and self._record._ids == other._record._ids
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._record._name, self._record._ids))

    def __repr__(self) -> str:
        return f"RecordProxy({self._record!r})"


def _eval_context(env: Any) -> dict:
    """The names a ``domain_force`` sees: ``user``, ``company_id``, ``company_ids``, ``time``
    (and the date helpers of :func:`erplite.tools.safe_eval.date_context`)."""
    from erplite.tools.safe_eval import date_context

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


def _plain_values(domain: list) -> list:
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
                flat: list = []
                for v in value:
                    flat.extend(v) if isinstance(v, RecordProxy) else flat.append(v)
                value = flat
            item = (field_expr, operator, value)
        result.append(item)
    return result


def _rules(env: Any, model_name: str, mode: str) -> list[tuple[int, str, str, bool]]:
    """``(id, name, domain_force, global)`` of the active rules of ``model_name`` for
    ``mode`` that concern the user (global ones and those of the user's groups)."""
    if "ir.rule" not in env.registry.models:
        return []
    _flush_security_data(env)
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
    return env.cr.fetchall()


def _flush_security_data(env: Any) -> None:
    """Send the pending ORM writes of the tables the security queries read (many2many
    relations are written at once; access rows and rules are not)."""
    models = env.registry.models
    if "ir.model.access" in models and (env.transaction.towrite or env.transaction.tocompute):
        sudo = env(su=True)
        for name in ("ir.model.access", "ir.rule"):
            if name in models:
                sudo[name].flush_model()


def _companies_key(env: Any) -> tuple:
    return tuple(env.context.get("allowed_company_ids") or ())


def rule_domain(env: Any, model_name: str, mode: str = "read") -> list | None:
    """The domain restricting ``model_name`` for ``mode`` by its own rules: global rules
    intersected, group rules united then intersected with them. ``None`` when nothing
    restricts. (The rules of ``_inherits`` parents are added by :func:`rule_tree`.)"""
    if env.su:
        return None
    mode = _check_mode(mode)
    key = ("rules", env.uid, model_name, mode, _companies_key(env))
    cache = _cache(env)
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


def rule_tree(model: Any, mode: str) -> Any:
    """The rules of ``model`` for ``mode``, those of its ``_inherits`` parents included, as a
    domain tree, or ``None`` when nothing restricts. Cached like the rules; it is optimized
    for each query (see :func:`rule_sql`), as searchable non-stored fields may answer with
    the data of the moment."""
    env = model.env
    if env.su:
        return None
    mode = _check_mode(mode)
    key = ("rule_tree", env.uid, model._name, mode, _companies_key(env))
    cache = _cache(env)
    if key in cache:
        return cache[key]
    from erplite.orm.domains import Domain, DomainCondition

    tree = None
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


def has_rules(model: Any, mode: str) -> bool:
    """Whether record rules apply to ``mode`` on ``model`` for the user (cached)."""
    return rule_tree(model, mode) is not None


def rule_sql(model: Any, mode: str, alias: str, query: Any) -> SQL | None:
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


def make_access_error(records: Any, mode: str) -> AccessError:
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
        f"- {_model_label(env, model)} ({model})"
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


# ---------------------------------------------------------------------------------------------
# field groups
# ---------------------------------------------------------------------------------------------


def field_accessible(env: Any, field: Any) -> bool:
    """Whether the user may see ``field`` (its ``groups``, with ``!`` negation)."""
    if env.su or not field.groups:
        return True
    key = ("field", env.uid, field.groups)
    cache = _cache(env)
    if key in cache:
        return cache[key]
    allowed = has_groups(env, env.uid, field.groups)
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
        _logger.info(
            "Access Denied by fields groups for operation: %s, uid: %s, model: %s, fields: %s",
            mode,
            env.uid,
            model._name,
            ", ".join(refused),
        )
        raise AccessError(
            "The requested operation can not be completed due to security restrictions.\n\n"
            f"Document type: {_model_label(env, model._name)} ({model._name})\n"
            f"Operation: {mode}\nUser: {env.uid}\nFields:\n"
            + "\n".join(f"- {name}" for name in refused)
        )


__all__ = [
    "SecondFactorRequired",
    "check_model_access",
    "rule_domain",
    "rule_tree",
    "rule_sql",
    "has_rules",
    "make_access_error",
    "field_accessible",
    "check_field_access",
    "user_group_ids",
    "group_id",
    "has_group",
    "has_groups",
    "RecordProxy",
    "invalidate_access_cache",
    "shared_cache",
    "check_access_signal",
    "ensure_signal_sequence",
]
