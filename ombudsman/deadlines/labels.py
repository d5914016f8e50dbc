"""The words for the deadline package's codes, in the reader's language (lazily translated).

Pages, forms and messages use these; letters (always Indonesian) use their own Indonesian phrases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l

from ombudsman.deadlines.explanations import day_count
from ombudsman.deadlines.models import CalendarDayKind, DeadlineState, EscalationStep, EventKind, Start, Unit

STATE_LABELS = {
    DeadlineState.NOT_STARTED: _l("Belum berjalan"),
    DeadlineState.OPEN: _l("Berjalan"),
    DeadlineState.DUE_SOON: _l("Segera jatuh tempo"),
    DeadlineState.OVERDUE: _l("Lewat tenggat"),
    DeadlineState.VERY_OVERDUE: _l("Sangat lewat tenggat"),
    DeadlineState.MET: _l("Tepat waktu"),
    DeadlineState.LATE: _l("Terlambat"),
}
EVENT_LABELS = {
    EventKind.CLOCK_STARTED: _l("Surat diterima, tenggat mulai berjalan"),
    EventKind.RECEIPT_CORRECTED: _l("Tanggal diterima dikoreksi"),
    EventKind.EXTENDED: _l("Perpanjangan"),
    EventKind.CLOCK_STOPPED: _l("Penghentian sementara"),
    EventKind.CLOCK_RESTARTED: _l("Tenggat berjalan kembali"),
    EventKind.RECOMPUTED: _l("Perubahan kalender diterapkan"),
    EventKind.RESPONSE: _l("Tanggapan instansi"),
    EventKind.REINSPECTION: _l("Inspeksi ulang"),
    EventKind.ESCALATION: _l("Surat eskalasi"),
    EventKind.CLOSED: _l("Ditutup"),
    EventKind.REOPENED: _l("Dibuka kembali"),
}
# "30 hari kerja": the unit after a number.
UNIT_LABELS = {Unit.WORKING: _l("hari kerja"), Unit.CALENDAR: _l("hari kalender")}
# How a rule counts, after its period: "30 hari kerja sejak diterima".
START_LABELS = {Start.ON_RECEIPT: _l("sejak diterima"), Start.ON_ISSUE: _l("sejak diterbitkan")}
# How a rule counts, as choices of the rule form.
START_CHOICE_LABELS = {Start.ON_RECEIPT: _l("sejak surat diterima"), Start.ON_ISSUE: _l("sejak surat terbit")}
CALENDAR_DAY_LABELS = {
    CalendarDayKind.CLOSED: _l("Libur tambahan / kantor tutup"),
    CalendarDayKind.REOPENED: _l("Tetap hari kerja"),
}
ESCALATION_STEP_LABELS = {
    EscalationStep.REMINDER: _l("Surat pengingat kepada instansi"),
    EscalationStep.SUPERIOR: _l("Surat kepada atasan instansi"),
    EscalationStep.HEAD_OFFICE: _l("Draf Rekomendasi untuk Ombudsman RI"),
}
# The kinds of letter an escalation drafts (the letters package's codes).
ESCALATION_LETTER_LABELS = {
    "pengingat": _l("Surat pengingat"),
    "rekomendasi_draft": _l("Draf Rekomendasi"),
}
REASON = _l("Alasan")


def rule_period(count: int, unit: Unit | str, starts: Start | str | None = None) -> LazyString:
    """A rule's period in words, e.g. "30 hari kerja sejak diterima" ("30 working days from receipt")."""

    def render() -> str:
        words = day_count(count, unit)
        return f"{words} {START_LABELS[Start(starts)]}" if starts else words

    return LazyString(render)


_COVERAGE_YEAR = re.compile(r"^Data hari libur tahun (\d{4}) ")


def warning_text(warning: str) -> str:
    """A stored due-date warning in the reader's language (they are stored as `calendar.coverage_warning`
    words, in Indonesian); anything else as stored."""
    match = _COVERAGE_YEAR.match(warning)
    if match is None:
        return warning
    return gettext(
        "Data hari libur tahun %(year)s belum tersedia; tanggal jatuh tempo mungkin keliru.", year=match[1]
    )


def warning_texts(warnings: Iterable[str] | None) -> list[str]:
    """A deadline's stored warnings (`Deadline.warnings`) in the reader's language, in order; [] for none.

    What pages, the API, the exports, the calendar feed and the reminder e-mails say beside a due date."""
    return [warning_text(w) for w in warnings or ()]


def uncovered_years(warnings: Iterable[str] | None) -> list[int]:
    """The years whose holiday data was missing when the due date was computed (from the stored coverage
    warnings), ascending: the due date may move once the data for them is in and an admin applies it."""
    return sorted({int(m[1]) for w in warnings or () if (m := _COVERAGE_YEAR.match(w))})
