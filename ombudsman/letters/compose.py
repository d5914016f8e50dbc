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
from ombudsman.deadlines.computation import days_between
from ombudsman.deadlines.models import EscalationStep, Unit
from ombudsman.extensions import db
from ombudsman.inspections import storage
from ombudsman.inspections.models import EvidenceKind, Finding, Inspection, InspectionKind
from ombudsman.letters import lookups
from ombudsman.letters.document import (
    AnnexRow,
    LetterDocument,
    LetterSection,
    OfficeHeader,
    OverdueRow,
    PageMargins,
)
from ombudsman.letters.emblem import data_uri as emblem_data_uri
from ombudsman.letters.models import Letter, LetterKind, LetterSettings
from ombudsman.letters.settings import for_office
from ombudsman.pdf import format_date_id, qr_svg_data_uri
from ombudsman.recommendations.models import Recommendation, RecommendationKind
from ombudsman.spelling import number_words  # noqa: F401 (letters spell counts out with it)

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


# --- default texts of a new draft ---------------------------------------------------------------------------


def place_phrase(place_line: str) -> str:
    """The register's place line as a letter prints it, after the addressee: "di Kupang". A line typed
    without the "di" ("Kupang", "Tempat") gets it, one typed "Di" gets it in lower case; "" stays ""
    (tata naskah dinas: "Yth. … / di <tempat>")."""
    place = " ".join(place_line.split())
    if not place:
        return ""
    if place.lower() == "di" or place.lower().startswith("di "):
        place = place[3:]
    return f"di {place}".rstrip()


def recipient_lines_for(authority: Authority) -> list[str]:
    """The "Yth." lines from the register: the head's title, then the place ("di Kupang")."""
    lines = (authority.head_title or authority.name, place_phrase(authority.place_line))
    return [line for line in lines if line]


def copy_line_for(authority: Authority) -> str:
    """A Tembusan line for an authority: its head's title and place ("Menteri Dalam Negeri di Jakarta")."""
    parts = (authority.head_title or authority.name, place_phrase(authority.place_line))
    return " ".join(part for part in parts if part)


def default_signatory(office: Office, settings: LetterSettings) -> tuple[str, str]:
    """(name, title) of the office head, who signs by default."""
    title = settings.signatory_title or " ".join(p for p in (office.head_title, office.name) if p)
    return office.head_name, title


def electronic_statement(issuer: str | None) -> str:
    """The sentence the signature block prints in electronic-signature mode, naming the certificate's
    issuer when known (a draft does not know the certificate yet)."""
    statement = "Ditandatangani secara elektronik menggunakan sertifikat elektronik"
    return f"{statement} yang diterbitkan oleh {issuer}." if issuer else f"{statement}."


def letter_kind_for(recommendations: Iterable[Recommendation]) -> LetterKind:
    """The letter kind that fits the recommendations: theirs when they agree, a saran otherwise."""
    kinds = {rec.kind for rec in recommendations}
    return LETTER_KIND_FOR[kinds.pop()] if len(kinds) == 1 else LetterKind.SARAN


def default_hal(inspection: Inspection) -> str:
    """The subject of a letter on an inspection's results."""
    phrase = INSPECTION_PHRASES.get(inspection.kind, "Inspeksi")
    return f"Penyampaian Hasil {phrase} pada {inspection.authority.name}"


def default_opening(office: Office, inspection: Inspection, kinds: Iterable[RecommendationKind] = ()) -> str:
    """The opening paragraph of a letter on an inspection's results, naming what it conveys by the kind of its
    recommendations ("temuan dan tindakan korektif"); "saran perbaikan" when they are of several kinds."""
    phrase = INSPECTION_PHRASES.get(inspection.kind, "Inspeksi").lower()
    day = inspection.visited_on
    where = inspection.place or inspection.authority.name
    distinct = set(kinds)
    conveyed = KIND_PHRASES[distinct.pop()] if len(distinct) == 1 else KIND_PHRASES[RecommendationKind.SARAN]
    return (
        f"Sehubungan dengan {phrase} yang dilakukan oleh {office.name} pada hari "
        f"{WEEKDAYS_ID[day.weekday()]}, {format_date_id(day)}, di {where}, bersama ini kami sampaikan "
        f"temuan dan {conveyed} sebagai berikut:"
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


# The run-in label before a finding's recommendations, by their kind (never "Saran:" over a Rekomendasi).
RECOMMENDATION_LABELS = {
    RecommendationKind.SARAN: "Saran",
    RecommendationKind.TINDAKAN_KOREKTIF: "Tindakan korektif",
    RecommendationKind.REKOMENDASI: "Rekomendasi",
}

# How a letter's sentences name the recommendations of a kind ("... atas saran perbaikan berikut").
KIND_PHRASES = {
    RecommendationKind.SARAN: "saran perbaikan",
    RecommendationKind.TINDAKAN_KOREKTIF: "tindakan korektif",
    RecommendationKind.REKOMENDASI: "Rekomendasi",
}


def _responsible(finding: Finding) -> list[Authority]:
    return [a for a in (finding.responsible_authority, finding.second_authority) if a is not None]


def authority_text(finding: Finding, addressee: Authority | None) -> str:
    """Who is responsible for a finding, said only where the addressee cannot take it for granted.

    Empty when the addressee alone is responsible (a letter to the Pemerintah Kota Kupang does not tell it
    eight times that it is responsible); "Tanggung jawab bersama dengan <other>." for a finding the addressee
    shares; the names of the responsible authorities when the addressee is not among them (a letter to a
    superior about its unit, or without an addressee).
    """
    responsible = _responsible(finding)
    ids = [a.id for a in responsible]
    if addressee is not None and addressee.id in ids:
        others = [a.name for a in responsible if a.id != addressee.id]
        return f"Tanggung jawab bersama dengan {' dan '.join(others)}." if others else ""
    return "Instansi yang bertanggung jawab: " + " dan ".join(a.name for a in responsible)


def inspection_heading(inspection: Inspection) -> str:
    """How a letter names an inspection: "Inspeksi Mendadak tanggal 30 Juli 2018 pada <unit>"."""
    phrase = INSPECTION_PHRASES.get(inspection.kind, "Inspeksi")
    return f"{phrase} tanggal {format_date_id(inspection.visited_on)} pada {inspection.authority.name}"


def letter_findings(recommendations: Iterable[Recommendation]) -> list[Finding]:
    """The findings a letter answers, each once, in the order of the inspections (visit date), then of the
    findings within each inspection; their position in this list (from 1) is their number in the letter."""
    findings = {f.id: f for rec in recommendations for f in rec.findings}
    return sorted(
        findings.values(),
        key=lambda f: (f.inspection.visited_on, f.inspection_id, f.number, f.id),
    )


def sections_for(
    recommendations: list[Recommendation], on: date, addressee: Authority | None = None
) -> list[LetterSection]:
    """One section per finding answered, numbered 1..n in this letter; each recommendation under the first
    finding it answers, the later ones pointing back to it ("Sebagaimana saran pada angka 1.").

    Findings from different inspections are kept apart (grouped by inspection, never merged by their
    numbers). `on` picks the deadline rule in force; `addressee` decides whether the responsible
    authority needs naming (see `authority_text`).
    """
    findings = letter_findings(recommendations)
    local = {f.id: n for n, f in enumerate(findings, start=1)}
    recs_by_finding: dict[int, list[Recommendation]] = {}
    for rec in recommendations:
        for finding in rec.findings:
            recs_by_finding.setdefault(finding.id, []).append(rec)
    printed_under: dict[int, int] = {}  # recommendation id -> number of the finding it is printed under
    sections = []
    for finding in findings:
        number = local[finding.id]
        texts, kinds = [], []
        for rec in recs_by_finding[finding.id]:
            kinds.append(rec.kind)
            if rec.id in printed_under:
                word = RECOMMENDATION_LABELS[rec.kind].lower()
                texts.append(f"Sebagaimana {word} pada angka {printed_under[rec.id]}.")
            else:
                printed_under[rec.id] = number
                texts.append(rec.text)
        sections.append(
            LetterSection(
                number=number,
                inspection_number=finding.number,
                group=inspection_heading(finding.inspection),
                title=finding.title,
                description=finding.description,
                authority=authority_text(finding, addressee),
                label=RECOMMENDATION_LABELS[kinds[0]],
                recommendations=texts,
                deadline=deadline_services.letter_deadline_sentence(kinds[0], on),
            )
        )
    return sections


def _annex(findings: list[Finding], evidence_root: Path | None) -> tuple[list[AnnexRow], dict]:
    """Annex rows with their photos' keys, and the thumbnail files behind the keys (for a PDF render).

    A row refers to the finding's own number in its inspection's record (berita acara) when that number
    differs from the letter's, or when the letter covers several inspections.
    """
    rows, files = [], {}
    several = len({f.inspection_id for f in findings}) > 1
    for number, finding in enumerate(findings, start=1):
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
        reference = ""
        if several or finding.number != number:
            reference = (
                f"temuan nomor {finding.number} dalam berita acara {inspection_heading(finding.inspection)}"
            )
        rows.append(
            AnnexRow(
                finding_number=number,
                title=finding.title,
                authority=" dan ".join(a.name for a in _responsible(finding)),
                photos=keys,
                reference=reference,
            )
        )
    return rows, files


def shared_copy_lines(letter: Letter) -> list[str]:
    """Tembusan lines for the other authority of each shared finding the letter holds (in finding order).

    A finding two authorities share is answered in one letter to each of them; each letter lists the other
    addressee under Tembusan, so that both know the other was told (built from the findings, not typed).
    """
    lines: list[str] = []
    addressee_id = letter.authority_id
    for finding in letter_findings(letter.recommendations):
        responsible = _responsible(finding)
        if len(responsible) < 2 or addressee_id not in {a.id for a in responsible}:
            continue
        for other in responsible:
            line = copy_line_for(other)
            if other.id != addressee_id and line not in lines:
                lines.append(line)
    return lines


def tembusan_for(letter: Letter) -> list[str]:
    """The letter's Tembusan as printed: its own lines, then the shared findings' other addressees."""
    lines = [copy_line_for(c.authority) if c.authority is not None else c.text for c in letter.copies]
    lines = [line for line in lines if line.strip()]
    return lines + [line for line in shared_copy_lines(letter) if line not in lines]


def lampiran_for(letter: Letter, *, printed_annex: bool, enclosures: int = 0) -> str:
    """The Lampiran line: what the drafter wrote, or when left empty ("-") what the letter encloses.

    A printed annex (the findings' table) is "1 (satu) berkas"; an escalation letter also encloses copies
    of the earlier letters it lists ("3 (tiga) berkas"). The letter page shows this same value.
    """
    if letter.lampiran not in ("", "-"):
        return letter.lampiran
    count = (1 if printed_annex else 0) + enclosures
    return f"{count} ({number_words(count)}) berkas" if count else "-"


def shown_lampiran(letter: Letter) -> str:
    """The Lampiran line the letter's PDF carries: the snapshot's once issued, else as it would print now."""
    if letter.status.is_issued and letter.snapshot is not None:
        return letter.snapshot["document"]["lampiran"]
    findings = letter.annex and not letter.escalation_step and bool(letter.recommendations)
    escalated = letter.escalation_step and letter.escalation_step != EscalationStep.REMINDER
    enclosures = len(earlier_letters(letter)) if escalated else 0
    return lampiran_for(letter, printed_annex=findings, enclosures=enclosures)


# --- reminders and escalations --------------------------------------------------------------------------

#: Working days a reminder gives for the reply, counted from the letter's date (office practice).
REMINDER_REPLY_WORKING_DAYS = 10
_UNIT_WORDS = {Unit.WORKING: "hari kerja", Unit.CALENDAR: "hari"}


def _letter_ref(summary: lookups.LetterSummary) -> str:
    day = f" tanggal {format_date_id(summary.letter_date)}" if summary.letter_date else ""
    return f"Nomor {summary.number}{day}"


def _original_letters(letter: Letter) -> dict[int, lookups.LetterSummary]:
    """{recommendation id: the issued letter that started its clock} (not superseded, not an escalation):
    the one addressed to the recommendation's own authority, since only that letter's receipt starts its clock
    (a shared finding's recommendation may also sit in the other authority's copy)."""
    owners = {r.id: r.authority_id for r in letter.recommendations}
    found = lookups.letters_for_recommendations(list(owners))
    originals = {}
    for rec_id, summaries in found.items():
        issued = [
            s
            for s in summaries
            if s.number and not s.escalation_step and s.id != letter.id and s.authority_id == owners[rec_id]
        ]
        if issued:
            originals[rec_id] = issued[0]
    return originals


def earlier_letters(letter: Letter) -> list[str]:
    """The issued letters an escalation follows on, oldest first: the original letters, then the reminders
    already sent about the same recommendations ("Surat Nomor ... tanggal ... hal ...")."""
    found = lookups.letters_for_recommendations([r.id for r in letter.recommendations])
    summaries = {s.id: s for rows in found.values() for s in rows if s.number and s.id != letter.id}
    return [
        f"Surat {_letter_ref(s)} hal {s.hal}"
        for s in sorted(summaries.values(), key=lambda s: (s.letter_date or date.min, s.id))
    ]


def reminder_opening(letter_refs: list[str], reminder_refs: list[str], kind_name: str) -> str:
    """The opening of a reminder: the original letters (and earlier reminders) by number and date, and
    what is overdue. `letter_refs`, `reminder_refs`: "Nomor ... tanggal ..." each."""
    refs = f"surat kami {' dan '.join(letter_refs)}" if letter_refs else "surat kami terdahulu"
    if reminder_refs:
        refs += f" serta surat pengingat kami {' dan '.join(reminder_refs)}"
    return (
        f"Menunjuk {refs}, dengan hormat kami sampaikan bahwa sampai dengan tanggal surat ini Ombudsman "
        f"belum menerima laporan tindak lanjut atas {kind_name} berikut, yang batas waktunya telah terlewati:"
    )


def escalation_opening(recommendation_ids: Iterable[int], kind_name: str) -> str:
    """The opening of a reminder or a letter to a superior about these recommendations (see
    `reminder_opening`): the issued letters that carried them, then the reminders already sent."""
    found = lookups.letters_for_recommendations(recommendation_ids)
    summaries = {s.id: s for rows in found.values() for s in rows if s.number}
    ordered = sorted(summaries.values(), key=lambda s: (s.letter_date or date.min, s.id))
    return reminder_opening(
        [_letter_ref(s) for s in ordered if not s.escalation_step],
        [_letter_ref(s) for s in ordered if s.escalation_step],
        kind_name,
    )


def overdue_rows(letter: Letter, on: date) -> list[OverdueRow]:
    """The overdue recommendations of a reminder as of `on`, in the order of the letters that carried them
    and of their numbers there: the text, where it was ("angka 3"; with the letter's number and date when
    the reminder follows on several letters), the due date and how late it is (in the rule's unit, on the
    office's working-day calendar)."""
    originals = _original_letters(letter)
    several = len({o.id for o in originals.values()}) > 1
    numbers: dict[int, dict[int, int]] = {}  # original letter id -> {recommendation id: finding number}
    for original in {o.id: o for o in originals.values()}.values():
        numbers[original.id] = _printed_under(db.session.get(Letter, original.id).recommendations)
    calendar = deadline_services.office_calendar(letter.office)
    items = []
    for position, rec in enumerate(letter.recommendations):
        original = originals.get(rec.id)
        where = numbers[original.id].get(rec.id) if original is not None else None
        parts = []
        if original is not None and several:
            parts.append(f"Surat {_letter_ref(original)}")
        if where:
            parts.append(f"angka {where}")
        reference = ", ".join(parts)
        deadline = rec.deadline
        due, late = "-", "-"
        if deadline is not None:
            due = format_date_id(deadline.due_on)
            days = days_between(calendar, deadline.unit, deadline.due_on, on)
            late = f"{days} {_UNIT_WORDS[Unit(deadline.unit)]}" if days > 0 else "-"
        key = (original.letter_date or date.min, original.id, where or 0) if original else (date.max, 0, 0)
        items.append((key, position, rec.text, reference, due, late))
    items.sort()
    return [
        OverdueRow(number=n, text=text, reference=reference, due=due, overdue=late)
        for n, (_key, _position, text, reference, due, late) in enumerate(items, start=1)
    ]


def _printed_under(recommendations: list[Recommendation]) -> dict[int, int]:
    """{recommendation id: the number (in that letter) of the first finding it is printed under}."""
    local = {f.id: n for n, f in enumerate(letter_findings(recommendations), start=1)}
    return {rec.id: min(local[f.id] for f in rec.findings) for rec in recommendations if rec.findings}


def reply_request(letter: Letter, on: date) -> str:
    """The sentence of a reminder that asks for the reply by a new date: `REMINDER_REPLY_WORKING_DAYS`
    working days after `on` (the letter's date), on the office's calendar."""
    calendar = deadline_services.office_calendar(letter.office)
    by = calendar.add_working_days(on, REMINDER_REPLY_WORKING_DAYS).due_on
    return (
        "Sehubungan dengan hal tersebut, kami mohon Saudara menyampaikan tanggapan dan laporan tindak lanjut "
        f"secara tertulis paling lambat tanggal {format_date_id(by)}."
    )


# --- the document -------------------------------------------------------------------------------------------


def letter_document(
    letter: Letter,
    *,
    evidence_root: Path | None,
    number: str | None = None,
    day: date | None = None,
    verify_url: str | None = None,
    short_code: str | None = None,
    demo: bool = False,
    signature_issuer: str | None = None,
) -> tuple[LetterDocument, dict[str, Path]]:
    """The letter as it reads from the live records, and the files (photo thumbnails) its PDF may read.

    Without a number and a date it is a draft (watermarked); with them it is the copy being issued.
    A reminder or escalation (`letter.escalation_step`) lists its overdue recommendations instead of the
    findings, asks for a reply by a new date and lists the earlier letters in its annex.
    `demo`: issued while the letters setup is incomplete outside production (`readiness`): marked "DEMO".
    In electronic-signature mode (the letter reserved as `signed`, or a draft of an office in that mode)
    the signature block says so, naming `signature_issuer` (the certificate's issuer) when known.
    """
    office = letter.office
    settings = for_office(office)
    recommendations = letter.recommendations
    # The rule in force on the letter's date; a draft reads it as of today in the office.
    on = day or letter.letter_date or clock.today(office.timezone)
    annex_rows: list[AnnexRow] = []
    files: dict[str, Path] = {}
    overdue: list[OverdueRow] = []
    earlier: list[str] = []
    request = ""
    if letter.escalation_step:
        # A reminder is about a deadline already running: no findings again, no rule restated as if the
        # clock started afresh; the overdue items, the earlier letters and a new date for the reply.
        sections: list[LetterSection] = []
        overdue = overdue_rows(letter, on)
        request = reply_request(letter, on)
        if letter.escalation_step != EscalationStep.REMINDER:
            earlier = earlier_letters(letter)  # a superior (or head office) gets copies of what was sent
    else:
        sections = sections_for(recommendations, on, letter.authority)
        if letter.annex and sections:
            annex_rows, files = _annex(letter_findings(recommendations), evidence_root)
    # One deadline rule for the whole letter is said once, after the findings, not under each of them.
    letter_deadline = ""
    if sections and len({s.deadline for s in sections}) == 1:
        letter_deadline = sections[0].deadline
        sections = [dataclasses.replace(s, deadline="") for s in sections]
    issued = number is not None and day is not None
    electronic = letter.signed if issued else settings.electronic_signature
    doc = LetterDocument(
        office=office_header(office, settings),
        number=number,
        date=day,
        place=letter.place or None,
        sifat=letter.sifat,
        lampiran=lampiran_for(letter, printed_annex=bool(annex_rows), enclosures=len(earlier)),
        hal=letter.hal,
        recipient_lines=letter.recipient_line_list or recipient_lines_for(letter.authority),
        opening=letter.opening,
        sections=sections,
        deadline=letter_deadline,
        closing=letter.closing,
        signatory_title=letter.signatory_title,
        signatory_name=letter.signatory_name,
        tembusan=tembusan_for(letter),
        annex=bool(annex_rows),
        annex_rows=annex_rows,
        overdue_rows=overdue,
        overdue_label=RECOMMENDATION_LABELS[recommendations[0].kind] if overdue else "Saran",
        reply_request=request,
        earlier_letters=earlier,
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
        electronic_signature=electronic_statement(signature_issuer) if electronic else "",
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
    data["overdue_rows"] = [OverdueRow(**r) for r in data.get("overdue_rows", ())]
    data["margins_mm"] = PageMargins(**data["margins_mm"])
    data["date"] = date.fromisoformat(data["date"]) if data["date"] else None
    if data.get("verify_url") and not data["draft"]:
        data["qr_data_uri"] = qr_svg_data_uri(data["verify_url"])
    return LetterDocument(**data)
