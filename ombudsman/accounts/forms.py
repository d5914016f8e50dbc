"""Forms for signing in, managing users and the office's details: adapters over `commands`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from ombudsman.accounts import commands as c
from ombudsman.accounts.models import Role
from ombudsman.contracts import form_validators
from ombudsman.forms_common import EMAIL, AppForm, options

ROLE_LABELS = {
    Role.INSPECTOR: _l("Inspektur"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.HEAD: _l("Kepala Perwakilan"),
    Role.ADMIN: _l("Administrator"),
    Role.VIEWER: _l("Pembaca"),
}


class LoginForm(AppForm):
    """E-mail and password (`commands.Login`)."""

    contract = c.Login

    email = EmailField(_l("E-mail"), validators=[InputRequired(), *form_validators(c.EMAIL), EMAIL])
    password = PasswordField(_l("Kata sandi"), validators=[InputRequired(), *form_validators(c.PASSWORD)])
    # A remembered login lasts REMEMBER_COOKIE_DURATION; "Keluar dari semua perangkat" ends it.
    remember = BooleanField(_l("Tetap masuk di perangkat ini"))


class ChangePasswordForm(AppForm):
    """The signed-in user changes their own password (`commands.ChangePassword`)."""

    contract = c.ChangePassword

    current_password = PasswordField(
        _l("Kata sandi saat ini"), validators=[InputRequired(), *form_validators(c.PASSWORD)]
    )
    new_password = PasswordField(
        _l("Kata sandi baru"), validators=[InputRequired(), *form_validators(c.NEW_PASSWORD)]
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi baru"), validators=[InputRequired(), *form_validators(c.NEW_PASSWORD)]
    )


class ForgotPasswordForm(AppForm):
    """ "Lupa kata sandi?": where to send a reset link (`commands.RequestPasswordReset`)."""

    contract = c.RequestPasswordReset

    email = EmailField(_l("E-mail"), validators=[InputRequired(), *form_validators(c.EMAIL), EMAIL])


class ResetPasswordForm(AppForm):
    """A new password through a reset e-mail's link (`commands.ResetPassword`; the token is in the URL)."""

    contract = c.ResetPassword

    new_password = PasswordField(
        _l("Kata sandi baru"), validators=[InputRequired(), *form_validators(c.NEW_PASSWORD)]
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi baru"), validators=[InputRequired(), *form_validators(c.NEW_PASSWORD)]
    )


class UserForm(AppForm):
    """An admin creates or edits a user of their office (`commands.UserDetails`)."""

    contract = c.UserDetails

    email = EmailField(_l("E-mail"), validators=[InputRequired(), *form_validators(c.EMAIL), EMAIL])
    name = StringField(_l("Nama"), validators=[InputRequired(), *form_validators(c.USER_NAME)])
    role = SelectField(_l("Peran"), choices=options([(r.value, label) for r, label in ROLE_LABELS.items()]))
    password = PasswordField(_l("Kata sandi"), validators=[Optional(), *form_validators(c.NEW_PASSWORD)])
    active = BooleanField(_l("Aktif"), default=True)


def _text(bound, required: bool = False) -> list:
    return [InputRequired() if required else Optional(), *form_validators(bound)]


class OfficeForm(AppForm):
    """The office's own details, used in the UI and in the letterhead (`commands.OfficeDetails`)."""

    contract = c.OfficeDetails

    name = StringField(_l("Nama kantor"), validators=_text(c.OFFICE_NAME, True))
    short_name = StringField(_l("Nama singkat"), validators=_text(c.OFFICE_SHORT_NAME))
    province = StringField(_l("Provinsi"), validators=_text(c.PROVINCE, True))
    city = StringField(_l("Kota (tempat surat)"), validators=_text(c.CITY, True))
    address = TextAreaField(_l("Alamat"), validators=_text(c.ADDRESS))
    phone = StringField(_l("Telepon"), validators=_text(c.PHONE))
    email = StringField(_l("E-mail"), validators=_text(c.OFFICE_EMAIL))
    website = StringField(_l("Situs web"), validators=_text(c.WEBSITE))
    head_name = StringField(_l("Nama kepala perwakilan"), validators=_text(c.HEAD_NAME, True))
    head_title = StringField(_l("Jabatan kepala"), validators=_text(c.HEAD_TITLE, True))
    timezone = StringField(_l("Zona waktu"), validators=_text(c.TIMEZONE, True))
