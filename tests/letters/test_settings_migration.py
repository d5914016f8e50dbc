"""The letter settings migration moves every office's settings off `offices` and back, keeping the values."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from ombudsman import create_app, search
from ombudsman.extensions import db
from tests.databases import brand_new_database

BEFORE = "5b0e7d3a91c4"  # letters with their settings on offices
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
OLD_COLUMNS = (
    "letter_number_template",
    "letter_classification",
    "letter_unit_code",
    "letter_header",
    "letter_signatory_title",
    "letter_paper",
    "letter_font",
    "letter_font_size",
    "letter_margin_top",
    "letter_margin_right",
    "letter_margin_bottom",
    "letter_margin_left",
)
NEW_COLUMNS = tuple(name.removeprefix("letter_") for name in OLD_COLUMNS)
KUPANG = (
    "{seq:4}/{classification}/{year}",
    "ORI",
    "PW-NTT",
    "OMBUDSMAN RI\nNTT",
    "Kepala",
    "F4",
    "noto-serif",
)
KUPANG_LAYOUT = (11.5, 20.0, 21.0, 22.0, 23.0)
DEFAULTS = ("{seq}/{classification}/{unit}/{month_roman}/{year}", "", "", "", "", "A4", "arimo")
DEFAULT_LAYOUT = (12.0, 25.0, 25.0, 30.0, 30.0)


@pytest.fixture
def database(tmp_path):
    """A brand-new empty database on the suite's backend (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""
    with brand_new_database(tmp_path, "letter_settings") as url:
        yield url


def _office(conn, name: str, settings: dict | None = None) -> None:
    columns = {
        "name": name,
        "short_name": "",
        "province": "NTT",
        "city": "Kupang",
        "address": "",
        "phone": "",
        "email": "",
        "website": "",
        "head_name": "",
        "head_title": "",
        "timezone": "Asia/Makassar",
        "created_at": "2018-07-30 00:00:00",
        **(settings or {}),
    }
    names = ", ".join(columns)
    values = ", ".join(f":{key}" for key in columns)
    conn.execute(text(f"INSERT INTO offices ({names}) VALUES ({values})"), columns)


def _rows(conn, sql: str) -> dict[str, tuple]:
    return {row[0]: tuple(row[1:]) for row in conn.execute(text(sql))}


def test_settings_move_to_their_own_table_and_back_with_every_office_value(database):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            _office(conn, "Perwakilan NTT", dict(zip(OLD_COLUMNS, KUPANG + KUPANG_LAYOUT, strict=True)))
            _office(conn, "Perwakilan Bali")  # never touched its settings: the old server defaults

        upgrade()

        assert not set(OLD_COLUMNS) & {c["name"] for c in inspect(db.engine).get_columns("offices")}
        with db.engine.connect() as conn:
            moved = _rows(
                conn,
                f"SELECT o.name, {', '.join('s.' + c for c in NEW_COLUMNS)} "
                "FROM letter_settings s JOIN offices o ON o.id = s.office_id",
            )
            assert moved == {
                "Perwakilan NTT": KUPANG + KUPANG_LAYOUT,
                "Perwakilan Bali": DEFAULTS + DEFAULT_LAYOUT,
            }
            # The full-text indexes' own objects are not in the models (as in migrations/env.py).
            context = MigrationContext.configure(conn, opts={"include_name": search.outside_models})
            assert compare_metadata(context, db.metadata) == []
        with db.engine.begin() as conn:  # a change made after the move goes back down too
            conn.execute(text("UPDATE letter_settings SET paper = 'A5' WHERE classification = 'ORI'"))
            _office(conn, "Perwakilan Papua")  # made after the move: no settings row yet

        downgrade(revision=BEFORE)

        assert "letter_settings" not in inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            restored = _rows(conn, f"SELECT name, {', '.join(OLD_COLUMNS)} FROM offices")
        kupang = KUPANG[:5] + ("A5",) + KUPANG[6:]
        assert restored == {
            "Perwakilan NTT": kupang + KUPANG_LAYOUT,
            "Perwakilan Bali": DEFAULTS + DEFAULT_LAYOUT,
            "Perwakilan Papua": DEFAULTS + DEFAULT_LAYOUT,
        }
        db.engine.dispose()
