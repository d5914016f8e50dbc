"""How long letters take: a draft PDF of the Kupang letter, serving an issued one, and WeasyPrint alone.

Run: `python benchmarks/letters.py [--runs N]` from the repository root. It builds the demo case in a
throw-away SQLite database, so it touches no real data. Figures are medians of N runs after one warm-up.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pypdf import PdfReader  # noqa: E402
from sqlalchemy import select  # noqa: E402

from ombudsman import create_app  # noqa: E402
from ombudsman.accounts.models import User  # noqa: E402
from ombudsman.extensions import db  # noqa: E402
from ombudsman.letters import compose, services  # noqa: E402
from ombudsman.letters.models import Letter  # noqa: E402
from ombudsman.letters.render import STATIC_DIR, render_letter_html  # noqa: E402
from ombudsman.pdf import font_files, make_url_fetcher  # noqa: E402
from ombudsman.seed import seed_demo  # noqa: E402


def median_ms(fn, runs: int) -> float:
    """Median wall time of `fn` in milliseconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            "testing",
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                "EVIDENCE_DIR": f"{tmp}/evidence",
                "RATELIMIT_ENABLED": False,
                "WTF_CSRF_ENABLED": False,
            },
        )
        with app.app_context():
            db.create_all()
            seed_demo()
            db.session.commit()
            users = {u.role.value: u for u in db.session.scalars(select(User))}
            letter = db.session.scalars(select(Letter).order_by(Letter.id)).first()  # to the Wali Kota
            evidence = Path(app.config["EVIDENCE_DIR"])

            draft = services.draft_pdf(letter, evidence)
            pages = len(PdfReader(io.BytesIO(draft)).pages)
            sections = len(compose.sections_for(letter.recommendations, date(2018, 7, 31)))
            draft_ms = median_ms(lambda: services.draft_pdf(letter, evidence), args.runs)

            # WeasyPrint alone: the same HTML, fonts and stylesheet, without the database or the service.
            from weasyprint import HTML

            doc, _files = compose.letter_document(letter, evidence_root=evidence)
            html = render_letter_html(doc)
            fetcher = make_url_fetcher(STATIC_DIR, allowed_files=font_files(doc.font))
            weasy_ms = median_ms(
                lambda: HTML(string=html, base_url=fetcher.policy.base_url, url_fetcher=fetcher).write_pdf(),
                args.runs,
            )

            services.submit(letter, users["inspector"])
            services.approve(letter, users["supervisor"])
            start = time.perf_counter()
            services.issue(
                letter,
                users["head"],
                today=date(2018, 7, 31),
                base_url="https://ombudsman.example",
                evidence_root=evidence,
            )
            db.session.commit()
            issue_ms = (time.perf_counter() - start) * 1000
            client = app.test_client()
            client.post("/login", data={"email": "head@demo.test", "password": "demo"})
            url = f"/letters/{letter.id}/pdf"
            assert client.get(url).status_code == 200
            serve_ms = median_ms(lambda: client.get(url).get_data(), args.runs * 5)
            size = len(letter.pdf)

    print(f"Kupang letter to the Wali Kota: {sections} findings, draft PDF of {pages} pages")
    print(f"  render a draft PDF (service: load records, compose, render)  {draft_ms:8.1f} ms median")
    print(f"  WeasyPrint alone, same HTML                                 {weasy_ms:8.1f} ms median")
    print(f"  issue once (number, PDF/A render, hash, store)              {issue_ms:8.1f} ms")
    print(f"  serve the issued PDF ({size // 1024} KiB, hash checked)            {serve_ms:8.1f} ms median")


if __name__ == "__main__":
    main()
