"""The hooks that fire automation rules: ``create``, ``write`` and ``unlink`` of every model.

When a registry is set up, :func:`install_triggers` wraps those three methods on the registry
class of every model (Odoo 17 patches them in ``base.automation._register_hook``). A wrapper
asks ``base.automation._rules_of(model)`` for the model's rules (a dictionary lookup once the
rules are cached) and returns to the ORM's own method at once when there is none:

- ``create``: create, then run the creation rules on the new records that match;
- ``write``: only if a rule watches one of the written fields: note which records match each
  rule's ``filter_pre_domain`` and the watched fields' values, write, then run each rule on
  the records that still match and whose watched fields changed value;
- ``unlink``: run the deletion rules on the records that match, then delete.

The wrapper of a model's class also serves the models that inherit its class (prototype
inheritance): it only acts for the model it was installed on, so that rules fire once.
"""

from __future__ import annotations

from typing import Any

from .rules import CREATE_TRIGGERS, UNLINK_TRIGGERS, WRITE_TRIGGERS


def install_triggers(registry: Any) -> None:
    """Wrap ``create``/``write``/``unlink`` of every concrete model of ``registry``."""
    if "base.automation" not in registry.models:
        return
    for name, model_class in registry.models.items():
        if model_class._abstract or name == "base.automation":
            continue
        _wrap(model_class, name)


def _rules(records: Any, triggers: frozenset) -> list:
    rules = records.env["base.automation"]._rules_of(records._name)
    return [rule for rule in rules if rule.trigger in triggers] if rules else []


def _wrap(model_class: Any, model_name: str) -> None:
    def create(self, vals_list):
        records = super(model_class, self).create(vals_list)
        if self._name == model_name and records:
            rules = _rules(records, CREATE_TRIGGERS)
            if rules:
                automation = records.env["base.automation"]
                for rule in rules:
                    automation._process(rule, automation._filter(rule, records, pre=False))
        return records

    def write(self, vals):
        if self._name != model_name or not self._ids or not isinstance(vals, dict):
            return super(model_class, self).write(vals)
        rules = [rule for rule in _rules(self, WRITE_TRIGGERS) if rule.watches(vals)]
        if not rules:
            return super(model_class, self).write(vals)
        automation = self.env["base.automation"]
        # before: the records each rule may fire on, and the watched fields' values
        pre = {rule.id: automation._filter(rule, self, pre=True) for rule in rules}
        watched = {name for rule in rules for name in rule.trigger_fields} & set(vals)
        watched = watched or set(vals)
        # read as superuser: the rule decides, whatever fields the user may read
        old = {record.id: {name: record[name] for name in watched} for record in self.sudo()}
        result = super(model_class, self).write(vals)
        for rule in rules:
            candidates = pre[rule.id]
            names = [n for n in (rule.trigger_fields or tuple(vals)) if n in vals]
            changed = candidates.browse(
                record.id
                for record in candidates.sudo()
                if any(record[n] != old[record.id][n] for n in names)
            )
            automation._process(rule, automation._filter(rule, changed, pre=False))
        return result

    def unlink(self):
        if self._name == model_name and self._ids:
            rules = _rules(self, UNLINK_TRIGGERS)
            if rules:
                automation = self.env["base.automation"]
                for rule in rules:
                    automation._process(rule, automation._filter(rule, self, pre=False))
        return super(model_class, self).unlink()

    model_class.create = create  # type: ignore[attr-defined]
    model_class.write = write  # type: ignore[attr-defined]
    model_class.unlink = unlink  # type: ignore[attr-defined]
