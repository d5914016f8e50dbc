"""The next reminder or escalation letter for an overdue recommendation, and handing it to the letters
workflow to draft."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ombudsman.accounts.permissions import RECOMMEND, office_record_or_404, roles_required
from ombudsman.deadlines import escalation
from ombudsman.deadlines.forms import ConfirmForm
from ombudsman.deadlines.views.common import bp, today
from ombudsman.errors import DomainError
from ombudsman.extensions import db
from ombudsman.recommendations.models import Recommendation


@bp.get("/recommendations/<int:recommendation_id>/escalation")
@roles_required(RECOMMEND)
def escalation_plan(recommendation_id: int):
    """The next escalation letter for an overdue recommendation, pre-filled for the letters workflow."""
    rec = office_record_or_404(Recommendation, recommendation_id)
    plan, covered = escalation.plan_for(rec, office=current_user.office, today=today())
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
    try:
        letter = escalation.draft_letter(rec, office=current_user.office, user=current_user, today=today())
    except (DomainError, ValueError) as exc:  # ValueError: the letters package's LetterError
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("deadlines.escalation_plan", recommendation_id=rec.id), 303)
    db.session.commit()
    flash(_("Draf surat dibuat dari riwayat tindak lanjut."), "success")
    return redirect(url_for("letters.show", letter_id=letter.id), 303)
