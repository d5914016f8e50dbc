"""The signed-letter pages fit a 390 px phone (QA of issue 13): nothing wider than the viewport, so no page
scrolls sideways: the public verification page after an upload, the signing settings, a letter's page; and
the admin's settings pages, the letters setup checklist with its emblem's SHA-256 among them, and the form
of a service-standard checklist's new version."""

from __future__ import annotations

import pytest
from letter_setup import make_ready
from sqlalchemy import select
from test_signature_verification import issued  # noqa: F401  (the fixture: the Kupang letter, issued signed)

from ombudsman.deadlines.models import DeadlineRule
from ombudsman.extensions import db
from tests.browser.conftest import assert_fits, live_server, phone, sign_in  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_the_signed_letter_pages_fit_a_phone(phone, live_server, sign_in, issued, letters, tmp_path):  # noqa: F811
    page = phone.new_page()
    page.goto(f"{live_server.url}/verify/{issued.verify_token}")
    assert_fits(page, "verify")
    upload = tmp_path / "surat.pdf"
    upload.write_bytes(issued.pdf)
    page.set_input_files("input[type=file]", str(upload))
    page.click("#compare form button[type=submit]")
    page.wait_for_selector("#compare-result")
    assert_fits(page, "verify after an upload")

    sign_in(page, "admin@demo.test")
    page.goto(f"{live_server.url}/settings/letters/signing")
    assert page.locator("table.responsive").count() == 1
    assert_fits(page, "signing settings")
    page.goto(f"{live_server.url}/letters/{issued.id}")
    assert_fits(page, "letter page")
    page.context.clear_cookies()
    sign_in(page, "head@demo.test")
    for letter_id in (issued.id, letters.ditjen.id):
        page.goto(f"{live_server.url}/letters/{letter_id}")
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")  # the trail
        assert_fits(page, f"letter page {letter_id} (head)")
    # English labels are longer ("Classification / Attachments"): the values still fit beside them.
    page.goto(f"{live_server.url}/lang/en")
    for letter_id in (issued.id, letters.ditjen.id):
        page.goto(f"{live_server.url}/letters/{letter_id}")
        assert "Classification" in page.inner_text("dl.facts")
        assert_fits(page, f"letter page {letter_id} (head, English)")


#: The admin's pages: the office, its users, letters, signing, the deadline calendar and rules.
SETTINGS_PAGES = (
    "/settings/office",
    "/settings/letters",
    "/settings/letters/readiness",
    "/settings/letters/signing",
    "/settings/deadlines/",
    "/settings/deadlines/rules",
    "/settings/deadlines/rules/new",
    "/settings/deadlines/changes",
    "/users/",
    "/users/new",
)


def test_the_settings_pages_fit_a_phone(phone, live_server, sign_in, demo):  # noqa: F811
    make_ready(demo)  # an emblem, so the readiness page shows its SHA-256
    db.session.commit()
    rule = db.session.scalars(select(DeadlineRule).order_by(DeadlineRule.id)).first()
    page = phone.new_page()
    sign_in(page, "admin@demo.test")
    # English labels are longer: each page is checked in both languages.
    for language in ("id", "en"):
        page.goto(f"{live_server.url}/lang/{language}")
        # A checklist's new version: a form in a card table, a select of routing rules on every row.
        checklist = f"/checklists/{demo.inspection.checklist_id}/new-version"
        for path in (*SETTINGS_PAGES, f"/settings/deadlines/rules/{rule.id}", checklist):
            page.goto(f"{live_server.url}{path}")
            assert_fits(page, f"{path} ({language})")
    page.goto(f"{live_server.url}/settings/letters/readiness")
    assert page.locator("#emblem-sha256").count() == 1
    # The checklist shows its own marks (✓, ✗), not list bullets beside them.
    bullets = page.eval_on_selector_all(
        "#readiness-checklist > li", "items => items.map(i => getComputedStyle(i).listStyleType)"
    )
    assert bullets and set(bullets) == {"none"}, bullets


def test_a_name_without_spaces_does_not_widen_the_register(phone, live_server, sign_in, demo):  # noqa: F811
    """A hostile or mistyped name, one word wider than the screen, wraps in the register's cards and in the
    authority's history (real names fit already)."""
    long_name = "Dinas" + "Kependudukan" * 15
    demo.pemkot.name = long_name
    db.session.commit()
    page = phone.new_page()
    sign_in(page, "admin@demo.test")
    for path in ("/authorities/", f"/authorities/{demo.pemkot.id}"):
        page.goto(f"{live_server.url}{path}")
        assert long_name[:40] in page.inner_text("main")
        assert_fits(page, path)
