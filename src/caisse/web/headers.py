"""Security headers on every response (docs/security.md, threat "injected content / framing / caching").

- ``Content-Security-Policy``: scripts, styles, images, forms and connections only from the fund's own origin (no
  page of ours runs inline script; htmx is vendored under ``static/vendor/htmx`` and configured, by a meta tag, to
  need no ``eval`` and to inject no ``<style>``: ``static/vendor/htmx/README.md``); inline ``style`` attributes
  stay allowed (the charts' SVG use them; no script runs from a style). Framing forbidden (clickjacking). The API
  documentation pages (``/docs``, ``/redoc``: FastAPI's Swagger UI and ReDoc load their scripts from a CDN) get
  none of the CSP.
- ``Strict-Transport-Security`` when the request came over TLS (a plain-HTTP development server must not pin it).
- ``Cache-Control: no-store`` on every dynamic response: pages and API answers carry personal data and must not sit
  in a shared or browser cache; the static style sheet may be cached.
- ``X-Content-Type-Options``, ``Referrer-Policy`` (no file number leaks in a Referer), ``Permissions-Policy``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
NO_CSP_PATHS = ("/docs", "/redoc")
STATIC_PREFIX = "/static/"


def apply(request: Request, response: Response) -> Response:
    apply_to(response.headers, request.url.path, request.url.scheme == "https")
    return response


def apply_to(h, path: str, https: bool) -> None:
    """The headers on a response's header mapping (a Starlette ``MutableHeaders``): what a header already says
    stays."""
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "same-origin")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    if not path.startswith(NO_CSP_PATHS):
        h.setdefault("Content-Security-Policy", CSP)
    if https:
        h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if not path.startswith(STATIC_PREFIX):
        h.setdefault("Cache-Control", "no-store")
