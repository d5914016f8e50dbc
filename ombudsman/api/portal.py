"""The portal's actions for an authority's own systems: its letters (the first fetch records the receipt,
as opening the letter in the portal does), the PDF, the recommendations with their deadlines, responses
with evidence, extension requests, and the office's decisions on them.

Every route takes a portal token only (`portal_auth`) and calls the portal's services: what the account
may see is `ombudsman.portal.scope` (anything else is a 404, whatever office it belongs to), the receipt is
`ombudsman.portal.receipts`, responses and requests are `ombudsman.portal.responses`. Their refusals become
JSON in one place (`ombudsman.api.common.domain_error`): a closed recommendation is a 422 naming the field.
"""

from __future__ import annotations

import hashlib

from flask import Response, g, request
from flask_smorest import abort
from sqlalchemy import select

from ombudsman import clock, contracts
from ombudsman.accounts.models import Office
from ombudsman.api import portal_schemas as schemas
from ombudsman.api.common import ID, IDEMPOTENCY_HEADER_DOC, page
from ombudsman.api.idempotency import request_key
from ombudsman.api.letters import PDF_RESPONSE_DOC
from ombudsman.api.portal_auth import SECURITY, current_account, portal_blueprint, portal_only
from ombudsman.api.portal_idempotency import create_once
from ombudsman.api.schemas import PageArgs
from ombudsman.clock import utcnow
from ombudsman.deadlines.labels import warning_texts
from ombudsman.deadlines.settings import state_cutoffs
from ombudsman.deadlines.states import state_of
from ombudsman.deadlines.views.common import file_store, uploads
from ombudsman.extensions import db
from ombudsman.letters import documents
from ombudsman.letters.models import Letter
from ombudsman.portal import receipts, responses, scope
from ombudsman.portal.commands import AskForExtension, Respond
from ombudsman.portal.models import ExtensionRequest, PortalResponse
from ombudsman.recommendations.models import CLOSED_STATUSES, Recommendation

blp = portal_blueprint(
    "api_portal",
    __name__,
    description="The authority portal for authorities' systems: letters, receipt, responses, extensions "
    "(portal tokens only).",
)


def _office(office_id: int) -> Office:
    return db.session.get(Office, office_id)


def _today(office_id: int):
    """Today in the office's zone: the date a response or request carries, as on the portal's pages."""
    return clock.today(_office(office_id).timezone)


def _state(rec: Recommendation):
    """Today's deadline state of `rec`, with its office's boundaries computed once per request."""
    cache = g.setdefault("portal_cutoffs", {})
    if rec.office_id not in cache:
        office = _office(rec.office_id)
        cache[rec.office_id] = state_cutoffs(office, clock.today(office.timezone))
    return state_of(rec.deadline, cache[rec.office_id], rec)


def _recommendation(rec: Recommendation) -> dict:
    deadline = rec.deadline
    pending = responses.pending_request(rec)
    return {
        "id": rec.id,
        "kind": rec.kind,
        "text": rec.text,
        "authority_id": rec.authority_id,
        "authority_name": rec.authority.name,
        "status": rec.status,
        "closed": rec.status in CLOSED_STATUSES,
        "deadline": {
            "state": _state(rec),
            "due_on": deadline.due_on if deadline else None,
            "received_on": deadline.received_on if deadline else None,
            "count": deadline.count if deadline else None,
            "unit": deadline.unit if deadline else None,
            "explanation": deadline.explanation if deadline else "",
            "warnings": warning_texts(deadline.warnings) if deadline else [],
        },
        "pending_extension_request_id": pending.id if pending else None,
    }


def _opened(letter: Letter) -> None:
    """The account fetched the letter: the receipt, the first time (then committed)."""
    receipt = receipts.record_opening(
        letter,
        current_account(),
        now=utcnow(),
        remote_addr=request.remote_addr or "",
        user_agent=request.headers.get("User-Agent", ""),
    )
    if receipt is not None:
        db.session.commit()


@blp.route("/portal/letters", methods=["GET"])
@portal_only
@blp.arguments(PageArgs, location="query")
@blp.response(200, schemas.PortalLetterPage)
@blp.doc(security=SECURITY)
def list_letters(args):
    """The issued letters addressed to the account's authority (and its sub-units), newest first.

    Listing records no receipt; fetching one letter or its PDF does.
    """
    return page(scope.letters_query(current_account()), args)


@blp.route(f"/portal/letters/<{ID}:letter_id>", methods=["GET"])
@portal_only
@blp.response(200, schemas.PortalLetterOut)
@blp.doc(security=SECURITY)
def get_letter(letter_id: int):
    """One letter; the first fetch (of this or of its PDF, by any account) records the receipt: that
    date, in the office's zone, becomes the letter's `received_on` unless the office recorded an earlier one.
    """
    letter = scope.letter_or_404(current_account(), letter_id)
    _opened(letter)
    return letter


@blp.route(f"/portal/letters/<{ID}:letter_id>/pdf", methods=["GET"])
@portal_only
@blp.response(200)
@blp.doc(security=SECURITY, **PDF_RESPONSE_DOC)
def letter_pdf(letter_id: int):
    """The letter's PDF exactly as issued (ETag: its SHA-256); records the receipt like `get_letter`."""
    letter = scope.letter_or_404(current_account(), letter_id)
    try:
        data = documents.issued_pdf(letter)
    except documents.FrozenPdfError:
        abort(500)  # logged by the service; a changed archive copy is never served
    _opened(letter)
    response = Response(data, mimetype="application/pdf")
    response.set_etag(hashlib.sha256(data).hexdigest())
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@blp.route(f"/portal/letters/<{ID}:letter_id>/recommendations", methods=["GET"])
@portal_only
@blp.response(200, schemas.PortalRecommendationList)
@blp.doc(security=SECURITY)
def letter_recommendations(letter_id: int):
    """The letter's recommendations addressed to the account's bodies, with their deadlines today."""
    account = current_account()
    letter = scope.letter_or_404(account, letter_id)
    return {"items": [_recommendation(rec) for rec in scope.visible_recommendations(account, letter)]}


@blp.route(f"/portal/recommendations/<{ID}:recommendation_id>", methods=["GET"])
@portal_only
@blp.response(200, schemas.PortalRecommendationOut)
@blp.doc(security=SECURITY)
def get_recommendation(recommendation_id: int):
    """One recommendation addressed to the account's bodies, with its deadline today."""
    return _recommendation(scope.recommendation_or_404(current_account(), recommendation_id))


@blp.route(f"/portal/recommendations/<{ID}:recommendation_id>/responses", methods=["POST"])
@portal_only
@blp.arguments(schemas.PortalResponseIn, location="multipart")
@blp.response(201, schemas.PortalResponseOut)
@blp.doc(security=SECURITY, **IDEMPOTENCY_HEADER_DOC)
def respond(data, recommendation_id: int):
    """Answer a recommendation: `status` (implemented, partly, not_yet), `text`, `evidence` files and an
    optional `reply_letter` PDF, as multipart/form-data.

    Files are checked by content exactly like staff uploads (a refused file is a 422 naming its field,
    nothing stored). Recorded as a dated follow-up event the office sees; the office decides the outcome.
    A closed recommendation is refused (422, field `text`).
    """
    account = current_account()
    rec = scope.recommendation_or_404(account, recommendation_id)
    key = request_key(data.pop("client_id"))
    evidence = uploads(data.pop("evidence") or [], "evidence")
    reply = uploads([data.pop("reply_letter")], "reply_letter")
    cmd = contracts.build(Respond, {"status": data["status"].value, "text": data["text"]})
    payload = {
        "status": cmd.status,
        "text": cmd.text,
        "evidence": [upload.sha256 for upload in evidence],
        "reply_letter": reply[0].sha256 if reply else None,
    }

    def create() -> PortalResponse:
        return responses.respond(
            rec,
            cmd,
            evidence=evidence,
            reply_letter=reply[0] if reply else None,
            account=account,
            today=_today(rec.office_id),
            store=file_store(),
        )

    return create_once(
        account=account,
        resource_type="portal_response",
        model=PortalResponse,
        key=key,
        payload=payload,
        create=create,
    )


@blp.route(f"/portal/recommendations/<{ID}:recommendation_id>/responses", methods=["GET"])
@portal_only
@blp.arguments(PageArgs, location="query")
@blp.response(200, schemas.PortalResponsePage)
@blp.doc(security=SECURITY)
def recommendation_responses(args, recommendation_id: int):
    """The authority's responses to one recommendation, newest first."""
    rec = scope.recommendation_or_404(current_account(), recommendation_id)
    stmt = (
        select(PortalResponse)
        .where(PortalResponse.recommendation_id == rec.id)
        .order_by(PortalResponse.responded_on.desc(), PortalResponse.id.desc())
    )
    return page(stmt, args)


@blp.route(f"/portal/recommendations/<{ID}:recommendation_id>/extension-requests", methods=["POST"])
@portal_only
@blp.arguments(schemas.PortalExtensionIn)
@blp.response(201, schemas.PortalExtensionOut)
@blp.doc(security=SECURITY, **IDEMPOTENCY_HEADER_DOC)
def ask_for_extension(data, recommendation_id: int):
    """Ask for more time: `proposed_due_on` (after the current due date) and `reason`.

    The office grants or refuses it on its follow-up page (`GET /portal/extension-requests` shows the
    decision). Refused: a closed recommendation or one whose clock has not started (422), a request
    already pending (409).
    """
    account = current_account()
    rec = scope.recommendation_or_404(account, recommendation_id)
    key = request_key(data.pop("client_id"))
    cmd = contracts.build(AskForExtension, data)

    def create() -> ExtensionRequest:
        return responses.ask_for_extension(rec, cmd, account=account, today=_today(rec.office_id))

    return create_once(
        account=account,
        resource_type="extension_request",
        model=ExtensionRequest,
        key=key,
        payload=data,
        create=create,
    )


@blp.route(f"/portal/recommendations/<{ID}:recommendation_id>/extension-requests", methods=["GET"])
@portal_only
@blp.arguments(PageArgs, location="query")
@blp.response(200, schemas.PortalExtensionPage)
@blp.doc(security=SECURITY)
def recommendation_extension_requests(args, recommendation_id: int):
    """The extension requests on one recommendation and their decisions, newest first."""
    rec = scope.recommendation_or_404(current_account(), recommendation_id)
    stmt = (
        select(ExtensionRequest)
        .where(ExtensionRequest.recommendation_id == rec.id)
        .order_by(ExtensionRequest.requested_at.desc(), ExtensionRequest.id.desc())
    )
    return page(stmt, args)


@blp.route("/portal/responses", methods=["GET"])
@portal_only
@blp.arguments(PageArgs, location="query")
@blp.response(200, schemas.PortalResponsePage)
@blp.doc(security=SECURITY)
def own_responses(args):
    """The responses this account sent, newest first, with where each recommendation stands now."""
    stmt = (
        select(PortalResponse)
        .where(PortalResponse.portal_user_id == current_account().id)
        .order_by(PortalResponse.created_at.desc(), PortalResponse.id.desc())
    )
    return page(stmt, args)


@blp.route("/portal/extension-requests", methods=["GET"])
@portal_only
@blp.arguments(PageArgs, location="query")
@blp.response(200, schemas.PortalExtensionPage)
@blp.doc(security=SECURITY)
def own_extension_requests(args):
    """The extension requests this account sent and the office's decisions, newest first."""
    stmt = (
        select(ExtensionRequest)
        .where(ExtensionRequest.portal_user_id == current_account().id)
        .order_by(ExtensionRequest.requested_at.desc(), ExtensionRequest.id.desc())
    )
    return page(stmt, args)
