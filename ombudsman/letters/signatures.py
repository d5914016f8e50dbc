"""Checking the electronic signatures in a PDF (issue 13): one report for the verification page, the API and
the CLI (`flask --app wsgi letters verify FILE`).

`check(data, trust_roots)` validates every signature in the file with pyHanko against the office's trust
roots, offline unless `SIGNING_VERIFY_ONLINE` (by default only revocation data embedded in the file is used,
nothing is fetched): whether the signed
bytes are intact, whether the signature covers the whole file or something was added after it (and whether
that addition is harmless, such as validation data, or a change such as a new page), who signed with what
certificate from whom, when (the signer's claimed time and, with B-T, the time stamp), and whether the
certificate chains to a trust root, has expired or was revoked (with the dates). The verdict of the report
is that of its last signature, said in plain words (`MESSAGES`).
"""

from __future__ import annotations

import enum
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask_babel import lazy_gettext as _l

from ombudsman.clock import utcnow
from ombudsman.letters.signing import outside_event_loop

log = logging.getLogger(__name__)


class Verdict(enum.StrEnum):
    """What a signature check concluded, worst first in `check`'s order of tests."""

    VALID = "valid"  # intact, covers the file, chains to a trust root, certificate good
    ALTERED = "altered"  # the signed bytes changed (even one byte)
    MODIFIED = "modified"  # content was added or changed after signing (an incremental update)
    UNTRUSTED = "untrusted"  # intact, but the certificate does not chain to the office's trust roots
    REVOKED = "revoked"  # the certificate was revoked
    EXPIRED = "expired"  # the certificate had expired (or was not yet valid) at the validation time
    INVALID = "invalid"  # another failure (broken signature structure, bad chain)
    UNSIGNED = "unsigned"  # a PDF without signatures
    UNREADABLE = "unreadable"  # not a PDF pyHanko can read


MESSAGES = {
    Verdict.VALID: _l(
        "UTUH dan SAH: berkas tidak berubah sejak ditandatangani, dan sertifikat penanda tangan dipercaya."
    ),
    Verdict.ALTERED: _l(
        "DIUBAH: isi yang ditandatangani tidak sama lagi (satu byte pun berubah); jangan percayai berkas ini."
    ),
    Verdict.MODIFIED: _l(
        "DITAMBAH SETELAH DITANDATANGANI: ada perubahan (misalnya halaman baru) setelah tanda tangan; "
        "hanya versi yang ditandatangani yang sah."
    ),
    Verdict.UNTRUSTED: _l(
        "TIDAK DIKENAL: tanda tangan utuh, tetapi sertifikatnya tidak diterbitkan oleh otoritas yang "
        "dipercaya kantor ini."
    ),
    Verdict.REVOKED: _l("DICABUT: sertifikat penanda tangan telah dicabut oleh penerbitnya."),
    Verdict.EXPIRED: _l("KEDALUWARSA: sertifikat penanda tangan tidak berlaku pada waktu pemeriksaan."),
    Verdict.INVALID: _l("TIDAK SAH: tanda tangan tidak dapat diverifikasi."),
    Verdict.UNSIGNED: _l(
        "TIDAK BERTANDA TANGAN ELEKTRONIK: berkas ini tidak memuat tanda tangan elektronik."
    ),
    Verdict.UNREADABLE: _l("BUKAN PDF YANG DAPAT DIBACA: berkas ini tidak dapat diperiksa."),
}


@dataclass(frozen=True)
class SignatureCheck:
    """One signature's result. Times are aware UTC datetimes."""

    verdict: Verdict
    field_name: str
    signer: str  # the certificate subject's common name
    issuer: str  # the issuer's common name
    intact: bool
    # Whether the certificate chains to the office's trust roots; None when that could not be evaluated
    # (a broken signature whose certificate chain could not be checked on its own either).
    trusted: bool | None
    covers_whole_file: bool
    signed_at: datetime | None  # the time the signer claims
    timestamp_at: datetime | None = None  # the RFC 3161 time stamp (B-T), when it validated
    certificate_valid_from: datetime | None = None
    certificate_valid_until: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def message(self):
        """The verdict in plain words (lazily translated)."""
        return MESSAGES[self.verdict]

    def as_json(self) -> dict:
        """JSON-ready: times as ISO 8601 strings."""

        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "verdict": self.verdict.value,
            "message": str(self.message),
            "field_name": self.field_name,
            "signer": self.signer,
            "issuer": self.issuer,
            "intact": self.intact,
            "trusted": self.trusted,
            "covers_whole_file": self.covers_whole_file,
            "signed_at": iso(self.signed_at),
            "timestamp_at": iso(self.timestamp_at),
            "certificate_valid_from": iso(self.certificate_valid_from),
            "certificate_valid_until": iso(self.certificate_valid_until),
            "revoked_at": iso(self.revoked_at),
        }


@dataclass(frozen=True)
class Report:
    """All signatures of a file; `verdict` is the last one's (or UNSIGNED / UNREADABLE)."""

    verdict: Verdict
    signatures: list[SignatureCheck] = field(default_factory=list)

    @property
    def message(self):
        """The verdict in plain words (lazily translated)."""
        return MESSAGES[self.verdict]

    @property
    def valid(self) -> bool:
        """Whether the file is signed and its last signature is valid."""
        return self.verdict is Verdict.VALID

    def as_json(self) -> dict:
        """JSON-ready (the API's and the CLI's `--json` shape)."""
        return {
            "verdict": self.verdict.value,
            "valid": self.valid,
            "message": str(self.message),
            "signatures": [s.as_json() for s in self.signatures],
        }


def _asn1(cert: x509.Certificate):
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def check(data: bytes, trust_roots: list[x509.Certificate], *, online: bool = False) -> Report:
    """Validate every signature in `data` against `trust_roots`; never raises for bad input.

    Revocation data: what the file embeds (its DSS, B-LT); `online` also fetches the certificates'
    published CRLs and OCSP answers (a certificate revoked after signing is then reported, with the date).
    """
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError) as exc:
        log.info("signature check: unreadable PDF (%s)", type(exc).__name__)
        return Report(Verdict.UNREADABLE)
    if not embedded:
        return Report(Verdict.UNSIGNED)
    settings = {"trust_roots": [_asn1(c) for c in trust_roots], "moment": utcnow()}
    if online:
        from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

        settings.update(allow_fetching=True, fetcher_backend=RequestsFetcherBackend())
    dss = None
    if not online:  # online, revocation data is fetched fresh: the file's own may predate a revocation
        try:
            dss = DocumentSecurityStore.read_dss(reader)
        except (NoDSSFoundError, ValueError, KeyError, TypeError):
            dss = None

    def context() -> ValidationContext:
        return dss.as_validation_context(settings) if dss is not None else ValidationContext(**settings)

    results = [_check_one(sig, context()) for sig in embedded]
    return Report(results[-1].verdict, results)


def _check_one(sig, context) -> SignatureCheck:
    from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    cert = sig.signer_cert
    facts = {
        "field_name": sig.field_name or "",
        "signer": _cn(cert.subject) if cert is not None else "",
        "issuer": _cn(cert.issuer) if cert is not None else "",
        "certificate_valid_from": cert.not_valid_before if cert is not None else None,
        "certificate_valid_until": cert.not_valid_after if cert is not None else None,
    }
    try:
        status = outside_event_loop(validate_pdf_signature, sig, context)
    except (SignatureValidationError, ValueError, KeyError, TypeError) as exc:
        log.info("signature check: %s did not validate (%s)", facts["field_name"], type(exc).__name__)
        return SignatureCheck(
            Verdict.INVALID,
            intact=False,
            trusted=_chain_trusted(sig, context),
            covers_whole_file=False,
            signed_at=None,
            **facts,
        )
    whole = status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    harmless_after = status.coverage is SignatureCoverageLevel.ENTIRE_REVISION and (
        status.modification_level is not None and status.modification_level <= ModificationLevel.LTA_UPDATES
    )
    timestamp = status.timestamp_validity
    revoked_at = status.revocation_details.revocation_date if status.revocation_details else None
    problem = status.trust_problem_indic
    if not status.intact:
        verdict = Verdict.ALTERED
    elif not (whole or harmless_after) or status.docmdp_ok is False:
        verdict = Verdict.MODIFIED
    elif revoked_at is not None or problem in (
        AdESFailure.REVOKED,
        AdESIndeterminate.REVOKED_NO_POE,
        AdESIndeterminate.REVOKED_CA_NO_POE,
    ):
        verdict = Verdict.REVOKED
    elif problem in (
        AdESIndeterminate.EXPIRED,
        AdESIndeterminate.NOT_YET_VALID,
        AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
        AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
    ):
        verdict = Verdict.EXPIRED
    elif problem is AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND or not status.trusted:
        verdict = Verdict.UNTRUSTED if status.valid or problem is not None else Verdict.INVALID
    elif not status.valid:
        verdict = Verdict.INVALID
    else:
        verdict = Verdict.VALID
    # pyHanko's `trusted` is False for any signature that is not intact and valid, whatever its chain: the
    # chain is then checked on its own, so a tampered letter's certificate is still described as it is.
    trusted = bool(status.trusted) if status.intact and status.valid else _chain_trusted(sig, context)
    return SignatureCheck(
        verdict,
        intact=bool(status.intact),
        trusted=trusted,
        covers_whole_file=whole,
        signed_at=status.signer_reported_dt,
        timestamp_at=timestamp.timestamp if timestamp is not None and timestamp.intact else None,
        revoked_at=revoked_at,
        **facts,
    )


def _chain_trusted(sig, context) -> bool | None:
    """Whether the signer's certificate (with the intermediates the signature carries) chains to the trust
    roots of `context`, judged apart from the signature itself: True, False when no path to a root
    exists or it does not validate, None when there is no certificate or the check itself failed."""
    import asyncio

    from pyhanko_certvalidator import CertificateValidator
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

    cert = sig.signer_cert
    if cert is None:
        return None
    try:
        others = [c.chosen for c in sig.signed_data["certificates"] if c.chosen != cert]
        validator = CertificateValidator(cert, intermediate_certs=others, validation_context=context)
        outside_event_loop(asyncio.run, validator.async_validate_usage(set()))
    except (PathBuildingError, PathValidationError):
        return False
    except (ValueError, KeyError, TypeError) as exc:
        log.info(
            "signature check: the chain of %s was not evaluated (%s)", sig.field_name, type(exc).__name__
        )
        return None
    return True


def _cn(name) -> str:
    """The common name of an asn1crypto Name."""
    native = name.native
    return str(native.get("common_name") or name.human_friendly)
