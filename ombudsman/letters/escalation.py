"""Escalation letters: the draft a deadlines escalation plan asks for, through the normal workflow.

`deadlines.escalation` decides which letter comes next for an ignored recommendation (a reminder, a letter
to the authority's superior, a Rekomendasi draft for head office) and writes its history; this module turns
that plan into a draft letter. Issuing it records the step on the recommendations' follow-up (`issuing`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from ombudsman.accounts.models import Office, User
from ombudsman.accounts.permissions import RECOMMEND
from ombudsman.errors import NotFound
from ombudsman.extensions import db
from ombudsman.letters import access, compose, drafting
from ombudsman.letters.commands import CopyLine, NewLetter
from ombudsman.letters.models import Letter, LetterKind


def draft_escalation_letter(plan: Any, *, user: User, today: date) -> Letter:
    """Draft the letter an escalation plan asks for; returns the draft (flushed, not committed).

    `plan` is a `deadlines.escalation.EscalationPlan`. A reminder or a letter to a superior opens by naming
    the earlier letters by number and date and lists the overdue recommendations (`compose`); a Rekomendasi
    draft for head office opens with the plan's whole history. Raises `NotFound` for another office's
    plan, `Forbidden` for a role that does not draft, `Invalid` when the plan no longer fits the register.
    """
    office = db.session.get(Office, plan.office_id)
    if office is None or user.office_id != office.id:
        raise NotFound(_l("Rencana eskalasi tidak ditemukan."))
    recipient = plan.recipient
    # Head office is not in the register: the letter stays filed under the authority it is about, and the
    # "Yth." lines name head office.
    authority_id = recipient.authority_id or plan.authority_id
    lines = [line for line in (recipient.head_title, compose.place_phrase(recipient.place_line)) if line]
    access.require(user, RECOMMEND, access.MSG_DRAFTERS)
    recs = drafting.office_recommendations(office.id, list(plan.recommendation_ids))
    inspection_ids = {f.inspection_id for rec in recs for f in rec.findings}
    copies: list[CopyLine] = []
    if recipient.authority_id is not None:
        copies.append(CopyLine(text=compose.HEAD_OFFICE_COPY))
    if recipient.authority_id != plan.authority_id:
        copies.append(CopyLine(authority_id=plan.authority_id))  # the authority that ignored it hears too
    cmd = NewLetter(
        inspection_id=inspection_ids.pop() if len(inspection_ids) == 1 else None,
        authority_id=authority_id,
        kind=LetterKind(plan.letter_kind),
        recipient_lines="\n".join(lines),
        hal=plan.subject,
        sifat="Segera",
        place=office.city,
        opening=plan.history
        if plan.letter_kind == LetterKind.REKOMENDASI_DRAFT
        else compose.escalation_opening(plan.recommendation_ids, compose.KIND_PHRASES[recs[0].kind]),
        recommendation_ids=tuple(plan.recommendation_ids),
        copies=tuple(copies),
    )
    letter = drafting.create(office, user, cmd)
    letter.escalation_step = str(plan.step)
    db.session.flush()
    access.record(letter, user, "escalation_drafted", {"step": letter.escalation_step, "reason": plan.reason})
    return letter
