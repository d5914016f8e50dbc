"""Schemas of the letters API: what clients send to draft, review and deliver letters, and what they get.

Input schemas adapt the letters commands (`ombudsman.letters.commands`, `contract = ...`): every bound is
the command's own, so the API refuses exactly what the web form and the service refuse.
"""

from __future__ import annotations

import marshmallow as ma
from flask import current_app, url_for
from marshmallow import fields, validate

from ombudsman.api.schemas import (
    LATEST_DAY,
    MAX_ID,
    FileUpload,
    PageArgs,
    StrictSchema,
    client_id_field,
    enum,
    page_of,
    text_field,
)
from ombudsman.contracts import EARLIEST_DAY, RECORD_ID, SEARCH, schema_validators
from ombudsman.letters import commands as c
from ombudsman.letters import services
from ombudsman.letters.models import DeliveryMethod, LetterKind, LetterStatus


def _text(bound, **kwargs) -> fields.String:
    return fields.String(validate=schema_validators(bound), **kwargs)


def _ref(**kwargs) -> fields.Integer:
    return fields.Integer(strict=True, validate=schema_validators(RECORD_ID), **kwargs)


def _day(**kwargs) -> fields.Date:
    return fields.Date(validate=schema_validators(c.SENT_OR_RECEIVED), **kwargs)


class LetterCopyIn(StrictSchema):
    """One line of the Tembusan list: an authority of the register, or free text."""

    contract = c.CopyLine

    authority_id = _ref(allow_none=True, load_default=None)
    text = _text(c.COPY_TEXT, load_default="")


class LetterPatch(StrictSchema):
    """Changes to a draft letter (or one in review, by its reviewers); every field optional."""

    contract = c.LetterDraft

    authority_id = _ref(metadata={"description": "The addressee (an authority of the register)."})
    kind = enum(LetterKind)
    recommendation_ids = fields.List(
        _ref(),
        validate=validate.Length(max=200),
        metadata={"description": "Recommendations the letter prints, in this order."},
    )
    recipient_lines = _text(
        c.RECIPIENT_LINES, metadata={"description": 'Lines after "Yth."; empty: from the register.'}
    )
    hal = _text(c.HAL)
    sifat = fields.String(validate=validate.OneOf(c.SIFAT_CHOICES))
    lampiran = _text(c.LAMPIRAN)
    place = _text(c.PLACE)
    opening = _text(c.BODY_TEXT)
    closing = _text(c.BODY_TEXT)
    signatory_name = _text(c.SIGNATORY_NAME)
    signatory_title = _text(c.SIGNATORY_TITLE)
    annex = fields.Boolean(truthy={True}, falsy={False})
    copies = fields.List(fields.Nested(LetterCopyIn), validate=validate.Length(max=c.MAX_COPIES))


class LetterIn(LetterPatch):
    """A new draft letter; texts left out get the office's defaults."""

    contract = c.NewLetter

    client_id = client_id_field()
    authority_id = _ref(required=True, metadata={"description": "The addressee."})
    hal = _text(c.HAL, required=True)
    inspection_id = _ref(allow_none=True, metadata={"description": "The inspection the letter follows up."})


class LetterArgs(PageArgs):
    """Filters of the register of letters."""

    status = enum(LetterStatus)
    kind = enum(LetterKind)
    authority_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    inspection_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    year = fields.Integer(validate=validate.Range(min=EARLIEST_DAY.year, max=LATEST_DAY.year))
    q = text_field(SEARCH, load_default="")


class ReturnIn(StrictSchema):
    """Why a reviewer sends a letter back."""

    contract = c.ReturnLetter

    note = _text(c.NOTE, load_default="")


class IssueIn(StrictSchema):
    """The date the letter carries; left out, today in the office's zone."""

    contract = c.IssueLetter

    letter_date = fields.Date(
        allow_none=True,
        load_default=None,
        validate=schema_validators(c.LETTER_DATE),
        metadata={
            "description": "The letter's date: not in the future, not before the last inspection it "
            "reports; the number's month and year follow it. Default: today in the office's zone."
        },
    )
    signing_passphrase = fields.String(
        load_only=True,
        load_default=None,
        allow_none=True,
        validate=schema_validators(c.SIGNING_PASSPHRASE),
        metadata={
            "description": "The passphrase of the head's signing key, required when the office signs "
            "letters electronically (PAdES): the key is unlocked before the number is reserved, so a wrong "
            "passphrase (422 on this field) takes no number. Never stored, logged or returned."
        },
    )


class DeliveryIn(StrictSchema):
    """How and when an issued letter reached the authority; fields left out keep their recorded value."""

    contract = c.RecordDelivery

    delivery_method = enum(DeliveryMethod, allow_none=True)
    delivered_on = _day(allow_none=True, metadata={"description": "Sent; not before the letter's date."})
    received_on = _day(
        allow_none=True,
        metadata={
            "description": "Received by the authority (not in the future); the follow-up deadline counts "
            "from it."
        },
    )
    delivery_note = _text(c.DELIVERY_NOTE)
    correction_reason = _text(
        c.CORRECTION_REASON,
        load_default="",
        metadata={"description": "Required (supervisor) to change a recorded receipt."},
    )


class LetterCopyOut(ma.Schema):
    """A Tembusan line."""

    authority_id = fields.Integer(allow_none=True, required=True)
    text = fields.String(required=True)


def _verify_url(letter) -> str | None:
    if not letter.verify_token or not letter.status.is_issued:
        return None
    return services.verify_url(current_app.config["PUBLIC_BASE_URL"], letter.verify_token)


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
    issuing = fields.Boolean(
        attribute="is_issuing",
        required=True,
        metadata={
            "description": "The number is reserved and the PDF is being rendered (a job): poll the letter "
            "until `status` is `issued`."
        },
    )
    letter_date = fields.Date(allow_none=True, required=True, metadata={"description": "The issue date."})
    signed = fields.Boolean(
        required=True,
        metadata={"description": "Issued (or being issued) with an electronic signature (PAdES)."},
    )
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


# --- signature verification -----------------------------------------------------------------------------


class VerifyIn(StrictSchema):
    """A PDF to check (multipart field `file`); it is not stored."""

    file = FileUpload(required=True)


class SignatureOut(ma.Schema):
    """One electronic signature of the file (`ombudsman.letters.signatures.SignatureCheck`)."""

    verdict = fields.String(
        required=True,
        metadata={"description": "valid, altered, modified, untrusted, revoked, expired or invalid."},
    )
    message = fields.Function(
        lambda check: str(check.message),
        required=True,
        metadata={"type": "string", "description": "The verdict in plain words."},
    )
    field_name = fields.String(required=True)
    signer = fields.String(required=True, metadata={"description": "The certificate's common name."})
    issuer = fields.String(required=True)
    intact = fields.Boolean(required=True, metadata={"description": "The signed bytes are unchanged."})
    trusted = fields.Boolean(
        required=True, metadata={"description": "The certificate chains to a trust root of the office."}
    )
    covers_whole_file = fields.Boolean(required=True)
    signed_at = fields.DateTime(allow_none=True, required=True, metadata={"description": "As claimed."})
    timestamp_at = fields.DateTime(
        allow_none=True, required=True, metadata={"description": "The RFC 3161 time stamp, when present."}
    )
    certificate_valid_from = fields.DateTime(allow_none=True, required=True)
    certificate_valid_until = fields.DateTime(allow_none=True, required=True)
    revoked_at = fields.DateTime(allow_none=True, required=True)


class VerifyOut(ma.Schema):
    """The check of an uploaded PDF: its SHA-256, the office's issued letter with those exact bytes (if
    any), and its signatures against the office's trust roots."""

    sha256 = fields.String(required=True)
    letter_id = fields.Integer(allow_none=True, required=True)
    letter_number = fields.String(allow_none=True, required=True)
    letter_status = fields.String(allow_none=True, required=True)
    verdict = fields.String(
        required=True,
        metadata={
            "description": "The last signature's verdict, or unsigned (no signature) or unreadable "
            "(not a PDF)."
        },
    )
    valid = fields.Boolean(required=True)
    message = fields.String(required=True)
    signatures = fields.List(fields.Nested(SignatureOut), required=True)
