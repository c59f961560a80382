"""The search panel: a ``search`` view's arch, the facets chosen in the URL, and the domain,
group-bys and facets they make, with Odoo 17's semantics.

Worked example::

    arch = '''<search>
        <field name="name" filter_domain="['|', ('name', 'ilike', self), ('client_order_ref', 'ilike', self)]"/>
        <field name="partner_id" operator="child_of"/>
        <filter name="my_quotation" string="My Quotations" domain="[('user_id', '=', uid)]"/>
        <separator/>
        <filter name="draft" string="Quotations" domain="[('state', '=', 'draft')]"/>
        <filter name="sale" string="Sales Orders" domain="[('state', '=', 'sale')]"/>
        <group expand="0" string="Group By">
            <filter name="salesperson" string="Salesperson" context="{'group_by': 'user_id'}"/>
        </group>
    </search>'''
    panel = SearchPanel.from_arch(arch, fields)     # fields: get_views' description
    state = SearchState.from_query(args, panel)     # ?filter=draft&filter=sale&groupby=user_id
    state.domain(panel, eval_context)  # ['&', ...my_quotation..., '|', draft, sale] as Odoo
    state.group_by                     # ['user_id']

The URL carries the search (so a search is bookmarkable and the back button restores it):
``search_<field>=<text>`` (repeatable; the search box posts ``search_field`` and
``search_text``, which become one more of them), ``filter=<filter name>`` (repeatable),
``groupby=<field>[:<interval>]`` (repeatable, in order), and ``searched=1`` once the user changed
anything, after which the action's ``search_default_*`` no longer apply.

Filters with neither a domain nor a group-by (Odoo 17's ``date=`` period filters) are not
offered yet. Semantics, as Odoo 17: filters between two ``<separator/>`` (or in one ``<group>``) are ORed,
groups of filters are ANDed, and so are the fields' facets; several values searched on one
field are ORed. A field searches with its ``filter_domain`` (``self`` is the text typed) or
with ``operator`` (``ilike`` for text and relations, ``=`` otherwise).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from erplite.tools.lazy_modules import lazy_module
from erplite.tools.safe_eval import safe_eval

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET
else:  # imported on first use (erplite.tools.lazy_modules): a JSON-RPC worker parses no XML
    ET = lazy_module("xml.etree.ElementTree", __name__, "ET")

#: date granularities of a group-by, as Odoo 17 names them
DATE_INTERVALS = ("year", "quarter", "month", "week", "day")


@dataclass(frozen=True)
class SearchField:
    name: str
    string: str
    type: str
    filter_domain: str | None = None
    operator: str | None = None


@dataclass(frozen=True)
class Filter:
    name: str
    string: str
    domain: str | None = None
    group_by: str | None = None
    #: index of the group (between separators) the filter belongs to
    group: int = 0
    invisible: bool = False


@dataclass
class SearchPanel:
    """What a search view offers: fields to search, filters in groups, group-bys."""

    fields: list[SearchField] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)

    @property
    def domain_filters(self) -> list[Filter]:
        return [f for f in self.filters if f.group_by is None and not f.invisible]

    @property
    def groupby_filters(self) -> list[Filter]:
        return [f for f in self.filters if f.group_by is not None and not f.invisible]

    def filter_groups(self) -> list[list[Filter]]:
        """The visible domain filters, in their groups (a separator between groups)."""
        groups: dict[int, list[Filter]] = {}
        for item in self.domain_filters:
            groups.setdefault(item.group, []).append(item)
        return list(groups.values())

    def field(self, name: str) -> SearchField | None:
        return next((f for f in self.fields if f.name == name), None)

    def filter(self, name: str) -> Filter | None:
        return next((f for f in self.filters if f.name == name), None)

    @classmethod
    def from_arch(cls, arch: str, fields: Mapping[str, Mapping[str, Any]]) -> SearchPanel:
        """The panel of a search view's arch; ``fields`` describes the model's fields."""
        root = ET.fromstring(arch)
        panel = cls()
        group = 0
        previous_was_filter = False

        def walk(node: ET.Element) -> None:
            nonlocal group, previous_was_filter
            for child in node:
                if child.tag == "field":
                    name = child.get("name", "")
                    description = fields.get(name)
                    if description is None or child.get("invisible") in ("1", "True"):
                        continue
                    panel.fields.append(
                        SearchField(
                            name,
                            child.get("string") or description.get("string") or name,
                            description.get("type", "char"),
                            child.get("filter_domain"),
                            child.get("operator"),
                        )
                    )
                elif child.tag == "filter":
                    context = child.get("context")
                    group_by = None
                    if context:
                        value = safe_eval(context, {"uid": None, "context": {}})
                        if isinstance(value, dict) and value.get("group_by"):
                            group_by = value["group_by"]
                            group_by = group_by[0] if isinstance(group_by, list) else group_by
                    panel.filters.append(
                        Filter(
                            child.get("name") or f"filter_{len(panel.filters)}",
                            child.get("string") or child.get("help") or child.get("name", ""),
                            child.get("domain"),
                            group_by,
                            group,
                            # a date filter (``date=``) offers periods in Odoo 17: not drawn yet
                            child.get("invisible") in ("1", "True")
                            or (group_by is None and not child.get("domain")),
                        )
                    )
                    previous_was_filter = True
                elif child.tag == "separator":
                    if previous_was_filter:
                        group += 1
                        previous_was_filter = False
                elif child.tag == "group":
                    if previous_was_filter:
                        group += 1
                        previous_was_filter = False
                    walk(child)
                    if previous_was_filter:
                        group += 1
                        previous_was_filter = False

        walk(root)
        return panel


@dataclass
class Facet:
    """One facet shown in the search bar, with the query of the search without it."""

    kind: str  # "field", "filter" or "groupby"
    label: str
    values: list[str]
    remove_query: list[tuple[str, str]]


@dataclass
class SearchState:
    """The search chosen in the URL."""

    texts: dict[str, list[str]] = field(default_factory=dict)  # field name -> typed texts
    ids: dict[str, list[int]] = field(default_factory=dict)  # field name -> ids (defaults)
    filters: list[str] = field(default_factory=list)
    group_by: list[str] = field(default_factory=list)
    searched: bool = False
    #: a domain given in the URL (a pivot cell's): its JSON text and the label of its facet
    domain_text: str = ""
    domain_label: str = ""

    @classmethod
    def from_query(
        cls,
        args: Any,
        panel: SearchPanel,
        fields: Mapping[str, Mapping[str, Any]],
        action_context: Mapping[str, Any] | None = None,
    ) -> SearchState:
        """The search of the URL's arguments (a werkzeug ``MultiDict``); without
        ``searched=1``, the action context's ``search_default_*`` and ``group_by`` apply."""
        state = cls(searched=args.get("searched") == "1")
        for key in args:
            if key in ("search_text", "search_field"):
                continue
            if key.startswith("search_") and not key.startswith("search_default_"):
                name = key[len("search_") :]
                if panel.field(name) is not None:
                    texts = [t.strip() for t in args.getlist(key) if t.strip()]
                    if texts:
                        state.texts[name] = texts
        # the search box: the text typed and the field chosen beside it
        typed, chosen = (args.get("search_text") or "").strip(), args.get("search_field")
        if typed and chosen and panel.field(chosen) is not None:
            state.texts.setdefault(chosen, []).append(typed)
            state.searched = True
        state.filters = [n for n in args.getlist("filter") if panel.filter(n) is not None]
        state.group_by = [g for g in args.getlist("groupby") if valid_group_by(g, fields)]
        if url_domain(args.get("domain")) is not None:
            state.domain_text = args.get("domain")
            state.domain_label = (args.get("domain_label") or "").strip()[:200] or "Domain"
        if not state.searched and action_context:
            state._apply_defaults(panel, fields, action_context)
        # a group-by filter chosen in the URL groups (in the order chosen)
        return state

    def _apply_defaults(
        self,
        panel: SearchPanel,
        fields: Mapping[str, Mapping[str, Any]],
        context: Mapping[str, Any],
    ) -> None:
        for key, value in context.items():
            if not key.startswith("search_default_") or not value:
                continue
            name = key[len("search_default_") :]
            item = panel.filter(name)
            if item is not None:
                if item.group_by is not None:
                    if item.group_by not in self.group_by:
                        self.group_by.append(item.group_by)
                elif name not in self.filters:
                    self.filters.append(name)
            elif name in fields and panel.field(name) is not None:
                kind = fields[name].get("type")
                if kind in ("many2one", "many2many", "one2many"):
                    values = value if isinstance(value, (list, tuple)) else [value]
                    self.ids[name] = [int(v) for v in values if isinstance(v, int)]
                else:
                    self.texts[name] = [str(value)]
        group_by = context.get("group_by")
        if group_by and not self.group_by:
            for name in [group_by] if isinstance(group_by, str) else list(group_by):
                if valid_group_by(name, fields):
                    self.group_by.append(name)

    # -- the query of a search ----------------------------------------------------------------
    def query(self) -> list[tuple[str, str]]:
        """The URL arguments of this search (``searched=1`` first: defaults no longer apply)."""
        items: list[tuple[str, str]] = [("searched", "1")]
        for name, texts in self.texts.items():
            items.extend((f"search_{name}", text) for text in texts)
        for name, ids in self.ids.items():
            items.extend((f"search_{name}", f"#{record_id}") for record_id in ids)
        items.extend(("filter", name) for name in self.filters)
        items.extend(("groupby", name) for name in self.group_by)
        if self.domain_text:
            items.extend([("domain", self.domain_text), ("domain_label", self.domain_label)])
        return items

    # -- the domain ---------------------------------------------------------------------------
    def domain(
        self,
        panel: SearchPanel,
        fields: Mapping[str, Mapping[str, Any]],
        eval_context: Mapping[str, Any],
    ) -> list:
        """The domain of the facets: fields and filter groups ANDed, within them ORed."""
        parts: list[list] = []
        for name, texts in self.texts.items():
            search_field = panel.field(name)
            if search_field is None:
                continue
            parts.append(
                or_domains(
                    [_field_domain(search_field, fields, text, eval_context) for text in texts]
                )
            )
        for name, ids in self.ids.items():
            if ids:
                parts.append([(name, "in", ids)])
        chosen = set(self.filters)
        for group in panel.filter_groups():
            domains = [
                safe_eval(item.domain, eval_context)
                for item in group
                if item.name in chosen and item.domain
            ]
            if domains:
                parts.append(or_domains(domains))
        parts.append(url_domain(self.domain_text) or [])
        return and_domains(parts)

    # -- the facets shown ---------------------------------------------------------------------
    def facets(self, panel: SearchPanel, names: Mapping[tuple[str, int], str]) -> list[Facet]:
        """The facets of the search bar; ``names`` gives the display names of default ids."""
        facets: list[Facet] = []
        for name, texts in self.texts.items():
            label = panel.field(name).string if panel.field(name) else name
            shown = [
                names.get((name, int(t[1:])), t) if t[:1] == "#" and t[1:].isdigit() else t
                for t in texts
            ]
            facets.append(Facet("field", label, shown, self._without(texts=name)))
        for name, ids in self.ids.items():
            label = panel.field(name).string if panel.field(name) else name
            shown = [names.get((name, i), f"#{i}") for i in ids]
            facets.append(Facet("field", label, shown, self._without(ids=name)))
        chosen = set(self.filters)
        for group in panel.filter_groups():
            active = [item for item in group if item.name in chosen]
            if active:
                facets.append(
                    Facet(
                        "filter",
                        "Filter",
                        [item.string for item in active],
                        self._without(filters={item.name for item in active}),
                    )
                )
        if self.domain_text:
            facets.append(
                Facet("filter", "Filter", [self.domain_label], self._without(domain=True))
            )
        if self.group_by:
            labels = []
            for name in self.group_by:
                item = next((f for f in panel.groupby_filters if f.group_by == name), None)
                labels.append(item.string if item else name)
            facets.append(Facet("groupby", "Group By", labels, self._without(group_by=True)))
        return facets

    def _without(
        self,
        *,
        texts: str | None = None,
        ids: str | None = None,
        filters: set[str] | None = None,
        group_by: bool = False,
        domain: bool = False,
    ) -> list[tuple[str, str]]:
        other = SearchState(
            {k: v for k, v in self.texts.items() if k != texts},
            {k: v for k, v in self.ids.items() if k != ids},
            [f for f in self.filters if not filters or f not in filters],
            [] if group_by else list(self.group_by),
            True,
            "" if domain else self.domain_text,
            "" if domain else self.domain_label,
        )
        return other.query()


def url_domain(text: str | None) -> list | None:
    """The domain of a URL's ``domain`` argument (JSON, as a pivot cell links to the list),
    or ``None`` when it is not a JSON list of operators and ``[field, operator, value]``
    leaves; the ORM checks the fields and values when it searches, as the user."""
    if not text or len(text) > 4000:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, list):
        return None
    domain: list = []
    for item in value:
        if item in ("&", "|", "!"):
            domain.append(item)
        elif (
            isinstance(item, list)
            and len(item) == 3
            and isinstance(item[0], str)
            and isinstance(item[1], str)
        ):
            domain.append(tuple(item))
        else:
            return None
    return domain


def valid_group_by(spec: str, fields: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether ``spec`` (``field`` or ``field:interval``) groups by a groupable field."""
    name, _, interval = spec.partition(":")
    description = fields.get(name)
    if description is None or not description.get("groupable", description.get("store")):
        return False
    if interval:
        return description.get("type") in ("date", "datetime") and interval in DATE_INTERVALS
    return True


def _field_domain(
    search_field: SearchField,
    fields: Mapping[str, Mapping[str, Any]],
    text: str,
    eval_context: Mapping[str, Any],
) -> list:
    if text.startswith("#") and text[1:].isdigit():  # an id kept from a default facet
        return [(search_field.name, "=", int(text[1:]))]
    if search_field.filter_domain:
        return safe_eval(
            search_field.filter_domain, {**eval_context, "self": text, "raw_value": text}
        )
    kind = fields.get(search_field.name, {}).get("type", "char")
    operator = search_field.operator
    value: Any = text
    if operator is None:
        if kind in ("char", "text", "html", "many2one", "many2many", "one2many"):
            operator = "ilike"
        else:
            operator = "="
    if kind == "integer" and operator == "=":
        value = int(text) if text.lstrip("-").isdigit() else 0
    elif kind in ("float", "monetary") and operator == "=":
        try:
            value = float(text)
        except ValueError:
            value = 0.0
    elif kind == "selection" and operator == "=":
        labels = {str(label).lower(): key for key, label in fields[search_field.name]["selection"]}
        value = labels.get(text.lower(), text)
    return [(search_field.name, operator, value)]


def normalize_domain(domain: list) -> list:
    """``domain`` with its implicit ANDs made explicit, so that it is one prefix term."""
    result: list = []
    expected = 1  # terms still needed to complete the expression read so far
    for token in domain:
        if expected == 0:  # a complete term followed by another: an implicit AND
            result.insert(0, "&")
            expected = 1
        if token in ("&", "|"):
            expected += 1
        elif token != "!":
            expected -= 1
        result.append(token)
    return result


def or_domains(domains: list[list]) -> list:
    """``domains`` ORed, in prefix notation (an empty domain matches everything)."""
    if not domains or any(not d for d in domains):
        return []
    result: list = ["|"] * (len(domains) - 1)
    for domain in domains:
        result.extend(normalize_domain(domain))
    return result


def and_domains(domains: list[list]) -> list:
    """``domains`` ANDed, in prefix notation."""
    domains = [d for d in domains if d]
    if not domains:
        return []
    result: list = ["&"] * (len(domains) - 1)
    for domain in domains:
        result.extend(normalize_domain(domain))
    return result


__all__ = [
    "DATE_INTERVALS",
    "Facet",
    "Filter",
    "SearchField",
    "SearchPanel",
    "SearchState",
    "and_domains",
    "normalize_domain",
    "or_domains",
    "url_domain",
    "valid_group_by",
]
