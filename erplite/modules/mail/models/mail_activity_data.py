"""``mail.activity.get_activity_data``: the figures of the activity view (Odoo 17's method).

Worked example (any client, JSON-RPC ``call_kw`` included)::

    data = env["mail.activity"].get_activity_data("crm.lead", [("type", "=", "opportunity")],
                                                  limit=80, offset=0)
    data["activity_res_ids"]      # [12, 7, 30]: the page's records, most urgent first
    data["activity_types"]        # [[4, 'Call', []], [2, 'Email', []], ...]
    data["grouped_activities"][12][4]
    # {'count': 2, 'ids': [51, 58], 'state': 'overdue',
    #  'o_closest_deadline': datetime.date(2026, 12, 1),
    #  'count_by_state': {'overdue': 1, 'planned': 1}, 'user_assigned_ids': [6, 2]}
    data["activity_res_count"]    # 3: records of the domain with an activity (the pager's)

The records are those of ``domain`` that have at least one activity (as Odoo 17's activity
view adds ``activity_ids != False`` to the search), searched **as the user** (access rights
and record rules apply), in the model's order, ``offset``/``limit`` applied; their
activities are those of these readable records (who may read a record may read its
activities, :mod:`erplite.tools.document_access`). The columns are the active activity types
of the model or of no model, plus the types the page's activities use.

A constant number of statements, whatever the number of records: one for the page's record
ids and their count (a window ``COUNT(*) OVER ()``), one for their activities, one for the
activity types (and the user's time zone, for "today", when it is not in the cache).

Differences from Odoo 17: ``activity_res_count`` is erplite's (its page is drawn on the
server, without a separate ``web_search_read``); types have no mail templates yet (the third
item of each type is always ``[]``); each cell adds ``count_by_state`` and
``user_assigned_ids`` as later Odoo versions do; "today" is the current user's (Odoo 17.0
takes the server's date).
"""

from __future__ import annotations

import datetime
from typing import Any

from erplite import api, models
from erplite.exceptions import InvalidArgument
from erplite.sql import SQL

from .mail_activity import deadline_state, user_today

#: the fields of an activity a cell of the grid sums up
_CELL_FIELDS = ["res_id", "activity_type_id", "date_deadline", "user_id"]


class MailActivity(models.Model):
    _inherit = "mail.activity"

    @api.model
    def get_activity_data(
        self,
        res_model: str,
        domain: list | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> dict[str, Any]:
        """The activity view's grid of the records of ``res_model`` matching ``domain``
        (with at least one activity), page ``offset``/``limit``: see the module docstring.

        :raises InvalidArgument: (a ``ValueError``, a 400 over HTTP) ``res_model`` is not a
            model with activities (``mail.activity.mixin``).
        :raises AccessError: the user may not read activities, or records of ``res_model``.
        """
        self.check_access_rights("read")
        records = self._activity_model(res_model)
        res_ids, total = self._activity_page(records, domain or [], limit, offset)
        rows = self._activity_rows(res_model, res_ids)
        today = user_today(self.env.user)
        grouped: dict[int, dict[Any, dict[str, Any]]] = {}
        closest: dict[int, datetime.date] = {}
        for row in rows:  # soonest first: a cell's first activity is its closest deadline
            res_id, type_id = row["res_id"], row["activity_type_id"] or False
            deadline = row["date_deadline"]
            state = str(deadline_state(deadline, today))
            cell = grouped.setdefault(res_id, {}).get(type_id)
            if cell is None:
                cell = grouped[res_id][type_id] = {
                    "count": 0,
                    "ids": [],
                    "state": state,
                    "o_closest_deadline": deadline,
                    "count_by_state": {},
                    "user_assigned_ids": [],
                }
                if res_id not in closest or deadline < closest[res_id]:
                    closest[res_id] = deadline
            cell["count"] += 1
            cell["ids"].append(row["id"])
            cell["count_by_state"][state] = cell["count_by_state"].get(state, 0) + 1
            if row["user_id"] and row["user_id"] not in cell["user_assigned_ids"]:
                cell["user_assigned_ids"].append(row["user_id"])
        used = sorted({t for cells in grouped.values() for t in cells if t})
        position = {res_id: index for index, res_id in enumerate(res_ids)}
        return {
            "activity_types": self._activity_types(res_model, used),
            "activity_res_ids": sorted(res_ids, key=lambda r: (closest[r], position[r])),
            "grouped_activities": grouped,
            "activity_res_count": total,
        }

    # -- steps --------------------------------------------------------------------------------
    def _activity_model(self, res_model: Any) -> Any:
        if not isinstance(res_model, str) or res_model not in self.env:
            raise InvalidArgument(f"get_activity_data: {res_model!r} is not a model")
        records = self.env[res_model]
        if "activity_ids" not in records._fields or "activity_state" not in records._fields:
            raise InvalidArgument(
                f"get_activity_data: {res_model!r} has no activities"
                " (it does not inherit mail.activity.mixin)"
            )
        return records

    def _activity_page(
        self, records: Any, domain: list, limit: int | None, offset: int
    ) -> tuple[list[int], int]:
        """The ids of the page's records (those the user may read, with an activity) and the
        number of such records in all pages: one statement."""
        query = records._search(domain, offset=offset, limit=limit, order=records._order)
        alias = SQL.identifier(query.alias, "id")
        query.add_where(
            SQL(
                "EXISTS (SELECT 1 FROM mail_activity AS act"
                " WHERE act.res_model = %s AND act.res_id = %s)",
                records._name,
                alias,
            )
        )
        self.env.cr.execute(query.select(alias, SQL("COUNT(*) OVER ()")))
        fetched = self.env.cr.fetchall()
        if not fetched and offset:  # a page past the last one: count them anyway
            self.env.cr.execute(_count_all(query))
            return [], int(self.env.cr.fetchone()[0])
        return [row[0] for row in fetched], int(fetched[0][1]) if fetched else 0

    def _activity_rows(self, res_model: str, res_ids: list[int]) -> list[dict[str, Any]]:
        """The activities of ``res_ids`` (records the user may read, so their activities
        too: read without a second check), soonest first."""
        if not res_ids:
            return []
        return self.sudo().search_read(
            [("res_model", "=", res_model), ("res_id", "in", res_ids)],
            _CELL_FIELDS,
            order="date_deadline ASC, id ASC",
            load="",
        )

    def _activity_types(self, res_model: str, used: list[int]) -> list[list[Any]]:
        """``[id, name, templates]`` of the active types of ``res_model`` or of no model, and
        of the types in ``used`` (archived or another model's), in their order."""
        domain: list[Any] = ["&", ("active", "=", True), ("res_model", "in", [res_model, False])]
        if used:
            domain = ["|", *domain, ("id", "in", used)]
        types = (
            self.env["mail.activity.type"]
            .with_context(active_test=False)
            .search_read(domain, ["name"], order="sequence, id")
        )
        return [[row["id"], row["name"], []] for row in types]


def _count_all(query: Any) -> SQL:
    """The count of ``query``'s rows without its page (its limit and offset)."""
    saved = query.limit, query.offset
    query.limit, query.offset = None, None
    try:
        return query.count()
    finally:
        query.limit, query.offset = saved
