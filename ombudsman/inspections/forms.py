"""Forms for inspections, checklist versions, findings and evidence: adapters over `commands`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    widgets,
)
from wtforms.validators import InputRequired, Optional, Regexp

from ombudsman.contracts import HEAD_COUNT, RECORD_ID, form_validators
from ombudsman.forms_common import AppForm, OptionalIdSelectField, SubForm, options
from ombudsman.inspections import commands as c
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


class InspectionForm(AppForm):
    """Open or edit an inspection (`commands.InspectionDetails`; the times are local to the office)."""

    contract = c.InspectionDetails
    contract_aliases = {"team_ids": "team"}

    title = StringField(_l("Judul"), validators=[InputRequired(), *form_validators(c.TITLE)])
    kind = SelectField(_l("Jenis"), choices=options([(k.value, v) for k, v in KIND_LABELS.items()]))
    authority_id = OptionalIdSelectField(
        _l("Unit yang diinspeksi"), validators=[InputRequired(), *form_validators(RECORD_ID)]
    )
    visited_on = DateField(
        _l("Tanggal kunjungan"), validators=[InputRequired(), *form_validators(c.VISIT_DAY)]
    )
    started_at = TimeField(_l("Jam mulai"), validators=[Optional()])
    ended_at = TimeField(_l("Jam selesai"), validators=[Optional()])
    place = StringField(_l("Tempat"), validators=[Optional(), *form_validators(c.PLACE)])
    team = SelectMultipleField(_l("Tim"), coerce=int, validators=[Optional(), *form_validators(RECORD_ID)])
    trigger = TextAreaField(_l("Pemicu"), validators=[Optional(), *form_validators(c.TRIGGER)])
    summary = TextAreaField(_l("Ringkasan"), validators=[Optional(), *form_validators(c.SUMMARY)])
    visitors_per_day = IntegerField(
        _l("Pengunjung per hari"), validators=[Optional(), *form_validators(HEAD_COUNT)]
    )
    counters_open = IntegerField(
        _l("Loket yang buka"), validators=[Optional(), *form_validators(c.DESK_COUNT)]
    )
    staff_on_duty = IntegerField(
        _l("Petugas yang bertugas"), validators=[Optional(), *form_validators(c.DESK_COUNT)]
    )
    seats = IntegerField(_l("Kursi ruang tunggu"), validators=[Optional(), *form_validators(HEAD_COUNT)])
    queue_system = StringField(
        _l("Sistem antrean"), validators=[Optional(), *form_validators(c.QUEUE_SYSTEM)]
    )


def _ids() -> list:
    """An optional record id of a select."""
    return [Optional(), *form_validators(RECORD_ID)]


class FindingForm(AppForm):
    """Log or edit a finding (`commands.FindingDetails`), with photos straight from the phone's camera."""

    contract = c.FindingDetails

    title = StringField(_l("Judul temuan"), validators=[InputRequired(), *form_validators(c.FINDING_TITLE)])
    description = TextAreaField(_l("Uraian"), validators=[Optional(), *form_validators(c.DESCRIPTION)])
    routing_rule_id = OptionalIdSelectField(_l("Tema"), validators=_ids())
    checklist_item_id = OptionalIdSelectField(_l("Butir checklist"), validators=_ids())
    maladministration = MultiCheckboxField(
        _l("Bentuk maladministrasi"),
        choices=options([(k.value, v) for k, v in MALADMINISTRATION_LABELS.items()]),
    )
    severity = SelectField(
        _l("Tingkat keparahan"),
        choices=options([(k.value, v) for k, v in SEVERITY_LABELS.items()]),
        default=Severity.MEDIUM.value,
    )
    legal_basis = StringField(_l("Dasar hukum"), validators=[Optional(), *form_validators(c.LEGAL_BASIS)])
    responsible_authority_id = OptionalIdSelectField(_l("Instansi yang bertanggung jawab"), validators=_ids())
    second_authority_id = OptionalIdSelectField(
        _l("Instansi kedua (tanggung jawab bersama)"), validators=_ids()
    )
    routing_note = TextAreaField(
        _l("Catatan bila memilih instansi lain dari saran"),
        validators=[Optional(), *form_validators(c.ROUTING_NOTE)],
    )
    status = SelectField(
        _l("Status"),
        choices=options([(k.value, v) for k, v in STATUS_LABELS.items()]),
        default=FindingStatus.OPEN.value,
    )
    photos = MultipleFileField(_l("Foto atau dokumen"))


class EvidenceForm(AppForm):
    """Upload evidence to an inspection or one of its findings (`commands.EvidenceDetails`)."""

    contract = c.EvidenceDetails

    files = MultipleFileField(_l("Berkas"))
    caption = StringField(_l("Keterangan"), validators=[Optional(), *form_validators(c.CAPTION)])


class ChecklistItemForm(SubForm):
    """One row of a checklist version (`commands.ChecklistRow`); an empty label drops the row."""

    contract = c.ChecklistRow

    code = StringField(
        _l("Kode"), validators=[Optional(), *form_validators(c.ITEM_CODE), Regexp(c.ITEM_CODE_PATTERN)]
    )
    group = StringField(_l("Kelompok"), validators=[Optional(), *form_validators(c.ITEM_GROUP)])
    label = StringField(_l("Butir"), validators=[Optional(), *form_validators(c.ITEM_LABEL)])
    basis = StringField(_l("Dasar"), validators=[Optional(), *form_validators(c.ITEM_BASIS)])
    routing_rule_id = OptionalIdSelectField(_l("Aturan"), validators=_ids())


class ChecklistVersionForm(AppForm):
    """A new version of a checklist (`commands.ChecklistVersion`)."""

    contract = c.ChecklistVersion

    name = StringField(_l("Nama"), validators=[InputRequired(), *form_validators(c.CHECKLIST_NAME)])
    items = FieldList(FormField(ChecklistItemForm), min_entries=1)
