"""Downloading an issued letter is cheap (issue 12): its stored bytes from one light query, never the
snapshot (which holds the emblem), its SHA-256 as ETag and 304 when the browser's copy is current, no
template and no session written; on the page's route and the API's alike."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import update

from ombudsman.accounts import services as accounts
from ombudsman.accounts.models import Office
from ombudsman.extensions import db
from ombudsman.letters.models import Letter

#: A statement that reads the stored bytes (`letters.pdf`, not `letters.pdf_sha256`) or the snapshot.
READS_BYTES = re.compile(r"letters\.pdf\b(?!_)")
READS_SNAPSHOT = re.compile(r"letters\.snapshot\b")
ROUTES = ("/letters/{id}/pdf", "/api/v1/letters/{id}/pdf")


@pytest.fixture
def issued(demo, letters, workflow) -> Letter:
    return workflow.issue(letters.kota.id)


@pytest.mark.parametrize("route", ROUTES)
def test_download_serves_the_stored_bytes_from_one_light_query(issued, workflow, count_queries, route):
    url = route.format(id=issued.id)
    workflow.inspector.get(url)  # the session's first request may still store its CSRF token
    with count_queries() as queries:
        response = workflow.inspector.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    body = response.get_data()
    assert hashlib.sha256(body).hexdigest() == issued.pdf_sha256
    assert response.headers["ETag"] == f'"{issued.pdf_sha256}"'
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response.headers  # no session write
    # The signed-in user, then the letter's office, status, number, hash and bytes: nothing else.
    assert queries.count == 2, queries.statements
    assert sum(bool(READS_BYTES.search(s)) for s in queries.statements) == 1
    assert not any(READS_SNAPSHOT.search(s) for s in queries.statements)


@pytest.mark.parametrize("route", ROUTES)
def test_a_current_copy_is_answered_304_without_reading_the_bytes(issued, workflow, count_queries, route):
    url = route.format(id=issued.id)
    etag = workflow.inspector.get(url).headers["ETag"]
    with count_queries() as queries:
        response = workflow.inspector.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.get_data() == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Set-Cookie" not in response.headers
    assert queries.count == 2, queries.statements
    assert not any(READS_BYTES.search(s) or READS_SNAPSHOT.search(s) for s in queries.statements)

    # Another ETag (an older copy, or another letter's) gets the bytes.
    stale = workflow.inspector.get(url, headers={"If-None-Match": '"0000", W/"1111"'})
    assert stale.status_code == 200
    assert hashlib.sha256(stale.get_data()).hexdigest() == issued.pdf_sha256


def test_changed_stored_bytes_are_refused_even_to_a_conditional_download(issued, workflow, caplog):
    url = f"/letters/{issued.id}/pdf"
    db.session.execute(update(Letter).where(Letter.id == issued.id).values(pdf=b"%PDF-1.7 changed"))
    db.session.commit()
    assert workflow.inspector.get(url).status_code == 500
    assert workflow.inspector.get(url, headers={"If-None-Match": '"0000"'}).status_code == 500
    assert "does not match its SHA-256" in caplog.text


def test_a_draft_has_no_download_and_the_api_renders_it(demo, letters, workflow):
    assert workflow.inspector.get(f"/letters/{letters.kota.id}/pdf").status_code == 404
    draft = workflow.inspector.get(f"/api/v1/letters/{letters.kota.id}/pdf")
    assert draft.status_code == 200
    assert draft.headers["X-Letter-Draft"] == "true"
    assert "ETag" not in draft.headers


def test_another_offices_issued_letter_is_a_404_with_or_without_its_etag(issued, login):
    other = Office(name="Ombudsman RI Perwakilan Bali", province="Bali")
    db.session.add(other)
    db.session.flush()
    accounts.create_user(
        email="head@bali.test", name="Kepala Bali", role="head", office=other, password="demo"
    )
    db.session.commit()
    outsider = login("head@bali.test")
    for route in ROUTES:
        url = route.format(id=issued.id)
        assert outsider.get(url).status_code == 404
        assert outsider.get(url, headers={"If-None-Match": f'"{issued.pdf_sha256}"'}).status_code == 404
