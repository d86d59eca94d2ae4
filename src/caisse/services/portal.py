"""The self-service portal of a person (and of their accountant or company director, with a grant):
the home page per file, documents to download, the direct-debit mandate, and the life-event pages.

Every function checks authorisation first (``file_access``: an affiliate or accountant outside their scope is
refused before the file's existence is looked up, so probing ids reveals nothing) and audits the read or
change. Amounts come from the ledger; amounts that the law sets come from the rules engine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from caisse import identifiers, references
from caisse.batches.models import Notice
from caisse.cases.models import Case
from caisse.collection.direct_debit import add_mandate, revoke_mandate
from caisse.collection.models import SepaMandate
from caisse.config import Settings
from caisse.errors import InvalidInput, NotFound
from caisse.ledger.models import RECEIVABLE, LedgerEntry, LedgerTransaction
from caisse.ledger.operations import STATEMENT_EXCLUDED
from caisse.ledger.queries import Balance, balances
from caisse.ledger.statement import explain
from caisse.security import authz
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import current_bank_account, file_access, is_starter
from caisse.store.models import Affiliation, Company, Party, Person

OPEN_CASE = ("open", "waiting_for_person", "answered")
LAST_PAYMENTS = 3


# ---------------------------------------------------------------- the caseworker to contact


@dataclass
class Contact:
    name: str  # the named caseworker, else the team's name, else the fund's name
    phone: str
    email: str
    team: str | None
    from_team: bool  # False: the fund's general contact (no caseworker, no contact configured for the team)
    named: bool = False  # True: the file's named caseworker (``caisse.services.caseworkers``)


def contact_for(party: Party, settings: Settings, caseworker=None) -> Contact:
    """The file's named caseworker (an ``Account``, see ``caisse.services.caseworkers``): their name, and their
    phone and e-mail — else the team's, else the fund's. Without a caseworker: the team's contact from
    ``CAISSE_TEAM_CONTACTS``, else the fund's general phone and e-mail."""
    team = settings.team_contacts.get(party.team or "") if party.team else None
    phone = (team or {}).get("phone") or settings.fund_phone
    email = (team or {}).get("email") or settings.fund_email
    if caseworker is not None:
        return Contact(caseworker.display_name or caseworker.login, caseworker.phone or phone,
                       caseworker.email or email, party.team, True, named=True)
    if team:
        return Contact(team.get("name") or party.team, phone, email, party.team, True)
    return Contact(settings.fund_name, settings.fund_phone, settings.fund_email, party.team, False)


# ---------------------------------------------------------------- home


@dataclass
class Status:
    category: str | None  # contributor category code, None for a company
    since: dt.date | None  # the category (or the company's affiliation) since
    affiliation_status: str | None
    affiliated_since: dt.date | None
    starter: bool = False
    primostarter: bool = False
    affiliation_id: int | None = None
    end_date: dt.date | None = None


@dataclass
class Payment:
    on: dt.date
    amount_cents: int
    explanation: str


@dataclass
class OpenRequest:
    id: int
    kind: str
    subject: str
    status: str
    deadline: dt.date
    days_left: int


@dataclass
class FileHome:
    id: int
    name: str
    kind: str
    own: bool  # the principal's own file (else: a mandate or a director's grant)
    status: Status
    due_now: int
    due_by: dt.date | None  # the earliest due date among what is due now (None: nothing, or no date)
    overdue: bool
    credit: int
    communication: str | None  # the structured communication to pay what is due now
    fund_iban: str
    fund_bic: str
    next_due_date: dt.date | None
    next_due_amount: int | None
    next_due_expected: bool  # True: not called yet, the amount of the last quarter repeated
    payments: list[Payment]
    contact: Contact
    requests: list[OpenRequest]
    direct_debit: bool
    notices: int = 0
    messages: list = field(default_factory=list)


def _person_status(session: Session, person_id: int, today: dt.date) -> Status:
    affiliations = list(session.scalars(select(Affiliation).options(joinedload(Affiliation.categories))
                                        .where(Affiliation.person_id == person_id)
                                        .order_by(Affiliation.start_date.desc(), Affiliation.id.desc())).unique())
    current = next((a for a in affiliations if a.status == "affiliated"), affiliations[0] if affiliations else None)
    if current is None:
        return Status(None, None, None, None)
    periods = current.categories
    period = next((p for p in periods if p.valid_from <= today and (p.valid_to is None or p.valid_to >= today)),
                  periods[-1] if periods else None)
    return Status(period.category if period else None, period.valid_from if period else None, current.status,
                  current.start_date, is_starter(current.start_date, today), current.primostarter, current.id,
                  current.end_date)


def _status(session: Session, party: Party, today: dt.date) -> tuple[str, Status]:
    if party.kind == "person":
        p = session.get(Person, party.id)
        return f"{p.first_name} {p.last_name}", _person_status(session, party.id, today)
    c = session.get(Company, party.id)
    ended = c.affiliation_end is not None and c.affiliation_end < today
    return c.name, Status(None, c.affiliation_start, "ceased" if ended else "affiliated", c.affiliation_start,
                          end_date=c.affiliation_end)


def _next_quarter_end(d: dt.date) -> dt.date:
    q = (d.month - 1) // 3 + 1
    year, q = (d.year, q + 1) if q < 4 else (d.year + 1, 1)
    month = 3 * q
    return dt.date(year, month, 31 if month in (3, 12) else 30)


def _open_items_and_credit(session: Session, party_id: int) -> tuple[list[Balance], int]:
    """The file's open items (``ledger_open_item``'s rows: receivable balances above zero, earliest due date) and
    the credit held for it (``credit_available``), in one GROUP BY over the file's entries (an index range)."""
    items, credit = [], 0
    for b in balances(session, party_id=party_id, accounts=(*RECEIVABLE, "credit")):
        if b.account == "credit":
            credit -= b.balance_cents
        elif b.balance_cents > 0:
            items.append(b)
    return items, credit


def _last_payments(session: Session, party_id: int) -> list[Payment]:
    """The last ``LAST_PAYMENTS`` payments received on the file, newest first: the statement's money lines of kind
    payment (``ledger.statement``, same order), read from the end with a LIMIT instead of the whole account."""
    t, e = LedgerTransaction, LedgerEntry
    rows = session.execute(
        select(t.booked_on, e.amount_cents, t.description, e.rule, e.parameter, e.explanation)
        .join(t, t.id == e.transaction_id)
        .where(e.party_id == party_id, t.kind == "payment", e.amount_cents < 0,
               e.account.not_in((*RECEIVABLE, *STATEMENT_EXCLUDED)))
        .order_by(t.booked_on.desc(), t.id.desc(), e.id.desc()).limit(LAST_PAYMENTS))
    return [Payment(on, -int(cents), explain(description, rule, parameter, explanation))
            for on, cents, description, rule, parameter, explanation in rows]


def _file_home(session: Session, who: Principal, party: Party, today: dt.date, settings: Settings) -> FileHome:
    name, st = _status(session, party, today)
    items, credit = _open_items_and_credit(session, party.id)
    due_items = [b for b in items if b.balance_cents > 0 and (b.due_date is None or b.due_date <= today)]
    later = [b for b in items if b.balance_cents > 0 and b.due_date is not None and b.due_date > today]
    due_now = max(sum(b.balance_cents for b in due_items) - credit, 0)
    dates = [b.due_date for b in due_items if b.due_date is not None]
    due_by = min(dates) if dates and due_now else None
    next_date = next_amount = None
    expected = False
    if later:
        next_date = min(b.due_date for b in later)
        next_amount = sum(b.balance_cents for b in later if b.due_date == next_date)
    elif st.affiliation_status == "affiliated" and party.kind == "person":
        last = session.scalar(select(Notice).where(Notice.party_id == party.id, Notice.kind == "quarterly_call")
                              .order_by(Notice.period.desc(), Notice.id.desc()).limit(1))
        if last is not None and last.amount_cents > 0:
            next_date = _next_quarter_end(max(today, last.due_date or today))
            next_amount, expected = int(last.amount_cents), True
    payments = _last_payments(session, party.id)
    cases = session.scalars(select(Case).where(Case.party_id == party.id, Case.status.in_(OPEN_CASE))
                            .order_by(Case.deadline, Case.id))
    requests = [OpenRequest(c.id, c.kind, c.subject, c.status, c.deadline, (c.deadline - today).days) for c in cases]
    direct_debit = session.scalar(select(SepaMandate.id).where(SepaMandate.party_id == party.id,
                                                               SepaMandate.status == "active")) is not None
    communication = references.for_statement(party.id, today.year).ogm if due_now > 0 else None
    return FileHome(party.id, name, party.kind, party.id == who.party_id, st, due_now, due_by,
                    bool(due_by and due_by < today), credit, communication,
                    identifiers.format_iban(settings.fund_iban), settings.fund_bic, next_date, next_amount, expected,
                    payments, contact_for(party, settings, _caseworker(session, party.id)), requests,
                    direct_debit)


def _caseworker(session: Session, party_id: int):
    from caisse.services import caseworkers

    found = caseworkers.current(session, party_id)
    return found[1] if found else None


def scope(who: Principal) -> list[int]:
    return sorted({*(who.grants or ()), *((who.party_id,) if who.party_id else ())})


def home(session: Session, who: Principal, today: dt.date, settings: Settings) -> list[FileHome]:
    """One summary per file the person may open (their own first): every read audited per file."""
    files = home_files(session, who, today, settings)
    record_home(session, who, files)
    return files


def home_files(session: Session, who: Principal, today: dt.date, settings: Settings) -> list[FileHome]:
    """``home`` without its audit rows, which the caller writes with ``record_home`` in the same transaction before
    anything is shown (the portal renders the page first: the audit chain's head row stays locked from the first
    row written to the commit, so the rows are written last)."""
    out = []
    for pid in sorted(scope(who), key=lambda p: (p != who.party_id, p)):
        file_access(session, who, "file.read", pid)
        # the party with its person or company in one query; held here, so that _status finds them in the
        # session (its identity map keeps only the objects someone holds)
        party, _person, _company = session.execute(
            select(Party, Person, Company).outerjoin(Person, Person.id == Party.id)
            .outerjoin(Company, Company.id == Party.id).where(Party.id == pid)).one()
        out.append(_file_home(session, who, party, today, settings))
    return out


def record_home(session: Session, who: Principal, files: list[FileHome]) -> None:
    """The audit rows of the home page: one read per file shown."""
    for f in files:
        audit.record_read(session, who, "portal_home", f.id, party_id=f.id)


def file_home(session: Session, who: Principal, party_id: int, today: dt.date, settings: Settings) -> FileHome:
    file_access(session, who, "file.read", party_id)
    view = _file_home(session, who, session.get(Party, party_id), today, settings)
    audit.record_read(session, who, "portal_home", party_id, party_id=party_id)
    return view


# ---------------------------------------------------------------- documents


@dataclass
class NoticeRow:
    id: int
    kind: str
    period: str
    amount_cents: int
    due_date: dt.date | None
    created_on: dt.date


@dataclass
class Documents:
    party_id: int
    name: str
    notices: list[NoticeRow]
    certificates: list[Affiliation]
    summary_years: list[int] = field(default_factory=list)  # the yearly summaries to download (persons)


def documents(session: Session, who: Principal, party_id: int, today: dt.date) -> Documents:
    file_access(session, who, "file.read", party_id)
    party = session.get(Party, party_id)
    name, _ = _status(session, party, today)
    rows, summary_years = [], set()
    for n in session.scalars(select(Notice).where(Notice.party_id == party_id)
                             .order_by(Notice.created_at.desc(), Notice.id.desc())):
        if n.kind == "summary":  # the yearly summaries are listed apart (nothing is due on them)
            summary_years.add(int(n.period))
            continue
        rows.append(NoticeRow(n.id, n.kind, n.period, int(n.amount_cents), n.due_date, n.created_at.date()))
    certificates = []
    if party.kind == "person":
        certificates = list(session.scalars(select(Affiliation).where(
            Affiliation.person_id == party_id, Affiliation.status.in_(("affiliated", "ceased")))
            .order_by(Affiliation.start_date.desc())))
        if certificates and certificates[-1].start_date.year <= today.year - 1:
            summary_years.add(today.year - 1)  # the last ended year, whether or not the batch ran yet
    audit.record(session, who, "read", "documents", party_id, party_id=party_id, detail={"notices": len(rows)})
    return Documents(party_id, name, rows, certificates, sorted(summary_years, reverse=True))


def yearly_summary(session: Session, who: Principal, party_id: int, year: int, today: dt.date):
    """The yearly personal summary of a person (``reporting.yearly_summary``) as of ``today``: the file's
    need-to-know checked first, the read audited."""
    from caisse.reporting import yearly_summary as ys

    reason = file_access(session, who, "file.read", party_id)
    found = ys.one(session, party_id, year, today)
    audit.record(session, who, "read", "yearly_summary", party_id, party_id=party_id, reason=reason,
                 detail={"year": year})
    return found


def yearly_summary_pdf(session: Session, who: Principal, party_id: int, year: int, today: dt.date) -> bytes:
    from caisse.documents.tax_certificate import addresses
    from caisse.documents.yearly_summary import render_summary
    from caisse.reporting import yearly_summary as ys

    reason = file_access(session, who, "file.read", party_id)
    pdf = render_summary(ys.one(session, party_id, year, today), addresses(session, [party_id]).get(party_id))
    audit.record(session, who, "document", "yearly_summary", party_id, party_id=party_id, reason=reason,
                 detail={"year": year})
    return pdf


def notice_pdf(session: Session, who: Principal, notice_id: int, today: dt.date) -> tuple[Notice, bytes]:
    """A due notice as PDF. A person asking for a notice outside their files gets the same refusal whether the
    id exists or not (nothing about other people leaks)."""
    from caisse.documents import notices

    authz.require(who, "file.read")
    notice = session.get(Notice, notice_id)
    if who.role in ("affiliate", "accountant"):
        if notice is None or notice.party_id not in scope(who):
            raise authz.Forbidden("this document is not yours")
    elif notice is None:
        raise NotFound("notice", notice_id)
    reason = file_access(session, who, "file.read", notice.party_id)
    pdf = notices.notice_pdf(session, notice_id)
    audit.record(session, who, "document", "notice", notice_id, party_id=notice.party_id, reason=reason)
    return notice, pdf


def statement_pdf(session: Session, who: Principal, party_id: int, today: dt.date) -> bytes:
    from caisse.documents import notices

    reason = file_access(session, who, "file.read", party_id)
    pdf = notices.statement_pdf(session, party_id, today)
    audit.record(session, who, "document", "account_statement", party_id, party_id=party_id, reason=reason)
    return pdf


# ---------------------------------------------------------------- direct-debit mandate


@dataclass
class MandateView:
    party_id: int
    active: SepaMandate | None
    history: list[SepaMandate]
    file_iban: str | None  # the account on file, formatted
    can_sign: bool


def mandate_view(session: Session, who: Principal, party_id: int) -> MandateView:
    file_access(session, who, "file.read", party_id)
    mandates = list(session.scalars(select(SepaMandate).where(SepaMandate.party_id == party_id)
                                    .order_by(SepaMandate.id.desc())))
    account = current_bank_account(session, party_id)
    audit.record(session, who, "read", "sepa_mandate", party_id, party_id=party_id)
    return MandateView(party_id, next((m for m in mandates if m.status == "active"), None), mandates,
                       identifiers.format_iban(account.iban) if account else None,
                       who.role in authz.PERMISSIONS["mandate.sign"])


def sign_mandate(session: Session, who: Principal, party_id: int, today: dt.date, *, use_file_iban: bool,
                 iban: str | None = None) -> SepaMandate:
    """The debtor signs a SEPA core mandate online, dated today (the same service as ``caisse mandate add``).
    Only the debtor (or a company's director) signs: an accountant's mandate does not cover the bank account."""
    file_access(session, who, "mandate.sign", party_id)
    if use_file_iban:
        account = current_bank_account(session, party_id)
        if account is None:
            raise InvalidInput("iban", "there is no account on file: enter the account to debit")
        iban = account.iban
    elif not (iban or "").strip():
        raise InvalidInput("iban", "is required")
    return add_mandate(session, party_id, iban, today, who, today=today)


def revoke_active_mandate(session: Session, who: Principal, party_id: int, today: dt.date) -> SepaMandate:
    file_access(session, who, "mandate.sign", party_id)
    active = session.scalar(select(SepaMandate).where(SepaMandate.party_id == party_id,
                                                      SepaMandate.status == "active"))
    if active is None:
        raise NotFound("mandate of file", party_id)
    return revoke_mandate(session, active.reference, max(today, active.signed_on), who,
                          reason="revoked by the debtor in the portal")


__all__ = ["Contact", "Documents", "FileHome", "MandateView", "contact_for",
           "documents", "file_home", "home", "home_files", "mandate_view", "notice_pdf", "record_home",
           "revoke_active_mandate", "sign_mandate", "statement_pdf"]
