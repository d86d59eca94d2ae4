"""Contributions dispensed with a benefit, rights kept (*dispense de cotisations avec maintien des droits*).

- **Maternity**: the contributions of the quarter following the quarter of the birth, without loss of rights, for
  births from 1-10-2016 (legislation.md §8.2 [S44]);
- **Carer leave**: a full interruption of 3 consecutive months dispenses the quarter holding the third month,
  counted for the pension (addendum §8.5 [S204][S205]).

Unlike a dispensation decided by INASTI (``caisse.recovery.relief``: pension rights lost unless bought back), the
quarter keeps its rights. Applied when the claim is granted (``apply``), in the same transaction:

1. recorded once per person and quarter (``benefit_dispensed_quarter``, the claim and the law);
2. a quarter already called: its provisional contribution and management fee cancelled by one correction of the
   call (kind ``charge``, negative lines, key ``benefit/claim/<claim>/dispensation/<quarter>``, ``corrects`` the
   call) — what was paid on it goes back to the person's credit at the next imputation (set off or refunded); the
   surcharges batch re-reads the file (a ``contribution`` entry was recorded) and corrects what it had charged;
3. a quarter not called yet: the quarterly call skips it (``population.load_quarter``: ``dispensed``);
4. the regularisation of the year leaves it at nothing (``batches.regularisation``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caisse.benefits.models import BenefitClaim, BenefitDispensedQuarter
from caisse.ledger import DebtLine, charge, impute
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.ledger.posting import transaction_id
from caisse.services.calendar import Quarter


def key_of(claim_id: int, quarter: str) -> str:
    return f"benefit/claim/{claim_id}/dispensation/{quarter}"


def apply(session: Session, claim: BenefitClaim, quarter: str, law: str, today: dt.date) -> dict:
    """Record the dispensed quarter and cancel what was already called for it. Returns the step's detail:
    ``{"quarter", "cancelled_cents", "ledger_key"}`` (``ledger_key`` None when nothing was called yet)."""
    q = Quarter.parse(quarter)
    if session.scalar(select(BenefitDispensedQuarter.id).where(BenefitDispensedQuarter.person_id == claim.person_id,
                                                                BenefitDispensedQuarter.period == str(q))) is None:
        session.add(BenefitDispensedQuarter(person_id=claim.person_id, period=str(q), reason=claim.kind,
                                            claim_id=claim.id, law=law[:200], granted_on=today))
        session.flush()
    t, e = LedgerTransaction, LedgerEntry
    called = dict(session.execute(
        select(e.account, func.sum(e.amount_cents)).join(t, t.id == e.transaction_id)
        .where(e.party_id == claim.person_id, e.period == str(q), e.account.in_(("contribution", "management_fee")),
               t.kind.in_(("charge", "regularisation")))
        .group_by(e.account)).all())
    lines = [DebtLine(account, -int(called.get(account) or 0), law[:100], f"claim {claim.id}",
                      {"text": f"dispensation of the contributions of {q} with the {claim.kind} claim {claim.id} "
                               "(rights kept)", "calc": {"claim": claim.id, "quarter": str(q), "reason": claim.kind}})
             for account in ("contribution", "management_fee") if int(called.get(account) or 0) > 0]
    if not lines:
        return {"quarter": str(q), "cancelled_cents": 0, "ledger_key": None}
    from caisse.batches.quarterly_call import call_key

    call = call_key(q, claim.person_id)
    key = key_of(claim.id, str(q))
    charge(session, key, claim.person_id, str(q), q.last_day, today, lines,
           description=f"Dispensation {q} ({claim.kind} claim {claim.id})",
           corrects=call if transaction_id(session, call) is not None else None)
    impute(session, claim.person_id, f"{key}/imputation", today)  # what was paid on it: released, set off
    return {"quarter": str(q), "cancelled_cents": -sum(x.amount_cents for x in lines), "ledger_key": key}
