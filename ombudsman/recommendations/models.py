"""Recommendations: what the office asks an authority to do about one or more findings."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ombudsman.accounts.models import User
from ombudsman.authorities.models import Authority
from ombudsman.clock import utcnow
from ombudsman.dbtypes import UTCDateTime, str_enum
from ombudsman.extensions import db
from ombudsman.inspections.models import Finding

if TYPE_CHECKING:
    from ombudsman.deadlines.models import Deadline


class RecommendationKind(enum.StrEnum):
    """What a representative office may issue (a Rekomendasi proper is signed in Jakarta)."""

    SARAN = "saran"
    TINDAKAN_KOREKTIF = "tindakan_korektif"
    REKOMENDASI = "rekomendasi"


class RecommendationStatus(enum.StrEnum):
    """Follow-up status; the last three are closing outcomes."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    PARTIALLY_IMPLEMENTED = "partially_implemented"
    NOT_IMPLEMENTED = "not_implemented"

    @property
    def is_closed(self) -> bool:
        """An outcome has been recorded."""
        return self in CLOSED_STATUSES


CLOSED_STATUSES = frozenset(
    {
        RecommendationStatus.IMPLEMENTED,
        RecommendationStatus.PARTIALLY_IMPLEMENTED,
        RecommendationStatus.NOT_IMPLEMENTED,
    }
)

recommendation_findings = Table(
    "recommendation_findings",
    db.metadata,
    Column("recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True),
    Column("finding_id", ForeignKey("findings.id"), primary_key=True, index=True),
)


class Recommendation(db.Model):
    """A suggestion or corrective action addressed to one authority."""

    __tablename__ = "recommendations"
    __table_args__ = (
        # The office's recommendations in their list order: the deadlines list reads those without a clock
        # by walking it and stops after the page (`ombudsman.deadlines.listing`); it also serves every
        # "this office's recommendations" lookup.
        Index("ix_recommendations_office_position", "office_id", "position", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"), index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    kind: Mapped[RecommendationKind] = mapped_column(str_enum(RecommendationKind))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[RecommendationStatus] = mapped_column(
        str_enum(RecommendationStatus), default=RecommendationStatus.OPEN, index=True
    )
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    authority: Mapped[Authority] = relationship()
    findings: Mapped[list[Finding]] = relationship(
        secondary=recommendation_findings, order_by="Finding.number"
    )
    created_by: Mapped[User] = relationship()
    # The follow-up clock, once the letter carrying this recommendation was received (deadlines package).
    deadline: Mapped[Deadline | None] = relationship(back_populates="recommendation", passive_deletes=True)

    @property
    def finding_ids(self) -> list[int]:
        """Ids of the findings this recommendation answers."""
        return [f.id for f in self.findings]
