"""Forms for the follow-up of a recommendation and the deadline settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
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
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ombudsman.deadlines.calendar import WEEKDAYS_ID
from ombudsman.deadlines.escalation import STEP_LABELS
from ombudsman.deadlines.models import CalendarDayKind, DeadlineState, EventKind, Start, Unit
from ombudsman.recommendations.forms import KIND_LABELS
from ombudsman.recommendations.models import RecommendationStatus

STATE_LABELS = {
    DeadlineState.NOT_STARTED: _l("Belum berjalan"),
    DeadlineState.OPEN: _l("Berjalan"),
    DeadlineState.DUE_SOON: _l("Segera jatuh tempo"),
    DeadlineState.OVERDUE: _l("Lewat tenggat"),
    DeadlineState.VERY_OVERDUE: _l("Sangat lewat tenggat"),
    DeadlineState.MET: _l("Tepat waktu"),
    DeadlineState.LATE: _l("Terlambat"),
}
EVENT_LABELS = {
    EventKind.CLOCK_STARTED: _l("Surat diterima, tenggat mulai berjalan"),
    EventKind.RECEIPT_CORRECTED: _l("Tanggal diterima dikoreksi"),
    EventKind.EXTENDED: _l("Perpanjangan"),
    EventKind.CLOCK_STOPPED: _l("Jam dihentikan"),
    EventKind.CLOCK_RESTARTED: _l("Jam dijalankan kembali"),
    EventKind.RECOMPUTED: _l("Perubahan kalender diterapkan"),
    EventKind.RESPONSE: _l("Tanggapan instansi"),
    EventKind.REINSPECTION: _l("Inspeksi ulang"),
    EventKind.ESCALATION: _l("Surat eskalasi"),
    EventKind.CLOSED: _l("Ditutup"),
    EventKind.REOPENED: _l("Dibuka kembali"),
}
UNIT_CHOICES = [
    SelectChoice(Unit.WORKING.value, _l("hari kerja")),
    SelectChoice(Unit.CALENDAR.value, _l("hari kalender")),
]
START_CHOICES = [
    SelectChoice(Start.ON_RECEIPT.value, _l("sejak surat diterima")),
    SelectChoice(Start.ON_ISSUE.value, _l("sejak surat terbit")),
]
OUTCOME_CHOICES = [
    SelectChoice(RecommendationStatus.IMPLEMENTED.value, _l("Dilaksanakan")),
    SelectChoice(RecommendationStatus.PARTIALLY_IMPLEMENTED.value, _l("Dilaksanakan sebagian")),
    SelectChoice(RecommendationStatus.NOT_IMPLEMENTED.value, _l("Tidak dilaksanakan")),
]
CALENDAR_DAY_LABELS = {
    CalendarDayKind.CLOSED: _l("Libur tambahan / kantor tutup"),
    CalendarDayKind.REOPENED: _l("Tetap hari kerja"),
}
REASON = _l("Alasan")


class ReceivedForm(FlaskForm):
    """Record when the letter carrying the recommendation was issued and received."""

    issued_on = DateField(_l("Tanggal surat"), validators=[Optional()])
    received_on = DateField(_l("Tanggal diterima"), validators=[InputRequired()])


class CorrectReceiptForm(FlaskForm):
    """A supervisor corrects a recorded received date."""

    issued_on = DateField(_l("Tanggal surat"), validators=[Optional()])
    received_on = DateField(_l("Tanggal diterima yang benar"), validators=[InputRequired()])
    reason = TextAreaField(REASON, validators=[Optional(), Length(max=2000)])


class ResponseForm(FlaskForm):
    """The authority's response."""

    responded_on = DateField(_l("Tanggal tanggapan"), validators=[InputRequired()])
    summary = TextAreaField(_l("Ringkasan tanggapan"), validators=[Optional(), Length(max=20000)])
    reply_letter = FileField(_l("Surat balasan (PDF)"))
    evidence = MultipleFileField(_l("Bukti (foto atau PDF)"))


class OutcomeForm(FlaskForm):
    """Close the follow-up with an outcome."""

    status = SelectField(_l("Hasil"), choices=OUTCOME_CHOICES)
    closed_on = DateField(_l("Tanggal hasil"), validators=[InputRequired()])
    note = TextAreaField(_l("Bukti atau alasan"), validators=[Optional(), Length(max=20000)])
    evidence = MultipleFileField(_l("Berkas bukti"))


class ReopenForm(FlaskForm):
    """Reopen a closed follow-up."""

    reason = TextAreaField(REASON, validators=[Optional(), Length(max=2000)])


class ReinspectionForm(FlaskForm):
    """A visit that checks on site."""

    inspected_on = DateField(_l("Tanggal inspeksi ulang"), validators=[InputRequired()])
    result = SelectField(_l("Hasil pemeriksaan"), choices=OUTCOME_CHOICES)
    note = TextAreaField(_l("Yang dilihat"), validators=[Optional(), Length(max=20000)])
    photos = MultipleFileField(_l("Foto atau dokumen"))


class ExtensionForm(FlaskForm):
    """Grant more time."""

    granted_on = DateField(_l("Tanggal perpanjangan"), validators=[InputRequired()])
    days = IntegerField(_l("Tambahan hari (satuan aturan)"), validators=[InputRequired()])
    reason = TextAreaField(REASON, validators=[Optional(), Length(max=2000)])


class StopForm(FlaskForm):
    """Stop the clock."""

    stopped_on = DateField(_l("Tanggal dihentikan"), validators=[InputRequired()])
    reason = TextAreaField(REASON, validators=[Optional(), Length(max=2000)])


class RestartForm(FlaskForm):
    """Restart a stopped clock."""

    restarted_on = DateField(_l("Tanggal dijalankan kembali"), validators=[InputRequired()])
    reason = TextAreaField(REASON, validators=[Optional(), Length(max=2000)])


class EscalationRecordForm(FlaskForm):
    """Record a reminder or escalation letter that went out."""

    sent_on = DateField(_l("Tanggal surat"), validators=[InputRequired()])
    step = SelectField(_l("Jenis"), choices=[SelectChoice(k.value, v) for k, v in STEP_LABELS.items()])
    reference = StringField(_l("Nomor surat"), validators=[Optional(), Length(max=200)])
    note = TextAreaField(_l("Catatan"), validators=[Optional(), Length(max=2000)])


class SettingsForm(FlaskForm):
    """The office's working-day settings."""

    weekend = SelectMultipleField(
        _l("Akhir pekan"),
        choices=[SelectChoice(str(i), name) for i, name in enumerate(WEEKDAYS_ID)],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    cuti_bersama_is_working = BooleanField(_l("Cuti bersama dihitung sebagai hari kerja"))
    due_soon_working_days = IntegerField(
        _l("\u201cSegera jatuh tempo\u201d: sisa hari kerja"), validators=[InputRequired()]
    )


class CalendarDayForm(FlaskForm):
    """Add an extra closure or a reopened day."""

    day = DateField(_l("Tanggal"), validators=[InputRequired()])
    kind = SelectField(
        _l("Jenis"), choices=[SelectChoice(k.value, v) for k, v in CALENDAR_DAY_LABELS.items()]
    )
    reason = StringField(REASON, validators=[Optional(), Length(max=200)])


class RuleForm(FlaskForm):
    """Create or edit a deadline rule."""

    kind = SelectField(
        _l("Jenis rekomendasi"), choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()]
    )
    count = IntegerField(_l("Jumlah hari"), validators=[InputRequired()])
    unit = SelectField(_l("Satuan"), choices=UNIT_CHOICES)
    starts = SelectField(_l("Mulai dihitung"), choices=START_CHOICES)
    legal_basis = StringField(_l("Dasar hukum"), validators=[Optional(), Length(max=300)])
    note = TextAreaField(_l("Catatan"), validators=[Optional(), Length(max=2000)])
    valid_from = DateField(_l("Berlaku sejak"), validators=[Optional()])
    valid_to = DateField(_l("Berlaku sampai"), validators=[Optional()])


class ConfirmForm(FlaskForm):
    """A bare form: CSRF for one-click actions."""


class ApplyChangesForm(FlaskForm):
    """Choose which previewed deadlines to move."""

    deadline_ids = SelectMultipleField(
        _l("Tenggat yang dipindahkan"), coerce=int, validators=[DataRequired()]
    )
