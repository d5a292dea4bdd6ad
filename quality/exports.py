"""CSV and XLSX exports of the dashboard: its figures (the tables on the page) and the enquiries and contracts
behind them, cut to the reader's scope and filters like the page itself.

CSV is streamed (a year of enquiries is tens of thousands of rows); XLSX is written by openpyxl in write-only mode.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from agreements.choices import AgreementKind, ContractStage
from partners.choices import EnquiryStage

from .dashboard import BALLS, CLOCKS, Filters, Scope
from .models import ContractClock, EnquiryClock
from .tables import Table

CHUNK = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def enquiry_rows(user, filters: Filters) -> tuple[list[str], Iterator[list]]:
    clocks = Scope(user, filters).cut(EnquiryClock.objects.all(), day="submitted_on")
    headers = [
        _("Reference"),
        _("Company"),
        _("Submitted"),
        _("Stage"),
        _("Entity"),
        _("Governing body"),
        *[str(label) for _name, label in CLOCKS],
        *[_("Working days with: %(party)s") % {"party": label} for _key, label in BALLS],
    ]
    columns = [
        "enquiry__reference",
        "enquiry__company__legal_name",
        "submitted_on",
        "stage",
        "entity__name",
        "body__short_name",
        *[name for name, _label in CLOCKS],
        *[f"{key}_days" for key, _label in BALLS],
    ]
    stages = dict(EnquiryStage.choices)

    def rows() -> Iterator[list]:
        for values in clocks.order_by("submitted_on", "pk").values_list(*columns).iterator(chunk_size=CHUNK):
            row = list(values)
            row[3] = str(stages.get(row[3], row[3]))
            yield row

    return headers, rows()


def contract_rows(user, filters: Filters) -> tuple[list[str], Iterator[list]]:
    clocks = Scope(user, filters).cut(ContractClock.objects.all(), day="requested_on", contract="agreement")
    headers = [
        _("Enquiry"),
        _("Contract"),
        _("Kind"),
        _("Amendment"),
        _("Asked for"),
        _("Stage"),
        _("Entity"),
        _("Governing body"),
        _("To in force"),
        *[_("Working days with: %(party)s") % {"party": label} for _key, label in BALLS],
    ]
    columns = [
        "enquiry__reference",
        "agreement__number",
        "kind",
        "is_amendment",
        "requested_on",
        "stage",
        "entity__name",
        "body__short_name",
        "in_force_days",
        *[f"{key}_days" for key, _label in BALLS],
    ]
    kinds, stages = dict(AgreementKind.choices), dict(ContractStage.choices)

    def rows() -> Iterator[list]:
        for values in clocks.order_by("requested_on", "pk").values_list(*columns).iterator(chunk_size=CHUNK):
            row = list(values)
            row[1] = f"{row[0]}-{row[1]}"  # the contract's reference, as on its PDF
            row[2] = str(kinds.get(row[2], row[2]))
            row[3] = _("yes") if row[3] else _("no")
            row[5] = str(stages.get(row[5], row[5]))
            yield row

    return headers, rows()


def figure_sheets(tables: Iterable[Table]) -> list[tuple[str, list[str], Iterable[list]]]:
    return [(str(table.title), [str(h) for h in table.headers], table.rows) for table in tables]


# ---- writers ----------------------------------------------------------------------------------------------------
class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(name: str, sheets: list[tuple[str, list[str], Iterable[list]]]) -> StreamingHttpResponse:
    """One CSV; several tables follow one another, each under its title, a blank line between."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # so that Excel reads UTF-8
        for index, (title, headers, rows) in enumerate(sheets):
            if len(sheets) > 1:
                if index:
                    yield "\r\n"
                yield writer.writerow([title])
            yield writer.writerow(headers)
            for row in rows:
                yield writer.writerow(["" if cell is None else _cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(name)}.csv"'
    return response


def xlsx_response(name: str, sheets: list[tuple[str, list[str], Iterable[list]]]) -> FileResponse:
    """One worksheet per table."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(_sheet_title(title, used))
        sheet.append(headers)
        for row in rows:
            sheet.append([_xlsx_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"{_filename(name)}.xlsx", content_type=XLSX)


def _cell(value):
    if isinstance(value, float):
        return f"{value:g}"
    return _text(value) if isinstance(value, str) else str(value)


def _xlsx_cell(value):
    if value is None or isinstance(value, (int, float)) or hasattr(value, "isoformat"):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", _text(str(value)))  # control characters a worksheet cannot hold


def _text(text: str) -> str:
    # a company's name starting like a formula is text, never something a spreadsheet should compute
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _sheet_title(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "Sheet"
    candidate, number = base, 2
    while candidate in used:
        candidate, number = f"{base[:25]} {number}", number + 1
    used.add(candidate)
    return candidate


def _filename(name: str) -> str:
    return f"opale-{name}-{timezone.localdate():%Y-%m-%d}"
