"""Buttons that ask for the user's password again before they run (Odoo 17's
``@check_identity``, which opens the ``res.users.identitycheck`` wizard).

Worked example::

    identity_checked("res.users", "action_totp_disable")    # True
    # the form saves the record, then sends the user to
    #   /web/action/<action>/form/<id>/identity?button=action_totp_disable
    # which asks the password and calls record.action_totp_disable(password=...)

The methods listed take the password as their ``password`` keyword and check it themselves
(``res.users._check_identity``): the page only collects it. A stolen session is therefore not
enough to, for instance, remove a user's second factor.
"""

from __future__ import annotations

#: model name -> the button methods that check the user's identity (``password=`` keyword)
IDENTITY_CHECKED: dict[str, frozenset[str]] = {
    "res.users": frozenset({"action_totp_disable"}),
}


def identity_checked(model: str, method: str) -> bool:
    """Whether button ``method`` of ``model`` needs the user's password again."""
    return method in IDENTITY_CHECKED.get(model, frozenset())


__all__ = ["IDENTITY_CHECKED", "identity_checked"]
