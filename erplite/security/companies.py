"""Multi-company consistency: ``check_company=True`` relational fields must point to records of
the same company (or to records shared by all companies)."""

from __future__ import annotations

from typing import Any

from erplite.exceptions import UserError


def check_company(records: Any, fnames: Any = None) -> None:
    """Raise ``UserError`` listing every record whose ``check_company`` relations belong to
    another company than its own."""
    if "company_id" not in records._fields and records._name != "res.company":
        return
    fields = [
        field for field in records._fields.values()
        if field.relational and getattr(field, "check_company", False)
        and (fnames is None or field.name in fnames)
    ]
    if not fields:
        return
    problems = []
    for record in records.sudo():
        company = record if record._name == "res.company" else record.company_id
        if not company:
            continue
        for field in fields:
            for target in record[field.name]:
                target_company = target if target._name == "res.company" else (
                    target.company_id if "company_id" in target._fields else None)
                if target_company and target_company != company:
                    problems.append(
                        f"- Record {record.display_name!r} ({record._name}, {record.id}) belongs "
                        f"to company {company.display_name!r} and {field.string!r} "
                        f"({field.name}) value {target.display_name!r} belongs to "
                        f"{target_company.display_name!r}."
                    )
    if problems:
        raise UserError("Incompatible companies on records:\n" + "\n".join(problems))
