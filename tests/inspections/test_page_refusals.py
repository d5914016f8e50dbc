"""The inspection and finding pages' own forms lose nothing when refused: the checklist shows every answer and
note as entered with the message under the note at fault, and an evidence upload shows its caption as typed
with the files that passed the checks held for the next submission (nothing stored until then)."""

from __future__ import annotations

import hashlib
import html
import io

from held_testing import TOKEN, held_files
from sqlalchemy import func, select

from ombudsman.extensions import db
from ombudsman.inspections.commands import ANSWER_NOTE, CAPTION
from ombudsman.inspections.models import ChecklistAnswer, Evidence


def _evidence() -> int:
    return db.session.scalar(select(func.count()).select_from(Evidence))


def _rows(demo) -> dict:
    return {item.code: item for item in demo.inspection.checklist.items}


def test_a_refused_checklist_shows_every_answer_and_note_as_entered(demo, login):
    b = login("inspector@demo.test")
    rows = _rows(demo)
    queue, blanks = rows["antrean_nomor"], rows["pusat_blanko"]
    data = {
        f"answer-{queue.id}": "absent",
        f"note-{queue.id}": "Mesin antrean rusak sejak Juni",
        f"answer-{blanks.id}": "partial",
        f"note-{blanks.id}": "x" * (ANSWER_NOTE.max + 1),
    }
    response = b.post(f"/inspections/{demo.inspection.id}/checklist", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Mesin antrean rusak sejak Juni"' in page
    assert f'name="answer-{queue.id}" value="absent" checked' in page
    assert f'name="answer-{blanks.id}" value="partial" checked' in page
    assert "x" * (ANSWER_NOTE.max + 1) in page  # the long note too, to be shortened by the user
    note_field = page[page.index(f'name="note-{blanks.id}"') :]
    assert 'aria-invalid="true"' in note_field.split(">", 1)[0]
    assert str(ANSWER_NOTE.max) in note_field.split("</div>", 1)[0]  # its message, under it
    assert "Periksa isian yang ditandai di bawah." in page
    assert f'action="/inspections/{demo.inspection.id}/checklist#checklist"' in page
    assert db.session.scalars(select(ChecklistAnswer)).all() == []  # nothing saved, not even the valid row


def test_a_control_character_in_a_note_is_refused_under_the_note(demo, login):
    b = login("inspector@demo.test")
    item = _rows(demo)["antrean_nomor"]
    response = b.post(
        f"/inspections/{demo.inspection.id}/checklist",
        data={f"answer-{item.id}": "absent", f"note-{item.id}": "antre\x00an"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    note_field = page[page.index(f'name="note-{item.id}"') :].split("</div>", 1)[0]
    assert 'class="error"' in note_field
    assert db.session.scalars(select(ChecklistAnswer)).all() == []


def test_a_refused_upload_keeps_the_caption_and_holds_the_good_file(demo, login, app, jpeg_bytes):
    b = login("inspector@demo.test")
    url = f"/inspections/{demo.inspection.id}/evidence"
    response = b.post(
        url,
        data={
            "files": [(io.BytesIO(jpeg_bytes), "loket.jpg"), (io.BytesIO(b"MZ\x90\x00 exe"), "foto.jpg")],
            "caption": "Loket 2 tutup",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "tidak diterima" in page and 'value="Loket 2 tutup"' in page
    assert "Berkas \u201cloket.jpg\u201d tetap terlampir" in page
    assert _evidence() == 0 and len(held_files(app)) == 2  # the good file's bytes and owner, nothing stored

    token = TOKEN.search(page).group(1)
    saved = b.post(
        url, data={"held_photo": token, "caption": "Loket 2 tutup"}, content_type="multipart/form-data"
    )
    assert saved.status_code == 303 and saved.headers["Location"].endswith("#evidence")
    evidence = db.session.scalar(select(Evidence))
    assert evidence.sha256 == hashlib.sha256(jpeg_bytes).hexdigest()
    assert (evidence.original_filename, evidence.caption) == ("loket.jpg", "Loket 2 tutup")
    assert held_files(app) == []


def test_a_too_long_caption_on_a_finding_is_shown_again_not_a_400(demo, login, app, png_bytes):
    b = login("inspector@demo.test")
    finding = demo.findings[1]
    caption = "k" * (CAPTION.max + 1)
    response = b.post(
        f"/findings/{finding.id}/evidence",
        data={"files": (io.BytesIO(png_bytes), "kursi.png"), "caption": caption},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'value="{caption}"' in page and "Berkas \u201ckursi.png\u201d tetap terlampir" in page
    caption_field = page[page.index('id="field-caption"') :].split("</div>", 1)[0]
    assert 'class="error"' in caption_field
    assert _evidence() == 0

    fixed = b.post(
        f"/findings/{finding.id}/evidence",
        data={"held_photo": TOKEN.search(page).group(1), "caption": "Kursi patah"},
        content_type="multipart/form-data",
    )
    assert fixed.status_code == 303
    assert db.session.scalar(select(Evidence.finding_id)) == finding.id and held_files(app) == []


def test_an_upload_without_a_file_says_so_under_the_field(demo, login):
    b = login("inspector@demo.test")
    response = b.post(
        f"/inspections/{demo.inspection.id}/evidence",
        data={"caption": "tanpa berkas"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    files_field = page[page.index('id="field-files"') :].split("</div>", 1)[0]
    assert "Pilih minimal satu berkas." in files_field and 'value="tanpa berkas"' in page


def test_a_removed_held_file_is_dropped_and_not_stored(demo, login, app, jpeg_bytes):
    b = login("inspector@demo.test")
    url = f"/inspections/{demo.inspection.id}/evidence"
    refused = b.post(
        url,
        data={"files": (io.BytesIO(jpeg_bytes), "loket.jpg"), "caption": "c" * (CAPTION.max + 1)},
        content_type="multipart/form-data",
    )
    token = TOKEN.search(refused.get_data(as_text=True)).group(1)
    again = b.post(
        url,
        data={"held_photo": token, "remove_held_photo": token, "caption": "ok"},
        content_type="multipart/form-data",
    )
    assert again.status_code == 422  # no file left to store
    assert "Pilih minimal satu berkas." in html.unescape(again.get_data(as_text=True))
    assert _evidence() == 0 and held_files(app) == []


def test_an_answer_the_page_does_not_offer_is_shown_again_with_every_note(demo, login):
    b = login("inspector@demo.test")
    rows = _rows(demo)
    queue, blanks = rows["antrean_nomor"], rows["pusat_blanko"]
    data = {
        f"answer-{queue.id}": "maybe",
        f"note-{queue.id}": "Mesin antrean rusak sejak Juni",
        f"answer-{blanks.id}": "partial",
        f"note-{blanks.id}": "Blanko habis",
    }
    response = b.post(f"/inspections/{demo.inspection.id}/checklist", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Mesin antrean rusak sejak Juni"' in page and 'value="Blanko habis"' in page
    assert f'name="answer-{blanks.id}" value="partial" checked' in page
    row = page[page.index(f'name="note-{queue.id}"') :].split("</div>", 1)[0]
    assert "Pilih salah satu jawaban yang tersedia." in row
    assert db.session.scalars(select(ChecklistAnswer)).all() == []


def test_a_theme_or_checklist_item_id_beyond_the_database_is_refused_on_the_form(demo, login):
    b = login("inspector@demo.test")
    huge = "9" * 20
    finding = demo.findings[1]
    for url in (f"/inspections/{demo.inspection.id}/findings/new", f"/findings/{finding.id}/edit"):
        for field in ("routing_rule_id", "checklist_item_id"):
            response = b.post(
                url,
                data={"title": "Catatan", "severity": "medium", "responsible_authority_id": "", field: huge},
            )
            assert response.status_code == 422, (url, field, response.status_code)
            assert "Pilihan tidak sah." in response.get_data(as_text=True)
