"""`POST /api/simulate/...`: the simulator over HTTP (same answers as `caisse simulate`).

Amounts are given as strings (or JSON integers, read as whole euros) and returned as strings with two decimals.
Bad input is a 422 with the field path (pydantic, or caisse.errors.InvalidInput turned into 422 by the app); a
figure that is not published (UnknownParameter) is a 422 on the field that asked for it (year or date), with the
reason. Birth leave, bereavement, carer leave and the unjustified-reduction surcharge answer like the CLI too.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException
from pydantic import AfterValidator, Field, model_validator

from caisse.errors import UnknownParameter
from caisse.web.schemas import Day, Strict

router = APIRouter(prefix="/api/simulate", tags=["simulator"],
                   responses={400: {"description": "The body is not valid JSON"}})

Category = Literal["main", "complementary", "student", "helping_spouse", "post_pension", "art37"]
Lang = Literal["en", "fr", "nl", "de"]
# A JSON integer is whole euros (80000 is 80,000.00): turned into text here, because the rules read an int as cents.
Amount = Annotated[str | int, AfterValidator(lambda v: str(v) if isinstance(v, int) else v)]  # strict: never a float


class _Base(Strict):
    lang: Lang = "en"
    allow_estimates: bool = False


class _PensionRegime(_Base):
    without_pension: bool = False
    opt_out: bool = False

    @model_validator(mode="after")
    def _opt_out_needs_without_pension(self):
        from caisse.rules.contributions import check_opt_out

        check_opt_out(pension=not self.without_pension, opt_out=self.opt_out)
        return self


class ContributionIn(_PensionRegime):
    year: int = Field(ge=1900, le=2100)
    category: Category
    income: Amount
    fee_rate: str | None = None
    primostarter: bool = False
    quarters: int = Field(4, ge=1, le=4)
    first_quarter: int | None = Field(None, ge=1, le=4)
    start_quarter: int | None = Field(None, ge=1, le=4)


class ProvisionalIn(_PensionRegime):
    year: int = Field(ge=1900, le=2100)
    category: Category
    reference_income: Amount | None = None
    starter: bool = False
    chosen_income: Amount | None = None
    primostarter: bool = False
    start_quarter: int | None = Field(None, ge=1, le=4)
    fee_rate: str | None = None


class RegularisationIn(_PensionRegime):
    year: int = Field(ge=1900, le=2100)
    category: Category
    income: Amount
    provisional_paid: Amount | list[Amount]
    fee_rate: str | None = None
    notice_date: Day | None = None
    quarters: int = Field(4, ge=1, le=4)
    first_quarter: int | None = Field(None, ge=1, le=4)
    primostarter: bool = False
    start_quarter: int | None = Field(None, ge=1, le=4)


class PaymentIn(Strict):
    date: Day
    amount: Amount


class SurchargeIn(Strict):
    lang: Lang = "en"
    amount: Amount
    due_date: Day
    paid_on: Day | None = None
    payments: list[PaymentIn] = []
    as_of: Day | None = None
    served_on: Day | None = None


class UnjustifiedReductionIn(Strict):
    lang: Lang = "en"
    year: int = Field(ge=1900, le=2100)
    definitive: Amount
    reduced_provisional: Amount
    paid_by_year_end: Amount = "0"


class CompanyIn(_Base):
    year: int = Field(ge=1900, le=2100)
    balance_sheet_total: Amount | None = None
    subjection_year: int | None = Field(None, ge=1)
    paid_on: Day | None = None


class BridgingRightIn(_Base):
    date: Day
    days: int | None = Field(None, ge=1, le=31)
    months: int = Field(1, ge=1, le=24)
    family_charge: bool = False
    months_used: int = Field(0, ge=0, le=24)
    paid_quarters_last_16: int | None = Field(None, ge=0, le=16)
    pension_quarters: int | None = Field(None, ge=0)


class MaternityIn(_Base):
    start: Day
    full_weeks: int = Field(ge=0)
    half_weeks: int = Field(0, ge=0)
    multiple_birth: bool = False


class BirthLeaveIn(_Base):
    date: Day
    days: int = Field(0, ge=0)
    half_days: int = Field(0, ge=0)


class BereavementIn(_Base):
    date: Day
    days: int = Field(ge=0)


class CarerIn(_Base):
    date: Day
    months: int = Field(ge=0)
    partial: bool = False
    months_used: int = Field(0, ge=0)


def _unknown(field: str, exc: UnknownParameter) -> HTTPException:
    return HTTPException(422, detail=[{"loc": ["body", field], "msg": str(exc), "type": "unknown_parameter"}])


@router.post("/contribution")
def contribution(body: ContributionIn) -> dict:
    from caisse.rules.contributions import contribution as compute

    try:
        r = compute(body.year, body.category, body.income, primostarter=body.primostarter, quarters=body.quarters,
                    first_quarter=body.first_quarter, start_quarter=body.start_quarter, fee_rate=body.fee_rate,
                    pension=not body.without_pension, opt_out=body.opt_out, allow_estimates=body.allow_estimates)
    except UnknownParameter as exc:
        raise _unknown("year", exc) from None
    return r.to_dict(body.lang)


@router.post("/provisional")
def provisional(body: ProvisionalIn) -> dict:
    from caisse.rules.contributions import provisional as compute

    try:
        r = compute(body.year, body.category, body.reference_income, starter=body.starter,
                    chosen_income=body.chosen_income, primostarter=body.primostarter,
                    start_quarter=body.start_quarter, fee_rate=body.fee_rate, pension=not body.without_pension,
                    opt_out=body.opt_out, allow_estimates=body.allow_estimates)
    except UnknownParameter as exc:
        raise _unknown("year", exc) from None
    return r.to_dict(body.lang)


@router.post("/regularisation")
def regularisation(body: RegularisationIn) -> dict:
    from caisse.rules.contributions import regularisation as compute

    try:
        r = compute(body.year, body.category, body.income, body.provisional_paid, notice_date=body.notice_date,
                    quarters=body.quarters, first_quarter=body.first_quarter, primostarter=body.primostarter,
                    start_quarter=body.start_quarter, fee_rate=body.fee_rate, pension=not body.without_pension,
                    opt_out=body.opt_out, allow_estimates=body.allow_estimates)
    except UnknownParameter as exc:
        raise _unknown("year", exc) from None
    return r.to_dict(body.lang)


@router.post("/surcharge")
def surcharge(body: SurchargeIn) -> dict:
    from caisse.rules.surcharges import late_payment_surcharges

    payments = [(p.date, p.amount) for p in body.payments]
    if body.paid_on is not None:
        payments.append((body.paid_on, body.amount))
    try:
        r = late_payment_surcharges(body.amount, body.due_date, payments, as_of=body.as_of, served_on=body.served_on)
    except UnknownParameter as exc:
        raise _unknown("due_date", exc) from None
    return r.to_dict(body.lang)


@router.post("/unjustified-reduction")
def unjustified_reduction(body: UnjustifiedReductionIn) -> dict:
    """Surcharge after an unjustified reduction of provisional contributions (secondary source: article not found)."""
    from caisse.rules.surcharges import unjustified_reduction_surcharge

    try:
        r = unjustified_reduction_surcharge(body.year, body.definitive, body.reduced_provisional,
                                            body.paid_by_year_end)
    except UnknownParameter as exc:
        raise _unknown("year", exc) from None
    return r.to_dict(body.lang)


@router.post("/company")
def company(body: CompanyIn) -> dict:
    from caisse.rules.company import company_contribution

    try:
        r = company_contribution(body.year, body.balance_sheet_total, subjection_year=body.subjection_year,
                                 paid_on=body.paid_on, allow_estimates=body.allow_estimates)
    except UnknownParameter as exc:
        raise _unknown("year", exc) from None
    return r.to_dict(body.lang)


@router.post("/bridging-right")
def bridging_right(body: BridgingRightIn) -> dict:
    from caisse.rules.benefits import bridging_right as compute

    try:
        r = compute(body.date, days=body.days, months=body.months, family_charge=body.family_charge,
                    months_used=body.months_used, paid_quarters_last_16=body.paid_quarters_last_16,
                    pension_quarters=body.pension_quarters, allow_estimates=body.allow_estimates)
    except UnknownParameter as exc:
        raise _unknown("date", exc) from None
    return r.to_dict(body.lang)


@router.post("/maternity")
def maternity(body: MaternityIn) -> dict:
    from caisse.rules.benefits import maternity as compute

    try:
        r = compute(body.start, full_weeks=body.full_weeks, half_weeks=body.half_weeks,
                    multiple_birth=body.multiple_birth, allow_estimates=body.allow_estimates)
    except UnknownParameter as exc:
        raise _unknown("start", exc) from None
    return r.to_dict(body.lang)


@router.post("/birth-leave")
def birth_leave(body: BirthLeaveIn) -> dict:
    from caisse.rules.benefits import birth_leave as compute

    try:
        r = compute(body.date, days=body.days, half_days=body.half_days, allow_estimates=body.allow_estimates)
    except UnknownParameter as exc:
        raise _unknown("date", exc) from None
    return r.to_dict(body.lang)


@router.post("/bereavement")
def bereavement(body: BereavementIn) -> dict:
    from caisse.rules.benefits import bereavement_leave

    try:
        r = bereavement_leave(body.date, days=body.days, allow_estimates=body.allow_estimates)
    except UnknownParameter as exc:
        raise _unknown("date", exc) from None
    return r.to_dict(body.lang)


@router.post("/carer")
def carer(body: CarerIn) -> dict:
    from caisse.rules.benefits import carer_leave

    try:
        r = carer_leave(body.date, months=body.months, partial=body.partial, months_used=body.months_used,
                        allow_estimates=body.allow_estimates)
    except UnknownParameter as exc:
        raise _unknown("date", exc) from None
    return r.to_dict(body.lang)
