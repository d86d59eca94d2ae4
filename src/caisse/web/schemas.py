"""Base of every request body: unknown fields are refused, and so are NUL characters (PostgreSQL cannot
store them, and no legitimate name, address or reason contains one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, ConfigDict, field_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("may not contain NUL characters")
        return value


#: free text in a query string (a reason, a search), without NUL characters
QueryText = Annotated[str | None, Query(max_length=500, pattern=r"^[^\x00]*$")]
