"""Forms for the authority register and routing rules: adapters over `commands`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, Regexp

from ombudsman.authorities import commands as c
from ombudsman.authorities.services import LEVEL_LABELS, RESPONSIBILITY_LABELS
from ombudsman.contracts import RECORD_ID, form_validators
from ombudsman.forms_common import EMAIL, AppForm, OptionalIdSelectField, options

LEVEL_CHOICES = [(level.value, label) for level, label in LEVEL_LABELS.items()]


def _bounded(bound, required: bool = False) -> list:
    return [InputRequired() if required else Optional(), *form_validators(bound)]


class AuthorityForm(AppForm):
    """Create or edit a body in the register (`commands.AuthorityDetails`)."""

    contract = c.AuthorityDetails

    name = StringField(_l("Nama"), validators=_bounded(c.NAME, True))
    short_name = StringField(_l("Nama singkat"), validators=_bounded(c.SHORT_NAME))
    level = SelectField(_l("Tingkat"), choices=options(LEVEL_CHOICES))
    head_title = StringField(
        _l("Jabatan pimpinan (setelah \u201cYth.\u201d)"), validators=_bounded(c.HEAD_TITLE)
    )
    place_line = StringField(
        _l("Baris tempat (mis. \u201cdi Kupang\u201d)"), validators=_bounded(c.PLACE_LINE)
    )
    address = TextAreaField(_l("Alamat"), validators=_bounded(c.ADDRESS))
    email = EmailField(_l("E-mail"), validators=[*_bounded(c.EMAIL), EMAIL])
    phone = StringField(_l("Telepon"), validators=_bounded(c.PHONE))
    parent_id = OptionalIdSelectField(_l("Induk"), validators=_bounded(RECORD_ID))
    active = BooleanField(_l("Aktif"), default=True)


class RoutingRuleForm(AppForm):
    """Create or edit a routing rule (`commands.RoutingRuleDetails`)."""

    contract = c.RoutingRuleDetails

    code = StringField(_l("Kode"), validators=[*_bounded(c.RULE_CODE, True), Regexp(c.RULE_CODE_PATTERN)])
    theme = StringField(_l("Tema"), validators=_bounded(c.THEME, True))
    keywords = TextAreaField(_l("Kata kunci (dipisah koma)"), validators=_bounded(c.KEYWORDS))
    responsibility = SelectField(
        _l("Tanggung jawab"),
        choices=options([(r.value, label) for r, label in RESPONSIBILITY_LABELS.items()]),
    )
    level = SelectField(_l("Tingkat"), choices=options(LEVEL_CHOICES))
    authority_id = OptionalIdSelectField(_l("Instansi tertentu (opsional)"), validators=_bounded(RECORD_ID))
    second_level = SelectField(
        _l("Tingkat kedua (bersama)"), choices=options([("", "\u2014"), *LEVEL_CHOICES])
    )
    second_authority_id = OptionalIdSelectField(
        _l("Instansi kedua (opsional)"), validators=_bounded(RECORD_ID)
    )
    reason = TextAreaField(_l("Alasan"), validators=_bounded(c.REASON, True))
    legal_basis = StringField(_l("Dasar hukum"), validators=_bounded(c.LEGAL_BASIS))
    position = IntegerField(_l("Urutan"), default=0, validators=_bounded(c.POSITION))
    active = BooleanField(_l("Aktif"), default=True)
