"""Regularisation (régularisation / regularisatie) of a year: ``caisse run regularisation --year 2024``.

For every person whose definitive tax income of year N is on file (``caisse import tax-income``; the latest
assessment wins), set-based over all of them:

1. the affiliated quarters of N and the category of each (``population.load_quarter``, as the quarterly call);
2. the definitive contribution of each quarter (art. 11 §5 AR n° 38: the scale on the income of N, annualised
   × 4 / quarters when affiliated fewer than 4 quarters; floors per category; the primostarter's first quarter of
   activity lowered by the art. 12 §1bis reduction) plus the management fee —
   ``caisse.rules.contributions.quarterly_vector``, the engine's vectorised twin of ``regularisation``;
3. minus what the ledger already charged for that quarter (provisional call and any earlier regularisation:
   ``contribution`` and ``management_fee`` entries of kinds charge/regularisation — payments do not matter);
4. the difference posted per quarter (key ``regularisation/<N>/<file>/<assessment date>/<NQk>``; the part of it
   that is the first-quarter reduction — the definitive one minus the one the call already took off — on a line of
   its own, rule art. 12 §1bis and its parameter): a debt when positive, a credit (the debt lowered; the
   overpayment goes back to the debtor's credit at the next imputation, then set off or refunded) when negative;
   due on the last day of the quarter following the quarter of the notice (legislation.md §2,
   ``rules.contributions.next_quarter_end``);
5. one regularisation notice per person (key ``regularisation/<N>/<file>/<assessment date>``).

A revised income (a later assessment date) is regularised again against everything charged so far. The notice
date defaults to today, or to the date of a regularisation of the same year that was started and did not finish;
a resumed run reuses the date of the first start (``batch_run.params``). What this assessment's regularisation
already posted is the difference itself (never recomputed against its own postings), so a run stopped half-way and
run again writes every notice and posts nothing twice.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
from sqlalchemy import Date, Integer, bindparam, select, text

from caisse.batches.framework import Progress, Summary, existing_keys, run_batch, write_chunks
from caisse.batches.models import BatchRun
from caisse.batches.population import NO_CATEGORY, load_quarter, ogm_digits, printed
from caisse.batches.quarterly_call import FEE_RULE, REDUCTION_PARAMETER, REDUCTION_RULE, fee_fraction, fee_text
from caisse.batches.set_off import set_off
from caisse.errors import InvalidInput, UnknownParameter
from caisse.ledger import DebtLine, charge_posting
from caisse.money import div_half_up, fmt
from caisse.rules import contributions as rc
from caisse.rules.params import load as load_params
from caisse.services.calendar import Quarter
from caisse.store.db import engine_for, session_scope
from caisse.store.models import utcnow

RULE = "AR n° 38 art. 11 §5"
SURCHARGE_RULE = "unjustified reduction of provisional contributions (legislation.md §4.3; article NOT found)"
SURCHARGE_PARAMS = ("unjustified_reduction_rate", "unjustified_reduction_annual_rate")  # the 3 % and the 7 % line

_INCOME_SQL = """
WITH inc AS (
    SELECT pi.person_id, pi.amount_cents, CAST(pi.assessed_on AS VARCHAR(10)) AS assessed,
           ROW_NUMBER() OVER (PARTITION BY pi.person_id ORDER BY pi.assessed_on DESC, pi.id DESC) AS rn
    FROM professional_income pi
    WHERE pi.year = :year AND pi.source = 'tax' AND pi.assessed_on <= :notice_date
)
SELECT inc.person_id, inc.amount_cents, inc.assessed, p.language
FROM inc JOIN party p ON p.id = inc.person_id
WHERE inc.rn = 1
ORDER BY inc.person_id
"""

# ``first``: 1 for the lines taking the primostarter's first-quarter reduction off a quarter (art. 12 §1bis): their
# parameter is the reduction's name alone or ``name@value date``, compared exactly (a LIKE on the name would read its
# ``_`` as any character and take a parameter such as ``primostarter first quarter reduction (manual)`` for it)
_FIRST = (f"CASE WHEN e.parameter = '{REDUCTION_PARAMETER}' OR SUBSTR(e.parameter, 1, {len(REDUCTION_PARAMETER) + 1})"
          f" = '{REDUCTION_PARAMETER}@' THEN 1 ELSE 0 END")
_CALLED_SQL = f"""
SELECT e.party_id, e.period, e.account, SUM(e.amount_cents),
       CASE WHEN t.kind = 'regularisation' THEN t.key END AS reg_key,
       {_FIRST} AS first
FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
WHERE e.account IN ('contribution', 'management_fee') AND e.period IN (:p1, :p2, :p3, :p4)
  AND t.kind IN ('charge', 'regularisation')
GROUP BY e.party_id, e.period, e.account, CASE WHEN t.kind = 'regularisation' THEN t.key END, {_FIRST}
"""

# The people with an estimate of N on file (a reduction granted: their provisional contributions were computed on
# it): what they paid on N's contributions by 31 December N (imputations) and the credit they held then, and the
# unjustified-reduction surcharges already charged by a regularisation of N (per assessment key and line). Not
# those whose estimate in force (the latest, as the call reads it: population._incomes) was written by a granted
# increase (reduction_request.direction): their provisional contributions were raised, not reduced (§1.4, §4.3).
_REDUCED_SQL = """
SELECT DISTINCT pi.person_id FROM professional_income pi
WHERE pi.year = :year AND pi.source = 'estimate' AND pi.assessed_on <= :notice_date
  AND NOT EXISTS (
      SELECT 1 FROM professional_income latest JOIN reduction_request r ON r.income_id = latest.id
      WHERE latest.person_id = pi.person_id AND latest.year = pi.year AND latest.source = 'estimate'
        AND latest.assessed_on <= :notice_date AND r.direction = 'increase'
        AND NOT EXISTS (
            SELECT 1 FROM professional_income later
            WHERE later.person_id = latest.person_id AND later.year = latest.year AND later.source = 'estimate'
              AND later.assessed_on <= :notice_date
              AND (later.assessed_on > latest.assessed_on
                   OR (later.assessed_on = latest.assessed_on AND later.id > latest.id))))
"""

_PAID_SQL = """
SELECT e.party_id,
       SUM(CASE WHEN e.account = 'contribution' AND t.kind = 'imputation' THEN -e.amount_cents ELSE 0 END),
       SUM(CASE WHEN e.account = 'credit' THEN -e.amount_cents ELSE 0 END)
FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
WHERE t.booked_on <= :year_end AND (e.account = 'credit' OR (e.account = 'contribution'
      AND e.period IN (:p1, :p2, :p3, :p4)))
  AND e.party_id IN (SELECT pi.person_id FROM professional_income pi
                     WHERE pi.year = :year AND pi.source = 'estimate' AND pi.assessed_on <= :notice_date)
GROUP BY e.party_id
"""

_SURCHARGED_SQL = """
SELECT e.party_id, t.key, e.parameter, SUM(e.amount_cents)
FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
WHERE e.account = 'surcharge' AND t.key LIKE :pattern
GROUP BY e.party_id, t.key, e.parameter
"""


def run(url: str, year: int, *, notice_date: dt.date | None = None, fee_rate: str | None = None,
        allow_estimates: bool = False, progress: Progress | None = None) -> Summary:
    if not isinstance(year, int) or not 2000 <= year <= 2099:
        raise InvalidInput("year", f"{year!r}: a contribution year 2000-2099 is expected")
    notice_date = notice_date or _unfinished_notice_date(url, year) or dt.date.today()
    if notice_date <= dt.date(year, 12, 31):
        raise InvalidInput("notice_date", f"a regularisation of {year} is sent after the year ({notice_date})")
    fee = fee_fraction(fee_rate)
    key = f"regularisation/{year}/{notice_date.isoformat()}"
    params = {"year": year, "notice_date": notice_date.isoformat(), "fee_rate": None if fee is None else str(fee),
              "allow_estimates": allow_estimates}

    def body(p: dict, summary: Summary) -> None:
        nd = dt.date.fromisoformat(p["notice_date"])
        fee_p = None if p["fee_rate"] is None else Fraction(p["fee_rate"])
        _regularise(url, year, nd, fee_p, bool(p["allow_estimates"]), key, summary, progress)

    return run_batch(url, key, "regularisation", params, body)


def _unfinished_notice_date(url: str, year: int) -> dt.date | None:
    """The notice date of a regularisation of ``year`` that was started and did not finish: run again without a
    date (the next day, say), it resumes that run instead of starting another one dated today."""
    with session_scope(url) as s:
        params = s.scalars(select(BatchRun.params).where(
            BatchRun.kind == "regularisation", BatchRun.key.like(f"regularisation/{year}/%"),
            BatchRun.status != "finished").order_by(BatchRun.started_at.desc(), BatchRun.id.desc()).limit(1)).first()
    return dt.date.fromisoformat(params["notice_date"]) if params else None


def _regularise(url: str, year: int, notice_date: dt.date, fee: Fraction | None, estimates: bool, batch_key: str,
                summary: Summary, progress: Progress | None) -> None:
    engine = engine_for(url)
    stmt = text(_INCOME_SQL).bindparams(bindparam("year", type_=Integer), bindparam("notice_date", type_=Date))
    with engine.connect() as conn:
        incomes = conn.execute(stmt, {"year": year, "notice_date": notice_date}).all()
        periods = [f"{year}Q{k}" for k in range(1, 5)]
        called_rows = conn.execute(text(_CALLED_SQL), dict(zip(("p1", "p2", "p3", "p4"), periods, strict=True))).all()
        dates = {"year": year, "notice_date": notice_date, "year_end": dt.date(year, 12, 31)}
        reduced_rows = conn.execute(text(_REDUCED_SQL).bindparams(bindparam("notice_date", type_=Date)),
                                    dates).all()
        paid_rows = conn.execute(text(_PAID_SQL).bindparams(bindparam("notice_date", type_=Date),
                                                            bindparam("year_end", type_=Date)),
                                 {**dates, **dict(zip(("p1", "p2", "p3", "p4"), periods, strict=True))}).all()
        surcharged_rows = conn.execute(text(_SURCHARGED_SQL),
                                       {"pattern": f"regularisation/{year}/%/reduction-surcharge"}).all()
    if not incomes:
        return
    party = np.array([r[0] for r in incomes], np.int64)
    income = np.array([int(r[1]) for r in incomes], np.int64)
    assessed = [r[2] for r in incomes]
    language = [r[3] for r in incomes]
    n = len(party)
    pos = {int(x): i for i, x in enumerate(party.tolist())}
    try:
        yp = rc.year_params(year, estimates)
    except UnknownParameter as exc:
        summary.anomaly(f"UnknownParameter: {exc}", party)
        return
    reform = load_params().parameter("pension_age_reform_date").values[0].value

    # per person × quarter: affiliated?, regime, primostarter, the primostarter's first quarter of activity (from
    # the same population query as the call)
    affiliated = np.zeros((n, 4), bool)
    regime = np.zeros((n, 4), np.int8)
    primo = np.zeros((n, 4), bool)
    first = np.zeros((n, 4), bool)
    dispensed = np.zeros((n, 4), bool)  # contributions dispensed with a benefit (caisse.benefits.dispensation)
    category = np.full((n, 4), NO_CATEGORY, np.int8)
    for k in range(4):
        quarter = Quarter(year, k + 1)
        pop = load_quarter(url, quarter)
        idx = np.array([pos.get(int(x), -1) for x in pop.party.tolist()], np.int64)
        sel = (idx >= 0) & (pop.category != NO_CATEGORY)
        rows = idx[sel]
        cat = pop.category[sel]
        affiliated[rows, k] = True
        category[rows, k] = cat
        reg = cat.copy()
        no_pension = (cat == rc.POST_PENSION) & ~pop.pension[sel]
        main_now = quarter.first_day >= reform
        reg[no_pension] = np.where(main_now & ~pop.opt_out[sel][no_pension], rc.MAIN, rc.PENSION_AGE_OLD)
        regime[rows, k] = reg
        primo[rows, k] = pop.primostarter[sel]
        first[rows, k] = pop.primostarter[sel] & (reg == rc.MAIN) & (pop.quarters_since_start[sel] == 0)
        if pop.dispensed is not None:
            dispensed[rows, k] = pop.dispensed[sel]

    # What was charged before this assessment's regularisation; what this assessment's regularisation already
    # posted (a run stopped half-way, or an earlier run for the same assessment) is kept apart: it is the
    # difference itself, never recomputed, so a rerun writes the missing notices and posts nothing twice.
    called = np.zeros((n, 4, 2), np.int64)  # [.., 0]: contribution, [.., 1]: management fee
    called_first = np.zeros((n, 4), np.int64)  # the first-quarter reduction taken off so far (negative), in [.., 0]
    own = np.zeros((n, 4, 2), np.int64)
    own_first = np.zeros((n, 4), np.int64)
    has_own = np.zeros(n, bool)
    provisional = np.zeros(n, np.int64)  # contributions of N charged by the calls and their corrections
    for pid, period, account, amount, reg_key, is_first in called_rows:
        i = pos.get(int(pid))
        if i is None:
            continue
        slot = (i, int(period[5]) - 1, 0 if account == "contribution" else 1)
        if reg_key is None and account == "contribution":
            provisional[i] += int(amount)
        if reg_key is not None and reg_key.startswith(f"regularisation/{year}/{int(pid)}/{assessed[i]}/"):
            own[slot] += int(amount)
            own_first[slot[:2]] += int(amount) if is_first and account == "contribution" else 0
            has_own[i] = True
        else:
            called[slot] += int(amount)
            called_first[slot[:2]] += int(amount) if is_first and account == "contribution" else 0

    quarters = affiliated.sum(axis=1)
    nothing = (quarters == 0) & (called.sum(axis=(1, 2)) == 0) & ~has_own
    summary.skip(f"income {year} on file but not affiliated in {year} and nothing called", party[nothing])
    basis = np.where(quarters > 0, div_half_up(income * 4, np.maximum(quarters, 1)), 0)
    # the primostarter's first quarter of activity: the art. 12 §1bis reduction, before the fee (as the rules'
    # ``regularisation(..., start_quarter=...)``); its figure not known → those people are left for staff
    first &= affiliated & ~dispensed
    reduction_parameter = REDUCTION_PARAMETER  # named with its value's date when it is known
    first_reduction = np.zeros((n, 4), np.int64)  # cents taken off (positive)
    unknown = np.zeros(n, bool)
    if first.any() or called_first.any():
        try:
            value = load_params().year(REDUCTION_PARAMETER, year, allow_estimates=estimates)
        except UnknownParameter as exc:
            unknown = first.any(axis=1)
            if unknown.any():
                summary.anomaly(f"UnknownParameter: {exc}", party[unknown])
        else:
            reduction_parameter = f"{REDUCTION_PARAMETER}@{value.start.isoformat()}"
            first_reduction[first] = value.value
    definitive = np.zeros((n, 4, 2), np.int64)
    for k in range(4):
        rows = np.flatnonzero(affiliated[:, k])
        if not len(rows):
            continue
        _a, contribution, _t = rc.quarterly_vector(basis[rows], regime[rows, k], primo[rows, k], yp)
        contribution = contribution - first_reduction[rows, k]
        total = contribution if fee is None else rc.fee_vector(contribution, fee)
        definitive[rows, k, 0] = contribution
        definitive[rows, k, 1] = total - contribution
    definitive[dispensed] = 0  # a quarter dispensed with a benefit owes nothing (nor counts in a reduction's base)
    diff = definitive - called
    diff[dispensed] = 0  # ... and is not regularised, whatever was called for it
    # the part of the contribution's difference that is the first-quarter reduction: its own line
    diff_first = np.where(dispensed, 0, -first_reduction - called_first)
    diff[has_own] = own[has_own]
    diff_first[has_own] = own_first[has_own]
    nothing |= unknown
    diff[nothing] = 0
    diff_first[nothing] = 0
    surcharge, surcharge_calc = _reduction_surcharges(year, party, pos, assessed, definitive, provisional,
                                                      reduced_rows, paid_rows, surcharged_rows)
    surcharge[nothing] = 0
    person_total = diff.sum(axis=(1, 2)) + surcharge.sum(axis=1)
    has_diff = (np.abs(diff).sum(axis=(1, 2)) > 0) | (np.abs(surcharge).sum(axis=1) > 0)
    summary.exempt = int((~has_diff & ~nothing).sum())
    if first_reduction.any():
        summary.details["primostarter first-quarter reduction"] = (
            f"{int(first.any(axis=1).sum()):,} people, definitive {fmt(int(first_reduction.sum()))} EUR "
            f"({reduction_parameter}, {REDUCTION_RULE})")
    todo = np.flatnonzero(has_diff)
    summary.debtors = summary.notices = len(todo)
    summary.amount_cents = int(person_total[todo].sum())
    summary.details["to pay"] = f"{int((person_total[todo] > 0).sum()):,} debtors, " \
                                f"{fmt(int(person_total[todo][person_total[todo] > 0].sum()))} EUR"
    summary.details["to refund"] = f"{int((person_total[todo] < 0).sum()):,} debtors, " \
                                   f"{fmt(int(-person_total[todo][person_total[todo] < 0].sum()))} EUR"
    surcharged = np.flatnonzero(surcharge.sum(axis=1) != 0)
    if len(surcharged):
        summary.details["unjustified-reduction surcharge"] = (
            f"{len(surcharged):,} debtors, {fmt(int(surcharge[surcharged].sum()))} EUR (3 % + 7 %; secondary source, "
            "article of law not found)")
    due = rc.next_quarter_end(notice_date)
    notice_keys = [f"regularisation/{year}/{int(party[i])}/{assessed[i]}" for i in todo.tolist()]
    first_keys = []
    for j, i in enumerate(todo.tolist()):
        k = next((k for k in range(4) if diff[i, k].any()), None)
        first_keys.append(f"{notice_keys[j]}/{year}Q{k + 1}" if k is not None else
                          f"{notice_keys[j]}/reduction-surcharge")
    ogms = ogm_digits(party[todo], year, 9)
    now = utcnow()
    fee_param = None if fee is None else f"management_fee_rate={fee_text(fee)}"

    def postings(idx: np.ndarray):
        out = []
        for j in idx.tolist():
            i = int(todo[j])
            cat_codes = [int(c) for c in category[i] if c != NO_CATEGORY]
            start = next((k + 1 for k in range(4) if first[i, k]), None)
            for k in range(4):
                if not diff[i, k].any():
                    continue
                period = f"{year}Q{k + 1}"
                d_c, d_f = int(diff[i, k, 0]), int(diff[i, k, 1])
                cat = rc.CATEGORIES[int(category[i, k])] if category[i, k] != NO_CATEGORY else None
                calc = {"year": year, "quarter": k + 1, "income": int(income[i]), "quarters": int(quarters[i]),
                        "category": cat, "definitive": int(definitive[i, k].sum()), "called": int(called[i, k].sum()),
                        "assessed_on": assessed[i], "called_by_quarter": [int(x) for x in called[i].sum(axis=1)],
                        "affiliated": [bool(x) for x in affiliated[i]]}
                if fee is not None:
                    calc["fee_rate"] = fee_text(fee)
                if primo[i, k]:
                    calc["primostarter"] = True
                if start is not None:  # the rules' start_quarter: the year's first quarter of activity is reduced
                    calc["start_quarter"] = start
                if len(set(cat_codes)) > 1:
                    calc["categories"] = sorted({rc.CATEGORIES[c] for c in cat_codes})
                reduced = (f", primostarter first quarter of activity reduced by {fmt(int(first_reduction[i, k]))} "
                           f"({reduction_parameter})") if first_reduction[i, k] else ""
                text_ = (f"regularisation {period}: definitive {fmt(int(definitive[i, k].sum()))} (income {year} "
                         f"{fmt(int(income[i]))}" + (f", {cat}" if cat else ", not affiliated") + reduced +
                         f") − provisional called {fmt(int(called[i, k].sum()))} = {fmt(d_c + d_f)}")
                d_first = int(diff_first[i, k])
                # the quarter's "definitive − called" goes on its first line posted: the income's line, else (the
                # income changed nothing, no zero entry is posted) the reduction's or the fee's line carries it too
                lines = []
                if d_c - d_first:
                    lines.append(DebtLine("contribution", d_c - d_first, RULE, f"income {year}@{assessed[i]}",
                                          {"text": text_, "calc": calc}))
                if d_first:  # the first-quarter reduction not yet (or no longer) taken off as the call did
                    own_text = (f"primostarter first-quarter reduction {period}: definitive "
                                f"{fmt(-int(first_reduction[i, k]))} − already taken off "
                                f"{fmt(int(called_first[i, k]))} = {fmt(d_first)}")
                    lines.append(DebtLine("contribution", d_first, REDUCTION_RULE, reduction_parameter, {
                        "text": own_text if lines else f"{text_}; {own_text}",
                        "calc": calc, "step": rc.FIRST_QUARTER_STEP}))
                if d_f:
                    own_text = f"management fee on the regularisation {period}"
                    lines.append(DebtLine("management_fee", d_f, FEE_RULE, fee_param,
                                          {"text": own_text} if lines else {"text": f"{text_}; {own_text}",
                                                                            "calc": calc}))
                out.append(charge_posting(f"{notice_keys[j]}/{period}", int(party[i]), period, due, notice_date,
                                          lines, kind="regularisation", description=f"Regularisation {period}",
                                          reference=printed(ogms[j])))
            if surcharge[i].any():
                out.append(_surcharge_posting(f"{notice_keys[j]}/reduction-surcharge", int(party[i]), year, due,
                                              notice_date, surcharge[i], surcharge_calc[i], printed(ogms[j])))
        return out

    def notices(idx: np.ndarray):
        return [(notice_keys[j], "regularisation", int(party[todo[j]]), str(year), int(person_total[todo[j]]),
                 due if person_total[todo[j]] > 0 else None, ogms[j], language[todo[j]], batch_key, now)
                for j in idx.tolist()]

    write_chunks(url, len(todo), postings, notices,
                 posted_keys=existing_keys(url, "ledger_transaction", f"regularisation/{year}/"),
                 notice_keys=existing_keys(url, "notice", f"regularisation/{year}/"), keys=first_keys,
                 notice_key_list=notice_keys, summary=summary, progress=progress)
    # a lower definitive contribution releases what was paid on it to the debtor's credit, which settles his
    # other open items at once (else it waits to be refunded); credit already held settles a supplement
    set_off(url, notice_date, batch_key, parties=party[todo][person_total[todo] < 0].tolist()).report(summary)


def _reduction_surcharges(year: int, party: np.ndarray, pos: dict[int, int], assessed: list[str],
                          definitive: np.ndarray, provisional: np.ndarray, reduced_rows, paid_rows,
                          surcharged_rows) -> tuple[np.ndarray, dict[int, dict]]:
    """The unjustified-reduction surcharge to post per person (columns: the 3 % line, the 7 % line), for the people
    whose provisional contributions of N were computed on their estimate (legislation.md §4.3, addendum §4.3: press
    summaries only, the article of law NOT found): 3 % + one-off 7 % of the definitive contribution of N exceeding
    the reduced provisional contributions and not paid on top of them by 31 December N
    (``rules.surcharges.unjustified_reduction_surcharge``). "Paid on top" = what was imputed on N's contributions
    by 31 December plus the credit held that day, beyond the reduced provisional contributions. A revised income
    charges the difference with what earlier assessments charged; this assessment's own posting is never
    recomputed (a rerun posts nothing twice)."""
    from caisse.rules.surcharges import unjustified_reduction_surcharge

    n = len(party)
    out = np.zeros((n, 2), np.int64)
    calcs: dict[int, dict] = {}
    reduced = {pos[int(r[0])] for r in reduced_rows if int(r[0]) in pos}
    if not reduced:
        return out, calcs
    paid = {int(pid): (int(imputed or 0), int(credit or 0)) for pid, imputed, credit in paid_rows}
    before = np.zeros((n, 2), np.int64)
    own = np.zeros((n, 2), np.int64)
    has_own = np.zeros(n, bool)
    for pid, key, parameter, amount in surcharged_rows:
        i = pos.get(int(pid))
        if i is None or parameter not in SURCHARGE_PARAMS:
            continue
        col = SURCHARGE_PARAMS.index(parameter)
        if key.startswith(f"regularisation/{year}/{int(pid)}/{assessed[i]}/"):
            own[i, col] += int(amount)
            has_own[i] = True
        else:
            before[i, col] += int(amount)
    for i in sorted(reduced):
        if has_own[i]:
            out[i] = own[i]
            continue
        imputed, credit = paid.get(int(party[i]), (0, 0))
        d_c, r_c = int(definitive[i, :, 0].sum()), int(provisional[i])
        on_top = max(0, imputed + max(credit, 0) - r_c)
        result = unjustified_reduction_surcharge(year, d_c, r_c, on_top)
        wanted = np.array([s.amount for s in result.surcharges] or [0, 0], np.int64)
        out[i] = wanted - before[i]
        calcs[i] = {"year": year, "definitive": d_c, "reduced_provisional": r_c, "imputed_by_year_end": imputed,
                    "credit_at_year_end": max(credit, 0), "paid_on_top": on_top, "base": result.base,
                    "charged_before": [int(x) for x in before[i]], "assessed_on": assessed[i],
                    "source_status": "secondary"}
    return out, calcs


def _surcharge_posting(key: str, party_id: int, year: int, due: dt.date, notice_date: dt.date, amounts: np.ndarray,
                       calc: dict | None, reference: str):
    """The surcharge lines of one person (account ``surcharge``, period N Q4: it is reckoned on 31 December N)."""
    calc = calc or {}
    lines = []
    for col, (label, parameter) in enumerate(zip(("3 %", "one-off 7 %"), SURCHARGE_PARAMS, strict=True)):
        amount = int(amounts[col])
        text_ = (f"unjustified reduction {year}: {label} of {fmt(calc.get('base', 0))} (definitive "
                 f"{fmt(calc.get('definitive', 0))} − reduced provisional {fmt(calc.get('reduced_provisional', 0))} − "
                 f"paid on top by 31/12/{year} {fmt(calc.get('paid_on_top', 0))}) = {fmt(amount)}; source: press "
                 "summaries of the 2022 reform (secondary), the article of law was not found")
        lines.append(DebtLine("surcharge", amount, SURCHARGE_RULE, parameter, {"text": text_, "calc": calc}))
    return charge_posting(key, party_id, f"{year}Q4", due, notice_date, lines, kind="regularisation",
                          description=f"Surcharge after an unjustified reduction {year}", reference=reference)
