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


def test_the_site_icon_is_served_without_logging_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # the ICO header
    assert "max-age=86400" in response.headers["Cache-Control"]
    login_page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" href="data:image/svg+xml,' in login_page  # inline: no request per page
