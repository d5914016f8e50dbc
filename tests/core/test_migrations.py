"""Migrations build an empty database, match the models exactly and downgrade cleanly, on both backends."""

import os

import pytest
from flask_migrate import check, downgrade, upgrade
from sqlalchemy import inspect

from ombudsman import create_app
from ombudsman.extensions import db
from tests.databases import brand_new_database

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new empty database on the same backend as the suite."""
    with brand_new_database(tmp_path, "migrations") as url:
        yield url


def test_upgrade_check_and_downgrade(empty_database_url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        check()  # raises when the models and the migrations differ
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()
