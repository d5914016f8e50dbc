"""Idempotent creates of the portal API: an authority system's UUID makes a response or an extension
request happen at most once, through the staff API's own mechanism (`ombudsman.api.idempotency`).

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

from ombudsman.api import idempotency
from ombudsman.portal.api_models import PortalIdempotencyKey
from ombudsman.portal.models import PortalUser

M = TypeVar("M")


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
    return idempotency.create_once(
        resource_type=resource_type,
        model=model,
        key=key,
        payload=payload,
        create=create,
        key_model=PortalIdempotencyKey,
        owner=("portal_user_id", account.id),
    )
