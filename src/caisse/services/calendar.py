"""Calendar helpers of the fund: quarters (``2026Q1``), month arithmetic."""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
from dataclasses import dataclass

from caisse.errors import InvalidInput

_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str, field: str = "quarter") -> Quarter:
        m = _QUARTER.match(str(text).strip().upper())
        if not m:
            raise InvalidInput(field, "expected a quarter like 2026Q1, got {text!r}", text=text)
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> dt.date:
        month = 3 * self.number
        return dt.date(self.year, month, _cal.monthrange(self.year, month)[1])

    def next(self) -> Quarter:
        return Quarter(self.year + (self.number == 4), self.number % 4 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


def quarter_start(day: dt.date) -> dt.date:
    return Quarter.of(day).first_day


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, _cal.monthrange(year, month)[1]))
