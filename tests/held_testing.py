"""What the tests of held files read (a refused form's files kept on the server: `held_uploads`): the tokens
a redisplayed page carries, the held files on disk, a minimal PDF to upload."""

from __future__ import annotations

import re
from pathlib import Path

from ombudsman.inspections import held_uploads

#: The smallest file the upload checks take as a PDF.
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
#: A held photo's token in a page (the finding and evidence forms: slot "photo").
TOKEN = re.compile(r'name="held_photo" value="([A-Za-z0-9_-]+)"')


def tokens(page: str, slot: str) -> list[str]:
    """The held tokens `page` carries in the hidden field of `slot` (`held_<slot>`)."""
    return re.findall(rf'name="held_{slot}" value="([A-Za-z0-9_-]+)"', page)


def held_files(app) -> list[Path]:
    """The files in the held folder of the app's evidence directory (each held file is two: bytes, owner)."""
    folder = Path(app.config["EVIDENCE_DIR"]) / held_uploads.FOLDER
    return sorted(folder.iterdir()) if folder.exists() else []
