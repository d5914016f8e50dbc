"""What the reminder digest says of the portal: the authorities' new responses and extension requests.

`collect` (called by `ombudsman.deadlines.reminders.collect` for each office) picks every response and
request not yet announced, marks it announced (`notified_at`) and returns it per recipient: the responsible
inspector (the recommendation's author) and every active supervisor of the office, as for deadline alerts.
A digest that could not be mailed gives its items back (`withdraw`) for the next run. Never commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ombudsman.accounts.models import User
from ombudsman.extensions import db
from ombudsman.portal.models import ExtensionRequest, PortalResponse
from ombudsman.recommendations.models import Recommendation

RESPONSE = "response"
EXTENSION = "extension"


@dataclass(frozen=True)
class PortalNews:
    """One thing an authority did in its portal, for the digest."""

    kind: str  # RESPONSE or EXTENSION
    item_id: int
    recommendation_id: int
    authority: str
    text: str  # the recommendation's text
    status: str = ""  # a response's `ResponseStatus` code
    proposed_due_on: date | None = None  # an extension request's date


def _recipients(rec: Recommendation, supervisors: Sequence[User]) -> list[User]:
    people = {u.id: u for u in [rec.created_by, *supervisors] if u is not None and u.active}
    return list(people.values())


def collect(office_id: int, supervisors: Sequence[User], *, now: datetime) -> list[tuple[User, PortalNews]]:
    """(recipient, news) for every response and extension request of the office not yet announced; each is
    marked announced (flushed)."""
    found: list[tuple[User, PortalNews]] = []
    responses = db.session.scalars(
        select(PortalResponse)
        .where(PortalResponse.office_id == office_id, PortalResponse.notified_at.is_(None))
        .options(joinedload(PortalResponse.recommendation).joinedload(Recommendation.authority))
        .order_by(PortalResponse.id)
    ).all()
    for item in responses:
        rec = item.recommendation
        news = PortalNews(RESPONSE, item.id, rec.id, rec.authority.name, rec.text, status=item.status.value)
        found += [(user, news) for user in _recipients(rec, supervisors)]
        item.notified_at = now
    requests = db.session.scalars(
        select(ExtensionRequest)
        .where(ExtensionRequest.office_id == office_id, ExtensionRequest.notified_at.is_(None))
        .options(joinedload(ExtensionRequest.recommendation).joinedload(Recommendation.authority))
        .order_by(ExtensionRequest.id)
    ).all()
    for item in requests:
        rec = item.recommendation
        news = PortalNews(
            EXTENSION, item.id, rec.id, rec.authority.name, rec.text, proposed_due_on=item.proposed_due_on
        )
        found += [(user, news) for user in _recipients(rec, supervisors)]
        item.notified_at = now
    db.session.flush()
    return found


def withdraw(news: Iterable[PortalNews]) -> None:
    """Announce these again at the next run (their digest could not be mailed)."""
    news = list(news)
    for model, kind in ((PortalResponse, RESPONSE), (ExtensionRequest, EXTENSION)):
        ids = [n.item_id for n in news if n.kind == kind]
        if ids:
            db.session.execute(
                update(model)
                .where(model.id.in_(ids))
                .values(notified_at=None)
                .execution_options(synchronize_session=False)
            )
