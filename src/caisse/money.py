"""Money is integer cents everywhere; this module is the one place that converts and rounds.

Rounding rule: half-up (away from zero for positive amounts), to the cent, as the INASTI grids and the
funds' published figures do (legislation.md §1.2: every derived figure is "rounded half-up to the cent").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np

Cents = int
CENT = Decimal("0.01")


def to_decimal(value: object, field: str = "amount") -> Decimal:
    """Parse an amount given as str/int/Decimal (never float) into a Decimal."""
    from caisse.errors import InvalidInput

    if isinstance(value, float):
        raise InvalidInput(field, "amounts must be given as text or Decimal, not binary float")
    try:
        d = Decimal(str(value).strip().replace(",", ".")) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise InvalidInput(field, f"not an amount: {value!r}") from None
    if not d.is_finite():
        raise InvalidInput(field, f"not an amount: {value!r}")
    return d


def to_cents(value: object, field: str = "amount") -> Cents:
    """'1234.565' -> 123457 (half-up)."""
    d = to_decimal(value, field)
    return int((d * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_cents(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)


def fmt(cents: int) -> str:
    """123456 -> '1234.56' (the JSON/CSV form: two decimals, dot, no thousands separator)."""
    sign = "-" if cents < 0 else ""
    c = abs(int(cents))
    return f"{sign}{c // 100}.{c % 100:02d}"


def round_half_up(d: Decimal, exp: Decimal = CENT) -> Decimal:
    return d.quantize(exp, rounding=ROUND_HALF_UP)


def div_half_up(numerator: np.ndarray | int, denominator: int) -> np.ndarray | int:
    """Integer division rounded half-up (away from zero), exact on int64 arrays or Python ints."""
    if isinstance(numerator, np.ndarray):
        sign = np.sign(numerator)
        return sign * ((np.abs(numerator) * 2 + denominator) // (2 * denominator))
    sign = -1 if numerator < 0 else 1
    return sign * ((abs(numerator) * 2 + denominator) // (2 * denominator))
