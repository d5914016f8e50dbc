"""The benchmark runner end to end at a tiny size: data, both servers, every page, the JSON it writes."""

from __future__ import annotations

import json

import pytest

from benchmarks import run

pytestmark = pytest.mark.benchmark

PAGE_FIELDS = {
    "page": str,
    "backend": str,
    "rows": int,
    "queries": int,
    "req_per_s": float,
    "baseline_req_per_s": float,
    "ratio": float,
    "p50_ms": float,
    "p99_ms": float,
    "cpu_ms_per_req": float,
}


def test_runner_measures_every_page_paired_with_the_baseline(tmp_path):
    out = tmp_path / "latest.json"
    status = run.main(
        [
            "--cases", "sqlite:200",
            "--tool", "python",
            "--seconds", "0.3",
            "--warmup", "0.2",
            "--rounds", "1",
            "--connections", "1",
            "--workers", "1",
            "--issuing", "2",
            "--min-requests", "1",
            "--port", "5170",
            "--out", str(out),
        ]
    )  # fmt: skip

    assert status == 0
    report = json.loads(out.read_text())
    assert {"date", "machine", "python", "commit", "alembic_head", "settings"} <= report["meta"].keys()
    assert report["meta"]["machine"]["nproc"] >= 1
    pages = {r["page"]: r for r in report["results"]}
    assert {"/findings/", "/", "/api/v1/findings", "/deadlines/"} <= pages.keys()
    assert {r["name"] for r in report["results"]} == {p.name for p in run.PAGES}
    for result in report["results"]:
        for name, kind in PAGE_FIELDS.items():
            assert isinstance(result[name], kind) or (kind is float and isinstance(result[name], int)), name
        assert result["status"] == 200, result["page"]
        assert result["failed"] == 0, result["page"]
        assert result["backend"] == "sqlite"
        assert result["rows"] == 200
        assert result["queries"] > 0
        assert result["req_per_s"] > 0 and result["baseline_req_per_s"] > 0
        assert result["ratio"] == pytest.approx(
            result["req_per_s"] / result["baseline_req_per_s"], rel=0.01, abs=1e-3
        )
        assert 0 < result["p50_ms"] <= result["p99_ms"]
        assert result["cpu_ms_per_req"] > 0
    [issuing] = report["issuing"]
    assert issuing["letters"] == 2
    # 200 when issued in the request, 202 when the render went to the job queue (Redis and a worker)
    assert set(issuing["issue_statuses"]) <= {200, 202} and issuing["issued_ok"] == 2
    assert issuing["idle_p50_ms"] > 0 and issuing["issuing_p50_ms"] > 0
    [pdf] = report["pdf"]
    assert pdf["draft_req_per_s"] > 0 and pdf["issued_req_per_s"] > 0
    assert pdf["bare_download_req_per_s"] > 0
    bare_over_draft = pdf["bare_download_req_per_s"] / pdf["draft_req_per_s"]
    assert pdf["bare_ratio"] == pytest.approx(bare_over_draft, abs=0.1)
