"""Money is integer cents everywhere; this module is the one place that converts and rounds.

Rounding rule: half-up (away from zero for positive amounts), to the cent, as the INASTI grids and the
funds' published figures do (legislation.md §1.2: every derived figure is "rounded half-up to the cent").
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from caisse.texts import T_

Cents = int
CENT = Decimal("0.01")


# An amount as a person types it: digits, then at most one decimal separator, a comma (Belgian usage) or a dot.
_PLAIN = re.compile(r"[+-]?(\d*)(?:([.,])(\d+))?")
# One separator followed by exactly three digits after a group of 1-3 digits ("80,000", "80.000", "1.500"):
# thousands for some readers, decimals for others (a Belgian reads 80.000 as eighty thousand).
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}")

_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:[.,' \u00a0\u202f]\d{3})+(?:[.,]\d+)?")

AMOUNT_FORM = T_("write amounts without thousands separators, decimals after ',' or '.' (e.g. 80000 or 80000,50)")


def to_decimal(value: object, field: str = "amount") -> Decimal:
    """Parse an amount given as str/int/Decimal (never float) into a Decimal.

    Text is read the way a Belgian types an amount: ``80000``, ``80000,50`` (decimal comma) or ``80000.50``
    (decimal dot). Thousands separators are refused rather than guessed: ``80.000``, ``80,000``, ``80.000,00``,
    ``80 000``, ``1e3`` are InvalidInput naming the field — "80,000" must never silently become 80.00.
    """
    from caisse.errors import InvalidInput

    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, bool | float):
        raise InvalidInput(field, "amounts must be given as text or Decimal, not binary float")
    elif isinstance(value, int):
        d = Decimal(value)
    else:
        text = str(value).strip()
        m = _PLAIN.fullmatch(text)
        if m is None or not (m.group(1) or m.group(3)):
            if _THOUSANDS.fullmatch(text):
                raise InvalidInput(field, "{value!r}: thousands separators are not accepted, {form}", value=value,
                                   form=AMOUNT_FORM)
            raise InvalidInput(field, "not an amount: {value!r}", value=value)
        if _GROUPED.fullmatch(text):
            raise InvalidInput(field, "{value!r} is ambiguous (a thousands separator, or three decimals?): {form}",
                               value=value, form=AMOUNT_FORM)
        d = Decimal(text.replace(",", "."))
    if not d.is_finite():
        raise InvalidInput(field, "not an amount: {value!r}", value=value)
    return d


MAX_EUROS = 10**13  # ten thousand billion euros: far above any income or balance sheet, far inside int64 cents


def to_cents(value: object, field: str = "amount") -> Cents:
    """'1234.56' or '1234,56' -> 123456. An amount with more than two decimals is refused, never rounded."""
    from caisse.errors import InvalidInput

    d = to_decimal(value, field)
    if abs(d) >= MAX_EUROS:
        raise InvalidInput(field, "{value!r}: beyond any amount the fund handles (under {most} EUR)", value=value,
                           most=f"{MAX_EUROS:,}")
    if d != d.quantize(CENT):
        raise InvalidInput(field, "{value!r}: more than two decimals (an amount is in euros and cents)", value=value)
    return int(d * 100)


def amount_cents(value: object, field: str = "amount") -> Cents:
    """An amount given to a rule: an ``int`` is already in cents (the ledger's unit); a string or Decimal is in
    euros ('1234.56', see ``to_cents``). One reading for every amount the rules take, so that an income, a
    payment and a balance given the same way never differ by a factor 100."""
    return value if isinstance(value, int) and not isinstance(value, bool) else to_cents(value, field)


def from_cents(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)


def fmt(cents: int) -> str:
    """123456 -> '1234.56' (the JSON/CSV form: two decimals, dot, no thousands separator)."""
    sign = "-" if cents < 0 else ""
    c = abs(int(cents))
    return f"{sign}{c // 100}.{c % 100:02d}"


def fmt_all(cents: np.ndarray) -> list[str]:
    """``fmt`` of every value of an integer array (a batch's amounts), without a call per value."""
    c = np.asarray(cents, np.int64)
    if not len(c) or c.min() >= 0:
        return [f"{e}.{r:02d}" for e, r in zip((c // 100).tolist(), (c % 100).tolist(), strict=True)]
    a = np.abs(c)
    return [f"{s}{e}.{r:02d}" for s, e, r in zip(np.where(c < 0, "-", "").tolist(), (a // 100).tolist(),
                                                   (a % 100).tolist(), strict=True)]


def round_half_up(d: Decimal, exp: Decimal = CENT) -> Decimal:
    return d.quantize(exp, rounding=ROUND_HALF_UP)


def div_half_up(numerator: np.ndarray | int, denominator: int) -> np.ndarray | int:
    """Integer division rounded half-up (away from zero), exact on int64 arrays or Python ints."""
    if isinstance(numerator, np.ndarray):
        sign = np.sign(numerator)
        return sign * ((np.abs(numerator) * 2 + denominator) // (2 * denominator))
    sign = -1 if numerator < 0 else 1
    return sign * ((abs(numerator) * 2 + denominator) // (2 * denominator))
