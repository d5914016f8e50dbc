"""The deadlines dashboard's monthly compliance chart in Chromium: on a phone (390 × 844) every month's
figures are legible (text drawn at 12 CSS px or more, none overlapping, bars apart) and the page is no wider
than the screen; the same at a small phone's, a tablet's and desktop widths (the table on narrow screens, the
columns on wide ones)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ombudsman.deadlines import follow_up, services
from ombudsman.deadlines.commands import RecordOutcome
from ombudsman.extensions import db
from ombudsman.recommendations import services as recommendations

pytestmark = pytest.mark.browser

TODAY = date(2018, 9, 26)
#: Letters received by the Ditjen (month, received on, clocks started, closed on time): with the demo letter
#: to Kota Kupang (seven deadlines due 20 September 2018, all overdue) five months of the twelve have figures.
RECEIVED = [
    (date(2018, 1, 8), 4, 3),
    (date(2018, 3, 5), 5, 5),
    (date(2018, 5, 7), 3, 1),
    (date(2018, 7, 2), 6, 2),
]
#: What each month of the chart must show, October 2017 to September 2018 (the demo's dates, Indonesian).
MONTHS = ["Okt 2017", "Nov 2017", "Des 2017", "Jan 2018", "Feb 2018", "Mar 2018"]
MONTHS += ["Apr 2018", "Mei 2018", "Jun 2018", "Jul 2018", "Agu 2018", "Sep 2018"]
#: The share met on time and met/decided of the five months with figures (the months' order aside).
FIGURES = [("75%", "3/4"), ("100%", "5/5"), ("33%", "1/3"), ("33%", "2/6"), ("0%", "0/7")]

#: Every piece of text drawn in the chart's card, with its font size as computed and as drawn on screen (an
#: SVG's text is scaled with its viewBox: the computed size alone says nothing of what the eye gets).
TEXTS = """(card) => {
  const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  return [...card.querySelectorAll('*')]
    .filter(e => shown(e) && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
    .filter(e => !e.closest('title, desc'))
    .map(e => {
      const size = parseFloat(getComputedStyle(e).fontSize);
      const scale = e instanceof SVGGraphicsElement ? e.getScreenCTM().a : 1;
      const box = e.getBoundingClientRect();
      return {text: e.textContent.trim(), size, drawn: size * scale,
              left: box.left, right: box.right, top: box.top, bottom: box.bottom};
    });
}"""

#: The bars as drawn (only those with a height: a month with nothing due has none).
BARS = """(card) => [...card.querySelectorAll('.bar-fill')]
  .filter(e => e.getClientRects().length > 0)
  .map(e => e.getBoundingClientRect())
  .filter(b => b.width > 0 && b.height > 0)
  .map(({left, right, top, bottom, width, height}) => ({left, right, top, bottom, width, height}))"""

#: How wide the document is, and the elements past the screen's right edge that no scroll box of their own
#: holds (what makes the page scroll sideways).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  const inScrollBox = e => {
    for (let p = e.parentElement; p; p = p.parentElement) if (scrolls(p)) return true;
    return false;
  };
  const name = e => `${e.tagName.toLowerCase()}.${e.className.baseVal ?? e.className}`;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 0.5 && !inScrollBox(e))
    .map(e => `${name(e)}: ${e.getBoundingClientRect().right}`);
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8)};
}"""


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", TODAY.isoformat())


@pytest.fixture
def twelve_months(demo, started) -> None:
    """Deadlines due in five of the chart's twelve months, some met (closed on time), the rest overdue."""
    for received, n, met in RECEIVED:
        for i in range(n):
            rec = recommendations.create(
                demo.office.id,
                demo.users["inspector"],
                {"finding_ids": [demo.findings[9].id], "authority_id": demo.ditjen.id, "text": f"Saran {i}"},
            )
            services.start_clock(
                rec, received_on=received, issued_on=None, user=demo.users["head"], today=received
            )
            if i < met:
                follow_up.record_outcome(
                    rec,
                    RecordOutcome(
                        status="implemented", closed_on=received + timedelta(days=14), note="Diverifikasi"
                    ),
                    evidence=[],
                    user=demo.users["supervisor"],
                    today=TODAY,
                    store=None,
                )
    db.session.commit()


def _dashboard(page, tmp_path, name: str):
    """The dashboard's chart card, after a screenshot of it (kept in the test's folder to look at)."""
    page.goto("/deadlines/")
    card = page.locator(".chart")
    card.scroll_into_view_if_needed()
    card.screenshot(path=str(tmp_path / f"{name}.png"))
    page.screenshot(path=str(tmp_path / f"{name}-screen.png"))
    return card


def _overlap(a: dict, b: dict) -> bool:
    """Whether two boxes share more than a pixel both ways (rounding of font metrics aside)."""
    return min(a["right"], b["right"]) - max(a["left"], b["left"]) > 1 and (
        min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 1
    )


def _assert_legible(page, card) -> list[dict]:
    """Every month's figures written at 12 px or more as drawn, all on the screen, none over another; the
    bars drawn apart; the page no wider than the screen (no sideways scrolling). Returns the texts (TEXTS)."""
    width = page.viewport_size["width"]
    texts = card.evaluate(TEXTS)
    assert [(t["text"], round(t["drawn"], 1)) for t in texts if t["drawn"] < 12] == []
    shown = " | ".join(t["text"] for t in texts)
    assert [month for month in MONTHS if month not in shown] == []
    assert [f for f in FIGURES if f[0] not in shown or f[1] not in shown] == []
    # Nothing to scroll to, nothing cut off at the edge, nothing written over something else.
    assert [t["text"] for t in texts if t["left"] < 0 or t["right"] > width] == []
    clashes = [(a["text"], b["text"]) for i, a in enumerate(texts) for b in texts[i + 1 :] if _overlap(a, b)]
    assert clashes == []

    bars = card.evaluate(BARS)
    assert len(bars) == 4  # the months met above 0% (September's 0% draws none)
    assert min(min(b["height"], b["width"]) for b in bars) >= 8
    assert [(a, b) for i, a in enumerate(bars) for b in bars[i + 1 :] if _overlap(a, b)] == []

    overflow = page.evaluate(OVERFLOW)
    assert overflow["scroll"] <= width and overflow["wide"] == [], overflow
    return texts


def test_on_a_phone_every_month_is_legible_and_the_page_does_not_scroll_sideways(
    twelve_months, phone, browser_login, tmp_path
):
    browser_login(phone, "viewer@demo.test")

    card = _dashboard(phone, tmp_path, "chart-390")

    assert phone.locator("#compliance-chart").is_hidden()  # the columns would be drawn at half size
    texts = _assert_legible(phone, card)
    assert [(t["text"], t["size"]) for t in texts if t["size"] < 12] == []  # as computed, too


@pytest.mark.parametrize(
    ("width", "drawing"),
    [
        (360, "#compliance-rows"),
        (800, "#compliance-rows"),
        (960, "#compliance-chart"),
        (1280, "#compliance-chart"),
    ],
)
def test_at_other_widths_the_chart_shown_is_as_legible(
    twelve_months, chromium, live_server, browser_login, tmp_path, width, drawing
):
    context = chromium.new_context(
        viewport={"width": width, "height": 900}, base_url=live_server, locale="id-ID"
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        browser_login(page, "viewer@demo.test")

        card = _dashboard(page, tmp_path, f"chart-{width}")

        assert page.locator(drawing).is_visible()
        _assert_legible(page, card)
    finally:
        context.close()
