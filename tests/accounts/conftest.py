"""Fixtures of the account tests: a real SMTP server on loopback for the password-reset e-mails."""

from __future__ import annotations

import email
import email.policy
import socket
import time
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[email.message.EmailMessage]:
        """The messages once at least `count` have arrived (the server runs in its own thread)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.messages)


@pytest.fixture
def smtp(app):
    """A real SMTP server on 127.0.0.1, and the app configured to send through it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, PUBLIC_BASE_URL="https://pelacak.test"
    )
    try:
        yield SimpleNamespace(inbox=inbox, port=controller.port)
    finally:
        controller.stop()
