"""What the field work takes as input: one command per use case, each bound declared once.

The web forms (`forms.py`), the API schemas (`ombudsman.api.schemas`) and the services all read their
limits from the constants here, so a visit date, a title length or a head count is judged the same way
wherever it comes from (a browser, the phone's capture page, the CLI). See `ombudsman.contracts`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ombudsman import contracts
from ombudsman.contracts import HEAD_COUNT, RECORD_ID, DateRule, Day, Number, Text, bounded
from ombudsman.inspections.models import Answer, Finding, FindingStatus, Inspection, InspectionKind, Severity

# --- inspections -----------------------------------------------------------------------------------------

TITLE = Text(250, 1)
PLACE = Text(250)
TRIGGER = Text(20_000)
SUMMARY = Text(50_000)
QUEUE_SYSTEM = Text(200)
VISIT_DAY = Day(DateRule.VISIT)
# Counters and staff of one service hall: a handful in practice, never more than this.
DESK_COUNT = Number(0, 10_000)
TEAM_SIZE_MAX = 50


@dataclass(frozen=True)
class InspectionDetails:
    """Open an inspection, or its details after a change.

    `team_ids`: users of the office on the team (the creator always joins); None keeps the current team.
    `started_at`/`ended_at`: aware datetimes (UTC) or None. `client_id`: the client's UUID (creates only).
    """

    authority_id: int = bounded(RECORD_ID)
    title: str = bounded(TITLE)
    visited_on: date = bounded(VISIT_DAY)
    kind: InspectionKind | str = InspectionKind.SIDAK
    started_at: datetime | None = None
    ended_at: datetime | None = None
    place: str = bounded(PLACE, default="")
    trigger: str = bounded(TRIGGER, default="")
    summary: str = bounded(SUMMARY, default="")
    visitors_per_day: int | None = bounded(HEAD_COUNT, default=None)
    counters_open: int | None = bounded(DESK_COUNT, default=None)
    staff_on_duty: int | None = bounded(DESK_COUNT, default=None)
    seats: int | None = bounded(HEAD_COUNT, default=None)
    queue_system: str = bounded(QUEUE_SYSTEM, default="")
    team_ids: tuple[int, ...] | None = bounded(RECORD_ID, default=None)
    checklist_id: int | None = bounded(RECORD_ID, default=None)
    client_id: str | None = None


DETAIL_FIELDS = (
    "authority_id",
    "kind",
    "title",
    "visited_on",
    "started_at",
    "ended_at",
    "place",
    "trigger",
    "summary",
    "visitors_per_day",
    "counters_open",
    "staff_on_duty",
    "seats",
    "queue_system",
)


def inspection_change(inspection: Inspection, changes: Mapping[str, Any]) -> InspectionDetails:
    """The inspection's current details with `changes` applied (the fields a PATCH sent)."""
    current = {name: getattr(inspection, name) for name in DETAIL_FIELDS}
    return contracts.build(InspectionDetails, {**current, **changes})


# --- checklist answers -----------------------------------------------------------------------------------

ANSWER_NOTE = Text(2000)
ANSWERS_MAX = 500


@dataclass(frozen=True)
class ItemAnswer:
    """One checklist item's answer and the inspector's note."""

    item_id: int = bounded(RECORD_ID)
    answer: Answer | str = Answer.NOT_ASSESSED
    note: str = bounded(ANSWER_NOTE, default="")


# --- a new checklist version -----------------------------------------------------------------------------

CHECKLIST_NAME = Text(200, 1)
ITEM_CODE = Text(60)
# Item codes are stable keys (reports, routing): lower-case letters, digits and underscores.
ITEM_CODE_PATTERN = re.compile(r"^[a-z0-9_]+$")
ITEM_GROUP = Text(120)
ITEM_LABEL = Text(300)
ITEM_BASIS = Text(200)


@dataclass(frozen=True)
class ChecklistRow:
    """One row of a checklist version as the admin typed it; a row without a label is dropped."""

    code: str = bounded(ITEM_CODE, default="")
    group: str = bounded(ITEM_GROUP, default="")
    label: str = bounded(ITEM_LABEL, default="")
    basis: str = bounded(ITEM_BASIS, default="")
    routing_rule_id: int | None = bounded(RECORD_ID, default=None)


@dataclass(frozen=True)
class ChecklistVersion:
    """The next version of a checklist: its name and its rows, in order."""

    name: str = bounded(CHECKLIST_NAME)
    rows: tuple[ChecklistRow, ...] = ()


# --- findings --------------------------------------------------------------------------------------------

FINDING_TITLE = Text(300, 1)
DESCRIPTION = Text(50_000)
LEGAL_BASIS = Text(300)
ROUTING_NOTE = Text(5000)
ROUTING_FIELDS = (
    "routing_rule_id",
    "checklist_item_id",
    "responsible_authority_id",
    "second_authority_id",
    "routing_note",
)


@dataclass(frozen=True)
class FindingDetails:
    """Log a finding, or its details after a change, with the inspector's routing choice.

    `responsible_authority_id` None accepts the routing rules' suggestion; choosing another authority than
    the suggested one needs a `routing_note`. `maladministration`: codes of `Maladministration`.
    """

    title: str = bounded(FINDING_TITLE)
    description: str = bounded(DESCRIPTION, default="")
    maladministration: tuple[str, ...] = ()
    severity: Severity | str = Severity.MEDIUM
    legal_basis: str = bounded(LEGAL_BASIS, default="")
    status: FindingStatus | str = FindingStatus.OPEN
    checklist_item_id: int | None = bounded(RECORD_ID, default=None)
    routing_rule_id: int | None = bounded(RECORD_ID, default=None)
    responsible_authority_id: int | None = bounded(RECORD_ID, default=None)
    second_authority_id: int | None = bounded(RECORD_ID, default=None)
    routing_note: str = bounded(ROUTING_NOTE, default="")
    client_id: str | None = None


def finding_change(finding: Finding, changes: Mapping[str, Any]) -> FindingDetails:
    """The finding's current details with `changes` applied (the fields a PATCH sent)."""
    current = {
        "title": finding.title,
        "description": finding.description,
        "maladministration": tuple(finding.form_codes),
        "severity": finding.severity,
        "legal_basis": finding.legal_basis,
        "status": finding.status,
        **{name: getattr(finding, name) for name in ROUTING_FIELDS},
    }
    return contracts.build(FindingDetails, {**current, **changes})


# --- evidence --------------------------------------------------------------------------------------------

CAPTION = Text(300)


@dataclass(frozen=True)
class EvidenceDetails:
    """What an uploaded file shows and where it belongs (the bytes are checked by `storage`)."""

    caption: str = bounded(CAPTION, default="")
    checklist_item_id: int | None = bounded(RECORD_ID, default=None)
    client_id: str | None = None
