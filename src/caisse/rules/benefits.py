"""Benefits: bridging right, maternity, birth leave, bereavement leave, carer leave, maternity aid vouchers.

Amounts are the ones in force on the date of the period (benefit amounts change with the health index on the
first of a month). Amounts not published for a date are refused (UnknownParameter), estimates only on request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from caisse.errors import InvalidInput
from caisse.money import fmt
from caisse.rules.explain import Explanation, Money, Word
from caisse.rules.params import Parameters, load, round_half_up_cents


@dataclass
class BenefitResult:
    benefit: str
    amount: int
    eligible: bool
    explanation: Explanation = field(repr=False)
    details: dict = field(default_factory=dict)

    def to_dict(self, lang: str = "en") -> dict:
        return {"benefit": self.benefit, "eligible": self.eligible, "amount": fmt(self.amount), **self.details,
                "uses_estimates": self.explanation.uses_estimates, "explanation": self.explanation.render(lang)}


def _count(value: int, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(name, f"must be a whole number from {low} to {high}")
    return value


def bridging_right(on: date, *, days: int | None = None, months: int = 1, family_charge: bool = False,
                   months_used: int = 0, paid_quarters_last_16: int | None = None,
                   pension_quarters: int | None = None, allow_estimates: bool = False,
                   params: Parameters | None = None) -> BenefitResult:
    """Bridging right for a month starting ``on`` (or ``months`` full months).

    ``days``: forced interruption of that many days in the month, paid per block of 7 days (25 % each, max 100 %).
    Eligibility checked when the facts are given: at least 4 quarters of contributions actually paid in the last
    16; at most 12 months over the career (24 after 60 pension-creating quarters).
    """
    params = params or load()
    ex = Explanation()
    kind = "family" if family_charge else "single"
    monthly = ex.use(params.get(f"bridging_right_monthly_{kind}", on, allow_estimates=allow_estimates)).value
    ex.add("bridging_month", family=Word(kind), monthly=Money(monthly), date=on)
    eligible = True
    reasons = []
    if paid_quarters_last_16 is not None:
        need = ex.use(params.get("bridging_right_paid_quarters", on)).value
        if _count(paid_quarters_last_16, "paid_quarters_last_16", 0, 16) < need:
            eligible = False
            reasons.append("paid_quarters")
    limit = ex.use(params.get("bridging_right_career_months", on)).value
    if pension_quarters is not None:
        long_q = ex.use(params.get("bridging_right_long_career_quarters", on)).value
        if _count(pension_quarters, "pension_quarters", 0, 400) >= long_q:
            limit = ex.use(params.get("bridging_right_career_months_long", on)).value
    left = limit - _count(months_used, "months_used", 0, 24)
    ex.add("bridging_limit", limit=limit, used=months_used, left=max(left, 0))
    if days is not None:
        _count(days, "days", 1, 31)
        blocks = min(days // 7, 4)
        if blocks == 0:
            eligible = False
            reasons.append("under_7_days")
        amount = round_half_up_cents(Fraction(monthly * blocks, 400))
        ex.add("bridging_blocks", days=days, blocks=blocks, monthly=Money(monthly), amount=Money(amount))
        if left <= 0:
            eligible = False
            reasons.append("career_used")
        details = {"monthly_amount": fmt(monthly), "blocks": blocks}
    else:
        _count(months, "months", 1, 24)
        if months > left:
            if left <= 0:
                reasons.append("career_used")
                eligible = False
            months = max(left, 0)
        amount = monthly * months
        ex.add("bridging_months", months=months, monthly=Money(monthly), amount=Money(amount))
        details = {"monthly_amount": fmt(monthly), "months": months}
    for r in reasons:
        ex.add("not_eligible", reason=Word(r))
    if not eligible:
        amount = 0
    details["months_left"] = max(left, 0)
    return BenefitResult("bridging_right", amount, eligible, ex, details)


def maternity(start: date, *, full_weeks: int, half_weeks: int = 0, multiple_birth: bool = False,
              allow_estimates: bool = False, params: Parameters | None = None) -> BenefitResult:
    """Maternity allowance (paid by the mutuality) for full weeks then half weeks taken from ``start``.

    Weeks are numbered in order (each half week is one calendar week of half-time rest); weeks 1-4 are paid at the
    higher weekly amount; each week at the amount in force on its first day. Plus 105 service vouchers.
    """
    params = params or load()
    ex = Explanation()
    rest = ex.use(params.get("maternity_rest_weeks_multiple_birth" if multiple_birth else "maternity_rest_weeks",
                             start)).value
    _count(full_weeks, "full_weeks", 0, 2 * rest + 12)
    _count(half_weeks, "half_weeks", 0, 2 * rest)
    if full_weeks * 2 + half_weeks > 2 * rest:
        raise InvalidInput("half_weeks", f"{full_weeks} full + {half_weeks} half weeks exceed the {rest} weeks of rest")
    if full_weeks + half_weeks == 0:
        raise InvalidInput("full_weeks", "at least one week")
    total = 0
    kinds = ["full"] * full_weeks + ["half"] * half_weeks
    weeks = []
    for i, kind in enumerate(kinds):
        day = start + timedelta(weeks=i)
        band = "first4" if i < 4 else "from5"
        v = ex.use(params.get(f"maternity_weekly_{band}_{kind}", day, allow_estimates=allow_estimates))
        total += v.value
        weeks.append({"week": i + 1, "from": day.isoformat(), "kind": kind, "amount": fmt(v.value)})
        ex.add("maternity_week", n=i + 1, date=day, kind=Word(f"{kind}_week"), amount=Money(v.value))
    vouchers = ex.use(params.get("maternity_service_vouchers", start)).value
    ex.add("maternity_total", full=full_weeks, half=half_weeks, amount=Money(total), vouchers=vouchers)
    return BenefitResult("maternity", total, True, ex, {"weeks": weeks, "service_vouchers": vouchers})


def _daily(benefit: str, daily_param: str, days_param: str, on: date, days: int, half_days: int,
           allow_estimates: bool, params: Parameters | None) -> BenefitResult:
    params = params or load()
    ex = Explanation()
    max_days = ex.use(params.get(days_param, on)).value
    _count(days, "days", 0, max_days)
    _count(half_days, "half_days", 0, 2 * max_days)
    if 2 * days + half_days > 2 * max_days:
        raise InvalidInput("half_days", f"{days} days + {half_days} half-days exceed {max_days} days")
    daily = ex.use(params.get(daily_param, on, allow_estimates=allow_estimates)).value
    half = round_half_up_cents(Fraction(daily, 200))
    amount = days * daily + half_days * half
    ex.add("daily_benefit", benefit=Word(benefit), days=days, daily=Money(daily), half_days=half_days,
           half=Money(half), amount=Money(amount))
    return BenefitResult(benefit, amount, True, ex, {"daily_amount": fmt(daily), "days": days,
                                                     "half_days": half_days})


def birth_leave(on: date, *, days: int = 0, half_days: int = 0, allow_estimates: bool = False,
                params: Parameters | None = None) -> BenefitResult:
    """Birth (paternity) leave: up to 20 days or 40 half-days within 4 months of the birth (births from 2023)."""
    if days == 0 and half_days == 0:
        raise InvalidInput("days", "at least one day or half-day")
    return _daily("birth_leave", "birth_leave_daily", "birth_leave_days", on, days, half_days, allow_estimates,
                  params)


def bereavement_leave(on: date, *, days: int, allow_estimates: bool = False,
                      params: Parameters | None = None) -> BenefitResult:
    """Bereavement leave: up to 10 days of full interruption within a year of the death."""
    if days == 0:
        raise InvalidInput("days", "at least one day")
    return _daily("bereavement", "bereavement_daily", "bereavement_days", on, days, 0, allow_estimates, params)


def carer_leave(on: date, *, months: int, partial: bool = False, months_used: int = 0,
                allow_estimates: bool = False, params: Parameters | None = None) -> BenefitResult:
    """Carer leave: 1-6 months per request, 12 over the career; partial (≥ 50 %) interruption pays half."""
    params = params or load()
    ex = Explanation()
    per_request = ex.use(params.get("carer_months_per_request", on)).value
    career = ex.use(params.get("carer_career_months", on)).value
    _count(months, "months", 1, per_request)
    _count(months_used, "months_used", 0, career)
    full = ex.use(params.get("carer_monthly_full", on, allow_estimates=allow_estimates)).value
    monthly = round_half_up_cents(Fraction(full, 200)) if partial else full
    left = career - months_used
    granted = min(months, left)
    amount = granted * monthly
    ex.add("carer", kind=Word("partial" if partial else "full"), months=granted, monthly=Money(monthly),
           amount=Money(amount))
    eligible = granted > 0
    if not eligible:
        ex.add("not_eligible", reason=Word("career_used"))
    return BenefitResult("carer_leave", amount, eligible, ex, {"monthly_amount": fmt(monthly), "months": granted,
                                                             "months_left": left - granted})
