"""Public verification of issued letters: by the token in the QR code, by the printed short code, by bytes.

Only issued letters (current or superseded) are ever found; a draft's id or a guessed code finds nothing.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import select

from ombudsman.extensions import db
from ombudsman.letters.documents import issued_pdf
from ombudsman.letters.models import Letter


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
