"""Issuing: the approved letter gets its number, its verification token and its PDF/A, frozen for good.

Three steps, so that no database lock is held while the PDF renders (0.5–3 s):

1. `reserve` (a short transaction, committed by the caller): the checks, then the office's next number for
   the year, the letter date, token and short code are written on the letter. From then on the letter
   `is_issuing`: the number is taken for good (never burnt, never reused) and belongs to this letter.
2. `render_reserved`: the PDF is rendered from the reserved number outside any transaction. It runs as a
   job (`ombudsman.jobs.tasks.render_issued_letter`) on RQ, or inline without Redis; a failed render is
   retried with the same number.
3. `finish` (a short transaction): bytes, SHA-256 and snapshot are stored and the letter becomes `issued`;
   when two renders of one letter race, the first stored wins and the second changes nothing.

After issue the letter is only ever shown from its snapshot and served from its stored bytes (`documents`).
`issue` runs the three in a row in the caller's transaction handling (for the CLI, the seed and tests).

In electronic-signature mode (`LetterSettings.electronic_signature`, issue 13) the head's key is unlocked
first (`unlock_signatory`, before `reserve`: a wrong passphrase burns no number), `reserve` marks the letter
`signed`, and the request itself renders, signs and stores it (`complete_signed`): the unlocked key never
leaves the process (see `ombudsman.letters.signing`). When that signing fails (a broken key, the time-stamping
server down) the letter stays reserved as `signed`, and issuing again asks for the passphrase again. If the
admin has meanwhile turned electronic-signature mode off, issuing again completes it as a paper letter
instead (`reserve`: same number, `signed` cleared and audited as `completed_unsigned`, rendered like any
unsigned letter); that is the way out when the key cannot sign.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ombudsman import contracts
from ombudsman.accounts.models import User
from ombudsman.clock import utcnow
from ombudsman.errors import Conflict, Invalid
from ombudsman.extensions import db
from ombudsman.letters import access, compose, counters, eligibility, followup, readiness, signing
from ombudsman.letters.commands import IssueLetter
from ombudsman.letters.models import Letter, LetterStatus
from ombudsman.letters.numbering import format_number
from ombudsman.letters.render import render_letter_pdf
from ombudsman.letters.settings import for_office, joined, number_settings_errors
from ombudsman.letters.workflow import transition
from ombudsman.pdf import format_date_id

VERIFY_PATH = "/verify/"
#: Said by the page and the API when a render (or its submission to the queue) failed: nothing is lost.
RENDER_FAILED = _l(
    "PDF surat belum dapat dibuat; nomor %(number)s tetap untuk surat ini. Coba terbitkan lagi sebentar lagi."
)
#: Said when a signing render finishes after the letter was made a paper letter (electronic signing off).
MSG_NOW_PAPER = _l(
    "Surat ini kini diterbitkan sebagai surat kertas karena tanda tangan elektronik dimatikan; PDF yang "
    "ditandatangani tidak disimpan."
)
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


def unlock_signatory(
    letter: Letter, user: User, passphrase: str | None, *, secret_key: str
) -> signing.UnlockedSignatory | None:
    """In electronic-signature mode, the issuing head's key unlocked with `passphrase`; otherwise None.

    Call it before `reserve`. None also for a letter already reserved as `signed` once the office no longer
    signs electronically: `reserve` completes it as a paper letter. Raises `NotFound` for another office's
    letter, `Forbidden` unless the user is the head, `Conflict` (field `signing_passphrase`) when the head
    has no key, `Invalid` (same field) for an empty or wrong passphrase. The passphrase is never stored or
    logged.
    """
    access.same_office(user, letter)
    access.require(user, access.ISSUE, _l("Hanya Kepala Perwakilan yang dapat menerbitkan surat."))
    if letter.status.is_issued or (letter.is_issuing and not letter.signed):
        return None  # nothing left to sign: `reserve` answers
    if not for_office(letter.office).electronic_signature:
        return None
    return signing.unlock(user, passphrase or "", secret_key=secret_key)


def reserve(
    letter: Letter,
    user: User,
    *,
    today: date,
    base_url: str,
    letter_date: date | None = None,
    require_ready: bool = False,
    signatory: signing.UnlockedSignatory | None = None,
) -> Letter:
    """Step 1: check the approved letter and reserve its number, date, token and short code.

    `today`: the office's date; `letter_date`: the date printed on the letter (default `today`; never after
    it, never before the last visit reported), whose month and year the number takes. `require_ready`
    (production): refuse while the letters setup checklist (`readiness`) is incomplete; otherwise an
    incomplete checklist prints the "DEMO" mark (decided again at render).

    Returns the letter (re-read under the number lock), now `is_issuing`; a letter already issuing is
    returned as it is (pressing "issue" again retries its render, never takes a second number), except
    that one reserved as `signed` while the office no longer signs electronically becomes a paper letter
    (`as_paper_when_signing_is_off`). Raises
    `Forbidden` unless the user is the head, `Invalid` for the letter date (also when it is before the
    latest letter already numbered that year: numbers follow dates) or for a recommendation that
    does not belong in the letter (`eligibility`), `Conflict` when the office is not ready (field
    `readiness` lists what is missing), the letter is not approved, already issued, prints no
    recommendation, its office cannot number letters yet, or the letter it corrects was superseded
    meanwhile; `Invalid` on `signing_passphrase` when the office signs electronically and no unlocked
    `signatory` (`unlock_signatory`) is given. The caller commits at once: the counter row stays locked
    until then.
    """
    access.same_office(user, letter)
    access.require(user, access.ISSUE, _l("Hanya Kepala Perwakilan yang dapat menerbitkan surat."))
    if letter.is_issuing:
        return as_paper_when_signing_is_off(letter, user)
    readiness.check_for_issue(letter.office, base_url, enforce=require_ready)
    day = letter_date_for(letter, IssueLetter(letter_date=letter_date), today)
    counters.take_number_lock(letter.office_id, day.year)
    # Re-read the letter under the lock: a concurrent request may have issued it meanwhile.
    letter = _locked(letter.id)
    if letter.status.is_issued:
        raise Conflict(_l("Surat ini sudah diterbitkan dengan nomor %(number)s.", number=letter.number))
    if letter.is_issuing:
        return as_paper_when_signing_is_off(letter, user)
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
    if settings.electronic_signature and signatory is None:
        raise Invalid(_l("Ketik frasa sandi kunci tanda tangan Anda."), signing.SIGNING_PASSPHRASE_FIELD)
    previous = letter.supersedes
    if previous is not None and previous.status is not LetterStatus.ISSUED:
        raise Conflict(_l("Surat yang dikoreksi sudah diganti oleh surat lain."))
    _follows_the_register(letter, day)
    sequence = counters.allocate_sequence(office.id, day.year)
    number = format_number(
        settings.number_template,
        seq=sequence,
        day=day,
        classification=settings.classification,
        unit=settings.unit_code,
    )
    letter.number, letter.sequence, letter.year, letter.letter_date = number, sequence, day.year, day
    letter.verify_token, letter.short_code = _new_token(), _new_short_code()
    letter.issued_by_id = user.id
    letter.signed = settings.electronic_signature
    access.record(
        letter, user, "number_reserved", {"number": number, "date": day.isoformat(), "signed": letter.signed}
    )
    db.session.flush()  # the unique (office, year, sequence) constraint speaks now, inside the transaction
    return letter


def as_paper_when_signing_is_off(letter: Letter, user: User) -> Letter:
    """A reserved letter, made a paper letter when it was reserved as `signed` and the office no longer
    signs electronically (the admin turned the mode off after its signing failed).

    The number, date, token and short code stay; `signed` is cleared under the number lock (so a signing
    render finishing meanwhile either stored first, and the letter is issued as signed, or is refused by
    `finish`), and the letter's trail records `completed_unsigned` by `user`. Returns the letter (re-read
    under the lock when changed); any other letter is returned as it is. The caller commits.
    """
    if not letter.is_issuing or not letter.signed or for_office(letter.office).electronic_signature:
        return letter
    counters.take_number_lock(letter.office_id, letter.year or letter.letter_date.year)
    letter = _locked(letter.id)
    if letter.is_issuing and letter.signed:
        letter.signed = False
        access.record(
            letter,
            user,
            "completed_unsigned",
            {"number": letter.number, "signed": [True, False]},
        )
        db.session.flush()
    return letter


def _follows_the_register(letter: Letter, day: date) -> None:
    """Numbers run in date order within a year: the new number is the year's highest, so its date may not
    be before the latest letter already numbered that year. Raises `Invalid` on `letter_date`. Called under
    the number lock (no letter can be numbered meanwhile)."""
    latest = db.session.execute(
        select(Letter.letter_date, Letter.number)
        .where(
            Letter.office_id == letter.office_id,
            Letter.year == day.year,
            Letter.number.is_not(None),
            Letter.id != letter.id,
        )
        .order_by(Letter.letter_date.desc(), Letter.id.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.letter_date is not None and day < latest.letter_date:
        raise Invalid(
            _l(
                "Tanggal surat tidak boleh sebelum tanggal surat bernomor terakhir tahun ini (%(number)s, "
                "%(date)s): nomor surat mengikuti urutan tanggal.",
                number=latest.number,
                date=format_date_id(latest.letter_date),
            ),
            "letter_date",
        )


def _locked(letter_id: int) -> Letter:
    return db.session.execute(
        select(Letter)
        .where(Letter.id == letter_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


@dataclass(frozen=True)
class Rendered:
    """A reserved letter's PDF/A and the document it was rendered from, ready for `finish`."""

    letter_id: int
    pdf: bytes
    snapshot: dict
    demo: bool = False
    signed: bool = False  # the letter was `signed` when read, so `pdf` carries its signature


def render_reserved(
    letter_id: int,
    *,
    base_url: str,
    evidence_root: Path | None,
    render: Callable[..., bytes] | None = None,
    signatory: signing.UnlockedSignatory | None = None,
    timestamp_url: str | None = None,
) -> Rendered | None:
    """Step 2: render the PDF/A of a letter whose number is reserved, holding no transaction meanwhile.

    Reads the letter's live records, ends the session's transaction (no lock, no snapshot is kept while
    rendering), then renders. A letter marked `signed` is then signed by `signatory` (PAdES, with a time
    stamp from `timestamp_url` when given; `signing.sign_pdf`). Returns None when the letter is already
    issued (nothing to do). Raises `Conflict` when it has no reserved number (never reserved, or returned
    to draft) or when it must be signed and no `signatory` is given (a queued render: the head issues
    again with the passphrase); a renderer or signing error propagates, and the reservation stays for the
    retry. `render` defaults to `render_letter_pdf`.
    """
    render = render or render_letter_pdf
    letter = db.session.get(Letter, letter_id, populate_existing=True)
    if letter is None or letter.status.is_issued:
        return None
    if not letter.is_issuing:
        raise Conflict(_l("Surat ini belum diberi nomor untuk diterbitkan."))
    if letter.signed and signatory is None:
        raise Conflict(
            _l(
                "Surat ini ditandatangani secara elektronik: Kepala menerbitkannya lagi dengan frasa "
                "sandinya."
            )
        )
    # Production refused an incomplete setup at `reserve`; elsewhere an incomplete one prints "DEMO".
    demo = readiness.check_for_issue(letter.office, base_url, enforce=False)
    doc, files = compose.letter_document(
        letter,
        evidence_root=evidence_root,
        number=letter.number,
        day=letter.letter_date,
        verify_url=verify_url(base_url, letter.verify_token or ""),
        short_code=letter.short_code,
        demo=demo,
        signature_issuer=signatory.issuer if letter.signed and signatory else None,
    )
    snapshot = compose.document_to_snapshot(doc)
    signed = letter.signed
    roots = signing.trust_roots_of(for_office(letter.office).trust_roots) if signed else []
    reason, location = f"Surat dinas nomor {letter.number}", doc.date_place
    # The document is plain data now: end the read so that nothing is held while the renderer works.
    db.session.commit()
    pdf = render(doc, allowed_files=files, archive=True)
    if signed:
        pdf = signing.sign_pdf(
            pdf, signatory, reason=reason, location=location, timestamp_url=timestamp_url, trust_roots=roots
        )
    return Rendered(letter_id, pdf, snapshot, demo, signed)


def finish(rendered: Rendered) -> Letter:
    """Step 3: store the rendered bytes, SHA-256 and snapshot; the letter is issued. The caller commits.

    Under the number lock, so a concurrent finish of the same letter waits and then finds it issued (the
    first bytes stored are kept). Raises `Conflict` when the reservation is gone, when the letter was made
    a paper letter while this render signed it (`as_paper_when_signing_is_off`), or the follow-up refused
    an escalation letter.
    """
    letter = db.session.get(Letter, rendered.letter_id)
    if letter is None:
        raise Conflict(_l("Surat ini belum diberi nomor untuk diterbitkan."))
    # On SQLite the first statement of the transaction must be a write (it waits its turn for the lock).
    counters.take_number_lock(letter.office_id, letter.year or letter.letter_date.year)
    letter = _locked(rendered.letter_id)
    if letter.status.is_issued:
        return letter
    if not letter.is_issuing:
        raise Conflict(_l("Surat ini belum diberi nomor untuk diterbitkan."))
    if letter.signed != rendered.signed:
        raise Conflict(MSG_NOW_PAPER)
    user = db.session.get(User, letter.issued_by_id)
    day = letter.letter_date
    letter.pdf, letter.pdf_sha256 = rendered.pdf, hashlib.sha256(rendered.pdf).hexdigest()
    letter.snapshot = rendered.snapshot
    letter.issued_at = utcnow()
    transition(
        letter,
        user,
        LetterStatus.ISSUED,
        "issued",
        number=letter.number,
        sha256=letter.pdf_sha256,
        date=day.isoformat(),
        demo=rendered.demo,
    )
    previous = letter.supersedes
    if previous is not None and previous.status is LetterStatus.ISSUED:
        previous.status = LetterStatus.SUPERSEDED
        access.record(
            previous, user, "superseded", {"status": ["issued", "superseded"], "superseded_by": letter.id}
        )
    db.session.flush()
    if letter.escalation_step:
        followup.record_escalation(letter, user, day)
    return letter


def complete_signed(
    letter_id: int,
    signatory: signing.UnlockedSignatory | None,
    *,
    base_url: str,
    evidence_root: Path | None,
    timestamp_url: str | None = None,
    render: Callable[..., bytes] | None = None,
) -> Letter:
    """Steps 2 and 3 in this process (never queued): render, sign with `signatory`, store. The caller
    commits. Raises what `render_reserved` and `finish` raise."""
    rendered = render_reserved(
        letter_id,
        base_url=base_url,
        evidence_root=evidence_root,
        render=render,
        signatory=signatory,
        timestamp_url=timestamp_url,
    )
    if rendered is None:
        return db.session.get(Letter, letter_id)
    return finish(rendered)


def issue(
    letter: Letter,
    user: User,
    *,
    today: date,
    base_url: str,
    evidence_root: Path | None,
    letter_date: date | None = None,
    require_ready: bool = False,
    render: Callable[..., bytes] | None = None,
    signing_passphrase: str | None = None,
    secret_key: str = "",
    timestamp_url: str | None = None,
) -> Letter:
    """Reserve, commit, render and finish in a row: the letter is issued when this returns (the caller
    commits the last step). For the CLI, the seed and tests; the web and the API use `reserve` and a job
    (or, signing electronically, `complete_signed`).

    Raises what `unlock_signatory`, `reserve` and `finish` raise; a renderer error propagates after the
    reservation was committed (the number stays with the letter; issuing again retries the render).
    """
    signatory = unlock_signatory(letter, user, signing_passphrase, secret_key=secret_key)
    letter = reserve(
        letter,
        user,
        today=today,
        base_url=base_url,
        letter_date=letter_date,
        require_ready=require_ready,
        signatory=signatory,
    )
    letter_id = letter.id
    db.session.commit()
    return complete_signed(
        letter_id,
        signatory,
        base_url=base_url,
        evidence_root=evidence_root,
        timestamp_url=timestamp_url,
        render=render,
    )
