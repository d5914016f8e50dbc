"""The deadlines migration upgrades and downgrades a database that already holds an office and its users."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from ombudsman import create_app
from ombudsman.extensions import db

BEFORE = "7c2861222d28"  # the initial schema, without deadlines


def test_upgrade_keeps_offices_and_downgrade_removes_everything_it_added(tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrate.sqlite'}"})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO offices (name, short_name, province, city, address, phone, email, website, "
                    "head_name, head_title, timezone, created_at) VALUES ('Perwakilan NTT', 'NTT', 'NTT', "
                    "'Kupang', '', '', '', '', '', '', 'Asia/Makassar', '2018-07-30 00:00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO users (office_id, email, name, role, password_hash, locale, active, "
                    "created_at) VALUES (1, 'a@demo.test', 'A', 'admin', 'x', 'id', 1, '2018-07-30 00:00:00')"
                )
            )

        upgrade()

        with db.engine.connect() as conn:
            settings = conn.execute(
                text("SELECT weekend_days, cuti_bersama_is_working, due_soon_working_days FROM offices")
            ).one()
            assert tuple(settings) == ("5,6", 0, 5)
            assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
        downgrade(revision=BEFORE)

        inspector = inspect(db.engine)
        assert "deadlines" not in inspector.get_table_names()
        assert "weekend_days" not in {c["name"] for c in inspector.get_columns("offices")}
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 1
        db.engine.dispose()
