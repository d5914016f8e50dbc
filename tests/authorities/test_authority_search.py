"""The register of authorities' `?q=` search (issue 12): the words of the name, short name and head's title,
with or without affixes, on both databases; operator characters are safe; edits are searched by their new
words."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ombudsman.authorities import services
from ombudsman.authorities.models import Authority
from ombudsman.extensions import db


def _found(q: str) -> set[int]:
    return set(db.session.scalars(select(Authority.id).where(services.search_query(q).whereclause)))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("penduduk", {"ditjen"}),  # "Direktur Jenderal Kependudukan dan Pencatatan Sipil"
        ("kependudukan pencatatan", {"ditjen"}),
        ("dukcapil", {"ditjen"}),  # the short name
        ("wali kota", {"pemkot"}),
        ("menteri dalam negeri", {"kemendagri"}),
        ("kemen", {"kemendagri"}),  # the start of a word being typed
    ],
)
def test_words_with_and_without_affixes(demo, q, expected):
    found = _found(q)
    for key in expected:
        assert getattr(demo, key).id in found
    assert demo.pemprov.id not in found


@pytest.mark.parametrize("q", ['"', "*", "NEAR", "-", ":", "%", "_", "' & | ! ( )"])
def test_operator_characters_are_safe(demo, login, q):
    assert login("viewer@demo.test").get("/authorities/", query_string={"q": q}).status_code == 200
    if q in {"%", "_"}:  # no longer LIKE wildcards matching every authority
        assert _found(q) == set()


def test_an_edited_name_is_searched_by_its_new_words(demo):
    authority = db.session.get(Authority, demo.pemprov.id)
    authority.head_title = "Penjabat Gubernur Nusa Tenggara Timur"
    db.session.commit()
    assert demo.pemprov.id in _found("jabat gubernur")
