"""Idempotent creates of the portal API: an authority system's UUID makes a response or an extension
request happen at most once, exactly as `ombudsman.api.idempotency` does for staff clients.

The key (the body's `client_id` or the `Idempotency-Key` header, `idempotency.request_key`) is stored in
`PortalIdempotencyKey`, owned by the portal account, in the same transaction as the record: two identical
requests racing each other end with one record (the loser's key insert fails at the commit, it rolls back
and answers with the winner's record).

- same key, same account, same request -> the record made the first time, 201, `Idempotent-Replayed: true`
- same key, anything else               -> 409
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import request
from flask_babel import gettext as _
from flask_smorest import abort
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ombudsman.api.idempotency import ATTEMPTS, REPLAYED_HEADER, RETRY_AFTER_SECONDS, fingerprint
from ombudsman.extensions import db
from ombudsman.portal.api_models import PortalIdempotencyKey
from ombudsman.portal.models import PortalUser

M = TypeVar("M")


def _existing(key: str) -> PortalIdempotencyKey | None:
    return db.session.scalar(select(PortalIdempotencyKey).where(PortalIdempotencyKey.key == key))


def _replay(existing: PortalIdempotencyKey, account: PortalUser, model: type[M], digest: str):
    same_request = (
        existing.portal_user_id == account.id
        and existing.method == request.method
        and existing.path == request.path
        and existing.request_sha256 == digest
    )
    record = db.session.get(model, existing.resource_id) if same_request else None
    if record is None:
        abort(
            409,
            message=_("Kunci idempotensi ini sudah dipakai untuk permintaan lain."),
            fields={"client_id": [_("Sudah dipakai dengan isi atau alamat yang berbeda.")]},
        )
    return record, existing.status_code, {REPLAYED_HEADER: "true"}


def create_once(
    *,
    account: PortalUser,
    resource_type: str,
    model: type[M],
    key: str | None,
    payload: dict[str, Any],
    create: Callable[[], M],
) -> tuple[M, int, dict[str, str]]:
    """Run `create` (which only flushes) and commit, unless `key` already made a record; returns
    (record, status, headers). A refusal of `create` (`DomainError`) propagates with nothing kept."""
    digest = fingerprint(payload)
    for _attempt in range(ATTEMPTS):
        if key is not None and (existing := _existing(key)) is not None:
            return _replay(existing, account, model, digest)
        try:
            record = create()
            if key is not None:
                db.session.add(
                    PortalIdempotencyKey(
                        key=key,
                        portal_user_id=account.id,
                        method=request.method,
                        path=request.path[:300],
                        request_sha256=digest,
                        resource_type=resource_type,
                        resource_id=record.id,  # type: ignore[attr-defined]
                        status_code=201,
                    )
                )
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        return record, 201, {}
    if key is not None and (existing := _existing(key)) is not None:
        return _replay(existing, account, model, digest)
    abort(
        503,
        message=_("Permintaan bertabrakan dengan perubahan lain yang bersamaan; kirim ulang sebentar lagi."),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
    raise AssertionError("unreachable")  # abort() raised
