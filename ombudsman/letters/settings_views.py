"""The office's letter settings pages: /settings/letters (number template and codes, letterhead, layout),
/settings/letters/readiness (the letters setup checklist) and /settings/letters/emblem (the kop's emblem).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ombudsman import contracts
from ombudsman.accounts.models import Role
from ombudsman.accounts.permissions import ADMIN, roles_required
from ombudsman.audit import services as audit
from ombudsman.errors import DomainError
from ombudsman.extensions import db
from ombudsman.forms_common import show_error
from ombudsman.letters import emblem, readiness, settings
from ombudsman.letters.commands import UpdateLetterSettings
from ombudsman.letters.forms import EmblemForm, LetterSettingsForm
from ombudsman.letters.numbering import PLACEHOLDERS, format_number, template_errors
from ombudsman.letters.views import office_today

settings_bp = Blueprint("letter_settings", __name__, url_prefix="/settings")
# The head sees the checklist too (the letter page sends them here when issuing is refused); only the admin
# changes anything.
READINESS_VIEWERS = frozenset({Role.ADMIN, Role.HEAD})


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


def _render_readiness(form: EmblemForm, status: int = 200):
    office = current_user.office
    office_settings = settings.for_office(office)
    items = readiness.checklist(office, current_app.config["PUBLIC_BASE_URL"])
    return render_template(
        "letter_pages/readiness.html",
        items=items,
        ready=not readiness.missing(items),
        required=readiness.required(current_app.config),
        base_url=current_app.config["PUBLIC_BASE_URL"],
        emblem=office_settings.emblem,
        emblem_uri=emblem.data_uri(office_settings.emblem),
        form=form,
        can_change=current_user.role is Role.ADMIN,
        max_kb=emblem.MAX_EMBLEM_BYTES // 1024,
    ), status


@settings_bp.get("/letters/readiness")
@roles_required(READINESS_VIEWERS)
def readiness_page():
    """The letters setup checklist: what must be in place before the first letter is issued."""
    return _render_readiness(EmblemForm())


@settings_bp.post("/letters/emblem")
@roles_required(ADMIN)
def upload_emblem():
    """Upload the emblem the kop prints (PNG or SVG, checked by its content); the admin only."""
    form = EmblemForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _render_readiness(form, 422)
    office = current_user.office
    upload = form.emblem.data
    try:
        # One byte more than allowed is enough to refuse an oversized file; the spooled upload is closed.
        data = upload.read(emblem.MAX_EMBLEM_BYTES + 1)
    finally:
        upload.close()
    try:
        emblem.upload(office, current_user, settings.for_office(office), data)
    except DomainError as exc:
        db.session.rollback()
        show_error(form, exc, default_field="emblem")
        return _render_readiness(form, 422)
    db.session.commit()
    flash(_("Lambang kop surat disimpan."), "success")
    return redirect(url_for("letter_settings.readiness_page"), 303)
