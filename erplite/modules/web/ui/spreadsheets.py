"""Files of rows: CSV and XLSX written for an export and read for an import.

Worked example::

    data = write_file("xlsx", ["Order Reference", "Customer"], [["S00001", "Azure"]])
    headers, rows = read_file("orders.xlsx", data)   # (['Order Reference', 'Customer'],
                                                     #  [['S00001', 'Azure']])

XLSX goes through ``openpyxl`` both ways. Cells keep their types in XLSX (numbers, dates,
booleans); text cells are written as text, never as formulas, so that a name beginning with
``=`` is not run by the spreadsheet. CSV is UTF-8 (a BOM is accepted on reading); its
delimiter (comma, semicolon or tab) is recognised on reading. A file that cannot be read
raises :class:`FileError` with a message for the user.

``openpyxl`` is imported by the functions that write or read XLSX, not when this module loads:
it is about 10 MiB of a worker's memory, which a worker that never exports a spreadsheet (one
serving JSON-RPC) does not pay.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Sequence
from typing import Any

#: Rows read from one file at most (a bigger file is split by the user).
MAX_ROWS = 20_000

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class FileError(ValueError):
    """A file that cannot be read as CSV or XLSX (the message says why)."""


def write_file(file_format: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """The bytes of a ``csv`` or ``xlsx`` file of ``headers`` then ``rows``."""
    if file_format == "xlsx":
        return _write_xlsx(headers, rows)
    if file_format == "csv":
        return _write_csv(headers, rows)
    raise ValueError(f"Unknown file format {file_format!r}")


def _csv_text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _write_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def _write_xlsx(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    import openpyxl  # on first use: see the module docstring
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet1")
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text stays text: "=1+1" is not a formula
            elif isinstance(value, datetime.datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(value, datetime.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
            else:
                cell = WriteOnlyCell(sheet, value=value)
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_format_of(filename: str) -> str:
    """``csv`` or ``xlsx`` from a file name; :class:`FileError` for anything else."""
    lowered = (filename or "").lower()
    for suffix in ("csv", "xlsx"):
        if lowered.endswith("." + suffix):
            return suffix
    raise FileError("Choose a .csv or .xlsx file.")


def read_file(filename: str, data: bytes) -> tuple[list[str], list[list[Any]]]:
    """``(headers, rows)`` of a CSV or XLSX file; blank rows at the end are dropped."""
    file_format = file_format_of(filename)
    rows = _read_xlsx(data) if file_format == "xlsx" else _read_csv(data)
    while rows and all(_blank(cell) for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise FileError("The file is empty: its first line must name the columns.")
    headers = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    width = len(headers)
    body = [list(row[:width]) + [""] * (width - len(row)) for row in rows[1:]]
    if len(body) > MAX_ROWS:
        raise FileError(f"The file has {len(body)} rows; import at most {MAX_ROWS} at once.")
    return headers, body


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _read_csv(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileError(
            f"The file is not UTF-8 text (byte {error.start}): save it as CSV UTF-8."
        ) from None
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as error:
        raise FileError(f"The CSV file cannot be read: {error}") from None


def _read_xlsx(data: bytes) -> list[list[Any]]:
    import openpyxl  # on first use: see the module docstring

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise FileError(f"The file is not a readable XLSX workbook ({error}).") from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(["" if cell is None else cell for cell in row])
            if len(rows) > MAX_ROWS + 1:
                raise FileError(f"The file has more than {MAX_ROWS} rows; import fewer at once.")
        return rows
    finally:
        workbook.close()
