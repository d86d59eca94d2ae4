"""Interest on benefits paid late (Charter of the social insured art. 20, addendum §15 [S234][S242]).

Interest runs de plein droit, in favour of the insured, from the day after the payment deadline (``payment_due``)
to the day of payment (or today, while unpaid), on the amount granted. The notes do not verify the rate ("legal
interest rate assumed"): the rates are **entered by the fund, with their source**, in ``legal_interest.yaml`` (or
the fund's copy, ``CAISSE_LEGAL_INTEREST_FILE``), each for a dated period. The interest is computed only when
every day late falls in a period with a rate entered: amount × rate × days / 365 per period, summed exactly and
rounded half-up to the cent once. Otherwise nothing is guessed: the result says ``not computed``, the days late and
the days without a rate, and ``follow_up`` flags the payment for a caseworker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from caisse.benefits.rate_files import entries, read_date, read_fresh, read_rate
from caisse.money import div_half_up

DEFAULT_FILE = Path(__file__).with_name("legal_interest.yaml")
LAW = "Charter of the social insured (law of 11-4-1995) art. 20 (addendum §15 [S234][S242])"
YEAR_DAYS = 365


class RateFileError(ValueError):
    """The legal interest file breaks its rules (a rate without a source, overlapping periods ...)."""


@dataclass(frozen=True)
class Rate:
    start: dt.date
    end: dt.date
    rate: Fraction
    text: str  # the rate as entered
    source: str
    entered_by: str
    entered_on: dt.date


def parse(data: dict | None) -> list[Rate]:
    """Check and read the rates of a legal interest file (already read from YAML)."""
    rates = []
    for where, r in entries(data, ("from", "to", "rate", "source", "entered_by", "entered_on"), RateFileError,
                            "a rate is entered with its source, by whom and when"):
        value = read_rate(r["rate"], where, RateFileError)
        if not 0 <= value < 1:
            raise RateFileError(f"{where}: rate {value} is a share of the amount a year (0.045 for 4.5 %)")
        start = read_date(r["from"], f"{where}.from", RateFileError)
        end = read_date(r["to"], f"{where}.to", RateFileError)
        if end < start:
            raise RateFileError(f"{where}: ends before it starts")
        rates.append(Rate(start, end, Fraction(value), str(value), str(r["source"]), str(r["entered_by"]),
                          read_date(r["entered_on"], f"{where}.entered_on", RateFileError)))
    rates.sort(key=lambda x: x.start)
    for a, b in zip(rates, rates[1:], strict=False):
        if b.start <= a.end:
            raise RateFileError(f"the rate from {b.start} overlaps the rate {a.start} to {a.end}")
    return rates


def entered() -> tuple[Rate, ...]:
    """The rates the fund entered (its file, else the shipped one: none) — read again once the file changed, so a
    rate entered is used by the next run without a restart."""
    from caisse.config import get_settings

    path = get_settings().legal_interest_file or str(DEFAULT_FILE)
    return read_fresh(path, parse)


def compute(amount_cents: int, payment_due: dt.date, paid_or_today: dt.date,
            rates: tuple[Rate, ...] | list[Rate] | None = None) -> dict:
    """The interest on ``amount_cents`` due on ``payment_due`` and paid on ``paid_or_today`` (see the module)."""
    rates = entered() if rates is None else rates
    first, last = payment_due + dt.timedelta(days=1), paid_or_today
    days = max((last - payment_due).days, 0)
    out = {"interest_from": first.isoformat(), "interest_to": last.isoformat(), "days": days,
           "base_cents": amount_cents, "law": LAW}
    if days == 0:
        return {**out, "interest": "computed", "interest_cents": 0, "periods": []}
    periods, covered, exact = [], 0, Fraction(0)
    for r in rates:
        lo, hi = max(first, r.start), min(last, r.end)
        if lo > hi:
            continue
        n = (hi - lo).days + 1
        covered += n
        exact += Fraction(amount_cents) * r.rate * n / YEAR_DAYS
        periods.append({"from": lo.isoformat(), "to": hi.isoformat(), "days": n, "rate": r.text,
                        "source": r.source, "entered_by": r.entered_by, "entered_on": r.entered_on.isoformat()})
    if covered < days:
        gaps, day = [], first
        for p in [*periods, None]:
            upto = dt.date.fromisoformat(p["from"]) - dt.timedelta(days=1) if p else last
            if day <= upto:
                gaps.append({"from": day.isoformat(), "to": upto.isoformat(), "days": (upto - day).days + 1})
            if p:
                day = dt.date.fromisoformat(p["to"]) + dt.timedelta(days=1)
        return {**out, "interest": "not computed", "days_without_rate": days - covered, "without_rate": gaps,
                "periods": periods,
                "why": "no legal interest rate entered by the fund for "
                       + ", ".join(f"{g['from']} to {g['to']}" for g in gaps)
                       + " (the notes do not verify the rate): the fund will not guess it — a caseworker checks"}
    cents = int(div_half_up(exact.numerator, exact.denominator))  # the one place that rounds (half-up)
    return {**out, "interest": "computed", "interest_cents": cents, "periods": periods}
