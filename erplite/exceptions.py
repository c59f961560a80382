"""The exceptions of erplite, named and meant as Odoo 17's ``odoo.exceptions``.

``UserError`` is a business refusal shown to the user; ``ValidationError`` a violated
constraint; ``AccessError`` an ACL, record-rule or field-group refusal; ``AccessDenied`` a
failed authentication (its message never says which credential was wrong); ``MissingError``
records that no longer exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from erplite.orm.fields import Field


class UserError(Exception):
    """A business rule refused the operation; the message is meant for the end user."""

    def __init__(self, message: str):
        super().__init__(message)

    @property
    def message(self) -> str:
        return self.args[0] if self.args else ""


class RedirectWarning(UserError):
    """A refusal offering an action to fix it (kept for Odoo compatibility)."""

    def __init__(
        self,
        message: str,
        action: Any = None,
        button_text: str = "",
        additional_context: Any = None,
    ) -> None:
        super().__init__(message)
        self.action = action
        self.button_text = button_text
        self.additional_context = additional_context


class AccessDenied(UserError):
    """Authentication failed. The message never reveals which credential was wrong."""

    #: seconds before trying again, set (only) on the refusal of a throttled login or address
    #: (``erplite.security.throttle.blocked_error``); absent otherwise
    retry_after: float

    def __init__(self, message: str = "Access Denied"):
        super().__init__(message)
        self.traceback = ("", "", "")


class AccessError(UserError):
    """The user may not do this: ACL, record rule or field-group refusal."""


class MissingError(UserError):
    """The records do not exist (any more)."""


class ValidationError(UserError):
    """A constraint (Python or SQL) was violated."""


class InvalidArgument(ValueError):
    """A caller's argument is malformed: a domain, a field name, an order, a limit or an offset,
    a group-by, a context key (see ``erplite.orm.arguments``).

    Odoo 17 raises ``ValueError`` for these, and so does erplite: this subclass only marks the
    mistake as the caller's, so that the HTTP layer answers it as a client error (400, a fault,
    the JSON-RPC error envelope) logged at INFO, and names it ``builtins.ValueError`` as Odoo.
    A plain ``ValueError`` raised elsewhere is a bug (500, logged at ERROR).
    """

    #: the name clients see in serialized errors (``error.data.name``)
    serialized_name = "builtins.ValueError"


class InvalidValue(ValidationError, ValueError):
    """A value does not fit its field (wrong type, NUL character, out of range, too long).

    A ``ValidationError`` (422, shown to the user), and a ``ValueError`` still, so that code
    catching failed conversions keeps working; clients see ``ValidationError``.
    """

    serialized_name = "erplite.exceptions.ValidationError"


class CacheMiss(KeyError):
    """Internal: a value is not in the transaction cache."""

    def __init__(self, record: object, field: Field) -> None:
        super().__init__(f"{record!r}.{field.name}")
