"""The demo seed loads the Kupang case exactly, and running it again changes nothing."""

from sqlalchemy import func, select

from ombudsman import reference_data, seed_data
from ombudsman.extensions import db
from ombudsman.models import (
    AuditEvent,
    Authority,
    AuthorityVersion,
    ChecklistItem,
    Finding,
    Inspection,
    Office,
    Recommendation,
    RoutingRule,
    User,
)

MODELS = (
    Office,
    User,
    Authority,
    AuthorityVersion,
    RoutingRule,
    ChecklistItem,
    Inspection,
    Finding,
    Recommendation,
    AuditEvent,
)


def _counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def test_demo_case_matches_the_domain(demo):
    assert demo.office.timezone == "Asia/Makassar" and demo.office.head_name == "Darius Beda Daton"
    assert {a.name for a in db.session.scalars(select(Authority))} == {
        row[0] for row in seed_data.AUTHORITIES
    }
    assert demo.dinas.parent == demo.pemkot and demo.ditjen.parent == demo.kemendagri
    assert demo.pemkot.head_title == "Wali Kota Kupang"
    inspection = demo.inspection
    assert inspection.visited_on.isoformat() == "2018-07-30" and inspection.kind.value == "sidak"
    assert inspection.authority == demo.dinas
    responsible = {
        n: (f.responsible_authority.name, f.second_authority.name if f.second_authority else None)
        for n, f in demo.findings.items()
    }
    local = (seed_data.PEMKOT_KUPANG, None)
    assert responsible == {
        1: local,
        2: local,
        3: local,
        4: local,
        5: local,
        6: local,
        7: local,
        8: (seed_data.DITJEN, None),
        9: (seed_data.DITJEN, None),
        10: (seed_data.PEMKOT_KUPANG, seed_data.DITJEN),
    }
    recs = db.session.scalars(select(Recommendation).order_by(Recommendation.position)).all()
    assert [r.authority.name for r in recs].count(seed_data.PEMKOT_KUPANG) == 7
    assert [r.authority.name for r in recs].count(seed_data.DITJEN) == 3
    assert {u.email for u in db.session.scalars(select(User))} == {row[0] for row in seed_data.DEMO_USERS}


def test_seed_demo_twice_changes_nothing(demo, runner):
    # The fixture's demo signs on paper; the command adds the demo head's TEST certificate once.
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    before = _counts()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert _counts() == before


def test_seed_demo_keeps_edits_made_since(demo, runner):
    demo.findings[1].title = "Judul diubah"
    db.session.commit()
    runner.invoke(args=["seed-demo"])
    db.session.expire_all()
    assert db.session.get(Finding, demo.findings[1].id).title == "Judul diubah"


def test_seed_demo_if_empty_skips_a_database_with_data(demo, runner):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded" in result.output


def test_seed_reference_alone_loads_rules_and_checklist(app, runner):
    result = runner.invoke(args=["seed-reference"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(RoutingRule)) == len(
        reference_data.ROUTING_RULES
    )
    assert db.session.scalar(select(func.count()).select_from(ChecklistItem)) == len(
        reference_data.CHECKLIST_ITEMS
    )
    assert db.session.scalar(select(func.count()).select_from(Office)) == 0
