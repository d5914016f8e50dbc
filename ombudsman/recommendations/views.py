"""Pages for recommendations."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ombudsman import contracts
from ombudsman.accounts.permissions import EVERYONE, RECOMMEND, office_record_or_404, roles_required
from ombudsman.audit import services as audit
from ombudsman.authorities import services as authorities
from ombudsman.errors import DomainError
from ombudsman.extensions import db
from ombudsman.forms_common import filled, options, show_error
from ombudsman.inspections.models import Finding, Inspection
from ombudsman.pagination import page_args
from ombudsman.recommendations import services
from ombudsman.recommendations.commands import RecommendationDetails
from ombudsman.recommendations.forms import RecommendationForm
from ombudsman.recommendations.models import Recommendation, RecommendationStatus
from ombudsman.request_input import filter_page

bp = Blueprint("recommendations", __name__, url_prefix="/recommendations")


def _choices(form: RecommendationForm, inspection_id: int | None) -> None:
    stmt = (
        select(Finding)
        .where(Finding.office_id == current_user.office_id)
        .options(joinedload(Finding.responsible_authority))
        .order_by(Finding.inspection_id, Finding.number)
    )
    if inspection_id:
        stmt = stmt.where(Finding.inspection_id == inspection_id)
    form.finding_ids.choices = options(
        [
            (f.id, f"{f.number}. {f.title} \u2192 {f.responsible_authority.name}")
            for f in db.session.scalars(stmt)
        ]
    )
    form.authority_id.choices = options(
        [("", "\u2014")] + [(str(a.id), a.name) for a in authorities.authority_choices()]
    )


def _details(form: RecommendationForm, rec: Recommendation | None = None) -> RecommendationDetails:
    return contracts.build(
        RecommendationDetails,
        filled(form),
        finding_ids=tuple(form.finding_ids.data or ()),
        position=rec.position if rec is not None else None,
    )


@bp.get("/")
@filter_page
@roles_required(EVERYONE)
def index():
    """The office's recommendations."""
    status = request.args.get("status") or None
    status = RecommendationStatus(status) if status in {s.value for s in RecommendationStatus} else None
    page, per_page = page_args()
    pagination = db.paginate(
        services.query(current_user.office_id, status=status), page=page, per_page=per_page, error_out=False
    )
    return render_template("recommendations/index.html", pagination=pagination, status=status)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(RECOMMEND)
def new():
    """Write a recommendation, usually from an inspection page."""
    inspection_id = request.args.get("inspection_id", type=int)
    inspection = office_record_or_404(Inspection, inspection_id) if inspection_id else None
    form = RecommendationForm()
    _choices(form, inspection_id)
    if request.method == "GET" and request.args.get("finding_id", type=int):
        finding = office_record_or_404(Finding, request.args.get("finding_id", type=int))
        form.finding_ids.data = [finding.id]
        form.authority_id.data = finding.responsible_authority_id
    if form.validate_on_submit():
        try:
            rec = services.create(current_user.office_id, current_user, _details(form))
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Rekomendasi disimpan."), "success")
            return redirect(url_for("recommendations.show", recommendation_id=rec.id), 303)
    return render_template(
        "recommendations/form.html", form=form, inspection=inspection, recommendation=None
    ), (200 if request.method == "GET" else 422)


@bp.get("/<int:recommendation_id>")
@roles_required(EVERYONE)
def show(recommendation_id: int):
    """One recommendation with its findings and history."""
    rec = office_record_or_404(Recommendation, recommendation_id)
    return render_template(
        "recommendations/show.html", recommendation=rec, trail=audit.trail("recommendation", rec.id)
    )


@bp.route("/<int:recommendation_id>/edit", methods=["GET", "POST"])
@roles_required(RECOMMEND)
def edit(recommendation_id: int):
    """Edit a recommendation or record its outcome."""
    rec = office_record_or_404(Recommendation, recommendation_id)
    if request.method == "GET":
        form = RecommendationForm(obj=rec)
        form.finding_ids.data = rec.finding_ids
        form.kind.data = rec.kind.value
        form.status.data = rec.status.value
    else:
        form = RecommendationForm()
    _choices(form, None)
    if form.validate_on_submit():
        try:
            services.update(rec, current_user, _details(form, rec))
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Perubahan disimpan."), "success")
            return redirect(url_for("recommendations.show", recommendation_id=rec.id), 303)
    return render_template("recommendations/form.html", form=form, inspection=None, recommendation=rec), (
        200 if request.method == "GET" else 422
    )
