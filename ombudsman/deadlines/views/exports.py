"""The filtered deadlines list as a CSV file or an Excel workbook (written by `ombudsman.exports`)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user

from ombudsman import exports
from ombudsman.accounts.permissions import EVERYONE, roles_required
from ombudsman.deadlines import reports, settings
from ombudsman.deadlines.views.common import bp, today
from ombudsman.deadlines.views.dashboard import filters


def _export_name(ext: str) -> str:
    return f"tenggat-{today().isoformat()}.{ext}"


def _rows():
    office = current_user.office
    return reports.export_rows(office.id, settings.state_cutoffs(office, today()), filters())


@bp.get("/export.csv")
@roles_required(EVERYONE)
def export_csv():
    """The filtered deadlines as CSV (UTF-8 with BOM, for spreadsheet programs), streamed."""
    return exports.csv_response(_export_name("csv"), reports.EXPORT_HEADER, _rows())


@bp.get("/export.xlsx")
@roles_required(EVERYONE)
def export_xlsx():
    """The filtered deadlines as an Excel workbook."""
    return exports.xlsx_response(_export_name("xlsx"), _("Tenggat"), reports.EXPORT_HEADER, _rows())
