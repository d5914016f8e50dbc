"""What the API remembers between requests: the idempotency keys of creates and uploads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ombudsman.clock import utcnow
from ombudsman.dbtypes import UTCDateTime
from ombudsman.extensions import db


class IdempotencyKey(db.Model):
    """A client's key for one create: the request it came with and the record it made.

    Written in the same transaction as the record, so a key exists exactly when its record does.
    """

    __tablename__ = "api_idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    # SHA-256 of the canonical request (the parsed body; for uploads, the file's own SHA-256).
    request_sha256: Mapped[str] = mapped_column(String(64))
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
