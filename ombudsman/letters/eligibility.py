"""Which recommendations a letter may carry: only what belongs to its addressee, and each in one letter.

Source: issue 11 ("a letter carries only what belongs to its addressee"). A letter that asks an authority to
act (saran, tindakan korektif, klarifikasi) may carry a recommendation when

- the recommendation is addressed to the letter's authority, or
- it answers a shared finding (one with a second responsible authority) and the letter's authority is
  one of that finding's two responsible authorities;

and no other active letter of the same kind (any status but superseded) carries it already, except the
issued letter this one corrects. Escalation letters (`ESCALATION_KINDS`: reminders, letters to a superior,
Rekomendasi drafts for head office) are about recommendations already sent and go to whoever the plan
names, so neither rule applies to them.

A recommendation's clock starts only from the receipt of a letter addressed to its own authority
(`followup.start_clocks`, `lookups.receipt_letter`): a copy sent to the other authority of a shared finding
starts nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.inspections.models import Finding
from ombudsman.letters.models import Letter, LetterKind, LetterRecommendation, LetterStatus
from ombudsman.recommendations.models import Recommendation

#: Letter kinds that follow up recommendations already sent (see the module): the rules do not apply.
ESCALATION_KINDS = frozenset({LetterKind.PENGINGAT, LetterKind.REKOMENDASI_DRAFT})
FIELD = "recommendation_ids"


def applies(letter: Letter) -> bool:
    """Whether the addressee and one-letter rules apply to this letter (not to escalation letters)."""
    return letter.kind not in ESCALATION_KINDS and not letter.escalation_step


def addressed_to(rec: Recommendation, authority_id: int) -> bool:
    """The recommendation belongs in a letter to this authority (its own, or a shared finding's other)."""
    if rec.authority_id == authority_id:
        return True
    return any(
        f.second_authority_id is not None
        and authority_id in (f.responsible_authority_id, f.second_authority_id)
        for f in rec.findings
    )


def addressed_clause(authority_id: int) -> ColumnElement[bool]:
    """SQL form of `addressed_to`: a WHERE clause on `Recommendation`."""
    shared = Recommendation.findings.any(
        and_(
            Finding.second_authority_id.is_not(None),
            or_(
                Finding.responsible_authority_id == authority_id, Finding.second_authority_id == authority_id
            ),
        )
    )
    return or_(Recommendation.authority_id == authority_id, shared)


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
    if not applies(letter):
        return Recommendation.office_id == letter.office_id
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
    return and_(addressed_clause(letter.authority_id), Recommendation.id.not_in(busy))


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def check(letter: Letter) -> None:
    """Refuse a letter carrying what does not belong to it; raises `Invalid` on `recommendation_ids`.

    Names every recommendation at fault: one addressed to another authority (not a shared finding's other
    responsible authority), or one that another active letter of the same kind already carries.
    """
    if not applies(letter) or not letter.links:
        return
    problems = []
    for rec in letter.recommendations:
        if not addressed_to(rec, letter.authority_id):
            problems.append(
                _l(
                    "Rekomendasi \u201c%(text)s\u201d ditujukan kepada %(owner)s, bukan kepada instansi "
                    "tujuan surat ini.",
                    text=_short(rec.text),
                    owner=rec.authority.name,
                )
            )
    for rid, other in _other_letters(letter, [link.recommendation_id for link in letter.links]).items():
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
