"""The fund's money movements, each one balanced transaction posted through ``posting.post``.

All functions take the caller's ``Session`` (the caller commits) and an idempotency ``key``; calling one
again with the same key posts nothing and returns the existing transaction.

Accounts (see docs/ledger.md): a debt debits the debtor's receivable (contribution, management_fee, ...)
and credits ``income``; money received debits ``bank`` and credits the debtor's ``credit`` (or
``suspense`` when the payer is unknown); imputation moves ``credit`` onto the open items.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.ledger.imputation import ImputationPolicy, allocate, policy_named
from caisse.ledger.models import (
    BENEFIT_UNDUE,
    BUYBACK,
    PARTNER_CLEARING,
    RECEIVABLE,
    LedgerEntry,
    LedgerTransaction,
)
from caisse.ledger.posting import Entry, Posting, PostResult, load, post, reverse, transaction_id
from caisse.ledger.queries import (
    Balance,
    BuybackItem,
    UndueItem,
    balances,
    buyback_items,
    clearing_balance,
    credit_available,
    pending_charges,
    split_not_yet_due,
    unassigned,
    undue_items,
)
from caisse.references import buyback_number, undue_number

# A payment designated to an undue benefit (its structured communication): the debtor's designation (art. 1253).
UNDUE_PAYMENT_RULE = "Civil Code art. 1253 (Book 5): payment designated to an undue benefit"
# A payment to a buy-back request's communication: the dispensed contributions paid back (legislation §5, §9).
BUYBACK_PAYMENT_RULE = "dispensed contributions paid within 5 years (legislation §5, §9)"


class DebtLine(NamedTuple):
    """One amount of a debt, with the rule and legal parameter that produced it."""

    account: str  # contribution, management_fee, company_contribution, surcharge, costs
    amount_cents: int
    rule: str | None = None
    parameter: str | None = None
    explanation: dict | None = None


class PaymentResult(NamedTuple):
    receipt: PostResult
    imputation: PostResult | None


def _positive(amount: int, field: str = "amount_cents") -> None:
    if type(amount) is not int or amount <= 0:
        raise InvalidInput(field, "a positive amount in integer cents is required, got {amount}", amount=repr(amount))


def charge_posting(key: str, party_id: int, period: str, due_date: dt.date, booked_on: dt.date,
                   lines: Iterable[DebtLine], *, kind: str = "charge", description: str | None = None,
                   reference: str | None = None, corrects: str | None = None) -> Posting:
    """A debt as a Posting (pure: batches build these for ``post_many``). Each line debits the debtor's
    receivable for the period and credits the fund's income, both carrying the line's rule.
    A negative line (regularisation downwards) credits the receivable instead."""
    entries: list[Entry] = []
    for line in lines:
        if line.account not in RECEIVABLE:
            raise InvalidInput("account", "{account} is not a debt account ({accounts})", account=repr(line.account),
                               accounts=", ".join(RECEIVABLE))
        if line.amount_cents == 0:
            continue
        entries.append(Entry(line.account, line.amount_cents, party_id, period, due_date, line.rule,
                             line.parameter, line.explanation))
        entries.append(Entry("income", -line.amount_cents, party_id, period, None, line.rule, line.parameter))
    return Posting(key, kind, booked_on, tuple(entries), description, reference, corrects)


def charge(session: Session, key: str, party_id: int, period: str, due_date: dt.date, booked_on: dt.date,
           lines: Iterable[DebtLine], **kw) -> PostResult:
    """Post a debt (quarterly call, surcharge, costs, regularisation supplement) of ``party_id``."""
    return post(session, charge_posting(key, party_id, period, due_date, booked_on, lines, **kw))


def _imputation_entries(session: Session, party_id: int, policy: ImputationPolicy, designation: str | None,
                        designated_amount: int | None, on: dt.date) -> list[Entry]:
    rows = balances(session, party_id=party_id, accounts=(*RECEIVABLE, "credit"))
    pending = pending_charges(session, [party_id], on).get(party_id)
    undue = undue_items(session, party_id) if undue_number(designation) is not None else None
    buyback = buyback_items(session, party_id) if buyback_number(designation) is not None else None
    return imputation_entries(rows, party_id, policy, designation, designated_amount, pending=pending, on=on,
                              undue=undue, buyback=buyback)


def imputation_entries(rows: Iterable[Balance], party_id: int, policy: ImputationPolicy, designation: str | None,
                       designated_amount: int | None, *, pending: dict | None = None,
                       on: dt.date | None = None, undue: list[UndueItem] | None = None,
                       buyback: list[list[BuybackItem]] | None = None) -> list[Entry]:
    """The entries of an imputation, computed from the debtor's balances (receivables and credit) and his
    charges falling due after ``on`` (``pending_charges``) alone: pure, so a set-based importer that keeps the
    balances in memory imputes exactly as ``impute`` does. What is due on ``on`` is settled before what falls
    due later (see ``caisse.ledger.imputation``).

    An undue benefit (account ``benefit_undue``) is never among the open items: only a payment designated to it
    (designation ``undue/<n>``, the communication of the person's n-th recovery decision, ``undue`` = the person's
    ``undue_items``) settles it, up to the payment's amount; the rest of such a payment is imputed as any other.
    Likewise a buy-back of dispensed quarters (account ``buyback``): only a payment designated to it (``buyback/<n>``,
    ``buyback`` = the person's ``buyback_items``) pays its quarters, oldest first, each only up to its buy-back
    deadline (``on``; paid later, a quarter's pension rights are not bought back and the money is imputed as any
    other payment)."""
    rows = split_not_yet_due(rows, pending, on)
    credit = -sum(b.balance_cents for b in rows if b.account == "credit")
    released = [b for b in rows if b.account in RECEIVABLE and b.balance_cents < 0]
    open_ = [b for b in rows if b.account in RECEIVABLE and b.balance_cents > 0]
    entries: list[Entry] = []
    # A debt corrected below what was already paid on it: the excess goes back to the debtor's credit.
    for b in released:
        entries.append(Entry(b.account, -b.balance_cents, party_id, b.period, None, "release",
                             policy.name, {"released_to": "credit"}))
    available = credit - sum(b.balance_cents for b in released)
    number = undue_number(designation)
    imputed = 0
    if number is not None:
        designation = None  # designates an undue benefit, no contribution period
        item = undue[number - 1] if undue and number <= len(undue) else None
        if item is not None and item.open_cents > 0 and available > 0:
            take = min(available, item.open_cents,
                       available if designated_amount is None else designated_amount)
            if take > 0:
                entries.append(Entry(BENEFIT_UNDUE, -take, party_id, item.period, None, UNDUE_PAYMENT_RULE,
                                     item.parameter, {"designated": f"undue/{number}"}))
                available -= take
                imputed += take
    number = buyback_number(designation)
    if number is not None:
        designation = None  # designates a buy-back, no contribution period
        request = buyback[number - 1] if buyback and number <= len(buyback) else []
        left = available if designated_amount is None else min(available, designated_amount)
        for item in request:
            if left <= 0:
                break
            if item.open_cents <= 0 or (on is not None and on > item.deadline):
                continue
            take = min(left, item.open_cents)
            entries.append(Entry(BUYBACK, -take, party_id, item.period, None, BUYBACK_PAYMENT_RULE, item.parameter,
                                 {"designated": f"buyback/{number}"}))
            left -= take
            available -= take
            imputed += take
    designation = designation if policy.honour_designation else None
    if available > 0 and open_:
        ordered = policy.ordered(open_, designation)
        settled: dict[tuple, int] = {}  # (account, period) -> index in entries: a split item is one entry
        rank = 0
        for item, amount in allocate(available, ordered, designated_amount, designation):
            imputed += amount
            at = settled.get((item.account, item.period))
            if at is not None:
                entries[at] = entries[at]._replace(amount_cents=entries[at].amount_cents - amount)
                continue
            rank += 1
            explanation = {"order": rank, "policy": policy.name}
            if designation and item.period == designation:
                explanation["designated"] = designation
            if item.not_yet_due:
                explanation["not_yet_due"] = item.due_date.isoformat()
            settled[(item.account, item.period)] = len(entries)
            entries.append(Entry(item.account, -amount, party_id, item.period, None, policy.source, policy.name,
                                 explanation))
    net_credit = imputed - sum(-b.balance_cents for b in released)
    if net_credit:
        entries.append(Entry("credit", net_credit, party_id, None, None, policy.source, policy.name))
    return entries


def impute(session: Session, party_id: int, key: str, booked_on: dt.date, *, designation: str | None = None,
           designated_amount: int | None = None, policy: ImputationPolicy | None = None) -> PostResult | None:
    """Apply the debtor's credit to his open items in the policy's order (and release overpaid items to
    credit). Returns None when there is nothing to impute. Set-off of credit against a new debt is this call."""
    tid = transaction_id(session, key)
    if tid is not None:  # its content depended on the state at the time: never recomputed
        return PostResult(tid, key, False)
    policy = policy or policy_named()
    entries = _imputation_entries(session, party_id, policy, designation, designated_amount, booked_on)
    if not entries:
        return None
    return post(session, imputation_posting(key, booked_on, entries, designation))


def imputation_posting(key: str, booked_on: dt.date, entries: Iterable[Entry], designation: str | None) -> Posting:
    """The imputation transaction ``impute`` posts, from entries made by ``imputation_entries``."""
    return Posting(key, "imputation", booked_on, tuple(entries), "Imputation of the debtor's credit on open items",
                   designation)


def payment_posting(key: str, booked_on: dt.date, amount_cents: int, party_id: int | None, *,
                    reference: str | None = None, counterparty: dict | None = None) -> Posting:
    """The receipt ``receive_payment`` posts: Dr bank / Cr the debtor's credit, or Cr suspense when the payer
    is unknown (pure: a set-based importer builds the very same transaction)."""
    _positive(amount_cents)
    explanation = {"counterparty": counterparty} if counterparty else None
    side = Entry("credit", -amount_cents, party_id, None, None, None, None, explanation) if party_id is not None \
        else Entry("suspense", -amount_cents, None, None, None, "unmatched", None, explanation)
    description = ("Payment received" if party_id is not None else "Unmatched payment parked in suspense") + (
        f" {reference}" if reference else "")
    return Posting(key, "payment", booked_on, (Entry("bank", amount_cents, party_id), side), description, reference)


def receive_payment(session: Session, key: str, booked_on: dt.date, amount_cents: int, party_id: int | None, *,
                    reference: str | None = None, designation: str | None = None,
                    counterparty: dict | None = None, policy: ImputationPolicy | None = None,
                    impute_now: bool = True) -> PaymentResult:
    """Money received on the fund's account. Known debtor: to his credit, then imputed (key + "/imputation").
    Unknown debtor (``party_id`` None): parked in suspense until ``assign`` or ``refund_unmatched``."""
    receipt = post(session, payment_posting(key, booked_on, amount_cents, party_id, reference=reference,
                                            counterparty=counterparty))
    imputation = None
    if receipt.created and party_id is not None and impute_now:
        imputation = impute(session, party_id, f"{key}/imputation", booked_on, designation=designation,
                            designated_amount=amount_cents, policy=policy)
    return PaymentResult(receipt, imputation)


# A bailiff or lawyer collects for the fund as its mandatary and must hand over what he received.
CLEARING_RULE = "partner collects as the fund's mandatary and hands it over (old Civil Code art. 1993)"


def clearing_entry(partner_code: str, amount_cents: int, explanation: dict | None = None) -> Entry:
    """An entry on a partner's clearing account: > 0 collected for the fund, < 0 remitted to it."""
    return Entry(PARTNER_CLEARING, amount_cents, None, None, None, CLEARING_RULE, partner_code, explanation)


PARTNER_FEES_RULE = "partner's fees kept out of what it collected (net remittance)"


def retain_partner_fees(session: Session, key: str, booked_on: dt.date, amount_cents: int, partner_code: str,
                        party_id: int, *, reference: str | None = None, explanation: dict | None = None) -> PostResult:
    """A bailiff or lawyer kept its fees out of the money it collected (its remittance is net): the fund bears them
    (Dr ``partner_fees``, its expense, the debtor named for the trail) and the partner owes that much less (Cr its
    clearing). Whether the debtor is charged the same amount as costs is the caller's decision (the law, not the
    netting, says so: recovery/partner_status.py)."""
    _positive(amount_cents)
    why = {"debtor": party_id, **(explanation or {})}
    return post(session, Posting(key, "charge", booked_on, (
        Entry("partner_fees", amount_cents, party_id, None, None, PARTNER_FEES_RULE, partner_code, why),
        clearing_entry(partner_code, -amount_cents, {"fees": True, **why})),
        f"Fees kept by partner {partner_code}" + (f" {reference}" if reference else ""), reference))


def receive_via_partner(session: Session, key: str, booked_on: dt.date, amount_cents: int, party_id: int,
                        partner_code: str, *, reference: str | None = None, counterparty: dict | None = None,
                        policy: ImputationPolicy | None = None) -> PaymentResult:
    """Money a bailiff or lawyer collected from the debtor for the fund (reported in a status file). The debtor has
    paid — to his credit, then imputed (key + "/imputation") exactly as ``receive_payment`` — but the money is not
    on the fund's bank account: the partner owes it until his remittance arrives (Dr partner_clearing / Cr credit)."""
    _positive(amount_cents)
    explanation = {"counterparty": counterparty} if counterparty else None
    posting = Posting(key, "payment", booked_on, (
        clearing_entry(partner_code, amount_cents, {"debtor": party_id}),
        Entry("credit", -amount_cents, party_id, None, None, None, None, explanation)),
        f"Collected by partner {partner_code} for the fund" + (f" {reference}" if reference else ""), reference)
    receipt = post(session, posting)
    imputation = None
    if receipt.created:
        imputation = impute(session, party_id, f"{key}/imputation", booked_on, designated_amount=amount_cents,
                            policy=policy)
    return PaymentResult(receipt, imputation)


def remittance_posting(key: str, booked_on: dt.date, amount_cents: int, partner_code: str, settled_cents: int, *,
                       reference: str | None = None, counterparty: dict | None = None) -> Posting:
    """A partner's remittance received on the bank account (pure, for the CODA import): Dr bank / Cr the partner's
    clearing for ``settled_cents`` (at most what he owes) / Cr suspense for the rest, parked for staff."""
    _positive(amount_cents)
    if type(settled_cents) is not int or not 0 < settled_cents <= amount_cents:
        raise InvalidInput("settled_cents", "between 1 and {most} cents, got {settled}", most=amount_cents,
                           settled=repr(settled_cents))
    explanation = {"counterparty": counterparty} if counterparty else None
    entries = [Entry("bank", amount_cents), clearing_entry(partner_code, -settled_cents, explanation)]
    if amount_cents > settled_cents:
        entries.append(Entry("suspense", settled_cents - amount_cents, None, None, None, "unmatched", None,
                             explanation))
    return Posting(key, "payment", booked_on, tuple(entries),
                   f"Remittance of partner {partner_code}" + (f" {reference}" if reference else ""), reference)


def settle_clearing(session: Session, key: str, payment_key: str, partner_code: str, booked_on: dt.date, *,
                    amount_cents: int | None = None) -> PostResult:
    """A parked payment recognised as a partner's remittance: Dr suspense / Cr the partner's clearing. Default
    amount: what is left in suspense, capped at what the partner owes (the rest stays parked); never beyond either."""
    tid = transaction_id(session, key)
    if tid is not None:
        return PostResult(tid, key, False)
    left = unassigned(session, payment_key)
    owed = clearing_balance(session, partner_code)
    amount = min(left, owed) if amount_cents is None else amount_cents
    if amount_cents is None and amount <= 0:
        if left > 0:
            raise Conflict("partner", "partner {partner} owes nothing on its clearing account ({owed} cents): import "
                           "its status file first", partner=partner_code, owed=owed)
        raise Conflict("partner", "{payment} has nothing left in suspense", payment=payment_key)
    _positive(amount)
    if amount > left:
        raise Conflict("amount_cents", "{payment} has {left} cents left in suspense, cannot assign {amount}",
                       payment=payment_key, left=left, amount=amount)
    if amount > owed:
        raise Conflict("amount_cents", "partner {partner} owes {owed} cents on its clearing account, cannot settle "
                       "{amount}: the rest stays parked until its status file reports it", partner=partner_code,
                       owed=owed, amount=amount)
    return post(session, Posting(key, "assignment", booked_on,
                                 (Entry("suspense", amount, None),
                                  clearing_entry(partner_code, -amount, {"remittance": payment_key})),
                                 f"Parked payment {payment_key}: remittance of partner {partner_code}",
                                 refers_to=payment_key))


def assign(session: Session, key: str, payment_key: str, party_id: int, booked_on: dt.date, *,
           amount_cents: int | None = None, designation: str | None = None,
           policy: ImputationPolicy | None = None) -> PaymentResult:
    """Assign (part of) a parked payment to a debtor, then impute it."""
    tid = transaction_id(session, key)
    if tid is not None:
        return PaymentResult(PostResult(tid, key, False), None)
    left = unassigned(session, payment_key)
    amount = left if amount_cents is None else amount_cents
    _positive(amount)
    if amount > left:
        raise Conflict("amount_cents", "{payment} has {left} cents left in suspense, cannot assign {amount}",
                       payment=payment_key, left=left, amount=amount)
    result = post(session, Posting(key, "assignment", booked_on,
                                   (Entry("suspense", amount, None), Entry("credit", -amount, party_id)),
                                   f"Parked payment {payment_key} assigned to {party_id}", refers_to=payment_key))
    imputation = impute(session, party_id, f"{key}/imputation", booked_on, designation=designation,
                        designated_amount=amount, policy=policy)
    return PaymentResult(result, imputation)


def refund(session: Session, key: str, party_id: int, amount_cents: int, booked_on: dt.date, *,
           iban: str | None = None, reason: str | None = None) -> PostResult:
    """Order a refund of the debtor's credit (paid later by ``payout``, e.g. in a pain.001 file)."""
    _positive(amount_cents)
    if transaction_id(session, key) is None:
        available = credit_available(session, party_id)
        if amount_cents > available:
            raise Conflict("amount_cents", "party {party} has {available} cents of credit, cannot refund {amount}",
                           party=party_id, available=available, amount=amount_cents)
    explanation = {k: v for k, v in (("iban", iban), ("reason", reason)) if v}
    return post(session, Posting(key, "refund", booked_on,
                                 (Entry("credit", amount_cents, party_id),
                                  Entry("refund", -amount_cents, party_id, None, None, None, None,
                                        explanation or None)), reason))


def refund_unmatched(session: Session, key: str, payment_key: str, booked_on: dt.date, *,
                     iban: str | None = None, reason: str | None = None) -> PostResult:
    """Order the refund of what is left of a parked payment to its payer (wrong fund, unknown payer)."""
    if transaction_id(session, key) is None:
        left = unassigned(session, payment_key)
        if left <= 0:
            raise Conflict("payment_key", "{payment} has nothing left in suspense", payment=payment_key)
    else:
        left = -sum(e.amount_cents for e in load(session, key).entries if e.account == "refund")
    explanation = {k: v for k, v in (("iban", iban), ("reason", reason)) if v}
    return post(session, Posting(key, "refund", booked_on,
                                 (Entry("suspense", left, None),
                                  Entry("refund", -left, None, None, None, None, None, explanation or None)),
                                 reason, refers_to=payment_key))


def payout(session: Session, key: str, order_key: str, booked_on: dt.date) -> PostResult:
    """Pay a refund order or a granted benefit from the fund's bank account (credit transfer executed)."""
    order = load(session, order_key)
    if order is None:
        raise NotFound("transaction", order_key)
    payable = [e for e in order.entries if e.account in ("refund", "benefit") and e.amount_cents < 0]
    if not payable:
        raise InvalidInput("order_key", "{order} is not a refund or benefit order", order=order_key)
    if transaction_id(session, key) is None:
        oid = transaction_id(session, order_key)
        paid = session.scalar(select(LedgerTransaction.key).where(LedgerTransaction.refers_to_id == oid,
                                                                   LedgerTransaction.kind == "payout"))
        if paid:
            raise Conflict("order_key", "{order} was already paid by {paid}", order=order_key, paid=paid)
    entries = [Entry(e.account, -e.amount_cents, e.party_id, e.period) for e in payable]
    total = sum(e.amount_cents for e in entries)
    entries.append(Entry("bank", -total, payable[0].party_id))
    return post(session, Posting(key, "payout", booked_on, tuple(entries), None, None, None, order_key))


def grant_benefit(session: Session, key: str, party_id: int, period: str, amount_cents: int,
                  booked_on: dt.date, *, rule: str, parameter: str | None = None,
                  explanation: dict | None = None) -> PostResult:
    """A benefit the fund owes (bridging right, birth leave, ...), paid later by ``payout``."""
    _positive(amount_cents)
    return post(session, Posting(key, "benefit", booked_on, (
        Entry("benefit_expense", amount_cents, party_id, period, None, rule, parameter),
        Entry("benefit", -amount_cents, party_id, period, None, rule, parameter, explanation))))


def write_off(session: Session, key: str, party_id: int, account: str, period: str, amount_cents: int,
              booked_on: dt.date, *, rule: str, reason: str | None = None) -> PostResult:
    """Renounce (part of) a debt, e.g. art. 50bis RD 19-12-1967 (< 500 EUR, person no longer subject)."""
    _positive(amount_cents)
    if account not in RECEIVABLE:
        raise InvalidInput("account", "{account} is not a debt account", account=repr(account))
    if transaction_id(session, key) is None:
        open_ = sum(b.balance_cents for b in balances(session, party_id=party_id, accounts=(account,))
                    if b.period == period)
        if amount_cents > open_:
            raise Conflict("amount_cents", "only {open} cents of {account} are open for {period}: a write-off gives up "
                           "a debt, it never creates credit", open=open_, account=account, period=period)
    return post(session, Posting(key, "write_off", booked_on, (
        Entry("write_off", amount_cents, party_id, period, None, rule),
        Entry(account, -amount_cents, party_id, period, None, rule, None, {"reason": reason} if reason else None))))


def return_payment(session: Session, payment_key: str, key: str, booked_on: dt.date, reason: str) -> list[PostResult]:
    """A payment the bank took back (R-transaction, bounced): reverse its imputation and the receipt, then
    impute what credit is left again. Returns the postings made (empty when ``key`` was already used)."""
    if transaction_id(session, key) is not None:
        return []
    payment = load(session, payment_key)
    if payment is None or payment.kind != "payment":
        raise NotFound("payment", payment_key)
    party = next((e.party_id for e in payment.entries if e.account == "credit"), None)
    done = []
    if transaction_id(session, f"{payment_key}/imputation") is not None:
        done.append(reverse(session, f"{payment_key}/imputation", f"{key}/imputation", booked_on, reason))
    done.append(reverse(session, payment_key, key, booked_on, reason))
    if party is not None:
        uncovered = -credit_available(session, party)
        if uncovered > 0:
            # The money was already refunded or set off before the bank took it back: the debtor now owes it.
            # Kept as a visible debt (costs of the quarter), never as a negative credit nobody would collect.
            quarter = f"{booked_on.year}Q{(booked_on.month - 1) // 3 + 1}"
            done.append(post(session, Posting(f"{key}/uncovered", "charge", booked_on, (
                Entry("costs", uncovered, party, quarter, booked_on, "Civil Code art. 1235 (undue payment)", None,
                      {"text": f"amount already refunded or used, on a payment the bank took back: {reason}"}),
                Entry("credit", -uncovered, party)))))
        again = impute(session, party, f"{key}/reimputation", booked_on)
        if again:
            done.append(again)
    return done


# the fund's own accounts, which carry the party only for the trail: not lines of the party's statement
STATEMENT_EXCLUDED = ("income", "bank", "write_off", "benefit_expense", "withholding_tax")


def party_entries(session: Session, party_id: int) -> list[tuple]:
    """(booked_on, transaction key, kind, description, account, period, amount, due_date, rule, parameter,
    explanation) of every entry on the party's accounts, oldest first: the statement's lines."""
    t, e = LedgerTransaction, LedgerEntry
    q = (select(t.booked_on, t.key, t.kind, t.description, e.account, e.period, e.amount_cents, e.due_date,
                e.rule, e.parameter, e.explanation)
         .join(t, t.id == e.transaction_id)
         .where(e.party_id == party_id, e.account.not_in(STATEMENT_EXCLUDED))
         .order_by(t.booked_on, t.id, e.id))
    return list(session.execute(q))


__all__ = ["Balance", "DebtLine", "PaymentResult", "assign", "charge", "charge_posting", "grant_benefit", "impute",
           "imputation_entries", "imputation_posting", "party_entries", "payment_posting", "payout",
           "receive_payment", "receive_via_partner", "refund", "refund_unmatched", "remittance_posting",
           "return_payment", "settle_clearing", "write_off"]
