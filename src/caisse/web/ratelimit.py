"""Per-client request rate limit of the web layer (pages and API), beyond the login throttles.

A token bucket per client, refilled continuously at the configured rate per minute, holding at most one
minute's worth (so a client may burst a minute's allowance, then goes at the rate):

- a request carrying a session token (cookie or ``Authorization: Bearer``) is counted against that session
  (``rate_limit_session_per_minute``), so the people of one office behind one address do not share a bucket;
  a token that turns out not to be a session (answer 401) is charged to the address as well, and a request
  with a token is refused once its address bucket is empty — inventing tokens does not buy fresh buckets;
- any other request is counted against the client address (``client_origin``, which honours
  ``CAISSE_TRUSTED_PROXIES``) (``rate_limit_address_per_minute``);
- the eID callback and the forgotten-password pages have a tighter bucket of their own per address
  (``rate_limit_sensitive_per_minute``), on top of the above.

A refusal is ``429 Too Many Requests`` with ``Retry-After`` (whole seconds): JSON ``{"detail": ...}`` for the
API, a short page in the person's language for a browser. ``/health`` (the load balancer) and ``/static`` are
not counted.

**In-process, per worker — a deliberate choice, and its limits.** Web processes are stateless behind a load
balancer; the buckets live in each worker's memory, not in the database, because a database write on every
request would turn a flood into database load (the very thing to protect) and add a round trip to every page.
Consequences, stated honestly: with N workers a client may get up to N times the limit (the load balancer
spreads its requests), a restart forgets the buckets, and the table is bounded (``MAX_KEYS``, least recently
seen evicted: an evicted client starts with a full bucket). This is a guard against one client hogging a worker
(a script looping on the API), not a defence against a distributed flood: that belongs at the reverse proxy /
load balancer in front (per-address limits there see every worker). What must hold across workers is
database-backed: the login throttles (per account, per address) and the forgotten-password throttles (per login,
per address) count rows in the database (``services/accounts.py``, ``services/password_reset.py``).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict

from fastapi import Request
from fastapi.responses import JSONResponse, Response

MAX_KEYS = 50_000
EXEMPT = ("/health",)
EXEMPT_PREFIXES = ("/static/",)
SENSITIVE = ("/login/oidc/callback",)
SENSITIVE_PREFIXES = ("/password-reset",)


class Buckets:
    """Token buckets by key; thread-safe (sync routes run in a thread pool)."""

    def __init__(self, clock=time.monotonic, max_keys: int = MAX_KEYS):
        self._clock = clock
        self._max = max_keys
        self._lock = threading.Lock()
        self._state: OrderedDict[tuple, tuple[float, float]] = OrderedDict()

    def _level(self, key: tuple, per_minute: int, now: float) -> float:
        tokens, last = self._state.get(key, (float(per_minute), now))
        return min(float(per_minute), tokens + (now - last) * per_minute / 60.0)

    def take(self, key: tuple, per_minute: int) -> float | None:
        """Take one token: None when granted, else the seconds until one is back (the request is refused)."""
        if per_minute <= 0:
            return None
        with self._lock:
            now = self._clock()
            tokens = self._level(key, per_minute, now)
            if tokens >= 1.0:
                self._store(key, tokens - 1.0, now)
                return None
            self._store(key, tokens, now)
            return (1.0 - tokens) * 60.0 / per_minute

    def peek(self, key: tuple, per_minute: int) -> float | None:
        """Like ``take`` without taking: None when a token is there."""
        if per_minute <= 0:
            return None
        with self._lock:
            tokens = self._level(key, per_minute, self._clock())
            return None if tokens >= 1.0 else (1.0 - tokens) * 60.0 / per_minute

    def charge(self, key: tuple, per_minute: int) -> None:
        """Take a token even if none is left (the bucket goes no lower than empty)."""
        if per_minute <= 0:
            return
        with self._lock:
            now = self._clock()
            self._store(key, max(0.0, self._level(key, per_minute, now) - 1.0), now)

    def _store(self, key: tuple, tokens: float, now: float) -> None:
        self._state[key] = (tokens, now)
        self._state.move_to_end(key)
        while len(self._state) > self._max:
            self._state.popitem(last=False)


def _token(request: Request) -> str | None:
    from caisse.web.auth import COOKIE

    bearer = request.headers.get("authorization", "")
    if bearer.lower().startswith("bearer "):
        return bearer[7:].strip() or None
    return request.cookies.get(COOKIE) or None


def too_many(request: Request, retry_after: float) -> Response:
    from caisse.web import i18n

    seconds = max(1, math.ceil(retry_after))
    headers = {"Retry-After": str(seconds)}
    if not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", ""):
        from caisse.web.rendering import TEMPLATES

        return TEMPLATES.TemplateResponse(request, "too_many_requests.html", {
            "fund_name": request.app.state.settings.fund_name, "seconds": seconds}, status_code=429,
            headers=headers)
    message = i18n.gettext("Too many requests; please wait %(seconds)s seconds and try again.") % {
        "seconds": seconds}
    return JSONResponse({"detail": message, "retry_after": seconds}, status_code=429, headers=headers)


class RateLimit:
    """The middleware (plain ASGI; added in ``web.app``)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from caisse.web.auth import client_origin

        path = scope["path"]
        if path in EXEMPT or path.startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        settings = request.app.state.settings
        buckets: Buckets = request.app.state.rate_buckets
        origin = client_origin(request) or "?"
        if path in SENSITIVE or path.startswith(SENSITIVE_PREFIXES):
            wait = buckets.take(("sensitive", origin), settings.rate_limit_sensitive_per_minute)
            if wait is not None:
                await too_many(request, wait)(scope, receive, send)
                return
        token = _token(request)
        address = ("address", origin)
        if token is None:
            wait = buckets.take(address, settings.rate_limit_address_per_minute)
        else:
            wait = buckets.peek(address, settings.rate_limit_address_per_minute)
            if wait is None:
                session_key = ("session", hashlib.sha256(token.encode()).hexdigest())
                wait = buckets.take(session_key, settings.rate_limit_session_per_minute)
        if wait is not None:
            await too_many(request, wait)(scope, receive, send)
            return
        if token is None:
            await self.app(scope, receive, send)
            return
        refused = []

        async def watch(message) -> None:
            # a made-up token is charged to its address: answered 401, or sent to the login page
            if message["type"] == "http.response.start":
                location = dict(message.get("headers") or ()).get(b"location", b"")
                if message["status"] == 401 or (message["status"] == 303 and location.startswith(b"/login")):
                    refused.append(True)
            await send(message)

        await self.app(scope, receive, watch)
        if refused:
            buckets.charge(address, settings.rate_limit_address_per_minute)
