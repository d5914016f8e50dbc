"""The suite's own public-key infrastructure for electronic signatures, made with `cryptography`.

A TEST root CA, an intermediate CA, the head's signer certificate (PKCS#12 with the chain), a time-stamping
authority's certificate, a CRL of the intermediate, and an unrelated CA with its own signer (a file "signed
by an unknown CA"). EC P-256 keys (fast to make), RSA for the time-stamping authority. `TimestampServer` is
a real RFC 3161 server on loopback (HTTP, `application/timestamp-query`), answering with pyHanko's own
time-stamp token builder.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HEAD_NAME = "Darius Beda Daton"
NO_ENCRYPTION = serialization.NoEncryption()
PASSPHRASE = "kunci-rahasia-kepala-7"


def _name(common: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"), x509.NameAttribute(NameOID.COMMON_NAME, common)]
    )


@dataclass
class Issued:
    """A certificate and its private key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def make_cert(
    common: str,
    issuer: Issued | None,
    *,
    ca: bool,
    eku=None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    rsa_key: bool = False,
    crl_url: str | None = None,
) -> Issued:
    """A certificate for `common`, signed by `issuer` (self-signed when None); EC P-256 unless `rsa_key`."""
    now = datetime.now(UTC)
    key = rsa.generate_private_key(65537, 2048) if rsa_key else ec.generate_private_key(ec.SECP256R1())
    signing_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(issuer.cert.subject if issuer else _name(common))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(days=30))
        .not_valid_after(not_after or now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca and eku is None,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), critical=False
        )
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    if crl_url:  # where the issuer publishes its CRL: the signature embeds it (B-LT)
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    return Issued(builder.sign(signing_key, hashes.SHA256()), key)


def p12(signer: Issued, chain: list[Issued], passphrase: str = PASSPHRASE) -> bytes:
    """A PKCS#12 of the signer's key and certificate with its chain."""
    return pkcs12.serialize_key_and_certificates(
        b"signer",
        signer.key,
        signer.cert,
        [c.cert for c in chain],
        serialization.BestAvailableEncryption(passphrase.encode()),
    )


def make_crl(issuer: Issued, revoked: list[tuple[int, datetime]] = ()) -> x509.CertificateRevocationList:
    """A CRL of `issuer`, current for a week, listing `revoked` (serial number, revocation date)."""
    now = datetime.now(UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(now - timedelta(minutes=5))
        .next_update(now + timedelta(days=7))
    )
    for serial, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
        )
    return builder.sign(issuer.key, hashes.SHA256())


@dataclass
class Pki:
    """The suite's certificates (see the module docstring)."""

    root: Issued
    intermediate: Issued
    signer: Issued
    signer_p12: bytes
    tsa: Issued
    crl: x509.CertificateRevocationList
    other_root: Issued
    other_signer_p12: bytes


def make_pki() -> Pki:
    """Build everything once (a session fixture)."""
    root = make_cert("Ombudsman TEST Root CA", None, ca=True)
    intermediate = make_cert("Ombudsman TEST Intermediate CA", root, ca=True)
    signer = make_cert(HEAD_NAME, intermediate, ca=False)
    # pyHanko's time-stamp token builder signs with RSA only.
    tsa = make_cert(
        "Ombudsman TEST Time Stamping",
        intermediate,
        ca=False,
        eku=[ExtendedKeyUsageOID.TIME_STAMPING],
        rsa_key=True,
    )
    crl = make_crl(intermediate)
    other_root = make_cert("Unknown TEST Root CA", None, ca=True)
    other_signer = make_cert("Penipu", other_root, ca=False)
    return Pki(
        root=root,
        intermediate=intermediate,
        signer=signer,
        signer_p12=p12(signer, [intermediate, root]),
        tsa=tsa,
        crl=crl,
        other_root=other_root,
        other_signer_p12=p12(other_signer, [other_root]),
    )


class TimestampServer:
    """An RFC 3161 time-stamping server on 127.0.0.1 (a random port); `.url`. Use as a context manager."""

    def __init__(self, pki: Pki) -> None:
        from asn1crypto import keys
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

        der = serialization.Encoding.DER
        stamper = DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(pki.tsa.cert.public_bytes(der)),
            tsa_key=keys.PrivateKeyInfo.load(
                pki.tsa.key.private_bytes(der, serialization.PrivateFormat.PKCS8, NO_ENCRYPTION)
            ),
            certs_to_embed=[asn1_x509.Certificate.load(pki.intermediate.cert.public_bytes(der))],
        )
        self.requests = 0
        server_self = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                from asn1crypto import tsp

                body = self.rfile.read(int(self.headers["Content-Length"]))
                response = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
                server_self.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(response)))
                self.end_headers()
                self.wfile.write(response)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/tsa"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> TimestampServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()


class FileServer:
    """A static HTTP server on 127.0.0.1 (a random port) serving `routes` ({path: bytes}, changeable while it
    runs): the CA's CRL distribution point. Use as a context manager; `url(path)`."""

    def __init__(self) -> None:
        self.routes: dict[str, bytes] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                body = routes.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/pkix-crl")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        """The address of `path` on this server."""
        return f"http://127.0.0.1:{self._server.server_port}{path}"

    def __enter__(self) -> FileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()
