"""Pages for letters: the register, drafting and editing, the letter's page, previews and PDFs.

The workflow buttons (submit, approve, return, issue, correct, delivery) are in `workflow_views`, on the
same blueprint; the public verification pages in `verify_views`; the settings page in `settings_views`.
The pages' templates are in templates/letter_pages/; templates/letters/ holds only the print template,
which is always Indonesian and stays out of the UI's translation catalog.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from redis.exceptions import RedisError
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ombudsman import clock, contracts
from ombudsman.accounts.permissions import EVERYONE, RECOMMEND, office_record_or_404, roles_required
from ombudsman.audit import services as audit
from ombudsman.authorities import services as authorities
from ombudsman.errors import DomainError, NotFound
from ombudsman.export_jobs import views as export_jobs
from ombudsman.export_jobs.models import ExportKind
from ombudsman.extensions import db
from ombudsman.forms_common import AppForm, show_error
from ombudsman.inspections.models import Finding, Inspection
from ombudsman.jobs import queue, tasks
from ombudsman.letters import access, compose, documents, drafting, eligibility, readiness, settings
from ombudsman.letters.commands import CopyLine, LetterDraft
from ombudsman.letters.forms import (
    BLANK_COPY_ROWS,
    DELIVERY_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    DeliveryForm,
    IssueForm,
    LetterForm,
    NoteForm,
)
from ombudsman.letters.models import Letter
from ombudsman.letters.register import LetterFilters, register_query
from ombudsman.pagination import page_args
from ombudsman.pdf import font_static_path
from ombudsman.recommendations.models import Recommendation
from ombudsman.request_input import filter_page
from ombudsman.storage import evidence_dir

bp = Blueprint("letters", __name__, url_prefix="/letters")

# The preview shows user text inside the app's origin: no scripts, only our own styles and images.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "base-uri 'self'; form-action 'none'; frame-ancestors 'self'"
)


@bp.app_context_processor
def _letter_labels() -> dict:
    """Labels of the letter enums, for every template (the inspection page links to letters too)."""
    return {"letter_labels": {"kind": KIND_LABELS, "status": STATUS_LABELS, "delivery": DELIVERY_LABELS}}


def office_today():
    """Today in the signed-in user's office."""
    return clock.today(current_user.office.timezone)


def check_csrf() -> None:
    """A bare POST button: refuse (400) a request without a valid CSRF token."""
    if not AppForm().validate_on_submit():
        abort(400)


# --- the register ------------------------------------------------------------------------------------------


def _filters() -> LetterFilters:
    return LetterFilters.from_args(request.args)


@bp.get("/")
@filter_page
@roles_required(EVERYONE)
def index():
    """The register of the office's letters, filterable."""
    filters = _filters()
    page, per_page = page_args()
    pagination = db.paginate(
        register_query(current_user.office_id, filters), page=page, per_page=per_page, error_out=False
    )
    return render_template(
        "letter_pages/index.html",
        pagination=pagination,
        filters=filters,
        authorities=authorities.authority_choices(),
    )


@bp.route("/export.csv", methods=["GET", "POST"])
@roles_required(EVERYONE)
def export():
    """The filtered register as CSV (UTF-8 with BOM, for spreadsheet programs), or its job."""
    return export_jobs.answer(ExportKind.LETTERS, "csv")


@bp.route("/export.xlsx", methods=["GET", "POST"])
@roles_required(EVERYONE)
def export_xlsx():
    """The filtered register as an Excel workbook, or its job."""
    return export_jobs.answer(ExportKind.LETTERS, "xlsx")


# --- drafting ----------------------------------------------------------------------------------------------


@bp.post("/from-inspection/<int:inspection_id>")
@roles_required(RECOMMEND)
def draft_from_inspection(inspection_id: int):
    """Draft one letter per addressee of the inspection's recommendations."""
    inspection = office_record_or_404(Inspection, inspection_id)
    check_csrf()
    try:
        created, skipped = drafting.draft_from_inspection(inspection, current_user)
    except DomainError as exc:
        db.session.rollback()
        show_error(None, exc)
        return redirect(url_for("inspections.show", inspection_id=inspection.id), 303)
    db.session.commit()
    for authority in skipped:
        flash(_("Surat kepada %(name)s sudah ada; tidak dibuat lagi.", name=authority.name), "info")
    if created:
        flash(_("%(n)d draf surat disusun.", n=len(created)), "success")
    if len(created) == 1:
        return redirect(url_for("letters.show", letter_id=created[0].id), 303)
    return redirect(url_for("letters.index", inspection_id=inspection.id), 303)


def _form_choices(form: LetterForm, letter: Letter) -> None:
    active = authorities.authority_choices()
    if letter.authority is not None and all(a.id != letter.authority.id for a in active):
        active = [letter.authority, *active]
    form.authority_id.choices = [("", "\u2014")] + [(str(a.id), a.name) for a in active]
    # Only what the letter may carry (its addressee's, in no other letter of its kind), and what it carries
    # now, so that a recommendation put in before the rule can be seen and taken out (saving refuses it).
    conditions = [eligibility.eligible_clause(letter)]
    linked = [link.recommendation_id for link in letter.links]
    if linked:
        conditions.append(Recommendation.id.in_(linked))
    recs = db.session.scalars(
        select(Recommendation)
        .where(Recommendation.office_id == letter.office_id, or_(*conditions))
        .order_by(Recommendation.position, Recommendation.id)
        .options(selectinload(Recommendation.authority))
    ).all()
    form.recommendation_ids.choices = [
        (r.id, f"{r.position}. {r.text} \u2192 {r.authority.short_name or r.authority.name}") for r in recs
    ]
    copy_choices = [("", "\u2014")] + [(str(a.id), a.name) for a in active]
    for entry in form.copies:
        entry.authority_id.choices = copy_choices


def _carried_with_findings(letter: Letter) -> list[Recommendation]:
    """The letter's recommendations with their findings, and each finding's inspection and responsible
    authorities, in five statements whatever their number (not two per recommendation). The caller keeps
    the list while it reads `letter.recommendations`: the session holds loaded rows only weakly."""
    ids = [link.recommendation_id for link in letter.links]
    if not ids:
        return []
    findings = selectinload(Recommendation.findings)
    return list(
        db.session.scalars(
            select(Recommendation)
            .where(Recommendation.id.in_(ids))
            .options(
                findings.selectinload(Finding.inspection),
                findings.selectinload(Finding.responsible_authority),
                findings.selectinload(Finding.second_authority),
            )
        )
    )


def _draft_command(form: LetterForm) -> LetterDraft:
    chosen = set(form.recommendation_ids.data or [])
    return contracts.build(
        LetterDraft,
        {name: ("" if value is None else value) for name, value in form.data.items() if name != "copies"},
        authority_id=form.authority_id.data,
        # Printed in the order of the recommendations' own numbers, whatever order the boxes were ticked in.
        recommendation_ids=tuple(rid for rid, _label in form.recommendation_ids.choices if rid in chosen),
        copies=tuple(CopyLine(entry.authority_id.data, entry.text.data or "") for entry in form.copies),
    )


def _load_deadlines(letter: Letter) -> None:
    """Load the clocks of the letter's recommendations in one query: the page lists their due dates."""
    ids = [rec.id for rec in letter.recommendations]
    if ids:
        db.session.scalars(
            select(Recommendation)
            .where(Recommendation.id.in_(ids))
            .options(selectinload(Recommendation.deadline))
        ).all()


@bp.get("/<int:letter_id>")
@roles_required(EVERYONE)
def show(letter_id: int):
    """One letter: its facts, workflow buttons, preview or PDF, delivery and history."""
    letter = office_record_or_404(Letter, letter_id)
    return render_show(letter, recorded_delivery_form(letter))


def recorded_delivery_form(letter: Letter) -> DeliveryForm:
    """The delivery form filled with what the letter has recorded."""
    return DeliveryForm(
        method=letter.delivery_method.value if letter.delivery_method else "",
        delivered_on=letter.delivered_on,
        received_on=letter.received_on,
        note=letter.delivery_note,
    )


def _issued_as_demo(letter: Letter) -> bool:
    """The issued letter carries the "DEMO" mark (issued outside production with the setup incomplete)."""
    if not letter.status.is_issued or not letter.snapshot:
        return False
    return bool(letter.snapshot.get("document", {}).get("demo"))


def render_show(
    letter: Letter, delivery_form: DeliveryForm, status: int = 200, issue_form: IssueForm | None = None
):
    """The letter's page, with the delivery and issue forms as given (refilled after a refusal)."""
    if letter.received_on:
        _load_deadlines(letter)
    actions = access.allowed_actions(current_user, letter)
    # Whether the office signs electronically now (read only where it matters: the issue form, and what a
    # letter left reserved as signed awaits).
    office_signs = ("issue" in actions or (letter.is_issuing and letter.signed)) and settings.for_office(
        letter.office
    ).electronic_signature
    setup_gaps = []
    if "issue" in actions:
        setup_gaps = readiness.missing(
            readiness.checklist(current_user.office, current_app.config["PUBLIC_BASE_URL"])
        )
    return render_template(
        "letter_pages/show.html",
        letter=letter,
        # The Lampiran line as the PDF prints it (an annex or enclosed letters count when left "-").
        lampiran=compose.shown_lampiran(letter),
        actions=actions,
        issue_form=issue_form or IssueForm(letter_date=office_today()),
        setup_gaps=setup_gaps,
        setup_required=readiness.required(current_app.config),
        issued_as_demo=_issued_as_demo(letter),
        action_form=AppForm(),
        note_form=NoteForm(),
        delivery_form=delivery_form,
        replaced_by=access.replacement(letter),
        correction=access.pending_correction(letter) if letter.status.is_issued else None,
        trail=audit.trail("letter", letter.id),
        issue_job_status=_issue_job_status(letter),
        electronic_signature="issue" in actions and office_signs,
        office_signs=office_signs,
    ), status


def _issue_job_status(letter: Letter) -> str | None:
    """The render job's status of a letter being issued ("queued", "failed", ...), else None."""
    if not letter.is_issuing:
        return None
    try:
        return queue.status(tasks.letter_job_id(letter.id))
    except (RedisError, OSError):
        return None  # the page still shows the letter being issued; the admin page tells more


@bp.route("/<int:letter_id>/edit", methods=["GET", "POST"])
@roles_required(RECOMMEND)
def edit(letter_id: int):
    """Edit a draft, with a live preview beside the form."""
    letter = office_record_or_404(Letter, letter_id)
    access.check_editable(
        current_user, letter
    )  # refused: the error page says why (403, or 409 once approved)
    if request.method == "GET":
        form = LetterForm(obj=letter)
        form.kind.data = letter.kind.value
        form.recommendation_ids.data = [link.recommendation_id for link in letter.links]
        for _i in range(BLANK_COPY_ROWS):
            form.copies.append_entry()
    else:
        form = LetterForm()
    _form_choices(form, letter)
    if form.validate_on_submit():
        try:
            drafting.update(letter, current_user, _draft_command(form))
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc, default_field="hal")
        else:
            db.session.commit()
            flash(_("Perubahan disimpan."), "success")
            return redirect(url_for("letters.show", letter_id=letter.id), 303)
    # The shared findings' other addressees, which the PDF adds under Tembusan by itself.
    carried = _carried_with_findings(letter)
    shared = compose.shared_copy_lines(letter)
    del carried  # held until the lines were read: the session keeps loaded rows only weakly
    return render_template("letter_pages/form.html", form=form, letter=letter, shared_copies=shared), (
        200 if request.method == "GET" else 422
    )


# --- previews ----------------------------------------------------------------------------------------------


def _preview_response(html: str) -> Response:
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def _resource_url(key: str) -> str:
    """A URL the browser loads for an allowed-file key of the letter: photo thumbnails and font files."""
    scheme, _sep, rest = key.partition(":")
    if scheme == "evidence" and rest.isdigit():
        return url_for("evidence.thumbnail", evidence_id=int(rest))
    font = font_static_path(key)
    if font is not None:
        return url_for("static", filename=font)
    return key


def _preview_html(letter: Letter) -> str:
    doc, _files = documents.document_for_display(letter, None)
    return documents.preview_html(doc, resource_url=_resource_url, base_href=url_for("static", filename=""))


@bp.route("/<int:letter_id>/preview", methods=["GET", "POST"])
@roles_required(EVERYONE)
def preview(letter_id: int):
    """The letter's print HTML for the preview frame; a POST previews unsaved form values (never saved)."""
    letter = office_record_or_404(Letter, letter_id)
    if request.method == "GET":
        return _preview_response(_preview_html(letter))
    if not access.can_edit(current_user, letter):
        abort(403)
    form = LetterForm()
    _form_choices(form, letter)
    form.validate_on_submit()  # fills .data; errors are shown when the form is saved
    if form.csrf_token.errors:
        abort(400)
    try:
        drafting.apply_unsaved(letter, _draft_command(form))
        html = _preview_html(letter)
    except (DomainError, ValueError):
        db.session.rollback()  # half-typed values: show the letter as saved
        html = _preview_html(office_record_or_404(Letter, letter_id))
    db.session.rollback()  # the preview never saves anything
    return _preview_response(html)


def pdf_response(data: bytes, filename: str, *, etag: str | None = None) -> Response:
    """A PDF shown in the browser (not cached without revalidation)."""
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    if etag:
        response.set_etag(etag)
    return response


def stored_pdf_response(letter_id: int) -> Response:
    """The download of the signed-in user's office's issued letter: its stored bytes with their SHA-256 as
    ETag, or 304 without a body when the browser's copy (If-None-Match) is that one. 404 for a letter of
    another office or not issued, 500 (logged) for stored bytes that no longer match their SHA-256.

    No template, no session write, one light query besides the user's (`documents.stored_pdf`). The
    browser revalidates every time (`no-cache`): a user who lost access is refused at once.
    """
    client_etags = request.if_none_match
    try:
        stored = documents.stored_pdf(
            letter_id, current_user.office_id, client_has=client_etags.contains_weak if client_etags else None
        )
    except NotFound:
        abort(404)
    except documents.FrozenPdfError:
        abort(500)  # logged by the service; a changed archive copy is never served
    if stored is None:
        abort(404)
    if stored.data is None:
        response = Response(status=304)
        response.headers["Cache-Control"] = "private, no-cache"
        response.set_etag(stored.sha256)
        return response
    return pdf_response(stored.data, pdf_filename(stored.number, stored.letter_id), etag=stored.sha256)


@bp.get("/<int:letter_id>/preview.pdf")
@roles_required(EVERYONE)
def preview_pdf(letter_id: int):
    """A draft PDF with the DRAF watermark, rendered now and never stored."""
    letter = office_record_or_404(Letter, letter_id)
    if letter.status.is_issued:
        return redirect(url_for("letters.pdf", letter_id=letter.id), 303)
    data = documents.draft_pdf(letter, evidence_dir())
    return pdf_response(data, f"draf-surat-{letter.id}.pdf")


def pdf_filename(number: str | None, letter_id: int) -> str:
    """The issued letter's file name: its number, anything but letters, digits, "-", "_", "." made "-"."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in (number or str(letter_id)))
    return f"surat-{safe}.pdf"


@bp.get("/<int:letter_id>/pdf")
@roles_required(EVERYONE)
def pdf(letter_id: int):
    """The issued PDF exactly as stored; its SHA-256 is checked on every download (304 when unchanged)."""
    return stored_pdf_response(letter_id)
