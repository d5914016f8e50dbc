"""Reminder digests by e-mail and private iCalendar feeds of the deadlines a user follows.

Digests: `collect` finds, per office and for its own "today", every deadline now due soon, overdue or very
overdue that a recipient has not been told about for that state and due date, and adds a `ReminderNotice`
for each; the caller commits, then `send` mails the digests. Running it again finds nothing new, two runs at
once collide on the notices' unique key before anything is sent, and a digest that cannot be delivered has
its notices withdrawn (`withdraw`) so that the next run tries again.

The responsible inspector of a recommendation is its author; every active supervisor of the office follows
all of them. The digest also carries what authorities did in their portal since the last run (responses,
extension requests: `ombudsman.portal.digest`).
In the calendar feed an inspector sees their own deadlines, everybody else the whole office's.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage

import icalendar
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import joinedload

from ombudsman import dates
from ombudsman.accounts.models import Office, Role, User
from ombudsman.audit import services as audit
from ombudsman.clock import utcnow
from ombudsman.deadlines.labels import STATE_LABELS, warning_texts
from ombudsman.deadlines.models import ALERT_STATES, CalendarFeed, Deadline, DeadlineState, ReminderNotice
from ombudsman.deadlines.settings import office_calendar, state_cutoffs
from ombudsman.deadlines.states import state_expression
from ombudsman.extensions import db
from ombudsman.mail import plain_message, send_messages
from ombudsman.portal import digest as portal_digest
from ombudsman.recommendations.models import Recommendation

FOLLOW_UP_PATH = "/deadlines/recommendations/{id}"


def follow_up_url(base_url: str, recommendation_id: int) -> str:
    """The absolute address of a recommendation's follow-up page."""
    return base_url.rstrip("/") + FOLLOW_UP_PATH.format(id=recommendation_id)


@dataclass(frozen=True)
class DigestItem:
    """One deadline that reached a state the recipient has not been told about."""

    deadline_id: int
    recommendation_id: int
    state: DeadlineState
    due_on: date
    authority: str
    text: str
    explanation: str
    # As stored (`Deadline.warnings`): said in the recipient's language when the e-mail is written.
    warnings: tuple[str, ...] = ()


@dataclass
class Digest:
    """What one person is told in one e-mail."""

    user_id: int
    email: str
    name: str
    office_name: str
    today: date
    items: list[DigestItem] = field(default_factory=list)
    locale: str = "id"  # the recipient's language: the e-mail is written in it
    # What authorities did in the portal (`ombudsman.portal.digest.PortalNews`).
    portal: list = field(default_factory=list)


def _supervisors(office_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(
                User.office_id == office_id, User.role == Role.SUPERVISOR, User.active.is_(True)
            )
        )
    )


def collect(office: Office, *, today: date) -> list[Digest]:
    """Add a notice for every not yet announced alert of the office and return the digests to send."""
    cut = state_cutoffs(office, today, office_calendar(office))
    state = state_expression(cut)
    rows = db.session.execute(
        select(Deadline, state)
        .join(Deadline.recommendation)
        .where(Deadline.office_id == office.id, state.in_([s.value for s in ALERT_STATES]))
        .options(
            joinedload(Deadline.recommendation).joinedload(Recommendation.authority),
            joinedload(Deadline.recommendation).joinedload(Recommendation.created_by),
        )
        .order_by(Deadline.due_on, Deadline.id)
    ).all()
    announced = set(
        db.session.execute(
            select(
                ReminderNotice.deadline_id,
                ReminderNotice.user_id,
                ReminderNotice.state,
                ReminderNotice.due_on,
            )
            .join(Deadline, Deadline.id == ReminderNotice.deadline_id)
            .where(Deadline.office_id == office.id, Deadline.closed_on.is_(None))
        ).all()
    )
    supervisors = _supervisors(office.id)
    digests: dict[int, Digest] = {}
    for deadline, state_value in rows:
        rec = deadline.recommendation
        st = DeadlineState(state_value)
        recipients = {u.id: u for u in [rec.created_by, *supervisors] if u is not None and u.active}
        for user in recipients.values():
            key = (deadline.id, user.id, st, deadline.due_on)
            if key in announced:
                continue
            announced.add(key)
            db.session.add(
                ReminderNotice(deadline_id=deadline.id, user_id=user.id, state=st, due_on=deadline.due_on)
            )
            digest = digests.setdefault(
                user.id,
                Digest(user.id, user.email, user.name, office.name, today, locale=user.locale or "id"),
            )
            digest.items.append(
                DigestItem(
                    deadline.id,
                    rec.id,
                    st,
                    deadline.due_on,
                    rec.authority.name,
                    rec.text,
                    deadline.explanation_in(digest.locale),
                    tuple(deadline.warnings or ()),
                )
            )
    for user, news in portal_digest.collect(office.id, supervisors, now=utcnow()):
        digest = digests.setdefault(
            user.id, Digest(user.id, user.email, user.name, office.name, today, locale=user.locale or "id")
        )
        digest.portal.append(news)
    db.session.flush()
    return list(digests.values())


def withdraw(digest: Digest) -> None:
    """Forget the notices of a digest that could not be delivered, so the next run announces them again."""
    portal_digest.withdraw(digest.portal)
    keys = [(i.deadline_id, digest.user_id, i.state.value, i.due_on) for i in digest.items]
    db.session.execute(
        delete(ReminderNotice).where(
            tuple_(
                ReminderNotice.deadline_id,
                ReminderNotice.user_id,
                ReminderNotice.state,
                ReminderNotice.due_on,
            ).in_(keys)
        )
    )


def _shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def message(digest: Digest, *, sender: str, base_url: str) -> EmailMessage:
    """The digest as a plain-text e-mail in the recipient's language."""
    with force_locale(digest.locale):
        return _message(digest, sender=sender, base_url=base_url)


def _message(digest: Digest, *, sender: str, base_url: str) -> EmailMessage:
    counts = {s: sum(1 for i in digest.items if i.state is s) for s in ALERT_STATES}
    summary = ", ".join(f"{n} {str(STATE_LABELS[s]).lower()}" for s, n in counts.items() if n)
    if digest.portal:
        news = _("%(n)d kabar dari portal instansi", n=len(digest.portal))
        summary = f"{summary}, {news}" if summary else news
    lines = [
        _("Yth. %(name)s,", name=digest.name),
        "",
        _(
            "Ringkasan tenggat tindak lanjut %(office)s per %(day)s:",
            office=digest.office_name,
            day=dates.long_date(digest.today),
        ),
    ]
    for state in ALERT_STATES:
        items = [i for i in digest.items if i.state is state]
        if not items:
            continue
        heading = str(STATE_LABELS[state])
        lines += ["", f"{heading} ({len(items)})", "-" * len(heading)]
        for item in items:
            lines += [
                f"* {item.authority}: {_shorten(item.text)}",
                "  " + _("Jatuh tempo %(day)s", day=dates.long_date(item.due_on)),
                *("  " + _("Peringatan: %(text)s", text=w) for w in warning_texts(item.warnings)),
                f"  {follow_up_url(base_url, item.recommendation_id)}",
            ]
    lines += _portal_lines(digest, base_url)
    lines += [
        "",
        _("Setiap tenggat hanya diberitahukan sekali untuk setiap keadaan."),
        _("Pesan ini dikirim otomatis oleh pelacak inspeksi Ombudsman."),
    ]
    return plain_message(
        sender=sender,
        to=digest.email,
        subject=_("Tenggat tindak lanjut: %(summary)s", summary=summary),
        body="\n".join(lines),
    )


def _portal_lines(digest: Digest, base_url: str) -> list[str]:
    """The digest's section on what authorities did in the portal."""
    if not digest.portal:
        return []
    from ombudsman.portal.models import ResponseStatus
    from ombudsman.portal.responses import RESPONSE_LABELS

    heading = _("Dari portal instansi")
    lines = ["", f"{heading} ({len(digest.portal)})", "-" * len(heading)]
    for news in digest.portal:
        if news.kind == portal_digest.RESPONSE:
            what = _("Tanggapan: %(status)s", status=RESPONSE_LABELS[ResponseStatus(news.status)])
        else:
            what = _("Permohonan perpanjangan sampai %(day)s", day=dates.long_date(news.proposed_due_on))
        lines += [
            f"* {news.authority}: {_shorten(news.text)}",
            f"  {what}",
            f"  {follow_up_url(base_url, news.recommendation_id)}",
        ]
    return lines


def send(digests: Iterable[Digest], config: Mapping) -> list[tuple[Digest, Exception]]:
    """Mail the digests over one SMTP connection (ombudsman.mail); returns the failed ones with errors."""
    digests = list(digests)
    sender, base_url = config["MAIL_DEFAULT_SENDER"], config["PUBLIC_BASE_URL"]
    failed = send_messages((message(d, sender=sender, base_url=base_url) for d in digests), config)
    return [(digests[n], exc) for n, exc in failed]


# --- calendar feeds --------------------------------------------------------------------------------------

TOKEN_BYTES = 32


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_feed_token(user: User) -> str:
    """A new private feed token for the user (the old address stops working); only its hash is stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    action = "regenerated" if feed else "created"
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.token_hash = _hash(token)
    feed.created_at = utcnow()
    db.session.flush()
    audit.record("calendar_feed", feed.id, action, user_id=user.id, office_id=user.office_id)
    return token


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed of an active user for a token, or None."""
    if not token or len(token) > 200:
        return None
    feed = db.session.scalar(
        select(CalendarFeed)
        .where(CalendarFeed.token_hash == _hash(token))
        .options(joinedload(CalendarFeed.user))
    )
    return feed if feed is not None and feed.user.active else None


def has_feed(user: User) -> bool:
    """Whether the user has generated a feed address."""
    return db.session.scalar(select(CalendarFeed.id).where(CalendarFeed.user_id == user.id)) is not None


def followed_deadlines(user: User) -> list[Deadline]:
    """Running deadlines the user follows: an inspector their own recommendations', others the office's."""
    stmt = (
        select(Deadline)
        .join(Deadline.recommendation)
        .where(
            Deadline.office_id == user.office_id, Deadline.closed_on.is_(None), Deadline.stopped_on.is_(None)
        )
        .options(joinedload(Deadline.recommendation).joinedload(Recommendation.authority))
        .order_by(Deadline.due_on, Deadline.id)
    )
    if user.role is Role.INSPECTOR:
        stmt = stmt.where(Recommendation.created_by_id == user.id)
    return list(db.session.scalars(stmt))


def ical_feed(user: User, deadlines: Iterable[Deadline], *, base_url: str) -> bytes:
    """An iCalendar document with one all-day event on each due date, in the user's language."""
    with force_locale(user.locale or "id"):
        return _ical_feed(user, deadlines, base_url=base_url)


def _ical_feed(user: User, deadlines: Iterable[Deadline], *, base_url: str) -> bytes:
    host = base_url.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Ombudsman RI//Pelacak Tenggat Tindak Lanjut//ID")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("Tenggat tindak lanjut \u2013 %(name)s", name=user.name))
    stamp = utcnow()
    for deadline in deadlines:
        rec = deadline.recommendation
        url = follow_up_url(base_url, rec.id)
        event = icalendar.Event()
        event.add("uid", f"deadline-{deadline.id}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.due_on)
        event.add("dtend", deadline.due_on + timedelta(days=1))
        event.add(
            "summary",
            _(
                "Tenggat: %(authority)s \u2013 %(text)s",
                authority=rec.authority.short_name or rec.authority.name,
                text=_shorten(rec.text, 80),
            ),
        )
        # The warnings travel with the date: a calendar shows no page beside it.
        warned = [_("Peringatan: %(text)s", text=w) for w in warning_texts(deadline.warnings)]
        event.add("description", "\n\n".join([rec.text, deadline.explanation, *warned, url]))
        event.add("url", url)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
