"""Pages for the service-standard checklist: every version, and a new version made by an admin."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ombudsman import contracts
from ombudsman.accounts.permissions import ADMIN, EVERYONE, roles_required
from ombudsman.authorities import services as authorities
from ombudsman.errors import DomainError
from ombudsman.extensions import db
from ombudsman.forms_common import filled, options, show_error
from ombudsman.inspections import checklists
from ombudsman.inspections.commands import ChecklistRow, ChecklistVersion
from ombudsman.inspections.forms import ChecklistVersionForm
from ombudsman.inspections.models import Checklist

bp = Blueprint("checklists", __name__, url_prefix="/checklists")
BLANK_ROWS = 3


@bp.get("/")
@roles_required(EVERYONE)
def index():
    """Every version of every checklist."""
    return render_template("inspections/checklists.html", versions=checklists.versions())


@bp.get("/<int:checklist_id>")
@roles_required(EVERYONE)
def show(checklist_id: int):
    """The items of one version."""
    return render_template("inspections/checklist.html", checklist=db.get_or_404(Checklist, checklist_id))


@bp.route("/<int:checklist_id>/new-version", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_version(checklist_id: int):
    """Edit a copy of a version; saving makes it the active version."""
    base = db.get_or_404(Checklist, checklist_id)
    if request.method == "GET":
        rows = [
            {
                "code": i.code,
                "group": i.group,
                "label": i.label,
                "basis": i.basis,
                "routing_rule_id": i.routing_rule_id,
            }
            for i in base.items
        ]
        form = ChecklistVersionForm(data={"name": base.name, "items": rows + [{}] * BLANK_ROWS})
    else:
        form = ChecklistVersionForm()
    rule_choices = options([("", "\u2014")] + [(r.id, r.theme) for r in authorities.active_rules()])
    for entry in form.items:
        entry.form.routing_rule_id.choices = rule_choices
    if form.validate_on_submit():
        rows = tuple(contracts.build(ChecklistRow, filled(e.form)) for e in form.items)
        try:
            version = contracts.build(ChecklistVersion, {"name": form.name.data}, rows=rows)
            checklist = checklists.new_version(base, version, user_id=current_user.id)
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Checklist versi %(v)d dibuat dan menjadi versi aktif.", v=checklist.version), "success")
            return redirect(url_for("checklists.show", checklist_id=checklist.id), 303)
    return render_template("inspections/checklist_form.html", form=form, base=base), (
        200 if request.method == "GET" else 422
    )
