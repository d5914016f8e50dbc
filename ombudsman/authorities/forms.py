"""Forms for the authority register and routing rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ombudsman.authorities.models import Level, Responsibility
from ombudsman.forms_common import EMAIL, OptionalIdSelectField, options

LEVEL_CHOICES = [
    (Level.CENTRAL.value, _l("Pusat")),
    (Level.PROVINCIAL.value, _l("Provinsi")),
    (Level.REGENCY_CITY.value, _l("Kabupaten/Kota")),
]


class AuthorityForm(FlaskForm):
    """Create or edit a body in the register."""

    name = StringField(_l("Nama"), validators=[DataRequired(), Length(max=250)])
    short_name = StringField(_l("Nama singkat"), validators=[Optional(), Length(max=80)])
    level = SelectField(_l("Tingkat"), choices=options(LEVEL_CHOICES))
    head_title = StringField(
        _l("Jabatan pimpinan (setelah \u201cYth.\u201d)"), validators=[Optional(), Length(max=250)]
    )
    place_line = StringField(
        _l("Baris tempat (mis. \u201cdi Kupang\u201d)"), validators=[Optional(), Length(max=120)]
    )
    address = TextAreaField(_l("Alamat"), validators=[Optional(), Length(max=2000)])
    email = EmailField(_l("E-mail"), validators=[Optional(), EMAIL, Length(max=254)])
    phone = StringField(_l("Telepon"), validators=[Optional(), Length(max=60)])
    parent_id = OptionalIdSelectField(_l("Induk"))
    active = BooleanField(_l("Aktif"), default=True)


class RoutingRuleForm(FlaskForm):
    """Create or edit a routing rule."""

    code = StringField(_l("Kode"), validators=[DataRequired(), Length(max=60), Regexp(r"^[a-z0-9_]+$")])
    theme = StringField(_l("Tema"), validators=[DataRequired(), Length(max=200)])
    keywords = TextAreaField(_l("Kata kunci (dipisah koma)"), validators=[Optional(), Length(max=2000)])
    responsibility = SelectField(
        _l("Tanggung jawab"),
        choices=options(
            [
                (Responsibility.LOCAL.value, _l("Daerah")),
                (Responsibility.CENTRAL.value, _l("Pusat")),
                (Responsibility.SHARED.value, _l("Bersama")),
            ]
        ),
    )
    level = SelectField(_l("Tingkat"), choices=options(LEVEL_CHOICES))
    authority_id = OptionalIdSelectField(_l("Instansi tertentu (opsional)"))
    second_level = SelectField(
        _l("Tingkat kedua (bersama)"), choices=options([("", "\u2014"), *LEVEL_CHOICES])
    )
    second_authority_id = OptionalIdSelectField(_l("Instansi kedua (opsional)"))
    reason = TextAreaField(_l("Alasan"), validators=[DataRequired(), Length(max=2000)])
    legal_basis = StringField(_l("Dasar hukum"), validators=[Optional(), Length(max=250)])
    position = IntegerField(_l("Urutan"), default=0, validators=[Optional(), NumberRange(min=0, max=10000)])
    active = BooleanField(_l("Aktif"), default=True)
