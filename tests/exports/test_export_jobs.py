"""Exports as jobs: without a queue the export URL answers the file; with a real Redis queue and a real
worker (burst) the request answers a waiting page, the job writes the file to the shared storage in the
requester's language, the page links it, only the requester downloads it, a failure is shown and retried
from /admin/jobs, and a day later the file is gone."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from jobs_testing import redis_queue, run_worker
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from ombudsman.accounts import services as accounts
from ombudsman.accounts.models import Office
from ombudsman.clock import utcnow
from ombudsman.export_jobs import services
from ombudsman.export_jobs.models import ExportJob
from ombudsman.extensions import db
from ombudsman.jobs import queue

# The worker and the requests read what the test committed through their own sessions.
pytestmark = pytest.mark.committed

WAITING = "Menyiapkan berkas…"
REFRESH = '<meta http-equiv="refresh" content="3">'


def _waiting_page(response) -> str:
    """The address of the waiting page the export request redirected to."""
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    location = response.headers["Location"]
    assert location.startswith("/exports/") and location.removeprefix("/exports/").isdigit()
    return location


def _sheet_values(data: bytes) -> tuple[str, list[list]]:
    sheet = load_workbook(io.BytesIO(data)).active
    return sheet.title, [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]


def _exports() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(ExportJob))


@pytest.fixture
def bali(demo) -> Office:
    """Another office with an admin and an inspector."""
    office = Office(
        name="Ombudsman RI Perwakilan Provinsi Bali",
        short_name="Ombudsman Bali",
        province="Bali",
        city="Denpasar",
        timezone="Asia/Makassar",
    )
    db.session.add(office)
    db.session.flush()
    for role in ("inspector", "admin"):
        accounts.create_user(
            email=f"{role}@bali.test", name=f"Bali {role}", role=role, office=office, password="bali-password"
        )
    db.session.commit()
    return office


def test_without_a_queue_the_export_url_answers_the_file(app, demo, login):
    viewer = login("viewer@demo.test")
    response = viewer.get("/deadlines/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data(as_text=True).startswith("\ufeff")
    assert _exports() == 0


def test_the_job_writes_the_file_the_page_links_it_with_the_inline_bytes(app, demo, login):
    viewer = login("viewer@demo.test")
    url = "/deadlines/export.csv?state=not_started"
    inline = viewer.get(url)
    assert inline.status_code == 200
    with redis_queue(app):
        page_url = _waiting_page(viewer.post(url))
        page = viewer.get(page_url)
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and WAITING in html and REFRESH in html
        assert 'id="export-pending"' in html and 'id="export-file"' not in html
        assert viewer.get(f"{page_url}/file").status_code == 404  # not written yet
        # Asking again while it waits adds no job and leads to the same page.
        assert _waiting_page(viewer.post(url)) == page_url
        with app.app_context():
            assert queue.queue().count == 1

        run_worker(app)

        html = viewer.get(page_url).get_data(as_text=True)
        assert "Berkas siap" in html and "http-equiv" not in html
        assert f'href="{page_url}/file"' in html and "Unduh tenggat-" in html
        download = viewer.get(f"{page_url}/file")
    assert download.status_code == 200 and download.mimetype == inline.mimetype
    assert download.data == inline.data
    assert download.headers["Content-Disposition"] == inline.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store"
    export = db.session.get(ExportJob, int(page_url.rsplit("/", 1)[1]))
    stored = Path(app.config["EVIDENCE_DIR"]) / "exports" / f"{export.id}.csv"
    assert stored.read_bytes() == inline.data  # in the shared storage, for every node


def test_running_clocks_with_explanations_in_english_give_the_same_bytes(app, demo, login, monkeypatch):
    from ombudsman.deadlines import services as deadlines
    from ombudsman.recommendations.models import Recommendation

    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-26")  # six days after the due date
    for rec in db.session.scalars(
        select(Recommendation).where(Recommendation.authority_id == demo.pemkot.id)
    ):
        deadlines.start_clock(
            rec,
            received_on=date(2018, 8, 6),
            issued_on=None,
            user=demo.users["head"],
            today=date(2018, 8, 10),
        )
    db.session.commit()
    viewer = login("viewer@demo.test")
    viewer.get("/lang/en")
    inline = viewer.get("/deadlines/export.csv")
    text = inline.get_data(as_text=True)
    assert "Overdue" in text and "20 September 2018" in text and "Lewat tenggat" not in text
    with redis_queue(app):
        page_url = _waiting_page(viewer.post("/deadlines/export.csv"))
        monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-12-31")  # the job exports the day it was asked for
        run_worker(app)
        download = viewer.get(f"{page_url}/file")
    assert download.data == inline.data
    assert download.headers["Content-Disposition"] == "attachment; filename=tenggat-2018-09-26.csv"


def test_the_job_writes_the_labels_in_the_requesters_language(app, demo, login):
    viewer = login("viewer@demo.test")
    viewer.get("/lang/en")
    inline = viewer.get("/letters/export.xlsx")
    with redis_queue(app):
        page_url = _waiting_page(viewer.post("/letters/export.xlsx"))
        run_worker(app)
        download = viewer.get(f"{page_url}/file")
    assert download.headers["Content-Disposition"] == "attachment; filename=register-surat-keluar.xlsx"
    title, rows = _sheet_values(download.data)
    assert (title, rows) == _sheet_values(inline.data)
    assert rows[0][0] == ("Number", "s") and ("Draft", "s") in rows[1]  # English, as the requester reads


def test_only_the_user_who_asked_gets_the_page_and_the_file(app, demo, bali, login):
    viewer = login("viewer@demo.test")
    with redis_queue(app):
        page_url = _waiting_page(viewer.post("/letters/export.csv"))
        run_worker(app)
        others = [
            login("inspector@demo.test"),
            login("admin@demo.test"),
            login("inspector@bali.test", "bali-password"),
            login("admin@bali.test", "bali-password"),
        ]
        for other in others:
            assert other.get(page_url).status_code == 404
            assert other.get(f"{page_url}/file").status_code == 404
        assert viewer.get(f"{page_url}/file").status_code == 200
        assert app.test_client().get(f"{page_url}/file").status_code in (302, 303)  # to the login page


def test_a_failed_export_is_shown_and_the_admin_retries_it(app, demo, bali, login, tmp_path):
    viewer = login("viewer@demo.test")
    admin = login("admin@demo.test")
    evidence_dir = app.config["EVIDENCE_DIR"]
    not_a_directory = tmp_path / "storage-is-a-file"
    not_a_directory.write_text("the shared storage cannot be written")
    with redis_queue(app):
        app.config["JOBS_RETRY_INTERVALS"] = []
        page_url = _waiting_page(viewer.post("/deadlines/export.xlsx"))
        app.config["EVIDENCE_DIR"] = str(not_a_directory)
        run_worker(app)
        app.config["EVIDENCE_DIR"] = evidence_dir

        html = viewer.get(page_url).get_data(as_text=True)
        assert "Berkas gagal disiapkan" in html and 'id="export-failed"' in html and "http-equiv" not in html
        assert viewer.get(f"{page_url}/file").status_code == 404

        jobs = admin.get("/admin/jobs/").get_data(as_text=True)
        with app.app_context():
            job_id = services.job_id(int(page_url.rsplit("/", 1)[1]))
        assert 'id="jobs-failed"' in jobs and job_id in jobs and "NotADirectoryError" in jobs
        bali_admin = login("admin@bali.test", "bali-password")
        assert job_id not in bali_admin.get("/admin/jobs/").get_data(as_text=True)
        assert bali_admin.post(f"/admin/jobs/{job_id}/retry").status_code == 404

        assert admin.post(f"/admin/jobs/{job_id}/retry").status_code == 303
        assert REFRESH in viewer.get(page_url).get_data(as_text=True)  # being prepared again
        run_worker(app)
        download = viewer.get(f"{page_url}/file")
    assert download.status_code == 200
    assert _sheet_values(download.data)[0] == "Tenggat"


def test_a_job_waiting_for_its_retry_is_still_being_prepared(app, demo, login, tmp_path):
    viewer = login("viewer@demo.test")
    blocked = tmp_path / "storage-is-a-file"
    blocked.write_text("")
    with redis_queue(app):
        app.config["JOBS_RETRY_INTERVALS"] = [3600]
        page_url = _waiting_page(viewer.post("/letters/export.csv"))
        evidence_dir, app.config["EVIDENCE_DIR"] = app.config["EVIDENCE_DIR"], str(blocked)
        run_worker(app)
        app.config["EVIDENCE_DIR"] = evidence_dir
        html = viewer.get(page_url).get_data(as_text=True)
        assert WAITING in html and REFRESH in html
        jobs = login("admin@demo.test").get("/admin/jobs/").get_data(as_text=True)
        assert 'id="jobs-scheduled"' in jobs and 'id="jobs-failed"' not in jobs


def test_exports_are_removed_a_day_later_by_the_next_export_job(app, demo, login):
    viewer = login("viewer@demo.test")
    with redis_queue(app):
        first = _waiting_page(viewer.post("/letters/export.csv"))
        run_worker(app)
        first_id = int(first.rsplit("/", 1)[1])
        stored = Path(app.config["EVIDENCE_DIR"]) / "exports" / f"{first_id}.csv"
        assert stored.exists()
        db.session.execute(
            update(ExportJob)
            .where(ExportJob.id == first_id)
            .values(created_at=utcnow() - services.KEEP - timedelta(minutes=1))
        )
        db.session.commit()
        assert viewer.get(first).status_code == 404  # no longer served, even before it is removed
        assert viewer.get(f"{first}/file").status_code == 404

        second = _waiting_page(viewer.post("/letters/export.csv"))
        run_worker(app)
    db.session.expire_all()
    assert db.session.get(ExportJob, first_id) is None and not stored.exists()
    second_id = int(second.rsplit("/", 1)[1])
    assert second_id > first_id  # ids are never reused, also on SQLite
    assert (Path(app.config["EVIDENCE_DIR"]) / "exports" / f"{second_id}.csv").exists()


def test_the_jobs_queries_do_not_grow_with_the_rows(app, demo, login, count_queries):
    from ombudsman.letters import drafting
    from ombudsman.letters.commands import NewLetter

    viewer = login("viewer@demo.test")
    with redis_queue(app):
        _waiting_page(viewer.post("/letters/export.csv"))
        with count_queries() as few:
            run_worker(app)
        for _ in range(6):
            drafting.create(
                demo.office,
                demo.users["inspector"],
                NewLetter(authority_id=demo.pemkot.id, hal="Permintaan klarifikasi", kind="klarifikasi"),
            )
        db.session.commit()
        page_url = _waiting_page(viewer.post("/letters/export.csv"))
        with count_queries() as more:
            run_worker(app)
        rows = viewer.get(f"{page_url}/file").get_data(as_text=True).strip().splitlines()
    assert len(rows) == 1 + 2 + 6
    assert more.count == few.count


def test_when_redis_cannot_be_reached_the_file_is_made_in_the_request(app, demo, login):
    viewer = login("viewer@demo.test")
    app.config.update(REDIS_URL="redis://127.0.0.1:1/0", JOBS_MODE="rq")  # nothing listens on port 1
    response = viewer.post("/letters/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert _exports() == 0


def test_a_bad_filter_is_refused_before_anything_is_queued(app, demo, login):
    viewer = login("viewer@demo.test")
    with redis_queue(app):
        response = viewer.get("/deadlines/export.csv?authority_id=99999999999")
        assert response.status_code == 400
        with app.app_context():
            assert queue.queue().count == 0
    assert _exports() == 0


def test_with_a_queue_a_get_answers_the_form_that_starts_the_job_and_records_nothing(app, demo, login):
    """A bookmark, a link in a mail or a prefetch of the export URL never starts a job: only the form does."""
    viewer = login("viewer@demo.test")
    url = "/deadlines/export.xlsx?state=not_started"
    with redis_queue(app):
        page = viewer.get(url)
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and page.mimetype == "text/html"
        assert 'id="export-start"' in html and 'method="post"' in html
        assert 'action="/deadlines/export.xlsx?state=not_started"' in html
        assert 'name="csrf_token"' in html
        with app.app_context():
            assert queue.queue().count == 0
        assert _exports() == 0

        # The form's POST (its CSRF token with it) starts the job; its page leads back to the same filters.
        page_url = _waiting_page(viewer.post(url))
        waiting = viewer.get(page_url).get_data(as_text=True)
        assert WAITING in waiting
        assert '<a href="/deadlines/?state=not_started" id="export-back">' in waiting
    assert _exports() == 1


def test_an_export_post_without_the_csrf_token_is_refused_and_records_nothing(app, demo, login):
    viewer = login("viewer@demo.test")
    with redis_queue(app):
        refused = viewer.client.post("/letters/export.csv")
        assert refused.status_code == 400
        with app.app_context():
            assert queue.queue().count == 0
    assert _exports() == 0


@pytest.mark.parametrize("path", ["/letters/", "/deadlines/", "/deadlines/list"])
def test_the_pages_export_buttons_are_forms_with_the_csrf_token(app, demo, login, path):
    html = login("viewer@demo.test").get(path).get_data(as_text=True)
    for button in ("export-csv", "export-xlsx"):
        form = html.split(f'id="{button}"', 1)[0].rsplit("<form", 1)[1]
        assert 'method="post"' in form and 'name="csrf_token"' in form, button
