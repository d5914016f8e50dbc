"""Tembusan lines a clerk could not sign: an authority twice, the same text twice, and a line with both an
authority and text (one of the two would be lost). Refused on the form (input kept) and by the API (422 on
`copies`); nothing is saved."""

import pytest

from ombudsman.extensions import db
from ombudsman.letters.models import Letter
from tests.api.conftest import ApiClient, issue


def _form(demo, letter, copies: list[tuple[str, str]]) -> dict:
    data = {
        "kind": "saran",
        "authority_id": str(demo.pemkot.id),
        "recipient_lines": "Wali Kota Kupang\ndi Kupang",
        "hal": "Hasil inspeksi layanan KTP-el",
        "sifat": "Penting",
        "lampiran": "-",
        "place": "Kupang",
        "opening": "Pembuka",
        "closing": "Penutup",
        "signatory_title": "Kepala Perwakilan",
        "signatory_name": "Darius Beda Daton",
        "recommendation_ids": [str(r.id) for r in letter.recommendations],
    }
    for i, (authority_id, text) in enumerate(copies):
        data[f"copies-{i}-authority_id"] = authority_id
        data[f"copies-{i}-text"] = text
    return data


def _copies(letter_id: int) -> list[tuple[int | None, str]]:
    db.session.expire_all()
    return [(c.authority_id, c.text) for c in db.session.get(Letter, letter_id).copies]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            lambda d: [(str(d.pemprov.id), ""), ("", "Ketua Ombudsman RI"), (str(d.pemprov.id), "")],
            "sudah ada",
        ),
        (lambda d: [("", "Ketua Ombudsman RI"), ("", "  ketua  ombudsman RI ")], "tertulis dua kali"),
        (lambda d: [(str(d.pemprov.id), "Gubernur NTT di Kupang")], "tidak keduanya"),
    ],
)
def test_the_form_refuses_the_line_and_keeps_what_was_typed(demo, letters, login, lines, message):
    inspector = login("inspector@demo.test")
    before = _copies(letters.kota.id)
    copies = lines(demo)
    refused = inspector.post(f"/letters/{letters.kota.id}/edit", data=_form(demo, letters.kota, copies))
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert message in page
    for authority_id, text in copies:  # every line as typed is still on the form
        if text:
            assert text.replace("  ", " ").strip()[:10] in page or text in page
        if authority_id:
            assert f'<option selected value="{authority_id}">' in page
    assert _copies(letters.kota.id) == before


def test_distinct_lines_are_saved_in_order(demo, letters, login):
    inspector = login("inspector@demo.test")
    copies = [(str(demo.pemprov.id), ""), ("", "Ketua Ombudsman RI"), (str(demo.ditjen.id), "")]
    saved = inspector.post(f"/letters/{letters.kota.id}/edit", data=_form(demo, letters.kota, copies))
    assert saved.status_code == 303
    assert _copies(letters.kota.id) == [
        (demo.pemprov.id, ""),
        (None, "Ketua Ombudsman RI"),
        (demo.ditjen.id, ""),
    ]


def test_the_api_answers_422_on_copies_in_the_callers_language(app, demo, letters):
    user = demo.users["inspector"]
    api = ApiClient(app.test_client(), issue(user))
    url = f"/api/v1/letters/{letters.kota.id}"
    twice = {"copies": [{"authority_id": demo.pemprov.id}, {"authority_id": demo.pemprov.id}]}
    response = api.patch(url, json=twice)
    assert response.status_code == 422
    assert "sudah ada di tembusan" in response.get_json()["fields"]["copies"][0]

    user.locale = "en"
    db.session.commit()
    english = ApiClient(app.test_client(), issue(user))
    response = english.patch(url, json={"copies": [{"authority_id": demo.pemprov.id, "text": "Gubernur"}]})
    assert response.status_code == 422
    both = "A tembusan line holds an authority or free text, not both."
    assert response.get_json()["fields"]["copies"] == [both]
