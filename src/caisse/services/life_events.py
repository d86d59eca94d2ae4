"""Life events in the portal: for "I am starting", "my family grows", "I am ill", "I cannot pay", "I must stop"
and "I am retiring", what applies to this person *now*, computed from their file (category, starter status,
arrears, age, last income) — the amounts from the ledger or the rules engine, never typed into a page.

Each event also names the requests (``caisse.cases`` kinds) to start from there. A figure the rules cannot give
(a parameter not published yet) is left out rather than guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.config import Settings
from caisse.errors import CaisseError, InvalidInput
from caisse.ledger import unpaid_principal
from caisse.money import fmt
from caisse.rules import benefits, contributions
from caisse.rules.params import load
from caisse.rules.surcharges import late_payment_surcharges
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.portal import FileHome, _file_home
from caisse.store.models import Party, Person, ProfessionalIncome

EVENTS = ("starting", "family", "ill", "cannot_pay", "stopping", "retiring")
REQUESTS = {
    "starting": ("reduction", "change", "question"),
    "family": ("benefit_claim", "question"),
    "ill": ("dispensation", "question"),
    "cannot_pay": ("payment_plan", "dispensation", "reduction", "surcharge_waiver"),
    "stopping": ("cessation", "benefit_claim", "payment_plan"),
    "retiring": ("change", "cessation", "question"),
}

#: the benefit claim forms (``/my/files/{id}/rights/{kind}``, services/benefit_claims.py) each event leads to
CLAIM_FORMS = {"family": ("birth_leave", "maternity"), "stopping": ("bridging_right",),
               "cannot_pay": ("bridging_right",)}


@dataclass
class LifeEvent:
    event: str
    file: FileHome
    requests: tuple[str, ...]
    age: int | None = None
    claim_forms: tuple[str, ...] = ()  # the benefit claim forms of the portal this event leads to
    figures: dict = field(default_factory=dict)  # amounts in cents and dates, by name (see the template)


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def pension_date(born: dt.date) -> tuple[int, dt.date]:
    """Legal pension age: 65, 66 from 2025, 67 from 2030 (law of 10-8-2015); the first day of the month after."""
    age = 65 if _add_years(born, 65).year < 2025 else 66 if _add_years(born, 66).year < 2030 else 67
    birthday = _add_years(born, age)
    month = dt.date(birthday.year + (birthday.month == 12), birthday.month % 12 + 1, 1)
    return age, month


def _try(fn):
    try:
        return fn()
    except CaisseError:
        return None


def _benefit(figures: dict, fn, **kw):
    """A benefit amount from the rules; when the amount in force today is not published yet, the rules' estimate,
    flagged so that the page says so."""
    try:
        return fn(**kw)
    except CaisseError:
        result = _try(lambda: fn(**kw, allow_estimates=True))
        if result is not None:
            figures["estimated"] = True
        return result


def _last_income(session: Session, person_id: int) -> ProfessionalIncome | None:
    return session.scalar(select(ProfessionalIncome).where(ProfessionalIncome.person_id == person_id)
                          .order_by(ProfessionalIncome.year.desc(), ProfessionalIncome.assessed_on.desc(),
                                    ProfessionalIncome.id.desc()).limit(1))


def _quarter_end(d: dt.date) -> dt.date:
    return contributions.quarter_end(d)


def life_event(session: Session, who: Principal, party_id: int, event: str, today: dt.date,
               settings: Settings) -> LifeEvent:
    from caisse.services.affiliation import file_access

    file_access(session, who, "file.read", party_id)
    if event not in EVENTS:
        raise InvalidInput("event", "one of " + ", ".join(EVENTS))
    party = session.get(Party, party_id)
    home = _file_home(session, who, party, today, settings)
    person = session.get(Person, party_id) if party.kind == "person" else None
    view = LifeEvent(event, home, REQUESTS[event], _age(person.birth_date, today) if person else None,
                     CLAIM_FORMS.get(event, ()) if person else ())
    fee = settings.management_fee_rate
    category = home.status.category or "main"
    f = view.figures
    year = today.year
    if event == "starting":
        starter = _try(lambda: contributions.provisional(year, category, starter=True, fee_rate=fee,
                                                         primostarter=home.status.primostarter))
        f["starter_quarterly"] = starter.quarterly_total if starter else None
        since = home.status.affiliated_since
        if home.status.primostarter and category == "main" and since is not None and since.year == year:
            # the first quarter of activity is reduced (art. 12 §1bis), as the quarterly call charges it
            start = (since.month - 1) // 3 + 1
            first = _try(lambda: contributions.provisional(year, "main", starter=True, primostarter=True,
                                                           start_quarter=start, fee_rate=fee).quarters[0])
            if first is not None and first.reduction:
                f["first_quarter"] = f"{year}Q{start}"
                f["first_quarter_total"], f["first_quarter_reduction"] = first.total, first.reduction
        for other in ("main", "complementary"):
            r = _try(lambda other=other: contributions.provisional(year, other, starter=True, fee_rate=fee))
            f[f"starter_{other}"] = r.quarterly_total if r else None
        f["starter_until"] = dt.date(home.status.affiliated_since.year + 3, 12, 31) \
            if home.status.affiliated_since else None
    elif event == "family":
        params = load()
        weeks = _try(lambda: params.get("maternity_rest_weeks", today).value)
        mat = _benefit(f, benefits.maternity, start=today, full_weeks=int(weeks)) if weeks else None
        if weeks and mat is None:  # the weeks after today are not known yet: the weekly amounts of the last weeks
            mat = _benefit(f, benefits.maternity, start=today - dt.timedelta(weeks=int(weeks)), full_weeks=int(weeks))
            f["estimated"] = mat is not None
        f["maternity_weeks"] = int(weeks) if weeks else None
        f["maternity_amount"] = mat.amount if mat else None
        f["maternity_vouchers"] = mat.details.get("service_vouchers") if mat else None
        days = _try(lambda: params.get("birth_leave_days", today).value)
        birth = _benefit(f, benefits.birth_leave, on=today, days=int(days)) if days else None
        f["birth_leave_days"] = int(days) if days else None
        f["birth_leave_amount"] = birth.amount if birth else None
    elif event in ("ill", "cannot_pay", "stopping"):
        unpaid = unpaid_principal(session, today, party_id)
        now = later = 0
        horizon = _quarter_end(today)
        for b in unpaid:
            if b.due_date is None or b.due_date > today:
                continue
            r_now = _try(lambda b=b: late_payment_surcharges(fmt(b.balance_cents), b.due_date, as_of=today))
            r_later = _try(lambda b=b: late_payment_surcharges(fmt(b.balance_cents), b.due_date, as_of=horizon))
            if r_now and r_later:
                now, later = now + r_now.total, later + r_later.total
        f["unpaid_principal"] = sum(b.balance_cents for b in unpaid if b.due_date and b.due_date <= today)
        f["surcharge_horizon"] = horizon
        f["surcharge_increase"] = max(later - now, 0)
        if event == "stopping":
            f["last_quarter_end"] = horizon
            for kind in ("single", "family"):
                r = _benefit(f, benefits.bridging_right, on=today, family_charge=kind == "family")
                f[f"bridging_{kind}"] = r.amount if r else None
    elif event == "retiring" and person is not None:
        age, on = pension_date(person.birth_date)
        f["pension_age"], f["pension_date"] = age, on
        income = _last_income(session, party_id)
        f["income_year"] = income.year if income else None
        if income is not None:
            r = _try(lambda: contributions.contribution(year, "post_pension", fmt(income.amount_cents),
                                                        fee_rate=fee))
            f["post_pension_quarterly"] = r.quarterly_total if r else None
    audit.record(session, who, "read", "life_event", party_id, party_id=party_id, detail={"event": event})
    return view
