"""Forms for inspections, checklist answers, findings and evidence."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ombudsman.forms_common import OptionalIdSelectField, options
from ombudsman.inspections.models import (
    Answer,
    FindingStatus,
    InspectionKind,
    InspectionStatus,
    Maladministration,
    Severity,
)

KIND_LABELS = {
    InspectionKind.SIDAK: _l("Inspeksi mendadak (sidak)"),
    InspectionKind.OWN_MOTION: _l("Investigasi atas Prakarsa Sendiri"),
    InspectionKind.MONITORING: _l("Monitoring tindak lanjut"),
    InspectionKind.COMPLIANCE: _l("Penilaian kepatuhan standar pelayanan"),
}
MALADMINISTRATION_LABELS = {
    Maladministration.PENUNDAAN_BERLARUT: _l("Penundaan berlarut"),
    Maladministration.TIDAK_MEMBERIKAN_PELAYANAN: _l("Tidak memberikan pelayanan"),
    Maladministration.TIDAK_KOMPETEN: _l("Tidak kompeten"),
    Maladministration.PENYALAHGUNAAN_WEWENANG: _l("Penyalahgunaan wewenang"),
    Maladministration.PENYIMPANGAN_PROSEDUR: _l("Penyimpangan prosedur"),
    Maladministration.PERMINTAAN_IMBALAN: _l("Permintaan imbalan"),
    Maladministration.TIDAK_PATUT: _l("Tidak patut"),
    Maladministration.BERPIHAK: _l("Berpihak"),
    Maladministration.DISKRIMINASI: _l("Diskriminasi"),
    Maladministration.KONFLIK_KEPENTINGAN: _l("Konflik kepentingan"),
    Maladministration.PENGABAIAN_KEWAJIBAN_HUKUM: _l("Pengabaian kewajiban hukum"),
}
# The checklist's answers, in the words of the inspection page and the capture page.
ANSWER_LABELS = {
    Answer.PRESENT: _l("ada"),
    Answer.PARTIAL: _l("sebagian"),
    Answer.ABSENT: _l("tidak ada"),
    Answer.NOT_ASSESSED: _l("tidak dinilai"),
}
INSPECTION_STATUS_LABELS = {InspectionStatus.DRAFT: _l("draf"), InspectionStatus.SUBMITTED: _l("diajukan")}
SEVERITY_LABELS = {Severity.LOW: _l("Rendah"), Severity.MEDIUM: _l("Sedang"), Severity.HIGH: _l("Tinggi")}
STATUS_LABELS = {
    FindingStatus.OPEN: _l("Terbuka"),
    FindingStatus.IN_FOLLOW_UP: _l("Dalam tindak lanjut"),
    FindingStatus.RESOLVED: _l("Selesai"),
    FindingStatus.WITHDRAWN: _l("Dibatalkan"),
}


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes for one multi-valued field."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class InspectionForm(FlaskForm):
    """Open or edit an inspection."""

    title = StringField(_l("Judul"), validators=[DataRequired(), Length(max=250)])
    kind = SelectField(_l("Jenis"), choices=options([(k.value, v) for k, v in KIND_LABELS.items()]))
    authority_id = OptionalIdSelectField(_l("Unit yang diinspeksi"), validators=[DataRequired()])
    visited_on = DateField(_l("Tanggal kunjungan"), validators=[DataRequired()])
    started_at = TimeField(_l("Jam mulai"), validators=[Optional()])
    ended_at = TimeField(_l("Jam selesai"), validators=[Optional()])
    place = StringField(_l("Tempat"), validators=[Optional(), Length(max=250)])
    team = SelectMultipleField(_l("Tim"), coerce=int, validators=[Optional()])
    trigger = TextAreaField(_l("Pemicu"), validators=[Optional(), Length(max=5000)])
    summary = TextAreaField(_l("Ringkasan"), validators=[Optional(), Length(max=20000)])
    visitors_per_day = IntegerField(
        _l("Pengunjung per hari"), validators=[Optional(), NumberRange(min=0, max=1_000_000)]
    )
    counters_open = IntegerField(
        _l("Loket yang buka"), validators=[Optional(), NumberRange(min=0, max=10_000)]
    )
    staff_on_duty = IntegerField(
        _l("Petugas yang bertugas"), validators=[Optional(), NumberRange(min=0, max=10_000)]
    )
    seats = IntegerField(_l("Kursi ruang tunggu"), validators=[Optional(), NumberRange(min=0, max=1_000_000)])
    queue_system = StringField(_l("Sistem antrean"), validators=[Optional(), Length(max=200)])


class FindingForm(FlaskForm):
    """Log or edit a finding, with photos straight from the phone's camera."""

    title = StringField(_l("Judul temuan"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Uraian"), validators=[Optional(), Length(max=20000)])
    routing_rule_id = OptionalIdSelectField(_l("Tema"))
    checklist_item_id = OptionalIdSelectField(_l("Butir checklist"))
    maladministration = MultiCheckboxField(
        _l("Bentuk maladministrasi"),
        choices=options([(k.value, v) for k, v in MALADMINISTRATION_LABELS.items()]),
    )
    severity = SelectField(
        _l("Tingkat keparahan"),
        choices=options([(k.value, v) for k, v in SEVERITY_LABELS.items()]),
        default=Severity.MEDIUM.value,
    )
    legal_basis = StringField(_l("Dasar hukum"), validators=[Optional(), Length(max=300)])
    responsible_authority_id = OptionalIdSelectField(_l("Instansi yang bertanggung jawab"))
    second_authority_id = OptionalIdSelectField(_l("Instansi kedua (tanggung jawab bersama)"))
    routing_note = TextAreaField(
        _l("Catatan bila memilih instansi lain dari saran"), validators=[Optional(), Length(max=2000)]
    )
    status = SelectField(
        _l("Status"),
        choices=options([(k.value, v) for k, v in STATUS_LABELS.items()]),
        default=FindingStatus.OPEN.value,
    )
    photos = MultipleFileField(_l("Foto atau dokumen"))


class EvidenceForm(FlaskForm):
    """Upload evidence to an inspection or one of its findings."""

    files = MultipleFileField(_l("Berkas"))
    caption = StringField(_l("Keterangan"), validators=[Optional(), Length(max=300)])


class ChecklistItemForm(Form):
    """One row of a checklist version; an empty label drops the row."""

    code = StringField(_l("Kode"), validators=[Optional(), Length(max=60), Regexp(r"^[a-z0-9_]*$")])
    group = StringField(_l("Kelompok"), validators=[Optional(), Length(max=120)])
    label = StringField(_l("Butir"), validators=[Optional(), Length(max=300)])
    basis = StringField(_l("Dasar"), validators=[Optional(), Length(max=200)])
    routing_rule_id = OptionalIdSelectField(_l("Aturan"))


class ChecklistVersionForm(FlaskForm):
    """A new version of a checklist."""

    name = StringField(_l("Nama"), validators=[DataRequired(), Length(max=200)])
    items = FieldList(FormField(ChecklistItemForm), min_entries=1)
