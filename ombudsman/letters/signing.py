"""Electronic signatures on issued letters (issue 13): where a signatory's key lives, and signing a PDF/A.

**Where the key lives.** A signatory (the office head who issues) has a PKCS#12 file (private key and
certificate chain), uploaded by the admin with its passphrase, which is checked and forgotten. The file is
stored *sealed* (`models.SigningKey.sealed`): the PKCS#12 is already encrypted under the passphrase, and
it is encrypted once more with Fernet under a key derived from the app's `SECRET_KEY` (HKDF-SHA256,
`_SEAL_INFO`). A database dump alone is then not even an offline target for guessing the passphrase, and
the secret key alone opens nothing without it. Rotating `SECRET_KEY` makes sealed keys unreadable: the
admin uploads them again. The passphrase is never stored, logged, queued or audited.

**When the key is used.** The head types the passphrase when issuing. `unlock()` opens the key *before*
`issuing.reserve`, so a wrong passphrase burns no number; the unlocked key then lives only in the memory of
the request that issues, which renders, signs and stores the letter itself (`issuing.render_reserved` with
`signer=`; in this mode the render is never queued, so no passphrase or key reaches Redis). A queued render
of a letter marked `signed` refuses to store an unsigned PDF.

**The signature.** `sign_pdf` adds a PAdES signature (an incremental update: the PDF/A declaration and the
rendered bytes stay as they were) covering the whole file: baseline B-B; B-T when `SIGNING_TIMESTAMP_URL`
names an RFC 3161 time-stamping server; B-LT (validation data embedded) when, in addition, the signer's
certificate names where its revocation data is published and the office has trust roots.

**Other key stores.** A backend is anything with `signer(key, passphrase, secret_key)` returning a
`pyhanko.sign.signers.Signer` (see `SignatureBackend`). A remote signing service (the national CA's signing
API: the document hash goes out, a CMS signature value comes back) plugs in as a `Signer` subclass whose
`async_sign_raw(data, digest_algorithm)` sends the digest to the service and returns the signature, with
`signing_cert` and `cert_registry` filled from the service's certificate; pyHanko builds the PAdES
structure around it, so `sign_pdf` is unchanged.
"""

from __future__ import annotations

import asyncio
import base64
import io
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtensionOID, NameOID
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ombudsman.accounts.models import Office, Role, User
from ombudsman.audit import services as audit
from ombudsman.clock import utcnow
from ombudsman.errors import Conflict, Invalid
from ombudsman.extensions import db
from ombudsman.letters.commands import SIGNING_PASSPHRASE_FIELD
from ombudsman.letters.models import SigningKey

log = logging.getLogger(__name__)
T = TypeVar("T")

#: The largest PKCS#12 file accepted (a key and a chain of a few certificates is a few kilobytes).
MAX_PKCS12_BYTES = 64 * 1024
#: The largest trust-roots upload (PEM or DER certificates).
MAX_TRUST_ROOTS_BYTES = 256 * 1024
#: Seconds to wait for the time-stamping server.
TIMESTAMP_TIMEOUT_SECONDS = 10
_SEAL_INFO = b"ombudsman letters signing keys v1"

MSG_WRONG_PASSPHRASE = _l("Frasa sandi kunci tanda tangan salah.")
MSG_NO_KEY = _l(
    "Belum ada sertifikat tanda tangan elektronik untuk Anda; admin mengunggahnya di pengaturan tanda tangan."
)


# --- sealing at rest ---------------------------------------------------------------------------------------


def _fernet(secret_key: str) -> Fernet:
    if not secret_key:
        raise RuntimeError("SECRET_KEY is empty: signing keys cannot be sealed")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SEAL_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(data: bytes, secret_key: str) -> bytes:
    """`data` encrypted and authenticated under a key derived from `secret_key` (Fernet token bytes)."""
    return _fernet(secret_key).encrypt(data)


def unseal(token: bytes, secret_key: str) -> bytes:
    """The bytes `seal` sealed; raises `Conflict` when they were sealed under another secret key."""
    try:
        return _fernet(secret_key).decrypt(token)
    except InvalidToken:
        raise Conflict(
            _l("Kunci tanda tangan tidak dapat dibuka dengan kunci rahasia aplikasi ini; unggah ulang.")
        ) from None


# --- reading PKCS#12 and certificates ------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedKey:
    """A PKCS#12 opened with its passphrase: the private key, the signer's certificate and the chain."""

    private_key: object
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]


def common_name(name: x509.Name) -> str:
    """The name's common name (CN), else the whole name as RFC 4514 text."""
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else name.rfc4514_string()


def open_pkcs12(data: bytes, passphrase: str) -> OpenedKey:
    """Open a PKCS#12 file with its passphrase.

    Raises `Invalid` on field `signing_passphrase` when the passphrase does not open it, or on `pkcs12`
    when the file holds no private key with its certificate. Nothing about the passphrase is logged.
    """
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, passphrase.encode("utf-8"))
    except ValueError:
        # One answer for a wrong passphrase and a damaged file: the caller cannot tell them apart either.
        raise Invalid(MSG_WRONG_PASSPHRASE, SIGNING_PASSPHRASE_FIELD) from None
    if key is None or cert is None:
        raise Invalid(_l("Berkas PKCS#12 tidak berisi kunci privat dan sertifikatnya."), "pkcs12")
    return OpenedKey(private_key=key, certificate=cert, chain=tuple(chain))


def _check_signing_certificate(cert: x509.Certificate, now: datetime) -> None:
    """Raises `Invalid` on `pkcs12` for a certificate that cannot sign letters today."""
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise Invalid(
            _l(
                "Sertifikat hanya berlaku %(start)s sampai %(end)s.",
                start=cert.not_valid_before_utc.date().isoformat(),
                end=cert.not_valid_after_utc.date().isoformat(),
            ),
            "pkcs12",
        )
    try:
        usage = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise Invalid(_l("Sertifikat ini tidak untuk tanda tangan (key usage)."), "pkcs12")


def parse_certificates(data: bytes) -> list[x509.Certificate]:
    """Certificates from PEM (one or more) or DER bytes; raises `Invalid` on `trust_roots` otherwise."""
    try:
        if b"-----BEGIN" in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise Invalid(_l("Berkas bukan sertifikat X.509 (PEM atau DER)."), "trust_roots") from None
    if not certs:
        raise Invalid(_l("Berkas bukan sertifikat X.509 (PEM atau DER)."), "trust_roots")
    return certs


def trust_roots_of(pem: str) -> list[x509.Certificate]:
    """The office's stored trust roots (PEM text) as certificates; empty when none are set."""
    return x509.load_pem_x509_certificates(pem.encode()) if pem.strip() else []


def to_pem(certs: list[x509.Certificate]) -> str:
    """Certificates as concatenated PEM text."""
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs)


# --- the admin's uploads -----------------------------------------------------------------------------------


def set_trust_roots(office: Office, user: User, settings, data: bytes) -> list[x509.Certificate]:
    """Replace the office's trust roots with the certificates in `data` (PEM bundle or one DER file).

    Each must be a CA certificate (basic constraints `ca`). Returns them; raises `Invalid` on `trust_roots`.
    Audited on the office with the roots' subjects and fingerprints.
    """
    if len(data) > MAX_TRUST_ROOTS_BYTES:
        raise Invalid(_l("Berkas terlalu besar."), "trust_roots")
    certs = parse_certificates(data)
    for cert in certs:
        try:
            is_ca = cert.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS).value.ca
        except x509.ExtensionNotFound:
            is_ca = False
        if not is_ca:
            raise Invalid(_l("%(name)s bukan sertifikat CA.", name=common_name(cert.subject)), "trust_roots")
    settings.trust_roots = to_pem(certs)
    audit.record(
        "office",
        office.id,
        "signing_trust_roots",
        user_id=user.id,
        office_id=office.id,
        changes={"trust_roots": [f"{common_name(c.subject)} {fingerprint(c)}" for c in certs]},
    )
    return certs


def fingerprint(cert: x509.Certificate) -> str:
    """The certificate's SHA-256 fingerprint, lower-case hex."""
    return cert.fingerprint(hashes.SHA256()).hex()


def upload_key(
    office: Office, admin: User, signatory: User, data: bytes, passphrase: str, *, secret_key: str
) -> SigningKey:
    """Store a signatory's PKCS#12, sealed; the signatory's earlier keys are deactivated (kept).

    `signatory` must be a head of the admin's office. The passphrase opens the file to check it (a key and
    a certificate valid today, usable for signing) and is forgotten. Raises `Invalid` on `user_id`,
    `pkcs12` or `signing_passphrase`. Audited with the certificate's subject, issuer and fingerprint.
    """
    if signatory.office_id != office.id or signatory.role is not Role.HEAD:
        raise Invalid(_l("Penanda tangan harus Kepala Perwakilan kantor ini."), "user_id")
    if not data or len(data) > MAX_PKCS12_BYTES:
        raise Invalid(_l("Berkas PKCS#12 kosong atau terlalu besar."), "pkcs12")
    opened = open_pkcs12(data, passphrase)
    cert = opened.certificate
    _check_signing_certificate(cert, utcnow())
    for old in db.session.scalars(
        select(SigningKey).where(SigningKey.user_id == signatory.id, SigningKey.active.is_(True))
    ):
        old.active = False
    key = SigningKey(
        office_id=office.id,
        user_id=signatory.id,
        sealed=seal(data, secret_key),
        certificate=cert.public_bytes(serialization.Encoding.DER),
        subject=common_name(cert.subject)[:300],
        issuer=common_name(cert.issuer)[:300],
        fingerprint=fingerprint(cert),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        active=True,
        uploaded_by_id=admin.id,
    )
    db.session.add(key)
    db.session.flush()
    audit.record(
        "office",
        office.id,
        "signing_key_uploaded",
        user_id=admin.id,
        office_id=office.id,
        changes={
            "signatory": signatory.name,
            "subject": key.subject,
            "issuer": key.issuer,
            "fingerprint": key.fingerprint,
            "valid_until": key.not_after.isoformat(),
        },
    )
    return key


def active_key(user: User) -> SigningKey | None:
    """The user's current signing key, if the admin uploaded one."""
    return db.session.scalar(
        select(SigningKey)
        .where(SigningKey.user_id == user.id, SigningKey.active.is_(True))
        .order_by(SigningKey.id.desc())
        .limit(1)
    )


def office_keys(office: Office) -> list[SigningKey]:
    """The office's active signing keys, for the settings page."""
    return list(
        db.session.scalars(
            select(SigningKey)
            .where(SigningKey.office_id == office.id, SigningKey.active.is_(True))
            .order_by(SigningKey.id)
        )
    )


# --- unlocking and signing ---------------------------------------------------------------------------------


class SignatureBackend(Protocol):
    """Where a signatory's key lives: gives a pyHanko `Signer` for a stored key and the typed passphrase."""

    def signer(self, key: SigningKey, passphrase: str, secret_key: str):  # -> pyhanko Signer
        """An unlocked signer; raises `Invalid` on `signing_passphrase` for a wrong passphrase."""


class Pkcs12Backend:
    """The first backend: the sealed PKCS#12 in the database, opened in this process's memory."""

    def signer(self, key: SigningKey, passphrase: str, secret_key: str):
        """A pyHanko `SimpleSigner` holding the key in memory; raises `Invalid` for a wrong passphrase."""
        from pyhanko.sign.signers import SimpleSigner  # imported on use: most requests never sign

        data = unseal(key.sealed, secret_key)
        open_pkcs12(data, passphrase)  # one message for a wrong passphrase, whoever opens the file
        return SimpleSigner.load_pkcs12_data(data, [], passphrase=passphrase.encode("utf-8"))


BACKEND: SignatureBackend = Pkcs12Backend()


@dataclass(frozen=True)
class UnlockedSignatory:
    """A signer ready for `sign_pdf`, and what the letter prints about its certificate. Memory only."""

    signer: object  # a pyhanko.sign.signers.Signer
    issuer: str  # the certificate issuer's common name, printed in the signature block
    subject: str

    def __repr__(self) -> str:  # never show the key material in a traceback or a log
        return f"<UnlockedSignatory {self.subject!r}>"


def unlock(user: User, passphrase: str, *, secret_key: str) -> UnlockedSignatory:
    """Open the user's signing key with the passphrase they typed (before any number is reserved).

    Raises `Conflict` on `signing_passphrase` when the user has no key, `Invalid` on `signing_passphrase`
    when the passphrase is empty or wrong. The caller checks role and office first (`issuing`).
    """
    key = active_key(user)
    if key is None:
        raise Conflict(MSG_NO_KEY, SIGNING_PASSPHRASE_FIELD)
    if not passphrase:
        raise Invalid(_l("Ketik frasa sandi kunci tanda tangan Anda."), SIGNING_PASSPHRASE_FIELD)
    signer = BACKEND.signer(key, passphrase, secret_key)
    return UnlockedSignatory(signer=signer, issuer=key.issuer, subject=key.subject)


def outside_event_loop(func: Callable[..., T], *args, **kwargs) -> T:
    """`func(*args, **kwargs)`, in a helper thread when this thread runs an asyncio event loop.

    pyHanko's synchronous calls run their coroutines with `asyncio.run`, which refuses to start inside a
    running loop (an async server, or a test session driving Playwright's sync API in this thread).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(func, *args, **kwargs).result()


def _revocation_urls(cert: x509.Certificate) -> bool:
    for oid in (ExtensionOID.CRL_DISTRIBUTION_POINTS, ExtensionOID.AUTHORITY_INFORMATION_ACCESS):
        try:
            cert.extensions.get_extension_for_oid(oid)
            return True
        except x509.ExtensionNotFound:
            continue
    return False


def sign_pdf(
    pdf: bytes,
    signatory: UnlockedSignatory,
    *,
    reason: str,
    location: str,
    timestamp_url: str | None = None,
    trust_roots: list[x509.Certificate] = (),
) -> bytes:
    """`pdf` with a PAdES signature added in an incremental update that covers the whole file.

    B-B; B-T with a time stamp from `timestamp_url` (RFC 3161 over HTTP); B-LT when also the signer's
    certificate publishes revocation data and `trust_roots` are given (pyHanko fetches and embeds it).
    Raises what pyHanko raises when the time-stamping or revocation server fails (the caller keeps the
    reserved number, and issuing again retries).
    """
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

    signer = signatory.signer
    timestamper = HTTPTimeStamper(timestamp_url, timeout=TIMESTAMP_TIMEOUT_SECONDS) if timestamp_url else None
    long_term = False
    context = None
    if timestamper is not None and trust_roots:
        cert = x509.load_der_x509_certificate(signer.signing_cert.dump())
        if _revocation_urls(cert):
            long_term = True
            der = serialization.Encoding.DER
            context = ValidationContext(
                trust_roots=[asn1_x509.Certificate.load(c.public_bytes(der)) for c in trust_roots],
                allow_fetching=True,
                other_certs=list(signer.cert_registry),
                fetcher_backend=RequestsFetcherBackend(),
            )
    meta = signers.PdfSignatureMetadata(
        field_name="TandaTanganElektronik",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=signatory.subject,
        embed_validation_info=long_term,
        validation_context=context,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = outside_event_loop(signers.sign_pdf, writer, meta, signer=signer, timestamper=timestamper)
    signed = out.getvalue()
    log.info(
        "signed a letter PDF for %s (%s, %d bytes)",
        signatory.subject,
        "B-LT" if long_term else "B-T" if timestamper else "B-B",
        len(signed),
    )
    return signed
