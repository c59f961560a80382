"""Records that the registry's shared caches are built from.

Access rights and rules, actions and their views, menus and currencies are read once per
registry and kept (``erplite.security.shared_cache``): a change of any of them must drop
those answers, in this process and, through the access signal, in the others.
"""

from __future__ import annotations

from erplite import api
from erplite.security import invalidate_access_cache


class CachedRecords:
    """Mixed into a model (before ``models.Model``): its create, write and unlink drop the
    shared caches after they are done, so that no process answers from the records as
    they were."""

    __slots__ = ()  # records have no instance dict: a mixin must not add one

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)  # type: ignore[misc]
        invalidate_access_cache(self.env)  # type: ignore[attr-defined]
        return records

    def write(self, vals):
        result = super().write(vals)  # type: ignore[misc]
        invalidate_access_cache(self.env)  # type: ignore[attr-defined]
        return result

    def unlink(self):
        result = super().unlink()  # type: ignore[misc]
        invalidate_access_cache(self.env)  # type: ignore[attr-defined]
        return result
