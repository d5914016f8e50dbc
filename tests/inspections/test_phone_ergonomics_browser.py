"""The checklist and the full finding form on a phone (360 × 740 and 390 × 844): every radio button,
checkbox and action is at least 44 × 44 CSS px, and the checklist's save message is on screen after saving."""

from __future__ import annotations

import pytest

PHONES = [{"width": 360, "height": 740}, {"width": 390, "height": 844}]
TARGET = 44


@pytest.fixture(params=PHONES, ids=lambda v: f"{v['width']}x{v['height']}")
def small_phone(request, chromium, live_server):
    """A touch phone tab of the given size pointed at the live server."""
    context = chromium.new_context(
        viewport=request.param, is_mobile=True, has_touch=True, base_url=live_server, locale="id-ID"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def _too_small(page, selector: str) -> list[tuple[str, float, float]]:
    """The elements matching `selector` (at least one expected) whose box is under 44 × 44 CSS px."""
    locator = page.locator(selector)
    assert locator.count() > 0, selector
    small = []
    for i in range(locator.count()):
        element = locator.nth(i)
        element.scroll_into_view_if_needed()
        box = element.bounding_box()
        assert box is not None, f"{selector}[{i}] is not displayed"
        if box["width"] < TARGET or box["height"] < TARGET:
            small.append((element.inner_text()[:30], box["width"], box["height"]))
    return small


def _in_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    # Half a pixel of rounding either way (fractional font metrics).
    return box is not None and box["y"] >= -0.5 and box["y"] + box["height"] <= size["height"] + 0.5


def test_checklist_answers_and_save_are_big_enough_and_the_message_is_in_view(
    demo, small_phone, browser_login
):
    page = small_phone
    browser_login(page, "inspector@demo.test")
    page.goto(f"/inspections/{demo.inspection.id}")
    assert _too_small(page, "#checklist .answers label") == []
    assert _too_small(page, "#save-checklist") == []
    assert _too_small(page, ".actions .button, .actions button") == []
    first = page.locator("#checklist .answers label").first
    first.tap()  # the label, not the tiny circle, takes the tap
    assert first.locator("input").is_checked()
    page.locator("#save-checklist").tap()
    page.wait_for_selector("#checklist-saved")
    assert page.inner_text("#checklist-saved") == "Checklist disimpan."
    assert _in_viewport(page, "#checklist-saved")
    assert page.locator("main > .flash").count() == 0  # not (also) at the top, out of sight


def test_finding_form_choices_and_actions_are_big_enough(demo, small_phone, browser_login):
    page = small_phone
    browser_login(page, "inspector@demo.test")
    page.goto(f"/inspections/{demo.inspection.id}/findings/new")
    assert _too_small(page, "ul.checks label") == []
    assert _too_small(page, "#save-finding, form.card a.button") == []
    # A refused form keeps the photo: its remove box is a touch target too.
    page.set_input_files(
        "#photos", files=[{"name": "antrean.png", "mimeType": "image/png", "buffer": _png()}]
    )
    page.locator("#save-finding").tap()  # no title: refused and shown again
    page.wait_for_selector(".held-photo")
    assert "tetap terlampir" in page.inner_text(".held-photo")
    assert _too_small(page, ".held-photo label.touch") == []


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(out, "PNG")
    return out.getvalue()


def test_refused_checklist_and_upload_on_a_phone_keep_what_was_entered(demo, small_phone, browser_login):
    page = small_phone
    browser_login(page, "inspector@demo.test")
    page.goto(f"/inspections/{demo.inspection.id}")
    notes = page.locator("#checklist input[type=text]")
    notes.nth(0).fill("Mesin antrean rusak")
    notes.nth(1).fill("x" * 2001)  # over the note's bound
    page.locator("#save-checklist").tap()
    page.wait_for_selector("#checklist .error")
    assert page.url.endswith("#checklist")  # the redisplayed page opens at the checklist
    assert notes.nth(0).input_value() == "Mesin antrean rusak" and len(notes.nth(1).input_value()) == 2001
    assert notes.nth(1).get_attribute("aria-invalid") == "true"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"]

    page.goto(f"/findings/{demo.findings[1].id}")
    page.set_input_files(
        "#files",
        files=[
            {"name": "kursi.png", "mimeType": "image/png", "buffer": _png()},
            {"name": "bukan-foto.png", "mimeType": "image/png", "buffer": b"<html>not a photo</html>"},
        ],
    )
    page.fill("#caption", "Kursi patah di ruang tunggu")
    page.locator("#evidence button[type=submit]").tap()
    page.wait_for_selector("#evidence .held-photo")
    assert "kursi.png" in page.inner_text("#evidence .held-photo")
    assert "bukan-foto.png" in page.inner_text("#field-files .error")
    assert page.input_value("#caption") == "Kursi patah di ruang tunggu"
    assert _too_small(page, "#evidence .held-photo label.touch") == []
    page.locator("#evidence button[type=submit]").tap()  # the held photo is stored; nothing chosen again
    page.wait_for_selector(".flash-success")
    assert "1 berkas diunggah." in page.inner_text(".flash-success")


def test_a_search_with_a_control_character_shows_the_list_and_its_message_on_a_phone(
    demo, small_phone, browser_login
):
    page = small_phone
    browser_login(page, "inspector@demo.test")
    page.goto("/findings/?q=blanko%00kosong&status=open")
    assert page.input_value("#q") == "blanko kosong"
    assert "karakter kontrol" in page.inner_text("form.filters .error")
    assert page.locator("table tbody tr").count() > 0  # the list, not an error page
    page.wait_for_load_state("load")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"]
