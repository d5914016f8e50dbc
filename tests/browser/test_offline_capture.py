"""Offline capture in a phone-sized headless chromium: nothing recorded offline is lost or arrives twice."""

from __future__ import annotations

import hashlib
import io
import threading
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from ombudsman.extensions import db
from ombudsman.inspections import services as inspections
from ombudsman.inspections import storage
from ombudsman.inspections.models import Evidence, Finding, Inspection

pytestmark = pytest.mark.browser

SYNC_TIMEOUT_MS = 45_000
ALL_ITEMS = "#outbox li.outbox-item"


def make_photo(directory: Path, name: str, color: tuple[int, int, int], size: tuple[int, int]) -> Path:
    """A real, distinct photo file (PNG or JPEG by its suffix)."""
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    # A gradient row makes each file's bytes unique beyond its colour.
    for x in range(size[0]):
        image.putpixel((x, 0), (x % 256, (x * 3) % 256, (x * 7) % 256))
    image.save(out, "PNG" if name.endswith(".png") else "JPEG", quality=90)
    path = directory / name
    path.write_bytes(out.getvalue())
    return path


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def findings_to_record(tmp_path) -> list[dict]:
    """Three findings as an inspector would log them at the Dispendukcapil counters, four photos in all."""
    shots = tmp_path / "camera"
    shots.mkdir()
    return [
        {
            "title": "Loket terlalu sedikit untuk 300 pengunjung sehari",
            "description": "Hanya dua loket buka; antrean meluber ke halaman.",
            "theme": "Loket pelayanan",
            "codes": ["penundaan_berlarut"],
            "severity": "high",
            "photos": [make_photo(shots, "IMG_0001.jpg", (180, 40, 40), (640, 480))],
        },
        {
            "title": "Tidak ada nomor antrean",
            "description": "Warga berdesakan di depan loket tanpa nomor.",
            "theme": "Antrean dan nomor antrean",
            "codes": ["tidak_patut", "penyimpangan_prosedur"],
            "severity": "medium",
            "photos": [
                make_photo(shots, "IMG_0002.png", (40, 160, 60), (320, 240)),
                make_photo(shots, "IMG_0003.png", (40, 60, 170), (300, 200)),
            ],
        },
        {
            "title": "Blanko KTP-el habis",
            "description": "Petugas menyatakan stok blanko kosong sejak dua minggu.",
            "theme": "Stok atau alokasi blanko KTP-el",
            "codes": ["tidak_memberikan_pelayanan"],
            "severity": "high",
            "photos": [make_photo(shots, "IMG_0004.jpg", (200, 200, 30), (800, 600))],
        },
    ]


def open_capture(page, live_server) -> None:
    """Open the capture page and wait until its service worker controls it (page and files cached)."""
    page.goto(f"{live_server.url}/capture/")
    expect(page.locator("#sw-status")).to_have_attribute("data-ready", "true")


def record_finding(page, finding: dict) -> None:
    """Fill in and save the finding form, photos included."""
    page.fill("#f-title", finding["title"])
    page.fill("#f-description", finding["description"])
    page.select_option("#f-theme", label=finding["theme"])
    for code in finding["codes"]:
        page.check(f"#f-mal-{code}")
    page.select_option("#f-severity", finding["severity"])
    page.set_input_files("#f-photos", [str(p) for p in finding["photos"]])
    expect(page.locator("#f-photo-list li")).to_have_count(len(finding["photos"]))
    page.click("#save-finding")
    expect(page.locator("#finding .saved")).to_be_visible()
    expect(page.locator("#f-title")).to_have_value("")


def outbox_states(page) -> list[tuple[str, str, str]]:
    """(kind, label, state) of every outbox item, in sending order."""
    return page.eval_on_selector_all(
        ALL_ITEMS,
        "items => items.map(li => [li.dataset.kind, li.querySelector('.outbox-label').textContent, "
        "li.dataset.state])",
    )


def expected_outbox(findings: list[dict], inspection_title: str | None = None) -> list[tuple[str, str]]:
    """(kind, label) of the outbox items the findings make, in order."""
    rows = [("inspection", inspection_title)] if inspection_title else []
    for finding in findings:
        rows.append(("finding", finding["title"]))
        rows.extend(("photo", p.name) for p in finding["photos"])
    return rows


def wait_until_all_sent(page, count: int) -> None:
    """Wait until the outbox shows `count` items, every one confirmed by the server."""
    page.wait_for_function(
        """n => { const items = [...document.querySelectorAll('#outbox li.outbox-item')];
                  return items.length === n && items.every(li => li.dataset.state === 'sent'); }""",
        arg=count,
        timeout=SYNC_TIMEOUT_MS,
    )
    expect(page.locator(f"{ALL_ITEMS} .state")).to_have_text(["Terkirim"] * count)


def assert_server_has_exactly(app, inspection_id: int, findings: list[dict]) -> None:
    """The inspection holds exactly these findings, each with exactly its photos, byte for byte."""
    db.session.rollback()  # see what the server threads committed
    stored = db.session.scalars(
        select(Finding).where(Finding.inspection_id == inspection_id).order_by(Finding.number)
    ).all()
    assert [f.title for f in stored] == [f["title"] for f in findings]
    root = Path(app.config["EVIDENCE_DIR"])
    for row, expected in zip(stored, findings, strict=True):
        assert row.description == expected["description"]
        assert sorted(row.form_codes) == sorted(expected["codes"])
        assert row.severity.value == expected["severity"]
        assert row.routing_rule is not None and row.routing_rule.theme == expected["theme"]
        assert row.client_id is not None
        evidence = db.session.scalars(
            select(Evidence).where(Evidence.finding_id == row.id).order_by(Evidence.id)
        ).all()
        assert [e.original_filename for e in evidence] == [p.name for p in expected["photos"]]
        for item, photo in zip(evidence, expected["photos"], strict=True):
            assert item.sha256 == sha256(photo)
            assert item.size_bytes == photo.stat().st_size
            assert storage.path_for(root, item.storage_key).read_bytes() == photo.read_bytes()
            assert item.client_id is not None
    photos = sum(len(f["photos"]) for f in findings)
    assert (
        db.session.scalar(
            select(func.count()).select_from(Evidence).where(Evidence.inspection_id == inspection_id)
        )
        == photos
    )


def test_findings_recorded_offline_survive_a_reload_and_arrive_once(
    demo, live_server, phone, sign_in, findings_to_record
):
    page = phone.new_page()
    sign_in(page, "inspector@demo.test")
    open_capture(page, live_server)
    inspections_before = db.session.scalar(select(func.count()).select_from(Inspection))

    phone.set_offline(True)
    expect(page.locator("#net-status")).to_have_attribute("data-online", "false")
    # A new inspection opened on site, then three findings with photos.
    page.click("#new-inspection-box summary")
    page.fill("#ni-title", "Sidak pelayanan KTP-el Dispendukcapil Kota Kupang")
    page.select_option("#ni-authority", label=demo.dinas.name)
    page.fill("#ni-date", "2018-07-30")
    page.fill("#ni-place", "Kantor Dispendukcapil Kota Kupang")
    page.click("#save-inspection")
    expect(page.locator("#inspection option:checked")).to_contain_text("Sidak pelayanan KTP-el")
    # Two checklist answers: the first item absent (with a note), the second partly there.
    page.click("#checklist-box summary")
    rows = page.locator("#checklist-rows .checklist-row")
    first_item, second_item = (rows.nth(n).get_attribute("data-item-id") for n in (0, 1))
    page.check(f"#ck-{first_item}-absent")
    page.fill(f"#ck-note-{first_item}", "Tidak ada papan standar pelayanan")
    page.check(f"#ck-{second_item}-partial")
    page.click("#save-checklist")
    expect(page.locator("#checklist .saved")).to_be_visible()
    for finding in findings_to_record:
        record_finding(page, finding)
    expected = expected_outbox(findings_to_record, "Sidak pelayanan KTP-el Dispendukcapil Kota Kupang")
    expected.insert(1, ("checklist", "2 jawaban checklist"))
    assert [(k, label) for k, label, _ in outbox_states(page)] == expected
    expect(page.locator(f"{ALL_ITEMS} .state")).to_have_text(["Menunggu dikirim"] * len(expected))

    # Still offline: the service worker serves the page again, and the outbox is still there.
    page.reload()
    expect(page.locator("#net-status")).to_have_attribute("data-online", "false")
    expect(page.locator(f"{ALL_ITEMS} .state")).to_have_text(["Menunggu dikirim"] * len(expected))
    assert [(k, label, s) for k, label, s in outbox_states(page)] == [(k, v, "waiting") for k, v in expected]
    expect(page.locator("#inspection option:checked")).to_contain_text("Sidak pelayanan KTP-el")
    page.click("#checklist-box summary")
    expect(page.locator(f"#ck-{first_item}-absent")).to_be_checked()
    expect(page.locator(f"#ck-note-{first_item}")).to_have_value("Tidak ada papan standar pelayanan")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == inspections_before

    phone.set_offline(False)
    wait_until_all_sent(page, len(expected))

    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == inspections_before + 1
    created = db.session.scalar(
        select(Inspection).where(Inspection.title == "Sidak pelayanan KTP-el Dispendukcapil Kota Kupang")
    )
    assert created.office_id == demo.office.id
    assert created.authority_id == demo.dinas.id
    assert created.visited_on == date(2018, 7, 30)
    assert created.created_by_id == demo.users["inspector"].id
    assert_server_has_exactly(live_server.app, created.id, findings_to_record)
    answers = {a.item_id: (a.answer.value, a.note) for a in created.answers}
    assert answers == {
        int(first_item): ("absent", "Tidak ada papan standar pelayanan"),
        int(second_item): ("partial", ""),
    }


def test_a_connection_cut_in_the_middle_of_sending_loses_nothing_and_duplicates_nothing(
    demo, live_server, phone, sign_in, findings_to_record
):
    draft = inspections.create_inspection(
        demo.office,
        demo.users["inspector"],
        {
            "title": "Monitoring Dispendukcapil Kota Kupang",
            "kind": "monitoring",
            "authority_id": demo.dinas.id,
            "visited_on": date(2018, 9, 14),
        },
    )
    db.session.commit()
    page = phone.new_page()
    sign_in(page, "inspector@demo.test")
    open_capture(page, live_server)
    page.select_option("#inspection", value=f"server:{draft.id}")

    phone.set_offline(True)
    for finding in findings_to_record:
        record_finding(page, finding)
    expected = expected_outbox(findings_to_record)
    expect(page.locator(f"{ALL_ITEMS} .state")).to_have_text(["Menunggu dikirim"] * len(expected))

    # The server receives and stores the 2nd and the 5th request, but their answers never reach the
    # phone: the worst moment for a connection to drop.
    posts: list[str] = []  # the Idempotency-Key (the item's client UUID) of each POST
    cut: list[str] = []
    lock = threading.Lock()

    def drop_the_answer(route):
        request = route.request
        if request.method != "POST":
            route.continue_()
            return
        key = request.headers.get("idempotency-key")
        with lock:
            posts.append(key)
            number = len(posts)
        if number in (2, 5):
            route.fetch()  # reaches the server, which commits
            cut.append(key)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/api/v1/**", drop_the_answer)
    phone.set_offline(False)
    _wait_for(lambda: len(cut) >= 1, page)
    # Right after the first lost answer the phone goes offline, and the page is even reloaded.
    phone.set_offline(True)
    db.session.rollback()
    # The server did store the first photo; the phone, which never heard so, still has it waiting.
    stored = select(func.count()).select_from(Evidence).where(Evidence.inspection_id == draft.id)
    assert db.session.scalar(stored) == 1
    page.reload()
    # The reloaded page may have caught the photo still marked "sending" (the abort and the reload race);
    # starting up, it puts back to "waiting" whatever was not confirmed.
    first_photo = page.locator(f'{ALL_ITEMS}[data-kind=photo]:has-text("IMG_0001.jpg")')
    expect(first_photo).to_have_attribute("data-state", "waiting")
    expect(page.locator(f"{ALL_ITEMS}[data-state=sending]")).to_have_count(0)
    states = outbox_states(page)
    assert [(k, label) for k, label, _ in states] == expected
    assert [s for _, _, s in states] == ["sent"] + ["waiting"] * (len(expected) - 1)

    phone.set_offline(False)
    wait_until_all_sent(page, len(expected))
    assert len(cut) == 2
    # The two requests whose answers were lost were sent again with the same client UUID, and every
    # record was sent under its own UUID. A record may have been sent a third time: when the phone came
    # online while a round was starting, that round's failure is followed at once by the fresh round the
    # "online" event asked for, and that retry can itself be cut by the phone going offline again.
    assert all(posts.count(key) >= 2 for key in cut)
    assert len(set(posts)) == len(expected)
    assert_server_has_exactly(live_server.app, draft.id, findings_to_record)


def test_failures_show_the_reason_and_are_retried_only_when_it_helps(
    demo, live_server, phone, sign_in, findings_to_record
):
    def draft(title: str) -> Inspection:
        inspection = inspections.create_inspection(
            demo.office,
            demo.users["inspector"],
            {"title": title, "kind": "sidak", "authority_id": demo.dinas.id, "visited_on": date(2018, 9, 3)},
        )
        db.session.commit()
        return inspection

    open_one, to_be_submitted = draft("Sidak pertama"), draft("Sidak yang keburu diajukan")
    first, second = findings_to_record[0], findings_to_record[2]
    page = phone.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "inspector@demo.test")
    open_capture(page, live_server)

    phone.set_offline(True)
    page.select_option("#inspection", value=f"server:{open_one.id}")
    record_finding(page, first)
    page.select_option("#inspection", value=f"server:{to_be_submitted.id}")
    record_finding(page, second)
    # Meanwhile the supervisor submits the second inspection: inspectors may no longer add to it.
    inspections.submit_inspection(to_be_submitted, demo.users["supervisor"])
    db.session.commit()

    answered: list[str] = []
    findings_url = f"/inspections/{open_one.id}/findings"  # read here: handlers run outside the app context

    def flaky_server(route):
        request = route.request
        if request.method == "POST" and request.url.endswith(findings_url) and ("503" not in answered):
            answered.append("503")
            route.fulfill(status=503, json={"error": "Sedang pemeliharaan.", "fields": {}})
        elif request.method == "POST" and request.url.endswith("/evidence") and "bad-sha" not in answered:
            answered.append("bad-sha")
            real = route.fetch()  # the server stores the photo; its confirmation is then tampered with
            route.fulfill(response=real, json={**real.json(), "sha256": "0" * 64})
        else:
            route.continue_()

    page.route("**/api/v1/**", flaky_server)
    phone.set_offline(False)

    # The 503 is retried by itself; the photo whose fingerprint the server did not confirm is not "sent".
    photo = page.locator(f'{ALL_ITEMS}[data-kind=photo]:has-text("{first["photos"][0].name}")')
    expect(photo).to_have_attribute("data-state", "failed", timeout=SYNC_TIMEOUT_MS)
    expect(photo.locator(".state")).to_contain_text("Gagal: Sidik jari SHA-256 di server (000000000000)")
    assert answered == ["503", "bad-sha"]
    # The submitted inspection refuses the finding: shown with the server's reason, its photo held back.
    refused = page.locator(f'{ALL_ITEMS}[data-kind=finding]:has-text("{second["title"]}")')
    expect(refused).to_have_attribute("data-state", "failed", timeout=SYNC_TIMEOUT_MS)
    expect(refused.locator(".state")).to_have_text("Gagal: Anda tidak berwenang melakukan ini.")
    held = page.locator(f'{ALL_ITEMS}[data-kind=photo]:has-text("{second["photos"][0].name}")')
    expect(held).to_have_attribute("data-state", "blocked")
    blocked_by = f"Diblokir oleh Temuan \u201c{second['title']}\u201d, yang ditolak server"
    expect(held.locator(".state")).to_have_text(f"{blocked_by}: perbaiki atau hapus itu dulu")
    # Counted apart: nothing is left "waiting" while the refused finding holds its photo back.
    expect(page.locator("#outbox-counts")).to_have_attribute("data-waiting", "0")
    expect(page.locator("#outbox-counts")).to_have_attribute("data-blocked", "1")

    # Trying the photo again asks the server, which answers with the record it already has.
    photo.locator("button.retry").click()
    expect(photo).to_have_attribute("data-state", "sent", timeout=SYNC_TIMEOUT_MS)
    # The refused finding is dropped from the phone, with its photo.
    refused.locator("button.remove").click()
    expect(page.locator(ALL_ITEMS)).to_have_count(2)
    expect(page.locator(f"{ALL_ITEMS} .state")).to_have_text(["Terkirim", "Terkirim"])

    assert_server_has_exactly(live_server.app, open_one.id, [first])
    assert_server_has_exactly(live_server.app, to_be_submitted.id, [])


def test_the_capture_form_routes_each_finding_so_sync_never_needs_a_field_it_lacks(
    demo, live_server, phone, sign_in, tmp_path
):
    photo = make_photo(tmp_path, "IMG_0100.jpg", (90, 90, 90), (500, 400))
    page = phone.new_page()
    sign_in(page, "inspector@demo.test")
    open_capture(page, live_server)
    page.select_option("#inspection", value=f"server:{demo.inspection.id}")
    # No theme and no authority: refused on the spot, before the inspector leaves; nothing typed is lost.
    page.fill("#f-title", "Papan stok blanko tidak ada")
    page.set_input_files("#f-photos", [str(photo)])
    page.click("#save-finding")
    expect(page.locator("#finding .error")).to_have_text(
        "Pilih tema atau instansi yang bertanggung jawab, agar server tahu ke mana temuan ini diarahkan."
    )
    expect(page.locator("#f-title")).to_have_value("Papan stok blanko tidak ada")
    expect(page.locator("#f-photo-list li")).to_have_count(1)
    expect(page.locator(ALL_ITEMS)).to_have_count(0)

    # A theme brings the routing rules' suggestion, as on the full form; one tap accepts it.
    page.select_option("#f-theme", label="Pengumuman stok blanko")
    expect(page.locator("#f-suggestion")).to_contain_text("Disarankan: Pemerintah Kota Kupang")
    page.click("#accept-suggestion")
    expect(page.locator("#f-authority")).to_have_value(str(demo.pemkot.id))
    phone.set_offline(True)
    page.click("#save-finding")
    expect(page.locator("#finding .saved")).to_have_text(
        "Tersimpan di perangkat. Akan dikirim otomatis saat ada sinyal."
    )
    # Offline, the authority alone is enough; this one is deactivated before the phone is back online.
    page.fill("#f-title", "Antrean tanpa nomor di loket pusat")
    page.select_option("#f-authority", str(demo.ditjen.id))
    page.click("#save-finding")
    expect(page.locator(ALL_ITEMS)).to_have_count(3)
    demo.ditjen.active = False
    db.session.commit()
    phone.set_offline(False)

    refused = page.locator(f"{ALL_ITEMS}[data-kind=finding]:has-text('Antrean tanpa nomor')")
    expect(refused).to_have_attribute("data-state", "failed", timeout=SYNC_TIMEOUT_MS)
    expect(refused.locator(".state")).to_contain_text("tidak aktif; pilih instansi yang aktif")
    # The server named a field the capture form has: corrected on the phone and queued again.
    refused.locator("button.edit").click()
    expect(page.locator("#f-editing")).to_be_visible()
    expect(page.locator("#f-authority")).to_have_value(str(demo.ditjen.id))
    page.select_option("#f-authority", str(demo.pemkot.id))
    page.click("#save-finding")
    expect(page.locator("#f-editing")).to_be_hidden()
    wait_until_all_sent(page, 3)
    # The note under the form follows what it was about: the corrected finding reached the office.
    expect(page.locator("#finding .saved")).to_have_text("Terkirim ke kantor.")

    db.session.rollback()
    added = db.session.scalars(
        select(Finding)
        .where(Finding.inspection_id == demo.inspection.id, Finding.number > 10)
        .order_by(Finding.number)
    ).all()
    assert [(f.title, f.responsible_authority_id) for f in added] == [
        ("Papan stok blanko tidak ada", demo.pemkot.id),
        ("Antrean tanpa nomor di loket pusat", demo.pemkot.id),
    ]
    assert added[0].routing_rule.theme == "Pengumuman stok blanko"
    assert [e.sha256 for e in added[0].evidence] == [sha256(photo)]


def test_an_expired_session_holds_the_outbox_until_the_inspector_signs_in_again(
    demo, live_server, phone, sign_in, findings_to_record
):
    finding = findings_to_record[1]
    page = phone.new_page()
    sign_in(page, "inspector@demo.test")
    open_capture(page, live_server)
    page.select_option("#inspection", value=f"server:{demo.inspection.id}")
    phone.set_offline(True)
    record_finding(page, finding)

    # A long day offline: the session is gone when the signal returns.
    phone.clear_cookies()
    phone.set_offline(False)
    expect(page.locator("#outbox-notice")).to_contain_text("Sesi berakhir", timeout=SYNC_TIMEOUT_MS)
    expect(page.locator(f"{ALL_ITEMS} .state")).to_have_text(["Menunggu dikirim"] * 3)

    # Signing in again makes a new CSRF token; the page, loaded before, fetches it before sending.
    sign_in(phone.new_page(), "inspector@demo.test")
    page.click("#send-now")
    wait_until_all_sent(page, 3)
    expect(page.locator("#outbox-notice")).to_be_hidden()
    db.session.rollback()
    added = db.session.scalars(
        select(Finding).where(Finding.inspection_id == demo.inspection.id, Finding.number > 10)
    ).all()
    assert [f.title for f in added] == [finding["title"]]
    assert [e.sha256 for e in added[0].evidence] == [sha256(p) for p in finding["photos"]]


def _wait_for(condition, page, timeout_ms: int = SYNC_TIMEOUT_MS) -> None:
    """Let the browser run until `condition()` holds (route handlers run while the page waits)."""
    waited = 0
    while not condition():
        if waited >= timeout_ms:
            raise AssertionError("condition not met in time")
        page.wait_for_timeout(100)
        waited += 100
