"""Every response carries the security headers: pages cannot be framed, run foreign scripts or sit in a cache."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_a_page_is_served_with_its_policy_and_never_cached(app_for):
    with TestClient(app_for) as c:
        r = c.get("/login")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in r.headers  # plain HTTP: never pin TLS from a development server


def test_errors_and_api_answers_carry_them_too(client):
    r = client.get("/api/persons/999999999")
    assert r.status_code in (403, 404)
    assert r.headers["cache-control"] == "no-store" and "content-security-policy" in r.headers


def test_over_tls_the_browser_is_told_to_stay_on_tls(app_for):
    with TestClient(app_for, base_url="https://testserver") as c:
        r = c.get("/login")
    assert r.headers["strict-transport-security"].startswith("max-age=31536000")


def test_the_style_sheet_may_be_cached_and_the_api_docs_keep_their_cdn_scripts(app_for):
    with TestClient(app_for) as c:
        css = c.get("/static/desk.css")
        docs = c.get("/docs")
    assert css.status_code == 200 and css.headers.get("cache-control") != "no-store"
    assert docs.status_code == 200 and "content-security-policy" not in docs.headers
