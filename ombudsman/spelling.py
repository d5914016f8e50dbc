"""Indonesian words for numbers, as letters spell counts out: "30 (tiga puluh) hari kerja".

Letters are always Indonesian; the words follow the Pedoman Umum Ejaan Bahasa Indonesia (PUEBI): "sebelas",
"seratus", "seribu", tens and hundreds written apart ("dua puluh lima").
"""

from __future__ import annotations

_ONES = (
    "",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
)


def number_words(n: int) -> str:
    """A whole number in Indonesian words, as letters spell counts out ("tiga puluh")."""
    if n < 0:
        return "minus " + number_words(-n)
    if n == 0:
        return "nol"
    if n < 12:
        return _ONES[n]
    if n < 20:
        return f"{_ONES[n - 10]} belas"
    if n < 100:
        tens, rest = divmod(n, 10)
        return " ".join(w for w in (f"{_ONES[tens]} puluh", _ONES[rest]) if w)
    if n < 200:
        return " ".join(w for w in ("seratus", number_words(n - 100) if n > 100 else "") if w)
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return " ".join(w for w in (f"{_ONES[hundreds]} ratus", number_words(rest) if rest else "") if w)
    if n < 2000:
        return " ".join(w for w in ("seribu", number_words(n - 1000) if n > 1000 else "") if w)
    thousands, rest = divmod(n, 1000)
    return " ".join(w for w in (f"{number_words(thousands)} ribu", number_words(rest) if rest else "") if w)
