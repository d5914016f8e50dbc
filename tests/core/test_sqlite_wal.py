"""The embedded SQLite database runs in write-ahead-log mode: a reader in the middle of a transaction does
not hold up another connection's commit (in SQLite's default rollback journal the commit waits for it)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

import ombudsman.dbsetup  # noqa: F401  (registers the connect pragmas on every engine)


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'wal.sqlite'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
        conn.execute(text("INSERT INTO note (body) VALUES ('first')"))
    yield engine
    engine.dispose()


def test_a_database_file_is_in_wal_mode_with_full_sync(engine):
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL: a commit survives a power cut
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_reader_in_a_transaction_does_not_hold_up_a_commit(engine):
    with engine.connect() as reader, engine.connect() as writer:
        reader.exec_driver_sql("BEGIN")
        assert reader.execute(text("SELECT count(*) FROM note")).scalar() == 1  # holds its read snapshot
        writer.execute(text("PRAGMA busy_timeout=200"))  # a regression fails in 0.2 s, not the 30 s wait
        writer.execute(text("INSERT INTO note (body) VALUES ('second')"))
        writer.commit()
        assert reader.execute(text("SELECT count(*) FROM note")).scalar() == 1  # its snapshot, unchanged
        reader.rollback()
        assert reader.execute(text("SELECT count(*) FROM note")).scalar() == 2


def test_an_in_memory_database_keeps_its_own_journal():
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "memory"
