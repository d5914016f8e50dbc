"""Bad input gets a 4xx JSON answer naming the field and the problem; nothing is half-written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ombudsman.audit.models import AuditEvent
from ombudsman.extensions import db
from ombudsman.inspections.models import Evidence, Finding, Inspection


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Inspection, Finding, Evidence, AuditEvent)
    )


@pytest.fixture
def inspector(api):
    return api("inspector")


def _error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error", "fields"} and body["error"]
    return body["fields"]


def test_malformed_json_is_400(inspector, demo):
    before = _counts()
    response = inspector.post("/api/v1/inspections", data='{"title": "x",', content_type="application/json")
    assert "body" in _error(response, 400)
    assert _counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"authority_id": "5", "title": "T", "visited_on": "2024-01-01"}, "authority_id"),  # wrong type
        ({"authority_id": 5.5, "title": "T", "visited_on": "2024-01-01"}, "authority_id"),
        ({"authority_id": 5, "title": ["T"], "visited_on": "2024-01-01"}, "title"),
        ({"authority_id": 5, "title": "T", "visited_on": "yesterday"}, "visited_on"),
        ({"authority_id": 5, "title": "T", "visited_on": "2024-01-01", "colour": "red"}, "colour"),  # unknown
        ({"title": "T", "visited_on": "2024-01-01"}, "authority_id"),  # missing
        ({"authority_id": 5, "visited_on": "2024-01-01"}, "title"),
        ({"authority_id": 5, "title": "   ", "visited_on": "2024-01-01"}, "title"),  # blank
        ({"authority_id": 5, "title": "T" * 251, "visited_on": "2024-01-01"}, "title"),  # too long
        ({"authority_id": 0, "title": "T", "visited_on": "2024-01-01"}, "authority_id"),  # out of range
        ({"authority_id": 2**40, "title": "T", "visited_on": "2024-01-01"}, "authority_id"),
        ({"authority_id": 5, "title": "T", "visited_on": "1899-01-01"}, "visited_on"),
        (
            {"authority_id": 5, "title": "T", "visited_on": "2024-01-01", "visitors_per_day": -3},
            "visitors_per_day",
        ),
        ({"authority_id": 5, "title": "T", "visited_on": "2024-01-01", "kind": "raid"}, "kind"),
        (
            {"authority_id": 5, "title": "T", "visited_on": "2024-01-01", "started_at": "2024-01-01T09:00"},
            "started_at",
        ),
        (
            {"authority_id": 5, "title": "T", "visited_on": "2024-01-01", "client_id": "not-a-uuid"},
            "client_id",
        ),
        ({"authority_id": 999, "title": "T", "visited_on": "2024-01-01"}, "authority_id"),  # no such unit
        ({"authority_id": 5, "title": "T", "visited_on": "2024-01-01", "team_ids": [999]}, "team_ids"),
        (
            {
                "authority_id": 5,
                "title": "T",
                "visited_on": "2024-01-01",
                "started_at": "2024-01-01T10:00:00+08:00",
                "ended_at": "2024-01-01T09:00:00+08:00",
            },
            "ended_at",
        ),
        ([1, 2], "_schema"),
    ],
)
def test_invalid_inspections_are_refused_naming_the_field(inspector, demo, body, field):
    before = _counts()
    fields = _error(inspector.post("/api/v1/inspections", json=body), 422)
    assert field in fields, fields
    assert all(isinstance(m, str) for messages in fields.values() for m in messages)
    assert _counts() == before


def test_control_characters_are_refused_before_the_schema_naming_the_field(inspector, demo):
    # NUL never reaches a schema, a service or the database: the request itself is unreadable (400).
    before = _counts()
    body = {"authority_id": demo.dinas.id, "title": "a\x00b", "visited_on": "2024-01-01"}
    assert "title" in _error(inspector.post("/api/v1/inspections", json=body), 400)
    assert _counts() == before


def test_invalid_findings_and_patches_are_refused(inspector, demo):
    url = f"/api/v1/inspections/{demo.inspection.id}/findings"
    before = _counts()
    cases = [
        (inspector.post(url, json={"title": "x", "maladministration": ["pungli"]}), "maladministration.0"),
        (inspector.post(url, json={"title": "x", "severity": "extreme"}), "severity"),
        (inspector.post(url, json={"title": "x", "checklist_item_id": 99999}), "checklist_item_id"),
        (inspector.post(url, json={"title": "x", "routing_rule_id": 99999}), "routing_rule_id"),
        # Overriding the suggested authority needs a reason.
        (
            inspector.post(url, json={"title": "Blanko habis", "responsible_authority_id": demo.pemkot.id}),
            None,
        ),
        (inspector.patch(f"/api/v1/findings/{demo.findings[1].id}", json={"title": ""}), "title"),
        (inspector.patch(f"/api/v1/findings/{demo.findings[1].id}", json={"number": 3}), "number"),
        (
            inspector.patch(f"/api/v1/inspections/{demo.inspection.id}", json={"status": "submitted"}),
            "status",
        ),
        (inspector.put(f"/api/v1/inspections/{demo.inspection.id}/checklist", json={"answers": [{}]}), None),
    ]
    for response, field in cases:
        fields = _error(response, 422)
        assert field is None or field in fields, (field, fields)
    assert _counts() == before


def test_override_without_a_note_names_routing_note(inspector, demo):
    response = inspector.post(
        f"/api/v1/inspections/{demo.inspection.id}/findings",
        json={"title": "Blanko e-KTP habis", "responsible_authority_id": demo.pemkot.id},
    )
    assert "routing_note" in _error(response, 422)


def test_bad_list_arguments_are_refused(inspector):
    assert "per_page" in _error(inspector.get("/api/v1/findings?per_page=1000"), 422)
    assert "page" in _error(inspector.get("/api/v1/inspections?page=0"), 422)
    assert "level" in _error(inspector.get("/api/v1/authorities?level=galactic"), 422)
    assert "date_from" in _error(inspector.get("/api/v1/findings?date_from=31-12-2024"), 422)


def test_unknown_routes_and_methods_are_json(inspector, demo):
    _error(inspector.get("/api/v1/nothing-here"), 404)
    _error(inspector.get("/api/v1/inspections/99999"), 404)
    response = inspector.delete(f"/api/v1/inspections/{demo.inspection.id}")
    _error(response, 405)
    assert "GET" in response.headers["Allow"]


def _upload(client, demo, data):
    return client.post(
        f"/api/v1/findings/{demo.findings[1].id}/evidence", data=data, content_type="multipart/form-data"
    )


def test_bad_uploads_are_refused_and_nothing_is_stored(app, inspector, demo, png_bytes):
    root = Path(app.config["EVIDENCE_DIR"])
    before = _counts()
    cases = [
        ({"caption": "tanpa berkas"}, "file"),
        ({"file": (io.BytesIO(b"MZ\x90\x00 not a photo"), "virus.jpg")}, "file"),
        ({"file": (io.BytesIO(b""), "kosong.png")}, "file"),
        ({"file": (io.BytesIO(png_bytes[:40]), "potong.png")}, "file"),
        ({"file": (io.BytesIO(png_bytes), "a.png"), "sha256": "0" * 64}, "sha256"),
        ({"file": (io.BytesIO(png_bytes), "a.png"), "sha256": "xyz"}, "sha256"),
        ({"file": (io.BytesIO(png_bytes), "a.png"), "owner": "me"}, "owner"),
        ({"file": (io.BytesIO(png_bytes), "a.png"), "checklist_item_id": "abc"}, "checklist_item_id"),
        ({"file": (io.BytesIO(png_bytes), "a.png"), "client_id": "123"}, "client_id"),
    ]
    for data, field in cases:
        fields = _error(_upload(inspector, demo, data), 422)
        assert field in fields, (field, fields)
    assert _counts() == before
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def test_oversized_uploads_are_refused(app, inspector, demo, jpeg_bytes):
    app.config["EVIDENCE_MAX_BYTES"] = len(jpeg_bytes) - 1
    before = _counts()
    fields = _error(_upload(inspector, demo, {"file": (io.BytesIO(jpeg_bytes), "besar.jpg")}), 422)
    assert "file" in fields and "terlalu besar" in fields["file"][0]

    app.config["MAX_CONTENT_LENGTH"] = 1000  # the whole request
    response = _upload(inspector, demo, {"file": (io.BytesIO(jpeg_bytes), "besar.jpg")})
    _error(response, 413)
    response = inspector.post("/api/v1/inspections", json={"title": "x" * 2000})
    _error(response, 413)
    assert _counts() == before


def test_a_server_error_is_json_and_rolls_back(app, inspector, demo, monkeypatch):
    from ombudsman.inspections import services

    def half_done(*args, **kwargs):
        db.session.add(
            Inspection(
                office_id=1,
                authority_id=demo.dinas.id,
                kind="sidak",
                title="x",
                visited_on=demo.inspection.visited_on,
                created_by_id=1,
            )
        )
        db.session.flush()
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "create_inspection", half_done)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    before = _counts()
    response = inspector.post(
        "/api/v1/inspections", json={"authority_id": demo.dinas.id, "title": "T", "visited_on": "2024-01-01"}
    )
    assert _error(response, 500) == {}
    assert _counts() == before


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+01:00"])
def test_an_instant_past_the_calendars_end_is_a_422_not_a_500(inspector, demo, moment):
    before = _counts()
    body = {"authority_id": demo.dinas.id, "title": "T", "visited_on": "2024-01-01", "started_at": moment}
    fields = _error(inspector.post("/api/v1/inspections", json=body), 422)
    assert list(fields) == ["started_at"]
    assert _counts() == before


def test_marshmallows_own_messages_are_translated(inspector, demo):
    body = {
        "authority_id": demo.dinas.id,
        "title": "T",
        "visited_on": "2024-01-01",
        "started_at": "2024-01-01T09:00",
    }
    fields = _error(inspector.post("/api/v1/inspections", json=body), 422)
    assert fields["started_at"] == [
        "Bukan tanggal dan waktu dengan selisih zona waktu (misalnya 2018-07-30T09:00:00+08:00)."
    ]


@pytest.mark.parametrize("where", ["inspection", "finding", "verify"])
def test_a_text_part_where_a_file_belongs_is_a_422_naming_it(inspector, demo, where):
    before = _counts()
    url = {
        "inspection": f"/api/v1/inspections/{demo.inspection.id}/evidence",
        "finding": f"/api/v1/findings/{demo.findings[1].id}/evidence",
        "verify": "/api/v1/letters/verify",
    }[where]
    response = inspector.post(url, data={"file": "bukan berkas"}, content_type="multipart/form-data")
    message = "Kirim sebuah berkas di sini (bagian multipart dengan nama berkas)."
    assert _error(response, 422)["file"] == [message]
    assert _counts() == before
