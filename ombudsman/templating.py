"""Jinja filters and globals: every date and time goes through one filter here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from flask import Flask, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from ombudsman import clock, dates, filenames
from ombudsman.accounts import permissions
from ombudsman.accounts.forms import ROLE_LABELS
from ombudsman.authorities.forms import LEVEL_CHOICES
from ombudsman.authorities.services import RESPONSIBILITY_LABELS
from ombudsman.inspections import storage
from ombudsman.inspections.forms import (
    ANSWER_LABELS,
    INSPECTION_STATUS_LABELS,
    KIND_LABELS,
    MALADMINISTRATION_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
)
from ombudsman.recommendations.forms import KIND_LABELS as REC_KIND_LABELS
from ombudsman.recommendations.forms import STATUS_LABELS as REC_STATUS_LABELS
from ombudsman.request_input import cleaned_parameters


def office_tz() -> ZoneInfo:
    """The signed-in user's office time zone (UTC for anonymous pages and authorities' portal accounts,
    which belong to no office: their pages show calendar dates, already in the office's zone)."""
    if current_user and current_user.is_authenticated and not current_user.is_portal:
        return ZoneInfo(current_user.office.timezone)
    return ZoneInfo("UTC")


def ui_locale() -> Locale | str:
    """The interface locale of the request (``id`` or ``en``); Indonesian, the default, outside a request."""
    return get_locale() or "id"


def format_day(value: date | datetime | None) -> str:
    """A calendar date in the interface language: "31 Juli 2018", "31 July 2018"; "—" for no date.

    An instant (a ``datetime``) is first moved to the office's zone, so its date is the office's date.
    """
    if value is None:
        return "\u2014"
    if isinstance(value, datetime):
        value = value.astimezone(office_tz()).date()
    return dates.format_long_date(value, ui_locale())


def format_moment(value: datetime | None, with_date: bool = True, *, zone: ZoneInfo | None = None) -> str:
    """A UTC instant shown in the office's zone: "30 Juli 2018 09.15 WITA", "30 July 2018 09:15 WITA".

    `zone` is the zone of the record's office where it is not the user's (the audit trail passes it).
    """
    if value is None:
        return "\u2014"
    return dates.format_moment(value, zone or office_tz(), ui_locale(), with_date=with_date)


def translated(labels: Mapping) -> dict:
    """A map of lazy labels with every label translated now, for a table that shows them row after row.

    A lazy label is translated again each time it is printed (a catalogue lookup through the request's
    locale); a list of 100 rows would do that hundreds of times for the same few words.
    """
    return {key: str(label) for key, label in labels.items()}


def select_options(rows, selected=None) -> Markup:
    """`<option>` elements for (id, name) rows, the one whose id is `selected` marked selected.

    Built in one pass in Python: a filter drop-down of every authority (hundreds, thousands nationally)
    costs a Jinja loop iteration per option otherwise. Names are escaped.
    """
    chosen = str(selected) if selected not in (None, "") else None
    options = []
    for key, name in rows:
        mark = " selected" if str(key) == chosen else ""
        options.append(f'<option value="{escape(key)}"{mark}>{escape(name)}</option>')
    # Every interpolated value above is escaped (markupsafe.escape); Markup.format would do the same at
    # several times the cost, which matters for a few thousand options.
    return Markup("".join(options))  # noqa: S704


def carried_args(args: Mapping[str, str] | None = None) -> dict[str, str]:
    """The query parameters to carry into a link built with `url_for` (the request's, or `args`): one value
    each, without the names `url_for` keeps for itself (`endpoint`, and `_anchor`, `_external`, ... : a
    parameter `?endpoint=x` made `url_for` raise TypeError, a 500). No page of the app uses such names."""
    source = request.args if args is None else args
    items = source.to_dict().items() if hasattr(source, "to_dict") else source.items()
    return {key: value for key, value in items if key != "endpoint" and not key.startswith("_")}


def page_url(page: int) -> str:
    """The current page's URL with its filters kept and another page number (the path's own values win
    over query parameters of the same name)."""
    args = {**carried_args(), **(request.view_args or {}), "page": page}
    return url_for(request.endpoint, **args)


def register(app: Flask) -> None:
    """Install filters and template globals."""
    app.add_template_filter(format_day, "day")
    app.add_template_filter(format_moment, "moment")
    app.add_template_filter(filenames.display_filename, "filename")  # an uploaded file's name, shown safely
    # Imported here: the audit presenter formats with the filters above.
    from ombudsman.audit.present import entries as audit_entries

    app.add_template_filter(audit_entries, "audit_entries")
    # Globals, not context: macros imported without context (the pager) still see them.
    app.add_template_global(page_url, "page_url")
    app.add_template_global(carried_args, "carried_args")
    app.add_template_global(translated, "translated")
    app.add_template_global(select_options, "select_options")
    # The filters whose control characters were replaced (request_input.filter_page), for the list macros.
    app.add_template_global(cleaned_parameters, "cleaned_parameters")
    # The `accept` of evidence file inputs: the types the server takes, declared once in `storage`.
    app.add_template_global(",".join(storage.accepted_types()), "evidence_accept")

    @app.context_processor
    def globals_():
        return {
            "pinned_today": clock.pinned_today(),
            "get_locale": get_locale,
            "perm": permissions,
            "labels": {
                "role": ROLE_LABELS,
                "level": dict(LEVEL_CHOICES),
                "responsibility": RESPONSIBILITY_LABELS,
                "inspection_kind": KIND_LABELS,
                "answer": ANSWER_LABELS,
                "inspection_status": INSPECTION_STATUS_LABELS,
                "maladministration": MALADMINISTRATION_LABELS,
                "severity": SEVERITY_LABELS,
                "finding_status": STATUS_LABELS,
                "rec_kind": REC_KIND_LABELS,
                "rec_status": REC_STATUS_LABELS,
            },
        }
