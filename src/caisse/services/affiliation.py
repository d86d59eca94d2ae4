"""Affiliation use cases: register people and companies, affiliate, change, cease.

Every function takes an open SQLAlchemy session (the caller owns the transaction: on any error nothing
is written), validates its input (``InvalidInput`` names the field), checks the file against what the
fund already knows (``Conflict``), and writes the audit log. Changes are dated events, never silent
overwrites: a move, a new IBAN, a category change or a cessation closes the current row and adds one.

Legal and practice notes (see ``docs/affiliation.md``):
- affiliation at the latest on the day the activity starts, at the earliest six months before it
  (Acerta, "Comment m'affilier à une caisse d'assurances sociales"; BCMG "Affiliation en personne
  physique") — a later request is accepted (late affiliation) but flagged;
- contributions are due from the quarter in which the activity starts (the quarter is indivisible);
- starter: the calendar year of the start and the three following years (RD 38 art. 13bis,
  legislation.md §1.1); primostarter: main activity with no main / art. 37 / maxi helping-spouse
  subjection in the previous 20 quarters (RD 38 art. 12 §1bis, legislation.md §1.3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from caisse import identifiers
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.money import fmt
from caisse.security import authz
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.calendar import add_months, quarter_start
from caisse.store.models import (
    Address,
    Affiliation,
    AffiliationDocument,
    AffiliationStatus,
    AffiliationStep,
    BalanceSheet,
    BankAccount,
    Category,
    CategoryPeriod,
    Company,
    Event,
    Mandate,
    Party,
    Person,
    SpouseLink,
)
from caisse.texts import T_, Text

EARLIEST_REQUEST_MONTHS_BEFORE_START = 6
PRIMOSTARTER_LOOKBACK_QUARTERS = 20
STARTER_FOLLOWING_YEARS = 3

#: Documents a fund asks before affiliating, by contributor category.
REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {
    Category.MAIN: (),
    Category.COMPLEMENTARY: ("proof_of_main_occupation",),  # employment ≥ half-time, replacement income…
    Category.STUDENT: ("enrolment_certificate",),
    Category.HELPING_SPOUSE: ("helping_spouse_declaration",),
    Category.POST_PENSION: ("pension_decision",),
    Category.ART37: ("art37_proof",),
}

MIN_FINANCIAL_YEAR, MAX_FINANCIAL_YEAR = 1900, 2100

LEGAL_FORMS = ("SRL", "BV", "SA", "NV", "SC", "CV", "SNC", "VOF", "SCS", "CommV", "ASBL", "VZW", "GmbH", "AG", "other")


@dataclass
class AddressInput:
    street: str
    house_number: str
    postal_code: str
    city: str
    box: str | None = None
    country: str = "BE"

    def validate(self, prefix: str = "address") -> None:
        for name in ("street", "house_number", "postal_code", "city"):
            if not str(getattr(self, name) or "").strip():
                raise InvalidInput(f"{prefix}.{name}", "is required")
        if self.country == "BE" and not (self.postal_code.isdigit() and 1000 <= int(self.postal_code) <= 9999):
            raise InvalidInput(f"{prefix}.postal_code", "a Belgian postal code has four digits (1000–9999)")


@dataclass
class PersonInput:
    niss: str
    first_name: str
    last_name: str
    birth_date: dt.date
    language: str
    address: AddressInput
    email: str | None = None
    phone: str | None = None
    iban: str | None = None


@dataclass
class AffiliationInput:
    person_id: int
    start_date: dt.date
    category: str
    requested_on: dt.date
    previous_fund: str | None = None
    activity: str | None = None
    documents: list[str] = field(default_factory=list)
    pension_received: bool | None = None
    previously_subject_until: dt.date | None = None  # last main/art37/maxi subjection elsewhere, if any


@dataclass
class CompanyInput:
    kbo: str
    name: str
    legal_form: str
    language: str
    address: AddressInput
    affiliation_start: dt.date
    directors: list[tuple[int, dt.date]]  # (person_id, mandate start)
    iban: str | None = None
    balance_sheets: dict[int, int] = field(default_factory=dict)  # financial year -> total in cents


# ---------------------------------------------------------------- access


#: the actions that only read a file: another team's file is open to them with a need-to-know reason (any other
#: action there is refused), and their access is audited as a ``read``
READS = frozenset({"file.read", "recovery.read"})


def file_access(session: Session, who: Principal, action: str, party_id: int, reason: str | None = None) -> str | None:
    """Check that ``who`` may do ``action`` on file ``party_id``; returns the need-to-know reason to log.

    The role is checked before the file is looked up, and an affiliate or accountant is refused any file
    outside their scope before its existence is checked, so probing ids reveals nothing."""
    authz.require(who, action)
    if who.role in ("affiliate", "accountant") and party_id != who.party_id and party_id not in who.grants:
        raise authz.Forbidden("this file is not yours" if who.role == "affiliate" else "no mandate for this file")
    party = session.get(Party, party_id)
    if party is None:
        raise NotFound("file", party_id)
    if action not in READS and who.role in authz.TEAM_BOUND and party.team != who.team:
        raise authz.Forbidden("this file belongs to another team: ask that team or a manager")
    if reason is None and who.role in authz.TEAM_BOUND and party.team != who.team:
        reason = need_to_know_granted(session, who, party_id)
    return authz.require_file(who, action, party_id, party.team, reason)


_R = TypeVar("_R")


def file_record(session: Session, who: Principal, model: type[_R], record_id: int, action: str, *, thing: str,
                missing: str | None = None, owner: str = "person_id", audit_as: str | None = None,
                reason: str | None = None, what: str | None = None) -> tuple[_R, str | None]:
    """A record of a person's file reached by its id (a benefit claim, an insurance request...), once ``who`` may do
    ``action`` on that file; returns it with the need-to-know reason to log.

    The role is checked first; the person's side gets the same 403 for a record of another file and for one that
    does not exist (``authz.require_own``: "this {thing} is not of your files"); staff get a 404 naming
    ``missing`` (default ``thing``), then the file's scope (``file_access``: team, need to know — ``reason``, the
    one the caller was given, else the one this session stated). With ``audit_as`` the access is audited on that
    entity ("read" for a reading action, else the action) with that reason and ``what`` was read (a document);
    without it the caller audits what it does (with the reason returned)."""
    authz.require(who, action)
    record = session.get(model, record_id)
    authz.require_own(who, None if record is None else getattr(record, owner), thing)
    if record is None:
        raise NotFound(missing or thing, record_id)
    party_id = getattr(record, owner)
    reason = file_access(session, who, action, party_id, reason)
    if audit_as is not None:
        audit.record(session, who, "read" if action in READS else action, audit_as, record_id,
                     party_id=party_id, reason=reason,
                     detail={"what": what} if what else None)
    return record, reason


NEED_TO_KNOW_MINUTES = 60


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def need_to_know_granted(session: Session, who: Principal, party_id: int) -> str | None:
    """The reason this handler stated for this file in this session, while it holds (``declare_need_to_know``)."""
    from caisse.store.models import NeedToKnowGrant

    if who.account_id is None:
        return None
    q = select(NeedToKnowGrant.reason).where(
        NeedToKnowGrant.account_id == who.account_id, NeedToKnowGrant.party_id == party_id,
        NeedToKnowGrant.expires_at > _utcnow())
    q = q.where(NeedToKnowGrant.session_id == who.session_id) if who.session_id is not None \
        else q.where(NeedToKnowGrant.session_id.is_(None))
    return session.scalar(q.order_by(NeedToKnowGrant.id.desc()).limit(1))


def declare_need_to_know(session: Session, who: Principal, party_id: int, reason: str | None,
                         kind: str | None = None) -> dt.datetime:
    """A team-bound handler states (by POST: never in a URL, which lands in access logs) why they need a file of
    another team. The reason is checked (``authz.need_to_know_reason``), logged, and lets this session read the
    file for ``NEED_TO_KNOW_MINUTES``; every read then carries it in the audit log. Returns the expiry."""
    from caisse.store.models import NeedToKnowGrant

    authz.require(who, "file.read")
    if who.role not in authz.TEAM_BOUND or who.account_id is None:
        raise authz.Forbidden(f"{who.role} does not state a need to know (no team limits what you read)")
    text = authz.need_to_know_reason(reason, kind)
    if session.get(Party, party_id) is None:
        raise NotFound("file", party_id)
    expires = _utcnow() + dt.timedelta(minutes=NEED_TO_KNOW_MINUTES)
    session.add(NeedToKnowGrant(account_id=who.account_id, session_id=who.session_id, party_id=party_id,
                                reason=text, expires_at=expires))
    audit.record(session, who, "need_to_know", "file", party_id, party_id=party_id, reason=text,
                 detail={"minutes": NEED_TO_KNOW_MINUTES})
    return expires


# ---------------------------------------------------------------- persons


def _check_language(language: str, field_name: str = "language") -> str:
    if language not in ("fr", "nl", "de"):
        raise InvalidInput(field_name, "language must be fr, nl or de")
    return language


def register_person(session: Session, data: PersonInput, who: Principal, today: dt.date) -> Person:
    authz.require(who, "person.create")
    niss = identifiers.normalize_niss(data.niss)
    if not data.first_name.strip():
        raise InvalidInput("first_name", "is required")
    if not data.last_name.strip():
        raise InvalidInput("last_name", "is required")
    if data.birth_date > today:
        raise InvalidInput("birth_date", "a birth date cannot be in the future")
    born = identifiers.niss_birth_date(niss)
    if born is not None and born != data.birth_date:
        raise InvalidInput("birth_date", "does not match the national number (which says {born})",
                           born=born.isoformat())
    _check_language(data.language)
    data.address.validate()
    iban = identifiers.normalize_iban(data.iban) if data.iban else None
    existing = session.scalar(select(Person.id).where(Person.niss == niss))
    if existing is not None:
        raise Conflict("niss", "a person with this national number is already registered (file {file})",
                       file=existing)

    party = Party(kind="person", language=data.language, team=who.team)
    session.add(party)
    session.flush()
    person = Person(
        id=party.id, niss=niss, first_name=data.first_name.strip(), last_name=data.last_name.strip(),
        birth_date=data.birth_date, sex=_sex_from_niss(niss), email=data.email, phone=data.phone,
    )
    session.add(person)
    session.flush()
    _add_address(session, party.id, data.address, today)
    if iban:
        session.add(BankAccount(party_id=party.id, iban=iban, bic=_bic(iban), valid_from=today))
    session.flush()
    audit.record(session, who, "create", "person", person.id, party_id=person.id)
    return person


def _sex_from_niss(niss: str) -> str | None:
    """The sequence number of a national number is odd for men, even for women (not for BIS numbers)."""
    if identifiers.niss_is_bis(niss):
        return None
    return "M" if int(niss[6:9]) % 2 == 1 else "F"


def _bic(iban: str) -> str | None:
    return identifiers.bic_of_iban(iban)


def _add_address(session: Session, party_id: int, address: AddressInput, valid_from: dt.date) -> None:
    session.add(Address(party_id=party_id, street=address.street.strip(), house_number=address.house_number.strip(),
                        box=address.box, postal_code=address.postal_code.strip(), city=address.city.strip(),
                        country=address.country, valid_from=valid_from))


def get_person(session: Session, person_id: int, who: Principal, reason: str | None = None) -> Person:
    reason = file_access(session, who, "file.read", person_id, reason)
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("person", person_id)
    audit.record(session, who, "read", "person", person_id, party_id=person_id, reason=reason)
    return person


def current_address(session: Session, party_id: int, on: dt.date | None = None) -> Address | None:
    q = select(Address).where(Address.party_id == party_id)
    if on is not None:
        q = q.where(Address.valid_from <= on, or_(Address.valid_to.is_(None), Address.valid_to >= on))
    else:
        q = q.where(Address.valid_to.is_(None))
    return session.scalars(q.order_by(Address.valid_from.desc(), Address.id.desc())).first()


def current_bank_account(session: Session, party_id: int) -> BankAccount | None:
    q = select(BankAccount).where(BankAccount.party_id == party_id, BankAccount.valid_to.is_(None))
    return session.scalars(q.order_by(BankAccount.valid_from.desc(), BankAccount.id.desc())).first()


def change_address(session: Session, party_id: int, address: AddressInput, effective: dt.date,
                   who: Principal) -> Address:
    file_access(session, who, "contact.change", party_id)
    address.validate()
    old = current_address(session, party_id)
    if old is not None:
        if effective <= old.valid_from:
            raise InvalidInput("effective", "must be after the start of the current address ({since})",
                               since=old.valid_from)
        old.valid_to = effective - dt.timedelta(days=1)
    _add_address(session, party_id, address, effective)
    session.add(Event(party_id=party_id, kind="address_changed", effective_on=effective, actor=str(who),
                      detail={"postal_code": address.postal_code, "city": address.city}))
    audit.record(session, who, "update", "address", party_id, party_id=party_id)
    session.flush()
    return current_address(session, party_id)


def change_iban(session: Session, party_id: int, iban: str, effective: dt.date, who: Principal) -> BankAccount:
    file_access(session, who, "contact.change", party_id)
    iban = identifiers.normalize_iban(iban)
    old = current_bank_account(session, party_id)
    if old is not None:
        if old.iban == iban:
            raise Conflict("iban", "this is already the account on file")
        if effective < old.valid_from:
            raise InvalidInput("effective", "must not be before the start of the current account ({since})",
                               since=old.valid_from)
        if effective == old.valid_from:
            # Same day as the current account's start: a correction (a typo), not a second account valid that day.
            # The row is corrected and the event keeps what it said before; the wrong IBAN no longer identifies
            # this person's payments.
            before = identifiers.mask_iban(old.iban)
            old.iban, old.bic = iban, _bic(iban)
            session.add(Event(party_id=party_id, kind="iban_corrected", effective_on=effective, actor=str(who),
                              detail={"from": before, "iban": identifiers.mask_iban(iban)}))
            audit.record(session, who, "update", "bank_account", party_id, party_id=party_id,
                         detail={"correction": True})
            session.flush()
            return old
        old.valid_to = effective - dt.timedelta(days=1)
    account = BankAccount(party_id=party_id, iban=iban, bic=_bic(iban), valid_from=effective)
    session.add(account)
    session.add(Event(party_id=party_id, kind="iban_changed", effective_on=effective, actor=str(who),
                      detail={"iban": identifiers.mask_iban(iban)}))
    audit.record(session, who, "update", "bank_account", party_id, party_id=party_id)
    session.flush()
    return account


# ---------------------------------------------------------------- affiliations


def is_starter(start_date: dt.date, on: dt.date) -> bool:
    """Starter (débutant): the year of the start and the three following calendar years (art. 13bis)."""
    return start_date <= on and on.year <= start_date.year + STARTER_FOLLOWING_YEARS


def _overlaps(a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None) -> bool:
    return a_start <= (b_end or dt.date.max) and b_start <= (a_end or dt.date.max)


def _primostarter(session: Session, data: AffiliationInput) -> bool:
    if data.category != Category.MAIN:
        return False
    lookback = add_months(quarter_start(data.start_date), -3 * PRIMOSTARTER_LOOKBACK_QUARTERS)
    if data.previously_subject_until is not None and data.previously_subject_until >= lookback:
        return False
    rows = session.execute(
        select(CategoryPeriod.category, CategoryPeriod.valid_from, CategoryPeriod.valid_to)
        .join(Affiliation, Affiliation.id == CategoryPeriod.affiliation_id)
        .where(Affiliation.person_id == data.person_id, Affiliation.status.in_(("affiliated", "ceased")))
    ).all()
    for category, _frm, to in rows:
        if category in (Category.MAIN, Category.ART37, Category.HELPING_SPOUSE) and (to is None or to >= lookback):
            return False
    return True


def request_affiliation(session: Session, data: AffiliationInput, who: Principal) -> Affiliation:
    """Affiliation workflow: request → checks → affiliated (or waiting for documents / a transfer)."""
    if data.category not in REQUIRED_DOCUMENTS:
        raise InvalidInput("category", "unknown contributor category {category}; expected one of {categories}",
                           category=repr(data.category), categories=", ".join(REQUIRED_DOCUMENTS))
    person = session.get(Person, data.person_id)
    if person is None:
        raise InvalidInput("person_id", "no person with file number {file}", file=data.person_id)
    file_access(session, who, "affiliation.manage", person.id)
    latest_start = add_months(data.requested_on, EARLIEST_REQUEST_MONTHS_BEFORE_START)
    if data.start_date > latest_start:
        raise InvalidInput("start_date", "an affiliation can be requested at the earliest six months before the "
                           "activity starts: {start} is after {latest}", start=data.start_date, latest=latest_start)
    if data.start_date < person.birth_date:
        raise InvalidInput("start_date", "is before the person's birth date")
    unknown_docs = set(data.documents) - {d for docs in REQUIRED_DOCUMENTS.values() for d in docs}
    if unknown_docs:
        raise InvalidInput("documents", "unknown document kind(s): {kinds}", kinds=", ".join(sorted(unknown_docs)))
    if data.category == Category.STUDENT:
        age = _age(person.birth_date, data.start_date)
        if not 18 <= age < 25:
            raise InvalidInput("category", "a student self-employed is 18 to 24 years old (this person is {age})",
                               age=age)
    existing = session.scalars(select(Affiliation).where(
        Affiliation.person_id == data.person_id, Affiliation.status != AffiliationStatus.REFUSED)
        .order_by(Affiliation.start_date, Affiliation.id)).all()
    for other in existing:
        if _overlaps(data.start_date, None, other.start_date, other.end_date):
            raise Conflict("start_date", "overlaps affiliation {affiliation} ({start} – {end}); cease it first or "
                           "choose a later start", affiliation=other.id, start=other.start_date,
                           end=other.end_date or T_("open"))

    affiliation = Affiliation(
        person_id=data.person_id, status=AffiliationStatus.REQUESTED, start_date=data.start_date,
        requested_on=data.requested_on, previous_fund=data.previous_fund, activity=data.activity,
        primostarter=_primostarter(session, data),
    )
    session.add(affiliation)
    session.flush()
    session.add(CategoryPeriod(affiliation_id=affiliation.id, category=data.category, valid_from=data.start_date,
                               pension_received=data.pension_received))
    for kind in REQUIRED_DOCUMENTS[data.category]:
        session.add(AffiliationDocument(affiliation_id=affiliation.id, kind=kind,
                                        received_on=data.requested_on if kind in data.documents else None))
    late = data.requested_on > data.start_date
    _step(session, affiliation, "requested", data.requested_on, {"late": late, "category": data.category})
    audit.record(session, who, "create", "affiliation", affiliation.id, party_id=data.person_id)
    session.flush()
    _advance(session, affiliation, data.requested_on, who)
    return affiliation


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _step(session: Session, affiliation: Affiliation, step: str, on: dt.date, detail: dict | None = None) -> None:
    session.add(AffiliationStep(affiliation_id=affiliation.id, step=step, happened_on=on, detail=detail))


def missing_documents(session: Session, affiliation_id: int) -> list[str]:
    return list(session.scalars(select(AffiliationDocument.kind).where(
        AffiliationDocument.affiliation_id == affiliation_id, AffiliationDocument.received_on.is_(None))
        .order_by(AffiliationDocument.id)))


def _advance(session: Session, affiliation: Affiliation, on: dt.date, who: Principal) -> None:
    """Run the checks and move the request as far as it can go."""
    missing = missing_documents(session, affiliation.id)
    if affiliation.previous_fund and affiliation.status != AffiliationStatus.PENDING_TRANSFER \
            and not _step_done(session, affiliation.id, "transfer_completed"):
        affiliation.status = AffiliationStatus.PENDING_TRANSFER
        _step(session, affiliation, "checked", on, {"transfer_from": affiliation.previous_fund, "missing": missing})
        return
    if affiliation.status == AffiliationStatus.PENDING_TRANSFER:
        return
    if missing:
        if affiliation.status != AffiliationStatus.PENDING_DOCUMENTS:
            affiliation.status = AffiliationStatus.PENDING_DOCUMENTS
            _step(session, affiliation, "checked", on, {"missing": missing})
        return
    if not _step_done(session, affiliation.id, "checked"):
        _step(session, affiliation, "checked", on, {"missing": []})
    affiliation.status = AffiliationStatus.AFFILIATED
    _step(session, affiliation, "affiliated", on)
    _step(session, affiliation, "certificate_issued", on)
    session.flush()
    from caisse.services import inasti

    inasti.notify_start(session, affiliation, on)
    _step(session, affiliation, "inasti_notified", on)
    audit.record(session, who, "affiliate", "affiliation", affiliation.id, party_id=affiliation.person_id)


def _step_done(session: Session, affiliation_id: int, step: str) -> bool:
    return session.scalar(select(AffiliationStep.id).where(
        AffiliationStep.affiliation_id == affiliation_id, AffiliationStep.step == step).limit(1)) is not None


def get_affiliation(session: Session, affiliation_id: int) -> Affiliation:
    affiliation = session.get(Affiliation, affiliation_id)
    if affiliation is None:
        raise NotFound("affiliation", affiliation_id)
    return affiliation


def read_affiliation(session: Session, affiliation_id: int, who: Principal, reason: str | None = None) -> Affiliation:
    authz.require(who, "file.read")
    affiliation = get_affiliation(session, affiliation_id)
    reason = file_access(session, who, "file.read", affiliation.person_id, reason)
    audit.record(session, who, "read", "affiliation", affiliation_id, party_id=affiliation.person_id, reason=reason)
    return affiliation


def receive_document(session: Session, affiliation_id: int, kind: str, on: dt.date, who: Principal) -> Affiliation:
    affiliation = get_affiliation(session, affiliation_id)
    file_access(session, who, "affiliation.manage", affiliation.person_id)
    doc = session.scalar(select(AffiliationDocument).where(
        AffiliationDocument.affiliation_id == affiliation_id, AffiliationDocument.kind == kind))
    if doc is None:
        raise InvalidInput("kind", "document {kind} is not required for this affiliation", kind=repr(kind))
    if doc.received_on is None:
        doc.received_on = on
    _step(session, affiliation, "document_received", on, {"kind": kind})
    session.flush()
    if affiliation.status in (AffiliationStatus.PENDING_DOCUMENTS, AffiliationStatus.REQUESTED):
        _advance(session, affiliation, on, who)
    return affiliation


def complete_transfer(session: Session, affiliation_id: int, on: dt.date, who: Principal) -> Affiliation:
    """The previous fund released the affiliate: the request goes on with the other checks."""
    affiliation = get_affiliation(session, affiliation_id)
    file_access(session, who, "affiliation.manage", affiliation.person_id)
    if affiliation.status != AffiliationStatus.PENDING_TRANSFER:
        raise Conflict("status", "affiliation {affiliation} is {status}, not waiting for a transfer",
                       affiliation=affiliation_id, status=affiliation.status)
    if on < affiliation.requested_on:
        raise InvalidInput("released_on", "is before the request ({requested}): the previous fund releases the "
                           "affiliate after the transfer was asked", requested=affiliation.requested_on)
    _step(session, affiliation, "transfer_completed", on, {"from": affiliation.previous_fund})
    affiliation.status = AffiliationStatus.REQUESTED
    audit.record(session, who, "transfer_completed", "affiliation", affiliation.id, party_id=affiliation.person_id,
                 detail={"from": affiliation.previous_fund})
    session.flush()
    _advance(session, affiliation, on, who)
    return affiliation


def current_category(affiliation: Affiliation, on: dt.date | None = None) -> CategoryPeriod:
    periods = affiliation.categories
    if on is None:
        return periods[-1]
    for period in periods:
        if period.valid_from <= on and (period.valid_to is None or period.valid_to >= on):
            return period
    raise NotFound("category on", on)


def change_category(session: Session, affiliation_id: int, category: str, effective: dt.date, who: Principal,
                    pension_received: bool | None = None) -> CategoryPeriod:
    """A new contributor category from ``effective``; the previous period is closed, never rewritten."""
    affiliation = get_affiliation(session, affiliation_id)
    file_access(session, who, "affiliation.manage", affiliation.person_id)
    if category not in REQUIRED_DOCUMENTS:
        raise InvalidInput("category", "unknown contributor category {category}", category=repr(category))
    if affiliation.status != AffiliationStatus.AFFILIATED:
        raise Conflict("status", "affiliation {affiliation} is {status}, not affiliated",
                       affiliation=affiliation_id, status=affiliation.status)
    current = affiliation.categories[-1]
    if effective <= current.valid_from:
        raise InvalidInput("effective", "must be after the start of the current category ({since})",
                           since=current.valid_from)
    if current.category == category and current.pension_received == pension_received:
        raise Conflict("category", "the affiliate is already in category {category}", category=category)
    current.valid_to = effective - dt.timedelta(days=1)
    period = CategoryPeriod(affiliation_id=affiliation.id, category=category, valid_from=effective,
                            pension_received=pension_received)
    session.add(period)
    session.add(Event(party_id=affiliation.person_id, kind="category_changed", effective_on=effective, actor=str(who),
                      detail={"from": current.category, "to": category, "affiliation": affiliation.id}))
    audit.record(session, who, "update", "category", affiliation.id, party_id=affiliation.person_id)
    session.flush()
    session.refresh(affiliation)
    return period


def cease(session: Session, affiliation_id: int, end_date: dt.date, reason: str, who: Principal) -> Affiliation:
    """Cessation (cessation d'activité): the affiliation ends on ``end_date``."""
    affiliation = get_affiliation(session, affiliation_id)
    file_access(session, who, "affiliation.manage", affiliation.person_id)
    if affiliation.status == AffiliationStatus.CEASED:
        raise Conflict("status", "affiliation {affiliation} already ceased on {end}", affiliation=affiliation_id,
                       end=affiliation.end_date)
    if affiliation.status != AffiliationStatus.AFFILIATED:
        raise Conflict("status", "affiliation {affiliation} is {status}, not affiliated",
                       affiliation=affiliation_id, status=affiliation.status)
    if end_date < affiliation.start_date:
        raise InvalidInput("end_date", "cessation on {end} is before the start of the affiliation ({start})",
                           end=end_date, start=affiliation.start_date)
    if not reason.strip():
        raise InvalidInput("reason", "is required")
    current = affiliation.categories[-1]
    if current.valid_from > end_date:
        raise InvalidInput("end_date", "is before the start of the current category ({since})",
                           since=current.valid_from)
    current.valid_to = end_date
    affiliation.end_date = end_date
    affiliation.end_reason = reason.strip()
    affiliation.status = AffiliationStatus.CEASED
    _step(session, affiliation, "ceased", end_date, {"reason": reason})
    session.add(Event(party_id=affiliation.person_id, kind="ceased", effective_on=end_date, actor=str(who),
                      detail={"affiliation": affiliation.id, "reason": reason}))
    audit.record(session, who, "cease", "affiliation", affiliation.id, party_id=affiliation.person_id)
    session.flush()
    from caisse.services import inasti

    inasti.notify_end(session, affiliation, end_date)
    return affiliation


def affiliated_category_on(session: Session, person_id: int, on: dt.date) -> str | None:
    """The contributor category of ``person_id``'s current affiliation on ``on`` (None: not affiliated then)."""
    return session.scalar(
        select(CategoryPeriod.category).join(Affiliation, Affiliation.id == CategoryPeriod.affiliation_id)
        .where(Affiliation.person_id == person_id, Affiliation.status == AffiliationStatus.AFFILIATED,
               CategoryPeriod.valid_from <= on, or_(CategoryPeriod.valid_to.is_(None), CategoryPeriod.valid_to >= on))
        .order_by(CategoryPeriod.valid_from.desc(), CategoryPeriod.id.desc()).limit(1))


def _category_phrase(category: str | None) -> Text:
    return T_("affiliated as {category}", category=category) if category else T_("not affiliated with the fund")


def link_helping_spouse(session: Session, helper_id: int, self_employed_id: int, valid_from: dt.date,
                        who: Principal) -> SpouseLink:
    """Helping spouse (conjoint aidant) ↔ the self-employed person they help (joint liability).

    The helper must be affiliated in the helping-spouse category on ``valid_from`` and the person helped
    affiliated as a self-employed worker (any other category); each has at most one open link."""
    file_access(session, who, "affiliation.manage", helper_id)
    if session.get(Person, helper_id) is None:
        raise InvalidInput("helper_id", "file {file} is not a person", file=helper_id)
    if helper_id == self_employed_id:
        raise InvalidInput("self_employed_id", "a person cannot be their own helping spouse")
    if session.get(Person, self_employed_id) is None:
        raise InvalidInput("self_employed_id", "no person with file number {file}", file=self_employed_id)
    file_access(session, who, "affiliation.manage", self_employed_id)
    helper_category = affiliated_category_on(session, helper_id, valid_from)
    if helper_category != Category.HELPING_SPOUSE:
        raise InvalidInput("helper_id", "person {person} is {affiliated} on {day}: affiliate them as helping_spouse "
                           "first", person=helper_id, affiliated=_category_phrase(helper_category), day=valid_from)
    helped_category = affiliated_category_on(session, self_employed_id, valid_from)
    if helped_category is None or helped_category == Category.HELPING_SPOUSE:
        raise InvalidInput("self_employed_id", "person {person} is {affiliated} on {day}: the person helped must be "
                           "affiliated as self-employed", person=self_employed_id,
                           affiliated=_category_phrase(helped_category), day=valid_from)
    open_link = session.scalar(select(SpouseLink).where(
        SpouseLink.helper_id == helper_id, SpouseLink.valid_to.is_(None)))
    if open_link is not None:
        raise Conflict("helper_id", "already helping person {person} since {since}",
                       person=open_link.self_employed_id, since=open_link.valid_from)
    helped = session.scalar(select(SpouseLink).where(
        SpouseLink.self_employed_id == self_employed_id, SpouseLink.valid_to.is_(None)))
    if helped is not None:
        raise Conflict("self_employed_id", "already helped by person {person} since {since}", person=helped.helper_id,
                       since=helped.valid_from)
    link = SpouseLink(helper_id=helper_id, self_employed_id=self_employed_id, valid_from=valid_from)
    session.add(link)
    session.add(Event(party_id=helper_id, kind="helping_spouse_linked", effective_on=valid_from, actor=str(who),
                      detail={"helps": self_employed_id}))
    session.add(Event(party_id=self_employed_id, kind="helping_spouse_linked", effective_on=valid_from,
                      actor=str(who), detail={"helper": helper_id}))
    audit.record(session, who, "create", "spouse_link", helper_id, party_id=helper_id,
                 detail={"self_employed": self_employed_id})
    session.flush()
    return link


# ---------------------------------------------------------------- companies


def register_company(session: Session, data: CompanyInput, who: Principal, today: dt.date) -> Company:
    authz.require(who, "company.create")
    kbo = identifiers.normalize_kbo(data.kbo)
    if not data.name.strip():
        raise InvalidInput("name", "is required")
    if data.legal_form not in LEGAL_FORMS:
        raise InvalidInput("legal_form", "unknown legal form {form}; expected one of {forms}",
                           form=repr(data.legal_form), forms=", ".join(LEGAL_FORMS))
    _check_language(data.language)
    data.address.validate()
    if not data.directors:
        raise InvalidInput("directors", "a company needs at least one director (mandataire) on file")
    for i, (person_id, _start) in enumerate(data.directors):
        if session.get(Person, person_id) is None:
            raise InvalidInput(f"directors.{i}.person_id", "no person with file number {file}", file=person_id)
    for year, total in data.balance_sheets.items():
        _check_financial_year(year, f"balance_sheets.{year}")
        if total < 0:
            raise InvalidInput(f"balance_sheets.{year}", "a balance-sheet total cannot be negative")
    iban = identifiers.normalize_iban(data.iban) if data.iban else None
    existing = session.scalar(select(Company.id).where(Company.kbo == kbo))
    if existing is not None:
        raise Conflict("kbo", "a company with this enterprise number is already registered (file {file})",
                       file=existing)

    party = Party(kind="company", language=data.language, team=who.team)
    session.add(party)
    session.flush()
    company = Company(id=party.id, kbo=kbo, name=data.name.strip(), legal_form=data.legal_form,
                      affiliation_start=data.affiliation_start)
    session.add(company)
    session.flush()
    _add_address(session, party.id, data.address, today)
    if iban:
        session.add(BankAccount(party_id=party.id, iban=iban, bic=_bic(iban), valid_from=today))
    for person_id, start in data.directors:
        session.add(Mandate(company_id=party.id, person_id=person_id, valid_from=start))
    for year, total in data.balance_sheets.items():
        session.add(BalanceSheet(company_id=party.id, financial_year=year, total_cents=total))
    session.flush()
    audit.record(session, who, "create", "company", company.id, party_id=company.id)
    return company


def get_company(session: Session, company_id: int, who: Principal, reason: str | None = None) -> Company:
    reason = file_access(session, who, "file.read", company_id, reason)
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound("company", company_id)
    audit.record(session, who, "read", "company", company_id, party_id=company_id, reason=reason)
    return company


def directors(session: Session, company_id: int) -> list[Mandate]:
    return list(session.scalars(select(Mandate).where(Mandate.company_id == company_id)
                                .order_by(Mandate.valid_from, Mandate.id)))


def balance_sheets(session: Session, company_id: int) -> list[BalanceSheet]:
    return list(session.scalars(select(BalanceSheet).where(BalanceSheet.company_id == company_id)
                                .order_by(BalanceSheet.financial_year)))


def _company(session: Session, company_id: int, who: Principal) -> Company:
    file_access(session, who, "affiliation.manage", company_id)
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound("company", company_id)
    return company


def _check_financial_year(year: int, field_name: str) -> None:
    if not MIN_FINANCIAL_YEAR <= year <= MAX_FINANCIAL_YEAR:
        raise InvalidInput(field_name, "a financial year between {first} and {last}, not {year}",
                           first=MIN_FINANCIAL_YEAR, last=MAX_FINANCIAL_YEAR, year=year)


def record_balance_sheet(session: Session, company_id: int, year: int, total_cents: int,
                         who: Principal, on: dt.date | None = None) -> BalanceSheet:
    """The balance-sheet total of a financial year (drives the company contribution bracket); once per year."""
    _company(session, company_id, who)
    _check_financial_year(year, "financial_year")
    if total_cents < 0:
        raise InvalidInput("total", "a balance-sheet total cannot be negative")
    if session.scalar(select(BalanceSheet.id).where(BalanceSheet.company_id == company_id,
                                                    BalanceSheet.financial_year == year)) is not None:
        raise Conflict("financial_year", "the balance sheet of {year} is already on file", year=year)
    sheet = BalanceSheet(company_id=company_id, financial_year=year, total_cents=total_cents)
    session.add(sheet)
    session.add(Event(party_id=company_id, kind="balance_sheet_recorded", effective_on=on or dt.date.today(),
                      actor=str(who), detail={"financial_year": year, "total": fmt(total_cents)}))
    audit.record(session, who, "create", "balance_sheet", company_id, party_id=company_id,
                 detail={"financial_year": year})
    session.flush()
    return sheet


def add_director(session: Session, company_id: int, person_id: int, since: dt.date, who: Principal) -> Mandate:
    """A new director (mandataire) from ``since``: joint liability for the company's contributions."""
    company = _company(session, company_id, who)
    person = session.get(Person, person_id)
    if person is None:
        raise InvalidInput("person_id", "no person with file number {file}", file=person_id)
    if since < person.birth_date:
        raise InvalidInput("since", "is before the person's birth date")
    if since < company.affiliation_start:
        raise InvalidInput("since", "is before the company's affiliation ({start})", start=company.affiliation_start)
    for m in directors(session, company_id):
        if m.person_id == person_id and _overlaps(since, None, m.valid_from, m.valid_to):
            if m.valid_to:
                raise Conflict("person_id", "person {person} is already a director of this company from {start} to "
                               "{end}", person=person_id, start=m.valid_from, end=m.valid_to)
            raise Conflict("person_id", "person {person} is already a director of this company from {start}",
                           person=person_id, start=m.valid_from)
    mandate = Mandate(company_id=company_id, person_id=person_id, role="director", valid_from=since)
    session.add(mandate)
    for party, detail in ((company_id, {"person": person_id}), (person_id, {"company": company_id})):
        session.add(Event(party_id=party, kind="director_added", effective_on=since, actor=str(who), detail=detail))
    audit.record(session, who, "create", "mandate", company_id, party_id=company_id, detail={"person": person_id})
    session.flush()
    return mandate


def end_director(session: Session, company_id: int, person_id: int, end_date: dt.date, who: Principal) -> Mandate:
    """The director's mandate ends on ``end_date`` (last day). A company keeps at least one director: the last
    one's mandate can only end once a successor is on file from the next day at the latest."""
    _company(session, company_id, who)
    mandates = directors(session, company_id)
    mandate = next((m for m in mandates if m.person_id == person_id and m.valid_to is None), None)
    if mandate is None:
        raise InvalidInput("person_id", "person {person} has no open director's mandate at company {company}",
                           person=person_id, company=company_id)
    if end_date < mandate.valid_from:
        raise InvalidInput("end_date", "is before the start of the mandate ({start})", start=mandate.valid_from)
    next_day = end_date + dt.timedelta(days=1)
    successors = [m for m in mandates if m is not mandate and m.valid_from <= next_day
                  and (m.valid_to is None or m.valid_to >= next_day)]
    if not successors:
        raise Conflict("person_id", "person {person} is the company's last director: the company would have no "
                       "director from {day}; add the new director first", person=person_id, day=next_day)
    mandate.valid_to = end_date
    for party, detail in ((company_id, {"person": person_id}), (person_id, {"company": company_id})):
        session.add(Event(party_id=party, kind="director_ended", effective_on=end_date, actor=str(who),
                          detail=detail))
    audit.record(session, who, "update", "mandate", company_id, party_id=company_id,
                 detail={"person": person_id, "end_date": end_date.isoformat()})
    session.flush()
    return mandate


def affiliation_certificate(session: Session, affiliation_id: int, who: Principal, today: dt.date,
                            fund_name: str, reason: str | None = None) -> bytes:
    """The affiliation certificate as a PDF in the affiliate's language (the read is audited)."""
    from caisse.documents.certificates import CertificateData, affiliation_certificate_pdf

    affiliation = get_affiliation(session, affiliation_id)
    reason = file_access(session, who, "file.read", affiliation.person_id, reason)
    if affiliation.status not in (AffiliationStatus.AFFILIATED, AffiliationStatus.CEASED):
        raise Conflict("status", "affiliation {affiliation} is {status}: no certificate yet",
                       affiliation=affiliation_id, status=affiliation.status)
    person = session.get(Person, affiliation.person_id)
    address = current_address(session, person.id)
    lines = []
    if address is not None:
        lines = [f"{address.street} {address.house_number}" + (f" bte {address.box}" if address.box else ""),
                 f"{address.postal_code} {address.city}"]
    category = affiliation.categories[-1]
    audit.record(session, who, "document", "affiliation_certificate", affiliation_id, party_id=person.id,
                 reason=reason)
    return affiliation_certificate_pdf(CertificateData(
        fund_name=fund_name, language=person.party.language, file_number=person.id, affiliation_id=affiliation.id,
        name=f"{person.first_name} {person.last_name}", niss_formatted=identifiers.format_niss(person.niss),
        address_lines=lines, start=affiliation.start_date, end=affiliation.end_date, category=category.category,
        category_since=category.valid_from, today=today))
