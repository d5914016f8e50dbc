"""The job functions (letter renders, reminder digests, exports). Each takes plain ids, runs inside an app
context and cleans its session up.

On the queue they run in `flask --app wsgi jobs worker` (which has the app); started by a plain `rq worker`
they build the app once per process from the environment. Inline they run in the caller's request.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context

from ombudsman.extensions import db
from ombudsman.storage import evidence_dir

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
_process_app: Flask | None = None


def _app() -> Flask:
    global _process_app
    if _process_app is None:
        from ombudsman import create_app

        _process_app = create_app()
    return _process_app


def job(func: F) -> F:
    """Run `func` in the current app context, or in this process's app (and remove its session after)."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return func(*args, **kwargs)
        with _app().app_context():
            try:
                return func(*args, **kwargs)
            finally:
                db.session.remove()

    return run  # type: ignore[return-value]


@job
def render_issued_letter(letter_id: int) -> str | None:
    """Render and store the PDF/A of a letter whose number is reserved, then mail its electronic
    deliveries (`ombudsman.portal.delivery.send_pending`); returns its number.

    A failure leaves the reservation as it was: the job is retried (same number), and after the last
    retry it is listed as failed on /admin/jobs. A letter already issued is not rendered again (returns
    None); only its unsent deliveries go out.
    """
    from ombudsman.clock import utcnow
    from ombudsman.letters import issuing
    from ombudsman.portal import delivery

    try:
        rendered = issuing.render_reserved(
            letter_id,
            base_url=current_app.config["PUBLIC_BASE_URL"],
            evidence_root=evidence_dir(),
        )
        number = None
        if rendered is not None:
            letter = issuing.finish(rendered)
            number = letter.number
            db.session.commit()
            log.info("letter %s issued as %s", letter_id, number)
        # Electronic delivery asked for at issue: mailed now that the letter is issued and committed (a
        # retry of an issued letter sends what is still unsent, never twice).
        delivery.send_pending(letter_id, current_app.config, now=utcnow())
    except BaseException:
        db.session.rollback()
        raise
    return number


def letter_job_id(letter_id: int) -> str:
    """The one job id of a letter's render (named after the queue, which may be shared by deployments):
    submitting it twice never renders twice at once."""
    return f"{current_app.config['JOBS_QUEUE']}-letter-pdf-{letter_id}"


def submit_letter_render(letter_id: int, office_id: int) -> bool:
    """Render the reserved letter now (inline) or on the queue; returns whether it is issued already.

    Inline, a render error propagates (the reservation stays; issuing again retries).
    """
    from ombudsman.jobs import queue

    submitted = queue.submit(
        render_issued_letter,
        letter_id,
        job_id=letter_job_id(letter_id),
        description=f"letter {letter_id}: render and store the issued PDF",
        office_id=office_id,
    )
    return submitted.inline


class UndeliveredDigests(RuntimeError):
    """Some reminder digests could not be mailed: the job fails, so it is retried (they were withdrawn)."""


@job
def send_reminder_digests() -> str:
    """One reminder run (`ombudsman.deadlines.reminder_run`); returns its summary line.

    Raises `UndeliveredDigests` when a digest could not be mailed: its notices were withdrawn, and the
    retry (or the next run) announces them again.
    """
    from ombudsman.deadlines import reminder_run

    result = reminder_run.run(current_app.config)
    log.info("reminders: %s", result.summary)
    if result.undelivered:
        raise UndeliveredDigests(", ".join(f"{address}: {error}" for address, error in result.undelivered))
    return result.summary


def reminders_job_id() -> str:
    """The one job id of the reminder run: queued from every node at once, it runs once."""
    return f"{current_app.config['JOBS_QUEUE']}-deadline-reminders"


@job
def build_export(export_id: int) -> str | None:
    """Write an export's file (`ombudsman.export_jobs`) to the shared storage; returns its file name.

    Then removes the exports kept longer than `export_jobs.services.KEEP` (their files and rows); a failure
    there is logged and left to the next export job. An export already built or removed returns None.
    """
    from ombudsman import storage
    from ombudsman.clock import utcnow
    from ombudsman.export_jobs import services

    store = storage.evidence_storage()
    try:
        export = services.build(export_id, store)
        filename = export.filename if export is not None else None
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    try:
        removed = services.purge_expired(store, utcnow())
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("exports: removing expired exports failed (the next export job tries again)")
    else:
        if removed:
            log.info("exports: %d expired exports removed", removed)
    log.info("export %s written: %s", export_id, filename)
    return filename
