"""The `?q=` search of findings (issue 12): Indonesian words with and without affixes match the same way on
PostgreSQL (tsvector + GIN) and SQLite (FTS5), on the web list and in the API, within the user's office.

The suite runs on SQLite, or on PostgreSQL with TEST_DATABASE_URL: each test here runs on that backend.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, insert, select, text

from ombudsman import search
from ombudsman.accounts import services as accounts
from ombudsman.accounts.models import Office, Role
from ombudsman.clock import utcnow
from ombudsman.extensions import db
from ombudsman.inspections import queries
from ombudsman.inspections import services as inspections
from ombudsman.inspections.models import Finding
from ombudsman.inspections.queries import FindingFilters

# --- the stemming, without a database ---


def test_documents_and_queries_are_stemmed_alike():
    # Each affixed word is kept beside its stem (for the prefix of a word being typed).
    assert search.document("Pelayanan dilayani; LAYANAN!") == "layan pelayanan layan dilayani layan layanan"
    assert search.document("Antrean", "mengantre") == "antre antrean antre mengantre"
    assert search.document("Blangko KTP-el habis: 3 hari") == "blangko ktp el habis 3 hari"
    assert search.document("Pengaduan café_loket") == "adu pengaduan cafe loket"
    assert search.terms("pelayanan antrean") == search.Terms(("layan", "antre"), typed="antrean")
    assert search.terms("KTP el") == search.Terms(("ktp", "el"))  # "el" is too short for a prefix
    assert search.terms("antrean antrean") == search.Terms(("antre",), typed="antrean")
    # The same query for both databases: the stems AND-ed, the last one or the typed word's start.
    assert search.terms("blangko pelay").fts5() == '"blangko" AND ("pelay" OR "pelay"*)'
    assert search.terms("blangko pelay").tsquery() == "'blangko' & ('pelay' | 'pelay':*)"


@pytest.mark.parametrize("q", ['"', "*", "NEAR", "-", ":", "\" * - : ^ ( ) { } + & | ! '", "___", "   "])
def test_operators_never_reach_the_index_as_operators(q):
    found = search.terms(q)
    assert all(w.isalnum() for w in found.words) and (found.typed is None or found.typed.isalnum())
    if q.strip().upper() == "NEAR":
        assert found.fts5() == '("near" OR "near"*)' and found.tsquery() == "('near' | 'near':*)"
    else:
        assert found.words == () and found.typed is None


# --- on the database ---

TITLES = {
    "layanan": "Layanan loket lambat",
    "antre": "Pengunjung mengantre tanpa nomor",
    "blangko": "Blangko KTP habis sejak Maret",
    "punct": "Petugas meminta uang (pungutan liar)!",
}


def _add(demo, title: str, description: str = "", inspection=None) -> Finding:
    return inspections.create_finding(
        inspection or demo.inspection,
        demo.users["inspector"],
        {
            "title": title,
            "description": description,
            "responsible_authority_id": demo.pemkot.id,
            "routing_note": "Uji pencarian.",
        },
    )


@pytest.fixture
def findings(demo) -> dict[str, int]:
    ids = {key: _add(demo, title).id for key, title in TITLES.items()}
    db.session.commit()
    return ids


def _found(demo, q: str) -> set[int]:
    return {
        f.id
        for f in queries.findings_page(
            office_id=demo.office.id, filters=FindingFilters(q=q), per_page=100
        ).items
    }


@pytest.mark.parametrize(
    ("q", "key"),
    [
        ("pelayanan", "layanan"),
        ("layanan", "layanan"),
        ("dilayani", "layanan"),
        ("antrean", "antre"),
        ("mengantre", "antre"),
        ("antr", "antre"),  # the last word as a prefix while typing
        ("pengunj", "antre"),
        ("blangko ktp pelay", None),
        ("layanan lamb", "layanan"),
        ("blangko", "blangko"),
        ("BLANGKO ktp", "blangko"),
        ("ktp, blangko.", "blangko"),
        ("pungutan liar", "punct"),
        ("(pungutan)", "punct"),
        ("liar!", "punct"),
    ],
)
def test_words_with_and_without_affixes_find_the_same_finding(demo, findings, q, key):
    if key is None:
        assert not _found(demo, q) & set(findings.values())
        return
    assert findings[key] in _found(demo, q)
    assert _found(demo, q) <= set(findings.values()) | {f.id for f in demo.findings.values()}


def test_every_word_must_occur(demo, findings):
    assert _found(demo, "blangko loket") == set()
    assert _found(demo, "layanan loket") == {findings["layanan"]} | {
        f.id for f in demo.findings.values() if "loket" in f.search_text.split() and "layan" in f.search_text
    }


def test_the_description_is_searched_too(demo):
    finding = _add(demo, "Ruang tunggu sempit", "Pemohon berdesakan di depan loket pengaduan.")
    db.session.commit()
    assert finding.id in _found(demo, "mengadukan")
    assert finding.id in _found(demo, "permohonan")


def test_a_changed_title_is_searched_by_its_new_words(demo, findings):
    finding = db.session.get(Finding, findings["blangko"])
    inspections.update_finding(
        finding, demo.users["inspector"], {"title": "Formulir permohonan tidak tersedia"}
    )
    db.session.commit()
    assert findings["blangko"] in _found(demo, "memohon")
    assert findings["blangko"] not in _found(demo, "blangko")


@pytest.mark.parametrize("multi_values", [False, True])
def test_core_inserts_are_stemmed_and_indexed_too(demo, multi_values):
    now = utcnow()
    rows = [
        {
            "office_id": demo.office.id,
            "inspection_id": demo.inspection.id,
            "number": 900 + i,
            "title": f"Penyerahan dokumen terlambat {i}",
            "responsible_authority_id": demo.pemkot.id,
            "created_by_id": demo.users["inspector"].id,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(3)
    ]
    # executemany, or one INSERT with several VALUES groups (each row must get its own stems).
    if multi_values:
        db.session.execute(insert(Finding).values(rows))
    else:
        db.session.execute(insert(Finding), rows)
    ids = set(db.session.scalars(select(Finding.id).where(Finding.number >= 900)))
    assert len(ids) == 3 and _found(demo, "keterlambatan serah") == ids
    assert {search.terms(str(i)).words[0] for i in range(3)} == {
        f.search_text.split()[-1] for f in db.session.scalars(select(Finding).where(Finding.id.in_(ids)))
    }


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "*",
        "NEAR",
        "-",
        ":",
        '"blangko',
        "blangko*",
        "NEAR(blangko ktp)",
        "-blangko",
        "title:blangko",
        "blangko:*",
        "' & | !",
        "AND OR NOT",
        "^blangko",
        "%",
        "_",
    ],
)
def test_operator_characters_are_safe_on_the_web_and_in_the_api(demo, findings, login, app, q):
    page = login("supervisor@demo.test").get("/findings/", query_string={"q": q})
    assert page.status_code == 200
    from tests.api.conftest import ApiClient, issue

    listed = ApiClient(app.test_client(), issue(demo.users["supervisor"])).get(
        "/api/v1/findings", query_string={"q": q}
    )
    assert listed.status_code == 200, listed.get_json()
    ids = {f["id"] for f in listed.get_json()["items"]}
    if q in {'"blangko', "blangko*", "-blangko", "blangko:*", "^blangko"}:
        assert findings["blangko"] in ids  # the operator characters are dropped, the word stays
    elif q in {"%", "_"}:
        assert ids == set()  # no longer a LIKE wildcard matching everything


def test_the_web_list_and_the_api_search_the_same_way(demo, findings, login, app):
    from tests.api.conftest import ApiClient, issue

    page = login("supervisor@demo.test").get("/findings/?q=pelayanan").get_data(as_text=True)
    assert TITLES["layanan"] in page and TITLES["blangko"] not in page
    listed = ApiClient(app.test_client(), issue(demo.users["supervisor"])).get("/api/v1/findings?q=pelayanan")
    assert findings["layanan"] in {f["id"] for f in listed.get_json()["items"]}
    assert _found(demo, "pelayanan") == {f["id"] for f in listed.get_json()["items"]}


@pytest.fixture
def bali(demo) -> SimpleNamespace:
    office = Office(name="Ombudsman RI Perwakilan Bali", short_name="Bali", province="Bali")
    db.session.add(office)
    db.session.flush()
    inspector = accounts.create_user(
        email="inspector@bali.test",
        name="Bali inspector",
        role=Role.INSPECTOR,
        office=office,
        password="demo",
    )
    inspection = inspections.create_inspection(
        office,
        inspector,
        {"authority_id": demo.dinas.id, "title": "Sidak Bali", "visited_on": demo.inspection.visited_on},
    )
    finding = inspections.create_finding(
        inspection,
        inspector,
        {
            "title": "Blangko KTP habis di Denpasar",
            "responsible_authority_id": demo.pemkot.id,
            "routing_note": "Uji pencarian.",
        },
    )
    db.session.commit()
    return SimpleNamespace(office=office, inspector=inspector, finding=finding)


def test_results_stay_in_the_users_office(demo, findings, bali, login, app):
    from tests.api.conftest import ApiClient, issue

    assert bali.finding.id not in _found(demo, "blangko")
    page = login("supervisor@demo.test").get("/findings/?q=blangko+denpasar").get_data(as_text=True)
    assert "Denpasar" not in page
    listed = ApiClient(app.test_client(), issue(demo.users["supervisor"])).get("/api/v1/findings?q=blangko")
    ids = {f["id"] for f in listed.get_json()["items"]}
    assert findings["blangko"] in ids and bali.finding.id not in ids
    theirs = ApiClient(app.test_client(), issue(bali.inspector)).get("/api/v1/findings?q=blangko")
    assert {f["id"] for f in theirs.get_json()["items"]} == {bali.finding.id}


def test_queries_per_search_do_not_grow_with_the_matches(demo, login, count_queries):
    supervisor = login("supervisor@demo.test")
    _add(demo, "Antrean panjang 0")
    db.session.commit()
    supervisor.get("/findings/?q=antrean")  # warm: the first request loads what every later one reuses
    with count_queries() as one:
        assert supervisor.get("/findings/?q=antrean").status_code == 200
    for i in range(1, 30):
        _add(demo, f"Antrean panjang {i}")
    db.session.commit()
    with count_queries() as many:
        page = supervisor.get("/findings/?q=antrean").get_data(as_text=True)
    assert page.count("Antrean panjang") >= 20
    assert many.count == one.count


def test_the_index_is_the_databases_own(demo, findings):
    """The match runs in the index (FTS5 table or tsvector column), never a LIKE over the titles."""
    if db.engine.dialect.name == "postgresql":
        assert (
            db.session.scalar(
                text("SELECT count(*) FROM findings WHERE search_vector @@ to_tsquery('simple', 'blangko')")
            )
            == 1
        )
        assert (
            db.session.scalar(
                text("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_findings_search_vector'")
            )
            == 1
        )
    else:
        assert (
            db.session.scalar(text("SELECT count(*) FROM findings_fts WHERE findings_fts MATCH 'blangko'"))
            == 1
        )
    compiled = str(
        queries.findings_query(demo.office.id, FindingFilters(q="blangko")).compile(
            db.engine, compile_kwargs={"literal_binds": True}
        )
    )
    assert "LIKE" not in compiled.upper()
    assert ("@@" in compiled) if db.engine.dialect.name == "postgresql" else ("MATCH" in compiled)
    # Deleting a finding takes it out of the index.
    db.session.delete(db.session.get(Finding, findings["blangko"]))
    db.session.flush()
    assert _found(demo, "blangko") == set()
    assert db.session.scalar(select(func.count()).select_from(Finding)) > 0
