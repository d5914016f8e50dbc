"""Forms for letters, their delivery, the public verification page and the office's letter settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FloatField,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ombudsman.forms_common import OptionalIdSelectField
from ombudsman.letters.document import PAPER_SIZES
from ombudsman.letters.models import DeliveryMethod, LetterKind, LetterStatus
from ombudsman.letters.numbering import DEFAULT_NUMBER_TEMPLATE, MAX_TEMPLATE_LENGTH
from ombudsman.letters.services import SIFAT_CHOICES
from ombudsman.pdf import FONTS

KIND_LABELS = {
    LetterKind.SARAN: _l("Saran perbaikan"),
    LetterKind.TINDAKAN_KOREKTIF: _l("Tindakan korektif"),
    LetterKind.KLARIFIKASI: _l("Permintaan klarifikasi"),
    LetterKind.PENGINGAT: _l("Surat pengingat"),
    LetterKind.REKOMENDASI_DRAFT: _l("Draf Rekomendasi (untuk Ombudsman RI)"),
}
STATUS_LABELS = {
    LetterStatus.DRAFT: _l("Draf"),
    LetterStatus.IN_REVIEW: _l("Diperiksa"),
    LetterStatus.APPROVED: _l("Disetujui"),
    LetterStatus.ISSUED: _l("Terbit"),
    LetterStatus.SUPERSEDED: _l("Diganti"),
}
DELIVERY_LABELS = {
    DeliveryMethod.HAND: _l("Diantar langsung"),
    DeliveryMethod.POST: _l("Pos"),
    DeliveryMethod.COURIER: _l("Jasa kurir"),
    DeliveryMethod.EMAIL: _l("Surat elektronik"),
}
#: Empty rows offered below the Tembusan lines, so a copy can be added without JavaScript.
BLANK_COPY_ROWS = 3


class CopyLineForm(Form):
    """One Tembusan line: an authority from the register, or free text."""

    authority_id = OptionalIdSelectField(_l("Instansi"), validators=[Optional()])
    text = StringField(_l("atau teks bebas"), validators=[Optional(), Length(max=300)])


class LetterForm(FlaskForm):
    """Edit a draft letter."""

    kind = SelectField(_l("Jenis surat"), choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()])
    authority_id = OptionalIdSelectField(_l("Instansi tujuan"), validators=[DataRequired()])
    recipient_lines = TextAreaField(
        _l("Yth. (satu baris per baris; kosongkan untuk mengisi dari register)"),
        validators=[Optional(), Length(max=2000)],
    )
    hal = TextAreaField(_l("Hal"), validators=[DataRequired(), Length(max=1000)])
    sifat = SelectField(_l("Sifat"), choices=[SelectChoice(s) for s in SIFAT_CHOICES])
    lampiran = StringField(_l("Lampiran"), validators=[Optional(), Length(max=120)])
    place = StringField(_l("Tempat surat"), validators=[Optional(), Length(max=120)])
    opening = TextAreaField(_l("Pembuka"), validators=[Optional(), Length(max=10000)])
    recommendation_ids = SelectMultipleField(
        _l("Rekomendasi yang dimuat (urut menurut nomor rekomendasi)"),
        coerce=int,
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    closing = TextAreaField(_l("Penutup"), validators=[Optional(), Length(max=10000)])
    signatory_title = StringField(_l("Jabatan penanda tangan"), validators=[DataRequired(), Length(max=250)])
    signatory_name = StringField(_l("Nama penanda tangan"), validators=[DataRequired(), Length(max=200)])
    annex = BooleanField(_l("Lampirkan daftar temuan dengan foto"))
    copies = FieldList(FormField(CopyLineForm), label=_l("Tembusan (berurutan)"), max_entries=30)


class NoteForm(FlaskForm):
    """A workflow button with an optional note (returning a letter to its drafters)."""

    note = TextAreaField(_l("Catatan"), validators=[Optional(), Length(max=2000)])


class DeliveryForm(FlaskForm):
    """How and when an issued letter was delivered, and when it was received."""

    method = SelectField(
        _l("Cara pengiriman"),
        choices=[SelectChoice("", "\u2014")] + [SelectChoice(k.value, v) for k, v in DELIVERY_LABELS.items()],
    )
    delivered_on = DateField(_l("Tanggal dikirim"), validators=[Optional()])
    received_on = DateField(_l("Tanggal diterima instansi"), validators=[Optional()])
    note = TextAreaField(
        _l("Catatan (mis. nama penerima, nomor resi)"), validators=[Optional(), Length(max=2000)]
    )
    correction_reason = TextAreaField(
        _l("Alasan koreksi tanggal diterima (khusus supervisor)"), validators=[Optional(), Length(max=2000)]
    )


class VerifyUploadForm(FlaskForm):
    """Anyone may upload a PDF to compare it with the issued letter."""

    file = FileField(_l("Berkas PDF yang ingin diperiksa"), validators=[FileRequired()])


class LetterSettingsForm(FlaskForm):
    """The office's letter settings."""

    letter_number_template = StringField(
        _l("Templat nomor surat"),
        default=DEFAULT_NUMBER_TEMPLATE,
        validators=[InputRequired(), Length(max=MAX_TEMPLATE_LENGTH)],
    )
    letter_classification = StringField(_l("Kode klasifikasi"), validators=[Optional(), Length(max=60)])
    letter_unit_code = StringField(_l("Kode unit pengolah"), validators=[Optional(), Length(max=60)])
    letter_header = TextAreaField(
        _l("Kop surat (satu baris per baris; kosong = nama kantor)"),
        validators=[Optional(), Length(max=1000)],
    )
    letter_signatory_title = StringField(
        _l("Jabatan penanda tangan (kosong = jabatan kepala + nama kantor)"),
        validators=[Optional(), Length(max=250)],
    )
    letter_paper = SelectField(_l("Ukuran kertas"), choices=[SelectChoice(p) for p in PAPER_SIZES])
    letter_font = SelectField(_l("Huruf"), choices=[SelectChoice(k, f.label) for k, f in FONTS.items()])
    letter_font_size = FloatField(_l("Ukuran huruf (pt)"), validators=[InputRequired(), NumberRange(8, 16)])
    letter_margin_top = FloatField(_l("Margin atas (mm)"), validators=[InputRequired(), NumberRange(5, 60)])
    letter_margin_right = FloatField(
        _l("Margin kanan (mm)"), validators=[InputRequired(), NumberRange(5, 60)]
    )
    letter_margin_bottom = FloatField(
        _l("Margin bawah (mm)"), validators=[InputRequired(), NumberRange(5, 60)]
    )
    letter_margin_left = FloatField(_l("Margin kiri (mm)"), validators=[InputRequired(), NumberRange(5, 60)])
