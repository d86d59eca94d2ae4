"""The reconciliation desk: staff look at the bank lines the import could not book and settle each one, with the
services of ``caisse.collection.reconciliation`` (the same as ``caisse reconcile``): assign a parked payment to a
debtor, refund it to its payer, or acknowledge a debit. This module adds what the desk needs around them: who
may (roles, and the debtor's file: another team's file needs a stated reason), the audited read of the lines
(payer names and accounts are personal data), and IBANs masked in the list.

Money leaving the fund goes through four eyes (``services.approvals``, kind ``parked_refund``, keyed on the
reconciliation item — parked money belongs to no file): a refund to the account the money came from, up to
``CAISSE_FOUR_EYES_THRESHOLD_CENTS``, is ordered at once; above it, or to any other account, it waits — the
line shows "awaiting approval" — until a manager who did not ask approves it in the approval inbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse import identifiers
from caisse.cases.models import Case
from caisse.collection import reconciliation as recon
from caisse.errors import InvalidInput
from caisse.security import authz
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access

READERS = frozenset({"caseworker", "recovery_officer", "manager", "auditor", "system"})
ACTORS = frozenset({"caseworker", "recovery_officer", "manager", "system"})
WHAT = "payer name, masked IBAN, communication, amount, suggested files"


@dataclass
class Row:
    item: dict
    iban_masked: str
    case_id: int | None


def _reader(who: Principal) -> None:
    if who.role not in READERS:
        raise authz.Forbidden(f"{who.role} may not read the bank lines to reconcile")


def _actor(who: Principal) -> None:
    if who.role not in ACTORS:
        raise authz.Forbidden(f"{who.role} may not reconcile bank lines")


def _cases(session: Session, lines: list[int]) -> dict[int, int]:
    if not lines:
        return {}
    keys = {f"bank_line/{line}": line for line in lines}
    return {keys[k]: cid for k, cid in session.execute(select(Case.key, Case.id).where(Case.key.in_(list(keys))))}


def _row(item: dict, cases: dict[int, int]) -> Row:
    iban = item.get("counterparty_iban")
    return Row(item, identifiers.mask_iban(iban) if iban else "", cases.get(item["bank_line"]))


def _audit(session: Session, who: Principal, items: list[dict]) -> None:
    audit.record(session, who, "read", "reconciliation_item", None, detail={"what": WHAT,
                                                                          "items": [it["item"] for it in items]})
    audit.record_reads(session, who, "reconciliation_item",
                       (s["party_id"] for it in items for s in it["suggestions"] if s.get("party_id")), what=WHAT)


def queue(session: Session, who: Principal, *, status: str | None = "open", reason: str | None = None,
          limit: int = 200) -> list[Row]:
    _reader(who)
    items = recon.list_items(session, status=status, reason=reason, limit=limit)
    _audit(session, who, items)
    cases = _cases(session, [it["bank_line"] for it in items])
    return [_row(it, cases) for it in items]


def item(session: Session, who: Principal, item_id: int) -> Row:
    _reader(who)
    found = recon.show_item(session, item_id)
    _audit(session, who, [found])
    return _row(found, _cases(session, [found["bank_line"]]))


def assign(session: Session, who: Principal, item_id: int, party_id: int, period: str | None = None):
    """The payer is debtor ``party_id``: the payment is booked on their account at the bank's value date."""
    _actor(who)
    file_access(session, who, "file.read", party_id)  # another team's file: a stated reason first
    period = (period or "").strip().upper() or None
    return recon.assign_item(session, item_id, party_id, who, designation=period)


def refund(session: Session, who: Principal, item_id: int, reason: str, iban: str | None = None):
    """Give a parked payment back, to its payer's account or another: a four-eyes request
    (``RefundOrder``: ordered at once, or awaiting a manager's approval)."""
    _actor(who)
    authz.require(who, "money.order")
    iban = (iban or "").strip() or None
    if iban is not None:
        iban = identifiers.normalize_iban(iban, "iban")
    if not (reason or "").strip():
        raise InvalidInput("reason", "say why the payment is refunded (wrong fund, unknown payer, ...)")
    return recon.refund_item(session, item_id, who, reason=reason, iban=iban)


def acknowledge(session: Session, who: Principal, item_id: int, note: str) -> None:
    """A debit nobody ordered through caisse (bank costs, ...), explained."""
    _actor(who)
    recon.acknowledge_item(session, item_id, who, note=note)
