"""Joint liability (art. 15 AR n° 38; legislation.md §6 [S32]): a company is jointly and severally liable for
the contributions, surcharges and reminder costs of its directors, **for the period of the mandate** only.

``call`` — the company is called (registered letter, fr/nl/de: ``documents/joint_call_letters.py``) for the
director's debts due and unpaid whose quarter falls within a mandate; the call is recorded (``joint_call``) and,
being a registered letter demanding payment of the director's debt, it **interrupts the prescription** of each debt
called (``prescription_interruption``, kind ``formal_notice``, via the company): proceedings against one jointly
liable debtor interrupt prescription for all [S32]. The director's own formal notice, contrainte or summons on his
file likewise interrupt the debt the company answers for: there is one clock per debt, whoever is pursued.

``pay`` — what the company pays is booked to the **director's** account (payer: the company) and imputed on the
debts of the call only. The letter carries the director's structured communication: a payment arriving through a
bank file (``caisse import coda``) lands on the director's account too, imputed by the ordinary rules.

Not built, on purpose: the liability of the aided self-employed for a helper's contributions — its article is
NOT FOUND in the legislation notes (addendum 2026-11 §6.5); nothing is computed without a source.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.errors import InvalidInput, NotFound
from caisse.ledger import PaymentResult, balances
from caisse.recovery.models import JointCall, PrescriptionInterruption
from caisse.rules.prescription import period_year
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access
from caisse.services.calendar import Quarter
from caisse.store.models import Company, Mandate, Party, Person

#: what a company answers for: its director's contributions, surcharges and reminder costs [S32]
# The company answers for contributions, surcharges and *reminder* costs [S32] — not for judicial costs (bailiff,
# lawyer) nor anything else booked on ``costs``; the fund charges no reminder costs today, so ``costs`` is left out
# (an account of reminder costs, when the fund charges them, joins this list).
LIABLE_ACCOUNTS = ("contribution", "management_fee", "surcharge")
RULE = "AR n° 38 art. 15 (joint liability of the company for its directors)"


def quarter_bounds(period: str) -> tuple[dt.date, dt.date]:
    period_year(period)  # a period at all (its own message), then a quarter
    if len(period) != 6:
        raise InvalidInput("period", f"a director's contributions are quarterly (like 2026Q1), got {period!r}")
    q = Quarter.parse(period, "period")
    return q.first_day, q.last_day


def _mandate_of(mandates: list[Mandate], period: str) -> Mandate | None:
    """The mandate covering (part of) the quarter, or None."""
    first, last = quarter_bounds(period)
    for m in mandates:
        if m.valid_from <= last and (m.valid_to is None or m.valid_to >= first):
            return m
    return None


def _mandate_text(m: Mandate) -> str:
    return f"{m.valid_from}" + (f" to {m.valid_to}" if m.valid_to else " (running)")


def callable_debts(session: Session, company_id: int, director_id: int, as_of: dt.date,
                   periods: list[str] | None = None) -> tuple[list[dict], Mandate]:
    """The director's debts the company can be called for on ``as_of`` (nothing written): due before ``as_of``,
    unpaid, in a quarter of the mandate. Each refusal names its field."""
    company = session.get(Company, company_id)
    if company is None:
        raise InvalidInput("company", f"no company with file number {company_id}")
    if session.get(Person, director_id) is None:
        raise InvalidInput("director", f"no person with file number {director_id}")
    mandates = list(session.scalars(select(Mandate).where(Mandate.company_id == company_id,
                                                          Mandate.person_id == director_id)
                                    .order_by(Mandate.valid_from)))
    if not mandates:
        raise InvalidInput("director", f"person {director_id} has never been a director of company {company_id}: "
                                       "the company answers only for its directors' contributions")
    rows = [b for b in balances(session, party_id=director_id, as_of=as_of, accounts=LIABLE_ACCOUNTS)
            if b.balance_cents > 0 and b.due_date is not None and b.due_date < as_of and len(b.period or "") == 6]
    if periods:
        for n, period in enumerate(periods):
            try:
                quarter_bounds(period)
            except InvalidInput as exc:
                raise InvalidInput(f"period[{n}]" if len(periods) > 1 else "period", exc.message) from None
            if _mandate_of(mandates, period) is None:
                raise InvalidInput("period", f"{period} is outside the mandate of person {director_id} at company "
                                             f"{company_id} ({'; '.join(_mandate_text(m) for m in mandates)}): the "
                                             "company answers only for the period of the mandate")
            if not any(b.period == period for b in rows):
                raise InvalidInput("period", f"nothing of {period} is due and unpaid by person {director_id} on "
                                             f"{as_of}")
        rows = [b for b in rows if b.period in periods]
    else:
        rows = [b for b in rows if _mandate_of(mandates, b.period) is not None]
        if not rows:
            raise InvalidInput("director", f"person {director_id} owes nothing due for the period of the mandate "
                                           f"({'; '.join(_mandate_text(m) for m in mandates)}) on {as_of}")
    rows.sort(key=lambda b: (b.period, LIABLE_ACCOUNTS.index(b.account)))
    debts = [{"period": b.period, "account": b.account, "cents": int(b.balance_cents)} for b in rows]
    return debts, _mandate_of(mandates, rows[0].period)


def call(session: Session, who: Principal, company_id: int, director_id: int, as_of: dt.date, reason: str, *,
         periods: list[str] | None = None) -> JointCall:
    """Call the company for its director's unpaid debts of the mandate period (see the module docstring)."""
    from caisse.recovery.service import _reason

    if not isinstance(as_of, dt.date):
        raise InvalidInput("as_of", "a date is required (YYYY-MM-DD)")
    reason = _reason(reason)
    if session.get(Company, company_id) is None:
        raise InvalidInput("company", f"no company with file number {company_id}")
    if session.get(Person, director_id) is None:
        raise InvalidInput("director", f"no person with file number {director_id}")
    file_access(session, who, "recovery.manage", company_id)
    file_access(session, who, "recovery.manage", director_id)
    debts, mandate = callable_debts(session, company_id, director_id, as_of, periods)
    key = f"joint-call/{company_id}/{director_id}/{as_of.isoformat()}"
    existing = session.scalar(select(JointCall).where(JointCall.key == key))
    if existing is not None:
        return existing
    language = session.get(Party, company_id).language
    jc = JointCall(key=key, company_id=company_id, director_id=director_id, mandate_id=mandate.id, called_on=as_of,
                   amount_cents=sum(x["cents"] for x in debts), periods=debts, language=language, reason=reason,
                   actor=str(who))
    session.add(jc)
    session.flush()
    for x in debts:
        session.add(PrescriptionInterruption(
            key=f"joint-call/{jc.id}/{x['account']}/{x['period']}", party_id=director_id, account=x["account"],
            period=x["period"], on=as_of, kind="formal_notice", via_party_id=company_id, joint_call_id=jc.id,
            reason=f"joint call {jc.id}: registered letter to company {company_id} ({RULE})", actor=str(who)))
    session.flush()
    for party in (company_id, director_id):
        audit.record(session, who, "joint_call", "joint_call", jc.id, party_id=party,
                     detail={"company": company_id, "director": director_id, "amount_cents": jc.amount_cents,
                             "periods": sorted({x["period"] for x in debts})})
    return jc


def pay(session: Session, who: Principal, call_id: int, key: str, amount_cents: int, on: dt.date, *,
        reference: str | None = None) -> PaymentResult:
    """The company pays (part of) what it was called for: booked to the director's account (payer: the company),
    then imputed on the debts of the call only, in the call's order (oldest quarter first, principal first) —
    never on a debt outside the mandate. What exceeds them stays on the director's credit."""
    from caisse.ledger import Entry, imputation_posting, payment_posting, post
    from caisse.ledger.posting import transaction_id

    jc = session.get(JointCall, call_id)
    if jc is None:
        raise NotFound("joint call", call_id)
    file_access(session, who, "recovery.manage", jc.director_id)
    if not key or len(key) > 180:
        raise InvalidInput("key", "the payment's reference in the bank file (1-180 characters) is required")
    if not isinstance(on, dt.date):
        raise InvalidInput("on", "a date is required (YYYY-MM-DD)")
    if on < jc.called_on:
        raise InvalidInput("on", f"is before the joint call of {jc.called_on}")
    company = session.get(Company, jc.company_id)
    receipt = post(session, payment_posting(key, on, amount_cents, jc.director_id, reference=reference,
                                            counterparty={"name": company.name, "kbo": company.kbo,
                                                          "joint_call": jc.id, "rule": RULE}))
    imputed = None
    if receipt.created or transaction_id(session, f"{key}/imputation") is None:
        open_ = {(b.account, b.period): int(b.balance_cents)
                 for b in balances(session, party_id=jc.director_id, accounts=LIABLE_ACCOUNTS)}
        left, entries = amount_cents, []
        for n, x in enumerate(jc.periods, start=1):
            take = min(left, max(open_.get((x["account"], x["period"]), 0), 0))
            if take <= 0:
                continue
            left -= take
            entries.append(Entry(x["account"], -take, jc.director_id, x["period"], None, RULE, "joint_call",
                                 {"order": n, "joint_call": jc.id, "paid_by": jc.company_id}))
        if entries:
            entries.append(Entry("credit", amount_cents - left, jc.director_id, None, None, RULE, "joint_call"))
            imputed = post(session, imputation_posting(f"{key}/imputation", on, entries, jc.periods[0]["period"]))
    audit.record(session, who, "joint_payment", "joint_call", jc.id, party_id=jc.director_id,
                 detail={"amount_cents": amount_cents, "company": jc.company_id, "key": key})
    return PaymentResult(receipt, imputed)


def record_interruption(session: Session, who: Principal, party_id: int, on: dt.date, kind: str, reason: str, *,
                        period: str | None = None, account: str | None = None,
                        via_party_id: int | None = None) -> PrescriptionInterruption:
    """An act interrupting prescription that is not on file elsewhere: an acknowledgement of debt signed by the
    debtor, a summons or a contrainte served (on the debtor or a jointly liable party, ``via_party_id``)."""
    from caisse.ledger.models import RECEIVABLE
    from caisse.recovery.models import INTERRUPTIONS
    from caisse.recovery.service import _reason

    file_access(session, who, "recovery.manage", party_id)
    reason = _reason(reason)
    if kind not in INTERRUPTIONS or kind == "payment":
        raise InvalidInput("kind", "acknowledgement, formal_notice, enforcement or summons (payments are read from "
                                   "the ledger)")
    if not isinstance(on, dt.date):
        raise InvalidInput("on", "a date is required (YYYY-MM-DD)")
    if period is not None:
        period_year(period)
    if account is not None and (account not in RECEIVABLE or period is None):
        raise InvalidInput("account", f"one of {', '.join(RECEIVABLE)}, with a period")
    if via_party_id is not None and session.get(Party, via_party_id) is None:
        raise InvalidInput("via", f"no file number {via_party_id}")
    from sqlalchemy import func

    n = session.scalar(select(func.count()).select_from(PrescriptionInterruption).where(
        PrescriptionInterruption.party_id == party_id)) or 0
    row = PrescriptionInterruption(key=f"interruption/{party_id}/{on.isoformat()}/{n + 1}", party_id=party_id,
                                   account=account, period=period, on=on, kind=kind, via_party_id=via_party_id,
                                   reason=reason, actor=str(who))
    session.add(row)
    session.flush()
    audit.record(session, who, "prescription_interruption", "prescription_interruption", row.id, party_id=party_id,
                 detail={"kind": kind, "on": on.isoformat(), "period": period, "via": via_party_id})
    return row
