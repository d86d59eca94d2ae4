"""Late-payment surcharges (majorations / verhogingen, art. 44 AR 19-12-1967): ``caisse run surcharges --as-of D``.

Posts every surcharge that arose on or before ``as_of``, from the ledger's payment history, set-based (one
GROUP BY over the entries per date of arising):

* **3 %** at the end of every quarter (E ≤ as_of) on the contributions already due on E and still unpaid at
  the end of E — first at the due date's quarter end, then every following quarter end while unpaid;
* **7 % once** on 1 January of Y+1 on the contributions first claimed (= due) in year Y and unpaid on 31/12/Y.

The base is the ``contribution`` account only: never surcharges (art. 44: "never on surcharges"), nor the
fund's management fee (a fee, not a contribution: the circulars' example is 3 % of 871.71, the fee-free 2025
minimum), nor the company contribution (its own regime, below). Payments count on
their booking date (the day they are credited; a payment on the due date is in time) and are imputed by the
ledger (oldest period first, principal first), so "unpaid at E" is the account's balance booked up to E minus
the charges on it that are not yet due at E (a regularisation supplement due later).

Idempotent per (debtor, period, date of arising): key ``surcharges/<date of arising>/<file>/<period>``; the
rates come from ``surcharges.yaml`` via the rules parameters; amounts half-up to the cent as the rules engine
(``caisse.rules.surcharges.late_payment_surcharges`` gives the same figures for one debt — tested).
Every run recomputes every date of arising from the first due date on, from the payment history as booked: a
payment credited before a quarter's end that reached the fund's books after that quarter's surcharge was charged
(a bank file imported late) gets the surcharge corrected (``_correct``), never left standing.
The contrainte cut-off (addendum §4.2): no surcharge arises after the end of the quarter preceding the quarter
in which a contrainte is served or a summons made — the service date the bailiff (or lawyer) reported, else the
recovery file's move to ``enforcement`` or ``court``.

**Company contribution** (legislation.md §7: "1 % of the contribution per month of delay" [S36][S116], parameter
``company_late_rate_per_month``, status SECONDARY): the ``company_contribution`` account gets 1 % of what is unpaid
at the start of each month of delay begun — the same reading as the simulator (``caisse.rules.company.months_begun``:
due 31/12, paid 15/01 → one month; paid 01/02 → two). The notes say only "per month"; "per month begun" is the
reading they allow that the simulator already made (documented there as an assumption). A month of delay begins
the day after the due date and the day after each monthly anniversary of it; the contribution unpaid (as booked)
at the end of the day before is the base. Amounts: the running total of the months, rounded half-up, so a company
paying n months late is charged exactly what the simulator says (399.73 × 1 % × 3 = 11.99, not 3 × 4.00). The rate
is the one in force on the due date (as the simulator). Key ``surcharges/<day the month begins>/<company>/<year>``
(rechecked by ``_correct`` like the 3 %). Judicial recovery: the notes state the cut-off only for art. 44; for the
company contribution they are silent. The same cut-off is applied (no month begun after the end of the quarter
preceding the service of a contrainte or a summons): stopping is in the debtor's favour and reversible — should the
cut-off prove not to apply, removing it lets the next run charge the months left out (every run recomputes every
date of arising) — whereas surcharges charged beyond it would have to be taken back after a judge's decision.
"""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

import numpy as np
from sqlalchemy import Date, DateTime, bindparam, text

from caisse.batches.framework import Progress, Summary, existing_keys, run_batch, write_chunks
from caisse.batches.set_off import set_off
from caisse.errors import InvalidInput, UnknownParameter
from caisse.ledger import DebtLine, charge_posting, post_many
from caisse.money import fmt
from caisse.references import for_company_contribution, for_quarter
from caisse.rules.company import months_begun
from caisse.rules.contributions import quarter_end
from caisse.rules.params import load as load_params
from caisse.services.calendar import add_months
from caisse.store.db import engine_for

RULE = "AR 19-12-1967 art. 44 §1"
COMPANY_RATE = "company_late_rate_per_month"

_UNPAID_SQL = """
SELECT e.party_id, e.period,
       SUM(e.amount_cents) AS balance,
       SUM(CASE WHEN e.amount_cents > 0 AND e.due_date > :at THEN e.amount_cents ELSE 0 END) AS not_due,
       SUM(CASE WHEN e.amount_cents > 0 AND e.due_date >= :year_start AND e.due_date <= :at
                THEN e.amount_cents ELSE 0 END) AS due_this_year
FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
WHERE e.account = :account AND t.booked_on <= :at
GROUP BY e.party_id, e.period
HAVING SUM(e.amount_cents) > 0
ORDER BY e.party_id, e.period
"""


def _next_day(d: dt.date) -> dt.date:
    return d + dt.timedelta(days=1)


def arising_dates(first_due: dt.date, as_of: dt.date) -> list[tuple[dt.date, str]]:
    """Quarter ends from the first due date's quarter to ``as_of``, and every 1 January in between."""
    out = []
    e = quarter_end(first_due)
    while e <= as_of:
        out.append((e, "quarterly"))
        if e.month == 12 and _next_day(e) <= as_of:
            out.append((_next_day(e), "annual"))
        e = quarter_end(_next_day(e))
    return out


def _unpaid(url: str, at: dt.date, account: str = "contribution") -> tuple[np.ndarray, list[str], np.ndarray,
                                                                          np.ndarray]:
    """(party, period, unpaid and due at the end of ``at``, of which first claimed in ``at``'s year)."""
    stmt = text(_UNPAID_SQL).bindparams(bindparam("at", type_=Date), bindparam("year_start", type_=Date))
    with engine_for(url).connect() as conn:
        rows = conn.execute(stmt, {"at": at, "year_start": dt.date(at.year, 1, 1), "account": account}).all()
    if not rows:
        return np.zeros(0, np.int64), [], np.zeros(0, np.int64), np.zeros(0, np.int64)
    party = np.array([r[0] for r in rows], np.int64)
    period = [r[1] for r in rows]
    balance = np.array([int(r[2]) for r in rows], np.int64)
    not_due = np.array([int(r[3]) for r in rows], np.int64)
    this_year = np.array([int(r[4]) for r in rows], np.int64)
    unpaid = np.maximum(balance - not_due, 0)
    return party, period, unpaid, np.minimum(unpaid, this_year)


def _rate(name: str, on: dt.date):
    return load_params().get(name, on)


def _half_up(base: np.ndarray, rate: Fraction) -> np.ndarray:
    return (2 * base * rate.numerator + rate.denominator) // (2 * rate.denominator)


def _reference(party: int, period: str) -> str:
    if "Q" in period:
        return for_quarter(party, int(period[:4]), int(period[5])).ogm
    return for_company_contribution(party, int(period)).ogm


_POSTED_SQL = """
SELECT t.key, SUM(e.amount_cents), MIN(e.party_id), MIN(e.period)
FROM ledger_transaction t JOIN ledger_entry e ON e.transaction_id = t.id
WHERE t.key LIKE 'surcharges/%' AND e.account = 'surcharge' {parties}
GROUP BY t.key
"""

# debtors whose surcharges may have to be recomputed: a contribution entry recorded (a payment imputed, a call, a
# correction — whatever its booking date), a contrainte/summons step or a service date a partner reported since a moment
_CHANGED_SQL = """
SELECT e.party_id FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
 WHERE e.account IN ('contribution', 'company_contribution') AND t.recorded_at >= :since
UNION SELECT party_id FROM recovery_step WHERE to_stage IN ('enforcement', 'court') AND created_at >= :since
UNION SELECT l.party_id FROM recovery_status_line l JOIN recovery_status_file f ON f.id = l.file_id
 WHERE l.served_on IS NOT NULL AND l.party_id IS NOT NULL AND f.created_at >= :since
"""


def _checked_since(url: str, as_of: dt.date) -> dt.datetime | None:
    """When the latest finished surcharges run for ``as_of`` or a later date started: every surcharge arising up
    to ``as_of`` was checked then against the ledger as it stood (``_correct``). None: never."""
    with engine_for(url).connect() as conn:
        rows = conn.execute(text("SELECT started_at, params FROM batch_run "
                                 "WHERE kind = 'surcharges' AND status = 'finished'")).all()
    out = None
    for started, params in rows:
        params = json.loads(params) if isinstance(params, str) else (params or {})
        if params.get("as_of", "") >= as_of.isoformat():
            started = started if isinstance(started, dt.datetime) else dt.datetime.fromisoformat(str(started))
            out = started if out is None or started > out else out
    return out


_CUTOFFS_SQL = """
SELECT st.party_id, COALESCE(
         (SELECT MIN(h.served_on) FROM recovery_handover_line h
           WHERE h.file_id = st.file_id AND h.cycle = st.cycle AND h.served_on IS NOT NULL
             AND h.stage = CASE WHEN st.to_stage = 'enforcement' THEN 'bailiff' ELSE 'court' END),
         st."on")
FROM recovery_step st WHERE st.to_stage IN ('enforcement', 'court')
"""


def _cutoffs(url: str) -> dict[int, list[dt.date]]:
    """Per debtor, the days a contrainte was served or a summons made. The day of service comes from the bailiff
    (or the lawyer) in a status file (``recovery_handover_line.served_on`` of the cycle, ``caisse recovery
    status-import``); until it is known, the recovery file's move to ``enforcement`` (or ``court``) stands for it:
    the bailiff serves after that step, so surcharges may stop a quarter early, never late (in the debtor's
    favour), and the next run after the service date is known charges what the exact date lets run."""
    with engine_for(url).connect() as conn:
        rows = conn.execute(text(_CUTOFFS_SQL)).all()
    out: dict[int, list[dt.date]] = {}
    for party, on in rows:
        out.setdefault(int(party), []).append(on if isinstance(on, dt.date) else dt.date.fromisoformat(str(on)))
    for days in out.values():
        days.sort()
    return out


def _stopped(served: list[dt.date], period: str, at: dt.date, due: dt.date | None = None) -> bool:
    """Addendum §4.2 (AR 19-12-1967 art. 44 as amended by RD 4-10-2005): the surcharge is charged for the last
    time at the end of the quarter preceding the quarter in which the contrainte is served (or the summons
    made) — for a contribution already due then (``due``: its due date, else read from the period)."""
    if due is None:
        due = quarter_end(dt.date(int(period[:4]), 3 * int(period[5]), 1)) if "Q" in period else dt.date(
            int(period), 12, 31)
    for day in served:
        if day > due:
            last = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1) - dt.timedelta(days=1)
            return at > last
    return False


def _correct(url: str, as_of: dt.date, computed: dict[str, tuple], summary: Summary) -> None:
    """Surcharges already charged that the payment history no longer supports, or supports for another amount —
    a payment credited on the fund's account before a quarter's end but received in a bank file after the
    surcharge was charged (the booking date counts, legislation §4.1) — get a correction of the difference
    (key ``<surcharge key>/correction/<as_of>``, ``corrects`` the surcharge). What is recomputed is the same
    art. 44 rule on the same history, so a correction is never a waiver (waivers are write-offs, decided)."""
    since = _checked_since(url, as_of)
    with engine_for(url).connect() as conn:
        if since is None:
            rows = conn.execute(text(_POSTED_SQL.format(parties=""))).all()
        else:   # only the debtors whose history changed since the last full check
            rows = conn.execute(text(_POSTED_SQL.format(parties=f"AND e.party_id IN ({_CHANGED_SQL})")).bindparams(
                bindparam("since", type_=DateTime)), {"since": since}).all()
    posted: dict[str, list] = {}
    for key, amount, party, period in rows:
        original = "/".join(key.split("/")[:4])
        slot = posted.setdefault(original, [0, party, period])
        slot[0] += int(amount)
    fixes = []
    for original, (amount_posted, party, period) in sorted(posted.items()):  # posted in key order, on every database
        at = dt.date.fromisoformat(original.split("/")[1])
        if at > as_of:   # charged by a run for a later date: this run did not compute it
            continue
        item = computed.get(original)
        due = item[3] if item else 0
        if due == amount_posted:
            continue
        why = (f"surcharge of {at.isoformat()} on {period} recomputed from the payments booked up to that day: "
               f"{fmt(due)} instead of {fmt(amount_posted)} (a payment in time reached the fund's books later)")
        rule = RULE if "Q" in period else _company_rule()
        fixes.append(charge_posting(f"{original}/correction/{as_of.isoformat()}", int(party), period, at, as_of,
                                    [DebtLine("surcharge", due - amount_posted, rule, "recomputed",
                                              {"text": why, "calc": {"posted": amount_posted, "due": due}})],
                                    description=f"Correction of a late-payment surcharge ({period})",
                                    reference=_reference(int(party), period), corrects=original))
    if fixes:
        post_many(url, fixes)
        total = sum(f.entries[0].amount_cents for f in fixes)
        summary.details["corrected"] = f"{len(fixes):,} surcharges, {fmt(total)} EUR"


def _company_rule() -> str:
    return load_params().parameter(COMPANY_RATE).law[:100]


_COMPANY_DUE_SQL = """
SELECT party_id, period, MIN(due_date) FROM ledger_entry
 WHERE account = 'company_contribution' AND amount_cents > 0 AND due_date <= :at
 GROUP BY party_id, period
"""


def month_starts(due: dt.date, as_of: dt.date) -> list[dt.date]:
    """The days a month of delay begins, up to ``as_of``: the day after the due date and the day after each monthly
    anniversary of it — exactly the days on which ``rules.company.months_begun`` counts one month more."""
    out, k = [], 0
    while True:
        day = add_months(due, k) + dt.timedelta(days=1)
        if day > as_of:
            return out
        if months_begun(due, day) > months_begun(due, day - dt.timedelta(days=1)):
            out.append(day)
        k += 1


def _company_items(url: str, as_of: dt.date, stops: dict[int, list[dt.date]], summary: Summary):
    """The 1 % per month begun on the company contribution (legislation.md §7), as (key, item) pairs, items shaped
    like the art. 44 ones: (party, period, base, amount, day the month begins, "monthly", parameter)."""
    with engine_for(url).connect() as conn:
        debts = conn.execute(text(_COMPANY_DUE_SQL).bindparams(bindparam("at", type_=Date)), {"at": as_of}).all()
    due_of = {(int(p), per): (d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d))) for p, per, d in debts}
    rate_of: dict[dt.date, object] = {}
    unknown: list[int] = []
    starts: dict[dt.date, set[dt.date]] = {}  # day a month begins -> due dates for which it begins one
    for (party, _period), due in due_of.items():
        if due not in rate_of:
            try:
                rate_of[due] = load_params().get(COMPANY_RATE, due)
            except UnknownParameter:
                rate_of[due] = None
        if rate_of[due] is None:
            unknown.append(party)
            continue
        for day in month_starts(due, as_of):
            starts.setdefault(day, set()).add(due)
    summary.anomaly(f"UnknownParameter: {COMPANY_RATE} (company contribution late-payment rate) not known on the "
                    "due date: no surcharge charged", sorted(set(unknown)))
    status = {due: (f"{v.status.upper()}, {', '.join(x.tag for x in v.sources)}") for due, v in rate_of.items() if v}
    running: dict[tuple[int, str], int] = {}  # sum of the bases so far, per debt (× rate, rounded at the end)
    out = []
    for day in sorted(starts):
        party, period, base, _ = _unpaid(url, day - dt.timedelta(days=1), "company_contribution")
        for i in np.flatnonzero(base > 0).tolist():
            debt = (int(party[i]), period[i])
            due = due_of.get(debt)
            if due not in starts[day] or rate_of.get(due) is None:
                continue
            rate_v = rate_of[due]
            rate = Fraction(rate_v.value)
            before = running.get(debt, 0)
            running[debt] = before + int(base[i])
            amount = int(_half_up(np.array([running[debt]]), rate)[0] - _half_up(np.array([before]), rate)[0])
            if amount <= 0 or (debt[0] in stops and _stopped(stops[debt[0]], debt[1], day, due)):
                continue
            param = f"{rate_v.name}@{rate_v.start.isoformat()}"
            out.append((f"surcharges/{day.isoformat()}/{debt[0]}/{debt[1]}",
                        (debt[0], debt[1], int(base[i]), amount, day, "monthly", param, status[due], due)))
    return out


def _company_posting(key: str, item: tuple):
    party, period, base, amount, day, _kind, param, status, due = item
    n = months_begun(due, day)
    expl = {"text": f"surcharge 1 % per month of delay of the company contribution {period} (due {due.isoformat()}): "
                    f"month {n} begun on {day.isoformat()}, {fmt(base)} unpaid the day before: {fmt(amount)} "
                    f"(rate {param}, {status}; legislation.md §7 says \"per month\": counted per month begun, the "
                    "reading of the simulator)",
            "calc": {"kind": "monthly", "base": base, "arising": day.isoformat(), "period": period,
                     "due": due.isoformat(), "month": n, "status": status.split(",")[0]}}
    return charge_posting(key, party, period, day, day, [DebtLine("surcharge", amount, _company_rule(), param, expl)],
                          description=f"Late-payment surcharge 1 % per month, company contribution {period}",
                          reference=_reference(party, period))


def run(url: str, as_of: dt.date, *, progress: Progress | None = None) -> Summary:
    if not isinstance(as_of, dt.date):
        raise InvalidInput("as_of", "a date is required (YYYY-MM-DD)")
    key = f"surcharges/{as_of.isoformat()}"

    def body(_p: dict, summary: Summary) -> None:
        with engine_for(url).connect() as conn:
            first = conn.execute(text("SELECT MIN(due_date) FROM ledger_entry WHERE account = 'contribution' "
                                      "AND amount_cents > 0")).scalar()
        if first is not None:
            first = first if isinstance(first, dt.date) else dt.date.fromisoformat(str(first))
        posted_keys = existing_keys(url, "ledger_transaction", "surcharges/")
        keys: list[str] = []
        items: list[tuple] = []  # party, period, base, amount, date, kind, param (+ status, due date: company)
        debtors: set[int] = set()
        last_surcharge = _cutoffs(url)
        for at, kind in arising_dates(first, as_of) if first is not None else []:
            if kind == "quarterly":
                party, period, base, _ = _unpaid(url, at)
                rate_v = _rate("late_surcharge_quarterly_rate", at)
            else:
                party, period, _, base = _unpaid(url, at - dt.timedelta(days=1))
                rate_v = _rate("late_surcharge_annual_rate", at)
            sel = np.flatnonzero(base > 0)
            amount = _half_up(base[sel], Fraction(rate_v.value))
            param = f"{rate_v.name}@{rate_v.start.isoformat()}"
            for j, i in enumerate(sel.tolist()):
                if amount[j] <= 0:
                    continue
                if int(party[i]) in last_surcharge and _stopped(last_surcharge[int(party[i])], period[i], at):
                    continue
                keys.append(f"surcharges/{at.isoformat()}/{int(party[i])}/{period[i]}")
                items.append((int(party[i]), period[i], int(base[i]), int(amount[j]), at, kind, param))
                debtors.add(int(party[i]))
        for k, item in _company_items(url, as_of, last_surcharge, summary):
            keys.append(k)
            items.append(item)
            debtors.add(item[0])
        if not items and first is None:
            return
        summary.debtors = len(debtors)
        summary.amount_cents = sum(it[3] for it in items)
        summary.details["3 % surcharges"] = sum(1 for it in items if it[5] == "quarterly")
        summary.details["7 % surcharges"] = sum(1 for it in items if it[5] == "annual")
        summary.details["1 % per month (company contribution)"] = sum(1 for it in items if it[5] == "monthly")
        summary.details["new this run"] = sum(1 for k in keys if k not in posted_keys)

        def postings(idx: np.ndarray):
            out = []
            for j in idx.tolist():
                party, period, base, amount, at, kind, param = items[j][:7]
                if kind == "monthly":
                    out.append(_company_posting(keys[j], items[j]))
                    continue
                rate = "3 %" if kind == "quarterly" else "7 %"
                when = (f"unpaid at the end of the quarter ({at.isoformat()})" if kind == "quarterly" else
                        f"claimed in {at.year - 1} and unpaid on 31 December (7 % once, {at.isoformat()})")
                expl = {"text": f"surcharge {rate} of the contribution {period} {fmt(base)} {when}: {fmt(amount)}",
                        "calc": {"kind": kind, "base": base, "arising": at.isoformat(), "period": period}}
                out.append(charge_posting(keys[j], party, period, at, at,
                                          [DebtLine("surcharge", amount, RULE, param, expl)],
                                          description=f"Late-payment surcharge {rate} ({period})",
                                          reference=_reference(party, period)))
            return out

        write_chunks(url, len(items), postings, None, posted_keys=posted_keys, notice_keys=set(), keys=keys,
                     summary=summary, progress=progress)
        _correct(url, as_of, {k: it for k, it in zip(keys, items, strict=True)}, summary)
        set_off(url, as_of, key).report(summary)

    return run_batch(url, key, "surcharges", {"as_of": as_of.isoformat()}, body)
