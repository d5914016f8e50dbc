"""The benchmark runner's own test starts two gunicorn servers and loads them: it runs only when asked for
with `-m benchmark` (`make benchmarks-test`), so the suite stays fast."""

import pytest


def pytest_collection_modifyitems(config, items) -> None:
    if "benchmark" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="benchmark runner test: run with -m benchmark (make benchmarks-test)")
    for item in items:
        if "benchmark" in item.keywords:
            item.add_marker(skip)
