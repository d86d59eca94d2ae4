"""More of the fund's statistics as of a date (issue 9): payment plans, recovery stages, benefits, company
contributions, surcharges, write-offs. Each is set-based SQL (GROUP BY in the database, a handful of rows back),
counts and sums only — no file number, name or NISS — and each figure that has a ledger counterpart is read from
the ledger as of the date (``ledger_transaction.booked_on <= as_of``). Columns and rules: docs/formats/reports.md.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, and_, case, cast, extract, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from caisse.ledger.imputation import period_end
from caisse.ledger.models import PRINCIPAL, RECEIVABLE, LedgerEntry, LedgerTransaction
from caisse.money import to_cents
from caisse.reporting.reports import Report

_T, _E = LedgerTransaction, LedgerEntry


def _sum(value):
    return cast(func.coalesce(func.sum(value), 0), BigInteger)


def _sum_if(condition, value=LedgerEntry.amount_cents):
    return cast(func.coalesce(func.sum(case((condition, value), else_=0)), 0), BigInteger)


def _period_key(period: str):
    return (period_end(period), period)


# --- payment plans --------------------------------------------------------------------------------------------

PLAN_STATES = ("pending", "running", "completed", "broken", "refused")
PLAN_COLUMNS = ["state", "plans", "debtors", "debt", "down_payment", "instalments_due", "paid"]


def payment_plans(session: Session, as_of: dt.date) -> Report:
    """Payment plans by their state on ``as_of``: asked and not yet decided (``pending``), granted and running,
    ended paid in full (``completed``), ended broken, refused. ``debt``: what the plans cover; ``instalments_due``:
    the instalments (down payment included) falling due on or before the date; ``paid``: the money the ledger
    received from those debtors from the day each plan was asked to the day it ended (or the date) — what the
    recovery batch measures a plan against (instalments are counted for granted plans only). A final ``granted``
    row sums running, completed and broken."""
    from caisse.recovery.models import PaymentPlan as P
    from caisse.recovery.models import PaymentPlanInstalment as I

    ended = and_(P.ended_on.is_not(None), P.ended_on <= as_of)
    state = case(
        (and_(ended, P.status.in_(("completed", "broken", "refused"))), P.status),
        (and_(P.activated_on.is_not(None), P.activated_on <= as_of), literal("running")),
        else_=literal("pending")).label("state")
    until = case((ended, P.ended_on), else_=literal(as_of))
    due = (select(I.plan_id, _sum(I.amount_cents).label("due")).where(I.due_date <= as_of)
           .group_by(I.plan_id).subquery("due"))
    paid = (select(P.id.label("plan_id"), (-_sum(_E.amount_cents)).label("paid"))
            .join(_E, _E.party_id == P.party_id).join(_T, _T.id == _E.transaction_id)
            .where(P.requested_on <= as_of, _E.account == "credit", _T.kind.in_(("payment", "assignment")),
                   _T.booked_on >= P.requested_on, _T.booked_on <= until, _T.booked_on <= as_of)
            .group_by(P.id).subquery("paid"))
    granted = and_(P.activated_on.is_not(None), P.activated_on <= as_of)
    plans = (select(state, P.party_id, P.debt_cents, P.down_payment_cents,
                    case((granted, func.coalesce(due.c.due, 0)), else_=0).label("due"),
                    func.coalesce(paid.c.paid, 0).label("paid"))
             .outerjoin(due, due.c.plan_id == P.id).outerjoin(paid, paid.c.plan_id == P.id)
             .where(P.requested_on <= as_of).subquery("plans"))
    q = (select(plans.c.state, func.count(), func.count(func.distinct(plans.c.party_id)), _sum(plans.c.debt_cents),
                _sum(plans.c.down_payment_cents), _sum(plans.c.due), _sum(plans.c.paid))
         .group_by(plans.c.state))
    found = {r[0]: dict(zip(PLAN_COLUMNS, (r[0], *map(int, r[1:])), strict=True)) for r in session.execute(q)}
    rows = [found.get(s) or {"state": s, **dict.fromkeys(PLAN_COLUMNS[1:], 0)} for s in PLAN_STATES]
    granted = [r for r in rows if r["state"] in ("running", "completed", "broken")]
    rows.append({"state": "granted", **{c: sum(r[c] for r in granted) for c in PLAN_COLUMNS[1:]}})
    rows[-1]["debtors"] = None  # a debtor may have had several plans: not summed
    return Report("payment-plans", as_of, PLAN_COLUMNS, rows, {"debt", "down_payment", "instalments_due", "paid"})


# --- recovery stages ------------------------------------------------------------------------------------------

def recovery_stages(session: Session, as_of: dt.date) -> Report:
    """``caisse recovery report`` as a report: debtors and what they owe (everything due and unpaid, the ledger
    as of the date) at each stage of recovery on the date; then the debtors in arrears without an open file, the
    open files, and every debtor in arrears (the stages plus the debtors never given a file add up to it)."""
    from caisse.recovery.report import report_on

    rep = report_on(session.connection(), as_of)
    rows = [{"stage": r["stage"], "debtors": r["debtors"], "amount": to_cents(r["amount"])} for r in rep["stages"]]
    for key in ("in_arrears_without_open_file", "total_open", "in_arrears"):
        rows.append({"stage": key, "debtors": rep[key]["debtors"], "amount": to_cents(rep[key]["amount"])})
    return Report("recovery-stages", as_of, ["stage", "debtors", "amount"], rows, {"amount"})


# --- benefits -------------------------------------------------------------------------------------------------

BENEFIT_COLUMNS = ["kind", "received", "pending", "granted", "refused", "decided_late", "granted_amount",
                   "paid_by_mutuality", "ledger_granted", "paid", "paid_amount", "to_pay", "payment_late"]


def benefits(session: Session, as_of: dt.date) -> Report:
    """Benefit claims by kind as of the date: received, still undecided, granted, refused (decisions taken on or
    before the date), decided after the Charter's deadline; the amount granted by the decisions (paid by the
    fund) and, from the ledger, the amount the grants posted, the payments made and what is still to pay."""
    from caisse.benefits.models import KINDS
    from caisse.benefits.models import BenefitClaim as C

    grant, pay, pe = aliased(_T), aliased(_T), aliased(_E)
    granted_ledger = (select(grant.key.label("key"), grant.id.label("id"),
                             _sum_if(_E.account == "benefit_expense").label("amount"),
                             # what the grant leaves to transfer: the expense less a withholding tax or set-off
                             _sum_if(_E.account == "benefit", -_E.amount_cents).label("payable"))
                      .join(_E, _E.transaction_id == grant.id)
                      .where(grant.kind == "benefit", grant.booked_on <= as_of)
                      .group_by(grant.key, grant.id).subquery("granted_ledger"))
    paid = (select(pay.refers_to_id.label("order_id"), _sum_if(pe.account == "benefit", pe.amount_cents)
                   .label("amount"), func.min(pay.booked_on).label("on"))
            .join(pe, pe.transaction_id == pay.id)
            .where(pay.kind == "payout", pay.booked_on <= as_of)
            .group_by(pay.refers_to_id).subquery("paid"))
    decided = and_(C.decided_on.is_not(None), C.decided_on <= as_of)
    is_granted = and_(decided, C.outcome == "granted")
    is_paid = paid.c.amount.is_not(None)
    one = literal(1)
    q = (select(C.kind, func.count(),
                _sum_if(~decided, one), _sum_if(is_granted, one), _sum_if(and_(decided, C.outcome == "refused"), one),
                _sum_if(and_(decided, C.decided_on > C.decision_due), one),
                _sum_if(and_(is_granted, C.payer == "fund"), C.amount_cents),
                _sum_if(and_(is_granted, C.payer == "mutuality"), one),
                _sum(granted_ledger.c.amount), _sum_if(is_paid, one), _sum(paid.c.amount),
                _sum(granted_ledger.c.payable),
                _sum_if(and_(is_paid, paid.c.on > C.payment_due), one),
                _sum_if(and_(~is_paid, C.payment_due.is_not(None), C.payment_due < as_of,
                             granted_ledger.c.id.is_not(None)), one))
         .outerjoin(granted_ledger, granted_ledger.c.key == C.ledger_key)
         .outerjoin(paid, paid.c.order_id == granted_ledger.c.id)
         .where(C.received_on <= as_of)
         .group_by(C.kind))
    found = {}
    for r in session.execute(q):
        (kind, received, pending, granted, refused, late, amount, mutuality, ledger_granted, n_paid, paid_amount,
         payable, paid_late, overdue) = r
        found[kind] = {"kind": kind, "received": int(received), "pending": int(pending), "granted": int(granted),
                       "refused": int(refused), "decided_late": int(late), "granted_amount": int(amount),
                       "paid_by_mutuality": int(mutuality), "ledger_granted": int(ledger_granted),
                       "paid": int(n_paid), "paid_amount": int(paid_amount),
                       "to_pay": int(payable) - int(paid_amount),
                       "payment_late": int(paid_late) + int(overdue)}
    rows = [found.get(k) or {"kind": k, **dict.fromkeys(BENEFIT_COLUMNS[1:], 0)} for k in KINDS]
    rows.append({"kind": "total", **{c: sum(r[c] for r in rows) for c in BENEFIT_COLUMNS[1:]}})
    return Report("benefits", as_of, BENEFIT_COLUMNS, rows,
                  {"granted_amount", "ledger_granted", "paid_amount", "to_pay"})


# --- company contributions ------------------------------------------------------------------------------------

COMPANY_COLUMNS = ["year", "companies_called", "called", "collected", "written_off", "outstanding",
                   "companies_in_arrears", "surcharges_charged", "surcharges_collected", "surcharges_waived",
                   "surcharges_outstanding"]


def company_contributions(session: Session, as_of: dt.date) -> Report:
    """The company contribution per year: companies called, called, collected, written off, outstanding
    (``called = collected + written_off + outstanding``), companies still owing, and the surcharges on it."""
    from caisse.store.models import Party

    debt = _T.kind.in_(("charge", "regularisation"))
    principal = _E.account == "company_contribution"
    surcharge = and_(_E.account == "surcharge", Party.kind == "company")
    per_company = (select(_E.period.label("period"), _E.party_id.label("party"),
                          _sum_if(and_(principal, debt)).label("called"),
                          (-_sum_if(and_(principal, _T.kind == "imputation"))).label("collected"),
                          (-_sum_if(and_(principal, _T.kind == "write_off"))).label("written_off"),
                          _sum_if(principal).label("outstanding"),
                          _sum_if(and_(surcharge, debt)).label("s_charged"),
                          (-_sum_if(and_(surcharge, _T.kind == "imputation"))).label("s_collected"),
                          (-_sum_if(and_(surcharge, _T.kind == "write_off"))).label("s_waived"),
                          _sum_if(surcharge).label("s_outstanding"))
                   .join(_T, _T.id == _E.transaction_id).join(Party, Party.id == _E.party_id)
                   .where(_T.booked_on <= as_of, or_(principal, surcharge))
                   .group_by(_E.period, _E.party_id).subquery("per_company"))
    c = per_company.c
    q = (select(c.period, _sum_if(c.called > 0, literal(1)), _sum(c.called), _sum(c.collected), _sum(c.written_off),
                _sum(c.outstanding), _sum_if(c.outstanding > 0, literal(1)), _sum(c.s_charged), _sum(c.s_collected),
                _sum(c.s_waived), _sum(c.s_outstanding))
         .group_by(c.period))
    rows = [dict(zip(COMPANY_COLUMNS, (r[0], *map(int, r[1:])), strict=True)) for r in session.execute(q)]
    rows.sort(key=lambda r: _period_key(r["year"]))
    if rows:
        rows.append({"year": "total", **{k: sum(r[k] for r in rows) for k in COMPANY_COLUMNS[1:]}})
        rows[-1]["companies_called"] = rows[-1]["companies_in_arrears"] = None  # the same company, several years
    return Report("company-contributions", as_of, COMPANY_COLUMNS, rows,
                  {k for k in COMPANY_COLUMNS[2:] if not k.startswith("companies")})


# --- surcharges -----------------------------------------------------------------------------------------------

SURCHARGE_COLUMNS = ["period", "debtor_kind", "debtors_charged", "charged", "collected", "debtors_waived", "waived",
                     "outstanding"]


def surcharges(session: Session, as_of: dt.date) -> Report:
    """Surcharges (art. 44 RD 19-12-1967) per period of the debt and kind of debtor (person, company): debtors
    charged, charged, collected, debtors granted a waiver, waived (a waiver is a write-off of the surcharge),
    outstanding; ``charged = collected + waived + outstanding``."""
    from caisse.store.models import Party

    debt = _T.kind.in_(("charge", "regularisation"))
    per = (select(_E.period.label("period"), Party.kind.label("debtor_kind"), _E.party_id.label("party"),
                  _sum_if(debt).label("charged"), (-_sum_if(_T.kind == "imputation")).label("collected"),
                  (-_sum_if(_T.kind == "write_off")).label("waived"), _sum(_E.amount_cents).label("outstanding"))
           .join(_T, _T.id == _E.transaction_id).join(Party, Party.id == _E.party_id)
           .where(_T.booked_on <= as_of, _E.account == "surcharge")
           .group_by(_E.period, Party.kind, _E.party_id).subquery("per"))
    c = per.c
    q = (select(c.period, c.debtor_kind, _sum_if(c.charged > 0, literal(1)), _sum(c.charged), _sum(c.collected),
                _sum_if(c.waived > 0, literal(1)), _sum(c.waived), _sum(c.outstanding))
         .group_by(c.period, c.debtor_kind))
    rows = [dict(zip(SURCHARGE_COLUMNS, (r[0], r[1], *map(int, r[2:])), strict=True)) for r in session.execute(q)]
    rows.sort(key=lambda r: (*_period_key(r["period"]), r["debtor_kind"]))
    if rows:
        total = {k: sum(r[k] for r in rows) for k in SURCHARGE_COLUMNS[2:]}
        rows.append({"period": "total", "debtor_kind": "all", **total,
                     "debtors_charged": None, "debtors_waived": None})
    return Report("surcharges", as_of, SURCHARGE_COLUMNS, rows, {"charged", "collected", "waived", "outstanding"})


# --- write-offs -----------------------------------------------------------------------------------------------

WRITE_OFF_COLUMNS = ["year", "account", "rule", "write_offs", "debtors", "amount"]


def write_offs(session: Session, as_of: dt.date) -> Report:
    """What the fund renounced, per year the write-off was booked, debt account (contribution, management fee,
    company contribution, surcharge = a waiver, costs) and rule named on the entry (art. 50bis, a waiver,
    prescription, …): write-off transactions, distinct debtors, amount."""
    year = extract("year", _T.booked_on)
    q = (select(year, _E.account, _E.rule, func.count(func.distinct(_T.id)),
                func.count(func.distinct(_E.party_id)), -_sum(_E.amount_cents))
         .join(_T, _T.id == _E.transaction_id)
         .where(_T.kind == "write_off", _T.booked_on <= as_of, _E.account.in_(RECEIVABLE))
         .group_by(year, _E.account, _E.rule))
    order = {a: i for i, a in enumerate(RECEIVABLE)}
    rows = [dict(zip(WRITE_OFF_COLUMNS, (str(int(r[0])), r[1], r[2] or "", *map(int, r[3:])), strict=True))
            for r in session.execute(q)]
    rows.sort(key=lambda r: (r["year"], order[r["account"]], r["rule"]))
    if rows:
        rows.append({"year": "total", "account": "all", "rule": "", "write_offs": sum(r["write_offs"] for r in rows),
                     "debtors": None, "amount": sum(r["amount"] for r in rows)})
        principal = sum(r["amount"] for r in rows[:-1] if r["account"] in PRINCIPAL)
        rows.append({"year": "total", "account": "principal", "rule": "", "write_offs": None, "debtors": None,
                     "amount": principal})
    return Report("write-offs", as_of, WRITE_OFF_COLUMNS, rows, {"amount"})


__all__ = ["benefits", "company_contributions", "payment_plans", "recovery_stages", "surcharges", "write_offs"]
