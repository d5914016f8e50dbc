"""Office isolation: a token of another office sees 404 for this office's records, and lists only its own."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from ombudsman.extensions import db
from ombudsman.inspections.models import Evidence, Finding
from tests.api.conftest import ApiClient, issue


def test_another_office_sees_404_for_every_record(app, demo, other_office, png_bytes):
    kupang = ApiClient(app.test_client(), issue(demo.users["inspector"]))
    upload = kupang.post(
        f"/api/v1/findings/{demo.findings[1].id}/evidence",
        data={"file": (io.BytesIO(png_bytes), "a.png")},
        content_type="multipart/form-data",
    )
    evidence_id = upload.get_json()["id"]

    bali = ApiClient(app.test_client(), issue(other_office.users["supervisor"]))
    inspection, finding = demo.inspection.id, demo.findings[1].id
    for method, path, body in [
        ("GET", f"/api/v1/inspections/{inspection}", None),
        ("PATCH", f"/api/v1/inspections/{inspection}", {"summary": "x"}),
        ("POST", f"/api/v1/inspections/{inspection}/submit", None),
        ("POST", f"/api/v1/inspections/{inspection}/reopen", None),
        ("GET", f"/api/v1/inspections/{inspection}/checklist", None),
        ("PUT", f"/api/v1/inspections/{inspection}/checklist", {"answers": []}),
        ("GET", f"/api/v1/inspections/{inspection}/findings", None),
        ("POST", f"/api/v1/inspections/{inspection}/findings", {"title": "Sisipan"}),
        ("GET", f"/api/v1/inspections/{inspection}/evidence", None),
        ("GET", f"/api/v1/findings/{finding}", None),
        ("PATCH", f"/api/v1/findings/{finding}", {"title": "Diubah"}),
        ("GET", f"/api/v1/findings/{finding}/evidence", None),
        ("GET", f"/api/v1/evidence/{evidence_id}", None),
        ("GET", f"/api/v1/evidence/{evidence_id}/file", None),
        ("GET", "/api/v1/recommendations/1", None),
        ("PATCH", "/api/v1/recommendations/1", {"status": "in_progress"}),
    ]:
        response = bali.open(method, path, json=body)
        assert response.status_code == 404, (method, path, response.status_code)
        assert response.get_json()["fields"] == {}

    upload = bali.post(
        f"/api/v1/findings/{finding}/evidence",
        data={"file": (io.BytesIO(png_bytes), "b.png")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 1
    assert db.session.get(Finding, finding).title != "Diubah"


def test_lists_hold_only_the_callers_office(app, demo, other_office):
    bali = ApiClient(app.test_client(), issue(other_office.users["inspector"]))
    inspections = bali.get("/api/v1/inspections").get_json()
    assert [i["id"] for i in inspections["items"]] == [other_office.inspection.id]
    assert inspections["total"] == 1
    assert bali.get("/api/v1/findings").get_json()["total"] == 0
    assert bali.get("/api/v1/recommendations").get_json()["total"] == 0
    # The register is shared by every office.
    assert bali.get("/api/v1/authorities").get_json()["total"] == 5


def test_recommendations_cannot_cite_another_offices_findings(app, demo, other_office):
    bali = ApiClient(app.test_client(), issue(other_office.users["supervisor"]))
    response = bali.post(
        "/api/v1/recommendations",
        json={"finding_ids": [demo.findings[1].id], "authority_id": demo.pemkot.id, "text": "Tambah loket."},
    )
    assert response.status_code == 422
    assert "finding_ids" in response.get_json()["fields"]
