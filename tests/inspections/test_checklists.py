"""The checklist is data: admins make new versions, inspections keep the version they used."""

from sqlalchemy import select

from ombudsman.extensions import db
from ombudsman.inspections.models import Checklist


def _rows(checklist, extra=None):
    data = {"name": checklist.name}
    items = [(i.code, i.group, i.label, i.basis, i.routing_rule_id or "") for i in checklist.items]
    items += extra or []
    for n, (code, group, label, basis, rule) in enumerate(items):
        data |= {
            f"items-{n}-code": code,
            f"items-{n}-group": group,
            f"items-{n}-label": label,
            f"items-{n}-basis": basis,
            f"items-{n}-routing_rule_id": str(rule),
        }
    return data


def test_admin_makes_a_new_version_and_old_inspections_keep_theirs(demo, login):
    old = demo.inspection.checklist
    b = login("admin@demo.test")
    assert b.get(f"/checklists/{old.id}/new-version").status_code == 200
    data = _rows(old, [("papan_stok", "Informasi", "Papan stok blanko di ruang tunggu", "Ombudsman NTT", "")])
    data["items-0-label"] = ""  # drop the first item
    response = b.post(f"/checklists/{old.id}/new-version", data=data)
    assert response.status_code == 303
    new = db.session.scalar(select(Checklist).where(Checklist.version == 2))
    assert new.active and not db.session.get(Checklist, old.id).active
    codes = [i.code for i in new.items]
    assert codes[-1] == "papan_stok" and "sp_persyaratan" not in codes
    assert len(new.items) == len(old.items)
    db.session.refresh(demo.inspection)
    assert demo.inspection.checklist_id == old.id
    inspector = login("inspector@demo.test")
    inspector.post(
        "/inspections/new",
        data={
            "title": "Baru",
            "kind": "sidak",
            "authority_id": str(demo.dinas.id),
            "visited_on": "2025-01-06",
        },
    )
    from ombudsman.inspections.models import Inspection

    assert db.session.scalar(select(Inspection).where(Inspection.title == "Baru")).checklist_id == new.id


def test_duplicate_codes_are_refused_and_input_kept(demo, login):
    old = demo.inspection.checklist
    b = login("admin@demo.test")
    data = _rows(old, [("sp_biaya", "X", "Butir kembar", "", "")])
    response = b.post(f"/checklists/{old.id}/new-version", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Kode butir harus unik." in page and 'value="Butir kembar"' in page
    assert db.session.scalar(select(Checklist).where(Checklist.version == 2)) is None


def test_only_admins_make_versions(demo, login):
    b = login("supervisor@demo.test")
    assert b.get("/checklists/").status_code == 200
    assert b.get(f"/checklists/{demo.inspection.checklist_id}/new-version").status_code == 403
