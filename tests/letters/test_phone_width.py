"""The signed-letter pages fit a 390 px phone (QA of issue 13): nothing wider than the viewport, so no page
scrolls sideways: the public verification page after an upload, the signing settings, a letter's page."""

from __future__ import annotations

import pytest
from test_signature_verification import issued  # noqa: F401  (the fixture: the Kupang letter, issued signed)

from tests.browser.conftest import PHONE, live_server, phone, sign_in  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

#: The widest elements, when the document is wider than the viewport: what to fix.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 0.5)
    .map(e => `${e.tagName.toLowerCase()}.${e.className}: ${e.getBoundingClientRect().right}`);
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8)};
}"""


def assert_fits(page, what: str) -> None:
    found = page.evaluate(OVERFLOW)
    assert found["scroll"] <= PHONE["width"] and found["scroll"] <= found["width"], (what, found)


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
