"""Issue 5's browser journey with a letter written in the app, in headless Chromium.

The head issues the demo letter to the Wali Kota Kupang and records on the letter's page that it was received
on 6 August 2018; the deadlines dashboard shows its recommendations due on 20 September 2018 with the
explanation; once "today" is past that date they are overdue, and the reminder drafted from one of them opens
as a new draft letter.
"""

from __future__ import annotations

import os
import re
from datetime import date

import pytest
from sqlalchemy import select

from ombudsman.deadlines.models import Deadline
from ombudsman.extensions import db
from ombudsman.letters import services as letters
from ombudsman.letters.models import Letter, LetterKind, LetterStatus

pytestmark = pytest.mark.browser


def _screenshot(page, name: str) -> None:
    # SCREENSHOTS=dir keeps pictures of the pages for a person to look at.
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['SCREENSHOTS']}/{name}.png", full_page=True)


def _dashboard_rows(page, texts: list[str]) -> list[dict[str, str]]:
    page.goto("/deadlines/")
    rows = []
    for text in texts:
        row = page.locator("table.deadlines tr", has_text=text[:40]).first
        rows.append(
            {
                "due": row.locator("td.due strong").inner_text(),
                "explanation": row.locator(".explanation").inner_text(),
                "state": row.locator(".badge[class*=badge-state]").inner_text(),
            }
        )
    return rows


@pytest.fixture
def approved(demo) -> Letter:
    """The demo letter to the Wali Kota Kupang, submitted and approved, waiting for the head."""
    letter = db.session.scalar(select(Letter).where(Letter.authority_id == demo.pemkot.id))
    letters.submit(letter, demo.users["inspector"])
    letters.approve(letter, demo.users["supervisor"])
    db.session.commit()
    return letter


def test_head_issues_records_receipt_and_drafts_the_reminder(
    demo, approved, chromium, live_server, browser_login, monkeypatch
):
    rec_texts = [r.text for r in approved.recommendations]
    context = chromium.new_context(
        base_url=live_server, locale="id-ID", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "the letter will be numbered and frozen"
    try:
        # 31 July 2018: the head issues the letter.
        monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-07-31")
        browser_login(page, "head@demo.test")
        page.goto(f"/letters/{approved.id}")
        page.get_by_role("button", name="Terbitkan").click()
        page.wait_for_selector("#download-pdf")
        issued = db.session.get(Letter, approved.id)
        db.session.refresh(issued)
        assert (issued.status, issued.letter_date) == (LetterStatus.ISSUED, date(2018, 7, 31))
        assert issued.number in page.inner_text("h1")

        # 10 August 2018: the receipt of 6 August is recorded on the letter's page.
        monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-08-10")
        page.goto(f"/letters/{approved.id}")
        page.select_option("#method", "hand")
        page.fill("#delivered_on", "2018-08-01")
        page.fill("#received_on", "2018-08-06")
        page.get_by_role("button", name="Simpan pengiriman").click()
        page.wait_for_selector(".flash-success")
        assert "Pengiriman dicatat." in page.inner_text(".flash-success")
        _screenshot(page, "letter-received")

        running = _dashboard_rows(page, rec_texts)
        _screenshot(page, "dashboard-running")
        assert len(running) == 7
        for row in running:
            assert row["due"] == "20 September 2018"
            assert row["explanation"].startswith(
                "30 hari kerja sejak diterima 6 Agustus 2018; tidak dihitung: 17 Agustus (Hari Kemerdekaan), "
                "22 Agustus (Iduladha), 11 September (Tahun Baru Islam)"
            )
            assert row["state"] == "Berjalan"

        # 1 October 2018: past the due date.
        monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-10-01")
        late = _dashboard_rows(page, rec_texts)
        _screenshot(page, "dashboard-overdue")
        assert {(row["state"], row["due"]) for row in late} == {("Lewat tenggat", "20 September 2018")}
        assert "1 Oktober 2018" in page.inner_text(".banner-today")

        page.locator("table.deadlines tr", has_text=rec_texts[0][:40]).first.get_by_role("link").first.click()
        page.click("#draft-reminder")
        page.wait_for_url("**/escalation")
        assert page.inner_text("#escalation-step") == "Surat pengingat kepada instansi"
        page.get_by_role("button", name="Buat draf surat").click()
        page.wait_for_url(re.compile(r"/letters/\d+$"))
        _screenshot(page, "reminder-draft")
        draft_id = int(page.url.rsplit("/", 1)[1])
        assert page.inner_text("#letter-status") == "Draf"
        assert "Pengingat Tindak Lanjut Saran Perbaikan Ombudsman RI" in page.content()
    finally:
        context.close()

    draft = db.session.get(Letter, draft_id)
    db.session.refresh(draft)
    assert (draft.kind, draft.status, draft.escalation_step) == (
        LetterKind.PENGINGAT,
        LetterStatus.DRAFT,
        "reminder",
    )
    assert draft.authority_id == demo.pemkot.id
    assert sorted(r.text for r in draft.recommendations) == sorted(rec_texts)
    stored = db.session.scalars(select(Deadline)).all()
    assert {(d.received_on, d.due_on) for d in stored} == {(date(2018, 8, 6), date(2018, 9, 20))}
    assert len(stored) == 7
