"""Which groups a user is in: :func:`user_group_ids` (implied groups included),
:func:`has_group` and Odoo's comma-separated :func:`has_groups`, cached (see :mod:`.cache`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from erplite.security.cache import access_cache
from erplite.sql import SQL

if TYPE_CHECKING:
    from erplite.orm.environment import Environment


def user_group_ids(env: Environment, uid: int | None) -> frozenset[int]:
    """The groups of ``uid``, implied groups included (one query, then cached)."""
    cache = access_cache(env)
    key = ("groups", uid)
    groups: frozenset[int] | None = cache.get(key)
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


def group_id(env: Environment, xml_id: str) -> int | None:
    """The id of the group of external id ``module.name`` (None if there is none); cached."""
    cache = access_cache(env)
    key = ("xmlid", xml_id)
    if key not in cache:
        if "." not in xml_id:
            raise ValueError(f"External ID must be fully qualified: {xml_id!r}")
        model, res_id = (
            env["ir.model.data"].sudo()._xmlid_to_res_model_res_id(xml_id, raise_if_not_found=False)
        )
        cache[key] = res_id if model == "res.groups" else None
    found: int | None = cache[key]
    return found


def has_group(env: Environment, uid: int | None, xml_id: str) -> bool:
    """Whether user ``uid`` is in the group ``module.name`` (directly or by implication)."""
    gid = group_id(env, xml_id)
    return bool(gid) and gid in user_group_ids(env, uid)


def has_groups(env: Environment, uid: int | None, groups: str) -> bool:
    """Odoo's ``user_has_groups``: ``groups`` is a comma-separated list of external ids, each
    optionally negated with ``!``; true if the user is in none of the negated groups and in
    at least one of the others (or there are no others)."""
    positive: list[str] = []
    negative: list[str] = []
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
