"""What each export is: how its filters are read from query-string arguments and how its table is built.

The packages own their exports (`deadlines.exporting`, `letters.register`); this table only names them, so
the request (inline) and the job build the same file from the same arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import LazyString, lazy_pgettext
from flask_babel import lazy_gettext as _l

from ombudsman import exports
from ombudsman.accounts.models import Office
from ombudsman.deadlines import exporting as deadline_exports
from ombudsman.export_jobs.models import ExportKind
from ombudsman.letters import register


@dataclass(frozen=True)
class Kind:
    """One export: its label, its filters' parser (`MultiDict` -> filters), its table builder (office, the
    office's date, filters -> `exports.Table`) and the endpoint of the page it is downloaded from."""

    label: LazyString
    parse: Callable[[Any], Any]
    table: Callable[[Office, date, Any], exports.Table]
    page_endpoint: str


KINDS: dict[ExportKind, Kind] = {
    ExportKind.DEADLINES: Kind(
        lazy_pgettext("list", "Tenggat"),
        deadline_exports.parse,
        deadline_exports.table,
        "deadlines.dashboard",
    ),
    ExportKind.LETTERS: Kind(
        _l("Register surat"),
        register.LetterFilters.from_args,
        lambda office, _today, filters: register.export_table(office.id, filters),
        "letters.index",
    ),
}
