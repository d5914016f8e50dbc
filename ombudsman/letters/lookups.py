"""Read-only questions other packages ask about letters, so that they never query the letter tables.

Nothing here changes anything; every function answers in one query.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from ombudsman.extensions import db
from ombudsman.letters.models import Letter, LetterRecommendation, LetterStatus


def letters_for_recommendations(recommendation_ids: Iterable[int]) -> dict[int, Letter]:
    """The letter that carries each recommendation and owns its received date: {recommendation id: Letter}.

    That is the newest letter carrying it that is not superseded and is not an escalation letter (reminders
    and escalations run on the first letter's clock). Recommendations no letter in the app carries (their
    letter went out on paper) are absent from the result. The `Letter` rows are for reading (`id`,
    `number`, `hal`, `status`), never for changing.
    """
    ids = list(recommendation_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(LetterRecommendation.recommendation_id, Letter)
        .join(Letter, LetterRecommendation.letter_id == Letter.id)
        .where(
            LetterRecommendation.recommendation_id.in_(ids),
            Letter.status != LetterStatus.SUPERSEDED,
            Letter.escalation_step.is_(None),
        )
        .order_by(Letter.id)
    ).all()
    # Ordered by id: the newest letter of each recommendation is the last one seen.
    return {recommendation_id: letter for recommendation_id, letter in rows}
