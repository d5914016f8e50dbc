"""What a printed letter shows, as plain data: the contract between the letters feature and its template.

The letters service builds a :class:`LetterDocument` from database records (the authority as it was when
the letter was written, the findings, the recommendations, the office settings); the print template and
the PDF layer only ever see these dataclasses, so they can be rendered and tested without a database.
All strings are plain text: the template escapes them and keeps their line breaks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from ombudsman.pdf import DEFAULT_FONT, FONTS

#: CSS page sizes for the paper setting. F4 (folio) is common in Indonesian offices.
PAPER_SIZES = {"A4": "210mm 297mm", "F4": "215mm 330mm"}


@dataclass(frozen=True, kw_only=True)
class OfficeHeader:
    """The letterhead (kop) of the issuing office."""

    name_lines: Sequence[
        str
    ]  # e.g. ("OMBUDSMAN REPUBLIK INDONESIA", "PERWAKILAN PROVINSI NUSA TENGGARA TIMUR")
    address: str
    place: str  # the office's town, used on the date line unless the letter names another place
    phone: str = ""
    email: str = ""
    website: str = ""
    logo: str | None = None  # a path under the static directory, or a key of the render's allowed files

    @property
    def name(self) -> str:
        """The office's name on one line, for the PDF's author field."""
        return " ".join(self.name_lines)


@dataclass(frozen=True, kw_only=True)
class LetterSection:
    """One finding in the body of the letter, with the suggestions that answer it."""

    number: int  # the finding's number in this letter: 1..n in the order of the inspection
    title: str
    description: str
    # Who is responsible, said only when it is not just the addressee (a shared finding, or a letter to a
    # superior about its unit); empty otherwise. Snapshots issued before 2026-11 always name it.
    authority: str
    recommendations: Sequence[str]
    deadline: str = ""  # a sentence stating the deadline rule, e.g. "... 30 (tiga puluh) hari kerja ..."
    inspection_number: int | None = None  # the finding's own number in its inspection (berita acara)
    # The inspection the finding comes from, as a heading; printed when a letter covers several inspections.
    group: str = ""
    # The run-in label before the recommendations: "Saran", "Tindakan korektif", "Rekomendasi".
    label: str = "Saran"


@dataclass(frozen=True, kw_only=True)
class AnnexRow:
    """One row of the annex (lampiran) table: a finding and its photos."""

    finding_number: int  # the finding's number in this letter
    title: str
    authority: str
    photos: Sequence[str] = ()  # keys of the render's allowed files, e.g. "evidence:12"
    # Where the finding is recorded, when its number there differs or the letter covers several
    # inspections: "temuan nomor 8 dalam berita acara Inspeksi Mendadak tanggal 30 Juli 2018".
    reference: str = ""


@dataclass(frozen=True, kw_only=True)
class OverdueRow:
    """One overdue recommendation in a reminder or escalation letter (all texts already formatted)."""

    number: int  # 1..n in this letter
    text: str  # the recommendation as the original letter said it
    # Where the original letter printed it: "angka 3", with "Surat Nomor ... tanggal ..., " before it when
    # the reminder follows on several letters (one letter is named in the opening).
    reference: str
    due: str  # "20 September 2018"
    overdue: str  # "4 hari kerja"


@dataclass(frozen=True, kw_only=True)
class PageMargins:
    """Page margins in millimetres; the defaults are a common Indonesian office rule."""

    top: float = 25.0
    right: float = 25.0
    bottom: float = 30.0
    left: float = 30.0

    def __post_init__(self) -> None:
        """Refuse margins that would leave no room for text or could not hold the letterhead."""
        for side in ("top", "right", "bottom", "left"):
            value = getattr(self, side)
            if not 5 <= value <= 60:
                raise ValueError(f"{side} margin must be between 5 and 60 mm, not {value}")


@dataclass(frozen=True, kw_only=True)
class LetterDocument:
    """Everything the print template needs to lay out one formal letter (surat dinas)."""

    office: OfficeHeader
    number: str | None  # None until the letter is issued; a draft shows a placeholder
    date: date | None  # None on a draft that has no date yet
    hal: str  # the subject
    recipient_lines: Sequence[str]  # after "Yth.": the head's title, then the place line ("di Kupang")
    opening: str
    sections: Sequence[LetterSection]
    closing: str
    signatory_title: str
    signatory_name: str
    place: str | None = None  # the place on the date line; None means the office's place
    sifat: str = "Biasa"  # Biasa, Segera, Penting or Rahasia
    lampiran: str = "-"
    tembusan: Sequence[str] = ()
    # The deadline rule when it is the same for every section, printed once after them.
    deadline: str = ""
    annex: bool = False  # whether to print the annex table on a new page
    annex_rows: Sequence[AnnexRow] = ()
    # Reminders and escalations: the overdue recommendations (instead of the findings), the sentence that
    # asks for a reply by a new date, and the earlier letters they enclose (listed in the annex).
    overdue_rows: Sequence[OverdueRow] = ()
    overdue_label: str = "Saran"  # the overdue table's heading: "Saran", "Tindakan korektif", ...
    reply_request: str = ""
    earlier_letters: Sequence[str] = ()
    qr_data_uri: str | None = None  # from ombudsman.pdf.qr_svg_data_uri(verify_url)
    verify_url: str | None = None
    short_code: str | None = None  # the short verification code printed beside the QR code
    paper: str = "A4"  # a key of PAPER_SIZES
    font: str = DEFAULT_FONT  # a key of ombudsman.pdf.FONTS
    font_size_pt: float = 12.0
    margins_mm: PageMargins = field(default_factory=PageMargins)
    draft: bool = False  # prints a "DRAF" watermark on every page
    # Issued outside production while the letters setup was incomplete: "DEMO" on every page.
    demo: bool = False
    # Electronic-signature mode: the sentence printed in the signature block instead of the gap for a wet
    # signature ("Ditandatangani secara elektronik ... diterbitkan oleh <issuer>"); empty on paper.
    electronic_signature: str = ""

    def __post_init__(self) -> None:
        """Check the settings and the issued-letter invariants early, with messages a developer can act on."""
        if self.paper not in PAPER_SIZES:
            raise ValueError(f"paper must be one of {sorted(PAPER_SIZES)}, not {self.paper!r}")
        if self.font not in FONTS:
            raise ValueError(f"font must be one of {sorted(FONTS)}, not {self.font!r}")
        if not 8 <= self.font_size_pt <= 16:
            raise ValueError(f"font size must be between 8 and 16 pt, not {self.font_size_pt}")
        if not self.recipient_lines:
            raise ValueError("a letter needs at least one recipient line")
        if not self.draft and (self.number is None or self.date is None):
            raise ValueError("an issued letter needs a number and a date; mark it as a draft otherwise")
        if self.annex and not self.annex_rows:
            raise ValueError("the annex is switched on but has no rows")
        if self.qr_data_uri is not None:
            if not self.qr_data_uri.startswith("data:image/"):
                raise ValueError("qr_data_uri must be a data:image/ URI")
            if not self.verify_url:
                raise ValueError("a QR code needs the verify_url it encodes, printed beside it")

    @property
    def section_groups(self) -> list[tuple[str, list[LetterSection]]]:
        """The sections grouped by inspection, in order: [(heading, sections)]; the heading is empty when
        the letter covers only one inspection (the opening names it)."""
        groups: list[tuple[str, list[LetterSection]]] = []
        for section in self.sections:
            if not groups or groups[-1][0] != section.group:
                groups.append((section.group, []))
            groups[-1][1].append(section)
        if len(groups) == 1:
            return [("", groups[0][1])]
        return groups

    @property
    def date_place(self) -> str:
        """The place printed before the date, e.g. "Kupang"."""
        return self.place or self.office.place

    @property
    def pdf_title(self) -> str:
        """The title stored in the PDF metadata."""
        return f"Surat {self.number}: {self.hal}" if self.number else f"Draf surat: {self.hal}"
