"""The demo's electronic signature: a TEST certificate authority and a TEST certificate for the demo head,
made when the demo case is seeded (never shipped: each database gets its own), so the demo's letters are
signed. The PKCS#12's passphrase is `DEMO_SIGNING_PASSPHRASE` ("demo", as the demo passwords).

Every name says TEST: a reader's PDF viewer and the verification page show "TEST" as the issuer, and no
real trust store trusts it. A real office loads its own certificate and trust roots on
/settings/letters/signing (see README).
"""

from __future__ import annotations

from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from ombudsman.accounts.models import Office, User
from ombudsman.clock import utcnow
from ombudsman.letters import signing
from ombudsman.letters.settings import for_office

DEMO_SIGNING_PASSPHRASE = "demo"
TEST_CA_NAME = "TEST CA Ombudsman Demo (bukan untuk produksi)"
#: How long the demo certificates last from the day they are made.
VALIDITY_DAYS = 5 * 365


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "TEST Ombudsman Demo"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def make_test_pkcs12(signatory_name: str, passphrase: str) -> tuple[x509.Certificate, bytes]:
    """A fresh TEST root CA and a PKCS#12 (EC P-256 key, its certificate, the root) for `signatory_name`.

    Returns (root certificate, PKCS#12 bytes encrypted under `passphrase`).
    """
    now = utcnow()
    root_key = ec.generate_private_key(ec.SECP256R1())
    signer_key = ec.generate_private_key(ec.SECP256R1())

    authority_key = x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key())

    def build(subject, public_key, *, ca: bool) -> x509.Certificate:
        usage = x509.KeyUsage(
            digital_signature=not ca,
            content_commitment=not ca,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=ca,
            crl_sign=ca,
            encipher_only=False,
            decipher_only=False,
        )
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(_name(TEST_CA_NAME))
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=VALIDITY_DAYS))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(authority_key, critical=False)
            .sign(root_key, hashes.SHA256())
        )

    root = build(_name(TEST_CA_NAME), root_key.public_key(), ca=True)
    signer = build(_name(f"TEST {signatory_name}"), signer_key.public_key(), ca=False)
    data = pkcs12.serialize_key_and_certificates(
        b"demo-signatory",
        signer_key,
        signer,
        [root],
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    return root, data


def ensure_demo_signing(office: Office, admin: User, head: User, *, secret_key: str) -> None:
    """Give the demo head a TEST certificate (once), trust its TEST root, and turn the mode on."""
    if signing.active_key(head) is not None:
        return
    root, data = make_test_pkcs12(head.name, DEMO_SIGNING_PASSPHRASE)
    settings = for_office(office)
    signing.upload_key(office, admin, head, data, DEMO_SIGNING_PASSPHRASE, secret_key=secret_key)
    signing.set_trust_roots(office, admin, settings, root.public_bytes(serialization.Encoding.PEM))
    settings.electronic_signature = True
