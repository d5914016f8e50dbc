"""Routing suggestions: every seeded rule points at the right body, and the inspector's choice is checked."""

import pytest
from sqlalchemy import select

from ombudsman import reference_data, seed_data
from ombudsman.authorities import services
from ombudsman.authorities.models import RoutingRule
from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.inspections import services as inspections

EXPECTED = {
    "local": (seed_data.PEMKOT_KUPANG, None),
    "central": (seed_data.DITJEN, None),
    "shared": (seed_data.PEMKOT_KUPANG, seed_data.DITJEN),
}


@pytest.mark.parametrize(
    "row", reference_data.ROUTING_RULES, ids=[r[0] for r in reference_data.ROUTING_RULES]
)
def test_every_seeded_rule_suggests_the_right_authority_for_the_kupang_dinas(demo, row):
    code, _theme, _keywords, responsibility = row[:4]
    rule = db.session.scalar(select(RoutingRule).where(RoutingRule.code == code))
    suggestion = services.suggest(rule, demo.dinas)
    primary, second = EXPECTED[responsibility]
    assert suggestion.authority.name == primary
    assert (suggestion.second_authority.name if suggestion.second_authority else None) == second
    assert rule.reason in suggestion.reason
    # The first keyword of each rule finds that rule or one listed before it (rules are tried in order).
    first_keyword = rule.keyword_list()[0]
    matched = services.match_rule(f"Temuan: {first_keyword}")
    assert matched is not None and matched.position <= rule.position


def test_checklist_item_brings_its_rule(demo):
    from ombudsman.inspections.models import ChecklistItem

    item = db.session.scalar(select(ChecklistItem).where(ChecklistItem.code == "pusat_blanko"))
    suggestion = inspections.suggestion_for(demo.inspection, None, item.id, "")
    assert suggestion.authority == demo.ditjen


def test_no_rule_means_no_suggestion(demo):
    suggestion = inspections.suggestion_for(demo.inspection, None, None, "sesuatu yang lain sama sekali")
    assert suggestion.authority is None and "manual" in suggestion.reason


def test_local_rule_without_that_level_in_chain_explains_itself(demo):
    rule = db.session.scalar(select(RoutingRule).where(RoutingRule.code == "antrean"))
    suggestion = services.suggest(rule, demo.ditjen)
    assert suggestion.authority is None
    assert "Tidak ada instansi aktif" in suggestion.reason


def test_empty_choice_accepts_the_suggestion_including_the_shared_second(demo):
    rule = db.session.scalar(select(RoutingRule).where(RoutingRule.code == "pimpinan_dinas"))
    finding = inspections.create_finding(
        demo.inspection, demo.users["inspector"], {"title": "Pimpinan", "routing_rule_id": rule.id}
    )
    assert finding.responsible_authority == demo.pemkot
    assert finding.second_authority == demo.ditjen
    assert finding.suggested_authority == demo.pemkot and not finding.routing_overridden


def test_override_needs_a_note(demo):
    rule = db.session.scalar(select(RoutingRule).where(RoutingRule.code == "blanko"))
    data = {"title": "Blanko", "routing_rule_id": rule.id, "responsible_authority_id": demo.pemkot.id}
    with pytest.raises(Invalid) as exc:
        inspections.create_finding(demo.inspection, demo.users["inspector"], data)
    assert exc.value.field == "routing_note"
    finding = inspections.create_finding(
        demo.inspection, demo.users["inspector"], {**data, "routing_note": "Pemkot belum melapor ke pusat."}
    )
    assert finding.routing_overridden and finding.suggested_authority == demo.ditjen


def test_inactive_authority_cannot_be_chosen(demo):
    demo.pemprov.active = False
    db.session.commit()
    with pytest.raises(Invalid, match="tidak aktif"):
        inspections.create_finding(
            demo.inspection,
            demo.users["inspector"],
            {"title": "X", "responsible_authority_id": demo.pemprov.id, "routing_note": "uji"},
        )


def test_suggest_endpoint_returns_json_and_checks_the_office(demo, login):
    rule = db.session.scalar(select(RoutingRule).where(RoutingRule.code == "siak"))
    b = login("inspector@demo.test")
    data = b.get(f"/findings/suggest?inspection_id={demo.inspection.id}&routing_rule_id={rule.id}").get_json()
    assert data["authority_id"] == demo.ditjen.id and data["responsibility"] == "central"
    assert b.get("/findings/suggest?inspection_id=99999").status_code == 404


def test_admin_edits_a_rule_and_the_change_is_audited(demo, login):
    rule = db.session.scalar(select(RoutingRule).where(RoutingRule.code == "skm"))
    b = login("admin@demo.test")
    form = {
        "code": "skm",
        "theme": "Survei kepuasan (SKM)",
        "keywords": "skm",
        "responsibility": "local",
        "level": "regency_city",
        "authority_id": "",
        "second_level": "",
        "second_authority_id": "",
        "reason": "Evaluasi kinerja.",
        "legal_basis": "UU 25/2009",
        "position": "5",
        "active": "y",
    }
    assert b.post(f"/authorities/rules/{rule.id}", data=form).status_code == 303
    db.session.refresh(rule)
    assert rule.theme == "Survei kepuasan (SKM)"
    from ombudsman.audit.services import trail

    assert trail("routing_rule", rule.id)[0].changes["theme"][1] == "Survei kepuasan (SKM)"
    # A shared rule without a second party is refused, with the message next to the field.
    response = b.post(f"/authorities/rules/{rule.id}", data={**form, "responsibility": "shared"})
    assert response.status_code == 422
    assert "memerlukan tingkat atau instansi kedua" in response.get_data(as_text=True)
