"""Formal letters (surat dinas): their workflow state, recipients, copies, number and frozen PDF."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ombudsman import search
from ombudsman.accounts.models import Office, User
from ombudsman.authorities.models import Authority
from ombudsman.clock import utcnow
from ombudsman.dbtypes import UTCDateTime, str_enum
from ombudsman.extensions import db
from ombudsman.inspections.models import Inspection
from ombudsman.letters.numbering import DEFAULT_NUMBER_TEMPLATE
from ombudsman.recommendations.models import Recommendation


class LetterKind(enum.StrEnum):
    """What the letter is; a representative office signs all of these itself."""

    SARAN = "saran"
    TINDAKAN_KOREKTIF = "tindakan_korektif"
    KLARIFIKASI = "klarifikasi"
    PENGINGAT = "pengingat"
    REKOMENDASI_DRAFT = "rekomendasi_draft"


class LetterStatus(enum.StrEnum):
    """draft -> in_review -> approved -> issued -> (superseded by a correction)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    ISSUED = "issued"
    SUPERSEDED = "superseded"

    @property
    def is_issued(self) -> bool:
        """The letter was issued: it has a number and frozen PDF bytes (it may since be superseded)."""
        return self in (LetterStatus.ISSUED, LetterStatus.SUPERSEDED)


class DeliveryMethod(enum.StrEnum):
    """How an issued letter reached the authority."""

    HAND = "hand"
    POST = "post"
    COURIER = "courier"
    EMAIL = "email"


class LetterRecommendation(db.Model):
    """A recommendation printed in a letter, at a position."""

    __tablename__ = "letter_recommendations"

    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    recommendation: Mapped[Recommendation] = relationship()


class LetterCopy(db.Model):
    """One line of the Tembusan list: an authority from the register or free text."""

    __tablename__ = "letter_copies"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    text: Mapped[str] = mapped_column(String(300), default="")

    authority: Mapped[Authority | None] = relationship()


class LetterSettings(db.Model):
    """An office's letter settings: the number template and its codes, the letterhead, paper and layout.

    One row per office, made on first use (`ombudsman.letters.settings.for_office`) with these defaults.
    """

    __tablename__ = "letter_settings"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True)
    number_template: Mapped[str] = mapped_column(String(200), default=DEFAULT_NUMBER_TEMPLATE)
    classification: Mapped[str] = mapped_column(String(60), default="")
    unit_code: Mapped[str] = mapped_column(String(60), default="")
    # The letterhead (kop), one line per line; empty means the office's name in capitals.
    header: Mapped[str] = mapped_column(Text, default="")
    # The title above the signature; empty means "<head title> <office name>".
    signatory_title: Mapped[str] = mapped_column(String(250), default="")
    paper: Mapped[str] = mapped_column(String(8), default="A4")
    font: Mapped[str] = mapped_column(String(40), default="arimo")
    font_size: Mapped[float] = mapped_column(Float, default=12.0)
    # Page margins in millimetres.
    margin_top: Mapped[float] = mapped_column(Float, default=25.0)
    margin_right: Mapped[float] = mapped_column(Float, default=25.0)
    margin_bottom: Mapped[float] = mapped_column(Float, default=30.0)
    margin_left: Mapped[float] = mapped_column(Float, default=30.0)
    # The emblem printed in the kop (`LetterEmblem`); None until the admin uploads one.
    emblem_id: Mapped[int | None] = mapped_column(ForeignKey("letter_emblems.id"))
    # Electronic-signature mode (issue 13): issued letters are signed (PAdES) with the issuing head's
    # certificate; off, the letter keeps the wet-signature gap and is signed on paper.
    electronic_signature: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The certificates (PEM, concatenated) the office trusts as roots when verifying signed letters.
    trust_roots: Mapped[str] = mapped_column(Text, default="", server_default="")

    office: Mapped[Office] = relationship()
    emblem: Mapped[LetterEmblem | None] = relationship()


class LetterEmblem(db.Model):
    """An emblem (logo) image an office uploaded for its letterhead, kept for good by its SHA-256.

    Rows are never changed or deleted: replacing the emblem adds a row and points the settings at it, so
    what an earlier letter printed stays identifiable. `data` is the checked (SVG: sanitised) file.
    """

    __tablename__ = "letter_emblems"
    __table_args__ = (UniqueConstraint("office_id", "sha256", name="uq_letter_emblems_office_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), index=True)
    media_type: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SigningKey(db.Model):
    """A signatory's PKCS#12 (key and certificate chain), uploaded by the admin (`ombudsman.letters.signing`).

    `sealed` is the PKCS#12 file, itself encrypted under the signatory's passphrase, encrypted once more
    under a key derived from the app's secret key (Fernet): a database dump alone is not even an offline
    target for guessing the passphrase. The certificate fields are public copies, for pages and checks.
    Rows are never deleted: a new upload for the same user deactivates the previous one.
    """

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sealed: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    certificate: Mapped[bytes] = mapped_column(LargeBinary)  # the signer's certificate, DER
    subject: Mapped[str] = mapped_column(String(300))
    issuer: Mapped[str] = mapped_column(String(300))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the certificate
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    not_after: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class LetterCounter(db.Model):
    """The last sequence number an office used in a year; its row is locked while a number is taken."""

    __tablename__ = "letter_counters"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)


class Letter(db.Model):
    """A formal letter of an office to one authority."""

    __tablename__ = "letters"
    # The last guard against a duplicated number, whatever happens above it.
    __table_args__ = (
        UniqueConstraint("office_id", "year", "sequence", name="uq_letters_office_year_sequence"),
        UniqueConstraint("office_id", "number", name="uq_letters_office_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"), index=True)
    kind: Mapped[LetterKind] = mapped_column(str_enum(LetterKind), default=LetterKind.SARAN)
    status: Mapped[LetterStatus] = mapped_column(
        str_enum(LetterStatus), default=LetterStatus.DRAFT, index=True
    )
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    # After "Yth.": the head's title, then the place line; filled from the register, editable.
    recipient_lines: Mapped[str] = mapped_column(Text, default="")
    hal: Mapped[str] = mapped_column(Text, default="")
    #: The stemmed words of the hal (`ombudsman.search.document`), for the register's `?q=` search.
    search_text: Mapped[str] = mapped_column(Text, default=search.LETTERS.insert_default, server_default="")
    sifat: Mapped[str] = mapped_column(String(20), default="Biasa")
    lampiran: Mapped[str] = mapped_column(String(120), default="-")
    place: Mapped[str] = mapped_column(String(120), default="")
    letter_date: Mapped[date | None] = mapped_column(Date, index=True)
    opening: Mapped[str] = mapped_column(Text, default="")
    closing: Mapped[str] = mapped_column(Text, default="")
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_title: Mapped[str] = mapped_column(String(250), default="")
    annex: Mapped[bool] = mapped_column(default=False)
    # Given at issue.
    number: Mapped[str | None] = mapped_column(String(120))
    sequence: Mapped[int | None] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer)
    verify_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    short_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    # The frozen letter: the PDF as issued, its fingerprint, and everything it showed (a LetterDocument).
    # Deferred: lists and pages never need the bytes.
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    snapshot: Mapped[dict | None] = deferred(mapped_column(JSON))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"), index=True)
    # Issued (or being issued) with an electronic signature: set at `issuing.reserve` from the office's
    # mode, so the render is only ever stored signed (a queued render without the key refuses it).
    signed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Set on letters drafted from an overdue recommendation's escalation plan (reminder, superior,
    # head_office): issuing one records that step on the recommendations' follow-up.
    escalation_step: Mapped[str | None] = mapped_column(String(20))
    # Delivery.
    delivery_method: Mapped[DeliveryMethod | None] = mapped_column(str_enum(DeliveryMethod))
    delivered_on: Mapped[date | None] = mapped_column(Date)
    delivery_note: Mapped[str] = mapped_column(Text, default="")
    received_on: Mapped[date | None] = mapped_column(Date, index=True)
    # Workflow.
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    office: Mapped[Office] = relationship()
    inspection: Mapped[Inspection | None] = relationship()
    authority: Mapped[Authority] = relationship()
    links: Mapped[list[LetterRecommendation]] = relationship(
        order_by="LetterRecommendation.position", cascade="all, delete-orphan"
    )
    copies: Mapped[list[LetterCopy]] = relationship(
        order_by="LetterCopy.position", cascade="all, delete-orphan"
    )
    supersedes: Mapped[Letter | None] = relationship(remote_side="Letter.id", foreign_keys=[supersedes_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])

    @property
    def is_issuing(self) -> bool:
        """Its number is reserved and its PDF is being rendered (`issuing.reserve` ran, `finish` not yet).

        Such a letter keeps its number, date, token and short code until the render succeeds; it can
        no longer be edited or returned to draft (the number is never burnt nor reused).
        """
        return self.status is LetterStatus.APPROVED and self.sequence is not None

    @property
    def recommendations(self) -> list[Recommendation]:
        """The recommendations the letter prints, in order."""
        return [link.recommendation for link in self.links]

    @property
    def recipient_line_list(self) -> list[str]:
        """The "Yth." lines without blanks."""
        return [line.strip() for line in self.recipient_lines.splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"<Letter {self.id} {self.status} {self.number or '(draf)'}>"


# The full-text index of the hal comes with the table (see ombudsman/search.py).
search.LETTERS.attach(Letter)
