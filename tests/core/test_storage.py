"""The file storage interface and its default, a directory (shared by every node as one mount)."""

from __future__ import annotations

import pytest

from ombudsman.storage import DirectoryStorage, FileStorage, KeyOutsideStorage, as_storage, evidence_storage


def test_a_directory_keeps_each_key_once_and_forgets_it_on_delete(tmp_path):
    store = DirectoryStorage(tmp_path / "files")
    assert isinstance(store, FileStorage)
    assert store.write_once("ab/cd/abcd.pdf", b"%PDF-1 first") is True
    assert store.write_once("ab/cd/abcd.pdf", b"%PDF-1 second") is False  # written once, never changed
    assert store.read("ab/cd/abcd.pdf") == b"%PDF-1 first"
    assert store.local_path("ab/cd/abcd.pdf") == (tmp_path / "files" / "ab" / "cd" / "abcd.pdf").resolve()
    assert [p.name for p in (tmp_path / "files" / "ab" / "cd").iterdir()] == ["abcd.pdf"]  # no temp file left
    store.delete("ab/cd/abcd.pdf")
    store.delete("ab/cd/abcd.pdf")  # nothing there: nothing happens
    assert not store.exists("ab/cd/abcd.pdf")


@pytest.mark.parametrize("key", ["../outside.txt", "ab/../../outside.txt", "/etc/passwd"])
def test_keys_that_leave_the_directory_are_refused(tmp_path, key):
    store = DirectoryStorage(tmp_path / "files")
    with pytest.raises(KeyOutsideStorage):
        store.write_once(key, b"x")
    assert not (tmp_path / "outside.txt").exists()


def test_the_evidence_store_is_the_configured_directory(app, tmp_path):
    store = evidence_storage(app)
    assert store == DirectoryStorage(tmp_path / "evidence")
    assert as_storage(tmp_path / "evidence") == store and as_storage(store) is store
