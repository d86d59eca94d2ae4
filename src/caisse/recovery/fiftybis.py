"""Art. 50bis §1 AR 19-12-1967 (addendum 2026-11 §6.3, executing AR n° 38 art. 15 §5): the fund **may renounce**
recovery of a claim under ``recovery_renounce_below`` (500 EUR) on a person **no longer subject**; when non-payment
affects pension rights, it must **inform the person before** treating the claim as irrecoverable.

* ``subject``: the debtors still subject on a day (a person with a running affiliation, a company not ended) — read
  by the recovery batch and by the write-off check below.
* ``pension_quarters``: the quarters whose contribution is due and unpaid (not the fee, not a surcharge): they would
  not count for the pension unless paid.
* ``check_write_off``: a write-off under rule 50bis is refused (the field named) unless, on the day, the person is no
  longer subject, everything owed is under the threshold, and — when pension quarters are unpaid — the information
  letter (recovery step ``fiftybis``, sent once by ``caisse run recovery``) went out on an earlier day. No waiting
  period after the letter: none of the policy parameters fits (the reminder/statement/formal-notice delays and the
  month to contest are about other letters), and the law only says "before" — so the letter must be dated before
  the write-off's day, nothing more.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Date, bindparam, select, text
from sqlalchemy.orm import Session

from caisse.errors import InvalidInput
from caisse.money import fmt
from caisse.recovery.arrears import open_by_period_of

RULE = "AR 19-12-1967 art. 50bis §1"
_50BIS = re.compile(r"50\s*bis", re.IGNORECASE)


def is_fiftybis(rule: str) -> bool:
    """Does the rule text a write-off invokes name art. 50bis?"""
    return bool(_50BIS.search(rule or ""))


def subject(conn, at: dt.date, party_id: int | None = None) -> set[int]:
    """Debtors still subject on ``at``: a person with a running affiliation, a company not ended."""
    one = "" if party_id is None else " AND {col} = :party"
    stmt = text(f"""
        SELECT person_id FROM affiliation
         WHERE status IN ('affiliated', 'ceased') AND start_date <= :at AND (end_date IS NULL OR end_date >= :at)
               {one.format(col="person_id")}
        UNION SELECT id FROM company
         WHERE affiliation_start <= :at AND (affiliation_end IS NULL OR affiliation_end >= :at)
               {one.format(col="id")}
    """).bindparams(bindparam("at", type_=Date))
    return set(conn.execute(stmt, {"at": at, **({} if party_id is None else {"party": party_id})}).scalars())


_OPEN_QUARTERS = """
SELECT e.party_id, e.period
FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
WHERE e.account = 'contribution' AND t.booked_on <= :at AND e.party_id IN :parties
GROUP BY e.party_id, e.period
HAVING SUM(e.amount_cents) - SUM(CASE WHEN e.amount_cents > 0 AND e.due_date > :at THEN e.amount_cents ELSE 0 END) > 0
"""


def pension_quarters(conn, at: dt.date, party_ids: list[int]) -> dict[int, list[str]]:
    """Per debtor, the quarters whose **contribution** (not the management fee, not a surcharge) is due and unpaid on
    ``at``: they would not count for the pension unless paid."""
    if not party_ids:
        return {}
    stmt = text(_OPEN_QUARTERS).bindparams(bindparam("at", type_=Date), bindparam("parties", expanding=True))
    out: dict[int, list[str]] = {}
    for party, period in conn.execute(stmt, {"at": at, "parties": list(party_ids)}):
        if "Q" in period:
            out.setdefault(int(party), []).append(period)
    return {party: sorted(qs) for party, qs in out.items()}


def check_write_off(session: Session, party_id: int, today: dt.date) -> None:
    from caisse.recovery.models import RecoveryStep
    from caisse.recovery.policy import policy

    conn = session.connection()
    if party_id in subject(conn, today, party_id):
        raise InvalidInput("rule", "art. 50bis: file {party} is still subject to the social status on {day}: the "
                                   "fund may renounce only a claim on a person no longer subject",
                           party=party_id, day=today.isoformat())
    lines = open_by_period_of(conn, today, [party_id]).get(party_id, [])
    owed = sum(p + a for _per, p, a in lines)
    threshold = policy(today).renounce_below_cents
    if owed >= threshold:
        raise InvalidInput("amount", "art. 50bis: {owed} EUR is owed, not under {threshold} EUR",
                           owed=fmt(owed), threshold=fmt(threshold))
    quarters = pension_quarters(conn, today, [party_id]).get(party_id, [])
    if quarters:
        sent = session.scalar(select(RecoveryStep.on).where(
            RecoveryStep.party_id == party_id, RecoveryStep.event == "fiftybis", RecoveryStep.on < today)
            .order_by(RecoveryStep.on).limit(1))
        if sent is None:
            raise InvalidInput("rule", "art. 50bis: the unpaid quarters {quarters} concern the pension: the person "
                                       "must be informed first (the letter of caisse run recovery), on an earlier day",
                               quarters=", ".join(quarters))
