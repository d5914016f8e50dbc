"""Turn a letter record into what the letter shows: default texts, the body's sections, the frozen snapshot.

``letter_document()`` reads the live records (for drafts and for the moment of issue); an issued letter is
only ever shown from its snapshot (``document_from_snapshot()``), so later edits to the findings or the
register never change what it said.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from ombudsman import clock
from ombudsman.accounts.models import Office
from ombudsman.authorities.models import Authority
from ombudsman.dates import WEEKDAYS_ID
from ombudsman.deadlines import services as deadline_services
from ombudsman.deadlines.models import Start, Unit
from ombudsman.inspections import storage
from ombudsman.inspections.models import EvidenceKind, Finding, Inspection, InspectionKind
from ombudsman.letters.document import AnnexRow, LetterDocument, LetterSection, OfficeHeader, PageMargins
from ombudsman.letters.emblem import data_uri as emblem_data_uri
from ombudsman.letters.models import Letter, LetterKind, LetterSettings
from ombudsman.letters.settings import for_office
from ombudsman.pdf import format_date_id, qr_svg_data_uri
from ombudsman.recommendations.models import Recommendation, RecommendationKind

SNAPSHOT_VERSION = 1

INSPECTION_PHRASES = {
    InspectionKind.SIDAK: "Inspeksi Mendadak",
    InspectionKind.OWN_MOTION: "Investigasi atas Prakarsa Sendiri",
    InspectionKind.MONITORING: "Monitoring Pelayanan Publik",
    InspectionKind.COMPLIANCE: "Penilaian Kepatuhan Standar Pelayanan Publik",
}
DEFAULT_CLOSING = "Demikian kami sampaikan. Atas perhatian dan kerja sama Saudara, kami ucapkan terima kasih."
HEAD_OFFICE_COPY = "Ketua Ombudsman Republik Indonesia di Jakarta"
LETTER_KIND_FOR = {
    RecommendationKind.SARAN: LetterKind.SARAN,
    RecommendationKind.TINDAKAN_KOREKTIF: LetterKind.TINDAKAN_KOREKTIF,
    RecommendationKind.REKOMENDASI: LetterKind.REKOMENDASI_DRAFT,
}


# --- the deadline sentence ----------------------------------------------------------------------------------


_ONES = (
    "",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
)


def number_words(n: int) -> str:
    """A whole number in Indonesian words, as letters spell counts out ("tiga puluh")."""
    if n < 0:
        return "minus " + number_words(-n)
    if n == 0:
        return "nol"
    if n < 12:
        return _ONES[n]
    if n < 20:
        return f"{_ONES[n - 10]} belas"
    if n < 100:
        tens, rest = divmod(n, 10)
        return " ".join(w for w in (f"{_ONES[tens]} puluh", _ONES[rest]) if w)
    if n < 200:
        return " ".join(w for w in ("seratus", number_words(n - 100) if n > 100 else "") if w)
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return " ".join(w for w in (f"{_ONES[hundreds]} ratus", number_words(rest) if rest else "") if w)
    if n < 2000:
        return " ".join(w for w in ("seribu", number_words(n - 1000) if n > 1000 else "") if w)
    thousands, rest = divmod(n, 1000)
    return " ".join(w for w in (f"{number_words(thousands)} ribu", number_words(rest) if rest else "") if w)


# Who reports what, and what "received" means, per kind; the count, unit and start come from the rule.
_DEADLINE_SUBJECT = {
    RecommendationKind.SARAN: "Tindak lanjut atas saran tersebut kami harapkan disampaikan kepada Ombudsman",
    RecommendationKind.TINDAKAN_KOREKTIF: (
        "Pelaksanaan tindakan korektif tersebut kami harapkan dilaporkan kepada Ombudsman"
    ),
    RecommendationKind.REKOMENDASI: (
        "Atasan terlapor wajib melaporkan pelaksanaan Rekomendasi kepada Ombudsman"
    ),
}
_RECEIVED_WHAT = {
    RecommendationKind.SARAN: "surat ini",
    RecommendationKind.TINDAKAN_KOREKTIF: "Laporan Hasil Pemeriksaan",
    RecommendationKind.REKOMENDASI: "Rekomendasi",
}


def deadline_rule_sentence(kind: RecommendationKind, on: date) -> str:
    """The sentence that states the follow-up deadline of a recommendation of this kind.

    Phrased from the deadline rule in force on `on` (the letter's date), the same rule the follow-up clock
    uses when the letter is received, so the letter and the due date agree. Empty when no rule is in force:
    the letter then says nothing it could not keep.
    """
    rule = deadline_services.rule_in_force(kind, on)
    if rule is None:
        return ""
    unit = "hari kerja" if rule.unit is Unit.WORKING else "hari"
    since = (
        "sejak tanggal surat ini"
        if rule.starts is Start.ON_ISSUE
        else f"sejak {_RECEIVED_WHAT[kind]} diterima"
    )
    count = f"{rule.count} ({number_words(rule.count)})"
    return f"{_DEADLINE_SUBJECT[kind]} paling lambat {count} {unit} {since}."


# --- default texts of a new draft ---------------------------------------------------------------------------


def recipient_lines_for(authority: Authority) -> list[str]:
    """The "Yth." lines from the register: the head's title, then the place line."""
    return [line for line in (authority.head_title or authority.name, authority.place_line) if line]


def copy_line_for(authority: Authority) -> str:
    """A Tembusan line for an authority: its head's title and place ("Menteri Dalam Negeri di Jakarta")."""
    return " ".join(part for part in (authority.head_title or authority.name, authority.place_line) if part)


def default_signatory(office: Office, settings: LetterSettings) -> tuple[str, str]:
    """(name, title) of the office head, who signs by default."""
    title = settings.signatory_title or " ".join(p for p in (office.head_title, office.name) if p)
    return office.head_name, title


def letter_kind_for(recommendations: Iterable[Recommendation]) -> LetterKind:
    """The letter kind that fits the recommendations: theirs when they agree, a saran otherwise."""
    kinds = {rec.kind for rec in recommendations}
    return LETTER_KIND_FOR[kinds.pop()] if len(kinds) == 1 else LetterKind.SARAN


def default_hal(inspection: Inspection) -> str:
    """The subject of a letter on an inspection's results."""
    phrase = INSPECTION_PHRASES.get(inspection.kind, "Inspeksi")
    return f"Penyampaian Hasil {phrase} pada {inspection.authority.name}"


def default_opening(office: Office, inspection: Inspection) -> str:
    """The opening paragraph of a letter on an inspection's results."""
    phrase = INSPECTION_PHRASES.get(inspection.kind, "Inspeksi").lower()
    day = inspection.visited_on
    where = inspection.place or inspection.authority.name
    return (
        f"Sehubungan dengan {phrase} yang dilakukan oleh {office.name} pada hari "
        f"{WEEKDAYS_ID[day.weekday()]}, {format_date_id(day)}, di {where}, bersama ini kami sampaikan "
        "temuan dan saran perbaikan sebagai berikut:"
    )


def default_closing(office: Office) -> str:
    """The closing: how to reply, then the customary thanks."""
    contact = ", ".join(p for p in (office.address, f"pos-el {office.email}" if office.email else "") if p)
    reply = f"Tanggapan dan tindak lanjut mohon disampaikan secara tertulis kepada {office.name}"
    return f"{reply}{', ' + contact if contact else ''}.\n{DEFAULT_CLOSING}"


# --- what the letter shows ----------------------------------------------------------------------------------


def office_header(office: Office, settings: LetterSettings) -> OfficeHeader:
    """The letterhead from the office's letter settings; the emblem as a `data:` URI (never fetched)."""
    lines = [line.strip() for line in settings.header.splitlines() if line.strip()]
    return OfficeHeader(
        name_lines=lines or [office.name.upper()],
        address=office.address,
        place=office.city or office.province,
        phone=office.phone,
        email=office.email,
        website=office.website,
        logo=emblem_data_uri(settings.emblem),
    )


def _authority_text(finding: Finding) -> str:
    names = [finding.responsible_authority.name]
    if finding.second_authority is not None:
        names.append(finding.second_authority.name)
    return " dan ".join(names)


def sections_for(recommendations: list[Recommendation], on: date) -> list[LetterSection]:
    """One section per finding answered, in finding order; each recommendation under its first finding.

    A recommendation answering several findings is printed once; the later findings point back to it.
    """
    first_section: dict[int, int] = {}  # recommendation id -> number of the finding it is printed under
    findings: dict[int, Finding] = {}
    recs_by_finding: dict[int, list[Recommendation]] = {}
    for rec in recommendations:
        for finding in rec.findings:
            findings[finding.number] = finding
            recs_by_finding.setdefault(finding.number, []).append(rec)
    sections = []
    for number in sorted(findings):
        finding = findings[number]
        texts, kinds = [], []
        for rec in recs_by_finding[number]:
            kinds.append(rec.kind)
            if rec.id in first_section:
                texts.append(f"Sebagaimana saran pada angka {first_section[rec.id]}.")
            else:
                first_section[rec.id] = number
                texts.append(rec.text)
        sections.append(
            LetterSection(
                number=number,
                title=finding.title,
                description=finding.description,
                authority=_authority_text(finding),
                recommendations=texts,
                deadline=deadline_rule_sentence(kinds[0], on),
            )
        )
    return sections


def _annex(sections_findings: list[Finding], evidence_root: Path | None) -> tuple[list[AnnexRow], dict]:
    """Annex rows with their photos' keys, and the thumbnail files behind the keys (for a PDF render)."""
    rows, files = [], {}
    for finding in sections_findings:
        keys = []
        for item in finding.evidence:
            if item.kind is not EvidenceKind.PHOTO or not item.thumbnail_key:
                continue
            key = f"evidence:{item.id}"
            if evidence_root is None:  # an HTML preview: the browser loads the thumbnail by its URL
                keys.append(key)
                continue
            path = storage.path_for(evidence_root, item.thumbnail_key)
            if path.is_file():
                files[key] = path
                keys.append(key)
        rows.append(
            AnnexRow(
                finding_number=finding.number,
                title=finding.title,
                authority=_authority_text(finding),
                photos=keys,
            )
        )
    return rows, files


def letter_document(
    letter: Letter,
    *,
    evidence_root: Path | None,
    number: str | None = None,
    day: date | None = None,
    verify_url: str | None = None,
    short_code: str | None = None,
    demo: bool = False,
) -> tuple[LetterDocument, dict[str, Path]]:
    """The letter as it reads from the live records, and the files (photo thumbnails) its PDF may read.

    Without a number and a date it is a draft (watermarked); with them it is the copy being issued.
    `demo`: issued while the letters setup is incomplete outside production (`readiness`): marked "DEMO".
    """
    office = letter.office
    settings = for_office(office)
    recommendations = letter.recommendations
    # The rule in force on the letter's date; a draft reads it as of today in the office.
    sections = sections_for(recommendations, day or letter.letter_date or clock.today(office.timezone))
    annex_rows: list[AnnexRow] = []
    files: dict[str, Path] = {}
    if letter.annex and sections:
        findings = {f.number: f for rec in recommendations for f in rec.findings}
        annex_rows, files = _annex([findings[n] for n in sorted(findings)], evidence_root)
    if letter.escalation_step:
        # A reminder or escalation is about a deadline already running (its history is in the opening);
        # restating the rule as if the clock started again would mislead.
        sections = [dataclasses.replace(s, deadline="") for s in sections]
    # One deadline rule for the whole letter is said once, after the findings, not under each of them.
    letter_deadline = ""
    if sections and len({s.deadline for s in sections}) == 1:
        letter_deadline = sections[0].deadline
        sections = [dataclasses.replace(s, deadline="") for s in sections]
    issued = number is not None and day is not None
    copies = [
        copy_line_for(copy.authority) if copy.authority is not None else copy.text for copy in letter.copies
    ]
    doc = LetterDocument(
        office=office_header(office, settings),
        number=number,
        date=day,
        place=letter.place or None,
        sifat=letter.sifat,
        # A printed annex is an attachment: say so when the drafter left the Lampiran line empty.
        lampiran="1 (satu) berkas"
        if annex_rows and letter.lampiran in ("", "-")
        else (letter.lampiran or "-"),
        hal=letter.hal,
        recipient_lines=letter.recipient_line_list or recipient_lines_for(letter.authority),
        opening=letter.opening,
        sections=sections,
        deadline=letter_deadline,
        closing=letter.closing,
        signatory_title=letter.signatory_title,
        signatory_name=letter.signatory_name,
        tembusan=[line for line in copies if line.strip()],
        annex=bool(annex_rows),
        annex_rows=annex_rows,
        qr_data_uri=qr_svg_data_uri(verify_url) if issued and verify_url else None,
        verify_url=verify_url if issued else None,
        short_code=short_code if issued else None,
        paper=settings.paper,
        font=settings.font,
        font_size_pt=settings.font_size,
        margins_mm=PageMargins(
            top=settings.margin_top,
            right=settings.margin_right,
            bottom=settings.margin_bottom,
            left=settings.margin_left,
        ),
        draft=not issued,
        demo=demo and issued,
    )
    return doc, files


# --- the frozen snapshot ------------------------------------------------------------------------------------


def document_to_snapshot(doc: LetterDocument) -> dict[str, Any]:
    """Everything an issued letter showed, as JSON-ready data (the QR code is rebuilt from its URL)."""
    data = dataclasses.asdict(doc)
    data["date"] = doc.date.isoformat() if doc.date else None
    data.pop("qr_data_uri")
    return {"version": SNAPSHOT_VERSION, "document": data}


def document_from_snapshot(snapshot: dict[str, Any]) -> LetterDocument:
    """The LetterDocument an issued letter was rendered from."""
    if snapshot.get("version") != SNAPSHOT_VERSION:
        raise ValueError(f"unknown letter snapshot version {snapshot.get('version')!r}")
    data = dict(snapshot["document"])
    data["office"] = OfficeHeader(**data["office"])
    data["sections"] = [LetterSection(**s) for s in data["sections"]]
    data["annex_rows"] = [AnnexRow(**r) for r in data["annex_rows"]]
    data["margins_mm"] = PageMargins(**data["margins_mm"])
    data["date"] = date.fromisoformat(data["date"]) if data["date"] else None
    if data.get("verify_url") and not data["draft"]:
        data["qr_data_uri"] = qr_svg_data_uri(data["verify_url"])
    return LetterDocument(**data)
