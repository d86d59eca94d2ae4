"""The rate files the fund keeps itself, each rate dated and entered with its source (legal interest on late
benefits, withholding tax): the pieces their readers share — a date or a rate of an entry read with the entry's
place in the error, and the file read again once it changed (a rate entered is used without a restart)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import yaml


def entries(data: dict | None, fields: tuple[str, ...], error: type[Exception], why: str) -> Iterator[tuple[str, dict]]:
    """Each entry of the file's ``rates`` with its place (``rates[i]``), once it is a mapping holding every one of
    ``fields``; else ``error`` naming the place and what is missing (``why``: how a rate is entered)."""
    for i, r in enumerate((data or {}).get("rates") or []):
        where = f"rates[{i}]"
        if not isinstance(r, dict):
            raise error(f"{where}: expected {', '.join(fields)}")
        missing = [k for k in fields if not r.get(k)]
        if missing:
            raise error(f"{where}: {', '.join(missing)} missing ({why})")
        yield where, r


def read_date(raw, where: str, error: type[Exception]) -> dt.date:
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise error(f"{where}: not a date (YYYY-MM-DD): {raw!r}") from None


def read_rate(raw, where: str, error: type[Exception]) -> Decimal:
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        raise error(f"{where}: rate {raw!r} is not a number") from None


@lru_cache(maxsize=16)
def _load(path: str, parse: Callable, stamp: tuple[int, int]) -> tuple:
    with open(path, encoding="utf-8") as fh:
        return tuple(parse(yaml.safe_load(fh)))


def read_fresh(path: str, parse: Callable[[dict | None], list]) -> tuple:
    """The entries of the file at ``path`` checked by ``parse``: read once, and again whenever it changed."""
    st = os.stat(path)
    return _load(path, parse, (st.st_mtime_ns, st.st_size))
