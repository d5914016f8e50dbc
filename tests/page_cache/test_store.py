"""The page store: bounded in bytes, least recently used first out, pages too large never kept."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ombudsman.page_cache.store import PageStore, StoredPage


def page(size: int, fill: bytes = b"x") -> StoredPage:
    return StoredPage(body=fill * size, mimetype="text/html")


def test_the_least_recently_used_page_goes_first_when_full():
    store = PageStore(max_bytes=800)
    for key in "abcd":
        assert store.put((key,), page(100))
    assert store.get(("a",)) is not None  # now the most recently used
    for key in "efgh":
        store.put((key,), page(100))
    store.put(("i",), page(100))
    assert store.bytes <= 800
    assert store.get(("b",)) is None  # the oldest unused one went
    assert store.get(("a",)) is not None
    assert store.get(("i",)) is not None


def test_a_page_larger_than_an_eighth_of_the_store_is_not_kept():
    store = PageStore(max_bytes=800)
    assert store.put(("big",), page(101)) is False
    assert store.get(("big",)) is None
    assert store.bytes == 0


def test_replacing_a_page_counts_its_bytes_once():
    store = PageStore(max_bytes=800)
    store.put(("a",), page(100))
    store.put(("a",), page(50, b"y"))
    assert store.bytes == 50
    assert len(store) == 1
    assert store.get(("a",)).body == b"y" * 50
    store.clear()
    assert (len(store), store.bytes) == (0, 0)


def test_threads_sharing_a_store_keep_its_count_exact():
    store = PageStore(max_bytes=10_000)

    def work(n: int) -> None:
        for i in range(200):
            store.put((n, i % 30), page(10 + i % 7))
            store.get((n, (i * 7) % 30))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(8)))
    assert store.bytes == sum(len(store.get(key).body) for key in list(store._pages))
    assert store.bytes <= 10_000
