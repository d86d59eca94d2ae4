"""Staff actions on the reconciliation queue (the desk and ``caisse reconcile`` call these).

Each takes the caller's ``Session`` (the caller commits), the acting ``Principal`` (written to the audit log)
and is idempotent by its ledger key: the same action twice posts nothing new.

* ``assign_item``: a parked credit goes to a debtor (then imputed, with the period staff designates). It is
  booked on the bank's **value date**, not the day staff found the payer: the debtor paid on time when the
  bank says so, whatever our queue's backlog (the value date decides the surcharge).
* ``refund_item``: a parked credit is given back to its payer (wrong fund, unknown payer): a refund order
  the next ``caisse export credit-transfers`` pays. Four eyes (``services.approvals``, kind ``parked_refund``,
  keyed on the item): to the account the money came from and up to ``CAISSE_FOUR_EYES_THRESHOLD_CENTS``
  (counting 30 days of self-approved refunds to that account) it is ordered at once; to any other account, or
  above, it waits for a manager who did not ask — meanwhile the item stays open, "awaiting approval", and
  nothing else may be done with its money.
* ``remittance_item``: a parked credit is a bailiff's or lawyer's remittance of money its status files reported
  collected: it settles the partner's clearing account (never beyond what the partner owes: the rest stays
  parked; settle the rest later, once its status file reports more collected: each settlement's default key is
  the item's payment and the amount still parked before it). Booked on the bank's value date. No four eyes
  (money matched to a receivable the fund already holds, nothing leaves the fund), audited.
* ``match_return``: a direct-debit return we could not tie to a collection is tied to the payment it takes
  back (the ledger reverses that payment).
* ``acknowledge_item``: a debit nobody ordered through caisse (bank costs, ...) is seen and explained.
  A credit can never be acknowledged away: parked money is assigned or refunded.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caisse.collection.coda_import import LOCK
from caisse.collection.db import begin_write
from caisse.collection.models import BankFile, BankLine, BankStatement, FundBankAccount, ReconciliationItem
from caisse.config import Settings
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.identifiers import normalize_bic, normalize_iban
from caisse.ledger import (
    PaymentResult,
    PostResult,
    assign,
    clearing_balance,
    refund_unmatched,
    return_payment,
    settle_clearing,
    unassigned,
)
from caisse.ledger.posting import transaction_id
from caisse.services import audit
from caisse.store.models import Approval, Party

PERIOD = re.compile(r"^\d{4}(Q[1-4])?$")
UNDUE = re.compile(r"^(undue|buyback)/[1-9]\d?$")  # a payment to an undue benefit's (references.for_undue) or
# a buy-back request's (references.for_buyback) own communication


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _item(session: Session, item_id: int) -> tuple[ReconciliationItem, BankLine]:
    if type(item_id) is not int or item_id <= 0:
        raise InvalidInput("item", f"a reconciliation item number is required, got {item_id!r}")
    # Two desk users acting on parked money at once must not both spend it: same lock as imports and exports.
    begin_write(session.connection(), LOCK)
    item = session.get(ReconciliationItem, item_id)
    if item is None:
        raise NotFound("reconciliation item", item_id)
    return item, session.get(BankLine, item.bank_line_id)


def _no_refund_waiting(session: Session, item: ReconciliationItem) -> None:
    """While a refund of this item waits for a manager, its money is spoken for: nothing else is done with it."""
    from caisse.services.approvals import pending_for_item

    waiting = pending_for_item(session, item.id)
    if waiting is not None:
        raise Conflict("item", f"item {item.id}: a refund of its money awaits a manager's approval "
                               f"(request {waiting.id})")


def _value_date(line: BankLine, statement: BankStatement) -> dt.date:
    return line.value_date or line.entry_date or statement.new_balance_date


def list_items(session: Session, *, status: str | None = "open", reason: str | None = None,
               limit: int = 100) -> list[dict]:
    """The queue, oldest first: item, line, amount, reason, suggestions."""
    if status not in (None, "open", "resolved"):
        raise InvalidInput("status", "open, resolved or all")
    q = (select(ReconciliationItem, BankLine).join(BankLine, BankLine.id == ReconciliationItem.bank_line_id)
         .order_by(ReconciliationItem.id).limit(limit))
    if status:
        q = q.where(ReconciliationItem.status == status)
    if reason:
        q = q.where(ReconciliationItem.reason == reason)
    items = [describe(item, line) for item, line in session.execute(q)]
    _awaiting(session, items)
    return items


def _awaiting(session: Session, items: list[dict]) -> None:
    """Mark the items whose refund waits for a manager: ``awaiting_approval`` = the request's number, or None."""
    ids = [it["item"] for it in items if it["status"] == "open"]
    waiting = {item_id: approval_id for item_id, approval_id in session.execute(
        select(Approval.item_id, Approval.id).where(Approval.kind == "parked_refund", Approval.status == "pending",
                                                    Approval.item_id.in_(ids)))} if ids else {}
    for it in items:
        it["awaiting_approval"] = waiting.get(it["item"])


def describe(item: ReconciliationItem, line: BankLine) -> dict:
    return {
        "item": item.id, "status": item.status, "reason": item.reason, "amount_cents": item.amount_cents,
        "value_date": line.value_date, "counterparty_iban": line.counterparty_iban,
        "counterparty_name": line.counterparty_name, "communication": line.communication,
        "communication_type": line.communication_type, "end_to_end_id": line.customer_reference,
        "payment_key": item.payment_key, "suggestions": item.suggestions or [], "resolution": item.resolution,
        "resolved_by": item.resolved_by, "note": item.note, "bank_line": line.id,
    }


def show_item(session: Session, item_id: int) -> dict:
    item, line = _item(session, item_id)
    out = describe(item, line)
    if item.payment_key:
        out["left_in_suspense_cents"] = unassigned(session, item.payment_key)
    st = session.get(BankStatement, line.statement_id)
    out["statement"] = st.statement_number
    out["account"] = st.iban or st.account
    out["file_sha256"] = session.scalar(select(BankFile.sha256).where(BankFile.id == st.file_id))
    _awaiting(session, [out])
    return out


def _resolve(item: ReconciliationItem, who: object, resolution: str, note: str | None,
             session: Session | None = None) -> None:
    item.status, item.resolution, item.resolved_by, item.resolved_at = "resolved", resolution, str(who), _now()
    if note:
        item.note = note
    if session is not None:  # the work queue's case for this bank line: answered with what was done, closed
        from caisse.cases.service import resolve_system_case

        resolve_system_case(session, f"bank_line/{item.bank_line_id}", who,
                            f"Reconciliation item {item.id}: {resolution}" + (f" ({note})" if note else ""),
                            dt.date.today())


def _open_credit(item: ReconciliationItem) -> str:
    if item.payment_key is None:
        raise Conflict("item", f"item {item.id} is a debit ({item.reason}): nothing parked to assign or refund")
    return item.payment_key


def assign_item(session: Session, item_id: int, party_id: int, who: object, *, designation: str | None = None,
                amount_cents: int | None = None, request_id: str | None = None,
                not_a_collection: bool = False) -> PaymentResult:
    """Assign (part of) a parked credit to a debtor, booked on the bank's value date, then imputed.

    A transfer from a bailiff's or lawyer's account (reason ``partner_remittance``) is refused unless staff state
    it is **not** money the partner collected (``not_a_collection``): a collection reaches the debtor through the
    partner's status file (``receive_via_partner``), and giving the transfer to the debtor as well would credit the
    same money twice — it is settled with ``remittance_item`` instead."""
    item, line = _item(session, item_id)
    payment_key = _open_credit(item)
    if item.reason == "partner_remittance" and not not_a_collection:
        raise Conflict("item", f"item {item.id} comes from a bailiff's or lawyer's account: settle it as the "
                               "partner's remittance (caisse reconcile remittance); give it to a debtor only when "
                               "it is not money the partner collected (--not-a-collection)")
    if designation is not None and not (PERIOD.match(designation) or UNDUE.match(designation)):
        raise InvalidInput("period", f"a period looks like 2026Q1 or 2026 (or undue/<n>: the person's n-th undue "
                                     f"benefit; buyback/<n>: their n-th buy-back request), got {designation!r}")
    if session.get(Party, party_id) is None:
        raise NotFound("debtor", party_id)
    key = f"reconcile/{request_id}" if request_id else f"reconcile/{payment_key}"
    st = session.get(BankStatement, line.statement_id)
    if (tid := transaction_id(session, key)) is not None:
        return PaymentResult(PostResult(tid, key, False), None)  # already assigned: nothing new
    if item.status == "resolved":
        raise Conflict("item", f"item {item.id} is already resolved ({item.resolution})")
    _no_refund_waiting(session, item)
    result = assign(session, key, payment_key, party_id, _value_date(line, st), amount_cents=amount_cents,
                    designation=designation)
    if result.receipt.created and designation and designation.startswith("buyback/"):
        from caisse.recovery.buyback import record_bought_back

        record_bought_back(session, {party_id})
    if result.receipt.created:
        audit.record(session, who, "assign", "reconciliation_item", item.id, party_id=party_id,
                     detail={"payment_key": payment_key, "amount_cents": amount_cents, "period": designation})
    if unassigned(session, payment_key) == 0 and item.status == "open":
        _resolve(item, who, "assigned", f"debtor {party_id}", session)
    return result


def remittance_item(session: Session, item_id: int, partner_code: str, who: object, *,
                    amount_cents: int | None = None, request_id: str | None = None) -> PostResult:
    """A parked credit recognised by staff as the remittance of partner ``partner_code`` (a bailiff or lawyer):
    Dr suspense / Cr the partner's clearing, booked on the bank's value date. Default amount: all that is left,
    capped at what the partner owes; the rest stays parked and the item open."""
    from caisse.recovery.partners import partner_by_code

    item, line = _item(session, item_id)
    payment_key = _open_credit(item)
    partner = partner_by_code(session, partner_code)
    # Default key: the payment and what is still parked before this settlement — a partner remitting more than
    # its status files reported so far is settled in several steps, each its own key (what is parked only
    # shrinks, so a key never comes back); a retry of a step already written finds nothing left to settle.
    key = (f"reconcile/{request_id}" if request_id
           else f"reconcile/{payment_key}/remittance/{unassigned(session, payment_key)}")
    if (tid := transaction_id(session, key)) is not None:
        return PostResult(tid, key, False)  # already settled: nothing new
    if item.status == "resolved" and item.resolution == "remittance" and not request_id:
        done = _last_remittance(session, payment_key)  # a retry of the settlement that closed it: nothing new
        if done is not None:
            return PostResult(transaction_id(session, done), done, False)
    if item.status == "resolved":
        raise Conflict("item", f"item {item.id} is already resolved ({item.resolution})")
    _no_refund_waiting(session, item)
    st = session.get(BankStatement, line.statement_id)
    result = settle_clearing(session, key, payment_key, partner.code, _value_date(line, st),
                             amount_cents=amount_cents)
    settled = -sum(e.amount_cents for e in _entries(session, key) if e.account == "partner_clearing")
    left = unassigned(session, payment_key)
    audit.record(session, who, "remittance", "reconciliation_item", item.id,
                 detail={"payment_key": payment_key, "partner": partner.code, "amount_cents": settled,
                         "left_in_suspense_cents": left,
                         "partner_still_owes_cents": clearing_balance(session, partner.code)})
    if left == 0 and item.status == "open":
        _resolve(item, who, "remittance", f"partner {partner.code}", session)
    elif left:
        item.note = (f"{item.note + '; ' if item.note else ''}{settled} cents settled partner {partner.code}'s "
                     f"clearing; {left} cents still parked")
    return result


def _last_remittance(session: Session, payment_key: str) -> str | None:
    from caisse.ledger.models import LedgerTransaction

    prefix = f"reconcile/{payment_key}/remittance/"
    return session.scalar(select(LedgerTransaction.key).where(LedgerTransaction.key.startswith(prefix, autoescape=True))
                          .order_by(LedgerTransaction.id.desc()).limit(1))


def _entries(session: Session, key: str):
    from caisse.ledger import load

    return load(session, key).entries


@dataclass
class RefundOrder:
    """What ``refund_item`` did: the four-eyes request (``approval``) and whether this call made it."""

    approval: Approval
    created: bool

    @property
    def awaiting_approval(self) -> bool:
        return self.approval.status == "pending"

    @property
    def key(self) -> str | None:
        """The ledger key of the refund order, once written."""
        return self.approval.ledger_key


def refund_item(session: Session, item_id: int, who: object, *, reason: str, iban: str | None = None,
                booked_on: dt.date | None = None, settings: Settings | None = None) -> RefundOrder:
    """Ask the refund of what is left of a parked credit to its payer (paid by the next credit transfers), through
    four eyes: ordered at once to the payer's own account up to the threshold, else awaiting a manager's
    approval. Asked again while one waits or once done: that request, nothing new."""
    from caisse.security.authz import Principal
    from caisse.services.approvals import request_parked_refund

    item, line = _item(session, item_id)
    payment_key = _open_credit(item)
    if not reason or not reason.strip():
        raise InvalidInput("reason", "say why the payment is refunded (wrong fund, unknown payer, ...)")
    target = normalize_iban(iban or line.counterparty_iban, "iban") if iban or line.counterparty_iban else None
    if not target:
        raise InvalidInput("iban", "the bank gave no IBAN for this payer: give the IBAN to refund to")
    earlier = session.scalar(select(Approval).where(
        Approval.kind == "parked_refund", Approval.item_id == item.id, Approval.status.in_(("pending", "executed")))
        .order_by(Approval.id.desc()).limit(1))
    if earlier is not None and earlier.status == "pending" and earlier.payload.get("iban") != target:
        raise Conflict("iban", f"item {item.id}: a refund to another account awaits a manager's approval "
                               f"(request {earlier.id})")
    if earlier is not None:
        return RefundOrder(earlier, False)  # already asked (waiting) or ordered: nothing new
    if item.status == "resolved":
        raise Conflict("item", f"item {item.id} is already resolved ({item.resolution})")
    left = unassigned(session, payment_key)
    if left <= 0:
        raise Conflict("item", f"item {item.id}: nothing left in suspense to refund")
    principal = who if isinstance(who, Principal) else Principal.system(str(who))
    payer = normalize_iban(line.counterparty_iban, "iban") if line.counterparty_iban else None
    approval = request_parked_refund(session, principal, item.id, left, target, payer, payment_key, reason.strip(),
                                     booked_on or dt.date.today(), settings)
    if approval.status == "pending":
        audit.record(session, principal, "refund_requested", "reconciliation_item", item.id,
                     detail={"payment_key": payment_key, "iban": target, "approval": approval.id},
                     reason=reason.strip())
    return RefundOrder(approval, True)


def execute_refund(session: Session, approval: Approval, today: dt.date) -> str:
    """Called by ``services.approvals`` once a parked-money refund is approved (or under the threshold): the
    refund order (key ``reconcile/<payment>/refund``), the item resolved and its work-queue case closed."""
    item, _line = _item(session, approval.item_id)
    payment_key = _open_credit(item)
    key = f"reconcile/{payment_key}/refund"
    if transaction_id(session, key) is None:
        if item.status == "resolved":
            raise Conflict("item", f"item {item.id} is already resolved ({item.resolution})")
        left = unassigned(session, payment_key)
        if left != approval.amount_cents:
            raise Conflict("amount_cents", f"item {item.id} holds {left} cents in suspense, the request "
                                           f"{approval.id} was for {approval.amount_cents}: ask again")
    iban = approval.payload["iban"]
    result = refund_unmatched(session, key, payment_key, today, iban=iban, reason=approval.reason)
    who = approval.decided_by or approval.requested_by
    if result.created:
        audit.record(session, who, "refund", "reconciliation_item", item.id,
                     detail={"payment_key": payment_key, "iban": iban, "approval": approval.id},
                     reason=approval.reason)
    if item.status == "open":
        _resolve(item, who, "refunded", approval.reason, session)
    return key


def refund_rejected(session: Session, approval: Approval) -> None:
    """A manager refused the refund: the money stays parked, the item open (noted) for another decision."""
    item = session.get(ReconciliationItem, approval.item_id)
    if item is not None:
        item.note = (f"{item.note + '; ' if item.note else ''}refund request {approval.id} rejected by "
                     f"{approval.decided_by}")


def match_return(session: Session, item_id: int, payment_key: str, who: object) -> list[PostResult]:
    """Tie a direct-debit return (or any debit) to the payment it takes back: the ledger reverses it."""
    item, line = _item(session, item_id)
    if item.payment_key is not None or line.amount_cents >= 0:
        raise Conflict("item", f"item {item.id} is a credit: assign or refund it")
    if item.status != "open":
        raise Conflict("item", f"item {item.id} is already resolved ({item.resolution})")
    from caisse.ledger import load

    payment = load(session, payment_key)
    if payment is None or payment.kind != "payment":
        raise NotFound("payment", payment_key)
    received = sum(e.amount_cents for e in payment.entries if e.account == "bank")
    if received != -line.amount_cents:
        raise Conflict("payment_key", f"{payment_key} received {received} cents; the bank took back "
                                      f"{-line.amount_cents}")
    st = session.get(BankStatement, line.statement_id)
    done = return_payment(session, payment_key, f"reconcile/return/{item.id}", _value_date(line, st),
                          f"direct debit {line.r_kind or 'return'} {line.r_reason or ''}".strip())
    audit.record(session, who, "match_return", "reconciliation_item", item.id, detail={"payment_key": payment_key})
    _resolve(item, who, "returned", payment_key, session)
    return done


def acknowledge_item(session: Session, item_id: int, who: object, *, note: str) -> None:
    """Close a debit item nobody ordered through caisse (bank costs, ...), with the explanation."""
    item, _line = _item(session, item_id)
    if item.payment_key is not None:
        raise Conflict("item", f"item {item.id} holds money in suspense: assign it to a debtor or refund it")
    if not note or not note.strip():
        raise InvalidInput("note", "say what this debit is")
    if item.status != "open":
        raise Conflict("item", f"item {item.id} is already resolved ({item.resolution})")
    _resolve(item, who, "acknowledged", note.strip(), session)
    audit.record(session, who, "acknowledge", "reconciliation_item", item.id, reason=note.strip())


def add_fund_account(session: Session, iban: str, who: object, *, bic: str | None = None,
                     label: str | None = None, valid_from: dt.date | None = None) -> FundBankAccount:
    """Declare an account of the fund: its statements are reconciled from then on."""
    iban = normalize_iban(iban, "iban")
    bic = normalize_bic(bic, "bic") if bic else None
    if session.scalar(select(func.count()).select_from(FundBankAccount).where(FundBankAccount.iban == iban)):
        raise Conflict("iban", f"{iban} is already one of the fund's accounts")
    account = FundBankAccount(iban=iban, bic=bic, label=label, valid_from=valid_from or dt.date(2000, 1, 1))
    session.add(account)
    session.flush()
    audit.record(session, who, "create", "fund_bank_account", account.id, detail={"iban": iban})
    return account
