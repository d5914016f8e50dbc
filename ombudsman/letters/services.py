"""Letters: drafting from an inspection, the review workflow, numbering and issuing, delivery, verification.

Plain functions with explicit inputs (the user, `today`, the public base URL, the evidence folder); they
flush but never commit, so one request (or one API call) is one transaction. Issuing takes the number inside
that transaction: a failure after the number was taken rolls it back with everything else.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload, selectinload

from ombudsman.accounts.models import Office, Role, User
from ombudsman.accounts.permissions import RECOMMEND, REVIEW
from ombudsman.audit import services as audit
from ombudsman.authorities.models import Authority
from ombudsman.clock import utcnow
from ombudsman.deadlines import services as deadlines
from ombudsman.deadlines.models import Deadline
from ombudsman.errors import DomainError
from ombudsman.extensions import db
from ombudsman.inspections import storage
from ombudsman.inspections.models import Evidence, Finding, Inspection
from ombudsman.letters import compose
from ombudsman.letters.document import PAPER_SIZES, LetterDocument, PageMargins
from ombudsman.letters.models import (
    DeliveryMethod,
    Letter,
    LetterCopy,
    LetterCounter,
    LetterKind,
    LetterRecommendation,
    LetterStatus,
)
from ombudsman.letters.numbering import format_number, placeholders_used, template_errors
from ombudsman.letters.render import render_letter_html, render_letter_pdf
from ombudsman.pdf import FONTS
from ombudsman.recommendations.models import Recommendation

logger = logging.getLogger(__name__)

ISSUE = frozenset({Role.HEAD})
CORRECT_RECEIPT = frozenset({Role.SUPERVISOR})
SIFAT_CHOICES = ("Biasa", "Segera", "Penting", "Rahasia")
VERIFY_PATH = "/verify/"
# Short codes are typed by people: no 0/O or 1/I to confuse.
_SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LETTER_FIELDS = (
    "kind",
    "authority_id",
    "recipient_lines",
    "hal",
    "sifat",
    "lampiran",
    "place",
    "opening",
    "closing",
    "signatory_name",
    "signatory_title",
    "annex",
)
DELIVERY_FIELDS = ("delivery_method", "delivered_on", "received_on", "delivery_note")
SETTINGS_FIELDS = (
    "letter_number_template",
    "letter_classification",
    "letter_unit_code",
    "letter_header",
    "letter_signatory_title",
    "letter_paper",
    "letter_font",
    "letter_font_size",
    "letter_margin_top",
    "letter_margin_right",
    "letter_margin_bottom",
    "letter_margin_left",
)


class LetterError(ValueError):
    """A change was refused; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class LetterPermissionError(LetterError):
    """The user's role may not do this to the letter."""


class FrozenPdfError(RuntimeError):
    """The stored PDF of an issued letter no longer matches its recorded SHA-256."""


def _require(user: User, roles: frozenset[Role], message: str) -> None:
    if user.role not in roles:
        raise LetterPermissionError(message)


def _same_office(user: User, letter: Letter) -> None:
    if user.office_id != letter.office_id:
        raise LetterPermissionError("Surat ini milik kantor lain.")


def _audit(letter: Letter, user: User | None, action: str, changes: dict[str, Any]) -> None:
    audit.record(
        "letter",
        letter.id,
        action,
        user_id=user.id if user else None,
        office_id=letter.office_id,
        changes=changes,
    )


# --- what a user may do -------------------------------------------------------------------------------------


def can_edit(user: User, letter: Letter) -> bool:
    """Drafts are edited by the drafting roles; a letter in review only by its reviewers."""
    if user.office_id != letter.office_id:
        return False
    if letter.status is LetterStatus.DRAFT:
        return user.role in RECOMMEND
    if letter.status is LetterStatus.IN_REVIEW:
        return user.role in REVIEW
    return False


def allowed_actions(user: User, letter: Letter) -> set[str]:
    """The workflow buttons to show this user for this letter."""
    if user.office_id != letter.office_id:
        return set()
    status, role = letter.status, user.role
    actions = set()
    if can_edit(user, letter):
        actions.add("edit")
    if status is LetterStatus.DRAFT and role in RECOMMEND:
        actions.add("submit")
    if status is LetterStatus.IN_REVIEW and role in REVIEW:
        actions.add("approve")
    if status in (LetterStatus.IN_REVIEW, LetterStatus.APPROVED) and role in REVIEW:
        actions.add("return")
    if status is LetterStatus.APPROVED and role in ISSUE:
        actions.add("issue")
    if status is LetterStatus.ISSUED and role in RECOMMEND:
        actions.add("delivery")
        if not pending_correction(letter):
            actions.add("correct")
    return actions


# --- drafting -----------------------------------------------------------------------------------------------


def _recommendations(office_id: int, ids: Sequence[int]) -> list[Recommendation]:
    """The office's recommendations with these ids, in the given order."""
    if len(set(ids)) != len(ids):
        raise LetterError("Rekomendasi yang sama dipilih dua kali.", "recommendation_ids")
    if not ids:
        return []
    rows = {
        r.id: r
        for r in db.session.scalars(
            select(Recommendation).where(Recommendation.id.in_(ids), Recommendation.office_id == office_id)
        )
    }
    if len(rows) != len(ids):
        raise LetterError("Rekomendasi tidak ditemukan di kantor ini.", "recommendation_ids")
    return [rows[i] for i in ids]


def _authority(authority_id: int | None, field: str = "authority_id") -> Authority:
    authority = db.session.get(Authority, authority_id) if authority_id else None
    if authority is None:
        raise LetterError("Pilih instansi yang dituju.", field)
    return authority


def _lines(value: str | Iterable[str]) -> list[str]:
    items = value.splitlines() if isinstance(value, str) else list(value)
    return [line.strip() for line in items if line and line.strip()]


def _set_copies(letter: Letter, copies: Iterable[tuple[int | None, str]]) -> None:
    rows = []
    for position, (authority_id, text) in enumerate(copies, start=1):
        text = (text or "").strip()
        if authority_id:
            _authority(authority_id, "copies")
            text = ""  # the line is built from the register (and frozen at issue)
        elif not text:
            continue
        if len(text) > 300:
            raise LetterError("Baris tembusan paling panjang 300 karakter.", "copies")
        rows.append(LetterCopy(position=position, authority_id=authority_id or None, text=text))
    letter.copies = rows


def _set_recommendations(letter: Letter, ids: Sequence[int]) -> None:
    recs = _recommendations(letter.office_id, list(ids))
    existing = {link.recommendation_id: link for link in letter.links}
    links = []
    for position, rec in enumerate(recs, start=1):
        link = existing.get(rec.id) or LetterRecommendation(recommendation=rec)
        link.position = position
        links.append(link)
    letter.links = links


def _copies_state(letter: Letter) -> list[list[Any]]:
    return [[c.authority_id, c.text] for c in letter.copies]


def _check(letter: Letter) -> None:
    if not letter.hal.strip():
        raise LetterError("Hal (perihal) wajib diisi.", "hal")
    if not letter.recipient_line_list:
        raise LetterError("Tulis minimal satu baris penerima setelah \u201cYth.\u201d.", "recipient_lines")
    if letter.sifat not in SIFAT_CHOICES:
        raise LetterError("Sifat surat harus Biasa, Segera, Penting atau Rahasia.", "sifat")
    if not letter.signatory_name.strip() or not letter.signatory_title.strip():
        raise LetterError("Nama dan jabatan penanda tangan wajib diisi.", "signatory_name")


def _apply(letter: Letter, data: dict[str, Any]) -> None:
    if "authority_id" in data:
        authority = _authority(data["authority_id"])
        old = letter.authority
        # Lines still as the register gave them for the old addressee follow the new one.
        if (
            old is not None
            and old.id != authority.id
            and "recipient_lines" in data
            and _lines(data["recipient_lines"]) == compose.recipient_lines_for(old)
        ):
            data = {**data, "recipient_lines": ""}
        letter.authority = authority
    if "kind" in data:
        letter.kind = LetterKind(data["kind"])
    if "recipient_lines" in data:
        letter.recipient_lines = "\n".join(_lines(data["recipient_lines"]))
    for key in (
        "hal",
        "sifat",
        "lampiran",
        "place",
        "opening",
        "closing",
        "signatory_name",
        "signatory_title",
    ):
        if key in data:
            setattr(letter, key, (data[key] or "").strip())
    if "annex" in data:
        letter.annex = bool(data["annex"])
    if not letter.recipient_lines.strip():
        letter.recipient_lines = "\n".join(compose.recipient_lines_for(letter.authority))
    if not letter.lampiran:
        letter.lampiran = "-"


def create(office: Office, user: User, data: dict[str, Any]) -> Letter:
    """A new draft letter; texts left out get the office's defaults."""
    _require(user, RECOMMEND, "Hanya inspektur, supervisor atau Kepala Perwakilan yang dapat menyusun surat.")
    name, title = compose.default_signatory(office)
    letter = Letter(
        office=office,
        office_id=office.id,
        inspection_id=data.get("inspection_id"),
        kind=LetterKind.SARAN,
        status=LetterStatus.DRAFT,
        recipient_lines="",
        hal="",
        sifat="Biasa",
        lampiran="-",
        place=office.city,
        opening="",
        annex=False,
        delivery_note="",
        signatory_name=name,
        signatory_title=title,
        closing=compose.default_closing(office),
        created_by_id=user.id,
        supersedes_id=data.get("supersedes_id"),
    )
    _apply(letter, data)
    _check(letter)
    db.session.add(letter)
    if "recommendation_ids" in data:
        _set_recommendations(letter, data["recommendation_ids"])
    if "copies" in data:
        _set_copies(letter, data["copies"])
    db.session.flush()
    changes = audit.snapshot(letter, LETTER_FIELDS)
    changes["recommendation_ids"] = [link.recommendation_id for link in letter.links]
    changes["copies"] = _copies_state(letter)
    if letter.supersedes_id:
        changes["supersedes_id"] = letter.supersedes_id
    _audit(letter, user, "created", changes)
    return letter


def update(letter: Letter, user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Change a draft (or a letter in review); returns the audited changes."""
    _same_office(user, letter)
    if not can_edit(user, letter):
        if letter.status in (LetterStatus.DRAFT, LetterStatus.IN_REVIEW):
            raise LetterPermissionError(
                "Surat dalam pemeriksaan hanya dapat diubah oleh supervisor atau Kepala."
            )
        raise LetterError("Surat yang sudah disetujui atau diterbitkan tidak dapat diubah.")
    before = audit.snapshot(letter, LETTER_FIELDS)
    before_recs = [link.recommendation_id for link in letter.links]
    before_copies = _copies_state(letter)
    _apply(letter, data)
    _check(letter)
    if "recommendation_ids" in data:
        _set_recommendations(letter, data["recommendation_ids"])
    if "copies" in data:
        _set_copies(letter, data["copies"])
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(letter, LETTER_FIELDS))
    after_recs = [link.recommendation_id for link in letter.links]
    if after_recs != before_recs:
        changes["recommendation_ids"] = [before_recs, after_recs]
    if _copies_state(letter) != before_copies:
        changes["copies"] = [before_copies, _copies_state(letter)]
    if changes:
        _audit(letter, user, "updated", changes)
    return changes


def apply_unsaved(letter: Letter, data: dict[str, Any]) -> None:
    """Put form values on a letter for a preview, without checks or audit; the caller must roll back."""
    _apply(letter, data)
    if "recommendation_ids" in data:
        _set_recommendations(letter, data["recommendation_ids"])
    if "copies" in data:
        _set_copies(letter, data["copies"])


def draft_from_inspection(inspection: Inspection, user: User) -> tuple[list[Letter], list[Authority]]:
    """One draft per addressee of the inspection's recommendations; returns (created, already drafted).

    An addressee that already has a letter on this inspection (other than a superseded one) gets none.
    """
    _require(user, RECOMMEND, "Hanya inspektur, supervisor atau Kepala Perwakilan yang dapat menyusun surat.")
    if user.office_id != inspection.office_id:
        raise LetterPermissionError("Inspeksi ini milik kantor lain.")
    recs = list(
        db.session.scalars(
            select(Recommendation)
            .where(
                Recommendation.office_id == inspection.office_id,
                Recommendation.findings.any(Finding.inspection_id == inspection.id),
            )
            .options(joinedload(Recommendation.authority), selectinload(Recommendation.findings))
            .order_by(Recommendation.position, Recommendation.id)
        ).unique()
    )
    if not recs:
        raise LetterError("Inspeksi ini belum punya rekomendasi; tulis rekomendasi dulu.")
    groups: dict[int, list[Recommendation]] = {}
    for rec in recs:
        groups.setdefault(rec.authority_id, []).append(rec)
    drafted = set(
        db.session.scalars(
            select(Letter.authority_id).where(
                Letter.inspection_id == inspection.id, Letter.status != LetterStatus.SUPERSEDED
            )
        )
    )
    office = inspection.office
    created, skipped = [], []
    for authority_id, group in groups.items():
        authority = group[0].authority
        if authority_id in drafted:
            skipped.append(authority)
            continue
        created.append(
            create(
                office,
                user,
                {
                    "inspection_id": inspection.id,
                    "authority_id": authority_id,
                    "kind": compose.letter_kind_for(group),
                    "hal": compose.default_hal(inspection),
                    "opening": compose.default_opening(office, inspection),
                    "place": office.city,
                    "recommendation_ids": [r.id for r in group],
                    "copies": default_copies(inspection, authority),
                },
            )
        )
    return created, skipped


def default_copies(inspection: Inspection, recipient: Authority) -> list[tuple[int | None, str]]:
    """Tembusan: head office, the inspected unit when it is not the recipient, the recipient's superior."""
    copies: list[tuple[int | None, str]] = [(None, compose.HEAD_OFFICE_COPY)]
    unit = inspection.authority
    if unit.id != recipient.id:
        copies.append((unit.id, ""))
    if recipient.parent is not None and recipient.parent_id != unit.id:
        copies.append((recipient.parent_id, ""))
    return copies


# --- the workflow -------------------------------------------------------------------------------------------


def _transition(letter: Letter, user: User, new: LetterStatus, action: str, **extra: Any) -> None:
    old = letter.status
    letter.status = new
    _audit(letter, user, action, {"status": [old.value, new.value], **extra})


def submit(letter: Letter, user: User) -> None:
    """The drafter sends the letter for review."""
    _same_office(user, letter)
    _require(
        user, RECOMMEND, "Hanya inspektur, supervisor atau Kepala Perwakilan yang dapat mengajukan surat."
    )
    if letter.status is not LetterStatus.DRAFT:
        raise LetterError("Hanya draf yang dapat diajukan untuk diperiksa.")
    if not letter.links:
        raise LetterError("Surat belum memuat rekomendasi; pilih minimal satu sebelum diajukan.")
    letter.submitted_at, letter.submitted_by_id = utcnow(), user.id
    _transition(letter, user, LetterStatus.IN_REVIEW, "submitted")


def approve(letter: Letter, user: User) -> None:
    """A supervisor or the head approves the letter for issue."""
    _same_office(user, letter)
    _require(user, REVIEW, "Hanya supervisor atau Kepala Perwakilan yang dapat menyetujui surat.")
    if letter.status is not LetterStatus.IN_REVIEW:
        raise LetterError("Hanya surat yang sedang diperiksa yang dapat disetujui.")
    letter.approved_at, letter.approved_by_id = utcnow(), user.id
    _transition(letter, user, LetterStatus.APPROVED, "approved")


def return_to_draft(letter: Letter, user: User, note: str = "") -> None:
    """A reviewer sends the letter back to its drafters."""
    _same_office(user, letter)
    _require(user, REVIEW, "Hanya supervisor atau Kepala Perwakilan yang dapat mengembalikan surat.")
    if letter.status not in (LetterStatus.IN_REVIEW, LetterStatus.APPROVED):
        raise LetterError("Hanya surat yang diperiksa atau disetujui yang dapat dikembalikan ke draf.")
    letter.approved_at, letter.approved_by_id = None, None
    _transition(letter, user, LetterStatus.DRAFT, "returned", note=note.strip()[:2000])


def pending_correction(letter: Letter) -> Letter | None:
    """The letter that is being written to supersede this one, if any."""
    return db.session.scalar(
        select(Letter)
        .where(Letter.supersedes_id == letter.id, Letter.status != LetterStatus.SUPERSEDED)
        .limit(1)
    )


def start_correction(letter: Letter, user: User) -> Letter:
    """A new draft copying an issued letter, which will supersede it when issued."""
    _same_office(user, letter)
    if letter.status is not LetterStatus.ISSUED:
        raise LetterError("Hanya surat yang sudah diterbitkan (dan belum diganti) yang dapat dikoreksi.")
    if (existing := pending_correction(letter)) is not None:
        raise LetterError(f"Surat koreksi untuk surat ini sudah ada (draf #{existing.id}).")
    data = {key: getattr(letter, key) for key in LETTER_FIELDS}
    data.update(
        inspection_id=letter.inspection_id,
        supersedes_id=letter.id,
        recommendation_ids=[link.recommendation_id for link in letter.links],
        copies=[(c.authority_id, c.text) for c in letter.copies],
    )
    return create(letter.office, user, data)


# --- numbering and issuing ----------------------------------------------------------------------------------


def _insert_ignoring_conflict(values: dict[str, Any]):
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(LetterCounter).values(**values).on_conflict_do_nothing()


def take_number_lock(office_id: int, year: int) -> None:
    """Make sure the office's counter row for the year exists, and serialise issuers on SQLite.

    On SQLite this is the transaction's first write, so it takes the database's write lock: every other
    issuer waits here (busy timeout) until this transaction ends, and reads made after it are current.
    On PostgreSQL the row lock comes from allocate_sequence()'s SELECT ... FOR UPDATE.
    """
    db.session.execute(_insert_ignoring_conflict({"office_id": office_id, "year": year, "last_sequence": 0}))


def allocate_sequence(office_id: int, year: int) -> int:
    """The next sequence number of the office in the year, in the caller's transaction.

    The counter row is locked (SELECT ... FOR UPDATE) until the transaction ends, so concurrent issuers
    queue; a rollback returns the number, so a failed issue burns none.
    """
    take_number_lock(office_id, year)
    counter = db.session.execute(
        select(LetterCounter)
        .where(LetterCounter.office_id == office_id, LetterCounter.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    counter.last_sequence += 1
    db.session.flush()
    return counter.last_sequence


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def _new_short_code() -> str:
    while True:
        raw = "".join(secrets.choice(_SHORT_CODE_ALPHABET) for _ in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        if db.session.scalar(select(Letter.id).where(Letter.short_code == code)) is None:
            return code


def verify_url(base_url: str, token: str) -> str:
    """The public verification address printed (and encoded in the QR code) on an issued letter."""
    return f"{base_url.rstrip('/')}{VERIFY_PATH}{token}"


def number_settings_errors(office: Office) -> list[str]:
    """Why the office's numbering settings cannot number a letter now (an empty list when they can)."""
    errors = template_errors(office.letter_number_template)
    used = placeholders_used(office.letter_number_template)
    if "classification" in used and not office.letter_classification.strip():
        errors.append("Kode klasifikasi surat belum diisi di pengaturan surat.")
    if "unit" in used and not office.letter_unit_code.strip():
        errors.append("Kode unit pengolah belum diisi di pengaturan surat.")
    return errors


def issue(
    letter: Letter,
    user: User,
    *,
    today: date,
    base_url: str,
    evidence_root: Path | None,
    render: Callable[..., bytes] = render_letter_pdf,
) -> Letter:
    """Number the approved letter, render its PDF/A once, store bytes, SHA-256 and snapshot: it is frozen.

    The caller commits; if anything fails before that, rolling back returns the number.
    """
    _same_office(user, letter)
    _require(user, ISSUE, "Hanya Kepala Perwakilan yang dapat menerbitkan surat.")
    take_number_lock(letter.office_id, today.year)
    # Re-read the letter under the lock: a concurrent request may have issued it meanwhile.
    letter = db.session.execute(
        select(Letter)
        .where(Letter.id == letter.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if letter.status.is_issued:
        raise LetterError(f"Surat ini sudah diterbitkan dengan nomor {letter.number}.")
    if letter.status is not LetterStatus.APPROVED:
        raise LetterError(
            "Surat belum disetujui; surat harus disetujui supervisor atau Kepala sebelum terbit."
        )
    if not letter.links:
        raise LetterError("Surat tanpa rekomendasi tidak dapat diterbitkan.")
    office = letter.office
    if errors := number_settings_errors(office):
        raise LetterError(" ".join(errors))
    previous = letter.supersedes
    if previous is not None and previous.status is not LetterStatus.ISSUED:
        raise LetterError("Surat yang dikoreksi sudah diganti oleh surat lain.")
    sequence = allocate_sequence(office.id, today.year)
    number = format_number(
        office.letter_number_template,
        seq=sequence,
        day=today,
        classification=office.letter_classification,
        unit=office.letter_unit_code,
    )
    token, code = _new_token(), _new_short_code()
    doc, files = compose.letter_document(
        letter,
        evidence_root=evidence_root,
        number=number,
        day=today,
        verify_url=verify_url(base_url, token),
        short_code=code,
    )
    pdf = render(doc, allowed_files=files, archive=True)
    letter.number, letter.sequence, letter.year, letter.letter_date = number, sequence, today.year, today
    letter.verify_token, letter.short_code = token, code
    letter.pdf, letter.pdf_sha256 = pdf, hashlib.sha256(pdf).hexdigest()
    letter.snapshot = compose.document_to_snapshot(doc)
    letter.issued_at, letter.issued_by_id = utcnow(), user.id
    _transition(
        letter,
        user,
        LetterStatus.ISSUED,
        "issued",
        number=number,
        sha256=letter.pdf_sha256,
        date=today.isoformat(),
    )
    if previous is not None:
        previous.status = LetterStatus.SUPERSEDED
        _audit(previous, user, "superseded", {"status": ["issued", "superseded"], "superseded_by": letter.id})
    db.session.flush()  # the unique (office, year, sequence) constraint speaks now, inside the transaction
    if letter.escalation_step:
        _record_escalation(letter, user, today)
    return letter


def _record_escalation(letter: Letter, user: User, today: date) -> None:
    """An issued escalation letter goes on each recommendation's follow-up, so the next step knows."""
    for rec in letter.recommendations:
        try:
            deadlines.record_escalation(
                rec,
                sent_on=today,
                step=letter.escalation_step or "",
                reference=letter.number or "",
                note=letter.hal,
                user=user,
                today=today,
            )
        except DomainError as exc:
            raise LetterError(f"Rekomendasi “{_short(rec.text)}”: {exc}") from exc


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- the frozen copy ----------------------------------------------------------------------------------------


def issued_pdf(letter: Letter) -> bytes:
    """The stored PDF of an issued letter, after checking it still has its recorded SHA-256."""
    if not letter.status.is_issued or letter.pdf is None or letter.pdf_sha256 is None:
        raise LetterError("Surat ini belum diterbitkan.")
    actual = hashlib.sha256(letter.pdf).hexdigest()
    if not hmac.compare_digest(actual, letter.pdf_sha256):
        logger.error(
            "stored PDF of letter %s (%s) does not match its SHA-256: recorded %s, found %s",
            letter.id,
            letter.number,
            letter.pdf_sha256,
            actual,
        )
        raise FrozenPdfError(f"letter {letter.id}: stored PDF does not match its SHA-256")
    return letter.pdf


def document_for_display(
    letter: Letter, evidence_root: Path | None
) -> tuple[LetterDocument, dict[str, Path]]:
    """What the letter shows: the frozen snapshot once issued, the live records before."""
    if letter.status.is_issued and letter.snapshot is not None:
        doc = compose.document_from_snapshot(letter.snapshot)
        files = {}
        if evidence_root is not None:
            files = _snapshot_files(doc, letter.office_id, evidence_root)
        return doc, files
    return compose.letter_document(letter, evidence_root=evidence_root)


def _snapshot_files(doc: LetterDocument, office_id: int, evidence_root: Path) -> dict[str, Path]:
    ids = [int(key.split(":", 1)[1]) for row in doc.annex_rows for key in row.photos]
    if not ids:
        return {}
    rows = db.session.scalars(select(Evidence).where(Evidence.id.in_(ids), Evidence.office_id == office_id))
    return {
        f"evidence:{e.id}": storage.path_for(evidence_root, e.thumbnail_key) for e in rows if e.thumbnail_key
    }


def draft_pdf(letter: Letter, evidence_root: Path | None) -> bytes:
    """A watermarked PDF of the letter as it now reads; never stored."""
    doc, files = compose.letter_document(letter, evidence_root=evidence_root)
    return render_letter_pdf(doc, allowed_files=files)


def preview_html(
    doc: LetterDocument, jinja_env=None, resource_url: Callable[[str], str] | None = None, base_href: str = ""
) -> str:
    """The print HTML for the on-screen preview: URLs the browser can load instead of the renderer's keys."""
    return render_letter_html(doc, jinja_env, resource_url=resource_url, base_href=base_href)


def matches_issued(letter: Letter, data: bytes) -> bool:
    """Whether uploaded bytes are, byte for byte, the issued PDF of the letter."""
    stored = issued_pdf(letter)
    return (
        hmac.compare_digest(hashlib.sha256(data).digest(), hashlib.sha256(stored).digest()) and data == stored
    )


def by_token(token: str) -> Letter | None:
    """The issued letter behind a verification token."""
    if not token or len(token) > 64:
        return None
    letter = db.session.scalar(select(Letter).where(Letter.verify_token == token))
    return letter if letter is not None and letter.status.is_issued else None


def by_short_code(code: str) -> Letter | None:
    """The issued letter behind a short code as printed ("K7Q2-9XPA"; case and dash optional)."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(raw) != 8:
        return None
    letter = db.session.scalar(select(Letter).where(Letter.short_code == f"{raw[:4]}-{raw[4:]}"))
    return letter if letter is not None and letter.status.is_issued else None


# --- delivery -----------------------------------------------------------------------------------------------


def record_delivery(
    letter: Letter,
    user: User,
    *,
    method: DeliveryMethod | None,
    delivered_on: date | None,
    received_on: date | None,
    note: str = "",
    today: date,
    correction_reason: str = "",
) -> dict[str, Any]:
    """Record how and when an issued letter was delivered and when the authority received it.

    The receipt date is where the follow-up clock starts, so it is recorded once; changing it afterwards is
    a supervisor's correction with a reason, audited as such.
    """
    _same_office(user, letter)
    _require(user, RECOMMEND, "Hanya inspektur, supervisor atau Kepala Perwakilan yang mencatat pengiriman.")
    if letter.status is not LetterStatus.ISSUED:
        raise LetterError("Pengiriman hanya dicatat untuk surat yang sudah terbit (dan belum diganti).")
    issued_on = letter.letter_date
    assert issued_on is not None  # every issued letter has its date
    for value, field, label in (
        (delivered_on, "delivered_on", "dikirim"),
        (received_on, "received_on", "diterima"),
    ):
        if value is None:
            continue
        if value < issued_on:
            raise LetterError(
                f"Tanggal {label} tidak boleh sebelum tanggal surat ({issued_on:%d-%m-%Y}).", field
            )
        if value > today:
            raise LetterError(f"Tanggal {label} tidak boleh di masa depan.", field)
    if delivered_on and received_on and received_on < delivered_on:
        raise LetterError("Tanggal diterima tidak boleh sebelum tanggal dikirim.", "received_on")
    if received_on is not None and delivered_on is None and letter.delivered_on is None:
        raise LetterError("Catat juga tanggal pengiriman.", "delivered_on")
    correcting = letter.received_on is not None and received_on != letter.received_on
    if correcting:
        if user.role not in CORRECT_RECEIPT:
            raise LetterPermissionError(
                "Tanggal diterima sudah dicatat; koreksinya hanya oleh supervisor, dengan alasan."
            )
        if not correction_reason.strip():
            raise LetterError("Tulis alasan koreksi tanggal diterima.", "correction_reason")
    if correcting and received_on is None:
        raise LetterError(
            "Tanggal diterima yang sudah tercatat tidak dapat dihapus; koreksi dengan tanggal yang benar.",
            "received_on",
        )
    old_received = letter.received_on
    before = audit.snapshot(letter, DELIVERY_FIELDS)
    letter.delivery_method = method
    letter.delivered_on = delivered_on
    letter.received_on = received_on
    letter.delivery_note = note.strip()
    changes = audit.diff(before, audit.snapshot(letter, DELIVERY_FIELDS))
    if changes:
        if correcting:
            changes["reason"] = correction_reason.strip()
        # The follow-up clocks run from the receipt date: started with it, corrected with it.
        if received_on is not None and old_received is None:
            changes["deadlines_started"] = _start_clocks(letter, user, received_on, today)
        elif correcting and received_on is not None and old_received is not None:
            changes["deadlines_corrected"] = _correct_clocks(
                letter, user, old_received, received_on, correction_reason.strip(), today
            )
        _audit(letter, user, "received_on_corrected" if correcting else "delivery", changes)
    return changes


def _clock_error(exc: DomainError, rec: Recommendation) -> LetterError:
    # Every date problem of the clock is a problem of the receipt date the user typed.
    field = "received_on" if exc.field in (None, "received_on", "issued_on") else exc.field
    return LetterError(f"Rekomendasi “{_short(rec.text)}”: {exc}", field)


def _start_clocks(letter: Letter, user: User, received_on: date, today: date) -> list[int]:
    """Start the follow-up clock of each recommendation the letter carries; returns their ids.

    An escalation letter (reminder, superior, head office) starts nothing: its recommendations' clocks
    run from the first letter. So does a recommendation whose clock an earlier letter already started
    (the letter this one corrects) or that is already closed.
    """
    if letter.escalation_step:
        return []
    calendar = deadlines.office_calendar(letter.office)
    started = []
    for rec in letter.recommendations:
        if rec.deadline is not None or rec.status.is_closed:
            continue
        try:
            deadlines.start_clock(
                rec,
                received_on=received_on,
                issued_on=letter.letter_date,
                user=user,
                today=today,
                calendar=calendar,
            )
        except DomainError as exc:
            raise _clock_error(exc, rec) from exc
        started.append(rec.id)
    return started


def _correct_clocks(
    letter: Letter, user: User, old_received: date, received_on: date, reason: str, today: date
) -> list[int]:
    """Move the clocks this letter started (same issue and receipt dates) to the corrected receipt date."""
    if letter.escalation_step:
        return []
    corrected = []
    for rec in letter.recommendations:
        deadline: Deadline | None = rec.deadline
        if deadline is None or (deadline.received_on, deadline.issued_on) != (
            old_received,
            letter.letter_date,
        ):
            continue
        try:
            deadlines.correct_receipt(
                deadline,
                received_on=received_on,
                issued_on=letter.letter_date,
                reason=reason,
                user=user,
                today=today,
            )
        except DomainError as exc:
            raise _clock_error(exc, rec) from exc
        corrected.append(rec.id)
    return corrected


# --- escalation letters (the deadlines package's hook) ------------------------------------------------------


def draft_escalation_letter(plan: Any, *, user: User, today: date) -> Letter:
    """Draft the letter an escalation plan asks for, through the normal workflow; returns the draft.

    `plan` is a `deadlines.escalation.EscalationPlan`: a reminder (pengingat) to the authority, a letter to
    its superior in the register, or a Rekomendasi draft for head office. The history text opens the letter
    and the recommendations it covers are printed in it; issuing it records the step on their follow-up.
    """
    office = db.session.get(Office, plan.office_id)
    if office is None or user.office_id != office.id:
        raise LetterPermissionError("Rencana eskalasi ini milik kantor lain.")
    recipient = plan.recipient
    # Head office is not in the register: the letter stays filed under the authority it is about, and the
    # "Yth." lines name head office.
    authority_id = recipient.authority_id or plan.authority_id
    lines = [line for line in (recipient.head_title, recipient.place_line) if line]
    recs = _recommendations(office.id, list(plan.recommendation_ids))
    inspection_ids = {f.inspection_id for rec in recs for f in rec.findings}
    copies: list[tuple[int | None, str]] = []
    if recipient.authority_id is not None:
        copies.append((None, compose.HEAD_OFFICE_COPY))
    if recipient.authority_id != plan.authority_id:
        copies.append((plan.authority_id, ""))  # the authority that ignored it hears of it too
    letter = create(
        office,
        user,
        {
            "inspection_id": inspection_ids.pop() if len(inspection_ids) == 1 else None,
            "authority_id": authority_id,
            "kind": LetterKind(plan.letter_kind),
            "recipient_lines": lines,
            "hal": plan.subject,
            "sifat": "Segera",
            "place": office.city,
            "opening": plan.history,
            "recommendation_ids": list(plan.recommendation_ids),
            "copies": copies,
        },
    )
    letter.escalation_step = str(plan.step)
    db.session.flush()
    _audit(letter, user, "escalation_drafted", {"step": letter.escalation_step, "reason": plan.reason})
    return letter


# --- the register of outgoing letters -----------------------------------------------------------------------


@dataclass
class LetterFilters:
    """Filters of the register; every one optional."""

    status: LetterStatus | None = None
    kind: LetterKind | None = None
    authority_id: int | None = None
    year: int | None = None
    inspection_id: int | None = None
    q: str = ""


def register_query(office_id: int, filters: LetterFilters | None = None) -> Select:
    """The office's letters, newest number first, then drafts newest first, with the addressee loaded."""
    f = filters or LetterFilters()
    stmt = (
        select(Letter)
        .where(Letter.office_id == office_id)
        .options(joinedload(Letter.authority))
        .order_by(Letter.letter_date.desc().nulls_first(), Letter.sequence.desc(), Letter.id.desc())
    )
    if f.status is not None:
        stmt = stmt.where(Letter.status == f.status)
    if f.kind is not None:
        stmt = stmt.where(Letter.kind == f.kind)
    if f.authority_id is not None:
        stmt = stmt.where(Letter.authority_id == f.authority_id)
    if f.year is not None:
        stmt = stmt.where(Letter.year == f.year)
    if f.inspection_id is not None:
        stmt = stmt.where(Letter.inspection_id == f.inspection_id)
    if f.q.strip():
        like = f"%{f.q.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Letter.hal).like(like), func.lower(Letter.number).like(like)))
    return stmt


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells that start like a formula; a leading apostrophe keeps them text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def register_csv(letters: Iterable[Letter]) -> str:
    """The register as CSV (comma-separated, UTF-8) for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Nomor", "Tanggal", "Kepada", "Hal", "Jenis", "Status", "Dikirim", "Diterima", "SHA-256"]
    )
    for letter in letters:
        writer.writerow(
            [
                _cell(letter.number),
                letter.letter_date.isoformat() if letter.letter_date else "",
                _cell(" ".join(letter.recipient_line_list)),
                _cell(letter.hal),
                letter.kind.value,
                letter.status.value,
                letter.delivered_on.isoformat() if letter.delivered_on else "",
                letter.received_on.isoformat() if letter.received_on else "",
                letter.pdf_sha256 or "",
            ]
        )
    return out.getvalue()


# --- office settings ----------------------------------------------------------------------------------------


def update_settings(office: Office, user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Change the office's letter settings; an unusable number template or layout is refused."""
    template = (data.get("letter_number_template") or "").strip()
    if errors := template_errors(template):
        raise LetterError(" ".join(errors), "letter_number_template")
    data = {**data, "letter_number_template": template}
    if data.get("letter_paper") not in PAPER_SIZES:
        raise LetterError("Ukuran kertas tidak dikenal.", "letter_paper")
    if data.get("letter_font") not in FONTS:
        raise LetterError("Huruf tidak dikenal.", "letter_font")
    if not 8 <= float(data.get("letter_font_size") or 0) <= 16:
        raise LetterError("Ukuran huruf antara 8 dan 16 pt.", "letter_font_size")
    try:
        PageMargins(
            top=data["letter_margin_top"],
            right=data["letter_margin_right"],
            bottom=data["letter_margin_bottom"],
            left=data["letter_margin_left"],
        )
    except (ValueError, TypeError) as exc:
        raise LetterError("Margin harus antara 5 dan 60 mm.", "letter_margin_top") from exc
    before = audit.snapshot(office, SETTINGS_FIELDS)
    for key in SETTINGS_FIELDS:
        if key in data:
            value = data[key]
            setattr(office, key, value.strip() if isinstance(value, str) else value)
    changes = audit.diff(before, audit.snapshot(office, SETTINGS_FIELDS))
    if changes:
        audit.record(
            "office", office.id, "letter_settings", user_id=user.id, office_id=office.id, changes=changes
        )
    return changes
