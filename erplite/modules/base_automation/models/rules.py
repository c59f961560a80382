"""What an automation rule is to the hooks: its triggers, and :class:`Rule`, the frozen
summary of an active ``base.automation`` record that the hooks keep per process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta

#: The field each value-change trigger watches, as in Odoo 17.
VALUE_FIELDS = {
    "on_stage_set": "stage_id",
    "on_state_set": "state",
    "on_priority_set": "priority",
    "on_user_set": "user_id",
    "on_archive": "active",
    "on_unarchive": "active",
}
# a record created active is not "unarchived" (Odoo 17: archiving triggers fire on write only)
CREATE_TRIGGERS = frozenset({"on_create", "on_create_or_write", *VALUE_FIELDS}) - {
    "on_archive",
    "on_unarchive",
}
WRITE_TRIGGERS = frozenset({"on_write", "on_create_or_write", *VALUE_FIELDS})
UNLINK_TRIGGERS = frozenset({"on_unlink"})
TIME_TRIGGERS = frozenset({"on_time", "on_time_created", "on_time_updated"})

DATE_RANGE = {
    "minutes": lambda n: relativedelta(minutes=n),
    "hour": lambda n: relativedelta(hours=n),
    "day": lambda n: relativedelta(days=n),
    "month": lambda n: relativedelta(months=n),
}


@dataclass(frozen=True)
class Rule:
    """What the hooks need of an active rule, read once and cached per process."""

    id: int
    name: str
    model: str
    trigger: str
    pre_domain: str
    domain: str
    trigger_fields: tuple[str, ...]
    action_ids: tuple[int, ...]
    #: the condition of a value-change trigger (``state`` becomes ``"sale"``...), a domain
    value_domain: tuple = ()

    def watches(self, names: Any) -> bool:
        """Whether writing the fields ``names`` may fire this rule."""
        return not self.trigger_fields or not set(self.trigger_fields).isdisjoint(names)


def value_domain(trigger: str, reference: int, value: str | None) -> tuple:
    """The condition a value-change trigger adds to the rule's domain."""
    if trigger == "on_stage_set":
        return (("stage_id", "=", reference),)
    if trigger in ("on_state_set", "on_priority_set"):
        return ((VALUE_FIELDS[trigger], "=", value),)
    if trigger == "on_user_set":
        return (("user_id", "!=", False),)
    if trigger in ("on_archive", "on_unarchive"):
        return (("active", "=", trigger == "on_unarchive"),)
    return ()
