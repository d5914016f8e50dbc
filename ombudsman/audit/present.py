"""The audit trail for people: labels, names, translated verbs and local times instead of raw codes.

`entries(events)` turns stored AuditEvents into Entry rows a template prints as they are. Every user,
authority and other record a trail names is looked up once per trail (one query per kind of record, whatever
the number of events), and times are shown in the zone of the record's office (the user's office for shared
records).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from flask_babel import format_decimal, get_locale, gettext
from flask_login import current_user

from ombudsman.accounts import services as accounts
from ombudsman.audit.fields import (
    ACTIONS,
    CHECKLIST_ITEM_PREFIX,
    DEADLINE_RULE,
    NO,
    NOTHING,
    OTHER_ACTION,
    SYSTEM,
    UNITS,
    YES,
    Field,
    Kind,
    Ref,
    field_for,
    short_label,
)
from ombudsman.audit.models import AuditEvent
from ombudsman.authorities import services as authorities
from ombudsman.deadlines import rules as deadline_rules
from ombudsman.filenames import display_filename
from ombudsman.inspections import queries as inspection_queries
from ombudsman.letters import lookups as letter_lookups
from ombudsman.recommendations import services as recommendations
from ombudsman.templating import format_day, format_moment, office_tz

#: Longer text is cut to this many characters in the trail (the record itself shows it whole).
TEXT_LIMIT = 160


@dataclass(frozen=True)
class Change:
    """One field of an event: a recorded value, or (with `old`) a change from old to new."""

    label: str
    new: str
    old: str | None = None

    @property
    def is_change(self) -> bool:
        """True when the event changed the field (old -> new), False when it recorded a value."""
        return self.old is not None


@dataclass(frozen=True)
class Entry:
    """One event as people read it: when (a UTC instant and the zone to show it in), what and who, changes."""

    at: datetime
    zone: ZoneInfo
    summary: str
    changes: list[Change]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1].rstrip() + "\u2026"


def _single(value: Any, depth: int) -> bool:
    """True when `value` is one value of a field whose values nest lists `depth` deep."""
    if depth == 0:
        return not isinstance(value, list)
    return isinstance(value, list) and all(_single(v, depth - 1) for v in value)


def _as_pair(field: Field | None, value: Any) -> tuple[Any, Any] | None:
    """(old, new) when the stored value is a change (the services' diff() shape), else None."""
    depth = field.depth if field else 0
    if _single(value, depth) or not (isinstance(value, list) and len(value) == 2):
        return None
    if all(v is None or _single(v, depth) for v in value):
        return value[0], value[1]
    return None


# --- looking up the records a trail names ------------------------------------------------------------------


def _ref_ids(field: Field, value: Any) -> list[int]:
    """The record ids inside one value of a field (none when the value is not of the field's shape)."""
    if value is None or not _single(value, field.depth):
        return []
    if field.kind is Kind.COPIES:
        candidates = [line[0] for line in value if line]
    elif field.kind is Kind.REF:
        candidates = value if field.many else [value]
    else:
        return []
    return [v for v in candidates if isinstance(v, int) and not isinstance(v, bool)]


def _letter_name(row: Any) -> str:
    return row.number or gettext("Draf surat #%(id)d", id=row.id)


def _rule_name(row: Any) -> str:
    kind = DEADLINE_RULE["kind"].choices or {}
    return f"{kind.get(row.kind, row.kind)}: {row.count} {UNITS.get(row.unit, row.unit)}"


#: For each kind of record: its package's lookup ({id: row}, one query, a few columns) and how the record is
#: named in a trail.
_NAMERS: dict[Ref, tuple[Callable[[Iterable[int]], dict[int, Any]], Callable[[Any], str]]] = {
    Ref.USER: (accounts.user_labels, lambda row: row.name),
    Ref.AUTHORITY: (authorities.authority_labels, lambda row: row.name),
    Ref.INSPECTION: (inspection_queries.inspection_labels, lambda row: row.title),
    # Findings and recommendations by the numbers their pages and letters give them.
    Ref.FINDING: (inspection_queries.finding_labels, lambda row: str(row.number)),
    Ref.RECOMMENDATION: (
        recommendations.recommendation_labels,
        lambda row: str(row.position) if row.position else f"#{row.id}",
    ),
    Ref.LETTER: (letter_lookups.letter_labels, _letter_name),
    Ref.CHECKLIST: (inspection_queries.checklist_labels, lambda row: f"{row.name} (v{row.version})"),
    Ref.CHECKLIST_ITEM: (inspection_queries.checklist_item_labels, lambda row: row.label),
    Ref.ROUTING_RULE: (authorities.routing_rule_labels, lambda row: row.theme),
    Ref.DEADLINE_RULE: (deadline_rules.rule_labels, _rule_name),
}


def _lookup(wanted: dict[Ref, set[int]], known: dict[Ref, dict[int, str]]) -> dict[Ref, dict[int, str]]:
    """Names of the wanted records: one query per kind of record, none for what is already known."""
    names: dict[Ref, dict[int, str]] = defaultdict(dict)
    for ref, ids in wanted.items():
        names[ref].update(known.get(ref, {}))
        missing = ids - names[ref].keys()
        if not missing:
            continue
        lookup, name = _NAMERS[ref]
        for record_id, row in lookup(missing).items():
            names[ref][record_id] = name(row)
    return names


# --- formatting one value ----------------------------------------------------------------------------------


def _weekdays(value: str) -> str:
    days = get_day_names("wide", locale=get_locale())
    return ", ".join(days[int(d)] for d in value.split(",") if d.strip().isdigit() and int(d) in days)


def _one(field: Field, value: Any, names: dict[Ref, dict[int, str]], zone: ZoneInfo) -> str:
    """One plain (not list-of) value as text."""
    if value is None or value == "":
        return NOTHING
    kind = field.kind
    if kind is Kind.BOOL:
        return str(YES if value else NO)
    if kind is Kind.NUMBER and isinstance(value, int | float):
        return format_decimal(value)
    if kind in (Kind.DATE, Kind.MOMENT):
        try:
            if kind is Kind.DATE:
                return format_day(date.fromisoformat(value))
            return format_moment(datetime.fromisoformat(value), zone=zone)
        except (TypeError, ValueError):  # not what the services record: show it as it is
            return _short(str(value))
    if kind is Kind.CHOICE:
        label = (field.choices or {}).get(value)
        return str(label) if label is not None else str(value)
    if kind is Kind.REF and field.ref is not None:
        return names[field.ref].get(value) or f"#{value}"
    if kind is Kind.WEEKDAYS:
        return _weekdays(str(value))
    if kind is Kind.CODE:
        return str(value)
    if kind is Kind.FILENAME:
        return _short(display_filename(str(value)))
    return _short(str(value))


def _copy_line(line: list[Any], names: dict[Ref, dict[int, str]]) -> str:
    """One Tembusan line: the authority's name, or the free text."""
    authority_id, text = ([*line, None, ""])[:2]
    if authority_id is not None:
        return names[Ref.AUTHORITY].get(authority_id) or f"#{authority_id}"
    return _short(str(text or ""))


def _value(field: Field, value: Any, names: dict[Ref, dict[int, str]], zone: ZoneInfo) -> str:
    """A whole recorded value of a field as text: lists joined, Tembusan lines named."""
    if value is None or value == [] or value == "":
        return NOTHING
    if not _single(value, field.depth):  # not the shape the services record: show it as it is
        return _short(str(value))
    if field.kind is Kind.COPIES:
        return "; ".join(_copy_line(line, names) for line in value)
    if field.kind is Kind.ANSWER:
        answer, note = ([*value, None, ""])[:2]
        text = _one(replace(field, kind=Kind.CHOICE), answer, names, zone)
        return f"{text} ({_short(note)})" if note else text
    if field.kind is Kind.FILES:
        return ", ".join(display_filename(str(f.get("filename", ""))) for f in value if isinstance(f, dict))
    if field.many and isinstance(value, list):
        return ", ".join(_one(field, v, names, zone) for v in value)
    return _one(field, value, names, zone)


# --- the trail --------------------------------------------------------------------------------------------


@dataclass
class _Parsed:
    event: AuditEvent
    items: list[tuple[str, Field | None, Any, tuple[Any, Any] | None]]  # key, field, value, (old, new)


def _parse(event: AuditEvent) -> _Parsed:
    items = []
    for key, value in (event.changes or {}).items():
        field = field_for(event.entity_type, key)
        items.append((key, field, value, _as_pair(field, value)))
    return _Parsed(event, items)


def _wanted(parsed: Sequence[_Parsed]) -> dict[Ref, set[int]]:
    wanted: dict[Ref, set[int]] = defaultdict(set)
    for p in parsed:
        if p.event.user_id is not None:
            wanted[Ref.USER].add(p.event.user_id)
        for key, field, value, pair in p.items:
            if key.startswith(CHECKLIST_ITEM_PREFIX) and key[len(CHECKLIST_ITEM_PREFIX) :].isdigit():
                wanted[Ref.CHECKLIST_ITEM].add(int(key[len(CHECKLIST_ITEM_PREFIX) :]))
            if field is None:
                continue
            for v in pair if pair is not None else (value,):
                target = Ref.AUTHORITY if field.kind is Kind.COPIES else field.ref
                if target is not None:
                    wanted[target].update(_ref_ids(field, v))
    return wanted


def _label(key: str, field: Field | None, names: dict[Ref, dict[int, str]]) -> str:
    if key.startswith(CHECKLIST_ITEM_PREFIX):
        item = key[len(CHECKLIST_ITEM_PREFIX) :]
        name = names[Ref.CHECKLIST_ITEM].get(int(item)) if item.isdigit() else None
        return f"{short_label(field.label) if field else ''}: {name or '#' + item}"
    return short_label(field.label) if field else key


def _zones(events: Sequence[AuditEvent]) -> dict[int | None, ZoneInfo]:
    """The zone of each event's office; shared records (no office) use the user's office's zone."""
    page_zone = office_tz()
    zones: dict[int | None, ZoneInfo] = {None: page_zone}
    if current_user and current_user.is_authenticated:
        zones[current_user.office_id] = page_zone
    missing = {e.office_id for e in events} - zones.keys()
    if missing:
        for office_id, office in accounts.office_timezones(missing).items():
            zones[office_id] = ZoneInfo(office.timezone)
    return zones


def entries(events: Iterable[AuditEvent]) -> list[Entry]:
    """The events as people read them, in the given order; see the module docstring for the lookups."""
    events = list(events)
    parsed = [_parse(e) for e in events]
    # trail() loads the users with the events; reading e.user otherwise would cost one query per event.
    loaded = (e.__dict__.get("user") for e in events)
    known_users = {user.id: user.name for user in loaded if user is not None}
    names = _lookup(_wanted(parsed), {Ref.USER: known_users})
    zones = _zones(events)
    result = []
    for p in parsed:
        event = p.event
        zone = zones.get(event.office_id, zones[None])
        who = names[Ref.USER].get(event.user_id) if event.user_id is not None else None
        summary = str(ACTIONS.get(event.action, OTHER_ACTION)) % {"user": who or str(SYSTEM)}
        changes = []
        for key, field, value, pair in p.items:
            label = _label(key, field, names)
            shown = field or Field(key)
            if pair is not None:
                old, new = (_value(shown, v, names, zone) for v in pair)
                changes.append(Change(label, new, old))
            elif value not in (None, "", []):  # an empty recorded value says nothing
                changes.append(Change(label, _value(shown, value, names, zone)))
        result.append(Entry(event.at, zone, summary, changes))
    return result
