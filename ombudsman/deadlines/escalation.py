"""Escalation of an overdue recommendation: which letter comes next, to whom, pre-filled with the history.

The decision follows DOMAIN.md: first a reminder (*pengingat*) to the authority; when it is still ignored, a
letter to its superior in the register, or a *Rekomendasi* draft for head office (always so for ignored
corrective actions, and when there is no superior to turn to). The result is plain data: the letters
package turns it into a draft letter (`draft_letter`). The history and subject are letter text, always
Indonesian; the reason is shown on the page in the reader's language and kept in Indonesian for the audit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ombudsman.accounts.models import Office, User
from ombudsman.authorities.models import Authority
from ombudsman.deadlines.calendar import format_date_id
from ombudsman.deadlines.computation import days_between
from ombudsman.deadlines.models import (
    PAST_DUE_STATES,
    Deadline,
    EscalationStep,
    EventKind,
    FollowUpEvent,
    Unit,
)
from ombudsman.deadlines.settings import state_cutoffs
from ombudsman.deadlines.states import StateCutoffs, state_of
from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.letters import services as letters
from ombudsman.recommendations.models import CLOSED_STATUSES, Recommendation, RecommendationKind

STEP_LETTER_KIND = {
    EscalationStep.REMINDER: "pengingat",
    EscalationStep.SUPERIOR: "pengingat",
    EscalationStep.HEAD_OFFICE: "rekomendasi_draft",
}
# Letter text (always Indonesian): the step and the unit as the history of a letter names them.
LETTER_UNITS = {Unit.WORKING: "hari kerja", Unit.CALENDAR: "hari kalender"}
STEP_LABELS = {
    EscalationStep.REMINDER: "Surat pengingat kepada instansi",
    EscalationStep.SUPERIOR: "Surat kepada atasan instansi",
    EscalationStep.HEAD_OFFICE: "Draf Rekomendasi untuk Ombudsman RI",
}
KIND_NAMES = {
    RecommendationKind.SARAN: "saran perbaikan",
    RecommendationKind.TINDAKAN_KOREKTIF: "tindakan korektif",
    RecommendationKind.REKOMENDASI: "Rekomendasi",
}
# Head office is not in the register of public bodies; the letters package lets the drafter edit these lines.
HEAD_OFFICE = {
    "name": "Ombudsman Republik Indonesia",
    "head_title": "Ketua Ombudsman Republik Indonesia",
    "place_line": "di Jakarta",
}


@dataclass(frozen=True)
class Recipient:
    """Who the next letter is addressed to; `authority_id` is None for head office."""

    authority_id: int | None
    name: str
    head_title: str
    place_line: str


@dataclass(frozen=True)
class EscalationPlan:
    """Everything a drafter needs for the next letter about ignored recommendations."""

    step: EscalationStep
    letter_kind: str
    office_id: int
    authority_id: int
    authority_name: str
    recipient: Recipient
    subject: str
    recommendation_ids: tuple[int, ...]
    reason: str  # in Indonesian, for the audit trail
    history: str
    # The reason in the reader's language, for the page.
    reason_label: LazyString | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (for the letters service and the API)."""
        data = asdict(self)
        data.pop("reason_label")
        data["step"] = self.step.value
        data["recommendation_ids"] = list(self.recommendation_ids)
        return data


def _events(rec_ids: list[int]) -> dict[int, list[FollowUpEvent]]:
    events: dict[int, list[FollowUpEvent]] = defaultdict(list)
    rows = db.session.scalars(
        select(FollowUpEvent)
        .where(
            FollowUpEvent.recommendation_id.in_(rec_ids),
            FollowUpEvent.kind.in_([EventKind.RESPONSE, EventKind.ESCALATION]),
        )
        .order_by(FollowUpEvent.occurred_on, FollowUpEvent.id)
    )
    for event in rows:
        events[event.recommendation_id].append(event)
    return events


def next_step(rec: Recommendation, events: list[FollowUpEvent]) -> tuple[EscalationStep, LazyString]:
    """The next step for one overdue recommendation given its responses and escalations, and why."""
    escalations = [e for e in events if e.kind is EventKind.ESCALATION]
    if not escalations:
        return EscalationStep.REMINDER, _l("Tenggat terlewati dan belum ada surat pengingat.")
    last = escalations[-1]
    if any(e.kind is EventKind.RESPONSE and e.occurred_on > last.occurred_on for e in events):
        return (
            EscalationStep.REMINDER,
            _l("Instansi menanggapi setelah pengingat terakhir, tetapi tenggat tetap lewat."),
        )
    done = {e.result for e in escalations}
    parent = rec.authority.parent
    if rec.kind is RecommendationKind.TINDAKAN_KOREKTIF:
        return (
            EscalationStep.HEAD_OFFICE,
            _l(
                "Tindakan korektif diabaikan setelah pengingat: disiapkan draf Rekomendasi untuk "
                "Ombudsman RI."
            ),
        )
    if parent is not None and parent.active and EscalationStep.SUPERIOR.value not in done:
        return (
            EscalationStep.SUPERIOR,
            _l("Pengingat diabaikan; atasan instansi dalam register: %(name)s.", name=parent.name),
        )
    if rec.kind is RecommendationKind.REKOMENDASI:
        return (
            EscalationStep.HEAD_OFFICE,
            _l(
                "Rekomendasi tidak dilaksanakan: Ombudsman RI dapat mempublikasikannya dan melaporkannya "
                "kepada DPR dan Presiden (UU 37/2008 Ps 38 ayat 4)."
            ),
        )
    return (
        EscalationStep.HEAD_OFFICE,
        _l("Pengingat diabaikan dan tidak ada atasan lain dalam register: disiapkan draf Rekomendasi."),
    )


def _recipient(step: EscalationStep, authority: Authority) -> Recipient:
    if step is EscalationStep.HEAD_OFFICE:
        return Recipient(None, **HEAD_OFFICE)
    target = authority.parent if step is EscalationStep.SUPERIOR and authority.parent else authority
    return Recipient(target.id, target.name, target.head_title, target.place_line)


def _subject(step: EscalationStep, kind: RecommendationKind, authority: Authority) -> str:
    # A letter's Hal is in title case.
    name = KIND_NAMES[kind].title()
    who = authority.short_name or authority.name
    if step is EscalationStep.REMINDER:
        return f"Pengingat Tindak Lanjut {name} Ombudsman RI"
    if step is EscalationStep.SUPERIOR:
        return f"Permohonan Dukungan Tindak Lanjut {name} Ombudsman RI oleh {who}"
    return f"Usulan Rekomendasi atas {name} yang Tidak Dilaksanakan oleh {who}"


def _history_item(number: int, rec: Recommendation, events: list[FollowUpEvent], today: date, cut) -> str:
    d: Deadline = rec.deadline
    lines = [f"{number}. {rec.text}"]
    issued = f"surat tertanggal {format_date_id(d.issued_on)}" if d.issued_on else "surat"
    lines.append(
        f"   Disampaikan dengan {issued}, diterima {format_date_id(d.received_on)}; batas waktu "
        f"{format_date_id(d.due_on)} ({d.count} {LETTER_UNITS[d.unit]})."
    )
    late = days_between(cut.calendar, d.unit, d.due_on, today)
    lines.append(f"   Per {format_date_id(today)} terlambat {late} {LETTER_UNITS[d.unit]}.")
    responses = [e for e in events if e.kind is EventKind.RESPONSE]
    if responses:
        for e in responses:
            lines.append(f"   Tanggapan {format_date_id(e.occurred_on)}: {e.note}")
    else:
        lines.append("   Belum ada tanggapan tertulis.")
    for e in events:
        if e.kind is EventKind.ESCALATION:
            ref = f" nomor {e.reference}" if e.reference else ""
            label = STEP_LABELS.get(EscalationStep(e.result), e.result) if e.result else "Eskalasi"
            lines.append(f"   {label}{ref} tanggal {format_date_id(e.occurred_on)}.")
    return "\n".join(lines)


def plan_escalation(rec: Recommendation, *, office: Office, cut: StateCutoffs) -> EscalationPlan | None:
    """The next escalation for an overdue recommendation, grouped with the authority's other overdue
    recommendations at the same step; None when the recommendation is not overdue."""
    if rec.status in CLOSED_STATUSES or state_of(rec.deadline, cut, rec) not in PAST_DUE_STATES:
        return None
    candidates = list(
        db.session.scalars(
            select(Recommendation)
            .join(Deadline, Deadline.recommendation_id == Recommendation.id)
            .where(
                Recommendation.office_id == rec.office_id,
                Recommendation.authority_id == rec.authority_id,
                Recommendation.kind == rec.kind,
                Deadline.closed_on.is_(None),
                Deadline.stopped_on.is_(None),
                Deadline.due_on < cut.today,
            )
            .options(
                joinedload(Recommendation.deadline),
                joinedload(Recommendation.authority).joinedload(Authority.parent),
            )
            .order_by(Recommendation.position, Recommendation.id)
        ).unique()
    )
    events = _events([c.id for c in candidates])
    step, reason = next_step(rec, events[rec.id])
    group = [c for c in candidates if c.id == rec.id or next_step(c, events[c.id])[0] is step]
    authority = rec.authority
    kind_name = KIND_NAMES[rec.kind]
    intro = (
        f"{office.name} telah menyampaikan {kind_name} kepada {authority.name}. Sampai dengan "
        f"{format_date_id(cut.today)}, batas waktu tindak lanjut berikut telah terlewati:"
    )
    items = [_history_item(i, c, events[c.id], cut.today, cut) for i, c in enumerate(group, start=1)]
    return EscalationPlan(
        step=step,
        letter_kind=STEP_LETTER_KIND[step],
        office_id=rec.office_id,
        authority_id=authority.id,
        authority_name=authority.name,
        recipient=_recipient(step, authority),
        subject=_subject(step, rec.kind, authority),
        recommendation_ids=tuple(c.id for c in group),
        reason=_indonesian(reason),
        history="\n\n".join([intro, *items]),
        reason_label=reason,
    )


def _indonesian(message: LazyString) -> str:
    with force_locale("id"):
        return str(message)


def plan_for(rec: Recommendation, *, office: Office, today: date) -> tuple[EscalationPlan | None, list]:
    """The next escalation of a recommendation on `today` and the recommendations it covers, in order;
    (None, []) when it is not overdue."""
    plan = plan_escalation(rec, office=office, cut=state_cutoffs(office, today))
    if plan is None:
        return None, []
    covered = db.session.scalars(select(Recommendation).where(Recommendation.id.in_(plan.recommendation_ids)))
    order = {rec_id: i for i, rec_id in enumerate(plan.recommendation_ids)}
    return plan, sorted(covered, key=lambda r: order[r.id])


def draft_letter(rec: Recommendation, *, office: Office, user: User, today: date) -> Any:
    """Plan the next escalation of an overdue recommendation and hand it to the letters package, which
    drafts the letter through its normal workflow; returns the draft `Letter`. Raises `Invalid` when the
    recommendation is not overdue, and the letters package's refusals."""
    plan = plan_escalation(rec, office=office, cut=state_cutoffs(office, today))
    if plan is None:
        raise Invalid(_l("Rekomendasi ini tidak lewat tenggat."))
    return letters.draft_escalation_letter(plan, user=user, today=today)
