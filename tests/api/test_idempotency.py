"""Idempotent creation: the same client key twice makes one record; the same key with another body is 409."""

from __future__ import annotations

import hashlib
import io
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ombudsman.api import idempotency
from ombudsman.api.models import IdempotencyKey
from ombudsman.extensions import db
from ombudsman.inspections.models import Evidence, Finding, Inspection
from ombudsman.recommendations.models import Recommendation
from tests.api.conftest import ApiClient, issue


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _inspection(demo, **extra):
    return {"authority_id": demo.dinas.id, "title": "Sidak pasar", "visited_on": "2024-06-03", **extra}


def test_the_same_client_id_twice_makes_one_inspection(api, demo):
    client = api("inspector")
    key = str(uuid.uuid4())
    before = _count(Inspection)
    first = client.post("/api/v1/inspections", json=_inspection(demo, client_id=key))
    second = client.post("/api/v1/inspections", json=_inspection(demo, client_id=key))
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert first.get_json()["client_id"] == key
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["Idempotent-Replayed"] == "true"
    assert _count(Inspection) == before + 1
    assert _count(IdempotencyKey) == 1


def test_the_header_works_like_client_id_and_they_must_agree(api, demo):
    client = api("inspector")
    key = str(uuid.uuid4())
    headers = {"Idempotency-Key": key}
    first = client.post("/api/v1/inspections", json=_inspection(demo), headers=headers)
    again = client.post("/api/v1/inspections", json=_inspection(demo, client_id=key), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert first.get_json()["client_id"] == key

    other = str(uuid.uuid4())
    clash = client.post("/api/v1/inspections", json=_inspection(demo, client_id=other), headers=headers)
    assert clash.status_code == 422 and "client_id" in clash.get_json()["fields"]
    bad = client.post("/api/v1/inspections", json=_inspection(demo), headers={"Idempotency-Key": "abc"})
    assert bad.status_code == 422 and "Idempotency-Key" in bad.get_json()["fields"]


def test_the_same_key_with_another_body_is_refused(api, demo):
    client = api("inspector")
    key = str(uuid.uuid4())
    assert client.post("/api/v1/inspections", json=_inspection(demo, client_id=key)).status_code == 201
    before = _count(Inspection)
    response = client.post("/api/v1/inspections", json=_inspection(demo, client_id=key, title="Lain"))
    assert response.status_code == 409
    assert "client_id" in response.get_json()["fields"]
    assert _count(Inspection) == before


def test_a_key_belongs_to_one_path_and_one_user(app, api, demo):
    key = str(uuid.uuid4())
    inspector = api("inspector")
    assert inspector.post("/api/v1/inspections", json=_inspection(demo, client_id=key)).status_code == 201
    findings_before = _count(Finding)
    response = inspector.post(
        f"/api/v1/inspections/{demo.inspection.id}/findings", json={"title": "Antre", "client_id": key}
    )
    assert response.status_code == 409
    supervisor = api("supervisor")
    assert supervisor.post("/api/v1/inspections", json=_inspection(demo, client_id=key)).status_code == 409
    assert _count(Finding) == findings_before


def test_findings_and_recommendations_are_idempotent_too(api, demo):
    client = api("supervisor")
    url = f"/api/v1/inspections/{demo.inspection.id}/findings"
    body = {"title": "Tidak ada kursi prioritas", "client_id": str(uuid.uuid4())}
    before = _count(Finding)
    first, second = client.post(url, json=body), client.post(url, json=body)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_json()["number"] == second.get_json()["number"]
    assert _count(Finding) == before + 1

    rec = {
        "finding_ids": [first.get_json()["id"], demo.findings[2].id],
        "authority_id": demo.pemkot.id,
        "text": "Sediakan kursi prioritas.",
        "client_id": str(uuid.uuid4()),
    }
    recs = _count(Recommendation)
    a = client.post("/api/v1/recommendations", json=rec)
    # The order of finding_ids does not make it another request.
    b = client.post("/api/v1/recommendations", json={**rec, "finding_ids": rec["finding_ids"][::-1]})
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.get_json()["id"] == b.get_json()["id"]
    assert _count(Recommendation) == recs + 1


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".thumb.jpg"))


def test_uploading_the_same_photo_twice_stores_one_record_and_one_file(app, api, demo, jpeg_bytes):
    client = api("inspector")
    key = str(uuid.uuid4())
    url = f"/api/v1/findings/{demo.findings[3].id}/evidence"

    def send(**extra):
        data = {"file": (io.BytesIO(jpeg_bytes), "kursi.jpg"), "client_id": key, "caption": "Ruang tunggu"}
        return client.post(url, data={**data, **extra}, content_type="multipart/form-data")

    first, second = send(), send()
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_json() == second.get_json()
    assert _count(Evidence) == 1
    files = _files(Path(app.config["EVIDENCE_DIR"]))
    assert len(files) == 1 and files[0].read_bytes() == jpeg_bytes

    # Same key, another caption: another request.
    assert send(caption="Lain").status_code == 409
    assert _count(Evidence) == 1


def test_a_request_that_lost_the_race_returns_the_winners_record(api, demo, monkeypatch):
    """Two identical requests in flight: the second looked before the first committed, then collides."""
    client = api("inspector")
    key = str(uuid.uuid4())
    body = _inspection(demo, client_id=key)
    first = client.post("/api/v1/inspections", json=body)

    real_scalar = db.session.scalar
    calls = {"n": 0}

    def blind_first_lookup(stmt, *args, **kwargs):
        if "api_idempotency_keys" in str(stmt) and calls["n"] == 0:
            calls["n"] += 1
            return None  # as if the winner had not committed yet
        return real_scalar(stmt, *args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", blind_first_lookup, raising=False)
    second = client.post("/api/v1/inspections", json=body)
    monkeypatch.undo()
    assert calls["n"] == 1
    assert second.status_code == 201
    assert second.get_json()["id"] == first.get_json()["id"]
    assert _count(Inspection) == 2  # the demo's and this one


@pytest.mark.committed
def test_concurrent_identical_requests_end_with_one_record(app, demo, jpeg_bytes):
    """Real threads against the real database: whoever loses the insert answers with the winner's record."""
    token = issue(demo.users["inspector"])
    key = str(uuid.uuid4())
    body = {"title": "Loket kurang", "client_id": key}
    url = f"/api/v1/inspections/{demo.inspection.id}/findings"
    barrier = threading.Barrier(4)
    results: list = []

    def worker():
        client = ApiClient(app.test_client(), token)
        barrier.wait()
        with app.app_context():
            response = client.post(url, json=body)
            results.append((response.status_code, response.get_json()))
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 4, results
    assert {status for status, _ in results} == {201}, results
    assert len({body["id"] for _, body in results}) == 1
    assert db.session.scalar(select(func.count()).select_from(Finding).where(Finding.client_id == key)) == 1


@pytest.mark.parametrize("payload", [{"b": 1, "a": "x"}, {"a": "x", "b": 1}])
def test_the_fingerprint_ignores_key_order(payload):
    assert idempotency.fingerprint(payload) == hashlib.sha256(b'{"a":"x","b":1}').hexdigest()
