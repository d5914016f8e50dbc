"""Letters ready to issue, for tests: the setup an office completes before its first letter (issue 11's
readiness checklist: contacts, the office's own number codes, an emblem), and many approved letters at
once."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from ombudsman.clock import utcnow
from ombudsman.extensions import db
from ombudsman.letters import drafting, emblem
from ombudsman.letters.commands import NewLetter
from ombudsman.letters.models import Letter, LetterKind, LetterStatus
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


def approved_letters(demo, count: int) -> list[int]:
    """`count` approved reminders to the Wali Kota, each with one recommendation.

    Reminders, because only they may carry a recommendation that another active letter carries too
    (`eligibility.ESCALATION_KINDS`): twenty letters need more than the seven recommendations of the demo.
    """
    # The demo's letter to the Wali Kota by name: an unordered first row is either letter on PostgreSQL.
    to_kota = select(Letter).where(Letter.authority_id == demo.pemkot.id).order_by(Letter.id)
    recs = [r.id for r in db.session.scalars(to_kota).first().recommendations]
    ids = []
    for i in range(count):
        letter = drafting.create(
            demo.office,
            demo.users["inspector"],
            NewLetter(
                authority_id=demo.pemkot.id,
                kind=LetterKind.PENGINGAT,
                hal=f"Surat uji serentak {i + 1}",
                recommendation_ids=(recs[i % len(recs)],),
            ),
        )
        letter.status = LetterStatus.APPROVED
        letter.approved_at, letter.approved_by_id = utcnow(), demo.users["supervisor"].id
        ids.append(letter.id)
    db.session.commit()
    return ids
