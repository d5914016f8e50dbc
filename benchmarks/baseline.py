"""The baseline page: a minimal Flask + SQLAlchemy + Jinja app, no code of the app under test.

It lists the newest `BENCH_BASELINE_ROWS` (50) findings of office `BENCH_OFFICE_ID` joined with their
inspection and responsible authority, from `BENCH_DATABASE_URL`. Newest by id: an order the primary key and
the office index give without sorting, so the baseline costs the same at every size (the generator writes
each office's inspections oldest first, so these are the rows the findings list shows first, newest visit
first). The runner serves it with gunicorn under the same configuration file as the app
(`gunicorn -c … benchmarks.baseline:app`) and measures every page of the app paired with it in the same run,
so a ratio says how far a page is from the cost of "a framework, a query and a template".

`/letters/<id>/pdf` is the bare download: one letter's stored PDF bytes by id in one query, no session, no
access check, no headers but the type. The runner compares it with the draft render as well as the app's own
download: the cost of a framework and one query for the same bytes, with nothing checked.
"""

from __future__ import annotations

import os

from flask import Flask, Response
from sqlalchemy import create_engine, text

QUERY = text(
    "SELECT f.number, f.title, f.status, f.severity, i.visited_on, a.name AS authority "
    "FROM findings f JOIN inspections i ON i.id = f.inspection_id "
    "JOIN authorities a ON a.id = f.responsible_authority_id "
    "WHERE f.office_id = :office "
    "ORDER BY f.id DESC LIMIT :rows"
)
PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Temuan</title></head>
<body><h1>Temuan</h1>
<table>
<thead><tr><th>No.</th><th>Temuan</th><th>Instansi</th><th>Status</th><th>Tingkat</th><th>Tanggal</th></tr></thead>
<tbody>
{% for row in rows %}<tr><td>{{ row.number }}</td><td>{{ row.title }}</td><td>{{ row.authority }}</td>
<td>{{ row.status }}</td><td>{{ row.severity }}</td><td>{{ row.visited_on }}</td></tr>
{% endfor %}</tbody></table></body></html>
"""

PDF_QUERY = text("SELECT pdf FROM letters WHERE id = :letter_id")

app = Flask(__name__)
# psycopg 3, as the app uses (SQLAlchemy's default for a bare postgresql:// is psycopg2).
engine = create_engine(os.environ["BENCH_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1))
template = app.jinja_env.from_string(PAGE)
OFFICE = int(os.environ.get("BENCH_OFFICE_ID", "1"))
ROWS = int(os.environ.get("BENCH_BASELINE_ROWS", "50"))


@app.get("/")
def findings():
    """The 50 rows, rendered."""
    with engine.connect() as conn:
        rows = conn.execute(QUERY, {"office": OFFICE, "rows": ROWS}).all()
    return template.render(rows=rows)


@app.get("/letters/<int:letter_id>/pdf")
def letter_pdf(letter_id: int):
    """The stored bytes of one letter (404 when it has none)."""
    with engine.connect() as conn:
        data = conn.execute(PDF_QUERY, {"letter_id": letter_id}).scalar()
    if data is None:
        return Response(status=404)
    return Response(data, mimetype="application/pdf")
