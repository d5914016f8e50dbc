"""Every page of the demo renders for every role that may see it."""

import pytest


@pytest.mark.parametrize("email", ["inspector@demo.test", "viewer@demo.test", "admin@demo.test"])
def test_main_pages_render(demo, login, email):
    b = login(email)
    urls = [
        "/",
        "/inspections/",
        "/findings/",
        "/authorities/",
        "/authorities/rules/",
        "/recommendations/",
        f"/inspections/{demo.inspection.id}",
        f"/findings/{demo.findings[1].id}",
        f"/authorities/{demo.pemkot.id}",
        f"/authorities/{demo.dinas.id}",
        f"/authorities/{demo.ditjen.id}",
    ]
    for url in urls:
        response = b.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:2000])
