"""Amounts as a Belgian types them (caisse.money.to_decimal / to_cents): a decimal comma or a decimal dot, never a
thousands separator guessed. "80,000" must never silently become 80.00."""

from __future__ import annotations

from decimal import Decimal

import pytest

from caisse.errors import InvalidInput
from caisse.money import to_cents, to_decimal


@pytest.mark.parametrize(("text", "cents"), [
    ("80000", 8_000_000),
    ("80000,50", 8_000_050),      # Belgian decimal comma
    ("80000.50", 8_000_050),      # decimal dot
    ("1,5", 150),
    (" 871.71 ", 87_171),
    ("0.100", 10),                # a leading 0 cannot be a thousands group: exact cents
    ("-5", -500),
    (80000, 8_000_000),           # a Python int is whole euros
])
def test_accepted_amounts(text, cents):
    assert to_cents(text) == cents


@pytest.mark.parametrize(("text", "says"), [
    ("80,000", "ambiguous"),
    ("80.000", "ambiguous"),      # a Belgian means eighty thousand, a dot-decimal reader 80
    ("1.500", "ambiguous"),
    ("80.000,00", "thousands separators are not accepted"),
    ("80,000.00", "thousands separators are not accepted"),
    ("80 000", "thousands separators are not accepted"),
    ("1.000.000", "thousands separators are not accepted"),
    ("1.2345", "more than two decimals"),
    ("80000.005", "more than two decimals"),
    ("1e3", "not an amount"),
    ("5.", "not an amount"),
    ("", "not an amount"),
    ("NaN", "not an amount"),
])
def test_refused_amounts_name_the_field(text, says):
    with pytest.raises(InvalidInput) as info:
        to_cents(text, "income")
    assert info.value.field == "income" and says in info.value.message


def test_a_rate_keeps_its_decimals():
    assert to_decimal("0,0405") == Decimal("0.0405") and to_decimal("0.125") == Decimal("0.125")


def test_a_float_is_refused():
    with pytest.raises(InvalidInput, match="float"):
        to_decimal(0.1)
