"""The offline phone's questions: which records and bytes the server already has, and how to route."""

from __future__ import annotations

import hashlib
import io
import uuid

from ombudsman.extensions import db
from ombudsman.inspections import services
from tests.api.conftest import ApiClient, issue


def _upload(client: ApiClient, finding_id: int, data: bytes, client_id: str):
    response = client.post(
        f"/api/v1/findings/{finding_id}/evidence",
        data={"file": (io.BytesIO(data), "foto.jpg"), "client_id": client_id},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    return response.json


def test_known_client_ids_come_back_with_their_server_ids_and_unknown_ones_as_missing(
    api, demo, jpeg_bytes, count_queries
):
    inspector = api("inspector")
    inspection_key, finding_key, photo_key, unknown = (str(uuid.uuid4()) for _ in range(4))
    inspection = inspector.post(
        "/api/v1/inspections",
        json={
            "client_id": inspection_key,
            "authority_id": demo.dinas.id,
            "title": "Sidak luring",
            "visited_on": demo.inspection.visited_on.isoformat(),
        },
    ).json
    finding = inspector.post(
        f"/api/v1/inspections/{inspection['id']}/findings",
        json={"client_id": finding_key, "title": "Catatan zzz", "responsible_authority_id": demo.dinas.id},
    ).json
    photo = _upload(inspector, finding["id"], jpeg_bytes, photo_key)
    with count_queries() as queries:
        response = inspector.get(
            "/api/v1/sync/status",
            query_string=[("client_id", k) for k in (inspection_key, finding_key, photo_key, unknown)],
        )
    assert response.status_code == 200
    body = response.json
    by_key = {r["client_id"]: r for r in body["records"]}
    assert by_key[inspection_key] == {
        "client_id": inspection_key,
        "type": "inspection",
        "id": inspection["id"],
        "inspection_id": inspection["id"],
        "finding_id": None,
        "sha256": None,
    }
    assert by_key[finding_key]["type"] == "finding" and by_key[finding_key]["id"] == finding["id"]
    assert by_key[photo_key]["id"] == photo["id"] and by_key[photo_key]["finding_id"] == finding["id"]
    assert by_key[photo_key]["sha256"] == hashlib.sha256(jpeg_bytes).hexdigest()
    assert body["missing"] == [unknown]
    assert queries.count <= 6  # the token, then one query per resource whatever the number of ids


def test_bytes_already_stored_are_found_by_sha256_within_the_finding_or_inspection(api, demo, jpeg_bytes):
    inspector = api("inspector")
    finding = demo.findings[1]
    photo = _upload(inspector, finding.id, jpeg_bytes, str(uuid.uuid4()))
    sent, other = hashlib.sha256(jpeg_bytes).hexdigest(), "ab" * 32
    for scope in ({"finding_id": finding.id}, {"inspection_id": finding.inspection_id}):
        response = inspector.get(
            "/api/v1/sync/status", query_string={**scope, "sha256": [sent.upper(), other]}
        )
        assert response.status_code == 200, response.json
        assert [f["id"] for f in response.json["files"]] == [photo["id"]]
        assert response.json["files"][0]["sha256"] == sent
        assert response.json["missing_sha256"] == [other]
    elsewhere = demo.findings[2]
    response = inspector.get("/api/v1/sync/status", query_string={"finding_id": elsewhere.id, "sha256": sent})
    assert response.json["files"] == [] and response.json["missing_sha256"] == [sent]


def test_another_offices_records_and_files_are_not_leaked(app, api, demo, other_office, jpeg_bytes):
    key = str(uuid.uuid4())
    photo = _upload(api("inspector"), demo.findings[1].id, jpeg_bytes, key)
    bali = ApiClient(app.test_client(), issue(other_office.users["inspector"]))
    response = bali.get("/api/v1/sync/status", query_string={"client_id": key})
    assert response.status_code == 200
    assert response.json["records"] == [] and response.json["missing"] == [key]
    sha = hashlib.sha256(jpeg_bytes).hexdigest()
    assert photo["sha256"] == sha
    for scope in ({"finding_id": demo.findings[1].id}, {"inspection_id": demo.inspection.id}):
        response = bali.get("/api/v1/sync/status", query_string={**scope, "sha256": sha})
        assert response.status_code == 404


def test_bad_questions_are_4xx_naming_the_field(api, demo):
    inspector = api("inspector")
    response = inspector.get("/api/v1/sync/status", query_string={"sha256": "ab" * 32})
    assert response.status_code == 422 and "inspection_id" in response.json["fields"]
    response = inspector.get("/api/v1/sync/status", query_string={"client_id": "bukan-uuid"})
    assert response.status_code == 422 and any(f.startswith("client_id") for f in response.json["fields"])
    many = [("client_id", str(uuid.uuid4())) for _ in range(51)]
    assert inspector.get("/api/v1/sync/status", query_string=many).status_code == 422
    assert api("viewer").get("/api/v1/sync/status").status_code == 403


def test_routing_gives_themes_authorities_and_suggestions_as_the_form_does(api, demo):
    inspection = demo.inspection
    rule = next(r for r in services.authorities.active_rules())
    response = api("inspector").get(
        f"/api/v1/inspections/{inspection.id}/routing", query_string={"routing_rule_id": rule.id}
    )
    assert response.status_code == 200, response.json
    body = response.json
    expected = services.suggestion_for(inspection, rule.id, None, "").as_dict()
    assert body["suggestion"] == expected
    theme = next(t for t in body["themes"] if t["id"] == rule.id)
    assert theme["suggestion"] == expected and theme["keywords"] == rule.keyword_list()
    assert {a["id"] for a in body["authorities"]} == {a.id for a in services.authorities.active_authorities()}
    assert body["checklist_items"]  # the demo inspection has a checklist
    no_match = api("inspector").get(
        f"/api/v1/inspections/{inspection.id}/routing", query_string={"text": "zzz tidak cocok apa pun"}
    )
    assert no_match.json["suggestion"]["authority_id"] is None
    unknown = api("inspector").get(
        f"/api/v1/inspections/{inspection.id}/routing", query_string={"routing_rule_id": 999_999}
    )
    assert unknown.status_code == 422 and "routing_rule_id" in unknown.json["fields"]


def test_routing_of_another_offices_inspection_is_a_404(app, demo, other_office):
    bali = ApiClient(app.test_client(), issue(other_office.users["inspector"]))
    assert bali.get(f"/api/v1/inspections/{demo.inspection.id}/routing").status_code == 404
    assert bali.get(f"/api/v1/inspections/{other_office.inspection.id}/routing").status_code == 200


def test_a_finding_without_theme_or_match_is_refused_on_a_field_the_capture_form_has(api, demo):
    """The capture form has the authority picker (`responsible_authority_id`); the refusal names it."""
    response = api("inspector").post(
        f"/api/v1/inspections/{demo.inspection.id}/findings",
        json={"client_id": str(uuid.uuid4()), "title": "zzz tidak cocok apa pun"},
    )
    assert response.status_code == 422
    assert list(response.json["fields"]) == ["responsible_authority_id"]
    db.session.rollback()
