"""Inspections, the service-standard checklist, findings and their evidence."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ombudsman import search
from ombudsman.accounts.models import Office, User
from ombudsman.authorities.models import Authority, RoutingRule
from ombudsman.clock import utcnow
from ombudsman.dbtypes import UTCDateTime, str_enum
from ombudsman.extensions import db


class InspectionKind(enum.StrEnum):
    """Why and how the office visited."""

    SIDAK = "sidak"
    OWN_MOTION = "own_motion"
    MONITORING = "monitoring"
    COMPLIANCE = "compliance"


class InspectionStatus(enum.StrEnum):
    """A draft is editable by its inspectors; a submitted inspection is locked for them."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class Answer(enum.StrEnum):
    """State of one checklist item at the visit."""

    PRESENT = "present"
    PARTIAL = "partial"
    ABSENT = "absent"
    NOT_ASSESSED = "not_assessed"


class Maladministration(enum.StrEnum):
    """The eleven forms of maladministration (UU 37/2008 Ps 1 angka 3)."""

    PENUNDAAN_BERLARUT = "penundaan_berlarut"
    TIDAK_MEMBERIKAN_PELAYANAN = "tidak_memberikan_pelayanan"
    TIDAK_KOMPETEN = "tidak_kompeten"
    PENYALAHGUNAAN_WEWENANG = "penyalahgunaan_wewenang"
    PENYIMPANGAN_PROSEDUR = "penyimpangan_prosedur"
    PERMINTAAN_IMBALAN = "permintaan_imbalan"
    TIDAK_PATUT = "tidak_patut"
    BERPIHAK = "berpihak"
    DISKRIMINASI = "diskriminasi"
    KONFLIK_KEPENTINGAN = "konflik_kepentingan"
    PENGABAIAN_KEWAJIBAN_HUKUM = "pengabaian_kewajiban_hukum"


class Severity(enum.StrEnum):
    """How serious a finding is for the public."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class FindingStatus(enum.StrEnum):
    """Where a finding stands."""

    OPEN = "open"
    IN_FOLLOW_UP = "in_follow_up"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"


class EvidenceKind(enum.StrEnum):
    """Photos get a thumbnail; documents do not."""

    PHOTO = "photo"
    DOCUMENT = "document"


inspection_team = Table(
    "inspection_team",
    db.metadata,
    Column("inspection_id", ForeignKey("inspections.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class Checklist(db.Model):
    """A versioned service-standard checklist; inspections keep the version they used."""

    __tablename__ = "checklists"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer, default=1)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="checklist", order_by="ChecklistItem.position", cascade="all, delete-orphan"
    )


class ChecklistItem(db.Model):
    """One thing to look for at a service unit (UU 25/2009)."""

    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("checklist_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklists.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    group: Mapped[str] = mapped_column(String(120))
    label: Mapped[str] = mapped_column(String(300))
    basis: Mapped[str] = mapped_column(String(200), default="")
    routing_rule_id: Mapped[int | None] = mapped_column(ForeignKey("routing_rules.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    checklist: Mapped[Checklist] = relationship(back_populates="items")
    routing_rule: Mapped[RoutingRule | None] = relationship()


class Inspection(db.Model):
    """A visit to a public service unit."""

    __tablename__ = "inspections"
    __table_args__ = (
        # The office's newest visits first: the inspections list and the findings list (whose order starts
        # with the visit's date) walk this index and stop after one page instead of sorting every row.
        Index("ix_inspections_office_visited", "office_id", "visited_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    checklist_id: Mapped[int | None] = mapped_column(ForeignKey("checklists.id"))
    kind: Mapped[InspectionKind] = mapped_column(str_enum(InspectionKind))
    status: Mapped[InspectionStatus] = mapped_column(
        str_enum(InspectionStatus), default=InspectionStatus.DRAFT, index=True
    )
    title: Mapped[str] = mapped_column(String(250))
    visited_on: Mapped[date] = mapped_column(Date, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(250), default="")
    trigger: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    # Structured observations; None means "not counted".
    visitors_per_day: Mapped[int | None] = mapped_column(Integer)
    counters_open: Mapped[int | None] = mapped_column(Integer)
    staff_on_duty: Mapped[int | None] = mapped_column(Integer)
    seats: Mapped[int | None] = mapped_column(Integer)
    queue_system: Mapped[str] = mapped_column(String(200), default="")
    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    office: Mapped[Office] = relationship()
    authority: Mapped[Authority] = relationship()
    checklist: Mapped[Checklist | None] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    team: Mapped[list[User]] = relationship(secondary=inspection_team, order_by="User.name")
    findings: Mapped[list[Finding]] = relationship(back_populates="inspection", order_by="Finding.number")
    answers: Mapped[list[ChecklistAnswer]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self) -> bool:
        """Still editable by its inspectors."""
        return self.status is InspectionStatus.DRAFT


class ChecklistAnswer(db.Model):
    """The inspector's answer to one checklist item at one inspection."""

    __tablename__ = "checklist_answers"
    __table_args__ = (UniqueConstraint("inspection_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id"))
    answer: Mapped[Answer] = mapped_column(str_enum(Answer), default=Answer.NOT_ASSESSED)
    note: Mapped[str] = mapped_column(Text, default="")

    inspection: Mapped[Inspection] = relationship(back_populates="answers")
    item: Mapped[ChecklistItem] = relationship()


class FindingForm(db.Model):
    """One maladministration form ascribed to a finding."""

    __tablename__ = "finding_forms"

    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[Maladministration] = mapped_column(str_enum(Maladministration), primary_key=True, index=True)


class Finding(db.Model):
    """Something the inspectors saw that falls short of the service standard."""

    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("inspection_id", "number"),
        # The findings list filtered by status (and level, through the responsible authority) reads this
        # index; the dashboard's counts come from the tally rows (ombudsman.inspections.tallies).
        Index("ix_findings_office_status_authority", "office_id", "status", "responsible_authority_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[Severity] = mapped_column(str_enum(Severity), default=Severity.MEDIUM)
    legal_basis: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[FindingStatus] = mapped_column(
        str_enum(FindingStatus), default=FindingStatus.OPEN, index=True
    )
    checklist_item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_items.id"))
    routing_rule_id: Mapped[int | None] = mapped_column(ForeignKey("routing_rules.id"))
    suggested_authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    responsible_authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    second_authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"), index=True)
    routing_note: Mapped[str] = mapped_column(Text, default="")
    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: The stemmed words of the title and description (`ombudsman.search.document`), for the `?q=` search.
    #: Filled on insert by the default (ORM or core inserts alike), on ORM updates by `search.FINDINGS`.
    search_text: Mapped[str] = mapped_column(Text, default=search.FINDINGS.insert_default, server_default="")

    inspection: Mapped[Inspection] = relationship(back_populates="findings")
    checklist_item: Mapped[ChecklistItem | None] = relationship()
    routing_rule: Mapped[RoutingRule | None] = relationship()
    suggested_authority: Mapped[Authority | None] = relationship(foreign_keys=[suggested_authority_id])
    responsible_authority: Mapped[Authority] = relationship(foreign_keys=[responsible_authority_id])
    second_authority: Mapped[Authority | None] = relationship(foreign_keys=[second_authority_id])
    created_by: Mapped[User] = relationship()
    forms: Mapped[list[FindingForm]] = relationship(cascade="all, delete-orphan", order_by="FindingForm.code")
    evidence: Mapped[list[Evidence]] = relationship(back_populates="finding", order_by="Evidence.id")

    @property
    def form_codes(self) -> list[str]:
        """The maladministration codes as plain strings."""
        return [f.code.value for f in self.forms]

    @property
    def routing_overridden(self) -> bool:
        """The inspector chose another authority than the rules suggested."""
        return self.suggested_authority_id is not None and (
            self.suggested_authority_id != self.responsible_authority_id
        )


class Evidence(db.Model):
    """A photo or document; the original file is kept byte for byte and named by its SHA-256."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), index=True)
    checklist_item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_items.id"))
    kind: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind))
    caption: Mapped[str] = mapped_column(String(300), default="")
    original_filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    storage_key: Mapped[str] = mapped_column(String(200))
    thumbnail_key: Mapped[str | None] = mapped_column(String(200))
    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inspection: Mapped[Inspection] = relationship()
    finding: Mapped[Finding | None] = relationship(back_populates="evidence")
    uploaded_by: Mapped[User] = relationship()


# The full-text index (PostgreSQL generated tsvector + GIN, or SQLite FTS5 + triggers) comes with the table.
search.FINDINGS.attach(Finding)
