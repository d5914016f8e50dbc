"""Outgoing e-mail over SMTP: the one sender used by the reminder digests and the password-reset links.

Settings (config.py): MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS (STARTTLS), MAIL_USERNAME, MAIL_PASSWORD,
MAIL_DEFAULT_SENDER, MAIL_TIMEOUT (seconds, 30 by default). Callers send after their transaction commits.
MAIL_BACKEND "smtp" (production, tests) sends over SMTP; "log" (development, `make run`) sends nothing: each
message is logged whole at INFO on the "ombudsman.mail" logger and written to MAIL_LOG_DIR as <timestamp>.eml.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

log = logging.getLogger("ombudsman.mail")


def plain_message(*, sender: str, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text e-mail with Date and Message-ID set."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(body)
    return msg


SMTP_SETTINGS = (
    "MAIL_BACKEND",
    "MAIL_LOG_DIR",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_TIMEOUT",
    "MAIL_USE_TLS",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
)


def send_in_background(
    messages: Iterable[EmailMessage], config: Mapping, *, logger: logging.Logger
) -> threading.Thread:
    """Send the messages from a thread of their own and return it (started); failures are logged.

    For answers that must not wait for the SMTP exchange, nor show by their timing whether a mail went out
    (the password-reset request). A worker stopped mid-send loses the mail; the user can ask again.
    """
    messages = list(messages)
    settings = {key: config[key] for key in SMTP_SETTINGS if key in config}

    def run() -> None:
        for n, exc in send_messages(messages, settings):
            logger.warning("mail to %s not sent: %s", messages[n]["To"], exc)

    thread = threading.Thread(target=run, name="mail", daemon=True)
    thread.start()
    return thread


def send_messages(messages: Iterable[EmailMessage], config: Mapping) -> list[tuple[int, Exception]]:
    """Send the messages over one SMTP connection; returns (position, error) of each one that failed.

    A connection that cannot be opened fails them all (OSError, smtplib.SMTPException); nothing is raised.
    With MAIL_BACKEND "log" each message goes to the log and to MAIL_LOG_DIR instead (`log_messages`).
    """
    messages = list(messages)
    if not messages:
        return []
    if config.get("MAIL_BACKEND", "smtp") == "log":
        return log_messages(messages, config["MAIL_LOG_DIR"])
    try:
        smtp = smtplib.SMTP(
            config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=config.get("MAIL_TIMEOUT", 30)
        )
    except OSError as exc:
        return [(n, exc) for n in range(len(messages))]
    failed: list[tuple[int, Exception]] = []
    with smtp:
        try:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        except (OSError, smtplib.SMTPException) as exc:
            return [(n, exc) for n in range(len(messages))]
        for n, msg in enumerate(messages):
            try:
                smtp.send_message(msg)
            except smtplib.SMTPException as exc:
                failed.append((n, exc))
    return failed


def log_messages(messages: list[EmailMessage], directory: str | Path) -> list[tuple[int, Exception]]:
    """Development's mail backend: log each message whole (INFO, headers and body with its links) and write
    it to `directory` as <UTC timestamp>-<n>.eml (created if missing; open with any mail reader).

    Returns (position, error) of each message whose file could not be written (OSError); it is still logged.
    """
    folder = Path(directory)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    failed: list[tuple[int, Exception]] = []
    for n, msg in enumerate(messages):
        text = msg.as_string()
        log.info("development mail (not sent) to %s:\n%s", msg["To"], text)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{stamp}-{n}.eml").write_text(text, encoding="utf-8")
        except OSError as exc:
            failed.append((n, exc))
    return failed
