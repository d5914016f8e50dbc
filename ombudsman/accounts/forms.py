"""Forms for signing in and managing users."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ombudsman.accounts.models import Role
from ombudsman.forms_common import EMAIL, options

ROLE_LABELS = {
    Role.INSPECTOR: _l("Inspektur"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.HEAD: _l("Kepala Perwakilan"),
    Role.ADMIN: _l("Administrator"),
    Role.VIEWER: _l("Pembaca"),
}


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), EMAIL])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired()])
    # A remembered login lasts REMEMBER_COOKIE_DURATION; "Keluar dari semua perangkat" ends it.
    remember = BooleanField(_l("Tetap masuk di perangkat ini"))


class UserForm(FlaskForm):
    """An admin creates or edits a user of their office."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), EMAIL, Length(max=254)])
    name = StringField(_l("Nama"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Peran"), choices=options([(r.value, label) for r, label in ROLE_LABELS.items()]))
    password = PasswordField(_l("Kata sandi"), validators=[Optional(), Length(min=8, max=200)])
    active = BooleanField(_l("Aktif"), default=True)


def _valid_timezone(form, field) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(field.data or "")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_l("Zona waktu tidak dikenal (contoh: Asia/Makassar).")) from exc


class OfficeForm(FlaskForm):
    """The office's own details, used in the UI and in the letterhead."""

    name = StringField(_l("Nama kantor"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(_l("Nama singkat"), validators=[Optional(), Length(max=60)])
    province = StringField(_l("Provinsi"), validators=[DataRequired(), Length(max=120)])
    city = StringField(_l("Kota (tempat surat)"), validators=[DataRequired(), Length(max=120)])
    address = TextAreaField(_l("Alamat"), validators=[Optional(), Length(max=2000)])
    phone = StringField(_l("Telepon"), validators=[Optional(), Length(max=60)])
    email = StringField(_l("E-mail"), validators=[Optional(), EMAIL, Length(max=200)])
    website = StringField(_l("Situs web"), validators=[Optional(), Length(max=200)])
    head_name = StringField(_l("Nama kepala perwakilan"), validators=[DataRequired(), Length(max=200)])
    head_title = StringField(_l("Jabatan kepala"), validators=[DataRequired(), Length(max=200)])
    timezone = StringField(_l("Zona waktu"), validators=[DataRequired(), _valid_timezone])
