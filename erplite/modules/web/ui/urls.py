"""The backoffice's URLs: stable, bookmarkable, server-side paths.

Odoo 17's web client keeps its state after ``#`` (``/web#action=12&model=sale.order&
view_type=list&id=5``), which only JavaScript reads. erplite draws pages on the server, so the
same state is in the path and the query, and every page can be bookmarked, shared, reloaded
and opened in a new tab::

    /web                                        the home page: the apps the user may open
    /web/menu/<menu id>                         a menu: its action, or its first sub-menu's
    /web/action/<action id>                     a window action, in its first view type
    /web/action/<action id>/list?<search>       its list: search, filters, group-bys, sort,
                                                page (see below)
    /web/action/<action id>/form/<record id>    a record in the action's form (POST: save,
                                                and run a header button)
    /web/action/<action id>/form/new            a new record (``default_*`` of the action)
    /web/action/<action id>/graph?<search>      its graph; ``chart=bar|line|pie``,
                                                ``measure=<field>|__count``
    /web/action/<action id>/pivot?<search>      its pivot; ``row=<group-by>`` (repeatable,
                                                each a level), ``col=<group-by>``,
                                                ``measure=<field>|__count`` (repeatable)
    /web/action/<action id>/records/<operation>?ids=<id>&<search>
                                                record actions on the ids chosen (none: every
                                                record of the search): ``archive``,
                                                ``unarchive``, ``delete``, ``write`` (mass
                                                edit, ``field=<name>``), ``server``
                                                (``server_action=<id>``); GET confirms, POST
                                                runs (``duplicate``: POST only)
    /web/action/<action id>/favorites?view=<type>&<search>
                                                the favorites (``ir.filters``) and the form
                                                saving the search (POST); ``.../favorites/
                                                <id>/delete`` (POST) deletes one
    /web/autocomplete/<model>?q=...             many2one suggestions (``name_search``)

The list's query: ``search_<field>=<text>``, ``filter=<name>``, ``groupby=<field>[:<interval>]``
(each repeatable), ``searched=1`` (the action's ``search_default_*`` then no longer apply),
``domain=<JSON domain>`` with ``domain_label=<facet text>`` (a pivot cell's records: ANDed to
the search, shown as a removable facet), ``order=<field> [asc|desc]``, ``page=<n>``
(1-based), and ``menu=<app menu id>`` on every URL (which app's menu bar to show). The form's URL carries ``back=<the list URL>`` so that its
breadcrumb returns to the list with its search and page.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from urllib.parse import quote_plus, urlencode

Query = Iterable[tuple[str, object]]


@functools.lru_cache(maxsize=2048)
def _quote(
    text: str, safe: str = "", encoding: str | None = None, errors: str | None = None
) -> str:
    # a page's links repeat the same few keys and values (``menu``, the search, ``back``):
    # each is quoted once, not once per link
    return quote_plus(text, safe, encoding, errors)


def _with_query(path: str, query: Query | None) -> str:
    items = [(key, str(value)) for key, value in (query or ()) if value not in (None, "")]
    return f"{path}?{urlencode(items, quote_via=_quote)}" if items else path


def action_url(action_id: int, view_type: str | None = None, query: Query | None = None) -> str:
    """The URL of a window action (its ``view_type`` view, or its first one)."""
    path = f"/web/action/{action_id}" + (f"/{view_type}" if view_type else "")
    return _with_query(path, query)


def form_url(action_id: int, record_id: int | None, query: Query | None = None) -> str:
    """The URL of a record (``None``: a new record) in the action's form."""
    return _with_query(f"/web/action/{action_id}/form/{record_id or 'new'}", query)


def records_url(action_id: int, operation: str, query: Query | None = None) -> str:
    """The URL of a record action (``archive``, ``delete``, ``write``...) of a window action."""
    return _with_query(f"/web/action/{action_id}/records/{operation}", query)


def menu_url(menu_id: int) -> str:
    return f"/web/menu/{menu_id}"


def safe_back(url: str | None) -> str | None:
    """A ``back`` URL only when it is a backoffice path of this site (no open redirect)."""
    if not url or not url.startswith("/web/") or url.startswith("//") or "\\" in url:
        return None
    return url


__all__ = ["action_url", "form_url", "menu_url", "records_url", "safe_back"]
