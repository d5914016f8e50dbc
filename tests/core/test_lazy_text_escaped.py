"""Lazily translated messages are escaped in HTML like any text: a routing rule's theme and reason typed
with markup show as text in the suggestion on the finding form (QA: it was live HTML on the edit page)."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import LazyString, lazy_gettext
from markupsafe import escape
from sqlalchemy import select

from ombudsman.authorities.models import RoutingRule
from ombudsman.extensions import db

TAG = '<img src=x onerror="alert(1)">'


def test_a_lazy_string_is_escaped_by_jinja_and_markupsafe(app):
    with app.test_request_context():
        lazy = LazyString(lambda: f"Tema {TAG}")
        assert render_template_string("{{ text }}", text=lazy) == "Tema " + str(escape(TAG))
        assert "<img" not in str(escape(lazy_gettext("Aturan \u201c%(theme)s\u201d", theme=TAG)))


def test_json_writes_a_lazy_string_as_its_plain_text(app):
    with app.test_request_context():
        lazy = LazyString(lambda: f"Tema {TAG} & it's")
        assert app.json.loads(app.json.dumps({"error": lazy})) == {"error": f"Tema {TAG} & it's"}


def test_the_routing_suggestion_on_the_finding_edit_page_shows_markup_as_text(demo, login):
    rule = db.session.scalar(select(RoutingRule).where(RoutingRule.id == demo.findings[1].routing_rule_id))
    assert rule is not None
    rule.theme, rule.reason = f"{rule.theme} {TAG}", f"{rule.reason} <b>tebal</b>"
    db.session.commit()
    page = login("inspector@demo.test").get(f"/findings/{demo.findings[1].id}/edit").get_data(as_text=True)
    suggestion = page[page.index('id="suggestion"') :].split("</div>", 1)[0]
    assert "&lt;img src=x" in suggestion and "&lt;b&gt;tebal&lt;/b&gt;" in suggestion
    assert "<img src=x" not in page and "<b>tebal" not in page
