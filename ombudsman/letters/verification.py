"""Public verification of issued letters: by the token in the QR code, by the printed short code, by bytes,
and by the electronic signature inside a PDF (`signatures.check` against the office's trust roots).

Only issued letters (current or superseded) are ever found; a draft's id or a guessed code finds nothing.
"""

from __future__ import annotations

import hashlib
import hmac

from flask_babel import gettext
from sqlalchemy import select

from ombudsman.accounts.models import Office
from ombudsman.extensions import db
from ombudsman.letters import signatures, signing
from ombudsman.letters.documents import issued_pdf
from ombudsman.letters.models import Letter, LetterSettings

#: Uploads to check (the public page, the API); an issued letter is far smaller.
VERIFY_MAX_BYTES = 10 * 1024 * 1024


def too_large_message() -> str:
    """The refusal of a file to check larger than `VERIFY_MAX_BYTES`, in the request's language."""
    return gettext("Berkas terlalu besar (batas %(mb)d MB).", mb=VERIFY_MAX_BYTES // 1_048_576)


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


def matches_issued(letter: Letter, data: bytes) -> bool:
    """Whether uploaded bytes are, byte for byte, the letter's issued PDF (`FrozenPdfError` if damaged)."""
    stored = issued_pdf(letter)
    return (
        hmac.compare_digest(hashlib.sha256(data).digest(), hashlib.sha256(stored).digest()) and data == stored
    )


def office_trust_roots(office_id: int) -> list:
    """The certificates the office trusts as roots for signed letters (its letter settings); may be empty."""
    settings = db.session.get(LetterSettings, office_id)
    return signing.trust_roots_of(settings.trust_roots) if settings is not None else []


def signature_of(letter: Letter, *, online: bool = False) -> signatures.Report | None:
    """The signature check of the letter's stored PDF, when it was issued signed (`FrozenPdfError` if the
    stored copy is damaged); `online` fetches revocation data (`signatures.check`)."""
    if not letter.signed or not letter.status.is_issued:
        return None
    return signatures.check(issued_pdf(letter), office_trust_roots(letter.office_id), online=online)


def check_file(
    office: Office | int, data: bytes, *, online: bool = False
) -> tuple[Letter | None, signatures.Report]:
    """An uploaded PDF: the office's issued letter with exactly these bytes (or None), and the check of
    its signatures against the office's trust roots (`online`: see `signatures.check`)."""
    office_id = office if isinstance(office, int) else office.id
    digest = hashlib.sha256(data).hexdigest()
    letter = db.session.scalar(
        select(Letter).where(Letter.office_id == office_id, Letter.pdf_sha256 == digest).limit(1)
    )
    if letter is not None and not letter.status.is_issued:
        letter = None
    return letter, signatures.check(data, office_trust_roots(office_id), online=online)
