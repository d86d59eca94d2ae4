"""The company call (cotisation annuelle des sociétés / vennootschapsbijdrage): ``caisse run company-call --year 2026``.

Every company subject during the year (affiliation start on or before 31 December, not ended before 1 January)
owes the annual contribution: the small amount during its first two years of subjection, else small or large by
the balance-sheet total of the penultimate financial year (FY N-2) against the year's boundary. The amounts,
boundary, starting years and due date come from ``caisse.rules.company.company_contribution``, called once per
*class* (starting / small / large) and applied to every company of the class with numpy — the rule is the
rules engine's, the work is set-based.

Skipped with the reason: a company without a balance sheet for FY N-2 (when not starting); every company that
needs a figure the engine refuses (2026 boundary and large amount are ESTIMATES: skipped unless
``--allow-estimates``, and then every entry and notice says the figures are estimates).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import Date, Integer, bindparam, text

from caisse.batches.framework import Progress, Summary, existing_keys, run_batch, write_chunks
from caisse.batches.population import ogm_digits, printed
from caisse.batches.set_off import set_off
from caisse.errors import InvalidInput, UnknownParameter
from caisse.ledger import DebtLine, charge_posting
from caisse.money import fmt
from caisse.rules.company import company_contribution
from caisse.rules.params import load as load_params
from caisse.store.db import engine_for
from caisse.store.models import utcnow

_SQL = """
SELECT c.id, p.language, CAST(c.affiliation_start AS VARCHAR(10)), b.total_cents
FROM company c
JOIN party p ON p.id = c.id
LEFT JOIN balance_sheet b ON b.company_id = c.id AND b.financial_year = :fy
WHERE c.affiliation_start <= :y_end AND (c.affiliation_end IS NULL OR c.affiliation_end >= :y_start)
ORDER BY c.id
"""


def run(url: str, year: int, *, allow_estimates: bool = False, progress: Progress | None = None) -> Summary:
    if not isinstance(year, int) or not 2000 <= year <= 2099:
        raise InvalidInput("year", f"{year!r}: a contribution year 2000-2099 is expected")
    prefix = f"company-call/{year}"
    # a run with estimates is another batch: it posts what the first one skipped (posting keys are shared)
    key = prefix + ("/with-estimates" if allow_estimates else "")
    params = {"year": year, "allow_estimates": allow_estimates}

    def body(p: dict, summary: Summary) -> None:
        estimates = bool(p["allow_estimates"])
        stmt = text(_SQL).bindparams(bindparam("y_start", type_=Date), bindparam("y_end", type_=Date),
                                     bindparam("fy", type_=Integer))
        with engine_for(url).connect() as conn:
            rows = conn.execute(stmt, {"y_start": dt.date(year, 1, 1), "y_end": dt.date(year, 12, 31),
                                       "fy": year - 2}).all()
        if not rows:
            return
        party = np.array([r[0] for r in rows], np.int64)
        language = [r[1] for r in rows]
        start_year = np.array([int(r[2][:4]) for r in rows], np.int64)
        total = np.array([-1 if r[3] is None else int(r[3]) for r in rows], np.int64)
        subjection = year - start_year + 1
        starting_years = load_params().get("company_starting_years_small", dt.date(year, 1, 1)).value
        starting = subjection <= starting_years
        amount = np.zeros(len(rows), np.int64)
        classes: dict[str, object] = {}  # class -> CompanyResult of a representative row
        size = np.array(["" for _ in rows], dtype=object)

        def classify(mask: np.ndarray, name: str, **kw) -> None:
            if not mask.any():
                return
            try:
                result = company_contribution(year, allow_estimates=estimates, **kw)
            except UnknownParameter as exc:
                summary.anomaly(f"UnknownParameter: {exc}", party[mask])
                return
            classes[name] = result
            amount[mask] = result.amount
            size[mask] = name

        classify(starting, "starting", subjection_year=1)
        no_sheet = ~starting & (total < 0)
        summary.anomaly(f"no balance sheet for financial year {year - 2} on file (penultimate year)", party[no_sheet])
        others = ~starting & ~no_sheet
        if others.any():
            try:
                boundary = load_params().year("company_balance_sheet_boundary", year, allow_estimates=estimates).value
            except UnknownParameter as exc:
                summary.anomaly(f"UnknownParameter: {exc}", party[others])
            else:
                small = others & (total <= boundary)
                classify(small, "small", balance_sheet_total=fmt(boundary))
                classify(others & ~small, "large", balance_sheet_total=fmt(boundary + 1))
        rows_idx = np.flatnonzero(amount > 0)
        summary.debtors = summary.notices = len(rows_idx)
        summary.amount_cents = int(amount[rows_idx].sum())
        for name in ("starting", "small", "large"):
            if name in classes:
                summary.details[f"{name}"] = f"{int((size[rows_idx] == name).sum()):,} × " \
                                             f"{fmt(classes[name].amount)} EUR"
        weak = sorted({f"{v.name} {fmt(v.value)}" for r in classes.values() for v in r.explanation.low_confidence})
        if weak:
            summary.details["CAUTION"] = f"low-confidence amount used (single secondary source): {', '.join(weak)}"
        if any(r.explanation.uses_estimates for r in classes.values()):
            summary.details["WARNING"] = "ESTIMATED amounts used (--allow-estimates): not published figures"
        keys = [f"{prefix}/{int(x)}" for x in party[rows_idx].tolist()]
        ogms = ogm_digits(party[rows_idx], year, 0)
        params_ = load_params()
        now = utcnow()

        def postings(idx: np.ndarray):
            out = []
            for j in idx.tolist():
                i = int(rows_idx[j])
                name = size[i]
                result = classes[name]
                param = "company_contribution_small" if result.size == "small" else "company_contribution_large"
                calc = {"year": year, "subjection_year": int(subjection[i])}
                if name != "starting":
                    calc["balance_sheet_total"] = int(total[i])
                    calc["financial_year"] = year - 2
                if result.explanation.uses_estimates:
                    calc["allow_estimates"] = True
                text_ = (f"company contribution {year}, starting company (year {int(subjection[i])} of subjection):"
                         f" small amount {fmt(result.amount)}" if name == "starting" else
                         f"company contribution {year}: balance-sheet total FY{year - 2} {fmt(int(total[i]))} → "
                         f"{result.size} company, {fmt(result.amount)}")
                if result.explanation.uses_estimates:
                    text_ += " (ESTIMATED amounts, not published)"
                line = DebtLine("company_contribution", int(amount[i]), params_.parameter(param).law[:100],
                                f"{param}@{year}-01-01", {"text": text_, "calc": calc})
                out.append(charge_posting(keys[j], int(party[i]), str(year), result.due_date, dt.date(year, 1, 1),
                                          [line], description=f"Company contribution {year}",
                                          reference=printed(ogms[j])))
            return out

        def notices(idx: np.ndarray):
            return [(keys[j], "company_call", int(party[rows_idx[j]]), str(year), int(amount[rows_idx[j]]),
                     classes[size[rows_idx[j]]].due_date, ogms[j], language[rows_idx[j]], key, now)
                    for j in idx.tolist()]

        write_chunks(url, len(rows_idx), postings, notices,
                     posted_keys=existing_keys(url, "ledger_transaction", prefix + "/"),
                     notice_keys=existing_keys(url, "notice", prefix + "/"), keys=keys, summary=summary,
                     progress=progress)
        set_off(url, dt.date(year, 1, 1), key).report(summary)

    return run_batch(url, key, "company-call", params, body)
