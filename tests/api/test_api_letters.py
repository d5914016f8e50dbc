"""Letters through the API: roles, office isolation, idempotent drafting, the workflow, delivery, the PDF."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from ombudsman.accounts.models import Role
from ombudsman.accounts.permissions import RECOMMEND, REVIEW
from ombudsman.extensions import db
from ombudsman.letters.models import Letter

ROLES = ("inspector", "supervisor", "head", "admin", "viewer")
TODAY = date(2018, 8, 10)


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch):
    """Letters are dated and delivered against the office's today; pin it for exact dates."""
    monkeypatch.setenv("OMBUDSMAN_TODAY", TODAY.isoformat())


@pytest.fixture
def drafts(demo):
    """The demo's two draft letters, by addressee."""
    rows = {letter.authority_id: letter for letter in db.session.scalars(select(Letter))}
    return rows[demo.pemkot.id], rows[demo.ditjen.id]


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _issue(api, letter_id: int) -> dict:
    """Submit (inspector), approve (supervisor), issue (head), all through the API."""
    _ok(api("inspector").post(f"/api/v1/letters/{letter_id}/submit"))
    _ok(api("supervisor").post(f"/api/v1/letters/{letter_id}/approve"))
    return _ok(api("head").post(f"/api/v1/letters/{letter_id}/issue"))


def _new_letter_body(demo, recommendation_ids, kind: str = "klarifikasi") -> dict:
    # Not "saran": the demo's draft saran letters carry every recommendation already, and a recommendation
    # sits in one active letter of a kind (ombudsman/letters/eligibility.py).
    return {
        "authority_id": demo.pemkot.id,
        "hal": "Saran perbaikan pelayanan e-KTP",
        "kind": kind,
        "recommendation_ids": recommendation_ids,
        "copies": [{"authority_id": demo.pemprov.id}, {"text": "Arsip"}],
    }


# --- roles --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_letters_and_the_draft_pdf(api, drafts, role):
    client = api(role)
    kota, _ditjen = drafts
    listing = _ok(client.get("/api/v1/letters"))
    assert listing["total"] == 2 and len(listing["items"]) == 2
    item = _ok(client.get(f"/api/v1/letters/{kota.id}"))
    assert item["status"] == "draft" and item["number"] is None and item["sha256"] is None
    assert item["verify_url"] is None and len(item["recommendation_ids"]) == 7
    pdf = client.get(f"/api/v1/letters/{kota.id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["X-Letter-Draft"] == "true"
    assert "DRAF" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()


@pytest.mark.parametrize("role", ROLES)
def test_drafting_and_the_workflow_follow_the_roles_of_the_web_ui(api, demo, drafts, role):
    client = api(role)
    may = demo.users[role].role
    kota, ditjen = drafts
    recs = _ok(api("head").get("/api/v1/recommendations?per_page=100"))["items"]
    body = _new_letter_body(demo, [recs[0]["id"]])
    expected = 201 if may in RECOMMEND else 403
    response = client.post("/api/v1/letters", json=body)
    assert response.status_code == expected and response.is_json, response.get_json()

    response = client.patch(f"/api/v1/letters/{kota.id}", json={"hal": "Hal baru"})
    assert response.status_code == (200 if may in RECOMMEND else 403), response.get_json()

    response = client.post(f"/api/v1/letters/{kota.id}/submit")
    assert response.status_code == (200 if may in RECOMMEND else 403), response.get_json()
    if may not in RECOMMEND:
        assert response.get_json()["error"]  # the service's reason
        _ok(api("inspector").post(f"/api/v1/letters/{kota.id}/submit"))

    response = client.post(f"/api/v1/letters/{kota.id}/approve")
    assert response.status_code == (200 if may in REVIEW else 403), response.get_json()
    if may not in REVIEW:
        _ok(api("supervisor").post(f"/api/v1/letters/{kota.id}/approve"))

    response = client.post(f"/api/v1/letters/{kota.id}/issue")
    assert response.status_code == (200 if may is Role.HEAD else 403), response.get_json()
    if may is not Role.HEAD:
        assert response.get_json()["error"] == "Hanya Kepala Perwakilan yang dapat menerbitkan surat."
        _ok(api("head").post(f"/api/v1/letters/{kota.id}/issue"))

    response = client.post(
        f"/api/v1/letters/{kota.id}/delivery",
        json={"delivery_method": "hand", "delivered_on": "2018-08-10", "received_on": "2018-08-10"},
    )
    assert response.status_code == (200 if may in RECOMMEND else 403), response.get_json()

    _ok(api("inspector").post(f"/api/v1/letters/{ditjen.id}/submit"))
    response = client.post(f"/api/v1/letters/{ditjen.id}/return", json={"note": "Perbaiki hal."})
    assert response.status_code == (200 if may in REVIEW else 403), response.get_json()


# --- office isolation ---------------------------------------------------------------------------------------


def test_another_office_sees_404_for_every_letter_route(app, api, demo, drafts, other_office):
    from tests.api.conftest import ApiClient, issue

    bali = ApiClient(app.test_client(), issue(other_office.users["supervisor"]))
    kota, _ditjen = drafts
    assert _ok(bali.get("/api/v1/letters"))["total"] == 0
    for method, path, body in (
        ("GET", f"/api/v1/letters/{kota.id}", None),
        ("PATCH", f"/api/v1/letters/{kota.id}", {"hal": "x"}),
        ("GET", f"/api/v1/letters/{kota.id}/pdf", None),
        ("POST", f"/api/v1/letters/{kota.id}/submit", None),
        ("POST", f"/api/v1/letters/{kota.id}/approve", None),
        ("POST", f"/api/v1/letters/{kota.id}/return", {}),
        ("POST", f"/api/v1/letters/{kota.id}/issue", None),
        ("POST", f"/api/v1/letters/{kota.id}/delivery", {"received_on": "2018-08-10"}),
    ):
        response = bali.open(method, path, json=body)
        assert response.status_code == 404, (method, path, response.get_json())
        assert set(response.get_json()) == {"error", "fields"}
    assert db.session.get(Letter, kota.id).status.value == "draft"

    # Another office's recommendations and inspections cannot be printed or referred to.
    own = _ok(api("inspector").get("/api/v1/recommendations"))["items"][0]["id"]
    signed = {"signatory_name": "Kepala Bali", "signatory_title": "Kepala Perwakilan"}
    response = bali.post("/api/v1/letters", json={**_new_letter_body(demo, [own]), **signed})
    assert response.status_code == 422 and "recommendation_ids" in response.get_json()["fields"]
    body = {**_new_letter_body(demo, []), **signed, "inspection_id": demo.inspection.id}
    response = bali.post("/api/v1/letters", json=body)
    assert response.status_code == 422 and "inspection_id" in response.get_json()["fields"]
    assert db.session.scalar(select(func.count(Letter.id))) == 2


# --- idempotent drafting ------------------------------------------------------------------------------------


def test_creating_a_letter_twice_with_one_key_makes_one_letter(api, demo):
    client = api("inspector")
    recs = _ok(client.get("/api/v1/recommendations"))["items"]
    key = str(uuid.uuid4())
    body = {**_new_letter_body(demo, [recs[1]["id"], recs[0]["id"]]), "client_id": key}
    first = client.post("/api/v1/letters", json=body)
    again = client.post("/api/v1/letters", json=body)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.get_json()["id"] == again.get_json()["id"]
    created = first.get_json()
    assert created["recommendation_ids"] == [recs[1]["id"], recs[0]["id"]]
    assert created["copies"] == [
        {"authority_id": demo.pemprov.id, "text": ""},
        {"authority_id": None, "text": "Arsip"},
    ]
    assert created["signatory_name"] and created["recipient_lines"]  # the office's defaults
    assert db.session.scalar(select(func.count(Letter.id))) == 3

    # The same key through the header, and the same key with another body.
    header = client.post(
        "/api/v1/letters",
        json={k: v for k, v in body.items() if k != "client_id"},
        headers={"Idempotency-Key": key},
    )
    assert header.status_code == 201 and header.get_json()["id"] == created["id"]
    clash = client.post("/api/v1/letters", json={**body, "hal": "Lain"})
    assert clash.status_code == 409 and "client_id" in clash.get_json()["fields"]
    assert db.session.scalar(select(func.count(Letter.id))) == 3


def test_bad_letter_bodies_are_refused_naming_the_field(api, demo):
    client = api("inspector")
    for body, field in (
        ({"hal": "x"}, "authority_id"),
        ({"authority_id": demo.pemkot.id, "hal": "   "}, "hal"),
        ({"authority_id": demo.pemkot.id, "hal": "x", "sifat": "Kilat"}, "sifat"),
        ({"authority_id": demo.pemkot.id, "hal": "x", "annex": "yes"}, "annex"),
        ({"authority_id": demo.pemkot.id, "hal": "x", "color": "red"}, "color"),
        ({"authority_id": demo.pemkot.id, "hal": "x", "recommendation_ids": [1, 1]}, "recommendation_ids"),
        ({"authority_id": 2_000_000, "hal": "x"}, "authority_id"),
    ):
        response = client.post("/api/v1/letters", json=body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["fields"], (body, response.get_json())
    assert db.session.scalar(select(func.count(Letter.id))) == 2


# --- the workflow -------------------------------------------------------------------------------------------


def test_the_workflow_ends_with_an_issued_letter_whose_pdf_matches_its_sha256(api, demo):
    inspector = api("inspector")
    recs = _ok(inspector.get("/api/v1/recommendations?per_page=100"))["items"]
    mine = [r["id"] for r in recs if r["authority_id"] == demo.pemkot.id][:2]
    letter = _ok(inspector.post("/api/v1/letters", json=_new_letter_body(demo, mine)), 201)
    url = f"/api/v1/letters/{letter['id']}"

    # Refusals carry the services' messages: wrong state is a 409, a role a 403.
    refused = inspector.post(f"{url}/approve")
    assert refused.status_code == 403 and refused.get_json()["error"].startswith("Hanya supervisor")
    refused = api("supervisor").post(f"{url}/approve")
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "Hanya surat yang sedang diperiksa yang dapat disetujui."
    refused = api("head").post(f"{url}/issue")
    assert refused.status_code == 409 and "belum disetujui" in refused.get_json()["error"]

    issued = _issue(api, letter["id"])
    assert issued["status"] == "issued" and issued["number"] and issued["letter_date"] == TODAY.isoformat()
    assert issued["verify_url"].startswith("http") and "/verify/" in issued["verify_url"]
    assert issued["recommendation_ids"] == mine
    assert _ok(inspector.post(f"{url}/submit"), 409)  # an issued letter is no draft
    again = api("head").post(f"{url}/issue")
    assert again.status_code == 409 and issued["number"] in again.get_json()["error"]
    assert inspector.patch(url, json={"hal": "x"}).status_code == 409

    pdf = inspector.get(f"{url}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "X-Letter-Draft" not in pdf.headers
    assert hashlib.sha256(pdf.data).hexdigest() == issued["sha256"]
    assert pdf.headers["ETag"].strip('"') == issued["sha256"]
    assert issued["number"] in " ".join(PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().split())
    assert _ok(inspector.get("/api/v1/letters?status=issued"))["total"] == 1


def test_submitting_a_letter_without_recommendations_is_a_409_with_the_reason(api, demo):
    inspector = api("inspector")
    letter = _ok(inspector.post("/api/v1/letters", json=_new_letter_body(demo, [])), 201)
    response = inspector.post(f"/api/v1/letters/{letter['id']}/submit")
    assert response.status_code == 409
    assert "minimal satu" in response.get_json()["error"]


# --- delivery -----------------------------------------------------------------------------------------------


def test_delivery_is_checked_against_the_letter_and_recorded_once(api, drafts, monkeypatch):
    kota, ditjen = drafts
    inspector = api("inspector")
    url = f"/api/v1/letters/{kota.id}/delivery"
    refused = inspector.post(f"/api/v1/letters/{ditjen.id}/delivery", json={"received_on": "2018-08-10"})
    assert refused.status_code == 409 and "sudah terbit" in refused.get_json()["error"]
    _issue(api, kota.id)  # dated 10 August 2018
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-08-14")

    for body, field in (
        ({"delivered_on": "2018-08-09"}, "delivered_on"),  # before the letter's date
        ({"delivered_on": "2018-08-10", "received_on": "2018-08-09"}, "received_on"),
        ({"delivered_on": "2018-08-10", "received_on": "2018-08-15"}, "received_on"),  # the future
        ({"received_on": "2018-08-13"}, "delivered_on"),  # a receipt needs a sending date
        ({"received_on": "10-08-2018"}, "received_on"),
        ({"delivery_method": "pigeon"}, "delivery_method"),
        ({"received_on": "2018-08-10", "signed_by": "x"}, "signed_by"),
    ):
        response = inspector.post(url, json=body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["fields"], (body, response.get_json())
    letter = db.session.get(Letter, kota.id)
    assert letter.received_on is None and letter.delivered_on is None

    body = {"delivery_method": "courier", "delivered_on": "2018-08-10", "received_on": "2018-08-13"}
    recorded = _ok(inspector.post(url, json=body))
    assert (recorded["delivery_method"], recorded["received_on"]) == ("courier", "2018-08-13")
    assert _ok(inspector.post(url, json=body)) == recorded  # a retry changes nothing
    # A note alone keeps the recorded dates.
    noted = _ok(inspector.post(url, json={"delivery_note": "Diterima staf TU."}))
    assert noted["received_on"] == "2018-08-13" and noted["delivery_note"] == "Diterima staf TU."

    # A second, different receipt date: only a supervisor, only with a reason.
    changed = {"received_on": "2018-08-12"}
    twice = inspector.post(url, json=changed)
    assert twice.status_code == 403 and "supervisor" in twice.get_json()["error"]
    assert "received_on" in twice.get_json()["fields"]
    supervisor = api("supervisor")
    no_reason = supervisor.post(url, json=changed)
    assert no_reason.status_code == 422 and "correction_reason" in no_reason.get_json()["fields"]
    assert db.session.get(Letter, kota.id).received_on == date(2018, 8, 13)
    fixed = _ok(supervisor.post(url, json={**changed, "correction_reason": "Salah ketik tanggal."}))
    assert fixed["received_on"] == "2018-08-12"


# --- no query per item --------------------------------------------------------------------------------------


def test_the_letters_list_costs_the_same_queries_for_one_item_or_many(api, demo, count_queries):
    client = api("inspector")
    recs = _ok(client.get("/api/v1/recommendations"))["items"]
    for i in range(4):  # a recommendation sits in one active letter of a kind: one each
        _ok(client.post("/api/v1/letters", json=_new_letter_body(demo, [recs[i]["id"]])), 201)
    _ok(client.get("/api/v1/letters"))  # the token's last use is written on the first request only
    with count_queries() as one:
        assert len(_ok(client.get("/api/v1/letters?per_page=1"))["items"]) == 1
    with count_queries() as many:
        assert len(_ok(client.get("/api/v1/letters?per_page=50"))["items"]) == 6
    assert many.count == one.count, many.statements


def test_a_saran_letter_refuses_a_corrective_action_naming_the_field(api, demo, drafts):
    from ombudsman.recommendations import services as recommendations

    corrective = recommendations.create(
        demo.office.id,
        demo.users["inspector"],
        {
            "finding_ids": [demo.findings[2].id],
            "authority_id": demo.pemkot.id,
            "kind": "tindakan_korektif",
            "text": "Menerapkan nomor antrean dalam 30 hari.",
        },
    )
    db.session.commit()
    kota, _ditjen = drafts
    ids = [r.id for r in kota.recommendations]

    response = api("inspector").patch(
        f"/api/v1/letters/{kota.id}", json={"recommendation_ids": [*ids, corrective.id]}
    )

    assert response.status_code == 422
    assert "berjenis sama" in response.get_json()["fields"]["recommendation_ids"][0]
    assert [r.id for r in db.session.get(Letter, kota.id).recommendations] == ids
