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

**Rhythm** (``sepa_mandate.rhythm``, :func:`set_rhythm`). A *quarterly* mandate (the default, every mandate before
migration 0035_monthlydd) is collected as above. A *monthly* mandate is collected, on a run in month k (1, 2 or 3)
of a quarter, for what is due (as above) plus an **instalment** of the current quarter's call not yet due (its items
not due by ``due_by`` that fall due by the quarter's last day; a starter's quarter due a quarter later is not spread)
(:func:`collection_amount`, :func:`monthly_instalment`): the quarter's open amount — what the ledger still has open on
the quarter, less what the debtor's credit and the collections in flight bring beyond what is due — divided by the
months left (3, 2, 1: a third, a half, the rest), rounded half-up to the cent, never more than that open amount;
month 3 takes everything left, so the quarter is paid by its due date (its last day). At most one instalment per
mandate and calendar month: a later run of the month (a rerun of the date or another date) collects only what fell
due meanwhile; a collection the bank rejected or returned does not count (its instalment is in the open amount of the
next run). Each collection records its instalment (``dd_collection.instalment_cents``). The money is imputed as any
payment: an instalment alone carries the quarter's communication (a designation: the quarter first); with arrears
due, the account statement's (the legal order: debts due oldest first, then the quarter) — docs/collection-money.md.

Sequence type: FRST for a mandate's first collection, RCUR afterwards; a collection the bank rejected
(never settled) does not count, so the next one is FRST again. (Since the November 2016 rulebooks FRST is no longer
required, only allowed; every sequence type goes to the debtor bank by D-1.)

An **amendment** (``sepa_mandate_amendment``, :func:`amend_mandate`) keeps the mandate, its signature and its date
when the debtor gives another account (or the fund another reference). The next collection of the mandate says so,
once: ``AmdmntInd`` true with the original account when the bank is the same, 'SMNDA' when it is another (or
cannot be told), the original reference when it changed, and the original creditor identifier when the fund's
changed since the mandate's last collection. Each collection records the mandate's latest amendment then
(``dd_collection.amendment_id``), so later collections (and reruns) carry nothing more; a rejected collection does
not count, as for FRST. After an SMNDA the collection is FRST again.

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
from caisse.collection.models import DirectDebitCollection, DirectDebitRun, SepaMandate, SepaMandateAmendment
from caisse.config import Settings, get_settings
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.exchange.sepa import (
    Creditor,
    DirectDebit,
    MandateAmendment,
    belgian_creditor_id,
    build_direct_debits,
    check_collection_date,
    sepa_id,
    sepa_text,
)
from caisse.identifiers import bic_of_iban, mask_iban, normalize_bic, normalize_iban
from caisse.ledger.models import RECEIVABLE
from caisse.money import div_half_up
from caisse.references import for_company_contribution, for_quarter, for_statement
from caisse.services import audit
from caisse.services.calendar import Quarter, add_months
from caisse.store.db import engine_for
from caisse.store.models import Company, Party, Person

MANDATE_LAPSE_MONTHS = 36
RHYTHMS = ("quarterly", "monthly")


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


def check_rhythm(rhythm: object) -> str:
    """'quarterly' or 'monthly' (any case, spaces around); anything else is refused naming ``rhythm``."""
    value = str(rhythm).strip().lower() if isinstance(rhythm, str) else None
    if value not in RHYTHMS:
        raise InvalidInput("rhythm", "{value!r} is not a collection rhythm: quarterly or monthly", value=rhythm)
    return value


def monthly_instalment(open_cents: int, month_of_quarter: int) -> int:
    """The instalment a monthly mandate pays in month 1, 2 or 3 of a quarter on the quarter's ``open_cents``: the
    rest split over the months left (a third, a half, everything), rounded half-up to the cent, never more than
    what is open. On 871.71 EUR: 290.57, then 290.57 of the 581.14 left, then 290.57."""
    if month_of_quarter not in (1, 2, 3):
        raise ValueError(f"{month_of_quarter!r} is not a month of a quarter (1, 2 or 3)")
    if open_cents <= 0:
        return 0
    return min(open_cents, div_half_up(open_cents, 4 - month_of_quarter))


def add_mandate(session: Session, party_id: int, iban: str, signed_on: dt.date, who: object, *,
                bic: str | None = None, debtor_name: str | None = None, reference: str | None = None,
                today: dt.date | None = None, rhythm: str = "quarterly") -> SepaMandate:
    """Record a mandate the debtor signed, collected quarterly (the default) or monthly. Refused: unknown debtor,
    bad IBAN/BIC, a signature in the future, a reference already used, a second active mandate for the same debtor,
    a rhythm other than quarterly or monthly."""
    rhythm = check_rhythm(rhythm)
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
                          signed_on=signed_on, status="active", rhythm=rhythm)
    session.add(mandate)
    session.flush()
    audit.record(session, who, "create", "sepa_mandate", mandate.id, party_id=party_id,
                 detail={"reference": reference, "signed_on": signed_on.isoformat(), "rhythm": rhythm})
    return mandate


def _active_mandate(session: Session, reference: str) -> SepaMandate:
    """The mandate of ``reference`` if it is active (only an active mandate is changed)."""
    mandate = session.scalar(select(SepaMandate).where(SepaMandate.reference == reference))
    if mandate is None:
        raise NotFound("mandate", reference)
    if mandate.status != "active":
        raise Conflict("reference", "mandate {reference} is {status}: only an active mandate is amended",
                       reference=reference, status=mandate.status)
    return mandate


def set_rhythm(session: Session, reference: str, rhythm: str, who: object) -> tuple[SepaMandate, bool]:
    """The debtor (or staff for him) chooses how often the mandate is collected, from the next run: 'quarterly'
    (what is due) or 'monthly' (also an instalment of the current quarter each month, see the module docstring).
    The mandate itself stays (the same reference and signature: the debtor's bank sees only other amounts). Returns
    the mandate and whether the rhythm changed (choosing the rhythm it has changes nothing and records nothing).
    Refused: a bad rhythm, an unknown or inactive mandate."""
    rhythm = check_rhythm(rhythm)
    mandate = _active_mandate(session, reference)
    if mandate.rhythm == rhythm:
        return mandate, False
    before, mandate.rhythm = mandate.rhythm, rhythm
    session.flush()
    audit.record(session, who, "update", "sepa_mandate", mandate.id, party_id=mandate.party_id,
                 detail={"reference": mandate.reference, "rhythm": rhythm, "from": before})
    return mandate, True


def amend_mandate(session: Session, reference: str, who: object, *, iban: str | None = None, bic: str | None = None,
                  new_reference: str | None = None, amended_on: dt.date | None = None) -> SepaMandateAmendment:
    """The debtor's account (or the mandate's reference) changes and the mandate stays, under its signature and its
    date (SDD Core rulebook, amendment of the mandate): the change is recorded with what it replaces, and the next
    collection tells the debtor's bank, once (see :func:`export_direct_debits`). Refused: an unknown or inactive
    mandate, a bad IBAN/BIC/reference, a reference already used, nothing that changes, a date before the
    signature or in the future."""
    mandate = _active_mandate(session, reference)
    today = dt.date.today()
    amended_on = amended_on or today
    if not isinstance(amended_on, dt.date) or amended_on < mandate.signed_on:
        raise InvalidInput("amended_on", "a date on or after the signature ({day}) is required", day=mandate.signed_on)
    if amended_on > today:  # the account debited changes now: a change announced for later is entered that day
        raise InvalidInput("amended_on", "{day} is in the future", day=amended_on)
    new_iban = normalize_iban(iban, "iban") if iban is not None else mandate.iban
    new_bic = normalize_bic(bic, "bic") if bic else None
    new_reference = sepa_id(new_reference, "new_reference") if new_reference is not None else mandate.reference
    if new_iban == mandate.iban and new_reference == mandate.reference:
        raise Conflict("iban", "{iban} is already the account of mandate {reference}",
                       iban=mask_iban(new_iban), reference=reference)
    if new_reference != mandate.reference and session.scalar(
            select(SepaMandate.id).where(SepaMandate.reference == new_reference)):
        raise Conflict("new_reference", "mandate reference {reference} is already used", reference=new_reference)
    if new_iban == mandate.iban and not bic:
        new_bic = mandate.bic  # only the reference changes
    amendment = SepaMandateAmendment(
        mandate_id=mandate.id, amended_on=amended_on, old_iban=mandate.iban,
        old_bic=mandate.bic or bic_of_iban(mandate.iban), new_iban=new_iban, new_bic=new_bic or bic_of_iban(new_iban),
        old_reference=mandate.reference, new_reference=new_reference, created_by=str(who))
    session.add(amendment)
    mandate.iban, mandate.bic, mandate.reference = new_iban, new_bic, new_reference
    session.flush()
    audit.record(session, who, "amend", "sepa_mandate", mandate.id, party_id=mandate.party_id,
                 detail={"amendment": amendment.id, "amended_on": amended_on.isoformat(),
                         "from": mask_iban(amendment.old_iban), "iban": mask_iban(new_iban),
                         **({"reference": new_reference} if new_reference != amendment.old_reference else {})})
    return amendment


def amendments_of(session: Session, mandate_id: int) -> list[SepaMandateAmendment]:
    return list(session.scalars(select(SepaMandateAmendment).where(SepaMandateAmendment.mandate_id == mandate_id)
                                .order_by(SepaMandateAmendment.id)))


def same_bank(old_iban: str, old_bic: str | None, new_iban: str, new_bic: str | None) -> bool:
    """Whether two accounts are at the same bank: the same institution in their BICs (given, or known from a
    Belgian IBAN's bank code). Unknown counts as another bank: since November 2016 'SMNDA' reads "same mandate with a
    new debtor account", because a creditor given only an IBAN cannot always tell (EPC explanatory note on
    'COR1' and 'SMNDA')."""
    old_bic, new_bic = old_bic or bic_of_iban(old_iban), new_bic or bic_of_iban(new_iban)
    return old_iban[:2] == new_iban[:2] and bool(old_bic and new_bic) and old_bic[:8] == new_bic[:8]


def mandate_amendment(pending: list[SepaMandateAmendment], mandate: SepaMandate, last_creditor_id: str | None,
                      creditor_id: str) -> MandateAmendment | None:
    """What the next collection of ``mandate`` reports: the mandate as the debtor's bank last saw it (the state
    before the first amendment since that collection, and the creditor id of that collection) against the mandate
    now. An account changed and changed back reports nothing."""
    first = pending[0] if pending else None
    old_reference = first.old_reference if first else mandate.reference
    old_iban = first.old_iban if first else mandate.iban
    moved = old_iban != mandate.iban
    other_bank = moved and not same_bank(old_iban, first.old_bic, mandate.iban, mandate.bic)
    amendment = MandateAmendment(
        original_mandate_id=old_reference if old_reference != mandate.reference else None,
        original_creditor_id=last_creditor_id if last_creditor_id and last_creditor_id != creditor_id else None,
        original_debtor_iban=old_iban if moved and not other_bank else None,
        new_debtor_agent=other_bank)
    return amendment if amendment != MandateAmendment() else None


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
    instalments: int = 0  # debits of monthly mandates with an instalment of the current quarter in them

    def line(self) -> str:
        if self.content is None:
            return "nothing to collect"
        eur = f"{self.total_cents // 100}.{self.total_cents % 100:02d} EUR"
        if not self.created:
            return f"nothing new: {self.message_id} ({self.count} debits, {eur}) was already made for this date"
        monthly = f" ({self.instalments} with a monthly instalment)" if self.instalments else ""
        return f"{self.message_id}: {self.count} direct debits, {eur}{monthly}"


def _due(session: Session, parties: list[int], due_by: dt.date, quarter: Quarter | None = None) -> dict[int, dict]:
    """Per debtor: open items due by ``due_by`` (period -> cents), his credit, and what is open on ``quarter``, not
    due by ``due_by`` and due by the quarter's last day (its call, for the monthly mandates; a starter's quarter due a
    quarter later is not in it)."""
    period, end = (str(quarter), quarter.last_day) if quarter else (None, None)
    conn = session.connection()
    accounts = ", ".join(f"'{a}'" for a in (*RECEIVABLE, "credit"))
    sql = (f"SELECT party_id, account, period, SUM(amount_cents), MIN(due_date) FROM ledger_entry "
           f"WHERE account IN ({accounts}) AND party_id IN ({{in}}) GROUP BY party_id, account, period")
    out: dict[int, dict] = defaultdict(lambda: {"items": {}, "credit": 0, "quarter": 0})
    for party, account, item_period, total, due in select_in(conn, sql, parties):
        total = int(total)
        if isinstance(due, str):
            due = dt.date.fromisoformat(due)
        if account == "credit":
            out[party]["credit"] -= total
        elif total > 0 and due is not None and due <= due_by:
            out[party]["items"][item_period] = out[party]["items"].get(item_period, 0) + total
        elif total > 0 and due is not None and item_period == period and due <= end:
            out[party]["quarter"] += total
    return out


def _instalments_this_month(session: Session, day: dt.date) -> set[int]:
    """The mandates with an instalment in a collection of ``day``'s month that the bank did not reject or return."""
    c, r = DirectDebitCollection, DirectDebitRun
    first = day.replace(day=1)
    return set(session.scalars(select(c.mandate_id).join(r, r.id == c.run_id).where(
        c.instalment_cents.is_not(None), c.status.in_(("sent", "paid")), r.collection_date >= first,
        r.collection_date < add_months(first, 1)).distinct()))


def collection_amount(due: dict, in_flight: int, month_of_quarter: int | None) -> tuple[int, int]:
    """What one run collects from a debtor: (amount, of which the instalment). ``due`` is his entry of :func:`_due`;
    ``month_of_quarter`` is None for a quarterly mandate (or a monthly one that had its instalment this month).

    Due now: the items due, less his credit and the collections in flight. The instalment (monthly): on the quarter's
    open amount less what the credit and the collections in flight bring beyond the items due (they settle what is
    due first, then the quarter), see :func:`monthly_instalment`."""
    covered = max(due["credit"], 0) + in_flight
    owed = sum(due["items"].values())
    instalment = 0
    if month_of_quarter is not None:
        instalment = monthly_instalment(due["quarter"] - max(covered - owed, 0), month_of_quarter)
    return max(owed - covered, 0) + instalment, instalment


def _ogm(party_id: int, periods: list[str], collection_date: dt.date) -> str:
    if len(periods) == 1:
        p = periods[0]
        if len(p) == 6:
            return for_quarter(party_id, int(p[:4]), int(p[5])).ogm
        return for_company_contribution(party_id, int(p)).ogm
    return for_statement(party_id, collection_date.year).ogm  # several periods: oldest first


def _mandates_as_the_banks_know_them(session: Session) -> tuple[dict[int, int], dict[int, list], dict[int, str]]:
    """Per mandate, from its collections the bank did not reject: the latest amendment they reflect, and the creditor
    id of the latest one; and the amendments of the active mandates, in order."""
    c, r, a = DirectDebitCollection, DirectDebitRun, SepaMandateAmendment
    live = c.status != "rejected"
    seen = {m: int(x) for m, x in session.execute(
        select(c.mandate_id, func.max(c.amendment_id)).where(live).group_by(c.mandate_id)) if x is not None}
    latest = select(func.max(c.id)).where(live).group_by(c.mandate_id)
    last_creditor = dict(session.execute(select(c.mandate_id, r.creditor_id).join(r, r.id == c.run_id)
                                         .where(c.id.in_(latest), r.creditor_id.is_not(None))).all())
    pending: dict[int, list] = defaultdict(list)
    for amendment in session.scalars(select(a).join(SepaMandate, SepaMandate.id == a.mandate_id)
                                     .where(SepaMandate.status == "active").order_by(a.id)):
        pending[amendment.mandate_id].append(amendment)
    return seen, pending, last_creditor


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
        quarter = Quarter.of(collection_date)
        month = (collection_date.month - 1) % 3 + 1
        due = _due(session, parties, due_by, quarter) if parties else {}
        had_instalment = _instalments_this_month(session, collection_date) \
            if any(m.rhythm == "monthly" for m in mandates) else set()
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
        seen, pending, last_creditor = _mandates_as_the_banks_know_them(session)
        plan, skipped = [], []
        for m in mandates:
            d = due.get(m.party_id)
            monthly = m.rhythm == "monthly" and m.id not in had_instalment
            if not d or not (d["items"] or (monthly and d["quarter"] > 0)):
                continue
            lapse = lapsed_on(m.signed_on, last_collected.get(m.id))
            if collection_date >= lapse:
                since = last_collected.get(m.id)
                skipped.append(f"mandate {m.reference} (debtor {m.party_id}) lapsed on {lapse}: no collection for "
                               f"{MANDATE_LAPSE_MONTHS} months since "
                               + (f"the one of {since}" if since else f"its signature on {m.signed_on}"))
                continue
            amount, instalment = collection_amount(d, in_flight[m.party_id], month if monthly else None)
            if amount > 0:  # the communication names every period in it (one: that period's; several: oldest first)
                periods = sorted({*d["items"], *((str(quarter),) if instalment else ())})
                plan.append((m, amount, periods, instalment or None))
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
        for cid, (m, amount, periods, instalment) in zip(ids, plan, strict=True):
            ogm = _ogm(m.party_id, periods, collection_date)
            e2e = f"CAISSE-DD-{cid}"
            since = [a for a in pending.get(m.id, ()) if a.id > seen.get(m.id, 0)]
            # a mandate never presented (or only rejected) is new to the debtor's bank: nothing to amend
            amendment = mandate_amendment(since, m, last_creditor.get(m.id), creditor.creditor_id) \
                if m.id in used else None
            # FRST for a first collection and after a move to another bank (SMNDA; optional since 2016, see docs)
            seq = "FRST" if m.id not in used or (amendment and amendment.new_debtor_agent) else "RCUR"
            debits.append(DirectDebit(end_to_end_id=e2e, amount_cents=amount, debtor_name=m.debtor_name,
                                      debtor_iban=m.iban, debtor_bic=m.bic, mandate_id=m.reference,
                                      mandate_signature_date=m.signed_on, sequence_type=seq, ogm=ogm,
                                      amendment=amendment))
            latest = pending[m.id][-1].id if pending.get(m.id) else None
            rows.append(dict(id=cid, mandate_id=m.id, party_id=m.party_id, end_to_end_id=e2e, sequence_type=seq,
                             amount_cents=amount, ogm="".join(ch for ch in ogm if ch.isdigit()), status="sent",
                             amendment_id=latest, instalment_cents=instalment))
        xml = build_direct_debits(message_id=message_id, created_at=created_at, creditor=creditor,
                                  collection_date=collection_date, debits=debits,
                                  initiating_party_kbo=settings.fund_kbo)
        total = sum(r["amount_cents"] for r in rows)
        instalments = sum(1 for r in rows if r["instalment_cents"])
        run_id = conn.execute(insert(DirectDebitRun).returning(DirectDebitRun.id), [dict(
            message_id=message_id, collection_date=collection_date, due_by=due_by, created_at=created_at,
            created_by=str(who), count=len(rows), total_cents=total, sha256=hashlib.sha256(xml).hexdigest(),
            content=xml, creditor_id=creditor.creditor_id)]).scalar_one()
        conn.execute(insert(DirectDebitCollection), [{**r, "run_id": run_id} for r in rows])
        audit.record(session, who, "export", "dd_run", run_id,
                     detail={"message_id": message_id, "count": len(rows), "total_cents": total,
                             "collection_date": collection_date.isoformat(),
                             **({"instalments": instalments} if instalments else {})})
        return RunResult(message_id, xml, len(rows), total, True, skipped, instalments)
