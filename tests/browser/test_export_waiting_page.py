"""An export with a queue, in a real browser: the link opens the waiting page, which reloads itself (a meta
refresh, nothing the Content-Security-Policy refuses) until the worker has written the file; the link then
downloads the same bytes as the export made in the request."""

from __future__ import annotations

from pathlib import Path

import pytest
from jobs_testing import redis_queue, run_worker

pytestmark = pytest.mark.browser


def test_the_waiting_page_reloads_itself_until_the_file_is_linked(
    app, demo, live_server, phone, sign_in, login
):
    inline = login("viewer@demo.test").get("/letters/export.csv").data
    page = phone.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, "viewer@demo.test")
    with redis_queue(app):
        page.goto(f"{live_server.url}/letters/")
        page.click("#export-csv")
        page.wait_for_url(f"{live_server.url}/exports/*")
        assert page.locator("#export-pending").is_visible()
        assert page.locator("#export-file").count() == 0

        run_worker(app)  # no route handlers here: the browser reloads on its own meanwhile

        page.wait_for_selector("#export-file", timeout=15_000)  # after the page's own refresh
        with page.expect_download() as download_info:
            page.click("#export-file")
        download = download_info.value
        assert download.suggested_filename == "register-surat-keluar.csv"
        assert Path(download.path()).read_bytes() == inline
    assert violations == []
