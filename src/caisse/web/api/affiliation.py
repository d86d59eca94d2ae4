"""Affiliate API: persons, affiliations, companies. Input is validated here (422 with field paths) and
again in the services (which name the field too); every read and write is audited by the services."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import AfterValidator, BaseModel, Field
from pydantic import Strict as PydanticStrict
from sqlalchemy.orm import Session

from caisse import identifiers
from caisse.errors import InvalidInput, NotFound
from caisse.money import fmt, to_cents
from caisse.services import affiliation as svc
from caisse.store.models import Company, Person
from caisse.web.auth import PrincipalDep, SessionDep
from caisse.web.schemas import Day, Strict

router = APIRouter(prefix="/api", tags=["affiliation"])

ERRORS = {400: {"description": "The body is not valid JSON"}, 401: {"description": "Not logged in"},
          403: {"description": "Not allowed (role, scope, CSRF token, or a need-to-know reason is required)"},
          404: {"description": "No such file"}, 409: {"description": "Conflicts with the file (duplicate, overlap)"}}


def _field_check(fn):
    def check(value):
        if value is None:
            return value
        try:
            return fn(value, "value")
        except InvalidInput as exc:
            raise ValueError(exc.message) from None
    return AfterValidator(check)


Niss = Annotated[str, _field_check(identifiers.normalize_niss),
                 Field(json_schema_extra={"format": "be-niss"}, examples=["85.07.30-033.28"])]
Kbo = Annotated[str, _field_check(identifiers.normalize_kbo),
                Field(json_schema_extra={"format": "be-kbo"}, examples=["0403.170.701"])]
Iban = Annotated[str, _field_check(identifiers.normalize_iban),
                 Field(json_schema_extra={"format": "iban"}, examples=["BE71 0961 2345 6769"])]
CategoryName = Literal["main", "complementary", "student", "helping_spouse", "post_pension", "art37"]
LanguageCode = Literal["fr", "nl", "de"]
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=r"\S")]
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


class AddressIn(Strict):
    street: Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
    house_number: Annotated[str, Field(min_length=1, max_length=20, pattern=r"\S")]
    box: Annotated[str | None, Field(max_length=20)] = None
    postal_code: Annotated[str, Field(pattern=r"^[1-9][0-9]{3}$")]
    city: Annotated[str, Field(min_length=1, max_length=100, pattern=r"\S")]

    def to_input(self) -> svc.AddressInput:
        return svc.AddressInput(**self.model_dump())


class AddressOut(BaseModel):
    street: str
    house_number: str
    box: str | None
    postal_code: str
    city: str
    country: str
    valid_from: dt.date


class PersonIn(Strict):
    niss: Niss
    first_name: Name
    last_name: Name
    birth_date: Day
    language: LanguageCode
    address: AddressIn
    email: Annotated[str | None, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] = None
    phone: Annotated[str | None, Field(max_length=40, pattern=r"^\+?[0-9 ./()-]{6,}$")] = None
    iban: Iban | None = None


class PersonOut(BaseModel):
    id: int
    niss: str
    first_name: str
    last_name: str
    birth_date: dt.date
    language: str
    email: str | None
    phone: str | None
    address: AddressOut | None
    iban: str | None


class AffiliationIn(Strict):
    person_id: Id
    start_date: Day
    category: CategoryName
    requested_on: Day | None = None
    previous_fund: Annotated[str | None, Field(max_length=100)] = None
    activity: Annotated[str | None, Field(max_length=200)] = None
    documents: list[str] = []
    pension_received: bool | None = None
    previously_subject_until: Day | None = None


class CategoryPeriodOut(BaseModel):
    category: str
    valid_from: dt.date
    valid_to: dt.date | None


class AffiliationOut(BaseModel):
    id: int
    person_id: int
    status: str
    start_date: dt.date
    end_date: dt.date | None
    end_reason: str | None
    primostarter: bool
    starter: bool
    categories: list[CategoryPeriodOut]
    missing_documents: list[str]


class CessationIn(Strict):
    end_date: Day
    reason: Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]


class CategoryChangeIn(Strict):
    category: CategoryName
    effective: Day
    pension_received: bool | None = None


class DocumentIn(Strict):
    kind: Annotated[str, Field(min_length=1, max_length=60)]
    received_on: Day | None = None


class DirectorIn(Strict):
    person_id: Id
    since: Day


#: an amount in euros as text with at most two decimals (never a binary float), as everywhere in the API
Amount = Annotated[str, Field(pattern=r"^[0-9]{1,13}(\.[0-9]{1,2})?$", examples=["500000.00"])]
# a JSON object's keys are text: the year key is read from "2023" (lax), its value stays strict
FinancialYear = Annotated[int, Field(ge=svc.MIN_FINANCIAL_YEAR, le=svc.MAX_FINANCIAL_YEAR), PydanticStrict(False)]


class CompanyIn(Strict):
    kbo: Kbo
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
    legal_form: Literal[svc.LEGAL_FORMS]  # type: ignore[valid-type]
    language: LanguageCode
    address: AddressIn
    affiliation_start: Day
    directors: Annotated[list[DirectorIn], Field(min_length=1)]
    iban: Iban | None = None
    balance_sheets: Annotated[dict[FinancialYear, Amount], Field(
        description="Balance-sheet total per financial year, in euros as text: {\"2024\": \"500000.00\"}")] = {}


class DirectorOut(BaseModel):
    person_id: int
    role: str
    valid_from: dt.date
    valid_to: dt.date | None


class BalanceSheetIn(Strict):
    financial_year: FinancialYear
    total: Amount


class BalanceSheetOut(BaseModel):
    financial_year: int
    total: str


class DirectorEndIn(Strict):
    end_date: Day


class IbanChangeIn(Strict):
    iban: Iban
    effective: Day | None = Field(None, description="Default: today. The first day of the current account "
                                                        "corrects it (a typo) instead of adding an account.")


class TransferIn(Strict):
    released_on: Day | None = Field(None, description="Day the previous fund released the affiliate "
                                                          "(default: today)")


class SpouseLinkIn(Strict):
    self_employed_id: Id
    valid_from: Day


class SpouseLinkOut(BaseModel):
    id: int
    helper_id: int
    self_employed_id: int
    valid_from: dt.date
    valid_to: dt.date | None


class CompanyOut(BaseModel):
    id: int
    kbo: str
    name: str
    legal_form: str
    language: str
    affiliation_start: dt.date
    address: AddressOut | None
    directors: list[DirectorOut]
    balance_sheets: list[BalanceSheetOut]


def _address_out(session: Session, party_id: int) -> AddressOut | None:
    a = svc.current_address(session, party_id)
    return AddressOut.model_validate(a, from_attributes=True) if a else None


def _person_out(session: Session, person) -> PersonOut:
    account = svc.current_bank_account(session, person.id)
    return PersonOut(id=person.id, niss=person.niss, first_name=person.first_name, last_name=person.last_name,
                     birth_date=person.birth_date, language=person.party.language, email=person.email,
                     phone=person.phone, address=_address_out(session, person.id),
                     iban=account.iban if account else None)


def _affiliation_out(session: Session, a) -> AffiliationOut:
    return AffiliationOut(
        id=a.id, person_id=a.person_id, status=a.status, start_date=a.start_date, end_date=a.end_date,
        end_reason=a.end_reason, primostarter=a.primostarter, starter=svc.is_starter(a.start_date, dt.date.today()),
        categories=[CategoryPeriodOut.model_validate(c, from_attributes=True) for c in a.categories],
        missing_documents=svc.missing_documents(session, a.id))


@router.post("/persons", status_code=201, response_model=PersonOut, responses=ERRORS)
def create_person(body: PersonIn, session: SessionDep, who: PrincipalDep) -> PersonOut:
    data = svc.PersonInput(**body.model_dump(exclude={"address"}), address=body.address.to_input())
    person = svc.register_person(session, data, who, dt.date.today())
    return _person_out(session, person)


@router.get("/persons/{person_id}", response_model=PersonOut, responses=ERRORS)
def read_person(person_id: PathId, session: SessionDep, who: PrincipalDep) -> PersonOut:
    return _person_out(session, svc.get_person(session, person_id, who))


def _person_or_404(session: Session, person_id: int):
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("person", person_id)
    return person


@router.put("/persons/{person_id}/address", response_model=PersonOut, responses=ERRORS)
def move(person_id: PathId, body: AddressIn, effective: dt.date, session: SessionDep, who: PrincipalDep) -> PersonOut:
    svc.change_address(session, person_id, body.to_input(), effective, who)
    return _person_out(session, _person_or_404(session, person_id))


@router.put("/persons/{person_id}/iban", response_model=PersonOut, responses=ERRORS)
def change_iban(person_id: PathId, body: IbanChangeIn, session: SessionDep, who: PrincipalDep) -> PersonOut:
    """A new account for refunds and benefits from ``effective`` (the previous one ends the day before); on the
    current account's first day the account is corrected instead (dated event ``iban_corrected``)."""
    svc.change_iban(session, person_id, body.iban, body.effective or dt.date.today(), who)
    return _person_out(session, _person_or_404(session, person_id))


@router.post("/persons/{person_id}/helping-spouse", status_code=201, response_model=SpouseLinkOut,
             responses=ERRORS)
def link_helping_spouse(person_id: PathId, body: SpouseLinkIn, session: SessionDep,
                        who: PrincipalDep) -> SpouseLinkOut:
    """``person_id`` (affiliated as helping spouse) helps ``self_employed_id`` from ``valid_from``."""
    link = svc.link_helping_spouse(session, person_id, body.self_employed_id, body.valid_from, who)
    return SpouseLinkOut.model_validate(link, from_attributes=True)


@router.get("/persons/{person_id}/export", responses=ERRORS, tags=["privacy"])
def export_person(person_id: PathId, session: SessionDep, who: PrincipalDep) -> dict:
    """Right of access (GDPR art. 15): everything the fund holds about this person, as JSON."""
    from caisse.services import gdpr

    return gdpr.export_file(session, who, person_id)


@router.get("/persons/{person_id}/tax-certificate.pdf", responses={
    **ERRORS, 200: {"content": {"application/pdf": {}}, "description": "The tax certificate of the year"}},
    response_class=Response, tags=["reporting"])
def tax_certificate(person_id: PathId, year: Annotated[int, Query(ge=1990, le=9999)], session: SessionDep,
                    who: PrincipalDep) -> Response:
    """The tax certificate (attestation fiscale) of an ended calendar year, in the person's language: the one the
    yearly batch recorded, else computed now from the ledger (docs/tax-certificates.md)."""
    from caisse.documents.tax_certificate import addresses, render_certificate
    from caisse.reporting import tax_certificates

    svc.get_person(session, person_id, who)  # need to know (a reason stated by POST); the read is audited
    cert = tax_certificates.one(session, person_id, year)
    pdf = render_certificate(cert, addresses(session, [person_id]).get(person_id), dt.date.today())
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="tax-certificate-{year}-{person_id}.pdf"'})


@router.get("/persons/{person_id}/yearly-summary", responses=ERRORS, tags=["reporting"])
def yearly_summary(person_id: PathId, year: Annotated[int, Query(ge=2000, le=2099)], session: SessionDep,
                   who: PrincipalDep) -> dict:
    """The yearly personal summary of a person as of today: what was paid in the year (the tax certificate's
    figures), per quarter the pension career state and the health cover, the next quarter and the regularisation
    (assessed, computed, estimated with its basis, or not known yet) — docs/yearly-summary.md. The PDF is at
    ``/my/files/{id}/summary/pdf?year=Y``."""
    from caisse.services import portal

    return portal.yearly_summary(session, who, person_id, year, dt.date.today()).to_json()


@router.post("/affiliations", status_code=201, response_model=AffiliationOut, responses=ERRORS)
def create_affiliation(body: AffiliationIn, session: SessionDep, who: PrincipalDep) -> AffiliationOut:
    data = svc.AffiliationInput(**body.model_dump(exclude={"requested_on"}),
                                requested_on=body.requested_on or dt.date.today())
    return _affiliation_out(session, svc.request_affiliation(session, data, who))


@router.get("/affiliations/{affiliation_id}", response_model=AffiliationOut, responses=ERRORS)
def read_affiliation(affiliation_id: PathId, session: SessionDep, who: PrincipalDep) -> AffiliationOut:
    return _affiliation_out(session, svc.read_affiliation(session, affiliation_id, who))


@router.get("/affiliations/{affiliation_id}/certificate.pdf", responses={
    **ERRORS, 200: {"content": {"application/pdf": {}}, "description": "The affiliation certificate"}},
    response_class=Response)
def certificate(affiliation_id: PathId, request: Request, session: SessionDep, who: PrincipalDep) -> Response:
    pdf = svc.affiliation_certificate(session, affiliation_id, who, dt.date.today(),
                                      request.app.state.settings.fund_name)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="affiliation-{affiliation_id}.pdf"'})


@router.post("/affiliations/{affiliation_id}/documents", response_model=AffiliationOut, responses=ERRORS)
def receive_document(affiliation_id: PathId, body: DocumentIn, session: SessionDep,
                     who: PrincipalDep) -> AffiliationOut:
    a = svc.receive_document(session, affiliation_id, body.kind, body.received_on or dt.date.today(), who)
    return _affiliation_out(session, a)


@router.post("/affiliations/{affiliation_id}/transfer-complete", response_model=AffiliationOut, responses=ERRORS)
def complete_transfer(affiliation_id: PathId, session: SessionDep, who: PrincipalDep,
                      body: TransferIn | None = None) -> AffiliationOut:
    """The previous fund released the affiliate: a request waiting for the transfer goes on with its checks."""
    released_on = body.released_on if body and body.released_on else dt.date.today()
    a = svc.complete_transfer(session, affiliation_id, released_on, who)
    return _affiliation_out(session, a)


@router.post("/affiliations/{affiliation_id}/category", response_model=AffiliationOut, responses=ERRORS)
def change_category(affiliation_id: PathId, body: CategoryChangeIn, session: SessionDep,
                    who: PrincipalDep) -> AffiliationOut:
    svc.change_category(session, affiliation_id, body.category, body.effective, who, body.pension_received)
    return _affiliation_out(session, svc.get_affiliation(session, affiliation_id))


@router.post("/affiliations/{affiliation_id}/cease", response_model=AffiliationOut, responses=ERRORS)
def cease(affiliation_id: PathId, body: CessationIn, session: SessionDep, who: PrincipalDep) -> AffiliationOut:
    return _affiliation_out(session, svc.cease(session, affiliation_id, body.end_date, body.reason, who))


@router.post("/companies", status_code=201, response_model=CompanyOut, responses=ERRORS)
def create_company(body: CompanyIn, session: SessionDep, who: PrincipalDep) -> CompanyOut:
    data = svc.CompanyInput(
        kbo=body.kbo, name=body.name, legal_form=body.legal_form, language=body.language,
        address=body.address.to_input(), affiliation_start=body.affiliation_start,
        directors=[(d.person_id, d.since) for d in body.directors], iban=body.iban,
        balance_sheets={year: to_cents(total, f"balance_sheets.{year}") for year, total in body.balance_sheets.items()})
    company = svc.register_company(session, data, who, dt.date.today())
    return _company_out(session, company)


@router.get("/companies/{company_id}", response_model=CompanyOut, responses=ERRORS)
def read_company(company_id: PathId, session: SessionDep, who: PrincipalDep) -> CompanyOut:
    return _company_out(session, svc.get_company(session, company_id, who))


@router.post("/companies/{company_id}/balance-sheets", status_code=201, response_model=CompanyOut,
             responses=ERRORS)
def record_balance_sheet(company_id: PathId, body: BalanceSheetIn, session: SessionDep,
                         who: PrincipalDep) -> CompanyOut:
    """The balance-sheet total of a financial year (once per year), in euros as text."""
    svc.record_balance_sheet(session, company_id, body.financial_year, to_cents(body.total, "total"), who)
    return _company_out(session, session.get(Company, company_id))


@router.post("/companies/{company_id}/directors", status_code=201, response_model=CompanyOut, responses=ERRORS)
def add_director(company_id: PathId, body: DirectorIn, session: SessionDep, who: PrincipalDep) -> CompanyOut:
    svc.add_director(session, company_id, body.person_id, body.since, who)
    return _company_out(session, session.get(Company, company_id))


@router.post("/companies/{company_id}/directors/{person_id}/end", response_model=CompanyOut, responses=ERRORS)
def end_director(company_id: PathId, person_id: PathId, body: DirectorEndIn, session: SessionDep,
                 who: PrincipalDep) -> CompanyOut:
    """The director's mandate ends on ``end_date`` (last day); refused for the company's last director."""
    svc.end_director(session, company_id, person_id, body.end_date, who)
    return _company_out(session, session.get(Company, company_id))


def _company_out(session: Session, c) -> CompanyOut:
    return CompanyOut(id=c.id, kbo=c.kbo, name=c.name, legal_form=c.legal_form, language=c.party.language,
                      affiliation_start=c.affiliation_start, address=_address_out(session, c.id),
                      directors=[DirectorOut.model_validate(m, from_attributes=True)
                                 for m in svc.directors(session, c.id)],
                      balance_sheets=[BalanceSheetOut(financial_year=b.financial_year, total=fmt(b.total_cents))
                                      for b in svc.balance_sheets(session, c.id)])


class NeedToKnowIn(Strict):
    reason: Annotated[str, Field(min_length=10, max_length=500, pattern=r"^[^\x00]*$",
                                 description="Why you need this file of another team, in your own words")]
    kind: Annotated[str | None, Field(max_length=20, description="One of the kinds of reason (see docs)")] = None


class NeedToKnowOut(BaseModel):
    file: int
    expires_at: dt.datetime


@router.post("/files/{party_id}/need-to-know", status_code=201, response_model=NeedToKnowOut, responses=ERRORS)
def need_to_know(party_id: PathId, body: NeedToKnowIn, session: SessionDep, who: PrincipalDep) -> NeedToKnowOut:
    """State why you need a file of another team (team-bound handlers): logged, and for an hour this session
    reads the file with that reason. Sent in the body, never in a URL (URLs land in access logs)."""
    return NeedToKnowOut(file=party_id, expires_at=svc.declare_need_to_know(session, who, party_id, body.reason,
                                                                            body.kind))
