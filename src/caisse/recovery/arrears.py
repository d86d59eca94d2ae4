"""What each debtor owes and since when, from the ledger, set-based (one GROUP BY, then numpy).

``arrears(conn, as_of)`` reads every receivable entry booked on or before ``as_of`` grouped by (debtor, period,
principal or accessory) and returns, per debtor with something open and due:

* ``principal`` — contributions, company contribution and management fee due on or before ``as_of`` and unpaid;
* ``total`` — everything due and unpaid (principal + surcharges + costs): what a letter asks;
* ``oldest_due`` — the earliest due date among the periods whose principal is still open.

The view is the end of the day ``as_of``: payments booked that day count, and a charge whose due date is
``as_of`` is due (a payment on the due date is in time, but once the day is over unpaid is late). A charge
falling due after ``as_of`` (the quarter just called, a regularisation supplement due later) is not due yet —
the same cut as the surcharges batch (``due_date > at``: not due) and the imputation
(``ledger.queries.split_not_yet_due``). A period's balance is clipped at zero (a period lowered below what
was paid is the ledger's credit, not a negative arrear).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, Date, bindparam, text

from caisse.ledger.models import PRINCIPAL, RECEIVABLE

_SQL = f"""
SELECT e.party_id, e.period,
       CASE WHEN e.account IN ({", ".join(f"'{a}'" for a in PRINCIPAL)}) THEN 1 ELSE 0 END AS principal,
       SUM(e.amount_cents) AS balance,
       SUM(CASE WHEN e.amount_cents > 0 AND e.due_date > :at THEN e.amount_cents ELSE 0 END) AS not_due,
       MIN(CASE WHEN e.amount_cents > 0 AND e.due_date <= :at THEN e.due_date END) AS first_due
FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
WHERE e.account IN ({", ".join(f"'{a}'" for a in RECEIVABLE)}) AND t.booked_on <= :at {{party}}
GROUP BY e.party_id, e.period, CASE WHEN e.account IN ({", ".join(f"'{a}'" for a in PRINCIPAL)}) THEN 1 ELSE 0 END
HAVING SUM(e.amount_cents) > 0
"""


@dataclass
class Arrears:
    party: np.ndarray  # int64, sorted
    principal: np.ndarray  # cents due and unpaid (principal)
    total: np.ndarray  # cents due and unpaid (everything)
    oldest_due: np.ndarray  # proleptic ordinal of the oldest open principal due date (0 when none)

    def of(self, party_id: int) -> tuple[int, int]:
        i = np.searchsorted(self.party, party_id)
        if i < len(self.party) and self.party[i] == party_id:
            return int(self.principal[i]), int(self.total[i])
        return 0, 0


def _date(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


def arrears(conn: Connection, as_of: dt.date, party_id: int | None = None) -> Arrears:
    sql = _SQL.replace("{party}", "AND e.party_id = :party" if party_id is not None else "")
    stmt = text(sql).bindparams(bindparam("at", type_=Date))
    params: dict = {"at": as_of}
    if party_id is not None:
        params["party"] = party_id
    rows = conn.execute(stmt, params).all()
    if not rows:
        z = np.zeros(0, np.int64)
        return Arrears(z, z, z, z)
    party = np.array([r[0] for r in rows], np.int64)
    is_principal = np.array([r[2] for r in rows], bool)
    due = np.maximum(np.array([int(r[3]) - int(r[4]) for r in rows], np.int64), 0)
    first = np.array([_date(r[5]).toordinal() if r[5] is not None else 0 for r in rows], np.int64)
    parties, inverse = np.unique(party, return_inverse=True)
    total = np.bincount(inverse, weights=due, minlength=len(parties)).astype(np.int64)
    principal = np.bincount(inverse, weights=np.where(is_principal, due, 0), minlength=len(parties)).astype(np.int64)
    big = np.iinfo(np.int64).max
    oldest = np.full(len(parties), big, np.int64)
    np.minimum.at(oldest, inverse, np.where(is_principal & (due > 0) & (first > 0), first, big))
    oldest[oldest == big] = 0
    keep = total > 0
    return Arrears(parties[keep], principal[keep], total[keep], oldest[keep])


def open_by_period(conn: Connection, as_of: dt.date, party_id: int) -> list[tuple[str, int, int]]:
    """(period, principal due, accessories due) of one debtor, oldest first: the lines of a letter."""
    return open_by_period_of(conn, as_of, [party_id]).get(party_id, [])


def open_by_period_of(conn: Connection, as_of: dt.date, party_ids: list[int]) -> dict[int, list[tuple[str, int, int]]]:
    """``open_by_period`` of many debtors in one query (a hand-over file, a batch)."""
    if not party_ids:
        return {}
    stmt = text(_SQL.replace("{party}", "AND e.party_id IN :parties")).bindparams(
        bindparam("at", type_=Date), bindparam("parties", expanding=True))
    out: dict[int, dict[str, list[int]]] = {}
    for r in conn.execute(stmt, {"at": as_of, "parties": list(party_ids)}).all():
        due = max(int(r[3]) - int(r[4]), 0)
        if due:
            out.setdefault(int(r[0]), {}).setdefault(r[1], [0, 0])[0 if r[2] else 1] += due
    return {party: [(p, v[0], v[1]) for p, v in sorted(periods.items(), key=lambda kv: (kv[0][:4], kv[0]))]
            for party, periods in out.items()}


def received(conn: Connection, party_ids: list[int], since: dict[int, dt.date], as_of: dt.date) -> dict[int, int]:
    """Money received from each debtor (payments and assigned payments, net of returns) booked from
    ``since[party]`` to ``as_of`` inclusive."""
    if not party_ids:
        return {}
    start = min(since.values())
    stmt = text("""
        SELECT e.party_id, t.booked_on, -SUM(e.amount_cents)
        FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
        WHERE e.account = 'credit' AND t.kind IN ('payment', 'assignment')
          AND t.booked_on >= :start AND t.booked_on <= :at AND e.party_id IN :parties
        GROUP BY e.party_id, t.booked_on""").bindparams(bindparam("start", type_=Date), bindparam("at", type_=Date),
                                                        bindparam("parties", expanding=True))
    out = dict.fromkeys(party_ids, 0)
    for party, booked, cents in conn.execute(stmt, {"start": start, "at": as_of, "parties": list(party_ids)}):
        if _date(booked) >= since[party]:
            out[party] += int(cents)
    return out
