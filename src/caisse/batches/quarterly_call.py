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

A figure the rules engine does not know (e.g. anything for 2027) makes the
debtors who need it *skipped with the engine's reason*; nothing is invented.

Due date: the last day of the quarter (legislation.md §4.1); a starter who affiliated in time (request on or
before the start of the activity) pays the first two quarters one quarter later ([S21], §4.1).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from fractions import Fraction
from itertools import repeat

import numpy as np

from caisse.batches.framework import (
    Progress,
    Summary,
    driver_dates,
    existing_keys,
    run_batch,
    write_chunks,
)
from caisse.batches.population import MISSING, NO_CATEGORY, QuarterPopulation, load_quarter, ogm_digits, printed
from caisse.batches.set_off import set_off
from caisse.errors import InvalidInput, UnknownParameter
from caisse.ledger import ChargeLine, Charges, explanation_json
from caisse.money import fmt, fmt_all
from caisse.rules import contributions as rc
from caisse.rules.params import load as load_params
from caisse.services.calendar import Quarter
from caisse.store.bulk import gc_paused
from caisse.store.models import utcnow

KIND_CHOSEN, KIND_STARTER, KIND_REFERENCE = 1, 2, 3
KIND_NAMES = {KIND_CHOSEN: "chosen income", KIND_STARTER: "starter", KIND_REFERENCE: "income N-3 revalued"}
FEE_RULE = "management fee of the fund (legislation.md §3)"
STARTER_RULE = "AR n° 38 art. 13bis"
REDUCTION_RULE = "AR n° 38 art. 12 §1bis"  # the primostarter's first quarter of activity
REDUCTION_PARAMETER = rc.FIRST_QUARTER_REDUCTION
CALL_CHUNK = 50_000  # debtors per database transaction (a killed run resumes after the last one committed)


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
    contribution: np.ndarray  # cents per quarter, without fee (after the reduction below)
    total: np.ndarray  # cents with the management fee
    due_later: np.ndarray  # 1: due a quarter later (the starter's extra quarter), else 0
    params: dict[str, str]  # parameter value names used (for the entries)
    # cents taken off the regular quarter: the primostarter's first quarter of activity (art. 12 §1bis), else 0
    reduction: np.ndarray | None = None

    def first_quarter(self) -> np.ndarray:
        """Rows whose contribution is the primostarter's reduced first quarter."""
        return np.zeros(len(self.kind), bool) if self.reduction is None else self.reduction != 0


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
    if pop.dispensed is not None and pop.dispensed.any():  # maternity, carer leave: nothing to call, rights kept
        summary.skip("contributions of the quarter dispensed with a benefit (maternity, carer leave)",
                     pop.party[live & pop.dispensed])
        live &= ~pop.dispensed
    try:
        yp = rc.year_params(year, allow_estimates)
    except UnknownParameter as exc:
        _skip_all(summary, pop, live, f"UnknownParameter: {exc}")
        return CallCalc(pop, kind, regime, basis, contribution, total, np.zeros(n, np.int64), used)

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

    # the primostarter's first quarter of activity (the quarter of the start): lowered by the art. 12 §1bis
    # reduction, before the fee (rules.contributions.contribution, ``start_quarter``)
    first = pop.primostarter & (kind > 0) & (regime == rc.MAIN) & (pop.quarters_since_start == 0)
    reduction = np.zeros(n, np.int64)
    if first.any():
        try:
            value = params.year(REDUCTION_PARAMETER, year, allow_estimates=allow_estimates)
        except UnknownParameter as exc:
            _skip_all(summary, pop, first, f"UnknownParameter: {exc}")
            kind[first] = 0
        else:
            used["reduction"] = f"{REDUCTION_PARAMETER}@{value.start.isoformat()}"
            reduction[first] = value.value
    ok = kind > 0
    if ok.any():
        primo = pop.primostarter & ok & (regime == rc.MAIN)
        _annual, quarterly, _ = rc.quarterly_vector(basis[ok], regime[ok], primo[ok], yp)
        contribution[ok] = quarterly - reduction[ok]
        total[ok] = rc.fee_vector(contribution[ok], fee) if fee is not None else contribution[ok]
    # the starter's extra quarter ([S21], legislation.md §4.1)
    due_later = (pop.in_time & (pop.quarters_since_start <= 1)).astype(np.int64)
    return CallCalc(pop, kind, regime, basis, contribution, total, due_later, used, reduction)


def _category_word(code: int) -> str:
    return rc.CATEGORIES[code] if 0 <= code < len(rc.CATEGORIES) else "post_pension"


@functools.lru_cache(maxsize=16)
def _fee_texts(fee: Fraction | None) -> tuple[str, str] | None:
    return None if fee is None else (fee_text(fee * 100), fee_text(fee))


@functools.lru_cache(maxsize=16)
def _coefficient_text(coefficient: str) -> str:
    return f"{float(Fraction(coefficient)):.8g}"


def explanation(q: Quarter, kind: int, category: int, primostarter: bool, pension: bool, opt_out: bool,
                first: bool, params: dict[str, str], *, amount: str, basis: str, reference: str, basis_cents: object,
                reference_cents: object) -> tuple[dict, str, str]:
    """(explanation, rule, parameter) of a contribution line: a one-line text and the inputs that let
    ``caisse.rules.contributions.provisional`` recompute (and explain) the amount. ``amount``, ``basis`` and
    ``reference`` (the income N-3) as texts, the chosen or reference income in cents. ``first``: the
    primostarter's first quarter of activity (``amount`` is then the regular quarter, before the reduction line)."""
    cat = _category_word(category)
    inputs: dict = {"year": q.year, "quarter": q.number, "category": cat}
    if primostarter:
        inputs["primostarter"] = True
    if first:
        inputs["start_quarter"] = q.number
    if category == rc.POST_PENSION and not pension:
        inputs["pension"] = False
        if opt_out:
            inputs["opt_out"] = True
    if kind == KIND_CHOSEN:
        inputs["chosen_income"] = basis_cents
        text = f"provisional contribution {q} ({cat}) on the income chosen by the affiliate {basis}: {amount}"
        rule, parameter = "AR n° 38 art. 11 §3 (reduction/increase)", f"estimate@{q.year}"
    elif kind == KIND_STARTER:
        inputs["starter"] = True
        parameter = params[f"starter:{category}:{primostarter}"]
        text = f"provisional contribution {q} ({cat}), starter: computed on {basis} " \
               f"({parameter.split('@')[0]}): {amount}"
        rule = STARTER_RULE
    else:
        inputs["reference_income"] = reference_cents
        text = f"provisional contribution {q} ({cat}) on the {q.year - 3} income {reference} revalued × " \
               f"{_coefficient_text(params['coefficient'])} = {basis}: {amount}"
        rule, parameter = "AR n° 38 art. 11 §3", params["reference"]
    return {"text": text, "calc": inputs}, rule, parameter


def reduction_explanation(q: Quarter, contribution_explanation: str, parameter: str, *, before: int,
                          reduction: int) -> str:
    """The explanation (JSON text) of the line that takes the art. 12 §1bis reduction off the primostarter's first
    quarter of activity: its own sentence, and the inputs of the contribution line it lowers (``calc``: the rules
    recompute both from them)."""
    calc = json.loads(contribution_explanation)["calc"]
    text = (f"primostarter, first quarter of activity {q}: contribution reduced by {fmt(reduction)} "
            f"({parameter}): {fmt(before)} − {fmt(reduction)} = {fmt(before - reduction)}")
    return explanation_json({"text": text, "calc": calc, "step": rc.FIRST_QUARTER_STEP})


def fee_explanation(fee: Fraction, amount: str) -> dict:
    percent, rate = _fee_texts(fee)
    return {"text": f"management fee {percent} % of {amount}", "rate": rate}


# The explanations of a million debtors are a few layouts (kind, category, flags) filled with each one's amounts:
# each layout is made once by ``explanation`` itself, with markers where the amounts go, and encoded as the ledger
# encodes it; the rows then only format their numbers into it.
_FIELDS = ("amount", "basis", "reference", "basis_cents", "reference_cents")


def _template(encoded: str, fields: tuple[str, ...]) -> str:
    """``encoded`` JSON with the markers of ``fields`` turned into ``str.format`` fields (numbers unquoted)."""
    out = encoded.replace("{", "{{").replace("}", "}}")
    for j, name in enumerate(fields):
        mark = json.dumps(_MARK[name])[1:-1]  # as the JSON encoder escapes it
        out = out.replace(f'"{mark}"' if name.endswith("_cents") else mark, f"{{{j}}}")
    if "\\u0000" in out or "\0" in out:
        raise RuntimeError("explanation template: a marker was left in the text")
    return out


_MARK = {name: f"\0{j}\0" for j, name in enumerate(_FIELDS)}


class _Layouts:
    """The contribution explanation layout of every (kind, category, primostarter, pension, opt-out, first quarter)
    met."""

    def __init__(self, q: Quarter, params: dict[str, str]):
        self.q, self.params = q, params
        self.found: dict[tuple, int] = {}
        self.templates: list[str] = []
        self.rules: list[str] = []
        self.parameters: list[str] = []

    def code(self, key: tuple) -> int:
        at = self.found.get(key)
        if at is None:
            expl, rule, parameter = explanation(self.q, *key, self.params, **_MARK)
            at = self.found[key] = len(self.templates)
            self.templates.append(_template(explanation_json(expl), _FIELDS))
            self.rules.append(rule)
            self.parameters.append(parameter)
        return at

    def codes(self, calc: CallCalc, rows: np.ndarray) -> np.ndarray:
        """The layout of each of ``rows``."""
        pop = calc.pop
        # the layout's key as one integer per row (kind, category + 1 below 16, then one bit per flag): one sort
        flags = (pop.primostarter[rows], pop.pension[rows], pop.opt_out[rows], calc.first_quarter()[rows])
        keys = calc.kind[rows].astype(np.int64) * 16 + pop.category[rows].astype(np.int64) + 1
        for flag in flags:
            keys = keys * 2 + flag
        distinct, inverse = np.unique(keys, return_inverse=True)
        codes = np.array([self.code(_layout_key(k)) for k in distinct.tolist()], np.int64)
        return codes[inverse.reshape(-1)]


def _layout_key(key: int) -> tuple:
    """(kind, category, primostarter, pension, opt-out, first quarter) of a key of ``_Layouts.codes``."""
    bits = []
    for _ in range(4):
        key, bit = divmod(key, 2)
        bits.append(bool(bit))
    kind, category = divmod(key, 16)
    first, opt_out, pension, primostarter = bits
    return kind, category - 1, primostarter, pension, opt_out, first


def _explanation_texts(calc: CallCalc, layouts: _Layouts, codes: np.ndarray, rows: np.ndarray,
                       amounts: list[str]) -> list[str]:
    """The contribution explanation (JSON text) of each of ``rows`` (``codes``: their layouts)."""
    pop = calc.pop
    texts: list = [None] * len(rows)
    for code in np.unique(codes).tolist():
        at = np.flatnonzero(codes == code)
        sel = rows[at]
        basis = calc.basis[sel]
        if int(calc.kind[sel[0]]) == KIND_REFERENCE:
            reference = pop.reference_income[sel]
            refs, ref_cents = fmt_all(reference), reference.tolist()
        else:
            refs, ref_cents = repeat("", len(sel)), repeat("", len(sel))
        made = map(layouts.templates[code].format, [amounts[j] for j in at.tolist()], fmt_all(basis), refs,
                   basis.tolist(), ref_cents)
        if len(at) == len(rows):
            return list(made)
        for j, text in zip(at.tolist(), made, strict=True):
            texts[j] = text
    return texts


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
        first = calc.first_quarter()
        if first[rows].any():
            summary.details["primostarter first-quarter reduction"] = (
                f"{int(first[rows].sum()):,} debtors, {fmt(int(calc.reduction[rows].sum()))} EUR "
                f"({calc.params['reduction']}, AR n° 38 art. 12 §1bis)")
        summary.details["management fee"] = fmt(int((calc.total - calc.contribution)[rows].sum())) + " EUR"
        parties = pop.party[rows]
        rows_party = parties.tolist()
        keys = [f"{key}/{x}" for x in rows_party]
        booked = q.first_day
        now = utcnow()
        period = str(q)
        layouts = _Layouts(q, calc.params)
        fee_parameter = None if fee_p is None else f"management_fee_rate={fee_text(fee_p)}"
        fee_template = None if fee_p is None else _template(explanation_json(fee_explanation(fee_p, _MARK["amount"])),
                                                             ("amount",))
        due_dates = [q.last_day, q.next().last_day]  # the starter's extra quarter: 1
        date, stamp = driver_dates(url)
        notice_due = [date(d) for d in due_dates]

        def postings(idx: np.ndarray) -> Charges:
            sel = rows[idx]
            contribution = calc.contribution[sel]
            reduction = calc.reduction[sel]
            regular = contribution + reduction  # the quarter before the primostarter's first-quarter reduction
            amounts = fmt_all(regular)
            codes = layouts.codes(calc, sel)
            texts = _explanation_texts(calc, layouts, codes, sel, amounts)
            lines = [ChargeLine("contribution", regular,
                                np.array(layouts.rules, object)[codes].tolist(),
                                np.array(layouts.parameters, object)[codes].tolist(), texts)]
            reduced = np.flatnonzero(reduction).tolist()  # few rows: the primostarters' first quarter
            fee_amounts = amounts
            if reduced:
                parameter = calc.params["reduction"]
                why: list = [None] * len(sel)
                fee_amounts = list(amounts)
                for j in reduced:
                    why[j] = reduction_explanation(q, texts[j], parameter, before=int(regular[j]),
                                                   reduction=int(reduction[j]))
                    fee_amounts[j] = fmt(int(contribution[j]))
                lines.append(ChargeLine("contribution", -reduction, REDUCTION_RULE, parameter, why))
            if fee_p is not None:
                lines.append(ChargeLine("management_fee", calc.total[sel] - contribution, FEE_RULE, fee_parameter,
                                        list(map(fee_template.format, fee_amounts))))
            return Charges([keys[j] for j in idx.tolist()], parties[idx].tolist(), period,
                           list(map(due_dates.__getitem__, calc.due_later[sel].tolist())), booked, lines,
                           f"Quarterly call {q}", [printed(o) for o in ogm_digits(parties[idx], q.year, q.number)])

        def notices(idx: np.ndarray) -> list[tuple]:
            sel = rows[idx]
            n = len(idx)
            return list(zip([keys[j] for j in idx.tolist()], repeat("quarterly_call", n), parties[idx].tolist(),
                            repeat(period, n), calc.total[sel].tolist(),
                            map(notice_due.__getitem__, calc.due_later[sel].tolist()),
                            ogm_digits(parties[idx], q.year, q.number), map(pop.language.__getitem__, sel.tolist()),
                            repeat(key, n), repeat(stamp(now), n), strict=True))

        with gc_paused():
            write_chunks(url, len(rows), postings, notices, posted_keys=existing_keys(url, "ledger_transaction",
                                                                                      key + "/"),
                         notice_keys=existing_keys(url, "notice", key + "/"), keys=keys, summary=summary,
                         progress=progress, chunk=chunk or CALL_CHUNK, driver_notices=True)
        set_off(url, booked, key).report(summary)

    return run_batch(url, key, "quarterly-call", params, body)
