"""Pages for letters: the register, drafting and review, issuing, PDFs, delivery, verification, settings.

The pages' templates are in templates/letter_pages/; templates/letters/ holds only the print template, which
is always Indonesian and stays out of the UI's translation catalog.
"""

from __future__ import annotations

import hashlib
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
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ombudsman import clock
from ombudsman.accounts.permissions import (
    ADMIN,
    EVERYONE,
    RECOMMEND,
    office_record_or_404,
    public,
    roles_required,
)
from ombudsman.audit import services as audit
from ombudsman.authorities import services as authorities
from ombudsman.extensions import db, limiter
from ombudsman.inspections.models import Inspection
from ombudsman.letters import services
from ombudsman.letters.forms import (
    BLANK_COPY_ROWS,
    DELIVERY_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    DeliveryForm,
    LetterForm,
    LetterSettingsForm,
    NoteForm,
    VerifyUploadForm,
)
from ombudsman.letters.models import DeliveryMethod, Letter, LetterKind, LetterStatus
from ombudsman.letters.numbering import PLACEHOLDERS, format_number, template_errors
from ombudsman.pagination import page_args
from ombudsman.recommendations.models import Recommendation

bp = Blueprint("letters", __name__, url_prefix="/letters")
verify_bp = Blueprint("verify", __name__, url_prefix="/verify")
settings_bp = Blueprint("letter_settings", __name__, url_prefix="/settings")

#: Uploads to the public verification page; an issued letter is far smaller.
VERIFY_MAX_BYTES = 10 * 1024 * 1024
# The preview shows user text inside the app's origin: no scripts, only our own styles and images.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "base-uri 'self'; form-action 'none'; frame-ancestors 'self'"
)


@bp.app_context_processor
def _letter_labels() -> dict:
    """Labels of the letter enums, for every template (the inspection page links to letters too)."""
    return {"letter_labels": {"kind": KIND_LABELS, "status": STATUS_LABELS, "delivery": DELIVERY_LABELS}}


def _evidence_root() -> Path:
    return Path(current_app.config["EVIDENCE_DIR"])


def _today():
    return clock.today(current_user.office.timezone)


def _refuse(exc: services.LetterError, letter: Letter):
    """A refused action: a role refusal is a 403 page with its reason; anything else, a message."""
    db.session.rollback()
    if isinstance(exc, services.LetterPermissionError):
        return render_template("errors.html", code=403, message=str(exc)), 403
    flash(str(exc), "error")
    return redirect(url_for("letters.show", letter_id=letter.id), 303)


def _check_csrf() -> None:
    if not FlaskForm().validate_on_submit():
        abort(400)


# --- the register ------------------------------------------------------------------------------------------


def _filters() -> services.LetterFilters:
    args = request.args

    def pick(enum_cls, key):
        value = args.get(key) or None
        return enum_cls(value) if value in {m.value for m in enum_cls} else None

    return services.LetterFilters(
        status=pick(LetterStatus, "status"),
        kind=pick(LetterKind, "kind"),
        authority_id=args.get("authority_id", type=int),
        year=args.get("year", type=int),
        inspection_id=args.get("inspection_id", type=int),
        q=args.get("q", "").strip()[:200],
    )


@bp.get("/")
@roles_required(EVERYONE)
def index():
    """The register of the office's letters, filterable."""
    filters = _filters()
    page, per_page = page_args()
    pagination = db.paginate(
        services.register_query(current_user.office_id, filters),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    return render_template(
        "letter_pages/index.html",
        pagination=pagination,
        filters=filters,
        authorities=authorities.active_authorities(),
    )


@bp.get("/export.csv")
@roles_required(EVERYONE)
def export():
    """The filtered register as CSV."""
    letters = db.session.scalars(services.register_query(current_user.office_id, _filters())).all()
    body = "\ufeff" + services.register_csv(letters)  # the BOM makes spreadsheet programs read UTF-8
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="register-surat-keluar.csv"'},
    )


# --- drafting ----------------------------------------------------------------------------------------------


@bp.post("/from-inspection/<int:inspection_id>")
@roles_required(RECOMMEND)
def draft_from_inspection(inspection_id: int):
    """Draft one letter per addressee of the inspection's recommendations."""
    inspection = office_record_or_404(Inspection, inspection_id)
    _check_csrf()
    try:
        created, skipped = services.draft_from_inspection(inspection, current_user)
    except services.LetterError as exc:
        db.session.rollback()
        flash(str(exc), "error")
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
    active = authorities.active_authorities()
    if letter.authority not in active:
        active = [letter.authority, *active]
    form.authority_id.choices = [("", "\u2014")] + [(str(a.id), a.name) for a in active]
    conditions = [Recommendation.authority_id == letter.authority_id]
    if letter.inspection_id:
        conditions.append(Recommendation.inspection_id == letter.inspection_id)
    linked = [link.recommendation_id for link in letter.links]
    if linked:
        conditions.append(Recommendation.id.in_(linked))
    recs = db.session.scalars(
        select(Recommendation)
        .where(Recommendation.office_id == letter.office_id, or_(*conditions))
        .order_by(Recommendation.position, Recommendation.id)
    ).all()
    form.recommendation_ids.choices = [
        (r.id, f"{r.position}. {r.text} \u2192 {r.authority.short_name or r.authority.name}") for r in recs
    ]
    copy_choices = [("", "\u2014")] + [(str(a.id), a.name) for a in active]
    for entry in form.copies:
        entry.authority_id.choices = copy_choices


def _form_data(form: LetterForm) -> dict:
    chosen = set(form.recommendation_ids.data or [])
    return {
        "kind": form.kind.data,
        "authority_id": form.authority_id.data,
        "recipient_lines": form.recipient_lines.data or "",
        "hal": form.hal.data or "",
        "sifat": form.sifat.data,
        "lampiran": form.lampiran.data or "",
        "place": form.place.data or "",
        "opening": form.opening.data or "",
        "closing": form.closing.data or "",
        "signatory_name": form.signatory_name.data or "",
        "signatory_title": form.signatory_title.data or "",
        "annex": form.annex.data,
        # Printed in the order of the recommendations' own numbers, whatever order the boxes were ticked in.
        "recommendation_ids": [rid for rid, _label in form.recommendation_ids.choices if rid in chosen],
        "copies": [(entry.authority_id.data, entry.text.data or "") for entry in form.copies],
    }


def _editable_or_refuse(letter: Letter):
    if not services.can_edit(current_user, letter):
        if letter.status in (LetterStatus.DRAFT, LetterStatus.IN_REVIEW):
            message = _("Surat dalam pemeriksaan hanya dapat diubah oleh supervisor atau Kepala.")
        else:
            message = _("Surat yang sudah disetujui atau diterbitkan tidak dapat diubah.")
        return services.LetterPermissionError(message)
    return None


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
    delivery_form = DeliveryForm(
        method=letter.delivery_method.value if letter.delivery_method else "",
        delivered_on=letter.delivered_on,
        received_on=letter.received_on,
        note=letter.delivery_note,
    )
    return _render_show(letter, delivery_form)


def _render_show(letter: Letter, delivery_form: DeliveryForm, status: int = 200):
    replaced_by = None
    if letter.status is LetterStatus.SUPERSEDED:
        replaced_by = db.session.scalar(
            select(Letter).where(Letter.supersedes_id == letter.id, Letter.status.in_([LetterStatus.ISSUED]))
        )
    if letter.received_on:
        _load_deadlines(letter)
    return render_template(
        "letter_pages/show.html",
        letter=letter,
        actions=services.allowed_actions(current_user, letter),
        action_form=FlaskForm(),
        note_form=NoteForm(),
        delivery_form=delivery_form,
        replaced_by=replaced_by,
        correction=services.pending_correction(letter) if letter.status.is_issued else None,
        trail=audit.trail("letter", letter.id),
    ), status


@bp.route("/<int:letter_id>/edit", methods=["GET", "POST"])
@roles_required(RECOMMEND)
def edit(letter_id: int):
    """Edit a draft, with a live preview beside the form."""
    letter = office_record_or_404(Letter, letter_id)
    if (refusal := _editable_or_refuse(letter)) is not None:
        return _refuse(refusal, letter)
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
            services.update(letter, current_user, _form_data(form))
        except services.LetterError as exc:
            db.session.rollback()
            field = getattr(form, exc.field or "hal", form.hal)
            field.errors = [*field.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("Perubahan disimpan."), "success")
            return redirect(url_for("letters.show", letter_id=letter.id), 303)
    return render_template("letter_pages/form.html", form=form, letter=letter), (
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
    scheme, _sep, rest = key.partition(":")
    if scheme == "evidence" and rest.isdigit():
        return url_for("evidence.thumbnail", evidence_id=int(rest))
    return key


@bp.route("/<int:letter_id>/preview", methods=["GET", "POST"])
@roles_required(EVERYONE)
def preview(letter_id: int):
    """The letter's print HTML for the preview frame; a POST previews unsaved form values (never saved)."""
    letter = office_record_or_404(Letter, letter_id)
    if request.method == "POST":
        if not services.can_edit(current_user, letter):
            abort(403)
        form = LetterForm()
        _form_choices(form, letter)
        form.validate_on_submit()  # fills .data; errors are shown when the form is saved
        if form.csrf_token.errors:
            abort(400)
        try:
            services.apply_unsaved(letter, _form_data(form))
            doc, _files = services.document_for_display(letter, None)
        except (services.LetterError, ValueError):
            db.session.rollback()
            letter = office_record_or_404(Letter, letter_id)
            doc, _files = services.document_for_display(letter, None)
        html = services.preview_html(
            doc, resource_url=_resource_url, base_href=url_for("static", filename="")
        )
        db.session.rollback()  # the preview never saves anything
        return _preview_response(html)
    doc, _files = services.document_for_display(letter, None)
    return _preview_response(
        services.preview_html(doc, resource_url=_resource_url, base_href=url_for("static", filename=""))
    )


def _pdf_response(data: bytes, filename: str, *, etag: str | None = None) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    if etag:
        response.set_etag(etag)
    return response


@bp.get("/<int:letter_id>/preview.pdf")
@roles_required(EVERYONE)
def preview_pdf(letter_id: int):
    """A draft PDF with the DRAF watermark, rendered now and never stored."""
    letter = office_record_or_404(Letter, letter_id)
    if letter.status.is_issued:
        return redirect(url_for("letters.pdf", letter_id=letter.id), 303)
    data = services.draft_pdf(letter, _evidence_root())
    return _pdf_response(data, f"draf-surat-{letter.id}.pdf")


def _filename(letter: Letter) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in (letter.number or str(letter.id)))
    return f"surat-{safe}.pdf"


@bp.get("/<int:letter_id>/pdf")
@roles_required(EVERYONE)
def pdf(letter_id: int):
    """The issued PDF exactly as stored; its SHA-256 is checked on every download."""
    letter = office_record_or_404(Letter, letter_id)
    if not letter.status.is_issued:
        abort(404)
    try:
        data = services.issued_pdf(letter)
    except services.FrozenPdfError:
        abort(500)  # logged by the service; a changed archive copy is never served
    return _pdf_response(data, _filename(letter), etag=letter.pdf_sha256)


# --- the workflow ------------------------------------------------------------------------------------------


def _workflow(letter_id: int, action, message: str):
    letter = office_record_or_404(Letter, letter_id)
    _check_csrf()
    try:
        action(letter)
    except services.LetterError as exc:
        return _refuse(exc, letter)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("letters.show", letter_id=letter.id), 303)


@bp.post("/<int:letter_id>/submit")
@roles_required(EVERYONE)
def submit(letter_id: int):
    """Send a draft for review."""
    return _workflow(
        letter_id, lambda letter: services.submit(letter, current_user), _("Surat diajukan untuk diperiksa.")
    )


@bp.post("/<int:letter_id>/approve")
@roles_required(EVERYONE)
def approve(letter_id: int):
    """Approve a letter in review."""
    return _workflow(letter_id, lambda letter: services.approve(letter, current_user), _("Surat disetujui."))


@bp.post("/<int:letter_id>/return")
@roles_required(EVERYONE)
def return_to_draft(letter_id: int):
    """Send a letter back to its drafters."""
    note = request.form.get("note", "")
    return _workflow(
        letter_id,
        lambda letter: services.return_to_draft(letter, current_user, note),
        _("Surat dikembalikan ke draf."),
    )


@bp.post("/<int:letter_id>/issue")
@roles_required(EVERYONE)
def issue(letter_id: int):
    """Number the letter and freeze its PDF (the head only)."""
    letter = office_record_or_404(Letter, letter_id)
    _check_csrf()
    try:
        issued = services.issue(
            letter,
            current_user,
            today=_today(),
            base_url=current_app.config["PUBLIC_BASE_URL"],
            evidence_root=_evidence_root(),
        )
    except services.LetterError as exc:
        return _refuse(exc, letter)
    db.session.commit()
    flash(_("Surat terbit dengan nomor %(number)s.", number=issued.number), "success")
    return redirect(url_for("letters.show", letter_id=issued.id), 303)


@bp.post("/<int:letter_id>/correct")
@roles_required(EVERYONE)
def correct(letter_id: int):
    """Start a correction: a new draft that will supersede this letter when issued."""
    letter = office_record_or_404(Letter, letter_id)
    _check_csrf()
    if current_user.role not in RECOMMEND:
        return _refuse(services.LetterPermissionError(_("Anda tidak berwenang menyusun surat.")), letter)
    try:
        new = services.start_correction(letter, current_user)
    except services.LetterError as exc:
        return _refuse(exc, letter)
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
        return _render_show(letter, form, 422)
    try:
        services.record_delivery(
            letter,
            current_user,
            method=DeliveryMethod(form.method.data) if form.method.data else None,
            delivered_on=form.delivered_on.data,
            received_on=form.received_on.data,
            note=form.note.data or "",
            today=_today(),
            correction_reason=form.correction_reason.data or "",
        )
    except services.LetterPermissionError as exc:
        return _refuse(exc, letter)
    except services.LetterError as exc:
        db.session.rollback()
        field = getattr(form, exc.field or "note", form.note)
        field.errors = [*field.errors, str(exc)]
        letter = office_record_or_404(Letter, letter_id)
        return _render_show(letter, form, 422)
    db.session.commit()
    flash(_("Pengiriman dicatat."), "success")
    return redirect(url_for("letters.show", letter_id=letter.id, _anchor="delivery"), 303)


# --- public verification -----------------------------------------------------------------------------------


@verify_bp.get("/")
@limiter.limit("30 per minute")
@public
def lookup():
    """Find an issued letter by the short code printed beside its QR code."""
    code = request.args.get("code", "").strip()[:32]
    if code:
        letter = services.by_short_code(code)
        if letter is not None:
            return redirect(url_for("verify.show", token=letter.verify_token), 303)
        return render_template("letter_pages/verify_lookup.html", code=code, not_found=True), 404
    return render_template("letter_pages/verify_lookup.html", code="", not_found=False)


def _verify_page(letter: Letter, form: VerifyUploadForm, result: dict | None = None, status: int = 200):
    replaced_by = None
    if letter.status is LetterStatus.SUPERSEDED:
        replaced_by = db.session.scalar(
            select(Letter).where(Letter.supersedes_id == letter.id, Letter.status.in_([LetterStatus.ISSUED]))
        )
    response = Response(
        render_template(
            "letter_pages/verify.html", letter=letter, form=form, result=result, replaced_by=replaced_by
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
    letter = services.by_token(token)
    if letter is None:
        abort(404)
    return _verify_page(letter, VerifyUploadForm())


@verify_bp.post("/<token>", endpoint="check")
@limiter.limit("20 per minute")
@public
def verify_check(token: str):
    """Public: compare an uploaded PDF with the issued one, byte for byte."""
    letter = services.by_token(token)
    if letter is None:
        abort(404)
    form = VerifyUploadForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _verify_page(letter, form, status=422)
    data = form.file.data.read(VERIFY_MAX_BYTES + 1)
    if len(data) > VERIFY_MAX_BYTES:
        form.file.errors = [_("Berkas terlalu besar (batas %(mb)d MB).", mb=VERIFY_MAX_BYTES // 1_048_576)]
        return _verify_page(letter, form, status=422)
    try:
        matches = services.matches_issued(letter, data)
    except services.FrozenPdfError:
        abort(500)
    result = {"matches": matches, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    return _verify_page(letter, VerifyUploadForm(), result)


# --- office settings ---------------------------------------------------------------------------------------


@settings_bp.route("/letters", methods=["GET", "POST"])
@roles_required(ADMIN)
def letters():
    """The office's letter settings: number template and codes, letterhead, paper, font, margins."""
    office = current_user.office
    form = LetterSettingsForm(obj=office) if request.method == "GET" else LetterSettingsForm()
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in services.SETTINGS_FIELDS}
        for key in ("letter_classification", "letter_unit_code", "letter_header", "letter_signatory_title"):
            data[key] = data[key] or ""
        try:
            services.update_settings(office, current_user, data)
        except services.LetterError as exc:
            db.session.rollback()
            field = getattr(form, exc.field or "letter_number_template")
            field.errors = [*field.errors, *str(exc).split("\n")]
        else:
            db.session.commit()
            flash(_("Pengaturan surat disimpan."), "success")
            return redirect(url_for("letter_settings.letters"), 303)
    example = None
    template = form.letter_number_template.data or ""
    if not template_errors(template):
        example = format_number(
            template,
            seq=12,
            day=_today(),
            classification=form.letter_classification.data or "",
            unit=form.letter_unit_code.data or "",
        )
    return render_template(
        "letter_pages/settings.html",
        form=form,
        placeholders=PLACEHOLDERS,
        example=example,
        trail=audit.trail("office", office.id),
    ), (200 if request.method == "GET" else 422)
