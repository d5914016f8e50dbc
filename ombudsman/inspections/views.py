"""Pages for inspections, their checklist, findings and evidence."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ombudsman import contracts
from ombudsman.accounts.models import Role, User
from ombudsman.accounts.permissions import (
    EVERYONE,
    FIELD_WORK,
    can_edit_inspection,
    office_record_or_404,
    roles_required,
)
from ombudsman.audit import services as audit
from ombudsman.authorities import services as authorities
from ombudsman.authorities.models import Level
from ombudsman.errors import DomainError, Invalid
from ombudsman.extensions import db
from ombudsman.forms_common import AppForm, filled, options, show_error
from ombudsman.inspections import held_uploads, page_uploads, queries, services, storage
from ombudsman.inspections.commands import EvidenceDetails, FindingDetails, InspectionDetails, ItemAnswer
from ombudsman.inspections.forms import EvidenceForm, FindingForm, InspectionForm
from ombudsman.inspections.models import (
    Answer,
    ChecklistItem,
    Evidence,
    Finding,
    FindingStatus,
    Inspection,
    InspectionStatus,
    Maladministration,
)
from ombudsman.page_cache.serving import cached_page
from ombudsman.pagination import page_args, search_text
from ombudsman.recommendations import services as recommendations
from ombudsman.request_input import filter_page

#: The checklist answers the page offers (`Answer` values).
ANSWERS = frozenset(a.value for a in Answer)

bp = Blueprint("inspections", __name__, url_prefix="/inspections")
findings_bp = Blueprint("findings", __name__, url_prefix="/findings")


def _status(code: int = 200) -> int:
    """200 for a first display, 422 when a submitted form is shown again with errors."""
    return code if request.method == "GET" else 422


def _require_edit(inspection: Inspection) -> None:
    if not can_edit_inspection(current_user, inspection):
        abort(403)


def _office_users() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.office_id == current_user.office_id,
                User.active.is_(True),
                User.role.in_([Role.INSPECTOR, Role.SUPERVISOR, Role.HEAD]),
            )
            .order_by(User.name)
        )
    )


def _inspection_form_choices(form: InspectionForm) -> None:
    form.authority_id.choices = options(
        [("", "\u2014")] + [(str(a.id), a.name) for a in authorities.authority_choices()]
    )
    form.team.choices = options([(u.id, u.name) for u in _office_users()])


def _inspection_details(form: InspectionForm) -> InspectionDetails:
    """The command from the form; the times of day become instants on the visit day in the office's zone."""
    tz, day = current_user.office.timezone, form.visited_on.data

    def moment(time):
        return services.local_datetime(day, time.strftime("%H:%M"), tz) if time else None

    return contracts.build(
        InspectionDetails,
        filled(form),
        started_at=moment(form.started_at.data),
        ended_at=moment(form.ended_at.data),
        team_ids=tuple(form.team.data or ()),
    )


@bp.get("/")
@filter_page
@roles_required(EVERYONE)
def index():
    """The office's inspections."""
    status = request.args.get("status") or None
    status = InspectionStatus(status) if status in {s.value for s in InspectionStatus} else None
    page, per_page = page_args()
    pagination = db.paginate(
        queries.inspections_query(current_user.office_id, status),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    counts = queries.finding_counts([i.id for i in pagination.items])
    return render_template("inspections/index.html", pagination=pagination, counts=counts, status=status)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(FIELD_WORK)
def new():
    """Open a new inspection."""
    form = InspectionForm()
    _inspection_form_choices(form)
    if form.validate_on_submit():
        try:
            inspection = services.create_inspection(
                current_user.office, current_user, _inspection_details(form)
            )
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Inspeksi dibuat."), "success")
            return redirect(url_for("inspections.show", inspection_id=inspection.id), 303)
    return render_template("inspections/form.html", form=form, inspection=None), _status()


@bp.get("/<int:inspection_id>")
@roles_required(EVERYONE)
def show(inspection_id: int):
    """One inspection with its checklist, findings, evidence and recommendations."""
    return _render_inspection(office_record_or_404(Inspection, inspection_id))


def _render_inspection(
    inspection: Inspection,
    *,
    checklist_input: dict[int, tuple[str, str]] | None = None,
    checklist_errors: dict[int, list[str]] | None = None,
    evidence_form: EvidenceForm | None = None,
    held: list[held_uploads.HeldUpload] | None = None,
) -> str:
    """The inspection page; a refused checklist or upload shows the user's entries again (`checklist_input`:
    {item id: (answer, note)} with `checklist_errors` per item; the upload form with its `held` files)."""
    findings = (
        db.session.scalars(
            queries.findings_query(
                current_user.office_id, queries.FindingFilters(inspection_id=inspection.id)
            )
            .order_by(None)
            .order_by(Finding.number)
        )
        .unique()
        .all()
    )
    evidence = db.session.scalars(
        select(Evidence)
        .where(Evidence.inspection_id == inspection.id)
        .options(joinedload(Evidence.uploaded_by))
        .order_by(Evidence.id)
    ).all()
    recs = (
        db.session.scalars(recommendations.query(current_user.office_id, inspection_id=inspection.id))
        .unique()
        .all()
    )
    return render_template(
        "inspections/show.html",
        inspection=inspection,
        findings=findings,
        evidence=evidence,
        recommendations=recs,
        checklist=services.checklist_rows(inspection),
        checklist_input=checklist_input or {},
        checklist_errors=checklist_errors or {},
        can_edit=can_edit_inspection(current_user, inspection),
        action_form=AppForm(),
        evidence_form=evidence_form or EvidenceForm(formdata=None),
        held=held or [],
        trail=audit.trail("inspection", inspection.id, related={"evidence": [e.id for e in evidence]}),
        answers=list(Answer),
    )


@bp.route("/<int:inspection_id>/edit", methods=["GET", "POST"])
@roles_required(FIELD_WORK)
def edit(inspection_id: int):
    """Edit an inspection's details."""
    inspection = office_record_or_404(Inspection, inspection_id)
    _require_edit(inspection)
    if request.method == "GET":
        tz = ZoneInfo(current_user.office.timezone)
        form = InspectionForm(obj=inspection)
        form.kind.data = inspection.kind.value
        form.team.data = [u.id for u in inspection.team]
        form.started_at.data = inspection.started_at.astimezone(tz).time() if inspection.started_at else None
        form.ended_at.data = inspection.ended_at.astimezone(tz).time() if inspection.ended_at else None
    else:
        form = InspectionForm()
    _inspection_form_choices(form)
    if form.validate_on_submit():
        try:
            services.update_inspection(inspection, current_user, _inspection_details(form))
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Perubahan disimpan."), "success")
            return redirect(url_for("inspections.show", inspection_id=inspection.id), 303)
    return render_template("inspections/form.html", form=form, inspection=inspection), _status()


@bp.post("/<int:inspection_id>/checklist")
@roles_required(FIELD_WORK)
def checklist(inspection_id: int):
    """Save the checklist answers; a refused note shows the page again with every answer as entered."""
    inspection = office_record_or_404(Inspection, inspection_id)
    _require_edit(inspection)
    if not AppForm().validate_on_submit():
        abort(400)
    entered, errors, answers = {}, {}, []
    for item, _answer in services.checklist_rows(inspection):
        value = request.form.get(f"answer-{item.id}", Answer.NOT_ASSESSED.value)
        note = request.form.get(f"note-{item.id}", "")
        entered[item.id] = (value, note)
        if value not in ANSWERS:  # the page offers only these; the row's notes are kept all the same
            errors[item.id] = [_("Pilih salah satu jawaban yang tersedia.")]
            continue
        answer = contracts.build(ItemAnswer, {"item_id": item.id, "answer": value, "note": note})
        try:
            contracts.validate(answer)  # the service checks the same bounds; here each row gets its message
        except Invalid as exc:
            errors[item.id] = [m for messages in exc.field_messages().values() for m in messages]
        answers.append(answer)
    if not errors:
        try:
            services.save_answers(inspection, current_user, answers)
        except DomainError as exc:
            db.session.rollback()
            show_error(None, exc)
        else:
            db.session.commit()
            # Shown beside the save button (the page's `inline_flashes`), which the anchor scrolls to.
            flash(_("Checklist disimpan."), "checklist")
            return redirect(
                url_for("inspections.show", inspection_id=inspection.id, _anchor="checklist-saved"), 303
            )
    if errors:
        flash(_("Periksa isian yang ditandai di bawah."), "error")
    return _render_inspection(inspection, checklist_input=entered, checklist_errors=errors), 422


@bp.post("/<int:inspection_id>/submit")
@roles_required(FIELD_WORK)
def submit(inspection_id: int):
    """Submit the inspection for review; inspectors can no longer change it."""
    inspection = office_record_or_404(Inspection, inspection_id)
    _require_edit(inspection)
    if not AppForm().validate_on_submit():
        abort(400)
    try:
        services.submit_inspection(inspection, current_user)
    except DomainError as exc:
        db.session.rollback()
        show_error(None, exc)
    else:
        db.session.commit()
        flash(_("Inspeksi diajukan dan dikunci untuk inspektur."), "success")
    return redirect(url_for("inspections.show", inspection_id=inspection.id), 303)


@bp.post("/<int:inspection_id>/reopen")
@roles_required(frozenset({Role.SUPERVISOR}))
def reopen(inspection_id: int):
    """A supervisor returns a submitted inspection to draft."""
    inspection = office_record_or_404(Inspection, inspection_id)
    if not AppForm().validate_on_submit():
        abort(400)
    try:
        services.reopen_inspection(inspection, current_user)
    except DomainError as exc:
        db.session.rollback()
        show_error(None, exc)
    else:
        db.session.commit()
        flash(_("Inspeksi dibuka kembali sebagai draf."), "success")
    return redirect(url_for("inspections.show", inspection_id=inspection.id), 303)


def _upload(inspection: Inspection, finding: Finding | None, render):
    """The evidence upload form of an inspection or a finding: check every file, store all or nothing.

    A refusal shows the page again (`render(form=…, held=…)`, 422) with the caption as typed and the files
    that passed the checks held (`page_uploads`); the next submission stores them with any new ones.
    """
    _require_edit(inspection)
    form = EvidenceForm()
    valid = form.validate_on_submit()
    if form.csrf_token.errors:
        abort(400)

    def save(uploads: list[storage.CheckedUpload]) -> int:
        if not uploads:
            raise Invalid(_l("Pilih minimal satu berkas."), storage.FIELD)
        details = contracts.build(EvidenceDetails, {"caption": form.caption.data or ""})
        page_uploads.store(inspection, uploads, finding, details)
        return len(uploads)

    stored, held = page_uploads.save_with_files(form, "files", valid, save)
    if stored is None:
        return render(form=form, held=held), 422
    flash(_("%(n)d berkas diunggah.", n=stored), "success")
    if finding is not None:
        return redirect(url_for("findings.show", finding_id=finding.id), 303)
    return redirect(url_for("inspections.show", inspection_id=inspection.id, _anchor="evidence"), 303)


@bp.post("/<int:inspection_id>/evidence")
@roles_required(FIELD_WORK)
def upload_evidence(inspection_id: int):
    """Attach photos or documents to the inspection."""
    inspection = office_record_or_404(Inspection, inspection_id)
    return _upload(
        inspection,
        None,
        lambda form, held: _render_inspection(inspection, evidence_form=form, held=held),
    )


# --- findings --------------------------------------------------------------------------------------------


def _finding_form_choices(form: FindingForm, inspection: Inspection) -> None:
    rules = authorities.active_rules()
    form.routing_rule_id.choices = options(
        [("", _("\u2014 pilih tema \u2014"))] + [(str(r.id), r.theme) for r in rules]
    )
    items = (
        []
        if inspection.checklist_id is None
        else db.session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.checklist_id == inspection.checklist_id)
            .order_by(ChecklistItem.position)
        ).all()
    )
    form.checklist_item_id.choices = options(
        [("", "\u2014")] + [(str(i.id), f"{i.group}: {i.label}") for i in items]
    )
    choices = [("", _("\u2014 terima saran \u2014"))] + [
        (str(a.id), a.name) for a in authorities.authority_choices()
    ]
    form.responsible_authority_id.choices = options(choices)
    form.second_authority_id.choices = options([("", "\u2014")] + choices[1:])


def _finding_details(form: FindingForm) -> FindingDetails:
    return contracts.build(
        FindingDetails, filled(form), maladministration=tuple(form.maladministration.data or ())
    )


def _initial_suggestion(form: FindingForm, inspection: Inspection):
    try:
        return services.suggestion_for(
            inspection,
            form.routing_rule_id.data,
            form.checklist_item_id.data,
            f"{form.title.data or ''} {form.description.data or ''}",
        )
    except DomainError:
        return None


def _save_finding(form: FindingForm, inspection: Inspection, save) -> tuple[Finding | None, list]:
    """Validate the form and its photos, run `save()` (the service call) and store the photos, committing
    once; returns the finding, or None and the photos held for the redisplayed form (`held_uploads`)."""
    valid = form.validate_on_submit()
    if request.method != "POST" or form.csrf_token.errors:
        return None, []

    def save_all(uploads: list[storage.CheckedUpload]) -> Finding:
        finding = save()
        page_uploads.store(inspection, uploads, finding)
        return finding

    return page_uploads.save_with_files(form, "photos", valid, save_all)


@bp.route("/<int:inspection_id>/findings/new", methods=["GET", "POST"])
@roles_required(FIELD_WORK)
def new_finding(inspection_id: int):
    """Log a finding, with its photos, and route it to the responsible authority.

    A refused form keeps the chosen photos (held for 24 hours, see `held_uploads`).
    """
    inspection = office_record_or_404(Inspection, inspection_id)
    _require_edit(inspection)
    form = FindingForm()
    _finding_form_choices(form, inspection)
    finding, held = _save_finding(
        form, inspection, lambda: services.create_finding(inspection, current_user, _finding_details(form))
    )
    if finding is not None:
        flash(_("Temuan %(n)d disimpan.", n=finding.number), "success")
        return redirect(url_for("findings.show", finding_id=finding.id), 303)
    return render_template(
        "findings/form.html",
        form=form,
        inspection=inspection,
        finding=None,
        held=held,
        suggestion=_initial_suggestion(form, inspection),
    ), _status()


@findings_bp.get("/", endpoint="index")
@filter_page
@roles_required(EVERYONE)
@cached_page
def findings_index():
    """All the office's findings, filtered and paginated."""
    args = request.args

    def pick(enum_cls, key):
        value = args.get(key) or None
        return enum_cls(value) if value in {m.value for m in enum_cls} else None

    def day(key):
        from datetime import date

        try:
            return date.fromisoformat(args[key]) if args.get(key) else None
        except ValueError:
            return None

    filters = queries.FindingFilters(
        authority_id=args.get("authority_id", type=int),
        level=pick(Level, "level"),
        status=pick(FindingStatus, "status"),
        form=pick(Maladministration, "form"),
        date_from=day("date_from"),
        date_to=day("date_to"),
        q=search_text(),
    )
    page, per_page = page_args()
    pagination = queries.findings_page(
        office_id=current_user.office_id, filters=filters, page=page, per_page=per_page
    )
    return render_template(
        "findings/index.html",
        pagination=pagination,
        filters=filters,
        authorities=authorities.authority_choices(),
    )


@findings_bp.get("/suggest", endpoint="suggest")
@roles_required(EVERYONE)
def finding_suggest():
    """The routing suggestion as JSON, for the finding form's live hint."""
    inspection = office_record_or_404(Inspection, request.args.get("inspection_id", type=int) or 0)
    try:
        suggestion = services.suggestion_for(
            inspection,
            request.args.get("routing_rule_id", type=int),
            request.args.get("checklist_item_id", type=int),
            request.args.get("text", "")[:5000],
        )
    except DomainError as exc:
        return jsonify(error=str(exc), fields=exc.field_messages()), 400
    return jsonify(suggestion.as_dict())


@findings_bp.get("/<int:finding_id>", endpoint="show")
@roles_required(EVERYONE)
def finding_show(finding_id: int):
    """One finding with its routing, evidence, recommendations and history."""
    return _render_finding(office_record_or_404(Finding, finding_id))


def _render_finding(
    finding: Finding,
    *,
    evidence_form: EvidenceForm | None = None,
    held: list[held_uploads.HeldUpload] | None = None,
) -> str:
    """The finding page; a refused upload shows its form again with the caption and the `held` files."""
    recs = (
        db.session.scalars(
            recommendations.query(current_user.office_id).where(
                recommendations.Recommendation.findings.any(Finding.id == finding.id)
            )
        )
        .unique()
        .all()
    )
    evidence = db.session.scalars(
        select(Evidence)
        .where(Evidence.finding_id == finding.id)
        .options(joinedload(Evidence.uploaded_by))
        .order_by(Evidence.id)
    ).all()
    return render_template(
        "findings/show.html",
        evidence=evidence,
        finding=finding,
        recommendations=recs,
        can_edit=can_edit_inspection(current_user, finding.inspection),
        evidence_form=evidence_form or EvidenceForm(formdata=None),
        held=held or [],
        trail=audit.trail("finding", finding.id, related={"evidence": [e.id for e in evidence]}),
    )


@findings_bp.route("/<int:finding_id>/edit", methods=["GET", "POST"], endpoint="edit")
@roles_required(FIELD_WORK)
def finding_edit(finding_id: int):
    """Edit a finding."""
    finding = office_record_or_404(Finding, finding_id)
    inspection = finding.inspection
    _require_edit(inspection)
    if request.method == "GET":
        form = FindingForm(obj=finding)
        form.maladministration.data = finding.form_codes
        form.severity.data = finding.severity.value
        form.status.data = finding.status.value
    else:
        form = FindingForm()
    _finding_form_choices(form, inspection)

    def save() -> Finding:
        services.update_finding(finding, current_user, _finding_details(form))
        return finding

    saved, held = _save_finding(form, inspection, save)
    if saved is not None:
        flash(_("Perubahan disimpan."), "success")
        return redirect(url_for("findings.show", finding_id=finding.id), 303)
    return render_template(
        "findings/form.html",
        form=form,
        inspection=inspection,
        finding=finding,
        held=held,
        suggestion=_initial_suggestion(form, inspection),
    ), _status()


@findings_bp.post("/<int:finding_id>/evidence", endpoint="upload_evidence")
@roles_required(FIELD_WORK)
def finding_upload_evidence(finding_id: int):
    """Attach photos or documents to a finding."""
    finding = office_record_or_404(Finding, finding_id)
    return _upload(
        finding.inspection,
        finding,
        lambda form, held: _render_finding(finding, evidence_form=form, held=held),
    )
