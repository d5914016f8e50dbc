"""Dates and times in words, from Babel's CLDR data: the user's language on pages, Indonesian in letters.

Every date a person reads goes through here (the template filters in :mod:`ombudsman.templating` call these
functions with the interface locale; letters, deadline explanations and e-mails use the ``id`` helpers). Babel
carries the month and weekday names and the Indonesian zone abbreviations WIB, WITA and WIT, so this module
holds no word lists of its own; the tuples below are read from Babel once, at import.

All functions take a ``locale`` as a code (``"id"``, ``"en"``) or a :class:`babel.Locale`; instants are
timezone-aware :class:`~datetime.datetime` values (UTC in the database) and are shown in the zone given.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, get_day_names, get_month_names

if TYPE_CHECKING:
    from flask_babel import LazyString

#: Letters and other legal text are always Indonesian, whatever the reader's interface language.
LETTER_LOCALE = "id"

#: "31 Juli 2018" / "31 July 2018": day first in both languages, the month written out, as in letters.
DATE_PATTERN = "d MMMM y"
DAY_MONTH_PATTERN = "d MMMM"

#: "Januari" … "Desember", from Babel (CLDR ``id``), for code that needs one month's name (report labels).
MONTHS_ID: tuple[str, ...] = tuple(get_month_names("wide", locale=LETTER_LOCALE)[m] for m in range(1, 13))
#: "Senin" … "Minggu", indexed by :meth:`date.weekday` (Monday = 0), from Babel (CLDR ``id``).
WEEKDAYS_ID: tuple[str, ...] = tuple(get_day_names("wide", locale=LETTER_LOCALE)[d] for d in range(7))

# What Babel prints for "z" when the locale has no abbreviation for a zone: a bare UTC offset ("+0800").
_OFFSET_ONLY = re.compile(r"(GMT|UTC)?[+-]\d")


def format_long_date(day: date, locale: str | Locale, *, with_year: bool = True) -> str:
    """Format a calendar date with the month written out: "31 Juli 2018" (``id``), "31 July 2018" (``en``).

    ``with_year=False`` gives "31 Juli". A :class:`datetime` is formatted by its own calendar date: convert it
    to the office's zone first (see :func:`format_moment`).
    """
    if isinstance(locale, str) and type(day) is date:
        return _long_date(day, locale, with_year)
    return format_date(day, DATE_PATTERN if with_year else DAY_MONTH_PATTERN, locale=locale)


def long_date(day: date) -> str:
    """`format_long_date` in the current language: the request's interface language, else the app's default
    (Indonesian), Indonesian outside any app. For messages and e-mails built in Python ("31 July 2018", not
    Babel's "long" format, which is "July 31, 2018" in English)."""
    from flask_babel import get_locale

    locale = get_locale()
    return format_long_date(day, str(locale) if locale else LETTER_LOCALE)


def day_text(day: date) -> LazyString:
    """`long_date(day)` decided when the message is shown (a `LazyString`), e.g. "6 Agustus 2018" or
    "6 August 2018" in the reader's language: for messages built before the language is known."""
    from flask_babel import LazyString

    return LazyString(long_date, day)


@lru_cache(maxsize=4096)
def _long_date(day: date, locale: str, with_year: bool) -> str:
    # Pages list the same dates (holidays in explanations, due dates) many times: Babel formats each once.
    return format_date(day, DATE_PATTERN if with_year else DAY_MONTH_PATTERN, locale=locale)


def format_date_id(d: date, *, with_year: bool = True) -> str:
    """Format a date the Indonesian way, e.g. "31 Juli 2018" (or "31 Juli" without the year)."""
    return format_long_date(d, LETTER_LOCALE, with_year=with_year)


def weekday_name(day: date, locale: str | Locale) -> str:
    """The name of the day of the week: "Senin" (``id``), "Monday" (``en``)."""
    return format_date(day, "EEEE", locale=locale)


def zone_abbreviation(moment: datetime, zone: tzinfo, locale: str | Locale) -> str:
    """The short name of ``zone`` at ``moment``: "WITA" for Asia/Makassar, "WIB", "WIT", "UTC".

    Babel's ``id`` data has WIB, WITA and WIT; its ``en`` data has no abbreviation for Indonesian zones and
    would print "+0800". The Indonesian abbreviations are the official names and English text written in
    Indonesia uses them too, so a locale without an abbreviation borrows the Indonesian one; no table of our
    own is needed. When neither locale has a name for the zone (e.g. Asia/Singapore) the UTC offset is shown.
    ``moment`` must be aware.
    """
    own = format_datetime(moment, "z", tzinfo=zone, locale=locale)
    if not _OFFSET_ONLY.match(own):
        return own
    indonesian = format_datetime(moment, "z", tzinfo=zone, locale=LETTER_LOCALE)
    return own if _OFFSET_ONLY.match(indonesian) else indonesian


def format_clock_time(moment: datetime, zone: tzinfo, locale: str | Locale) -> str:
    """The 24-hour time of ``moment`` in ``zone``, with the zone: "09.15 WITA" (id), "09:15 WITA" (en)."""
    # The "Hm" skeleton asks for the locale's own 24-hour pattern: Indonesian separates with a dot.
    time_text = format_skeleton("Hm", moment, tzinfo=zone, locale=locale)
    return f"{time_text} {zone_abbreviation(moment, zone, locale)}"


def format_moment(moment: datetime, zone: tzinfo, locale: str | Locale, *, with_date: bool = True) -> str:
    """An instant shown in ``zone``: "30 Juli 2018 09.15 WITA" (``id``), "30 July 2018 09:15 WITA" (``en``).

    ``with_date=False`` gives only the time and zone. ``moment`` must be aware (the database stores UTC).
    """
    time_text = format_clock_time(moment, zone, locale)
    if not with_date:
        return time_text
    return f"{format_long_date(moment.astimezone(zone).date(), locale)} {time_text}"
