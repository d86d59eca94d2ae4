"""Refunds and benefits paid by SEPA credit transfer (pain.001.001.03).

``caisse export credit-transfers --execution-date D`` pays every order the ledger holds and nobody paid yet:
refund orders (``ledger.refund``, ``ledger.refund_unmatched`` from the reconciliation queue) and granted
benefits (``ledger.grant_benefit``) — a transaction of kind refund/benefit with a payable entry, not
corrected, not paid by a payout, not already in a credit transfer. Each transfer posts ``ledger.payout``
(key ``pain001/<message id>/<end-to-end id>``) in the same database transaction that records the file, so
an order is paid once: a second run finds nothing new and hands back the date's last file.

The execution date is a TARGET2 business day, not before the day the file is made: a closed day or a past day is
refused naming the next possible day (a run with nothing to pay still hands back the date's last file).

The beneficiary's account: the IBAN on the order (a refund to the payer's account), else the debtor's bank
account valid on D. An order without a usable account or name is skipped and reported, never guessed.
The CODA import later confirms each transfer by its end-to-end id (or the whole file when the bank books it
as one amount), and parks a transfer that comes back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import Engine, insert, or_, select
from sqlalchemy.orm import Session, aliased

from caisse.benefits.payment_texts import REMITTANCE_INTEREST
from caisse.collection.coda_import import LOCK
from caisse.collection.db import begin_write, next_ids
from caisse.collection.direct_debit import RunResult
from caisse.collection.models import BankLine, CreditTransfer, CreditTransferRun
from caisse.config import Settings, get_settings
from caisse.errors import InvalidInput
from caisse.exchange.sepa import Account, check_execution_date, sepa_text
from caisse.exchange.sepa import CreditTransfer as Transfer
from caisse.exchange.sepa import build_credit_transfers as build
from caisse.identifiers import normalize_iban
from caisse.ledger import payout
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.services import audit
from caisse.store.db import engine_for
from caisse.store.models import BankAccount, Company, Party, Person

TEXTS = {
    "refund": {"fr": "Remboursement de cotisations sociales", "nl": "Terugbetaling sociale bijdragen",
               "de": "Rueckzahlung Sozialbeitraege"},
    "benefit": {"fr": "Prestation", "nl": "Uitkering", "de": "Leistung"},
    "unmatched": "Remboursement / terugbetaling",
}


@dataclass
class Order:
    key: str
    kind: str  # refund or benefit
    party_id: int | None
    amount_cents: int
    period: str | None
    iban: str | None
    refers_to: int | None


@dataclass
class TransferResult(RunResult):
    skipped: list[str] = field(default_factory=list)

    def line(self) -> str:
        base = super().line().replace("direct debits", "credit transfers").replace("to collect", "to pay")
        return base + (f"; skipped {len(self.skipped)}" if self.skipped else "")


def unpaid_orders(session: Session) -> list[Order]:
    """Refund and benefit orders not yet paid, oldest first."""
    t, e = LedgerTransaction, LedgerEntry
    paid, corr = aliased(LedgerTransaction), aliased(LedgerTransaction)
    q = (select(t.key, t.kind, t.refers_to_id, e.party_id, e.account, e.period, e.amount_cents, e.explanation)
         .join(e, e.transaction_id == t.id)
         .where(t.kind.in_(("refund", "benefit")), t.corrects_id.is_(None),
                e.account.in_(("refund", "benefit")), e.amount_cents < 0,
                ~select(paid.id).where(paid.refers_to_id == t.id, paid.kind == "payout").exists(),
                ~select(corr.id).where(corr.corrects_id == t.id).exists(),
                ~select(CreditTransfer.id).where(CreditTransfer.order_key == t.key).exists())
         .order_by(t.id, e.id))
    orders: dict[str, Order] = {}
    for key, kind, refers_to, party, _account, period, cents, explanation in session.execute(q):
        if isinstance(explanation, str):
            explanation = json.loads(explanation)
        o = orders.get(key)
        if o is None:
            orders[key] = Order(key, kind, party, -int(cents), period, (explanation or {}).get("iban"), refers_to)
        else:
            o.amount_cents -= int(cents)
    return list(orders.values())


def _beneficiary(session: Session, o: Order, day: dt.date) -> tuple[str | None, str | None, str | None, str]:
    """(name, iban, bic, language) of whom an order pays."""
    name, iban, bic, language = None, o.iban, None, "fr"
    if o.party_id is not None:
        party = session.get(Party, o.party_id)
        language = party.language if party else "fr"
        person = session.get(Person, o.party_id)
        company = None if person else session.get(Company, o.party_id)
        name = f"{person.first_name} {person.last_name}" if person else company.name if company else None
        if iban is None:
            acc = session.scalar(select(BankAccount).where(
                BankAccount.party_id == o.party_id, BankAccount.valid_from <= day,
                or_(BankAccount.valid_to.is_(None), BankAccount.valid_to >= day))
                .order_by(BankAccount.valid_from.desc(), BankAccount.id.desc()).limit(1))
            if acc is not None:
                iban, bic = acc.iban, acc.bic
    elif o.refers_to is not None:  # a parked payment refunded to its payer: the name the bank gave
        payment_key = session.scalar(select(LedgerTransaction.key).where(LedgerTransaction.id == o.refers_to))
        name = session.scalar(select(BankLine.counterparty_name).where(BankLine.ledger_key == payment_key))
    return name, iban, bic, language


def _plan(session: Session, day: dt.date) -> tuple[list, list[str]]:
    """The orders to pay with their beneficiary (name, IBAN, BIC, language), and those skipped with why."""
    skipped: list[str] = []
    plan = []
    for o in unpaid_orders(session):
        name, iban, bic, language = _beneficiary(session, o, day)
        try:
            iban = normalize_iban(iban, "iban") if iban else None
            name = sepa_text(name, 70, "name") if name else None
        except InvalidInput as exc:
            skipped.append(f"{o.key}: {exc}")
            continue
        if not iban or not name:
            skipped.append(f"{o.key}: no {'IBAN' if not iban else 'name'} for the beneficiary")
            continue
        plan.append((o, name, iban, bic, language))
    return plan, skipped


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def export_credit_transfers(db: str | Engine, execution_date: dt.date, *, who: object = "credit-transfers",
                            settings: Settings | None = None, now: dt.datetime | None = None) -> TransferResult:
    """Pay every unpaid order on ``execution_date``; see the module docstring. With something to pay, the date must
    be a TARGET2 business day, not before today (``exchange.sepa.check_execution_date``)."""
    if not isinstance(execution_date, dt.date):
        raise InvalidInput("execution_date", "a date is required")
    settings = settings or get_settings()
    debtor = Account(name=settings.fund_name, iban=settings.fund_iban, bic=settings.fund_bic or None)
    engine = engine_for(db) if isinstance(db, str) else db
    with Session(engine, expire_on_commit=False) as session, session.begin():
        conn = session.connection()
        begin_write(conn, LOCK)
        plan, skipped = _plan(session, execution_date)
        created_at = (now or _now()).replace(microsecond=0)
        if plan:  # before any order is added, numbered or paid
            check_execution_date(execution_date, created_at.date())
        # a benefit paid after its Charter deadline: its late-payment interest to this day, paid in the same file
        # (benefits.payments: only when the fund entered a rate for every day late)
        from caisse.benefits.payments import order_for_run
        from caisse.security.authz import Principal

        if order_for_run(session, Principal.system(str(who)), [o.key for o, *_ in plan if o.kind == "benefit"],
                         execution_date):
            plan, skipped = _plan(session, execution_date)
        same_day = list(session.scalars(select(CreditTransferRun).where(
            CreditTransferRun.execution_date == execution_date).order_by(CreditTransferRun.id)))
        if not plan:
            last = same_day[-1] if same_day else None
            return TransferResult(last and last.message_id, last and last.content, last.count if last else 0,
                                  last.total_cents if last else 0, False, skipped)
        message_id = f"CT-{execution_date:%Y%m%d}-{len(same_day) + 1}"
        ids = next_ids(conn, "credit_transfer", len(plan))
        transfers, rows = [], []
        for tid, (o, name, iban, bic, language) in zip(ids, plan, strict=True):
            e2e = f"CAISSE-CT-{tid}"
            if o.kind == "benefit" and o.key.endswith("/interest"):
                text = f"{REMITTANCE_INTEREST.get(language, REMITTANCE_INTEREST['fr'])} {o.period or ''}".strip()
            elif o.kind == "benefit":
                text = f"{TEXTS['benefit'][language]} {o.period or ''}".strip()
            elif o.party_id is None:
                text = TEXTS["unmatched"]
            else:
                text = TEXTS["refund"][language]
            transfers.append(Transfer(end_to_end_id=e2e, amount_cents=o.amount_cents, creditor_name=name,
                                      creditor_iban=iban, creditor_bic=bic, remittance_text=text,
                                      purpose="SSBE" if o.kind == "benefit" else None))
            rows.append(dict(id=tid, order_key=o.key, payout_key=f"pain001/{message_id}/{e2e}", end_to_end_id=e2e,
                             party_id=o.party_id, amount_cents=o.amount_cents, creditor_name=name,
                             creditor_iban=iban, creditor_bic=bic, status="sent"))
        xml = build(message_id=message_id, created_at=created_at, debtor=debtor, execution_date=execution_date,
                    transfers=transfers, initiating_party_kbo=settings.fund_kbo)
        total = sum(r["amount_cents"] for r in rows)
        run_id = conn.execute(insert(CreditTransferRun).returning(CreditTransferRun.id), [dict(
            message_id=message_id, execution_date=execution_date, created_at=created_at, created_by=str(who),
            count=len(rows), total_cents=total, sha256=hashlib.sha256(xml).hexdigest(), content=xml)]).scalar_one()
        conn.execute(insert(CreditTransfer), [{**r, "run_id": run_id} for r in rows])
        for r in rows:
            payout(session, r["payout_key"], r["order_key"], execution_date)
        audit.record(session, who, "export", "ct_run", run_id,
                     detail={"message_id": message_id, "count": len(rows), "total_cents": total,
                             "execution_date": execution_date.isoformat(), "skipped": len(skipped)})
        return TransferResult(message_id, xml, len(rows), total, True, skipped)
