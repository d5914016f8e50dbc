"""User text in a letter stays text in the preview, the draft PDF and the issued PDF; nothing is fetched."""

from __future__ import annotations

import socket

import pytest
from letter_testing import pdf_text

from ombudsman.extensions import db
from ombudsman.letters import drafting
from ombudsman.letters.commands import CopyLine, LetterDraft
from ombudsman.letters.models import Letter
from ombudsman.pdf import ResourcePolicy

HOSTILE = (
    '<script>alert("x")</script> <img src="file:///etc/passwd"> '
    '<img src="http://127.0.0.1:{port}/x.png"> <link rel="stylesheet" href="http://127.0.0.1:{port}/e.css">'
)


@pytest.fixture
def listener():
    """A loopback socket that would see any request the renderer made."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        sock.setblocking(False)
        yield sock


def test_html_scripts_files_and_urls_in_a_letter_are_printed_and_never_fetched(
    demo, letters, workflow, listener, monkeypatch
):
    hostile = HOSTILE.format(port=listener.getsockname()[1])
    letter = db.session.get(Letter, letters.kota.id)
    drafting.update(
        letter,
        demo.users["inspector"],
        LetterDraft(
            hal=hostile,
            opening=hostile,
            recipient_lines=f"Wali Kota Kupang\n{hostile}",
            closing=hostile,
            copies=(CopyLine(text=hostile),),
        ),
    )
    letter.recommendations[0].text = hostile
    db.session.commit()

    asked: list[str] = []
    original_open = ResourcePolicy.open

    def recording_open(self, url):
        asked.append(url)
        return original_open(self, url)

    monkeypatch.setattr(ResourcePolicy, "open", recording_open)

    preview = workflow.inspector.get(f"/letters/{letter.id}/preview").get_data(as_text=True)
    assert "<script>" not in preview and '<img src="file:///etc/passwd">' not in preview
    assert "&lt;script&gt;" in preview

    draft = workflow.inspector.get(f"/letters/{letter.id}/preview.pdf").get_data()
    issued = workflow.issue(letter.id)
    for pdf in (draft, issued.pdf):
        text = pdf_text(pdf)
        assert text.count('<script>alert("x")</script>') >= 6  # hal, Yth., opening, saran, closing, tembusan
        assert '<img src="file:///etc/passwd">' in text
    assert asked, "the renderer should have asked the fetcher for the stylesheet and the fonts"
    assert all(url.startswith(("file:", "font:", "data:")) for url in asked), asked
    assert not [url for url in asked if "passwd" in url or "127.0.0.1" in url]
    with pytest.raises(BlockingIOError):
        listener.accept()  # nobody connected
    # The pages that show the letter escape it too.
    page = workflow.inspector.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert "<script>alert" not in page
