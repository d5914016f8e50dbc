"""The authority register: admin edits, history, search, and refusing deletes that would orphan records."""

import re

from sqlalchemy import func, select

from ombudsman.authorities import services
from ombudsman.authorities.models import Authority, AuthorityVersion
from ombudsman.extensions import db
from tests.conftest import bali_user
from tests.letters.letter_testing import flashes

FORM = {
    "name": "Dinas Dukcapil Kabupaten Kupang",
    "short_name": "Disdukcapil Kab. Kupang",
    "level": "regency_city",
    "head_title": "Kepala Dinas",
    "place_line": "di Oelamasi",
    "address": "Oelamasi",
    "email": "dukcapil@kupangkab.go.id",
    "phone": "",
    "parent_id": "",
    "active": "y",
}


def test_admin_creates_and_edits_an_authority_keeping_history(demo, login):
    b = login("admin@demo.test")
    response = b.post("/authorities/new", data=FORM)
    assert response.status_code == 303
    authority = db.session.scalar(select(Authority).where(Authority.name == FORM["name"]))
    assert authority.version == 1
    b.post(f"/authorities/{authority.id}/edit", data={**FORM, "head_title": "Kepala Dinas Dukcapil"})
    db.session.refresh(authority)
    assert authority.version == 2 and authority.head_title == "Kepala Dinas Dukcapil"
    versions = db.session.scalars(
        select(AuthorityVersion)
        .where(AuthorityVersion.authority_id == authority.id)
        .order_by(AuthorityVersion.version)
    ).all()
    assert [v.head_title for v in versions] == ["Kepala Dinas", "Kepala Dinas Dukcapil"]
    page = b.get(f"/authorities/{authority.id}").get_data(as_text=True)
    assert "Kepala Dinas Dukcapil" in page and "Riwayat data instansi" in page


def test_saving_without_changes_adds_no_version(demo, login):
    b = login("admin@demo.test")
    a = demo.pemkot
    form = {
        "name": a.name,
        "short_name": a.short_name,
        "level": a.level.value,
        "head_title": a.head_title,
        "place_line": a.place_line,
        "address": a.address,
        "email": a.email,
        "phone": a.phone,
        "parent_id": "",
        "active": "y",
    }
    assert b.post(f"/authorities/{a.id}/edit", data=form).status_code == 303
    db.session.refresh(a)
    assert a.version == 1


def test_bad_input_redisplays_with_messages_and_keeps_input(demo, login):
    b = login("admin@demo.test")
    before = db.session.scalar(select(func.count()).select_from(Authority))
    response = b.post("/authorities/new", data={**FORM, "name": "", "email": "not-an-email"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Alamat e-mail tidak sah." in page
    assert 'value="Disdukcapil Kab. Kupang"' in page
    assert db.session.scalar(select(func.count()).select_from(Authority)) == before


def test_parent_cycle_is_refused(demo, login):
    b = login("admin@demo.test")
    a = demo.pemkot
    form = {
        "name": a.name,
        "short_name": a.short_name,
        "level": a.level.value,
        "head_title": a.head_title,
        "place_line": a.place_line,
        "address": a.address,
        "email": "",
        "phone": "",
        "parent_id": str(demo.dinas.id),
        "active": "y",
    }
    response = b.post(f"/authorities/{a.id}/edit", data=form)
    assert response.status_code == 422
    assert "bawahannya" in response.get_data(as_text=True)


#: The refusal to delete the Ditjen Dukcapil: a routing rule, the demo's findings, recommendations and letter.
IN_USE = (
    "Instansi ini masih dipakai oleh aturan penentuan instansi, temuan, rekomendasi, dan surat; "
    "nonaktifkan saja, jangan dihapus."
)


def test_delete_is_refused_while_findings_point_at_it(demo, login):
    b = login("admin@demo.test")
    response = b.post(f"/authorities/{demo.ditjen.id}/delete", follow_redirects=True)
    assert IN_USE in response.get_data(as_text=True)
    assert db.session.get(Authority, demo.ditjen.id) is not None


def test_the_refusal_to_delete_names_what_uses_it_in_words_not_tables_or_counts(demo, login):
    """The register is national: the admin of another office, who may delete too, learns nothing of how many
    records the demo office keeps about the authority."""
    bali_user("admin", "Admin Bali")
    for email in ("admin@demo.test", "admin@bali.test"):
        b = login(email)
        response = b.post(f"/authorities/{demo.ditjen.id}/delete")
        assert response.status_code == 303 and response.location.endswith(f"/authorities/{demo.ditjen.id}")
        (refusal,) = [text for _category, text in flashes(b.get(response.location).get_data(as_text=True))]
        assert refusal == IN_USE, (email, refusal)
        assert not re.search(r"\d|_|findings|letters|tallies|routing", refusal), (email, refusal)
    assert db.session.get(Authority, demo.ditjen.id) is not None


def test_every_table_that_can_point_at_an_authority_has_words_in_the_refusal(app):
    pointing = {
        table.name
        for table in db.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == Authority.__tablename__ and table.name != AuthorityVersion.__tablename__
    }
    assert pointing == set(services.USE_OF_TABLE)
    assert set(services.USE_OF_TABLE.values()) <= set(services.USES)


def test_unreferenced_authority_can_be_deleted(demo, login):
    b = login("admin@demo.test")
    b.post("/authorities/new", data=FORM)
    authority_id = db.session.scalar(select(Authority.id).where(Authority.name == FORM["name"]))
    assert b.post(f"/authorities/{authority_id}/delete").status_code == 303
    assert db.session.scalar(select(Authority.id).where(Authority.id == authority_id)) is None


def test_search_and_level_filter(demo, login):
    b = login("viewer@demo.test")
    page = b.get("/authorities/?q=kupang").get_data(as_text=True)
    assert "Pemerintah Kota Kupang" in page and "Kementerian Dalam Negeri" not in page
    page = b.get("/authorities/?level=central").get_data(as_text=True)
    assert "Kementerian Dalam Negeri" in page and "Pemerintah Kota Kupang" not in page


def test_authority_page_splits_findings_by_level(demo, login):
    b = login("viewer@demo.test")
    page = b.get(f"/authorities/{demo.dinas.id}").get_data(as_text=True)
    by_level = page[page.index('id="by-level"') :]
    local, central = by_level.split("Pemerintah pusat", 1)
    assert "Pemerintah daerah (8)" in local  # findings 1-7 and the shared 10
    assert "Stok blanko KTP-el habis" in central and "Stok blanko KTP-el habis" not in local
    assert "Tidak ada sistem nomor antrean" in local and "Tidak ada sistem nomor antrean" not in central
    ditjen = b.get(f"/authorities/{demo.ditjen.id}").get_data(as_text=True)
    responsible = ditjen[ditjen.index('id="responsible"') : ditjen.index('id="history"')]
    assert "Server dan perangkat perekaman rusak" in responsible
    assert "Perlu penyegaran pimpinan" in responsible  # shared: Ditjen is the second authority
    assert "Tidak ada sistem nomor antrean" not in responsible


def test_rules_page_names_responsibilities_in_the_reader_language(demo, login):
    b = login("viewer@demo.test")
    page = b.get("/authorities/rules/").get_data(as_text=True)
    assert "Bersama" in page and "Daerah" in page
    assert ">shared<" not in page and ">local<" not in page and ">central<" not in page
    b.get("/lang/en")
    english = b.get("/authorities/rules/").get_data(as_text=True)
    assert ">shared<" not in english and ">local<" not in english
