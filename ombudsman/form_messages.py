"""WTForms' and Flask-WTF's own validation messages in the user's language.

WTForms ships catalogues for some thirty languages but none for Bahasa Indonesia, so without this a form in
the Indonesian interface said "This field is required." under a field. Each library message is mapped here,
once, to one of ours (Indonesian msgid, translated to English by our own catalogue like every other text);
`Form` (ombudsman.forms_common) hands `TRANSLATIONS` to every form of the application.

A library message missing from the map is shown as the library wrote it (English): the test
`tests/core/test_form_messages.py` lists the library's messages so a new one is noticed on upgrade.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Said when a form's CSRF token is missing, expired or wrong (by the error page and inside a form).
FORM_EXPIRED = _l("Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi.")

#: The library's message (its exact text, placeholders included) → ours with the same placeholders.
MESSAGES = {
    # Required and choices
    "This field is required.": _l("Kolom ini wajib diisi."),
    "Not a valid choice.": _l("Pilihan tidak sah."),
    "'%(value)s' is not a valid choice for this field.": _l(
        "'%(value)s' bukan pilihan yang sah untuk kolom ini."
    ),
    "Invalid Choice: could not coerce.": _l("Pilihan tidak sah."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l(
        "Satu atau lebih pilihan tidak sah."
    ),
    "Choices cannot be None.": _l("Pilihan tidak tersedia."),
    "Invalid value, must be one of: %(values)s.": _l("Nilai tidak sah; harus salah satu dari: %(values)s."),
    "Invalid value, can't be any of: %(values)s.": _l(
        "Nilai tidak sah; tidak boleh salah satu dari: %(values)s."
    ),
    "This field cannot be edited.": _l("Kolom ini tidak dapat diubah."),
    "This field is disabled and cannot have a value.": _l("Kolom ini nonaktif dan tidak boleh diisi."),
    "Invalid input.": _l("Isian tidak sah."),
    "Field must be equal to %(other_name)s.": _l("Isian harus sama dengan %(other_name)s."),
    # Lengths (Indonesian has one form for singular and plural)
    "Field must be at least %(min)d character long.": _l("Isian paling sedikit %(min)d karakter."),
    "Field cannot be longer than %(max)d character.": _l("Isian paling banyak %(max)d karakter."),
    "Field must be exactly %(max)d character long.": _l("Isian harus tepat %(max)d karakter."),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "Isian harus %(min)d sampai %(max)d karakter."
    ),
    # Numbers and dates
    "Number must be at least %(min)s.": _l("Angka paling kecil %(min)s."),
    "Number must be at most %(max)s.": _l("Angka paling besar %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Angka harus antara %(min)s dan %(max)s."),
    "Not a valid integer value.": _l("Bukan bilangan bulat yang sah."),
    "Not a valid decimal value.": _l("Bukan angka desimal yang sah."),
    "Not a valid float value.": _l("Bukan angka yang sah."),
    "Not a valid date value.": _l("Bukan tanggal yang sah."),
    "Not a valid datetime value.": _l("Bukan tanggal dan waktu yang sah."),
    "Not a valid time value.": _l("Bukan waktu yang sah."),
    "Not a valid week value.": _l("Bukan minggu yang sah."),
    "Date must be at least %(min)s.": _l("Tanggal paling awal %(min)s."),
    "Date must be at most %(max)s.": _l("Tanggal paling akhir %(max)s."),
    "Date must be between %(min)s and %(max)s.": _l("Tanggal harus antara %(min)s dan %(max)s."),
    # Formats
    "Invalid email address.": _l("Alamat e-mail tidak sah."),
    "Invalid URL.": _l("Alamat URL tidak sah."),
    "Invalid IP address.": _l("Alamat IP tidak sah."),
    "Invalid Mac address.": _l("Alamat MAC tidak sah."),
    "Invalid UUID.": _l("UUID tidak sah."),
    # CSRF (the form's own check; CSRFProtect's page answers before a form sees most of these)
    "CSRF failed.": FORM_EXPIRED,
    "CSRF token missing.": FORM_EXPIRED,
    "CSRF token expired.": FORM_EXPIRED,
    "Invalid CSRF Token.": FORM_EXPIRED,
    # Flask-WTF's file validators
    "File does not have an approved extension.": _l("Jenis berkas tidak diterima."),
    # (str.format placeholder: the library formats the translated text)
    "File does not have an approved extension: {extensions}": _l(
        "Jenis berkas tidak diterima; yang diterima: {extensions}"
    ),
}


class OfficeTranslations:
    """The `gettext`/`ngettext` object WTForms asks for (its `Meta.get_translations` contract)."""

    def gettext(self, string: str) -> str:
        ours = MESSAGES.get(string)
        return string if ours is None else str(ours)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        ours = MESSAGES.get(singular)
        if ours is not None:
            return str(ours)
        return singular if n == 1 else plural


TRANSLATIONS = OfficeTranslations()
