"""The self-service portal of a person (and of their accountant or company director, with a grant):
the home page per file, documents to download, the direct-debit mandate, and the life-event pages.

Every function checks authorisation first (``file_access``: an affiliate or accountant outside their scope is
refused before the file's existence is looked up, so probing ids reveals nothing) and audits the read or
change. Amounts come from the ledger; amounts that the law sets come from the rules engine.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    String,
    Text,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session, joinedload

from caisse import identifiers, references
from caisse.batches.models import Notice
from caisse.cases.models import Case
from caisse.cases.service import seen_by_person
from caisse.collection.direct_debit import add_mandate, amend_mandate, amendments_of, revoke_mandate, set_rhythm
from caisse.collection.models import SepaMandate
from caisse.config import Settings
from caisse.errors import InvalidInput, NotFound
from caisse.ledger.models import RECEIVABLE, LedgerEntry, LedgerTransaction
from caisse.ledger.operations import STATEMENT_EXCLUDED
from caisse.ledger.statement import explain
from caisse.reporting.models import TaxCertificate
from caisse.security import authz
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import current_bank_account, file_access, file_record, is_starter
from caisse.store.models import Account, Affiliation, CategoryPeriod, Company, FileCaseworker, Party, Person

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


# ---------------------------------------------------------------- the home figures: one statement per file

_N = ("n1", "n2", "n3")
_D = ("d1", "d2")
_T = ("t1", "t2", "t3", "t4", "t5")


def _part(name: str, *, where=None, order=None, limit=None, group=None, froms=None, **columns):
    """One branch of the home statement: the same typed columns in every branch (numbers, dates, texts; a
    missing one is a typed NULL, which PostgreSQL needs to match the branches), in a subquery when it is
    ordered and limited (SQLite allows no ORDER BY / LIMIT in a branch)."""
    cols = [literal(name, String).label("part")]
    cols += [cast(columns[c] if c in columns else null(), BigInteger).label(c) for c in _N]
    cols += [(columns[c] if c in columns else cast(null(), Date)).label(c) for c in _D]
    cols += [(columns[c] if c in columns else cast(null(), Text)).label(c) for c in _T]
    q = select(*cols)
    if froms is not None:
        q = q.select_from(froms)
    if where is not None:
        q = q.where(*where)
    if group is not None:
        q = q.group_by(*group)
    if order is not None:
        q = q.order_by(*order).limit(limit)
        sub = q.subquery()
        q = select(*sub.c)
    return q


@functools.lru_cache(maxsize=1)
def _home_statement():
    """Everything the home page shows of a file, in one round trip: the party (person's or company's name,
    team), the person's affiliations and category periods, the open balances and the credit, the last payments,
    the open requests, an active mandate, the named caseworker and the last quarterly call. Built once; run with
    ``pid``."""
    pid = bindparam("pid", type_=Integer)
    t, e, c = LedgerTransaction, LedgerEntry, Case
    fc, cw = FileCaseworker, Account
    return union_all(
        _part("party", froms=Party.__table__.outerjoin(Person, Person.id == Party.id)
              .outerjoin(Company, Company.id == Party.id), where=[Party.id == pid],
              t1=Party.kind, t2=Party.team, t3=Person.first_name, t4=Person.last_name, t5=Company.name,
              d1=Company.affiliation_start, d2=Company.affiliation_end),
        _part("aff", where=[Affiliation.person_id == pid], n1=Affiliation.id,
              n2=case((Affiliation.primostarter.is_(True), 1), else_=0), d1=Affiliation.start_date,
              d2=Affiliation.end_date, t1=Affiliation.status),
        _part("cat", froms=CategoryPeriod.__table__.join(Affiliation, Affiliation.id == CategoryPeriod.affiliation_id),
              where=[Affiliation.person_id == pid], n1=CategoryPeriod.affiliation_id, n2=CategoryPeriod.id,
              d1=CategoryPeriod.valid_from, d2=CategoryPeriod.valid_to, t1=CategoryPeriod.category),
        _part("bal", where=[e.party_id == pid, e.account.in_((*RECEIVABLE, "credit"))],
              group=[e.account, e.period], n1=func.sum(e.amount_cents), d1=func.min(e.due_date), t1=e.account,
              t2=e.period),
        _part("pay", froms=e.__table__.join(t, t.id == e.transaction_id),
              where=[e.party_id == pid, t.kind == "payment", e.amount_cents < 0,
                     e.account.not_in((*RECEIVABLE, *STATEMENT_EXCLUDED))],
              order=[t.booked_on.desc(), t.id.desc(), e.id.desc()], limit=LAST_PAYMENTS,
              n1=e.amount_cents, n2=t.id, n3=e.id, d1=t.booked_on, t1=t.description, t2=e.rule, t3=e.parameter,
              t4=cast(e.explanation, Text)),
        _part("case", where=[c.party_id == pid, c.status.in_(OPEN_CASE), seen_by_person()], n1=c.id, d1=c.deadline,
              t1=c.kind,
              t2=c.subject, t3=c.status),
        _part("mandate", where=[SepaMandate.party_id == pid, SepaMandate.status == "active"],
              order=[SepaMandate.id], limit=1, n1=SepaMandate.id),
        _part("caseworker", froms=fc.__table__.join(cw, cw.id == fc.account_id),
              where=[fc.party_id == pid, fc.valid_to.is_(None)], order=[fc.id.desc()], limit=1,
              n1=fc.id, t1=cw.display_name, t2=cw.login, t3=cw.phone, t4=cw.email),
        _part("notice", where=[Notice.party_id == pid, Notice.kind == "quarterly_call"],
              order=[Notice.period.desc(), Notice.id.desc()], limit=1, n1=Notice.amount_cents, n2=Notice.id,
              d1=Notice.due_date, t1=Notice.period),
    )


@dataclass
class _Figures:
    """The rows of ``_home_statement`` by part."""

    party: object
    affiliations: list
    categories: list
    balances: list
    payments: list
    cases: list
    mandate: bool
    caseworker: object | None
    notice: object | None


def _figures(session: Session, party_id: int) -> _Figures | None:
    parts: dict[str, list] = {}
    for r in session.execute(_home_statement(), {"pid": party_id}):
        parts.setdefault(r.part, []).append(r)
    if "party" not in parts:
        return None
    return _Figures(parts["party"][0], sorted(parts.get("aff", ()), key=lambda r: (r.d1, r.n1), reverse=True),
                    sorted(parts.get("cat", ()), key=lambda r: (r.d1, r.n2)), parts.get("bal", []),
                    sorted(parts.get("pay", ()), key=lambda r: (r.d1, r.n2, r.n3), reverse=True),
                    sorted(parts.get("case", ()), key=lambda r: (r.d1, r.n1)), "mandate" in parts,
                    (parts.get("caseworker") or [None])[0], (parts.get("notice") or [None])[0])


def _status_of(f: _Figures, today: dt.date) -> tuple[str, Status]:
    """The name and status of the file (``_status``'s, from the figures)."""
    p = f.party
    if p.t1 != "person":
        ended = p.d2 is not None and p.d2 < today
        return p.t5, Status(None, p.d1, "ceased" if ended else "affiliated", p.d1, end_date=p.d2)
    name = f"{p.t3} {p.t4}"
    current = next((a for a in f.affiliations if a.t1 == "affiliated"), f.affiliations[0] if f.affiliations else None)
    if current is None:
        return name, Status(None, None, None, None)
    periods = [c for c in f.categories if c.n1 == current.n1]
    period = next((c for c in periods if c.d1 <= today and (c.d2 is None or c.d2 >= today)),
                  periods[-1] if periods else None)
    return name, Status(period.t1 if period else None, period.d1 if period else None, current.t1, current.d1,
                        is_starter(current.d1, today), bool(current.n2), int(current.n1), current.d2)


def _file_home(session: Session, who: Principal, party: Party | int, today: dt.date,
               settings: Settings) -> FileHome:
    party_id = party if isinstance(party, int) else party.id
    f = _figures(session, party_id)
    if f is None:
        raise NotFound("file", party_id)
    authz.require_file(who, "file.read", party_id, f.party.t2)
    return _home_of(who, party_id, f, today, settings)


def _home_of(who: Principal, party_id: int, f: _Figures, today: dt.date, settings: Settings) -> FileHome:
    name, st = _status_of(f, today)
    credit, items = 0, []
    for b in f.balances:  # the open items (receivable balances above zero) and the credit held for the file
        if b.t1 == "credit":
            credit -= int(b.n1)
        elif b.n1 > 0:
            items.append(b)
    due_items = [b for b in items if b.d1 is None or b.d1 <= today]
    later = [b for b in items if b.d1 is not None and b.d1 > today]
    due_now = max(sum(int(b.n1) for b in due_items) - credit, 0)
    dates = [b.d1 for b in due_items if b.d1 is not None]
    due_by = min(dates) if dates and due_now else None
    next_date = next_amount = None
    expected = False
    if later:
        next_date = min(b.d1 for b in later)
        next_amount = sum(int(b.n1) for b in later if b.d1 == next_date)
    elif st.affiliation_status == "affiliated" and f.party.t1 == "person":
        last = f.notice
        if last is not None and last.n1 > 0:
            next_date = _next_quarter_end(max(today, last.d1 or today))
            next_amount, expected = int(last.n1), True
    payments = [Payment(r.d1, -int(r.n1), explain(r.t1, r.t2, r.t3, json.loads(r.t4) if r.t4 else None))
                for r in f.payments]
    requests = [OpenRequest(int(c.n1), c.t1, c.t2, c.t3, c.d1, (c.d1 - today).days) for c in f.cases]
    communication = references.for_statement(party_id, today.year).ogm if due_now > 0 else None
    caseworker = f.caseworker and SimpleNamespace(display_name=f.caseworker.t1, login=f.caseworker.t2,
                                                 phone=f.caseworker.t3, email=f.caseworker.t4)
    return FileHome(party_id, name, f.party.t1, party_id == who.party_id, st, due_now, due_by,
                    bool(due_by and due_by < today), credit, communication,
                    identifiers.format_iban(settings.fund_iban), settings.fund_bic, next_date, next_amount, expected,
                    payments, contact_for(SimpleNamespace(team=f.party.t2), settings, caseworker), requests,
                    f.mandate)


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
    authz.require(who, "file.read")
    return [_file_home(session, who, pid, today, settings)
            for pid in sorted(scope(who), key=lambda p: (p != who.party_id, p))]


def record_home(session: Session, who: Principal, files: list[FileHome]) -> None:
    """The audit rows of the home page: one read per file shown."""
    for f in files:
        audit.record_read(session, who, "portal_home", f.id, party_id=f.id)


def file_home(session: Session, who: Principal, party_id: int, today: dt.date, settings: Settings) -> FileHome:
    file_access(session, who, "file.read", party_id)
    view = _file_home(session, who, party_id, today, settings)
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
    # the years whose tax certificate the fund recorded (persons: served at /api/persons/{id}/tax-certificate.pdf)
    tax_years: list[int] = field(default_factory=list)
    paid_up: bool = False  # a certificate of payment status can be asked (docs/certificates.md)
    language: str = "fr"  # the file's: the language the certificates are made in unless the person picks another


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
    certificates, tax_years = [], []
    if party.kind == "person":
        certificates = list(session.scalars(select(Affiliation).where(
            Affiliation.person_id == party_id, Affiliation.status.in_(("affiliated", "ceased")))
            .order_by(Affiliation.start_date.desc(), Affiliation.id.desc())))
        if certificates and certificates[-1].start_date.year <= today.year - 1:
            summary_years.add(today.year - 1)  # the last ended year, whether or not the batch ran yet
        tax_years = list(session.scalars(select(TaxCertificate.year).where(TaxCertificate.party_id == party_id)
                                         .distinct().order_by(TaxCertificate.year.desc())))
    audit.record(session, who, "read", "documents", party_id, party_id=party_id, detail={"notices": len(rows)})
    return Documents(party_id, name, rows, certificates, sorted(summary_years, reverse=True), tax_years,
                     paid_up=party.kind != "person" or bool(certificates),  # as services.paid_up.can_issue
                     language=party.language)


def yearly_summary(session: Session, who: Principal, party_id: int, year: int, today: dt.date):
    """The yearly personal summary of a person (``reporting.yearly_summary``) as of ``today``: the file's
    need-to-know checked first, the read audited."""
    from caisse.reporting import yearly_summary as ys

    reason = file_access(session, who, "file.read", party_id)
    found = ys.one(session, party_id, year, today)
    audit.record(session, who, "read", "yearly_summary", party_id, party_id=party_id, reason=reason,
                 detail={"year": year})
    return found


def regularisation_forecast(session: Session, who: Principal, party_id: int, year: int, income: int,
                            today: dt.date):
    """The regularisation of ``year`` on an income the person types (``reporting.yearly_summary.forecast``): the
    file's need-to-know checked first, the read audited (the income typed is not kept)."""
    from caisse.reporting import yearly_summary as ys

    reason = file_access(session, who, "file.read", party_id)
    found = ys.forecast(session, party_id, year, income, today)
    audit.record(session, who, "read", "regularisation_forecast", party_id, party_id=party_id, reason=reason,
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
    id exists or not (nothing about other people leaks: ``affiliation.file_record``)."""
    from caisse.documents import notices

    notice, reason = file_record(session, who, Notice, notice_id, "file.read", thing="document", missing="notice",
                                 owner="party_id")
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
    amendments: list = field(default_factory=list)  # the active mandate's changes of account, oldest first


def mandate_view(session: Session, who: Principal, party_id: int) -> MandateView:
    file_access(session, who, "file.read", party_id)
    mandates = list(session.scalars(select(SepaMandate).where(SepaMandate.party_id == party_id)
                                    .order_by(SepaMandate.id.desc())))
    account = current_bank_account(session, party_id)
    audit.record(session, who, "read", "sepa_mandate", party_id, party_id=party_id)
    active = next((m for m in mandates if m.status == "active"), None)
    return MandateView(party_id, active, mandates, identifiers.format_iban(account.iban) if account else None,
                       who.role in authz.PERMISSIONS["mandate.sign"],
                       amendments_of(session, active.id) if active else [])


def _account_to_debit(session: Session, party_id: int, use_file_iban: bool, iban: str | None) -> str:
    if use_file_iban:
        account = current_bank_account(session, party_id)
        if account is None:
            raise InvalidInput("iban", "there is no account on file: enter the account to debit")
        return account.iban
    if not (iban or "").strip():
        raise InvalidInput("iban", "is required")
    return iban


def sign_mandate(session: Session, who: Principal, party_id: int, today: dt.date, *, use_file_iban: bool,
                 iban: str | None = None, rhythm: str = "quarterly") -> SepaMandate:
    """The debtor signs a SEPA core mandate online, dated today (the same service as ``caisse mandate add``),
    collected quarterly or monthly. Only the debtor (or a company's director) signs: an accountant's mandate does
    not cover the bank account."""
    file_access(session, who, "mandate.sign", party_id)
    return add_mandate(session, party_id, _account_to_debit(session, party_id, use_file_iban, iban), today, who,
                       today=today, rhythm=rhythm)


def change_mandate_rhythm(session: Session, who: Principal, party_id: int, rhythm: str) -> SepaMandate:
    """The debtor chooses how often the active mandate is collected, from the next collection: quarterly or monthly
    (as ``caisse mandate rhythm``). Only the debtor (or a company's director): it decides what leaves the account."""
    file_access(session, who, "mandate.sign", party_id)
    active = session.scalar(select(SepaMandate).where(SepaMandate.party_id == party_id,
                                                      SepaMandate.status == "active"))
    if active is None:
        raise NotFound("mandate of file", party_id)
    return set_rhythm(session, active.reference, rhythm, who)[0]


def change_mandate_account(session: Session, who: Principal, party_id: int, today: dt.date, *, use_file_iban: bool,
                           iban: str | None = None) -> SepaMandate:
    """The debtor moves the active mandate to another account, from today: the mandate, its reference and its
    signature stay (an amendment, as ``caisse mandate amend``); the next collection tells the debtor's bank."""
    file_access(session, who, "mandate.sign", party_id)
    active = session.scalar(select(SepaMandate).where(SepaMandate.party_id == party_id,
                                                      SepaMandate.status == "active"))
    if active is None:
        raise NotFound("mandate of file", party_id)
    amend_mandate(session, active.reference, who, iban=_account_to_debit(session, party_id, use_file_iban, iban),
                  amended_on=max(today, active.signed_on))
    return active


def revoke_active_mandate(session: Session, who: Principal, party_id: int, today: dt.date) -> SepaMandate:
    file_access(session, who, "mandate.sign", party_id)
    active = session.scalar(select(SepaMandate).where(SepaMandate.party_id == party_id,
                                                      SepaMandate.status == "active"))
    if active is None:
        raise NotFound("mandate of file", party_id)
    return revoke_mandate(session, active.reference, max(today, active.signed_on), who,
                          reason="revoked by the debtor in the portal")


__all__ = ["Contact", "Documents", "FileHome", "MandateView", "change_mandate_account", "change_mandate_rhythm",
           "contact_for",
           "documents", "file_home", "home", "home_files", "mandate_view", "notice_pdf", "record_home",
           "revoke_active_mandate", "sign_mandate", "statement_pdf"]
