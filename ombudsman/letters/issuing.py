"""Issuing: the approved letter gets its number, its verification token and its PDF/A, frozen for good.

Everything happens in the caller's transaction: if anything fails before the commit, the rollback returns
the number. After issue the letter is only ever shown from its snapshot and served from its stored bytes
(`documents`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ombudsman import contracts
from ombudsman.accounts.models import User
from ombudsman.clock import utcnow
from ombudsman.errors import Conflict, Invalid
from ombudsman.extensions import db
from ombudsman.letters import access, compose, counters, eligibility, followup, readiness
from ombudsman.letters.commands import IssueLetter
from ombudsman.letters.models import Letter, LetterStatus
from ombudsman.letters.numbering import format_number
from ombudsman.letters.render import render_letter_pdf
from ombudsman.letters.settings import for_office, joined, number_settings_errors
from ombudsman.letters.workflow import transition
from ombudsman.pdf import format_date_id

VERIFY_PATH = "/verify/"
# Short codes are typed by people: no 0/O or 1/I to confuse.
_SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


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


def last_reported_visit(letter: Letter) -> date | None:
    """The latest visit date of the inspections the letter reports on (its own and its findings')."""
    visits = [f.inspection.visited_on for rec in letter.recommendations for f in rec.findings]
    if letter.inspection is not None:
        visits.append(letter.inspection.visited_on)
    return max(visits, default=None)


def letter_date_for(letter: Letter, cmd: IssueLetter, today: date) -> date:
    """The date the letter will carry: the chosen one, else `today` (the office's date).

    Raises `Invalid` on `letter_date` for a date in the future (after `today`) or before the last visit of
    the inspections the letter reports on.
    """
    contracts.validate(cmd, today)
    day = cmd.letter_date or today
    visit = last_reported_visit(letter)
    if visit is not None and day < visit:
        raise Invalid(
            _l(
                "Tanggal surat tidak boleh sebelum tanggal inspeksi yang dilaporkannya (%(date)s).",
                date=format_date_id(visit),
            ),
            "letter_date",
        )
    return day


def issue(
    letter: Letter,
    user: User,
    *,
    today: date,
    base_url: str,
    evidence_root: Path | None,
    letter_date: date | None = None,
    require_ready: bool = False,
    render: Callable[..., bytes] = render_letter_pdf,
) -> Letter:
    """Number the approved letter, render its PDF/A once, store bytes, SHA-256 and snapshot: it is frozen.

    `today`: the office's date; `letter_date`: the date printed on the letter (default `today`; never after
    it, never before the last visit reported), whose month and year the number takes. `require_ready`
    (production): refuse while the letters setup checklist (`readiness`) is incomplete; otherwise an
    incomplete checklist prints the "DEMO" mark.

    Returns the issued letter (re-read under the number lock). Raises `Forbidden` unless the user is the
    head, `Invalid` for the letter date or for a recommendation that does not belong in the letter
    (`eligibility`), `Conflict` when the office is not ready (field `readiness` lists what is missing), the
    letter is not approved, already issued, prints no recommendation, its office cannot number letters
    yet, or the letter it corrects was superseded meanwhile. The caller commits.
    """
    access.same_office(user, letter)
    access.require(user, access.ISSUE, _l("Hanya Kepala Perwakilan yang dapat menerbitkan surat."))
    demo = readiness.check_for_issue(letter.office, base_url, enforce=require_ready)
    day = letter_date_for(letter, IssueLetter(letter_date=letter_date), today)
    counters.take_number_lock(letter.office_id, day.year)
    # Re-read the letter under the lock: a concurrent request may have issued it meanwhile.
    letter = db.session.execute(
        select(Letter)
        .where(Letter.id == letter.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if letter.status.is_issued:
        raise Conflict(_l("Surat ini sudah diterbitkan dengan nomor %(number)s.", number=letter.number))
    if letter.status is not LetterStatus.APPROVED:
        raise Conflict(
            _l("Surat belum disetujui; surat harus disetujui supervisor atau Kepala sebelum terbit.")
        )
    if not letter.links:
        raise Conflict(_l("Surat tanpa rekomendasi tidak dapat diterbitkan."))
    eligibility.check(letter)  # a letter drafted before the rule may still carry another's recommendation
    office = letter.office
    settings = for_office(office)
    if errors := number_settings_errors(settings):
        raise Conflict(joined(errors))
    previous = letter.supersedes
    if previous is not None and previous.status is not LetterStatus.ISSUED:
        raise Conflict(_l("Surat yang dikoreksi sudah diganti oleh surat lain."))
    sequence = counters.allocate_sequence(office.id, day.year)
    number = format_number(
        settings.number_template,
        seq=sequence,
        day=day,
        classification=settings.classification,
        unit=settings.unit_code,
    )
    token, code = _new_token(), _new_short_code()
    doc, files = compose.letter_document(
        letter,
        evidence_root=evidence_root,
        number=number,
        day=day,
        verify_url=verify_url(base_url, token),
        short_code=code,
        demo=demo,
    )
    pdf = render(doc, allowed_files=files, archive=True)
    letter.number, letter.sequence, letter.year, letter.letter_date = number, sequence, day.year, day
    letter.verify_token, letter.short_code = token, code
    letter.pdf, letter.pdf_sha256 = pdf, hashlib.sha256(pdf).hexdigest()
    letter.snapshot = compose.document_to_snapshot(doc)
    letter.issued_at, letter.issued_by_id = utcnow(), user.id
    transition(
        letter,
        user,
        LetterStatus.ISSUED,
        "issued",
        number=number,
        sha256=letter.pdf_sha256,
        date=day.isoformat(),
        demo=demo,
    )
    if previous is not None:
        previous.status = LetterStatus.SUPERSEDED
        access.record(
            previous, user, "superseded", {"status": ["issued", "superseded"], "superseded_by": letter.id}
        )
    db.session.flush()  # the unique (office, year, sequence) constraint speaks now, inside the transaction
    if letter.escalation_step:
        followup.record_escalation(letter, user, today)
    return letter
