"""Set-off (compensation / verrekening) of the money a debtor already has at the fund against his open items.

A payment is imputed when it arrives; what is left stays on the debtor's ``credit`` (an overpayment, a quarter
paid twice, a regularisation that lowered a debt already paid). When a batch then posts a new debt — the next
quarterly call, the company contribution, a regularisation supplement, a surcharge — that credit must settle
it at once: otherwise the fund would call, and charge surcharges on, money it already holds (legislation
addendum §6.2; Civil Code Book 5 on set-off of reciprocal debts). Every batch that posts debts ends with
``set_off``, in the imputation order of the ledger (``caisse.ledger.imputation``: what is due before what falls
due later, oldest period first, principal first).

Set-based and all-or-nothing: the debtors holding credit are found by one aggregate, their balances read in one
query, the imputations computed in memory (``imputation_entries``, the same function a payment uses) and
inserted in one transaction under the money lock shared with the bank imports, so a payment being imported at
the same moment cannot spend the same credit twice. Booked on the batch's date, or on the day the money arrived
when that is later (a batch dated in the past never spends money received after its date). Keys
``set-off/<batch key>/<party>``; a rerun finds nothing left to set off (or the key already posted) and posts
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy.orm import Session

from caisse.collection.coda_import import LOCK, debtor_balances, pending_by_debtor
from caisse.collection.db import begin_write, select_in
from caisse.ledger import (
    Balance,
    ImputationPolicy,
    imputation_entries,
    imputation_posting,
    insert_postings,
    policy_named,
)
from caisse.ledger.models import RECEIVABLE
from caisse.money import fmt
from caisse.store.db import engine_for

_CREDIT_HOLDERS = ("SELECT party_id FROM ledger_entry WHERE account = 'credit' AND party_id IS NOT NULL "
                   "GROUP BY party_id HAVING SUM(amount_cents) < 0")


class SetOffResult(NamedTuple):
    debtors: int  # debtors whose credit settled something
    amount_cents: int  # credit used on open items

    def report(self, summary) -> None:
        """One line in a batch's summary."""
        if self.debtors:
            summary.details["set off"] = f"{self.debtors:,} debtors, {fmt(self.amount_cents)} EUR of their credit"


def set_off(url: str, booked_on: dt.date, batch_key: str, *, parties: Iterable[int] = (),
            policy: ImputationPolicy | None = None) -> SetOffResult:
    """Apply every debtor's credit to his open items as of ``booked_on``. ``parties``: debtors to look at besides
    those holding credit (a regularisation that lowered a debt releases it to credit in the same imputation)."""
    policy = policy or policy_named()
    engine = engine_for(url)
    prefix = f"set-off/{batch_key}/"
    with Session(engine) as session, session.begin():
        conn = session.connection()
        begin_write(conn, LOCK)
        candidates = {int(p) for (p,) in conn.exec_driver_sql(_CREDIT_HOLDERS)} | {int(p) for p in parties}
        if not candidates:
            return SetOffResult(0, 0)
        done = {int(k.rsplit("/", 1)[1]) for (k,) in select_in(
            conn, "SELECT key FROM ledger_transaction WHERE key IN ({in})", [f"{prefix}{p}" for p in candidates])}
        candidates -= done
        state = debtor_balances(session, candidates)
        rows = {p: [Balance(p, a, per, v[0], v[1]) for (a, per), v in accounts.items() if v[0]]
                for p, accounts in state.items()}
        rows = {p: r for p, r in rows.items() if r}
        # a set-off happens when both the debt and the money exist: never before the money arrived (a batch
        # dated earlier than a payment, run after it, books the set-off on the payment's day)
        arrived = {int(p): d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)) for p, d in select_in(
            conn, "SELECT e.party_id, MAX(t.booked_on) FROM ledger_entry e JOIN ledger_transaction t "
                  "ON t.id = e.transaction_id WHERE e.account = 'credit' AND e.party_id IN ({in}) "
                  "GROUP BY e.party_id", sorted(rows))}
        pending = pending_by_debtor(session, set(rows), booked_on) if rows else {}
        postings, used = [], 0  # used: credit imputed on open items (a release to credit is not "used")
        for party in sorted(rows):
            on = max(booked_on, arrived.get(party, booked_on))
            entries = imputation_entries(rows[party], party, policy, None, None, pending=pending.get(party), on=on)
            if not entries:
                continue
            postings.append(imputation_posting(f"{prefix}{party}", on, entries, None))
            used -= sum(e.amount_cents for e in entries if e.account in RECEIVABLE and e.amount_cents < 0)
        if postings:
            insert_postings(conn, postings)
    return SetOffResult(len(postings), used)
