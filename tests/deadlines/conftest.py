"""Fixtures for the deadline tests: recommendations with running clocks, and a live server for Chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from ombudsman.extensions import db
from ombudsman.recommendations.models import Recommendation
from tests.conftest import static_files_closed

# The demo letter to the Wali Kota Kupang is taken as issued on 31 July 2018 and received on 6 August 2018:
# 30 working days later, skipping 17 and 22 August and 11 September, is 20 September 2018.
ISSUED = date(2018, 7, 31)
RECEIVED = date(2018, 8, 6)
DUE = date(2018, 9, 20)


@pytest.fixture
def letter() -> SimpleNamespace:
    """The dates of the demo letter to the Wali Kota Kupang used throughout these tests."""
    return SimpleNamespace(issued=ISSUED, received=RECEIVED, due=DUE)


@pytest.fixture
def recs(demo) -> dict[str, list[Recommendation]]:
    """The demo recommendations by addressee: "pemkot" (seven) and "ditjen" (three), in order."""
    rows = db.session.scalars(select(Recommendation).order_by(Recommendation.position)).all()
    return {
        "pemkot": [r for r in rows if r.authority_id == demo.pemkot.id],
        "ditjen": [r for r in rows if r.authority_id == demo.ditjen.id],
    }


@pytest.fixture
def paper_letters(demo) -> None:
    """The demo's letters went out on paper before the app: no letter in the app carries the
    recommendations, so their received dates are recorded on the recommendation pages."""
    from ombudsman.letters.models import Letter

    for row in db.session.scalars(select(Letter)):
        db.session.delete(row)
    db.session.commit()


@pytest.fixture
def started(demo, recs):
    """Clocks started for the letter to the Wali Kota Kupang (received 6 August 2018), committed."""
    from ombudsman.deadlines import services

    deadlines = [
        services.start_clock(
            rec, received_on=RECEIVED, issued_on=ISSUED, user=demo.users["head"], today=date(2018, 8, 10)
        )
        for rec in recs["pemkot"]
    ]
    db.session.commit()
    return deadlines


@pytest.fixture
def live_server(app) -> str:
    """The app served on a free loopback port from a thread; yields its base URL.

    Same process, so OMBUDSMAN_TODAY set with monkeypatch applies to the server's requests.
    """
    # The server's threads use their own sessions; end this thread's transaction so SQLite never waits on it.
    db.session.commit()
    server = make_server("127.0.0.1", 0, static_files_closed(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


class ChromiumThread:
    """Headless Debian Chromium driven by Playwright from a thread of its own.

    Playwright's sync API refuses to start while another instance is running in the same thread, and other
    test folders keep a session-wide one; a dedicated thread keeps the two apart.
    """

    def __init__(self, base_url: str):
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._base_url = base_url
        self._executor.submit(self._start).result()

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        self._context = self._browser.new_context(
            base_url=self._base_url, locale="id-ID", viewport={"width": 1280, "height": 900}
        )
        self._context.set_default_timeout(15_000)
        self.page = self._context.new_page()

    def run(self, step: Callable, *args):
        """Run `step(page, *args)` in the browser's thread and return its result."""
        return self._executor.submit(step, self.page, *args).result()

    def close(self) -> None:
        """Close the browser and its thread."""

        def stop(_page):
            self._context.close()
            self._browser.close()
            self._playwright.stop()

        try:
            self.run(stop)
        finally:
            self._executor.shutdown()


@pytest.fixture
def desktop(live_server):
    """A desktop-sized Chromium tab on the live server; missing Chromium fails in CI and skips elsewhere."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed; browser journeys cannot be skipped in CI")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    browser = ChromiumThread(live_server)
    try:
        yield browser
    finally:
        browser.close()
