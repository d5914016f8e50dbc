"""Forms for the follow-up of a recommendation and the deadline settings: thin adapters of `commands`.

Each form names its command (`contract`) and takes every bound from it, so the page refuses exactly what
the service refuses, with the same message.
"""

from __future__ import annotations

from babel.dates import get_day_names
from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from ombudsman.contracts import form_validators
from ombudsman.deadlines import commands as c
from ombudsman.deadlines.labels import (
    CALENDAR_DAY_LABELS,
    ESCALATION_STEP_LABELS,
    REASON,
    START_CHOICE_LABELS,
    UNIT_LABELS,
)
from ombudsman.forms_common import AppForm
from ombudsman.recommendations.forms import KIND_LABELS
from ombudsman.recommendations.models import RecommendationStatus

OUTCOME_CHOICES = [
    SelectChoice(RecommendationStatus.IMPLEMENTED.value, _l("Dilaksanakan")),
    SelectChoice(RecommendationStatus.PARTIALLY_IMPLEMENTED.value, _l("Dilaksanakan sebagian")),
    SelectChoice(RecommendationStatus.NOT_IMPLEMENTED.value, _l("Tidak dilaksanakan")),
]


def _weekday_name(number: int) -> LazyString:
    # Monday is 0, as in date.weekday() and Babel's day names.
    return LazyString(lambda: get_day_names("wide", locale=get_locale() or "id")[number])


def _event_day(label) -> DateField:
    return DateField(label, validators=[InputRequired(), *form_validators(c.EVENT_DAY)])


def _reason() -> TextAreaField:
    # Required by the service, whose message says what the reason is for.
    return TextAreaField(REASON, validators=[Optional(), *form_validators(c.REASON)])


class ReceivedForm(AppForm):
    """Record when the letter carrying the recommendation was issued and received."""

    contract = c.RecordReceipt

    issued_on = DateField(_l("Tanggal surat"), validators=[Optional(), *form_validators(c.EVENT_DAY)])
    received_on = _event_day(_l("Tanggal diterima"))


class CorrectReceiptForm(AppForm):
    """A supervisor corrects a recorded received date."""

    contract = c.CorrectReceipt

    issued_on = DateField(_l("Tanggal surat"), validators=[Optional(), *form_validators(c.EVENT_DAY)])
    received_on = _event_day(_l("Tanggal diterima yang benar"))
    reason = _reason()


class ResponseForm(AppForm):
    """The authority's response."""

    contract = c.RecordResponse

    responded_on = _event_day(_l("Tanggal tanggapan"))
    summary = TextAreaField(_l("Ringkasan tanggapan"), validators=[Optional(), *form_validators(c.SUMMARY)])
    reply_letter = FileField(_l("Surat balasan (PDF)"))
    evidence = MultipleFileField(_l("Bukti (foto atau PDF)"))


class OutcomeForm(AppForm):
    """Close the follow-up with an outcome."""

    contract = c.RecordOutcome

    status = SelectField(_l("Hasil"), choices=OUTCOME_CHOICES)
    closed_on = _event_day(_l("Tanggal hasil"))
    note = TextAreaField(_l("Bukti atau alasan"), validators=[Optional(), *form_validators(c.NOTE)])
    evidence = MultipleFileField(_l("Berkas bukti"))


class ReopenForm(AppForm):
    """Reopen a closed follow-up."""

    contract = c.Reopen

    reason = _reason()


class ReinspectionForm(AppForm):
    """A visit that checks on site."""

    contract = c.RecordReinspection

    inspected_on = _event_day(_l("Tanggal inspeksi ulang"))
    result = SelectField(_l("Hasil pemeriksaan"), choices=OUTCOME_CHOICES)
    note = TextAreaField(_l("Yang dilihat"), validators=[Optional(), *form_validators(c.NOTE)])
    photos = MultipleFileField(_l("Foto atau dokumen"))


class ExtensionForm(AppForm):
    """Grant more time."""

    contract = c.Extend

    granted_on = _event_day(_l("Tanggal perpanjangan"))
    days = IntegerField(
        _l("Tambahan hari (satuan aturan)"), validators=[InputRequired(), *form_validators(c.EXTENSION_DAYS)]
    )
    reason = _reason()


class StopForm(AppForm):
    """Stop the clock."""

    contract = c.StopClock

    stopped_on = _event_day(_l("Tanggal dihentikan"))
    reason = _reason()


class RestartForm(AppForm):
    """Restart a stopped clock."""

    contract = c.RestartClock

    restarted_on = _event_day(_l("Tanggal dijalankan kembali"))
    reason = _reason()


class EscalationRecordForm(AppForm):
    """Record a reminder or escalation letter that went out."""

    contract = c.RecordEscalation

    sent_on = _event_day(_l("Tanggal surat"))
    step = SelectField(
        _l("Jenis"), choices=[SelectChoice(k.value, v) for k, v in ESCALATION_STEP_LABELS.items()]
    )
    reference = StringField(_l("Nomor surat"), validators=[Optional(), *form_validators(c.REFERENCE)])
    note = TextAreaField(_l("Catatan"), validators=[Optional(), *form_validators(c.ESCALATION_NOTE)])


class SettingsForm(AppForm):
    """The office's working-day settings."""

    contract = c.UpdateCalendarSettings

    weekend = SelectMultipleField(
        _l("Akhir pekan"),
        choices=[SelectChoice(i, _weekday_name(i)) for i in range(7)],
        coerce=int,
        validators=form_validators(c.WEEKDAY),
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    cuti_bersama_is_working = BooleanField(_l("Cuti bersama dihitung sebagai hari kerja"))
    due_soon_working_days = IntegerField(
        _l("\u201cSegera jatuh tempo\u201d: sisa hari kerja"),
        validators=[InputRequired(), *form_validators(c.DUE_SOON_DAYS)],
    )


class CalendarDayForm(AppForm):
    """Add an extra closure or a reopened day."""

    contract = c.AddCalendarDay

    day = DateField(_l("Tanggal"), validators=[InputRequired(), *form_validators(c.SET_AHEAD_DAY)])
    kind = SelectField(
        _l("Jenis"), choices=[SelectChoice(k.value, v) for k, v in CALENDAR_DAY_LABELS.items()]
    )
    reason = StringField(REASON, validators=[Optional(), *form_validators(c.CLOSURE_REASON)])


class RuleForm(AppForm):
    """Create or edit a deadline rule."""

    contract = c.SaveRule

    kind = SelectField(
        _l("Jenis rekomendasi"), choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()]
    )
    count = IntegerField(_l("Jumlah hari"), validators=[InputRequired(), *form_validators(c.RULE_DAYS)])
    unit = SelectField(_l("Satuan"), choices=[SelectChoice(k.value, v) for k, v in UNIT_LABELS.items()])
    starts = SelectField(
        _l("Mulai dihitung"), choices=[SelectChoice(k.value, v) for k, v in START_CHOICE_LABELS.items()]
    )
    next_working_day = BooleanField(
        _l("Bila jatuh tempo pada hari libur atau akhir pekan, geser ke hari kerja berikutnya"),
        default=c.SaveRule.next_working_day,
    )
    legal_basis = StringField(_l("Dasar hukum"), validators=[Optional(), *form_validators(c.LEGAL_BASIS)])
    note = TextAreaField(_l("Catatan"), validators=[Optional(), *form_validators(c.RULE_NOTE)])
    valid_from = DateField(_l("Berlaku sejak"), validators=[Optional(), *form_validators(c.SET_AHEAD_DAY)])
    valid_to = DateField(_l("Berlaku sampai"), validators=[Optional(), *form_validators(c.SET_AHEAD_DAY)])


class ConfirmForm(AppForm):
    """A bare form: CSRF for one-click actions."""


class ApplyChangesForm(AppForm):
    """Choose which previewed deadlines to move."""

    deadline_ids = SelectMultipleField(
        _l("Tenggat yang dipindahkan"), coerce=int, validators=[DataRequired()]
    )
