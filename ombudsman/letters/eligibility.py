"""Which recommendations a letter may carry: only what belongs to its addressee, and each in one letter.

Source: issue 11 ("a letter carries only what belongs to its addressee"). A letter that asks an authority to
act (saran, tindakan korektif, klarifikasi) may carry a recommendation when

- the recommendation is addressed to the letter's authority, or
- it answers a shared finding (one with a second responsible authority) and the letter's authority is
  one of that finding's two responsible authorities;

and no other active letter of the same kind (any status but superseded) carries it already, except the
issued letter this one corrects. Escalation letters (`ESCALATION_KINDS`: reminders, letters to a superior,
Rekomendasi drafts for head office) follow up recommendations already sent, so the one-letter rule does not
apply to them; they may carry a recommendation addressed to the letter's authority or to one of its
subordinates in the register (a letter to the Wali Kota's superior about the Wali Kota's items), never to an
unrelated authority.

A recommendation's clock starts only from the receipt of a letter addressed to its own authority
(`followup.start_clocks`, `lookups.receipt_letter`): a copy sent to the other authority of a shared finding
starts nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ombudsman.authorities.models import Authority
from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.inspections.models import Finding
from ombudsman.letters.models import Letter, LetterKind, LetterRecommendation, LetterStatus
from ombudsman.recommendations.models import Recommendation

#: Letter kinds that follow up recommendations already sent (see the module): the rules do not apply.
ESCALATION_KINDS = frozenset({LetterKind.PENGINGAT, LetterKind.REKOMENDASI_DRAFT})
FIELD = "recommendation_ids"


def applies(letter: Letter) -> bool:
    """Whether the one-letter rule applies to this letter (not to escalation letters)."""
    return letter.kind not in ESCALATION_KINDS and not letter.escalation_step


def covered_authorities(letter: Letter) -> set[int]:
    """The authority ids whose recommendations the letter may carry: its addressee, and for an escalation
    letter also the addressee's subordinates in the register (children, grandchildren, ...)."""
    covered = {letter.authority_id}
    if applies(letter):
        return covered
    children: dict[int, list[int]] = {}
    for child, parent in db.session.execute(
        select(Authority.id, Authority.parent_id).where(Authority.parent_id.is_not(None))
    ).tuples():
        children.setdefault(parent, []).append(child)
    todo = [letter.authority_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in covered:
                covered.add(child)
                todo.append(child)
    return covered


def addressed_to(rec: Recommendation, authority_ids: set[int]) -> bool:
    """The recommendation belongs in a letter covering these authorities (its own authority, or a shared
    finding's other responsible authority, is among them)."""
    if rec.authority_id in authority_ids:
        return True
    return any(
        f.second_authority_id is not None
        and (f.responsible_authority_id in authority_ids or f.second_authority_id in authority_ids)
        for f in rec.findings
    )


def addressed_clause(authority_ids: set[int]) -> ColumnElement[bool]:
    """SQL form of `addressed_to`: a WHERE clause on `Recommendation`."""
    ids = sorted(authority_ids)
    shared = Recommendation.findings.any(
        and_(
            Finding.second_authority_id.is_not(None),
            or_(Finding.responsible_authority_id.in_(ids), Finding.second_authority_id.in_(ids)),
        )
    )
    return or_(Recommendation.authority_id.in_(ids), shared)


def _other_letters(letter: Letter, rec_ids: Iterable[int]) -> dict[int, Letter]:
    """{recommendation id: another active letter of the same kind that carries it}, one query."""
    ids = list(rec_ids)
    if not ids:
        return {}
    if letter.id is None:
        raise ValueError("flush the letter first: it must not count as another letter")
    stmt = (
        select(LetterRecommendation.recommendation_id, Letter)
        .join(Letter, Letter.id == LetterRecommendation.letter_id)
        .where(
            LetterRecommendation.recommendation_id.in_(ids),
            Letter.office_id == letter.office_id,
            Letter.kind == letter.kind,
            Letter.status != LetterStatus.SUPERSEDED,
            Letter.escalation_step.is_(None),
        )
        .order_by(Letter.id)
    )
    if letter.id is not None:
        stmt = stmt.where(Letter.id != letter.id)
    if letter.supersedes_id is not None:
        stmt = stmt.where(Letter.id != letter.supersedes_id)
    found: dict[int, Letter] = {}
    for rid, other in db.session.execute(stmt).tuples():
        found.setdefault(rid, other)
    return found


def eligible_clause(letter: Letter) -> ColumnElement[bool]:
    """A WHERE clause on `Recommendation` for what the letter may carry (the edit form's choices)."""
    addressed = addressed_clause(covered_authorities(letter))
    if not applies(letter):
        return and_(Recommendation.office_id == letter.office_id, addressed)
    busy = (
        select(LetterRecommendation.recommendation_id)
        .join(Letter, Letter.id == LetterRecommendation.letter_id)
        .where(
            Letter.office_id == letter.office_id,
            Letter.kind == letter.kind,
            Letter.status != LetterStatus.SUPERSEDED,
            Letter.escalation_step.is_(None),
            Letter.id.not_in([i for i in (letter.id, letter.supersedes_id) if i is not None] or [0]),
        )
    )
    return and_(addressed, Recommendation.id.not_in(busy))


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def check(letter: Letter) -> None:
    """Refuse a letter carrying what does not belong to it; raises `Invalid` on `recommendation_ids`.

    Names every recommendation at fault: one addressed to another authority (not a shared finding's other
    responsible authority; for an escalation letter, not a subordinate either), or one that another active
    letter of the same kind already carries (not for escalation letters).
    """
    if not letter.links:
        return
    problems = []
    covered = covered_authorities(letter)
    for rec in letter.recommendations:
        if not addressed_to(rec, covered):
            problems.append(
                _l(
                    "Rekomendasi \u201c%(text)s\u201d ditujukan kepada %(owner)s, bukan kepada instansi "
                    "tujuan surat ini.",
                    text=_short(rec.text),
                    owner=rec.authority.name,
                )
            )
    linked = [link.recommendation_id for link in letter.links]
    others = _other_letters(letter, linked) if applies(letter) else {}
    for rid, other in others.items():
        rec = next(r for r in letter.recommendations if r.id == rid)
        problems.append(
            _l(
                "Rekomendasi \u201c%(text)s\u201d sudah dimuat dalam surat %(letter)s yang sejenis; satu "
                "rekomendasi hanya dimuat dalam satu surat yang berlaku.",
                text=_short(rec.text),
                letter=other.number or f"#{other.id}",
            )
        )
    if problems:
        raise Invalid(problems[0], fields={FIELD: problems})
