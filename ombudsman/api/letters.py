"""Letters: the register, drafting, the workflow (submit, approve, return, issue), delivery and the PDF.

Every rule is the letters services'; their refusals (domain errors) become JSON in one place
(`ombudsman.api.common.domain_error`): a role refusal 403, a bad field 422, a refused state change 409.
"""

from __future__ import annotations

import hashlib
import logging

from flask import Response, current_app, request, url_for
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ombudsman import clock, contracts
from ombudsman.accounts.permissions import EVERYONE, RECOMMEND, office_record_or_404, roles_required
from ombudsman.api import letter_schemas as schemas
from ombudsman.api.common import ID, IDEMPOTENCY_HEADER_DOC, api_blueprint, page
from ombudsman.api.idempotency import create_once, request_key
from ombudsman.api.schemas import ErrorSchema
from ombudsman.errors import DomainError, NotFound
from ombudsman.extensions import db
from ombudsman.jobs import tasks
from ombudsman.letters import issuing, readiness, services, verification
from ombudsman.letters.commands import CopyLine, LetterDraft, NewLetter, RecordDelivery, ReturnLetter
from ombudsman.letters.models import Letter
from ombudsman.letters.verification import VERIFY_MAX_BYTES
from ombudsman.storage import evidence_dir

log = logging.getLogger(__name__)
#: Seconds a client waits before sending an issue again whose PDF could not be rendered.
RENDER_RETRY_AFTER_SECONDS = 30

blp = api_blueprint("api_letters", __name__, description="Formal letters (surat dinas) and their workflow.")

PDF_RESPONSE_DOC = {
    "responses": {
        "200": {
            "description": "The issued PDF exactly as stored (ETag: its SHA-256), or before issue a draft "
            "rendered now with the DRAF watermark (header `X-Letter-Draft: true`), never stored.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _with_parts(stmt):
    # Items carry their recommendation ids and copies: two queries per page, not two per letter.
    return stmt.options(selectinload(Letter.links), selectinload(Letter.copies))


def _letter(letter_id: int) -> Letter:
    letter = office_record_or_404(Letter, letter_id)
    return db.session.scalar(_with_parts(select(Letter).where(Letter.id == letter.id)))


def _today():
    return clock.today(current_user.office.timezone)


def _draft(command: type[LetterDraft], data: dict) -> LetterDraft:
    """The loaded body as the drafting command: ids and Tembusan lines as tuples, in the given order."""
    lists = {}
    if "recommendation_ids" in data:
        lists["recommendation_ids"] = tuple(data["recommendation_ids"])
    if "copies" in data:
        lists["copies"] = tuple(CopyLine(**line) for line in data["copies"])
    return contracts.build(command, {k: v for k, v in data.items() if k not in lists}, **lists)


@blp.route("/letters", methods=["GET"])
@roles_required(EVERYONE)
@blp.arguments(schemas.LetterArgs, location="query")
@blp.response(200, schemas.LetterPage)
def list_letters(args):
    """The office's register: newest number first, then drafts newest first."""
    filters = services.LetterFilters(
        status=args.get("status"),
        kind=args.get("kind"),
        authority_id=args.get("authority_id"),
        year=args.get("year"),
        inspection_id=args.get("inspection_id"),
        q=args["q"],
    )
    return page(_with_parts(services.register_query(current_user.office_id, filters)), args)


@blp.route("/letters", methods=["POST"])
@roles_required(RECOMMEND)
@blp.arguments(schemas.LetterIn)
@blp.response(201, schemas.LetterOut)
@blp.doc(**IDEMPOTENCY_HEADER_DOC)
def create_letter(data):
    """Draft a letter to one authority, printing some of the office's recommendations."""
    key = request_key(data.pop("client_id"))

    def create() -> Letter:
        return services.create(current_user.office, current_user, _draft(NewLetter, data))

    return create_once(resource_type="letter", model=Letter, key=key, payload=data, create=create)


@blp.route(f"/letters/<{ID}:letter_id>", methods=["GET"])
@roles_required(EVERYONE)
@blp.response(200, schemas.LetterOut)
def get_letter(letter_id: int):
    """One letter."""
    return _letter(letter_id)


@blp.route(f"/letters/<{ID}:letter_id>", methods=["PATCH"])
@roles_required(RECOMMEND)
@blp.arguments(schemas.LetterPatch)
@blp.response(200, schemas.LetterOut)
def update_letter(data, letter_id: int):
    """Change a draft (drafting roles) or a letter in review (its reviewers)."""
    letter = _letter(letter_id)
    services.update(letter, current_user, _draft(LetterDraft, data))
    db.session.commit()
    return letter


@blp.route(f"/letters/<{ID}:letter_id>/submit", methods=["POST"])
@roles_required(EVERYONE)
@blp.response(200, schemas.LetterOut)
def submit_letter(letter_id: int):
    """Send a draft for review."""
    letter = _letter(letter_id)
    services.submit(letter, current_user)
    db.session.commit()
    return letter


@blp.route(f"/letters/<{ID}:letter_id>/approve", methods=["POST"])
@roles_required(EVERYONE)
@blp.response(200, schemas.LetterOut)
def approve_letter(letter_id: int):
    """Approve a letter in review (supervisor or head)."""
    letter = _letter(letter_id)
    services.approve(letter, current_user)
    db.session.commit()
    return letter


@blp.route(f"/letters/<{ID}:letter_id>/return", methods=["POST"])
@roles_required(EVERYONE)
@blp.arguments(schemas.ReturnIn, required=False)
@blp.response(200, schemas.LetterOut)
def return_letter(data, letter_id: int):
    """Send a letter in review or approved back to its drafters (supervisor or head)."""
    letter = _letter(letter_id)
    services.return_to_draft(letter, current_user, ReturnLetter(**(data or {})))
    db.session.commit()
    return letter


@blp.route(f"/letters/<{ID}:letter_id>/issue", methods=["POST"])
@roles_required(EVERYONE)
@blp.arguments(schemas.IssueIn, required=False)
@blp.response(200, schemas.LetterOut, description="Issued: rendered inline (a deployment without Redis).")
@blp.alt_response(
    202,
    schema=schemas.LetterOut,
    description="Number reserved (`issuing: true`), the PDF renders as a job: GET the letter at the "
    "`Location` header until `status` is `issued`. Sending the issue again never takes a second number.",
    headers={"Location": {"description": "The letter (its status URL).", "schema": {"type": "string"}}},
)
@blp.alt_response(
    503,
    schema=ErrorSchema,
    description="The PDF could not be rendered now; the number stays reserved. Send again after "
    "`Retry-After` seconds.",
)
def issue_letter(data, letter_id: int):
    """Number the approved letter, dated `letter_date` (default today), and freeze its PDF (the head only).

    The number is reserved in a short transaction and the PDF rendered outside it: on a deployment with
    Redis as a job (202), without Redis in this request (200). In production the office's letters setup
    must be complete (/settings/letters/readiness): otherwise 409, with `fields.readiness` listing what is
    missing. When the office signs electronically, `signing_passphrase` unlocks the head's key first (422
    on that field when wrong or missing, 409 when the head has no key) and the letter is rendered and
    signed (PAdES) in this request (200). A letter left reserved as signed (`issuing: true`, `signed: true`:
    its signing failed) needs the passphrase again while the office signs electronically; once the admin
    turned that off, sending the issue again completes it unsigned with its number, as above (200 or 202,
    `signed: false`).
    """
    data = data or {}
    config = current_app.config
    letter = _letter(letter_id)
    # Electronic-signature mode: the key opens before the number is reserved (a wrong passphrase takes none).
    signatory = services.unlock_signatory(
        letter, current_user, data.get("signing_passphrase"), secret_key=config["SECRET_KEY"]
    )
    letter = services.reserve(
        letter,
        current_user,
        today=_today(),
        letter_date=data.get("letter_date"),
        base_url=config["PUBLIC_BASE_URL"],
        require_ready=readiness.required(config),
        signatory=signatory,
    )
    letter_id, office_id, number, signed = letter.id, letter.office_id, letter.number, letter.signed
    db.session.commit()
    try:
        if signed:  # rendered, signed and stored in this request: the unlocked key never leaves it
            services.complete_signed(
                letter_id,
                signatory,
                base_url=config["PUBLIC_BASE_URL"],
                evidence_root=evidence_dir(),
                timestamp_url=config.get("SIGNING_TIMESTAMP_URL") or None,
            )
            db.session.commit()
            done = True
        else:
            done = tasks.submit_letter_render(letter_id, office_id)
    except DomainError:
        db.session.rollback()
        raise
    except Exception:  # a renderer or queue failure: the reservation stays, sending again retries
        db.session.rollback()
        log.exception("letter %s: the issued PDF could not be rendered or queued", letter_id)
        abort(
            503,
            message=str(issuing.RENDER_FAILED % {"number": number}),
            headers={"Retry-After": str(RENDER_RETRY_AFTER_SECONDS)},
        )
    letter = _letter(letter_id)
    if done:
        return letter
    return letter, 202, {"Location": url_for("api_letters.get_letter", letter_id=letter_id)}


@blp.route("/letters/verify", methods=["POST"])
@roles_required(EVERYONE)
@blp.arguments(schemas.VerifyIn, location="multipart")
@blp.response(200, schemas.VerifyOut)
def verify_letter_file(data):
    """Check a PDF (multipart field `file`, not stored): which issued letter of the office it is byte for
    byte, and its electronic signatures (integrity, signer, chain to the office's trust roots, time stamp,
    expiry and revocation with dates), as the public verification page does."""
    upload = data["file"]
    try:
        content = upload.read(VERIFY_MAX_BYTES + 1)
    finally:
        upload.close()
    if len(content) > VERIFY_MAX_BYTES:
        abort(413, message=verification.too_large_message())
    letter, report = verification.check_file(
        current_user.office_id, content, online=current_app.config["SIGNING_VERIFY_ONLINE"]
    )
    return {
        "sha256": hashlib.sha256(content).hexdigest(),
        "letter_id": letter.id if letter else None,
        "letter_number": letter.number if letter else None,
        "letter_status": letter.status.value if letter else None,
        "verdict": report.verdict.value,
        "valid": report.valid,
        "message": str(report.message),
        "signatures": report.signatures,
    }


@blp.route(f"/letters/<{ID}:letter_id>/delivery", methods=["POST"])
@roles_required(EVERYONE)
@blp.arguments(schemas.DeliveryIn)
@blp.response(200, schemas.LetterOut)
def record_delivery(data, letter_id: int):
    """Record how and when the issued letter was delivered and received; sending it again changes nothing."""
    letter = _letter(letter_id)
    # Like the page's form, which shows what is recorded: a field left out keeps its value.
    merged = {
        "delivery_method": letter.delivery_method,
        "delivered_on": letter.delivered_on,
        "received_on": letter.received_on,
        "delivery_note": letter.delivery_note,
        **data,
    }
    services.record_delivery(letter, current_user, contracts.build(RecordDelivery, merged), today=_today())
    db.session.commit()
    return letter


@blp.route(f"/letters/<{ID}:letter_id>/pdf", methods=["GET"])
@roles_required(EVERYONE)
@blp.response(200)
@blp.doc(**PDF_RESPONSE_DOC)
def letter_pdf(letter_id: int):
    """The issued PDF, its SHA-256 checked on every download (304 when If-None-Match holds its ETag);
    before issue, a watermarked draft."""
    client_etags = request.if_none_match
    try:
        stored = services.stored_pdf(
            letter_id, current_user.office_id, client_has=client_etags.contains_weak if client_etags else None
        )
    except NotFound:  # not issued yet: the draft as it now reads
        letter = office_record_or_404(Letter, letter_id)
        response = Response(services.draft_pdf(letter, evidence_dir()), mimetype="application/pdf")
        response.headers["X-Letter-Draft"] = "true"
    except services.FrozenPdfError:
        abort(500)  # logged by the service; a changed archive copy is never served
    else:
        if stored is None:
            abort(404)
        response = Response(stored.data, status=200 if stored.data is not None else 304)
        if stored.data is not None:
            response.mimetype = "application/pdf"
        response.set_etag(stored.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
