"""The deadlines migrations move real data both ways: the calendar settings off `offices` into
`calendar_settings`, and the Indonesian due-date sentences into facts (and back), on SQLite and, when
TEST_DATABASE_URL is set, on a fresh PostgreSQL database."""

import json
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from ombudsman import create_app, search
from ombudsman.extensions import db
from tests.databases import brand_new_database

# The full-text indexes' own objects are not in the models (as in migrations/env.py).
FULL_TEXT_OUTSIDE_MODELS = {"include_name": search.outside_models}


def _model_differences(conn) -> list:
    return compare_metadata(MigrationContext.configure(conn, opts=FULL_TEXT_OUTSIDE_MODELS), db.metadata)


BEFORE = "7c2861222d28"  # the initial schema, without deadlines
BEFORE_SETTINGS = "5b0e7d3a91c4"  # deadlines with the calendar settings still on offices
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
NOW = "2018-07-30 00:00:00"

# As stored before the facts: a clock started, extended, stopped and restarted.
EXPLAINED = "\n".join(
    [
        "30 hari kerja sejak diterima 6 Agustus 2018; tidak dihitung: 17 Agustus (Hari Kemerdekaan), "
        "22 Agustus (Idul Adha), 11 September (Tahun Baru Islam) = 20 September 2018",
        "Perpanjangan 18 September 2018 (Permintaan Wali Kota): 10 hari kerja sejak tenggat "
        "20 September 2018 = 4 Oktober 2018",
        "Jam dihentikan 1 Oktober 2018 (Menunggu jawaban kantor); sisa 3 hari kerja.",
        "Jam dijalankan kembali (Jawaban dikirim): 3 hari kerja tersisa sejak 8 Oktober 2018 = "
        "11 Oktober 2018",
    ]
)
ACROSS_YEARS = (
    "10 hari kerja sejak diterbitkan 20 Desember 2018; tidak dihitung: "
    "24 Desember 2018 (Cuti Bersama Natal), 25 Desember 2018 (Natal), 1 Januari 2019 (Tahun Baru) = "
    "8 Januari 2019"
)
IDUL_FITRI = (
    "30 hari kerja sejak diterima 8 Juni 2018; tidak dihitung: 11\u201314 Juni (Cuti Bersama Idul Fitri), "
    "15 Juni (Idul Fitri) = 30 Juli 2018"
)
# A closure reason with brackets cannot be read back: kept as text.
UNREADABLE = (
    "30 hari kerja sejak diterima 6 Agustus 2018; tidak dihitung: 20 Agustus (Libur (daerah)) = "
    "21 September 2018"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    """A brand-new empty database on each backend (PostgreSQL only when TEST_DATABASE_URL is set)."""
    if request.param == "postgresql" and not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL names no PostgreSQL server")
    with brand_new_database(tmp_path, "deadlines", postgres=request.param == "postgresql") as url:
        yield url


def _office(conn, name: str) -> None:
    conn.execute(
        text(
            "INSERT INTO offices (name, short_name, province, city, address, phone, email, website, "
            "head_name, head_title, timezone, created_at) VALUES (:name, '', 'NTT', 'Kupang', '', '', '', "
            "'', '', '', 'Asia/Makassar', :now)"
        ),
        {"name": name, "now": NOW},
    )


def _case(conn) -> None:
    """Two offices, a user, an authority, four recommendations with clocks, one follow-up event."""
    _office(conn, "Perwakilan NTT")
    _office(conn, "Perwakilan Bali")
    conn.execute(
        text(
            "UPDATE offices SET weekend_days = '4,5', cuti_bersama_is_working = :yes, "
            "due_soon_working_days = 3 WHERE name = 'Perwakilan NTT'"
        ),
        {"yes": True},
    )
    conn.execute(
        text(
            "INSERT INTO users (office_id, email, name, role, password_hash, locale, active, created_at) "
            "VALUES (1, 'a@demo.test', 'A', 'admin', 'x', 'id', :yes, :now)"
        ),
        {"yes": True, "now": NOW},
    )
    conn.execute(
        text(
            "INSERT INTO authorities (name, short_name, level, head_title, place_line, address, email, "
            "phone, active, version, created_at, updated_at) VALUES ('Pemkot Kupang', '', 'regency_city', "
            "'Wali Kota Kupang', 'di Kupang', '', '', '', :yes, 1, :now, :now)"
        ),
        {"yes": True, "now": NOW},
    )
    for position, explanation in enumerate((EXPLAINED, ACROSS_YEARS, IDUL_FITRI, UNREADABLE), start=1):
        conn.execute(
            text(
                "INSERT INTO recommendations (office_id, authority_id, kind, text, status, outcome_note, "
                "position, created_by_id, created_at, updated_at) VALUES (1, 1, 'saran', 'Tambah loket.', "
                "'open', '', :position, 1, :now, :now)"
            ),
            {"position": position, "now": NOW},
        )
        conn.execute(
            text(
                "INSERT INTO deadlines (office_id, recommendation_id, count, unit, starts, received_on, "
                "start_on, due_on, explanation, warnings, created_at, updated_at) VALUES (1, :rec, 30, "
                "'working', 'on_receipt', '2018-08-06', '2018-08-06', '2018-10-11', :explanation, '[]', "
                ":now, :now)"
            ),
            {"rec": position, "explanation": explanation, "now": NOW},
        )
    conn.execute(
        text(
            "INSERT INTO deadline_rules (kind, count, unit, starts, legal_basis, note, created_at, "
            "updated_at) VALUES ('rekomendasi', 60, 'calendar', 'on_receipt', '', '', :now, :now)"
        ),
        {"now": NOW},
    )
    conn.execute(
        text(
            "INSERT INTO follow_up_events (office_id, recommendation_id, kind, occurred_on, note, result, "
            "reference, explanation, created_at) VALUES (1, 1, 'clock_started', '2018-08-06', '', '', '', "
            ":explanation, :now)"
        ),
        {"explanation": EXPLAINED.split("\n")[0], "now": NOW},
    )


def _facts(value):
    return json.loads(value) if isinstance(value, str) else value


def test_settings_and_explanations_move_both_ways_with_their_data(empty_database_url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision=BEFORE_SETTINGS)
        with db.engine.begin() as conn:
            _case(conn)

        upgrade()

        with db.engine.connect() as conn:
            settings = conn.execute(
                text(
                    "SELECT office_id, weekend_days, cuti_bersama_is_working, due_soon_working_days "
                    "FROM calendar_settings ORDER BY office_id"
                )
            ).all()
            assert [tuple(row) for row in settings] == [(1, "4,5", True, 3), (2, "5,6", False, 5)]
            rows = conn.execute(
                text("SELECT explanation, explanation_facts FROM deadlines ORDER BY recommendation_id")
            ).all()
            event = conn.execute(text("SELECT explanation, explanation_facts FROM follow_up_events")).one()
            # Rules move a calendar-day end off a closed day from now on; stored clocks were counted without.
            moves = conn.execute(text("SELECT next_working_day FROM deadline_rules")).scalars().all()
            applied = conn.execute(text("SELECT next_working_day FROM deadlines")).scalars().all()
            assert [bool(v) for v in moves] == [True] and [bool(v) for v in applied] == [False] * 4
            assert (
                compare_metadata(MigrationContext.configure(conn, opts=FULL_TEXT_OUTSIDE_MODELS), db.metadata)
                == []
            )
        assert "weekend_days" not in {c["name"] for c in inspect(db.engine).get_columns("offices")}
        # Read back into facts (and the text cleared), except the sentence that cannot be.
        assert [row[0] for row in rows] == ["", "", "", UNREADABLE]
        started, extended, stopped, restarted = _facts(rows[0][1])
        assert (started["step"], started["count"], started["unit"], started["starts"]) == (
            "start",
            30,
            "working",
            "on_receipt",
        )
        assert started["skipped"][0] == {"on": "2018-08-17", "name": "Hari Kemerdekaan"}
        assert (extended["on"], extended["note"], extended["due_on"]) == (
            "2018-09-18",
            "Permintaan Wali Kota",
            "2018-10-04",
        )
        assert (stopped["remaining"], restarted["from"], restarted["due_on"]) == (
            3,
            "2018-10-08",
            "2018-10-11",
        )
        assert [d["on"] for d in _facts(rows[1][1])[0]["skipped"]] == [
            "2018-12-24",
            "2018-12-25",
            "2019-01-01",
        ]
        assert [d["on"] for d in _facts(rows[2][1])[0]["skipped"]][:4] == [
            "2018-06-11",
            "2018-06-12",
            "2018-06-13",
            "2018-06-14",
        ]
        assert rows[3][1] is None
        assert event[0] == "" and _facts(event[1])[0]["due_on"] == "2018-09-20"

        downgrade(revision=BEFORE_SETTINGS)

        with db.engine.connect() as conn:
            offices = conn.execute(
                text(
                    "SELECT weekend_days, cuti_bersama_is_working, due_soon_working_days FROM offices "
                    "ORDER BY id"
                )
            ).all()
            assert [tuple(row) for row in offices] == [("4,5", True, 3), ("5,6", False, 5)]
            texts = conn.execute(
                text("SELECT explanation FROM deadlines ORDER BY recommendation_id")
            ).scalars()
            assert list(texts) == [EXPLAINED, ACROSS_YEARS, IDUL_FITRI, UNREADABLE]
            assert (
                conn.execute(text("SELECT explanation FROM follow_up_events")).scalar()
                == EXPLAINED.split("\n")[0]
            )
        tables = set(inspect(db.engine).get_table_names())
        assert "calendar_settings" not in tables
        assert "explanation_facts" not in {c["name"] for c in inspect(db.engine).get_columns("deadlines")}
        db.engine.dispose()


def test_upgrade_keeps_offices_and_downgrade_removes_everything_it_added(tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrate.sqlite'}"})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            _office(conn, "Perwakilan NTT")
            conn.execute(
                text(
                    "INSERT INTO users (office_id, email, name, role, password_hash, locale, active, "
                    "created_at) VALUES (1, 'a@demo.test', 'A', 'admin', 'x', 'id', 1, '2018-07-30 00:00:00')"
                )
            )

        upgrade()

        with db.engine.connect() as conn:
            settings = conn.execute(
                text(
                    "SELECT weekend_days, cuti_bersama_is_working, due_soon_working_days "
                    "FROM calendar_settings"
                )
            ).one()
            assert tuple(settings) == ("5,6", 0, 5)
            assert (
                compare_metadata(MigrationContext.configure(conn, opts=FULL_TEXT_OUTSIDE_MODELS), db.metadata)
                == []
            )
        downgrade(revision=BEFORE)

        inspector = inspect(db.engine)
        assert "deadlines" not in inspector.get_table_names()
        assert "calendar_settings" not in inspector.get_table_names()
        assert "weekend_days" not in {c["name"] for c in inspector.get_columns("offices")}
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 1
        db.engine.dispose()
