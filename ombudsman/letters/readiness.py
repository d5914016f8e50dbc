"""Is the office ready to issue letters? The letters setup checklist, and the check issuing runs first.

An issued letter can never change: a loopback address in its QR code, a placeholder in its number or a
letterhead without the emblem stays on it until a newly numbered correction replaces it. So, in production
configuration (`ENVIRONMENT == "production"`), issuing is refused until every item below holds:

- the public address (`PUBLIC_BASE_URL`, printed and encoded in the QR code) is https and not loopback,
  private or link-local (judged by `ombudsman.deploy`, the same rule that refuses to start production);
- the number template is usable and its codes are no longer the demo seed's placeholders
  (`seed_data.LETTER_SETTINGS`: "ORI", "PW-NTT");
- the letterhead is complete: the office's name, address, telephone, e-mail and website;
- an emblem image is uploaded (`emblem`);
- the signatory's name and title are known;
- in electronic-signature mode (issue 13): trust roots are set, and a head of the office has a signing
  certificate valid today that is not the demo's TEST certificate (`demo_signing`).

In development and testing (the demo) issuing goes on, and a letter issued while something is missing
carries a "DEMO" mark on every page (`LetterDocument.demo`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from ombudsman import seed_data
from ombudsman.accounts.models import Office
from ombudsman.deploy import _public_url_problems
from ombudsman.errors import Conflict
from ombudsman.letters.compose import default_signatory
from ombudsman.letters.models import LetterSettings
from ombudsman.letters.numbering import placeholders_used
from ombudsman.letters.settings import for_office, number_settings_errors

#: The number codes the demo seed sets: placeholders an office must replace before its first letter.
SEED_CODES = {
    "classification": seed_data.LETTER_SETTINGS["classification"],
    "unit": seed_data.LETTER_SETTINGS["unit_code"],
}
READINESS_FIELD = "readiness"


@dataclass(frozen=True)
class Item:
    """One line of the checklist: what is checked, whether it holds, what is missing, where to fix it.

    `fix` names the page (an endpoint) where an admin fixes it, or "" when it is the server's configuration.
    """

    key: str
    label: LazyString
    ok: bool
    missing: list[Any] = field(default_factory=list)
    fix: str = ""


def required(config: Mapping[str, Any]) -> bool:
    """Whether issuing is refused until the checklist is complete: in production configuration only."""
    return config.get("ENVIRONMENT", "production") == "production"


def _public_address(base_url: str) -> Item:
    problems = _public_url_problems(base_url or "")
    missing = []
    if problems:
        missing.append(
            _l(
                "Alamat publik %(url)s tidak dapat dipakai di kode QR: harus https dan dapat dibuka "
                "dari luar kantor (bukan localhost atau alamat lokal). Minta pengelola server mengisi "
                "OMBUDSMAN_PUBLIC_BASE_URL.",
                url=base_url or "(kosong)",
            )
        )
    return Item("public_address", _l("Alamat publik untuk kode QR dan verifikasi"), not missing, missing)


def _number_codes(settings: LetterSettings) -> Item:
    missing = list(number_settings_errors(settings))
    used = placeholders_used(settings.number_template)
    values = {"classification": settings.classification.strip(), "unit": settings.unit_code.strip()}
    labels = {"classification": _l("Kode klasifikasi"), "unit": _l("Kode unit pengolah")}
    for name, seed in SEED_CODES.items():
        if name in used and values[name] == seed:
            missing.append(
                _l(
                    "%(what)s masih contoh dari data demo (%(code)s); isi kode resmi kantor.",
                    what=labels[name],
                    code=seed,
                )
            )
    return Item(
        "number_codes", _l("Templat dan kode nomor surat"), not missing, missing, "letter_settings.letters"
    )


def _letterhead(office: Office, settings: LetterSettings) -> Item:
    parts = {
        _l("nama kantor"): settings.header.strip() or office.name.strip(),
        _l("alamat"): office.address.strip(),
        _l("telepon"): office.phone.strip(),
        _l("pos-el"): office.email.strip(),
        _l("laman"): office.website.strip(),
    }
    missing = [
        _l("Kop surat belum memuat %(what)s.", what=label) for label, value in parts.items() if not value
    ]
    return Item("letterhead", _l("Kop surat lengkap"), not missing, missing, "accounts.office_settings")


def _emblem(settings: LetterSettings) -> Item:
    missing = [] if settings.emblem_id else [_l("Lambang untuk kop surat belum diunggah.")]
    return Item("emblem", _l("Lambang di kop surat"), not missing, missing, "letter_settings.letters")


def _signatory(office: Office, settings: LetterSettings) -> Item:
    name, title = default_signatory(office, settings)
    missing = []
    if not (name or "").strip():
        missing.append(_l("Nama Kepala Perwakilan (penanda tangan) belum diisi."))
    if not (title or "").strip():
        missing.append(_l("Jabatan penanda tangan belum diisi."))
    return Item(
        "signatory", _l("Nama dan jabatan penanda tangan"), not missing, missing, "accounts.office_settings"
    )


def _electronic_signature(office: Office, settings: LetterSettings) -> Item:
    from ombudsman.clock import utcnow
    from ombudsman.letters import demo_signing, signing

    missing = []
    if not settings.trust_roots.strip():
        missing.append(_l("Sertifikat akar tepercaya untuk memeriksa tanda tangan belum diunggah."))
    now = utcnow()
    keys = [k for k in signing.office_keys(office) if k.not_before <= now <= k.not_after]
    if not keys:
        missing.append(_l("Belum ada sertifikat tanda tangan Kepala yang berlaku hari ini."))
    elif all(k.issuer == demo_signing.TEST_CA_NAME for k in keys):
        missing.append(_l("Sertifikat tanda tangan masih sertifikat TEST dari data demo."))
    return Item(
        "electronic_signature",
        _l("Tanda tangan elektronik"),
        not missing,
        missing,
        "letter_settings.signing_page",
    )


def checklist(office: Office, base_url: str) -> list[Item]:
    """The letters setup checklist of the office, in the order the page shows it (see the module)."""
    settings = for_office(office)
    items = [
        _public_address(base_url),
        _number_codes(settings),
        _letterhead(office, settings),
        _emblem(settings),
        _signatory(office, settings),
    ]
    if settings.electronic_signature:
        items.append(_electronic_signature(office, settings))
    return items


def missing(items: list[Item]) -> list[Any]:
    """Every missing thing of the checklist, in order; [] when the office is ready."""
    return [message for item in items for message in item.missing]


def check_for_issue(office: Office, base_url: str, *, enforce: bool) -> bool:
    """The check issuing runs first; returns True when the letter must carry the "DEMO" mark.

    With `enforce` (production) an incomplete checklist raises `Conflict` whose message starts with what
    to do and whose field `readiness` lists each missing thing; without it nothing is refused, and an
    incomplete checklist means the demo mark.
    """
    gaps = missing(checklist(office, base_url))
    if not gaps:
        return False
    if enforce:
        intro = _l("Surat belum dapat diterbitkan; lengkapi dulu pengaturan surat:")
        message = LazyString(lambda: " ".join(str(m) for m in (intro, *gaps)))
        raise Conflict(message, fields={READINESS_FIELD: gaps})
    return True
