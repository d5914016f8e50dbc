"""The capture page, its session probe, service worker and manifest (browser journeys: tests/browser)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from ombudsman.accounts import services as accounts
from ombudsman.accounts.models import Office
from ombudsman.capture import services as capture
from ombudsman.extensions import db
from ombudsman.inspections import services as inspections
from ombudsman.inspections import storage
from ombudsman.inspections.models import Answer

STATIC = Path(__file__).resolve().parents[2] / "ombudsman" / "static"

DATA_RE = re.compile(r'<script type="application/json" id="capture-data">(.*?)</script>', re.S)
MESSAGES_RE = re.compile(r'<script type="application/json" id="capture-messages">(.*?)</script>', re.S)


def demo_app_limit(response) -> int:
    """The evidence size limit of the app that answered (the test app's config)."""
    from flask import current_app

    return current_app.config["EVIDENCE_MAX_BYTES"]


def page_data(response) -> dict:
    """The reference data embedded in the capture page."""
    return json.loads(DATA_RE.search(response.get_data(as_text=True)).group(1))


def _draft(office, user, unit, title: str, team_ids=()):
    inspection = inspections.create_inspection(
        office,
        user,
        {"title": title, "kind": "sidak", "authority_id": unit.id, "visited_on": date(2018, 8, 1)},
        team_ids=team_ids,
    )
    db.session.commit()
    return inspection


def test_inspector_gets_the_page_with_drafts_register_themes_and_codes(demo, login):
    response = login("inspector@demo.test").get("/capture/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"
    html = response.get_data(as_text=True)
    assert 'rel="manifest" href="/capture/manifest.webmanifest"' in html
    assert 'name="csrf-token"' in html
    assert 'accept="image/*" capture="environment"' in html
    data = page_data(response)
    assert [i["id"] for i in data["inspections"]] == [demo.inspection.id]
    assert data["inspections"][0]["title"] == demo.inspection.title
    assert {a["name"] for a in data["authorities"]} >= {demo.dinas.name, demo.ditjen.name}
    assert len(data["themes"]) > 5
    assert {m["code"] for m in data["maladministration"]} >= {"penundaan_berlarut", "tidak_kompeten"}
    assert [s["code"] for s in data["severities"]] == ["low", "medium", "high"]
    assert data["user_id"] == demo.users["inspector"].id
    assert data["api_base"] == "/api/v1"
    assert data["session_url"] == "/capture/session"
    assert data["sw_url"] == f"/capture/sw.js?v={data['version']}"
    assert data["scope"] == "/capture/"
    assert response.headers["X-Capture-Version"] == data["version"]
    # The phone checks photos against the server's own limits before it queues them.
    limits = data["capture_limits"]
    assert limits["photo_types"] == list(storage.PHOTO_TYPES)
    assert limits["max_bytes"] == demo_app_limit(response)
    assert set(limits["max_pixels"]) == set(storage.PHOTO_TYPES)
    # Each of the page's own files is linked with the hash of its content.
    for name in ("capture/outbox.js", "capture/storage.js", "capture/sync.js", "capture/capture.js"):
        digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:16]
        assert f'src="/static/{name}?v={digest}"' in html


def test_page_texts_are_indonesian_and_states_are_named(demo, login):
    html = login("inspector@demo.test").get("/capture/").get_data(as_text=True)
    messages = json.loads(MESSAGES_RE.search(html).group(1))
    assert messages["waiting"] == "Menunggu dikirim"
    assert messages["sent"] == "Terkirim"
    assert messages["failed"] == "Gagal: {reason}"
    assert "Pencatatan lapangan" in html


def test_user_text_in_the_page_data_cannot_break_out_of_the_script(demo, login):
    _draft(demo.office, demo.users["inspector"], demo.dinas, "</script><script>alert(1)</script>")
    html = login("inspector@demo.test").get("/capture/").get_data(as_text=True)
    assert "</script><script>alert(1)" not in html
    data = page_data(login("inspector@demo.test").get("/capture/"))
    assert "</script><script>alert(1)</script>" in [i["title"] for i in data["inspections"]]


def test_checklists_and_current_answers_come_with_the_page(demo, login):
    rows = inspections.checklist_rows(demo.inspection)
    first, second = rows[0][0], rows[1][0]
    inspections.save_answers(
        demo.inspection,
        demo.users["inspector"],
        {first.id: (Answer.ABSENT, "Tidak ada nomor antrean"), second.id: (Answer.PRESENT, "")},
    )
    db.session.commit()
    data = page_data(login("inspector@demo.test").get("/capture/"))
    (offered,) = data["inspections"]
    assert offered["checklist_id"] == demo.inspection.checklist_id
    assert offered["answers"] == {
        str(first.id): ["absent", "Tidak ada nomor antrean"],
        str(second.id): ["present", ""],
    }
    items = data["checklists"][str(demo.inspection.checklist_id)]
    assert [i["id"] for i in items] == [item.id for item, _ in rows]
    assert items[0] == {"id": first.id, "group": first.group, "label": first.label}
    assert data["active_checklist_id"] == inspections.active_checklist().id
    assert [(a["code"], a["name"]) for a in data["answers"]] == [
        ("present", "ada"),
        ("partial", "sebagian"),
        ("absent", "tidak ada"),
        ("not_assessed", "tidak dinilai"),
    ]


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("inspector@demo.test", 200),
        ("supervisor@demo.test", 200),
        ("head@demo.test", 403),
        ("admin@demo.test", 403),
        ("viewer@demo.test", 403),
    ],
)
def test_only_field_workers_may_capture(demo, login, email, status):
    b = login(email)
    assert b.get("/capture/").status_code == status
    assert b.get("/capture/session").status_code == status


def test_anonymous_visitors_are_sent_to_login_but_get_worker_and_manifest(demo, client):
    response = client.get("/capture/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.get("/capture/session").status_code == 302
    assert client.get("/capture/sw.js").status_code == 200
    assert client.get("/capture/manifest.webmanifest").status_code == 200


def test_only_drafts_the_user_may_edit_are_offered(demo, login):
    other_office = Office(name="Perwakilan Ombudsman Provinsi Bali", short_name="Bali", province="Bali")
    db.session.add(other_office)
    db.session.flush()
    stranger = accounts.create_user(
        email="bali@demo.test", name="Inspektur Bali", role="inspector", office=other_office, password="demo"
    )
    colleague = accounts.create_user(
        email="rekan@demo.test", name="Rekan Inspektur", role="inspector", office=demo.office, password="demo"
    )
    db.session.commit()
    foreign = _draft(other_office, stranger, demo.dinas, "Sidak kantor lain")
    not_on_team = _draft(demo.office, colleague, demo.dinas, "Sidak rekan tanpa saya")
    on_team = _draft(
        demo.office, colleague, demo.dinas, "Sidak rekan bersama saya", [demo.users["inspector"].id]
    )
    submitted = _draft(demo.office, demo.users["inspector"], demo.dinas, "Sidak yang sudah diajukan")
    inspections.submit_inspection(submitted, demo.users["inspector"])
    db.session.commit()

    offered = {i["id"] for i in page_data(login("inspector@demo.test").get("/capture/"))["inspections"]}
    assert offered == {demo.inspection.id, on_team.id}
    assert foreign.id not in offered and not_on_team.id not in offered and submitted.id not in offered
    # A supervisor works on every draft of the office, and on no other office's.
    supervised = {i["id"] for i in page_data(login("supervisor@demo.test").get("/capture/"))["inspections"]}
    assert supervised == {demo.inspection.id, on_team.id, not_on_team.id}


def test_page_queries_do_not_grow_with_the_number_of_drafts(demo, login, count_queries):
    b = login("inspector@demo.test")
    b.get("/capture/")
    with count_queries() as few:
        b.get("/capture/")
    for n in range(6):
        _draft(demo.office, demo.users["inspector"], demo.dinas, f"Sidak tambahan {n}")
    with count_queries() as many:
        response = b.get("/capture/")
    assert len(page_data(response)["inspections"]) == 7
    assert many.count == few.count


def test_session_probe_gives_the_user_and_a_csrf_token_never_cached(demo, login):
    b = login("inspector@demo.test")
    response = b.get("/capture/session")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json["user_id"] == demo.users["inspector"].id
    assert response.json["csrf_token"]


def test_service_worker_lists_the_page_and_every_file_it_needs(demo, client):
    response = client.get("/capture/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    source = response.get_data(as_text=True)
    version = re.search(r'const CAPTURE_VERSION = "([0-9a-f]{16})";', source).group(1)
    assert 'const CAPTURE_PAGE = "/capture/";' in source
    assets = json.loads(re.search(r"const CAPTURE_ASSETS = (\[.*?\]);", source).group(1))
    for name in ("capture/capture.js", "capture/outbox.js", "capture/storage.js", "capture/sync.js"):
        digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:16]
        assert f"/static/{name}?v={digest}" in assets
    assert "/static/css/app.css" in assets  # linked unversioned by base.html
    assert "/capture/manifest.webmanifest" in assets
    for url in assets:  # the worker's install fails as a whole when one file is missing
        with client.get(url) as asset:
            assert asset.status_code == 200, url
    assert (
        client.get("/capture/sw.js").get_data(as_text=True).startswith(f'const CAPTURE_VERSION = "{version}"')
    )


def test_assets_version_changes_with_any_file(tmp_path):
    a, b = tmp_path / "a.js", tmp_path / "b.css"
    a.write_text("one")
    b.write_text("two")
    first = capture.assets_version([a, b])
    assert capture.assets_version([a, b]) == first
    b.write_text("two!")
    assert capture.assets_version([a, b]) != first


def test_manifest_starts_and_stays_on_the_capture_page(demo, client):
    response = client.get("/capture/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    body = json.loads(response.get_data(as_text=True))
    assert body["start_url"] == "/capture/"
    assert body["scope"] == "/capture/"
    assert body["display"] == "standalone"
    with client.get(body["icons"][0]["src"]) as icon:
        assert icon.status_code == 200


def test_nav_links_field_workers_to_the_capture_page(demo, login):
    assert 'href="/capture/"' in login("inspector@demo.test").get("/").get_data(as_text=True)
    assert 'href="/capture/"' not in login("viewer@demo.test").get("/").get_data(as_text=True)


def test_a_changed_file_gets_a_new_url_and_a_new_worker_version(demo, app, client, tmp_path):
    from ombudsman.capture import views

    source = client.get("/capture/sw.js").get_data(as_text=True)
    version = re.search(r'const CAPTURE_VERSION = "([0-9a-f]{16})";', source).group(1)
    deployed = tmp_path / "static"
    shutil.copytree(STATIC, deployed)
    (deployed / "capture" / "sync.js").write_text(
        "// a new release\n" + (STATIC / "capture" / "sync.js").read_text()
    )
    saved = app.static_folder
    app.static_folder = str(deployed)
    try:
        views.load_asset_manifest(app)  # what a restart does
        source = client.get("/capture/sw.js").get_data(as_text=True)
        assets = json.loads(re.search(r"const CAPTURE_ASSETS = (\[.*?\]);", source).group(1))
        digest = hashlib.sha256((deployed / "capture" / "sync.js").read_bytes()).hexdigest()[:16]
        assert f"/static/capture/sync.js?v={digest}" in assets
        assert f'const CAPTURE_VERSION = "{version}"' not in source
        with client.get(f"/static/capture/sync.js?v={digest}") as new:
            assert new.get_data(as_text=True).startswith("// a new release")
    finally:
        app.static_folder = saved
        views.load_asset_manifest(app)
