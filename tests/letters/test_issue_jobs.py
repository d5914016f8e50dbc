"""Issuing on a deployment with Redis: the number is reserved at once, the PDF renders as an RQ job (a real
worker against the real Redis), a job that dies is retried, and the admin sees and retries what failed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from jobs_testing import redis_queue, run_worker
from letter_testing import flashes
from sqlalchemy import select

from ombudsman.accounts import services as accounts
from ombudsman.clock import utcnow
from ombudsman.extensions import db
from ombudsman.jobs import queue, tasks
from ombudsman.letters import issuing
from ombudsman.letters.models import Letter, LetterCounter, LetterStatus

# The worker and the requests read what the test committed through their own sessions.
pytestmark = pytest.mark.committed


def _letter(letter_id: int) -> Letter:
    db.session.expire_all()
    return db.session.get(Letter, letter_id)


def test_issue_reserves_the_number_and_a_worker_renders_the_pdf(app, demo, letters, workflow):
    letter_id = letters.kota.id
    workflow.approve(letter_id)
    with redis_queue(app):
        response = workflow.head.post(f"/letters/{letter_id}/issue")
        assert response.status_code == 303
        letter = _letter(letter_id)
        assert letter.is_issuing and letter.pdf is None and letter.sequence == 1
        page = workflow.head.get(f"/letters/{letter_id}").get_data(as_text=True)
        issuing_note = (
            f"Sedang diterbitkan: nomor {letter.number} dipesan dan PDF surat sedang dibuat. "
            "Halaman ini diperbarui sendiri."
        )
        assert flashes(page) == [("success", issuing_note)]
        assert 'id="letter-issuing"' in page and '<meta http-equiv="refresh" content="3">' in page
        with app.app_context():
            assert queue.status(tasks.letter_job_id(letter_id)) == "queued"
        # Pressing the button again while it waits adds no job and takes no number.
        workflow.head.post(f"/letters/{letter_id}/issue")
        with app.app_context():
            assert queue.queue().count == 1

        run_worker(app)

        letter = _letter(letter_id)
        assert letter.status is LetterStatus.ISSUED and letter.pdf.startswith(b"%PDF-")
        assert db.session.scalar(select(LetterCounter.last_sequence)) == 1
        page = workflow.head.get(f"/letters/{letter_id}").get_data(as_text=True)
        assert 'id="letter-issuing"' not in page and "http-equiv" not in page
        assert workflow.head.get(f"/letters/{letter_id}/pdf").data == letter.pdf


def test_the_api_answers_202_with_the_letters_address_and_the_letter_follows(app, demo, letters, workflow):
    letter_id = letters.kota.id
    workflow.approve(letter_id)
    _token, secret = accounts.issue_token(demo.users["head"], lifetime=timedelta(days=1), now=utcnow())
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    client = app.test_client()
    with redis_queue(app):
        response = client.post(f"/api/v1/letters/{letter_id}/issue", headers=headers)
        assert response.status_code == 202, response.json
        assert response.headers["Location"].endswith(f"/api/v1/letters/{letter_id}")
        body = response.json
        assert (body["status"], body["issuing"], body["sha256"], body["verify_url"]) == (
            "approved",
            True,
            None,
            None,
        )
        number = body["number"]
        run_worker(app)
        done = client.get(response.headers["Location"], headers=headers).json
        assert (done["status"], done["issuing"], done["number"]) == ("issued", False, number)
        assert done["sha256"] == _letter(letter_id).pdf_sha256


def test_a_job_that_dies_is_retried_with_the_same_number(app, demo, letters, workflow, monkeypatch):
    letter_id = letters.kota.id
    workflow.approve(letter_id)
    real_render, calls = issuing.render_letter_pdf, []

    def dies_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("worker lost its renderer")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(issuing, "render_letter_pdf", dies_once)
    with redis_queue(app):
        app.config["JOBS_RETRY_INTERVALS"] = [0]  # retried at once, by the same burst
        workflow.head.post(f"/letters/{letter_id}/issue")
        number = _letter(letter_id).number
        run_worker(app)
    letter = _letter(letter_id)
    assert len(calls) == 2
    assert (letter.status, letter.number, letter.sequence) == (LetterStatus.ISSUED, number, 1)


def test_a_failed_job_is_shown_to_the_admin_who_retries_it(app, demo, letters, workflow, login, monkeypatch):
    letter_id = letters.kota.id
    workflow.approve(letter_id)

    def broken(*args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(issuing, "render_letter_pdf", broken)
    admin = login("admin@demo.test")
    with redis_queue(app):
        app.config["JOBS_RETRY_INTERVALS"] = []
        workflow.head.post(f"/letters/{letter_id}/issue")
        run_worker(app)
        letter = _letter(letter_id)
        assert letter.is_issuing
        head_page = workflow.head.get(f"/letters/{letter_id}").get_data(as_text=True)
        assert "Pembuatan PDF surat ini gagal" in head_page and "http-equiv" not in head_page

        page = admin.get("/admin/jobs/")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        job_id = f"{app.config['JOBS_QUEUE']}-letter-pdf-{letter_id}"
        assert 'id="jobs-failed"' in html and job_id in html
        assert "RuntimeError: renderer crashed" in html
        assert letter.number in html  # listed among the letters being issued
        assert workflow.head.get("/admin/jobs/").status_code == 403
        assert admin.post("/admin/jobs/no-such-job/retry").status_code == 404

        monkeypatch.undo()
        retried = admin.post(f"/admin/jobs/{job_id}/retry")
        assert retried.status_code == 303
        run_worker(app)
    assert _letter(letter_id).status is LetterStatus.ISSUED
    assert db.session.scalar(select(LetterCounter.last_sequence)) == 1


def test_without_redis_the_admin_page_lists_letters_still_being_issued(app, demo, letters, workflow, login):
    letter_id = letters.kota.id
    workflow.approve(letter_id)
    letter = _letter(letter_id)
    issuing.reserve(
        letter, demo.users["head"], today=letter.created_at.date(), base_url="https://ombudsman.example"
    )
    db.session.commit()
    admin = login("admin@demo.test")
    html = admin.get("/admin/jobs/").get_data(as_text=True)
    assert "Tanpa Redis" in html and 'id="issuing-letters"' in html
    assert admin.post(f"/admin/jobs/letters/{letter_id}/render").status_code == 303
    assert _letter(letter_id).status is LetterStatus.ISSUED
