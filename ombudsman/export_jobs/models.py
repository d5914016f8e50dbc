"""One requested export: who asked, for what, and (once the job wrote it) where its file is."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ombudsman.accounts.models import Office, User
from ombudsman.clock import utcnow
from ombudsman.dbtypes import UTCDateTime, str_enum
from ombudsman.extensions import db


class ExportKind(enum.StrEnum):
    """Which list is exported."""

    DEADLINES = "deadlines"
    LETTERS = "letters"


class ExportJob(db.Model):
    """An export asked for while jobs run on the queue; its file is `storage_key` once `ready_at` is set.

    `args` are the query-string arguments of the request (the export's filters, parsed again by the job
    with the same function as the request), `as_of` the office's date then, `locale` the requester's
    language (the labels of the file). SQLite's AUTOINCREMENT: an id, and so a job id and file key, is
    never reused after old rows are removed.
    """

    __tablename__ = "export_jobs"
    __table_args__ = (
        Index("ix_export_jobs_user_id_created_at", "user_id", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[ExportKind] = mapped_column(str_enum(ExportKind))
    file_format: Mapped[str] = mapped_column(String(8))
    args: Mapped[dict] = mapped_column(JSON, default=dict)
    as_of: Mapped[date] = mapped_column(Date)
    locale: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    filename: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))

    office: Mapped[Office] = relationship()
    user: Mapped[User] = relationship()

    @property
    def storage_key(self) -> str:
        """Where the job writes the file in the shared storage."""
        return f"exports/{self.id}.{self.file_format}"
