"""The full-text search migration fills the stemmed text of existing findings and letters and builds the
index from it (PostgreSQL tsvector + GIN, SQLite FTS5), and its downgrade removes all of it."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from ombudsman import create_app, search
from ombudsman.authorities.models import Authority
from ombudsman.extensions import db
from ombudsman.inspections import queries
from ombudsman.inspections.models import Finding
from ombudsman.inspections.queries import FindingFilters
from ombudsman.letters.models import Letter
from ombudsman.letters.register import LetterFilters, register_query
from ombudsman.seed import seed_demo
from tests.core.test_migrations import empty_database_url  # noqa: F401  (the fixture)

REVISION = "5e2f8c1a9d47"


def test_existing_rows_are_stemmed_and_searchable_after_the_upgrade(empty_database_url):  # noqa: F811
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        office = seed_demo()
        db.session.commit()
        office_id = office.id
        # End the session's transaction first: reading `office.id` began one (it holds a share lock on
        # offices), and on PostgreSQL dropping a table that refers to offices would wait for it forever.
        db.session.remove()
        downgrade(revision=f"{REVISION}-1")  # the rows as they were before the search text
        columns = {c["name"] for c in inspect(db.engine).get_columns("findings")}
        assert "search_text" not in columns and "search_vector" not in columns
        assert not [t for t in inspect(db.engine).get_table_names() if t.startswith("findings_fts")]

        upgrade()
        findings = db.session.execute(select(Finding.title, Finding.description, Finding.search_text)).all()
        assert findings
        assert all(stems == search.document(title, description) for title, description, stems in findings)
        authorities = db.session.execute(
            select(Authority.name, Authority.short_name, Authority.head_title, Authority.search_text)
        ).all()
        assert authorities
        assert all(row[3] == search.document(*row[:3]) for row in authorities)
        letters = db.session.execute(select(Letter.hal, Letter.search_text)).all()
        assert all(stems == search.document(hal) for hal, stems in letters)

        # "pelayanan" (demo finding 1: "Jumlah loket pelayanan ...") found through the new index.
        found = queries.findings_page(office_id=office_id, filters=FindingFilters(q="layanan loket"))
        expected = [
            n
            for n, stems in db.session.execute(select(Finding.number, Finding.search_text))
            if {"layan", "loket"} <= set(stems.split())
        ]
        assert 1 in expected and sorted(f.number for f in found.items) == sorted(expected)
        if letters:
            word = search.words(letters[0].hal)[-1]
            assert db.session.scalars(register_query(office_id, LetterFilters(q=word))).first() is not None

        db.session.remove()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
