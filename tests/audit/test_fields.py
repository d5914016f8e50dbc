"""The registry covers every field and action the services record; stored shapes read back correctly."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from ombudsman.accounts.commands import OFFICE_FIELDS
from ombudsman.accounts.services import USER_FIELDS
from ombudsman.audit import services as audit
from ombudsman.audit.fields import ACTIONS, FIELDS, field_for
from ombudsman.audit.present import entries
from ombudsman.authorities.services import AUTHORITY_FIELDS
from ombudsman.authorities.services import RULE_FIELDS as ROUTING_RULE_FIELDS
from ombudsman.deadlines.records import DEADLINE_FIELDS
from ombudsman.deadlines.rules import RULE_FIELDS as DEADLINE_RULE_FIELDS
from ombudsman.deadlines.settings import SETTINGS_FIELDS as CALENDAR_SETTINGS_FIELDS
from ombudsman.extensions import db
from ombudsman.inspections.forms import FindingForm
from ombudsman.inspections.models import ChecklistItem
from ombudsman.inspections.services import FINDING_FIELDS, INSPECTION_FIELDS
from ombudsman.letters.delivery import DELIVERY_FIELDS
from ombudsman.letters.drafting import LETTER_FIELDS
from ombudsman.letters.settings import FIELDS as LETTER_SETTINGS_FIELDS
from ombudsman.recommendations.services import FIELDS as RECOMMENDATION_FIELDS

PACKAGE = Path(__file__).resolve().parents[2] / "ombudsman"

RECORDED = {
    "inspection": INSPECTION_FIELDS,
    "finding": FINDING_FIELDS,
    "recommendation": RECOMMENDATION_FIELDS,
    "authority": AUTHORITY_FIELDS,
    "routing_rule": ROUTING_RULE_FIELDS,
    "letter": LETTER_FIELDS + DELIVERY_FIELDS,
    "office": OFFICE_FIELDS + LETTER_SETTINGS_FIELDS + CALENDAR_SETTINGS_FIELDS,
    "user": USER_FIELDS,
    "deadline_rule": DEADLINE_RULE_FIELDS,
    "deadline": DEADLINE_FIELDS,
}


@pytest.mark.parametrize("entity_type", sorted(RECORDED))
def test_every_snapshotted_field_has_a_label(entity_type):
    missing = [name for name in RECORDED[entity_type] if field_for(entity_type, name) is None]
    assert not missing, f"{entity_type}: add these to ombudsman/audit/fields.py: {missing}"


def test_labels_are_the_forms_own():
    assert FIELDS["finding"]["responsible_authority_id"].label is FindingForm.responsible_authority_id.args[0]


def _recorded_actions() -> set[str]:
    """Action strings passed to audit.record() and the packages' audit helpers, read from the source."""
    # helper -> position of the action (None: any)
    helpers = {
        "record": 2,
        "_audit": None,
        "_transition": 3,
        "transition": 3,
        "audit_deadline": 1,
        "_audit_event": 1,
    }
    found: set[str] = set()

    def constants(node: ast.AST) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.IfExp):
            return constants(node.body) + constants(node.orelse)
        return []

    for path in PACKAGE.rglob("*.py"):
        source = path.read_text()
        if "audit" not in source and "transition(" not in source:
            continue
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "action" for t in node.targets):
                found.update(constants(node.value))
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            found.update(c for kw in node.keywords if kw.arg == "action" for c in constants(kw.value))
            if name in helpers:
                position = helpers[name]
                args = node.args if position is None else node.args[position : position + 1]
                found.update(c for arg in args for c in constants(arg) if c not in FIELDS)
    return found


def test_every_recorded_action_has_words():
    actions = _recorded_actions()
    assert {"created", "submitted", "issued", "uploaded", "extended", "regenerated"} <= actions  # it reads
    unknown = actions - ACTIONS.keys()
    assert not unknown, f"add to ACTIONS in ombudsman/audit/fields.py: {unknown}"


def _shown(app, *events, locale="id"):
    db.session.flush()
    with app.test_request_context(), force_locale(locale):
        return [(e.summary, [(c.label, c.old, c.new) for c in e.changes]) for e in entries(events)]


def test_changes_and_recorded_values_are_told_apart(app, demo):
    inspector = demo.users["inspector"]
    # Deadline rules are "created" with a diff from nothing: [None, value] pairs.
    rule = audit.record(
        "deadline_rule", 1, "created", user_id=None, office_id=None, changes={"unit": [None, "working"]}
    )
    # A letter's Tembusan: two lines is one value, not a change from the first line to the second.
    copies = [[demo.pemkot.id, ""], [None, "Ombudsman RI di Jakarta"]]
    letter = audit.record(
        "letter",
        1,
        "created",
        user_id=inspector.id,
        office_id=demo.office.id,
        changes={"copies": copies, "recommendation_ids": [1, 2], "annex": False},
    )
    edit = audit.record(
        "letter",
        1,
        "updated",
        user_id=inspector.id,
        office_id=demo.office.id,
        changes={"copies": [copies, copies[:1]], "recommendation_ids": [[1, 2], [1]]},
    )
    [(rule_summary, rule_changes), (_, letter_changes), (_, edit_changes)] = _shown(app, rule, letter, edit)
    assert rule_summary == "dibuat oleh sistem"
    assert rule_changes == [("Satuan", "—", "hari kerja")]
    copies_label = "Tembusan"
    assert (copies_label, None, "Pemerintah Kota Kupang; Ombudsman RI di Jakarta") in letter_changes
    assert ("Lampirkan daftar temuan dengan foto", None, "Tidak") in letter_changes
    assert edit_changes[0] == (
        copies_label,
        "Pemerintah Kota Kupang; Ombudsman RI di Jakarta",
        "Pemerintah Kota Kupang",
    )
    assert edit_changes[1][0] == "Rekomendasi yang dimuat"  # the form's label without its hint in brackets


def test_checklist_answers_weekdays_and_unknown_actions(app, demo):
    item = db.session.scalar(
        select(ChecklistItem).where(ChecklistItem.checklist_id == demo.inspection.checklist_id).limit(1)
    )
    item_id = item.id
    answers = audit.record(
        "inspection",
        demo.inspection.id,
        "checklist",
        user_id=demo.users["inspector"].id,
        office_id=demo.office.id,
        changes={f"item:{item_id}": [["not_assessed", ""], ["absent", "Tidak ada papan"]]},
    )
    settings = audit.record(
        "office",
        demo.office.id,
        "deadline_settings",
        user_id=demo.users["admin"].id,
        office_id=demo.office.id,
        changes={"weekend_days": ["5,6", "4,5"], "cuti_bersama_is_working": [False, True]},
    )
    later = audit.record("inspection", demo.inspection.id, "archived", user_id=None, office_id=demo.office.id)
    shown = _shown(app, answers, settings, later)
    label, old, new = shown[0][1][0]
    assert label == f"Butir: {item.label}" and (old, new) == ("tidak dinilai", "tidak ada (Tidak ada papan)")
    assert shown[1][1] == [
        ("Akhir pekan", "Sabtu, Minggu", "Jumat, Sabtu"),
        ("Cuti bersama dihitung sebagai hari kerja", "Tidak", "Ya"),
    ]
    assert shown[2] == ("dicatat oleh sistem", [])
    english = _shown(app, settings, locale="en")
    assert english[0][1][0][1:] == ("Saturday, Sunday", "Friday, Saturday")


def test_values_of_an_unexpected_shape_are_shown_as_they_are(app, demo):
    odd = audit.record(
        "letter",
        1,
        "updated",
        user_id=None,
        office_id=demo.office.id,
        changes={"delivered_on": "kemarin", "copies": "Ketua", "annex": [[1], [2], [3]]},
    )
    [(_, changes)] = _shown(app, odd)
    assert changes == [
        ("Tanggal dikirim", None, "kemarin"),
        ("Tembusan", None, "Ketua"),
        ("Lampirkan daftar temuan dengan foto", None, "[[1], [2], [3]]"),
    ]


def test_a_reserved_numbers_signature_mode_is_labelled(app, demo):
    """Issue 13: "nomor surat dipesan" records `signed`; the trail shows a label and Ya/Tidak, not the key."""
    reserved = audit.record(
        "letter",
        1,
        "number_reserved",
        user_id=demo.users["inspector"].id,
        office_id=demo.office.id,
        changes={"number": "1/ORI/2026", "date": "2026-12-01", "signed": True},
    )
    [(_, changes)] = _shown(app, reserved)
    assert ("Ditandatangani secara elektronik", None, "Ya") in changes
    [(_, english)] = _shown(app, reserved, locale="en")
    assert not any(label == "signed" for label, _, _ in english)
    assert ("Signed electronically", None, "Yes") in english
