"""Where kept files live: one interface (`FileStorage`) for every file the app keeps by key, and its
default, a directory (`DirectoryStorage`).

Evidence photos and documents, their thumbnails and follow-up files are written through it
(`ombudsman.inspections.storage` checks and names them: keys are content addresses such as
`ab/cd/<sha256>.jpg`), and so are the files of exports made by a job (`exports/<id>.csv`, kept a day,
`ombudsman.export_jobs`). On several app nodes the directory is a mount every node shares (NFS, a cloud
file share): a file one node wrote is served by any other. Issued letter PDFs are not files: their bytes
live in the database row of the letter (with their SHA-256), which every node shares by construction.

Another backend (an object store) implements the same five methods; `local_path` then has to give a
readable local copy, because the PDF renderer and `send_file` read files from disk.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from flask import Flask, current_app


class KeyOutsideStorage(ValueError):
    """A key that would leave the storage root (`..`, an absolute path): never read or written."""


@runtime_checkable
class FileStorage(Protocol):
    """Files kept by key (a relative path with `/`), written once and never changed."""

    def exists(self, key: str) -> bool:
        """Whether a file is kept under `key`."""

    def read(self, key: str) -> bytes:
        """The bytes kept under `key`; FileNotFoundError when there are none."""

    def write_once(self, key: str, data: bytes) -> bool:
        """Keep `data` under `key` unless a file is already there; readers never see half a file.

        Returns whether this call created the file.
        """

    def delete(self, key: str) -> None:
        """Forget the file under `key` (nothing happens when there is none)."""

    def local_path(self, key: str) -> Path:
        """A local path to read the file from (for `send_file` and the PDF renderer)."""


@dataclass(frozen=True)
class DirectoryStorage:
    """The default `FileStorage`: files under `root`, written atomically (temporary file, fsync, rename)."""

    root: Path

    def local_path(self, key: str) -> Path:
        """The file behind `key`; raises `KeyOutsideStorage` for a key that would leave the root."""
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise KeyOutsideStorage(key)
        return path

    def exists(self, key: str) -> bool:
        return self.local_path(key).exists()

    def read(self, key: str) -> bytes:
        return self.local_path(key).read_bytes()

    def write_once(self, key: str, data: bytes) -> bool:
        path = self.local_path(key)
        if path.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True

    def delete(self, key: str) -> None:
        self.local_path(key).unlink(missing_ok=True)


def as_storage(where: Path | str | FileStorage) -> FileStorage:
    """A `FileStorage` for a directory path (the default backend), or the storage given."""
    if isinstance(where, FileStorage):
        return where
    return DirectoryStorage(Path(where))


def evidence_dir(app: Flask | None = None) -> Path:
    """The directory of evidence, follow-up files and held uploads: `EVIDENCE_DIR` of `app` (default: the
    current app). Created and checked at start-up (`ombudsman.deploy.evidence_dir_problems`)."""
    return Path((app or current_app).config["EVIDENCE_DIR"])


def evidence_storage(app: Flask | None = None) -> FileStorage:
    """The deployment's store of evidence and follow-up files: the directory `evidence_dir`."""
    return DirectoryStorage(evidence_dir(app))
