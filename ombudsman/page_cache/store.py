"""Rendered pages kept in the worker process, bounded in bytes, least recently used dropped first."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class StoredPage:
    """One rendered response: its body (bytes), media type and the view's own headers."""

    body: bytes
    mimetype: str
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def size(self) -> int:
        """Bytes counted against the store's bound (the body; headers and key are small)."""
        return len(self.body)


class PageStore:
    """A bounded, thread-safe map from a page key to a `StoredPage`.

    `max_bytes` bounds the bodies kept (bytes, per process: a gunicorn worker each has its own store);
    a page larger than an eighth of it is never kept, so one export-sized page cannot empty the store.
    Entries are never stale by themselves: the key holds the data stamps the page was rendered at, and
    a page of an older stamp is simply never asked for again and ages out.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 8
        self._pages: OrderedDict[tuple, StoredPage] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pages)

    @property
    def bytes(self) -> int:
        """The bytes of the bodies kept now."""
        return self._bytes

    def get(self, key: tuple) -> StoredPage | None:
        """The page stored under `key` (and mark it recently used), or None."""
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: StoredPage) -> bool:
        """Keep `page` under `key`, dropping the least recently used pages beyond the bound.

        Returns False (nothing kept) when the page alone is larger than the per-entry bound.
        """
        if page.size > self.max_entry_bytes:
            return False
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._pages[key] = page
            self._bytes += page.size
            while self._bytes > self.max_bytes:
                _, dropped = self._pages.popitem(last=False)
                self._bytes -= dropped.size
        return True

    def clear(self) -> None:
        """Forget every page."""
        with self._lock:
            self._pages.clear()
            self._bytes = 0
