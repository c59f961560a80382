"""Multi-company consistency, as Odoo 17's ``_check_company``.

On a model with ``_check_company_auto = True``, every relational field declared with
``check_company=True`` whose comodel has a ``company_id`` must point to records of the
record's company or to records shared by every company (no company). A record without a
company may only point to shared records. A ``res.company`` record is its own company; a
``res.users`` target belongs to each of its ``company_ids``.

A record moved to another company (its ``company_id`` written, or the link its company is
related through, such as an order line's ``order_id``) gets the whole check; and outside
``env.su``, ``write`` checks the record rules on the moved records' new values, as ``create``
checks them on new rows (``WriteMixin.write``), so nobody moves a record to a company they
cannot access.

The check runs as superuser (it compares data, whatever the user may read) and raises one
``UserError`` listing the first five inconsistencies, in Odoo's words::

    Incompatible companies on records:
    - 'Order 7' belongs to company 'Company B' and 'Partner' (partner_id: 'Acme') belongs to another company.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from erplite.exceptions import UserError

if TYPE_CHECKING:
    from erplite.orm.models import BaseModel

MAX_LISTED = 5


def company_moving_fields(fields: Mapping[str, Any]) -> frozenset[str]:
    """The names of ``fields`` (a model's) whose change moves a record to another company:
    ``company_id``, and the first field of its path when it is related (a line's
    ``order_id`` when its ``company_id`` is ``order_id.company_id``)."""
    company = fields.get("company_id")
    if company is None:
        return frozenset()
    related = getattr(company, "related", None)
    if related and isinstance(related, str):
        return frozenset({"company_id", related.split(".", 1)[0]})
    return frozenset({"company_id"})


def check_company(records: Any, fnames: Iterable[str] | None = None) -> None:
    """Raise ``UserError`` if a ``check_company`` relation of ``records`` points to another
    company than the record's. ``fnames`` limits the check to those fields (all of them when
    ``None`` or when it names a field that moves the records to another company:
    ``company_id``, or the link its value is related through)."""
    if not records:
        return
    if "company_id" not in records._fields and records._name != "res.company":
        return
    env = records.env
    fnames = None if fnames is None else list(fnames)
    moving = company_moving_fields(records._fields)
    names = records._fields if fnames is None or not moving.isdisjoint(fnames) else fnames
    fields = []
    for name in names:
        field = records._fields.get(name)
        if (
            field is not None
            and field.relational
            and getattr(field, "check_company", False)
            and "company_id" in env[field.comodel_name]._fields
        ):
            fields.append(field)
    if not fields:
        return
    inconsistencies = []
    for record in records.sudo():
        company = record if record._name == "res.company" else record.company_id
        for field in fields:
            corecords = record[field.name]
            if not corecords:
                continue
            refused = corecords.filtered(
                lambda target, company=company: not _compatible(target, company)
            )
            if refused:
                inconsistencies.append((record, field, company, refused))
    if not inconsistencies:
        return
    lines = ["Incompatible companies on records:"]
    for record, field, company, refused in inconsistencies[:MAX_LISTED]:
        values = ", ".join(repr(target.display_name) for target in refused)
        if record._name == "res.company":
            lines.append(
                f"- Record is company {record.display_name!r} and {field.string!r} "
                f"({field.name}: {values}) belongs to another company."
            )
        else:
            company_name = company.display_name if company else False
            lines.append(
                f"- {record.display_name!r} belongs to company {company_name!r} and "
                f"{field.string!r} ({field.name}: {values}) belongs to another company."
            )
    raise UserError("\n".join(lines))


def _compatible(target: BaseModel, company: BaseModel) -> bool:
    """Whether ``target`` may be linked from a record of ``company`` (empty: no company)."""
    if target._name == "res.users":
        user_companies: BaseModel = target.company_ids
        if user_companies:  # a user belongs to each of their companies
            return company <= user_companies
    target_company: BaseModel = target.company_id
    return target_company <= company
