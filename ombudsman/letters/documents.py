"""What a letter looks like: the frozen PDF of an issued letter, drafts rendered now, the on-screen preview.

An issued letter is served only from its stored bytes, checked against their SHA-256 on every read, and
shown only from its snapshot; a draft is rendered from the live records with the DRAF watermark and never
stored.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from ombudsman.errors import NotFound
from ombudsman.extensions import db
from ombudsman.inspections import storage
from ombudsman.inspections.models import Evidence
from ombudsman.letters import compose
from ombudsman.letters.document import LetterDocument
from ombudsman.letters.models import Letter, LetterStatus
from ombudsman.letters.render import render_letter_html, render_letter_pdf

logger = logging.getLogger(__name__)


class FrozenPdfError(RuntimeError):
    """The stored PDF of an issued letter no longer matches its recorded SHA-256.

    Not a refusal of the user's request but damage to the archive: a server fault (500), logged, and kept
    apart from the domain errors so that no caller serves, or lets a user "fix", a changed legal document.
    """


def issued_pdf(letter: Letter) -> bytes:
    """The stored PDF of an issued letter, after checking it still has its recorded SHA-256.

    Raises `NotFound` before issue and `FrozenPdfError` (logged) when the bytes were changed.
    """
    if not letter.status.is_issued or letter.pdf is None or letter.pdf_sha256 is None:
        raise NotFound(_l("Surat ini belum diterbitkan."))
    return _checked(letter.id, letter.number, letter.pdf_sha256, letter.pdf)


def _checked(letter_id: int, number: str | None, recorded: str, data: bytes) -> bytes:
    actual = hashlib.sha256(data).hexdigest()
    if not hmac.compare_digest(actual, recorded):
        logger.error(
            "stored PDF of letter %s (%s) does not match its SHA-256: recorded %s, found %s",
            letter_id,
            number,
            recorded,
            actual,
        )
        raise FrozenPdfError(f"letter {letter_id}: stored PDF does not match its SHA-256")
    return data


#: What a download reads of the letter: never the snapshot (it holds the emblem, up to ~700 KB as a data URI).
_DOWNLOAD_COLUMNS = (Letter.id, Letter.status, Letter.number, Letter.pdf_sha256)

# The download's statements, built once: each request then only binds its ids (a statement built per request
# costs more CPU than the query itself). Parameters: letter_id, office_id.
_OFFICE_LETTER = (Letter.id == bindparam("letter_id"), Letter.office_id == bindparam("office_id"))
#: The columns above, for a conditional request (the bytes are read only when the client lacks them).
_DOWNLOAD_HEAD = select(*_DOWNLOAD_COLUMNS).where(*_OFFICE_LETTER)
#: The columns above and the bytes, for an unconditional request.
_DOWNLOAD_FULL = select(*_DOWNLOAD_COLUMNS, Letter.pdf).where(*_OFFICE_LETTER)
#: The bytes of letter `letter_id`, once the conditional request turned out to need them.
_DOWNLOAD_BYTES = select(Letter.pdf).where(Letter.id == bindparam("letter_id"))


@dataclass(frozen=True)
class StoredPdf:
    """An issued letter's stored PDF as a download serves it: `sha256` (hex, also the ETag) and `data`, the
    checked bytes, or None when the client already holds them (its ETag matched: answer 304)."""

    letter_id: int
    number: str | None
    sha256: str
    data: bytes | None


def stored_pdf(
    letter_id: int, office_id: int, *, client_has: Callable[[str], bool] | None = None
) -> StoredPdf | None:
    """The issued PDF of the office's letter `letter_id`, for a download: one light query, none of the
    letter's other large columns, and no bytes read when `client_has(sha256)` (the request's If-None-Match).

    Returns None when the office has no such letter (another office's letter is indistinguishable from
    none). Raises `NotFound` when the letter is not issued, `FrozenPdfError` (logged) when the stored bytes
    no longer match their SHA-256 (checked on every download that sends them).
    """
    conditional = client_has is not None
    statement = _DOWNLOAD_HEAD if conditional else _DOWNLOAD_FULL
    # Plain columns: run on the session's connection (same transaction), without the ORM's per-statement work;
    # flushed first, as the ORM's autoflush would (a no-op when nothing is pending, as in a download).
    session = db.session()
    if session.autoflush:
        session.flush()
    row = session.connection().execute(statement, {"letter_id": letter_id, "office_id": office_id}).first()
    if row is None:
        return None
    if not LetterStatus(row.status).is_issued or row.pdf_sha256 is None:
        raise NotFound(_l("Surat ini belum diterbitkan."))
    if conditional and client_has(row.pdf_sha256):
        return StoredPdf(row.id, row.number, row.pdf_sha256, None)
    data = row.pdf if not conditional else session.scalar(_DOWNLOAD_BYTES, {"letter_id": row.id})
    if data is None:
        raise NotFound(_l("Surat ini belum diterbitkan."))
    return StoredPdf(row.id, row.number, row.pdf_sha256, _checked(row.id, row.number, row.pdf_sha256, data))


def document_for_display(
    letter: Letter, evidence_root: Path | None
) -> tuple[LetterDocument, dict[str, Path]]:
    """What the letter shows: the frozen snapshot once issued, the live records before.

    Returns the document and the files it may embed ({"evidence:<id>": path}); none without `evidence_root`.
    """
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
