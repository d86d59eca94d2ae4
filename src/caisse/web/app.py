"""The FastAPI application."""

from __future__ import annotations

import asyncio
import weakref
from contextlib import asynccontextmanager
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response

from caisse import __version__
from caisse.config import Settings, get_settings
from caisse.errors import Conflict, InvalidInput, NotFound, UnknownParameter
from caisse.security.authz import Forbidden, NeedToKnow, NotAuthenticated


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _lifespan(settings: Settings):
    """While the server runs, its sealer chains the reads written unsealed (services/audit.py): at the start (what
    a process that died left), every ``audit_seal_seconds``, and at a clean stop. The thread pool is sized here."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        import anyio.to_thread

        from caisse.services.audit import Sealer

        # the sync routes and dependencies run in anyio's thread pool: as many threads as the database pool keeps
        # connections for (config ``web_threads``, ``db_pool_size``)
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        sealer = Sealer(settings.database_url, settings.audit_seal_seconds)
        await run_in_threadpool(sealer.start)
        try:
            yield
        finally:
            await run_in_threadpool(sealer.stop)

    return lifespan


class Admission:
    """At most ``limit`` requests of this worker in progress at once (the size of its database pool); the others
    wait their turn here, holding nothing.

    A request holds its database connection from its first statement to its commit, across several hops between
    the event loop and the thread pool. Let in without a limit, requests holding connections can wait for a
    thread while every thread waits for a connection: the worker stalls until the pool's timeout. With no more
    requests in progress than connections, a thread never waits for a connection. ``/health`` and the static
    files take no connection and are not counted."""

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit
        self._gates: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # one per event loop (tests run many)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] == "/health" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self.limit)
        async with gate:
            await self.app(scope, receive, send)


class Language:
    """The language of each request (see caisse.web.i18n; a logged-in person's is set again by web.auth from
    their account); ``?lang=`` is remembered in a cookie. Every response gets the security headers
    (caisse.web.headers)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.datastructures import MutableHeaders

        from caisse.web import headers, i18n

        scope.setdefault("state", {})  # web.auth's request.state.language must be this request's, read below
        request = Request(scope)
        asked = request.query_params.get("lang")
        cookie = request.cookies.get("lang")
        chosen = i18n.negotiate(asked, cookie, None, request.headers.get("accept-language"))
        https = scope.get("scheme") == "https"

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                # a logged-in person's language (their account's, web.auth) is the browser's too, for the login page
                remembered = asked if asked in i18n.LANGUAGES else scope["state"].get("language")
                if remembered in i18n.LANGUAGES and remembered != cookie:
                    cookie_header = Response()
                    cookie_header.set_cookie("lang", remembered, max_age=365 * 24 * 3600, samesite="lax",
                                             httponly=True, secure=https)
                    h.append("set-cookie", cookie_header.headers["set-cookie"])
                headers.apply_to(h, scope["path"], https)
            await send(message)

        token = i18n.current.set(chosen)
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            i18n.current.reset(token)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="caisse", version=__version__, lifespan=_lifespan(settings),
                  description="API of a Belgian social insurance fund for the self-employed.",
                  # any request may be refused by the per-client rate limit (web/ratelimit.py)
                  responses={429: {"description": "Too many requests from this client; try again after "
                                                  "`Retry-After` seconds"}})
    app.state.settings = settings

    from caisse.web import auth as _auth
    from caisse.web import ratelimit

    _auth.trusted_networks(settings.trusted_proxies)  # a malformed CAISSE_TRUSTED_PROXIES stops the start here
    app.state.rate_buckets = ratelimit.Buckets()
    # plain ASGI middlewares (a BaseHTTPMiddleware runs the rest of the request in a task of its own and streams
    # the answer through a queue: measurable on every page). Added first, so innermost: the rate limit runs inside
    # the language middleware, so a 429 page is in the person's language and carries the security headers.
    app.add_middleware(Admission, limit=settings.db_pool_size)
    app.add_middleware(ratelimit.RateLimit)
    app.add_middleware(Language)
    @app.get("/health", tags=["platform"])
    def health() -> dict:
        return {"status": "ok", "version": __version__}

    @app.exception_handler(InvalidInput)
    async def invalid_input(_request: Request, exc: InvalidInput):
        return JSONResponse(status_code=422, content={"detail": [
            {"loc": ["body", *exc.field.split(".")], "msg": exc.message, "type": "value_error"}]})

    @app.exception_handler(Conflict)
    async def conflict(_request: Request, exc: Conflict):
        return JSONResponse(status_code=409, content={"detail": [
            {"loc": ["body", *exc.field.split(".")], "msg": exc.message, "type": "conflict"}]})

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated):
        status = 403 if exc.__class__.__name__ == "CsrfError" else 401
        if status == 401 and request.headers.get("hx-request") == "true":  # an in-place update: the page logs in
            current = urlsplit(request.headers.get("hx-current-url", "")).path or "/"
            return Response(status_code=401, headers={"HX-Redirect": f"/login?next={quote(current)}"})
        if _wants_html(request) and request.method == "GET":
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        return JSONResponse(status_code=status, content={"detail": str(exc)})

    @app.exception_handler(NeedToKnow)
    async def need_to_know(request: Request, exc: NeedToKnow):
        if _wants_html(request):
            from caisse.web.desk import need_to_know_page

            return need_to_know_page(request, str(exc), exc.party_id)
        return JSONResponse(status_code=403, content={"detail": str(exc), "need_to_know": True})

    @app.exception_handler(Forbidden)
    async def forbidden(_request: Request, exc: Forbidden):
        return JSONResponse(status_code=403, content={"detail": str(exc)})

    @app.exception_handler(UnknownParameter)
    async def unknown_parameter(_request: Request, exc: UnknownParameter):
        return JSONResponse(status_code=422, content={"detail": [
            {"loc": ["body"], "msg": str(exc), "type": "unknown_parameter"}]})

    @app.exception_handler(NotFound)
    async def not_found(_request: Request, exc: NotFound):
        return JSONResponse(status_code=404, content={"detail": str(exc)})

    from pathlib import Path

    from fastapi.staticfiles import StaticFiles

    from caisse.web import (
        account,
        auth,
        benefits,
        cases,
        desk,
        desk360,
        figures,
        notices_guide,
        password_reset,
        portal,
        recovery_desk,
        simulator_page,
    )
    from caisse.web.api import affiliation, approvals, simulate
    from caisse.web.api import benefits as benefits_api
    from caisse.web.api import recovery as recovery_api

    # the desk's router first: it holds "/" (every person's home page), and routes are tried in order (no path of
    # the routers it now precedes overlaps one of its seven)
    app.include_router(desk.router)
    app.include_router(auth.router)
    app.include_router(account.router)
    app.include_router(password_reset.router)
    app.include_router(simulate.router)
    app.include_router(affiliation.router)
    app.include_router(approvals.router)
    app.include_router(benefits_api.router)
    app.include_router(desk360.router)
    app.include_router(recovery_desk.router)
    app.include_router(recovery_api.router)
    app.include_router(cases.router)
    app.include_router(portal.router)
    app.include_router(benefits.router)
    app.include_router(simulator_page.router)
    app.include_router(figures.router)
    app.include_router(notices_guide.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    return app
