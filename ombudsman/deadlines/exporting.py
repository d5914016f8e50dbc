"""The filtered deadlines list as one export table (`ombudsman.exports.Table`), for the CSV and XLSX files.

Built in the request (no queue) or in a background job (`ombudsman.export_jobs`): the same office, date and
filters give the same rows either way. Labels follow the current locale, so a job forces the requester's.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_pgettext

from ombudsman import exports
from ombudsman.accounts.models import Office
from ombudsman.deadlines import reports, settings

#: The workbook's sheet title.
SHEET_TITLE = lazy_pgettext("list", "Tenggat")


def parse(args) -> reports.Filters:
    """The export's filters from query-string arguments (the dashboard's own, `reports.Filters.from_args`)."""
    return reports.Filters.from_args(args)


def table(office: Office, today: date, filters: reports.Filters) -> exports.Table:
    """The office's deadlines as of `today` (in the office's zone), narrowed by `filters`: `tenggat-<date>`.

    Rows come from `reports.export_rows` (two queries whatever the number of rows, read when written).
    """
    cut = settings.state_cutoffs(office, today)
    rows = reports.export_rows(office.id, cut, filters)
    return exports.Table(f"tenggat-{today.isoformat()}", SHEET_TITLE, reports.EXPORT_HEADER, rows)
