"""Query parameters carried into links (the pager, the export buttons, an export's way back) never reach
`url_for`'s own arguments: `?endpoint=x` was a 500 (TypeError) on the letters register and on every pager."""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import parse_qs, urlsplit

import pytest

ODD = "endpoint=x&_external=1&_anchor=top&_scheme=javascript&_method=POST"
LINK = re.compile(r'(?:href|action)="([^"]*)"')


def _links(page: str) -> list[str]:
    """The page's own links and form targets (not the inline icon's data: address)."""
    return [html_lib.unescape(url) for url in LINK.findall(page) if not url.startswith("data:")]


@pytest.mark.parametrize(
    "path", ["/letters/", "/findings/", "/deadlines/list?per_page=3", "/deadlines/", "/inspections/"]
)
def test_url_fors_own_names_in_the_query_are_not_carried_into_links(demo, login, path):
    joiner = "&" if "?" in path else "?"
    page = login("inspector@demo.test").get(f"{path}{joiner}{ODD}")

    assert page.status_code == 200
    for url in _links(page.get_data(as_text=True)):
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc and not parts.fragment, url  # no _external, _anchor
        keys = parse_qs(parts.query).keys()
        assert "endpoint" not in keys and not any(key.startswith("_") for key in keys), url


def test_the_pager_keeps_the_filters_and_the_paths_own_values(demo, login):
    page = login("viewer@demo.test").get(f"/deadlines/list?per_page=3&level=local&{ODD}")
    pager = [url for url in _links(page.get_data(as_text=True)) if "page=2" in url]
    assert pager and all("level=local" in url and "per_page=3" in url for url in pager)
