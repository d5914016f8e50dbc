"""The filtered deadlines list as a CSV file or an Excel workbook (`ombudsman.deadlines.exporting`).

Without a queue the file is the answer; with one a POST (the pages' export buttons are forms) starts a job
and answers with its waiting page, and a GET answers the form that does (`ombudsman.export_jobs`).
"""

from __future__ import annotations

from ombudsman.accounts.permissions import EVERYONE, roles_required
from ombudsman.deadlines.views.common import bp
from ombudsman.export_jobs import views as export_jobs
from ombudsman.export_jobs.models import ExportKind


@bp.route("/export.csv", methods=["GET", "POST"])
@roles_required(EVERYONE)
def export_csv():
    """The filtered deadlines as CSV (UTF-8 with BOM, for spreadsheet programs), streamed, or its job."""
    return export_jobs.answer(ExportKind.DEADLINES, "csv")


@bp.route("/export.xlsx", methods=["GET", "POST"])
@roles_required(EVERYONE)
def export_xlsx():
    """The filtered deadlines as an Excel workbook, or its job."""
    return export_jobs.answer(ExportKind.DEADLINES, "xlsx")
