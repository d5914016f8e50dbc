"""One recommendation's follow-up: its deadline and timeline, and the forms that record what happens.

Each POST parses its form into the use case's command, calls one service, commits once and redirects
(303); a refusal shows the page again with the message under the field it names (422), and the files that
passed the checks held under their own field (`ombudsman.inspections.page_uploads`), so they are not chosen
again.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ombudsman import contracts
from ombudsman.accounts.permissions import EVERYONE, RECOMMEND, REVIEW, office_record_or_404, roles_required
from ombudsman.deadlines import adjustments, receipt, settings
from ombudsman.deadlines import commands as c
from ombudsman.deadlines import follow_up as records
from ombudsman.deadlines.forms import (
    CorrectReceiptForm,
    EscalationRecordForm,
    ExtensionForm,
    OutcomeForm,
    ReceivedForm,
    ReinspectionForm,
    ReopenForm,
    ResponseForm,
    RestartForm,
    StopForm,
)
from ombudsman.deadlines.models import PAST_DUE_STATES
from ombudsman.deadlines.states import state_of
from ombudsman.deadlines.views.common import bp, file_store, receipt_letter, reply_letter_is_pdf, today
from ombudsman.extensions import db
from ombudsman.forms_common import AppForm, flash_errors
from ombudsman.inspections import page_uploads
from ombudsman.inspections.held_uploads import HeldUpload
from ombudsman.inspections.storage import CheckedUpload
from ombudsman.portal import delivery as portal_delivery
from ombudsman.recommendations.models import Recommendation

FORMS: dict[str, type[AppForm]] = {
    "received_form": ReceivedForm,
    "correct_form": CorrectReceiptForm,
    "response_form": ResponseForm,
    "outcome_form": OutcomeForm,
    "reopen_form": ReopenForm,
    "reinspection_form": ReinspectionForm,
    "extension_form": ExtensionForm,
    "stop_form": StopForm,
    "restart_form": RestartForm,
    "escalation_form": EscalationRecordForm,
}
# The file fields of the forms with files: a refusal keeps each one's files in that field.
FILE_FIELDS: dict[str, tuple[str, ...]] = {
    "response_form": ("reply_letter", "evidence"),
    "outcome_form": ("evidence",),
    "reinspection_form": ("photos",),
}
# Date fields that start at today on an empty form.
TODAY_FIELDS = (
    "responded_on",
    "closed_on",
    "inspected_on",
    "granted_on",
    "stopped_on",
    "restarted_on",
    "sent_on",
)


def _follow_up_page(
    rec: Recommendation,
    bound: dict[str, AppForm] | None = None,
    status: int = 200,
    held: dict[str, dict[str, list[HeldUpload]]] | None = None,
):
    office = current_user.office
    on = today()
    deadline = rec.deadline
    calendar = settings.office_calendar(office)
    cut = settings.state_cutoffs(
        office, on, calendar, periods=[(deadline.unit, deadline.count)] if deadline else []
    )
    state = state_of(deadline, cut, rec)
    forms = {name: cls(formdata=None) for name, cls in FORMS.items()}
    if deadline is not None:
        forms["correct_form"].received_on.data = deadline.received_on
        forms["correct_form"].issued_on.data = deadline.issued_on
    for form in forms.values():
        for name in TODAY_FIELDS:
            if hasattr(form, name):
                getattr(form, name).data = on
    forms.update(bound or {})
    return render_template(
        "deadlines/follow_up.html",
        recommendation=rec,
        deadline=deadline,
        state=state,
        today=on,
        days_left=calendar.working_days_between(on, deadline.due_on) if deadline else None,
        timeline=records.timeline(rec),
        past_due=state in PAST_DUE_STATES,
        receipt_letter=receipt_letter(rec),
        held_files=held or {},
        **forms,
    ), status


@bp.get("/recommendations/<int:recommendation_id>")
@roles_required(EVERYONE)
def follow_up(recommendation_id: int):
    """A recommendation's deadline, its follow-up timeline, and the forms to record what happens."""
    return _follow_up_page(office_record_or_404(Recommendation, recommendation_id))


def _act(
    recommendation_id: int,
    form_name: str,
    perform: Callable[..., object],
    success: str,
    *,
    needs_deadline: bool = False,
    after_commit: Callable[[Recommendation], object] | None = None,
):
    """Validate one follow-up form, call the service, commit once, redirect; or show the form again (422).

    `perform(rec, form)` calls the service; for a form with files (`FILE_FIELDS`) it is
    `perform(rec, form, files)` with the checked uploads of each file field, held ones included. A refused
    form with files keeps them held and named on the redisplayed page. `after_commit` runs once the change
    is committed (e-mail goes out only for what was kept).
    """
    rec = office_record_or_404(Recommendation, recommendation_id)
    if needs_deadline and rec.deadline is None:
        abort(409)
    form = FORMS[form_name]()
    fields = FILE_FIELDS.get(form_name, ())

    def save(files: dict[str, list[CheckedUpload]]):
        return perform(rec, form, files) if fields else perform(rec, form)

    submitted = page_uploads.save_with_fields(
        form,
        {name: name for name in fields},
        form.validate_on_submit(),
        save,
        checks={"reply_letter": reply_letter_is_pdf},
        default_field=None,
    )
    if submitted.saved:
        if after_commit is not None:
            after_commit(rec)
        flash(success, "success")
        return redirect(url_for("deadlines.follow_up", recommendation_id=rec.id), 303)
    # The page shows only the forms the follow-up's state allows: a refused form it does not show
    # (reopening an open follow-up, ...) would otherwise answer 422 without saying why.
    flash_errors(form)
    rec = db.session.get(Recommendation, recommendation_id)
    return _follow_up_page(rec, {form_name: form}, 422, {form_name: submitted.held})


def _command(cls, form: AppForm):
    return contracts.build(cls, form.data)


@bp.post("/recommendations/<int:recommendation_id>/received")
@roles_required(REVIEW)
def record_received(recommendation_id: int):
    """Record the received date of a recommendation no letter in the app carries, and start its clock."""

    def perform(rec, form):
        cmd = _command(c.RecordReceipt, form)
        receipt.record_paper_receipt(rec, cmd, user=current_user, today=today())

    return _act(recommendation_id, "received_form", perform, _("Tanggal diterima dicatat; tenggat dihitung."))


@bp.post("/recommendations/<int:recommendation_id>/received/correct")
@roles_required(REVIEW)
def correct_received(recommendation_id: int):
    """Correct a recorded received date, with a reason (on the letter's page when a letter carries it)."""

    def perform(rec, form):
        cmd = _command(c.CorrectReceipt, form)
        receipt.correct_paper_receipt(rec, cmd, user=current_user, today=today())

    return _act(
        recommendation_id, "correct_form", perform, _("Tanggal diterima dikoreksi."), needs_deadline=True
    )


@bp.post("/recommendations/<int:recommendation_id>/response")
@roles_required(RECOMMEND)
def record_response(recommendation_id: int):
    """Record the authority's response with its reply letter and evidence."""

    def perform(rec, form, files):
        letters = files["reply_letter"]  # checked as PDFs (`_act`: held ones too)
        return records.record_response(
            rec,
            _command(c.RecordResponse, form),
            reply_letter=letters[0] if letters else None,
            evidence=files["evidence"],
            user=current_user,
            today=today(),
            store=file_store(),
        )

    return _act(recommendation_id, "response_form", perform, _("Tanggapan dicatat."))


@bp.post("/recommendations/<int:recommendation_id>/outcome")
@roles_required(REVIEW)
def record_outcome(recommendation_id: int):
    """Close the follow-up with its outcome."""

    def perform(rec, form, files):
        return records.record_outcome(
            rec,
            _command(c.RecordOutcome, form),
            evidence=files["evidence"],
            user=current_user,
            today=today(),
            store=file_store(),
        )

    def tell_the_authority(rec):
        # The authority's portal accounts that follow the recommendation learn the outcome by e-mail.
        portal_delivery.notify_outcome(rec, current_app.config)

    return _act(
        recommendation_id,
        "outcome_form",
        perform,
        _("Hasil tindak lanjut dicatat."),
        after_commit=tell_the_authority,
    )


@bp.post("/recommendations/<int:recommendation_id>/reopen")
@roles_required(REVIEW)
def reopen(recommendation_id: int):
    """Reopen a closed follow-up."""

    def perform(rec, form):
        records.reopen(rec, _command(c.Reopen, form), user=current_user, today=today())

    return _act(recommendation_id, "reopen_form", perform, _("Tindak lanjut dibuka kembali."))


@bp.post("/recommendations/<int:recommendation_id>/reinspection")
@roles_required(RECOMMEND)
def record_reinspection(recommendation_id: int):
    """Record a re-inspection on site."""

    def perform(rec, form, files):
        return records.record_reinspection(
            rec,
            _command(c.RecordReinspection, form),
            photos=files["photos"],
            user=current_user,
            today=today(),
            store=file_store(),
        )

    return _act(recommendation_id, "reinspection_form", perform, _("Inspeksi ulang dicatat."))


@bp.post("/recommendations/<int:recommendation_id>/extension")
@roles_required(REVIEW)
def extend(recommendation_id: int):
    """Grant an extension."""

    def perform(rec, form):
        adjustments.extend(rec.deadline, _command(c.Extend, form), user=current_user, today=today())

    return _act(recommendation_id, "extension_form", perform, _("Perpanjangan dicatat."), needs_deadline=True)


@bp.post("/recommendations/<int:recommendation_id>/stop")
@roles_required(REVIEW)
def stop(recommendation_id: int):
    """Stop the clock."""

    def perform(rec, form):
        adjustments.stop_clock(rec.deadline, _command(c.StopClock, form), user=current_user, today=today())

    return _act(
        recommendation_id, "stop_form", perform, _("Tenggat dihentikan sementara."), needs_deadline=True
    )


@bp.post("/recommendations/<int:recommendation_id>/restart")
@roles_required(REVIEW)
def restart(recommendation_id: int):
    """Restart a stopped clock."""

    def perform(rec, form):
        cmd = _command(c.RestartClock, form)
        adjustments.restart_clock(rec.deadline, cmd, user=current_user, today=today())

    return _act(
        recommendation_id, "restart_form", perform, _("Tenggat berjalan kembali."), needs_deadline=True
    )


@bp.post("/recommendations/<int:recommendation_id>/escalation/record")
@roles_required(REVIEW)
def record_escalation(recommendation_id: int):
    """Record a reminder or escalation letter that was sent."""

    def perform(rec, form):
        cmd = _command(c.RecordEscalation, form)
        records.record_escalation(
            rec,
            sent_on=cmd.sent_on,
            step=cmd.step,
            reference=cmd.reference,
            note=cmd.note,
            user=current_user,
            today=today(),
        )

    return _act(recommendation_id, "escalation_form", perform, _("Surat eskalasi dicatat."))
