"""The inspector's journey on a phone: add a finding with a photo, accept the suggested authority."""

import hashlib
import os

from sqlalchemy import select

from ombudsman.extensions import db
from ombudsman.inspections.models import Evidence, Finding


def test_inspector_logs_a_finding_with_photo_and_sees_it_on_the_authority_page(
    demo, phone, browser_login, tmp_path, jpeg_bytes
):
    photo = tmp_path / "antrean.jpg"
    photo.write_bytes(jpeg_bytes)
    page = phone
    browser_login(page, "inspector@demo.test")
    page.click("text=Sidak pelayanan KTP-el di Dispendukcapil Kota Kupang")
    page.click("#add-finding")
    page.fill("#title", "Papan stok blanko tidak ada")
    page.fill("#description", "Tidak ada papan pengumuman stok blanko di ruang tunggu.")
    page.select_option("#routing_rule_id", label="Pengumuman stok blanko")
    # Typing the title already brought a keyword suggestion (blanko → the centre); the theme replaces it.
    # A function, not an expression: Playwright evaluates expressions with eval, which the page's CSP refuses.
    page.wait_for_function(
        "() => document.querySelector('#suggestion').innerText.includes('Pemerintah Kota Kupang')"
        " && document.querySelector('#accept-suggestion') !== null"
    )
    page.click("#accept-suggestion")
    assert page.input_value("#responsible_authority_id") == str(demo.pemkot.id)
    page.check("input[value=pengabaian_kewajiban_hukum]")
    page.set_input_files("#photos", str(photo))
    page.click("#save-finding")
    page.wait_for_url("**/findings/*")
    assert "Pemerintah Kota Kupang" in page.inner_text("#responsible")
    assert page.locator("#evidence img").count() == 1

    finding = db.session.scalar(select(Finding).where(Finding.title == "Papan stok blanko tidak ada"))
    assert finding.responsible_authority == demo.pemkot and not finding.routing_overridden
    evidence = db.session.scalar(select(Evidence).where(Evidence.finding_id == finding.id))
    assert evidence.sha256 == hashlib.sha256(jpeg_bytes).hexdigest()

    page.click("#responsible a")
    page.wait_for_url(f"**/authorities/{demo.pemkot.id}")
    assert "Papan stok blanko tidak ada" in page.inner_text("#responsible")
    page.screenshot(path=str(tmp_path / "authority.png"), full_page=True)
    if os.environ.get("SCREENSHOTS"):
        page.goto(f"/inspections/{demo.inspection.id}/findings/new")
        page.screenshot(path=os.environ["SCREENSHOTS"] + "/finding-form.png", full_page=False)
        page.goto(f"/inspections/{demo.inspection.id}")
        page.screenshot(path=os.environ["SCREENSHOTS"] + "/inspection.png", full_page=False)


def test_a_theme_chosen_before_the_script_arrives_still_gets_its_suggestion(demo, phone, browser_login):
    """On a slow network the inspector can pick a theme before app.js runs; the hint must still follow it."""
    page = phone
    browser_login(page, "inspector@demo.test")
    held = []
    # The script's request is held (neither answered nor failed) until the fields are set.
    page.route("**/static/js/app.js*", lambda route: held.append(route))
    page.goto(f"/inspections/{demo.inspection.id}/findings/new", wait_until="commit")
    page.fill("#title", "Papan stok blanko tidak ada")
    page.select_option("#routing_rule_id", label="Pengumuman stok blanko")
    for _ in range(100):  # the request is sent while the page parses; wait until it is held (at most 5 s)
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "app.js was never requested"
    assert "Pemerintah Kota Kupang" not in page.inner_text("#suggestion")
    assert page.locator("#accept-suggestion").count() == 0
    held[0].continue_()
    page.wait_for_function(
        "() => document.querySelector('#suggestion').innerText.includes('Pemerintah Kota Kupang')"
        " && document.querySelector('#accept-suggestion') !== null"
    )
    page.click("#accept-suggestion")
    assert page.input_value("#responsible_authority_id") == str(demo.pemkot.id)
