"""Forms for letters, their delivery, the public verification page and the office's letter settings.

Each form adapts a command of `commands.py` (`contract = ...`): its bounds come from there, so the page
refuses exactly what the API and the service refuse, with the same message.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FloatField,
    FormField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation

from ombudsman import contracts
from ombudsman.contracts import RECORD_ID, form_validators
from ombudsman.forms_common import AppForm, OptionalIdSelectField, SubForm
from ombudsman.letters import commands as c
from ombudsman.letters.document import PAPER_SIZES
from ombudsman.letters.models import DeliveryMethod, LetterKind, LetterStatus
from ombudsman.letters.numbering import DEFAULT_NUMBER_TEMPLATE
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


class EachItem(contracts.FormBound):
    """A bound applied to every value of a multi-value field (ticked record ids)."""

    def __call__(self, form, field) -> None:
        for value in field.data or []:
            message = contracts.check(self.bound, value)
            if message is not None:
                raise StopValidation(str(message))


def _count_limit(maximum: int) -> Length:
    return Length(max=maximum, message=_l("Paling banyak %(n)d baris tembusan.", n=maximum))


class CopyLineForm(SubForm):
    """One Tembusan line: an authority from the register, or free text (`commands.CopyLine`)."""

    contract = c.CopyLine

    authority_id = OptionalIdSelectField(_l("Instansi"), validators=[Optional(), *form_validators(RECORD_ID)])
    text = StringField(_l("atau teks bebas"), validators=[Optional(), *form_validators(c.COPY_TEXT)])


class LetterForm(AppForm):
    """Edit a draft letter (`commands.LetterDraft`)."""

    contract = c.LetterDraft

    kind = SelectField(_l("Jenis surat"), choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()])
    authority_id = OptionalIdSelectField(
        _l("Instansi tujuan"), validators=[InputRequired(), *form_validators(RECORD_ID)]
    )
    recipient_lines = TextAreaField(
        _l("Yth. (satu baris per baris; kosongkan untuk mengisi dari register)"),
        validators=[Optional(), *form_validators(c.RECIPIENT_LINES)],
    )
    hal = TextAreaField(_l("Hal"), validators=[InputRequired(), *form_validators(c.HAL)])
    sifat = SelectField(_l("Sifat"), choices=[SelectChoice(s) for s in c.SIFAT_CHOICES])
    lampiran = StringField(_l("Lampiran"), validators=[Optional(), *form_validators(c.LAMPIRAN)])
    place = StringField(_l("Tempat surat"), validators=[Optional(), *form_validators(c.PLACE)])
    opening = TextAreaField(_l("Pembuka"), validators=[Optional(), *form_validators(c.BODY_TEXT)])
    recommendation_ids = SelectMultipleField(
        _l("Rekomendasi yang dimuat (urut menurut nomor rekomendasi)"),
        coerce=int,
        validators=[EachItem(RECORD_ID)],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    closing = TextAreaField(_l("Penutup"), validators=[Optional(), *form_validators(c.BODY_TEXT)])
    signatory_title = StringField(
        _l("Jabatan penanda tangan"), validators=[InputRequired(), *form_validators(c.SIGNATORY_TITLE)]
    )
    signatory_name = StringField(
        _l("Nama penanda tangan"), validators=[InputRequired(), *form_validators(c.SIGNATORY_NAME)]
    )
    annex = BooleanField(_l("Lampirkan daftar temuan dengan foto"))
    copies = FieldList(
        FormField(CopyLineForm),
        label=_l("Tembusan (berurutan)"),
        validators=[_count_limit(c.MAX_COPIES)],
        max_entries=c.MAX_COPIES,
    )


class NoteForm(AppForm):
    """A workflow button with an optional note (sending a letter back: `commands.ReturnLetter`)."""

    contract = c.ReturnLetter

    note = TextAreaField(_l("Catatan"), validators=[Optional(), *form_validators(c.NOTE)])


class DeliveryForm(AppForm):
    """How and when an issued letter was delivered, and when it was received (`commands.RecordDelivery`)."""

    contract = c.RecordDelivery
    contract_aliases = {"delivery_method": "method", "delivery_note": "note"}

    method = SelectField(
        _l("Cara pengiriman"),
        choices=[SelectChoice("", "\u2014")] + [SelectChoice(k.value, v) for k, v in DELIVERY_LABELS.items()],
    )
    delivered_on = DateField(
        _l("Tanggal dikirim"), validators=[Optional(), *form_validators(c.SENT_OR_RECEIVED)]
    )
    received_on = DateField(
        _l("Tanggal diterima instansi"), validators=[Optional(), *form_validators(c.SENT_OR_RECEIVED)]
    )
    note = TextAreaField(
        _l("Catatan (mis. nama penerima, nomor resi)"),
        validators=[Optional(), *form_validators(c.DELIVERY_NOTE)],
    )
    correction_reason = TextAreaField(
        _l("Alasan koreksi tanggal diterima (khusus supervisor)"),
        validators=[Optional(), *form_validators(c.CORRECTION_REASON)],
    )


class IssueForm(AppForm):
    """The head issues an approved letter, choosing its date (`commands.IssueLetter`)."""

    contract = c.IssueLetter

    letter_date = DateField(_l("Tanggal surat"), validators=[Optional(), *form_validators(c.LETTER_DATE)])
    # Electronic-signature mode only: opens the head's key for this request (`issuing.unlock_signatory`).
    signing_passphrase = PasswordField(
        _l("Frasa sandi kunci tanda tangan elektronik"),
        validators=[Optional(), *form_validators(c.SIGNING_PASSPHRASE)],
    )
    # Mail the issued letter to the addressee's contacts, with a link to the authority portal (issue 14).
    electronic_delivery = BooleanField(_l("Kirim secara elektronik ke kontak instansi tujuan"))


class EmblemForm(AppForm):
    """Upload the letterhead's emblem (PNG or SVG; checked by its content in `emblem.check_upload`)."""

    emblem = FileField(_l("Lambang untuk kop surat (PNG atau SVG)"), validators=[FileRequired()])


class VerifyUploadForm(AppForm):
    """Anyone may upload a PDF to compare it with the issued letter."""

    file = FileField(_l("Berkas PDF yang ingin diperiksa"), validators=[FileRequired()])


def _decimal(label, bounds: tuple[float, float]) -> FloatField:
    low, high = bounds
    return FloatField(label, validators=[InputRequired(), NumberRange(low, high)])


class LetterSettingsForm(AppForm):
    """The office's letter settings (`commands.UpdateLetterSettings`)."""

    contract = c.UpdateLetterSettings

    number_template = StringField(
        _l("Templat nomor surat"),
        default=DEFAULT_NUMBER_TEMPLATE,
        validators=[InputRequired(), *form_validators(c.NUMBER_TEMPLATE)],
    )
    classification = StringField(_l("Kode klasifikasi"), validators=[Optional(), *form_validators(c.CODE)])
    unit_code = StringField(_l("Kode unit pengolah"), validators=[Optional(), *form_validators(c.CODE)])
    header = TextAreaField(
        _l("Kop surat (satu baris per baris; kosong = nama kantor)"),
        validators=[Optional(), *form_validators(c.HEADER)],
    )
    signatory_title = StringField(
        _l("Jabatan penanda tangan (kosong = jabatan kepala + nama kantor)"),
        validators=[Optional(), *form_validators(c.DEFAULT_SIGNATORY_TITLE)],
    )
    paper = SelectField(_l("Ukuran kertas"), choices=[SelectChoice(p) for p in PAPER_SIZES])
    font = SelectField(_l("Huruf"), choices=[SelectChoice(k, f.label) for k, f in FONTS.items()])
    font_size = _decimal(_l("Ukuran huruf (pt)"), c.FONT_SIZE_RANGE)
    margin_top = _decimal(_l("Margin atas (mm)"), c.MARGIN_RANGE)
    margin_right = _decimal(_l("Margin kanan (mm)"), c.MARGIN_RANGE)
    margin_bottom = _decimal(_l("Margin bawah (mm)"), c.MARGIN_RANGE)
    margin_left = _decimal(_l("Margin kiri (mm)"), c.MARGIN_RANGE)


class SignatureModeForm(AppForm):
    """Electronic-signature mode on or off for the office's issued letters."""

    electronic_signature = BooleanField(_l("Tanda tangan elektronik (PAdES) pada surat yang diterbitkan"))


class TrustRootsForm(AppForm):
    """The CA certificates the office trusts when verifying signed letters (PEM bundle or one DER file)."""

    trust_roots = FileField(_l("Sertifikat akar tepercaya (PEM atau DER)"), validators=[FileRequired()])


class SigningKeyForm(AppForm):
    """A signatory's PKCS#12 (key and certificate chain) and its passphrase, checked then forgotten."""

    user_id = SelectField(_l("Penanda tangan (Kepala Perwakilan)"), coerce=int, choices=[])
    pkcs12 = FileField(_l("Berkas PKCS#12 (.p12 / .pfx)"), validators=[FileRequired()])
    signing_passphrase = PasswordField(
        _l("Frasa sandi berkas PKCS#12"),
        validators=[InputRequired(), *form_validators(c.SIGNING_PASSPHRASE)],
    )
