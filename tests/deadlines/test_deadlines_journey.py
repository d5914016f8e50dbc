"""The head in headless Chromium: record when a paper letter was received, then watch the deadline run late.

The same journey for a letter written in the app is test_letters_deadlines_journey.py.
"""

import os

import pytest
from sqlalchemy import select

from ombudsman.deadlines.models import Deadline
from ombudsman.extensions import db

pytestmark = pytest.mark.browser


def _login(page, email: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", "demo")
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def _record_received(page, rec_id: int) -> str:
    page.goto(f"/recommendations/{rec_id}")
    page.fill("#issued_on", "2018-07-31")
    page.fill("#received_on", "2018-08-06")
    page.click("text=Catat tanggal diterima")
    page.wait_for_url(f"**/deadlines/recommendations/{rec_id}")
    _screenshot(page, "deadlines-follow-up")
    return page.inner_text(".due-on")


def _screenshot(page, name: str) -> None:
    # SCREENSHOTS=dir keeps pictures of the pages for a person to look at.
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['SCREENSHOTS']}/{name}.png", full_page=True)


def _dashboard_row(page, rec_text: str) -> dict[str, str]:
    page.goto("/deadlines/")
    _screenshot(page, "deadlines-dashboard")
    row = page.locator("table.deadlines tr", has_text=rec_text[:40]).first
    return {
        "due": row.locator("td.due strong").inner_text(),
        "explanation": row.locator(".explanation").inner_text(),
        "state": row.locator(".badge[class*=badge-state]").inner_text(),
        "banner": page.inner_text(".banner-today"),
    }


def _open_reminder(page, rec_text: str) -> dict[str, str]:
    page.click(f"text={rec_text[:40]}")
    page.click("#draft-reminder")
    page.wait_for_url("**/escalation")
    _screenshot(page, "deadlines-escalation")
    return {
        "step": page.inner_text("#escalation-step"),
        "recipient": page.inner_text("#escalation-recipient"),
    }


def test_head_records_the_received_date_and_sees_the_deadline_go_overdue(
    demo, recs, paper_letters, desktop, monkeypatch
):
    rec = recs["pemkot"][0]
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-08-10")

    desktop.run(_login, "head@demo.test")
    assert desktop.run(_record_received, rec.id) == "20 September 2018"

    running = desktop.run(_dashboard_row, rec.text)
    assert running["due"] == "20 September 2018"
    assert running["explanation"].startswith(
        "30 hari kerja sejak diterima 6 Agustus 2018; tidak dihitung: 17 Agustus"
    )
    assert running["state"] == "Berjalan"
    assert "10 Agustus 2018" in running["banner"]

    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-26")
    late = desktop.run(_dashboard_row, rec.text)
    assert late["state"] == "Lewat tenggat"
    assert late["due"] == "20 September 2018"

    reminder = desktop.run(_open_reminder, rec.text)
    assert reminder["step"] == "Surat pengingat kepada instansi"
    assert reminder["recipient"].startswith("Wali Kota Kupang")
    stored = db.session.scalar(select(Deadline).where(Deadline.recommendation_id == rec.id))
    assert (stored.received_on.isoformat(), stored.due_on.isoformat()) == ("2018-08-06", "2018-09-20")
