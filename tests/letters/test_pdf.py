"""The PDF layer of letters, checked by reading the rendered PDF back as a recipient's software would."""

from __future__ import annotations

import io
import logging
import re
import socket
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PageObject, PdfReader
from pypdf.generic import ContentStream

from ombudsman.letters.document import AnnexRow, LetterDocument, LetterSection, OfficeHeader
from ombudsman.letters.render import STATIC_DIR, letter_settings_css, render_letter_html, render_letter_pdf
from ombudsman.pdf import (
    FONTS,
    FONTS_DIR,
    RefusedURLError,
    ResourcePolicy,
    font_family_name,
    format_date_id,
    make_url_fetcher,
    qr_svg_data_uri,
    render_pdf,
)

VERIFY_URL = "https://persuratan.ombudsman.example/v/K7Q2-9XPA"
DEADLINE = (
    "Tindak lanjut atas saran tersebut kami harapkan disampaikan kepada Ombudsman paling lambat "
    "30 (tiga puluh) hari kerja sejak surat ini diterima."
)
SIGNATORY_TITLE = "KEPALA PERWAKILAN OMBUDSMAN REPUBLIK INDONESIA PROVINSI NUSA TENGGARA TIMUR"
TEMBUSAN = (
    "Ketua Ombudsman Republik Indonesia di Jakarta",
    "Gubernur Nusa Tenggara Timur di Kupang",
    "Kepala Dinas Kependudukan dan Pencatatan Sipil Kota Kupang",
)
MM_PER_PT = 25.4 / 72


def kupang_sections() -> list[LetterSection]:
    """The findings of the 30 July 2018 sidak that are the city's to fix, with the office's suggestions."""
    city = "Pemerintah Kota Kupang (Dinas Kependudukan dan Pencatatan Sipil)"
    rows = [
        (
            1,
            "Jumlah loket pelayanan tidak memadai",
            (
                "Sekitar 300 pengunjung datang setiap hari, sedangkan loket yang dibuka sangat terbatas.\n"
                "Suasana di depan loket menyerupai pasar."
            ),
            ["Menambah jumlah loket pelayanan e-KTP sesuai dengan jumlah pengunjung harian."],
        ),
        (
            2,
            "Belum tersedia sistem nomor antrean",
            "Pemohon berdesakan di depan loket tanpa nomor antrean.",
            ["Menerapkan sistem nomor antrean yang tertib dan terbuka bagi seluruh pemohon."],
        ),
        (
            3,
            "Kursi ruang tunggu tidak mencukupi",
            "Kursi yang tersedia jauh lebih sedikit daripada jumlah pengunjung harian.",
            ["Menyediakan kursi ruang tunggu yang memadai sesuai Pasal 15 huruf d UU Nomor 25 Tahun 2009."],
        ),
        (
            4,
            "Jumlah petugas ASN pada loket e-KTP kurang",
            "Petugas yang melayani perekaman dan pencetakan tidak sebanding dengan jumlah pemohon.",
            ["Menambah petugas ASN yang kompeten pada loket pelayanan e-KTP."],
        ),
        (
            5,
            "Tidak ada pengumuman e-KTP yang telah selesai dicetak",
            "Pemohon tidak mengetahui kapan e-KTP miliknya selesai dicetak dan dapat diambil.",
            [
                "Mengumumkan secara terbuka daftar e-KTP yang telah selesai dicetak.",
                (
                    "Memberikan informasi yang memadai mengenai waktu pengambilan produk layanan "
                    "(KTP, KK, dan lainnya)."
                ),
            ],
        ),
        (
            6,
            "e-KTP dititipkan kepada anggota DPRD Kota Kupang",
            (
                "e-KTP yang telah dicetak diserahkan kepada anggota DPRD menurut daerah pemilihan "
                "untuk dibagikan."
            ),
            ["Mematuhi SOP pengambilan e-KTP: kartu hanya diserahkan kepada pemiliknya."],
        ),
        (
            7,
            "Tidak tersedia nomor telepon pengaduan",
            "Di loket tidak tersedia nomor telepon atau call centre untuk menyampaikan pengaduan.",
            ["Menyediakan saluran pengaduan dengan petugas pengelola yang ditunjuk (Pasal 36 UU 25/2009)."],
        ),
        (
            10,
            "Penyegaran pimpinan Dinas",
            "Perbaikan pelayanan memerlukan penyegaran pimpinan Dinas Kependudukan dan Pencatatan Sipil.",
            ["Mengusulkan tiga calon pimpinan Dinas kepada Menteri Dalam Negeri untuk mendapat persetujuan."],
        ),
    ]
    return [
        LetterSection(
            number=number,
            title=title,
            description=description,
            authority=city,
            recommendations=recommendations,
            deadline=DEADLINE,
        )
        for number, title, description, recommendations in rows
    ]


def kupang_letter(**changes: object) -> LetterDocument:
    """The office's letter to the Wali Kota Kupang after the e-KTP sidak, as issued."""
    doc = LetterDocument(
        office=OfficeHeader(
            name_lines=("OMBUDSMAN REPUBLIK INDONESIA", "PERWAKILAN PROVINSI NUSA TENGGARA TIMUR"),
            address="Jalan Veteran, Kelapa Lima, Kota Kupang, Nusa Tenggara Timur",
            website="www.ombudsman.go.id",
            place="Kupang",
        ),
        number="0123/ORI-NTT/VII/2018",
        date=date(2018, 7, 31),
        sifat="Penting",
        lampiran="1 (satu) berkas",
        hal=(
            "Hasil Inspeksi Mendadak Pelayanan e-KTP pada Dinas Kependudukan dan Pencatatan Sipil Kota Kupang"
        ),
        recipient_lines=("Wali Kota Kupang", "di Kupang"),
        opening=(
            "Sehubungan dengan inspeksi mendadak yang dilakukan Ombudsman Republik Indonesia Perwakilan "
            "Provinsi Nusa Tenggara Timur pada hari Senin, 30 Juli 2018, terhadap pelayanan KTP elektronik "
            "pada Dinas Kependudukan dan Pencatatan Sipil Kota Kupang, bersama ini kami sampaikan temuan "
            "dan saran perbaikan sebagai berikut:"
        ),
        sections=kupang_sections(),
        closing=(
            "Demikian kami sampaikan. Atas perhatian dan kerja sama Saudara, kami ucapkan terima kasih."
        ),
        signatory_title=SIGNATORY_TITLE,
        signatory_name="Darius Beda Daton",
        tembusan=TEMBUSAN,
        qr_data_uri=qr_svg_data_uri(VERIFY_URL),
        verify_url=VERIFY_URL,
        short_code="K7Q2-9XPA",
    )
    return replace(doc, **changes)


def flat(text: str) -> str:
    """Collapse the line breaks and spacing that layout adds, so phrases can be searched."""
    return " ".join(text.split())


def pdf_text(pdf: bytes) -> str:
    """The whole document's text, flattened."""
    return flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def embedded_fonts(reader: PdfReader) -> dict[str, bytes | None]:
    """Map every font used on any page (also inside form XObjects) to its embedded TrueType program."""
    fonts: dict[str, bytes | None] = {}

    def walk(resources: object) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described.get("/FontDescriptor")
            program = descriptor.get_object().get("/FontFile2") if descriptor else None
            fonts[str(font.get("/BaseFont"))] = program.get_object().get_data() if program else None
        for xobject in (resources.get("/XObject") or {}).values():
            walk(xobject.get_object().get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return fonts


def image_count(page: PageObject) -> int:
    """How many raster images a page draws (WeasyPrint shares one resource dictionary between pages)."""

    def count(content: object, resources: object) -> int:
        xobjects = resources.get_object().get("/XObject") or {}
        total = 0
        for operands, operator in ContentStream(content, page.pdf).operations:
            if operator != b"Do":
                continue
            xobject = xobjects[operands[0]].get_object()
            if xobject["/Subtype"] == "/Image":
                total += 1
            else:  # a form: look inside it
                total += count(xobject, xobject.get("/Resources") or resources)
        return total

    return count(page.get_contents(), page["/Resources"])


@pytest.fixture(scope="module")
def render_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Evidence thumbnails and the office logo, as the letters feature would hand them over."""
    folder = tmp_path_factory.mktemp("files")
    files = {}
    for key, colour in (
        ("evidence:11", (200, 60, 60)),
        ("evidence:12", (60, 120, 200)),
        ("office:logo", (0, 0, 0)),
    ):
        path = folder / f"{key.replace(':', '-')}.png"
        Image.new("RGB", (160, 120), colour).save(path)
        files[key] = path
    return files


@pytest.fixture(scope="module")
def letter_pdf() -> bytes:
    """The issued Kupang letter, rendered once for the read-back tests."""
    return render_letter_pdf(kupang_letter())


@pytest.fixture(scope="module")
def archived_pdf(render_files: dict[str, Path]) -> bytes:
    """The same letter with its annex and the office logo, as the frozen PDF/A copy."""
    doc = kupang_letter(
        office=replace(kupang_letter().office, logo="office:logo"),
        annex=True,
        annex_rows=[
            AnnexRow(
                finding_number=1,
                title="Jumlah loket pelayanan tidak memadai",
                authority="Pemerintah Kota Kupang",
                photos=["evidence:11", "evidence:12"],
            ),
            AnnexRow(
                finding_number=2,
                title="Belum tersedia sistem nomor antrean",
                authority="Pemerintah Kota Kupang",
            ),
        ],
    )
    return render_letter_pdf(doc, allowed_files=render_files, archive=True)


# ---- What the recipient reads ----


def test_letter_text_has_every_part_in_order(letter_pdf: bytes) -> None:
    text = pdf_text(letter_pdf)
    doc = kupang_letter()
    assert "Nomor : 0123/ORI-NTT/VII/2018" in text
    assert "Kupang, 31 Juli 2018" in text
    assert "Yth. Wali Kota Kupang" in text
    assert "di Kupang" in text
    assert flat(doc.hal) in text
    for section in doc.sections:
        for recommendation in section.recommendations:
            assert flat(recommendation) in text
    assert f"{SIGNATORY_TITLE}," in text
    assert "DARIUS BEDA DATON" in text  # printed in capitals whatever the record holds
    positions = [text.index(copy) for copy in TEMBUSAN]
    assert text.index("Tembusan:") < positions[0] < positions[1] < positions[2]
    # The parts come in the order of tata naskah dinas.
    order = [
        "OMBUDSMAN REPUBLIK INDONESIA",
        "Nomor",
        "Hal",
        "Yth.",
        "Sehubungan",
        "Demikian",
        "DARIUS",
        "Tembusan",
    ]
    assert [text.index(part) for part in order] == sorted(text.index(part) for part in order)


def test_line_breaks_in_user_text_are_kept(letter_pdf: bytes) -> None:
    first_page = PdfReader(io.BytesIO(letter_pdf)).pages[0].extract_text()
    assert re.search(r"sangat terbatas\.\s*\n\s*Suasana di depan loket", first_page)


def test_page_numbers_start_on_page_two(letter_pdf: bytes) -> None:
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(letter_pdf)).pages]
    assert len(pages) >= 2
    assert "- 1 -" not in pages[0]
    for number, text in enumerate(pages[1:], start=2):
        assert f"- {number} -" in text


def test_a4_is_the_default_paper(letter_pdf: bytes) -> None:
    box = PdfReader(io.BytesIO(letter_pdf)).pages[0].mediabox
    assert float(box.width) * MM_PER_PT == pytest.approx(210, abs=0.2)
    assert float(box.height) * MM_PER_PT == pytest.approx(297, abs=0.2)


def test_f4_paper_is_215_by_330_mm() -> None:
    reader = PdfReader(io.BytesIO(render_letter_pdf(kupang_letter(paper="F4"))))
    for page in reader.pages:
        assert float(page.mediabox.width) * MM_PER_PT == pytest.approx(215, abs=0.2)
        assert float(page.mediabox.height) * MM_PER_PT == pytest.approx(330, abs=0.2)


def test_metadata_title_author_and_language(letter_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(letter_pdf))
    assert reader.metadata.title == f"Surat 0123/ORI-NTT/VII/2018: {kupang_letter().hal}"
    assert reader.metadata.author == "OMBUDSMAN REPUBLIK INDONESIA PERWAKILAN PROVINSI NUSA TENGGARA TIMUR"
    assert reader.trailer["/Root"]["/Lang"] == "id"


def test_qr_code_scans_to_the_verification_url(letter_pdf: bytes) -> None:
    document = pypdfium2.PdfDocument(letter_pdf)
    try:
        image = document[0].render(scale=200 / 72).to_pil()
    finally:
        document.close()
    assert [barcode.text for barcode in zxingcpp.read_barcodes(image)] == [VERIFY_URL]
    text = flat(PdfReader(io.BytesIO(letter_pdf)).pages[0].extract_text())
    assert VERIFY_URL in text
    assert "K7Q2-9XPA" in text


def test_draft_has_placeholder_number_and_watermark() -> None:
    pdf = render_letter_pdf(
        kupang_letter(draft=True, number=None, date=None, qr_data_uri=None, verify_url=None)
    )
    reader = PdfReader(io.BytesIO(pdf))
    first = flat(reader.pages[0].extract_text())
    assert "Nomor : ........ (draf)" in first
    assert "Kupang, ........" in first
    assert all("DRAF" in page.extract_text() for page in reader.pages)
    assert reader.metadata.title.startswith("Draf surat: ")


def test_annex_starts_a_new_page_with_thumbnails(archived_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(archived_pdf))
    annex_pages = [i for i, page in enumerate(reader.pages) if "DAFTAR TEMUAN" in page.extract_text()]
    assert len(annex_pages) == 1
    annex = reader.pages[annex_pages[0]]
    assert "Tembusan" not in annex.extract_text()
    assert "Tembusan" in reader.pages[annex_pages[0] - 1].extract_text()
    assert image_count(annex) == 2


def test_office_logo_is_printed_in_the_letterhead(archived_pdf: bytes) -> None:
    assert image_count(PdfReader(io.BytesIO(archived_pdf)).pages[0]) == 1  # the logo; the QR code is vector


# ---- Fonts ----


@pytest.mark.parametrize("font_key", sorted(FONTS))
def test_only_the_vendored_font_is_used_and_embedded(font_key: str) -> None:
    family = FONTS[font_key].family
    reader = PdfReader(io.BytesIO(render_letter_pdf(kupang_letter(font=font_key, draft=True))))
    fonts = embedded_fonts(reader)
    assert len(fonts) >= 2  # regular and bold at least
    for base_font, program in fonts.items():
        # Subset fonts are named "ABCDEF+<CSS family>-<style>"; a host font would carry its own name.
        assert base_font.split("+", 1)[1].startswith(font_family_name(font_key)), base_font
        assert program is not None, f"{base_font} is not embedded"
        # The embedded program itself is the vendored family.
        assert TTFont(io.BytesIO(program))["name"].getBestFamilyName() == family


@pytest.mark.parametrize("font_key", sorted(FONTS))
def test_vendored_font_files_are_the_declared_family_and_travel_with_their_licence(font_key: str) -> None:
    letter_font = FONTS[font_key]
    assert {f.style for f in letter_font.files} == {"normal", "italic"}
    for font_file in letter_font.files:
        assert font_file.path.is_relative_to(FONTS_DIR)
        with TTFont(font_file.path) as font:
            assert font["name"].getBestFamilyName() == letter_font.family
            # Variable fonts (weight None) must carry a weight axis, or bold would be faked.
            if font_file.weight is None:
                assert "wght" in {axis.axisTag for axis in font["fvar"].axes}
            italic = bool(font["OS/2"].fsSelection & 1)
            assert italic == (font_file.style == "italic"), font_file
        licence = (font_file.path.parent / "OFL.txt").read_text(encoding="utf-8")
        assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert letter_font.family in (FONTS_DIR / "README.md").read_text(encoding="utf-8")


# ---- Archiving ----


def test_archive_copy_declares_pdf_a(archived_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(archived_pdf))
    root = reader.trailer["/Root"]
    xmp = ET.fromstring(
        re.search(rb"<x:xmpmeta.*</x:xmpmeta>", root["/Metadata"].get_object().get_data(), re.DOTALL)[0]
    )
    pdfaid = "{http://www.aiim.org/pdfa/ns/id/}"
    declared = {
        key: value
        for description in xmp.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description")
        for key, value in description.attrib.items()
        if key.startswith(pdfaid)
    }
    assert declared == {f"{pdfaid}part": "3", f"{pdfaid}conformance": "U"}
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert "Kupang, 31 Juli 2018" in pdf_text(archived_pdf)
    # PDF/A forbids images that ask the viewer to interpolate.
    for page in reader.pages:
        for xobject in (page["/Resources"].get("/XObject") or {}).values():
            assert xobject.get_object().get("/Interpolate") is not True


def test_render_pdf_accepts_weasyprint_variant_names(tmp_path: Path) -> None:
    html = '<html lang="id"><head><title>Uji</title></head><body><p>Uji</p></body></html>'
    reader = PdfReader(io.BytesIO(render_pdf(html, static_dir=tmp_path, pdf_variant="pdf/a-3b")))
    assert b'pdfaid:conformance="B"' in reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    with pytest.raises(ValueError, match="unknown PDF variant"):
        render_pdf(html, static_dir=tmp_path, pdf_variant="pdf/a-9z")


def test_render_pdf_metadata_overrides(tmp_path: Path) -> None:
    html = '<html lang="en"><head><title>Old</title></head><body><p>Isi</p></body></html>'
    pdf = render_pdf(html, static_dir=tmp_path, title="Baru", author="Ombudsman RI", lang="id")
    reader = PdfReader(io.BytesIO(pdf))
    assert (reader.metadata.title, reader.metadata.author) == ("Baru", "Ombudsman RI")
    assert reader.trailer["/Root"]["/Lang"] == "id"


# ---- Security: user text stays text, and nothing outside the allowed set is read ----

HOSTILE_TEXT = (
    '<script>alert("x")</script> '
    '<img src="file:///etc/passwd"> '
    '<img src="http://127.0.0.1:9/x.png"> '
    '<link rel="stylesheet" href="http://127.0.0.1:9/evil.css">'
)


def test_user_text_is_printed_literally_and_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    original_open = ResourcePolicy.open

    def recording_open(self: ResourcePolicy, url: str) -> object:
        asked.append(url)
        return original_open(self, url)

    monkeypatch.setattr(ResourcePolicy, "open", recording_open)
    section = replace(kupang_sections()[0], description=HOSTILE_TEXT, recommendations=[HOSTILE_TEXT])
    doc = kupang_letter(opening=HOSTILE_TEXT, sections=[section])

    html = render_letter_html(doc)
    assert "<script>" not in html and '<img src="file:///etc/passwd">' not in html
    # Without spaces: a long token may wrap at a slash, which the text extraction reads as a space.
    text = "".join(pdf_text(render_letter_pdf(doc)).split())

    for needle in (
        '<script>alert("x")</script>',
        '<img src="file:///etc/passwd">',
        '<link rel="stylesheet" href="http://127.0.0.1:9/evil.css">',
    ):
        assert text.count("".join(needle.split())) == 3
    assert asked, "the fetcher should have been asked for the stylesheet and the fonts"
    assert all(url.startswith(("file:", "font:", "data:")) for url in asked), asked
    assert not [url for url in asked if "passwd" in url or "127.0.0.1" in url]


def test_refused_resources_in_raw_html_are_skipped_without_any_request(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        html = (
            f'<html><head><link rel="stylesheet" href="http://127.0.0.1:{port}/evil.css"></head><body>'
            f'<p>Isi surat</p><img src="http://127.0.0.1:{port}/x.png"><img src="file:///etc/passwd">'
            f'<img src="../outside.png"></body></html>'
        )
        with caplog.at_level(logging.WARNING):
            pdf = render_pdf(html, static_dir=tmp_path)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    assert "Isi surat" in pdf_text(pdf)
    refused = [r.getMessage() for r in caplog.records if r.name == "ombudsman.pdf"]
    assert len(refused) == 4, refused


def test_clean_letter_renders_without_weasyprint_complaints(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        render_letter_pdf(kupang_letter(paper="F4"))
    complaints = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING
        # Advice about the host's HarfBuzz build, not about the letter; the CI image installs HarfBuzz-Subset.
        and "HarfBuzz-Subset" not in r.getMessage()
    ]
    assert complaints == []


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    """A static folder with one stylesheet, an inner symlink and a symlink pointing out of it."""
    static = tmp_path / "static"
    (static / "letters").mkdir(parents=True)
    (static / "letters" / "letter.css").write_text("p { color: black }")
    (tmp_path / "secret.txt").write_text("rahasia")
    (static / "inner.css").symlink_to(static / "letters" / "letter.css")
    (static / "escape.txt").symlink_to(tmp_path / "secret.txt")
    return static


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://example.com/etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.com/x.png",
        "ftp://example.com/x.png",
        "evidence:99",
        "javascript:alert(1)",
    ],
)
def test_fetcher_refuses_anything_not_allowed(static_dir: Path, url: str) -> None:
    fetcher = make_url_fetcher(
        static_dir, allowed_files={"evidence:12": static_dir / "letters" / "letter.css"}
    )
    with pytest.raises(RefusedURLError):
        fetcher(url)


def test_fetcher_refuses_escapes_from_the_static_folder(static_dir: Path) -> None:
    fetcher = make_url_fetcher(static_dir)
    base = static_dir.resolve().as_uri()
    escapes = (
        f"{base}/../secret.txt",
        f"{base}/letters/../../secret.txt",
        f"{base}/%2e%2e/secret.txt",
        f"{base}/escape.txt",
        f"{base}/letters/letter.css%00",
        f"{base}/letters",
    )
    for url in escapes:
        with pytest.raises(RefusedURLError):
            fetcher(url)


def test_fetcher_serves_static_files_allowed_files_and_data_uris(static_dir: Path, tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    Image.new("RGB", (4, 4)).save(photo)
    fetcher = make_url_fetcher(static_dir, allowed_files={"evidence:12": photo})
    base = static_dir.resolve().as_uri()

    stylesheet = fetcher(f"{base}/letters/letter.css")
    assert (stylesheet.read(), stylesheet.content_type) == (b"p { color: black }", "text/css")
    assert fetcher(f"{base}/inner.css").read() == b"p { color: black }"  # a symlink that stays inside
    assert fetcher("evidence:12").content_type == "image/png"
    qr = fetcher(qr_svg_data_uri(VERIFY_URL))
    assert qr.content_type == "image/svg+xml"
    assert qr.read().startswith(b"<svg")
    assert fetcher("data:text/plain;base64,SGFsbw==").read() == b"Halo"


@pytest.mark.parametrize(
    "key", ["photo", "http://example.com/x.png", "file:x", "data:x", "e:1", "evidence:a b"]
)
def test_allowed_file_keys_cannot_be_confused_with_other_urls(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="allowed file key"):
        ResourcePolicy(tmp_path, {key: tmp_path / "x.png"})


def test_letter_files_must_not_shadow_the_font_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="clash"):
        render_letter_pdf(kupang_letter(), allowed_files={"font:arimo/normal": tmp_path / "x.ttf"})


# ---- Plain data and helpers ----


def test_issued_letter_needs_number_and_date() -> None:
    with pytest.raises(ValueError, match="number and a date"):
        kupang_letter(number=None)
    assert kupang_letter(number=None, draft=True).number is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"paper": "Letter"}, "paper"),
        ({"font": "comic"}, "font"),
        ({"font_size_pt": 30}, "font size"),
        ({"annex": True}, "annex"),
        ({"verify_url": None}, "verify_url"),
        ({"qr_data_uri": "https://example.com/qr.png"}, "data:image/"),
    ],
)
def test_letter_settings_are_validated(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        kupang_letter(**change)


def test_settings_css_reaches_the_html_unescaped() -> None:
    doc = kupang_letter(paper="F4", font="noto-serif", font_size_pt=11)
    assert letter_settings_css(doc) in render_letter_html(doc)
    assert "size: 215mm 330mm" in letter_settings_css(doc)


def test_default_static_dir_holds_the_letter_stylesheet() -> None:
    assert (STATIC_DIR / "letters" / "letter.css").is_file()


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2018, 7, 31), "31 Juli 2018"),
        (date(2018, 9, 1), "1 September 2018"),
        (date(2024, 2, 29), "29 Februari 2024"),
    ],
)
def test_format_date_id(day: date, expected: str) -> None:
    assert format_date_id(day) == expected


def test_qr_svg_data_uri_is_an_svg_image() -> None:
    assert qr_svg_data_uri(VERIFY_URL).startswith("data:image/svg+xml")
