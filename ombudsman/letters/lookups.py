"""Read-only answers about letters for other packages, so that none of them queries the letter tables.

The deadlines package asks which letters carry a recommendation (to link its pages to the letter that owns
a receipt date) and which letter number to print beside each recommendation in its exports. Answers are
plain values (`LetterSummary`, numbers), never the records themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select

from ombudsman.extensions import db
from ombudsman.letters.models import Letter, LetterKind, LetterRecommendation, LetterStatus
from ombudsman.lookup import rows_by_id
from ombudsman.recommendations.models import Recommendation


@dataclass(frozen=True)
class LetterSummary:
    """What another package may know of a letter: enough to name it and link to its page."""

    id: int
    number: str | None
    hal: str
    status: LetterStatus
    kind: LetterKind
    letter_date: date | None
    received_on: date | None
    # The addressee: only a letter to the recommendation's own authority starts its clock.
    authority_id: int
    # Set on reminders and escalations: their receipt starts no clock.
    escalation_step: str | None

    @property
    def label(self) -> str:
        """The letter's number once issued, else "#<id>"."""
        return self.number or f"#{self.id}"


def _summary(letter: Letter) -> LetterSummary:
    return LetterSummary(
        id=letter.id,
        number=letter.number,
        hal=letter.hal,
        status=letter.status,
        kind=letter.kind,
        letter_date=letter.letter_date,
        received_on=letter.received_on,
        authority_id=letter.authority_id,
        escalation_step=letter.escalation_step,
    )


def letters_for_recommendations(
    recommendation_ids: Iterable[int], *, include_superseded: bool = False
) -> dict[int, list[LetterSummary]]:
    """The letters that print each recommendation, newest first: {recommendation id: [summary, ...]}.

    Every id asked for is a key (with an empty list when no letter carries it). Superseded letters are
    left out unless `include_superseded`. One query whatever the number of ids.
    """
    ids = list(dict.fromkeys(recommendation_ids))
    found: dict[int, list[LetterSummary]] = {rid: [] for rid in ids}
    if not ids:
        return found
    stmt = (
        select(LetterRecommendation.recommendation_id, Letter)
        .join(Letter, Letter.id == LetterRecommendation.letter_id)
        .where(LetterRecommendation.recommendation_id.in_(ids))
        .order_by(Letter.id.desc())
    )
    if not include_superseded:
        stmt = stmt.where(Letter.status != LetterStatus.SUPERSEDED)
    for rid, letter in db.session.execute(stmt):
        found[rid].append(_summary(letter))
    return found


def receipt_letter(recommendation_id: int) -> LetterSummary | None:
    """The letter that carries the recommendation and owns its received date, if the office wrote one here.

    Letters written in the app record the receipt on their own page, which starts (and corrects) the clocks
    of all their recommendations at once. That is the newest letter carrying the recommendation that is
    neither superseded nor an escalation (whose receipt starts no clock) and is addressed to the
    recommendation's own authority (a copy to a shared finding's other authority starts nothing); None
    when no such letter carries it.
    """
    owner = db.session.scalar(
        select(Recommendation.authority_id).where(Recommendation.id == recommendation_id)
    )
    letters = letters_for_recommendations([recommendation_id])[recommendation_id]
    return next(
        (letter for letter in letters if not letter.escalation_step and letter.authority_id == owner), None
    )


def receipt_letter_numbers(recommendation_ids: Select | Iterable[int]) -> dict[int, str]:
    """The number of the letter that carries each recommendation and owns its receipt, once issued.

    As `receipt_letter`: the newest letter carrying the recommendation that is neither superseded nor an
    escalation and is addressed to the recommendation's authority, but only letters with a number.
    `recommendation_ids`: the ids, or a SELECT of one column of recommendation ids (so that an export of
    any size asks one query). Returns {recommendation id: number},
    without the recommendations that have no such letter.
    """
    ids = recommendation_ids if isinstance(recommendation_ids, Select) else list(recommendation_ids)
    stmt = (
        select(LetterRecommendation.recommendation_id, Letter.number)
        .join(Letter, Letter.id == LetterRecommendation.letter_id)
        .join(Recommendation, Recommendation.id == LetterRecommendation.recommendation_id)
        .where(
            LetterRecommendation.recommendation_id.in_(ids),
            Letter.authority_id == Recommendation.authority_id,
            Letter.status == LetterStatus.ISSUED,  # not a draft, nor a letter whose PDF is still rendering
            Letter.escalation_step.is_(None),
        )
        .order_by(Letter.id)
    )
    # Oldest first, so that the newest letter's number is the one left in the dict.
    return dict(db.session.execute(stmt).tuples().all())


def letter_labels(ids) -> dict:
    """{letter id: row with `.number` (None while a draft)}; never the PDF column."""
    return rows_by_id((Letter.id, Letter.number), ids)
