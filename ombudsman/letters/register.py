"""The register of outgoing letters (agenda surat keluar): the letters, filtered, and as export rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from ombudsman import exports, search
from ombudsman.extensions import db
from ombudsman.letters.forms import KIND_LABELS, STATUS_LABELS
from ombudsman.letters.models import Letter, LetterKind, LetterStatus
from ombudsman.pagination import search_text


@dataclass
class LetterFilters:
    """Filters of the register; every one optional (`q`: words of the hal, or the start of the number)."""

    status: LetterStatus | None = None
    kind: LetterKind | None = None
    authority_id: int | None = None
    year: int | None = None
    inspection_id: int | None = None
    q: str = ""

    @classmethod
    def from_args(cls, args) -> LetterFilters:
        """The filters of query-string arguments (a werkzeug `MultiDict`); unknown values are ignored."""

        def pick(enum_cls, key):
            value = args.get(key) or None
            return enum_cls(value) if value in {m.value for m in enum_cls} else None

        return cls(
            status=pick(LetterStatus, "status"),
            kind=pick(LetterKind, "kind"),
            authority_id=args.get("authority_id", type=int),
            year=args.get("year", type=int),
            inspection_id=args.get("inspection_id", type=int),
            q=search_text(args=args),
        )


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
        # The words of the hal (full-text, see ombudsman.search), or the start of the number as typed.
        stmt = stmt.where(
            or_(
                search.LETTERS.matches(Letter.id, f.q), Letter.number.startswith(f.q.strip(), autoescape=True)
            )
        )
    return stmt


#: The register's columns, in the reader's language.
REGISTER_HEADER = (
    _l("Nomor"),
    _l("Tanggal"),
    _l("Kepada"),
    _l("Hal"),
    _l("Jenis"),
    _l("Status"),
    _l("Dikirim"),
    _l("Diterima"),
    "SHA-256",
)


def register_rows(letters: Iterable[Letter]) -> Iterator[tuple]:
    """One row per letter, matching `REGISTER_HEADER`: dates as dates, kind and status as labels.

    For `ombudsman.exports`, which writes them as CSV or XLSX cells that cannot become formulas.
    """
    for letter in letters:
        yield (
            letter.number or "",
            letter.letter_date,
            " ".join(letter.recipient_line_list),
            letter.hal,
            KIND_LABELS[letter.kind],
            STATUS_LABELS[letter.status],
            letter.delivered_on,
            letter.received_on,
            letter.pdf_sha256 or "",
        )


#: The workbook's sheet title.
SHEET_TITLE = _l("Register surat")


def export_table(office_id: int, filters: LetterFilters) -> exports.Table:
    """The office's filtered register as one export (`register-surat-keluar`), in the request or a job.

    One query whatever the number of letters (their addressees joined).
    """
    letters = list(db.session.scalars(register_query(office_id, filters)))
    return exports.Table("register-surat-keluar", SHEET_TITLE, REGISTER_HEADER, register_rows(letters))
