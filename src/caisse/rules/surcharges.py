"""Surcharges on contributions (AR 19-12-1967 art. 44) and after an unjustified reduction.

Art. 44 §1: 3 % of the unpaid contribution at the end of the quarter in which it is due and at the end of every
following quarter while unpaid; a one-off 7 % on 1 January on the contributions first claimed the previous year and
still unpaid; never on surcharges. The last surcharge is the one at the end of the quarter preceding the quarter in
which a contrainte (dwangbevel) is served or the affiliate is summoned (RD 4-10-2005, addendum §4.2).

Assumptions (documented in docs/rules.md, to confirm with the fund):
- a payment is imputed on the contribution (principal) first: the simulator models one debt;
- the year in which a contribution is "first claimed" is the year of its due date;
- a payment counts on the day it is credited; a payment on the due date is in time;
- once the contrainte cut-off has passed, no surcharge (3 % or 7 %) arises any more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from caisse.errors import InvalidInput
from caisse.money import amount_cents, fmt
from caisse.rules.contributions import quarter_end
from caisse.rules.explain import Explanation, Money, Rate
from caisse.rules.params import Parameters, check_year, load, round_half_up_cents


@dataclass
class Surcharge:
    on: date
    kind: str               # "quarterly" (3 %) or "annual" (7 %) or "reduction"
    base: int               # unpaid contribution it is computed on, cents
    rate: Fraction
    amount: int

    def to_dict(self) -> dict:
        return {"date": self.on.isoformat(), "kind": self.kind, "base": fmt(self.base),
                "rate": str(float(self.rate)), "amount": fmt(self.amount)}


@dataclass
class SurchargeResult:
    amount: int
    due_date: date
    surcharges: list[Surcharge]
    unpaid: int                     # contribution still unpaid at the end (as_of)
    explanation: Explanation = field(repr=False)

    @property
    def total(self) -> int:
        return sum(s.amount for s in self.surcharges)

    def to_dict(self, lang: str = "en") -> dict:
        return {
            "amount": fmt(self.amount),
            "due_date": self.due_date.isoformat(),
            "surcharge_total": fmt(self.total),
            "surcharges": [s.to_dict() for s in self.surcharges],
            "unpaid_contribution": fmt(self.unpaid),
            "explanation": self.explanation.render(lang),
        }


def _next_day(d: date) -> date:
    return date.fromordinal(d.toordinal() + 1)


def late_payment_surcharges(amount: object, due_date: date, payments: list[tuple[date, object]] | None = None, *,
                            as_of: date | None = None, served_on: date | None = None,
                            claimed_year: int | None = None, params: Parameters | None = None) -> SurchargeResult:
    """Surcharges on a contribution of ``amount`` due on ``due_date``, given the payments (date, amount).

    ``as_of``: the day to compute up to when the contribution is not fully paid (required then).
    ``served_on``: date a contrainte was served or the affiliate summoned before the labour court.
    """
    params = params or load()
    if not isinstance(due_date, date):
        raise InvalidInput("due_date", "a date is required")
    if due_date != quarter_end(due_date):
        # legislation.md §4.1: a contribution falls due on the last day of a quarter (regularisation supplements
        # too, §2). A date inside a quarter would put two "quarter ends" in the same quarter: refused, not guessed.
        raise InvalidInput("due_date", f"{due_date.isoformat()} is not the last day of a quarter: contributions "
                                       f"fall due on 31/03, 30/06, 30/09 or 31/12 (this quarter's is "
                                       f"{quarter_end(due_date).isoformat()})")
    principal = amount_cents(amount, "amount")
    if principal <= 0:
        raise InvalidInput("amount", "the contribution must be positive")
    pays = []
    for i, (d, a) in enumerate(payments or []):
        cents = amount_cents(a, f"payments.{i}.amount")
        if cents <= 0:
            raise InvalidInput(f"payments.{i}.amount", "a payment must be positive")
        pays.append((d, cents))
    pays.sort()
    if sum(a for _, a in pays) < principal and as_of is None:
        raise InvalidInput("as_of", "the contribution is not fully paid: give the date to compute up to")
    ex = Explanation()
    q_rate_v = ex.use(params.get("late_surcharge_quarterly_rate", due_date))
    y_rate_v = ex.use(params.get("late_surcharge_annual_rate", due_date))
    q_rate, y_rate = q_rate_v.value, y_rate_v.value
    claimed = claimed_year if claimed_year is not None else due_date.year
    cutoff = None
    if served_on is not None:
        cutoff = date.fromordinal(date(served_on.year, 3 * ((served_on.month - 1) // 3) + 1, 1).toordinal() - 1)
    # end: the day the principal is fully paid, or as_of
    paid_total, paid_off = 0, None
    for d, a in pays:
        paid_total += a
        if paid_total >= principal:
            paid_off = d
            break
    end = paid_off if paid_off is not None else as_of
    if as_of is not None and paid_off is not None:
        end = min(paid_off, as_of)

    def unpaid_at(day: date) -> int:
        """Contribution still unpaid at the end of ``day`` (payments imputed on the contribution first)."""
        return max(0, principal - sum(a for d, a in pays if d <= day))

    events: list[tuple[date, str]] = []
    d = due_date
    while d <= end:
        events.append((d, "quarterly"))
        d = quarter_end(_next_day(d))
    jan1 = date(claimed + 1, 1, 1)
    if jan1 <= end:
        events.append((jan1, "annual"))
    events.sort()
    result = []
    for day, kind in events:
        if cutoff is not None and day > cutoff:
            break
        if kind == "quarterly":
            base = unpaid_at(day)
            rate = q_rate
            if base:
                result.append(Surcharge(day, kind, base, rate, round_half_up_cents(Fraction(base, 100) * rate)))
                ex.add("surcharge_quarter", date=day, principal=Money(base), rate=Rate(rate),
                       amount=Money(result[-1].amount))
        else:
            base = unpaid_at(date(claimed, 12, 31))
            if base:
                result.append(Surcharge(day, kind, base, y_rate, round_half_up_cents(Fraction(base, 100) * y_rate)))
                ex.add("surcharge_annual", date=day, principal=Money(base), year=claimed, rate=Rate(y_rate),
                       amount=Money(result[-1].amount))
    if served_on is not None:
        ex.add("surcharge_stop", served=served_on, last=cutoff)
    if not result:
        ex.add("surcharge_none")
    ex.add("surcharge_rule")
    return SurchargeResult(principal, due_date, result, unpaid_at(end), ex)


@dataclass
class ReductionSurchargeResult:
    year: int
    definitive: int
    reduced_provisional: int
    paid_by_year_end: int
    base: int
    surcharges: list[Surcharge]
    explanation: Explanation = field(repr=False)

    @property
    def total(self) -> int:
        return sum(s.amount for s in self.surcharges)

    def to_dict(self, lang: str = "en") -> dict:
        return {"year": self.year, "definitive": fmt(self.definitive),
                "reduced_provisional": fmt(self.reduced_provisional), "paid_by_year_end": fmt(self.paid_by_year_end),
                "base": fmt(self.base), "surcharge_total": fmt(self.total),
                "surcharges": [s.to_dict() for s in self.surcharges],
                "source_status": "secondary", "explanation": self.explanation.render(lang)}


def unjustified_reduction_surcharge(year: int, definitive: object, reduced_provisional: object,
                                    paid_by_year_end: object = "0", *,
                                    params: Parameters | None = None) -> ReductionSurchargeResult:
    """Surcharge when provisional contributions were reduced and the definitive ones prove higher.

    legislation.md §4.3 and addendum §4.3 (press summaries of the 2022 reform, status SECONDARY; the article of law
    carrying it was NOT found — it is not cited): 3 % of the part of the definitive contribution of ``year``
    exceeding the reduced provisional contribution and still unpaid on 31 December of ``year``, plus a one-off 7 %
    if unpaid then. Paying the difference before 31 December avoids it.

    ``definitive`` and ``reduced_provisional``: the contributions of the year (annual amounts, without fee);
    ``paid_by_year_end``: what the affiliate paid on top of the reduced provisional contributions by 31 December.
    """
    params = params or load()
    check_year(year)
    ex = Explanation()
    d_c, r_c, p_c = (amount_cents(definitive, "definitive"), amount_cents(reduced_provisional, "reduced_provisional"),
                     amount_cents(paid_by_year_end, "paid_by_year_end"))
    for name, cents in (("definitive", d_c), ("reduced_provisional", r_c), ("paid_by_year_end", p_c)):
        if cents < 0:
            raise InvalidInput(name, "cannot be negative")
    r1 = ex.use(params.get("unjustified_reduction_rate", date(year, 12, 31))).value
    r2 = ex.use(params.get("unjustified_reduction_annual_rate", date(year, 12, 31))).value
    base = max(0, d_c - r_c - p_c)
    out = []
    if base:
        out = [Surcharge(date(year, 12, 31), "reduction", base, r1, round_half_up_cents(Fraction(base, 100) * r1)),
               Surcharge(date(year + 1, 1, 1), "reduction_annual", base, r2,
                         round_half_up_cents(Fraction(base, 100) * r2))]
        ex.add("unjustified_reduction", reduced=Money(r_c), definitive=Money(d_c), paid=Money(p_c), base=Money(base),
               date=date(year, 12, 31), rate=Rate(r1), rate2=Rate(r2), amount=Money(sum(s.amount for s in out)))
    else:
        ex.add("unjustified_reduction_none", reduced=Money(r_c), definitive=Money(d_c), paid=Money(p_c),
               date=date(year, 12, 31))
    ex.add("unjustified_reduction_source")
    return ReductionSurchargeResult(year, d_c, r_c, p_c, base, out, ex)
