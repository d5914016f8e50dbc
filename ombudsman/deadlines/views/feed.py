"""The private iCalendar feed of the deadlines a user follows, and the page that issues its address."""

from __future__ import annotations

from flask import Response, abort, current_app, redirect, render_template, session, url_for
from flask_login import current_user

from ombudsman.accounts.permissions import EVERYONE, public, roles_required
from ombudsman.deadlines import reminders
from ombudsman.deadlines.forms import ConfirmForm
from ombudsman.deadlines.views.common import bp
from ombudsman.extensions import db

FEED_SESSION_KEY = "deadlines_new_feed_token"


@bp.route("/calendar", methods=["GET", "POST"])
@roles_required(EVERYONE)
def calendar_feed():
    """Create or regenerate the user's private calendar address; it is shown once, right after."""
    form = ConfirmForm()
    if form.validate_on_submit():
        token = reminders.issue_feed_token(current_user)
        db.session.commit()
        session[FEED_SESSION_KEY] = token
        return redirect(url_for("deadlines.calendar_feed"), 303)
    token = session.pop(FEED_SESSION_KEY, None)
    url = url_for("deadlines.ical", token=token, _external=True) if token else None
    return render_template(
        "deadlines/calendar_feed.html", form=form, feed_url=url, has_feed=reminders.has_feed(current_user)
    )


@bp.get("/calendar/<token>.ics")
@public
def ical(token: str):
    """The private iCalendar feed (no login: calendar apps cannot log in; the token is the secret)."""
    feed = reminders.feed_for_token(token)
    if feed is None:
        abort(404)
    body = reminders.ical_feed(
        feed.user, reminders.followed_deadlines(feed.user), base_url=current_app.config["PUBLIC_BASE_URL"]
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Content-Disposition"] = "inline; filename=tenggat.ics"
    return response
