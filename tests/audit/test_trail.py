"""The audit trail as people read it: labels, names, translated verbs, office-local times, few queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from ombudsman.audit import services as audit
from ombudsman.audit.models import AuditEvent
from ombudsman.extensions import db
from ombudsman.inspections import services as inspections
from ombudsman.letters.models import Letter

# Monday 30 July 2018, 01:05 UTC: 09.05 in Kupang (WITA, UTC+8).
AT = datetime(2018, 7, 30, 1, 5, tzinfo=UTC)
RAW_NAME = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")  # responsible_authority_id, visited_on, in_review ...


def _trail(page: str) -> str:
    return page[page.index('id="audit"') : page.index("</section>", page.index('id="audit"'))]


def _text(trail: str) -> str:
    """What a person reads: the trail without its tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", trail).split())


def _pin_times(*entity: tuple[str, int]) -> None:
    """Every event of the given records happened at AT (the real clock says today)."""
    for entity_type, entity_id in entity:
        db.session.execute(
            update(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
            .values(at=AT)
        )
    db.session.commit()


def _assert_no_raw_codes(trail: str, *events: AuditEvent) -> None:
    assert not RAW_NAME.findall(trail), RAW_NAME.findall(trail)
    assert "_id" not in trail
    for event in events:
        for key in event.changes:
            assert f'muted">{key}:' not in trail, key
        assert not re.search(rf"· {event.action}\s*<", trail), event.action  # the bare code, as before


@pytest.fixture
def overridden(demo):
    """Finding 2 (no queue numbers) moved by the supervisor from the city to the Ditjen, with a note."""
    finding = demo.findings[2]
    inspections.update_finding(
        finding,
        demo.users["supervisor"],
        {"responsible_authority_id": demo.ditjen.id, "routing_note": "Mesin antrean milik pusat"},
    )
    db.session.commit()
    _pin_times(("finding", finding.id))
    return finding


def test_demo_inspection_trail_in_indonesian(demo, login):
    _pin_times(("inspection", demo.inspection.id))
    page = login("viewer@demo.test").get(f"/inspections/{demo.inspection.id}").get_data(as_text=True)
    trail = _trail(page)
    text = _text(trail)
    assert "30 Juli 2018 09.05 WITA · dibuat oleh Maria Inspektur" in text  # 01.05 UTC, in Kupang's zone
    assert "01.05" not in text
    assert "Judul: Sidak pelayanan KTP-el di Dispendukcapil Kota Kupang" in text
    assert "Unit yang diinspeksi: Dinas Kependudukan dan Pencatatan Sipil Kota Kupang" in text
    assert "Jenis: Inspeksi mendadak (sidak)" in text
    assert "Tanggal kunjungan: 30 Juli 2018 Jam mulai: 30 Juli 2018 09.00 WITA" in text  # 01.00 UTC
    assert "Tim: Maria Inspektur, Yohanes Supervisor, Darius Beda Daton" in text  # the team, by name
    _assert_no_raw_codes(trail, *audit.trail("inspection", demo.inspection.id))


def test_overridden_finding_trail_in_indonesian(demo, login, overridden):
    page = login("inspector@demo.test").get(f"/findings/{overridden.id}").get_data(as_text=True)
    trail = _trail(page)
    text = _text(trail)
    assert text.index("30 Juli 2018 09.05 WITA · diubah oleh Yohanes Supervisor") < text.index(
        "30 Juli 2018 09.05 WITA · dibuat oleh Maria Inspektur"
    )  # newest first
    assert (
        "Instansi yang bertanggung jawab: Pemerintah Kota Kupang → "
        "Direktorat Jenderal Kependudukan dan Pencatatan Sipil"
    ) in text
    assert "Catatan bila memilih instansi lain dari saran: — → Mesin antrean milik pusat" in text
    assert "Bentuk maladministrasi: Tidak patut" in text and "Tingkat keparahan: Sedang" in text
    assert "Tema: Antrean dan nomor antrean" in text  # the routing rule, by its theme
    _assert_no_raw_codes(trail, *audit.trail("finding", overridden.id))


def test_trails_in_english(demo, login, overridden, english_mo):
    """Needs the English catalog to have the trail's words (the catalog pass of babel.cfg adds them)."""
    _pin_times(("inspection", demo.inspection.id))
    b = login("inspector@demo.test")
    assert b.get("/lang/en").status_code == 303

    trail = _trail(b.get(f"/inspections/{demo.inspection.id}").get_data(as_text=True))
    text = _text(trail)
    assert "30 July 2018 09:05 WITA · created by Maria Inspektur" in text
    assert "Inspected unit: Dinas Kependudukan dan Pencatatan Sipil Kota Kupang" in text
    assert "Type: Unannounced inspection (sidak)" in text
    assert "Visit date: 30 July 2018" in text and "Team: Maria Inspektur, Yohanes Supervisor" in text
    assert "Juli 2018 09" not in text and "dibuat oleh" not in text
    _assert_no_raw_codes(trail, *audit.trail("inspection", demo.inspection.id))

    trail = _trail(b.get(f"/findings/{overridden.id}").get_data(as_text=True))
    text = _text(trail)
    assert "30 July 2018 09:05 WITA · changed by Yohanes Supervisor" in text
    assert "Responsible authority: Pemerintah Kota Kupang → Direktorat Jenderal Kependudukan" in text
    assert "Severity: Medium" in text and "Form of maladministration: Improper" in text
    assert "diubah" not in text and "Tingkat keparahan" not in text
    _assert_no_raw_codes(trail, *audit.trail("finding", overridden.id))


def test_shared_records_show_in_the_users_office_zone(demo, login):
    """The register has no office: its events are shown in the zone of whoever reads them."""
    _pin_times(("authority", demo.dinas.id))
    trail = _trail(login("viewer@demo.test").get(f"/authorities/{demo.dinas.id}").get_data(as_text=True))
    text = _text(trail)
    assert "30 Juli 2018 09.05 WITA · dibuat oleh sistem" in text  # seeded, so no person did it
    assert "Induk: Pemerintah Kota Kupang" in text and "Tingkat: Kabupaten/Kota" in text
    assert "Aktif: Ya" in text
    assert "Jabatan pimpinan: Kepala Dinas" in text  # the form's label, without its hint in brackets
    _assert_no_raw_codes(trail, *audit.trail("authority", demo.dinas.id))


def _changes(demo, n: int) -> None:
    """n more audited changes of finding 1, each naming other users, authorities and records."""
    finding = demo.findings[1]
    users = list(demo.users.values())
    authorities = [demo.pemkot, demo.dinas, demo.ditjen, demo.kemendagri, demo.pemprov]
    for i in range(n):
        audit.record(
            "finding",
            finding.id,
            "updated",
            user_id=users[i % len(users)].id,
            office_id=finding.office_id,
            changes={
                "responsible_authority_id": [authorities[i % 5].id, authorities[(i + 1) % 5].id],
                "routing_rule_id": [finding.routing_rule_id, demo.findings[1 + i % 10].routing_rule_id],
                "severity": ["medium", "high"],
            },
        )
        audit.record(
            "evidence",
            1000 + i,
            "uploaded",
            user_id=users[(i + 1) % len(users)].id,
            office_id=finding.office_id,
            changes={"filename": f"foto{i}.jpg", "finding_id": demo.findings[1 + i % 10].id},
        )
    db.session.commit()


def test_a_trail_costs_the_same_queries_however_long(demo, login, count_queries):
    b = login("inspector@demo.test")
    url = f"/findings/{demo.findings[1].id}"
    b.get(url)  # warm up: first-request work is not the trail's

    def page_queries() -> int:
        with count_queries() as counter:
            assert b.get(url).status_code == 200
        return counter.count

    _changes(demo, 2)
    short = page_queries()
    _changes(demo, 40)
    assert page_queries() == short


def test_a_trail_names_each_kind_of_record_in_one_query(app, demo, count_queries):
    from ombudsman.audit.present import entries

    _changes(demo, 30)
    events = audit.trail("finding", demo.findings[1].id, related={"evidence": [1000 + i for i in range(30)]})
    with app.test_request_context(), count_queries() as counter:
        shown = entries(events)
    # authorities, routing rules, findings and the office's zone: one query each (users came with trail())
    assert counter.count == 4, counter.statements
    assert len(shown) == len(events) == 61
    summaries = {e.summary for e in shown}
    assert {"diubah oleh Pembaca Demo", "bukti diunggah oleh Maria Inspektur"} <= summaries


def test_letter_trail_names_statuses_people_and_lines(demo, login):
    letter = db.session.scalar(select(Letter).where(Letter.authority_id == demo.pemkot.id))
    assert login("inspector@demo.test").post(f"/letters/{letter.id}/submit").status_code == 303
    supervisor = login("supervisor@demo.test")
    response = supervisor.post(f"/letters/{letter.id}/return", {"note": "Perbaiki hal surat"})
    assert response.status_code == 303
    _pin_times(("letter", letter.id))
    trail = _trail(supervisor.get(f"/letters/{letter.id}").get_data(as_text=True))
    text = _text(trail)
    assert (
        "30 Juli 2018 09.05 WITA · dikembalikan ke draf oleh Yohanes Supervisor "
        "Status: Diperiksa → Draf Catatan: Perbaiki hal surat"
    ) in text
    assert "diajukan oleh Maria Inspektur Status: Draf → Diperiksa" in text
    assert "dibuat oleh Maria Inspektur Jenis surat: Saran perbaikan Instansi tujuan: Pemerintah Kota" in text
    assert "Rekomendasi yang dimuat: 1, 2, 3" in text  # by their numbers
    assert "Tembusan: Ketua Ombudsman Republik Indonesia di Jakarta; Dinas Kependudukan" in text
    assert "Lampirkan daftar temuan dengan foto: Tidak" in text
    _assert_no_raw_codes(trail, *audit.trail("letter", letter.id))
