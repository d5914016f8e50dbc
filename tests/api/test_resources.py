"""The contract of each resource: field names, filters, pagination, the domain rules the services apply."""

from __future__ import annotations

import hashlib
import io

from sqlalchemy import select

from ombudsman.audit.models import AuditEvent
from ombudsman.extensions import db


def test_authorities_carry_the_contract_fields_and_filter(api, demo):
    client = api("viewer")
    central = client.get("/api/v1/authorities?level=central").get_json()
    assert {a["name"] for a in central["items"]} == {demo.kemendagri.name, demo.ditjen.name}
    item = client.get(f"/api/v1/authorities/{demo.dinas.id}").get_json()
    assert {"id", "name", "level", "parent_id", "head_title"} <= set(item)
    assert item["parent_id"] == demo.pemkot.id and item["level"] == "regency_city"
    found = client.get("/api/v1/authorities?q=wali kota").get_json()
    assert [a["id"] for a in found["items"]] == [demo.pemkot.id]
    assert client.get("/api/v1/authorities/99999").status_code == 404


def test_lists_paginate_in_a_stable_order_with_the_total(api, demo):
    client = api("viewer")
    seen = []
    for page in (1, 2, 3, 4):
        body = client.get(
            f"/api/v1/inspections/{demo.inspection.id}/findings?per_page=3&page={page}"
        ).get_json()
        assert body["total"] == 10 and body["pages"] == 4 and body["per_page"] == 3 and body["page"] == page
        seen += [f["number"] for f in body["items"]]
    assert seen == list(range(1, 11))
    empty = client.get("/api/v1/findings?per_page=5&page=9").get_json()
    assert empty["items"] == [] and empty["total"] == 10
    all_ids = [
        f["id"]
        for p in (1, 2)
        for f in client.get(f"/api/v1/findings?per_page=5&page={p}").get_json()["items"]
    ]
    assert len(set(all_ids)) == 10


def test_an_inspection_is_opened_changed_and_submitted(api, demo):
    client = api("inspector")
    created = client.post(
        "/api/v1/inspections",
        json={
            "authority_id": demo.dinas.id,
            "kind": "monitoring",
            "title": "  Kunjungan ulang  ",
            "visited_on": "2018-09-14",
            "started_at": "2018-09-14T09:00:00+08:00",
            "visitors_per_day": 280,
            "team_ids": [demo.users["supervisor"].id],
        },
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["title"] == "Kunjungan ulang"
    assert body["kind"] == "monitoring" and body["status"] == "draft"
    assert body["started_at"] == "2018-09-14T01:00:00+00:00"
    assert sorted(body["team_ids"]) == sorted([demo.users["inspector"].id, demo.users["supervisor"].id])
    assert body["checklist_id"] is not None

    url = f"/api/v1/inspections/{body['id']}"
    changed = client.patch(url, json={"summary": "Antrean sudah tertib.", "visitors_per_day": None})
    assert changed.get_json()["summary"] == "Antrean sudah tertib."
    assert changed.get_json()["visitors_per_day"] is None
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == body["id"]).order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events if e.entity_type == "inspection"] == ["created", "updated"]

    assert client.post(f"{url}/submit").get_json()["status"] == "submitted"
    assert api("supervisor").post(f"{url}/submit").status_code == 409
    filtered = client.get("/api/v1/inspections?status=submitted").get_json()
    assert [i["id"] for i in filtered["items"]] == [body["id"]]


def test_the_checklist_is_read_and_answered(api, demo):
    client = api("inspector")
    url = f"/api/v1/inspections/{demo.inspection.id}/checklist"
    items = client.get(url).get_json()["items"]
    first, second = items[0]["item_id"], items[1]["item_id"]
    answers = {
        "answers": [
            {"item_id": first, "answer": "absent", "note": "Tidak dipampang"},
            {"item_id": second, "answer": "present"},
        ]
    }
    saved = client.put(url, json=answers).get_json()["items"]
    by_id = {i["item_id"]: i for i in saved}
    assert (by_id[first]["answer"], by_id[first]["note"]) == ("absent", "Tidak dipampang")
    assert by_id[second]["answer"] == "present"
    assert client.put(url, json=answers).status_code == 200  # a retry changes nothing
    duplicate = client.put(url, json={"answers": [{"item_id": first, "answer": "absent"}] * 2})
    assert duplicate.status_code == 422
    unknown = client.put(url, json={"answers": [{"item_id": 99999, "answer": "absent"}]})
    assert "answers" in unknown.get_json()["fields"]


def test_a_finding_is_routed_by_the_rules_and_can_be_overridden_with_a_note(api, demo):
    client = api("inspector")
    url = f"/api/v1/inspections/{demo.inspection.id}/findings"
    suggested = client.post(
        url, json={"title": "Blanko e-KTP habis", "maladministration": ["tidak_memberikan_pelayanan"]}
    )
    body = suggested.get_json()
    assert suggested.status_code == 201
    assert body["number"] == 11
    assert body["suggested_authority_id"] == body["responsible_authority_id"] == demo.ditjen.id
    assert body["maladministration"] == ["tidak_memberikan_pelayanan"] and body["routing_overridden"] is False

    moved = client.patch(
        f"/api/v1/findings/{body['id']}",
        json={"responsible_authority_id": demo.pemkot.id, "routing_note": "Stok ada, tidak diumumkan."},
    )
    assert moved.status_code == 200
    assert moved.get_json()["responsible_authority_id"] == demo.pemkot.id
    assert moved.get_json()["routing_overridden"] is True
    assert moved.get_json()["suggested_authority_id"] == demo.ditjen.id

    listed = client.get(f"/api/v1/findings?authority_id={demo.pemkot.id}&q=blanko").get_json()
    assert body["id"] in [f["id"] for f in listed["items"]]


def test_evidence_keeps_the_bytes_and_their_sha256(app, api, demo, jpeg_bytes):
    client = api("inspector")
    digest = hashlib.sha256(jpeg_bytes).hexdigest()
    response = client.post(
        f"/api/v1/findings/{demo.findings[1].id}/evidence",
        data={"file": (io.BytesIO(jpeg_bytes), "loket.jpg"), "sha256": digest.upper(), "caption": "Loket 1"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["sha256"] == digest and body["size_bytes"] == len(jpeg_bytes)
    assert body["kind"] == "photo" and body["content_type"] == "image/jpeg"
    assert body["finding_id"] == demo.findings[1].id

    listed = client.get(f"/api/v1/findings/{demo.findings[1].id}/evidence").get_json()
    assert [e["id"] for e in listed["items"]] == [body["id"]]
    file = client.get(body["file_url"])
    assert file.status_code == 200
    assert file.data == jpeg_bytes and hashlib.sha256(file.data).hexdigest() == digest
    assert file.headers["ETag"].strip('"') == digest
    assert file.headers["X-Content-Type-Options"] == "nosniff"
    file.close()


def test_a_pdf_is_attached_to_the_inspection(api, demo):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    client = api("supervisor")
    response = client.post(
        f"/api/v1/inspections/{demo.inspection.id}/evidence",
        data={"file": (io.BytesIO(pdf), "berita-acara.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    assert response.get_json()["kind"] == "document" and response.get_json()["finding_id"] is None
    file = client.get(response.get_json()["file_url"])
    assert file.data == pdf
    file.close()


def test_recommendations_are_written_and_closed_with_an_outcome(api, demo):
    client = api("head")
    created = client.post(
        "/api/v1/recommendations",
        json={
            "finding_ids": [demo.findings[8].id, demo.findings[9].id],
            "authority_id": demo.ditjen.id,
            "kind": "saran",
            "text": "Percepat distribusi blanko.",
        },
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["finding_ids"] == sorted([demo.findings[8].id, demo.findings[9].id])
    assert (body["status"], body["kind"], body["authority_id"]) == ("open", "saran", demo.ditjen.id)
    url = f"/api/v1/recommendations/{body['id']}"
    refused = client.patch(url, json={"status": "implemented"})
    assert refused.status_code == 422 and "outcome_note" in refused.get_json()["fields"]
    closed = client.patch(url, json={"status": "implemented", "outcome_note": "Blanko tiba 3 Sep."})
    assert closed.get_json()["status"] == "implemented"
    listed = client.get(
        f"/api/v1/recommendations?status=implemented&authority_id={demo.ditjen.id}"
    ).get_json()
    assert [r["id"] for r in listed["items"]] == [body["id"]]
