"""Recording, queueing, building, serving and removing exports that run as jobs (see the package text).

Plain functions: they flush, never commit (the view or the job commits). The job side (`build`,
`purge_expired`) runs in `ombudsman.jobs.tasks.build_export`.
"""

from __future__ import annotations

import enum
import hashlib
import logging
from datetime import date, datetime, timedelta

from flask import abort, current_app
from flask_babel import force_locale
from redis.exceptions import RedisError
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from ombudsman import exports
from ombudsman.accounts.models import Office, User
from ombudsman.clock import utcnow
from ombudsman.export_jobs.kinds import KINDS
from ombudsman.export_jobs.models import ExportJob, ExportKind
from ombudsman.extensions import db
from ombudsman.jobs import queue
from ombudsman.storage import FileStorage

log = logging.getLogger(__name__)

#: How long an export's file (and its page) is kept after it was asked for; the next export job after that
#: removes it.
KEEP = timedelta(hours=24)
#: Expired exports removed by one job at most (the next job takes the rest).
PURGE_BATCH = 500
#: The queue's statuses (`queue.status`) of a job that will still run.
_LIVE = frozenset(s.value for s in queue.LIVE)


class ExportStatus(enum.StrEnum):
    """What the waiting page shows."""

    PENDING = "pending"  # queued, running or waiting for a retry
    READY = "ready"
    FAILED = "failed"  # failed after its retries, or lost by the queue: the admin may retry it


class ChangedFile(RuntimeError):
    """The stored file is not the one the job wrote (its SHA-256 differs): never served."""


def job_id(export_id: int) -> str:
    """The export's job id, named after the queue (which deployments may share)."""
    return f"{current_app.config['JOBS_QUEUE']}-export-{export_id}"


def expires_at(export: ExportJob) -> datetime:
    """When the export's page and file stop being served (`KEEP` after it was asked for)."""
    return export.created_at + KEEP


def record(
    kind: ExportKind, fmt: str, *, office: Office, user: User, as_of: date, args: dict, locale: str
) -> ExportJob:
    """Add (flush) a new export of `kind` in format `fmt` ("csv" or "xlsx") asked by `user` of `office`.

    `args`: the request's query-string arguments (str -> str); `as_of`: the office's date; `locale`: the
    requester's language. ValueError for an unknown format.
    """
    if fmt not in exports.FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    export = ExportJob(
        office_id=office.id,
        user_id=user.id,
        kind=kind,
        file_format=fmt,
        args=dict(args),
        as_of=as_of,
        locale=locale,
        created_at=utcnow(),
    )
    db.session.add(export)
    db.session.flush()
    return export


def waiting_twin(
    kind: ExportKind, fmt: str, *, user: User, as_of: date, args: dict, locale: str
) -> ExportJob | None:
    """The user's same export (same filters, day and language) still waiting on the queue, if any: asking
    again while it waits adds no job. Raises the queue's error (RedisError, OSError) when Redis is down."""
    since = utcnow() - KEEP
    candidates = db.session.scalars(
        select(ExportJob)
        .where(
            ExportJob.user_id == user.id,
            ExportJob.created_at > since,
            ExportJob.ready_at.is_(None),
            ExportJob.kind == kind,
            ExportJob.file_format == fmt,
            ExportJob.as_of == as_of,
            ExportJob.locale == locale,
        )
        .order_by(ExportJob.id.desc())
        .limit(10)
    )
    for export in candidates:
        if export.args == args and queue.status(job_id(export.id)) in _LIVE:
            return export
    return None


def submit(export: ExportJob) -> None:
    """Queue the export's job (the row must be committed: the worker reads it). Raises the queue's error."""
    from ombudsman.jobs import tasks

    queue.submit(
        tasks.build_export,
        export.id,
        job_id=job_id(export.id),
        description=f"export {export.id}: {export.kind.value} {export.file_format} (user {export.user_id})",
        office_id=export.office_id,
    )


def status(export: ExportJob) -> ExportStatus:
    """Ready when the job wrote the file; else what the queue says (pending while Redis cannot be asked)."""
    if export.ready_at is not None:
        return ExportStatus.READY
    try:
        state = queue.status(job_id(export.id))
    except (RedisError, OSError):
        log.warning("export %s: the queue could not be asked", export.id)
        return ExportStatus.PENDING
    return ExportStatus.PENDING if state in _LIVE else ExportStatus.FAILED


def owned_or_404(export_id: int, user: User) -> ExportJob:
    """The user's own export, still kept; anyone else's (same office or not), or an expired one: 404."""
    export = db.session.get(ExportJob, export_id)
    if (
        export is None
        or export.user_id != user.id
        or export.office_id != user.office_id
        or expires_at(export) <= utcnow()
    ):
        abort(404)
    return export


def build(export_id: int, storage: FileStorage) -> ExportJob | None:
    """The job's work: build the export's file in the requester's language and write it to `storage`.

    Returns the export (flushed, ready) or None when there is nothing to do (removed after `KEEP`, or ready
    already: a retry after the commit). A file written by an earlier attempt that did not commit is
    rewritten. Errors of the builders and the storage propagate (the job fails and is retried).
    """
    export = db.session.get(ExportJob, export_id)
    if export is None or export.ready_at is not None:
        return None
    kind = KINDS[export.kind]
    with force_locale(export.locale):
        table = kind.table(export.office, export.as_of, kind.parse(MultiDict(export.args)))
        data = exports.table_bytes(table, export.file_format)
        filename = table.filename(export.file_format)
    storage.delete(export.storage_key)
    storage.write_once(export.storage_key, data)
    export.filename = filename
    export.size = len(data)
    export.sha256 = hashlib.sha256(data).hexdigest()
    export.ready_at = utcnow()
    db.session.flush()
    return export


def file_bytes(export: ExportJob, storage: FileStorage) -> bytes:
    """The ready export's file as the job wrote it.

    FileNotFoundError when it is gone; `ChangedFile` when its SHA-256 is not the recorded one.
    """
    data = storage.read(export.storage_key)
    if hashlib.sha256(data).hexdigest() != export.sha256:
        raise ChangedFile(export.storage_key)
    return data


def purge_expired(storage: FileStorage, now: datetime) -> int:
    """Remove exports asked for more than `KEEP` ago (at most `PURGE_BATCH`): files first, then rows
    (flushed). Returns how many. Safe on several workers at once (a second delete finds nothing)."""
    expired = db.session.scalars(
        select(ExportJob).where(ExportJob.created_at < now - KEEP).order_by(ExportJob.id).limit(PURGE_BATCH)
    ).all()
    for export in expired:
        storage.delete(export.storage_key)
    if expired:
        db.session.execute(delete(ExportJob).where(ExportJob.id.in_([e.id for e in expired])))
    return len(expired)


def forget(export: ExportJob) -> None:
    """Remove an export that could not be queued (flushed)."""
    db.session.delete(export)
    db.session.flush()
