"""A letters setup an office completes before its first letter (issue 11's readiness checklist), for tests
that issue in production configuration: contacts, the office's own number codes, an emblem."""

from __future__ import annotations

import io

from PIL import Image

from ombudsman.extensions import db
from ombudsman.letters import emblem
from ombudsman.letters.settings import for_office


def png_emblem(size: int = 64) -> bytes:
    """A small real PNG: a gold disc on white."""
    image = Image.new("RGB", (size, size), "white")
    for x in range(size):
        for y in range(size):
            if (x - size / 2) ** 2 + (y - size / 2) ** 2 < (size / 2.2) ** 2:
                image.putpixel((x, y), (184, 134, 11))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def make_ready(demo) -> None:
    """Complete the demo office's letters setup: contacts, real codes, an emblem."""
    office = demo.office
    office.phone, office.email, office.website = "(0380) 123456", "ntt@ombudsman.go.id", "ombudsman.go.id"
    settings = for_office(office)
    settings.classification, settings.unit_code = "HM.02.01", "PW24"
    emblem.upload(office, demo.users["admin"], settings, png_emblem())
    db.session.flush()
