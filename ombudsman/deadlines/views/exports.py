"""The filtered deadlines list as a CSV file or an Excel workbook."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import Response, send_file, stream_with_context
from flask_login import current_user
from openpyxl import Workbook

from ombudsman.accounts.permissions import EVERYONE, roles_required
from ombudsman.deadlines import reports, settings
from ombudsman.deadlines.views.common import bp, today
from ombudsman.deadlines.views.dashboard import filters


def _cell(value):
    # A leading =, +, - or @ would make a spreadsheet run the text as a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _export_name(ext: str) -> str:
    return f"tenggat-{today().isoformat()}.{ext}"


@bp.get("/export.csv")
@roles_required(EVERYONE)
def export_csv():
    """The filtered deadlines as CSV (UTF-8 with BOM, for spreadsheet programs)."""
    office = current_user.office
    chosen = filters()
    cut = settings.state_cutoffs(office, today())

    def generate():
        out = io.StringIO()
        writer = csv.writer(out)
        out.write("\ufeff")
        writer.writerow(reports.EXPORT_HEADER)
        for row in reports.export_rows(office.id, cut, chosen):
            writer.writerow([_cell(v.isoformat() if isinstance(v, date) else v) for v in row])
            if out.tell() > 64_000:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={_export_name('csv')}"
    return response


@bp.get("/export.xlsx")
@roles_required(EVERYONE)
def export_xlsx():
    """The filtered deadlines as an Excel workbook."""
    office = current_user.office
    chosen = filters()
    cut = settings.state_cutoffs(office, today())
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Tenggat")
    sheet.append(reports.EXPORT_HEADER)
    for row in reports.export_rows(office.id, cut, chosen):
        sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return send_file(
        out,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=_export_name("xlsx"),
    )
