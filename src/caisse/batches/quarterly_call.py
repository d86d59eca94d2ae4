"""The quarterly call (appel trimestriel / kwartaalafrekening): ``caisse run quarterly-call --quarter 2026Q1``.

For every affiliation active in the quarter (``population.load_quarter``), the provisional contribution of
the quarter (``caisse.rules.contributions``, vectorised) plus the fund's management fee, posted to the ledger as
one transaction per debtor (key ``quarterly-call/2026Q1/<file>``: Dr contribution + Dr management_fee / Cr income,
each line with its rule, parameter and explanation), and one due notice per debtor (table ``notice``).

How the provisional contribution is chosen (docs/batches.md):

1. an ``estimate`` of year N on file (the affiliate chose the income: reduction or increase) → the scale on it,
   the category minimum still applies (art. 11 §3, reform of 1-1-2022);
2. else a starter (started after 1 January N-3, art. 13bis) → the category's starter basis (primostarters in
   their first four quarters: the reduced minimum);
3. else the tax income of N-3 known on 1 January N, revalued by the art. 11 §3 coefficient of N;
4. else nothing to base it on → skipped with that reason (the fund does not guess an income).

A figure the rules engine does not know (e.g. the 2024 revaluation coefficient, anything for 2027) makes the
debtors who need it *skipped with the engine's reason*; nothing is invented.

Due date: the last day of the quarter (legislation.md §4.1); a starter who affiliated in time (request on or
before the start of the activity) pays the first two quarters one quarter later ([S21], §4.1).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from caisse.batches.framework import Progress, Summary, existing_keys, run_batch, write_chunks
from caisse.batches.population import MISSING, NO_CATEGORY, QuarterPopulation, load_quarter, ogm_digits, printed
from caisse.batches.set_off import set_off
from caisse.errors import InvalidInput, UnknownParameter
from caisse.ledger import DebtLine, charge_posting
from caisse.money import fmt
from caisse.rules import contributions as rc
from caisse.rules.params import load as load_params
from caisse.services.calendar import Quarter
from caisse.store.models import utcnow

KIND_CHOSEN, KIND_STARTER, KIND_REFERENCE = 1, 2, 3
KIND_NAMES = {KIND_CHOSEN: "chosen income", KIND_STARTER: "starter", KIND_REFERENCE: "income N-3 revalued"}
FEE_RULE = "management fee of the fund (legislation.md §3)"
STARTER_RULE = "AR n° 38 art. 13bis"


def fee_fraction(fee_rate: str | None) -> Fraction | None:
    if fee_rate is None:
        from caisse.config import get_settings

        fee_rate = get_settings().management_fee_rate
    return rc.parse_fee_rate(fee_rate)


def fee_text(fee: Fraction) -> str:
    """0.0405 as text, exactly (a Fraction of a decimal rate)."""
    from decimal import Decimal

    return format((Decimal(fee.numerator) / Decimal(fee.denominator)).normalize(), "f")


@dataclass
class CallCalc:
    """Amounts of the quarter for the rows of a population that owe something (``due`` mask)."""

    pop: QuarterPopulation
    kind: np.ndarray  # KIND_* per row (0: skipped)
    regime: np.ndarray  # category code used by the scale (PENSION_AGE_OLD for pension age without pension)
    basis: np.ndarray  # cents the scale is applied to
    contribution: np.ndarray  # cents per quarter, without fee
    total: np.ndarray  # cents with the management fee
    due_date: list[dt.date]
    params: dict[str, str]  # parameter value names used (for the entries)


def _skip_all(summary: Summary, pop: QuarterPopulation, mask: np.ndarray, reason: str) -> None:
    """Rows the call cannot compute (no category, no income, a parameter missing): a batch anomaly each."""
    summary.anomaly(reason, pop.party[mask])


def compute(pop: QuarterPopulation, fee: Fraction | None, summary: Summary, *,
            allow_estimates: bool = False) -> CallCalc:
    """The provisional contribution of every row; rows that cannot be computed are recorded in ``summary``."""
    q = pop.quarter
    year = q.year
    n = len(pop)
    params = load_params()
    kind = np.zeros(n, np.int8)
    basis = np.zeros(n, np.int64)
    regime = pop.category.astype(np.int8).copy()
    contribution = np.zeros(n, np.int64)
    total = np.zeros(n, np.int64)
    used: dict[str, str] = {}

    no_cat = pop.category == NO_CATEGORY
    _skip_all(summary, pop, no_cat, "no contributor category covers the quarter")
    live = ~no_cat
    try:
        yp = rc.year_params(year, allow_estimates)
    except UnknownParameter as exc:
        _skip_all(summary, pop, live, f"UnknownParameter: {exc}")
        return CallCalc(pop, kind, regime, basis, contribution, total, [], used)

    # pension age reached without taking the pension (art. 13 §4): main regime from the reform date unless opt-out
    reform = params.parameter("pension_age_reform_date").values[0].value
    no_pension = (pop.category == rc.POST_PENSION) & ~pop.pension
    if no_pension.any():
        main_now = q.first_day >= reform
        regime[no_pension] = np.where(main_now & ~pop.opt_out[no_pension], rc.MAIN, rc.PENSION_AGE_OLD)

    chosen = live & (pop.estimate != MISSING)
    starter = live & ~chosen & pop.starter
    reference = live & ~chosen & ~starter & (pop.reference_income != MISSING)
    missing = live & ~chosen & ~starter & ~reference
    _skip_all(summary, pop, missing, f"no tax income of {year - 3} known on 1 January {year} (and not a starter): "
                                     "the provisional contribution cannot be based on anything")

    kind[chosen] = KIND_CHOSEN
    basis[chosen] = pop.estimate[chosen]

    # starters: the category's starter basis (students and art. 37 on the complementary scale)
    for cat in np.unique(pop.category[starter]):
        sel = starter & (pop.category == cat)
        for primo in (False, True):
            rows = sel & (pop.primostarter == primo)
            if not rows.any():
                continue
            name = "primostarter_minimum_income" if primo else rc.STARTER_BASIS[int(cat)]
            value = params.year(name, year, allow_estimates=allow_estimates)
            used[f"starter:{int(cat)}:{primo}"] = f"{name}@{value.start.isoformat()}"
            basis[rows] = value.value
            kind[rows] = KIND_STARTER
            if cat in (rc.STUDENT, rc.ART37):
                regime[rows] = rc.COMPLEMENTARY

    if reference.any():
        try:
            coef = params.year("revaluation_coefficient", year, allow_estimates=allow_estimates)
        except UnknownParameter as exc:
            _skip_all(summary, pop, reference, f"UnknownParameter: {exc}")
            reference[:] = False
        else:
            used["reference"] = f"revaluation_coefficient@{coef.start.isoformat()}"
            used["coefficient"] = str(coef.value)
            c = Fraction(coef.value)
            # above 100 million EUR the contribution is the ceiling's anyway; the cap keeps int64 exact
            ref = np.minimum(pop.reference_income[reference], 10**10)
            basis[reference] = (2 * ref * c.numerator + c.denominator) // (2 * c.denominator)
            kind[reference] = KIND_REFERENCE

    ok = kind > 0
    if ok.any():
        primo = pop.primostarter & ok & (regime == rc.MAIN)
        _annual, quarterly, with_fee = rc.quarterly_vector(basis[ok], regime[ok], primo[ok], yp, fee)
        contribution[ok] = quarterly
        total[ok] = with_fee if with_fee is not None else quarterly
    # the starter's extra quarter ([S21], legislation.md §4.1)
    grace = pop.in_time & (pop.quarters_since_start <= 1)
    end, later = q.last_day, q.next().last_day
    due = [later if g else end for g in grace.tolist()]
    return CallCalc(pop, kind, regime, basis, contribution, total, due, used)


def _category_word(code: int) -> str:
    return rc.CATEGORIES[code] if 0 <= code < len(rc.CATEGORIES) else "post_pension"


@functools.lru_cache(maxsize=16)
def _fee_texts(fee: Fraction | None) -> tuple[str, str] | None:
    return None if fee is None else (fee_text(fee * 100), fee_text(fee))


@functools.lru_cache(maxsize=16)
def _coefficient_text(coefficient: str) -> str:
    return f"{float(Fraction(coefficient)):.8g}"


def _explanations(calc: CallCalc, i: int, fee: Fraction | None) -> tuple[dict, dict | None, str, str]:
    """(contribution explanation, fee explanation, rule, parameter) of row ``i``: a one-line text and the
    inputs that let ``caisse.rules.contributions.provisional`` recompute (and explain) the amount."""
    pop, q = calc.pop, calc.pop.quarter
    k = int(calc.kind[i])
    cat = _category_word(int(pop.category[i]))
    amount = fmt(int(calc.contribution[i]))
    inputs: dict = {"year": q.year, "quarter": q.number, "category": cat}
    if pop.primostarter[i]:
        inputs["primostarter"] = True
    if int(pop.category[i]) == rc.POST_PENSION and not pop.pension[i]:
        inputs["pension"] = False
        if pop.opt_out[i]:
            inputs["opt_out"] = True
    if k == KIND_CHOSEN:
        inputs["chosen_income"] = int(calc.basis[i])
        text = f"provisional contribution {q} ({cat}) on the income chosen by the affiliate " \
               f"{fmt(int(calc.basis[i]))}: {amount}"
        rule, parameter = "AR n° 38 art. 11 §3 (reduction/increase)", f"estimate@{q.year}"
    elif k == KIND_STARTER:
        inputs["starter"] = True
        parameter = calc.params[f"starter:{int(pop.category[i])}:{bool(pop.primostarter[i])}"]
        text = f"provisional contribution {q} ({cat}), starter: computed on {fmt(int(calc.basis[i]))} " \
               f"({parameter.split('@')[0]}): {amount}"
        rule = STARTER_RULE
    else:
        inputs["reference_income"] = int(pop.reference_income[i])
        text = f"provisional contribution {q} ({cat}) on the {q.year - 3} income " \
               f"{fmt(int(pop.reference_income[i]))} revalued × {_coefficient_text(calc.params['coefficient'])}" \
               f" = {fmt(int(calc.basis[i]))}: {amount}"
        rule, parameter = "AR n° 38 art. 11 §3", calc.params["reference"]
    contribution = {"text": text, "calc": inputs}
    fee_expl = None
    if fee is not None:
        percent, rate = _fee_texts(fee)
        fee_expl = {"text": f"management fee {percent} % of {amount}", "rate": rate}
    return contribution, fee_expl, rule, parameter


def call_key(quarter: Quarter, party: int) -> str:
    return f"quarterly-call/{quarter}/{party}"


def run(url: str, quarter: str, *, fee_rate: str | None = None, allow_estimates: bool = False,
        progress: Progress | None = None, chunk: int | None = None) -> Summary:
    q = Quarter.parse(quarter)
    if not 2000 <= q.year <= 2099:
        raise InvalidInput("quarter", f"{quarter}: the fund's structured communications cover 2000-2099")
    fee = fee_fraction(fee_rate)
    params = {"quarter": str(q), "fee_rate": None if fee is None else str(fee), "allow_estimates": allow_estimates}
    key = f"quarterly-call/{q}"

    def body(p: dict, summary: Summary) -> None:
        fee_p = None if p["fee_rate"] is None else Fraction(p["fee_rate"])
        pop = load_quarter(url, q)
        calc = compute(pop, fee_p, summary, allow_estimates=p["allow_estimates"])
        due_mask = calc.total > 0
        summary.exempt = int(((calc.kind > 0) & ~due_mask).sum())
        rows = np.flatnonzero(due_mask)
        summary.debtors = len(rows)
        summary.amount_cents = int(calc.total[rows].sum())
        summary.notices = len(rows)
        summary.details["contribution"] = fmt(int(calc.contribution[rows].sum())) + " EUR"
        summary.details["management fee"] = fmt(int((calc.total - calc.contribution)[rows].sum())) + " EUR"
        parties = pop.party[rows]
        keys = [f"{key}/{int(x)}" for x in parties.tolist()]
        ogms = ogm_digits(parties, q.year, q.number)
        booked = q.first_day
        now = utcnow()

        def postings(idx: np.ndarray):
            out = []
            for j in idx.tolist():
                i = int(rows[j])
                c_expl, f_expl, rule, parameter = _explanations(calc, i, fee_p)
                c = int(calc.contribution[i])
                lines = [DebtLine("contribution", c, rule, parameter, c_expl)]
                if calc.total[i] != c:
                    lines.append(DebtLine("management_fee", int(calc.total[i]) - c, FEE_RULE,
                                          fee_parameter, f_expl))
                out.append(charge_posting(keys[j], int(rows_party[j]), str(q), calc.due_date[i], booked, lines,
                                          description=f"Quarterly call {q}", reference=printed(ogms[j])))
            return out

        def notices(idx: np.ndarray):
            return [(keys[j], "quarterly_call", int(rows_party[j]), str(q), int(calc.total[rows[j]]),
                     calc.due_date[rows[j]], ogms[j], pop.language[rows[j]], key, now) for j in idx.tolist()]

        rows_party = parties.tolist()
        fee_parameter = None if fee_p is None else f"management_fee_rate={fee_text(fee_p)}"
        write_chunks(url, len(rows), postings, notices, posted_keys=existing_keys(url, "ledger_transaction", key + "/"),
                     notice_keys=existing_keys(url, "notice", key + "/"), keys=keys, summary=summary,
                     progress=progress, **({"chunk": chunk} if chunk else {}))
        set_off(url, booked, key).report(summary)

    return run_batch(url, key, "quarterly-call", params, body)
