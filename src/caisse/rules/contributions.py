"""Social contributions of the self-employed (AR n° 38 art. 11-13): definitive, provisional, reduced, regularised.

Amounts are integer cents. The annual contribution is the exact scale result rounded half-up to the cent; the
quarterly contribution is a quarter of the *exact* annual amount, rounded half-up (this is what reproduces the
published quarterly figures, e.g. 1,865.45 × 20.50 % / 4 = 95.60, not 382.42 / 4 = 95.61). The management fee is
``round(round(contribution, 2) × (1 + rate), 2)`` per quarter (legislation.md §3).

Two implementations of the same rules: :func:`contribution` for one affiliate, with its explanation, in exact
rational arithmetic; :func:`quarterly_vector` over numpy int64 arrays for a million. A property test keeps them equal.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

import numpy as np

from caisse.errors import InvalidInput
from caisse.money import div_half_up, fmt
from caisse.rules.explain import Explanation, Money, Rate, Word
from caisse.rules.params import Parameters, Value, check_year, load, round_half_up_cents

CATEGORIES = ("main", "complementary", "student", "helping_spouse", "post_pension", "art37")
MAIN, COMPLEMENTARY, STUDENT, HELPING_SPOUSE, POST_PENSION, ART37 = range(6)
PENSION_AGE_OLD = 6   # internal: pension age reached without pension, old regime (20.50 %, exemption threshold)
MAX_INCOME_CENTS = 10**14  # 1,000,000,000,000.00 EUR: anything above is a typing error
#: the explanation step of the primostarter's first-quarter reduction (art. 12 §1bis); the fund's entries that take the
#: reduction off a quarter carry it as their explanation's ``step``
FIRST_QUARTER_STEP = "primostarter_first_quarter"
#: its parameter (what the fund's entries taking it off name, with the value's date)
FIRST_QUARTER_REDUCTION = "primostarter_first_quarter_reduction"


def category_code(category: str, field_name: str = "category") -> int:
    try:
        return CATEGORIES.index(category)
    except ValueError:
        raise InvalidInput(field_name, "unknown category {category!r} (one of: {categories})", category=category,
                           categories=", ".join(CATEGORIES)) from None


@dataclass(frozen=True)
class YearParams:
    """The figures of one contribution year, as parameter values (with their sources) and as integers."""

    year: int
    values: dict[str, Value]
    denominator: int          # common denominator D of the rates: rate = numerator / D
    r1: int
    r2: int
    r_pp1: int

    def cents(self, name: str) -> int:
        return self.values[name].value


YEAR_PARAMS = ("first_threshold", "ceiling", "main_minimum_income", "primostarter_minimum_income",
               "helping_spouse_minimum_income", "complementary_exemption_threshold", "student_exemption_threshold",
               "post_pension_exemption_threshold", "art37_ceiling")
RATES = ("rate_first_bracket", "rate_second_bracket", "rate_post_pension_first_bracket")


@functools.lru_cache(maxsize=64)
def year_params(year: int, allow_estimates: bool = False, params: Parameters | None = None) -> YearParams:
    """All contribution parameters of ``year``; raises UnknownParameter if one is not published."""
    p = params or load()
    check_year(year)
    values = {n: p.year(n, year, allow_estimates=allow_estimates) for n in YEAR_PARAMS}
    values.update({n: p.year(n, year, allow_estimates=allow_estimates) for n in RATES})
    rates = [values[n].value for n in RATES]
    d = math.lcm(*(r.denominator for r in rates))
    r1, r2, rpp = (int(r * d) for r in rates)
    return YearParams(year, values, d, r1, r2, rpp)


def parse_fee_rate(fee_rate: object) -> Fraction | None:
    """'0.0405' -> Fraction; a fee rate is a fraction of the contribution, between 0 and 0.25."""
    if fee_rate is None or fee_rate == "":
        return None
    from caisse.money import to_decimal

    d = to_decimal(fee_rate, "fee_rate")
    if d.as_tuple().exponent < -8:
        raise InvalidInput("fee_rate", "{rate}: at most 8 decimals", rate=fee_rate)
    if not 0 <= d < Fraction(1, 4):
        raise InvalidInput("fee_rate", "{rate} is not a fee rate (give it as a fraction, e.g. 0.0405)", rate=fee_rate)
    return Fraction(d)


def with_fee(cents: int, fee: Fraction | None) -> int:
    """round(round(contribution, 2) × (1 + rate), 2), half-up."""
    if fee is None:
        return cents
    return round_half_up_cents(Fraction(cents, 100) * (1 + fee))


# --- single affiliate: exact rationals, with the explanation --------------------------------------------------

def _scale(income: int, regime: int, primostarter: bool, yp: YearParams, ex: Explanation | None) -> Fraction:
    """Exact annual contribution in cents (a Fraction) for a regime; records steps in ``ex``."""
    v = yp.values
    use = ex.use if ex else (lambda x: x)
    t1, ceiling = yp.cents("first_threshold"), yp.cents("ceiling")
    r1 = Fraction(yp.r1, yp.denominator)
    r2 = Fraction(yp.r2, yp.denominator)

    def add(key, **kw):
        if ex:
            ex.add(key, **kw)

    if regime == ART37:
        limit = use(v["art37_ceiling"]).value
        if income < limit:
            add("as_complementary", threshold=Money(limit))
            regime = COMPLEMENTARY
        else:
            add("as_main", threshold=Money(limit))
            regime = MAIN
    if regime == STUDENT:
        full = use(v["main_minimum_income"]).value
        half = use(v["student_exemption_threshold"]).value
        if income >= full:
            add("as_main", threshold=Money(full))
            regime = MAIN
        elif income < half:
            add("exempt", threshold=Money(half))
            return Fraction(0)
        else:
            use(v["rate_first_bracket"])
            amount = (income - half) * r1
            add("student_part", rate=Rate(r1), threshold=Money(half), part=Money(income - half),
                amount=Money(round_half_up_cents(amount / 100)))
            return amount
    basis = income
    if regime in (COMPLEMENTARY, POST_PENSION, PENSION_AGE_OLD):
        name = "complementary_exemption_threshold" if regime == COMPLEMENTARY else "post_pension_exemption_threshold"
        threshold = use(v[name]).value
        if income < threshold:
            add("exempt", threshold=Money(threshold))
            return Fraction(0)
    elif regime in (MAIN, HELPING_SPOUSE):
        if regime == HELPING_SPOUSE:
            name = "helping_spouse_minimum_income"
        else:
            name = "primostarter_minimum_income" if primostarter else "main_minimum_income"
        minimum = use(v[name]).value
        if income < minimum:
            add("floor", minimum=Money(minimum))
            basis = minimum
    rate1 = Fraction(yp.r_pp1, yp.denominator) if regime == POST_PENSION else r1
    use(v["rate_post_pension_first_bracket" if regime == POST_PENSION else "rate_first_bracket"])
    use(v["first_threshold"])
    first = min(basis, t1)
    amount = first * rate1
    add("bracket1", rate=Rate(rate1), part=Money(first), threshold=Money(t1),
        amount=Money(round_half_up_cents(first * rate1 / 100)))
    if basis > t1:
        use(v["rate_second_bracket"])
        use(v["ceiling"])
        second = min(basis, ceiling) - t1
        amount += second * r2
        add("bracket2", rate=Rate(r2), part=Money(second), ceiling=Money(ceiling),
            amount=Money(round_half_up_cents(second * r2 / 100)))
        if basis > ceiling:
            add("above_ceiling", ceiling=Money(ceiling))
    return amount


def _half_up(x: Fraction) -> int:
    return round_half_up_cents(x / 100)


@dataclass
class QuarterAmount:
    quarter: int
    contribution: int
    total: int          # with the management fee (= contribution without a fee rate)
    reduction: int = 0  # taken off the regular quarter (the primostarter's first quarter, art. 12 §1bis)


@dataclass
class ContributionResult:
    year: int
    category: str
    income: int                     # cents, as given
    basis: int                      # cents, after pro-ration / revaluation / choice
    annual: int
    quarterly: int
    fee_rate: Fraction | None
    quarterly_total: int | None
    quarters: list[QuarterAmount]
    explanation: Explanation = field(repr=False)
    kind: str = "definitive"
    reference_year: int | None = None      # provisional from N-3: ``income`` is that year's income, as entered
    revalued_income: int | None = None     # ... and this is it × the art. 11 §3 coefficient (= the basis)

    @property
    def due_for_year(self) -> int:
        return sum(q.total for q in self.quarters)

    def to_dict(self, lang: str = "en") -> dict:
        out = {
            "year": self.year,
            "category": self.category,
            "kind": self.kind,
            "income": None if self.kind == "provisional (starter)" else fmt(self.income),
        }
        if self.reference_year is not None:
            out["reference_year"] = self.reference_year
            out["revalued_income"] = fmt(self.revalued_income)
        out.update({
            "contribution_basis": fmt(self.basis),
            "annual_contribution": fmt(self.annual),
            "quarterly_contribution": fmt(self.quarterly),
        })
        if self.fee_rate is not None:
            out["fee_rate"] = str(float(self.fee_rate))
            out["quarterly_total"] = fmt(self.quarterly_total)
        # ``reduction``: what the primostarter's first-quarter reduction took off the quarter's contribution
        out["quarters"] = [{"quarter": q.quarter, "contribution": fmt(q.contribution), "reduction": fmt(q.reduction),
                            **({"total": fmt(q.total)} if self.fee_rate is not None else {})} for q in self.quarters]
        out["due_for_year"] = fmt(self.due_for_year)
        out["uses_estimates"] = self.explanation.uses_estimates
        out["explanation"] = self.explanation.render(lang)
        return out


def _income_cents(income: object, name: str = "income") -> int:
    from caisse.money import amount_cents

    cents = amount_cents(income, name)
    if cents < 0:
        raise InvalidInput(name, "an income cannot be negative (a loss counts as 0)")
    if cents > MAX_INCOME_CENTS:
        raise InvalidInput(name, "implausibly large income")
    return cents


def _quarters(quarters: int, first_quarter: int | None) -> list[int]:
    if not isinstance(quarters, int) or not 1 <= quarters <= 4:
        raise InvalidInput("quarters", "the number of quarters of affiliation is 1 to 4")
    first = 5 - quarters if first_quarter is None else first_quarter
    if not 1 <= first <= 5 - quarters:
        raise InvalidInput("first_quarter", "with {quarters} quarter(s) the first quarter is 1 to {last}",
                           quarters=quarters, last=5 - quarters)
    return list(range(first, first + quarters))


def check_opt_out(*, pension: bool, opt_out: bool) -> None:
    """A simulation's flags: keeping the old regime (opt-out) is a choice only of a person without pension."""
    if opt_out and pension:
        raise InvalidInput("opt_out", "keeping the old regime applies only without pension (--without-pension)")


def _regimes(category: int, year: int, quarters: list[int], pension: bool, opt_out: bool,
             params: Parameters, ex: Explanation) -> dict[int, int]:
    if category != POST_PENSION or pension:
        return dict.fromkeys(quarters, category)
    reform = ex.use(params.parameter("pension_age_reform_date").values[0]).value
    out = {}
    for q in quarters:
        start = date(year, 3 * q - 2, 1)
        out[q] = MAIN if (start >= reform and not opt_out) else PENSION_AGE_OLD
    if MAIN in out.values():
        ex.add("pension_regime", start=reform)
    return out


def contribution(year: int, category: str, income: object, *, primostarter: bool = False, quarters: int = 4,
                 first_quarter: int | None = None, start_quarter: int | None = None, fee_rate: object = None,
                 pension: bool = True, opt_out: bool = False, allow_estimates: bool = False,
                 params: Parameters | None = None,
                 _basis: int | None = None, _ex: Explanation | None = None, _kind: str = "definitive",
                 _label: str | None = None) -> ContributionResult:
    """The contribution of one affiliate for ``year`` on the net taxable professional income of that year.

    ``quarters`` < 4: affiliated only part of the year; the income is annualised (× 4 / quarters) and the
    contribution is due for those quarters only. ``pension=False`` (category post_pension): pension age reached
    without taking the pension; from 1-10-2025 main-activity contributions unless ``opt_out``.
    ``start_quarter`` (primostarter only): the quarter of this year in which the main activity began; its
    contribution, provisional and definitive, is reduced by the art. 12 §1bis first-quarter reduction (115.03 in 2024).
    """
    cat = category_code(category)
    if primostarter and cat != MAIN:
        raise InvalidInput("primostarter", "the primostarter reduction exists only for a main activity")
    if not pension and cat != POST_PENSION:
        raise InvalidInput("pension", "'without pension' applies only to the post_pension category")
    params = params or load()
    yp = year_params(year, allow_estimates, params)
    fee = parse_fee_rate(fee_rate)
    income_c = _income_cents(income)
    qs = _quarters(quarters, first_quarter)
    if start_quarter is not None:
        if not primostarter:
            raise InvalidInput("start_quarter", "the first-quarter reduction exists only for a primostarter")
        if start_quarter not in qs:
            raise InvalidInput("start_quarter", "quarter {quarter} is not one of the affiliated quarters ({quarters})",
                               quarter=start_quarter, quarters=", ".join(f"Q{q}" for q in qs))
    ex = _ex or Explanation()
    label = _label or ("main_primostarter" if primostarter else category)
    if cat == POST_PENSION and not pension:
        label = "post_pension_no_pension"
    ex.steps.insert(0, ("category", {"category": Word(label), "year": year}))
    if _basis is None:
        ex.add("income", income=Money(income_c))
        basis = income_c
        if quarters < 4:
            basis = div_half_up(income_c * 4, quarters)
            ex.add("prorate", quarters=quarters, income=Money(income_c), annualised=Money(basis))
    else:
        basis = _basis
    regimes = _regimes(cat, year, qs, pension, opt_out, params, ex)
    exact: dict[int, Fraction] = {}
    for regime in dict.fromkeys(regimes.values()):
        exact[regime] = _scale(basis, regime, primostarter, yp, ex)
    regular = {q: _half_up(exact[regimes[q]] / 4) for q in qs}
    per_quarter = []
    for q in qs:
        c, reduction = regular[q], 0
        if q == start_quarter:
            reduction = ex.use(params.year(FIRST_QUARTER_REDUCTION, year,
                                           allow_estimates=allow_estimates)).value
            ex.add(FIRST_QUARTER_STEP, quarter=f"{year}Q{q}", before=Money(c), reduction=Money(reduction),
                   after=Money(c - reduction))
            c -= reduction
        per_quarter.append(QuarterAmount(q, c, with_fee(c, fee), reduction))
    if len(exact) == 1:
        annual = _half_up(next(iter(exact.values())))
        quarterly = regular[qs[0]]
    else:  # the regime changes during the year (pension age without pension, 2025)
        annual = sum(regular.values())
        quarterly = regular[qs[-1]]
    ex.add("annual", annual=Money(annual), quarterly=Money(quarterly))
    total = None
    if fee is not None:
        total = with_fee(quarterly, fee)
        ex.add("fee", rate=Rate(fee), quarterly=Money(quarterly), total=Money(total))
        for qa in per_quarter:
            if qa.reduction:  # the reduced quarter's fee is on what is left of it
                ex.add("fee_reduced_quarter", quarter=f"{year}Q{qa.quarter}", rate=Rate(fee),
                       contribution=Money(qa.contribution), total=Money(qa.total))
    return ContributionResult(year, _label or category, income_c, basis, annual, quarterly, fee, total, per_quarter,
                              ex, _kind)


# --- provisional contributions (art. 11 §3), starters (art. 13bis), reduction ------------------------------------

STARTER_BASIS = {MAIN: "main_minimum_income", COMPLEMENTARY: "complementary_exemption_threshold",
                 STUDENT: "complementary_exemption_threshold", HELPING_SPOUSE: "helping_spouse_minimum_income",
                 POST_PENSION: "post_pension_exemption_threshold", ART37: "complementary_exemption_threshold"}


def provisional(year: int, category: str, reference_income: object = None, *, reference_year: int | None = None,
                starter: bool = False, chosen_income: object = None, primostarter: bool = False,
                start_quarter: int | None = None, fee_rate: object = None, pension: bool = True,
                opt_out: bool = False, allow_estimates: bool = False,
                params: Parameters | None = None) -> ContributionResult:
    """Provisional contribution of ``year``.

    - ``reference_income``: income of year N-3 (or ``reference_year``), revalued by the art. 11 §3 coefficient;
    - ``starter``: no reference income; the category's minimum basis (student and art. 37 starters: the
      complementary threshold, as published for students: 2025 96.44 per quarter);
    - ``chosen_income``: reduction (or increase) on a chosen income; the category minimum still applies.

    ``start_quarter`` (primostarter): the quarter the main activity began; provisional contributions are due from
    that quarter on, the first one reduced (see :func:`contribution`).
    """
    params = params or load()
    check_year(year)
    cat = category_code(category)
    ex = Explanation()
    given = sum(x is not None and x is not False for x in (reference_income, chosen_income)) + bool(starter)
    if given != 1:
        raise InvalidInput("reference_income", "give exactly one of: reference income (N-3), starter, chosen income")
    if start_quarter is not None and start_quarter not in (1, 2, 3, 4):
        raise InvalidInput("start_quarter", "a quarter is 1 to 4")
    span = {} if start_quarter is None else {"quarters": 5 - start_quarter, "first_quarter": start_quarter,
                                             "start_quarter": start_quarter}
    if chosen_income is not None:
        basis = _income_cents(chosen_income, "chosen_income")
        ex.add("chosen", income=Money(basis))
        return contribution(year, category, basis, primostarter=primostarter, fee_rate=fee_rate, pension=pension,
                            opt_out=opt_out, allow_estimates=allow_estimates, params=params, _basis=basis, _ex=ex,
                            _kind="provisional (reduced)", **span)
    if starter:
        name = "primostarter_minimum_income" if primostarter else STARTER_BASIS[cat]
        value = ex.use(params.year(name, year, allow_estimates=allow_estimates))
        ex.add("starter", basis=Money(value.value))
        scale_category = "complementary" if cat in (STUDENT, ART37) else category
        return contribution(year, scale_category, value.value, primostarter=primostarter, fee_rate=fee_rate,
                            pension=pension, opt_out=opt_out, allow_estimates=allow_estimates, params=params,
                            _basis=value.value, _ex=ex, _kind="provisional (starter)", _label=category, **span)
    ref = _income_cents(reference_income, "reference_income")
    ref_year = reference_year if reference_year is not None else year - 3
    if ref_year != year - 3:
        # an older income is used when N-3 is not known; the coefficient of the year applies to N-3 only
        raise InvalidInput("reference_year", "the revaluation coefficient is published for the income of N-3 only")
    coef = ex.use(params.year("revaluation_coefficient", year, allow_estimates=allow_estimates))
    revalued = round_half_up_cents(Fraction(ref, 100) * coef.value)
    ex.add("revalue", ref_year=ref_year, income=Money(ref), coefficient=coef, revalued=Money(revalued))
    result = contribution(year, category, revalued, primostarter=primostarter, fee_rate=fee_rate, pension=pension,
                          opt_out=opt_out, allow_estimates=allow_estimates, params=params, _basis=revalued, _ex=ex,
                          _kind="provisional", **span)
    result.income, result.reference_year, result.revalued_income = ref, ref_year, revalued
    return result


# --- regularisation (art. 11 §5) --------------------------------------------------------------------------------

def quarter_end(d: date) -> date:
    q = (d.month - 1) // 3 + 1
    if q == 4:
        return date(d.year, 12, 31)
    nxt = date(d.year, 3 * q + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def next_quarter_end(d: date) -> date:
    """Last day of the quarter following the quarter of ``d``."""
    end = quarter_end(d)
    return quarter_end(date.fromordinal(end.toordinal() + 1))


@dataclass
class RegularisationResult:
    definitive: ContributionResult
    provisional_paid: list[int]         # per affiliated quarter
    differences: list[int]
    notice_date: date | None
    due_date: date | None
    explanation: Explanation

    @property
    def definitive_total(self) -> int:
        return self.definitive.due_for_year

    @property
    def difference(self) -> int:
        return self.definitive_total - sum(self.provisional_paid)

    def to_dict(self, lang: str = "en") -> dict:
        d = self.definitive
        out = {
            "year": d.year,
            "category": d.category,
            "income": fmt(d.income),
            "annual_contribution": fmt(d.annual),
            "quarterly_contribution": fmt(d.quarterly),
        }
        if d.fee_rate is not None:
            out["fee_rate"] = str(float(d.fee_rate))
            out["quarterly_total"] = fmt(d.quarterly_total)
        out.update({
            "definitive_total": fmt(self.definitive_total),
            "provisional_paid": fmt(sum(self.provisional_paid)),
            "difference": fmt(self.difference),
            "quarters": [{"quarter": q.quarter, "definitive": fmt(q.total), "reduction": fmt(q.reduction),
                          "provisional_paid": fmt(p), "difference": fmt(diff)}
                         for q, p, diff in zip(d.quarters, self.provisional_paid, self.differences, strict=True)],
            "due_date": self.due_date.isoformat() if self.due_date and self.difference > 0 else None,
            "uses_estimates": self.explanation.uses_estimates,
            "explanation": self.explanation.render(lang),
        })
        return out


def split_paid(total: int, n: int) -> list[int]:
    """A total paid over n quarters, in equal parts; the odd cents go to the first quarters."""
    base, rest = divmod(total, n)
    return [base + (1 if i < rest else 0) for i in range(n)]


def regularisation(year: int, category: str, income: object, provisional_paid: object, *,
                   notice_date: date | None = None, quarters: int = 4, first_quarter: int | None = None,
                   primostarter: bool = False, start_quarter: int | None = None, fee_rate: object = None,
                   pension: bool = True, opt_out: bool = False, allow_estimates: bool = False,
                   params: Parameters | None = None) -> RegularisationResult:
    """Definitive contribution on the income of ``year`` minus the provisional contributions paid, per quarter.

    ``provisional_paid``: the total paid for the year (split equally over the affiliated quarters) or a list with
    one amount per affiliated quarter; it includes the management fee when a fee rate is given (the definitive
    side then includes it too). Like ``income``, an ``int`` is in cents and a string in euros. A positive
    difference is to pay by the last day of the quarter following the quarter of the regularisation notice.
    """
    from caisse.money import amount_cents

    d = contribution(year, category, income, primostarter=primostarter, quarters=quarters,
                     first_quarter=first_quarter, start_quarter=start_quarter, fee_rate=fee_rate, pension=pension,
                     opt_out=opt_out, allow_estimates=allow_estimates, params=params)
    n = len(d.quarters)
    if isinstance(provisional_paid, list | tuple):
        if len(provisional_paid) != n:
            raise InvalidInput("provisional_paid", "give one amount per affiliated quarter ({count})", count=n)
        paid = [amount_cents(x, f"provisional_paid.{i}") for i, x in enumerate(provisional_paid)]
    else:
        paid = split_paid(amount_cents(provisional_paid, "provisional_paid"), n)
    if any(p < 0 for p in paid):
        raise InvalidInput("provisional_paid", "cannot be negative")
    ex = d.explanation
    diffs = []
    for q, p in zip(d.quarters, paid, strict=True):
        diffs.append(q.total - p)
        ex.add("regularisation_quarter", quarter=f"{year}Q{q.quarter}", definitive=Money(q.total),
               provisional=Money(p), difference=Money(q.total - p))
    result = RegularisationResult(d, paid, diffs, notice_date, None, ex)
    diff = result.difference
    ex.add("regularisation_total", definitive=Money(result.definitive_total), paid=Money(sum(paid)),
           difference=Money(diff), direction=Word("to_pay" if diff > 0 else "to_refund" if diff < 0 else "nothing"))
    if notice_date is not None and diff > 0:
        result.due_date = next_quarter_end(notice_date)
        ex.add("regularisation_due", due=result.due_date, notice=notice_date)
    return result


# --- vectorised: the same rules over numpy int64 arrays ------------------------------------------------------

def exact_annual_vector(income: np.ndarray, category: np.ndarray, primostarter: np.ndarray | None,
                        yp: YearParams, year_idx: np.ndarray | None = None,
                        yps: list[YearParams] | None = None) -> np.ndarray:
    """Exact annual contribution × D (the rates' common denominator), in cents × D, int64.

    ``category`` holds codes 0-5 (CATEGORIES order) or PENSION_AGE_OLD. With ``year_idx``/``yps`` each row takes
    the thresholds of its own year (the rates must then be the same for all those years).

    After art. 37 and student rows are resolved to the scale they follow, every row's floor, exemption threshold
    and first-bracket rate come from one small table indexed by (year, category): one gather each.
    """
    income = np.asarray(income, dtype=np.int64)
    cat = np.asarray(category, dtype=np.int8)
    if year_idx is None or yps is None or len(yps) == 1:
        ys = yps[:1] if yps else [yp]
        yi = None
    else:
        ys = yps
        yi = np.asarray(year_idx, dtype=np.intp)

    def c(name):
        if yi is None:
            return ys[0].cents(name)
        return np.array([y.cents(name) for y in ys], np.int64)[yi]

    t1, ceiling, main_min = c("first_threshold"), c("ceiling"), c("main_minimum_income")
    # art. 37: complementary below the art. 37 ceiling, main above
    art37 = cat == ART37
    if art37.any():
        cat = np.where(art37, np.where(income < c("art37_ceiling"), COMPLEMENTARY, MAIN), cat).astype(np.int8)
    # student: as main from the main minimum, else 20.50 % above half the minimum
    student = cat == STUDENT
    student_partial = None
    if student.any():
        student_partial = student & (income < main_min)
        cat = np.where(student & ~student_partial, MAIN, cat).astype(np.int8)
    k = PENSION_AGE_OLD + 1
    floor = np.zeros((len(ys), k), np.int64)
    exempt_below = np.zeros((len(ys), k), np.int64)
    rate1 = np.full((len(ys), k), yp.r1, np.int64)
    for i, y in enumerate(ys):
        floor[i, MAIN] = y.cents("main_minimum_income")
        floor[i, HELPING_SPOUSE] = y.cents("helping_spouse_minimum_income")
        exempt_below[i, COMPLEMENTARY] = y.cents("complementary_exemption_threshold")
        exempt_below[i, POST_PENSION] = exempt_below[i, PENSION_AGE_OLD] = y.cents("post_pension_exemption_threshold")
    rate1[:, POST_PENSION] = yp.r_pp1
    key = cat if yi is None else yi * k + cat
    basis = np.maximum(income, floor.ravel()[key])
    if primostarter is not None and np.any(primostarter):
        primo = np.asarray(primostarter) & (cat == MAIN)
        basis = np.where(primo, np.maximum(income, c("primostarter_minimum_income")), basis)
    second = np.minimum(basis, ceiling) - t1
    np.maximum(second, 0, out=second)
    total = np.minimum(basis, t1) * rate1.ravel()[key] + second * yp.r2
    total[income < exempt_below.ravel()[key]] = 0
    if student_partial is not None and student_partial.any():
        half = c("student_exemption_threshold")
        total = np.where(student_partial, np.clip(income - half, 0, None) * yp.r1, total)
    return total


def quarterly_vector(income: np.ndarray, category: np.ndarray, primostarter: np.ndarray | None,
                     yp: YearParams, fee: Fraction | None = None):
    """(annual, quarterly[, quarterly_total]) int64 cents for every row, for one contribution year."""
    total = exact_annual_vector(income, category, primostarter, yp)   # >= 0
    annual = (2 * total + yp.denominator) // (2 * yp.denominator)          # half-up, non-negative
    quarterly = (2 * total + 4 * yp.denominator) // (8 * yp.denominator)
    if fee is None:
        return annual, quarterly, None
    return annual, quarterly, fee_vector(quarterly, fee)


def quarterly_vector_years(income: np.ndarray, category: np.ndarray, year_idx: np.ndarray,
                           yps: list[YearParams], fee: Fraction | None = None):
    """Like quarterly_vector, each row with the parameters of its year (``yps[year_idx]``)."""
    if len({(y.denominator, y.r1, y.r2, y.r_pp1) for y in yps}) != 1:   # rates differ: one year at a time
        annual = np.empty(len(income), np.int64)
        quarterly = np.empty(len(income), np.int64)
        for i, yp in enumerate(yps):
            sel = year_idx == i
            annual[sel], quarterly[sel], _ = quarterly_vector(income[sel], category[sel], None, yp)
    else:
        total = exact_annual_vector(income, category, None, yps[0], year_idx, yps)
        d = yps[0].denominator
        annual = (2 * total + d) // (2 * d)
        quarterly = (2 * total + 4 * d) // (8 * d)
    return annual, quarterly, (fee_vector(quarterly, fee) if fee is not None else None)


def fee_vector(quarterly: np.ndarray, fee: Fraction) -> np.ndarray:
    factor = 1 + fee   # half-up of a non-negative amount
    return (2 * quarterly * factor.numerator + factor.denominator) // (2 * factor.denominator)
