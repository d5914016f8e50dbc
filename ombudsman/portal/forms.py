"""Forms of the portal and of the office's side of it: thin adapters over `ombudsman.portal.commands`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from ombudsman.contracts import form_validators
from ombudsman.forms_common import EMAIL, AppForm, options
from ombudsman.portal import commands as c
from ombudsman.portal.models import ResponseStatus
from ombudsman.portal.responses import RESPONSE_LABELS


class PortalLoginForm(AppForm):
    """E-mail and password (`commands.PortalSignIn`)."""

    contract = c.PortalSignIn

    email = EmailField(_l("E-mail"), validators=[InputRequired(), *form_validators(c.EMAIL), EMAIL])
    password = PasswordField(_l("Kata sandi"), validators=[InputRequired(), *form_validators(c.PASSWORD)])
    remember = BooleanField(_l("Tetap masuk di perangkat ini"))


class SignInLinkForm(AppForm):
    """Where a single-use sign-in link should go (`commands.RequestSignInLink`)."""

    contract = c.RequestSignInLink

    email = EmailField(_l("E-mail"), validators=[InputRequired(), *form_validators(c.EMAIL), EMAIL])


class UseLinkForm(AppForm):
    """The button that spends a sign-in link (a GET never does: mail scanners open links)."""


class PortalPasswordForm(AppForm):
    """Choose a password (`commands.SetPortalPassword`)."""

    contract = c.SetPortalPassword

    new_password = PasswordField(
        _l("Kata sandi baru"), validators=[InputRequired(), *form_validators(c.NEW_PASSWORD)]
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi baru"), validators=[InputRequired(), *form_validators(c.NEW_PASSWORD)]
    )


class RespondForm(AppForm):
    """What the authority did about one recommendation (`commands.Respond`), with evidence."""

    contract = c.Respond

    status = RadioField(
        _l("Apa yang sudah dilakukan?"),
        choices=options([(s.value, RESPONSE_LABELS[s]) for s in ResponseStatus]),
        validators=[InputRequired(message=_l("Pilih apa yang sudah dilakukan."))],
    )
    text = TextAreaField(_l("Penjelasan"), validators=[Optional(), *form_validators(c.RESPONSE_TEXT)])
    evidence = MultipleFileField(_l("Bukti (foto atau PDF)"))
    reply_letter = FileField(_l("Surat balasan (PDF, bila ada)"))


class AskForExtensionForm(AppForm):
    """More time on one recommendation (`commands.AskForExtension`)."""

    contract = c.AskForExtension

    proposed_due_on = DateField(
        _l("Tenggat yang diusulkan"), validators=[InputRequired(), *form_validators(c.PROPOSED_DAY)]
    )
    reason = TextAreaField(_l("Alasan"), validators=[Optional(), *form_validators(c.EXTENSION_REASON)])


class ContactForm(AppForm):
    """An authority's contact person (`commands.ContactDetails`)."""

    contract = c.ContactDetails

    name = StringField(_l("Nama"), validators=[InputRequired(), *form_validators(c.CONTACT_NAME)])
    position = StringField(_l("Jabatan"), validators=[Optional(), *form_validators(c.CONTACT_POSITION)])
    email = EmailField(_l("E-mail"), validators=[InputRequired(), *form_validators(c.EMAIL), EMAIL])
    includes_sub_units = BooleanField(
        _l("Juga menerima surat untuk unit di bawah instansi ini"), default=True
    )
    active = BooleanField(_l("Aktif"), default=True)


class InviteForm(AppForm):
    """The admin's "send invitation" button."""


class DecideExtensionForm(AppForm):
    """The office grants or refuses an authority's request (`commands.DecideExtension`)."""

    contract = c.DecideExtension

    days = IntegerField(
        _l("Tambahan hari (satuan aturan)"), validators=[Optional(), *form_validators(c.EXTENSION_DAYS)]
    )
    note = TextAreaField(
        _l("Catatan untuk instansi"), validators=[Optional(), *form_validators(c.DECISION_NOTE)]
    )
