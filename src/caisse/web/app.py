"""The FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from caisse import __version__
from caisse.config import Settings, get_settings
from caisse.errors import Conflict, InvalidInput, NotFound


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="caisse", version=__version__,
                  description="API of a Belgian social insurance fund for the self-employed.")
    app.state.settings = settings

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

    @app.exception_handler(NotFound)
    async def not_found(_request: Request, exc: NotFound):
        return JSONResponse(status_code=404, content={"detail": str(exc)})

    from pathlib import Path

    from fastapi.staticfiles import StaticFiles

    from caisse.web import desk
    from caisse.web.api import affiliation, simulate

    app.include_router(simulate.router)
    app.include_router(affiliation.router)
    app.include_router(desk.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    return app
