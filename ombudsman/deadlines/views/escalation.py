"""The next reminder or escalation letter for an overdue recommendation, and handing it to the letters
workflow to draft."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ombudsman.accounts.permissions import RECOMMEND, office_record_or_404, roles_required
from ombudsman.deadlines import escalation, settings
from ombudsman.deadlines.forms import ConfirmForm
from ombudsman.deadlines.views.common import bp, today
from ombudsman.errors import DomainError
from ombudsman.extensions import db
from ombudsman.recommendations.models import Recommendation


def _plan(rec: Recommendation) -> escalation.EscalationPlan | None:
    office = current_user.office
    cut = settings.state_cutoffs(office, today())
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
        "deadlines/escalation.html", recommendation=rec, plan=plan, covered=covered, form=ConfirmForm()
    )


@bp.post("/recommendations/<int:recommendation_id>/escalation")
@roles_required(RECOMMEND)
def draft_escalation(recommendation_id: int):
    """Hand the plan to the letters workflow, which drafts the letter; then show the draft."""
    rec = office_record_or_404(Recommendation, recommendation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    back = redirect(url_for("deadlines.escalation_plan", recommendation_id=rec.id), 303)
    plan = _plan(rec)
    if plan is None:
        flash(_("Rekomendasi ini tidak lewat tenggat."), "error")
        return back
    try:
        letter = escalation.draft_letter(plan, user=current_user, today=today())
    except (DomainError, ValueError) as exc:  # a refusal of the letters workflow (LetterError: ValueError)
        db.session.rollback()
        flash(str(exc), "error")
        return back
    db.session.commit()
    flash(_("Draf surat dibuat dari riwayat tindak lanjut."), "success")
    return redirect(url_for("letters.show", letter_id=letter.id), 303)
