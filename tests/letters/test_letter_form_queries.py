"""The letter form costs the same statements whatever the number of recommendations the letter carries (it
read each recommendation and its findings one by one: two statements more per recommendation)."""

from ombudsman.extensions import db
from ombudsman.letters.models import Letter
from tests.letters.test_tembusan_rules import _form


def _carrying(recs) -> list:
    """A few of the letter's recommendations, with a shared finding among them when the letter has one (so
    that both the small and the full letter name a second authority)."""
    shared = [r for r in recs if any(f.second_authority_id for f in r.findings)]
    return (shared[:1] + [r for r in recs if r not in shared[:1]])[:2]


def test_the_letter_form_statements_do_not_grow_with_its_recommendations(demo, letters, login, count_queries):
    letter = letters.kota
    every = list(letter.recommendations)
    assert len(every) > 2
    few = _carrying(every)
    inspector = login("inspector@demo.test")

    def statements_with(recs) -> int:
        data = _form(demo, letter, []) | {"recommendation_ids": [str(r.id) for r in recs]}
        assert inspector.post(f"/letters/{letter.id}/edit", data=data).status_code == 303
        db.session.expire_all()
        assert len(db.session.get(Letter, letter.id).links) == len(recs)
        inspector.get(f"/letters/{letter.id}/edit")
        with count_queries() as counted:
            page = inspector.get(f"/letters/{letter.id}/edit")
        assert page.status_code == 200
        return counted.count

    assert statements_with(every) == statements_with(few)
