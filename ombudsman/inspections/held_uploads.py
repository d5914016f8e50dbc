"""Photos held across a refused form: a finding form shown again with errors keeps the chosen files.

A browser cannot put a file back into a file input, so a file that passed the content checks is held on the
server under a random token, and the redisplayed form carries the token in a hidden field ("Foto … tetap
terlampir", with a box to remove it). The next submission re-attaches it.

- Where: `<EVIDENCE_DIR>/.held/<token>.bin` with `<token>.json` beside it (owner, name, SHA-256, time held),
  outside the code tree, never served by a URL. Evidence keys are `aa/bb/<sha256>...`, so `.held` cannot
  collide with them.
- Whose: a token only works for the account that held it, to re-attach it or to remove it; anyone else's is
  refused (re-attaching) or ignored (removing) like an unknown one. Staff users and portal accounts have
  separate id sequences, so the owner is a key naming both the kind and the id (`owner_key`: "staff:7",
  "portal:7"), never a bare id.
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
# The fields of a form with one file field (the finding and evidence forms) that carry the tokens, and the
# one that asks to drop them. A form with several file fields names them per field (`field_names`).
FIELD = "held_photo"
REMOVE_FIELD = "remove_held_photo"
_OWNER = re.compile(r"^(staff|portal):[0-9]+$")


def field_names(slot: str) -> tuple[str, str]:
    """The hidden field that carries the held tokens of the file slot `slot`, and the remove box's name:
    ("held_<slot>", "remove_held_<slot>"); slot "photo" gives (FIELD, REMOVE_FIELD)."""
    return f"held_{slot}", f"remove_held_{slot}"


def owner_key(account) -> str:
    """Who holds a file: "portal:<id>" for a portal account (`is_portal` true), else "staff:<id>" for a
    staff `User`. `ValueError` when the account has no id (not signed in)."""
    account_id = getattr(account, "id", None)
    if not isinstance(account_id, int):
        raise ValueError("a held file needs a signed-in account")
    return f"{'portal' if getattr(account, 'is_portal', False) else 'staff'}:{account_id}"


def _checked_owner(owner: str) -> str:
    if not isinstance(owner, str) or not _OWNER.match(owner):
        raise TypeError(f"owner must be an owner_key() such as 'staff:7', not {owner!r}")
    return owner


def _owner_in(meta) -> str | None:
    """The owner recorded for a held file; files held before owner keys (a bare staff id under
    `user_id`, within the last HOLD_HOURS) belong to that staff user."""
    if not isinstance(meta, dict):
        return None
    owner = meta.get("owner")
    if isinstance(owner, str):
        return owner
    legacy = meta.get("user_id")
    return f"staff:{legacy}" if isinstance(legacy, int) and not isinstance(legacy, bool) else None


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


def hold(root: Path, upload: storage.CheckedUpload, owner: str) -> HeldUpload:
    """Keep a checked upload for `owner` (an `owner_key`) for HOLD_HOURS; returns it with its new token.
    `TypeError` when `owner` is not an owner key (a bare id would let staff and portal ids collide)."""
    _checked_owner(owner)
    purge_expired(root)
    folder = _folder(root)
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    data_path, meta_path = _paths(root, token)
    _write(data_path, upload.data)
    meta = {
        "owner": owner,
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


def take(root: Path, token: str, owner: str, *, max_bytes: int) -> HeldUpload:
    """The upload held under `token` for `owner` (an `owner_key`), checked again by content; `Invalid` (field
    `photos`) when the token is malformed, unknown, expired, another account's or its bytes changed;
    `TypeError` when `owner` is not an owner key."""
    _checked_owner(owner)
    if not _TOKEN.match(token or ""):
        raise _refused()
    data_path, meta_path = _paths(root, token)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        data = data_path.read_bytes()
        held_at = datetime.fromisoformat(meta["held_at"])
    except (OSError, ValueError, KeyError, TypeError):
        raise _refused() from None
    if _owner_in(meta) != owner or utcnow() - held_at > timedelta(hours=HOLD_HOURS):
        raise _refused()
    upload = storage.check_upload(data, meta["filename"], max_bytes=max_bytes)
    if upload.sha256 != meta["sha256"]:
        raise _refused()
    return HeldUpload(token, upload)


def discard(root: Path, token: str, owner: str) -> bool:
    """Remove the file held under `token` when `owner` (an `owner_key`) holds it (its owner ticked "remove");
    returns whether it was removed. Another account's, a malformed or an unknown token removes nothing;
    `TypeError` when `owner` is not an owner key."""
    _checked_owner(owner)
    if not _TOKEN.match(token or ""):
        return False
    try:
        meta = json.loads(_paths(root, token)[1].read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if _owner_in(meta) != owner:
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
