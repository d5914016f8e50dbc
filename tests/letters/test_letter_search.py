"""The register's `?q=` search (issue 12): words of the hal with and without affixes, on both databases, and
the start of a number; operator characters are safe; only the user's office."""

from __future__ import annotations

import pytest

from ombudsman.accounts.models import Office
from ombudsman.extensions import db
from ombudsman.letters import drafting
from ombudsman.letters.commands import LetterDraft, NewLetter
from ombudsman.letters.models import Letter
from ombudsman.letters.register import LetterFilters, register_query


def _draft(demo, hal: str) -> Letter:
    return drafting.create(
        demo.office,
        demo.users["inspector"],
        NewLetter(authority_id=demo.pemkot.id, hal=hal, kind="klarifikasi"),
    )


def _found(office_id: int, q: str) -> set[int]:
    return {letter.id for letter in db.session.scalars(register_query(office_id, LetterFilters(q=q)))}


@pytest.mark.parametrize(
    "q", ["permintaan klarifikasi", "meminta", "mengklarifikasi", "Klarifikasi!", "klarif"]
)
def test_the_hal_is_found_by_its_words_with_or_without_affixes(demo, q):
    letter = _draft(demo, "Permintaan Klarifikasi atas Pungutan")
    other = _draft(demo, "Saran perbaikan loket")
    db.session.commit()
    found = _found(demo.office.id, q)
    assert letter.id in found and other.id not in found


def test_an_edited_hal_is_searched_by_its_new_words(demo):
    letter = _draft(demo, "Permintaan klarifikasi")
    db.session.commit()
    drafting.update(
        letter,
        demo.users["inspector"],
        LetterDraft(authority_id=demo.pemkot.id, hal="Hasil pemeriksaan loket", kind="klarifikasi"),
    )
    db.session.commit()
    assert letter.id in _found(demo.office.id, "diperiksa")
    assert letter.id not in _found(demo.office.id, "klarifikasi")


@pytest.mark.parametrize("q", ['"', "*", "NEAR", "-", ":", "%", "_", "' & | ! ( )", 'klarifikasi" OR "x'])
def test_operator_characters_are_safe(demo, login, q):
    _draft(demo, "Permintaan klarifikasi")
    db.session.commit()
    page = login("viewer@demo.test").get("/letters/", query_string={"q": q})
    assert page.status_code == 200
    if q in {"%", "_"}:  # no longer LIKE wildcards matching every letter
        assert _found(demo.office.id, q) == set()


def test_only_the_users_office(demo, login):
    bali = Office(name="Ombudsman RI Perwakilan Bali", short_name="Bali", province="Bali")
    db.session.add(bali)
    db.session.flush()
    # Bali has no letter settings (signatory) yet: its letter is written directly.
    theirs = Letter(
        office_id=bali.id,
        authority_id=demo.pemkot.id,
        hal="Permintaan klarifikasi Denpasar",
        created_by_id=demo.users["inspector"].id,
    )
    db.session.add(theirs)
    ours = _draft(demo, "Permintaan klarifikasi Kupang")
    db.session.commit()
    assert _found(demo.office.id, "klarifikasi") >= {ours.id} and theirs.id not in _found(
        demo.office.id, "klarifikasi"
    )
    assert _found(bali.id, "klarifikasi") == {theirs.id}
    page = login("viewer@demo.test").get("/letters/?q=klarifikasi+denpasar").get_data(as_text=True)
    assert "Denpasar" not in page
