"""Adding a representative office to the deployment (`flask offices create`), and office names that stay
unique whichever way an office is named (command line or settings page)."""

import pytest
from sqlalchemy import func, select

from ombudsman.accounts.models import Office, User
from ombudsman.audit.models import AuditEvent
from ombudsman.extensions import db

BALI = [
    "--name",
    "Ombudsman Republik Indonesia Perwakilan Provinsi Bali",
    "--short-name",
    "Ombudsman RI Perwakilan Bali",
    "--province",
    "Bali",
    "--city",
    "Denpasar",
    "--head-name",
    "Ni Nyoman Sri Widhiyanti",
    "--head-title",
    "Kepala Perwakilan",
    "--timezone",
    "Asia/Makassar",
    "--address",
    "Jl. Melati No. 14, Denpasar",
]
GOOD_PASSWORD = "Pelayanan-Publik-Denpasar-2026"


def _offices() -> int:
    return db.session.scalar(select(func.count()).select_from(Office))


def _option(args: list[str], option: str, value: str) -> list[str]:
    """`args` with `option` set to `value` (added when absent)."""
    if option not in args:
        return [*args, option, value]
    changed = list(args)
    changed[changed.index(option) + 1] = value
    return changed


def test_a_new_office_is_created_and_its_admin_works_only_in_it(demo, runner, login):
    result = runner.invoke(args=["offices", "create", *BALI])
    assert result.exit_code == 0, result.output
    office = db.session.scalar(select(Office).where(Office.short_name == "Ombudsman RI Perwakilan Bali"))
    assert f"Created office {office.id}" in result.output
    assert (office.city, office.timezone, office.address) == (
        "Denpasar",
        "Asia/Makassar",
        "Jl. Melati No. 14, Denpasar",
    )
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "office", AuditEvent.entity_id == office.id)
    )
    assert event.action == "created" and event.office_id == office.id and event.user_id is None
    assert event.changes["city"] == [None, "Denpasar"]

    args = ["users", "create", "--email", "admin@bali.test", "--name", "Admin Bali", "--role", "admin"]
    result = runner.invoke(
        args=[*args, "--office", "Ombudsman RI Perwakilan Bali", "--password", GOOD_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    admin = login("admin@bali.test", GOOD_PASSWORD)
    settings = admin.get("/settings/office").get_data(as_text=True)
    assert 'value="Denpasar"' in settings and "Nusa Tenggara Timur" not in settings
    assert demo.inspection.title not in admin.get("/inspections/").get_data(as_text=True)
    assert admin.get(f"/inspections/{demo.inspection.id}").status_code == 404

    listing = runner.invoke(args=["offices", "list"])
    assert listing.exit_code == 0
    rows = {line.split("\t")[1]: line.split("\t") for line in listing.output.splitlines()}
    assert rows["Ombudsman RI Perwakilan Bali"] == [
        str(office.id),
        "Ombudsman RI Perwakilan Bali",
        "Asia/Makassar",
        "1",
        "Ombudsman Republik Indonesia Perwakilan Provinsi Bali",
    ]
    active_ntt = db.session.scalar(select(func.count()).where(User.office_id == demo.office.id, User.active))
    assert rows[demo.office.short_name][3] == str(active_ntt)


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        # Another office's names, in any case, as either name: `users create --office` takes both.
        (
            "--short-name",
            "OMBUDSMAN RI PERWAKILAN NTT",
            "--short-name: Nama OMBUDSMAN RI PERWAKILAN NTT sudah",
        ),
        ("--name", "Ombudsman RI Perwakilan NTT", "--name: Nama Ombudsman RI Perwakilan NTT sudah dipakai"),
        ("--timezone", "Asia/Denpasar", "--timezone: Zona waktu harus salah satu zona Indonesia"),
        ("--timezone", "Europe/London", "--timezone: Zona waktu harus salah satu zona Indonesia"),
        ("--timezone", "asia/makassar", "--timezone: Zona waktu harus salah satu zona Indonesia"),
        ("--city", "  ", "--city: Wajib diisi."),
        ("--name", "x" * 201, "--name: Paling banyak 200 karakter."),
        # One line each: `offices list` is tab-separated and the letterhead prints each on its own line.
        ("--name", "Perwakilan\nBali", "--name: Harus satu baris"),
        ("--head-title", "Kepala\tPerwakilan", "--head-title: Harus satu baris"),
        ("--short-name", "Perwakilan \u202eilaB", "--short-name: Harus satu baris"),
        ("--name", "Ombudsman RI Perwakilan NTT\u200b", "--name: Harus satu baris"),  # a zero-width space
        (
            "--name",
            "Ombudsman  RI Perwakilan   NTT",
            "--name: Nama Ombudsman  RI Perwakilan   NTT sudah dipakai",
        ),
        ("--email", "bukan-email", "--email: Alamat e-mail tidak sah."),
        ("--website", "javascript:alert(1)", "--website: Alamat situs web tidak sah"),
    ],
)
def test_a_refused_office_says_which_option_and_writes_nothing(demo, runner, option, value, expected):
    before = _offices()
    result = runner.invoke(args=["offices", "create", *_option(BALI, option, value)])
    assert result.exit_code == 1
    assert expected in result.output
    assert _offices() == before


@pytest.mark.parametrize(
    "website", ["ombudsman.go.id", "https://ombudsman.go.id/bali", "http://localhost.test:8080"]
)
def test_a_website_may_be_a_host_or_an_http_address(demo, runner, website):
    result = runner.invoke(
        args=["offices", "create", *BALI, "--website", website, "--email", "bali@ombudsman.go.id"]
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "office",
    ["ombudsman ri perwakilan ntt", "  Ombudsman RI Perwakilan NTT ", "Ombudsman RI  Perwakilan NTT"],
)
def test_users_create_finds_the_office_in_any_case(demo, runner, office):
    args = ["users", "create", "--email", "baru@demo.test", "--name", "Pegawai Baru", "--role", "viewer"]
    result = runner.invoke(args=[*args, "--office", office, "--password", GOOD_PASSWORD])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "baru@demo.test")).office_id == demo.office.id


def test_users_create_refuses_an_empty_or_shared_office_name(demo, runner):
    # Two offices left without a short name (allowed) must not make "" name either of them.
    for name in ("Kantor Tanpa Singkatan Satu", "Kantor Tanpa Singkatan Dua"):
        assert (
            runner.invoke(
                args=["offices", "create", *_option(_option(BALI, "--name", name), "--short-name", "")]
            ).exit_code
            == 0
        )
    args = ["users", "create", "--email", "baru@demo.test", "--name", "Pegawai Baru", "--role", "viewer"]
    result = runner.invoke(args=[*args, "--office", "", "--password", GOOD_PASSWORD])
    assert result.exit_code == 2 and "no office is named ''" in result.output
    assert db.session.scalar(select(User).where(User.email == "baru@demo.test")) is None


def test_a_missing_required_option_is_a_usage_error(demo, runner):
    without_timezone = [arg for arg in BALI if arg not in ("--timezone", "Asia/Makassar")]
    result = runner.invoke(args=["offices", "create", *without_timezone])
    assert result.exit_code == 2 and "--timezone" in result.output


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (
            "name",
            "Ombudsman Republik Indonesia Perwakilan Provinsi Bali",
        ),  # was a 500: the unique index at commit
        ("short_name", "ombudsman ri perwakilan bali"),  # was accepted: `--office` then named two offices
    ],
)
def test_the_settings_page_refuses_another_offices_name(demo, login, runner, field, value):
    assert runner.invoke(args=["offices", "create", *BALI]).exit_code == 0
    admin = login("admin@demo.test")
    form = {
        "name": demo.office.name,
        "short_name": demo.office.short_name,
        "province": demo.office.province,
        "city": demo.office.city,
        "head_name": demo.office.head_name,
        "head_title": demo.office.head_title,
        "timezone": demo.office.timezone,
    }
    response = admin.post("/settings/office", data={**form, field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "sudah dipakai kantor lain" in page and f'value="{value}"' in page
    db.session.refresh(demo.office)
    assert (demo.office.name, demo.office.short_name) == (form["name"], form["short_name"])
    # Its own names, unchanged, are not "another office's".
    assert admin.post("/settings/office", data={**form, "city": "Kota Kupang"}).status_code == 303


def test_the_list_says_when_there_is_no_office_yet(app, database, runner):
    result = runner.invoke(args=["offices", "list"])
    assert result.exit_code == 0 and "No office yet" in result.output


@pytest.mark.parametrize("email", ["bad\nmail@x.id", "a b@x.id", "x@y", "tanpa-at.go.id"])
def test_users_create_refuses_a_malformed_email(demo, runner, email):
    args = ["users", "create", "--email", email, "--name", "Pegawai Baru", "--role", "viewer"]
    result = runner.invoke(
        args=[*args, "--office", "Ombudsman RI Perwakilan NTT", "--password", GOOD_PASSWORD]
    )
    assert result.exit_code == 1 and "Alamat e-mail tidak sah." in result.output
    assert db.session.scalar(select(func.count()).where(User.name == "Pegawai Baru")) == 0


def test_the_settings_page_judges_a_zone_as_it_is_saved_trimmed(demo, login):
    admin = login("admin@demo.test")
    form = {
        name: getattr(demo.office, name)
        for name in ("name", "short_name", "province", "city", "head_name", "head_title")
    }
    assert admin.post("/settings/office", data={**form, "timezone": " Asia/Jayapura "}).status_code == 303
    db.session.refresh(demo.office)
    assert demo.office.timezone == "Asia/Jayapura"
