"""In English, every page, message, API error, audit entry and due-date explanation of the demo is English.

The walk: record the Kupang letter's receipt (so due dates and their explanations exist), make a few
refused submissions (so form errors and flashes show), then open every HTML page of the app as the admin and
as the head with the interface in English, and look for Indonesian interface words in what a person reads.
What the office typed (stored data: finding titles, authority names, letter texts) is Indonesian on purpose
and is left out: a text node that is part of a stored value is not judged. Letter bodies are always
Indonesian: they are rendered inside an element with `lang="id"`, which the walk skips.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import String, Text, select

from ombudsman.extensions import db
from ombudsman.letters.models import Letter

# Words of the Indonesian interface that never mean anything in English; a hit outside stored data is a
# string that was not marked for translation or has no English in the catalog.
INDONESIAN = {
    "yang",
    "dan",
    "atau",
    "tidak",
    "belum",
    "sudah",
    "dengan",
    "untuk",
    "dari",
    "pada",
    "oleh",
    "sejak",
    "hari",
    "kerja",
    "tanggal",
    "simpan",
    "batal",
    "kembali",
    "tambah",
    "ubah",
    "hapus",
    "cari",
    "semua",
    "temuan",
    "tenggat",
    "surat",
    "pengguna",
    "keluar",
    "masuk",
    "dibuat",
    "diubah",
    "diajukan",
    "diterima",
    "terbit",
    "draf",
    "judul",
    "catatan",
    "lihat",
    "unduh",
    "kirim",
    "setujui",
    "terbitkan",
    "pengaturan",
    "berlaku",
    "instansi",
    "tindak",
    "lanjut",
    "jumlah",
    "baru",
    "halaman",
    "sebelumnya",
    "berikutnya",
    "inspeksi",
    "bukti",
    "foto",
    "pilih",
    "wajib",
    "diisi",
    "tidak ada",
    "terlambat",
    "tepat",
    "waktu",
    "bulan",
    "tahun",
    "minggu",
    "libur",
    "dihitung",
    "sampai",
}
WORD = re.compile(r"[A-Za-z]+")
SKIP_ENDPOINT_PARTS = (
    "static",
    "file",
    "thumbnail",
    "pdf",
    "export",
    "ical",
    "sw",
    "manifest",
    "set_language",
)


class _Text(HTMLParser):
    """Text nodes a person reads (and labels of controls), leaving out scripts and `lang="id"` elements."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self._stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self._stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = tag in ("script", "style", "template") or attrs.get("lang") == "id"
        if not self._skipping() and not skip:
            for name in ("placeholder", "title", "aria-label", "alt"):
                if attrs.get(name):
                    self.nodes.append(attrs[name])
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.nodes.append(attrs["value"])
        if tag not in self.VOID:
            self._stack.append((tag, skip))

    def handle_endtag(self, tag):
        while self._stack:
            open_tag, _skip = self._stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        if not self._skipping() and data.strip():
            self.nodes.append(data.strip())


def _stored_text() -> list[str]:
    """Every text value stored in the database (what the office typed), normalised for comparison."""
    values: list[str] = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            values.extend(_norm(v) for v in row if isinstance(v, str) and v.strip())
    return sorted(set(values), key=len, reverse=True)  # longest first: a title before a word inside it


def _norm(text: str) -> str:
    return " ".join(text.split()).rstrip("…").rstrip(".").strip()


def _indonesian_words(page: str, stored: list[str]) -> list[str]:
    parser = _Text()
    parser.feed(page)
    hits = []
    for node in parser.nodes:
        text = _norm(node)
        if any(text in value for value in stored):  # a stored value, or the start of one cut short
            continue
        for value in stored:  # stored values, whole or cut short, are the office's words
            if value in text:
                text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", text)
        if not text.strip() or any(text.strip() in value for value in stored):
            continue
        words = {w.lower() for w in WORD.findall(text)}
        found = sorted(words & INDONESIAN)
        if found:
            hits.append(f"{found}: {text[:120]!r}")
    return hits


def _routes(app) -> list[tuple[str, str]]:
    """Every HTML page reachable with GET: (endpoint, rule)."""
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/api"):
            continue
        if (
            any(part in rule.endpoint.split(".")[-1] for part in SKIP_ENDPOINT_PARTS)
            or "static" in rule.endpoint
        ):
            continue
        if "<token>" in rule.rule or "<code>" in rule.rule or "/calendar" in rule.rule:
            continue
        rules.append((rule.endpoint, rule.rule))
    return sorted(rules, key=lambda r: r[1])


def _first_ids() -> dict[str, int]:
    """An existing record for every kind of id a URL takes."""
    ids: dict[str, int] = {}
    for table in db.metadata.sorted_tables:
        if "id" in table.columns:
            first = db.session.execute(select(table.c.id).order_by(table.c.id).limit(1)).scalar()
            if first is not None:
                ids[table.name] = first
    return ids


PARAM_TABLES = {
    "authority_id": "authorities",
    "checklist_id": "checklists",
    "finding_id": "findings",
    "inspection_id": "inspections",
    "letter_id": "letters",
    "recommendation_id": "recommendations",
    "user_id": "users",
}


def _url(endpoint: str, rule: str, ids: dict[str, int]) -> str | None:
    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name == "rule_id":
            table = "deadline_rules" if endpoint.startswith("deadline") else "routing_rules"
        else:
            table = PARAM_TABLES.get(name, "")
        return str(ids.get(table, 0))

    url = re.sub(r"<(?:\w+:)?(\w+)>", fill, rule)
    return None if "/0" in url.split("?")[0].split("/")[-1:] else url


@pytest.fixture
def received_letter(demo, login, monkeypatch):
    """The letter to the Wali Kota issued on 31 July 2018 and received on 6 August 2018; today 15 Oct 2018."""
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-07-31")
    letter = db.session.scalar(select(Letter).where(Letter.authority_id == demo.pemkot.id))
    for who, action in (("inspector", "submit"), ("supervisor", "approve"), ("head", "issue")):
        response = login(f"{who}@demo.test").post(f"/letters/{letter.id}/{action}")
        assert response.status_code == 303, (action, response.get_data(as_text=True)[:300])
    issued = db.session.scalar(select(Letter).where(Letter.authority_id == demo.pemkot.id))
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-10-15")
    response = login("inspector@demo.test").post(
        f"/letters/{issued.id}/delivery",
        data={"method": "", "delivered_on": "2018-07-31", "received_on": "2018-08-06"},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return issued


def _english(browser) -> None:
    assert browser.get("/lang/en").status_code in (302, 303)


@pytest.mark.parametrize("who", ["admin", "head"])
def test_every_page_of_the_demo_reads_in_english(app, demo, received_letter, login, who):
    browser = login(f"{who}@demo.test")
    _english(browser)
    # Refused submissions put form errors and flashes on the pages that follow.
    browser.post("/inspections/new", data={"title": "", "visited_on": "0001-01-01"})
    stored = _stored_text()
    ids = _first_ids()
    problems: dict[str, list[str]] = {}
    walked = 0
    for endpoint, rule in _routes(app):
        url = _url(endpoint, rule, ids)
        if url is None:
            continue
        response = browser.get(url)
        if response.status_code in (302, 303, 403, 404, 409) or response.mimetype != "text/html":
            continue
        assert response.status_code == 200, (url, response.status_code)
        walked += 1
        hits = _indonesian_words(response.get_data(as_text=True), stored)
        if hits:
            problems[url] = hits
    assert walked >= 20
    assert not problems, "\n".join(f"{url}: {hits}" for url, hits in problems.items())


def test_refused_forms_and_api_errors_read_in_english(app, demo, login):
    browser = login("inspector@demo.test")
    _english(browser)
    page = browser.post("/inspections/new", data={"title": "", "visited_on": "0001-01-01"}).get_data(
        as_text=True
    )
    assert not _indonesian_words(page, _stored_text())
    response = browser.get("/api/v1/inspections/999999")
    assert response.status_code == 404
    assert not set(WORD.findall(response.get_json()["error"].lower())) & INDONESIAN
    response = browser.client.post(
        "/api/v1/inspections",
        json={"title": "x", "visited_on": "0001-01-01"},
        headers={"X-CSRFToken": browser.token()},
    )
    assert response.status_code == 422
    body = response.get_json()
    text = " ".join([body["error"], *(m for ms in body["fields"].values() for m in ms)]).lower()
    assert not set(WORD.findall(text)) & INDONESIAN, body
