"""Inspections and findings through the web forms: creation, validation, checklist, audit trail."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from ombudsman.audit.models import AuditEvent
from ombudsman.audit.services import trail
from ombudsman.extensions import db
from ombudsman.inspections.models import ChecklistAnswer, Finding, Inspection


def _inspection_form(demo, **overrides):
    form = {
        "title": "Sidak Dukcapil Kabupaten",
        "kind": "sidak",
        "authority_id": str(demo.dinas.id),
        "visited_on": "2024-03-12",
        "started_at": "09:15",
        "ended_at": "11:00",
        "place": "Kantor Dinas",
        "team": [str(demo.users["supervisor"].id)],
        "trigger": "Pengaduan",
        "summary": "Ringkas",
        "visitors_per_day": "120",
        "counters_open": "3",
        "staff_on_duty": "5",
        "seats": "40",
        "queue_system": "Manual",
    }
    form.update(overrides)
    return form


def test_inspector_opens_an_inspection_with_times_in_the_office_zone(demo, login):
    b = login("inspector@demo.test")
    response = b.post("/inspections/new", data=_inspection_form(demo))
    assert response.status_code == 303
    inspection = db.session.scalar(select(Inspection).where(Inspection.title == "Sidak Dukcapil Kabupaten"))
    # 09:15 WITA (UTC+8) is 01:15 UTC.
    assert inspection.started_at == datetime(2024, 3, 12, 1, 15, tzinfo=UTC)
    assert {u.email for u in inspection.team} == {"inspector@demo.test", "supervisor@demo.test"}
    assert inspection.status.value == "draft" and inspection.checklist is not None
    page = b.get(response.headers["Location"]).get_data(as_text=True)
    assert "09.15 WITA" in page and "12 Maret 2024" in page
    assert trail("inspection", inspection.id)[0].action == "created"


def test_invalid_inspection_form_keeps_input_and_writes_nothing(demo, login):
    b = login("inspector@demo.test")
    before = db.session.scalar(select(func.count()).select_from(Inspection))
    response = b.post(
        "/inspections/new",
        data=_inspection_form(demo, visited_on="31-02-2024", visitors_per_day="-4", ended_at="08:00"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Sidak Dukcapil Kabupaten"' in page and 'value="Kantor Dinas"' in page
    assert "Bukan tanggal yang sah." in page
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == before


def test_end_before_start_is_refused_next_to_the_field(demo, login):
    b = login("inspector@demo.test")
    response = b.post("/inspections/new", data=_inspection_form(demo, ended_at="08:00"))
    assert response.status_code == 422
    assert "Jam selesai tidak boleh sebelum jam mulai." in response.get_data(as_text=True)


def test_finding_form_without_title_keeps_input(demo, login):
    b = login("inspector@demo.test")
    response = b.post(
        f"/inspections/{demo.inspection.id}/findings/new",
        data={
            "title": "",
            "description": "Uraian yang panjang",
            "severity": "high",
            "maladministration": ["diskriminasi"],
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Uraian yang panjang" in page
    checked = '<input checked id="maladministration-8" name="maladministration" type="checkbox"'
    assert checked + ' value="diskriminasi">' in page


def test_editing_a_finding_is_audited_and_shown(demo, login):
    b = login("inspector@demo.test")
    finding = demo.findings[2]
    form = {
        "title": "Tidak ada sistem nomor antrean sama sekali",
        "description": finding.description,
        "routing_rule_id": str(finding.routing_rule_id),
        "checklist_item_id": "",
        "severity": "high",
        "legal_basis": finding.legal_basis,
        "responsible_authority_id": str(demo.pemkot.id),
        "second_authority_id": "",
        "routing_note": "",
        "status": "open",
        "maladministration": ["tidak_patut", "penundaan_berlarut"],
    }
    assert b.post(f"/findings/{finding.id}/edit", data=form).status_code == 303
    event = trail("finding", finding.id)[0]
    assert event.action == "updated" and event.user.email == "inspector@demo.test"
    assert event.changes["title"] == [
        "Tidak ada sistem nomor antrean",
        "Tidak ada sistem nomor antrean sama sekali",
    ]
    assert event.changes["severity"] == ["medium", "high"]
    assert event.changes["maladministration"] == [["tidak_patut"], ["penundaan_berlarut", "tidak_patut"]]
    page = b.get(f"/findings/{finding.id}").get_data(as_text=True)
    trail_html = page[page.index('id="audit"') :]
    assert "Riwayat perubahan" in page and "diubah oleh Maria Inspektur" in trail_html
    assert "Tingkat keparahan" in trail_html and '"audit-old">Sedang</span> → <span>Tinggi' in trail_html
    assert "severity" not in trail_html


def test_checklist_answers_are_saved_and_audited(demo, login):
    b = login("inspector@demo.test")
    page = b.get(f"/inspections/{demo.inspection.id}").get_data(as_text=True)
    assert "Nomor antrean tersedia" in page
    rows = {item.code: item for item in demo.inspection.checklist.items}
    data = {
        f"answer-{rows['antrean_nomor'].id}": "absent",
        f"note-{rows['antrean_nomor'].id}": "Tidak ada mesin",
        f"answer-{rows['pusat_blanko'].id}": "absent",
    }
    assert b.post(f"/inspections/{demo.inspection.id}/checklist", data=data).status_code == 303
    answers = {a.item.code: a for a in db.session.scalars(select(ChecklistAnswer))}
    assert (
        answers["antrean_nomor"].answer.value == "absent"
        and answers["antrean_nomor"].note == "Tidak ada mesin"
    )
    assert trail("inspection", demo.inspection.id)[0].action == "checklist"
    saved = {code: (a.answer.value, a.note) for code, a in answers.items()}
    bad = b.post(
        f"/inspections/{demo.inspection.id}/checklist", data={f"answer-{rows['sp_persyaratan'].id}": "maybe"}
    )
    assert bad.status_code == 422  # shown again with the message on that row (test_page_refusals)
    db.session.expire_all()
    now = {a.item.code: (a.answer.value, a.note) for a in db.session.scalars(select(ChecklistAnswer))}
    assert now == saved  # nothing of the refused answers saved


def test_every_change_leaves_an_audit_event_with_its_author(demo, login):
    b = login("supervisor@demo.test")
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    b.post(f"/inspections/{demo.inspection.id}/submit")
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).all()
    assert len(events) == before + 1
    assert events[0].action == "submitted" and events[0].user.email == "supervisor@demo.test"
    assert events[0].office_id == demo.office.id


def test_findings_list_filters(demo, login):
    b = login("viewer@demo.test")
    central = b.get("/findings/?level=central").get_data(as_text=True)
    assert "Stok blanko KTP-el habis" in central and "Tidak ada sistem nomor antrean" not in central
    by_form = b.get("/findings/?form=penyimpangan_prosedur").get_data(as_text=True)
    assert "dititipkan kepada anggota DPRD" in by_form and "Stok blanko" not in by_form
    by_authority = b.get(f"/findings/?authority_id={demo.ditjen.id}").get_data(as_text=True)
    assert "Perlu penyegaran pimpinan" in by_authority  # shared responsibility counts
    assert "Tidak ada data" not in b.get("/findings/?date_from=2018-07-30&date_to=2018-07-30").get_data(
        as_text=True
    )
    empty = b.get("/findings/?date_from=2019-01-01").get_data(as_text=True)
    assert "Tidak ada temuan." in empty
    assert b.get("/findings/?status=bogus&level=nope&date_from=garbage").status_code == 200


def test_findings_list_query_count_does_not_grow_with_rows(demo, login, count_queries):
    from ombudsman.inspections import services

    b = login("viewer@demo.test")
    with count_queries() as small:
        assert b.get("/findings/?per_page=100").status_code == 200
    for i in range(25):
        services.create_finding(
            demo.inspection,
            demo.users["inspector"],
            {
                "title": f"Temuan tambahan {i}",
                "routing_rule_id": demo.findings[9].routing_rule_id,
                "maladministration": ["penundaan_berlarut", "tidak_patut"],
            },
        )
    db.session.commit()
    with count_queries() as large:
        assert b.get("/findings/?per_page=100").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 35
    assert large.count == small.count, large.statements
    for url in ("/", f"/inspections/{demo.inspection.id}", f"/authorities/{demo.pemkot.id}"):
        with count_queries() as q:
            b.get(url)
        assert q.count <= 20, (url, q.count)


def test_lists_paginate_with_filters_kept(demo, login):
    from ombudsman.inspections import services

    for i in range(20):
        services.create_finding(
            demo.inspection,
            demo.users["inspector"],
            {"title": f"Loket tambahan {i:02d}", "routing_rule_id": demo.findings[1].routing_rule_id},
        )
    db.session.commit()
    b = login("viewer@demo.test")
    first = b.get("/findings/?level=regency_city&per_page=25").get_data(as_text=True)
    assert "Halaman 1 dari 2" in first and "28 data" in first
    assert "level=regency_city" in first[first.index('class="pager"') :]
    second = b.get("/findings/?level=regency_city&per_page=25&page=2")
    assert second.status_code == 200
    assert "Halaman 2 dari 2" in second.get_data(as_text=True)
    authority = b.get(f"/authorities/{demo.pemkot.id}?per_page=10&page=3")
    assert authority.status_code == 200 and "Halaman 3 dari 3" in authority.get_data(as_text=True)


def test_db_analyze_command(app, runner):
    result = runner.invoke(args=["db-analyze"])
    assert result.exit_code == 0 and "Statistics refreshed" in result.output
