"""Forms for signing in and managing users."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

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


class UserForm(FlaskForm):
    """An admin creates or edits a user of their office."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), EMAIL, Length(max=254)])
    name = StringField(_l("Nama"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Peran"), choices=options([(r.value, label) for r, label in ROLE_LABELS.items()]))
    password = PasswordField(_l("Kata sandi"), validators=[Optional(), Length(min=8, max=200)])
    active = BooleanField(_l("Aktif"), default=True)
