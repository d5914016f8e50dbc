"""What a portal account may see: the issued letters addressed to its authority (and to the authority's
sub-units in the register, when its contact covers them) and the recommendations those letters carry that
are addressed to the same bodies. Anything else, of any office, does not exist for it (404).

Drafts, letters in review, internal notes, findings, inspections and staff names are never in scope.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ombudsman.authorities.models import Authority
from ombudsman.extensions import db
from ombudsman.letters.models import Letter, LetterRecommendation, LetterStatus
from ombudsman.portal.models import PortalUser
from ombudsman.recommendations.models import Recommendation

#: Letters an authority may see: issued ones, and issued ones since replaced by a correction.
VISIBLE_STATUSES = (LetterStatus.ISSUED, LetterStatus.SUPERSEDED)
#: The register's deepest chain of sub-units followed (guards against a cycle in hand-edited data).
MAX_DEPTH = 10


def authority_ids(account: PortalUser) -> set[int]:
    """Ids of the bodies the account answers for: its authority, plus every sub-unit (children at any
    depth, `Authority.parent_id`) when its contact `includes_sub_units`."""
    ids = {account.authority_id}
    if not account.contact.includes_sub_units:
        return ids
    frontier = {account.authority_id}
    for _depth in range(MAX_DEPTH):
        children = set(db.session.scalars(select(Authority.id).where(Authority.parent_id.in_(frontier))))
        frontier = children - ids
        if not frontier:
            break
        ids |= frontier
    return ids


def letters_query(account: PortalUser):
    """A select() of the account's letters, newest first, with their addressee and office loaded."""
    return (
        select(Letter)
        .where(Letter.authority_id.in_(authority_ids(account)), Letter.status.in_(VISIBLE_STATUSES))
        .options(joinedload(Letter.authority), joinedload(Letter.office))
        .order_by(Letter.letter_date.desc(), Letter.id.desc())
    )


def letter_or_404(account: PortalUser, letter_id: int) -> Letter:
    """One of the account's letters (with its recommendations loaded), else 404."""
    letter = db.session.scalar(
        select(Letter)
        .where(
            Letter.id == letter_id,
            Letter.authority_id.in_(authority_ids(account)),
            Letter.status.in_(VISIBLE_STATUSES),
        )
        .options(
            joinedload(Letter.office),
            joinedload(Letter.authority),
            selectinload(Letter.links).joinedload(LetterRecommendation.recommendation),
        )
    )
    if letter is None:
        abort(404)
    return letter


def visible_recommendations(account: PortalUser, letter: Letter) -> list[Recommendation]:
    """The recommendations of one of the account's letters that are addressed to its bodies."""
    ids = authority_ids(account)
    return [rec for rec in letter.recommendations if rec.authority_id in ids]


def recommendation_or_404(account: PortalUser, recommendation_id: int) -> Recommendation:
    """A recommendation addressed to the account's bodies and carried by one of its letters, else 404."""
    ids = authority_ids(account)
    carried = (
        select(LetterRecommendation.recommendation_id)
        .join(Letter, Letter.id == LetterRecommendation.letter_id)
        .where(
            LetterRecommendation.recommendation_id == recommendation_id,
            Letter.authority_id.in_(ids),
            Letter.status.in_(VISIBLE_STATUSES),
        )
    )
    rec = db.session.scalar(
        select(Recommendation)
        .where(Recommendation.id == recommendation_id, Recommendation.authority_id.in_(ids))
        .where(Recommendation.id.in_(carried))
        .options(joinedload(Recommendation.authority))
    )
    if rec is None:
        abort(404)
    return rec


def letters_of_recommendation(account: PortalUser, rec: Recommendation) -> list[Letter]:
    """The account's letters that carry the recommendation, oldest first."""
    return list(
        db.session.scalars(
            select(Letter)
            .join(LetterRecommendation, LetterRecommendation.letter_id == Letter.id)
            .where(
                LetterRecommendation.recommendation_id == rec.id,
                Letter.authority_id.in_(authority_ids(account)),
                Letter.status.in_(VISIBLE_STATUSES),
            )
            .order_by(Letter.letter_date, Letter.id)
        )
    )
