"""Access rights (``ir.model.access``) and field groups (``groups=``): may this user do X on
model M, may this user see or write field F. Answers are cached (see :mod:`.cache`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from erplite.exceptions import AccessError
from erplite.security.cache import access_cache
from erplite.security.groups import has_groups, user_group_ids
from erplite.sql import SQL

if TYPE_CHECKING:
    from erplite.orm.environment import Environment
    from erplite.orm.fields import Field

_logger = logging.getLogger("erplite.security")

VERBS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}
MODES = ("read", "write", "create", "unlink")


class Records(Protocol):
    """What the security layer reads of a recordset (``BaseModel`` and the ORM's access
    mixin have it)."""

    @property
    def env(self) -> Environment: ...
    @property
    def _name(self) -> str | None: ...
    @property
    def _ids(self) -> tuple[Any, ...]: ...
    @property
    def _fields(self) -> Mapping[str, Field]: ...
    @property
    def _inherits(self) -> Mapping[str, str]: ...
    def sudo(self, flag: bool = True) -> Any: ...


def check_mode(mode: str) -> str:
    """``mode`` when it is one of :data:`MODES`, else ``ValueError``."""
    if mode not in MODES:
        raise ValueError(f"Invalid access mode {mode!r}")
    return mode


def model_label(env: Environment, model_name: str | None) -> str:
    """The model's description for messages (its technical name when it has none)."""
    model: Any = env.registry.models.get(model_name) if model_name else None
    return str(model._description if model is not None and model._description else model_name)


def flush_security_data(env: Environment) -> None:
    """Send the pending ORM writes of the tables the security queries read (many2many
    relations are written at once; access rows and rules are not)."""
    models = env.registry.models
    if "ir.model.access" in models and (env.transaction.towrite or env.transaction.tocompute):
        sudo = env(su=True)
        for name in ("ir.model.access", "ir.rule"):
            if name in models:
                sudo[name].flush_model()


# ---------------------------------------------------------------------------------------------
# access rights
# ---------------------------------------------------------------------------------------------


def check_model_access(
    env: Environment, model_name: str, mode: str, raise_exception: bool = True
) -> bool:
    """Whether the access rights of the user's groups allow ``mode`` on ``model_name``.

    Rights add up over the groups (implied ones included); a right without a group applies
    to everyone; no matching right means no access. Refusals raise ``AccessError`` with
    Odoo's message (unless ``raise_exception`` is false).
    """
    if env.su:
        return True
    mode = check_mode(mode)
    cache = access_cache(env)
    key = ("access", env.uid, model_name, mode)
    allowed: bool | None = cache.get(key)
    if allowed is None:
        if "ir.model.access" not in env.registry.models:
            allowed = False
        else:
            flush_security_data(env)
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


def _model_access_error(env: Environment, model_name: str, mode: str) -> AccessError:
    """Odoo's message: the operation refused, the groups that would allow it, what to do."""
    message = (
        f"You are not allowed to {VERBS[mode]} '{model_label(env, model_name)}' "
        f"({model_name}) records."
    )
    _logger.info(
        "Access Denied by ACLs for operation: %s, uid: %s, model: %s", mode, env.uid, model_name
    )
    names: list[str] = []
    if "ir.model.access" in env.registry.models:
        flush_security_data(env)
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
# field groups
# ---------------------------------------------------------------------------------------------


def field_accessible(env: Environment, field: Field) -> bool:
    """Whether the user may see ``field`` (its ``groups``, with ``!`` negation)."""
    if env.su or not field.groups:
        return True
    key = ("field", env.uid, field.groups)
    cache = access_cache(env)
    if key in cache:
        known: bool = cache[key]
        return known
    allowed = has_groups(env, env.uid, field.groups)
    cache[key] = allowed
    return allowed


def check_field_access(model: Records, field_names: Iterable[str], mode: str) -> None:
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
            f"Document type: {model_label(env, model._name)} ({model._name})\n"
            f"Operation: {mode}\nUser: {env.uid}\nFields:\n"
            + "\n".join(f"- {name}" for name in refused)
        )
