"""The texts a new draft starts with, as a clerk would sign them: "di <tempat>" after the addressee and in
the Tembusan whatever way the register's place line was typed, and an opening that names the kind of
recommendations the letter conveys."""

import pytest
from sqlalchemy import select

from ombudsman.extensions import db
from ombudsman.letters import compose
from ombudsman.letters.models import Letter, LetterCopy
from ombudsman.recommendations.models import RecommendationKind


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("Denpasar", "di Denpasar"),
        ("  Kota   Denpasar ", "di Kota Denpasar"),
        ("di Kupang", "di Kupang"),
        ("Di Tempat", "di Tempat"),
        ("DI  Kupang", "di Kupang"),
        ("Dili", "di Dili"),  # begins with "di" but is a name
        ("", ""),
    ],
)
def test_the_place_line_is_printed_with_di(typed, printed):
    assert compose.place_phrase(typed) == printed


def test_a_place_typed_without_di_reads_right_in_yth_and_tembusan(demo):
    demo.pemkot.place_line = "Kupang"  # as a new office's admin might type it in the register
    demo.pemprov.place_line = "Kupang"
    db.session.flush()
    assert compose.recipient_lines_for(demo.pemkot) == [demo.pemkot.head_title, "di Kupang"]
    letter = db.session.scalar(select(Letter).where(Letter.authority_id == demo.pemkot.id).limit(1))
    letter.copies.append(LetterCopy(authority_id=demo.pemprov.id, text=""))
    db.session.flush()
    db.session.expire(letter, ["copies"])
    assert f"{demo.pemprov.head_title} di Kupang" in compose.tembusan_for(letter)
    assert not any(line.endswith("Kupang Kupang") for line in compose.tembusan_for(letter))


@pytest.mark.parametrize(
    ("kinds", "conveyed"),
    [
        ((RecommendationKind.TINDAKAN_KOREKTIF,) * 2, "temuan dan tindakan korektif sebagai berikut:"),
        ((RecommendationKind.SARAN,), "temuan dan saran perbaikan sebagai berikut:"),
        ((RecommendationKind.REKOMENDASI,), "temuan dan Rekomendasi sebagai berikut:"),
        (
            (RecommendationKind.SARAN, RecommendationKind.TINDAKAN_KOREKTIF),
            "temuan dan saran perbaikan sebagai",
        ),
    ],
)
def test_the_opening_names_what_the_letter_conveys(demo, kinds, conveyed):
    opening = compose.default_opening(demo.office, demo.inspection, kinds)
    assert opening.startswith("Sehubungan dengan inspeksi mendadak yang dilakukan oleh")
    assert conveyed in opening
