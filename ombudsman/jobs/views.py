"""/admin/jobs: the office's background jobs for its admin: what waits, what runs, what failed (retry).

Letters whose number is reserved but whose PDF is not stored yet are listed too, in both modes, with a
button that renders them again (same number); a letter reserved to be signed electronically is only ever
signed in the head's own request, so the button sends the admin to its page, which says what to do.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from redis.exceptions import RedisError
from sqlalchemy import select

from ombudsman.accounts.permissions import ADMIN, office_record_or_404, roles_required
from ombudsman.extensions import db
from ombudsman.forms_common import AppForm
from ombudsman.jobs import queue, tasks
from ombudsman.letters.models import Letter, LetterStatus

log = logging.getLogger(__name__)
bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")


def _check_csrf() -> None:
    if not AppForm().validate_on_submit():
        abort(400)


def _aware(value: datetime | None) -> datetime | None:
    """RQ keeps naive UTC times; the templates show aware ones in the office's zone."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _issuing_letters() -> list[Letter]:
    return list(
        db.session.scalars(
            select(Letter)
            .where(
                Letter.office_id == current_user.office_id,
                Letter.status == LetterStatus.APPROVED,
                Letter.sequence.is_not(None),
            )
            .order_by(Letter.id)
        )
    )


@bp.get("/")
@roles_required(ADMIN)
def index():
    """The office's jobs by state, and its letters still being issued."""
    on_queue, listing, unavailable = queue.uses_queue(), {}, False
    if on_queue:
        try:
            listing = queue.listing(current_user.office_id)
        except (RedisError, OSError):
            log.exception("jobs page: Redis unavailable")
            unavailable = True
    letters = _issuing_letters()
    statuses = {}
    if on_queue and not unavailable:
        statuses = {letter.id: queue.status(tasks.letter_job_id(letter.id)) for letter in letters}
    return render_template(
        "jobs/index.html",
        on_queue=on_queue,
        unavailable=unavailable,
        listing=listing,
        letters=letters,
        statuses=statuses,
        action_form=AppForm(),
        aware=_aware,
    )


@bp.post("/<job_id>/retry")
@roles_required(ADMIN)
def retry(job_id: str):
    """Put one of the office's failed jobs back on the queue."""
    _check_csrf()
    if not queue.uses_queue() or len(job_id) > 100 or not queue.retry_failed(job_id, current_user.office_id):
        abort(404)
    flash(_("Pekerjaan dimasukkan lagi ke antrean."), "success")
    return redirect(url_for("jobs.index"), 303)


@bp.post("/letters/<int:letter_id>/render")
@roles_required(ADMIN)
def render_letter(letter_id: int):
    """Render the PDF of one of the office's letters being issued again, with its reserved number (a letter
    reserved as signed: to its page, where the head issues it again)."""
    letter = office_record_or_404(Letter, letter_id)
    _check_csrf()
    if not letter.is_issuing:
        flash(_("Surat ini tidak sedang diterbitkan."), "error")
        return redirect(url_for("jobs.index"), 303)
    number = letter.number
    if letter.signed:  # signed only in the head's own request, never by a job: its page says what to do
        flash(
            _(
                "Surat %(number)s ditandatangani secara elektronik; hanya Kepala yang dapat "
                "menerbitkannya lagi. Halaman surat menjelaskan caranya.",
                number=number,
            ),
            "error",
        )
        return redirect(url_for("letters.show", letter_id=letter.id), 303)
    try:
        done = tasks.submit_letter_render(letter.id, letter.office_id)
    except Exception:  # the renderer or the queue failed again: the reservation stays
        db.session.rollback()
        log.exception("letter %s: render retried by an admin failed", letter_id)
        flash(_("PDF surat %(number)s belum dapat dibuat; coba lagi nanti.", number=number), "error")
        return redirect(url_for("jobs.index"), 303)
    if done:
        flash(_("Surat terbit dengan nomor %(number)s.", number=number), "success")
    else:
        flash(_("PDF surat %(number)s dimasukkan ke antrean.", number=number), "success")
    return redirect(url_for("jobs.index"), 303)
