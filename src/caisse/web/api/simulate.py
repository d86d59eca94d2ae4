"""`POST /api/simulate/...`: the simulator over HTTP (same answers as `caisse simulate`)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/simulate", tags=["simulator"])
