"""The caseworker's view of a file: search and the file's facts (every read is audited)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from caisse import identifiers
from caisse.errors import InvalidInput
from caisse.money import fmt
from caisse.security import authz
from caisse.security.authz import Principal
from caisse.services import affiliation as aff_svc
from caisse.services import audit
from caisse.store.models import (
    Address,
    Affiliation,
    AffiliationStep,
    CategoryPeriod,
    Company,
    Event,
    Mandate,
    Party,
    Person,
    ProfessionalIncome,
    SpouseLink,
)


@dataclass
class SearchHit:
    id: int
    name: str
    number: str
    kind: str


def search(session: Session, q: str, who: Principal, limit: int = 50) -> list[SearchHit]:
    """By file number, national number, enterprise number, or (part of) a name."""
    authz.require(who, "file.search")
    q = (q or "").strip()
    if len(q) < 2:
        raise InvalidInput("q", "type at least two characters")
    digits = "".join(ch for ch in q if ch.isdigit())
    hits: list[SearchHit] = []
    if digits and len(digits) == len(q.replace(".", "").replace("-", "").replace(" ", "").removeprefix("BE")):
        if len(digits) == 11:
            p = session.scalar(select(Person).where(Person.niss == digits))
            if p:
                hits.append(SearchHit(p.id, f"{p.last_name} {p.first_name}", identifiers.mask_niss(p.niss), "person"))
        elif len(digits) == 10:
            c = session.scalar(select(Company).where(Company.kbo == digits))
            if c:
                hits.append(SearchHit(c.id, c.name, identifiers.format_kbo(c.kbo), "company"))
        elif len(digits) <= 9:
            party = session.get(Party, int(digits))
            if party:
                hits.extend(_hit(session, party))
    else:
        pattern = f"%{q.lower()}%"
        people = session.scalars(select(Person).where(or_(
            func.lower(Person.last_name + " " + Person.first_name).like(pattern),
            func.lower(Person.first_name + " " + Person.last_name).like(pattern))).order_by(Person.last_name,
                                                                                          Person.id).limit(limit))
        hits.extend(SearchHit(p.id, f"{p.last_name} {p.first_name}", identifiers.mask_niss(p.niss), "person")
                    for p in people)
        companies = session.scalars(select(Company).where(func.lower(Company.name).like(pattern))
                                    .order_by(Company.name, Company.id).limit(limit))
        hits.extend(SearchHit(c.id, c.name, identifiers.format_kbo(c.kbo), "company") for c in companies)
    hits = hits[:limit]
    audit.record(session, who, "search", "files", None, detail={"results": len(hits)})
    # which files the list showed (name, masked number): one row per file, so each file's history has it
    audit.record_reads(session, who, "search_result", (h.id for h in hits), what=["name", "masked number"])
    return hits


def _hit(session: Session, party: Party) -> list[SearchHit]:
    if party.kind == "person":
        p = session.get(Person, party.id)
        return [SearchHit(p.id, f"{p.last_name} {p.first_name}", identifiers.mask_niss(p.niss), "person")]
    c = session.get(Company, party.id)
    return [SearchHit(c.id, c.name, identifiers.format_kbo(c.kbo), "company")]


@dataclass
class AffiliationView:
    id: int
    status: str
    start_date: dt.date
    end_date: dt.date | None
    end_reason: str | None
    primostarter: bool
    starter: bool
    categories: list[CategoryPeriod]
    steps: list[AffiliationStep]


@dataclass
class FileView:
    id: int
    name: str
    kind: str
    facts: list[tuple[str, str]]
    addresses: list[Address]
    affiliations: list[AffiliationView] = field(default_factory=list)
    incomes: list[dict] = field(default_factory=list)
    links: list[tuple[str, int, dt.date]] = field(default_factory=list)  # (relation, other file, since)
    events: list[Event] = field(default_factory=list)


def file_view(session: Session, party_id: int, who: Principal, today: dt.date, reason: str | None = None) -> FileView:
    reason = aff_svc.file_access(session, who, "file.read", party_id, reason)
    party = session.get(Party, party_id)
    addresses = list(session.scalars(select(Address).where(Address.party_id == party_id)
                                     .order_by(Address.valid_from, Address.id)))
    account = aff_svc.current_bank_account(session, party_id)
    iban = identifiers.format_iban(account.iban) if account else "—"
    events = list(session.scalars(select(Event).where(Event.party_id == party_id)
                                  .order_by(Event.effective_on, Event.id)))
    if party.kind == "person":
        p = session.get(Person, party_id)
        view = FileView(party_id, f"{p.first_name} {p.last_name}", "person", [
            ("National number", identifiers.format_niss(p.niss)), ("Born", p.birth_date.isoformat()),
            ("Language", party.language), ("E-mail", p.email or "—"), ("Phone", p.phone or "—"), ("IBAN", iban)],
            addresses, events=events)
        for a in session.scalars(select(Affiliation).where(Affiliation.person_id == party_id)
                                 .order_by(Affiliation.start_date, Affiliation.id)):
            steps = list(session.scalars(select(AffiliationStep).where(AffiliationStep.affiliation_id == a.id)
                                         .order_by(AffiliationStep.id)))
            view.affiliations.append(AffiliationView(a.id, a.status, a.start_date, a.end_date, a.end_reason,
                                                     a.primostarter, aff_svc.is_starter(a.start_date, today),
                                                     list(a.categories), steps))
        for inc in session.scalars(select(ProfessionalIncome).where(ProfessionalIncome.person_id == party_id)
                                   .order_by(ProfessionalIncome.year, ProfessionalIncome.assessed_on,
                                             ProfessionalIncome.id)):
            view.incomes.append({"year": inc.year, "amount": fmt(inc.amount_cents), "cents": inc.amount_cents,
                                 "assessed_on": inc.assessed_on})
        for m in session.scalars(select(Mandate).where(Mandate.person_id == party_id)
                                 .order_by(Mandate.valid_from, Mandate.id)):
            view.links.append(("Director of company", m.company_id, m.valid_from))
        for s in session.scalars(select(SpouseLink).where(or_(SpouseLink.helper_id == party_id,
                                                              SpouseLink.self_employed_id == party_id))
                                 .order_by(SpouseLink.valid_from, SpouseLink.id)):
            other = s.self_employed_id if s.helper_id == party_id else s.helper_id
            role = "Helping spouse of" if s.helper_id == party_id else "Helped by spouse"
            view.links.append((role, other, s.valid_from))
    else:
        c = session.get(Company, party_id)
        view = FileView(party_id, c.name, "company", [
            ("Enterprise number", identifiers.format_kbo(c.kbo)), ("Legal form", c.legal_form),
            ("Affiliated since", c.affiliation_start.isoformat()), ("Language", party.language), ("IBAN", iban)],
            addresses, events=events)
        for m in session.scalars(select(Mandate).where(Mandate.company_id == party_id)
                                 .order_by(Mandate.valid_from, Mandate.id)):
            view.links.append(("Director", m.person_id, m.valid_from))
    audit.record(session, who, "read", "file", party_id, party_id=party_id, reason=reason)
    return view


def fund_stats(session: Session, today: dt.date) -> dict:
    active = (Affiliation.status == "affiliated")
    by_category = session.execute(
        select(CategoryPeriod.category, func.count()).join(Affiliation, Affiliation.id == CategoryPeriod.affiliation_id)
        .where(active, CategoryPeriod.valid_from <= today,
               or_(CategoryPeriod.valid_to.is_(None), CategoryPeriod.valid_to >= today))
        .group_by(CategoryPeriod.category).order_by(func.count().desc(), CategoryPeriod.category)).all()
    return {
        "people": session.scalar(select(func.count()).select_from(Person)),
        "companies": session.scalar(select(func.count()).select_from(Company)),
        "active": session.scalar(select(func.count()).select_from(Affiliation).where(active)),
        "starters": session.scalar(select(func.count()).select_from(Affiliation).where(
            Affiliation.start_date >= dt.date(today.year, 1, 1), Affiliation.start_date <= today)),
        "by_category": [tuple(r) for r in by_category],
        "by_language": [tuple(r) for r in session.execute(
            select(Party.language, func.count()).group_by(Party.language).order_by(Party.language))],
    }


def my_files(session: Session, who: Principal) -> list[SearchHit]:
    """The files an affiliate or accountant may open: their own and those they hold a grant for."""
    ids = sorted({*(who.grants or ()), *((who.party_id,) if who.party_id else ())})
    hits: list[SearchHit] = []
    for pid in ids:
        party = session.get(Party, pid)
        if party is not None:
            hits.extend(_hit(session, party))
    return hits
