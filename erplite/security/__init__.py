"""The security layer: one function per question, called by the ORM's public methods.

- May this user do X on model M?  :func:`check_model_access` (``ir.model.access``)
- Which records of M may this user see or change?  :func:`rule_sql` / :func:`rule_domain`
  (``ir.rule``, compiled into the query's SQL, never a list of ids)
- May this user see or write field F?  :func:`field_accessible`, :func:`check_field_access`
- Which groups is the user in?  :func:`user_group_ids` (implied groups included),
  :func:`has_group`

A superuser environment (``sudo()`` or uid 1) is the only bypass: the ORM does not call these
functions for it, and no context key changes what they answer.

Inside the ORM, one file asks these questions: ``erplite/orm/model_access.py``.

The answers come from :mod:`.access` (access rights, field groups), :mod:`.rules` (record
rules), :mod:`.groups` (group membership), all cached as :mod:`.cache` says: per registry,
per transaction while it changes security data, and dropped in every process once a change
commits (:func:`invalidate_access_cache`, :func:`check_access_signal`).

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

from erplite.exceptions import AccessDenied
from erplite.security.access import check_field_access, check_model_access, field_accessible
from erplite.security.cache import (
    SIGNAL_SEQUENCE,
    check_access_signal,
    ensure_signal_sequence,
    invalidate_access_cache,
    shared_cache,
)
from erplite.security.groups import group_id, has_group, has_groups, user_group_ids
from erplite.security.rules import (
    RecordProxy,
    has_rules,
    make_access_error,
    rule_domain,
    rule_inputs,
    rule_sql,
    rule_tree,
)


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


__all__ = [
    "SIGNAL_SEQUENCE",
    "RecordProxy",
    "SecondFactorRequired",
    "check_access_signal",
    "check_field_access",
    "check_model_access",
    "ensure_signal_sequence",
    "field_accessible",
    "group_id",
    "has_group",
    "has_groups",
    "has_rules",
    "invalidate_access_cache",
    "make_access_error",
    "rule_domain",
    "rule_inputs",
    "rule_sql",
    "rule_tree",
    "shared_cache",
    "user_group_ids",
]
