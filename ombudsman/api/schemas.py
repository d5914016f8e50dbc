"""Marshmallow schemas of the API: what clients send (`*In`) and what they get back.

Input schemas refuse unknown fields (marshmallow's RAISE) and bound every value, so a request the
database could not store (NUL bytes, ids beyond 32 bits, absurd dates) is a 422 naming the field,
never a 500. The bounds are those of the use case's command (`contracts`, each package's `commands.py`):
a schema declares `contract = Command`, and `tests/core/test_contracts.py` checks it agrees with the form.
Output schemas mark every column that may be empty as nullable, so the OpenAPI document tells the truth
about responses.
"""

from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma
from flask import url_for
from flask_babel import gettext
from flask_smorest.fields import Upload
from marshmallow import fields, validate
from werkzeug.datastructures import FileStorage

from ombudsman import contracts
from ombudsman.accounts import commands as accounts
from ombudsman.accounts.models import Role
from ombudsman.authorities.models import Level
from ombudsman.deadlines.labels import warning_texts
from ombudsman.deadlines.models import DeadlineState
from ombudsman.inspections import commands as field_work
from ombudsman.inspections.models import (
    Answer,
    EvidenceKind,
    FindingStatus,
    InspectionKind,
    InspectionStatus,
    Maladministration,
    Severity,
)
from ombudsman.recommendations import commands as recs
from ombudsman.recommendations.models import RecommendationKind, RecommendationStatus

MAX_ID, EARLIEST_DAY, LATEST_DAY = contracts.MAX_ID, contracts.EARLIEST_DAY, contracts.LATEST_DAY


class StrictSchema(ma.Schema):
    """Base of every input schema: unknown fields are an error, not silently dropped; text is trimmed."""

    class Meta:
        unknown = ma.RAISE

    @ma.post_load
    def _strip(self, data: dict, **kwargs) -> dict:
        # Enum members are str too: only plain strings are trimmed.
        return {k: v.strip() if type(v) is str else v for k, v in data.items()}


# --- field helpers ---------------------------------------------------------------------------------------


def text_field(bound: contracts.Text | int, *, required: bool = False, blank: bool = True, **kwargs):
    """A string under a `contracts.Text` bound (no control characters; `min=1` needs a visible one).

    A bare length (`text_field(300, blank=False)`) is `Text(300, 0 if blank else 1)`.
    """
    if isinstance(bound, int):
        bound = contracts.Text(bound, 0 if blank else 1)
    return fields.String(required=required, validate=contracts.schema_validators(bound), **kwargs)


def ref(*, required: bool = False, allow_none: bool = False, **kwargs) -> fields.Integer:
    """A record id in the body: a positive 32-bit integer (`contracts.RECORD_ID`), never a string."""
    return number(contracts.RECORD_ID, required=required, allow_none=allow_none, **kwargs)


def number(bound: contracts.Number, **kwargs) -> fields.Integer:
    """An integer (never a string or a float) under a `contracts.Number` bound."""
    return fields.Integer(strict=True, validate=contracts.schema_validators(bound), **kwargs)


def query_id(**kwargs) -> fields.Integer:
    """A record id in a query string (text by nature, so not strict), as bounded as any other id."""
    return fields.Integer(validate=contracts.schema_validators(contracts.RECORD_ID), **kwargs)


def count(bound: contracts.Number = contracts.HEAD_COUNT, **kwargs) -> fields.Integer:
    """A head count from the visit; null means "not counted"."""
    return number(bound, allow_none=True, **kwargs)


def day(rule: contracts.DateRule = contracts.DateRule.FUTURE, **kwargs) -> fields.Date:
    """A calendar date under the office's plausible-date `rule` (by default 2000-01-01 to 2100-12-31)."""
    return fields.Date(validate=contracts.schema_validators(contracts.Day(rule)), **kwargs)


class _Instant(validate.Validator):
    """An instant on a day between 2000-01-01 and 2100-12-31 (UTC), like every date of the tracker."""

    def __call__(self, value: datetime) -> datetime:
        try:
            day = value.astimezone(UTC).date()
        except OverflowError:  # 0001-01-01 or 9999-12-31 with an offset: outside the range either way
            day = value.date()
        message = contracts.check(contracts.Day(contracts.DateRule.FUTURE), day)
        if message is not None:
            raise ma.ValidationError(str(message))
        return value


def moment(**kwargs) -> fields.AwareDateTime:
    """An instant with its UTC offset (naive times are refused: the server cannot guess the zone)."""
    return fields.AwareDateTime(validate=_Instant(), **kwargs)


class FileUpload(Upload):
    """A file part of a multipart/form-data request; a plain text part of the same name is a 422."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ma.ValidationError(
                gettext("Kirim sebuah berkas di sini (bagian multipart dengan nama berkas).")
            )
        return value


def client_id_field() -> fields.UUID:
    """The client's UUID for this record: sending it again returns the same record, never a duplicate."""
    return fields.UUID(
        load_default=None,
        metadata={
            "description": "Client-generated UUID. Repeating a create with the same value returns the "
            "record made the first time; the same value with a different body is refused with 409."
        },
    )


def enum(enum_cls, **kwargs) -> fields.Enum:
    """A StrEnum by its value."""
    return fields.Enum(enum_cls, by_value=True, **kwargs)


def out_str(**kwargs) -> fields.String:
    """An output string that may be null."""
    return fields.String(allow_none=True, **kwargs)


# --- errors and lists ------------------------------------------------------------------------------------


class ErrorSchema(ma.Schema):
    """Every error of the API: a message, and the fields it concerns with their problems."""

    error = fields.String(required=True, metadata={"description": "What went wrong, for a person."})
    fields_ = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        data_key="fields",
        metadata={"description": "Field name \u2192 problems with it; empty when no field is at fault."},
    )


class PageArgs(ma.Schema):
    """Query arguments of every list."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_ID))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


def page_of(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A schema for one page of `item_schema` items, with the total across pages."""
    return ma.Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True, metadata={"description": "Items across all pages."}),
            "pages": fields.Integer(required=True),
            "total_capped": fields.Boolean(
                required=True,
                metadata={
                    "description": "True when the list stopped counting: there are more than `total` items "
                    "(and more than `pages` pages)."
                },
            ),
        },
        name=name,
    )


# --- tokens and the current user ------------------------------------------------------------------------


class TokenIn(StrictSchema):
    """Credentials exchanged for a token."""

    contract = accounts.NewApiToken

    email = text_field(accounts.EMAIL, required=True)
    # Not trimmed (StrictSchema trims text): a password is exactly what was typed.
    password = fields.String(required=True, validate=contracts.schema_validators(accounts.PASSWORD))
    label = text_field(
        accounts.TOKEN_LABEL, load_default="", metadata={"description": "A name to recognise the token by."}
    )

    @ma.post_load(pass_original=True)
    def _keep_password(self, data: dict, original: dict, **kwargs) -> dict:
        return {**data, "password": original["password"]}


class TokenOut(ma.Schema):
    """A new token: the secret is shown only in this response."""

    id = fields.Integer(required=True)
    token = fields.String(required=True, metadata={"description": "Send as `Authorization: Bearer <token>`."})
    prefix = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


class MeOut(ma.Schema):
    """The signed-in user."""

    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    role = enum(Role, required=True)
    office_id = fields.Integer(required=True)
    office_name = fields.String(attribute="office.name", required=True)


# --- authorities -----------------------------------------------------------------------------------------


class AuthorityArgs(PageArgs):
    """Filters of the register."""

    level = enum(Level)
    q = text_field(contracts.SEARCH, load_default="")


class AuthorityOut(ma.Schema):
    """A public body of the register."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    short_name = fields.String(required=True)
    level = enum(Level, required=True)
    parent_id = fields.Integer(allow_none=True, required=True)
    head_title = fields.String(required=True)
    place_line = fields.String(required=True)
    active = fields.Boolean(required=True)


# --- inspections -----------------------------------------------------------------------------------------


class InspectionPatch(StrictSchema):
    """Changes to an inspection; every field optional."""

    contract = field_work.InspectionDetails

    authority_id = ref(metadata={"description": "The inspected unit (an authority of the register)."})
    kind = enum(InspectionKind)
    title = text_field(field_work.TITLE)
    visited_on = day(field_work.VISIT_DAY.rule)
    started_at = moment(allow_none=True)
    ended_at = moment(allow_none=True)
    place = text_field(field_work.PLACE)
    trigger = text_field(field_work.TRIGGER)
    summary = text_field(field_work.SUMMARY)
    visitors_per_day = count()
    counters_open = count(field_work.DESK_COUNT)
    staff_on_duty = count(field_work.DESK_COUNT)
    seats = count()
    queue_system = text_field(field_work.QUEUE_SYSTEM)
    team_ids = fields.List(
        ref(),
        validate=validate.Length(max=field_work.TEAM_SIZE_MAX),
        metadata={"description": "Users of the office."},
    )


class InspectionIn(InspectionPatch):
    """A new inspection (a draft)."""

    client_id = client_id_field()
    authority_id = ref(required=True, metadata={"description": "The inspected unit."})
    title = text_field(field_work.TITLE, required=True)
    visited_on = day(field_work.VISIT_DAY.rule, required=True)


class InspectionArgs(PageArgs):
    """Filters of the inspections list."""

    status = enum(InspectionStatus)
    authority_id = query_id()


class InspectionOut(ma.Schema):
    """An inspection."""

    id = fields.Integer(required=True)
    client_id = out_str()
    office_id = fields.Integer(required=True)
    authority_id = fields.Integer(required=True)
    authority_name = fields.String(attribute="authority.name", required=True)
    kind = enum(InspectionKind, required=True)
    status = enum(InspectionStatus, required=True)
    title = fields.String(required=True)
    visited_on = fields.Date(required=True)
    started_at = fields.DateTime(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)
    place = fields.String()
    trigger = fields.String()
    summary = fields.String()
    visitors_per_day = fields.Integer(allow_none=True)
    counters_open = fields.Integer(allow_none=True)
    staff_on_duty = fields.Integer(allow_none=True)
    seats = fields.Integer(allow_none=True)
    queue_system = fields.String()
    checklist_id = fields.Integer(allow_none=True)
    team_ids = fields.Pluck("UserRef", "id", many=True, attribute="team")
    created_by_id = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    submitted_at = fields.DateTime(allow_none=True)


class UserRef(ma.Schema):
    """A user, by id (used for plucking ids)."""

    id = fields.Integer()


class ChecklistAnswerIn(StrictSchema):
    """One checklist answer."""

    contract = field_work.ItemAnswer

    item_id = ref(required=True)
    answer = enum(Answer, required=True)
    note = text_field(field_work.ANSWER_NOTE, load_default="")


class ChecklistIn(StrictSchema):
    """Answers to some or all of the inspection's checklist items; items left out keep their answer."""

    answers = fields.List(
        fields.Nested(ChecklistAnswerIn), required=True, validate=validate.Length(max=field_work.ANSWERS_MAX)
    )


class ChecklistRowOut(ma.Schema):
    """A checklist item with the inspection's answer to it."""

    item_id = fields.Integer(required=True)
    code = fields.String(required=True)
    group = fields.String(required=True)
    label = fields.String(required=True)
    basis = fields.String(required=True)
    answer = enum(Answer, required=True)
    note = fields.String(required=True)


class ChecklistOut(ma.Schema):
    """The inspection's checklist and its answers."""

    inspection_id = fields.Integer(required=True)
    checklist_id = fields.Integer(allow_none=True, required=True)
    items = fields.List(fields.Nested(ChecklistRowOut), required=True)


# --- findings --------------------------------------------------------------------------------------------

_MALADMINISTRATION = fields.List(
    enum(Maladministration), metadata={"description": "Forms of maladministration (codes, each once)."}
)


class FindingPatch(StrictSchema):
    """Changes to a finding; routing is checked again when theme or authority change."""

    contract = field_work.FindingDetails

    title = text_field(field_work.FINDING_TITLE)
    description = text_field(field_work.DESCRIPTION)
    maladministration = _MALADMINISTRATION
    severity = enum(Severity)
    legal_basis = text_field(field_work.LEGAL_BASIS)
    status = enum(FindingStatus)
    checklist_item_id = ref(allow_none=True)
    routing_rule_id = ref(allow_none=True, metadata={"description": "The theme (routing rule) chosen."})
    responsible_authority_id = ref(
        allow_none=True, metadata={"description": "Leave out or null to accept the routing suggestion."}
    )
    second_authority_id = ref(allow_none=True)
    routing_note = text_field(
        field_work.ROUTING_NOTE, metadata={"description": "Required when overriding the suggestion."}
    )


class FindingIn(FindingPatch):
    """A new finding of an inspection."""

    client_id = client_id_field()
    title = text_field(field_work.FINDING_TITLE, required=True)


class FindingArgs(PageArgs):
    """Filters of the findings list."""

    inspection_id = query_id()
    authority_id = query_id()
    level = enum(Level)
    status = enum(FindingStatus)
    form = enum(Maladministration)
    date_from = day()
    date_to = day()
    q = text_field(contracts.SEARCH, load_default="")


class FindingOut(ma.Schema):
    """A finding."""

    id = fields.Integer(required=True)
    client_id = out_str()
    inspection_id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    maladministration = fields.List(
        fields.String(validate=validate.OneOf([m.value for m in Maladministration])),
        attribute="form_codes",
        required=True,
    )
    severity = enum(Severity, required=True)
    legal_basis = fields.String(required=True)
    status = enum(FindingStatus, required=True)
    checklist_item_id = fields.Integer(allow_none=True)
    routing_rule_id = fields.Integer(allow_none=True)
    suggested_authority_id = fields.Integer(
        allow_none=True, metadata={"description": "What the routing rules proposed."}
    )
    responsible_authority_id = fields.Integer(required=True)
    second_authority_id = fields.Integer(allow_none=True)
    routing_note = fields.String(required=True)
    routing_overridden = fields.Boolean(required=True)
    created_by_id = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


# --- evidence --------------------------------------------------------------------------------------------


class EvidenceIn(StrictSchema):
    """A multipart upload: the file and what it shows."""

    contract = field_work.EvidenceDetails

    file = FileUpload(required=True)
    client_id = client_id_field()
    caption = text_field(field_work.CAPTION, load_default="")
    # Multipart fields are text: the id comes as "12", so it is not strict like a JSON body's ids.
    checklist_item_id = fields.Integer(
        validate=contracts.schema_validators(contracts.RECORD_ID), load_default=None, allow_none=True
    )
    sha256 = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[0-9a-fA-F]{64}$"),
        metadata={"description": "SHA-256 the client computed; a mismatch is refused and nothing is stored."},
    )


class EvidenceOut(ma.Schema):
    """A stored photo or document."""

    id = fields.Integer(required=True)
    client_id = out_str()
    inspection_id = fields.Integer(required=True)
    finding_id = fields.Integer(allow_none=True)
    checklist_item_id = fields.Integer(allow_none=True)
    kind = enum(EvidenceKind, required=True)
    caption = fields.String(required=True)
    original_filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size_bytes = fields.Integer(required=True)
    sha256 = fields.String(required=True, metadata={"description": "SHA-256 of the stored bytes (hex)."})
    uploaded_by_id = fields.Integer(required=True)
    uploaded_at = fields.DateTime(required=True)
    file_url = fields.Function(
        lambda e: url_for("api_evidence.evidence_file", evidence_id=e.id),
        metadata={"type": "string"},
    )


# --- recommendations -------------------------------------------------------------------------------------


_FINDING_IDS = validate.Length(min=1, max=recs.FINDINGS_MAX)


class RecommendationPatch(StrictSchema):
    """Changes to a recommendation, or its outcome."""

    contract = recs.RecommendationDetails

    finding_ids = fields.List(ref(), validate=_FINDING_IDS)
    authority_id = ref()
    kind = enum(RecommendationKind)
    text = text_field(recs.TEXT)
    status = enum(RecommendationStatus)
    outcome_note = text_field(
        recs.OUTCOME_NOTE, metadata={"description": "Required to close (evidence or reason)."}
    )


class RecommendationIn(RecommendationPatch):
    """A new recommendation answering one or more findings."""

    client_id = client_id_field()
    finding_ids = fields.List(ref(), required=True, validate=_FINDING_IDS)
    authority_id = ref(required=True)
    text = text_field(recs.TEXT, required=True)


class RecommendationArgs(PageArgs):
    """Filters of the recommendations list."""

    status = enum(RecommendationStatus)
    authority_id = query_id()
    inspection_id = query_id()


def _deadline_state(rec) -> str | None:
    from ombudsman.api.common import cutoffs
    from ombudsman.deadlines.states import state_of

    state = state_of(rec.deadline, cutoffs(), rec)
    return state.value if state is not None else None


class RecommendationOut(ma.Schema):
    """A recommendation."""

    id = fields.Integer(required=True)
    client_id = out_str()
    inspection_id = fields.Integer(allow_none=True)
    authority_id = fields.Integer(required=True)
    kind = enum(RecommendationKind, required=True)
    text = fields.String(required=True)
    status = enum(RecommendationStatus, required=True)
    outcome_note = fields.String(required=True)
    finding_ids = fields.List(fields.Integer(), required=True)
    position = fields.Integer(required=True)
    due_on = fields.Function(
        lambda rec: rec.deadline.due_on.isoformat() if rec.deadline is not None else None,
        required=True,
        metadata={
            "type": "string",
            "format": "date",
            "nullable": True,
            "description": "The follow-up deadline, once the letter carrying it was received.",
        },
    )
    due_on_warnings = fields.Function(
        lambda rec: warning_texts(rec.deadline.warnings) if rec.deadline is not None else [],
        required=True,
        metadata={
            "type": "array",
            "items": {"type": "string"},
            "description": "Warnings that travel with `due_on`, in the language of the caller's account: "
            "e.g. the holiday data of a year the count touches was not available yet, so the date may be "
            "wrong. Empty when none.",
        },
    )
    deadline_state = fields.Function(
        _deadline_state,
        required=True,
        metadata={
            "type": "string",
            "enum": [*(s.value for s in DeadlineState), None],
            "nullable": True,
            "description": "The deadline's state today; null for a recommendation closed before any clock.",
        },
    )
    created_by_id = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


AuthorityPage = page_of(AuthorityOut, "AuthorityPage")
InspectionPage = page_of(InspectionOut, "InspectionPage")
FindingPage = page_of(FindingOut, "FindingPage")
EvidencePage = page_of(EvidenceOut, "EvidencePage")
RecommendationPage = page_of(RecommendationOut, "RecommendationPage")
