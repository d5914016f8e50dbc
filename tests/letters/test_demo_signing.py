"""The demo signs electronically (issue 13, "done means"): a TEST certificate for the demo head, made at seed
time, passphrase "demo"; the letter to the Wali Kota opens in poppler's pdfsig with one valid signature."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from fontTools.ttLib import TTFont
from letter_testing import pdf_text
from pypdf import PdfReader
from test_pdf import embedded_fonts
from test_signing import pdfa_declaration

from ombudsman.extensions import db
from ombudsman.letters import demo_signing, signatures, signing
from ombudsman.letters.models import Letter
from ombudsman.letters.settings import for_office
from ombudsman.pdf import FONTS, font_family_name


def test_seeding_the_demo_with_electronic_signature_gives_the_head_a_test_certificate(app, database):
    from sqlalchemy import select

    from ombudsman.accounts.models import User
    from ombudsman.seed import seed_demo

    office = seed_demo(electronic_signature=True)
    head = db.session.scalar(select(User).where(User.email == "head@demo.test"))
    key = signing.active_key(head)
    assert for_office(office).electronic_signature
    assert key.subject == "TEST Darius Beda Daton" and key.issuer == demo_signing.TEST_CA_NAME
    roots = signing.trust_roots_of(for_office(office).trust_roots)
    assert [signing.common_name(r.subject) for r in roots] == [demo_signing.TEST_CA_NAME]
    unlocked = signing.unlock(head, demo_signing.DEMO_SIGNING_PASSPHRASE, secret_key=app.config["SECRET_KEY"])
    assert unlocked.issuer == demo_signing.TEST_CA_NAME
    # Seeding again changes nothing: the same key stays.
    seed_demo(electronic_signature=True)
    assert signing.active_key(head).id == key.id


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig) is not installed")
def test_the_demo_letter_to_the_wali_kota_has_one_valid_signature_in_pdfsig(
    app, demo, letters, workflow, tmp_path
):
    demo_signing.ensure_demo_signing(
        demo.office, demo.users["admin"], demo.users["head"], secret_key=app.config["SECRET_KEY"]
    )
    db.session.commit()
    workflow.approve(letters.kota.id)
    response = workflow.head.post(
        f"/letters/{letters.kota.id}/issue", {"signing_passphrase": demo_signing.DEMO_SIGNING_PASSPHRASE}
    )
    assert response.status_code == 303
    letter = db.session.get(Letter, letters.kota.id)
    assert letter.status.value == "issued" and letter.signed

    path = tmp_path / "wali-kota.pdf"
    path.write_bytes(letter.pdf)
    output = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=True).stdout
    assert output.count("Signature #") == 1, output
    assert "Signer Certificate Common Name: TEST Darius Beda Daton" in output
    assert "Signature Validation: Signature is Valid." in output
    assert "Total document signed" in output

    # The verification page shows signer, time and "intact".
    page = app.test_client().get(f"/verify/{letter.verify_token}").get_data(as_text=True)
    assert 'data-verdict="valid"' in page and "TEST Darius Beda Daton" in page and "UTUH" in page
    assert signatures.check(letter.pdf, signing.trust_roots_of(for_office(demo.office).trust_roots)).valid

    # Still PDF/A, still the vendored fonts only, text selectable, the statement names the TEST CA.
    assert pdfa_declaration(letter.pdf) == {"part": "3", "conformance": "U"}
    fonts = embedded_fonts(PdfReader(io.BytesIO(letter.pdf)))
    assert fonts
    for base_font, program in fonts.items():
        assert base_font.split("+", 1)[1].startswith(font_family_name("arimo")), base_font
        assert TTFont(io.BytesIO(program))["name"].getBestFamilyName() == FONTS["arimo"].family
    text = pdf_text(letter.pdf)
    assert f"yang diterbitkan oleh {demo_signing.TEST_CA_NAME}" in text
    assert "DARIUS BEDA DATON" in text
    # The demo letter to the Wali Kota still fits two A4 pages.
    assert len(PdfReader(io.BytesIO(letter.pdf)).pages) == 2
