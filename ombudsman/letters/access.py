"""Who may do what to a letter: the role sets of the workflow, the office check, and the letter's audit.

`allowed_actions()` decides which buttons a page shows; the services call `require()` and `same_office()`
so the rule holds whatever calls them (a page, the API, a command).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ombudsman.accounts.models import Role, User
from ombudsman.accounts.permissions import RECOMMEND, REVIEW
from ombudsman.audit import services as audit
from ombudsman.errors import Conflict, Forbidden, NotFound
from ombudsman.extensions import db
from ombudsman.letters.models import Letter, LetterStatus

ISSUE = frozenset({Role.HEAD})
CORRECT_RECEIPT = frozenset({Role.SUPERVISOR})

MSG_DRAFTERS = _l("Hanya inspektur, supervisor atau Kepala Perwakilan yang dapat menyusun surat.")


def require(user: User, roles: frozenset[Role], message: Any) -> None:
    """Raises `Forbidden(message)` unless the user's role is one of `roles`."""
    if user.role not in roles:
        raise Forbidden(message)


def same_office(user: User, letter: Letter) -> None:
    """Another office's letter does not exist for this user: raises `NotFound`."""
    if user.office_id != letter.office_id:
        raise NotFound(_l("Surat tidak ditemukan."))


def record(letter: Letter, user: User | None, action: str, changes: dict[str, Any]) -> None:
    """An entry in the letter's audit trail."""
    audit.record(
        "letter",
        letter.id,
        action,
        user_id=user.id if user else None,
        office_id=letter.office_id,
        changes=changes,
    )


def can_edit(user: User, letter: Letter) -> bool:
    """Drafts are edited by the drafting roles; a letter in review only by its reviewers."""
    if user.office_id != letter.office_id:
        return False
    if letter.status is LetterStatus.DRAFT:
        return user.role in RECOMMEND
    if letter.status is LetterStatus.IN_REVIEW:
        return user.role in REVIEW
    return False


def check_editable(user: User, letter: Letter) -> None:
    """Raises unless the user may change the letter's texts now: `Forbidden` for the role, else `Conflict`."""
    same_office(user, letter)
    if can_edit(user, letter):
        return
    if letter.status in (LetterStatus.DRAFT, LetterStatus.IN_REVIEW):
        raise Forbidden(_l("Surat dalam pemeriksaan hanya dapat diubah oleh supervisor atau Kepala."))
    raise Conflict(_l("Surat yang sudah disetujui atau diterbitkan tidak dapat diubah."))


def pending_correction(letter: Letter) -> Letter | None:
    """The letter that is being written to supersede this one, if any."""
    return db.session.scalar(
        select(Letter)
        .where(Letter.supersedes_id == letter.id, Letter.status != LetterStatus.SUPERSEDED)
        .limit(1)
    )


def replacement(letter: Letter) -> Letter | None:
    """The issued letter that superseded this one, if it was superseded."""
    if letter.status is not LetterStatus.SUPERSEDED:
        return None
    return db.session.scalar(
        select(Letter).where(Letter.supersedes_id == letter.id, Letter.status == LetterStatus.ISSUED)
    )


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
    if status in (LetterStatus.IN_REVIEW, LetterStatus.APPROVED) and role in REVIEW and not letter.is_issuing:
        actions.add("return")
    if status is LetterStatus.APPROVED and role in ISSUE:
        actions.add("issue")
    if status is LetterStatus.ISSUED and role in RECOMMEND:
        actions.add("delivery")
        if not pending_correction(letter):
            actions.add("correct")
    return actions
