"""Input contracts: every bound of every input field is declared once, here or in a package's `commands.py`.

A use case's input is a frozen dataclass (a *command*) whose fields carry their bound (`bounded(...)`).
The service checks the command with `validate()`; the WTForms form of the use case gets its validators from
`form_validators(bound)` and the marshmallow schema of the API from `schema_validators(bound)`, so the web
form, the API and the service cannot disagree on a length, a range or a date, and say it with one message.
`tests/core/test_contracts.py` walks every form/schema pair and fails on any difference.

Bounds:
- `Text(max, min=0, single_line=False, format=None)`: at most `max` characters; `min=1` means at least one
  visible character; never NUL or other control characters (tab, line feed and carriage return are allowed
  unless `single_line`, which also refuses the Unicode bidirectional overrides and zero-width characters); a
  non-empty value, trimmed, matches `format` (a `Format`: the shape of an e-mail address, a website, a time
  zone) when one is given.
- `Number(min, max)`: an integer in a closed range.
- `Day(rule)`: a plausible calendar date; `DateRule` says how far into the future (see there).
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from flask import current_app, has_app_context, has_request_context
from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from marshmallow import validate as ma_validate
from wtforms.validators import StopValidation

from ombudsman import clock, dates
from ombudsman.errors import Invalid

# The earliest date any record of the tracker may carry (the office keeps nothing older), and the last date
# the API documents as acceptable; the real upper bound depends on the rule and on today.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)
# Days after today that a visit may be dated (inspections are logged on the day or planned shortly before).
DEFAULT_FUTURE_MARGIN_DAYS = 90

# C0 control characters and DEL except tab, line feed and carriage return; lone UTF-16 surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# The same as a pattern that must match the whole value (shown in the OpenAPI document).
_ALLOWED = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
NO_CONTROL_PATTERN = rf"^{_ALLOWED}*$"

# What a single-line text may not hold besides control characters: line breaks, tabs, the Unicode
# bidirectional embeddings, overrides and isolates, and the invisible zero-width space, word joiner and byte
# order mark (each makes a name read differently from how it is stored, or two names look alike).
_NOT_ONE_LINE = re.compile(r"[\t\n\r\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]")

MSG_REQUIRED = _l("Wajib diisi.")
MSG_CONTROL = _l("Tidak boleh berisi karakter kontrol (misalnya NUL).")
MSG_SINGLE_LINE = _l("Harus satu baris, tanpa tab atau karakter pengatur arah teks.")


class DateRule(enum.StrEnum):
    """How far a date may go: all rules start at `EARLIEST_DAY` (1 January 2000)."""

    # A visit or an event that has happened or is planned soon: up to today + PLAUSIBLE_DATE_MARGIN_DAYS.
    VISIT = "visit"
    # Something that has already happened (a receipt, a response): up to today.
    PAST = "past"
    # A date set for the future (a proposed or granted due date): up to `LATEST_DAY`.
    FUTURE = "future"


@dataclass(frozen=True)
class Format:
    """The shape a whole non-empty text must have (`pattern`, a regular expression matched in full), and the
    message that says so."""

    pattern: str
    message: Any  # a lazily translated string

    def matches(self, value: str) -> bool:
        """Whether all of `value` has the shape."""
        return re.fullmatch(self.pattern, value) is not None


#: An e-mail address, checked by syntax only: the office also uses reserved test domains (demo.test).
EMAIL_FORMAT = Format(r"[^@\s]+@[^@\s]+\.[^@\s]+", _l("Alamat e-mail tidak sah."))


@dataclass(frozen=True)
class Text:
    """A string of `min`..`max` characters (`min=1`: one visible character at least), no control chars;
    on one line when `single_line`; of the shape `format` when given and not empty."""

    max: int
    min: int = 0
    single_line: bool = False
    format: Format | None = None


@dataclass(frozen=True)
class Number:
    """An integer between `min` and `max` inclusive."""

    min: int
    max: int


@dataclass(frozen=True)
class Day:
    """A plausible calendar date under `rule`."""

    rule: DateRule


Bound = Text | Number | Day

# Bounds shared by many use cases.
MAX_ID = 2_147_483_647  # PostgreSQL's integer: an id beyond it is refused before it reaches the database
RECORD_ID = Number(1, MAX_ID)
HEAD_COUNT = Number(0, 1_000_000)
# The text of a search box (lists of findings, letters, authorities), in the query string and in the API.
SEARCH = Text(200)


def _text_length_message(bound: Text) -> LazyString:
    if bound.min > 1:
        return _l("Panjang %(min)d sampai %(max)d karakter.", min=bound.min, max=bound.max)
    return _l("Paling banyak %(max)d karakter.", max=bound.max)


def _number_message(bound: Number) -> LazyString:
    return _l("Harus bilangan bulat dari %(min)d sampai %(max)d.", min=bound.min, max=bound.max)


def _today() -> date:
    """Today in the signed-in user's office zone (Asia/Makassar for Kupang), else in UTC."""
    zone = "UTC"
    if has_request_context():
        from flask_login import current_user

        office = getattr(current_user, "office", None) if current_user else None
        zone = getattr(office, "timezone", None) or zone
    return clock.today(zone)


def future_margin_days() -> int:
    """Days after today that a visit may be dated: `PLAUSIBLE_DATE_MARGIN_DAYS` (default 90)."""
    if has_app_context():
        return int(current_app.config.get("PLAUSIBLE_DATE_MARGIN_DAYS", DEFAULT_FUTURE_MARGIN_DAYS))
    return DEFAULT_FUTURE_MARGIN_DAYS


def day_range(rule: DateRule, today: date | None = None) -> tuple[date, date]:
    """The first and last acceptable date under `rule` on `today` (the office's today by default)."""
    if rule is DateRule.FUTURE:
        return EARLIEST_DAY, LATEST_DAY
    today = today or _today()
    if rule is DateRule.PAST:
        return EARLIEST_DAY, today
    return EARLIEST_DAY, today + timedelta(days=future_margin_days())


def _day_message(rule: DateRule, today: date | None) -> LazyString:
    def render() -> str:
        earliest, latest = day_range(rule, today)
        return gettext(
            "Tanggal harus antara %(earliest)s dan %(latest)s.",
            earliest=dates.long_date(earliest),
            latest=dates.long_date(latest),
        )

    return LazyString(render)


def check(bound: Bound, value: Any, today: date | None = None) -> Any | None:
    """The message (lazily translated) saying why `value` breaks `bound`, or None when it keeps it.

    `None` and "" are not judged here (whether a field is required is the use case's business), except that
    `Text(min=1)` refuses a value with no visible character.
    """
    if value is None:
        return None
    if isinstance(bound, Text):
        if not isinstance(value, str):
            return _l("Harus berupa teks.")
        if _CONTROL.search(value):
            return MSG_CONTROL
        if bound.single_line and _NOT_ONE_LINE.search(value):
            return MSG_SINGLE_LINE
        if bound.min >= 1 and not value.strip():
            return MSG_REQUIRED
        if len(value) > bound.max or (bound.min > 1 and len(value) < bound.min):
            return _text_length_message(bound)
        # Judged as the service stores it: `build` trims the strings of a command.
        if bound.format is not None and value.strip() and not bound.format.matches(value.strip()):
            return bound.format.message
        return None
    if isinstance(bound, Number):
        if isinstance(value, bool) or not isinstance(value, int):
            return _l("Harus bilangan bulat.")
        return None if bound.min <= value <= bound.max else _number_message(bound)
    if isinstance(bound, Day):
        if not isinstance(value, date):
            return _l("Harus berupa tanggal.")
        day = value.date() if hasattr(value, "date") and callable(value.date) else value
        earliest, latest = day_range(bound.rule, today)
        return None if earliest <= day <= latest else _day_message(bound.rule, today)
    raise TypeError(f"unknown bound {bound!r}")


# --- commands --------------------------------------------------------------------------------------------


def bounded(bound: Bound, default: Any = dataclasses.MISSING, **kwargs) -> Any:
    """A dataclass field that carries its bound: `title: str = bounded(TITLE)`."""
    return dataclasses.field(default=default, metadata={"bound": bound}, **kwargs)


def bound_of(command: type, name: str) -> Bound | None:
    """The bound declared on field `name` of a command class, or None."""
    for item in dataclasses.fields(command):
        if item.name == name:
            return item.metadata.get("bound")
    return None


def bounds(command: type) -> dict[str, Bound]:
    """Every bounded field of a command class: {field name: bound}."""
    return {f.name: f.metadata["bound"] for f in dataclasses.fields(command) if "bound" in f.metadata}


C = TypeVar("C")


def build(command: type[C], data: Mapping[str, Any], **extra: Any) -> C:
    """A command from a mapping (form data, a loaded schema): known fields only, strings trimmed."""
    names = {f.name for f in dataclasses.fields(command)}
    values = {k: (v.strip() if type(v) is str else v) for k, v in {**data, **extra}.items() if k in names}
    return command(**values)


def command_from(command: type[C], value: C | Mapping[str, Any], **extra: Any) -> C:
    """`value` itself when it is a `command`, else one built from the mapping (internal callers, seeds)."""
    return value if isinstance(value, command) else build(command, value, **extra)


def validate(command: Any, today: date | None = None) -> None:
    """Check every bounded field of `command`; raises `Invalid` with a message per field at fault."""
    problems: dict[str, list[Any]] = {}
    for name, bound in bounds(type(command)).items():
        value = getattr(command, name)
        values = value if isinstance(value, list | tuple | frozenset | set) else (value,)
        for item in values:
            message = check(bound, item, today)
            if message is not None:
                problems.setdefault(name, []).append(message)
                break
    if problems:
        first = next(iter(problems.values()))[0]
        raise Invalid(first, fields=problems)


# --- adapters: WTForms ------------------------------------------------------------------------------------


class FormBound:
    """A WTForms validator that applies a bound; empty input is left to the form's required-ness."""

    def __init__(self, bound: Bound):
        self.bound = bound
        self.field_flags = {}
        if isinstance(bound, Text):
            self.field_flags = {"maxlength": bound.max}

    def __call__(self, form, field) -> None:
        value = field.data
        if value is None or value == "":
            if isinstance(self.bound, Text) and self.bound.min >= 1:
                raise StopValidation(str(MSG_REQUIRED))
            return
        # A multiple select (ids of a team, of findings) carries one bound for each of its values.
        for item in value if isinstance(value, list | tuple) else (value,):
            message = check(self.bound, item)
            if message is not None:
                raise StopValidation(str(message))


class NoControlCharacters:
    """A WTForms validator for every field of every form (`forms_common.AppForm` puts it first): a submitted
    value with a control character (a NUL pasted into a title) is refused under its field with `MSG_CONTROL`,
    and the field's other validators do not run on it; a field already refused (not a date, not one of the
    choices) keeps that message alone.
    """

    def __call__(self, form, field) -> None:
        if any(isinstance(value, str) and _CONTROL.search(value) for value in field.raw_data or ()):
            raise StopValidation(None if field.errors else str(MSG_CONTROL))


def form_validators(bound: Bound) -> list:
    """The WTForms validators of `bound` (put `Optional()` or `InputRequired()` before them as needed)."""
    return [FormBound(bound)]


# --- adapters: marshmallow --------------------------------------------------------------------------------


class _SchemaCheck:
    """Mixin: validate with `check()`, so the API says what the form and the service say."""

    bound: Bound

    def __call__(self, value: Any) -> Any:
        message = check(self.bound, value)
        if message is not None:
            raise ValidationError(str(message))
        return value


class SchemaText(_SchemaCheck, ma_validate.Length):
    """A `Text` bound; a `Length` to marshmallow and apispec, so the OpenAPI document shows min/maxLength."""

    def __init__(self, bound: Text):
        super().__init__(min=bound.min, max=bound.max)
        self.bound = bound


class SchemaNumber(_SchemaCheck, ma_validate.Range):
    """A `Number` bound; a `Range` to apispec (minimum/maximum in the OpenAPI document)."""

    def __init__(self, bound: Number):
        super().__init__(min=bound.min, max=bound.max)
        self.bound = bound


class SchemaDay(_SchemaCheck, ma_validate.Range):
    """A `Day` bound; documented as the widest range (2000-01-01 to 2100-12-31), checked against today."""

    def __init__(self, bound: Day):
        super().__init__(min=EARLIEST_DAY, max=LATEST_DAY)
        self.bound = bound


class _DocumentedPattern(ma_validate.Regexp):
    """Shows the no-control-character pattern in the OpenAPI document; `SchemaText` does the checking."""

    def __call__(self, value: Any) -> Any:
        return value


def schema_validators(bound: Bound) -> list:
    """The marshmallow validators of `bound`: one validator that checks, as the form and the service do."""
    if isinstance(bound, Text):
        # "At least one visible character" is checked but documented only as minLength: a pattern for it
        # makes schema-driven clients (and the schemathesis run) work hard to generate matching strings.
        return [SchemaText(bound), _DocumentedPattern(NO_CONTROL_PATTERN)]
    if isinstance(bound, Number):
        return [SchemaNumber(bound)]
    return [SchemaDay(bound)]
