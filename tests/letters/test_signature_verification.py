"""Verifying signed letters (issue 13): the public verification page, its upload check, the API and the CLI
report an intact letter as such, and each of three tamperings as what it is: a one-byte change, an
incremental update that adds a page, and a file signed by an unknown CA."""

from __future__ import annotations

import io
import json
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfWriter
from signing_testing import HEAD_NAME, PASSPHRASE

from ombudsman.extensions import db
from ombudsman.letters import signatures, signing
from ombudsman.letters.models import Letter


def one_byte_changed(pdf: bytes) -> bytes:
    """The PDF with one byte of its signed first revision changed (the producer's name in the metadata)."""
    at = pdf.index(b"WeasyPrint")
    return pdf[:at] + b"V" + pdf[at + 1 :]


def with_a_page_added(pdf: bytes) -> bytes:
    """The PDF with an incremental update after the signature that appends a blank page."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (0, 0, 595, 842)]
            ),
            generic.NameObject("/Resources"): generic.DictionaryObject(),
        }
    )
    writer.insert_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signed_by_unknown_ca(pki) -> bytes:
    """A one-page PDF signed with a certificate of a CA the office does not trust."""
    from pyhanko.sign.signers import SimpleSigner

    blank = PdfWriter()
    blank.add_blank_page(595, 842)
    out = io.BytesIO()
    blank.write(out)
    signer = SimpleSigner.load_pkcs12_data(pki.other_signer_p12, [], passphrase=PASSPHRASE.encode())
    unlocked = signing.UnlockedSignatory(signer=signer, issuer="Unknown TEST Root CA", subject="Penipu")
    return signing.sign_pdf(out.getvalue(), unlocked, reason="palsu", location="Kupang")


@pytest.fixture
def issued(app, letters, workflow, signing_office) -> Letter:
    """The Kupang letter, issued signed by the head through the web page."""
    workflow.approve(letters.kota.id)
    response = workflow.head.post(
        f"/letters/{letters.kota.id}/issue", {"signing_passphrase": signing_office.passphrase}
    )
    assert response.status_code == 303
    letter = db.session.get(Letter, letters.kota.id)
    assert letter.status.value == "issued" and letter.signed
    return letter


def test_the_verification_page_shows_signer_time_and_intact(app, issued):
    page = app.test_client().get(f"/verify/{issued.verify_token}").get_data(as_text=True)
    assert 'id="signature-stored"' in page
    assert 'data-verdict="valid"' in page
    assert "UTUH dan SAH" in page
    assert HEAD_NAME in page and "Ombudsman TEST Intermediate CA" in page
    assert "utuh: isi yang ditandatangani tidak berubah" in page
    assert "Waktu tanda tangan" in page


def test_tampering_is_reported_by_the_page_the_api_and_the_cli(app, demo, issued, pki, runner, tmp_path):
    from tests.api.conftest import ApiClient
    from tests.api.conftest import issue as api_token

    pdf = issued.pdf
    files = {
        "valid": (pdf, signatures.Verdict.VALID),
        "altered": (one_byte_changed(pdf), signatures.Verdict.ALTERED),
        "modified": (with_a_page_added(pdf), signatures.Verdict.MODIFIED),
        "untrusted": (signed_by_unknown_ca(pki), signatures.Verdict.UNTRUSTED),
    }
    token = issued.verify_token
    api = ApiClient(app.test_client(), api_token(demo.users["viewer"]))
    public = app.test_client()
    csrf = None
    for name, (data, verdict) in files.items():
        # The service.
        assert signatures.check(data, [pki.root.cert]).verdict is verdict, name

        # The public page's upload check (CSRF token read from the page first).
        page = public.get(f"/verify/{token}").get_data(as_text=True)
        csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = public.post(
            f"/verify/{token}",
            data={"csrf_token": csrf, "file": (io.BytesIO(data), f"{name}.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 200, name
        html = response.get_data(as_text=True)
        report_html = html.split('id="signature-upload"')[1]
        assert f'data-verdict="{verdict.value}"' in report_html, name
        assert ("COCOK" in html and "TIDAK COCOK" not in html) is (name == "valid"), name

        # The API.
        response = api.post(
            "/api/v1/letters/verify",
            data={"file": (io.BytesIO(data), f"{name}.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 200, (name, response.get_data(as_text=True))
        body = response.get_json()
        assert body["verdict"] == verdict.value and body["valid"] is (name == "valid"), name
        assert body["letter_number"] == (issued.number if name == "valid" else None), name
        if name != "untrusted":
            assert body["signatures"][0]["signer"] == HEAD_NAME

        # The CLI: exit status 0 only for the valid file.
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(data)
        result = runner.invoke(args=["letters", "verify", str(path), "--json"])
        assert result.exit_code == (0 if name == "valid" else 1), (name, result.output)
        assert json.loads(result.output)["verdict"] == verdict.value, name
        plain = runner.invoke(args=["letters", "verify", str(path)])
        assert str(signatures.MESSAGES[verdict]) in plain.output, name

    # What each verdict means is said in plain words.
    altered = signatures.check(files["altered"][0], [pki.root.cert])
    assert "DIUBAH" in str(altered.message) and not altered.signatures[0].intact
    modified = signatures.check(files["modified"][0], [pki.root.cert]).signatures[0]
    assert modified.intact and not modified.covers_whole_file
    untrusted = signatures.check(files["untrusted"][0], [pki.root.cert]).signatures[0]
    assert untrusted.intact and not untrusted.trusted and untrusted.issuer == "Unknown TEST Root CA"


def test_an_unsigned_or_unreadable_file_is_said_so(pki):
    blank = PdfWriter()
    blank.add_blank_page(595, 842)
    out = io.BytesIO()
    blank.write(out)
    assert signatures.check(out.getvalue(), [pki.root.cert]).verdict is signatures.Verdict.UNSIGNED
    assert signatures.check(b"not a pdf at all", [pki.root.cert]).verdict is signatures.Verdict.UNREADABLE


def test_a_signature_by_an_expired_certificate_is_reported_with_its_dates(pki):
    from datetime import UTC, datetime, timedelta

    from pyhanko.sign.signers import SimpleSigner
    from signing_testing import make_cert, p12

    now = datetime.now(UTC).replace(microsecond=0)
    expired = make_cert(
        "Kepala Lama",
        pki.intermediate,
        ca=False,
        not_before=now - timedelta(days=400),
        not_after=now - timedelta(days=2),
    )
    blank = PdfWriter()
    blank.add_blank_page(595, 842)
    out = io.BytesIO()
    blank.write(out)
    signer = SimpleSigner.load_pkcs12_data(
        p12(expired, [pki.intermediate, pki.root]), [], passphrase=PASSPHRASE.encode()
    )
    unlocked = signing.UnlockedSignatory(
        signer=signer, issuer="Ombudsman TEST Intermediate CA", subject="Kepala Lama"
    )
    report = signatures.check(
        signing.sign_pdf(out.getvalue(), unlocked, reason="x", location="Kupang"), [pki.root.cert]
    )
    assert report.verdict is signatures.Verdict.EXPIRED, report
    check = report.signatures[0]
    assert check.intact and check.certificate_valid_until == now - timedelta(days=2)
    assert check.certificate_valid_from == now - timedelta(days=400)
    assert "KEDALUWARSA" in str(report.message)


def test_a_correction_is_signed_on_its_own_and_the_old_page_names_its_number(app, issued, workflow, pki):
    response = workflow.inspector.post(f"/letters/{issued.id}/correct")
    new_id = int(response.headers["Location"].split("/")[-2])
    workflow.approve(new_id)
    response = workflow.head.post(f"/letters/{new_id}/issue", {"signing_passphrase": PASSPHRASE})
    assert response.status_code == 303
    old, new = db.session.get(Letter, issued.id), db.session.get(Letter, new_id)
    assert old.status.value == "superseded" and new.status.value == "issued" and new.signed
    # Each letter carries its own signature over its own bytes.
    assert signatures.check(new.pdf, [pki.root.cert]).valid
    assert signatures.check(old.pdf, [pki.root.cert]).valid and old.pdf != new.pdf
    page = app.test_client().get(f"/verify/{old.verify_token}").get_data(as_text=True)
    assert "DIGANTI" in page and new.number in page
    assert 'data-verdict="valid"' in page  # the old letter's signature is still intact


def test_a_tampered_letter_still_names_its_trusted_certificate(app, demo, issued, pki, runner, tmp_path):
    """QA of issue 13: a one-byte change fails integrity, but the certificate is still described for what it
    is (trusted chain), on the page and in the CLI, in Indonesian with no "None"."""
    altered = one_byte_changed(issued.pdf)
    sig = signatures.check(altered, [pki.root.cert]).signatures[0]
    assert sig.verdict is signatures.Verdict.ALTERED and not sig.intact
    assert sig.trusted is True
    # The unknown CA's certificate is still untrusted once its file is tampered with too.
    stranger = signed_by_unknown_ca(pki)
    at = stranger.index(b"/Type /Page")
    broken = stranger[:at] + stranger[at:].replace(b"/Page", b"/Pagf", 1)
    assert signatures.check(broken, [pki.root.cert]).signatures[0].trusted is not True

    public = app.test_client()
    page = public.get(f"/verify/{issued.verify_token}").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    html = public.post(
        f"/verify/{issued.verify_token}",
        data={"csrf_token": csrf, "file": (io.BytesIO(altered), "altered.pdf")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    upload = html.split('id="signature-upload"')[1]
    assert "DIUBAH" in upload
    assert "dipercaya (berantai ke otoritas yang dipercaya kantor)" in upload
    assert "tidak dipercaya oleh kantor ini" not in upload

    path = tmp_path / "altered.pdf"
    path.write_bytes(altered)
    plain = runner.invoke(args=["letters", "verify", str(path)]).output
    assert "sertifikat dipercaya: ya" in plain and "utuh: tidak" in plain
    assert "cap waktu: tidak ada" in plain
    offset = sig.signed_at.astimezone(ZoneInfo(issued.office.timezone)).isoformat()[-6:]
    assert (
        f"waktu tanda tangan: {sig.signed_at.astimezone(ZoneInfo(issued.office.timezone)).isoformat()}"
        in plain
    )
    assert offset != "+00:00"  # the office's zone (WITA), not UTC
    for english in ("None", "signer:", "intact:", "trusted:", "time stamp:"):
        assert english not in plain, english
    assert (
        json.loads(runner.invoke(args=["letters", "verify", str(path), "--json"]).output)["signatures"][0][
            "trusted"
        ]
        is True
    )


def test_signature_times_are_in_the_offices_zone(app, issued):
    """The public page has no signed-in user: times follow the letter's office zone, as its date does."""
    from zoneinfo import ZoneInfo

    from ombudsman.clock import utcnow
    from ombudsman.dates import zone_abbreviation

    zone = ZoneInfo(issued.office.timezone)
    abbreviation = zone_abbreviation(issued.issued_at or utcnow(), zone, "id")
    page = app.test_client().get(f"/verify/{issued.verify_token}").get_data(as_text=True)
    report = page.split('id="signature-stored"')[1].split("</dl>")[0]
    assert abbreviation != "UTC" and abbreviation in report and "UTC" not in report
