"""What the audit trail's codes mean to people: a label and a kind of value for every recorded field.

The services record raw field names and codes (`responsible_authority_id`, `submitted`); this registry says
how to show them. Where a form edits the field, the label is read from that form's class, so the trail and the
form always use the same (lazily translated) words. Fields no form edits get their own label here.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Form

from ombudsman.accounts.commands import OFFICE_FIELDS
from ombudsman.accounts.forms import ROLE_LABELS, OfficeForm, UserForm
from ombudsman.authorities.forms import LEVEL_CHOICES, AuthorityForm, RoutingRuleForm
from ombudsman.deadlines.escalation import STEP_LABELS
from ombudsman.deadlines.forms import (
    CALENDAR_DAY_LABELS,
    REASON,
    CalendarDayForm,
    EscalationRecordForm,
    OutcomeForm,
    ReceivedForm,
    ReinspectionForm,
    ResponseForm,
    RuleForm,
    SettingsForm,
    StopForm,
)
from ombudsman.inspections.forms import (
    ANSWER_LABELS,
    INSPECTION_STATUS_LABELS,
    KIND_LABELS,
    MALADMINISTRATION_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    ChecklistItemForm,
    EvidenceForm,
    FindingForm,
    InspectionForm,
)
from ombudsman.letters.forms import DELIVERY_LABELS, DeliveryForm, LetterForm, LetterSettingsForm, NoteForm
from ombudsman.letters.forms import KIND_LABELS as LETTER_KIND_LABELS
from ombudsman.letters.forms import STATUS_LABELS as LETTER_STATUS_LABELS
from ombudsman.pdf import FONTS
from ombudsman.recommendations.forms import KIND_LABELS as REC_KIND_LABELS
from ombudsman.recommendations.forms import STATUS_LABELS as REC_STATUS_LABELS
from ombudsman.recommendations.forms import RecommendationForm


class Kind(enum.StrEnum):
    """How a recorded value is shown."""

    TEXT = "text"  # shortened when long
    CODE = "code"  # shown whole (fingerprints, token prefixes)
    NUMBER = "number"
    BOOL = "bool"  # Ya / Tidak
    DATE = "date"  # an ISO calendar date
    MOMENT = "moment"  # an ISO UTC instant, shown in the office's zone
    CHOICE = "choice"  # a code with a label in `choices`
    REF = "ref"  # the id of a record of kind `ref`
    COPIES = "copies"  # a letter's Tembusan: [[authority_id or None, text], ...]
    ANSWER = "answer"  # a checklist answer: [answer code, note]
    FILES = "files"  # [{"filename": ..., ...}, ...]
    FILENAME = "filename"  # an uploaded file's name as sent: shown without hidden characters
    WEEKDAYS = "weekdays"  # "5,6": Monday is 0


class Ref(enum.StrEnum):
    """Records the trail names by id; each is looked up once per trail."""

    USER = "user"
    AUTHORITY = "authority"
    INSPECTION = "inspection"
    FINDING = "finding"
    RECOMMENDATION = "recommendation"
    LETTER = "letter"
    CHECKLIST = "checklist"
    CHECKLIST_ITEM = "checklist_item"
    ROUTING_RULE = "routing_rule"
    DEADLINE_RULE = "deadline_rule"


@dataclass(frozen=True)
class Field:
    """One recorded field: its label, and how its value is shown."""

    label: Any  # a lazy string
    kind: Kind = Kind.TEXT
    choices: Mapping[str, Any] | None = None
    ref: Ref | None = None
    many: bool = False  # the value is a list of such values

    @property
    def depth(self) -> int:
        """How deeply one value of this field nests lists (0 for a plain value)."""
        inner = {Kind.COPIES: 2, Kind.ANSWER: 1, Kind.FILES: 1}.get(self.kind, 0)
        return inner + (1 if self.many else 0)


_HINT = re.compile(r"\s*\([^()]*\)\s*$")


def short_label(label: Any) -> str:
    """A form label without its trailing hint in brackets: "Ukuran huruf (pt)" -> "Ukuran huruf"."""
    text = str(label)
    return _HINT.sub("", text) or text


def form_label(form: type[Form], name: str) -> Any:
    """The (lazy) label of a form field, read from the form's class: the words the form shows."""
    unbound = getattr(form, name)
    return unbound.kwargs["label"] if "label" in unbound.kwargs else unbound.args[0]


def form_choices(form: type[Form], name: str) -> dict[str, Any]:
    """The {code: label} choices of a form's select field, read from the form's class."""
    choices = getattr(form, name).kwargs["choices"]
    return {c.value: c.label for c in choices if c.value != ""}


def _f(form: type[Form], name: str, kind: Kind = Kind.TEXT, **kwargs: Any) -> Field:
    return Field(form_label(form, name), kind, **kwargs)


YES, NO, NOTHING = _l("Ya"), _l("Tidak"), "\u2014"
STATUS = _l("Status")
LEVELS = dict(LEVEL_CHOICES)
UNITS = form_choices(RuleForm, "unit")
STARTS = form_choices(RuleForm, "starts")
RESPONSIBILITIES = form_choices(RoutingRuleForm, "responsibility")

INSPECTION = {
    "authority_id": _f(InspectionForm, "authority_id", Kind.REF, ref=Ref.AUTHORITY),
    "kind": _f(InspectionForm, "kind", Kind.CHOICE, choices=KIND_LABELS),
    "title": _f(InspectionForm, "title"),
    "visited_on": _f(InspectionForm, "visited_on", Kind.DATE),
    "started_at": _f(InspectionForm, "started_at", Kind.MOMENT),
    "ended_at": _f(InspectionForm, "ended_at", Kind.MOMENT),
    "place": _f(InspectionForm, "place"),
    "trigger": _f(InspectionForm, "trigger"),
    "summary": _f(InspectionForm, "summary"),
    "visitors_per_day": _f(InspectionForm, "visitors_per_day", Kind.NUMBER),
    "counters_open": _f(InspectionForm, "counters_open", Kind.NUMBER),
    "staff_on_duty": _f(InspectionForm, "staff_on_duty", Kind.NUMBER),
    "seats": _f(InspectionForm, "seats", Kind.NUMBER),
    "queue_system": _f(InspectionForm, "queue_system"),
    "team": _f(InspectionForm, "team", Kind.REF, ref=Ref.USER, many=True),
    "checklist_id": Field(_l("Versi checklist"), Kind.REF, ref=Ref.CHECKLIST),
    "status": Field(STATUS, Kind.CHOICE, choices=INSPECTION_STATUS_LABELS),
}
#: A checklist answer is recorded under "item:<checklist item id>"; the item's own label names it.
CHECKLIST_ITEM_PREFIX = "item:"
CHECKLIST_ANSWER = Field(form_label(ChecklistItemForm, "label"), Kind.ANSWER, choices=ANSWER_LABELS)

FINDING = {
    "title": _f(FindingForm, "title"),
    "description": _f(FindingForm, "description"),
    "severity": _f(FindingForm, "severity", Kind.CHOICE, choices=SEVERITY_LABELS),
    "legal_basis": _f(FindingForm, "legal_basis"),
    "status": _f(FindingForm, "status", Kind.CHOICE, choices=STATUS_LABELS),
    "checklist_item_id": _f(FindingForm, "checklist_item_id", Kind.REF, ref=Ref.CHECKLIST_ITEM),
    "routing_rule_id": _f(FindingForm, "routing_rule_id", Kind.REF, ref=Ref.ROUTING_RULE),
    "suggested_authority_id": Field(_l("Instansi yang disarankan"), Kind.REF, ref=Ref.AUTHORITY),
    "responsible_authority_id": _f(FindingForm, "responsible_authority_id", Kind.REF, ref=Ref.AUTHORITY),
    "second_authority_id": _f(FindingForm, "second_authority_id", Kind.REF, ref=Ref.AUTHORITY),
    "routing_note": _f(FindingForm, "routing_note"),
    "maladministration": _f(
        FindingForm, "maladministration", Kind.CHOICE, choices=MALADMINISTRATION_LABELS, many=True
    ),
}

EVIDENCE = {
    "sha256": Field(_l("Sidik jari SHA-256"), Kind.CODE),
    "filename": Field(form_label(EvidenceForm, "files"), Kind.FILENAME),
    "size": Field(_l("Ukuran (bita)"), Kind.NUMBER),
    "finding_id": Field(_l("Temuan terkait"), Kind.REF, ref=Ref.FINDING),
}

RECOMMENDATION = {
    "authority_id": _f(RecommendationForm, "authority_id", Kind.REF, ref=Ref.AUTHORITY),
    "kind": _f(RecommendationForm, "kind", Kind.CHOICE, choices=REC_KIND_LABELS),
    "text": _f(RecommendationForm, "text"),
    "status": _f(RecommendationForm, "status", Kind.CHOICE, choices=REC_STATUS_LABELS),
    "outcome_note": _f(RecommendationForm, "outcome_note"),
    "inspection_id": Field(_l("Inspeksi asal"), Kind.REF, ref=Ref.INSPECTION),
    "position": Field(_l("Nomor urut"), Kind.NUMBER),
    "finding_ids": _f(RecommendationForm, "finding_ids", Kind.REF, ref=Ref.FINDING, many=True),
}

AUTHORITY = {
    "name": _f(AuthorityForm, "name"),
    "short_name": _f(AuthorityForm, "short_name"),
    "level": _f(AuthorityForm, "level", Kind.CHOICE, choices=LEVELS),
    "head_title": _f(AuthorityForm, "head_title"),
    "place_line": _f(AuthorityForm, "place_line"),
    "address": _f(AuthorityForm, "address"),
    "email": _f(AuthorityForm, "email"),
    "phone": _f(AuthorityForm, "phone"),
    "parent_id": _f(AuthorityForm, "parent_id", Kind.REF, ref=Ref.AUTHORITY),
    "active": _f(AuthorityForm, "active", Kind.BOOL),
}

ROUTING_RULE = {
    "code": _f(RoutingRuleForm, "code", Kind.CODE),
    "theme": _f(RoutingRuleForm, "theme"),
    "keywords": _f(RoutingRuleForm, "keywords"),
    "responsibility": _f(RoutingRuleForm, "responsibility", Kind.CHOICE, choices=RESPONSIBILITIES),
    "level": _f(RoutingRuleForm, "level", Kind.CHOICE, choices=LEVELS),
    "authority_id": _f(RoutingRuleForm, "authority_id", Kind.REF, ref=Ref.AUTHORITY),
    "second_level": _f(RoutingRuleForm, "second_level", Kind.CHOICE, choices=LEVELS),
    "second_authority_id": _f(RoutingRuleForm, "second_authority_id", Kind.REF, ref=Ref.AUTHORITY),
    "reason": _f(RoutingRuleForm, "reason"),
    "legal_basis": _f(RoutingRuleForm, "legal_basis"),
    "position": _f(RoutingRuleForm, "position", Kind.NUMBER),
    "active": _f(RoutingRuleForm, "active", Kind.BOOL),
}

LETTER = {
    "kind": _f(LetterForm, "kind", Kind.CHOICE, choices=LETTER_KIND_LABELS),
    "authority_id": _f(LetterForm, "authority_id", Kind.REF, ref=Ref.AUTHORITY),
    "recipient_lines": _f(LetterForm, "recipient_lines"),
    "hal": _f(LetterForm, "hal"),
    "sifat": _f(LetterForm, "sifat"),
    "lampiran": _f(LetterForm, "lampiran"),
    "place": _f(LetterForm, "place"),
    "opening": _f(LetterForm, "opening"),
    "closing": _f(LetterForm, "closing"),
    "signatory_name": _f(LetterForm, "signatory_name"),
    "signatory_title": _f(LetterForm, "signatory_title"),
    "annex": _f(LetterForm, "annex", Kind.BOOL),
    "recommendation_ids": _f(LetterForm, "recommendation_ids", Kind.REF, ref=Ref.RECOMMENDATION, many=True),
    "copies": _f(LetterForm, "copies", Kind.COPIES),
    "delivery_method": _f(DeliveryForm, "method", Kind.CHOICE, choices=DELIVERY_LABELS),
    "delivered_on": _f(DeliveryForm, "delivered_on", Kind.DATE),
    "received_on": _f(DeliveryForm, "received_on", Kind.DATE),
    "delivery_note": _f(DeliveryForm, "note"),
    "status": Field(STATUS, Kind.CHOICE, choices=LETTER_STATUS_LABELS),
    "number": Field(form_label(EscalationRecordForm, "reference")),
    "date": Field(form_label(ReceivedForm, "issued_on"), Kind.DATE),
    "sha256": EVIDENCE["sha256"],
    "note": _f(NoteForm, "note"),
    "reason": Field(REASON),
    "supersedes_id": Field(_l("Menggantikan surat"), Kind.REF, ref=Ref.LETTER),
    "superseded_by": Field(_l("Diganti dengan surat"), Kind.REF, ref=Ref.LETTER),
    "deadlines_started": Field(
        _l("Tenggat mulai berjalan untuk rekomendasi"), Kind.REF, ref=Ref.RECOMMENDATION, many=True
    ),
    "deadlines_corrected": Field(
        _l("Tenggat dikoreksi untuk rekomendasi"), Kind.REF, ref=Ref.RECOMMENDATION, many=True
    ),
    "step": Field(_l("Langkah eskalasi"), Kind.CHOICE, choices=STEP_LABELS),
    "demo": Field(_l("Bertanda DEMO (pengaturan surat belum lengkap)"), Kind.BOOL),
    "signed": Field(_l("Ditandatangani secara elektronik"), Kind.BOOL),
    # Receipt and electronic delivery through the authority portal (issue 14).
    "portal_user": Field(_l("Dibuka oleh kontak instansi")),
    "remote_addr": Field(_l("Dari alamat"), Kind.CODE),
    "recipients": Field(_l("Penerima e-mail"), many=True),
}

_LETTER_SETTINGS = {
    "number_template": _f(LetterSettingsForm, "number_template", Kind.CODE),
    "classification": _f(LetterSettingsForm, "classification"),
    "unit_code": _f(LetterSettingsForm, "unit_code"),
    "header": _f(LetterSettingsForm, "header"),
    "signatory_title": _f(LetterSettingsForm, "signatory_title"),
    "paper": _f(LetterSettingsForm, "paper"),
    "font": _f(LetterSettingsForm, "font", Kind.CHOICE, choices={k: f.label for k, f in FONTS.items()}),
    **{
        name: _f(LetterSettingsForm, name, Kind.NUMBER)
        for name in ("font_size", "margin_top", "margin_right", "margin_bottom", "margin_left")
    },
}
OFFICE = {
    **{name: _f(OfficeForm, name) for name in OFFICE_FIELDS},
    # Letter settings: recorded with these keys since they have their own table, with `letter_` before.
    **{key: field for name, field in _LETTER_SETTINGS.items() for key in (name, f"letter_{name}")},
    "weekend_days": _f(SettingsForm, "weekend", Kind.WEEKDAYS),
    "cuti_bersama_is_working": _f(SettingsForm, "cuti_bersama_is_working", Kind.BOOL),
    "due_soon_working_days": _f(SettingsForm, "due_soon_working_days", Kind.NUMBER),
    "emblem_sha256": Field(_l("SHA-256 lambang kop surat")),
    # Electronic signatures (`ombudsman.letters.signing`): the mode, the trust roots, a signatory's key.
    "electronic_signature": Field(_l("Tanda tangan elektronik"), Kind.BOOL),
    "trust_roots": Field(_l("Sertifikat akar tepercaya"), Kind.CODE, many=True),
    "signatory": Field(_l("Penanda tangan")),
    "subject": Field(_l("Subjek sertifikat"), Kind.CODE),
    "issuer": Field(_l("Penerbit sertifikat"), Kind.CODE),
    "fingerprint": Field(_l("Sidik jari sertifikat (SHA-256)"), Kind.CODE),
    "valid_until": Field(_l("Sertifikat berlaku sampai"), Kind.MOMENT),
}

USER = {
    "email": _f(UserForm, "email"),
    "name": _f(UserForm, "name"),
    "role": _f(UserForm, "role", Kind.CHOICE, choices=ROLE_LABELS),
    "active": _f(UserForm, "active", Kind.BOOL),
}

API_TOKEN = {
    "prefix": Field(_l("Awalan token"), Kind.CODE),
    "expires_at": Field(form_label(RuleForm, "valid_to"), Kind.MOMENT),
}
#: A portal account's API token (`ombudsman.portal.api_tokens`): a staff token's fields and the account.
PORTAL_API_TOKEN = {**API_TOKEN, "portal_user_id": Field(_l("Akun portal (nomor)"), Kind.CODE)}

CHECKLIST = {
    "code": _f(ChecklistItemForm, "code", Kind.CODE),
    "version": Field(_l("Versi"), Kind.NUMBER),
    "from_version": Field(_l("Dari versi"), Kind.NUMBER),
    "items": Field(form_label(ChecklistItemForm, "label"), Kind.CODE, many=True),
}

DEADLINE_RULE = {
    "kind": _f(RuleForm, "kind", Kind.CHOICE, choices=REC_KIND_LABELS),
    "count": _f(RuleForm, "count", Kind.NUMBER),
    "unit": _f(RuleForm, "unit", Kind.CHOICE, choices=UNITS),
    "starts": _f(RuleForm, "starts", Kind.CHOICE, choices=STARTS),
    "next_working_day": _f(RuleForm, "next_working_day", Kind.BOOL),
    "legal_basis": _f(RuleForm, "legal_basis"),
    "note": _f(RuleForm, "note"),
    "valid_from": _f(RuleForm, "valid_from", Kind.DATE),
    "valid_to": _f(RuleForm, "valid_to", Kind.DATE),
}

CALENDAR_DAY = {
    "day": _f(CalendarDayForm, "day", Kind.DATE),
    "kind": _f(CalendarDayForm, "kind", Kind.CHOICE, choices=CALENDAR_DAY_LABELS),
    "reason": _f(CalendarDayForm, "reason"),
}

OUTCOME = _f(OutcomeForm, "status", Kind.CHOICE, choices=REC_STATUS_LABELS)
DEADLINE = {
    "rule_id": Field(_l("Aturan tenggat yang dipakai"), Kind.REF, ref=Ref.DEADLINE_RULE),
    "count": DEADLINE_RULE["count"],
    "unit": DEADLINE_RULE["unit"],
    "starts": DEADLINE_RULE["starts"],
    "next_working_day": DEADLINE_RULE["next_working_day"],
    "issued_on": _f(ReceivedForm, "issued_on", Kind.DATE),
    "received_on": _f(ReceivedForm, "received_on", Kind.DATE),
    "start_on": Field(_l("Hari pertama dihitung"), Kind.DATE),
    "due_on": Field(_l("Jatuh tempo"), Kind.DATE),
    "stopped_on": _f(StopForm, "stopped_on", Kind.DATE),
    "closed_on": _f(OutcomeForm, "closed_on", Kind.DATE),
    "outcome": OUTCOME,
    "met": Field(_l("Tepat waktu"), Kind.BOOL),
    "reason": Field(REASON),
}

FOLLOW_UP = {
    "recommendation_id": Field(_l("Rekomendasi terkait"), Kind.REF, ref=Ref.RECOMMENDATION),
    "on": _f(ResponseForm, "responded_on", Kind.DATE),
    "files": Field(form_label(EvidenceForm, "files"), Kind.FILES),
    "result": _f(ReinspectionForm, "result", Kind.CHOICE, choices=REC_STATUS_LABELS),
    "outcome": OUTCOME,
    "step": _f(EscalationRecordForm, "step", Kind.CHOICE, choices=STEP_LABELS),
    "reference": _f(EscalationRecordForm, "reference"),
}

#: An authority's contact person and the portal's records (issue 14, `ombudsman.portal`).
AUTHORITY_CONTACT = {
    "name": Field(_l("Nama")),
    "position": Field(_l("Jabatan")),
    "email": Field(_l("E-mail")),
    "includes_sub_units": Field(_l("Juga menerima surat untuk unit di bawah instansi ini"), Kind.BOOL),
    "active": Field(_l("Aktif"), Kind.BOOL),
    "authority_id": Field(_l("Instansi"), Kind.REF, ref=Ref.AUTHORITY),
    "expires_at": Field(_l("Berlaku sampai"), Kind.MOMENT),
}
EXTENSION_REQUEST = {
    "recommendation_id": Field(_l("Rekomendasi terkait"), Kind.REF, ref=Ref.RECOMMENDATION),
    "proposed_due_on": Field(_l("Tenggat yang diusulkan"), Kind.DATE),
    "portal_user": Field(_l("Kontak instansi")),
    "note": Field(_l("Catatan untuk instansi")),
}
PORTAL_USER = {"purpose": Field(_l("Jenis tautan"))}

#: entity type (as recorded) -> field name -> Field.
FIELDS: Mapping[str, Mapping[str, Field]] = {
    "inspection": INSPECTION,
    "finding": FINDING,
    "evidence": EVIDENCE,
    "recommendation": RECOMMENDATION,
    "authority": AUTHORITY,
    "routing_rule": ROUTING_RULE,
    "letter": LETTER,
    "office": OFFICE,
    "user": USER,
    "api_token": API_TOKEN,
    "portal_api_token": PORTAL_API_TOKEN,
    "checklist": CHECKLIST,
    "deadline_rule": DEADLINE_RULE,
    "calendar_day": CALENDAR_DAY,
    "deadline": DEADLINE,
    "follow_up": FOLLOW_UP,
    "calendar_feed": {},
    "authority_contact": AUTHORITY_CONTACT,
    "extension_request": EXTENSION_REQUEST,
    "portal_user": PORTAL_USER,
}

#: action (as recorded) -> what happened, with the person who did it as %(user)s.
ACTIONS: Mapping[str, Any] = {
    "created": _l("dibuat oleh %(user)s"),
    "updated": _l("diubah oleh %(user)s"),
    "deleted": _l("dihapus oleh %(user)s"),
    "submitted": _l("diajukan oleh %(user)s"),
    "reopened": _l("dibuka kembali oleh %(user)s"),
    "checklist": _l("checklist diisi oleh %(user)s"),
    "uploaded": _l("bukti diunggah oleh %(user)s"),
    "approved": _l("disetujui oleh %(user)s"),
    "returned": _l("dikembalikan ke draf oleh %(user)s"),
    "number_reserved": _l("nomor surat dipesan oleh %(user)s untuk diterbitkan"),
    "completed_unsigned": _l(
        "dilanjutkan sebagai surat kertas (tanpa tanda tangan elektronik) oleh %(user)s karena tanda tangan "
        "elektronik telah dimatikan"
    ),
    "letter_emblem": _l("lambang kop surat diunggah oleh %(user)s"),
    "issued": _l("diterbitkan oleh %(user)s"),
    "superseded": _l("diganti dengan surat baru oleh %(user)s"),
    "delivery": _l("pengiriman dicatat oleh %(user)s"),
    "received_on_corrected": _l("tanggal diterima dikoreksi oleh %(user)s"),
    "receipt_corrected": _l("tanggal diterima dikoreksi oleh %(user)s"),
    "escalation_drafted": _l("draf surat eskalasi dibuat oleh %(user)s"),
    "letter_settings": _l("pengaturan surat diubah oleh %(user)s"),
    "deadline_settings": _l("pengaturan tenggat diubah oleh %(user)s"),
    "revoked": _l("dicabut oleh %(user)s"),
    "regenerated": _l("dibuat ulang oleh %(user)s"),
    "sessions_ended": _l("semua sesi diakhiri oleh %(user)s"),
    "started": _l("tenggat mulai berjalan, dicatat oleh %(user)s"),
    "extended": _l("diperpanjang oleh %(user)s"),
    "stopped": _l("penghentian sementara oleh %(user)s"),
    "restarted": _l("tenggat berjalan kembali oleh %(user)s"),
    "closed": _l("ditutup oleh %(user)s"),
    "recomputed": _l("dihitung ulang oleh %(user)s"),
    "response": _l("tanggapan instansi dicatat oleh %(user)s"),
    "reinspection": _l("inspeksi ulang dicatat oleh %(user)s"),
    "escalation": _l("surat eskalasi dicatat oleh %(user)s"),
    "locked": _l("dikunci sementara oleh %(user)s setelah berulang kali gagal masuk"),
    "unlocked": _l("kuncinya dibuka oleh %(user)s"),
    "password_changed": _l("kata sandi diganti oleh %(user)s"),
    "password_reset_requested": _l("tautan atur ulang kata sandi dikirim, diminta oleh %(user)s"),
    "password_reset": _l("kata sandi diatur ulang lewat e-mail oleh %(user)s"),
    "invited": _l("diundang ke portal instansi oleh %(user)s"),
    "link_used": _l("masuk ke portal instansi dengan tautan sekali pakai"),
    "requested": _l("diminta oleh instansi melalui portal"),
    "granted": _l("dikabulkan oleh %(user)s"),
    "refused": _l("ditolak oleh %(user)s"),
    "portal_receipt": _l("diterima: dibuka pertama kali oleh instansi di portal"),
    "e_delivery_requested": _l("pengiriman elektronik ke kontak instansi diminta oleh %(user)s"),
    "signing_trust_roots": _l("sertifikat akar tepercaya diganti oleh %(user)s"),
    "signing_key_uploaded": _l("sertifikat tanda tangan elektronik diunggah oleh %(user)s"),
}
#: For an action this registry does not know yet: still a sentence, never the raw code.
OTHER_ACTION = _l("dicatat oleh %(user)s")
#: Who did it when no user did (the seed, a scheduled job).
SYSTEM = _l("sistem")


def field_for(entity_type: str, key: str) -> Field | None:
    """The Field of a recorded key of an entity type (checklist answers included), or None if unknown."""
    if key.startswith(CHECKLIST_ITEM_PREFIX):
        return CHECKLIST_ANSWER
    return FIELDS.get(entity_type, {}).get(key)
