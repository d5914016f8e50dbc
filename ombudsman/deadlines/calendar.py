"""Working-day calendar for deadlines: Indonesian public holidays, cuti bersama and office overrides.

Pure and database-free: a `WorkingCalendar` is built from explicit inputs (the office's weekend, whether
cuti bersama counts as a working day, and the admin's closures and reopened days) and answers questions
about dates passed in. Nothing here reads the clock, the configuration or the database, so the deadline
services can compute a due date once, store it, and later recompute it to show what a holiday change would
move.

Holiday data comes from the `holidays` package: category ``public`` holds the national holidays and
``government`` the cuti bersama (joint leave days decreed each year by SKB/Keppres).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays
from holidays.constants import GOVERNMENT, PUBLIC

from ombudsman.dates import MONTHS_ID, WEEKDAYS_ID, format_date_id  # noqa: F401 (re-exported)

# Cuti bersama were first decreed in 2002; a later year without any in the package means its data has not
# been updated yet, not that the government skipped them.
FIRST_CUTI_BERSAMA_YEAR = 2002

# The package marks Islamic/lunar dates it only computed (not confirmed by a decree) with this label, e.g.
# "Hari Raya Idul Fitri (perkiraan)". It has no public flag for it, so the label text is the signal.
_ESTIMATED_MARKER = holidays.Indonesia.estimated_label.replace("%s", "").strip()

# holidays 0.108 spells the Indonesian "observed" prefix "Pegangti" (a typo for "Pengganti"); fix it so the
# word never reaches a letter. Harmless once the package corrects it.
_NAME_FIXES = {"Pegangti ": "Pengganti "}

# Short, letter-friendly names for the package's official Indonesian names; anything not listed passes
# through the generic rules in short_holiday_name() unchanged.
_SHORT_NAMES = {
    "Tahun Baru Masehi": "Tahun Baru",
    "Hari kedua dari Hari Raya Idul Fitri": "Idul Fitri hari kedua",
    "Hari Suci Nyepi": "Nyepi",
    "Isra Mikraj Nabi Muhammad": "Isra Mikraj",
    "Maulid Nabi Muhammad": "Maulid Nabi",
    "Hari Buruh Internasional": "Hari Buruh",
    "Hari Pemilihan Umum": "Pemilihan Umum",
    "Hari Pemilihan Presiden": "Pemilihan Presiden",
    "Hari Pemilihan Legislatif": "Pemilihan Legislatif",
    "Hari Pemilihan Kepala Daerah": "Pemilihan Kepala Daerah",
}
_CUTI_BERSAMA = "Cuti Bersama "
_REPLACEMENT = "Pengganti "


def short_holiday_name(name: str) -> str:
    """Shorten an official holiday name for an explanation, e.g. "Hari Raya Idul Adha" -> "Idul Adha"."""
    # The "(perkiraan)" marker is dropped: it would nest brackets in the explanation, and a span with
    # estimated dates already carries a coverage warning.
    name = name.removesuffix(_ESTIMATED_MARKER).rstrip()
    for prefix in (_REPLACEMENT, _CUTI_BERSAMA):
        if name.startswith(prefix):
            return prefix + short_holiday_name(name.removeprefix(prefix))
    if name in _SHORT_NAMES:
        return _SHORT_NAMES[name]
    return name.removeprefix("Hari Raya ").removesuffix(" Republik Indonesia")


# How the joint decree (SKB) on holidays and cuti bersama of each year spells what the package names
# otherwise: (first year, last year, package words, decree words); None leaves a side open. The office writes
# its explanations in the decree's words (KBBI spellings "Idulfitri", "Iduladha"; "Isa Almasih" until the
# 2024 decree changed to "Yesus Kristus").
DECREE_SPELLINGS: tuple[tuple[int | None, int | None, str, str], ...] = (
    (None, None, "Idul Fitri", "Idulfitri"),
    (None, None, "Idul Adha", "Iduladha"),
    (None, 2023, "Yesus Kristus", "Isa Almasih"),
)


def decree_spelling(name: str, year: int) -> str:
    """A holiday name in the words of that year's decree (`DECREE_SPELLINGS`), e.g. "Idul Adha" ->
    "Iduladha"; names the table does not touch pass unchanged."""
    for first, last, package_words, decree_words in DECREE_SPELLINGS:
        if (first is None or first <= year) and (last is None or year <= last):
            name = name.replace(package_words, decree_words)
    return name


def decree_holiday_name(name: str, year: int) -> str:
    """The short name of a holiday of `year` as the office writes it: `short_holiday_name` in that year's
    decree spelling, e.g. "Hari Raya Idul Adha" (2018) -> "Iduladha"."""
    return decree_spelling(short_holiday_name(name), year)


@dataclass(frozen=True)
class _YearHolidays:
    """The package's holidays for one year, split by category, with a flag for estimated dates."""

    public: Mapping[date, tuple[str, ...]]
    government: Mapping[date, tuple[str, ...]]
    has_estimates: bool


def _fix_name(name: str) -> str:
    for wrong, right in _NAME_FIXES.items():
        name = name.replace(wrong, right)
    return name


def _names_by_date(category: str, year: int, language: str = "id") -> Mapping[date, tuple[str, ...]]:
    source = holidays.Indonesia(categories=(category,), years=year, language=language)
    return MappingProxyType({d: tuple(_fix_name(n) for n in source.get_list(d)) for d in sorted(source)})


# Holiday data is the same for every office setting, so it is cached per year at module level and shared by
# all calendars (a calendar is cheap to rebuild per request from the office's settings).
@lru_cache(maxsize=256)
def _year_holidays(year: int) -> _YearHolidays:
    public = _names_by_date(PUBLIC, year)
    government = _names_by_date(GOVERNMENT, year)
    names = [n for group in (public, government) for ns in group.values() for n in ns]
    return _YearHolidays(public, government, any(_ESTIMATED_MARKER in n for n in names))


@lru_cache(maxsize=64)
def _year_names(year: int, language: str) -> tuple[Mapping[date, tuple[str, ...]], ...]:
    return _names_by_date(PUBLIC, year, language), _names_by_date(GOVERNMENT, year, language)


def holiday_names(d: date, language: str, calendar: WorkingCalendar) -> list[str]:
    """The package's names of the holidays that make `d` a day off under `calendar`'s cuti bersama setting.

    `language` is one the package speaks ("id", "en_US"); [] when the package has no holiday off on `d`.
    """
    public, government = _year_names(d.year, language)
    names = list(public.get(d, ()))
    if not calendar.cuti_bersama_is_working:
        names += [n for n in government.get(d, ()) if n not in names]
    return names


def _year_covered(year: int, cuti_bersama_is_working: bool) -> bool:
    if not holidays.Indonesia.start_year <= year <= holidays.Indonesia.end_year:
        return False
    data = _year_holidays(year)
    if data.has_estimates:
        return False
    # Missing cuti bersama only matter when they are days off.
    return cuti_bersama_is_working or year < FIRST_CUTI_BERSAMA_YEAR or bool(data.government)


@lru_cache(maxsize=2)
def _covered_years(cuti_bersama_is_working: bool) -> tuple[int, ...]:
    years = range(holidays.Indonesia.start_year, holidays.Indonesia.end_year + 1)
    return tuple(y for y in years if _year_covered(y, cuti_bersama_is_working))


def coverage_warning(year: int) -> str:
    """The Indonesian warning shown when a deadline span touches a year without reliable holiday data."""
    return f"Data hari libur tahun {year} belum tersedia; tanggal jatuh tempo mungkin keliru."


@dataclass(frozen=True)
class DueDate:
    """A computed due date with the non-working weekdays it skipped and any data warnings."""

    due_on: date
    start: date
    count: int
    unit: str  # "working" or "calendar", as in the deadline rule
    skipped: list[tuple[date, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Calendar days only: the non-working days, from the counted end on, the due date was moved past.
    moved_over: list[tuple[date, str]] = field(default_factory=list)


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days count as working days for an office, and deadline arithmetic over them.

    `weekend` holds `date.weekday()` numbers (Monday is 0). `closures` are extra days off with a reason
    (a local holiday, an office closure); `reopened` are days that count as working although they are a
    holiday, cuti bersama or weekend (e.g. a cuti bersama cancelled by a later decree). A reopened day
    always wins; a closure wins over the package's holiday name.
    """

    weekend: frozenset[int] = frozenset({5, 6})
    cuti_bersama_is_working: bool = False
    closures: Mapping[date, str] = field(default_factory=dict)
    reopened: Mapping[date, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        weekend = frozenset(self.weekend)
        if not weekend <= set(range(7)):
            raise ValueError(f"weekend must hold weekday numbers 0-6, got {sorted(weekend)}")
        if len(weekend) == 7:
            # Otherwise add_working_days() could search forever for a working day.
            raise ValueError("weekend cannot cover the whole week")
        both = set(self.closures) & set(self.reopened)
        if both:
            raise ValueError(f"dates both closed and reopened: {sorted(both)}")
        # Copies, so a caller mutating its dicts cannot change a calendar already in use.
        object.__setattr__(self, "weekend", weekend)
        object.__setattr__(self, "closures", MappingProxyType(dict(self.closures)))
        object.__setattr__(self, "reopened", MappingProxyType(dict(self.reopened)))
        # Answers per day, filled as asked: due dates for thousands of recommendations walk the same days.
        object.__setattr__(self, "_reasons", {})

    def non_working_reason(self, d: date) -> str | None:
        """Why `d` is not a working day (holiday name, closure reason or weekday name), or None if it is."""
        try:
            return self._reasons[d]
        except KeyError:
            reason = self._reasons[d] = self._non_working_reason(d)
            return reason

    def _non_working_reason(self, d: date) -> str | None:
        if d in self.reopened:
            return None
        if d in self.closures:
            return self.closures[d]
        data = _year_holidays(d.year)
        names = list(data.public.get(d, ()))
        if not self.cuti_bersama_is_working:
            names += [n for n in data.government.get(d, ()) if n not in names]
        if names:
            return "; ".join(names)
        if d.weekday() in self.weekend:
            return WEEKDAYS_ID[d.weekday()]
        return None

    def is_working_day(self, d: date) -> bool:
        """Whether `d` counts as a working day."""
        return self.non_working_reason(d) is None

    def add_working_days(self, start: date, n: int) -> DueDate:
        """The n-th working day after `start` (which never counts itself); n=0 gives `start`."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day, counted = start, 0
        skipped: list[tuple[date, str]] = []
        while counted < n:
            day += timedelta(days=1)
            reason = self.non_working_reason(day)
            if reason is None:
                counted += 1
            elif day.weekday() not in self.weekend:
                # Weekends are obvious to any reader; only weekday days off need explaining.
                skipped.append((day, reason))
        return DueDate(
            due_on=day,
            start=start,
            count=n,
            unit="working",
            skipped=skipped,
            warnings=self.coverage_warnings(start, day),
        )

    def add_calendar_days(self, start: date, n: int, *, next_working_day: bool = False) -> DueDate:
        """`start` plus n calendar days. Holidays play no part in the count; with `next_working_day` a due
        date that falls on a non-working day (weekend, holiday, closure) moves to the next working day, the
        days passed over are in `moved_over` and the years they touch are checked for holiday data."""
        due_on = start + timedelta(days=n)
        if not next_working_day:
            return DueDate(due_on=due_on, start=start, count=n, unit="calendar")
        day, moved_over = due_on, []
        while (reason := self.non_working_reason(day)) is not None:
            moved_over.append((day, reason))
            day += timedelta(days=1)
        return DueDate(
            due_on=day,
            start=start,
            count=n,
            unit="calendar",
            moved_over=moved_over,
            warnings=self.coverage_warnings(due_on - timedelta(days=1), day),
        )

    def working_days_between(self, a: date, b: date) -> int:
        """Count working days d with a < d <= b; if b < a, minus the count for (b, a], so 0 when a == b.

        This makes it the inverse of `add_working_days`: for n >= 1,
        `working_days_between(s, add_working_days(s, n).due_on) == n`, and it is antisymmetric.
        """
        if b < a:
            return -self.working_days_between(b, a)
        return sum(self.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))

    def covers(self, year: int) -> bool:
        """Whether the holiday data for `year` is complete and confirmed for this calendar's settings."""
        return _year_covered(year, self.cuti_bersama_is_working)

    @property
    def covered_years(self) -> tuple[int, ...]:
        """All years for which `covers` is true, ascending (they need not be contiguous)."""
        return _covered_years(self.cuti_bersama_is_working)

    def coverage_warnings(self, a: date, b: date) -> list[str]:
        """Warnings for each year touched by the days after `a` up to `b` that `covers` rejects."""
        first, last = sorted((a, b))
        if first == last:
            return []
        years = range((first + timedelta(days=1)).year, last.year + 1)
        return [coverage_warning(y) for y in years if not self.covers(y)]
