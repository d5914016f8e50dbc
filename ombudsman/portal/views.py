"""The authority portal's pages (/portal/): sign-in, the letters addressed to the authority, the receipt
recorded on first opening, responses with evidence and extension requests.

Only portal accounts reach these pages (`portal_required`); staff are refused, and every other page of the
app refuses portal accounts (`ombudsman.security.require_login`). Records outside the account's scope are
404 (`ombudsman.portal.scope`). Each POST parses its form into the command, calls one service, commits once
and redirects (303); a refusal redisplays the page with the message and the input kept (422).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from ombudsman import clock, contracts
from ombudsman.accounts.models import Office
from ombudsman.accounts.permissions import public
from ombudsman.accounts.sessions import end_all_sessions, start_session
from ombudsman.deadlines import follow_up as records
from ombudsman.deadlines.views.common import reply_letter_is_pdf
from ombudsman.errors import DomainError
from ombudsman.extensions import db, limiter
from ombudsman.forms_common import filled, show_error
from ombudsman.inspections import page_uploads
from ombudsman.letters import documents
from ombudsman.letters.views import pdf_response
from ombudsman.mail import send_in_background
from ombudsman.portal import accounts, mails, receipts, responses, scope
from ombudsman.portal.commands import (
    AskForExtension,
    PortalSignIn,
    RequestSignInLink,
    Respond,
    SetPortalPassword,
)
from ombudsman.portal.forms import (
    AskForExtensionForm,
    PortalLoginForm,
    PortalPasswordForm,
    RespondForm,
    SignInLinkForm,
    UseLinkForm,
)
from ombudsman.portal.models import LinkPurpose
from ombudsman.security import PORTAL_BLUEPRINT
from ombudsman.storage import evidence_dir

bp = Blueprint(PORTAL_BLUEPRINT, __name__, url_prefix="/portal")


def portal_required(view: Callable) -> Callable:
    """Only a signed-in portal account; anyone else signs in on the portal's page, staff are refused (403)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("portal.login", next=request.full_path.rstrip("?")))
        if not getattr(current_user, "is_portal", False):
            abort(403)
        return view(*args, **kwargs)

    wrapper._portal = True  # type: ignore[attr-defined]
    return wrapper


def _office_today(rec) -> date:
    """Today in the zone of the office that wrote the recommendation (its dates are that office's)."""
    return clock.today(db.session.get(Office, rec.office_id).timezone)


def _safe_next(target: str | None) -> str:
    if (
        target
        and urlsplit(target).netloc == ""
        and target.startswith("/portal/")
        and not target.startswith("//")
    ):
        return target
    return url_for("portal.index")


# --- signing in -------------------------------------------------------------------------------------------


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@public
def login():
    """The portal's sign-in page: e-mail and password, or a link by e-mail."""
    if getattr(current_user, "is_portal", False):
        return redirect(url_for("portal.index"))
    form = PortalLoginForm()
    if form.validate_on_submit():
        cmd = PortalSignIn(email=form.email.data.strip(), password=form.password.data)
        account = accounts.authenticate(cmd, now=clock.utcnow())
        if account is None:
            db.session.commit()  # the failure counts toward the account's lockout
            form.password.errors.append(_("E-mail atau kata sandi salah."))
        else:
            # The language picked on this page stays, and is saved as the account's.
            start_session(account, remember=bool(form.remember.data))
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")), 303)
    return render_template("portal/login.html", form=form, link_form=SignInLinkForm(formdata=None)), (
        200 if request.method == "GET" else 422
    )


@bp.post("/masuk/tautan")
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT_ADDRESS"])
@public
def request_link():
    """Mail a single-use sign-in link to an account with that address; the answer is the same either way."""
    form = SignInLinkForm()
    if not form.validate_on_submit():
        return render_template("portal/login.html", form=PortalLoginForm(formdata=None), link_form=form), 422
    cmd = contracts.build(RequestSignInLink, filled(form))
    account = accounts.find_by_email(cmd.email)
    if account is not None and account.active and account.contact.active:
        now = clock.utcnow()
        minutes = int(current_app.config["PORTAL_LINK_MINUTES"])
        secret = accounts.new_link(account, LinkPurpose.SIGN_IN, now=now, lifetime=timedelta(minutes=minutes))
        message = mails.sign_in_link(account, secret, current_app.config)
        db.session.commit()
        send_in_background([message], current_app.config, logger=current_app.logger)
    flash(_("Jika alamat itu terdaftar di portal, tautan masuk sudah dikirim ke sana."), "success")
    return redirect(url_for("portal.login"), 303)


@bp.route("/link/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@public
def use_link(token: str):
    """A sign-in link: the page asks for one press (mail scanners open links), the press signs in once."""
    form = UseLinkForm()
    if request.method == "GET":
        return render_template("portal/link.html", form=form)
    if not form.validate_on_submit():
        abort(400)
    link = accounts.use_link(token, now=clock.utcnow())
    if link is None:
        db.session.rollback()
        return render_template("portal/link_expired.html"), 410
    account = link.portal_user
    letter_id, purpose = link.letter_id, link.purpose
    start_session(account)  # as the password sign-in: the language picked on the link's page stays
    db.session.commit()
    if letter_id is not None:
        return redirect(url_for("portal.letter", letter_id=letter_id), 303)
    if purpose is LinkPurpose.INVITATION or account.password_hash is None:
        return redirect(url_for("portal.password"), 303)
    return redirect(url_for("portal.index"), 303)


@bp.route("/kata-sandi", methods=["GET", "POST"])
@portal_required
def password():
    """Choose a password (every other session of the account ends)."""
    form = PortalPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password(current_user, contracts.build(SetPortalPassword, filled(form)))
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            start_session(current_user._get_current_object())  # this device stays, under the new generation
            db.session.commit()
            flash(_("Kata sandi disimpan."), "success")
            return redirect(url_for("portal.index"), 303)
    return render_template("portal/password.html", form=form), 200 if request.method == "GET" else 422


@bp.post("/keluar")
@portal_required
def logout():
    """Sign out of the portal on every device."""
    end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("portal.login"), 303)


# --- letters ----------------------------------------------------------------------------------------------


@bp.get("/")
@portal_required
def index():
    """The authority's letters, newest first, and what is still open."""
    letters = db.session.scalars(scope.letters_query(current_user).limit(200)).all()
    return render_template("portal/index.html", letters=letters, receipts=_receipts(letters))


def _receipts(letters) -> dict:
    return {letter.id: receipts.receipt_of(letter) for letter in letters}


def _open_letter(letter) -> None:
    """The first opening by the authority is the receipt (`receipts.record_opening`); committed here."""
    receipts.record_opening(
        letter,
        current_user,
        now=clock.utcnow(),
        remote_addr=request.remote_addr or "",
        user_agent=request.headers.get("User-Agent", ""),
    )
    db.session.commit()


@bp.get("/letters/<int:letter_id>")
@portal_required
def letter(letter_id: int):
    """One letter: its number, date, subject, receipt, the PDF and the recommendations to answer."""
    item = scope.letter_or_404(current_user, letter_id)
    _open_letter(item)
    item = scope.letter_or_404(current_user, letter_id)
    return render_template(
        "portal/letter.html",
        letter=item,
        receipt=receipts.receipt_of(item),
        recommendations=scope.visible_recommendations(current_user, item),
    )


def _filename(letter) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in (letter.number or str(letter.id)))
    return f"surat-{safe}.pdf"


@bp.get("/letters/<int:letter_id>/pdf")
@portal_required
def letter_pdf(letter_id: int):
    """The issued PDF exactly as stored (its SHA-256 checked); opening it is a receipt too."""
    item = scope.letter_or_404(current_user, letter_id)
    _open_letter(item)
    item = scope.letter_or_404(current_user, letter_id)
    try:
        data = documents.issued_pdf(item)
    except documents.FrozenPdfError:
        abort(500)  # logged by the service; a changed archive copy is never served
    return pdf_response(data, _filename(item), etag=item.pdf_sha256)


# --- recommendations --------------------------------------------------------------------------------------


def _recommendation_page(rec, respond_form=None, extension_form=None, status: int = 200, held=None):
    return render_template(
        "portal/recommendation.html",
        recommendation=rec,
        deadline=rec.deadline,
        letters=scope.letters_of_recommendation(current_user, rec),
        responses=responses.responses_of(rec),
        requests=responses.requests_of(rec),
        pending=responses.pending_request(rec),
        respond_form=respond_form or RespondForm(formdata=None),
        extension_form=extension_form or AskForExtensionForm(formdata=None),
        respond_held=held or {},
        response_labels=responses.RESPONSE_LABELS,
        extension_labels=responses.EXTENSION_LABELS,
    ), status


@bp.get("/recommendations/<int:recommendation_id>")
@portal_required
def recommendation(recommendation_id: int):
    """One recommendation: its due date and why, the authority's answers and requests, and the forms."""
    return _recommendation_page(scope.recommendation_or_404(current_user, recommendation_id))


def _file_store() -> records.FileStore:
    return records.FileStore(evidence_dir(), current_app.config["EVIDENCE_THUMBNAIL_PX"])


@bp.post("/recommendations/<int:recommendation_id>/response")
@portal_required
def respond(recommendation_id: int):
    """Answer a recommendation, with evidence (checked as the office's uploads) and a reply letter (a PDF).

    A refusal shows the page again (422) with the text as typed and the files that passed the checks held
    for this account, each in its own field (`held_evidence`, `held_reply_letter`: `page_uploads`).
    """
    rec = scope.recommendation_or_404(current_user, recommendation_id)
    form = RespondForm()

    def save(files):
        letters = files["reply_letter"]
        return responses.respond(
            rec,
            contracts.build(Respond, filled(form)),
            evidence=files["evidence"],
            reply_letter=letters[0] if letters else None,
            account=current_user,
            today=_office_today(rec),
            store=_file_store(),
        )

    submitted = page_uploads.save_with_fields(
        form,
        {"evidence": "evidence", "reply_letter": "reply_letter"},
        form.validate_on_submit(),
        save,
        checks={"reply_letter": reply_letter_is_pdf},
        default_field=None,
    )
    if submitted.saved:
        flash(_("Tanggapan Anda terkirim ke kantor Ombudsman."), "success")
        return redirect(url_for("portal.recommendation", recommendation_id=rec.id), 303)
    rec = scope.recommendation_or_404(current_user, recommendation_id)
    return _recommendation_page(rec, respond_form=form, status=422, held=submitted.held)


@bp.post("/recommendations/<int:recommendation_id>/extension")
@portal_required
def ask_for_extension(recommendation_id: int):
    """Ask the office for more time, with a proposed date and a reason."""
    rec = scope.recommendation_or_404(current_user, recommendation_id)
    form = AskForExtensionForm()
    if form.validate_on_submit():
        try:
            responses.ask_for_extension(
                rec,
                contracts.build(AskForExtension, filled(form)),
                account=current_user,
                today=_office_today(rec),
            )
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Permohonan perpanjangan terkirim; kantor Ombudsman akan memutuskannya."), "success")
            return redirect(url_for("portal.recommendation", recommendation_id=rec.id), 303)
    rec = scope.recommendation_or_404(current_user, recommendation_id)
    return _recommendation_page(rec, extension_form=form, status=422)
