"""The certificate of payment status (attestation de régularité de paiement des cotisations sociales / attest van
regelmatige betaling / Bescheinigung über die ordnungsgemäße Zahlung): is a debtor in order on a day, and if not,
what is due and unpaid, period by period — from the ledger alone.

The legislation notes say nothing of this certificate: the rule is the fund's (docs/certificates.md).

* **Overdue on the issue day D**: an amount of a receivable (contribution, management fee, company contribution,
  surcharge, costs — ``ledger.models.RECEIVABLE``) whose due date is **before D** and which is unpaid as booked up to
  D included (a payment booked on D counts). A charge falling due on D or later — the quarter called and not yet
  due, a regularisation supplement due next quarter — is not overdue: it never makes a debtor "not in order". The
  due day itself is in time (legislation.md §4.1: the money must be on the fund's account on the last day of the
  quarter at the latest).
* The amounts are the ledger's balances as of D (``ledger.queries.balances``), each item split into its part
  already due and its part falling due later as the imputation splits it (``ledger.queries.split_not_yet_due``:
  within an item, money settles the charge due first). Nothing is recomputed: an amount printed is a sum of entries.
* A benefit claimed back (``benefit_undue``) and a buy-back of dispensed quarters (``buyback``) are no contribution
  debts and never count (they are not receivables).
* **In order** = nothing overdue. Otherwise the document is *not* a certificate of good standing: it lists per
  period the principal (contribution + management fee + company contribution), the surcharges and the costs
  overdue, with the structured communication to pay them, and notes a payment plan respected on D (the fund's —
  no instalment due before D left uncovered by the money received since the plan was asked, the recovery batch's
  test — or one agreed by a bailiff or lawyer, ``recovery.partner_plans.respected``) and a dispensation or surcharge
  waiver asked and not yet decided by INASTI.

Entry points: ``standing(session, party_id, on)``, ``new_reference(session, on)``, ``normalise_reference(text)``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.iso7064 import mod_37_36

from caisse.errors import InvalidInput
from caisse.ledger.models import PRINCIPAL, RECEIVABLE
from caisse.ledger.queries import balances, pending_charges, split_not_yet_due

RULE = "fund's rule (docs/certificates.md): overdue = due date before the issue day and unpaid as booked that day"


@dataclass(frozen=True)
class Overdue:
    """What was overdue and unpaid of one period on the issue day, in cents."""

    period: str
    principal: int  # contribution + management fee + company contribution
    surcharges: int
    costs: int
    due_date: dt.date | None  # the earliest due date of what is overdue

    @property
    def total(self) -> int:
        return self.principal + self.surcharges + self.costs

    def to_json(self) -> dict:
        return {"period": self.period, "principal": self.principal, "surcharges": self.surcharges,
                "costs": self.costs, "due_date": self.due_date.isoformat() if self.due_date else None}


@dataclass
class Standing:
    party_id: int
    on: dt.date
    lines: list[Overdue]
    notes: list[dict] = field(default_factory=list)  # only when something is overdue (see the module's docstring)

    @property
    def in_order(self) -> bool:
        return not self.lines

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines)

    @property
    def due_until(self) -> dt.date:
        """The last due date the statement covers: the day before the issue day."""
        return self.on - dt.timedelta(days=1)


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def overdue(session: Session, party_id: int, on: dt.date) -> list[Overdue]:
    """Per period, oldest first, what is overdue and unpaid on ``on`` (the rule above)."""
    eve = on - dt.timedelta(days=1)
    rows = [b for b in balances(session, party_id=party_id, as_of=on, accounts=RECEIVABLE) if b.balance_cents > 0]
    rows = split_not_yet_due(rows, pending_charges(session, [party_id], eve, booked_by=on).get(party_id), eve)
    periods: dict[str, list] = {}
    for b in rows:
        if b.not_yet_due or b.balance_cents <= 0:
            continue
        p = periods.setdefault(b.period, [0, 0, 0, None])
        p[0 if b.account in PRINCIPAL else 1 if b.account == "surcharge" else 2] += b.balance_cents
        due = _date(b.due_date)
        if due is not None and (p[3] is None or due < p[3]):
            p[3] = due
    return [Overdue(period, *v) for period, v in sorted(periods.items(), key=lambda kv: (kv[0][:4], kv[0]))]


def _plan_note(session: Session, party_id: int, on: dt.date) -> dict | None:
    """The fund's payment plan active on ``on`` and respected: every instalment due before ``on`` covered by the
    money received since the plan was asked (the recovery batch's test, ``batches.recovery``)."""
    from caisse.recovery.arrears import received
    from caisse.recovery.models import PaymentPlan, PaymentPlanInstalment

    plan = session.scalar(select(PaymentPlan).where(PaymentPlan.party_id == party_id, PaymentPlan.status == "active",
                                                    PaymentPlan.activated_on <= on)
                          .order_by(PaymentPlan.id.desc()).limit(1))
    if plan is None:
        return None
    instalments = list(session.scalars(select(PaymentPlanInstalment).where(PaymentPlanInstalment.plan_id == plan.id)
                                       .order_by(PaymentPlanInstalment.seq)))
    if not instalments:
        return None
    got = received(session.connection(), [party_id], {party_id: plan.requested_on}, on)[party_id]
    cumulated = np.cumsum([i.amount_cents for i in instalments]).tolist()
    if any(i.due_date < on and got < c for i, c in zip(instalments, cumulated, strict=True)):
        return None
    left = sum(1 for c in cumulated if got < c)
    return {"kind": "plan", "since": (plan.activated_on or plan.requested_on).isoformat(), "left": left}


def _notes(session: Session, party_id: int, on: dt.date) -> list[dict]:
    from caisse.recovery.models import ReliefRequest
    from caisse.recovery.partner_plans import respected
    from caisse.recovery.relief import PENDING

    notes = []
    plan = _plan_note(session, party_id, on)
    if plan:
        notes.append(plan)
    partner = respected(session, party_id)
    if partner:
        notes.append({"kind": "partner_plan", "left": partner[1]})
    for r in session.scalars(select(ReliefRequest).where(ReliefRequest.party_id == party_id,
                                                         ReliefRequest.status.in_(PENDING),
                                                         ReliefRequest.requested_on <= on)
                             .order_by(ReliefRequest.requested_on, ReliefRequest.id)):
        notes.append({"kind": r.kind, "requested_on": r.requested_on.isoformat(), "periods": list(r.periods or [])})
    return notes


def standing(session: Session, party_id: int, on: dt.date) -> Standing:
    lines = overdue(session, party_id, on)
    return Standing(party_id, on, lines, _notes(session, party_id, on) if lines else [])


# ---------------------------------------------------------------- the certificate's reference

_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over the phone
_CHARS = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _check(year: int, body: str) -> str:
    return mod_37_36.calc_check_digit(f"{year}{body}")


def new_reference(session: Session, on: dt.date) -> str:
    """A reference nobody can guess (8 random characters, ~10^12 per year) with a check character (ISO 7064
    MOD 37,36) that catches a character mistyped: ``2026-7KQ3-M9TX6``."""
    from caisse.reporting.models import PaidUpCertificate

    while True:
        body = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        ref = f"{on.year}-{body[:4]}-{body[4:]}{_check(on.year, body)}"
        if session.scalar(select(PaidUpCertificate.id).where(PaidUpCertificate.reference == ref)) is None:
            return ref


def normalise_reference(text: str | None) -> str:
    """A reference as typed (any case, spaces or dashes anywhere) in its printed form; a wrong one is refused
    naming the field."""
    raw = "".join(ch for ch in str(text or "").upper() if ch.isalnum())
    if len(raw) != 13 or not raw[:4].isdigit() or not set(raw) <= _CHARS:
        raise InvalidInput("certificate_reference",
                           "a certificate reference looks like 2026-7KQ3-M9TX6 (13 letters and digits)")
    if not mod_37_36.is_valid(raw):
        raise InvalidInput("certificate_reference",
                           "this reference is not one the fund issues: a character is wrong")
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


__all__ = ["RULE", "Overdue", "Standing", "new_reference", "normalise_reference", "overdue", "standing"]
