"""A letter whose electronic signing failed after its number was reserved (here: the time-stamping server is
down) stays reserved as signed; while the office signs electronically the head retries with the passphrase,
and once the admin turns electronic signing off the retry issues it as a paper letter with the same number.
"""

from __future__ import annotations

import io
import socket

import pytest
from letter_testing import flashes, pdf_text
from pypdf import PdfReader
from sqlalchemy import select

from ombudsman.audit.models import AuditEvent
from ombudsman.errors import Conflict
from ombudsman.extensions import db
from ombudsman.letters import issuing
from ombudsman.letters.models import Letter, LetterCounter, LetterStatus
from ombudsman.letters.settings import for_office

RENDER_FAILED = (
    "PDF surat belum dapat dibuat; nomor {number} tetap untuk surat ini. Coba terbitkan lagi sebentar lagi."
)
HEAD_SIGNING_ON = (
    "Tanda tangan elektronik surat ini belum berhasil; nomor {number} tetap dipesan untuk surat ini. "
    "Ketik frasa sandi Anda dan coba terbitkan lagi. Bila kunci tanda tangan tetap tidak dapat dipakai, "
    "admin dapat mematikan tanda tangan elektronik; surat ini lalu terbit sebagai surat kertas dengan nomor "
    "yang sama."
)
HEAD_SIGNING_OFF = (
    "Tanda tangan elektronik surat ini belum berhasil dan kini dimatikan; nomor {number} tetap dipesan untuk "
    "surat ini. Terbitkan lagi: surat terbit sebagai surat kertas, tanpa tanda tangan elektronik, dengan "
    "nomor yang sama."
)
ADMIN_SIGNING_ON = (
    "Tanda tangan elektronik surat ini belum berhasil; nomor {number} tetap dipesan untuk surat ini. Kepala "
    "Perwakilan mencoba lagi dengan frasa sandinya. Bila kunci tanda tangannya tetap tidak dapat dipakai, "
    "matikan tanda tangan elektronik di pengaturan tanda tangan; Kepala lalu menerbitkannya sebagai surat "
    "kertas dengan nomor yang sama."
)
OTHERS = (
    "Penerbitan surat ini tertunda: nomor {number} dipesan, tetapi tanda tangan elektroniknya belum "
    "berhasil. Kepala Perwakilan menerbitkannya lagi."
)


@pytest.fixture
def dead_tsa(app):
    """The app's time-stamping server is down: its port refuses connections (bound here, never listening,
    so nothing else can take it meanwhile)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        app.config["SIGNING_TIMESTAMP_URL"] = f"http://127.0.0.1:{sock.getsockname()[1]}/tsa"
        yield app.config["SIGNING_TIMESTAMP_URL"]


def _letter(letter_id: int) -> Letter:
    db.session.expire_all()
    return db.session.get(Letter, letter_id)


def _stuck(app, workflow, letter_id: int, passphrase: str) -> Letter:
    """Approve, then issue with the right passphrase while the time-stamping server is down: the number is
    reserved, the signing fails, the head is told the number stays. Returns the reserved letter."""
    workflow.approve(letter_id)
    response = workflow.head.post(f"/letters/{letter_id}/issue", {"signing_passphrase": passphrase})
    assert response.status_code == 303
    letter = _letter(letter_id)
    assert letter.is_issuing and letter.signed and letter.pdf is None and letter.sequence == 1
    page = workflow.head.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert ("error", RENDER_FAILED.format(number=letter.number)) in flashes(page)
    return letter


def _turn_signing_off(login, office) -> None:
    """The admin unticks electronic signing on the signing settings page."""
    admin = login("admin@demo.test")
    assert admin.post("/settings/letters/signing/mode", {}).status_code == 303
    db.session.expire_all()
    assert not for_office(office).electronic_signature


def _trail(letter_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "letter", AuditEvent.entity_id == letter_id)
            .order_by(AuditEvent.id)
        )
    )


def _assert_unsigned(pdf: bytes) -> None:
    """No signature in the file, by pyHanko and by pypdf; the signature block is the wet-signature gap."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    assert PdfFileReader(io.BytesIO(pdf)).embedded_signatures == []
    fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    assert not [f for f in fields.values() if f.get("/FT") == "/Sig"]
    assert "Ditandatangani secara elektronik" not in pdf_text(pdf)


def test_a_letter_whose_signing_failed_is_issued_as_paper_with_its_number_once_signing_is_off(
    app, demo, letters, workflow, signing_office, dead_tsa, login
):
    letter_id = letters.kota.id
    reserved = _stuck(app, workflow, letter_id, signing_office.passphrase)
    number = reserved.number

    # Electronic signing still on: the head's page says what happened and asks for the passphrase again;
    # nothing runs in the background, so the page does not refresh itself.
    page = workflow.head.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert ("error", HEAD_SIGNING_ON.format(number=number)) in flashes(page)
    assert 'name="signing_passphrase"' in page and "http-equiv" not in page
    assert "Terbitkan sebagai surat kertas" not in page
    assert "ConnectionError" not in page and "127.0.0.1" not in page  # no error internals
    # The others are told it waits for the head; the admin also how to get it out.
    inspector_page = workflow.inspector.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert ("error", OTHERS.format(number=number)) in flashes(inspector_page)
    assert 'name="signing_passphrase"' not in inspector_page
    admin_page = login("admin@demo.test").get(f"/letters/{letter_id}").get_data(as_text=True)
    assert ("error", ADMIN_SIGNING_ON.format(number=number)) in flashes(admin_page)

    # Retrying without the passphrase while signing is on: the form says so, and nothing changes.
    refused = workflow.head.post(f"/letters/{letter_id}/issue")
    assert refused.status_code == 422
    assert "Ketik frasa sandi kunci tanda tangan Anda." in refused.get_data(as_text=True)
    letter = _letter(letter_id)
    assert (letter.status, letter.signed, letter.number, letter.pdf) == (
        LetterStatus.APPROVED,
        True,
        number,
        None,
    )
    assert "completed_unsigned" not in [e.action for e in _trail(letter_id)]

    # The admin turns electronic signing off: the head's page offers the paper letter, with no passphrase.
    _turn_signing_off(login, demo.office)
    page = workflow.head.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert ("error", HEAD_SIGNING_OFF.format(number=number)) in flashes(page)
    assert "Terbitkan sebagai surat kertas" in page and 'name="signing_passphrase"' not in page
    inspector_page = workflow.inspector.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert ("error", OTHERS.format(number=number)) in flashes(inspector_page)

    response = workflow.head.post(f"/letters/{letter_id}/issue")
    assert response.status_code == 303
    letter = _letter(letter_id)
    assert (letter.status, letter.signed, letter.number, letter.sequence) == (
        LetterStatus.ISSUED,
        False,
        number,
        1,
    )
    assert db.session.scalar(select(LetterCounter.last_sequence)) == 1  # never burnt, never reused
    _assert_unsigned(letter.pdf)
    assert workflow.head.get(f"/letters/{letter_id}/pdf").data == letter.pdf
    page = workflow.head.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert (
        "info",
        "Tanda tangan elektronik dimatikan: surat ini diterbitkan sebagai surat kertas, tanpa tanda tangan "
        "elektronik, dengan nomor yang sudah dipesan.",
    ) in flashes(page)
    assert ("success", f"Surat terbit dengan nomor {number}.") in flashes(page)
    assert 'id="letter-signed"' not in page and 'id="letter-issuing"' not in page

    # The trail: reserved once (signed), made a paper letter by the head, issued once.
    trail = _trail(letter_id)
    actions = [e.action for e in trail]
    assert actions.count("number_reserved") == 1 and actions.count("issued") == 1
    (paper,) = [e for e in trail if e.action == "completed_unsigned"]
    assert paper.user_id == demo.users["head"].id
    assert paper.changes == {"number": number, "signed": [True, False]}
    assert actions.index("number_reserved") < actions.index("completed_unsigned") < actions.index("issued")
    assert (
        "dilanjutkan sebagai surat kertas (tanpa tanda tangan elektronik) oleh "
        f"{demo.users['head'].name} karena tanda tangan elektronik telah dimatikan"
    ) in " ".join(page.split())


def test_the_api_asks_for_the_passphrase_while_signing_is_on_and_issues_unsigned_once_it_is_off(
    app, demo, letters, workflow, signing_office, dead_tsa
):
    from tests.api.conftest import ApiClient, issue

    letter_id = letters.ditjen.id
    workflow.approve(letter_id)
    head = ApiClient(app.test_client(), issue(demo.users["head"]))
    url = f"/api/v1/letters/{letter_id}/issue"
    failed = head.post(url, json={"signing_passphrase": signing_office.passphrase})
    assert failed.status_code == 503 and failed.headers["Retry-After"] == "30"
    number = _letter(letter_id).number
    assert failed.get_json()["error"] == RENDER_FAILED.format(number=number)
    assert "127.0.0.1" not in failed.get_data(as_text=True)
    stuck = head.get(f"/api/v1/letters/{letter_id}").get_json()
    assert (stuck["status"], stuck["issuing"], stuck["signed"], stuck["number"]) == (
        "approved",
        True,
        True,
        number,
    )

    missing = head.post(url, json={})
    assert missing.status_code == 422 and "signing_passphrase" in missing.get_json()["fields"]
    letter = _letter(letter_id)
    assert (letter.signed, letter.number, letter.pdf) == (True, number, None)

    for_office(demo.office).electronic_signature = False
    db.session.commit()
    done = head.post(url, json={})
    assert done.status_code == 200, done.get_data(as_text=True)
    body = done.get_json()
    assert (body["status"], body["signed"], body["issuing"], body["number"]) == (
        "issued",
        False,
        False,
        number,
    )
    letter = _letter(letter_id)
    _assert_unsigned(letter.pdf)
    assert body["sha256"] == letter.pdf_sha256
    assert db.session.scalar(select(LetterCounter.last_sequence)) == 1
    assert [e.action for e in _trail(letter_id)].count("completed_unsigned") == 1


def test_while_signing_is_on_the_retry_with_the_passphrase_signs_it_with_its_number(
    app, demo, letters, workflow, signing_office, dead_tsa, pki
):
    from test_signing import validate

    letter_id = letters.kota.id
    number = _stuck(app, workflow, letter_id, signing_office.passphrase).number
    app.config["SIGNING_TIMESTAMP_URL"] = None  # the time-stamping server is not needed any more
    response = workflow.head.post(
        f"/letters/{letter_id}/issue", {"signing_passphrase": signing_office.passphrase}
    )
    assert response.status_code == 303
    letter = _letter(letter_id)
    assert (letter.status, letter.signed, letter.number, letter.sequence) == (
        LetterStatus.ISSUED,
        True,
        number,
        1,
    )
    assert validate(letter.pdf, pki.root.cert).trusted
    assert "completed_unsigned" not in [e.action for e in _trail(letter_id)]


def test_a_signing_render_that_finishes_after_the_letter_became_paper_is_not_stored(
    app, demo, letters, workflow, signing_office
):
    """The head's signing request and the paper retry race: the first one stored wins, and a signed PDF
    is never stored on a letter marked unsigned."""
    letter_id = letters.kota.id
    workflow.approve(letter_id)
    head, base_url = signing_office.head, app.config["PUBLIC_BASE_URL"]
    letter = _letter(letter_id)
    today = letter.inspection.visited_on.replace(day=31)
    signatory = issuing.unlock_signatory(
        letter, head, signing_office.passphrase, secret_key=app.config["SECRET_KEY"]
    )
    issuing.reserve(letter, head, today=today, base_url=base_url, signatory=signatory)
    db.session.commit()
    signed_render = issuing.render_reserved(
        letter_id, base_url=base_url, evidence_root=None, signatory=signatory
    )
    assert signed_render.signed

    for_office(demo.office).electronic_signature = False
    db.session.commit()
    assert (
        issuing.unlock_signatory(_letter(letter_id), head, None, secret_key=app.config["SECRET_KEY"]) is None
    )
    paper = issuing.reserve(_letter(letter_id), head, today=today, base_url=base_url)
    assert paper.is_issuing and not paper.signed
    db.session.commit()

    with pytest.raises(Conflict, match="surat kertas"):
        issuing.finish(signed_render)
    db.session.rollback()
    letter = _letter(letter_id)
    assert letter.is_issuing and letter.pdf is None and not letter.signed

    issued = issuing.complete_signed(letter_id, None, base_url=base_url, evidence_root=None)
    db.session.commit()
    assert issued.status is LetterStatus.ISSUED and issued.sequence == 1
    _assert_unsigned(issued.pdf)


def test_a_paper_letter_stuck_in_its_render_is_retried_as_before(
    app, demo, letters, workflow, signing_office
):
    """Only letters reserved as signed change: one reserved on paper keeps being rendered unsigned, in
    either mode, and nothing is recorded as made paper."""
    letter_id = letters.kota.id
    for_office(demo.office).electronic_signature = False
    db.session.commit()
    workflow.approve(letter_id)
    letter = _letter(letter_id)
    head, today = signing_office.head, letter.inspection.visited_on.replace(day=31)
    issuing.reserve(letter, head, today=today, base_url=app.config["PUBLIC_BASE_URL"])
    db.session.commit()
    for_office(demo.office).electronic_signature = True
    db.session.commit()
    assert workflow.head.post(f"/letters/{letter_id}/issue").status_code == 303
    letter = _letter(letter_id)
    assert letter.status is LetterStatus.ISSUED and not letter.signed
    assert "completed_unsigned" not in [e.action for e in _trail(letter_id)]


def test_the_admins_render_button_sends_a_signed_letter_to_its_page(
    app, demo, letters, workflow, signing_office, dead_tsa, login
):
    letter_id = letters.kota.id
    number = _stuck(app, workflow, letter_id, signing_office.passphrase).number
    admin = login("admin@demo.test")
    assert number in admin.get("/admin/jobs/").get_data(as_text=True)
    response = admin.post(f"/admin/jobs/letters/{letter_id}/render")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/letters/{letter_id}")
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "error",
        f"Surat {number} ditandatangani secara elektronik; hanya Kepala yang dapat menerbitkannya lagi. "
        "Halaman surat menjelaskan caranya.",
    ) in flashes(page)
    letter = _letter(letter_id)
    assert (letter.is_issuing, letter.signed, letter.pdf) == (True, True, None)


@pytest.mark.committed  # the worker reads what the requests committed through its own session
def test_with_redis_the_paper_retry_is_rendered_by_the_worker(
    app, demo, letters, workflow, signing_office, login
):
    from jobs_testing import redis_queue, run_worker

    letter_id = letters.kota.id
    with socket.socket() as sock:  # the time-stamping server is down
        sock.bind(("127.0.0.1", 0))
        app.config["SIGNING_TIMESTAMP_URL"] = f"http://127.0.0.1:{sock.getsockname()[1]}/tsa"
        with redis_queue(app):
            number = _stuck(app, workflow, letter_id, signing_office.passphrase).number
            _turn_signing_off(login, demo.office)
            assert workflow.head.post(f"/letters/{letter_id}/issue").status_code == 303
            letter = _letter(letter_id)
            assert letter.is_issuing and not letter.signed and letter.pdf is None
            page = workflow.head.get(f"/letters/{letter_id}").get_data(as_text=True)
            assert (
                "success",
                f"Sedang diterbitkan: nomor {number} dipesan dan PDF surat sedang dibuat. "
                "Halaman ini diperbarui sendiri.",
            ) in flashes(page)
            run_worker(app)
    letter = _letter(letter_id)
    assert (letter.status, letter.signed, letter.number, letter.sequence) == (
        LetterStatus.ISSUED,
        False,
        number,
        1,
    )
    _assert_unsigned(letter.pdf)
