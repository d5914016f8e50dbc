"""Marshmallow schemas of the API: what clients send (`*In`) and what they get back.

Input schemas refuse unknown fields (marshmallow's RAISE) and bound every value, so a request the
database could not store (NUL bytes, ids beyond 32 bits, absurd dates) is a 422 naming the field,
never a 500. Output schemas mark every column that may be empty as nullable, so the OpenAPI document
tells the truth about responses.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import marshmallow as ma
from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from ombudsman.accounts.models import Role
from ombudsman.authorities.models import Level
from ombudsman.deadlines.models import DeadlineState
from ombudsman.inspections.models import (
    Answer,
    EvidenceKind,
    FindingStatus,
    InspectionKind,
    InspectionStatus,
    Maladministration,
    Severity,
)
from ombudsman.letters.models import DeliveryMethod, LetterKind, LetterStatus
from ombudsman.letters.services import SIFAT_CHOICES
from ombudsman.recommendations.models import RecommendationKind, RecommendationStatus

MAX_ID = 2_147_483_647  # PostgreSQL's integer
MAX_COUNT = 1_000_000
# PostgreSQL refuses NUL in text; the pattern also tells generated clients so.
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2100, 12, 31)
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC)


class StrictSchema(ma.Schema):
    """Base of every input schema: unknown fields are an error, not silently dropped; text is trimmed."""

    class Meta:
        unknown = ma.RAISE

    @ma.post_load
    def _strip(self, data: dict, **kwargs) -> dict:
        # Enum members are str too: only plain strings are trimmed.
        return {k: v.strip() if type(v) is str else v for k, v in data.items()}


# --- field helpers ---------------------------------------------------------------------------------------


def text_field(max_length: int, *, required: bool = False, blank: bool = True, **kwargs) -> fields.String:
    """A string of at most `max_length` characters, without NUL; `blank=False` needs a visible character."""
    return fields.String(
        required=required,
        validate=[
            validate.Length(min=0 if blank else 1, max=max_length),
            validate.Regexp(NO_NUL if blank else NOT_BLANK, error="Tidak boleh kosong atau berisi NUL."),
        ],
        **kwargs,
    )


def ref(*, required: bool = False, allow_none: bool = False, **kwargs) -> fields.Integer:
    """A record id in the body: a positive 32-bit integer, never a string or a float."""
    return fields.Integer(
        strict=True,
        required=required,
        allow_none=allow_none,
        validate=validate.Range(min=1, max=MAX_ID),
        **kwargs,
    )


def count(**kwargs) -> fields.Integer:
    """A head count from the visit; null means "not counted"."""
    return fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(min=0, max=MAX_COUNT), **kwargs
    )


def day(**kwargs) -> fields.Date:
    """A calendar date between 2000 and 2100."""
    return fields.Date(validate=validate.Range(min=EARLIEST_DAY, max=LATEST_DAY), **kwargs)


def moment(**kwargs) -> fields.AwareDateTime:
    """An instant with its UTC offset (naive times are refused: the server cannot guess the zone)."""
    return fields.AwareDateTime(validate=validate.Range(min=EARLIEST_TIME, max=LATEST_TIME), **kwargs)


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
        },
        name=name,
    )


# --- tokens and the current user ------------------------------------------------------------------------


class TokenIn(StrictSchema):
    """Credentials exchanged for a token."""

    email = fields.String(required=True, validate=[validate.Length(min=1, max=254), validate.Regexp(NO_NUL)])
    password = fields.String(
        required=True, validate=[validate.Length(min=1, max=1000), validate.Regexp(NO_NUL)]
    )
    label = text_field(100, load_default="", metadata={"description": "A name to recognise the token by."})


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
    q = text_field(200, load_default="")


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

    authority_id = ref(metadata={"description": "The inspected unit (an authority of the register)."})
    kind = enum(InspectionKind)
    title = text_field(250, blank=False)
    visited_on = day()
    started_at = moment(allow_none=True)
    ended_at = moment(allow_none=True)
    place = text_field(250)
    trigger = text_field(20_000)
    summary = text_field(50_000)
    visitors_per_day = count()
    counters_open = count()
    staff_on_duty = count()
    seats = count()
    queue_system = text_field(200)
    team_ids = fields.List(
        ref(), validate=validate.Length(max=50), metadata={"description": "Users of the office."}
    )


class InspectionIn(InspectionPatch):
    """A new inspection (a draft)."""

    client_id = client_id_field()
    authority_id = ref(required=True, metadata={"description": "The inspected unit."})
    title = text_field(250, blank=False, required=True)
    visited_on = day(required=True)


class InspectionArgs(PageArgs):
    """Filters of the inspections list."""

    status = enum(InspectionStatus)
    authority_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


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

    item_id = ref(required=True)
    answer = enum(Answer, required=True)
    note = text_field(2000, load_default="")


class ChecklistIn(StrictSchema):
    """Answers to some or all of the inspection's checklist items; items left out keep their answer."""

    answers = fields.List(fields.Nested(ChecklistAnswerIn), required=True, validate=validate.Length(max=500))


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
    enum(Maladministration),
    validate=validate.Length(max=len(Maladministration)),
    metadata={"description": "Forms of maladministration (codes)."},
)


class FindingPatch(StrictSchema):
    """Changes to a finding; routing is checked again when theme or authority change."""

    title = text_field(300, blank=False)
    description = text_field(50_000)
    maladministration = _MALADMINISTRATION
    severity = enum(Severity)
    legal_basis = text_field(300)
    status = enum(FindingStatus)
    checklist_item_id = ref(allow_none=True)
    routing_rule_id = ref(allow_none=True, metadata={"description": "The theme (routing rule) chosen."})
    responsible_authority_id = ref(
        allow_none=True, metadata={"description": "Leave out or null to accept the routing suggestion."}
    )
    second_authority_id = ref(allow_none=True)
    routing_note = text_field(5000, metadata={"description": "Required when overriding the suggestion."})


class FindingIn(FindingPatch):
    """A new finding of an inspection."""

    client_id = client_id_field()
    title = text_field(300, blank=False, required=True)


class FindingArgs(PageArgs):
    """Filters of the findings list."""

    inspection_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    authority_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    level = enum(Level)
    status = enum(FindingStatus)
    form = enum(Maladministration)
    date_from = day()
    date_to = day()
    q = text_field(200, load_default="")


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

    file = Upload(required=True)
    client_id = client_id_field()
    caption = text_field(300, load_default="")
    checklist_item_id = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID), load_default=None, allow_none=True
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


class RecommendationPatch(StrictSchema):
    """Changes to a recommendation, or its outcome."""

    finding_ids = fields.List(ref(), validate=validate.Length(min=1, max=200))
    authority_id = ref()
    kind = enum(RecommendationKind)
    text = text_field(50_000, blank=False)
    status = enum(RecommendationStatus)
    outcome_note = text_field(50_000, metadata={"description": "Required to close (evidence or reason)."})


class RecommendationIn(RecommendationPatch):
    """A new recommendation answering one or more findings."""

    client_id = client_id_field()
    finding_ids = fields.List(ref(), required=True, validate=validate.Length(min=1, max=200))
    authority_id = ref(required=True)
    text = text_field(50_000, blank=False, required=True)


class RecommendationArgs(PageArgs):
    """Filters of the recommendations list."""

    status = enum(RecommendationStatus)
    authority_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    inspection_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


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


# --- letters ---------------------------------------------------------------------------------------------


class LetterCopyIn(StrictSchema):
    """One line of the Tembusan list: an authority of the register, or free text."""

    authority_id = ref(allow_none=True, load_default=None)
    text = text_field(300, load_default="")


class LetterPatch(StrictSchema):
    """Changes to a draft letter (or one in review, by its reviewers); every field optional."""

    authority_id = ref(metadata={"description": "The addressee (an authority of the register)."})
    kind = enum(LetterKind)
    recommendation_ids = fields.List(
        ref(),
        validate=validate.Length(max=200),
        metadata={"description": "Recommendations the letter prints, in this order."},
    )
    recipient_lines = text_field(
        2000, metadata={"description": 'Lines after "Yth."; empty: from the register.'}
    )
    hal = text_field(2000, blank=False)
    sifat = fields.String(validate=validate.OneOf(SIFAT_CHOICES))
    lampiran = text_field(120)
    place = text_field(120)
    opening = text_field(50_000)
    closing = text_field(50_000)
    signatory_name = text_field(200, blank=False)
    signatory_title = text_field(250, blank=False)
    annex = fields.Boolean(truthy={True}, falsy={False})
    copies = fields.List(fields.Nested(LetterCopyIn), validate=validate.Length(max=50))


class LetterIn(LetterPatch):
    """A new draft letter; texts left out get the office's defaults."""

    client_id = client_id_field()
    authority_id = ref(required=True, metadata={"description": "The addressee."})
    hal = text_field(2000, blank=False, required=True)
    inspection_id = ref(allow_none=True, metadata={"description": "The inspection the letter follows up."})


class LetterArgs(PageArgs):
    """Filters of the register of letters."""

    status = enum(LetterStatus)
    kind = enum(LetterKind)
    authority_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    inspection_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    year = fields.Integer(validate=validate.Range(min=EARLIEST_DAY.year, max=LATEST_DAY.year))
    q = text_field(200, load_default="")


class ReturnIn(StrictSchema):
    """Why a reviewer sends a letter back."""

    note = text_field(2000, load_default="")


class DeliveryIn(StrictSchema):
    """How and when an issued letter reached the authority; fields left out keep their recorded value."""

    delivery_method = enum(DeliveryMethod, allow_none=True)
    delivered_on = day(allow_none=True, metadata={"description": "Sent; not before the letter's date."})
    received_on = day(
        allow_none=True,
        metadata={"description": "Received by the authority; the follow-up deadline counts from it."},
    )
    delivery_note = text_field(5000)
    correction_reason = text_field(
        2000, load_default="", metadata={"description": "Required (supervisor) to change a recorded receipt."}
    )


class LetterCopyOut(ma.Schema):
    """A Tembusan line."""

    authority_id = fields.Integer(allow_none=True, required=True)
    text = fields.String(required=True)


def _verify_url(letter) -> str | None:
    from flask import current_app

    from ombudsman.letters.services import verify_url

    if not letter.verify_token:
        return None
    return verify_url(current_app.config["PUBLIC_BASE_URL"], letter.verify_token)


class LetterOut(ma.Schema):
    """A letter: its workflow state, addressee, texts, number and fingerprint once issued, and delivery."""

    id = fields.Integer(required=True)
    office_id = fields.Integer(required=True)
    inspection_id = fields.Integer(allow_none=True, required=True)
    kind = enum(LetterKind, required=True)
    status = enum(LetterStatus, required=True)
    authority_id = fields.Integer(required=True)
    authority_name = fields.String(attribute="authority.name", required=True)
    recommendation_ids = fields.Function(
        lambda letter: [link.recommendation_id for link in letter.links],
        required=True,
        metadata={"type": "array", "items": {"type": "integer"}},
    )
    recipient_lines = fields.String(required=True)
    hal = fields.String(required=True)
    sifat = fields.String(required=True)
    lampiran = fields.String(required=True)
    place = fields.String(required=True)
    opening = fields.String(required=True)
    closing = fields.String(required=True)
    signatory_name = fields.String(required=True)
    signatory_title = fields.String(required=True)
    annex = fields.Boolean(required=True)
    copies = fields.List(fields.Nested(LetterCopyOut), required=True)
    number = fields.String(allow_none=True, required=True, metadata={"description": "Given at issue."})
    letter_date = fields.Date(allow_none=True, required=True, metadata={"description": "The issue date."})
    sha256 = fields.String(
        attribute="pdf_sha256",
        allow_none=True,
        required=True,
        metadata={"description": "SHA-256 (hex) of the issued PDF, as served by `/pdf`."},
    )
    verify_url = fields.Function(
        _verify_url,
        required=True,
        metadata={"type": "string", "nullable": True, "description": "Public verification page."},
    )
    short_code = fields.String(allow_none=True, required=True)
    supersedes_id = fields.Integer(allow_none=True, required=True)
    delivery_method = enum(DeliveryMethod, allow_none=True, required=True)
    delivered_on = fields.Date(allow_none=True, required=True)
    received_on = fields.Date(allow_none=True, required=True)
    delivery_note = fields.String(required=True)
    created_by_id = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    submitted_at = fields.DateTime(allow_none=True, required=True)
    approved_at = fields.DateTime(allow_none=True, required=True)
    issued_at = fields.DateTime(allow_none=True, required=True)
    pdf_url = fields.Function(
        lambda letter: url_for("api_letters.letter_pdf", letter_id=letter.id),
        required=True,
        metadata={"type": "string", "description": "The issued PDF, or a draft preview before issue."},
    )


LetterPage = page_of(LetterOut, "LetterPage")
