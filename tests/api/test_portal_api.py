"""The portal's JSON API (issue 14, item 7): portal tokens, the letters and recommendations of the token's
authority only, the receipt on first fetch, responses with evidence, extension requests and decisions."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from ombudsman.audit.models import AuditEvent
from ombudsman.clock import utcnow
from ombudsman.deadlines.models import FollowUpFile
from ombudsman.extensions import db
from ombudsman.portal import responses as portal_responses
from ombudsman.portal.api_models import PortalApiToken
from ombudsman.portal.commands import DecideExtension
from ombudsman.portal.models import ExtensionRequest, LetterReceipt, PortalResponse
from ombudsman.recommendations.models import Recommendation, RecommendationStatus
from tests.api.conftest import ApiClient
from tests.api.portal_api_fixtures import (  # noqa: F401  (fixtures)
    PASSWORD,
    TODAY,
    pinned_today_fixture,
    portal_case_fixture,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _recommendation_ids(client, letter_id: int) -> list[int]:
    return [
        item["id"] for item in _ok(client.get(f"/api/v1/portal/letters/{letter_id}/recommendations"))["items"]
    ]


# --- tokens -------------------------------------------------------------------------------------------------


def test_a_portal_account_exchanges_its_password_for_a_token_shown_once(app, demo, portal_case):
    client = app.test_client()
    body = {"email": "organisasi@kupangkota.test", "password": PASSWORD, "label": "SIMPEG Kota"}
    issued = _ok(client.post("/api/v1/portal/tokens", json=body), 201)
    assert issued["token"].startswith("omp_") and issued["prefix"] == issued["token"][:10]
    stored = db.session.get(PortalApiToken, issued["id"])
    assert stored.token_sha256 == hashlib.sha256(issued["token"].encode()).hexdigest()
    assert stored.label == "SIMPEG Kota" and stored.created_by_id is None
    me = _ok(ApiClient(client, issued["token"]).get("/api/v1/portal/me"))
    assert me["authority_id"] == portal_case.authorities["kota"].id
    assert me["authority_ids"] == sorted([demo.pemkot.id, demo.dinas.id])  # the city covers its Dinas

    wrong = client.post("/api/v1/portal/tokens", json={**body, "password": "salah"})
    assert wrong.status_code == 401 and wrong.get_json()["fields"] == {
        "password": ["E-mail atau kata sandi salah."]
    }
    staff = client.post("/api/v1/portal/tokens", json={"email": "inspector@demo.test", "password": "demo"})
    assert staff.status_code == 401  # staff accounts are not portal accounts


def test_the_sub_units_follow_the_contact_setting(demo, portal_case):
    kota = portal_case.clients["kota"]
    assert _ok(kota.get("/api/v1/portal/me"))["authority_ids"] == sorted([demo.pemkot.id, demo.dinas.id])
    portal_case.accounts["kota"].contact.includes_sub_units = False
    db.session.commit()
    assert _ok(kota.get("/api/v1/portal/me"))["authority_ids"] == [demo.pemkot.id]


def test_revoking_the_current_token_signs_the_system_out(portal_case):
    client = portal_case.clients["ditjen"]
    assert client.delete("/api/v1/portal/tokens/current").status_code == 204
    refused = client.get("/api/v1/portal/letters")
    assert refused.status_code == 401 and "dicabut" in refused.get_json()["error"]


def test_an_expired_token_or_an_inactive_account_is_refused(portal_case):
    account = portal_case.accounts["kota"]
    token = db.session.scalar(select(PortalApiToken).where(PortalApiToken.portal_user_id == account.id))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert portal_case.clients["kota"].get("/api/v1/portal/me").status_code == 401
    other = portal_case.accounts["ditjen"]
    other.contact.active = False
    db.session.commit()
    assert portal_case.clients["ditjen"].get("/api/v1/portal/me").status_code == 401


def test_an_admin_makes_lists_and_revokes_tokens_for_a_portal_account(app, api, portal_case):
    account = portal_case.accounts["kota"]
    url = f"/api/v1/portal-users/{account.id}/tokens"
    for role in ("inspector", "supervisor", "head", "viewer"):
        assert api(role).post(url, json={"label": "x"}).status_code == 403
    admin = api("admin")
    issued = _ok(admin.post(url, json={"label": "Integrasi SIMPEG", "days": 90}), 201)
    assert issued["token"].startswith("omp_") and issued["portal_user_id"] == account.id
    listed = _ok(admin.get(url))["items"]
    assert [t["id"] for t in listed][0] == issued["id"] and "token" not in listed[0]
    assert listed[0]["created_by_admin"] is True
    system = ApiClient(app.test_client(), issued["token"])
    assert _ok(system.get("/api/v1/portal/me"))["id"] == account.id
    assert admin.delete(f"/api/v1/portal-tokens/{issued['id']}").status_code == 204
    assert system.get("/api/v1/portal/me").status_code == 401
    trail = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.entity_type == "portal_api_token", AuditEvent.entity_id == issued["id"]
        )
    ).all()
    assert sorted(trail) == ["created", "revoked"]
    bad = admin.post(url, json={"days": 0})
    assert bad.status_code == 422 and "days" in bad.get_json()["fields"]
    assert admin.post("/api/v1/portal-users/999999/tokens", json={}).status_code == 404


# --- a portal token only on portal routes, a staff token never there ----------------------------------------


def _api_routes(app, *, portal: bool) -> list[tuple[str, str]]:
    """(method, url) of every API operation of one side, ids filled with 1; public ones left out."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith(("api-docs", "api_assets")):
            continue
        if rule.rule.startswith("/api/v1/portal/") != portal:
            continue
        if getattr(app.view_functions[rule.endpoint], "_public", False):
            continue
        url = rule.build({name: 1 for name in rule.arguments}, append_unknown=False)[1]
        routes += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def test_a_staff_token_works_on_no_portal_route(app, api, portal_case):
    routes = _api_routes(app, portal=True)
    assert len(routes) >= 12
    staff = api("head")
    for method, url in routes:
        response = staff.open(method, url, json={})
        assert response.status_code == 401, (method, url, response.status_code)
        assert "Token staf" in response.get_json()["error"]


def test_a_staff_session_works_on_no_portal_route(app, login, portal_case):
    browser = login("supervisor@demo.test")
    for method, url in _api_routes(app, portal=True):
        response = browser.client.open(url, method=method, json={}, headers={"X-CSRFToken": browser.token()})
        assert response.status_code in (401, 403), (method, url, response.status_code)
        assert response.is_json


def test_a_portal_token_works_on_no_staff_route(app, portal_case):
    routes = _api_routes(app, portal=False)
    assert len(routes) >= 35
    portal = portal_case.clients["kota"]
    for method, url in routes:
        response = portal.open(method, url, json={})
        assert response.status_code == 401, (method, url, response.status_code)
        assert response.is_json


# --- two authorities: zero cross-authority reads ------------------------------------------------------------


def _portal_reads(client, letter_id: int, recommendation_id: int) -> list:
    return [
        client.get(f"/api/v1/portal/letters/{letter_id}"),
        client.get(f"/api/v1/portal/letters/{letter_id}/pdf"),
        client.get(f"/api/v1/portal/letters/{letter_id}/recommendations"),
        client.get(f"/api/v1/portal/recommendations/{recommendation_id}"),
        client.get(f"/api/v1/portal/recommendations/{recommendation_id}/responses"),
        client.get(f"/api/v1/portal/recommendations/{recommendation_id}/extension-requests"),
        client.post(
            f"/api/v1/portal/recommendations/{recommendation_id}/responses",
            data={"status": "implemented", "text": "Sudah."},
        ),
        client.post(
            f"/api/v1/portal/recommendations/{recommendation_id}/extension-requests",
            json={"proposed_due_on": "2018-12-31", "reason": "Anggaran."},
        ),
    ]


def test_each_authority_reads_its_own_letters_and_nothing_of_the_other(portal_case):
    own = {}
    for name, client in portal_case.clients.items():
        letters = _ok(client.get("/api/v1/portal/letters"))["items"]
        assert [item["id"] for item in letters] == [portal_case.letters[name].id]
        own[name] = (portal_case.letters[name].id, _recommendation_ids(client, portal_case.letters[name].id))
        assert own[name][1]
        rec = db.session.get(Recommendation, own[name][1][0])
        assert rec.authority_id in set(_ok(client.get("/api/v1/portal/me"))["authority_ids"])
    for name, other in (("kota", "ditjen"), ("ditjen", "kota")):
        letter_id, rec_ids = own[other]
        for rec_id in rec_ids:
            answers = _portal_reads(portal_case.clients[name], letter_id, rec_id)
            assert [r.status_code for r in answers] == [404] * len(answers), (name, rec_id)
            assert all(r.get_json()["fields"] == {} for r in answers)
    assert db.session.scalar(select(func.count()).select_from(LetterReceipt)) == 0  # a 404 opens nothing
    assert db.session.scalar(select(func.count()).select_from(PortalResponse)) == 0
    assert db.session.scalar(select(func.count()).select_from(ExtensionRequest)) == 0


def test_drafts_and_records_of_no_letter_do_not_exist_for_the_portal(portal_case, demo):
    from ombudsman.letters.models import Letter, LetterStatus

    draft = Letter(
        office_id=demo.office.id,
        authority_id=demo.pemkot.id,
        hal="Draf",
        created_by_id=demo.users["inspector"].id,
        status=LetterStatus.DRAFT,
    )
    db.session.add(draft)
    db.session.commit()
    kota = portal_case.clients["kota"]
    assert kota.get(f"/api/v1/portal/letters/{draft.id}").status_code == 404
    assert draft.id not in [i["id"] for i in _ok(kota.get("/api/v1/portal/letters"))["items"]]
    assert kota.get("/api/v1/portal/letters/2147483647").status_code == 404
    assert kota.get("/api/v1/portal/recommendations/2147483647").status_code == 404


# --- receipt ------------------------------------------------------------------------------------------------


def test_the_first_fetch_records_the_receipt_once(portal_case, monkeypatch):
    kota, letter = portal_case.clients["kota"], portal_case.letters["kota"]
    assert letter.received_on is None
    listed = _ok(kota.get("/api/v1/portal/letters"))["items"][0]
    assert listed["received_on"] is None  # listing is not opening
    assert db.session.scalar(select(func.count()).select_from(LetterReceipt)) == 0

    first = _ok(kota.get(f"/api/v1/portal/letters/{letter.id}"))
    assert first["received_on"] == TODAY.isoformat()
    monkeypatch.setenv("OMBUDSMAN_TODAY", (TODAY + timedelta(days=3)).isoformat())
    again = _ok(kota.get(f"/api/v1/portal/letters/{letter.id}"))
    pdf = kota.get(f"/api/v1/portal/letters/{letter.id}/pdf")
    assert again["received_on"] == TODAY.isoformat()
    receipts = db.session.scalars(select(LetterReceipt)).all()
    assert len(receipts) == 1
    assert receipts[0].received_on == TODAY and receipts[0].applied
    assert receipts[0].portal_user_id == portal_case.accounts["kota"].id
    assert db.session.get(type(letter), letter.id).received_on == TODAY
    rec = _ok(kota.get(f"/api/v1/portal/letters/{letter.id}/recommendations"))["items"][0]
    assert rec["deadline"]["received_on"] == TODAY.isoformat() and rec["deadline"]["due_on"] == "2018-09-26"

    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() == first["sha256"] == pdf.headers["ETag"].strip('"')
    assert PdfReader(io.BytesIO(pdf.data)).pages


def test_fetching_the_pdf_first_records_the_receipt(portal_case):
    ditjen, letter = portal_case.clients["ditjen"], portal_case.letters["ditjen"]
    assert ditjen.get(f"/api/v1/portal/letters/{letter.id}/pdf").status_code == 200
    receipt = db.session.scalar(select(LetterReceipt).where(LetterReceipt.letter_id == letter.id))
    assert receipt is not None and receipt.received_on == TODAY


# --- responses ----------------------------------------------------------------------------------------------


def _opened_recommendations(portal_case, name: str = "kota") -> list[int]:
    client, letter = portal_case.clients[name], portal_case.letters[name]
    _ok(client.get(f"/api/v1/portal/letters/{letter.id}"))  # the receipt starts the clocks
    return _recommendation_ids(client, letter.id)


def test_a_response_with_evidence_becomes_a_follow_up_event_once(portal_case, jpeg_bytes):
    kota = portal_case.clients["kota"]
    rec_id = _opened_recommendations(portal_case)[0]
    key = str(uuid.uuid4())

    def send():
        return kota.post(
            f"/api/v1/portal/recommendations/{rec_id}/responses",
            data={
                "status": "partly",
                "text": "Dua loket tambahan dibuka sejak 6 Agustus 2018.",
                "evidence": [(io.BytesIO(jpeg_bytes), "loket.jpg")],
                "reply_letter": (io.BytesIO(PDF), "balasan.pdf"),
                "client_id": key,
            },
            content_type="multipart/form-data",
        )

    created = _ok(send(), 201)
    assert created["status"] == "partly" and created["responded_on"] == TODAY.isoformat()
    assert created["recommendation_status"] == "in_progress"
    roles = sorted((f["role"], f["sha256"]) for f in created["files"])
    assert roles == sorted(
        [
            ("evidence", hashlib.sha256(jpeg_bytes).hexdigest()),
            ("reply_letter", hashlib.sha256(PDF).hexdigest()),
        ]
    )
    replay = send()
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json()["id"] == created["id"]
    assert db.session.scalar(select(func.count()).select_from(PortalResponse)) == 1
    assert db.session.scalar(select(func.count()).select_from(FollowUpFile)) == 2

    listed = _ok(kota.get(f"/api/v1/portal/recommendations/{rec_id}/responses"))
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    own = _ok(kota.get("/api/v1/portal/responses"))
    assert [item["id"] for item in own["items"]] == [created["id"]]
    assert _ok(portal_case.clients["ditjen"].get("/api/v1/portal/responses"))["items"] == []

    other = kota.post(
        f"/api/v1/portal/recommendations/{rec_id}/responses",
        data={"status": "implemented", "text": "Lain.", "client_id": key},
        content_type="multipart/form-data",
    )
    assert other.status_code == 409


@pytest.mark.parametrize(
    ("files", "field"),
    [
        ({"evidence": [(io.BytesIO(b"not a photo"), "foto.jpg")]}, "evidence"),
        ({"evidence": [(io.BytesIO(b""), "kosong.jpg")]}, "evidence"),
        ({"reply_letter": (io.BytesIO(b"%PDF-1.4 cut"), "balasan.pdf")}, "reply_letter"),
    ],
)
def test_a_refused_file_stores_nothing(portal_case, app, files, field):
    kota = portal_case.clients["kota"]
    rec_id = _opened_recommendations(portal_case)[0]
    response = kota.post(
        f"/api/v1/portal/recommendations/{rec_id}/responses",
        data={"status": "implemented", "text": "Sudah.", **files},
        content_type="multipart/form-data",
    )
    body = response.get_json()
    assert response.status_code == 422 and field in body["fields"], body
    assert db.session.scalar(select(func.count()).select_from(PortalResponse)) == 0
    assert db.session.scalar(select(func.count()).select_from(FollowUpFile)) == 0


def test_a_photo_as_reply_letter_is_refused(portal_case, jpeg_bytes):
    rec_id = _opened_recommendations(portal_case)[0]
    response = portal_case.clients["kota"].post(
        f"/api/v1/portal/recommendations/{rec_id}/responses",
        data={
            "status": "implemented",
            "text": "Sudah.",
            "reply_letter": (io.BytesIO(jpeg_bytes), "surat.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "reply_letter" in response.get_json()["fields"]


@pytest.mark.parametrize(
    "data",
    [
        {"status": "done", "text": "Sudah."},
        {"status": "implemented", "text": ""},
        {"status": "implemented"},
        {"status": "implemented", "text": "x" * 19001},
        {"status": "implemented", "text": "Sudah.", "unknown": "1"},
        {"status": "implemented", "text": "nul \x00 byte"},
    ],
)
def test_bad_response_fields_are_422_naming_the_field(portal_case, data):
    rec_id = _opened_recommendations(portal_case)[0]
    response = portal_case.clients["kota"].post(
        f"/api/v1/portal/recommendations/{rec_id}/responses", data=data, content_type="multipart/form-data"
    )
    # A NUL byte is refused before the view by the app-wide input guard (400), the rest by the schema (422).
    assert response.status_code in (400, 422), response.get_json()
    assert set(response.get_json()["fields"]) <= {"status", "text", "unknown"}
    assert response.get_json()["fields"]
    assert db.session.scalar(select(func.count()).select_from(PortalResponse)) == 0


def test_a_closed_recommendation_refuses_responses_and_requests_with_a_clear_message(portal_case):
    kota = portal_case.clients["kota"]
    rec_id = _opened_recommendations(portal_case)[0]
    rec = db.session.get(Recommendation, rec_id)
    rec.status = RecommendationStatus.IMPLEMENTED
    db.session.commit()
    assert _ok(kota.get(f"/api/v1/portal/recommendations/{rec_id}"))["closed"] is True
    answer = kota.post(
        f"/api/v1/portal/recommendations/{rec_id}/responses",
        data={"status": "implemented", "text": "Sudah."},
        content_type="multipart/form-data",
    )
    request = kota.post(
        f"/api/v1/portal/recommendations/{rec_id}/extension-requests",
        json={"proposed_due_on": "2018-12-31", "reason": "Anggaran perubahan."},
    )
    for response, field in ((answer, "text"), (request, "reason")):
        body = response.get_json()
        assert response.status_code == 422 and "sudah ditutup" in body["error"], body
        assert body["fields"] == {field: [body["error"]]}
    assert db.session.scalar(select(func.count()).select_from(PortalResponse)) == 0


# --- extension requests -------------------------------------------------------------------------------------


def test_an_extension_request_waits_for_the_office_then_shows_its_decision(portal_case, demo):
    kota = portal_case.clients["kota"]
    rec_id = _opened_recommendations(portal_case)[0]
    url = f"/api/v1/portal/recommendations/{rec_id}/extension-requests"
    early = kota.post(url, json={"proposed_due_on": "2018-09-01", "reason": "Anggaran perubahan."})
    assert early.status_code == 422 and "proposed_due_on" in early.get_json()["fields"]

    body = {"proposed_due_on": "2018-10-31", "reason": "Pengadaan mesin antrean menunggu anggaran perubahan."}
    created = _ok(kota.post(url, json=body), 201)
    assert created["status"] == "pending" and created["due_on"] == "2018-09-26"
    assert (
        _ok(kota.get(f"/api/v1/portal/recommendations/{rec_id}"))["pending_extension_request_id"]
        == created["id"]
    )
    again = kota.post(url, json={**body, "reason": "Lagi."})
    assert again.status_code == 409 and again.get_json()["error"]

    request = db.session.get(ExtensionRequest, created["id"])
    portal_responses.decide_extension(
        request, DecideExtension(grant=True), user=demo.users["supervisor"], today=TODAY, now=utcnow()
    )
    db.session.commit()
    decided = _ok(kota.get("/api/v1/portal/extension-requests"))["items"]
    assert [item["id"] for item in decided] == [created["id"]]
    assert decided[0]["status"] == "granted" and decided[0]["decided_at"] is not None
    assert decided[0]["due_on"] == "2018-10-31"
    assert "decided_by" not in decided[0] and "decided_by_id" not in decided[0]
    on_rec = _ok(kota.get(url))["items"]
    assert on_rec == decided
    assert _ok(portal_case.clients["ditjen"].get("/api/v1/portal/extension-requests"))["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"proposed_due_on": "2018-10-31"},
        {"proposed_due_on": "not a date", "reason": "x"},
        {"proposed_due_on": "2018-10-31", "reason": "x", "status": "granted"},
        {"proposed_due_on": "9999-01-01", "reason": "x"},
        [],
    ],
)
def test_bad_extension_requests_are_422(portal_case, body):
    rec_id = _opened_recommendations(portal_case)[0]
    response = portal_case.clients["kota"].post(
        f"/api/v1/portal/recommendations/{rec_id}/extension-requests", json=body
    )
    assert response.status_code == 422 and response.get_json()["error"]
    assert db.session.scalar(select(func.count()).select_from(ExtensionRequest)) == 0


def test_an_extension_request_before_the_clock_runs_is_refused(portal_case, demo):
    kota, letter = portal_case.clients["kota"], portal_case.letters["kota"]
    rec_id = _recommendation_ids(kota, letter.id)[0]  # listed, not opened: no receipt, no clock
    response = kota.post(
        f"/api/v1/portal/recommendations/{rec_id}/extension-requests",
        json={"proposed_due_on": "2018-12-31", "reason": "Anggaran."},
    )
    assert response.status_code == 422 and "proposed_due_on" in response.get_json()["fields"]


def test_a_recommendation_carries_its_due_dates_warnings_in_the_staff_words(portal_case):
    from ombudsman.deadlines.calendar import coverage_warning

    kota = portal_case.clients["kota"]
    rec_id = _opened_recommendations(portal_case)[0]
    assert _ok(kota.get(f"/api/v1/portal/recommendations/{rec_id}"))["deadline"]["warnings"] == []
    rec = db.session.get(Recommendation, rec_id)
    rec.deadline.warnings = [coverage_warning(2027)]
    db.session.commit()
    got = _ok(kota.get(f"/api/v1/portal/recommendations/{rec_id}"))["deadline"]["warnings"]
    assert got == ["Data hari libur tahun 2027 belum tersedia; tanggal jatuh tempo mungkin keliru."]
