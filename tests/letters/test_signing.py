"""Electronic signatures at issue (issue 13): the Kupang letter issued signed with the suite's own PKI and
validated with pyHanko against that root; the passphrase guards the number and never reaches a log."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import xml.etree.ElementTree as ET

from letter_testing import pdf_text
from pypdf import PdfReader
from signing_testing import HEAD_NAME, TimestampServer
from sqlalchemy import func, select

from ombudsman.audit.models import AuditEvent
from ombudsman.extensions import db
from ombudsman.letters import issuing, signing
from ombudsman.letters.models import Letter, LetterCounter, SigningKey


def validate(pdf: bytes, *roots):
    """pyHanko's own validation of the file's only signature against `roots` (cryptography certificates)."""
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    der = serialization.Encoding.DER
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(r.public_bytes(der)) for r in roots])
    # pyHanko runs its coroutines with asyncio.run: outside Playwright's loop when a browser test ran before.
    return signing.outside_event_loop(validate_pdf_signature, signature, context)


def pdfa_declaration(pdf: bytes) -> dict[str, str]:
    """The pdfaid attributes of the document's XMP metadata (its last revision's catalogue)."""
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    xmp = ET.fromstring(
        re.search(rb"<x:xmpmeta.*</x:xmpmeta>", root["/Metadata"].get_object().get_data(), re.DOTALL)[0]
    )
    pdfaid = "{http://www.aiim.org/pdfa/ns/id/}"
    return {
        key.removeprefix(pdfaid): value
        for description in xmp.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description")
        for key, value in description.attrib.items()
        if key.startswith(pdfaid)
    }


def issue_signed(workflow, letter_id: int, passphrase: str):
    """Submit, approve, then issue as the head with the passphrase; returns the response."""
    workflow.approve(letter_id)
    return workflow.head.post(f"/letters/{letter_id}/issue", {"signing_passphrase": passphrase})


def test_the_kupang_letter_is_issued_signed_by_the_head_and_validates_against_the_suite_root(
    app, letters, workflow, signing_office, pki
):
    response = issue_signed(workflow, letters.kota.id, signing_office.passphrase)
    assert response.status_code == 303
    letter = db.session.get(Letter, letters.kota.id)
    assert letter.status.value == "issued" and letter.signed
    pdf = letter.pdf
    assert letter.pdf_sha256 == hashlib.sha256(pdf).hexdigest()  # the stored hash is the signed file's

    status = validate(pdf, pki.root.cert)
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.signing_cert.subject.native["common_name"] == HEAD_NAME
    assert status.md_algorithm == "sha256"
    # The signature is an incremental update: the PDF/A declaration of the rendered file still holds.
    assert pdfa_declaration(pdf) == {"part": "3", "conformance": "U"}
    # Text stays selectable, and the signature block says how the letter is signed and by whose certificate.
    text = pdf_text(pdf)
    assert "Kupang" in text and "WALI KOTA" not in text.split("Yth.")[0]
    assert (
        "Ditandatangani secara elektronik menggunakan sertifikat elektronik yang diterbitkan oleh "
        "Ombudsman TEST Intermediate CA." in text
    )
    assert HEAD_NAME.upper() in text


def test_a_wrong_passphrase_refuses_the_issue_burns_no_number_and_is_never_logged(
    app, letters, workflow, signing_office, caplog
):
    wrong = "salah-sekali-SANDI-99"
    caplog.set_level(logging.DEBUG)
    counters_before = db.session.scalar(select(func.count()).select_from(LetterCounter))

    response = issue_signed(workflow, letters.kota.id, wrong)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Frasa sandi kunci tanda tangan salah." in page
    # The head's form asks for the passphrase (a password field, never refilled with what was typed).
    field = re.search(r'<input[^>]*name="signing_passphrase"[^>]*>', page)
    assert field and 'type="password"' in field[0] and 'value=""' in field[0] and wrong not in page
    letter = db.session.get(Letter, letters.kota.id)
    assert letter.status.value == "approved" and letter.sequence is None and letter.number is None
    assert db.session.scalar(select(func.count()).select_from(LetterCounter)) == counters_before
    # Without a passphrase the same: nothing reserved.
    assert workflow.head.post(f"/letters/{letters.kota.id}/issue").status_code == 422
    assert db.session.get(Letter, letters.kota.id).sequence is None

    response = workflow.head.post(
        f"/letters/{letters.kota.id}/issue", {"signing_passphrase": signing_office.passphrase}
    )
    assert response.status_code == 303
    letter = db.session.get(Letter, letters.kota.id)
    assert letter.status.value == "issued" and letter.sequence == 1

    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {record.exc_text or ''}" for record in caplog.records
    )
    assert caplog.records, "the issue should have logged something (the signing at least)"
    for secret in (wrong, signing_office.passphrase):
        assert secret not in logged
        assert secret not in caplog.text
        trail = json.dumps([event.changes for event in db.session.scalars(select(AuditEvent))])
        assert secret not in trail


def test_the_api_issues_signed_with_the_passphrase_in_the_body_and_never_echoes_it(
    app, demo, letters, workflow, signing_office, pki
):
    from tests.api.conftest import ApiClient, issue

    workflow.approve(letters.ditjen.id)
    head = ApiClient(app.test_client(), issue(demo.users["head"]))
    url = f"/api/v1/letters/{letters.ditjen.id}/issue"

    missing = head.post(url, json={})
    assert missing.status_code == 422
    assert "signing_passphrase" in missing.get_json()["fields"]
    wrong = head.post(url, json={"signing_passphrase": "bukan-ini"})
    assert wrong.status_code == 422 and "signing_passphrase" in wrong.get_json()["fields"]
    assert db.session.get(Letter, letters.ditjen.id).sequence is None

    done = head.post(url, json={"signing_passphrase": signing_office.passphrase})
    assert done.status_code == 200, done.get_data(as_text=True)
    body = done.get_json()
    assert body["status"] == "issued" and body["signed"] is True
    assert signing_office.passphrase not in done.get_data(as_text=True)
    assert "signing_passphrase" not in body
    assert validate(db.session.get(Letter, letters.ditjen.id).pdf, pki.root.cert).trusted

    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    issue_in = spec["components"]["schemas"]["IssueIn"]["properties"]["signing_passphrase"]
    assert issue_in.get("writeOnly") is True and "passphrase" in issue_in["description"]


def test_a_time_stamping_server_makes_it_b_t_and_the_time_stamp_validates(
    app, demo, letters, workflow, signing_office, pki
):
    workflow.approve(letters.kota.id)
    letter = db.session.get(Letter, letters.kota.id)
    with TimestampServer(pki) as tsa:
        app.config["SIGNING_TIMESTAMP_URL"] = tsa.url
        letter = issuing.issue(
            letter,
            signing_office.head,
            today=letter.inspection.visited_on.replace(day=31),
            base_url=app.config["PUBLIC_BASE_URL"],
            evidence_root=None,
            signing_passphrase=signing_office.passphrase,
            secret_key=app.config["SECRET_KEY"],
            timestamp_url=tsa.url,
        )
        db.session.commit()
        assert tsa.requests >= 1  # pyHanko also asks once to size the signature
    status = validate(letter.pdf, pki.root.cert)
    assert status.intact and status.trusted
    stamp = status.timestamp_validity
    assert stamp is not None and stamp.intact and stamp.valid and stamp.trusted
    assert stamp.signing_cert.subject.native["common_name"] == "Ombudsman TEST Time Stamping"

    from ombudsman.letters import signatures

    report = signatures.check(letter.pdf, [pki.root.cert])
    assert report.valid and report.signatures[0].timestamp_at == stamp.timestamp


def test_a_queued_render_never_stores_a_signed_letter_unsigned(app, letters, workflow, signing_office):
    from ombudsman.errors import Conflict
    from ombudsman.jobs import tasks

    workflow.approve(letters.kota.id)
    letter = db.session.get(Letter, letters.kota.id)
    signatory = issuing.unlock_signatory(
        letter, signing_office.head, signing_office.passphrase, secret_key=app.config["SECRET_KEY"]
    )
    issuing.reserve(
        letter,
        signing_office.head,
        today=letter.inspection.visited_on.replace(day=31),
        base_url=app.config["PUBLIC_BASE_URL"],
        signatory=signatory,
    )
    db.session.commit()
    try:
        tasks.render_issued_letter(letters.kota.id)
    except Conflict as exc:
        assert "frasa sandi" in str(exc)
    else:
        raise AssertionError("a queued render of a signed letter must refuse")
    letter = db.session.get(Letter, letters.kota.id)
    assert letter.is_issuing and letter.pdf is None


def test_the_key_is_stored_sealed_and_opens_only_with_the_app_secret(app, signing_office, pki):
    key = signing.active_key(signing_office.head)
    sealed = db.session.scalar(select(SigningKey.sealed).where(SigningKey.id == key.id))
    assert pki.signer_p12 not in sealed and sealed != pki.signer_p12
    assert signing.unseal(sealed, app.config["SECRET_KEY"]) == pki.signer_p12
    from ombudsman.errors import Conflict

    try:
        signing.unseal(sealed, "another-secret-key-of-thirty-two-chars")
    except Conflict:
        pass
    else:
        raise AssertionError("another secret key must not open the sealed key")


def test_b_lt_embeds_revocation_data_and_a_later_revocation_is_reported_with_its_date(
    app, demo, letters, workflow, pki, runner, tmp_path
):
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from signing_testing import PASSPHRASE, FileServer, make_cert, make_crl, p12

    from ombudsman.clock import utcnow
    from ombudsman.letters import signatures
    from ombudsman.letters.settings import for_office

    der = serialization.Encoding.DER
    with FileServer() as files, TimestampServer(pki) as tsa:
        # A signer whose certificate says where the intermediate CA publishes its CRL.
        signer = make_cert(HEAD_NAME, pki.intermediate, ca=False, crl_url=files.url("/intermediate.crl"))
        files.routes["/intermediate.crl"] = make_crl(pki.intermediate).public_bytes(der)
        head, admin = demo.users["head"], demo.users["admin"]
        settings = for_office(demo.office)
        signing.upload_key(
            demo.office,
            admin,
            head,
            p12(signer, [pki.intermediate, pki.root]),
            PASSPHRASE,
            secret_key=app.config["SECRET_KEY"],
        )
        signing.set_trust_roots(demo.office, admin, settings, pki.root.pem)
        settings.electronic_signature = True
        db.session.commit()
        workflow.approve(letters.kota.id)
        letter = issuing.issue(
            db.session.get(Letter, letters.kota.id),
            head,
            today=demo.inspection.visited_on.replace(day=31),
            base_url=app.config["PUBLIC_BASE_URL"],
            evidence_root=None,
            signing_passphrase=PASSPHRASE,
            secret_key=app.config["SECRET_KEY"],
            timestamp_url=tsa.url,
        )
        db.session.commit()
        pdf = letter.pdf

        # B-LT: the file carries the CRL it was checked against; valid offline, the DSS counts as harmless.
        dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(pdf)))
        assert list(dss.crls)
        offline = signatures.check(pdf, [pki.root.cert])
        assert offline.valid and offline.signatures[0].timestamp_at is not None, offline

        # Revoked afterwards: checked online, the letter is reported revoked with the date.
        revoked_at = utcnow().replace(microsecond=0)
        files.routes["/intermediate.crl"] = make_crl(
            pki.intermediate, [(signer.cert.serial_number, revoked_at)]
        ).public_bytes(der)
        online = signatures.check(pdf, [pki.root.cert], online=True)
        assert online.verdict is signatures.Verdict.REVOKED, online
        assert online.signatures[0].revoked_at == revoked_at
        path = tmp_path / "revoked.pdf"
        path.write_bytes(pdf)
        result = runner.invoke(args=["letters", "verify", str(path), "--online", "--json"])
        assert result.exit_code == 1
        body = json.loads(result.output)
        assert body["verdict"] == "revoked" and body["signatures"][0]["revoked_at"] == revoked_at.isoformat()
        # The certificate's own dates are reported too.
        assert body["signatures"][0]["certificate_valid_until"].startswith(
            signer.cert.not_valid_after_utc.date().isoformat()
        )
