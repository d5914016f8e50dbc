"""The API's 422 answers speak one language: marshmallow's own messages are translated like the project's."""

import pytest

from ombudsman.api.messages import translated
from ombudsman.extensions import db
from tests.api.conftest import ApiClient, issue


def test_a_bad_query_is_answered_in_indonesian_throughout(api):
    body = api("inspector").get("/api/v1/deadlines?state=bogus&page=0&authority_id=abc").get_json()
    assert body["fields"]["page"] == ["Harus antara 1 dan 2147483647."]
    assert body["fields"]["state"][0].startswith("Harus salah satu dari: ")
    assert body["fields"]["authority_id"] == ["Bukan bilangan bulat yang sah."]


def test_a_bad_query_is_answered_in_english_for_an_english_user(app, demo):
    user = demo.users["inspector"]
    user.locale = "en"
    db.session.commit()
    body = ApiClient(app.test_client(), issue(user)).get("/api/v1/deadlines?state=bogus&page=0").get_json()
    assert body["fields"]["page"] == ["Must be between 1 and 2147483647."]
    assert body["fields"]["state"][0].startswith("Must be one of: ")


@pytest.mark.parametrize(
    ("english", "indonesian"),
    [
        ("Missing data for required field.", "Kolom ini wajib diisi."),
        ("Unknown field.", "Kolom tidak dikenal."),
        ("Must be greater than or equal to 1 and less than or equal to 100.", "Harus antara 1 dan 100."),
        ("Must be less than or equal to 100.", "Paling besar 100."),
        ("Must be greater than 0 and less than 5.", "Harus lebih besar dari 0. Harus lebih kecil dari 5."),
        ("Longer than maximum length 200.", "Panjang paling banyak 200."),
        ("Length must be between 1 and 3.", "Panjang harus antara 1 dan 3."),
        ("Must be one of: a, b.", "Harus salah satu dari: a, b."),
        ("Harus bilangan bulat dari 1 sampai 9.", "Harus bilangan bulat dari 1 sampai 9."),  # ours: as it is
    ],
)
def test_each_marshmallow_message_has_its_translation(app, english, indonesian):
    with app.test_request_context():
        assert translated(english) == indonesian
