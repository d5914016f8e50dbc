"""Parallel creation: many clients adding findings to one inspection at once all succeed, numbered 1..n.

The clients are real threads sending real HTTP requests to the live server (its own threads, its own database
connections) or to `gunicorn -w 4` (PostgreSQL), so the demo data and the token are committed first.
"""

from __future__ import annotations

import http.client
import json
import threading
import uuid

import pytest
from databases import IS_POSTGRES
from gunicorn_testing import Answer, clean_environment, gunicorn
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ombudsman.api import idempotency
from ombudsman.extensions import db
from ombudsman.inspections.models import Finding
from tests.api.conftest import issue

CLIENTS = 12
FINDINGS_EACH = 5


# Generous: sixty creates queue behind four workers on a machine that may be busy with other work.
REQUEST_TIMEOUT_SECONDS = 120


def _post(base: str, path: str, token: str, body: dict) -> Answer:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=REQUEST_TIMEOUT_SECONDS)
    try:
        connection.request("POST", path, json.dumps(body), headers)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


def _twelve_times_five(base: str, token: str, demo) -> tuple[int, list[tuple[int, str]]]:
    """A new inspection, then 12 clients × 5 findings posted at once, each with its own key.

    Returns the inspection's id and every (status, body) answer.
    """
    created = _post(
        base,
        "/api/v1/inspections",
        token,
        {"authority_id": demo.dinas.id, "title": "Sidak serentak", "visited_on": "2024-06-03"},
    )
    assert created.status == 201, created.text
    inspection_id = json.loads(created.text)["id"]
    path = f"/api/v1/inspections/{inspection_id}/findings"
    barrier = threading.Barrier(CLIENTS)
    answers: list[tuple[int, str]] = []

    def client(n: int) -> None:
        barrier.wait()
        for i in range(FINDINGS_EACH):
            body = {
                "title": f"Temuan {n}-{i}",
                "responsible_authority_id": demo.dinas.id,
                "client_id": str(uuid.uuid4()),
            }
            answer = _post(base, path, token, body)
            answers.append((answer.status, answer.text))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(FINDINGS_EACH * REQUEST_TIMEOUT_SECONDS)
    assert len(answers) == CLIENTS * FINDINGS_EACH
    return inspection_id, answers


@pytest.mark.committed  # the server's threads read what the test committed (live_server implies it too)
def test_twelve_clients_posting_five_findings_each_get_numbers_one_to_sixty(live_server, demo):
    token = issue(demo.users["inspector"])
    inspection_id, answers = _twelve_times_five(live_server, token, demo)
    assert [(status, text) for status, text in answers if status != 201] == []  # no 409, no 5xx
    numbers = sorted(json.loads(text)["number"] for _, text in answers)
    assert numbers == list(range(1, CLIENTS * FINDINGS_EACH + 1))
    stored = db.session.scalars(select(Finding.number).where(Finding.inspection_id == inspection_id)).all()
    assert sorted(stored) == numbers


def _finding(demo, title: str, key: str | None = None) -> dict:
    return {"title": title, "responsible_authority_id": demo.dinas.id, "client_id": key or str(uuid.uuid4())}


def _clash():
    raise IntegrityError(
        "INSERT INTO findings ...", {}, Exception("UNIQUE constraint failed: findings.number")
    )


def test_a_clash_that_is_not_about_the_key_is_retried_not_a_409(api, demo, monkeypatch):
    """A unique number taken by a concurrent request is retried; the record is made once it passes."""
    from ombudsman.inspections import services

    real_create = services.create_finding
    calls = {"n": 0}

    def clashing_once(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            _clash()
        return real_create(*args, **kwargs)

    monkeypatch.setattr(services, "create_finding", clashing_once)
    answer = api("inspector").post(
        f"/api/v1/inspections/{demo.inspection.id}/findings",
        json=_finding(demo, "Papan informasi kosong"),
    )
    assert answer.status_code == 201, answer.get_json()
    assert calls["n"] == 2


def test_a_clash_that_persists_asks_to_retry_and_is_never_a_409(api, demo, monkeypatch):
    from ombudsman.inspections import services

    monkeypatch.setattr(services, "create_finding", lambda *a, **k: _clash())
    answer = api("inspector").post(
        f"/api/v1/inspections/{demo.inspection.id}/findings",
        json=_finding(demo, "Papan informasi kosong"),
    )
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == str(idempotency.RETRY_AFTER_SECONDS)
    assert "kirim ulang" in answer.get_json()["error"]


def test_the_same_key_with_another_body_is_still_a_409(api, demo):
    client = api("inspector")
    url = f"/api/v1/inspections/{demo.inspection.id}/findings"
    key = str(uuid.uuid4())
    assert client.post(url, json=_finding(demo, "Satu", key)).status_code == 201
    other = client.post(url, json=_finding(demo, "Dua", key))
    assert other.status_code == 409


@pytest.mark.committed  # four gunicorn worker processes read what the test committed
@pytest.mark.skipif(
    not IS_POSTGRES, reason="production runs several workers on PostgreSQL; SQLite is covered by threads"
)
def test_twelve_clients_on_four_gunicorn_workers_get_numbers_one_to_sixty(app, demo, tmp_path):
    """The same through `gunicorn -w 4`: the counter row's lock holds across processes, not only threads."""
    token = issue(demo.users["inspector"])
    settings = {
        "OMBUDSMAN_ENV": "testing",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "OMBUDSMAN_EVIDENCE_DIR": str(tmp_path / "evidence"),
    }
    with gunicorn(clean_environment(**settings), workers=4) as url:
        inspection_id, answers = _twelve_times_five(url, token, demo)
    assert [(status, text) for status, text in answers if status != 201] == []
    numbers = sorted(json.loads(text)["number"] for _, text in answers)
    assert numbers == list(range(1, CLIENTS * FINDINGS_EACH + 1))
    stored = db.session.scalars(select(Finding.number).where(Finding.inspection_id == inspection_id)).all()
    assert sorted(stored) == numbers
