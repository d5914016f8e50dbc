"""The role × route matrix of the API, and its agreement with the web UI's own guards."""

from __future__ import annotations

import io
import uuid

import pytest

from ombudsman.accounts.permissions import EVERYONE, FIELD_WORK, RECOMMEND

ROLES = ("inspector", "supervisor", "head", "admin", "viewer")


def _reads(d):
    return [
        ("GET", "/api/v1/me", None),
        ("GET", "/api/v1/authorities", None),
        ("GET", f"/api/v1/authorities/{d.dinas.id}", None),
        ("GET", "/api/v1/inspections", None),
        ("GET", f"/api/v1/inspections/{d.inspection.id}", None),
        ("GET", f"/api/v1/inspections/{d.inspection.id}/checklist", None),
        ("GET", f"/api/v1/inspections/{d.inspection.id}/findings", None),
        ("GET", f"/api/v1/inspections/{d.inspection.id}/evidence", None),
        ("GET", "/api/v1/findings", None),
        ("GET", f"/api/v1/findings/{d.findings[1].id}", None),
        ("GET", f"/api/v1/findings/{d.findings[1].id}/evidence", None),
        ("GET", "/api/v1/recommendations", None),
        ("GET", "/api/v1/letters", None),
        ("GET", "/api/v1/letters/1", None),
        ("GET", "/api/v1/deadlines", None),
    ]


def _writes(d, png):
    """(method, path, body, roles allowed, status when allowed) for each writing route."""
    inspection, finding = d.inspection.id, d.findings[1].id
    return [
        (
            "POST",
            "/api/v1/inspections",
            {"authority_id": d.dinas.id, "title": "T", "visited_on": "2024-01-02"},
            FIELD_WORK,
            201,
        ),
        ("PATCH", f"/api/v1/inspections/{inspection}", {"summary": "Ringkasan"}, FIELD_WORK, 200),
        ("PUT", f"/api/v1/inspections/{inspection}/checklist", {"answers": []}, FIELD_WORK, 200),
        ("POST", f"/api/v1/inspections/{inspection}/findings", {"title": "Toilet rusak"}, FIELD_WORK, 201),
        ("PATCH", f"/api/v1/findings/{finding}", {"severity": "high"}, FIELD_WORK, 200),
        ("POST", f"/api/v1/findings/{finding}/evidence", "photo", FIELD_WORK, 201),
        ("POST", f"/api/v1/inspections/{inspection}/evidence", "photo", FIELD_WORK, 201),
        (
            "POST",
            "/api/v1/recommendations",
            {"finding_ids": [finding], "authority_id": d.pemkot.id, "text": "Tambah loket."},
            RECOMMEND,
            201,
        ),
        ("PATCH", "/api/v1/recommendations/1", {"status": "in_progress"}, RECOMMEND, 200),
    ]


def _send(client, method, path, body, png):
    if body == "photo":
        data = {"file": (io.BytesIO(png), "foto.png"), "client_id": str(uuid.uuid4())}
        return client.open(method, path, data=data, content_type="multipart/form-data")
    return client.open(method, path, json=body)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_its_office(api, demo, role):
    client = api(role)
    for method, path, _ in _reads(demo):
        response = client.open(method, path)
        assert response.status_code == 200, (role, path, response.get_json())


@pytest.mark.parametrize("role", ROLES)
def test_writes_follow_the_role_sets_of_the_web_ui(api, demo, png_bytes, role):
    client = api(role)
    for method, path, body, allowed, ok in _writes(demo, png_bytes):
        response = _send(client, method, path, body, png_bytes)
        expected = ok if demo.users[role].role in allowed else 403
        assert response.status_code == expected, (role, method, path, response.get_json())
        assert response.is_json


@pytest.mark.parametrize("role", ROLES)
def test_field_work_submits_and_only_a_supervisor_changes_or_reopens_afterwards(api, demo, role):
    url = f"/api/v1/inspections/{demo.inspection.id}"
    client = api(role)
    may_submit = role in ("inspector", "supervisor")
    assert client.post(f"{url}/submit").status_code == (200 if may_submit else 403)
    if not may_submit:
        assert api("supervisor").post(f"{url}/submit").status_code == 200
    assert client.get(url).get_json()["status"] == "submitted"
    assert client.patch(url, json={"summary": "x"}).status_code == (200 if role == "supervisor" else 403)
    assert client.post(f"{url}/reopen").status_code == (200 if role == "supervisor" else 403)


def test_an_inspector_off_the_team_cannot_change_a_colleagues_draft(app, api, demo):
    from ombudsman.accounts import services as accounts
    from ombudsman.extensions import db
    from tests.api.conftest import ApiClient, issue

    colleague = accounts.create_user(
        email="inspector2@demo.test", name="Yakobus", role="inspector", office=demo.office, password="demo"
    )
    db.session.commit()
    other = ApiClient(app.test_client(), issue(colleague))
    assert other.get(f"/api/v1/inspections/{demo.inspection.id}").status_code == 200
    assert other.patch(f"/api/v1/inspections/{demo.inspection.id}", json={"summary": "x"}).status_code == 403
    response = other.post(f"/api/v1/inspections/{demo.inspection.id}/findings", json={"title": "x"})
    assert response.status_code == 403


# API endpoint -> the web page doing the same thing; their role sets must be identical.
SAME_AS_WEB = {
    "api_inspections.list_inspections": "inspections.index",
    "api_inspections.create_inspection": "inspections.new",
    "api_inspections.get_inspection": "inspections.show",
    "api_inspections.update_inspection": "inspections.edit",
    "api_inspections.submit_inspection": "inspections.submit",
    "api_inspections.reopen_inspection": "inspections.reopen",
    "api_inspections.put_checklist": "inspections.checklist",
    "api_findings.create_finding": "inspections.new_finding",
    "api_findings.list_findings": "findings.index",
    "api_findings.get_finding": "findings.show",
    "api_findings.update_finding": "findings.edit",
    "api_evidence.upload_finding_evidence": "findings.upload_evidence",
    "api_evidence.upload_inspection_evidence": "inspections.upload_evidence",
    "api_evidence.evidence_file": "evidence.file",
    "api_recommendations.list_recommendations": "recommendations.index",
    "api_recommendations.create_recommendation": "recommendations.new",
    "api_recommendations.get_recommendation": "recommendations.show",
    "api_recommendations.update_recommendation": "recommendations.edit",
    "api_authorities.list_authorities": "authorities.index",
    "api_authorities.get_authority": "authorities.show",
    "api_letters.list_letters": "letters.index",
    "api_letters.create_letter": "letters.draft_from_inspection",
    "api_letters.get_letter": "letters.show",
    "api_letters.update_letter": "letters.edit",
    "api_letters.submit_letter": "letters.submit",
    "api_letters.approve_letter": "letters.approve",
    "api_letters.return_letter": "letters.return_to_draft",
    "api_letters.issue_letter": "letters.issue",
    "api_letters.record_delivery": "letters.delivery",
    "api_letters.letter_pdf": "letters.pdf",
    "api_deadlines.list_deadlines": "deadlines.listing",
}


def test_api_guards_are_the_web_guards(app):
    views = app.view_functions
    for api_endpoint, web_endpoint in SAME_AS_WEB.items():
        assert views[api_endpoint]._roles == views[web_endpoint]._roles, api_endpoint
    guarded = [e for e in views if e.startswith("api_") and e not in ("api_tokens.create_token",)]
    for endpoint in guarded:
        if endpoint.startswith("api_assets"):
            continue
        assert getattr(views[endpoint], "_roles", None) is not None, f"{endpoint} has no role guard"
    assert views["api_tokens.me"]._roles == EVERYONE
