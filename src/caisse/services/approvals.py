"""Four-eyes control (vier-ogenprincipe) over money leaving the fund or debts given up.

A refund or a write-off up to the fund's threshold (``CAISSE_FOUR_EYES_THRESHOLD_CENTS``) is executed at once and
recorded as a self-approved request; above it, the request waits until a manager — never the person who asked —
approves it; only then is the ledger touched. The threshold counts what was already self-approved for the same
file in the last 30 days (no splitting a large refund into small ones), and a refund to an account that is not
on the person's file always needs the second pair of eyes. Every request and decision is in the audit log.
Payment plans (kind ``payment_plan``, ``caisse.recovery.service``), surcharge waivers (kind ``surcharge_waiver``)
and dispensations (kind ``write_off``) granted by INASTI (``caisse.recovery.relief``) use the same requests: the
manager checks INASTI's decision as recorded before the ledger gives anything up. A reduction of provisional
contributions (kind ``reduction``, ``caisse.recovery.reduction``) that lowers quarters already called waits the same
way, the amount being what it takes off them.

A refund of **parked money** (a bank line nobody could book, ``caisse.collection.reconciliation.refund_item``;
kind ``parked_refund``) belongs to no file: the request names the reconciliation item (``approval.item_id``,
``party_id`` empty). To the account the money came from it follows the threshold, counting what was
self-approved to that same account in the last 30 days; to any other account (or when the bank gave none) it
always waits for a manager who did not ask. Approved, the refund order is written as before
(``reconcile/<payment>/refund``) and the item resolved.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from caisse import identifiers
from caisse.config import Settings, get_settings
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.ledger import refund, write_off
from caisse.ledger.models import RECEIVABLE
from caisse.security import authz
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access
from caisse.store.models import Approval, BankAccount, Party

REQUESTERS = authz.PERMISSIONS["money.order"]
DECIDERS = frozenset({"manager"})
PARKED_REFUND = "parked_refund"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _requester(session: Session, who: Principal, party_id: int) -> None:
    file_access(session, who, "money.order", party_id)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason", "say why (it is kept with the decision)")
    if len(reason) > 2000 or "\x00" in reason:
        raise InvalidInput("reason", "at most 2000 characters of plain text")
    return reason


def _amount(amount_cents: int) -> int:
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise InvalidInput("amount", "a positive amount in cents")
    return amount_cents


def request_refund(session: Session, who: Principal, party_id: int, amount_cents: int, iban: str, reason: str,
                   today: dt.date, settings: Settings | None = None) -> Approval:
    """Refund a debtor's credit to ``iban`` (paid by the next credit-transfer file)."""
    _requester(session, who, party_id)
    iban = identifiers.normalize_iban(iban)
    on_file = session.scalar(select(BankAccount.id).where(BankAccount.party_id == party_id,
                                                          BankAccount.iban == iban).limit(1)) is not None
    payload = {"iban": iban, "iban_on_file": on_file}
    return _submit(session, who, "refund", party_id, _amount(amount_cents), payload, _reason(reason), today,
                   settings or get_settings(), always_four_eyes=not on_file)


def request_write_off(session: Session, who: Principal, party_id: int, account: str, period: str,
                      amount_cents: int, rule: str, reason: str, today: dt.date,
                      settings: Settings | None = None) -> Approval:
    """Give up (part of) a debt, with the legal rule that allows it (e.g. art. 50bis RD 19-12-1967: refused unless
    its conditions hold that day, ``caisse.recovery.fiftybis.check_write_off``)."""
    _requester(session, who, party_id)
    if account not in RECEIVABLE:
        raise InvalidInput("account", "{account!r} is not a debt account", account=account)
    if not (rule or "").strip():
        raise InvalidInput("rule", "the legal rule that allows the write-off")
    from caisse.recovery import fiftybis

    if fiftybis.is_fiftybis(rule):  # art. 50bis: its conditions checked on the day, not just its name
        fiftybis.check_write_off(session, party_id, today)
    payload = {"account": account, "period": period, "rule": rule.strip()}
    return _submit(session, who, "write_off", party_id, _amount(amount_cents), payload, _reason(reason), today,
                   settings or get_settings())


def request_parked_refund(session: Session, who: Principal, item_id: int, amount_cents: int, iban: str,
                          payer_iban: str | None, payment_key: str, reason: str, today: dt.date,
                          settings: Settings | None = None) -> Approval:
    """Refund parked money of reconciliation item ``item_id`` to ``iban`` (called by
    ``caisse.collection.reconciliation.refund_item``, which checked the item): at once under the threshold to the
    payer's own account, else pending until a manager who did not ask approves."""
    authz.require(who, "money.order")
    iban = identifiers.normalize_iban(iban)
    same = payer_iban is not None and iban == payer_iban
    payload = {"iban": iban, "from_payer": same, "payment_key": payment_key}
    return _submit(session, who, PARKED_REFUND, None, _amount(amount_cents), payload, _reason(reason), today,
                   settings or get_settings(), always_four_eyes=not same, item_id=item_id)


def submit(session: Session, who: Principal, kind: str, party_id: int, amount: int, payload: dict, reason: str,
           today: dt.date, settings: Settings | None = None) -> Approval:
    """A request of another service (``payment_plan``: caisse.recovery.service.request_plan), already checked by
    it: executed at once under the four-eyes threshold, else pending until a manager decides."""
    return _submit(session, who, kind, party_id, _amount(amount), payload, _reason(reason), today,
                   settings or get_settings())


def _self_approved(session: Session, kind: str, party_id: int | None, payload: dict) -> int:
    """What was executed without a second person in the last 30 days: for the same file, or — parked money has
    no file — to the same account (no splitting a large refund into small ones)."""
    recent = (Approval.kind == kind, Approval.decided_account_id.is_(None), Approval.status == "executed",
              Approval.requested_at >= _now() - dt.timedelta(days=30))
    if kind == PARKED_REFUND:
        return sum(amount for amount, done in session.execute(select(Approval.amount_cents, Approval.payload)
                                                              .where(*recent))
                   if (done or {}).get("iban") == payload["iban"])
    return session.scalar(select(func.coalesce(func.sum(Approval.amount_cents), 0)).where(
        Approval.party_id == party_id, *recent)) or 0


def _submit(session: Session, who: Principal, kind: str, party_id: int | None, amount: int, payload: dict,
            reason: str, today: dt.date, settings: Settings, always_four_eyes: bool = False,
            item_id: int | None = None) -> Approval:
    recent = _self_approved(session, kind, party_id, payload)
    approval = Approval(kind=kind, party_id=party_id, item_id=item_id, amount_cents=amount, payload=payload,
                        reason=reason, requested_by=str(who), requested_account_id=who.account_id)
    session.add(approval)
    session.flush()
    audit.record(session, who, "request", kind, approval.id, party_id=party_id,
                 detail={"amount_cents": amount, **({"reconciliation_item": item_id} if item_id else {})})
    if not always_four_eyes and recent + amount <= settings.four_eyes_threshold_cents:
        approval.decided_by, approval.decided_at = str(who), _now()
        approval.decision_note = "under the four-eyes threshold"
        _execute(session, approval, today)
    return approval


def decide(session: Session, who: Principal, approval_id: int, approve: bool, note: str, today: dt.date) -> Approval:
    """The second pair of eyes: a manager who did not ask approves (the ledger is then written) or rejects."""
    if who.role not in DECIDERS:
        raise authz.Forbidden("only a manager decides on a four-eyes request")
    approval = session.get(Approval, approval_id)
    if approval is None:
        raise NotFound("approval", approval_id)
    if approval.status != "pending":
        raise Conflict("status", "this request is already {status}", status=approval.status)
    if who.account_id is None or who.account_id == approval.requested_account_id or str(who) == approval.requested_by:
        raise authz.Forbidden("four eyes: the person who asked cannot decide")
    if approval.party_id is not None:  # parked money belongs to no file (a manager reads every file anyway)
        file_access(session, who, "file.read", approval.party_id)
    approval.decided_by, approval.decided_account_id, approval.decided_at = str(who), who.account_id, _now()
    approval.decision_note = (note or "").strip()[:2000] or None
    audit.record(session, who, "approve" if approve else "reject", approval.kind, approval.id,
                 party_id=approval.party_id)
    if approve:
        _execute(session, approval, today)
    else:
        approval.status = "rejected"
        if approval.kind == PARKED_REFUND:  # the money stays parked, the item open for another decision
            from caisse.collection.reconciliation import refund_rejected

            refund_rejected(session, approval)
        elif (approval.payload or {}).get("relief_request_id") is not None:
            from caisse.recovery.relief import reject as reject_relief

            reject_relief(session, approval, today)
        elif approval.kind == "payment_plan":
            from caisse.recovery.service import refuse_plan

            refuse_plan(session, approval, today)
        elif approval.kind == "reduction":
            from caisse.recovery.reduction import reject_approved

            reject_approved(session, approval, today)
    return approval


def _execute(session: Session, approval: Approval, today: dt.date) -> None:
    key = f"approval/{approval.id}/{approval.kind}"
    if (approval.payload or {}).get("relief_request_id") is not None:
        # a dispensation (kind write_off) or a surcharge waiver granted by INASTI: one balanced write-off of every
        # quarter granted, the dispensed quarters recorded, the request answered (caisse.recovery.relief)
        from caisse.recovery.relief import execute as execute_relief

        approval.status, approval.ledger_key = "executed", execute_relief(session, approval, today)
        return
    if approval.kind == PARKED_REFUND:  # the refund order of the parked money, the item resolved
        from caisse.collection.reconciliation import execute_refund

        approval.status, approval.ledger_key = "executed", execute_refund(session, approval, today)
        return
    if approval.kind == "refund":
        refund(session, key, approval.party_id, approval.amount_cents, today, iban=approval.payload["iban"],
               reason=approval.reason)
    elif approval.kind == "write_off":
        write_off(session, key, approval.party_id, approval.payload["account"], approval.payload["period"],
                  approval.amount_cents, today, rule=approval.payload["rule"], reason=approval.reason)
    elif approval.kind == "payment_plan":  # the plan becomes active, the recovery file stands at 'plan'
        from caisse.recovery.service import execute_plan

        execute_plan(session, approval, today)
        approval.status = "executed"
        return
    elif approval.kind == "reduction":  # the estimate written, the quarters already called corrected
        from caisse.recovery.reduction import execute_approved

        approval.status, approval.ledger_key = "executed", execute_approved(session, approval, today)
        return
    else:  # a kind without an executor: approved, nothing written
        approval.status = "approved"
        return
    approval.status, approval.ledger_key = "executed", key


def pending(session: Session, who: Principal) -> list[Approval]:
    """The requests waiting for a second pair of eyes. Managers and auditors see them all; a team-bound handler
    only those on their team's files and those they asked for themselves (need to know: the inbox shows file,
    amount and reason). The read is audited per file shown."""
    if who.role not in DECIDERS | REQUESTERS | {"auditor"}:
        raise authz.Forbidden(f"{who.role} has no approval inbox")
    q = select(Approval).where(Approval.status == "pending").order_by(Approval.requested_at, Approval.id)
    if who.role in authz.TEAM_BOUND:
        team_files = select(Party.id).where(Party.team == who.team) if who.team else select(Party.id).where(False)
        mine = Approval.requested_account_id == who.account_id if who.account_id is not None else False
        q = q.where(or_(Approval.party_id.in_(team_files), mine))
    items = list(session.scalars(q))
    what = ["kind", "amount", "reason", "iban_masked"]
    audit.record_reads(session, who, "approval_inbox", (a.party_id for a in items), what=what)
    parked = [a.item_id for a in items if a.item_id is not None]
    if parked:  # refunds of parked money name no file: the read names the bank lines' items
        audit.record(session, who, "read", "approval_inbox", None, detail={"what": ",".join(what),
                                                                           "reconciliation_items": parked})
    return items


def pending_for_item(session: Session, item_id: int) -> Approval | None:
    """The refund request of parked money waiting for a manager on this reconciliation item, if any."""
    return session.scalar(select(Approval).where(Approval.kind == PARKED_REFUND, Approval.item_id == item_id,
                                                 Approval.status == "pending").order_by(Approval.id).limit(1))


def iban_view(approval: Approval) -> dict | None:
    """What the decider sees of a refund's account: masked, and whether it is on the person's file — or, for
    parked money, whether it is the account the money came from (``from_payer``)."""
    iban = (approval.payload or {}).get("iban")
    if approval.kind not in ("refund", PARKED_REFUND) or not iban:
        return None
    if approval.kind == PARKED_REFUND:
        return {"iban_masked": identifiers.mask_iban(iban), "from_payer": bool(approval.payload.get("from_payer"))}
    return {"iban_masked": identifiers.mask_iban(iban), "on_file": bool(approval.payload.get("iban_on_file"))}
