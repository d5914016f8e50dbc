"""Letter number templates: checking an office's template and filling it in.

A template is text with placeholders in braces, e.g. ``{seq}/{classification}/{unit}/{month_roman}/{year}``.
``{seq}`` and ``{month}`` take an optional zero-padding width (``{seq:4}`` gives ``0012``). Everything else
is printed as typed. Allocating the sequence is a database matter (see ``counters.allocate_sequence``); this
module is pure so that the settings form and the tests can use it without a database.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

DEFAULT_NUMBER_TEMPLATE = "{seq}/{classification}/{unit}/{month_roman}/{year}"

#: Placeholder name -> what it stands for (shown on the settings page).
PLACEHOLDERS = {
    "seq": _l("nomor urut surat kantor dalam tahun berjalan (mulai 1 setiap tahun)"),
    "classification": _l("kode klasifikasi dari pengaturan"),
    "unit": _l("kode unit pengolah dari pengaturan"),
    "month_roman": _l("bulan dalam angka Romawi (VII)"),
    "month": _l("bulan dalam angka Arab (7)"),
    "year": _l("tahun empat angka (2018)"),
}
# Only numbers can be zero-padded; a width on a code would silently mean nothing.
_PADDABLE = {"seq", "month"}
_FIELD_RE = re.compile(r"\{([^{}]*)\}")
_SPEC_RE = re.compile(r"(?P<name>[a-z_]+)(?::(?P<width>[1-8]))?")
MAX_TEMPLATE_LENGTH = 200

_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def roman(value: int) -> str:
    """A positive integer in Roman numerals (7 -> "VII")."""
    if value < 1:
        raise ValueError("Roman numerals start at 1")
    out = []
    for amount, letters in _ROMAN:
        count, value = divmod(value, amount)
        out.append(letters * count)
    return "".join(out)


def template_errors(template: str) -> list[LazyString]:
    """Why a number template cannot be used (lazily translated messages); an empty list means it is fine."""
    errors: list[LazyString] = []
    if not template.strip():
        return [_l("Templat nomor surat wajib diisi.")]
    if len(template) > MAX_TEMPLATE_LENGTH:
        errors.append(_l("Templat nomor surat paling panjang %(max)d karakter.", max=MAX_TEMPLATE_LENGTH))
    if "\n" in template or "\r" in template:
        errors.append(_l("Templat nomor surat harus satu baris."))
    # Braces left after removing well-formed fields are unbalanced ones.
    if "{" in _FIELD_RE.sub("", template) or "}" in _FIELD_RE.sub("", template):
        errors.append(_l("Kurung kurawal tidak berpasangan dalam templat nomor surat."))
    names = []
    known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    for raw in _FIELD_RE.findall(template):
        match = _SPEC_RE.fullmatch(raw.strip())
        if match is None or match["name"] not in PLACEHOLDERS:
            errors.append(
                _l(
                    "Penanda %(field)s tidak dikenal. Yang dikenal: %(known)s.",
                    field=f"{{{raw}}}",
                    known=known,
                )
            )
            continue
        if match["width"] and match["name"] not in _PADDABLE:
            errors.append(
                _l("Lebar angka hanya berlaku untuk {seq} dan {month}, bukan %(field)s.", field=f"{{{raw}}}")
            )
        names.append(match["name"])
    if "seq" not in names:
        errors.append(_l("Templat nomor surat harus memuat {seq} agar nomor tidak pernah terulang."))
    if "year" not in names:
        errors.append(_l("Templat nomor surat harus memuat {year}: nomor urut dimulai lagi setiap tahun."))
    return errors


def placeholders_used(template: str) -> set[str]:
    """The placeholder names a (valid) template uses."""
    return {m["name"] for raw in _FIELD_RE.findall(template) if (m := _SPEC_RE.fullmatch(raw.strip()))}


def format_number(template: str, *, seq: int, day: date, classification: str = "", unit: str = "") -> str:
    """Fill a template in; raises ValueError for a template that template_errors() refuses."""
    errors = template_errors(template)
    if errors:
        raise ValueError(" ".join(str(e) for e in errors))
    values = {
        "seq": seq,
        "classification": classification.strip(),
        "unit": unit.strip(),
        "month_roman": roman(day.month),
        "month": day.month,
        "year": day.year,
    }

    def fill(match: re.Match[str]) -> str:
        spec = _SPEC_RE.fullmatch(match[1].strip())
        assert spec is not None  # checked above
        value = values[spec["name"]]
        return f"{value:0{spec['width']}d}" if spec["width"] else str(value)

    return _FIELD_RE.sub(fill, template)
