"""The register of outgoing letters (agenda surat keluar): the office's letters, filtered, and as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from ombudsman.letters.models import Letter, LetterKind, LetterStatus


@dataclass
class LetterFilters:
    """Filters of the register; every one optional (`q` searches the subject and the number)."""

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
    """The register as CSV (comma-separated, UTF-8) for spreadsheets; headings in the reader's language."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Nomor"),
            _("Tanggal"),
            _("Kepada"),
            _("Hal"),
            _("Jenis"),
            _("Status"),
            _("Dikirim"),
            _("Diterima"),
            "SHA-256",
        ]
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
