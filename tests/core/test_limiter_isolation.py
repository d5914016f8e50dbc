"""The session app's rate limits count in its own storage in every test, whatever app an earlier test built
(the project's limiter is one object per process, and each `create_app` points it at its app's storage)."""

from __future__ import annotations

from ombudsman import create_app
from ombudsman.extensions import limiter


def test_a_production_app_built_by_a_test_moves_the_process_limiter_to_redis(app, tmp_path):
    create_app(
        "production",
        {
            "SECRET_KEY": "k" * 64,
            "PUBLIC_BASE_URL": "https://t.example",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "ALLOW_SQLITE": True,
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "EVIDENCE_DIR": str(tmp_path / "evidence"),
        },
    )
    assert "redis" in type(limiter.storage).__name__.lower()


def test_the_next_test_counts_in_the_session_apps_storage_again(app):
    assert type(limiter.storage).__name__ == "MemoryStorage"
    assert limiter.storage is app.extensions["limiter_state"]["_storage"]
