"""Which records each user may read, as far as this transaction already checked.

The transaction's cache is shared by every environment of the cursor: a value a ``sudo()``
read put there is in the cache for any user. Reading it as a user must therefore pass the
same access rights and record rules as fetching it would; to keep that free on the hot path,
the transaction remembers, per user and allowed companies and per model, the ids that passed
(those the user's own rule-filtered fetches and searches returned, those the user created,
those a check let through)::

    checks = transaction.read_checks
    passed = checks.passed(env)                 # {model name: ids, or EVERY_ID}
    record_id in passed.get("sale.order", ())  # the hot path's whole cost

A change of data can change a rule's verdict, so the ORM tells every write, creation,
deletion and invalidation (:meth:`ReadChecks.changed`); what the rules of a model read
(:class:`RuleInputs`, the security layer's answer) says what the change drops: the changed ids
when one of their own fields the rules read changed, everything of the model when a model its
rules reach through a relation changed. A change of groups, rights or rules drops everything
(:meth:`ReadChecks.clear`). Nothing of this is ever the reason a read is allowed by itself:
an id is here only after the check it stands for was made in this transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from erplite.orm.environment import Environment


class _EveryId:
    """The ids of a model whose reading no record rule restricts for the user."""

    __slots__ = ()

    def __contains__(self, record_id: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "EVERY_ID"


EVERY_ID = _EveryId()

#: what a model's entry holds: the ids that passed, or every id
Passed = set[Any] | _EveryId


@dataclass(frozen=True)
class RuleInputs:
    """What the read rules of a model read: ``fields`` of the model's own records (a change of
    one of them may change the verdict on the changed records), ``models`` whose any change may
    change the verdict on any record (reached through a relation, a hierarchy, or ``"*"``: not
    known, any change of any model)."""

    fields: frozenset[str]
    models: frozenset[str]


#: the inputs of rules that read data nobody can tell (code): any change drops the checks
ANY_DATA = RuleInputs(frozenset(), frozenset({"*"}))


class ReadChecks:
    """The records each user's reads passed in one transaction (see the module docstring)."""

    __slots__ = ("_passed", "_inputs")

    def __init__(self) -> None:
        # (uid, allowed company ids) -> {model name: passed ids or EVERY_ID}; the inner dicts
        # are never replaced (environments keep a reference to theirs), only emptied
        self._passed: dict[tuple[Any, ...], dict[str, Passed]] = {}
        # (uid, allowed company ids, model name) -> what the rules of that model read
        self._inputs: dict[tuple[Any, ...], RuleInputs] = {}

    @staticmethod
    def key(env: Environment) -> tuple[Any, ...]:
        """What the verdict of the rules depends on besides the data: the user and the
        allowed companies (``company_id``/``company_ids`` of the rule domains)."""
        return (env.uid, tuple(env.context.get("allowed_company_ids") or ()))

    def passed(self, env: Environment) -> dict[str, Passed]:
        """``{model name: passed ids}`` of ``env``'s user and companies (a live dict)."""
        return self._passed.setdefault(self.key(env), {})

    def add(
        self, env: Environment, model_name: str, ids: Iterable[Any], inputs: RuleInputs
    ) -> None:
        """Remember that ``ids`` of ``model_name`` passed the read checks of ``env``, whose
        rules read ``inputs``."""
        passed = self.passed(env)
        entry = passed.get(model_name)
        if entry is None:
            entry = passed[model_name] = set()
        if isinstance(entry, set):
            entry.update(ids)
        self._inputs[self.key(env) + (model_name,)] = inputs

    def add_every(self, env: Environment, model_name: str) -> None:
        """No record rule restricts reading ``model_name`` for ``env``: every id passes."""
        self.passed(env)[model_name] = EVERY_ID

    def changed(
        self, model_name: str, ids: Collection[Any] | None, fnames: Iterable[str] | None
    ) -> None:
        """Records of ``model_name`` changed (``ids``, None: any), in fields ``fnames`` (None:
        any, or created/deleted records): drop the checks the change may invalidate."""
        if not self._passed:
            return
        names = None if fnames is None else frozenset(fnames)
        for key, passed in self._passed.items():
            for checked_model, entry in passed.items():
                if not isinstance(entry, set) or not entry:
                    continue
                inputs = self._inputs.get(key + (checked_model,), ANY_DATA)
                if "*" in inputs.models or model_name in inputs.models:
                    entry.clear()
                elif checked_model == model_name and (
                    names is None or not names.isdisjoint(inputs.fields)
                ):
                    if ids is None:
                        entry.clear()
                    else:
                        entry.difference_update(ids)

    def clear(self) -> None:
        """Forget every check (groups, rights or rules changed; the transaction ended)."""
        for passed in self._passed.values():
            passed.clear()
        self._inputs.clear()


__all__ = ["ANY_DATA", "EVERY_ID", "Passed", "ReadChecks", "RuleInputs"]
