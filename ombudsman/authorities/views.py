"""Pages of the authority register and of the routing rules."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ombudsman import contracts
from ombudsman.accounts.permissions import ADMIN, EVERYONE, roles_required
from ombudsman.audit import services as audit
from ombudsman.authorities import services
from ombudsman.authorities.commands import AuthorityDetails, RoutingRuleDetails
from ombudsman.authorities.forms import AuthorityForm, RoutingRuleForm
from ombudsman.authorities.models import Authority, Level, RoutingRule
from ombudsman.errors import DomainError
from ombudsman.extensions import db
from ombudsman.forms_common import filled, options, show_error
from ombudsman.inspections import queries as inspections
from ombudsman.pagination import page_args, search_text
from ombudsman.request_input import filter_page

bp = Blueprint("authorities", __name__, url_prefix="/authorities")


def _authority_choices(exclude: Authority | None = None) -> list:
    rows = [a for a in services.active_authorities() if a is not exclude]
    return options([("", "\u2014")] + [(a.id, a.name) for a in rows])


def _level_or_none(value: str | None) -> Level | None:
    try:
        return Level(value) if value else None
    except ValueError:
        return None


@bp.get("/")
@filter_page
@roles_required(EVERYONE)
def index():
    """Search and browse the register."""
    q = search_text()
    level = _level_or_none(request.args.get("level"))
    page, per_page = page_args()
    pagination = db.paginate(services.search_query(q, level), page=page, per_page=per_page, error_out=False)
    return render_template("authorities/index.html", pagination=pagination, q=q, level=level)


@bp.get("/<int:authority_id>")
@roles_required(EVERYONE)
def show(authority_id: int):
    """One authority: details, history, and the findings it must fix, split by level."""
    authority = db.get_or_404(Authority, authority_id)
    page, per_page = page_args()
    responsible = inspections.findings_page(
        office_id=current_user.office_id, responsible_for=authority.id, page=page, per_page=per_page
    )
    at_unit = inspections.findings_by_level_for_unit(current_user.office_id, authority.id)
    return render_template(
        "authorities/show.html",
        authority=authority,
        responsible=responsible,
        at_unit=at_unit,
        trail=audit.trail("authority", authority.id),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def new():
    """Add a body to the register."""
    form = AuthorityForm()
    form.parent_id.choices = _authority_choices()
    if form.validate_on_submit():
        try:
            authority = services.create_authority(
                contracts.build(AuthorityDetails, filled(form)), user_id=current_user.id
            )
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Instansi ditambahkan."), "success")
            return redirect(url_for("authorities.show", authority_id=authority.id), 303)
    return render_template("authorities/form.html", form=form, authority=None), (
        200 if request.method == "GET" else 422
    )


@bp.route("/<int:authority_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit(authority_id: int):
    """Change a body in the register; the previous state stays in its history."""
    authority = db.get_or_404(Authority, authority_id)
    form = AuthorityForm(obj=authority) if request.method == "GET" else AuthorityForm()
    if request.method == "GET":
        form.level.data = authority.level.value
    form.parent_id.choices = _authority_choices(exclude=authority)
    if form.validate_on_submit():
        try:
            services.update_authority(
                authority, contracts.build(AuthorityDetails, filled(form)), user_id=current_user.id
            )
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Perubahan disimpan."), "success")
            return redirect(url_for("authorities.show", authority_id=authority.id), 303)
    return render_template("authorities/form.html", form=form, authority=authority), (
        200 if request.method == "GET" else 422
    )


@bp.post("/<int:authority_id>/delete")
@roles_required(ADMIN)
def delete(authority_id: int):
    """Delete an authority that nothing points at."""
    authority = db.get_or_404(Authority, authority_id)
    try:
        services.delete_authority(authority, user_id=current_user.id)
    except DomainError as exc:
        db.session.rollback()
        show_error(None, exc)
        return redirect(url_for("authorities.show", authority_id=authority_id), 303)
    db.session.commit()
    flash(_("Instansi dihapus."), "success")
    return redirect(url_for("authorities.index"), 303)


@bp.get("/rules/")
@roles_required(EVERYONE)
def rules():
    """The routing rules, in order."""
    rows = db.session.scalars(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)).all()
    return render_template("authorities/rules.html", rules=rows)


@bp.route("/rules/new", methods=["GET", "POST"], defaults={"rule_id": None})
@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
@roles_required(ADMIN)
def rule_form(rule_id: int | None):
    """Create or edit a routing rule."""
    rule = db.get_or_404(RoutingRule, rule_id) if rule_id else None
    form = RoutingRuleForm(obj=rule) if request.method == "GET" and rule else RoutingRuleForm()
    if request.method == "GET" and rule:
        form.responsibility.data = rule.responsibility.value
        form.level.data = rule.level.value
        form.second_level.data = rule.second_level.value if rule.second_level else ""
    form.authority_id.choices = _authority_choices()
    form.second_authority_id.choices = _authority_choices()
    if form.validate_on_submit():
        try:
            details = contracts.build(RoutingRuleDetails, filled(form), position=form.position.data or 0)
            rule = services.save_rule(rule, details, user_id=current_user.id)
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Aturan disimpan."), "success")
            return redirect(url_for("authorities.rules"), 303)
    return render_template("authorities/rule_form.html", form=form, rule=rule), (
        200 if request.method == "GET" else 422
    )
