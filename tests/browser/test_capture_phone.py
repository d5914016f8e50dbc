"""The capture page on real phones' terms (issue 10): photos checked when taken, a stuck record that holds
back nothing, a full phone, two tabs without Web Locks, touch targets and accessibility, and a deploy."""

from __future__ import annotations

import io
import shutil
import threading
import time
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from ombudsman.capture import views
from ombudsman.extensions import db
from ombudsman.inspections.models import Evidence, Finding
from tests.browser.test_offline_capture import (
    ALL_ITEMS,
    SYNC_TIMEOUT_MS,
    make_photo,
    open_capture,
    sha256,
    wait_until_all_sent,
)

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONES = [{"width": 360, "height": 740}, {"width": 390, "height": 844}]
THEME = "Loket pelayanan"


def photo_file(name: str, mime: str, data: bytes) -> dict:
    """A file as the phone's picker hands it over: name, the type the browser reports, bytes."""
    return {"name": name, "mimeType": mime, "buffer": data}


def quick_finding(page, title: str, photos: list[Path] | None = None) -> None:
    """Save a finding with a theme and optional photos, and wait for the saved message."""
    page.fill("#f-title", title)
    page.select_option("#f-theme", label=THEME)
    if photos:
        page.set_input_files("#f-photos", [str(p) for p in photos])
        expect(page.locator("#f-photo-list li")).to_have_count(len(photos))
    page.click("#save-finding")
    expect(page.locator("#finding .saved")).to_be_visible()
    expect(page.locator("#f-title")).to_have_value("")


def queued_offline(phone, sign_in, live_server, demo, findings: list[tuple[str, list[Path]]]):
    """A signed-in capture page whose outbox holds `findings` (title, photos) of the demo inspection, saved
    offline in this order; the phone is still offline."""
    page = phone.new_page()
    sign_in(page, "inspector@demo.test")
    open_capture(page, live_server)
    page.select_option("#inspection", value=f"server:{demo.inspection.id}")
    phone.set_offline(True)
    for title, photos in findings:
        quick_finding(page, title, photos)
    return page


def evidence_of(inspection_id: int) -> list[Evidence]:
    """The inspection's evidence as committed by the server threads."""
    db.session.rollback()
    return db.session.scalars(
        select(Evidence).where(Evidence.inspection_id == inspection_id).order_by(Evidence.id)
    ).all()


def test_photos_the_server_would_refuse_are_named_when_taken_and_never_queued(
    demo, live_server, phone, sign_in, tmp_path, monkeypatch
):
    live_server.app.config["EVIDENCE_MAX_BYTES"] = 60_000
    published = views._capture_limits
    # A lower pixel bound for PNG than the server's, so that a small test file is over it.
    monkeypatch.setattr(
        views,
        "_capture_limits",
        lambda: {**published(), "max_pixels": {**published()["max_pixels"], "image/png": 200_000}},
    )
    good = make_photo(tmp_path, "IMG_0200.jpg", (10, 120, 200), (320, 240))
    big = io.BytesIO()
    Image.effect_noise((300, 300), 90).convert("RGB").save(big, "PNG")  # noise: no compression helps
    wide = io.BytesIO()
    Image.new("RGB", (600, 400), (1, 2, 3)).save(wide, "PNG")  # 240,000 pixels, a few hundred bytes
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    page = phone.new_page()
    sign_in(page, "inspector@demo.test")
    open_capture(page, live_server)
    page.select_option("#inspection", value=f"server:{demo.inspection.id}")
    phone.set_offline(True)

    page.set_input_files(
        "#f-photos",
        [
            photo_file("anim.gif", "image/gif", gif.getvalue()),
            photo_file("IMG_0201.png", "image/png", big.getvalue()),
            photo_file("IMG_0202.png", "image/png", wide.getvalue()),
            photo_file("IMG_0203.jpg", "image/jpeg", b"\xff\xd8 not a photo at all"),
            photo_file(good.name, "image/jpeg", good.read_bytes()),
        ],
    )
    # Said at once, while the inspector is still on site: each refused photo with its reason.
    refused = page.locator("#f-photo-refused")
    expect(refused).to_be_visible()
    expect(refused).to_contain_text(
        "Foto anim.gif tidak dapat disimpan: jenis berkas image/gif tidak diterima."
    )
    big_mb = -(-len(big.getvalue()) // 1048576)
    expect(refused).to_contain_text(f"Foto IMG_0201.png tidak dapat disimpan: {big_mb} MB, batasnya 0 MB.")
    expect(refused).to_contain_text(
        "Foto IMG_0202.png tidak dapat disimpan: 600 × 400 piksel, batasnya 0,2 megapiksel."
    )
    expect(refused).to_contain_text(
        "Foto IMG_0203.jpg tidak dapat disimpan: berkas tidak dapat dibaca sebagai gambar."
    )
    expect(page.locator("#f-photo-list li")).to_have_count(1)
    expect(page.locator("#f-photo-list li")).to_contain_text(good.name)

    page.fill("#f-title", "Loket tutup sebelum jam pelayanan berakhir")
    page.select_option("#f-theme", label=THEME)
    page.click("#save-finding")
    expect(page.locator("#finding .saved")).to_be_visible()
    expect(refused).to_be_hidden()
    phone.set_offline(False)
    wait_until_all_sent(page, 2)
    assert [e.sha256 for e in evidence_of(demo.inspection.id)] == [sha256(good)]


def test_a_record_the_server_keeps_refusing_holds_back_nothing_else(
    demo, live_server, phone, sign_in, tmp_path
):
    shots = [
        make_photo(tmp_path, f"IMG_03{n:02}.jpg", (n * 40, 90, 200 - n * 30), (200, 150)) for n in range(5)
    ]
    # The stuck finding comes first in the queue; ten independent records follow it.
    page = queued_offline(
        phone,
        sign_in,
        live_server,
        demo,
        [("Macet: server selalu menolak ini", [])]
        + [(f"Temuan {n + 1} dengan foto", [s]) for n, s in enumerate(shots)],
    )

    refusals: list[str] = []

    def always_503_for_the_stuck_one(route):
        request = route.request
        if request.method == "POST" and "Macet" in (request.post_data or ""):
            refusals.append(request.headers.get("idempotency-key"))
            route.fulfill(status=503, json={"error": "Sedang pemeliharaan.", "fields": {}})
        else:
            route.continue_()

    page.route("**/api/v1/**", always_503_for_the_stuck_one)
    phone.set_offline(False)
    # Without a tap, the ten others are confirmed while the stuck one waits for its own retry time.
    page.wait_for_function(
        """() => [...document.querySelectorAll('#outbox li.outbox-item')]
                  .filter(li => li.dataset.state === 'sent').length === 10""",
        timeout=30_000,
    )
    stuck = page.locator(f"{ALL_ITEMS}[data-kind=finding]:has-text('Macet')")
    expect(stuck.locator(".state")).to_have_text("Coba nanti: Sedang pemeliharaan.")
    expect(stuck).to_have_attribute("data-state", "later")
    expect(stuck.locator(".outbox-note")).to_contain_text("dicoba lagi otomatis pukul")
    expect(page.locator("#outbox-counts")).to_have_attribute("data-later", "1")
    assert len(set(refusals)) == 1

    db.session.rollback()
    added = db.session.scalars(
        select(Finding).where(Finding.inspection_id == demo.inspection.id, Finding.number > 10)
    ).all()
    assert sorted(f.title for f in added) == sorted(f"Temuan {n + 1} dengan foto" for n in range(5))
    assert sorted(e.sha256 for e in evidence_of(demo.inspection.id)) == sorted(sha256(s) for s in shots)

    # It keeps its own schedule, and goes by itself as soon as the server takes it.
    page.unroute("**/api/v1/**")
    wait_until_all_sent(page, 11)
    db.session.rollback()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Finding)
            .where(Finding.title == "Macet: server selalu menolak ini")
        )
        == 1
    )


def test_a_record_due_again_during_a_long_round_is_retried_right_after_it(demo, live_server, phone, sign_in):
    """The refused record's back-off (2-6 s) runs out while a slow upload holds the round: the next round
    starts as soon as this one ends, not after the idle minute."""
    page = queued_offline(
        phone,
        sign_in,
        live_server,
        demo,
        [("Macet: server menolak ini", []), ("Temuan lewat jaringan lambat", [])],
    )
    refused_at: list[float] = []
    held = []

    def refuse_one_hold_the_other(route):
        request = route.request
        if request.method == "POST" and "Macet" in (request.post_data or ""):
            refused_at.append(time.monotonic())
            route.fulfill(status=503, json={"error": "Sedang pemeliharaan.", "fields": {}})
        elif request.method == "POST" and "lambat" in (request.post_data or ""):
            held.append(route)  # answered below, once the refused record's back-off is over
        else:
            route.continue_()

    page.route("**/api/v1/**", refuse_one_hold_the_other)
    phone.set_offline(False)
    for _ in range(200):  # until the slow one is on its way (at most 10 s)
        if held:
            break
        page.wait_for_timeout(50)
    assert held and len(refused_at) == 1
    page.wait_for_timeout(max(0, (refused_at[0] + 6.2 - time.monotonic()) * 1000))  # back-off at most 6 s
    held[0].continue_()
    expect(page.locator(f"{ALL_ITEMS}:has-text('lambat')")).to_have_attribute("data-state", "sent")
    released = time.monotonic()
    for _ in range(100):  # at most 5 s; before, the retry came only after the idle minute
        if len(refused_at) == 2:
            break
        page.wait_for_timeout(50)
    assert len(refused_at) == 2 and refused_at[1] - released < 5


def test_a_full_phone_is_told_what_to_do_and_keeps_what_it_saved(demo, live_server, phone, sign_in, tmp_path):
    first = make_photo(tmp_path, "IMG_0400.jpg", (200, 30, 30), (400, 300))
    second = tmp_path / "IMG_0401.jpg"  # a 1.5-megapixel photo of noise: about a megabyte
    Image.effect_noise((1500, 1000), 80).convert("RGB").save(second, "JPEG", quality=95)
    assert second.stat().st_size > 1_000_000
    page = phone.new_page()
    # A phone with little room left: the browser lets this site keep about a megabyte. (Chromium's
    # estimate() reports a fixed quota whatever the real one, so here the write itself is refused.)
    cdp = phone.new_cdp_session(page)
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": live_server.url, "quotaSize": 1_000_000})
    sign_in(page, "inspector@demo.test")
    open_capture(page, live_server)
    page.select_option("#inspection", value=f"server:{demo.inspection.id}")
    phone.set_offline(True)
    quick_finding(page, "Ruang tunggu tanpa kursi", [first])
    # Asked at first use whether the browser keeps the storage, and the answer is shown.
    status = page.locator("#storage-status")
    expect(status).not_to_have_attribute("data-persisted", "")
    kept = status.get_attribute("data-persisted")
    expected = {
        "true": "Penyimpanan perangkat dijaga",
        "false": "Penyimpanan perangkat tidak dijaga",
        "unknown": "tidak memberi tahu",
    }[kept]
    expect(status).to_contain_text(expected)

    # A big photo does not fit.
    page.fill("#f-title", "Toilet pengunjung terkunci")
    page.select_option("#f-theme", label=THEME)
    page.set_input_files("#f-photos", [str(second)])
    page.click("#save-finding")
    error = page.locator("#finding .error")
    expect(error).to_contain_text(
        "Ruang penyimpanan ponsel penuh; catatan ini belum disimpan, isinya tetap di formulir."
    )
    expect(error).to_contain_text(
        "Kirim dulu yang menunggu saat ada sinyal, lalu tekan “Bersihkan yang terkirim”"
    )
    expect(error).to_be_in_viewport()
    # Nothing typed is lost, and nothing saved before.
    expect(page.locator("#f-title")).to_have_value("Toilet pengunjung terkunci")
    expect(page.locator("#f-photo-list li")).to_have_count(1)
    page.reload()
    expect(page.locator(ALL_ITEMS)).to_have_count(2)
    expect(page.locator(f"{ALL_ITEMS} .outbox-label")).to_have_text(["Ruang tunggu tanpa kursi", first.name])

    # Confirmed photos give their space back: their bytes leave the device.
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": live_server.url})
    phone.set_offline(False)
    wait_until_all_sent(page, 2)
    assert page.evaluate(
        "() => CaptureOutbox.all().then(items => items.map(i => [i.kind, i.blob === null]))"
    ) == [
        ["finding", False],
        ["photo", True],
    ]
    assert [e.sha256 for e in evidence_of(demo.inspection.id)] == [sha256(first)]


def test_two_tabs_without_web_locks_send_one_at_a_time_and_both_end_sent(
    demo, live_server, chromium, tmp_path
):
    shots = [make_photo(tmp_path, f"IMG_05{n:02}.jpg", (60, n * 90, 90), (300, 200)) for n in range(2)]
    phone = chromium.new_context(viewport=PHONES[1], service_workers="allow", locale="id-ID")
    phone.set_default_timeout(15_000)
    # An older browser: no navigator.locks, so the tabs share a lease in IndexedDB.
    phone.add_init_script("delete Navigator.prototype.locks;")
    try:
        first, second = phone.new_page(), phone.new_page()
        first.goto(f"{live_server.url}/login")
        first.fill("#email", "inspector@demo.test")
        first.fill("#password", "demo")
        first.click("form button[type=submit]")
        first.wait_for_url(f"{live_server.url}/")
        open_capture(first, live_server)
        assert first.evaluate("() => navigator.locks === undefined")
        first.select_option("#inspection", value=f"server:{demo.inspection.id}")
        phone.set_offline(True)
        quick_finding(first, "Dua tab, satu pengirim", shots)
        second.goto(f"{live_server.url}/capture/")
        expect(second.locator(ALL_ITEMS)).to_have_count(3)

        lock = threading.Lock()
        posts: list[tuple[str, str]] = []  # (tab, Idempotency-Key)
        first_done = threading.Event()

        def first_tab(route):
            request = route.request
            if request.method == "POST":
                with lock:
                    posts.append(("first", request.headers.get("idempotency-key")))
                    photos = sum(1 for tab, _ in posts if tab == "first") - 1
                if request.url.endswith("/evidence") and photos >= 2:
                    first_done.set()  # its second photo never leaves: the tab is closed
                    route.abort("internetdisconnected")
                    return
            route.continue_()

        def second_tab(route):
            request = route.request
            if request.url.endswith("/capture/session") and not first_done.is_set():
                route.abort("internetdisconnected")  # the second tab gets no session until then
                return
            if request.method == "POST":
                with lock:
                    posts.append(("second", request.headers.get("idempotency-key")))
            route.continue_()

        first.route("**/*", first_tab)
        second.route("**/*", second_tab)
        phone.set_offline(False)
        # The first tab confirms the finding and a photo, then is closed with the second photo in flight.
        expect(first.locator(f"{ALL_ITEMS}[data-kind=photo]").first).to_have_attribute(
            "data-state", "sent", timeout=SYNC_TIMEOUT_MS
        )
        # Wait through Playwright, not on the event itself: the route handlers run on this thread, so a
        # blocking wait would hold the very request that sets the event until the wait timed out.
        deadline = time.monotonic() + SYNC_TIMEOUT_MS / 1000
        while not first_done.is_set() and time.monotonic() < deadline:
            first.wait_for_timeout(100)
        assert first_done.is_set(), "the first tab never sent its second photo"
        first.close()
        second.click("#send-now")
        wait_until_all_sent(second, 3)
        # Whatever the first tab confirmed, the second never sent again.
        sent_by_second = [key for tab, key in posts if tab == "second"]
        sent_by_first_ok = [key for tab, key in posts if tab == "first"][:2]
        assert not set(sent_by_second) & set(sent_by_first_ok)
        assert [e.sha256 for e in evidence_of(demo.inspection.id)] == [sha256(s) for s in shots]

        # A photo an earlier version of the page left "failed" with its bytes gone (another tab had sent
        # it) is confirmed by asking the server, by client UUID and SHA-256, not sent again.
        second.evaluate(
            """() => CaptureOutbox.all().then(items => {
                 const photo = items.filter(i => i.kind === 'photo')[0];
                 return CaptureOutbox.update(photo.seq, {state: 'failed', blob: null,
                   last_error: "Cannot read properties of null (reading 'arrayBuffer')"});
               })"""
        )
        second.reload()
        stale = second.locator(f"{ALL_ITEMS}[data-state=failed]")
        expect(stale).to_have_count(1)
        stale.locator("button.retry").click()
        wait_until_all_sent(second, 3)
        assert [e.sha256 for e in evidence_of(demo.inspection.id)] == [sha256(s) for s in shots]
    finally:
        phone.close()


TOO_SMALL = r"""(selector) => {
  // Every control the inspector can touch, with the area that takes the touch: a checkbox or radio
  // counts with its label (tapping the label ticks it). Returns those under 44 x 44 CSS px, and buttons
  // whose text is white on white (no background of their own on a white card).
  const root = document.querySelector(selector);
  const controls = 'button, select, input, textarea, summary, a[href], label.nav-toggle-label';
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const out = [];
  for (const el of root.querySelectorAll(controls)) {
    if (!visible(el)) continue;
    let box = el.getBoundingClientRect();
    if (el.type === 'checkbox' || el.type === 'radio') {
      const label = el.closest('label') || root.querySelector(`label[for="${el.id}"]`);
      const l = label.getBoundingClientRect();
      const left = Math.min(box.left, l.left), right = Math.max(box.right, l.right);
      const top = Math.min(box.top, l.top), bottom = Math.max(box.bottom, l.bottom);
      box = {width: right - left, height: bottom - top};
    }
    if (box.width < 44 || box.height < 44) {
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      out.push(`${el.tagName}#${el.id || el.className || el.name}: ${size}`);
    }
    // The colour behind the button: its own, else the first ancestor's that has one.
    let behind = el, bg = 'rgba(0, 0, 0, 0)';
    const none = 'rgba(0, 0, 0, 0)';
    while (behind && (bg = getComputedStyle(behind).backgroundColor) === none) behind = behind.parentElement;
    const style = getComputedStyle(el);
    const light = (bg.match(/\d+/g) || [255, 255, 255]).slice(0, 3).every(c => Number(c) > 220);
    const clear = !behind || light;
    if (el.tagName === 'BUTTON' && style.color === 'rgb(255, 255, 255)' && clear) {
      out.push(`${el.tagName}.${el.className}: white text on no background`);
    }
  }
  return {checked: root.querySelectorAll(controls).length, out};
}"""


@pytest.mark.parametrize("viewport", PHONES, ids=["360x740", "390x844"])
def test_the_capture_page_fits_a_thumb_and_passes_axe(demo, live_server, chromium, tmp_path, viewport):
    photo = make_photo(tmp_path, "IMG_0600.jpg", (120, 120, 30), (200, 150))
    # Axe is injected as a script tag: the page's CSP (script-src 'self') is bypassed for this context only.
    phone = chromium.new_context(viewport=viewport, service_workers="allow", locale="id-ID", bypass_csp=True)
    phone.set_default_timeout(15_000)
    try:
        page = phone.new_page()
        page.on("dialog", lambda dialog: dialog.dismiss())
        page.goto(f"{live_server.url}/login")
        page.fill("#email", "inspector@demo.test")
        page.fill("#password", "demo")
        page.click("form button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        open_capture(page, live_server)
        page.select_option("#inspection", value=f"server:{demo.inspection.id}")
        # Every state with buttons on screen: a photo picked, one record waiting, one refused.
        page.click("#new-inspection-box summary")
        page.click("#checklist-box summary")
        phone.set_offline(True)
        quick_finding(page, "Formulir tanpa contoh pengisian")
        page.evaluate(
            """() => CaptureOutbox.all().then(items =>
                 CaptureOutbox.update(items[0].seq, {state: 'failed', last_error: 'Ditolak server.'}))"""
        )
        page.fill("#f-title", "Temuan kedua")
        page.select_option("#f-theme", label=THEME)
        page.click("#save-finding")
        # Saved (and the form emptied) before the next photo is picked: the save clears the photo list.
        expect(page.locator("#finding .saved")).to_be_visible()
        page.set_input_files("#f-photos", [str(photo)])
        expect(page.locator("#f-photo-list li")).to_have_count(1)
        page.reload()
        page.click("#new-inspection-box summary")
        page.click("#checklist-box summary")
        page.set_input_files("#f-photos", [str(photo)])
        expect(page.locator(f"{ALL_ITEMS}[data-state=failed] button")).to_have_count(
            3
        )  # Ubah, Coba lagi, Hapus
        expect(page.locator(f"{ALL_ITEMS}[data-state=waiting] button.remove")).to_be_visible()

        targets = page.evaluate(TOO_SMALL, ".capture-page")
        assert targets["out"] == [] and targets["checked"] > 40
        # The top bar too, menu closed and open: the menu button, the language links, every menu entry.
        assert page.evaluate(TOO_SMALL, ".topbar")["out"] == []
        page.click("label.nav-toggle-label")
        expect(page.locator(".mainnav")).to_be_visible()
        bar = page.evaluate(TOO_SMALL, ".topbar")
        assert bar["out"] == [] and bar["checked"] >= 10
        page.click("label.nav-toggle-label")
        # The save message is where the inspector looks: in view right after saving the checklist.
        row = page.locator("#checklist-rows .checklist-row").first
        row.locator("input[value=present]").check()
        page.click("#save-checklist")
        expect(page.locator("#checklist .saved")).to_be_in_viewport()

        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        results = page.evaluate(
            """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))"""
        )
        assert results == []
    finally:
        phone.close()


def test_after_a_deploy_the_page_opens_offline_and_runs_the_new_script(
    demo, live_server, phone, sign_in, tmp_path
):
    app = live_server.app
    page = phone.new_page()
    sign_in(page, "inspector@demo.test")
    open_capture(page, live_server)
    page.select_option("#inspection", value=f"server:{demo.inspection.id}")
    phone.set_offline(True)
    quick_finding(page, "Dicatat sebelum pembaruan")
    phone.set_offline(False)
    wait_until_all_sent(page, 1)
    phone.set_offline(True)
    quick_finding(page, "Masih menunggu saat pembaruan")
    old_version = page.locator("#sw-status").get_attribute("data-version")

    # The deploy: a changed capture script, and the app restarted (which hashes its files again).
    deployed = tmp_path / "static"
    shutil.copytree(app.static_folder, deployed)
    script = deployed / "capture" / "capture.js"
    script.write_text(
        script.read_text(encoding="utf-8") + '\ndocument.documentElement.setAttribute("data-build", "2");\n',
        encoding="utf-8",
    )
    saved_folder = app.static_folder
    app.static_folder = str(deployed)
    views.load_asset_manifest(app)
    try:
        phone.set_offline(False)
        # The first load after the deploy: the new page, served while the old worker is still in charge,
        # runs the new script, not the old one from the worker's cache.
        page.reload()
        expect(page.locator("html")).to_have_attribute("data-build", "2")
        expect(page.locator("#sw-status")).not_to_have_attribute(
            "data-version", old_version, timeout=SYNC_TIMEOUT_MS
        )
        expect(page.locator("#sw-status")).to_have_attribute("data-ready", "true")
        wait_until_all_sent(page, 2)

        # Offline after the deploy: the page still opens, with the new script.
        phone.set_offline(True)
        page.reload()
        expect(page.locator("#net-status")).to_have_attribute("data-online", "false")
        expect(page.locator("html")).to_have_attribute("data-build", "2")
        expect(page.locator(f"{ALL_ITEMS} .state")).to_have_text(["Terkirim", "Terkirim"])
    finally:
        app.static_folder = saved_folder
        views.load_asset_manifest(app)


def test_records_under_a_refused_inspection_are_blocked_and_counted_apart(
    demo, live_server, phone, sign_in, tmp_path
):
    photo = make_photo(tmp_path, "IMG_0700.jpg", (70, 70, 140), (200, 150))
    page = phone.new_page()
    sign_in(page, "inspector@demo.test")
    open_capture(page, live_server)
    phone.set_offline(True)
    page.click("#new-inspection-box summary")
    page.fill("#ni-title", "Sidak kantor kecamatan")
    page.select_option("#ni-authority", label=demo.ditjen.name)
    page.click("#save-inspection")
    expect(page.locator("#inspection option:checked")).to_contain_text("Sidak kantor kecamatan")
    quick_finding(page, "Tidak ada papan pengaduan", [photo])
    # The unit leaves the register before the phone is back online: the server refuses the inspection.
    demo.ditjen.active = False
    db.session.commit()
    phone.set_offline(False)

    refused = page.locator(f"{ALL_ITEMS}[data-kind=inspection]")
    expect(refused).to_have_attribute("data-state", "failed", timeout=SYNC_TIMEOUT_MS)
    expect(refused.locator(".state")).to_contain_text("Unit yang diinspeksi harus instansi aktif")
    # The finding and its photo two levels down: blocked by the inspection, and not "waiting" forever.
    below = page.locator(f"{ALL_ITEMS}[data-state=blocked] .state")
    blocked_by = "Diblokir oleh Inspeksi \u201cSidak kantor kecamatan\u201d, yang ditolak server"
    expect(below).to_have_text([f"{blocked_by}: perbaiki atau hapus itu dulu"] * 2)
    counts = page.locator("#outbox-counts")
    expect(counts).to_have_attribute("data-waiting", "0")
    expect(counts).to_have_attribute("data-blocked", "2")
    expect(counts).to_have_attribute("data-failed", "1")
    expect(counts).to_contain_text("0 menunggu · 1 gagal · 0 terkirim · 2 diblokir")
