"""Public verification pages: anyone holding a letter finds it by its QR code or short code, and can check
that a PDF is, byte for byte, the one the office issued. They show the letter's facts, never its body.
"""

from __future__ import annotations

import hashlib
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from ombudsman.accounts.permissions import public
from ombudsman.extensions import limiter
from ombudsman.letters import access, documents, signatures, verification
from ombudsman.letters.forms import VerifyUploadForm
from ombudsman.letters.models import Letter

verify_bp = Blueprint("verify", __name__, url_prefix="/verify")

VERIFY_MAX_BYTES = verification.VERIFY_MAX_BYTES


@verify_bp.get("/")
@limiter.limit("30 per minute")
@public
def lookup():
    """Find an issued letter by the short code printed beside its QR code."""
    code = request.args.get("code", "").strip()[:32]
    if code:
        letter = verification.by_short_code(code)
        if letter is not None:
            return redirect(url_for("verify.show", token=letter.verify_token), 303)
        return render_template("letter_pages/verify_lookup.html", code=code, not_found=True), 404
    return render_template("letter_pages/verify_lookup.html", code="", not_found=False)


def _verify_page(letter: Letter, form: VerifyUploadForm, result: dict | None = None, status: int = 200):
    try:
        signature = verification.signature_of(letter, online=current_app.config["SIGNING_VERIFY_ONLINE"])
    except documents.FrozenPdfError:
        abort(500)  # logged; a damaged archive copy confirms nothing
    response = Response(
        render_template(
            "letter_pages/verify.html",
            letter=letter,
            form=form,
            result=result,
            signature=signature,
            replaced_by=access.replacement(letter),
            # Times in the zone of the letter's office, as its date is: the public page has no signed-in
            # user whose office would give the zone.
            zone=ZoneInfo(letter.office.timezone),
        ),
        status=status,
    )
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response


@verify_bp.get("/<token>", endpoint="show")
@limiter.limit("60 per minute")
@public
def verify_show(token: str):
    """Public: the issued letter's number, date, addressee, subject, fingerprint and status; not its body."""
    letter = verification.by_token(token)
    if letter is None:
        abort(404)
    return _verify_page(letter, VerifyUploadForm())


@verify_bp.post("/<token>", endpoint="check")
@limiter.limit("20 per minute")
@public
def verify_check(token: str):
    """Public: compare an uploaded PDF with the issued one, byte for byte, and check its signatures."""
    letter = verification.by_token(token)
    if letter is None:
        abort(404)
    form = VerifyUploadForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _verify_page(letter, form, status=422)
    data = form.file.data.read(VERIFY_MAX_BYTES + 1)
    if len(data) > VERIFY_MAX_BYTES:
        form.file.errors = [verification.too_large_message()]
        return _verify_page(letter, form, status=422)
    try:
        matches = verification.matches_issued(letter, data)
    except documents.FrozenPdfError:
        abort(500)  # logged; a damaged archive copy confirms nothing
    result = {
        "matches": matches,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        # The file's own signatures, checked against the issuing office's trust roots: a copy that is not
        # byte-identical may still be the signed letter with harmless additions, or say what was changed.
        "signature": signatures.check(
            data,
            verification.office_trust_roots(letter.office_id),
            online=current_app.config["SIGNING_VERIFY_ONLINE"],
        ),
    }
    return _verify_page(letter, VerifyUploadForm(), result)
