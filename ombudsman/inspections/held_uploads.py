"""Photos held across a refused form: a finding form shown again with errors keeps the chosen files.

A browser cannot put a file back into a file input, so a file that passed the content checks is held on the
server under a random token, and the redisplayed form carries the token in a hidden field ("Foto … tetap
terlampir", with a box to remove it). The next submission re-attaches it.

- Where: `<EVIDENCE_DIR>/.held/<token>.bin` with `<token>.json` beside it (owner, name, SHA-256, time held),
  outside the code tree, never served by a URL. Evidence keys are `aa/bb/<sha256>...`, so `.held` cannot
  collide with them.
- Whose: a token only works for the user who held it, to re-attach it or to remove it; anyone else's is
  refused (re-attaching) or ignored (removing) like an unknown one.
- How long: HOLD_HOURS (24 h) from holding; an expired token is refused. Files are removed when used
  (after the commit), when the user removes them, and every expired one whenever a file is held.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask_babel import lazy_gettext as _l

from ombudsman.clock import utcnow
from ombudsman.errors import Invalid
from ombudsman.inspections import storage

HOLD_HOURS = 24
FOLDER = ".held"
# token_urlsafe(24): 32 characters of [A-Za-z0-9_-]; anything else never names a file.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
# The field of the finding form that carries the tokens, and the one that asks to drop them.
FIELD = "held_photo"
REMOVE_FIELD = "remove_held_photo"


@dataclass(frozen=True)
class HeldUpload:
    """A checked upload held for its owner under `token`."""

    token: str
    upload: storage.CheckedUpload

    @property
    def filename(self) -> str:
        """The name the user gave the file."""
        return self.upload.filename


def _folder(root: Path) -> Path:
    return root / FOLDER


def _paths(root: Path, token: str) -> tuple[Path, Path]:
    folder = _folder(root)
    return folder / f"{token}.bin", folder / f"{token}.json"


def _write(path: Path, data: bytes) -> None:
    """Write atomically: a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hold-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def hold(root: Path, upload: storage.CheckedUpload, user_id: int) -> HeldUpload:
    """Keep a checked upload for `user_id` for HOLD_HOURS; returns it with its new token."""
    purge_expired(root)
    folder = _folder(root)
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    data_path, meta_path = _paths(root, token)
    _write(data_path, upload.data)
    meta = {
        "user_id": user_id,
        "filename": upload.filename,
        "sha256": upload.sha256,
        "held_at": utcnow().isoformat(),
    }
    _write(meta_path, json.dumps(meta).encode())
    return HeldUpload(token, upload)


def _refused() -> Invalid:
    return Invalid(
        _l("Foto yang disimpan sementara tidak ditemukan atau sudah kedaluwarsa; pilih fotonya lagi."),
        "photos",
    )


def take(root: Path, token: str, user_id: int, *, max_bytes: int) -> HeldUpload:
    """The upload held under `token` for `user_id`, checked again by content; `Invalid` (field `photos`)
    when the token is malformed, unknown, expired, another user's or its bytes changed."""
    if not _TOKEN.match(token or ""):
        raise _refused()
    data_path, meta_path = _paths(root, token)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        data = data_path.read_bytes()
    except (OSError, ValueError):
        raise _refused() from None
    held_at = datetime.fromisoformat(meta["held_at"])
    if meta.get("user_id") != user_id or utcnow() - held_at > timedelta(hours=HOLD_HOURS):
        raise _refused()
    upload = storage.check_upload(data, meta["filename"], max_bytes=max_bytes)
    if upload.sha256 != meta["sha256"]:
        raise _refused()
    return HeldUpload(token, upload)


def discard(root: Path, token: str, user_id: int) -> bool:
    """Remove the file held under `token` when `user_id` holds it (its owner ticked "remove"); returns whether
    it was removed. Another user's, a malformed or an unknown token removes nothing."""
    if not _TOKEN.match(token or ""):
        return False
    try:
        meta = json.loads(_paths(root, token)[1].read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(meta, dict) or meta.get("user_id") != user_id:
        return False
    release(root, token)
    return True


def release(root: Path, token: str) -> None:
    """Remove a held file whatever its owner: one just used (taken by its owner), or expired."""
    if _TOKEN.match(token or ""):
        for path in _paths(root, token):
            path.unlink(missing_ok=True)


def purge_expired(root: Path, now: datetime | None = None) -> int:
    """Remove every held file older than HOLD_HOURS (and any half-held leftover); returns how many."""
    folder = _folder(root)
    if not folder.is_dir():
        return 0
    cutoff = (now or utcnow()) - timedelta(hours=HOLD_HOURS)
    removed = 0
    for meta_path in folder.glob("*.json"):
        try:
            held_at = datetime.fromisoformat(json.loads(meta_path.read_text(encoding="utf-8"))["held_at"])
        except (OSError, ValueError, KeyError):
            held_at = None
        if held_at is None or held_at < cutoff:
            release(root, meta_path.stem)
            removed += 1
    return removed
