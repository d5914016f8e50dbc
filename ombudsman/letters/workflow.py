"""The review workflow: draft -> in review -> approved (-> issued, see `issuing`), and corrections.

Each step checks the office, the role and the letter's state, changes the status and audits it. A step the
role may not take is `Forbidden` (403); a step the letter's state does not allow is a `Conflict` (409).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from ombudsman import contracts
from ombudsman.accounts.models import User
from ombudsman.accounts.permissions import RECOMMEND, REVIEW
from ombudsman.clock import utcnow
from ombudsman.errors import Conflict
from ombudsman.letters import access, drafting
from ombudsman.letters.commands import CopyLine, NewLetter, ReturnLetter
from ombudsman.letters.models import Letter, LetterStatus


def transition(letter: Letter, user: User, new: LetterStatus, action: str, **extra: Any) -> None:
    """Move the letter to `new` and audit the move as `action` (with `extra` details)."""
    old = letter.status
    letter.status = new
    access.record(letter, user, action, {"status": [old.value, new.value], **extra})


def submit(letter: Letter, user: User) -> None:
    """The drafter sends the letter for review; it must print at least one recommendation."""
    access.same_office(user, letter)
    access.require(
        user, RECOMMEND, _l("Hanya inspektur, supervisor atau Kepala Perwakilan yang dapat mengajukan surat.")
    )
    if letter.status is not LetterStatus.DRAFT:
        raise Conflict(_l("Hanya draf yang dapat diajukan untuk diperiksa."))
    if not letter.links:
        raise Conflict(_l("Surat belum memuat rekomendasi; pilih minimal satu sebelum diajukan."))
    letter.submitted_at, letter.submitted_by_id = utcnow(), user.id
    transition(letter, user, LetterStatus.IN_REVIEW, "submitted")


def approve(letter: Letter, user: User) -> None:
    """A supervisor or the head approves the letter for issue."""
    access.same_office(user, letter)
    access.require(user, REVIEW, _l("Hanya supervisor atau Kepala Perwakilan yang dapat menyetujui surat."))
    if letter.status is not LetterStatus.IN_REVIEW:
        raise Conflict(_l("Hanya surat yang sedang diperiksa yang dapat disetujui."))
    letter.approved_at, letter.approved_by_id = utcnow(), user.id
    transition(letter, user, LetterStatus.APPROVED, "approved")


def return_to_draft(letter: Letter, user: User, cmd: ReturnLetter | None = None) -> None:
    """A reviewer sends the letter back to its drafters, with an optional note."""
    cmd = cmd or ReturnLetter()
    access.same_office(user, letter)
    access.require(
        user, REVIEW, _l("Hanya supervisor atau Kepala Perwakilan yang dapat mengembalikan surat.")
    )
    contracts.validate(cmd)
    if letter.status not in (LetterStatus.IN_REVIEW, LetterStatus.APPROVED):
        raise Conflict(_l("Hanya surat yang diperiksa atau disetujui yang dapat dikembalikan ke draf."))
    if letter.is_issuing:
        raise Conflict(_l("Surat sedang diterbitkan dengan nomor %(number)s.", number=letter.number))
    letter.approved_at, letter.approved_by_id = None, None
    transition(letter, user, LetterStatus.DRAFT, "returned", note=cmd.note.strip())


def start_correction(letter: Letter, user: User) -> Letter:
    """A new draft copying an issued letter, which will supersede it when issued."""
    access.same_office(user, letter)
    access.require(user, RECOMMEND, access.MSG_DRAFTERS)
    if letter.status is not LetterStatus.ISSUED:
        raise Conflict(_l("Hanya surat yang sudah diterbitkan (dan belum diganti) yang dapat dikoreksi."))
    if (existing := access.pending_correction(letter)) is not None:
        raise Conflict(_l("Surat koreksi untuk surat ini sudah ada (draf #%(id)d).", id=existing.id))
    cmd = NewLetter(
        inspection_id=letter.inspection_id,
        **{key: getattr(letter, key) for key in drafting.LETTER_FIELDS},
        recommendation_ids=tuple(link.recommendation_id for link in letter.links),
        copies=tuple(CopyLine(authority_id=c.authority_id, text=c.text) for c in letter.copies),
    )
    return drafting.create(letter.office, user, cmd, supersedes=letter)
