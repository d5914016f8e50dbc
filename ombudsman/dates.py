"""Indonesian date words, independent of the host's locales: letters and deadline explanations use them."""

from __future__ import annotations

from datetime import date

MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
WEEKDAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def format_date_id(d: date, *, with_year: bool = True) -> str:
    """Format a date the Indonesian way, e.g. "31 Juli 2018" (or "31 Juli" without the year)."""
    text = f"{d.day} {MONTHS_ID[d.month - 1]}"
    return f"{text} {d.year}" if with_year else text
