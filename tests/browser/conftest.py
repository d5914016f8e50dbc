"""Offline capture journeys: the app on a real HTTP server in a thread; `chromium` is the suite's own."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from tests.conftest import static_files_closed

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live_server(app):
    """The test app on 127.0.0.1 and a free port; the SQLite test database is a file the threads share."""
    server = make_server("127.0.0.1", 0, static_files_closed(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def phone(chromium):
    """A fresh phone-sized browser context (its own cookies, storage and service workers)."""
    context = chromium.new_context(viewport=PHONE, service_workers="allow", locale="id-ID")
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def sign_in(live_server):
    """Factory: sign a page in through the login form as the given demo user."""

    def _sign_in(page, email: str, password: str = "demo") -> None:
        page.goto(f"{live_server.url}/login")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("form button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

    return _sign_in


#: The widest elements, when the document is wider than the viewport: what to fix.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 0.5)
    .map(e => `${e.tagName.toLowerCase()}.${e.className}: ${e.getBoundingClientRect().right}`);
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8)};
}"""


def assert_fits(page, what: str) -> None:
    # Measured once the page's stylesheets have loaded: an element can be in the document before them (a
    # form's answer waited for by a selector), and laid out without them it overflows.
    page.wait_for_load_state("load")
    found = page.evaluate(OVERFLOW)
    assert found["scroll"] <= PHONE["width"] and found["scroll"] <= found["width"], (what, found)
