"""Withholding tax on the benefits the fund pays — applied only at a rate the fund recorded with its source.

The legislation notes give a withholding rate (11.11 %) only for the maternity and adoption allowances, which the
mutuality pays, not the fund (legislation §8.2 [S119], addendum §8.4 [S210]); the birth-leave allowance is reported
on tax form 281.18 [S260] with no rate. For the benefits the fund pays the rate is NOT FOUND: ``withholding.yaml``
ships empty and the fund records a rate (benefit kind, dated period, source and its short id, who, when) — or names
its own file with ``CAISSE_WITHHOLDING_FILE``. ``for_grant`` says, for a grant, what is withheld: nothing and why
("rate not recorded"), or the rate, its source and the amount (gross × rate, rounded half-up to the cent); the grant
then posts it on ``withholding_tax`` (owed to the tax administration, with the rate, its source id and first day:
what the tax records of benefits report) and transfers the net.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from caisse.benefits.rate_files import entries, read_date, read_fresh, read_rate
from caisse.money import div_half_up

DEFAULT_FILE = Path(__file__).with_name("withholding.yaml")
KINDS = ("bridging_right", "birth_leave", "carer", "bereavement")  # the benefits the fund pays
NOT_FOUND = ("no withholding rate recorded for this benefit: the legislation notes give 11.11 % only for the "
             "maternity and adoption allowances paid by the mutuality [S119][S210]; NOT FOUND for the benefits the "
             "fund pays (birth leave: tax form 281.18 [S260], no rate)")
#: what the tax file (docs/formats/benefit-tax.md) can quote: the rate as a share in 9 characters, the source id in 20
SOURCE_ID = re.compile(r"[A-Za-z0-9_\-/.]{1,20}\Z")
RATE_WIDTH = 9
FIELDS = ("kind", "from", "rate", "source", "source_id", "entered_by", "entered_on")


class WithholdingFileError(ValueError):
    """The withholding file breaks its rules (a rate without a source, an unknown benefit, overlapping periods ...)."""


@dataclass(frozen=True)
class Rate:
    kind: str
    start: dt.date
    end: dt.date | None
    rate: Fraction
    text: str
    source: str
    source_id: str
    entered_by: str
    entered_on: dt.date


def parse(data: dict | None) -> list[Rate]:
    """Check and read the rates of a withholding file (already read from YAML)."""
    rates = []
    for where, r in entries(data, FIELDS, WithholdingFileError,
                            "a rate is recorded with its source and the source's short id, by whom and when"):
        if not SOURCE_ID.match(str(r["source_id"])):
            raise WithholdingFileError(f"{where}: source_id {r['source_id']!r} is the source's short id the tax file "
                                       "quotes: 1 to 20 letters, digits, '_', '-', '/' or '.'")
        if r["kind"] not in KINDS:
            raise WithholdingFileError(f"{where}: kind {r['kind']!r} is not a benefit the fund pays "
                                       f"({', '.join(KINDS)})")
        value = read_rate(r["rate"], where, WithholdingFileError)
        if not 0 < value < 1:
            raise WithholdingFileError(f"{where}: rate {value} is a share of the gross amount (0.1111 for 11.11 %)")
        if len(str(value)) > RATE_WIDTH:
            raise WithholdingFileError(f"{where}: rate {value} has more decimals than the tax file carries (at most "
                                       f"{RATE_WIDTH - 2})")
        start = read_date(r["from"], f"{where}.from", WithholdingFileError)
        end = read_date(r["to"], f"{where}.to", WithholdingFileError) if r.get("to") else None
        if end is not None and end < start:
            raise WithholdingFileError(f"{where}: ends before it starts")
        entered_on = read_date(r["entered_on"], f"{where}.entered_on", WithholdingFileError)
        rates.append(Rate(r["kind"], start, end, Fraction(value), str(value), str(r["source"]), str(r["source_id"]),
                          str(r["entered_by"]), entered_on))
    rates.sort(key=lambda x: (x.kind, x.start))
    for a, b in zip(rates, rates[1:], strict=False):
        if a.kind == b.kind and (a.end is None or b.start <= a.end):
            raise WithholdingFileError(f"the {b.kind} rate from {b.start} overlaps the one from {a.start}")
    return rates


def recorded() -> tuple[Rate, ...]:
    """The rates the fund recorded (its file, else the shipped one: none); read again once the file changed."""
    from caisse.config import get_settings

    path = get_settings().withholding_file or str(DEFAULT_FILE)
    return read_fresh(path, parse)


def rate_for(kind: str, on: dt.date, rates=None) -> Rate | None:
    for r in recorded() if rates is None else rates:
        if r.kind == kind and r.start <= on and (r.end is None or on <= r.end):
            return r
    return None


def for_grant(kind: str, gross_cents: int, on: dt.date, rates=None) -> dict:
    """What is withheld from a grant of ``gross_cents`` posted on ``on``: stored with the decision (``withholding``)."""
    r = rate_for(kind, on, rates)
    if r is None:
        return {"applied": False, "gross_cents": gross_cents, "withheld_cents": 0, "why": NOT_FOUND}
    exact = Fraction(gross_cents) * r.rate
    cents = int(div_half_up(exact.numerator, exact.denominator))
    return {"applied": True, "gross_cents": gross_cents, "withheld_cents": cents, "rate": r.text,
            "source": r.source, "source_id": r.source_id, "from": r.start.isoformat(), "entered_by": r.entered_by,
            "entered_on": r.entered_on.isoformat()}
