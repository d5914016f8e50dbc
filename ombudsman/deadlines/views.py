"""Deadline pages: the dashboard and exports, a recommendation's follow-up, escalation, calendar feeds."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from openpyxl import Workbook
from sqlalchemy import select

from ombudsman import clock
from ombudsman.accounts.models import User
from ombudsman.accounts.permissions import (
    EVERYONE,
    RECOMMEND,
    REVIEW,
    office_record_or_404,
    public,
    roles_required,
)
from ombudsman.authorities.models import Authority
from ombudsman.deadlines import escalation, reminders, reports
from ombudsman.deadlines import services as deadlines
from ombudsman.deadlines.forms import (
    EVENT_LABELS,
    STATE_LABELS,
    ConfirmForm,
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
from ombudsman.deadlines.models import ALERT_STATES, PAST_DUE_STATES, DeadlineState, FollowUpFile
from ombudsman.deadlines.states import state_of
from ombudsman.extensions import db
from ombudsman.inspections import storage
from ombudsman.inspections.models import EvidenceKind
from ombudsman.letters.models import Letter, LetterRecommendation, LetterStatus
from ombudsman.pagination import page_args
from ombudsman.recommendations.models import Recommendation

bp = Blueprint("deadlines", __name__, url_prefix="/deadlines")
FEED_SESSION_KEY = "deadlines_new_feed_token"


def _today() -> date:
    return clock.today(current_user.office.timezone)


def _store() -> deadlines.FileStore:
    return deadlines.FileStore(
        Path(current_app.config["EVIDENCE_DIR"]), current_app.config["EVIDENCE_THUMBNAIL_PX"]
    )


def _uploads(files, field_name: str) -> list[storage.CheckedUpload]:
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    try:
        return [
            storage.check_upload(f.read(limit + 1), f.filename or "", max_bytes=limit)
            for f in files
            if f and (f.filename or f.content_length)
        ]
    except storage.UploadError as exc:
        raise deadlines.DeadlineError(str(exc), field_name) from exc


def _filters() -> reports.Filters:
    state = request.args.get("state")
    level = request.args.get("level")
    return reports.Filters(
        authority_id=request.args.get("authority_id", type=int),
        level=level if level in reports.LEVEL_GROUPS else None,
        inspector_id=request.args.get("inspector_id", type=int),
        state=DeadlineState(state) if state in {s.value for s in DeadlineState} else None,
    )


def _filter_choices() -> dict:
    office_id = current_user.office_id
    authority_ids = select(Recommendation.authority_id).where(Recommendation.office_id == office_id)
    return {
        "authorities": db.session.execute(
            select(Authority.id, Authority.name)
            .where(Authority.id.in_(authority_ids))
            .order_by(Authority.name)
        ).all(),
        "inspectors": db.session.execute(
            select(User.id, User.name).where(User.office_id == office_id).order_by(User.name)
        ).all(),
    }


@bp.app_context_processor
def _template_helpers() -> dict:
    return {
        "deadline_panel": deadline_panel,
        "deadline_state_labels": STATE_LABELS,
        "follow_up_labels": EVENT_LABELS,
        "escalation_labels": escalation.STEP_LABELS,
    }


def receipt_letter(rec: Recommendation) -> Letter | None:
    """The letter that carries the recommendation and owns its received date, if the office wrote one here.

    Letters written in the app record the receipt on their own page, which starts (and corrects) the clocks
    of all their recommendations at once; only a recommendation no letter carries (its letter went out on
    paper, before the app) has its received date recorded on the recommendation page.
    """
    return db.session.scalar(
        select(Letter)
        .join(LetterRecommendation, LetterRecommendation.letter_id == Letter.id)
        .where(
            LetterRecommendation.recommendation_id == rec.id,
            Letter.status != LetterStatus.SUPERSEDED,
            Letter.escalation_step.is_(None),
        )
        .order_by(Letter.id.desc())
        .limit(1)
    )


def _receipt_on_letter(rec: Recommendation) -> None:
    letter = receipt_letter(rec)
    if letter is not None:
        raise deadlines.DeadlineError(
            _(
                "Tanggal diterima dicatat pada halaman surat %(letter)s, untuk semua rekomendasinya.",
                letter=letter.number or f"#{letter.id}",
            ),
            "received_on",
        )


def deadline_panel(rec: Recommendation) -> dict:
    """What the recommendation page shows of its deadline: state, due date, explanation, the received form."""
    office = current_user.office
    deadline = rec.deadline
    today = _today()
    periods = [(deadline.unit, deadline.count)] if deadline else []
    calendar = deadlines.office_calendar(office)
    cut = deadlines.state_cutoffs(office, today, calendar, periods=periods)
    state = state_of(deadline, cut, rec)
    return {
        "deadline": deadline,
        "state": state,
        "past_due": state in PAST_DUE_STATES,
        "days_left": calendar.working_days_between(today, deadline.due_on) if deadline else None,
        "received_form": ReceivedForm(formdata=None) if deadline is None else None,
        "receipt_letter": receipt_letter(rec),
        "today": today,
    }


# --- dashboard, list, exports ----------------------------------------------------------------------------


@bp.get("/")
@roles_required(EVERYONE)
def dashboard():
    """What is due soon, overdue and very overdue; breakdowns, each authority's record, monthly compliance."""
    office = current_user.office
    filters = _filters()
    cut = deadlines.state_cutoffs(office, _today())
    office_id = office.id
    # What needs attention first, then the next deadlines still running.
    list_states = (*ALERT_STATES, DeadlineState.OPEN)
    lists = {state: reports.top(office_id, cut, state, filters) for state in list_states}
    months = reports.monthly_compliance(office_id, cut, filters)
    summary = reports.summary(office_id, cut, filters)
    return render_template(
        "deadlines/dashboard.html",
        filters=filters,
        cut=cut,
        summary=summary,
        counts=summary.counts,
        lists=lists,
        months=months,
        chart=compliance_chart(months),
        choices=_filter_choices(),
        list_states=list_states,
    )


@dataclass(frozen=True)
class Page:
    """A page of rows for the `pager` macro."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """Number of pages."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        """Whether there is a previous page."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether there is a next page."""
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        """The previous page number."""
        return self.page - 1

    @property
    def next_num(self) -> int:
        """The next page number."""
        return self.page + 1


@bp.get("/list")
@roles_required(EVERYONE)
def listing():
    """Every recommendation with its deadline, filtered, earliest due first."""
    office = current_user.office
    filters = _filters()
    cut = deadlines.state_cutoffs(office, _today())
    page, per_page = page_args()
    total = sum(reports.state_counts(office.id, cut, filters).values())
    rows = db.session.execute(
        reports.listing(office.id, cut, filters).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return render_template(
        "deadlines/list.html",
        pagination=Page(rows, page, per_page, total),
        filters=filters,
        choices=_filter_choices(),
    )


def _cell(value):
    # A leading =, +, - or @ would make a spreadsheet run the text as a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _export_name(ext: str) -> str:
    return f"tenggat-{_today().isoformat()}.{ext}"


@bp.get("/export.csv")
@roles_required(EVERYONE)
def export_csv():
    """The filtered deadlines as CSV (UTF-8 with BOM, for spreadsheet programs)."""
    office = current_user.office
    filters = _filters()
    cut = deadlines.state_cutoffs(office, _today())

    def generate():
        out = io.StringIO()
        writer = csv.writer(out)
        out.write("\ufeff")
        writer.writerow(reports.EXPORT_HEADER)
        for row in reports.export_rows(office.id, cut, filters):
            writer.writerow([_cell(v.isoformat() if isinstance(v, date) else v) for v in row])
            if out.tell() > 64_000:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={_export_name('csv')}"
    return response


@bp.get("/export.xlsx")
@roles_required(EVERYONE)
def export_xlsx():
    """The filtered deadlines as an Excel workbook."""
    office = current_user.office
    filters = _filters()
    cut = deadlines.state_cutoffs(office, _today())
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Tenggat")
    sheet.append(reports.EXPORT_HEADER)
    for row in reports.export_rows(office.id, cut, filters):
        sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return send_file(
        out,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=_export_name("xlsx"),
    )


def compliance_chart(months: list[reports.MonthCompliance]) -> dict:
    """Geometry of the monthly compliance bar chart, drawn as inline SVG by the template."""
    width, height, top, bottom, left = 720, 220, 16, 40, 36
    plot_h = height - top - bottom
    step = (width - left) / max(1, len(months))
    bars = []
    for i, m in enumerate(months):
        pct = m.percent
        h = 0 if pct is None else plot_h * pct / 100
        bars.append(
            {
                "x": round(left + i * step + step * 0.15, 1),
                "w": round(step * 0.7, 1),
                "y": round(top + plot_h - h, 1),
                "h": round(h, 1),
                "cx": round(left + i * step + step / 2, 1),
                "month": m,
                "pct": None if pct is None else round(pct),
            }
        )
    grid = [{"y": round(top + plot_h * (1 - p / 100), 1), "p": p} for p in (0, 25, 50, 75, 100)]
    return {"width": width, "height": height, "bars": bars, "grid": grid, "left": left, "base": top + plot_h}


# --- one recommendation's follow-up ----------------------------------------------------------------------


FORMS: dict[str, type[FlaskForm]] = {
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


def _follow_up_page(rec: Recommendation, bound: dict[str, FlaskForm] | None = None, status: int = 200):
    office = current_user.office
    today = _today()
    deadline = rec.deadline
    calendar = deadlines.office_calendar(office)
    cut = deadlines.state_cutoffs(
        office, today, calendar, periods=[(deadline.unit, deadline.count)] if deadline else []
    )
    state = state_of(deadline, cut, rec)
    forms = {name: cls(formdata=None) for name, cls in FORMS.items()}
    for name in ("correct_form",):
        if deadline is not None:
            forms[name].received_on.data = deadline.received_on
            forms[name].issued_on.data = deadline.issued_on
    for form in forms.values():
        for field in (
            "responded_on",
            "closed_on",
            "inspected_on",
            "granted_on",
            "stopped_on",
            "restarted_on",
            "sent_on",
        ):
            if hasattr(form, field):
                getattr(form, field).data = today
    forms.update(bound or {})
    return render_template(
        "deadlines/follow_up.html",
        recommendation=rec,
        deadline=deadline,
        state=state,
        today=today,
        days_left=calendar.working_days_between(today, deadline.due_on) if deadline else None,
        timeline=deadlines.timeline(rec),
        past_due=state in PAST_DUE_STATES,
        unit_label=deadlines.unit_label(deadline.unit) if deadline else "",
        receipt_letter=receipt_letter(rec),
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
    perform: Callable[[Recommendation, FlaskForm], object],
    success: str,
    *,
    needs_deadline: bool = False,
):
    """Validate one follow-up form, call the service, commit once, redirect; or show the form again."""
    rec = office_record_or_404(Recommendation, recommendation_id)
    if needs_deadline and rec.deadline is None:
        abort(409)
    form = FORMS[form_name]()
    if form.validate_on_submit():
        try:
            perform(rec, form)
        except deadlines.DeadlineError as exc:
            db.session.rollback()
            field = getattr(form, exc.field, None) if exc.field else None
            (field.errors if field is not None else form.form_errors).append(str(exc))
        else:
            db.session.commit()
            flash(success, "success")
            return redirect(url_for("deadlines.follow_up", recommendation_id=rec.id), 303)
    return _follow_up_page(db.session.get(Recommendation, recommendation_id), {form_name: form}, 422)


@bp.post("/recommendations/<int:recommendation_id>/received")
@roles_required(REVIEW)
def record_received(recommendation_id: int):
    """Record the received date of a recommendation no letter in the app carries, and start its clock."""

    def perform(rec, form):
        _receipt_on_letter(rec)
        deadlines.start_clock(
            rec,
            received_on=form.received_on.data,
            issued_on=form.issued_on.data,
            user=current_user,
            today=_today(),
        )

    return _act(recommendation_id, "received_form", perform, _("Tanggal diterima dicatat; tenggat dihitung."))


@bp.post("/recommendations/<int:recommendation_id>/received/correct")
@roles_required(REVIEW)
def correct_received(recommendation_id: int):
    """Correct a recorded received date, with a reason (on the letter's page when a letter carries it)."""

    def perform(rec, form):
        _receipt_on_letter(rec)
        deadlines.correct_receipt(
            rec.deadline,
            received_on=form.received_on.data,
            issued_on=form.issued_on.data,
            reason=form.reason.data or "",
            user=current_user,
            today=_today(),
        )

    return _act(
        recommendation_id, "correct_form", perform, _("Tanggal diterima dikoreksi."), needs_deadline=True
    )


@bp.post("/recommendations/<int:recommendation_id>/response")
@roles_required(RECOMMEND)
def record_response(recommendation_id: int):
    """Record the authority's response with its reply letter and evidence."""

    def perform(rec, form):
        letters = _uploads([form.reply_letter.data], "reply_letter")
        if letters and letters[0].kind is not EvidenceKind.DOCUMENT:
            raise deadlines.DeadlineError(_("Surat balasan harus berupa PDF."), "reply_letter")
        deadlines.record_response(
            rec,
            responded_on=form.responded_on.data,
            summary=form.summary.data or "",
            reply_letter=letters[0] if letters else None,
            evidence=_uploads(form.evidence.data or [], "evidence"),
            user=current_user,
            today=_today(),
            store=_store(),
        )

    return _act(recommendation_id, "response_form", perform, _("Tanggapan dicatat."))


@bp.post("/recommendations/<int:recommendation_id>/outcome")
@roles_required(REVIEW)
def record_outcome(recommendation_id: int):
    """Close the follow-up with its outcome."""

    def perform(rec, form):
        deadlines.record_outcome(
            rec,
            status=form.status.data,
            closed_on=form.closed_on.data,
            note=form.note.data or "",
            evidence=_uploads(form.evidence.data or [], "evidence"),
            user=current_user,
            today=_today(),
            store=_store(),
        )

    return _act(recommendation_id, "outcome_form", perform, _("Hasil tindak lanjut dicatat."))


@bp.post("/recommendations/<int:recommendation_id>/reopen")
@roles_required(REVIEW)
def reopen(recommendation_id: int):
    """Reopen a closed follow-up."""

    def perform(rec, form):
        deadlines.reopen(rec, reason=form.reason.data or "", user=current_user, today=_today())

    return _act(recommendation_id, "reopen_form", perform, _("Tindak lanjut dibuka kembali."))


@bp.post("/recommendations/<int:recommendation_id>/reinspection")
@roles_required(RECOMMEND)
def record_reinspection(recommendation_id: int):
    """Record a re-inspection on site."""

    def perform(rec, form):
        deadlines.record_reinspection(
            rec,
            inspected_on=form.inspected_on.data,
            result=form.result.data,
            note=form.note.data or "",
            photos=_uploads(form.photos.data or [], "photos"),
            user=current_user,
            today=_today(),
            store=_store(),
        )

    return _act(recommendation_id, "reinspection_form", perform, _("Inspeksi ulang dicatat."))


@bp.post("/recommendations/<int:recommendation_id>/extension")
@roles_required(REVIEW)
def extend(recommendation_id: int):
    """Grant an extension."""

    def perform(rec, form):
        deadlines.extend(
            rec.deadline,
            days=form.days.data,
            reason=form.reason.data or "",
            granted_on=form.granted_on.data,
            user=current_user,
            today=_today(),
        )

    return _act(recommendation_id, "extension_form", perform, _("Perpanjangan dicatat."), needs_deadline=True)


@bp.post("/recommendations/<int:recommendation_id>/stop")
@roles_required(REVIEW)
def stop(recommendation_id: int):
    """Stop the clock."""

    def perform(rec, form):
        deadlines.stop_clock(
            rec.deadline,
            stopped_on=form.stopped_on.data,
            reason=form.reason.data or "",
            user=current_user,
            today=_today(),
        )

    return _act(recommendation_id, "stop_form", perform, _("Jam tenggat dihentikan."), needs_deadline=True)


@bp.post("/recommendations/<int:recommendation_id>/restart")
@roles_required(REVIEW)
def restart(recommendation_id: int):
    """Restart a stopped clock."""

    def perform(rec, form):
        deadlines.restart_clock(
            rec.deadline,
            restarted_on=form.restarted_on.data,
            reason=form.reason.data or "",
            user=current_user,
            today=_today(),
        )

    return _act(
        recommendation_id, "restart_form", perform, _("Jam tenggat dijalankan kembali."), needs_deadline=True
    )


@bp.post("/recommendations/<int:recommendation_id>/escalation/record")
@roles_required(REVIEW)
def record_escalation(recommendation_id: int):
    """Record a reminder or escalation letter that was sent."""

    def perform(rec, form):
        deadlines.record_escalation(
            rec,
            sent_on=form.sent_on.data,
            step=form.step.data,
            reference=form.reference.data or "",
            note=form.note.data or "",
            user=current_user,
            today=_today(),
        )

    return _act(recommendation_id, "escalation_form", perform, _("Surat eskalasi dicatat."))


# --- escalation ------------------------------------------------------------------------------------------


def _plan(rec: Recommendation) -> escalation.EscalationPlan | None:
    office = current_user.office
    cut = deadlines.state_cutoffs(office, _today())
    return escalation.plan_escalation(rec, office=office, cut=cut)


@bp.get("/recommendations/<int:recommendation_id>/escalation")
@roles_required(RECOMMEND)
def escalation_plan(recommendation_id: int):
    """The next escalation letter for an overdue recommendation, pre-filled for the letters workflow."""
    rec = office_record_or_404(Recommendation, recommendation_id)
    plan = _plan(rec)
    covered = []
    if plan is not None:
        covered = list(
            db.session.scalars(select(Recommendation).where(Recommendation.id.in_(plan.recommendation_ids)))
        )
    return render_template(
        "deadlines/escalation.html",
        recommendation=rec,
        plan=plan,
        covered=covered,
        letters_available=escalation.letters_drafter() is not None,
        form=ConfirmForm(),
    )


@bp.post("/recommendations/<int:recommendation_id>/escalation")
@roles_required(RECOMMEND)
def draft_escalation(recommendation_id: int):
    """Hand the plan to the letters workflow, which drafts the letter; refused while letters do not exist."""
    rec = office_record_or_404(Recommendation, recommendation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    drafter = escalation.letters_drafter()
    plan = _plan(rec)
    if drafter is None or plan is None:
        flash(
            _("Surat belum dapat dibuat: modul surat belum tersedia.")
            if drafter is None
            else _("Rekomendasi ini tidak lewat tenggat."),
            "error",
        )
        return redirect(url_for("deadlines.escalation_plan", recommendation_id=rec.id), 303)
    try:
        letter = drafter(plan, user=current_user, today=_today())
    except ValueError as exc:  # the letters package's LetterError
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("deadlines.escalation_plan", recommendation_id=rec.id), 303)
    db.session.commit()
    flash(_("Draf surat dibuat dari riwayat tindak lanjut."), "success")
    return redirect(url_for("letters.show", letter_id=letter.id), 303)


# --- follow-up files -------------------------------------------------------------------------------------


def _send(item: FollowUpFile, key: str, mimetype: str, download: bool):
    return storage.send_stored(
        Path(current_app.config["EVIDENCE_DIR"]),
        key,
        mimetype=mimetype,
        download_name=item.original_filename,
        sha256=item.sha256,
        download=download,
    )


@bp.get("/files/<int:file_id>")
@roles_required(EVERYONE)
def file(file_id: int):
    """A follow-up file, byte for byte."""
    item = office_record_or_404(FollowUpFile, file_id)
    return _send(item, item.storage_key, item.content_type, download=item.content_type == "application/pdf")


@bp.get("/files/<int:file_id>/thumbnail")
@roles_required(EVERYONE)
def thumbnail(file_id: int):
    """A follow-up photo's thumbnail."""
    item = office_record_or_404(FollowUpFile, file_id)
    if not item.thumbnail_key:
        abort(404)
    return _send(item, item.thumbnail_key, "image/jpeg", download=False)


# --- calendar feed ---------------------------------------------------------------------------------------


@bp.route("/calendar", methods=["GET", "POST"])
@roles_required(EVERYONE)
def calendar_feed():
    """Create or regenerate the user's private calendar address; it is shown once, right after."""
    form = ConfirmForm()
    if form.validate_on_submit():
        token = reminders.issue_feed_token(current_user)
        db.session.commit()
        session[FEED_SESSION_KEY] = token
        return redirect(url_for("deadlines.calendar_feed"), 303)
    token = session.pop(FEED_SESSION_KEY, None)
    url = url_for("deadlines.ical", token=token, _external=True) if token else None
    return render_template(
        "deadlines/calendar_feed.html", form=form, feed_url=url, has_feed=reminders.has_feed(current_user)
    )


@bp.get("/calendar/<token>.ics")
@public
def ical(token: str):
    """The private iCalendar feed (no login: calendar apps cannot log in; the token is the secret)."""
    feed = reminders.feed_for_token(token)
    if feed is None:
        abort(404)
    body = reminders.ical_feed(
        feed.user, reminders.followed_deadlines(feed.user), base_url=current_app.config["PUBLIC_BASE_URL"]
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Content-Disposition"] = "inline; filename=tenggat.ics"
    return response
