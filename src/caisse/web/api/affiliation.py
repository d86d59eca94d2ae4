"""Affiliate API: persons, companies, affiliations."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["affiliation"])
