"""SEPA direct debit: mandates and collection runs (pain.008.001.02).

A **mandate** (``sepa_mandate``) is signed by a debtor for the fund's creditor identifier: a unique reference,
the signature date, the debtor's account; at most one active mandate per debtor. It is revoked by the debtor
(or suspended by the import when the bank returns a collection for a reason that makes it unusable: closed
account, no mandate, debtor deceased).

A **collection run** (``caisse export sepa-dd --collection-date D``) collects, for every active mandate
signed by D, what the debtor owes: his open items due by ``due_by`` (default: D), less the credit he holds,
less what earlier collections still in flight (sent, not yet credited or returned) will bring. Nothing is
booked then: the money is booked when the bank credits it (the CODA import matches the credit by its
end-to-end id, with the collection's structured communication as designation). So running the same date
twice collects nothing twice: the second run finds everything in flight and hands back the file it made.

Sequence type: FRST for a mandate's first collection, RCUR afterwards; a collection the bank rejected
(never settled) does not count, so the next one is FRST again. (Since the November 2016 rulebooks FRST is no longer
required, only allowed; every sequence type goes to the debtor bank by D-1.)

The collection date must be a TARGET2 business day at least one TARGET2 business day after today
(``exchange.sepa.check_collection_date``).

A mandate with no collection presented for 36 months (counted from the latest collection, even one rejected,
returned or refunded; from the signature when it was never used) has lapsed (SDD Core rulebook, mandate
expiry): it is not collected on and the run reports it, so that the fund revokes it and asks a new mandate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from caisse.collection.coda_import import LOCK
from caisse.collection.db import begin_write, next_ids, select_in
from caisse.collection.models import DirectDebitCollection, DirectDebitRun, SepaMandate
from caisse.config import Settings, get_settings
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.exchange.sepa import (
    Creditor,
    DirectDebit,
    belgian_creditor_id,
    build_direct_debits,
    check_collection_date,
    sepa_id,
    sepa_text,
)
from caisse.identifiers import normalize_bic, normalize_iban
from caisse.ledger.models import RECEIVABLE
from caisse.references import for_company_contribution, for_quarter, for_statement
from caisse.services import audit
from caisse.services.calendar import add_months
from caisse.store.db import engine_for
from caisse.store.models import Company, Party, Person

MANDATE_LAPSE_MONTHS = 36


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def lapsed_on(signed_on: dt.date, last_collection: dt.date | None) -> dt.date:
    """The day a mandate lapses when no collection is presented: 36 months after the latest collection's date
    (whatever became of it), or after the signature when there was none."""
    return add_months(last_collection or signed_on, MANDATE_LAPSE_MONTHS)


def _display_name(session: Session, party_id: int) -> str | None:
    person = session.get(Person, party_id)
    if person is not None:
        return f"{person.first_name} {person.last_name}"
    company = session.get(Company, party_id)
    return company.name if company is not None else None


def add_mandate(session: Session, party_id: int, iban: str, signed_on: dt.date, who: object, *,
                bic: str | None = None, debtor_name: str | None = None, reference: str | None = None,
                today: dt.date | None = None) -> SepaMandate:
    """Record a mandate the debtor signed. Refused: unknown debtor, bad IBAN/BIC, a signature in the future,
    a reference already used, a second active mandate for the same debtor."""
    if session.get(Party, party_id) is None:
        raise NotFound("debtor", party_id)
    iban = normalize_iban(iban, "iban")
    bic = normalize_bic(bic, "bic") if bic else None
    if not isinstance(signed_on, dt.date):
        raise InvalidInput("signed_on", "the signature date is required")
    if signed_on > (today or dt.date.today()):
        raise InvalidInput("signed_on", "{day} is in the future", day=signed_on)
    active = session.scalar(select(SepaMandate.reference).where(SepaMandate.party_id == party_id,
                                                                SepaMandate.status == "active"))
    if active:
        raise Conflict("debtor", "debtor {party} already has the active mandate {mandate}: revoke it first",
                       party=party_id, mandate=active)
    if reference is None:
        n = session.scalar(select(func.count()).select_from(SepaMandate).where(SepaMandate.party_id == party_id))
        reference = f"CAISSE-{party_id:07d}-{n + 1:03d}"
    reference = sepa_id(reference, "reference")
    if session.scalar(select(SepaMandate.id).where(SepaMandate.reference == reference)):
        raise Conflict("reference", "mandate reference {reference} is already used", reference=reference)
    name = sepa_text(debtor_name or _display_name(session, party_id), 70, "debtor_name")
    mandate = SepaMandate(reference=reference, party_id=party_id, debtor_name=name, iban=iban, bic=bic,
                          signed_on=signed_on, status="active")
    session.add(mandate)
    session.flush()
    audit.record(session, who, "create", "sepa_mandate", mandate.id, party_id=party_id,
                 detail={"reference": reference, "signed_on": signed_on.isoformat()})
    return mandate


def revoke_mandate(session: Session, reference: str, revoked_on: dt.date, who: object, *,
                   reason: str | None = None) -> SepaMandate:
    mandate = session.scalar(select(SepaMandate).where(SepaMandate.reference == reference))
    if mandate is None:
        raise NotFound("mandate", reference)
    if mandate.status == "revoked":
        raise Conflict("reference", "mandate {reference} was already revoked on {day}", reference=reference,
                       day=mandate.revoked_on)
    if not isinstance(revoked_on, dt.date) or revoked_on < mandate.signed_on:
        raise InvalidInput("revoked_on", "a date on or after the signature ({day}) is required",
                           day=mandate.signed_on)
    mandate.status, mandate.revoked_on, mandate.status_reason = "revoked", revoked_on, reason
    audit.record(session, who, "revoke", "sepa_mandate", mandate.id, party_id=mandate.party_id, reason=reason)
    return mandate


def list_mandates(session: Session, party_id: int | None = None) -> list[SepaMandate]:
    q = select(SepaMandate).order_by(SepaMandate.id)
    if party_id is not None:
        q = q.where(SepaMandate.party_id == party_id)
    return list(session.scalars(q))


@dataclass
class RunResult:
    message_id: str | None
    content: bytes | None
    count: int = 0
    total_cents: int = 0
    created: bool = False  # False: nothing new to collect (content is then the date's last file, if any)
    skipped: list[str] = field(default_factory=list)

    def line(self) -> str:
        if self.content is None:
            return "nothing to collect"
        eur = f"{self.total_cents // 100}.{self.total_cents % 100:02d} EUR"
        if not self.created:
            return f"nothing new: {self.message_id} ({self.count} debits, {eur}) was already made for this date"
        return f"{self.message_id}: {self.count} direct debits, {eur}"


def _due(session: Session, parties: list[int], due_by: dt.date) -> dict[int, dict]:
    """Per debtor: open items due by ``due_by`` (account, period) -> cents, and his credit."""
    conn = session.connection()
    accounts = ", ".join(f"'{a}'" for a in (*RECEIVABLE, "credit"))
    sql = (f"SELECT party_id, account, period, SUM(amount_cents), MIN(due_date) FROM ledger_entry "
           f"WHERE account IN ({accounts}) AND party_id IN ({{in}}) GROUP BY party_id, account, period")
    out: dict[int, dict] = defaultdict(lambda: {"items": {}, "credit": 0})
    for party, account, period, total, due in select_in(conn, sql, parties):
        total = int(total)
        if isinstance(due, str):
            due = dt.date.fromisoformat(due)
        if account == "credit":
            out[party]["credit"] -= total
        elif total > 0 and due is not None and due <= due_by:
            out[party]["items"][period] = out[party]["items"].get(period, 0) + total
    return out


def _ogm(party_id: int, periods: list[str], collection_date: dt.date) -> str:
    if len(periods) == 1:
        p = periods[0]
        if len(p) == 6:
            return for_quarter(party_id, int(p[:4]), int(p[5])).ogm
        return for_company_contribution(party_id, int(p)).ogm
    return for_statement(party_id, collection_date.year).ogm  # several periods: oldest first


def export_direct_debits(db: str | Engine, collection_date: dt.date, *, due_by: dt.date | None = None,
                         who: object = "sepa-dd", settings: Settings | None = None,
                         now: dt.datetime | None = None) -> RunResult:
    """Make (and record) the collection file of ``collection_date``; see the module docstring."""
    if not isinstance(collection_date, dt.date):
        raise InvalidInput("collection_date", "a date is required")
    due_by = due_by or collection_date
    settings = settings or get_settings()
    creditor = Creditor(name=settings.fund_name, iban=settings.fund_iban, bic=settings.fund_bic or None,
                        creditor_id=belgian_creditor_id(settings.fund_kbo))
    engine = engine_for(db) if isinstance(db, str) else db
    with Session(engine, expire_on_commit=False) as session, session.begin():
        conn = session.connection()
        begin_write(conn, LOCK)
        mandates = list(session.scalars(select(SepaMandate).where(
            SepaMandate.status == "active", SepaMandate.signed_on <= collection_date).order_by(SepaMandate.id)))
        parties = [m.party_id for m in mandates]
        due = _due(session, parties, due_by) if parties else {}
        c = DirectDebitCollection
        in_flight: dict[int, int] = defaultdict(int)
        in_flight.update((p, int(v)) for p, v in session.execute(
            select(c.party_id, func.sum(c.amount_cents)).where(c.status == "sent").group_by(c.party_id)))
        used = set(session.scalars(select(c.mandate_id).where(c.status != "rejected").distinct()))
        last_collected: dict[int, dt.date] = {}  # every collection presented counts, whatever became of it
        for mandate_id, day in session.execute(select(c.mandate_id, func.max(DirectDebitRun.collection_date))
                                               .join(DirectDebitRun, DirectDebitRun.id == c.run_id)
                                               .group_by(c.mandate_id)):
            last_collected[mandate_id] = dt.date.fromisoformat(day) if isinstance(day, str) else day
        plan, skipped = [], []
        for m in mandates:
            d = due.get(m.party_id)
            if not d or not d["items"]:
                continue
            lapse = lapsed_on(m.signed_on, last_collected.get(m.id))
            if collection_date >= lapse:
                since = last_collected.get(m.id)
                skipped.append(f"mandate {m.reference} (debtor {m.party_id}) lapsed on {lapse}: no collection for "
                               f"{MANDATE_LAPSE_MONTHS} months since "
                               + (f"the one of {since}" if since else f"its signature on {m.signed_on}"))
                continue
            amount = sum(d["items"].values()) - max(d["credit"], 0) - in_flight[m.party_id]
            if amount > 0:
                plan.append((m, amount, sorted(d["items"])))
        same_day = list(session.scalars(select(DirectDebitRun).where(
            DirectDebitRun.collection_date == collection_date).order_by(DirectDebitRun.id)))
        if not plan:
            last = same_day[-1] if same_day else None
            return RunResult(last and last.message_id, last and last.content, last.count if last else 0,
                             last.total_cents if last else 0, False, skipped)
        created_at = (now or _now()).replace(microsecond=0)
        check_collection_date(collection_date, created_at.date())  # before anything is numbered or recorded
        message_id = f"DD-{collection_date:%Y%m%d}-{len(same_day) + 1}"
        ids = next_ids(conn, "dd_collection", len(plan))
        debits, rows = [], []
        for cid, (m, amount, periods) in zip(ids, plan, strict=True):
            ogm = _ogm(m.party_id, periods, collection_date)
            e2e = f"CAISSE-DD-{cid}"
            seq = "RCUR" if m.id in used else "FRST"
            debits.append(DirectDebit(end_to_end_id=e2e, amount_cents=amount, debtor_name=m.debtor_name,
                                      debtor_iban=m.iban, debtor_bic=m.bic, mandate_id=m.reference,
                                      mandate_signature_date=m.signed_on, sequence_type=seq, ogm=ogm))
            rows.append(dict(id=cid, mandate_id=m.id, party_id=m.party_id, end_to_end_id=e2e, sequence_type=seq,
                             amount_cents=amount, ogm="".join(ch for ch in ogm if ch.isdigit()), status="sent"))
        xml = build_direct_debits(message_id=message_id, created_at=created_at, creditor=creditor,
                                  collection_date=collection_date, debits=debits,
                                  initiating_party_kbo=settings.fund_kbo)
        total = sum(r["amount_cents"] for r in rows)
        run_id = conn.execute(insert(DirectDebitRun).returning(DirectDebitRun.id), [dict(
            message_id=message_id, collection_date=collection_date, due_by=due_by, created_at=created_at,
            created_by=str(who), count=len(rows), total_cents=total, sha256=hashlib.sha256(xml).hexdigest(),
            content=xml)]).scalar_one()
        conn.execute(insert(DirectDebitCollection), [{**r, "run_id": run_id} for r in rows])
        audit.record(session, who, "export", "dd_run", run_id,
                     detail={"message_id": message_id, "count": len(rows), "total_cents": total,
                             "collection_date": collection_date.isoformat()})
        return RunResult(message_id, xml, len(rows), total, True, skipped)
