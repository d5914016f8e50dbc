"""Idempotent creation: a client's UUID makes a create or an upload happen at most once.

The key is the body's `client_id` (a form field for uploads) or the `Idempotency-Key` header; both may be
sent if they agree. The key is also written to the record's own unique `client_id` column, so the database,
not a lookup before the insert, is what stops a duplicate: two identical requests racing each other end
with one record, the loser rolls back and answers with the winner's record.

- same key, same request  -> the record made the first time, same status, header `Idempotent-Replayed: true`
- same key, other request -> 409 (other body, other path, or another user's key)

Only a key that is really on record answers 409. Any other clash at the commit (a unique number taken by a
concurrent request, which the per-parent counters of `ombudsman.sequences` should prevent) is retried; if it
persists the answer is 503 with `Retry-After`, which clients retry, never a 409 they would take as final.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ombudsman.api.models import IdempotencyKey
from ombudsman.extensions import db

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# A clash at the commit is retried this often; each retry first looks for the record a concurrent request
# may have made with the same key (then it is a replay or a true 409).
ATTEMPTS = 3
# Seconds a client is asked to wait before sending again after repeated clashes that were not about its key.
RETRY_AFTER_SECONDS = 1

M = TypeVar("M")


def request_key(client_id: uuid.UUID | None) -> str | None:
    """The request's idempotency key in canonical form, from the body's client_id or the header."""
    header = request.headers.get(HEADER)
    from_header = None
    if header is not None:
        try:
            from_header = uuid.UUID(header.strip())
        except ValueError:
            abort(422, fields={HEADER: [_("Harus berupa UUID.")]})
    if client_id is not None and from_header is not None and client_id != from_header:
        abort(422, fields={"client_id": [_("Berbeda dari header Idempotency-Key.")]})
    key = client_id or from_header
    return str(key) if key is not None else None


def fingerprint(payload: dict[str, Any]) -> str:
    """SHA-256 of the parsed request: key order and spacing of the JSON do not matter."""
    canonical = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _conflict() -> None:
    abort(
        409,
        message=_("Kunci idempotensi ini sudah dipakai untuk permintaan lain."),
        fields={"client_id": [_("Sudah dipakai dengan isi atau alamat yang berbeda.")]},
    )


def _replay(existing, owner: tuple[str, int], model: type[M], digest: str) -> tuple[M, int, dict[str, str]]:
    column, owner_id = owner
    same_request = (
        getattr(existing, column) == owner_id
        and existing.method == request.method
        and existing.path == request.path
        and existing.request_sha256 == digest
    )
    record = db.session.get(model, existing.resource_id) if same_request else None
    if record is None:
        _conflict()
    return record, existing.status_code, {REPLAYED_HEADER: "true"}


def create_once(
    *,
    resource_type: str,
    model: type[M],
    key: str | None,
    payload: dict[str, Any],
    create: Callable[[], M],
    key_model: type = IdempotencyKey,
    owner: tuple[str, int] | None = None,
) -> tuple[M, int, dict[str, str]]:
    """Run `create` and commit, unless `key` already made a record; returns (record, status, headers).

    `create` only flushes (staff records also store `key` in their unique client_id column). The key is
    kept in `key_model` (`IdempotencyKey` for staff, `PortalIdempotencyKey` for portal accounts) under
    `owner`, a (column, id) pair: the signed-in staff user's ("user_id", id) by default.
    """
    column, owner_id = owner or ("user_id", current_user.id)
    digest = fingerprint(payload)

    def existing():
        return db.session.scalar(select(key_model).where(key_model.key == key))

    for _attempt in range(ATTEMPTS):
        if key is not None and (found := existing()) is not None:
            return _replay(found, (column, owner_id), model, digest)
        try:
            record = create()
            if key is not None:
                db.session.add(
                    key_model(
                        key=key,
                        method=request.method,
                        path=request.path[:300],
                        request_sha256=digest,
                        resource_type=resource_type,
                        resource_id=record.id,  # type: ignore[attr-defined]
                        status_code=201,
                        **{column: owner_id},
                    )
                )
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        return record, 201, {}
    if key is not None and (found := existing()) is not None:
        return _replay(found, (column, owner_id), model, digest)
    # Not a key reused for another request: the same request may simply be sent again.
    abort(
        503,
        message=_("Permintaan bertabrakan dengan perubahan lain yang bersamaan; kirim ulang sebentar lagi."),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
    raise AssertionError("unreachable")  # abort() raised
