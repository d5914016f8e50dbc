"""Page images of the demo letters, to look at them as a clerk would: `make letter-images`.

Loads the demo case into an in-memory SQLite database, renders the letter to the Wali Kota Kupang and the
one to the Dirjen Dukcapil as they would be issued on 31 July 2018, and a reminder of eight overdue
recommendations on 1 October 2018, then turns every page into a PNG with `pdftoppm` (poppler-utils):
`instance/letter-images/<letter>.pdf` and `<letter>-<page>.png`. The tests use `overdue_reminder` too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

ISSUED = date(2018, 7, 31)
RECEIVED = date(2018, 8, 6)
OVERDUE = date(2018, 10, 1)
VERIFY_URL = "https://persuratan.ombudsman.example/v/K7Q2-9XPA"
EIGHTH_SARAN = "Menyediakan ruang tunggu yang layak bagi penyandang disabilitas, lansia dan ibu hamil."


def _fake_render(doc, **_kwargs) -> bytes:
    # The original letter's stored bytes play no part in the reminder; its number and date do.
    return b"%PDF-1.7 " + doc.hal.encode()


def overdue_reminder(office, users, findings, pemkot, kota):
    """The letter to the Wali Kota with an eighth saran, issued 31 July 2018 and received 6 August 2018,
    then the reminder drafted on 1 October 2018 for its eight overdue recommendations.

    Returns (the issued original, the draft reminder). Flushes, never commits.
    """
    from ombudsman.deadlines import escalation
    from ombudsman.deadlines import services as deadlines
    from ombudsman.letters import drafting
    from ombudsman.letters import services as letters
    from ombudsman.letters.commands import LetterDraft, RecordDelivery
    from ombudsman.recommendations import services as recommendations

    inspector = users["inspector"]
    extra = recommendations.create(
        office.id,
        inspector,
        {"finding_ids": [findings[3].id], "authority_id": pemkot.id, "kind": "saran", "text": EIGHTH_SARAN},
    )
    ids = (*[r.id for r in kota.recommendations], extra.id)
    drafting.update(kota, inspector, LetterDraft(recommendation_ids=ids))
    letters.submit(kota, inspector)
    letters.approve(kota, users["supervisor"])
    issued = letters.issue(
        kota,
        users["head"],
        today=ISSUED,
        base_url="https://persuratan.ombudsman.example",
        evidence_root=None,
        render=_fake_render,
    )
    letters.record_delivery(
        issued, inspector, RecordDelivery(delivered_on=ISSUED, received_on=RECEIVED), today=date(2018, 8, 10)
    )
    cut = deadlines.state_cutoffs(office, OVERDUE)
    plan = escalation.plan_escalation(issued.recommendations[0], office=office, cut=cut)
    reminder = letters.draft_escalation_letter(plan, user=inspector, today=OVERDUE)
    return issued, reminder


def issued_pdf(letter, *, number: str, day: date) -> bytes:
    """The PDF/A the letter would be issued as on `day` with `number` (QR code and verification block)."""
    from ombudsman.letters import compose
    from ombudsman.letters.render import render_letter_pdf

    doc, files = compose.letter_document(
        letter, evidence_root=None, number=number, day=day, verify_url=VERIFY_URL, short_code="K7Q2-9XPA"
    )
    return render_letter_pdf(doc, allowed_files=files, archive=True)


def main(folder: Path) -> list[Path]:
    """Write the three letters' PDFs and page images into `folder`; returns the images."""
    from sqlalchemy import select

    from ombudsman import create_app, seed_data
    from ombudsman.accounts.models import User
    from ombudsman.authorities.models import Authority
    from ombudsman.extensions import db
    from ombudsman.inspections.models import Inspection
    from ombudsman.letters.models import Letter
    from ombudsman.seed import seed_demo

    if shutil.which("pdftoppm") is None:
        sys.exit("pdftoppm is missing: apt-get install poppler-utils (make browser installs it)")
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app("testing")
    with app.app_context():
        db.create_all()
        office = seed_demo()
        db.session.flush()
        by_name = {a.name: a for a in db.session.scalars(select(Authority))}
        pemkot, ditjen = by_name[seed_data.PEMKOT_KUPANG], by_name[seed_data.DITJEN]
        drafts = {letter.authority_id: letter for letter in db.session.scalars(select(Letter))}
        pdfs = {
            "wali-kota": issued_pdf(drafts[pemkot.id], number="0123/ORI/PW-NTT/VII/2018", day=ISSUED),
            "dirjen": issued_pdf(drafts[ditjen.id], number="0124/ORI/PW-NTT/VII/2018", day=ISSUED),
        }
        users = {u.role.value: u for u in db.session.scalars(select(User))}
        inspection = db.session.scalar(select(Inspection))
        findings = {f.number: f for f in inspection.findings}
        _issued, reminder = overdue_reminder(office, users, findings, pemkot, drafts[pemkot.id])
        pdfs["pengingat"] = issued_pdf(reminder, number="0187/ORI/PW-NTT/X/2018", day=OVERDUE)
        db.session.rollback()
    images = []
    for name, pdf in pdfs.items():
        for old in folder.glob(f"{name}-*.png"):
            old.unlink()
        path = folder / f"{name}.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "80", "-png", str(path), str(folder / name)], check=True)
        images.extend(sorted(folder.glob(f"{name}-*.png")))
    return images


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("instance/letter-images")
    for image in main(target):
        print(image)
