"""One word wider than a phone (a pasted address, a name typed without spaces) wraps instead of widening the
page (QA): the home page's cards, and the check-box lists of findings and recommendations of the
recommendation and letter forms."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ombudsman.extensions import db
from ombudsman.letters.models import Letter, LetterStatus
from ombudsman.recommendations.models import Recommendation
from tests.browser.conftest import assert_fits, live_server, phone, sign_in  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

LONG = "PelayananKTPElektronik" * 10  # 220 characters, no space (titles hold 250)


def test_long_words_wrap_on_the_home_page_and_in_check_lists(phone, live_server, sign_in, demo):  # noqa: F811
    demo.inspection.title = LONG
    finding = next(iter(demo.findings.values()))
    finding.title = LONG
    for recommendation in db.session.scalars(select(Recommendation)):
        recommendation.text = LONG
    db.session.commit()
    letter = db.session.scalar(select(Letter).where(Letter.status == LetterStatus.DRAFT).order_by(Letter.id))
    page = phone.new_page()
    sign_in(page, "supervisor@demo.test")
    for path in (
        "/",
        f"/recommendations/new?inspection_id={demo.inspection.id}",
        f"/letters/{letter.id}/edit",
    ):
        page.goto(f"{live_server.url}{path}")
        assert LONG[:30] in page.inner_text("main"), path
        assert_fits(page, path)
