"""marshmallow's own validation messages in the caller's language, as the API's 422 answers give them.

The project's bounds (`ombudsman.contracts`) already speak Indonesian and English; marshmallow's field types
(`fields.Integer`, `fields.Enum`, `validate.Range`, …) answer in English only, so one answer could mix both
(`{"page": ["Must be greater than or equal to 1."], "authority_id": ["Harus bilangan bulat …"]}`). Every
message marshmallow 4 writes by default is mapped here to a translatable one (several are the same text the
forms use, `ombudsman.form_messages`); a message not listed (a project message, already translated) is
returned as it is.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

_EXACT = {
    "Missing data for required field.": lambda: _("Kolom ini wajib diisi."),
    "Field may not be null.": lambda: _("Kolom ini tidak boleh kosong (null)."),
    "Invalid value.": lambda: _("Nilai tidak sah."),
    "Invalid input.": lambda: _("Isian tidak sah."),
    "Invalid input type.": lambda: _("Jenis isian tidak sah."),
    "Invalid type.": lambda: _("Jenis isian tidak sah."),
    "Unknown field.": lambda: _("Kolom tidak dikenal."),
    "Not a valid string.": lambda: _("Bukan teks yang sah."),
    "Not a valid utf-8 string.": lambda: _("Bukan teks yang sah."),
    "Not a valid integer.": lambda: _("Bukan bilangan bulat yang sah."),
    "Not a valid number.": lambda: _("Bukan angka yang sah."),
    "Number too large.": lambda: _("Angka terlalu besar."),
    "Special numeric values (nan or infinity) are not permitted.": lambda: _("Bukan angka yang sah."),
    "Not a valid boolean.": lambda: _("Bukan nilai benar/salah yang sah."),
    "Not a valid date.": lambda: _("Bukan tanggal yang sah."),
    "Not a valid datetime.": lambda: _("Bukan tanggal dan waktu yang sah."),
    "Not a valid aware datetime.": lambda: _(
        "Bukan tanggal dan waktu dengan selisih zona waktu (misalnya 2018-07-30T09:00:00+08:00)."
    ),
    "Invalid JSON body.": lambda: _("Isi permintaan bukan JSON yang sah."),
    "Not a valid list.": lambda: _("Bukan daftar yang sah."),
    "Not a valid tuple.": lambda: _("Bukan daftar yang sah."),
    "Not a valid mapping type.": lambda: _("Bukan objek yang sah."),
    "Not a valid email address.": lambda: _("Alamat e-mail tidak sah."),
    "Not a valid URL.": lambda: _("Alamat URL tidak sah."),
    "Not a valid UUID.": lambda: _("UUID tidak sah."),
    "String does not match expected pattern.": lambda: _("Isian tidak sesuai pola yang diharapkan."),
}

_ONE_OF = re.compile(r"^Must be one of: (?P<choices>.*)\.$", re.DOTALL)
_LENGTH = (
    (
        re.compile(r"^Shorter than minimum length (?P<min>\d+)\.$"),
        lambda m: _("Panjang paling sedikit %(min)s.", **m),
    ),
    (
        re.compile(r"^Longer than maximum length (?P<max>\d+)\.$"),
        lambda m: _("Panjang paling banyak %(max)s.", **m),
    ),
    (
        re.compile(r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$"),
        lambda m: _("Panjang harus antara %(min)s dan %(max)s.", **m),
    ),
    (re.compile(r"^Length must be (?P<equal>\d+)\.$"), lambda m: _("Panjang harus tepat %(equal)s.", **m)),
)
# validate.Range: "Must be <op> <min>[ and <op> <max>]." with <op> one of four phrases.
_OPS = "greater than or equal to|greater than|less than or equal to|less than"
_RANGE = re.compile(rf"^Must be (?P<op1>{_OPS}) (?P<v1>.+?)(?: and (?P<op2>{_OPS}) (?P<v2>.+?))?\.$")


def _bound(op: str, value: str) -> str:
    if op == "greater than or equal to":
        return _("Paling kecil %(min)s.", min=value)
    if op == "greater than":
        return _("Harus lebih besar dari %(min)s.", min=value)
    if op == "less than or equal to":
        return _("Paling besar %(max)s.", max=value)
    return _("Harus lebih kecil dari %(max)s.", max=value)


def translated(message: str) -> str:
    """`message` in the request's language when it is one of marshmallow's own; else unchanged."""
    exact = _EXACT.get(message)
    if exact is not None:
        return exact()
    if match := _ONE_OF.match(message):
        return _("Harus salah satu dari: %(choices)s.", choices=match["choices"])
    for pattern, render in _LENGTH:
        if match := pattern.match(message):
            return render(match.groupdict())
    if match := _RANGE.match(message):
        if match["op1"] == "greater than or equal to" and match["op2"] == "less than or equal to":
            return _("Harus antara %(min)s dan %(max)s.", min=match["v1"], max=match["v2"])
        parts = [_bound(match["op1"], match["v1"])]
        if match["op2"]:
            parts.append(_bound(match["op2"], match["v2"]))
        return " ".join(parts)
    return message
