"""Prescription of debts (AR n° 38 art. 16 §2), read set-based from what the fund already records.

``debts(conn, as_of, horizon)`` — one SQL statement: every open debt (debtor, kind of ledger debt, period) booked on
or before ``as_of`` whose period is old enough to prescribe by ``horizon``, with the latest due date of its period's
principal, whether it holds a regularisation supplement, the debtor's first affiliation year, the last act that
interrupted it and whether proceedings (contrainte, bailiff, court) are running. Then ``rules.prescription.clocks``
computes every date at once (numpy). No query per debtor.

Acts that interrupt (and where they are read):

* a **payment** by the debtor (ledger: payment/assignment to the debtor's credit, not taken back) — every debt
  open that day, or only the debts it was imputed to (``prescription_payment_interrupts_every_open_debt``);
* an **acknowledgement**: a payment plan asked (``payment_plan.requested_on``, or a ``payment_plan`` request in the
  portal) or granted (``activated_on``) — every debt of the debtor open that day;
* the **formal notice** (registered letter, art. 46), the **enforcement order** (contrainte), the hand-over to the
  bailiff, the **summons** (stage ``court``): ``recovery_step`` — every debt open that day;
* acts recorded by hand or by a **joint call** (``prescription_interruption``): a signed acknowledgement, a summons
  or a contrainte against a jointly liable party, the registered letter calling a company for its director's
  debt — the debts named (or every debt of the debtor open that day when no period is named).

"Open that day" is read as "booked on or before that day" (the later of the readings: an act never misses a debt).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, Date, bindparam, text

from caisse.ledger.models import PRINCIPAL, RECEIVABLE
from caisse.rules.prescription import PrescriptionPolicy, clocks

_IN = lambda values: ", ".join(f"'{v}'" for v in values)  # noqa: E731
PROCEEDINGS = ("enforcement", "bailiff", "court")

_SQL = f"""
WITH debt AS (
    SELECT e.party_id, e.account, e.period, SUM(e.amount_cents) AS open_cents, MIN(t.booked_on) AS first_booked
    FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
    WHERE e.account IN ({_IN(RECEIVABLE)}) AND t.booked_on <= :at AND substr(e.period, 1, 4) <= :max_year
      {{party}}
    GROUP BY e.party_id, e.account, e.period
    HAVING SUM(e.amount_cents) > 0
),
principal AS (
    SELECT e.party_id, e.period, MAX(e.due_date) AS due,
           MAX(CASE WHEN t.kind = 'regularisation' THEN 1 ELSE 0 END) AS reg
    FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
    WHERE e.account IN ({_IN(PRINCIPAL)}) AND e.amount_cents > 0 AND t.kind IN ('charge', 'regularisation')
      AND t.booked_on <= :at AND e.party_id IN (SELECT party_id FROM debt)
    GROUP BY e.party_id, e.period
),
wide AS (
    SELECT party_id, "on" AS on_, to_stage AS kind FROM recovery_step
     WHERE event = 'stage' AND to_stage IN ('formal_notice', 'enforcement', 'bailiff', 'court') AND "on" <= :at
    UNION ALL SELECT party_id, requested_on, 'plan asked' FROM payment_plan WHERE requested_on <= :at
    UNION ALL SELECT party_id, activated_on, 'plan granted' FROM payment_plan
     WHERE activated_on IS NOT NULL AND activated_on <= :at
    UNION ALL SELECT party_id, opened_on, 'plan asked' FROM "case"
     WHERE kind = 'payment_plan' AND party_id IS NOT NULL AND opened_on <= :at
    UNION ALL SELECT party_id, "on", kind FROM prescription_interruption WHERE period IS NULL AND "on" <= :at
    {{wide_payments}}
),
specific AS (
    SELECT party_id, account, period, "on" AS on_, kind FROM prescription_interruption
     WHERE period IS NOT NULL AND "on" <= :at
    {{specific_payments}}
),
last_wide AS (
    SELECT d.party_id, d.account, d.period,
           MAX(CAST(w.on_ AS VARCHAR(10)) || ' ' || w.kind) AS last
    FROM debt d JOIN wide w ON w.party_id = d.party_id AND w.on_ >= d.first_booked
    GROUP BY d.party_id, d.account, d.period
),
last_specific AS (
    SELECT d.party_id, d.account, d.period,
           MAX(CAST(s.on_ AS VARCHAR(10)) || ' ' || s.kind) AS last
    FROM debt d JOIN specific s ON s.party_id = d.party_id AND s.period = d.period
                               AND (s.account IS NULL OR s.account = d.account)
    GROUP BY d.party_id, d.account, d.period
),
starter AS (
    SELECT person_id, MIN(start_date) AS start FROM affiliation
     WHERE person_id IN (SELECT party_id FROM debt) GROUP BY person_id
)
SELECT d.party_id, d.account, d.period, d.open_cents, p.due, COALESCE(p.reg, 0), st.start,
       lw.last, ls.last, f.stage
FROM debt d
LEFT JOIN principal p ON p.party_id = d.party_id AND p.period = d.period
LEFT JOIN last_wide lw ON lw.party_id = d.party_id AND lw.account = d.account AND lw.period = d.period
LEFT JOIN last_specific ls ON ls.party_id = d.party_id AND ls.account = d.account AND ls.period = d.period
LEFT JOIN starter st ON st.person_id = d.party_id
LEFT JOIN recovery_file f ON f.party_id = d.party_id
ORDER BY d.party_id, d.period, d.account
"""

_WIDE_PAYMENTS = """
    UNION ALL SELECT e.party_id, t.booked_on, 'payment'
      FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
     WHERE t.kind IN ('payment', 'assignment') AND e.account = 'credit' AND e.amount_cents < 0
       AND t.booked_on <= :at AND NOT EXISTS (SELECT 1 FROM ledger_transaction r WHERE r.corrects_id = t.id)"""
_SPECIFIC_PAYMENTS = f"""
    UNION ALL SELECT e.party_id, e.account, e.period, t.booked_on, 'payment'
      FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
     WHERE t.kind = 'imputation' AND e.account IN ({_IN(RECEIVABLE)}) AND e.amount_cents < 0 AND t.booked_on <= :at
       AND NOT EXISTS (SELECT 1 FROM ledger_transaction r WHERE r.corrects_id = t.id)"""


@dataclass
class Debts:
    """Open debts old enough to prescribe by the horizon, with their clock (parallel arrays)."""

    party: np.ndarray  # int64
    account: np.ndarray  # object (str)
    period: np.ndarray  # object (str)
    open_cents: np.ndarray  # int64
    legal_start: np.ndarray  # datetime64[D]
    prescribed_on: np.ndarray  # datetime64[D]
    last_interruption: np.ndarray  # datetime64[D], NaT when none
    last_kind: np.ndarray  # object: what the last act was ("" when none)
    proceedings: np.ndarray  # bool: a contrainte, the bailiff or a court case runs on the debtor's file

    def __len__(self) -> int:
        return len(self.party)


def _day(v):
    if v is None:
        return None
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


def debts(conn: Connection, as_of: dt.date, p: PrescriptionPolicy, *, horizon: dt.date | None = None,
          party_id: int | None = None) -> Debts:
    """Every open debt (booked on or before ``as_of``) that can be prescribed on ``horizon`` (default ``as_of``)
    at the earliest, with its clock. A debt cannot prescribe before 1 January of its period's year + 6: younger
    periods are left out in SQL."""
    horizon = horizon or as_of
    sql = _SQL.replace("{party}", "AND e.party_id = :party" if party_id is not None else "")
    sql = sql.replace("{wide_payments}", _WIDE_PAYMENTS if p.payment_interrupts_every_open_debt else "")
    sql = sql.replace("{specific_payments}", "" if p.payment_interrupts_every_open_debt else _SPECIFIC_PAYMENTS)
    stmt = text(sql).bindparams(bindparam("at", type_=Date))
    params: dict = {"at": as_of, "max_year": f"{horizon.year - 1 - p.years:04d}"}
    if party_id is not None:
        params["party"] = party_id
    rows = conn.execute(stmt, params).all()
    n = len(rows)
    last_text = [max((x for x in (r[7], r[8]) if x), default=None) for r in rows]
    last = np.array([_day(x[:10]) if x else None for x in last_text], dtype="datetime64[D]") if n else \
        np.zeros(0, "datetime64[D]")
    start, _runs, prescribed = clocks(
        np.array([int(r[2][:4]) for r in rows], np.int64),
        np.array([_day(r[4]) for r in rows], dtype="datetime64[D]") if n else np.zeros(0, "datetime64[D]"),
        np.array([bool(r[5]) for r in rows], bool),
        np.array([_day(r[6]).year if r[6] is not None else 0 for r in rows], np.int64),
        last, p)
    return Debts(
        party=np.array([int(r[0]) for r in rows], np.int64),
        account=np.array([r[1] for r in rows], dtype=object),
        period=np.array([r[2] for r in rows], dtype=object),
        open_cents=np.array([int(r[3]) for r in rows], np.int64),
        legal_start=start, prescribed_on=prescribed, last_interruption=last,
        last_kind=np.array([x[11:] if x else "" for x in last_text], dtype=object),
        proceedings=np.array([r[9] in PROCEEDINGS for r in rows], bool))


def _iso(d) -> str | None:
    return None if np.isnat(d) else str(d)


def report(url: str, as_of: dt.date, within_days: int = 90) -> dict:
    """Debts prescribed by ``as_of + within_days`` (the ones already prescribed first flagged so): debtor, period,
    kind, open amount, prescription date, last interruption. Set-based (``debts``)."""
    from caisse.store.db import engine_for

    with engine_for(url).connect() as conn:
        return report_on(conn, as_of, within_days)


def report_on(conn: Connection, as_of: dt.date, within_days: int = 90) -> dict:
    """The same report on an open connection (the desk's recovery overview runs it in its session)."""
    from caisse.errors import InvalidInput
    from caisse.money import fmt
    from caisse.rules.prescription import check_as_of, policy

    check_as_of(as_of)
    if isinstance(within_days, bool) or not isinstance(within_days, int) or not 0 <= within_days <= 3660:
        raise InvalidInput("within_days", f"0 to 3660 days, got {within_days!r}")
    p = policy(as_of)
    horizon = as_of + dt.timedelta(days=within_days)
    d = debts(conn, as_of, p, horizon=horizon)
    keep = np.flatnonzero(d.prescribed_on <= np.datetime64(horizon))
    keep = keep[np.lexsort((d.party[keep], d.prescribed_on[keep]))]
    at = np.datetime64(as_of)
    rows = [{"debtor": int(d.party[i]), "period": str(d.period[i]), "kind": str(d.account[i]),
             "open": fmt(int(d.open_cents[i])), "open_cents": int(d.open_cents[i]),
             "legal_start": str(d.legal_start[i]), "prescription_date": str(d.prescribed_on[i]),
             "last_interruption": _iso(d.last_interruption[i]),
             "last_interruption_kind": d.last_kind[i] or None,
             "status": ("proceedings running: not written off" if d.proceedings[i] and p.hold_while_proceedings
                        else "prescribed" if d.prescribed_on[i] <= at else "prescribes soon")} for i in keep]
    return {"as_of": as_of.isoformat(), "within_days": within_days, "horizon": horizon.isoformat(),
            "rule": "AR n° 38 art. 16 §2", "parameters": sorted(p.sources.values()),
            "debts": len(rows), "amount": fmt(sum(r["open_cents"] for r in rows)), "rows": rows}


def lines(rep: dict) -> list[str]:
    out = [f"Debts prescribed by {rep['horizon']} (as of {rep['as_of']}, {rep['rule']}): {rep['debts']} debts, "
           f"{rep['amount']} EUR",
           f"{'debtor':>8}  {'period':<7} {'kind':<21} {'open':>12}  {'prescribed on':<13} {'last interruption':<30} "
           "status"]
    for r in rep["rows"]:
        last = f"{r['last_interruption']} {r['last_interruption_kind']}" if r["last_interruption"] else "none"
        out.append(f"{r['debtor']:>8}  {r['period']:<7} {r['kind']:<21} {r['open']:>12}  {r['prescription_date']:<13} "
                   f"{last:<30} {r['status']}")
    return out
