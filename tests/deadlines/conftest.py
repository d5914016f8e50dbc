"""Fixtures for the deadline tests: recommendations with running clocks, and a live server for Chromium."""

from __future__ import annotations

import threading
from datetime import date
from types import SimpleNamespace

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from werkzeug.serving import make_server

from ombudsman.extensions import db
from ombudsman.recommendations.models import Recommendation

# The demo letter to the Wali Kota Kupang is taken as issued on 31 July 2018 and received on 6 August 2018:
# 30 working days later, skipping 17 and 22 August and 11 September, is 20 September 2018.
ISSUED = date(2018, 7, 31)
RECEIVED = date(2018, 8, 6)
DUE = date(2018, 9, 20)


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch):
    """Cheap Argon2 parameters: the demo's five users otherwise cost seconds per test on a small machine."""
    from ombudsman.accounts import services as accounts

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def letter() -> SimpleNamespace:
    """The dates of the demo letter to the Wali Kota Kupang used throughout these tests."""
    return SimpleNamespace(issued=ISSUED, received=RECEIVED, due=DUE)


@pytest.fixture
def recs(demo) -> dict[str, list[Recommendation]]:
    """The demo recommendations by addressee: "pemkot" (seven) and "ditjen" (three), in order."""
    rows = db.session.scalars(select(Recommendation).order_by(Recommendation.position)).all()
    return {
        "pemkot": [r for r in rows if r.authority_id == demo.pemkot.id],
        "ditjen": [r for r in rows if r.authority_id == demo.ditjen.id],
    }


@pytest.fixture
def started(demo, recs):
    """Clocks started for the letter to the Wali Kota Kupang (received 6 August 2018), committed."""
    from ombudsman.deadlines import services

    deadlines = [
        services.start_clock(
            rec, received_on=RECEIVED, issued_on=ISSUED, user=demo.users["head"], today=date(2018, 8, 10)
        )
        for rec in recs["pemkot"]
    ]
    db.session.commit()
    return deadlines


@pytest.fixture
def live_server(app):
    """The app served on a free loopback port from a thread (same process: OMBUDSMAN_TODAY applies)."""
    # The server's threads use their own sessions; end this thread's transaction so SQLite never waits on it.
    db.session.commit()
    db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
