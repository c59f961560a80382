"""The hooks that fire automation rules: ``create``, ``write`` and ``unlink`` of every model.

When a registry is set up, :func:`install_triggers` wraps those three methods on the registry
class of every model (Odoo 17 patches them in ``base.automation._register_hook``). A wrapper
asks ``base.automation._rules_of(model)`` for the model's rules (a dictionary lookup once the
rules are cached) and returns to the ORM's own method at once when there is none:

- ``create``: create, then run the creation rules on the new records that match;
- ``write``: only if a rule watches one of the written fields: note which records match each
  rule's ``filter_pre_domain`` and the watched fields' values, write, then run each rule on
  the records that still match and whose watched fields changed value;
- ``unlink``: run the deletion rules on the records that match, then delete;
- ``_compute_field_value`` (the ORM recomputing stored computed fields, at a flush or when
  a value is read, as Odoo 17 patches it): only if a write rule names one of the recomputed
  fields in its trigger fields (or watches it, as ``on_stage_set`` watches ``stage_id``):
  as for ``write``, with the values before and after the recomputation. The first
  computation of a record created in the transaction is not a change (no ``on_write`` rule
  fires for a creation: what recomputations inside ``create`` fire waits until the new
  records are known, and runs on the others only), and a rule watching any field (no
  trigger fields) fires on writes only.

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


#: the key, in the transaction's ``cr.precommit.data``, of the stored computed fields of new
#: records not computed yet (field -> ids): their first computation is no change
_FRESH_KEY = "base_automation.fresh"


def _recompute_rules(records: Any, fields: list) -> list:
    """The write rules of ``records``' model that watch one of ``fields`` by name."""
    names = [field.name for field in fields]
    return [
        rule
        for rule in _rules(records, WRITE_TRIGGERS)
        if rule.trigger_fields and rule.watches(names)
    ]


#: the key, in ``cr.precommit.data``, of the creations under way of models whose rules watch
#: stored computed fields (model -> a list per nested ``create`` of the (rule, ids) that the
#: recomputations inside it fired): run once the new records are known, except on them
_CREATING_KEY = "base_automation.creating"


def _watched_computed(records: Any) -> set:
    """The stored computed fields of ``records``' model that write rules watch by name."""
    return {
        field
        for rule in _rules(records, WRITE_TRIGGERS)
        for name in rule.trigger_fields
        if (field := records._fields.get(name)) is not None and field.store and field.compute
    }


def _note_fresh(records: Any, fields: set) -> None:
    """Remember which watched stored computed ``fields`` of the new ``records`` are still to
    compute: their first computation is part of the creation, not a change."""
    registry = records.env.registry
    tocompute = records.env.transaction.tocompute
    fresh = records.env.cr.precommit.data.setdefault(_FRESH_KEY, {})
    for field in fields:
        for companion in registry.field_computed.get(field, [field]):
            pending = tocompute.get(companion)
            if pending:
                fresh.setdefault(companion, set()).update(pending.intersection(records._ids))


def _wrap(model_class: Any, model_name: str) -> None:
    def create(self, vals_list):
        watched = _watched_computed(self) if self._name == model_name else None
        if watched:
            # recomputations inside create (a tracked total is computed there) see the new
            # records as changed from nothing: what they fire waits for the new ids
            frames = self.env.cr.precommit.data.setdefault(_CREATING_KEY, {})
            frame: list = []
            frames.setdefault(model_name, []).append(frame)
            try:
                records = super(model_class, self).create(vals_list)
            finally:
                frames[model_name].pop()
            _note_fresh(records, watched)
            automation = records.env["base.automation"]
            new = set(records._ids)
            for rule, ids in frame:
                automation._process(rule, records.browse([i for i in ids if i not in new]))
        else:
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

    def _compute_field_value(self, field):
        if self._name != model_name:
            return super(model_class, self)._compute_field_value(field)
        computed = self.env.registry.field_computed.get(field, [field])
        stored = [f for f in computed if f.store]
        rules = _recompute_rules(self, stored) if stored else None
        if not rules:
            return super(model_class, self)._compute_field_value(field)
        records = self.browse([i for i in self._ids if isinstance(i, int)])
        if not records:
            return super(model_class, self)._compute_field_value(field)
        env = self.env
        automation = env["base.automation"]
        fresh = env.cr.precommit.data.get(_FRESH_KEY, {})
        with env.protecting(stored, records):
            # the values before: cached, or fetched (reading the fields here would compute them)
            cache = env.transaction.cache
            lacking = [
                i for i in records._ids if not all(cache.contains(i, f, env) for f in stored)
            ]
            if lacking:
                records.browse(lacking).sudo()._fetch_fields(stored)
            pre = {rule.id: automation._filter(rule, records, pre=True) for rule in rules}
            old = {
                record_id: {
                    f.name: cache.get_value(record_id, f, env)
                    for f in stored
                    if cache.contains(record_id, f, env) and record_id not in fresh.get(f, ())
                }
                for record_id in records._ids
            }
        for f in stored:
            if f in fresh:
                fresh[f].difference_update(records._ids)
        super(model_class, self)._compute_field_value(field)

        def differs(record_id: int, name: str) -> bool:
            before = old[record_id]
            if name not in before:
                return False
            f = self._fields[name]
            return cache.contains(record_id, f, env) and (
                cache.get_value(record_id, f, env) != before[name]
            )

        creating = env.cr.precommit.data.get(_CREATING_KEY, {}).get(model_name)
        for rule in rules:
            candidates = pre[rule.id]
            changed = candidates.browse(
                record_id
                for record_id in candidates._ids
                if any(differs(record_id, name) for name in rule.trigger_fields)
            )
            matching = automation._filter(rule, changed, pre=False)
            if creating:
                creating[-1].append((rule, matching._ids))  # run by create, on the others
            else:
                automation._process(rule, matching)
        # what the actions changed of these fields' dependencies (not settled by the rules
        # watching them) is computed again now: the ORM expects them computed on return
        tocompute = env.transaction.tocompute
        for f in stored:
            pending = tocompute.get(f)
            if pending and not pending.isdisjoint(records._ids):
                records._recompute_field(f, ids=records._ids)
        return None

    model_class.create = create  # type: ignore[attr-defined]
    model_class._compute_field_value = _compute_field_value  # type: ignore[attr-defined]
    model_class.write = write  # type: ignore[attr-defined]
    model_class.unlink = unlink  # type: ignore[attr-defined]
