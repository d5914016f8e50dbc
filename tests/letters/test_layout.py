"""What a letter says and how it sits on the page, read back from the PDF as a clerk would read it.

Issue 11: findings numbered 1..n in each letter and grouped by inspection; the responsible authority named
only when it is not just the addressee; the other addressee of a shared finding under Tembusan; the
closing words, the signature and Tembusan kept together (never a page holding only a signature); the demo
letter to the Wali Kota on two A4 pages; reminders of one to two pages that name the original letter.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from letter_images import EIGHTH_SARAN, overdue_reminder
from letter_setup import make_ready
from pypdf import PdfReader

from ombudsman.deadlines import escalation
from ombudsman.deadlines import services as deadlines
from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.inspections import services as inspections
from ombudsman.letters import compose, drafting
from ombudsman.letters import services as letters_services
from ombudsman.letters.commands import CopyLine, LetterDraft, RecordDelivery
from ombudsman.letters.document import LetterDocument, LetterSection, OfficeHeader
from ombudsman.letters.models import Letter
from ombudsman.letters.render import render_letter_pdf
from ombudsman.pdf import qr_svg_data_uri
from ombudsman.recommendations import services as recommendations

VERIFY_URL = "https://persuratan.ombudsman.example/v/K7Q2-9XPA"
ISSUED = date(2018, 7, 31)
RECEIVED = date(2018, 8, 6)
OVERDUE = date(2018, 10, 1)


def pages(pdf: bytes) -> list[str]:
    """Each page's text, with the spacing that layout adds collapsed."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def issued_copy(letter: Letter, number: str = "1/ORI/PW-NTT/VII/2018") -> bytes:
    """The PDF the letter would be issued as on 31 July 2018 (QR code in the first page's footer)."""
    doc, files = compose.letter_document(
        letter, evidence_root=None, number=number, day=ISSUED, verify_url=VERIFY_URL, short_code="K7Q2-9XPA"
    )
    return render_letter_pdf(doc, allowed_files=files, archive=True)


def finding_numbers(text: str, titles: list[str]) -> list[int]:
    """The number printed before each finding title, in the order of the titles."""
    found = []
    for title in titles:
        match = re.search(r"(\d+)\. " + re.escape(" ".join(title.split())), text)
        assert match, title
        found.append(int(match.group(1)))
    return found


# --- the demo letters ---------------------------------------------------------------------------------------


def test_demo_letter_to_the_wali_kota_is_two_pages_numbered_and_copied(demo, letters):
    kota = letters.kota
    sections = compose.letter_document(kota, evidence_root=None)[0].sections
    assert [s.number for s in sections] == list(range(1, 9))
    assert [s.inspection_number for s in sections] == [1, 2, 3, 4, 5, 6, 7, 10]

    for pdf in (issued_copy(kota), letters_services.draft_pdf(kota, None)):
        text = pages(pdf)
        assert len(text) == 2
        whole = " ".join(text)
        assert finding_numbers(whole, [s.title for s in sections]) == list(range(1, 9))
        assert "Instansi yang bertanggung jawab: Pemerintah Kota Kupang" not in whole
        assert "Instansi yang bertanggung jawab" not in whole
        # Finding 10 of the inspection is shared with the centre: said once, and the Dirjen is copied.
        assert whole.count("Tanggung jawab bersama dengan") == 1
        assert "Tanggung jawab bersama dengan Direktorat Jenderal Kependudukan dan Pencatatan Sipil." in whole
        tembusan = whole[whole.index("Tembusan:") :]
        assert "Direktur Jenderal Kependudukan dan Pencatatan Sipil di Jakarta" in tembusan
        # One label per finding, run into the recommendation; no "Saran:" line on its own.
        assert whole.count("Saran:") == 8
        assert "Saran: Sebagaimana saran pada angka 1." in whole  # finding 4 points to finding 1
        # The signature page carries the end of the letter's text.
        assert "Demikian kami sampaikan" in text[-1] and "DARIUS BEDA DATON" in text[-1]


def test_with_the_office_emblem_the_issued_letter_to_the_wali_kota_is_still_two_pages(demo, letters):
    # A real office has uploaded its emblem (production refuses to issue without it): the kop carries the
    # emblem beside its text and page 1 the QR verification footer, and the letter still fits two A4 pages.
    make_ready(demo)
    kota = letters.kota
    doc, files = compose.letter_document(
        kota,
        evidence_root=None,
        number="1/ORI/PW-NTT/VII/2018",
        day=ISSUED,
        verify_url=VERIFY_URL,
        short_code="K7Q2-9XPA",
    )
    assert doc.office.logo.startswith("data:image/png;base64,")
    pdf = render_letter_pdf(doc, allowed_files=files, archive=True)

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    first_images = [image.name for image in reader.pages[0].images]
    assert first_images, "the emblem is drawn on page 1"
    text = pages(pdf)
    assert "Telepon (0380) 123456" in text[0] and VERIFY_URL in text[0]
    # The findings run on from page 1 and the last page opens with letter text, not with the signature.
    last = text[-1]
    signature = last.index("DARIUS BEDA DATON")
    assert last.index("8. Perlu penyegaran pimpinan") < last.index("Demikian kami sampaikan") < signature
    assert "1. Jumlah loket" in text[0]
    assert last.index("Tembusan:") > signature


def test_demo_letter_to_the_dirjen_is_at_most_two_pages_and_copies_the_wali_kota(demo, letters):
    ditjen = letters.ditjen
    text = pages(issued_copy(ditjen))

    assert len(text) <= 2
    whole = " ".join(text)
    assert finding_numbers(whole, ["Server dan perangkat perekaman rusak", "Stok blanko KTP-el habis"]) == [
        1,
        2,
    ]
    assert "8. Server" not in whole
    assert "Tanggung jawab bersama dengan Pemerintah Kota Kupang" in whole
    assert "Wali Kota Kupang di Kupang" in whole[whole.index("Tembusan:") :]
    assert "Instansi yang bertanggung jawab: Direktorat" not in whole


def test_a_copy_already_typed_is_not_listed_twice(demo, letters):
    kota = letters.kota
    drafting.update(
        kota,
        demo.users["inspector"],
        LetterDraft(
            copies=(
                *[CopyLine(authority_id=c.authority_id, text=c.text) for c in kota.copies],
                CopyLine(authority_id=demo.ditjen.id),
            )
        ),
    )

    tembusan = compose.tembusan_for(kota)

    assert tembusan.count("Direktur Jenderal Kependudukan dan Pencatatan Sipil di Jakarta") == 1


def test_the_letter_page_shows_the_lampiran_the_pdf_prints(demo, letters, login):
    inspector = login("inspector@demo.test")
    kota = letters.kota
    drafting.update(kota, demo.users["inspector"], LetterDraft(annex=True, lampiran="-"))
    db.session.commit()

    doc, _files = compose.letter_document(kota, evidence_root=None)
    page = inspector.get(f"/letters/{kota.id}").get_data(as_text=True)

    assert doc.lampiran == "1 (satu) berkas"
    assert '<span id="letter-lampiran">1 (satu) berkas</span>' in page
    # The edit form says which copy the PDF adds by itself.
    form = inspector.get(f"/letters/{kota.id}/edit").get_data(as_text=True)
    hint = form[form.index('id="shared-copies"') :]
    assert "Direktur Jenderal Kependudukan dan Pencatatan Sipil di Jakarta" in hint[: hint.index("</p>")]


# --- findings of several inspections ------------------------------------------------------------------------


def test_findings_of_two_inspections_are_grouped_numbered_on_and_never_merged(demo, letters):
    inspector = demo.users["inspector"]
    later = inspections.create_inspection(
        demo.office,
        inspector,
        {
            "title": "Monitoring pelayanan KTP-el",
            "kind": "monitoring",
            "authority_id": demo.dinas.id,
            "visited_on": date(2018, 10, 15),
        },
    )
    finding = inspections.create_finding(
        later,
        inspector,
        {
            "title": "Nomor antrean belum diterapkan",
            "description": "Antrean masih berdesakan.",
            "responsible_authority_id": demo.pemkot.id,
        },
    )
    assert finding.number == 1  # the same number as the first inspection's first finding
    rec = recommendations.create(
        demo.office.id,
        inspector,
        {
            "finding_ids": [finding.id],
            "authority_id": demo.pemkot.id,
            "kind": "saran",
            "text": "Segera menerapkan nomor antrean elektronik.",
        },
    )
    kota = letters.kota
    ids = [r.id for r in kota.recommendations]
    drafting.update(kota, inspector, LetterDraft(recommendation_ids=(*ids, rec.id), annex=True))

    doc, _files = compose.letter_document(kota, evidence_root=None)

    assert [s.number for s in doc.sections] == list(range(1, 10))
    last = doc.sections[-1]
    assert (last.title, last.inspection_number, last.recommendations) == (
        "Nomor antrean belum diterapkan",
        1,
        ["Segera menerapkan nomor antrean elektronik."],
    )
    assert doc.sections[0].recommendations[0].startswith("Menambah jumlah loket")  # not merged with it
    headings = [heading for heading, _sections in doc.section_groups]
    assert headings == [
        "Inspeksi Mendadak tanggal 30 Juli 2018 pada Dinas Kependudukan dan Pencatatan Sipil Kota Kupang",
        "Monitoring Pelayanan Publik tanggal 15 Oktober 2018 pada Dinas Kependudukan dan Pencatatan Sipil "
        "Kota Kupang",
    ]
    assert doc.annex_rows[-1].reference == f"temuan nomor 1 dalam berita acara {headings[1]}"
    text = " ".join(pages(render_letter_pdf(doc)))
    assert text.index(headings[0]) < text.index("1. Jumlah loket") < text.index(headings[1])
    assert text.index(headings[1]) < text.index("9. Nomor antrean belum diterapkan")


# --- what a letter of a kind may carry ----------------------------------------------------------------------


@pytest.fixture
def corrective(demo):
    """A corrective action addressed to the Pemerintah Kota Kupang."""
    return recommendations.create(
        demo.office.id,
        demo.users["inspector"],
        {
            "finding_ids": [demo.findings[2].id],
            "authority_id": demo.pemkot.id,
            "kind": "tindakan_korektif",
            "text": "Menerapkan nomor antrean dalam 30 hari.",
        },
    )


def test_a_saran_letter_refuses_a_corrective_action(demo, letters, corrective):
    kota = letters.kota
    ids = [r.id for r in kota.recommendations]

    with pytest.raises(Invalid) as refused:
        drafting.update(kota, demo.users["inspector"], LetterDraft(recommendation_ids=(*ids, corrective.id)))

    assert refused.value.field == "recommendation_ids"
    assert "hanya dapat memuat rekomendasi berjenis sama" in str(refused.value.message)


def test_the_web_form_refuses_it_too_and_keeps_the_input(demo, letters, corrective, login):
    kota = letters.kota
    ids = [r.id for r in kota.recommendations]
    db.session.commit()

    inspector = login("inspector@demo.test")
    form = {
        "kind": "saran",
        "authority_id": str(demo.pemkot.id),
        "recipient_lines": "Wali Kota Kupang\ndi Kupang",
        "hal": kota.hal,
        "sifat": "Biasa",
        "lampiran": "-",
        "place": "Kupang",
        "opening": kota.opening,
        "closing": kota.closing,
        "signatory_title": kota.signatory_title,
        "signatory_name": kota.signatory_name,
        "recommendation_ids": [str(i) for i in (*ids, corrective.id)],
    }
    refused = inspector.post(f"/letters/{kota.id}/edit", data=form)
    assert refused.status_code == 422
    assert "hanya dapat memuat rekomendasi berjenis sama" in refused.get_data(as_text=True)
    assert [r.id for r in db.session.get(Letter, kota.id).recommendations] == ids


# --- the signature page always carries text -----------------------------------------------------------------

_FINDINGS = [
    (
        "Jumlah loket pelayanan tidak memadai",
        "Loket pelayanan terlalu sedikit untuk sekitar 300 pengunjung per hari; suasana loket "
        "\u201cseperti pasar\u201d.",
        "Menambah jumlah loket pelayanan dan petugas ASN pada pelayanan KTP-el sesuai jumlah pengunjung "
        "harian.",
    ),
    (
        "Tidak ada pengumuman KTP-el yang sudah dicetak dan waktu pengambilannya",
        "Warga tidak diberi tahu secara resmi bahwa KTP-el mereka sudah dicetak, maupun kapan dapat diambil.",
        "Mengumumkan secara resmi daftar KTP-el yang sudah dicetak beserta jadwal pengambilannya.",
    ),
    (
        "KTP-el yang sudah jadi dititipkan kepada anggota DPRD Kota Kupang",
        "KTP-el diserahkan kepada anggota DPRD menurut daerah pemilihan untuk dibagikan, tanpa memberi tahu "
        "pemiliknya; tidak sesuai SOP pengambilan.",
        "Menghentikan penitipan KTP-el kepada anggota DPRD dan menyerahkan KTP-el langsung kepada "
        "pemiliknya sesuai SOP pengambilan.",
    ),
]
CLOSING = (
    "Tanggapan dan tindak lanjut mohon disampaikan secara tertulis kepada Ombudsman Republik Indonesia "
    "Perwakilan Provinsi Nusa Tenggara Timur, Jl. Veteran, Kelapa Lima, Kota Kupang.\n"
    "Demikian kami sampaikan. Atas perhatian dan kerja sama Saudara, kami ucapkan terima kasih."
)


def letter_with(count: int) -> LetterDocument:
    """An issued letter with `count` findings of realistic length, one recommendation each."""
    sections = [
        LetterSection(
            number=n,
            title=_FINDINGS[n % 3][0],
            description=_FINDINGS[n % 3][1],
            authority="",
            recommendations=[_FINDINGS[n % 3][2]],
        )
        for n in range(1, count + 1)
    ]
    return LetterDocument(
        office=OfficeHeader(
            name_lines=("OMBUDSMAN REPUBLIK INDONESIA", "PERWAKILAN PROVINSI NUSA TENGGARA TIMUR"),
            address="Jl. Veteran, Kelapa Lima, Kota Kupang",
            place="Kupang",
        ),
        number="12/ORI/PW-NTT/VII/2018",
        date=ISSUED,
        hal="Penyampaian Hasil Inspeksi Mendadak pada Dinas Kependudukan dan Pencatatan Sipil Kota Kupang",
        recipient_lines=("Wali Kota Kupang", "di Kupang"),
        opening=(
            "Sehubungan dengan inspeksi mendadak yang dilakukan oleh Ombudsman Republik Indonesia Perwakilan "
            "Provinsi Nusa Tenggara Timur pada hari Senin, 30 Juli 2018, di Kantor Dinas Kependudukan dan "
            "Pencatatan Sipil Kota Kupang, bersama ini kami sampaikan temuan dan saran perbaikan sebagai "
            "berikut:"
        ),
        sections=sections,
        deadline=(
            "Tindak lanjut atas saran tersebut kami harapkan disampaikan kepada Ombudsman paling lambat 30 "
            "(tiga puluh) hari kerja sejak surat ini diterima."
        ),
        closing=CLOSING,
        signatory_title="Kepala Perwakilan Ombudsman Republik Indonesia Provinsi Nusa Tenggara Timur",
        signatory_name="Darius Beda Daton",
        tembusan=(
            "Ketua Ombudsman Republik Indonesia di Jakarta",
            "Kepala Dinas Kependudukan dan Pencatatan Sipil Kota Kupang di Kupang",
            "Direktur Jenderal Kependudukan dan Pencatatan Sipil di Jakarta",
        ),
        qr_data_uri=qr_svg_data_uri(VERIFY_URL),
        verify_url=VERIFY_URL,
        short_code="K7Q2-9XPA",
    )


# Representative counts: one finding, around each page boundary of the demo's layout, and the most.
@pytest.mark.parametrize("count", [1, 4, 5, 6, 9, 12, 15])
def test_no_page_holds_only_the_signature_and_tembusan(count):
    text = pages(render_letter_pdf(letter_with(count)))

    signed = [page for page in text if "DARIUS BEDA DATON" in page]
    assert len(signed) == 1
    page = signed[0]
    assert page is text[-1]
    # The closing words are on the signature's page, before it, and Tembusan stays with them.
    assert "Demikian kami sampaikan" in page
    assert page.index("Demikian kami sampaikan") < page.index("DARIUS BEDA DATON") < page.index("Tembusan:")
    # Every finding is printed whole on one page (title and its recommendation), numbered 1..count.
    titles = r"\d+\. (?:Jumlah loket|Tidak ada pengumuman|KTP-el yang sudah jadi)"
    assert [len(re.findall(titles, p)) for p in text] == [p.count("Saran:") for p in text]
    whole = " ".join(text)
    assert [
        int(n) for n in re.findall(r"(\d+)\. (?:Jumlah loket|Tidak ada pengumuman|KTP-el yang)", whole)
    ] == (list(range(1, count + 1)))


# --- reminders ----------------------------------------------------------------------------------------------


def test_a_reminder_for_eight_overdue_recommendations_fits_two_pages_and_names_the_original(demo, letters):
    issued, reminder = overdue_reminder(demo.office, demo.users, demo.findings, demo.pemkot, letters.kota)

    doc, files = compose.letter_document(
        reminder,
        evidence_root=None,
        number="20/ORI/PW-NTT/X/2018",
        day=OVERDUE,
        verify_url=VERIFY_URL,
        short_code="ABCD-EFGH",
    )
    text = pages(render_letter_pdf(doc, allowed_files=files))

    assert len(doc.overdue_rows) == 8 and doc.sections == [] and doc.earlier_letters == []
    assert len(text) <= 2
    whole = " ".join(text)
    assert f"Menunjuk surat kami Nomor {issued.number} tanggal 31 Juli 2018" in whole
    # Each overdue item once, in the order of the original letter, with its number there ("angka"), the
    # due date and how late it is; the findings are not printed again.
    assert [(r.number, r.reference) for r in doc.overdue_rows] == [
        (1, "angka 1"),
        (2, "angka 2"),
        (3, "angka 3"),
        (4, "angka 3"),
        (5, "angka 5"),
        (6, "angka 6"),
        (7, "angka 7"),
        (8, "angka 8"),
    ]
    assert doc.overdue_rows[3].text == EIGHTH_SARAN
    assert whole.count("20 September 2018") == 8
    assert whole.count("7 hari kerja") == 8  # 20 Sep -> 1 Oct 2018: 21, 24-28 Sep, 1 Oct
    assert "Jumlah loket pelayanan tidak memadai" not in whole
    assert "paling lambat tanggal 15 Oktober 2018" in whole  # ten working days after 1 October 2018
    assert "Demikian kami sampaikan" in text[-1] and "DARIUS BEDA DATON" in text[-1]


def test_an_escalation_to_the_superior_lists_the_earlier_letters_in_its_annex(demo, letters):
    inspector = demo.users["inspector"]
    ditjen = letters.ditjen
    letters_services.submit(ditjen, inspector)
    letters_services.approve(ditjen, demo.users["supervisor"])
    fake = lambda doc, **kw: b"%PDF-1.7 " + doc.hal.encode()  # noqa: E731
    issued = letters_services.issue(
        ditjen,
        demo.users["head"],
        today=ISSUED,
        base_url="https://o.example",
        evidence_root=None,
        render=fake,
    )
    letters_services.record_delivery(
        issued, inspector, RecordDelivery(delivered_on=ISSUED, received_on=RECEIVED), today=date(2018, 8, 10)
    )
    rec = issued.recommendations[0]
    cut = deadlines.state_cutoffs(demo.office, OVERDUE)
    reminder = letters_services.draft_escalation_letter(
        escalation.plan_escalation(rec, office=demo.office, cut=cut), user=inspector, today=OVERDUE
    )
    letters_services.submit(reminder, inspector)
    letters_services.approve(reminder, demo.users["supervisor"])
    reminder = letters_services.issue(
        reminder,
        demo.users["head"],
        today=OVERDUE,
        base_url="https://o.example",
        evidence_root=None,
        render=fake,
    )
    later = date(2018, 11, 5)
    plan = escalation.plan_escalation(
        rec, office=demo.office, cut=deadlines.state_cutoffs(demo.office, later)
    )
    superior = letters_services.draft_escalation_letter(plan, user=inspector, today=later)

    doc, _files = compose.letter_document(superior, evidence_root=None)

    assert superior.recipient_line_list[0] == "Menteri Dalam Negeri"
    assert f"Nomor {issued.number} tanggal 31 Juli 2018" in superior.opening
    assert f"surat pengingat kami Nomor {reminder.number} tanggal 1 Oktober 2018" in superior.opening
    assert doc.earlier_letters == [
        f"Surat Nomor {issued.number} tanggal 31 Juli 2018 hal {issued.hal}",
        f"Surat Nomor {reminder.number} tanggal 1 Oktober 2018 hal {reminder.hal}",
    ]
    assert doc.lampiran == "2 (dua) berkas"
    text = pages(render_letter_pdf(doc))
    assert "DAFTAR SURAT TERDAHULU" in text[-1] and reminder.number in text[-1]
    assert "Lampiran : 2 (dua) berkas" in text[0]


def test_snapshots_keep_the_new_parts_and_read_old_ones(demo, letters):
    doc, _files = compose.letter_document(
        letters.kota, evidence_root=None, number="1/X/2018", day=ISSUED, verify_url=VERIFY_URL, short_code="A"
    )
    snapshot = compose.document_to_snapshot(doc)
    assert compose.document_from_snapshot(snapshot) == doc

    old = compose.document_to_snapshot(doc)
    for section in old["document"]["sections"]:
        for key in ("inspection_number", "group", "label"):
            section.pop(key)
    for key in ("overdue_rows", "reply_request", "earlier_letters"):
        old["document"].pop(key)
    restored = compose.document_from_snapshot(old)
    assert [s.number for s in restored.sections] == [s.number for s in doc.sections]
    assert restored.sections[0].label == "Saran"


def _line_tops(pdf: bytes, page_index: int) -> list[tuple[float, str]]:
    """The top (points from the page's bottom) and text of each text line on a page, top to bottom."""
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(pdf)[page_index]
    textpage = page.get_textpage()
    lines: dict[float, str] = {}
    for i in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(i)
        key = round(bottom, 0)
        lines[key] = lines.get(key, "") + textpage.get_text_bounded(left, bottom, right, top)
    return sorted(((top, text) for top, text in lines.items()), reverse=True)


def test_the_closing_words_are_spaced_as_a_paragraph_of_their_own(demo, letters):
    """QA of issue 13: "Demikian kami sampaikan…" followed the reply request with no space, as one
    paragraph with a line break; it is spaced like every other paragraph."""
    pdf = issued_copy(letters.kota)
    lines = _line_tops(pdf, 1)
    tops = [top for top, _ in lines]
    pitch = min(
        a - b for a, b in zip(tops, tops[1:], strict=False) if a - b > 5
    )  # one line within a paragraph
    demikian = next(i for i, (_, text) in enumerate(lines) if text.startswith("Demikian"))
    before = lines[demikian - 1][0] - lines[demikian][0]
    tanggapan = next(i for i, (_, text) in enumerate(lines) if text.startswith("Tanggapan"))
    between_paragraphs = lines[tanggapan - 1][0] - lines[tanggapan][0]
    assert before > pitch + 3, (before, pitch)
    assert abs(before - between_paragraphs) < 1, (before, between_paragraphs)
