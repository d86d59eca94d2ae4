"""Balances and open items, always derived from the entries (SQL GROUP BY), never stored.

The database views ``ledger_balance`` and ``ledger_open_item`` (migration 0002) are the same
aggregations for reporting tools; ``caisse ledger check`` verifies that they agree with the entries.
``balance_select`` is a Core SELECT a batch can embed in its own set-based SQL (e.g. surcharges as of
a date).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    select,
)
from sqlalchemy.orm import Session

from caisse.ledger.models import (
    BENEFIT_UNDUE,
    BUYBACK,
    PARTNER_CLEARING,
    PRINCIPAL,
    RECEIVABLE,
    LedgerEntry,
    LedgerTransaction,
)

# The views, described for querying only (a separate MetaData: they are not tables to create or compare).
_views = MetaData()
balance_view = Table(
    "ledger_balance", _views,
    Column("party_id", Integer), Column("account", String), Column("period", String),
    Column("balance_cents", BigInteger), Column("due_date", Date), Column("entries", Integer),
)
open_item_view = Table(
    "ledger_open_item", _views,
    Column("party_id", Integer), Column("account", String), Column("period", String),
    Column("balance_cents", BigInteger), Column("due_date", Date),
)


class Balance(NamedTuple):
    party_id: int | None
    account: str
    period: str | None
    balance_cents: int
    due_date: dt.date | None  # earliest due date among the account's entries
    not_yet_due: bool = False  # the part of an open item that falls due after the day of imputation


def pending_charges(session: Session, party_ids, after: dt.date,
                    booked_by: dt.date | None = None) -> dict[int, dict[tuple, list]]:
    """Charges of the debtors that fall due after ``after`` (a call before its due date, a regularisation
    supplement due next quarter): ``{party: {(account, period): [(due_date, cents), ...]}}``. ``booked_by``: only
    charges booked on or before that day (to split balances read ``as_of`` that day)."""
    e = LedgerEntry
    out: dict[int, dict[tuple, list]] = {}
    ids = sorted(set(party_ids))
    for i in range(0, len(ids), 5000):
        q = (select(e.party_id, e.account, e.period, e.due_date, cast(func.sum(e.amount_cents), BigInteger))
             .where(e.party_id.in_(ids[i:i + 5000]), e.account.in_(RECEIVABLE), e.amount_cents > 0,
                    e.due_date > after)
             .group_by(e.party_id, e.account, e.period, e.due_date))
        if booked_by is not None:
            q = q.join(LedgerTransaction, LedgerTransaction.id == e.transaction_id).where(
                LedgerTransaction.booked_on <= booked_by)
        for party, account, period, due, cents in session.execute(q):
            due = due if isinstance(due, dt.date) else dt.date.fromisoformat(str(due))
            out.setdefault(party, {}).setdefault((account, period), []).append((due, int(cents)))
    return out


def split_not_yet_due(rows, pending: dict[tuple, list] | None, on: dt.date | None) -> list[Balance]:
    """Each open item split in the part already due on ``on`` and the part that falls due later.

    Within an item, money settles the charge due first, so what is still open is the latest charge: the
    not-yet-due part is min(balance, charges due after ``on``). Other rows pass unchanged."""
    if not pending or on is None:
        return list(rows)
    out: list[Balance] = []
    append = out.append  # a bank file calls this once per payment: plain loops, no _replace
    for b in rows:
        charges = pending.get((b.account, b.period)) if b.balance_cents > 0 else None
        later, first = 0, None
        for d, c in charges or ():
            if d > on:
                later += c
                if first is None or d < first:
                    first = d
        if not later:
            append(b)
            continue
        not_due = min(b.balance_cents, later)
        if b.balance_cents > not_due:
            append(Balance(b.party_id, b.account, b.period, b.balance_cents - not_due, b.due_date))
        append(Balance(b.party_id, b.account, b.period, not_due, first, True))
    return out


def balance_select(*, party_id: int | None = None, as_of: dt.date | None = None,
                   accounts: tuple[str, ...] | None = None) -> Select:
    """SELECT party_id, account, period, balance_cents, due_date grouped from entries.

    ``as_of``: only transactions booked on or before that date (e.g. unpaid principal at a quarter's end).
    """
    e = LedgerEntry
    q = select(e.party_id, e.account, e.period,
               cast(func.sum(e.amount_cents), BigInteger).label("balance_cents"),
               func.min(e.due_date).label("due_date"))
    if as_of is not None:
        q = q.join(LedgerTransaction, LedgerTransaction.id == e.transaction_id).where(
            LedgerTransaction.booked_on <= as_of)
    if party_id is not None:
        q = q.where(e.party_id == party_id)
    if accounts is not None:
        q = q.where(e.account.in_(accounts))
    return q.group_by(e.party_id, e.account, e.period)


def balances(session: Session, *, party_id: int | None = None, as_of: dt.date | None = None,
             accounts: tuple[str, ...] | None = None) -> list[Balance]:
    """The balances per party, account and period, in that order on every database whatever order the GROUP BY
    returns (an imputation, a letter or an export lists them as they come; the order of the bulk paths'
    ``coda_import.debtor_state``, so that ``impute`` and a set-based importer write the same entries)."""
    rows = session.execute(balance_select(party_id=party_id, as_of=as_of, accounts=accounts))
    out = [Balance(r.party_id, r.account, r.period, int(r.balance_cents), r.due_date) for r in rows]
    out.sort(key=lambda b: (b.party_id is None, b.party_id or 0, b.account, b.period is not None, b.period or ""))
    return out


def open_items(session: Session, party_id: int | None = None) -> list[Balance]:
    """Debts still (partly) unpaid: receivable accounts with a positive balance, from the view."""
    v = open_item_view
    q = select(v).order_by(v.c.party_id, v.c.period, v.c.account)
    if party_id is not None:
        q = q.where(v.c.party_id == party_id)
    return [Balance(r.party_id, r.account, r.period, int(r.balance_cents), r.due_date) for r in session.execute(q)]


def _sum(session: Session, *conditions) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(and_(*conditions))))


def credit_available(session: Session, party_id: int) -> int:
    """Money held for the debtor (overpayment, not yet imputed or refunded), in cents, >= 0 when healthy."""
    return -_sum(session, LedgerEntry.party_id == party_id, LedgerEntry.account == "credit")


def amount_due(session: Session, party_id: int) -> int:
    """Total of the debtor's open items (principal, surcharges, costs)."""
    return sum(b.balance_cents for b in open_items(session, party_id))


def unpaid_principal(session: Session, as_of: dt.date, party_id: int | None = None) -> list[Balance]:
    """Principal (contribution, management fee, company contribution) unpaid at ``as_of``: the surcharge
    base (art. 44 RD 19-12-1967: surcharges are never charged on surcharges)."""
    return [b for b in balances(session, party_id=party_id, as_of=as_of, accounts=PRINCIPAL) if b.balance_cents > 0]


def unassigned(session: Session, payment_key: str) -> int:
    """What is left in suspense of a parked payment (after assignments and refunds referring to it)."""
    tid = session.scalar(select(LedgerTransaction.id).where(LedgerTransaction.key == payment_key))
    if tid is None:
        return 0
    t = LedgerTransaction
    related = select(t.id).where((t.id == tid) | (t.refers_to_id == tid) | (t.corrects_id == tid))
    return -_sum(session, LedgerEntry.transaction_id.in_(related), LedgerEntry.account == "suspense")


def clearing_balances(session: Session, as_of: dt.date | None = None) -> dict[str, tuple[int, int]]:
    """Per partner code: (collected, remitted) on its clearing account, in cents — booked on or before ``as_of``
    when given. What the partner still owes the fund is collected − remitted."""
    e, t = LedgerEntry, LedgerTransaction
    q = (select(e.parameter,
                cast(func.coalesce(func.sum(case((e.amount_cents > 0, e.amount_cents), else_=0)), 0), BigInteger),
                cast(func.coalesce(func.sum(case((e.amount_cents < 0, -e.amount_cents), else_=0)), 0), BigInteger))
         .where(e.account == PARTNER_CLEARING).group_by(e.parameter))
    if as_of is not None:
        q = q.join(t, t.id == e.transaction_id).where(t.booked_on <= as_of)
    return {code: (int(collected), int(remitted)) for code, collected, remitted in session.execute(q)}


def clearing_balance(session: Session, partner_code: str) -> int:
    """What the partner (its code) collected for the fund and has not remitted yet, in cents."""
    return _sum(session, LedgerEntry.account == PARTNER_CLEARING, LedgerEntry.parameter == partner_code)


class UndueItem(NamedTuple):
    """One recovery decision of an undue benefit on the ledger: ``parameter`` = ``benefit_undue:<id>``."""

    parameter: str
    period: str
    open_cents: int  # > 0: still owed by the person


def undue_items_of(session: Session, party_ids) -> dict[int, list[UndueItem]]:
    """Every recovery decision of the persons (settled ones too: the n-th keeps its number), in the order decided."""
    e = LedgerEntry
    out: dict[int, list[UndueItem]] = {}
    ids = sorted(set(party_ids))
    for i in range(0, len(ids), 5000):
        q = (select(e.party_id, e.parameter, func.min(e.period), cast(func.sum(e.amount_cents), BigInteger))
             .where(e.account == BENEFIT_UNDUE, e.party_id.in_(ids[i:i + 5000]))
             .group_by(e.party_id, e.parameter))
        for party, parameter, period, cents in session.execute(q):
            out.setdefault(party, []).append(UndueItem(parameter, period, int(cents)))
    for items in out.values():
        items.sort(key=lambda u: int(u.parameter.rpartition(":")[2]))
    return out


def undue_items(session: Session, party_id: int) -> list[UndueItem]:
    """The person's undue benefits on the ledger, one item per recovery decision, in the order decided."""
    return undue_items_of(session, [party_id]).get(party_id, [])


class BuybackItem(NamedTuple):
    """One dispensed quarter of a buy-back request on the ledger: ``parameter`` = ``buyback:<id>``."""

    parameter: str
    period: str
    open_cents: int  # > 0: still to pay to buy the quarter back
    deadline: dt.date  # the quarter's buy-back deadline (the entry's due date)


def buyback_items_of(session: Session, party_ids) -> dict[int, list[list[BuybackItem]]]:
    """Per person, their buy-back requests in the order asked (the n-th is ``buyback/n``), each the list of its
    quarters (oldest first); settled ones too, so that the n-th keeps its number."""
    e = LedgerEntry
    rows: dict[int, dict[int, list[BuybackItem]]] = {}
    ids = sorted(set(party_ids))
    for i in range(0, len(ids), 5000):
        q = (select(e.party_id, e.parameter, e.period, func.max(e.due_date), cast(func.sum(e.amount_cents),
                                                                                 BigInteger))
             .where(e.account == BUYBACK, e.party_id.in_(ids[i:i + 5000]))
             .group_by(e.party_id, e.parameter, e.period))
        for party, parameter, period, due, cents in session.execute(q):
            due = due if isinstance(due, dt.date) else dt.date.fromisoformat(str(due))
            rows.setdefault(party, {}).setdefault(int(parameter.rpartition(":")[2]), []).append(
                BuybackItem(parameter, period, int(cents), due))
    return {party: [sorted(items, key=lambda b: b.period) for _, items in sorted(requests.items())]
            for party, requests in rows.items()}


def buyback_items(session: Session, party_id: int) -> list[list[BuybackItem]]:
    return buyback_items_of(session, [party_id]).get(party_id, [])


def undue_open(session: Session, undue_id: int) -> int:
    """What is still owed on one recovery decision (``benefit_undue:<id>``), in cents."""
    return _sum(session, LedgerEntry.account == BENEFIT_UNDUE, LedgerEntry.parameter == f"benefit_undue:{undue_id}")


__all__ = ["BuybackItem", "buyback_items", "buyback_items_of", "UndueItem",
           "undue_items", "undue_items_of", "undue_open",
           "RECEIVABLE", "Balance", "amount_due", "balance_select", "balances", "clearing_balance",
           "clearing_balances", "credit_available", "open_items",
           "pending_charges", "split_not_yet_due", "unassigned", "unpaid_principal", "balance_view", "open_item_view"]
