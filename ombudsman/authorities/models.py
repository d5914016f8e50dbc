"""The register of public bodies, its history, and the routing rules that point findings at them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ombudsman import search
from ombudsman.clock import utcnow
from ombudsman.dbtypes import UTCDateTime, str_enum
from ombudsman.extensions import db


class Level(enum.StrEnum):
    """Tier of government an authority belongs to."""

    CENTRAL = "central"
    PROVINCIAL = "provincial"
    REGENCY_CITY = "regency_city"

    @property
    def is_local(self) -> bool:
        """Regional government (province, regency or city) as opposed to the centre."""
        return self is not Level.CENTRAL


class Authority(db.Model):
    """A public body that can be inspected, be responsible for a finding, or receive a letter.

    The register is shared by all offices: the Ministry is the same body for everyone.
    """

    __tablename__ = "authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(250), index=True)
    short_name: Mapped[str] = mapped_column(String(80), default="")
    level: Mapped[Level] = mapped_column(str_enum(Level), index=True)
    head_title: Mapped[str] = mapped_column(String(250), default="")
    place_line: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: The stemmed words of the name, short name and head's title (`ombudsman.search.document`), for `?q=`.
    search_text: Mapped[str] = mapped_column(
        Text, default=search.AUTHORITIES.insert_default, server_default=""
    )

    parent: Mapped[Authority | None] = relationship(remote_side="Authority.id", back_populates="children")
    children: Mapped[list[Authority]] = relationship(back_populates="parent", order_by="Authority.name")
    versions: Mapped[list[AuthorityVersion]] = relationship(
        back_populates="authority", order_by="AuthorityVersion.version.desc()", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Authority {self.id} {self.short_name or self.name}>"


class AuthorityVersion(db.Model):
    """A snapshot of an authority as it was after each change, so old records show it as it was."""

    __tablename__ = "authority_versions"
    __table_args__ = (UniqueConstraint("authority_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(250))
    short_name: Mapped[str] = mapped_column(String(80), default="")
    level: Mapped[Level] = mapped_column(str_enum(Level))
    head_title: Mapped[str] = mapped_column(String(250), default="")
    place_line: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    parent_id: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(default=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    authority: Mapped[Authority] = relationship(back_populates="versions")


class Responsibility(enum.StrEnum):
    """Whose duty a routing rule says a matter is."""

    LOCAL = "local"
    CENTRAL = "central"
    SHARED = "shared"


class RoutingRule(db.Model):
    """Editable rule: a theme or checklist item points at a level and, through it, a concrete body.

    A rule names a level; the body is the topmost authority of that level in the inspected unit's chain,
    unless the rule names a concrete authority (needed for central bodies, which are not in a local chain).
    Shared rules name a second level/authority as well.
    """

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    theme: Mapped[str] = mapped_column(String(200))
    keywords: Mapped[str] = mapped_column(Text, default="")
    responsibility: Mapped[Responsibility] = mapped_column(str_enum(Responsibility))
    level: Mapped[Level] = mapped_column(str_enum(Level))
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    second_level: Mapped[Level | None] = mapped_column(str_enum(Level))
    second_authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    reason: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(String(250), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    authority: Mapped[Authority | None] = relationship(foreign_keys=[authority_id])
    second_authority: Mapped[Authority | None] = relationship(foreign_keys=[second_authority_id])

    def keyword_list(self) -> list[str]:
        """The rule's matching keywords, lower-cased."""
        return [k.strip().lower() for k in self.keywords.split(",") if k.strip()]


# The full-text index of the register comes with the table (see ombudsman/search.py).
search.AUTHORITIES.attach(Authority)
