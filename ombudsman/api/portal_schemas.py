"""Schemas of the portal's API: what an authority's system sends (a response, an extension request, its
credentials) and what it gets back (its letters, their recommendations, its answers and their decisions).

Input schemas adapt the portal's commands (`ombudsman.portal.commands`, `contract = ...`), so the API
refuses exactly what the portal's pages and services refuse. Outputs show what the portal pages show and
nothing of the office's internal work: no drafts, notes, findings or staff names.
"""

from __future__ import annotations

import marshmallow as ma
from flask import current_app, url_for
from marshmallow import fields

from ombudsman import contracts
from ombudsman.accounts import commands as accounts
from ombudsman.api.schemas import FileUpload, StrictSchema, client_id_field, enum, page_of, text_field
from ombudsman.deadlines.models import DeadlineState, FileRole, Unit
from ombudsman.letters.issuing import verify_url
from ombudsman.letters.models import LetterKind, LetterStatus
from ombudsman.portal import api_tokens
from ombudsman.portal import commands as portal
from ombudsman.portal.models import ExtensionStatus, ResponseStatus
from ombudsman.recommendations.models import RecommendationKind, RecommendationStatus

# --- tokens and the account ------------------------------------------------------------------------------


class PortalTokenIn(StrictSchema):
    """A portal account's credentials exchanged for a token."""

    contract = api_tokens.NewPortalApiToken

    email = text_field(accounts.EMAIL, required=True)
    # Not trimmed (StrictSchema trims text): a password is exactly what was typed.
    password = fields.String(required=True, validate=contracts.schema_validators(accounts.PASSWORD))
    label = text_field(
        accounts.TOKEN_LABEL, load_default="", metadata={"description": "A name to recognise the token by."}
    )

    @ma.post_load(pass_original=True)
    def _keep_password(self, data: dict, original: dict, **kwargs) -> dict:
        return {**data, "password": original["password"]}


class PortalTokenIssueIn(StrictSchema):
    """An admin's token for a portal account."""

    contract = api_tokens.IssuePortalApiToken

    label = text_field(accounts.TOKEN_LABEL, load_default="")
    days = fields.Integer(
        strict=True,
        load_default=30,
        validate=contracts.schema_validators(api_tokens.TOKEN_DAYS),
        metadata={"description": "How many days the token works."},
    )


class PortalTokenOut(ma.Schema):
    """A new portal token: the secret is shown only in this response."""

    id = fields.Integer(required=True)
    token = fields.String(required=True, metadata={"description": "Send as `Authorization: Bearer <token>`."})
    prefix = fields.String(required=True)
    label = fields.String(required=True)
    portal_user_id = fields.Integer(required=True)
    expires_at = fields.DateTime(required=True)


def new_token_body(token, secret: str) -> dict:
    """What `PortalTokenOut` shows of a token just made, with its secret."""
    return {
        "id": token.id,
        "token": secret,
        "prefix": token.prefix,
        "label": token.label,
        "portal_user_id": token.portal_user_id,
        "expires_at": token.expires_at,
    }


class PortalTokenInfoOut(ma.Schema):
    """A portal token as its list shows it (never the secret)."""

    id = fields.Integer(required=True)
    prefix = fields.String(required=True)
    label = fields.String(required=True)
    portal_user_id = fields.Integer(required=True)
    created_by_admin = fields.Function(
        lambda token: token.created_by_id is not None, required=True, metadata={"type": "boolean"}
    )
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(allow_none=True, required=True)
    revoked_at = fields.DateTime(allow_none=True, required=True)


class PortalMeOut(ma.Schema):
    """The portal account of the token, and the bodies it answers for."""

    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    authority_id = fields.Integer(required=True)
    authority_name = fields.String(attribute="authority.name", required=True)
    authority_ids = fields.List(
        fields.Integer(),
        required=True,
        metadata={"description": "Its authority and, where its contact covers them, the sub-units."},
    )


# --- letters ---------------------------------------------------------------------------------------------


def _verify_url(letter) -> str | None:
    if not letter.verify_token:
        return None
    return verify_url(current_app.config["PUBLIC_BASE_URL"], letter.verify_token)


class PortalLetterOut(ma.Schema):
    """An issued letter addressed to the account's bodies, as the portal shows it."""

    id = fields.Integer(required=True)
    number = fields.String(allow_none=True, required=True)
    letter_date = fields.Date(allow_none=True, required=True)
    kind = enum(LetterKind, required=True)
    status = enum(
        LetterStatus,
        required=True,
        metadata={"description": "`issued`, or `superseded` by a correcting letter."},
    )
    hal = fields.String(required=True)
    sifat = fields.String(required=True)
    lampiran = fields.String(required=True)
    authority_id = fields.Integer(required=True)
    authority_name = fields.String(attribute="authority.name", required=True)
    office_name = fields.String(attribute="office.name", required=True)
    sha256 = fields.String(
        attribute="pdf_sha256",
        allow_none=True,
        required=True,
        metadata={"description": "SHA-256 (hex) of the PDF served by `pdf_url`."},
    )
    verify_url = fields.Function(
        _verify_url,
        required=True,
        metadata={"type": "string", "nullable": True, "description": "Public verification page."},
    )
    received_on = fields.Date(
        allow_none=True,
        required=True,
        metadata={
            "description": "The receipt date on record (the first opening in the portal, or the office's "
            "own record): the follow-up deadlines count from it."
        },
    )
    pdf_url = fields.Function(
        lambda letter: url_for("api_portal.letter_pdf", letter_id=letter.id),
        required=True,
        metadata={"type": "string"},
    )
    recommendations_url = fields.Function(
        lambda letter: url_for("api_portal.letter_recommendations", letter_id=letter.id),
        required=True,
        metadata={"type": "string"},
    )


PortalLetterPage = page_of(PortalLetterOut, "PortalLetterPage")


# --- recommendations -------------------------------------------------------------------------------------


class PortalDeadlineOut(ma.Schema):
    """A recommendation's follow-up deadline on today's date."""

    state = enum(
        DeadlineState,
        allow_none=True,
        required=True,
        metadata={"description": "Today's state; null for a recommendation closed before any clock ran."},
    )
    due_on = fields.Date(allow_none=True, required=True)
    received_on = fields.Date(allow_none=True, required=True)
    count = fields.Integer(allow_none=True, required=True)
    unit = enum(Unit, allow_none=True, required=True)
    explanation = fields.String(required=True, metadata={"description": "How the due date was computed."})
    warnings = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "Warnings that travel with the due date, in the language of the caller's account "
            "(the same words as the staff API's deadline): e.g. the holiday data of a year the count touches "
            "was not available yet, so the date may be wrong. Empty when none."
        },
    )


class PortalRecommendationOut(ma.Schema):
    """A recommendation addressed to the account's bodies, its deadline and whether it can still be
    answered."""

    id = fields.Integer(required=True)
    kind = enum(RecommendationKind, required=True)
    text = fields.String(required=True)
    authority_id = fields.Integer(required=True)
    authority_name = fields.String(required=True)
    status = enum(RecommendationStatus, required=True, metadata={"description": "As the office decided."})
    closed = fields.Boolean(
        required=True,
        metadata={"description": "The office closed it: responses and extension requests are refused (422)."},
    )
    deadline = fields.Nested(PortalDeadlineOut, required=True)
    pending_extension_request_id = fields.Integer(allow_none=True, required=True)


class PortalRecommendationList(ma.Schema):
    """The recommendations of one letter that are addressed to the account's bodies, in the letter's order."""

    items = fields.List(fields.Nested(PortalRecommendationOut), required=True)


# --- responses and extension requests --------------------------------------------------------------------


class PortalResponseIn(StrictSchema):
    """A response to a recommendation, as multipart/form-data: what was done, in words, with evidence files
    (photos or PDFs, field `evidence`, repeatable) and optionally the reply letter (a PDF)."""

    contract = portal.Respond

    status = enum(ResponseStatus, required=True)
    text = text_field(portal.RESPONSE_TEXT, required=True)
    evidence = fields.List(
        FileUpload(),
        load_default=list,
        metadata={
            "description": "Photos (JPEG, PNG, WebP, HEIC) or PDFs, checked by content like staff "
            "uploads; the limits are `GET /capture/limits.json`."
        },
    )
    reply_letter = FileUpload(
        load_default=None, metadata={"description": "The authority's reply letter (PDF)."}
    )
    client_id = client_id_field()


class PortalFileOut(ma.Schema):
    """A file attached to a response, by its fingerprint."""

    role = enum(FileRole, required=True)
    original_filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size_bytes = fields.Integer(required=True)
    sha256 = fields.String(required=True)


class PortalResponseOut(ma.Schema):
    """A response of the authority, and where the recommendation stands now (the office decides)."""

    id = fields.Integer(required=True)
    recommendation_id = fields.Integer(required=True)
    status = enum(ResponseStatus, required=True)
    text = fields.String(required=True)
    responded_on = fields.Date(required=True)
    created_at = fields.DateTime(required=True)
    files = fields.List(fields.Nested(PortalFileOut), attribute="event.files", required=True)
    recommendation_status = enum(
        RecommendationStatus,
        attribute="recommendation.status",
        required=True,
        metadata={"description": "The office's current decision on the recommendation."},
    )


class PortalExtensionIn(StrictSchema):
    """A request for more time: until when, and why."""

    contract = portal.AskForExtension

    proposed_due_on = fields.Date(
        required=True,
        validate=contracts.schema_validators(portal.PROPOSED_DAY),
        metadata={"description": "After the current due date."},
    )
    reason = text_field(portal.EXTENSION_REASON, required=True)
    client_id = client_id_field()


class PortalExtensionOut(ma.Schema):
    """An extension request and the office's decision on it."""

    id = fields.Integer(required=True)
    recommendation_id = fields.Integer(required=True)
    reason = fields.String(required=True)
    proposed_due_on = fields.Date(required=True)
    status = enum(ExtensionStatus, required=True)
    requested_on = fields.Date(required=True)
    requested_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(allow_none=True, required=True)
    decision_note = fields.String(required=True)
    due_on = fields.Function(
        lambda request: (
            request.recommendation.deadline.due_on.isoformat()
            if request.recommendation.deadline is not None
            else None
        ),
        required=True,
        metadata={
            "type": "string",
            "format": "date",
            "nullable": True,
            "description": "The recommendation's due date now (moved when the request was granted).",
        },
    )


PortalResponsePage = page_of(PortalResponseOut, "PortalResponsePage")
PortalExtensionPage = page_of(PortalExtensionOut, "PortalExtensionPage")
PortalTokenList = ma.Schema.from_dict(
    {"items": fields.List(fields.Nested(PortalTokenInfoOut), required=True)}, name="PortalTokenList"
)
