"""The letter page's workflow buttons: submit, approve, return, issue, correct, and recording delivery.

Routes of the `letters` blueprint (`views.bp`). Each parses the request, calls one service, commits once
and redirects (303) to the letter. A refused step is flashed on the letter's page; a role refusal
(`Forbidden`) is left to the app's error page, a 403 that says why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ombudsman import contracts
from ombudsman.accounts.permissions import EVERYONE, office_record_or_404, roles_required
from ombudsman.clock import utcnow
from ombudsman.errors import Conflict, DomainError, Invalid
from ombudsman.extensions import db
from ombudsman.forms_common import flash_errors, show_error
from ombudsman.jobs import tasks
from ombudsman.letters import access, issuing, readiness, workflow
from ombudsman.letters import delivery as deliveries
from ombudsman.letters.commands import SIGNING_PASSPHRASE_FIELD, RecordDelivery, ReturnLetter
from ombudsman.letters.forms import DeliveryForm, IssueForm
from ombudsman.letters.models import Letter
from ombudsman.letters.views import bp, check_csrf, office_today, recorded_delivery_form, render_show
from ombudsman.portal import delivery as portal_delivery
from ombudsman.storage import evidence_dir

log = logging.getLogger(__name__)


def _to_letter(letter: Letter, anchor: str | None = None):
    return redirect(url_for("letters.show", letter_id=letter.id, _anchor=anchor), 303)


def _step(letter_id: int, action: Callable[[Letter], Letter | None], message: Callable[[Letter], str]):
    """Run one workflow step on the office's letter; a refused state change is flashed on its page."""
    letter = office_record_or_404(Letter, letter_id)
    check_csrf()
    try:
        result = action(letter) or letter
    except (Invalid, Conflict) as exc:
        db.session.rollback()
        show_error(None, exc)
        return _to_letter(letter)
    db.session.commit()
    flash(message(result), "success")
    return _to_letter(result)


@bp.post("/<int:letter_id>/submit")
@roles_required(EVERYONE)
def submit(letter_id: int):
    """Send a draft for review."""
    return _step(
        letter_id,
        lambda letter: workflow.submit(letter, current_user),
        lambda _letter: _("Surat diajukan untuk diperiksa."),
    )


@bp.post("/<int:letter_id>/approve")
@roles_required(EVERYONE)
def approve(letter_id: int):
    """Approve a letter in review."""
    return _step(
        letter_id,
        lambda letter: workflow.approve(letter, current_user),
        lambda _letter: _("Surat disetujui."),
    )


@bp.post("/<int:letter_id>/return")
@roles_required(EVERYONE)
def return_to_draft(letter_id: int):
    """Send a letter back to its drafters, with the reviewer's note."""
    cmd = contracts.build(ReturnLetter, {"note": request.form.get("note", "")})
    return _step(
        letter_id,
        lambda letter: workflow.return_to_draft(letter, current_user, cmd),
        lambda _letter: _("Surat dikembalikan ke draf."),
    )


@bp.post("/<int:letter_id>/issue")
@roles_required(EVERYONE)
def issue(letter_id: int):
    """Reserve the letter's number, dated as the head chooses, then render its PDF: as a job, or here
    without Redis (the head only).

    A refused date redisplays the page with the date kept and the message under it (422). Any other refusal
    is flashed on the letter's page like every workflow step; an office whose letters setup is incomplete
    in production finds there the list of what is missing. The page then shows the letter being issued (it
    refreshes itself) or issued. Pressing the button on a letter being issued retries its render with the
    same number. In electronic-signature mode the head types the key's passphrase: a wrong one redisplays
    the page (422) with no number taken, and the letter is rendered, signed and stored in this request. A
    letter left reserved as signed (its signing failed) asks for the passphrase again while the mode is on;
    once the admin turned it off, pressing the button issues it as a paper letter with its number.
    """
    letter = office_record_or_404(Letter, letter_id)
    form = IssueForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return render_show(letter, recorded_delivery_form(letter), 422, issue_form=form)
    config = current_app.config
    was_signed = letter.is_issuing and letter.signed
    try:
        # Electronic-signature mode: the head's key opens first, so a wrong passphrase burns no number.
        signatory = issuing.unlock_signatory(
            letter, current_user, form.signing_passphrase.data, secret_key=config["SECRET_KEY"]
        )
        letter = issuing.reserve(
            letter,
            current_user,
            today=office_today(),
            letter_date=form.letter_date.data,
            base_url=config["PUBLIC_BASE_URL"],
            require_ready=readiness.required(config),
            signatory=signatory,
        )
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 403:
            raise
        letter = office_record_or_404(Letter, letter_id)
        if {"letter_date", SIGNING_PASSPHRASE_FIELD} & exc.fields.keys():
            show_error(form, exc)
            return render_show(letter, recorded_delivery_form(letter), 422, issue_form=form)
        if readiness.READINESS_FIELD in exc.fields:
            flash(_("Surat belum dapat diterbitkan; lengkapi dulu pengaturan surat."), "error")
        else:
            show_error(None, exc)
        return _to_letter(letter)
    # Electronic delivery is mailed once the letter is issued (`ombudsman.jobs.tasks.render_issued_letter`).
    if form.electronic_delivery.data and not portal_delivery.request(letter, actor=current_user):
        flash(_("Instansi tujuan belum punya kontak aktif; surat tidak dikirim elektronik."), "error")
    letter_id, office_id, number, signed = letter.id, letter.office_id, letter.number, letter.signed
    db.session.commit()
    if was_signed and not signed:  # its signing failed, then the admin turned electronic signing off
        flash(
            _(
                "Tanda tangan elektronik dimatikan: surat ini diterbitkan sebagai surat kertas, tanpa tanda "
                "tangan elektronik, dengan nomor yang sudah dipesan."
            ),
            "info",
        )
    try:
        if signed:  # rendered, signed and stored here: the unlocked key never leaves this process
            issuing.complete_signed(
                letter_id,
                signatory,
                base_url=config["PUBLIC_BASE_URL"],
                evidence_root=evidence_dir(),
                timestamp_url=config.get("SIGNING_TIMESTAMP_URL") or None,
            )
            db.session.commit()
            done = True
            # As the render job does for an unsigned letter: the electronic deliveries go out once issued.
            portal_delivery.send_pending(letter_id, config, now=utcnow())
        else:
            done = tasks.submit_letter_render(letter_id, office_id)
    except (Invalid, Conflict) as exc:
        db.session.rollback()
        show_error(None, exc)
        return redirect(url_for("letters.show", letter_id=letter_id), 303)
    except Exception:  # a renderer, signing or queue failure: the reservation stays, the button retries
        db.session.rollback()
        log.exception("letter %s: the issued PDF could not be rendered, signed or queued", letter_id)
        flash(str(issuing.RENDER_FAILED % {"number": number}), "error")
        return redirect(url_for("letters.show", letter_id=letter_id), 303)
    if done:
        flash(_("Surat terbit dengan nomor %(number)s.", number=number), "success")
    # Queued: the letter's page says it is being issued, and refreshes itself until it is.
    return redirect(url_for("letters.show", letter_id=letter_id), 303)


@bp.post("/<int:letter_id>/correct")
@roles_required(EVERYONE)
def correct(letter_id: int):
    """Start a correction: a new draft that will supersede this letter when issued."""
    letter = office_record_or_404(Letter, letter_id)
    check_csrf()
    try:
        new = workflow.start_correction(letter, current_user)
    except (Invalid, Conflict) as exc:
        db.session.rollback()
        show_error(None, exc)
        return _to_letter(letter)
    db.session.commit()
    flash(_("Draf surat koreksi dibuat; surat lama diganti saat koreksi ini terbit."), "success")
    return redirect(url_for("letters.edit", letter_id=new.id), 303)


@bp.post("/<int:letter_id>/delivery")
@roles_required(EVERYONE)
def delivery(letter_id: int):
    """Record the delivery and the date the authority received the letter."""
    letter = office_record_or_404(Letter, letter_id)
    form = DeliveryForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        if "delivery" not in access.allowed_actions(current_user, letter):
            flash_errors(form)  # the page shows no delivery form for this letter
        return render_show(letter, form, 422)
    cmd = contracts.build(
        RecordDelivery,
        {
            "delivery_method": form.method.data or None,
            "delivered_on": form.delivered_on.data,
            "received_on": form.received_on.data,
            "delivery_note": form.note.data or "",
            "correction_reason": form.correction_reason.data or "",
        },
    )
    try:
        deliveries.record_delivery(letter, current_user, cmd, today=office_today())
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 403:
            raise
        show_error(form, exc, default_field="note")
        return render_show(office_record_or_404(Letter, letter_id), form, 422)
    db.session.commit()
    flash(_("Pengiriman dicatat."), "success")
    return _to_letter(letter, "delivery")
