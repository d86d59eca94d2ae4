"""Late-payment surcharges (majorations / verhogingen, art. 44 AR 19-12-1967): ``caisse run surcharges --as-of D``.

Posts every surcharge that arose on or before ``as_of``, from the ledger's payment history, set-based (one
GROUP BY over the entries per date of arising):

* **3 %** at the end of every quarter (E ≤ as_of) on the contributions already due on E and still unpaid at
  the end of E — first at the due date's quarter end, then every following quarter end while unpaid;
* **7 % once** on 1 January of Y+1 on the contributions first claimed (= due) in year Y and unpaid on 31/12/Y.

The base is the ``contribution`` account only: never surcharges (art. 44: "never on surcharges"), nor the
fund's management fee (a fee, not a contribution: the circulars' example is 3 % of 871.71, the fee-free 2025
minimum), nor the company contribution (its own 1 % per month regime, not built here). Payments count on
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
"""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

import numpy as np
from sqlalchemy import Date, DateTime, bindparam, text

from caisse.batches.framework import Progress, Summary, existing_keys, run_batch, write_chunks
from caisse.batches.set_off import set_off
from caisse.errors import InvalidInput
from caisse.ledger import DebtLine, charge_posting, post_many
from caisse.money import fmt
from caisse.references import for_company_contribution, for_quarter
from caisse.rules.contributions import quarter_end
from caisse.rules.params import load as load_params
from caisse.store.db import engine_for

RULE = "AR 19-12-1967 art. 44 §1"

_UNPAID_SQL = """
SELECT e.party_id, e.period,
       SUM(e.amount_cents) AS balance,
       SUM(CASE WHEN e.amount_cents > 0 AND e.due_date > :at THEN e.amount_cents ELSE 0 END) AS not_due,
       SUM(CASE WHEN e.amount_cents > 0 AND e.due_date >= :year_start AND e.due_date <= :at
                THEN e.amount_cents ELSE 0 END) AS due_this_year
FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
WHERE e.account = 'contribution' AND t.booked_on <= :at
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


def _unpaid(url: str, at: dt.date) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """(party, period, unpaid and due at the end of ``at``, of which first claimed in ``at``'s year)."""
    stmt = text(_UNPAID_SQL).bindparams(bindparam("at", type_=Date), bindparam("year_start", type_=Date))
    with engine_for(url).connect() as conn:
        rows = conn.execute(stmt, {"at": at, "year_start": dt.date(at.year, 1, 1)}).all()
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
 WHERE e.account = 'contribution' AND t.recorded_at >= :since
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


def _stopped(served: list[dt.date], period: str, at: dt.date) -> bool:
    """Addendum §4.2 (AR 19-12-1967 art. 44 as amended by RD 4-10-2005): the surcharge is charged for the last
    time at the end of the quarter preceding the quarter in which the contrainte is served (or the summons
    made) — for a contribution already due then."""
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
    for original, (amount_posted, party, period) in posted.items():
        at = dt.date.fromisoformat(original.split("/")[1])
        if at > as_of:   # charged by a run for a later date: this run did not compute it
            continue
        item = computed.get(original)
        due = item[3] if item else 0
        if due == amount_posted:
            continue
        why = (f"surcharge of {at.isoformat()} on {period} recomputed from the payments booked up to that day: "
               f"{fmt(due)} instead of {fmt(amount_posted)} (a payment in time reached the fund's books later)")
        fixes.append(charge_posting(f"{original}/correction/{as_of.isoformat()}", int(party), period, at, as_of,
                                    [DebtLine("surcharge", due - amount_posted, RULE, "recomputed",
                                              {"text": why, "calc": {"posted": amount_posted, "due": due}})],
                                    description=f"Correction of a late-payment surcharge ({period})",
                                    reference=_reference(int(party), period), corrects=original))
    if fixes:
        post_many(url, fixes)
        total = sum(f.entries[0].amount_cents for f in fixes)
        summary.details["corrected"] = f"{len(fixes):,} surcharges, {fmt(total)} EUR"


def run(url: str, as_of: dt.date, *, progress: Progress | None = None) -> Summary:
    if not isinstance(as_of, dt.date):
        raise InvalidInput("as_of", "a date is required (YYYY-MM-DD)")
    key = f"surcharges/{as_of.isoformat()}"

    def body(_p: dict, summary: Summary) -> None:
        with engine_for(url).connect() as conn:
            first = conn.execute(text("SELECT MIN(due_date) FROM ledger_entry WHERE account = 'contribution' "
                                      "AND amount_cents > 0")).scalar()
        if first is None:
            return
        first = first if isinstance(first, dt.date) else dt.date.fromisoformat(str(first))
        posted_keys = existing_keys(url, "ledger_transaction", "surcharges/")
        keys: list[str] = []
        items: list[tuple[int, str, int, int, dt.date, str, str]] = []  # party, period, base, amount, date, kind, param
        debtors: set[int] = set()
        last_surcharge = _cutoffs(url)
        for at, kind in arising_dates(first, as_of):
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
        summary.debtors = len(debtors)
        summary.amount_cents = sum(it[3] for it in items)
        summary.details["3 % surcharges"] = sum(1 for it in items if it[5] == "quarterly")
        summary.details["7 % surcharges"] = sum(1 for it in items if it[5] == "annual")
        summary.details["new this run"] = sum(1 for k in keys if k not in posted_keys)

        def postings(idx: np.ndarray):
            out = []
            for j in idx.tolist():
                party, period, base, amount, at, kind, param = items[j]
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
