"""The electronic-signature settings page (/settings/letters/signing): only the admin; the head's PKCS#12 is
checked with its passphrase (never stored) and kept sealed; trust roots must be CA certificates; the mode
is audited."""

from __future__ import annotations

import io
import json

import pytest
from signing_testing import PASSPHRASE
from sqlalchemy import select

from ombudsman.audit.models import AuditEvent
from ombudsman.extensions import db
from ombudsman.letters import signing
from ombudsman.letters.settings import for_office


@pytest.mark.parametrize("role", ["inspector", "supervisor", "head", "viewer"])
def test_only_the_admin_sees_and_changes_the_signing_settings(login, demo, role):
    user = login(f"{role}@demo.test")
    assert user.get("/settings/letters/signing").status_code == 403
    assert user.post("/settings/letters/signing/mode", {"electronic_signature": "y"}).status_code == 403
    assert not for_office(demo.office).electronic_signature


def test_the_admin_uploads_the_heads_key_roots_and_turns_the_mode_on(login, demo, pki):
    admin = login("admin@demo.test")
    head = demo.users["head"]
    page = admin.get("/settings/letters/signing")
    assert page.status_code == 200 and "Belum ada sertifikat." in page.get_data(as_text=True)

    def upload_key(passphrase: str, data: bytes = pki.signer_p12):
        return admin.post(
            "/settings/letters/signing/keys",
            {
                "user_id": str(head.id),
                "pkcs12": (io.BytesIO(data), "kepala.p12"),
                "signing_passphrase": passphrase,
            },
            content_type="multipart/form-data",
        )

    wrong = upload_key("bukan-frasa-sandinya")
    assert wrong.status_code == 422 and "Frasa sandi kunci tanda tangan salah." in wrong.get_data(
        as_text=True
    )
    assert signing.active_key(head) is None
    assert upload_key(PASSPHRASE, b"not a pkcs12 file").status_code == 422
    assert upload_key(PASSPHRASE).status_code == 303
    key = signing.active_key(head)
    assert key.subject == "Darius Beda Daton" and key.issuer == "Ombudsman TEST Intermediate CA"
    # A second upload replaces the first, which is kept inactive.
    assert upload_key(PASSPHRASE).status_code == 303
    assert signing.active_key(head).id != key.id

    # Only CA certificates may be trust roots.
    from cryptography.hazmat.primitives import serialization

    def upload_roots(data: bytes):
        return admin.post(
            "/settings/letters/signing/roots",
            {"trust_roots": (io.BytesIO(data), "roots.pem")},
            content_type="multipart/form-data",
        )

    assert upload_roots(pki.signer.pem).status_code == 422
    assert upload_roots(b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n").status_code == 422
    der = pki.root.cert.public_bytes(serialization.Encoding.DER)
    assert upload_roots(der).status_code == 303
    assert signing.trust_roots_of(for_office(demo.office).trust_roots) == [pki.root.cert]

    assert admin.post("/settings/letters/signing/mode", {"electronic_signature": "y"}).status_code == 303
    assert for_office(demo.office).electronic_signature
    page = admin.get("/settings/letters/signing").get_data(as_text=True)
    assert "Aktif" in page and "Ombudsman TEST Root CA" in page
    assert page.count(key.fingerprint) == 1  # the replaced key is kept but no longer listed

    # The audit trail names certificates, never the passphrase or the key.
    trail = json.dumps([e.changes for e in db.session.scalars(select(AuditEvent))])
    assert PASSPHRASE not in trail and "bukan-frasa-sandinya" not in trail
    assert "signing_key_uploaded" in {e.action for e in db.session.scalars(select(AuditEvent))}


def test_a_key_is_only_for_a_head_of_the_office(app, demo, pki):
    from ombudsman.errors import Invalid

    with pytest.raises(Invalid) as refused:
        signing.upload_key(
            demo.office,
            demo.users["admin"],
            demo.users["inspector"],
            pki.signer_p12,
            PASSPHRASE,
            secret_key=app.config["SECRET_KEY"],
        )
    assert "user_id" in refused.value.fields


def test_the_readiness_checklist_asks_for_a_real_certificate_in_electronic_mode(app, demo, pki):
    from ombudsman.letters import demo_signing, readiness

    def item():
        found = [
            i
            for i in readiness.checklist(demo.office, "https://pelacak.test")
            if i.key == "electronic_signature"
        ]
        return found[0] if found else None

    assert item() is None  # on paper: nothing to check
    demo_signing.ensure_demo_signing(
        demo.office, demo.users["admin"], demo.users["head"], secret_key=app.config["SECRET_KEY"]
    )
    assert not item().ok and "TEST" in str(item().missing[0])
    signing.upload_key(
        demo.office,
        demo.users["admin"],
        demo.users["head"],
        pki.signer_p12,
        PASSPHRASE,
        secret_key=app.config["SECRET_KEY"],
    )
    assert item().ok
    for_office(demo.office).trust_roots = ""
    assert not item().ok
