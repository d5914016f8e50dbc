"""Issue readiness (issue 11, item 1): the letters setup checklist, the emblem upload, the DEMO mark.

In production configuration issuing is refused, with the list of what is missing, until the public address
is https and public, the number codes are no longer the seed's placeholders, the letterhead is complete, an
emblem is uploaded and the signatory is known. Outside production the letter issues with "DEMO" on it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re

import pypdfium2
import pytest
import zxingcpp
from letter_setup import make_ready, png_emblem
from letter_testing import flashes, pdf_text
from pypdf import PdfReader
from sqlalchemy import func, select

from ombudsman.errors import Conflict, Invalid
from ombudsman.extensions import db
from ombudsman.letters import emblem, issuing, readiness
from ombudsman.letters.models import Letter, LetterEmblem, LetterStatus
from ombudsman.letters.settings import for_office

PUBLIC = "https://pelacak.ombudsman.go.id"
SVG_EMBLEM = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
    b'width="40" height="40" viewBox="0 0 40 40" inkscape:version="1.3">'
    b"<metadata><rdf>editor data</rdf></metadata>"
    b'<circle cx="20" cy="20" r="18" fill="#b8860b" inkscape:label="lingkaran"/></svg>'
)


@pytest.fixture
def production(app, monkeypatch):
    """The app judged as production (only the readiness rule reads this) with a public https address."""
    monkeypatch.setitem(app.config, "ENVIRONMENT", "production")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", PUBLIC)
    return app


# --- the checklist ------------------------------------------------------------------------------------------


def test_the_seeded_demo_office_lacks_emblem_codes_and_contacts(app, demo):
    items = {item.key: item for item in readiness.checklist(demo.office, "http://127.0.0.1:5000")}
    assert {key for key, item in items.items() if not item.ok} == {
        "public_address",
        "number_codes",
        "letterhead",
        "emblem",
    }
    assert items["signatory"].ok
    codes = " ".join(str(m) for m in items["number_codes"].missing)
    assert "ORI" in codes and "PW-NTT" in codes
    letterhead = " ".join(str(m) for m in items["letterhead"].missing)
    assert "telepon" in letterhead and "pos-el" in letterhead and "laman" in letterhead
    assert "alamat" not in letterhead  # the seed has the office's address


@pytest.mark.parametrize(
    "url",
    ["http://pelacak.ombudsman.go.id", "https://127.0.0.1:5000", "https://localhost", "https://10.0.0.5", ""],
)
def test_the_public_address_must_be_public_https(app, demo, url):
    make_ready(demo)
    gaps = readiness.missing(readiness.checklist(demo.office, url))
    assert len(gaps) == 1 and "OMBUDSMAN_PUBLIC_BASE_URL" in str(gaps[0])
    assert readiness.missing(readiness.checklist(demo.office, PUBLIC)) == []


# --- refusing to issue in production ------------------------------------------------------------------------


def test_production_refuses_to_issue_listing_what_is_missing_on_the_page(
    production, monkeypatch, demo, letters, workflow
):
    monkeypatch.setitem(production.config, "PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    workflow.approve(letters.kota.id)
    response = workflow.head.post(f"/letters/{letters.kota.id}/issue")
    assert response.status_code == 303
    page = workflow.head.get(f"/letters/{letters.kota.id}").get_data(as_text=True)
    assert ("error", "Surat belum dapat diterbitkan; lengkapi dulu pengaturan surat.") in flashes(page)
    box = page[page.index('id="letter-setup-gaps"') :]
    box = box[: box.index("</div>")]
    for expected in ("127.0.0.1:5000", "ORI", "PW-NTT", "Lambang untuk kop surat belum diunggah", "telepon"):
        assert expected in box, expected
    assert "/settings/letters/readiness" in box
    letter = db.session.get(Letter, letters.kota.id)
    assert letter.status is LetterStatus.APPROVED and letter.number is None and letter.pdf_sha256 is None


def test_production_refuses_seed_codes_and_a_missing_emblem_each(production, demo, letters, workflow):
    make_ready(demo)
    settings = for_office(demo.office)
    settings.unit_code = "PW-NTT"
    db.session.flush()
    workflow.approve(letters.kota.id)
    letter = db.session.get(Letter, letters.kota.id)
    with pytest.raises(Conflict) as refused:
        issuing.issue(
            letter,
            demo.users["head"],
            today=letter.inspection.visited_on,
            base_url=PUBLIC,
            evidence_root=None,
            require_ready=True,
        )
    assert [str(m) for m in refused.value.fields[readiness.READINESS_FIELD]] == [
        "Kode unit pengolah masih contoh dari data demo (PW-NTT); isi kode resmi kantor."
    ]
    settings.unit_code, settings.emblem_id = "PW24", None
    db.session.flush()
    with pytest.raises(Conflict) as refused:
        issuing.issue(
            letter,
            demo.users["head"],
            today=letter.inspection.visited_on,
            base_url=PUBLIC,
            evidence_root=None,
            require_ready=True,
        )
    assert [str(m) for m in refused.value.fields["readiness"]] == ["Lambang untuk kop surat belum diunggah."]


def test_a_ready_office_issues_in_production_with_emblem_and_a_qr_code_to_its_https_address(
    production, demo, letters, workflow
):
    make_ready(demo)
    db.session.commit()
    letter = workflow.issue(letters.kota.id)
    assert re.fullmatch(r"\d+/HM\.02\.01/PW24/[IVX]+/\d{4}", letter.number)
    url = f"{PUBLIC}/verify/{letter.verify_token}"
    document = pypdfium2.PdfDocument(letter.pdf)
    try:
        page = document[0]
        image = page.render(scale=200 / 72).to_pil()
        images = [obj for obj in page.get_objects() if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]
    finally:
        document.close()
    assert [barcode.text for barcode in zxingcpp.read_barcodes(image)] == [url]
    assert images, "the emblem is drawn in the kop"
    text = pdf_text(letter.pdf)
    assert "DEMO" not in text and url in text
    assert letter.snapshot["document"]["demo"] is False
    logo = letter.snapshot["document"]["office"]["logo"]
    assert logo.startswith("data:image/png;base64,")
    stored = db.session.scalar(select(LetterEmblem))
    assert base64.b64decode(logo.split(",", 1)[1]) == stored.data


def test_the_api_refuses_to_issue_in_production_with_the_list(production, demo, letters, workflow):
    from tests.api.conftest import ApiClient, issue

    workflow.approve(letters.kota.id)
    head = ApiClient(production.test_client(), issue(demo.users["head"]))
    response = head.post(f"/api/v1/letters/{letters.kota.id}/issue")
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"].startswith("Surat belum dapat diterbitkan")
    missing = body["fields"]["readiness"]
    assert any("ORI" in m for m in missing) and any("Lambang" in m for m in missing)
    assert db.session.get(Letter, letters.kota.id).number is None


# --- the demo mark ------------------------------------------------------------------------------------------


def test_development_issues_an_incomplete_setup_with_a_demo_mark_and_says_why(app, demo, letters, workflow):
    assert not readiness.required(app.config)
    letter = workflow.issue(letters.kota.id)
    reader = PdfReader(io.BytesIO(letter.pdf))
    assert all("DEMO" in page.extract_text() for page in reader.pages)
    page = workflow.inspector.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert 'id="letter-demo-note"' in page


def test_a_complete_setup_issues_without_the_demo_mark_in_development(
    app, monkeypatch, demo, letters, workflow
):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", PUBLIC)
    make_ready(demo)
    db.session.commit()
    letter = workflow.issue(letters.kota.id)
    assert "DEMO" not in pdf_text(letter.pdf)
    page = workflow.inspector.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert 'id="letter-demo-note"' not in page


# --- the emblem ---------------------------------------------------------------------------------------------


def test_the_admin_uploads_an_emblem_checked_by_content_and_stored_with_its_hash(app, demo, login):
    admin = login("admin@demo.test")
    page = admin.get("/settings/letters/readiness")
    assert page.status_code == 200 and 'data-ok="no"' in page.get_data(as_text=True)
    data = png_emblem()
    response = admin.post(
        "/settings/letters/emblem",
        data={"emblem": (io.BytesIO(data), "lambang.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    stored = for_office(demo.office).emblem
    assert stored.media_type == "image/png" and stored.data == data
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    page = admin.get("/settings/letters/readiness").get_data(as_text=True)
    assert stored.sha256 in page and 'id="readiness-emblem" data-ok="yes"' in page


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("lambang.png", b"GIF89a" + b"\0" * 40, "PNG atau SVG"),
        ("lambang.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "rusak"),
        ("lambang.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "skrip"),
        ("lambang.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "skrip"),
        (
            "lambang.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            b'<use xlink:href="https://example.com/a.svg#x"/></svg>',
            "rujukan",
        ),
        (
            "lambang.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,AAAA"/></svg>',
            "gambar tertanam",
        ),
        (
            "lambang.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(http://x.test/p)"/></svg>',
            "rujukan",
        ),
        (
            "lambang.svg",
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>',
            "DTD",
        ),
        ("lambang.svg", b"<svg><rect/></svg>", "PNG atau SVG"),  # no SVG namespace: not an SVG image
        ("lambang.png", png_emblem(64), "KB"),  # over the (lowered) size limit
    ],
)
def test_bad_emblems_are_refused_with_a_message_and_nothing_stored(
    app, monkeypatch, demo, login, name, data, expected
):
    # A small limit keeps the oversized upload in memory (the test client spools large bodies to disk).
    monkeypatch.setattr(emblem, "MAX_EMBLEM_BYTES", 200)
    admin = login("admin@demo.test")
    response = admin.post(
        "/settings/letters/emblem",
        data={"emblem": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors = " ".join(re.findall(r'class="error"[^>]*>([^<]*)<', page))
    assert expected in errors, errors
    assert db.session.scalar(select(func.count(LetterEmblem.id))) == 0
    assert for_office(demo.office).emblem_id is None


def test_an_svg_emblem_is_stored_without_editor_metadata_and_prints_in_the_kop(app, demo, letters, workflow):
    checked = emblem.check_upload(SVG_EMBLEM)
    assert checked.media_type == "image/svg+xml"
    assert b"inkscape" not in checked.data and b"metadata" not in checked.data and b"<circle" in checked.data
    settings = for_office(demo.office)
    emblem.upload(demo.office, demo.users["admin"], settings, SVG_EMBLEM)
    db.session.commit()
    letter = workflow.issue(letters.kota.id)
    logo = letter.snapshot["document"]["office"]["logo"]
    assert logo.startswith("data:image/svg+xml;base64,")
    document = pypdfium2.PdfDocument(letter.pdf)
    try:
        # The disc is drawn as vector paths near the top left of page 1 (the kop).
        image = document[0].render(scale=1).to_pil().convert("RGB")
    finally:
        document.close()
    width, height = image.size
    gold = [
        (x, y)
        for x in range(0, width // 2)
        for y in range(0, height // 4)
        if image.getpixel((x, y)) == (184, 134, 11)
    ]
    assert gold, "the SVG emblem is drawn in the kop"


def test_only_the_admin_uploads_and_the_head_may_read_the_checklist(app, demo, login):
    head = login("head@demo.test")
    assert head.get("/settings/letters/readiness").status_code == 200
    response = head.post(
        "/settings/letters/emblem",
        data={"emblem": (io.BytesIO(png_emblem()), "x.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert login("inspector@demo.test").get("/settings/letters/readiness").status_code == 403
    admin = login("admin@demo.test")
    no_csrf = admin.client.post(
        "/settings/letters/emblem",
        data={"emblem": (io.BytesIO(png_emblem()), "x.png")},
        content_type="multipart/form-data",
    )
    assert no_csrf.status_code == 400
    assert db.session.scalar(select(func.count(LetterEmblem.id))) == 0


def test_the_service_refuses_what_the_form_refuses(app, demo):
    with pytest.raises(Invalid) as refused:
        emblem.upload(demo.office, demo.users["admin"], for_office(demo.office), b"not an image")
    assert refused.value.field == "emblem"
