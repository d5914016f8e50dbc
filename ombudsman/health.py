"""`GET /healthz`: whether this node can serve, for the proxy or orchestrator in front of several nodes.

Public (no login, no session cookie set), never rate limited, and cheap: one `SELECT 1` and, when REDIS_URL
is set, one Redis PING, each bounded by a short timeout. Answers JSON `{"status": "ok"|"unavailable",
"checks": {"database": "ok"|"error", "redis": "ok"|"error"|"not_configured"}}` with 200 when every
configured check passed, else 503. It names no host, version or error text: anyone may call it.
"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ombudsman import redis_client
from ombudsman.accounts.permissions import public
from ombudsman.extensions import db, limiter

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except SQLAlchemyError:
        log.exception("health check: database unavailable")
        db.session.rollback()
        return "error"
    finally:
        db.session.close()  # give the connection back at once; nothing else runs in this request


def _redis() -> str:
    if not redis_client.configured():
        return "not_configured"
    try:
        redis_client.connection().ping()
        return "ok"
    except (RedisError, OSError):
        log.exception("health check: Redis unavailable")
        return "error"


@bp.get("/healthz")
@limiter.exempt
@public
def healthz():
    """The node's health as JSON: 200 when the database (and Redis, when configured) answer, else 503."""
    checks = {"database": _database(), "redis": _redis()}
    healthy = all(value != "error" for value in checks.values())
    response = jsonify(status="ok" if healthy else "unavailable", checks=checks)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
