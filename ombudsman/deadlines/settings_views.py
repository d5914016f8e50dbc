"""Admin pages: the office's working-day settings, closures, deadline rules, and applying their changes."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ombudsman import clock, contracts
from ombudsman.accounts.permissions import ADMIN, EVERYONE, office_record_or_404, roles_required
from ombudsman.deadlines import changes, rules
from ombudsman.deadlines import settings as calendar
from ombudsman.deadlines.commands import AddCalendarDay, SaveRule, UpdateCalendarSettings
from ombudsman.deadlines.forms import ApplyChangesForm, CalendarDayForm, ConfirmForm, RuleForm, SettingsForm
from ombudsman.deadlines.models import CalendarDay, DeadlineRule
from ombudsman.errors import DomainError
from ombudsman.extensions import db
from ombudsman.forms_common import show_error

bp = Blueprint("deadline_settings", __name__, url_prefix="/settings/deadlines")


def _settings_page(settings_form=None, day_form=None, status: int = 200):
    office = current_user.office
    if settings_form is None:
        current = calendar.calendar_settings(office.id)
        settings_form = SettingsForm(formdata=None)
        settings_form.weekend.data = sorted(current.weekend)
        settings_form.cuti_bersama_is_working.data = current.cuti_bersama_is_working
        settings_form.due_soon_working_days.data = current.due_soon_working_days
    return render_template(
        "deadlines/settings.html",
        form=settings_form,
        day_form=day_form or CalendarDayForm(formdata=None),
        days=calendar.calendar_days(office),
        delete_form=ConfirmForm(),
    ), status


@bp.route("/", methods=["GET", "POST"])
@roles_required(ADMIN)
def settings():
    """Weekend, cuti bersama, the due-soon threshold, and the list of closures and reopened days."""
    if request.method == "GET":
        return _settings_page()
    form = SettingsForm()
    if form.validate_on_submit():
        cmd = contracts.build(UpdateCalendarSettings, form.data, weekend=tuple(form.weekend.data or ()))
        try:
            changed = calendar.update_settings(current_user.office, cmd, user=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc, default_field="weekend")
        else:
            db.session.commit()
            flash(_("Pengaturan disimpan."), "success")
            if {"weekend_days", "cuti_bersama_is_working"} & set(changed):
                flash(_("Tanggal jatuh tempo yang tersimpan tidak berubah; terapkan lewat pratinjau."))
            return redirect(url_for("deadline_settings.settings"), 303)
    return _settings_page(settings_form=form, status=422)


@bp.post("/days")
@roles_required(ADMIN)
def add_day():
    """Add a closure or a reopened day."""
    form = CalendarDayForm()
    if form.validate_on_submit():
        try:
            calendar.add_calendar_day(
                current_user.office, contracts.build(AddCalendarDay, form.data), user=current_user
            )
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc, default_field="day")
        else:
            db.session.commit()
            flash(_("Tanggal dicatat. Tanggal jatuh tempo yang tersimpan belum berubah."), "success")
            return redirect(url_for("deadline_settings.changes_preview"), 303)
    return _settings_page(day_form=form, status=422)


@bp.post("/days/<int:day_id>/delete")
@roles_required(ADMIN)
def delete_day(day_id: int):
    """Remove a closure or reopened day."""
    entry = office_record_or_404(CalendarDay, day_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("deadline_settings.settings"), 303)
    calendar.remove_calendar_day(entry, user=current_user)
    db.session.commit()
    flash(_("Tanggal dihapus. Tanggal jatuh tempo yang tersimpan belum berubah."), "success")
    return redirect(url_for("deadline_settings.changes_preview"), 303)


@bp.get("/rules")
@roles_required(EVERYONE)
def rule_list():
    """The deadline rules and the span each is valid for."""
    return render_template("deadlines/rules.html", rules=rules.all_rules())


@bp.route("/rules/new", methods=["GET", "POST"], defaults={"rule_id": None})
@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
@roles_required(ADMIN)
def rule_form(rule_id: int | None):
    """Create or edit a deadline rule."""
    rule = db.get_or_404(DeadlineRule, rule_id) if rule_id else None
    form = RuleForm(obj=rule) if request.method == "GET" and rule else RuleForm()
    if request.method == "GET" and rule:
        form.kind.data, form.unit.data, form.starts.data = rule.kind.value, rule.unit.value, rule.starts.value
    if form.validate_on_submit():
        try:
            rules.save_rule(rule, contracts.build(SaveRule, form.data), user=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc, default_field="count")
        else:
            db.session.commit()
            flash(_("Aturan tenggat disimpan. Tanggal jatuh tempo yang tersimpan belum berubah."), "success")
            return redirect(url_for("deadline_settings.changes_preview"), 303)
    return render_template("deadlines/rule_form.html", form=form, rule=rule), (
        200 if request.method == "GET" else 422
    )


@bp.get("/changes")
@roles_required(ADMIN)
def changes_preview():
    """Open deadlines that the current holidays, closures, settings and rules would move: old and new date."""
    moves = changes.preview(current_user.office)
    form = ApplyChangesForm(formdata=None)
    form.deadline_ids.choices = [SelectChoice(m.deadline.id, str(m.deadline.id)) for m in moves]
    return render_template("deadlines/changes.html", moves=moves, form=form)


@bp.post("/changes")
@roles_required(ADMIN)
def changes_apply():
    """Move the chosen deadlines to their recomputed dates (audited, with a dated event each)."""
    office = current_user.office
    form = ApplyChangesForm()
    moves = changes.preview(office)
    form.deadline_ids.choices = [SelectChoice(m.deadline.id, str(m.deadline.id)) for m in moves]
    if not form.validate_on_submit():
        if not form.deadline_ids.errors:
            form.deadline_ids.errors = [_("Pilih minimal satu tenggat.")]
        return render_template("deadlines/changes.html", moves=moves, form=form), 422
    moved = changes.apply(
        office, form.deadline_ids.data, user=current_user, today=clock.today(office.timezone)
    )
    db.session.commit()
    flash(_("%(n)d tanggal jatuh tempo dipindahkan.", n=moved), "success")
    return redirect(url_for("deadline_settings.changes_preview"), 303)
