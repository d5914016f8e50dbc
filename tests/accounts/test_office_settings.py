"""The admin edits the office's details; bad input is shown again with the user's values."""

from ombudsman.extensions import db


def test_admin_updates_office_and_change_is_audited(demo, login):
    b = login("admin@demo.test")
    form = {
        "name": demo.office.name,
        "short_name": "ORI NTT",
        "province": "Nusa Tenggara Timur",
        "city": "Kupang",
        "address": "Jl. Veteran No. 1",
        "phone": "(0380) 123",
        "email": "ntt@ombudsman.go.id",
        "website": "ombudsman.go.id",
        "head_name": "Darius Beda Daton",
        "head_title": "Kepala Perwakilan",
        "timezone": "Asia/Makassar",
    }
    assert b.post("/settings/office", data=form).status_code == 303
    db.session.refresh(demo.office)
    assert demo.office.short_name == "ORI NTT"
    assert "short_name" in b.get("/settings/office").get_data(
        as_text=True
    )  # the audit trail shows the change
    response = b.post("/settings/office", data={**form, "timezone": "Mars/Olympus", "short_name": "Baru"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Zona waktu harus salah satu zona Indonesia" in page and 'value="Baru"' in page
    db.session.refresh(demo.office)
    assert demo.office.timezone == "Asia/Makassar" and demo.office.short_name == "ORI NTT"


def test_only_admin_sees_office_settings(demo, login):
    assert login("head@demo.test").get("/settings/office").status_code == 403
