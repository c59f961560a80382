"""The exceptions of erplite, named and meant as Odoo 17's ``odoo.exceptions``.

``UserError`` is a business refusal shown to the user; ``ValidationError`` a violated
constraint; ``AccessError`` an ACL, record-rule or field-group refusal; ``AccessDenied`` a
failed authentication (its message never says which credential was wrong); ``MissingError``
records that no longer exist.
"""

from __future__ import annotations


class UserError(Exception):
    """A business rule refused the operation; the message is meant for the end user."""

    def __init__(self, message: str):
        super().__init__(message)

    @property
    def message(self) -> str:
        return self.args[0] if self.args else ""


class RedirectWarning(UserError):
    """A refusal offering an action to fix it (kept for Odoo compatibility)."""

    def __init__(self, message: str, action=None, button_text: str = "", additional_context=None):
        super().__init__(message)
        self.action = action
        self.button_text = button_text
        self.additional_context = additional_context


class AccessDenied(UserError):
    """Authentication failed. The message never reveals which credential was wrong."""

    def __init__(self, message: str = "Access Denied"):
        super().__init__(message)
        self.traceback = ("", "", "")


class AccessError(UserError):
    """The user may not do this: ACL, record rule or field-group refusal."""


class MissingError(UserError):
    """The records do not exist (any more)."""


class ValidationError(UserError):
    """A constraint (Python or SQL) was violated."""


class CacheMiss(KeyError):
    """Internal: a value is not in the transaction cache."""

    def __init__(self, record, field):
        super().__init__(f"{record!r}.{field.name}")
