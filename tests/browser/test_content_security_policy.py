"""The Content-Security-Policy in a real browser: the pages still work and nothing is refused."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def _record_violations(page) -> list[str]:
    """CSP violations the page reports (as securitypolicyviolation events and console errors)."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return violations


def test_swagger_ui_renders_the_api_under_its_policy(demo, live_server, phone, sign_in):
    page = phone.new_page()
    violations = _record_violations(page)
    sign_in(page, "inspector@demo.test")
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock-tag", timeout=20_000)
    assert (
        page.locator(".swagger-ui .information-container .title")
        .inner_text()
        .startswith("Ombudsman Inspection Tracker API")
    )
    assert page.locator(".opblock").count() > 10  # every operation is listed
    page.locator(".opblock").first.click()  # expanding an operation works (Swagger UI's own scripts run)
    page.wait_for_selector(".opblock.is-open")
    assert violations == []


@pytest.mark.parametrize("path", ["/", "/inspections/", "/account", "/deadlines/"])
def test_pages_load_without_violations(demo, live_server, phone, sign_in, path):
    page = phone.new_page()
    violations = _record_violations(page)
    sign_in(page, "supervisor@demo.test")
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert violations == []


def test_the_letter_preview_is_still_framed_by_its_page(demo, live_server, phone, sign_in):
    """The preview brings its own policy (frame-ancestors 'self'): the letter page may frame it."""
    from ombudsman.extensions import db
    from ombudsman.letters.models import Letter

    letter = db.session.scalar(db.select(Letter))
    if letter is None:
        pytest.skip("the demo case has no letter")
    page = phone.new_page()
    violations = _record_violations(page)
    sign_in(page, "supervisor@demo.test")
    page.goto(f"{live_server.url}/letters/{letter.id}")
    frame = page.frame_locator("iframe.letter-preview")
    frame.locator("body").wait_for()
    assert frame.locator("body").inner_text().strip()  # the letter is shown, not a refused frame
    assert [v for v in violations if "frame-ancestors" in v or "X-Frame-Options" in v] == []
    # The letter's own font, loaded from this site under the preview's policy (font-src 'self').
    preview = next(f for f in page.frames if "/preview" in f.url)
    family = preview.evaluate("getComputedStyle(document.documentElement).fontFamily.split(',')[0].trim()")
    assert family.startswith("ombudsman-")
    assert preview.evaluate(f"document.fonts.ready.then(() => document.fonts.check('12pt {family}'))")
    assert preview.evaluate(
        "document.fonts.ready.then(() => [...document.fonts].some(f => f.status === 'loaded'))"
    )
    assert violations == []
