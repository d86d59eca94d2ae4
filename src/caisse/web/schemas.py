"""Base of every request body: unknown fields are refused, and so are NUL characters (PostgreSQL cannot
store them, and no legitimate name, address or reason contains one). Types are strict: a number is never read as a
date (pydantic's lax mode takes 0 for 1 January 1970), a float or a boolean never as an integer, a number never as
text — a body that does not follow the published schema is a 422, not a guess. Dates are ISO text (``Day``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator


def _iso_day(value: object) -> object:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("a date YYYY-MM-DD that exists") from None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise ValueError("a date as text, YYYY-MM-DD")


#: a calendar day in a request body: ISO text only
Day = Annotated[dt.date, BeforeValidator(_iso_day)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("may not contain NUL characters")
        return value


#: free text in a query string (a reason, a search), without NUL characters
QueryText = Annotated[str | None, Query(max_length=500, pattern=r"^[^\x00]*$")]
