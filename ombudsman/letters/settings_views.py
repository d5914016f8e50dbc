"""The office's letter settings page (/settings/letters): number template and codes, letterhead, layout."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ombudsman import contracts
from ombudsman.accounts.permissions import ADMIN, roles_required
from ombudsman.audit import services as audit
from ombudsman.errors import DomainError
from ombudsman.extensions import db
from ombudsman.forms_common import show_error
from ombudsman.letters import settings
from ombudsman.letters.commands import UpdateLetterSettings
from ombudsman.letters.forms import LetterSettingsForm
from ombudsman.letters.numbering import PLACEHOLDERS, format_number, template_errors
from ombudsman.letters.views import office_today

settings_bp = Blueprint("letter_settings", __name__, url_prefix="/settings")


def _example(form: LetterSettingsForm) -> str | None:
    """The number the template would give the office's 12th letter today, if the template is usable."""
    template = form.number_template.data or ""
    if template_errors(template):
        return None
    return format_number(
        template,
        seq=12,
        day=office_today(),
        classification=form.classification.data or "",
        unit=form.unit_code.data or "",
    )


@settings_bp.route("/letters", methods=["GET", "POST"])
@roles_required(ADMIN)
def letters():
    """The office's letter settings: number template and codes, letterhead, paper, font, margins."""
    office = current_user.office
    if request.method == "GET":
        form = LetterSettingsForm(obj=settings.as_command(settings.for_office(office)))
    else:
        form = LetterSettingsForm()
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in settings.FIELDS}
        try:
            settings.update_settings(office, current_user, contracts.build(UpdateLetterSettings, data))
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc, default_field="number_template")
        else:
            db.session.commit()
            flash(_("Pengaturan surat disimpan."), "success")
            return redirect(url_for("letter_settings.letters"), 303)
    return render_template(
        "letter_pages/settings.html",
        form=form,
        placeholders=PLACEHOLDERS,
        example=_example(form),
        trail=audit.trail("office", office.id),
    ), (200 if request.method == "GET" else 422)
