"""Annual contribution of companies (cotisation annuelle à charge des sociétés / vennootschapsbijdrage).

Small amount when the balance-sheet total of the penultimate closed financial year is at most the boundary, large
amount above it; a starting company pays the small amount during its first two years of subjection whatever its
balance sheet. Due on 31 December of the contribution year (since 2023). Late payment: 1 % of the contribution per
month of delay — counted here per month begun after the due date (assumption: the source says "per month").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from caisse.errors import InvalidInput
from caisse.money import amount_cents, fmt
from caisse.rules.explain import Explanation, Money, Rate, Word
from caisse.rules.params import Parameters, check_year, load, round_half_up_cents


@dataclass
class CompanyResult:
    year: int
    size: str                # small | large
    amount: int
    due_date: date
    surcharge: int
    months_late: int
    explanation: Explanation = field(repr=False)

    def to_dict(self, lang: str = "en") -> dict:
        return {"year": self.year, "size": self.size, "amount": fmt(self.amount),
                "due_date": self.due_date.isoformat(), "months_late": self.months_late,
                "surcharge_total": fmt(self.surcharge), "total": fmt(self.amount + self.surcharge),
                "uses_estimates": self.explanation.uses_estimates,
                "low_confidence": bool(self.explanation.low_confidence),
                "explanation": self.explanation.render(lang)}


def months_begun(due: date, paid: date) -> int:
    """Months of delay, each month begun counting: due 31/12, paid 15/01 -> 1; paid 01/02 -> 2."""
    if paid <= due:
        return 0
    months = (paid.year - due.year) * 12 + paid.month - due.month
    if paid.day > due.day:
        months += 1
    return max(months, 1)


def company_contribution(year: int, balance_sheet_total: object = None, *, subjection_year: int | None = None,
                         paid_on: date | None = None, allow_estimates: bool = False,
                         params: Parameters | None = None) -> CompanyResult:
    """``subjection_year``: 1 for the first year the company is subject, 2 for the second ... (None = not a starter)."""
    params = params or load()
    check_year(year)
    ex = Explanation()
    due = date(year, 12, 31)
    starting_years = ex.use(params.get("company_starting_years_small", date(year, 1, 1))).value
    if subjection_year is not None and subjection_year < 1:
        raise InvalidInput("subjection_year", "the first year of subjection is 1")
    if subjection_year is not None and subjection_year <= starting_years:
        small = ex.use(params.year("company_contribution_small", year, allow_estimates=allow_estimates))
        size, amount = "small", small.value
        ex.add("company_starting", n=subjection_year, amount=Money(amount), due=due)
    else:
        if balance_sheet_total is None:
            raise InvalidInput("balance_sheet_total", "required (balance-sheet total of the penultimate closed "
                                                      "financial year)")
        total = amount_cents(balance_sheet_total, "balance_sheet_total")
        if total < 0:
            raise InvalidInput("balance_sheet_total", "cannot be negative")
        boundary = ex.use(params.year("company_balance_sheet_boundary", year, allow_estimates=allow_estimates))
        size = "small" if total <= boundary.value else "large"
        amount_v = ex.use(params.year(f"company_contribution_{size}", year, allow_estimates=allow_estimates))
        amount = amount_v.value
        ex.add("company_bracket", total=Money(total), cmp="≤" if size == "small" else ">",
               boundary=Money(boundary.value), size=Word(size), amount=Money(amount), due=due)
    months = 0
    surcharge = 0
    if paid_on is not None and paid_on > due:
        rate = ex.use(params.get("company_late_rate_per_month", due)).value
        months = months_begun(due, paid_on)
        surcharge = round_half_up_cents(Fraction(amount, 100) * rate * months)
        ex.add("company_late", paid=paid_on, months=months, rate=Rate(rate), amount=Money(surcharge))
    return CompanyResult(year, size, amount, due, surcharge, months, ex)
