"""How a due date was reached: stored as facts, said as a sentence in the reader's language.

A deadline keeps its explanation as a list of *steps* (JSON, `Deadline.explanation_facts`), one per event
that set or moved the due date:

- ``{"step": "start", "count": 30, "unit": "working", "starts": "on_receipt", "from": "2018-08-06",
  "due_on": "2018-09-20", "skipped": [{"on": "2018-08-17", "name": "Hari Kemerdekaan",
  "name_en": "Independence Day"}, ...]}``; a calendar-day period whose end fell on a non-working day under a
  rule that moves it (`DeadlineRule.next_working_day`) adds ``"moved": [{"on": "2018-12-25", "name": "Natal",
  "name_en": "Christmas Day"}, ...]``: the days from the counted end up to the working day it moved to.
- ``{"step": "extended", "on": ..., "note": ..., "count": ..., "unit": ..., "from": <old due date>,
  "due_on": ..., "skipped": [...]}``, with ``"requested_on": <date>`` when the authority asked for it through
  the portal and ``note`` is their reason (rendered "atas permohonan instansi tanggal …: “…”")
- ``{"step": "stopped", "on": ..., "note": ..., "remaining": 5, "unit": ...}``
- ``{"step": "restarted", "on": ..., "note": ..., "count": <days left>, "unit": ..., "from": <restart>,
  "due_on": ..., "skipped": [...]}``
- ``{"step": "text", "text": ...}``: a line kept as written (explanations older than the facts that could
  not be read back).

Skipped days are the weekdays off the count passed over: `name` is the short Indonesian name in the words of
that year's decree (holiday names joined by "dan", a weekend day's name, or an admin's closure reason as
typed), `name_en` the holiday or weekday names in English (None for a closure: its reason is shown as typed).
`render(steps)` says it in the current language, in the office's words (no "=" sign; holiday names as the
decree spells them, also for facts stored before that spelling): "30 hari kerja sejak diterima 6 Agustus
2018; tidak dihitung: 17 Agustus (Hari Kemerdekaan), 22 Agustus (Iduladha), 11 September (Tahun Baru Islam);
jatuh tempo 20 September 2018", and for a moved calendar-day end "60 hari kalender sejak diterima 26 Oktober
2018 berakhir Selasa, 25 Desember 2018 (Natal), bukan hari kerja; jatuh tempo digeser ke hari kerja
berikutnya: Rabu, 26 Desember 2018".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from babel.dates import format_date as babel_format_date
from babel.dates import get_day_names
from flask import has_app_context
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _gettext

from ombudsman.dates import WEEKDAYS_ID, format_date_id, format_long_date
from ombudsman.deadlines.calendar import (
    DueDate,
    WorkingCalendar,
    decree_holiday_name,
    decree_spelling,
    holiday_names,
    short_holiday_name,
)

STEP_START, STEP_EXTENDED, STEP_STOPPED, STEP_RESTARTED, STEP_TEXT = (
    "start",
    "extended",
    "stopped",
    "restarted",
    "text",
)
UNITS = ("working", "calendar")
# PUEBI prescribes the en dash ("tanda pisah") for "sampai dengan" between two dates.
RANGE_DASH = "\u2013"

Step = dict[str, Any]


# --- building the facts ---------------------------------------------------------------------------------


def _days_off(calendar: WorkingCalendar, days: Sequence[tuple[date, str]]) -> list[dict[str, Any]]:
    result = []
    for on, reason in days:
        if on in calendar.closures:
            name, english = reason, None
        elif reason == WEEKDAYS_ID[on.weekday()] and on.weekday() in calendar.weekend:
            name, english = reason, get_day_names("wide", locale="en")[on.weekday()]
        else:
            name = " dan ".join(decree_holiday_name(part, on.year) for part in reason.split("; "))
            english = " and ".join(holiday_names(on, "en_US", calendar)) or None
        result.append({"on": on.isoformat(), "name": name, "name_en": english})
    return result


def _period(calendar: WorkingCalendar, due: DueDate, unit: str) -> Step:
    if unit not in UNITS:
        raise ValueError(f"unknown deadline unit {unit!r}; expected one of {list(UNITS)}")
    period = {
        "count": due.count,
        "unit": unit,
        "from": due.start.isoformat(),
        "due_on": due.due_on.isoformat(),
        "skipped": _days_off(calendar, due.skipped),
    }
    if due.moved_over:
        period["moved"] = _days_off(calendar, due.moved_over)
    return period


def start_step(calendar: WorkingCalendar, due: DueDate, unit: str, starts: str) -> Step:
    """The first due date of a clock: `due` counted in `unit` from the receipt or the issue (`starts`)."""
    return {"step": STEP_START, "starts": starts, **_period(calendar, due, unit)}


def extension_step(
    calendar: WorkingCalendar,
    due: DueDate,
    unit: str,
    on: date,
    note: str,
    *,
    requested_on: date | None = None,
) -> Step:
    """An extension granted on `on`, counted from the former due date (`due.start`); `requested_on` when
    the authority asked for it that day and `note` is their reason (said as theirs when rendered)."""
    step = {"step": STEP_EXTENDED, "on": on.isoformat(), "note": note, **_period(calendar, due, unit)}
    if requested_on is not None:
        step["requested_on"] = requested_on.isoformat()
    return step


def stop_step(on: date, note: str, remaining: int, unit: str) -> Step:
    """The clock stopped on `on` with `remaining` days of `unit` left."""
    return {"step": STEP_STOPPED, "on": on.isoformat(), "note": note, "remaining": remaining, "unit": unit}


def restart_step(calendar: WorkingCalendar, due: DueDate, unit: str, on: date, note: str) -> Step:
    """The clock restarted on `on`: the days that were left counted again from it."""
    return {"step": STEP_RESTARTED, "on": on.isoformat(), "note": note, **_period(calendar, due, unit)}


def text_steps(text: str) -> list[Step]:
    """An explanation stored as text only (before the facts): one step per line, kept as written."""
    return [{"step": STEP_TEXT, "text": line} for line in text.split("\n") if line]


# --- saying it ------------------------------------------------------------------------------------------


def _plain(message: str, **variables: Any) -> str:
    """gettext for the source language: the message itself (the msgids are Indonesian)."""
    return message % variables if variables else message


def day_count(count: int, unit: str) -> str:
    """A number of days with its unit (`Unit` value "working" or "calendar") in the reader's language:
    "30 hari kerja", "1 working day" (English has a singular)."""
    if unit == "working":
        return ngettext("%(num)d hari kerja", "%(num)d hari kerja", count)
    return ngettext("%(num)d hari kalender", "%(num)d hari kalender", count)


def _language(language: str | None) -> str:
    if language:
        return language
    if not has_app_context():
        return "id"
    locale = get_locale()
    return locale.language if locale is not None else "id"


def _english_fallback(on: date, name: str) -> str | None:
    # Facts read back from an old sentence only know the Indonesian short name: when it is the package's
    # holiday name for that day, the package's English name says the same.
    for cuti_bersama_is_working in (False, True):
        calendar = WorkingCalendar(cuti_bersama_is_working=cuti_bersama_is_working)
        names = holiday_names(on, "id", calendar)
        if names and " dan ".join(short_holiday_name(n) for n in names) == name:
            return " and ".join(holiday_names(on, "en_US", calendar))
    return None


class _Sayer:
    """The words and date formats of one language."""

    def __init__(self, language: str):
        self.language = language
        self.gettext: Callable[..., str] = _plain if language == "id" else _gettext

    def day(self, d: date, *, with_year: bool = True) -> str:
        if self.language == "id":
            return format_date_id(d, with_year=with_year)
        return format_long_date(d, self.language, with_year=with_year)

    def days(self, count: int, unit: str) -> str:
        """ "30 hari kerja", "1 working day" (English has a singular)."""
        if self.language == "id":
            return f"{count} hari kerja" if unit == "working" else f"{count} hari kalender"
        return day_count(count, unit)

    def weekday_day(self, d: date) -> str:
        if self.language == "id":
            return f"{WEEKDAYS_ID[d.weekday()]}, {format_date_id(d)}"
        return babel_format_date(d, "EEEE, d MMMM y", locale=self.language)

    def name(self, day: dict[str, Any]) -> str:
        if self.language == "id":
            # A closure's reason (no English name) is kept as typed; holiday names take the decree's words.
            if "name_en" in day and day["name_en"] is None:
                return day["name"]
            return decree_spelling(day["name"], date.fromisoformat(day["on"]).year)
        if "name_en" in day:
            return day["name_en"] or day["name"]
        return _english_fallback(date.fromisoformat(day["on"]), day["name"]) or day["name"]

    def skipped(self, days: Sequence[dict[str, Any]], start: date, due_on: date) -> str:
        # Runs like the 2018 Idul Fitri cuti bersama (11-14 June) read better as one range than four
        # entries; years are noise when the whole span sits in one year, and essential when it does not.
        runs: list[tuple[date, date, str]] = []
        for day in days:
            on, name = date.fromisoformat(day["on"]), self.name(day)
            if runs:
                first, last, last_name = runs[-1]
                if name == last_name and on == last + timedelta(days=1) and on.month == last.month:
                    runs[-1] = (first, on, name)
                    continue
            runs.append((on, on, name))
        with_year = start.year != due_on.year
        parts = []
        for first, last, name in runs:
            when = self.day(first, with_year=with_year)
            if first != last:
                when = f"{first.day}{RANGE_DASH}{self.day(last, with_year=with_year)}"
            parts.append(f"{when} ({name})")
        return ", ".join(parts)

    def period(self, step: Step, since: str) -> str:
        _ = self.gettext
        start, due_on = date.fromisoformat(step["from"]), date.fromisoformat(step["due_on"])
        text = f"{self.days(step['count'], step['unit'])} {since} {self.day(start)}"
        if step.get("skipped"):
            text += "; " + _("tidak dihitung: %(days)s", days=self.skipped(step["skipped"], start, due_on))
        moved = step.get("moved")
        if not moved:
            return f"{text}; " + _("jatuh tempo %(date)s", date=self.day(due_on))
        end = date.fromisoformat(moved[0]["on"])
        if len(moved) == 1:
            text += " " + _(
                "berakhir %(date)s (%(name)s), bukan hari kerja",
                date=self.weekday_day(end),
                name=self.name(moved[0]),
            )
        else:
            text += " " + _(
                "berakhir %(date)s; bukan hari kerja: %(days)s",
                date=self.weekday_day(end),
                days=self.skipped(moved, start, due_on),
            )
        return f"{text}; " + _(
            "jatuh tempo digeser ke hari kerja berikutnya: %(date)s", date=self.weekday_day(due_on)
        )

    def note(self, step: Step) -> str:
        if step.get("requested_on"):
            _ = self.gettext
            asked = _(
                "atas permohonan instansi tanggal %(date)s: \u201c%(reason)s\u201d",
                date=self.day(date.fromisoformat(step["requested_on"])),
                reason=step.get("note", ""),
            )
            return f" ({asked})"
        return f" ({step['note']})" if step.get("note") else ""

    def step(self, step: Step) -> str:
        _ = self.gettext
        kind = step["step"]
        if kind == STEP_START:
            since = _("sejak diterbitkan") if step["starts"] == "on_issue" else _("sejak diterima")
            return self.period(step, since)
        # The inner words on their own line: babel does not extract a message inside another's arguments.
        if kind == STEP_EXTENDED:
            since = _("sejak tenggat")
            return _(
                "Perpanjangan %(date)s%(note)s: %(period)s",
                date=self.day(date.fromisoformat(step["on"])),
                note=self.note(step),
                period=self.period(step, since),
            )
        if kind == STEP_STOPPED:
            return _(
                "Penghentian sementara %(date)s%(note)s; sisa %(days)s.",
                date=self.day(date.fromisoformat(step["on"])),
                note=self.note(step),
                days=self.days(step["remaining"], step["unit"]),
            )
        if kind == STEP_RESTARTED:
            since = _("tersisa sejak")
            return _(
                "Tenggat berjalan kembali%(note)s: %(period)s",
                note=self.note(step),
                period=self.period(step, since),
            )
        return step.get("text", "")


def render_lines(steps: Iterable[Step], language: str | None = None) -> list[str]:
    """One sentence per step in `language` ("id", "en"; the current locale by default)."""
    language = _language(language)
    sayer = _Sayer(language)
    if language == "id" or not has_app_context():
        return [sayer.step(s) for s in steps]
    with force_locale(language):
        return [sayer.step(s) for s in steps]


def render(steps: Iterable[Step], language: str | None = None) -> str:
    """The whole explanation, one line per step, in `language` (the current locale by default)."""
    return "\n".join(render_lines(steps, language))
