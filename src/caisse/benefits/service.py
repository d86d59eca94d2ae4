"""Benefit claims end to end: file a claim, check it against the file and the ledger, decide (a motivated decision
storing every rule and parameter version used), order the payment (ledger ``grant_benefit`` → the credit-transfer
queue of ``caisse export credit-transfers``), follow the Charter's payment deadline, close.

Amounts come only from ``caisse.rules.benefits`` (the published parameters of ``rules/parameters``); an amount not
published for a date (``unknown``) or only estimated (``estimate``) makes ``decide`` fail with ``UnknownParameter``:
nothing is written, the claim stays an application. A refusal on the conditions is a decision: written whole,
with its reasons, the rule's sources and the appeal route.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

import caisse
from caisse.benefits import bridging_checks, charter
from caisse.benefits.models import BRIDGING_CASES, KINDS, BenefitClaim, ClaimStep
from caisse.benefits.texts import (
    BEREAVEMENT_REQUEST_LAW,
    BIRTH_REQUEST_LAW,
    BRIDGING_CONDITION_LAW,
    BRIDGING_RIGHTS_LAW,
    CARER_REQUEST_LAW,
    CASE,
    CATEGORY,
    CHECK,
    DECLARATION,
    DISPENSATION_LAW,
    KIND,
    LANGS,
    LAW,
    MESSAGE,
    UNIT,
    YES_NO,
    parameter_law,
)
from caisse.errors import Conflict, InvalidInput, NotFound, UnknownParameter
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.rules import benefits as rules
from caisse.rules.explain import Explanation, fmt_date, fmt_money
from caisse.rules.params import Parameters, load
from caisse.services import audit
from caisse.services.calendar import Quarter, add_months
from caisse.store.models import Affiliation, BankAccount, CategoryPeriod, Person

# Who may claim (legislation §8): main activity or helping spouse (maxi status). Complementary / after pension age
# members may claim carer and bereavement leave only if their provisional contributions reach the main minimum
# (addendum §8.5, §8.6): that comparison is not built, so such a claim is not decided automatically.
ALLOWED = {"main", "helping_spouse"}
CONDITIONAL = {"carer": {"complementary", "post_pension"}, "bereavement": {"complementary", "post_pension"}}
PAYER = {"bridging_right": "fund", "birth_leave": "fund", "carer": "fund", "bereavement": "fund",
         "maternity": "mutuality", "adoption": "mutuality"}
RULE = {"bridging_right": "caisse.rules.benefits.bridging_right", "maternity": "caisse.rules.benefits.maternity",
        "birth_leave": "caisse.rules.benefits.birth_leave", "carer": "caisse.rules.benefits.carer_leave",
        "bereavement": "caisse.rules.benefits.bereavement_leave"}


def _date(value, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise InvalidInput(name, "not a date (YYYY-MM-DD): {value!r}", value=value) from None


def _int(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(name, "must be a whole number from {low} to {high}", low=low, high=high)
    return value


def _month_end(day: dt.date, months: int = 1) -> dt.date:
    return add_months(day.replace(day=1), months) - dt.timedelta(days=1)


# --- facts -----------------------------------------------------------------------------------------------------

def normalise_facts(kind: str, facts: dict, params: Parameters | None = None) -> tuple[dict, dt.date, dt.date]:
    """Check the declared facts of a claim; return (facts as stored, period start, period end)."""
    params = params or load()
    if kind not in KINDS:
        raise InvalidInput("kind", "one of {kinds}", kinds=", ".join(KINDS))
    f = {k: v for k, v in facts.items() if v is not None}
    allowed = {
        "bridging_right": {"case", "event_date", "start", "months", "days", "family_charge", "pension_quarters",
                           "months_before", "cumulation_months", "replacement_income", "professional_activity",
                           "rights_quarters_before", "living_wage"},
        "maternity": {"birth_date", "start", "full_weeks", "half_weeks", "multiple_birth", "vouchers_requested"},
        "birth_leave": {"birth_date", "start", "end", "days", "half_days"},
        "adoption": {"start", "end"},
        "carer": {"start", "months", "partial", "months_before"},
        "bereavement": {"death_date", "start", "end", "days"},
    }[kind]
    extra = sorted(set(f) - allowed)
    if extra:
        raise InvalidInput(extra[0], "not a fact of a {kind} claim (facts: {facts})", kind=kind,
                           facts=", ".join(sorted(allowed)))
    out: dict = {}
    for k in ("event_date", "birth_date", "death_date", "start", "end", "vouchers_requested"):
        if k in f:
            out[k] = _date(f[k], k).isoformat()
    for k in ("family_charge", "multiple_birth", "partial", "replacement_income", "professional_activity",
              "living_wage"):
        if k in f:
            if not isinstance(f[k], bool):
                raise InvalidInput(k, "yes or no")
            out[k] = f[k]

    def need(*names):
        for n in names:
            if n not in out and n not in f:
                raise InvalidInput(n, "required for a {kind} claim", kind=kind)

    if "start" not in out:
        raise InvalidInput("start", "required for a {kind} claim", kind=kind)
    start = dt.date.fromisoformat(out["start"])
    if kind == "bridging_right":
        need("case", "event_date")
        if f["case"] not in BRIDGING_CASES:
            raise InvalidInput("case", "one of {cases}", cases=", ".join(BRIDGING_CASES))
        out["case"] = f["case"]
        if "living_wage" in out and out["case"] != "economic_difficulties":
            raise InvalidInput("living_wage", "the living wage (revenu d'intégration) is a situation of a cessation "
                                              "for economic difficulties only")
        out["family_charge"] = out.get("family_charge", False)
        out["months_before"] = _int(f.get("months_before", 0), "months_before", 0, 24)
        if "pension_quarters" in f:
            out["pension_quarters"] = _int(f["pension_quarters"], "pension_quarters", 0, 400)
        if "rights_quarters_before" in f:  # quarters of maintained rights used outside this fund's records
            out["rights_quarters_before"] = _int(f["rights_quarters_before"], "rights_quarters_before", 0, 8)
        if "days" in f and "months" in f:
            raise InvalidInput("days", "either days (a forced interruption within one month) or months, not both")
        if "days" in f:
            out["days"] = _int(f["days"], "days", 1, 31)
            end = start + dt.timedelta(days=out["days"] - 1)
            if end > _month_end(start):
                raise InvalidInput("days", "{days} days from {start} run past the end of the month: one claim per "
                                           "month of interruption", days=out["days"], start=start)
        else:
            if start.day != 1:
                raise InvalidInput("start", "the bridging right is paid by calendar month: start on the 1st")
            out["months"] = _int(f.get("months", 1), "months", 1, 24)
            end = _month_end(start, out["months"])
            if f.get("cumulation_months"):  # the last months of the period, with a professional activity resumed
                out["cumulation_months"] = _int(f["cumulation_months"], "cumulation_months", 0, out["months"])
        if "cumulation_months" in f and "days" in out:
            raise InvalidInput("cumulation_months", "cumulation is counted in whole months, not with days")
        event = dt.date.fromisoformat(out["event_date"])
        if start < (event.replace(day=1) if "months" in out else event):
            raise InvalidInput("start", "the benefit cannot start before the event of {day}", day=out["event_date"])
    elif kind == "carer":
        per_request = params.get("carer_months_per_request", start).value
        if start.day != 1:
            raise InvalidInput("start", "the carer allowance is paid by calendar month: start on the 1st")
        out["months"] = _int(f.get("months"), "months", 1, per_request)
        out["partial"] = out.get("partial", False)
        out["months_before"] = _int(f.get("months_before", 0), "months_before", 0,
                                    params.get("carer_career_months", start).value)
        end = _month_end(start, out["months"])
    elif kind == "maternity":
        need("birth_date")
        out["full_weeks"] = _int(f.get("full_weeks", 0), "full_weeks", 0, 52)
        out["half_weeks"] = _int(f.get("half_weeks", 0), "half_weeks", 0, 52)
        out["multiple_birth"] = out.get("multiple_birth", False)
        weeks = out["full_weeks"] + out["half_weeks"]
        if weeks == 0:
            raise InvalidInput("full_weeks", "at least one week")
        end = start + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)
    else:
        need("end")
        end = dt.date.fromisoformat(out["end"])
        if end < start:
            raise InvalidInput("end", "before the start")
        if kind == "birth_leave":
            need("birth_date")
            out["days"] = _int(f.get("days", 0), "days", 0, 366)
            out["half_days"] = _int(f.get("half_days", 0), "half_days", 0, 732)
            if out["days"] + out["half_days"] == 0:
                raise InvalidInput("days", "at least one day or half-day")
            if out["days"] + out["half_days"] > (end - start).days + 1:
                raise InvalidInput("days", "more days than the {days} days from start to end",
                                   days=(end - start).days + 1)
        elif kind == "bereavement":
            need("death_date")
            out["days"] = _int(f.get("days"), "days", 1, 366)
            if out["days"] > (end - start).days + 1:
                raise InvalidInput("days", "more days than the {days} days from start to end",
                                   days=(end - start).days + 1)
    return out, start, end


# --- filing a claim --------------------------------------------------------------------------------------------

def _step(session: Session, claim: BenefitClaim, step: str, on: dt.date, who, detail: dict | None = None) -> None:
    session.add(ClaimStep(claim_id=claim.id, step=step, happened_on=on, actor=str(who), detail=detail))
    audit.record(session, who, step, "benefit_claim", claim.id, party_id=claim.person_id,
                 detail={"on": on.isoformat(), **(detail or {})})


def file_claim(session: Session, who, person_id: int, kind: str, facts: dict, received_on: dt.date,
               channel: str = "letter") -> BenefitClaim:
    """Record an application (step ``application``) and open its case (Charter art. 10: decision within 4 months)."""
    from caisse.cases.service import open_case

    if session.get(Person, person_id) is None:
        raise NotFound("person", person_id)
    params = load()
    stored, start, end = normalise_facts(kind, facts, params)
    due = add_months(received_on, params.get("charter_decision_months", received_on).value)
    claim = BenefitClaim(person_id=person_id, kind=kind, bridging_case=stored.get("case"), facts=stored,
                         period_start=start, period_end=end, received_on=received_on, decision_due=due,
                         status="application", payer=PAYER[kind], created_by=str(who))
    session.add(claim)
    session.flush()
    c = open_case(session, who, person_id, "benefit_claim", f"{KIND[kind]['en']} — claim {claim.id}",
                  f"Benefit claim {claim.id}: {kind} {stored}", received_on, channel=channel)
    c.deadline = due
    claim.case_id = c.id
    _step(session, claim, "application", received_on, who, {"kind": kind, "facts": stored,
                                                            "decision_due": due.isoformat()})
    session.flush()
    return claim


def tell(session: Session, claim: BenefitClaim, text: str, on: dt.date, subject: str) -> None:
    """A message from the fund to the person (their portal inbox, an e-mail that something waits): in the claim's
    case while it is open — they may answer it there —, else in a case ``subject`` answered and closed."""
    from caisse.cases.models import Case
    from caisse.cases.service import answer, close, open_case, write
    from caisse.security.authz import Principal

    fund = Principal.system("benefits")
    case = session.get(Case, claim.case_id) if claim.case_id is not None else None
    if case is not None and case.status != "closed":
        write(session, fund, case.id, text, on)
        return
    case = open_case(session, fund, claim.person_id, "benefit_claim", subject, subject, on, channel="system")
    answer(session, fund, case.id, text, on)
    close(session, fund, case.id, on)


def confirm_declarations(session: Session, claim: BenefitClaim, declared: dict, declared_on: dt.date,
                         today: dt.date) -> None:
    """The declarations a person made by phone, recorded by staff, restated to them in their language (nothing was
    signed): what, on which day, that the fund decides on it and that they may object by answering."""
    lang = _language(session, claim.person_id)
    what = "; ".join(f"{DECLARATION[k][lang]}: " + (YES_NO[lang][0 if v else 1] if isinstance(v, bool) else str(v))
                     for k, v in declared.items())
    tell(session, claim, MESSAGE["declared_by_phone"][lang].format(date=fmt_date(declared_on, lang), claim=claim.id,
                                                                   what=what), today,
         f"Declarations by phone — claim {claim.id}")


def complete_claim(session: Session, who, claim_id: int, facts: dict, on: dt.date,
                   declared: dict | None = None) -> BenefitClaim:
    """The person completes (or corrects) an application not decided yet — e.g. a claim the fund pre-filled from a
    life event: the facts are checked again exactly as when filing (``normalise_facts``), the period follows them,
    a step ``completed`` keeps what was there before. The decision deadline stays the one of the application.

    ``declared``: the person's declarations the fund received on paper, by phone or at the office, recorded by staff
    (``services.benefit_claims.record_declarations``) — how they came (``channel``), which facts (``fields``), the
    scan attached (``attachment``, a claim document) — kept in the step, then ``declared`` on ``on``, the day they
    were made; its actor is who recorded them."""
    claim = session.get(BenefitClaim, claim_id, with_for_update=True)
    if claim is None:
        raise NotFound("claim", claim_id)
    if claim.status != "application":
        raise Conflict("claim", "claim {claim} was already decided on {day} ({outcome})", claim=claim_id,
                       day=claim.decided_on, outcome=claim.outcome)
    stored, start, end = normalise_facts(claim.kind, facts)
    before = claim.facts
    claim.facts, claim.period_start, claim.period_end = stored, start, end
    claim.bridging_case = stored.get("case")
    _step(session, claim, "declared" if declared else "completed", on, who,
          {"before": before, "facts": stored, **({"declared": declared} if declared else {})})
    session.flush()
    return claim


def withdraw(session: Session, who, claim_id: int, on: dt.date, reason: str | None = None) -> BenefitClaim:
    """The person withdraws a claim not decided yet (from the portal, or a caseworker on their word): the claim is
    closed without a decision (``withdrawn_on``), a dated step ``withdrawn`` (audited) keeps the reason, the decision
    deadline is no longer followed (``follow_up`` looks only at applications) and the person gets a short
    confirmation in their language in the claim's case, which is then closed."""
    from caisse.cases.models import Case
    from caisse.cases.service import answer, close
    from caisse.security.authz import Principal

    claim = session.get(BenefitClaim, claim_id, with_for_update=True)
    if claim is None:
        raise NotFound("claim", claim_id)
    if claim.status != "application":
        raise Conflict("claim", "claim {claim} is {status}: only a claim not decided yet can be withdrawn",
                       claim=claim_id, status=f"{claim.status} ({claim.outcome}, {claim.decided_on})"
                       if claim.decided_on else claim.status)
    if on < claim.received_on:
        raise InvalidInput("on", "before the claim was received ({received})", received=claim.received_on)
    # free texts (they may name someone) stay on the claim, which the retention pseudonymises with the identity:
    # never in the append-only steps and audit log
    claim.withdrawal_reason = " ".join((reason or "").split())[:500] or None
    claim.status, claim.withdrawn_on, claim.closed_on = "closed", on, on
    detail = {"reason_given": claim.withdrawal_reason is not None, "decision_due": claim.decision_due.isoformat(),
              "was_waiting": claim.waiting_for is not None}
    claim.waiting_for, claim.waiting_since, claim.reminded_on = None, None, None
    _step(session, claim, "withdrawn", on, who, detail)
    case = session.get(Case, claim.case_id) if claim.case_id is not None else None
    if case is not None and case.status != "closed":
        lang = _language(session, claim.person_id)
        text = MESSAGE["withdrawn"][lang].format(claim=claim.id, kind=KIND[claim.kind][lang], date=fmt_date(on, lang))
        fund = Principal.system("benefits")  # the fund confirms and closes, whoever withdrew
        answer(session, fund, case.id, text, on)
        close(session, fund, case.id, on)
    session.flush()
    return claim


def get_claim(session: Session, claim_id: int) -> BenefitClaim:
    claim = session.get(BenefitClaim, claim_id)
    if claim is None:
        raise NotFound("claim", claim_id)
    return claim


def steps(session: Session, claim_id: int) -> list[ClaimStep]:
    return list(session.scalars(select(ClaimStep).where(ClaimStep.claim_id == claim_id).order_by(ClaimStep.id)))


# --- what the file says -----------------------------------------------------------------------------------------

def category_on(session: Session, person_id: int, on: dt.date) -> str | None:
    """The category the person was affiliated in on ``on`` (an affiliation since ceased counts for its period)."""
    return session.scalar(
        select(CategoryPeriod.category).join(Affiliation, Affiliation.id == CategoryPeriod.affiliation_id)
        .where(Affiliation.person_id == person_id, Affiliation.status.in_(("affiliated", "ceased")),
               Affiliation.start_date <= on,
               (Affiliation.end_date.is_(None)) | (Affiliation.end_date >= on),
               CategoryPeriod.valid_from <= on,
               (CategoryPeriod.valid_to.is_(None)) | (CategoryPeriod.valid_to >= on))
        .order_by(CategoryPeriod.valid_from.desc(), CategoryPeriod.id.desc()).limit(1))


def paid_quarters(session: Session, person_id: int, quarters: list[Quarter], as_of: dt.date) -> set[str]:
    """The quarters (of ``quarters``) whose contribution was charged and is fully paid in the ledger on ``as_of``."""
    names = [str(q) for q in quarters]
    e, t = LedgerEntry, LedgerTransaction
    rows = session.execute(
        select(e.period, func.sum(case((e.amount_cents > 0, e.amount_cents), else_=0)), func.sum(e.amount_cents))
        .join(t, t.id == e.transaction_id)
        .where(e.party_id == person_id, e.account == "contribution", e.period.in_(names), t.booked_on <= as_of)
        .group_by(e.period))
    return {period for period, charged, balance in rows if int(charged) > 0 and int(balance) <= 0}


def _granted(session: Session, person_id: int, before: int) -> list[BenefitClaim]:
    """The person's claims granted before claim ``before`` was decided (decided earlier: a lower id decided on or
    before it), so that deciding it again later (``reproduce``) sees the same history."""
    this = session.get(BenefitClaim, before)
    q = select(BenefitClaim).where(BenefitClaim.person_id == person_id, BenefitClaim.outcome == "granted",
                                   BenefitClaim.id != before)
    if this is not None and this.decided_on is not None:
        q = q.where(BenefitClaim.decided_on <= this.decided_on,
                    (BenefitClaim.decided_on < this.decided_on) | (BenefitClaim.id < before))
    return list(session.scalars(q.order_by(BenefitClaim.id)))


# --- deciding -----------------------------------------------------------------------------------------------------

@dataclass
class Check:
    name: str
    ok: bool
    text: str  # the key in texts.CHECK
    args: dict = field(default_factory=dict)

    def render(self, lang: str) -> str:
        return CHECK[self.text][lang].format(**{k: _arg(v, lang) for k, v in self.args.items()})


def _arg(v, lang: str) -> str:
    if isinstance(v, dt.date):
        return fmt_date(v, lang)
    if isinstance(v, dict) and set(v) >= set(LANGS):
        return v[lang]
    if isinstance(v, list):
        return ", ".join(str(x) for x in v) or "—"
    return str(v)


def _affiliation(session, claim, dates: list[dt.date]) -> Check:
    for day in dates:
        cat = category_on(session, claim.person_id, day)
        if cat is None:
            return Check("affiliated", False, "not_affiliated", {"date": day, "law": LAW[claim.kind]})
        if cat not in ALLOWED:
            if cat in CONDITIONAL.get(claim.kind, ()):
                raise Conflict("category", "the person was affiliated as {category} on {day}: a {kind} claim then "
                                           "needs the provisional contributions compared with the main minimum "
                                           "(addendum §8.5/§8.6), which is not built — a caseworker decides",
                               category=cat, day=day, kind=claim.kind)
            return Check("affiliated", False, "wrong_category", {"date": day, "category": CATEGORY[cat],
                                                                 "law": LAW[claim.kind]})
    cat = category_on(session, claim.person_id, dates[0])
    return Check("affiliated", True, "affiliated", {"date": dates[0], "category": CATEGORY[cat]})


def _previous(q: Quarter) -> Quarter:
    return Quarter.of(q.first_day - dt.timedelta(days=1))


def _main_activity(session, claim, first: dt.date, last: dt.date, count: int) -> Check:
    """Bridging right (legislation §8.1 [S118]): main activity or maxi helping spouse "in the quarter of the event and
    the 3 previous quarters" — read as **every day** from the first day of the earliest quarter to the event (the
    affiliation of a bankrupt ends on the event), from the category periods of the person's affiliations (each
    bounded by its affiliation's dates); the first day not covered, or covered by another category, is named. On a
    day two periods cover, the one started last counts (as ``category_on``)."""
    law = BRIDGING_CONDITION_LAW
    rows = session.execute(
        select(CategoryPeriod.category, CategoryPeriod.valid_from, CategoryPeriod.valid_to, Affiliation.start_date,
               Affiliation.end_date)
        .join(Affiliation, Affiliation.id == CategoryPeriod.affiliation_id)
        .where(Affiliation.person_id == claim.person_id, Affiliation.status.in_(("affiliated", "ceased")),
               Affiliation.start_date <= last, (Affiliation.end_date.is_(None)) | (Affiliation.end_date >= first),
               CategoryPeriod.valid_from <= last,
               (CategoryPeriod.valid_to.is_(None)) | (CategoryPeriod.valid_to >= first))).all()
    spans = sorted((max(vf, start), min(vt or last, end or last, last), cat) for cat, vf, vt, start, end in rows)
    spans = [sp for sp in spans if sp[0] <= sp[1]]
    args = {"first": first, "last": last, "count": count, "law": law}
    day = first
    while day <= last:
        covering = [sp for sp in spans if sp[0] <= day <= sp[1]]
        if not covering:
            return Check("main_activity", False, "main_activity_gap", {**args, "date": day})
        begin, end, cat = max(covering)  # the period started last
        if cat not in ALLOWED:
            return Check("main_activity", False, "main_activity_category", {**args, "date": day,
                                                                             "category": CATEGORY[cat]})
        later = [sp[0] for sp in spans if day < sp[0] <= end]  # a period starting later takes over from its start
        day = (min(later) if later else end + dt.timedelta(days=1))
    return Check("main_activity", True, "main_activity", args)


def _residence(session, claim, on: dt.date) -> Check:
    """Bridging right (legislation §8.1 [S118]): a Belgian main residence — read from the address on file on the
    event date. No address on file that day: not decided (a caseworker records it first), never refused."""
    from caisse.store.models import Address

    country = session.scalar(select(Address.country).where(
        Address.party_id == claim.person_id, Address.valid_from <= on,
        (Address.valid_to.is_(None)) | (Address.valid_to >= on)).order_by(Address.valid_from.desc(),
                                                                          Address.id.desc()).limit(1))
    if country is None:
        raise Conflict("address", "no address on file for person {person} on {day}: the Belgian main residence the "
                                  "bridging right requires cannot be checked — record the address first",
                       person=claim.person_id, day=on)
    ok = country.upper() == "BE"
    return Check("residence", ok, "residence" if ok else "residence_abroad",
                 {"date": on, "country": country.upper(), "law": BRIDGING_CONDITION_LAW})


def _birthday(born: dt.date, years: int) -> dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # born on 29 February
        return born.replace(year=born.year + years, day=28)


def _age(session, claim, ex: Explanation, event: dt.date) -> tuple[Check, dt.date]:
    """Bridging right (legislation §8.1 [S118]): "< 65" (``bridging_right_age_limit``): met when the person is under
    the limit on the event date; the months starting on or after that birthday are not granted (the second value).
    The notes give "< 65" in their pre-2023 wording; when the person's legal pension age is higher (66 from 2025,
    ``services.life_events.pension_date``) and the limit would bite, which applies is NOT FOUND: not decided."""
    from caisse.services.life_events import pension_date

    born = session.get(Person, claim.person_id).birth_date
    limit = ex.use(load().get("bridging_right_age_limit", event)).value
    birthday = _birthday(born, limit)
    if birthday <= claim.period_end:
        legal, _ = pension_date(born)
        if legal > limit:
            raise Conflict("age", "the person reaches {limit} on {day}: the notes give the bridging right to persons "
                                  "under {limit} (pre-2023 wording), their legal pension age is {legal} — which "
                                  "applies is not in the notes: a caseworker decides",
                           limit=limit, day=birthday, legal=legal)
    if event >= birthday:
        return Check("age", False, "age_reached", {"limit": limit, "birthday": birthday, "date": event,
                                                   "law": BRIDGING_CONDITION_LAW}), birthday
    return Check("age", True, "age", {"limit": limit, "date": event, "born": born,
                                      "law": BRIDGING_CONDITION_LAW}), birthday


def _declared(claim, name: str, ok_text: str, refused_text: str, args: dict) -> Check | None:
    """A declaration of the person (``professional_activity``, ``replacement_income``): None while not declared."""
    value = claim.facts.get(name)
    if value is None:
        return None
    return Check(name, not value, refused_text if value else ok_text, args)


def _quarters(session, claim, ex: Explanation, param: str, on: dt.date, before: Quarter, count: int,
              as_of: dt.date) -> Check:
    need = ex.use(load().get(param, on)).value
    qs, q = [], before
    for _ in range(count):
        q = Quarter(q.year - (q.number == 1), (q.number - 2) % 4 + 1)
        qs.append(q)
    qs.reverse()
    paid = paid_quarters(session, claim.person_id, qs, as_of)
    unpaid = [str(q) for q in qs if str(q) not in paid]
    args = {"paid": len(paid), "need": need, "quarters": [str(q) for q in qs], "unpaid": unpaid,
            "law": LAW[claim.kind]}
    return Check("paid_quarters", len(paid) >= need, "paid_quarters" if len(paid) >= need else "quarters_unpaid", args)


def _window(claim, low: dt.date, high: dt.date, law: str) -> Check:
    ok = low <= claim.period_start and claim.period_end <= high
    return Check("window", ok, "window" if ok else "outside_window",
                 {"start": claim.period_start, "end": claim.period_end, "low": low, "high": high, "law": law})


def _request(claim, limit: dt.date, law: dict, in_time: str = "request_in_time_rule") -> Check:
    """The request received (``received_on``: the registered letter or the deposit against receipt) by ``limit``."""
    ok = claim.received_on <= limit
    return Check("request", ok, in_time if ok else "request_late",
                 {"received": claim.received_on, "limit": limit, "law": law})


def carer_request_limit(start: dt.date, weeks: int) -> dt.date:
    """Legislation §8.5: the carer allowance is requested "within 4 weeks". The notes do not say from which day: the
    fund counts them from the first day of the interruption, that day not counted — start 1 June, last day 29 June
    (the assumption is stated in the decision, ``CARER_REQUEST_LAW``). A request before the start is in time."""
    return start + dt.timedelta(weeks=weeks)


def birth_leave_request_limit(birth: dt.date) -> dt.date:
    """The last day to ask birth leave: the last day of the quarter after the birth quarter, one month more for a
    birth in the third month of a quarter (addendum §8.3 [S258])."""
    q = Quarter.of(birth).next()
    return q.last_day if birth.month % 3 else _month_end(add_months(q.last_day.replace(day=1), 1))


def bereavement_request_limit(death: dt.date) -> dt.date:
    """Addendum §8.6 (UCM [S203]): request "au plus tard le dernier jour de l'année qui suit la date du décès", read
    as 31 December of the calendar year after the year of the death (the reading is stated in the decision,
    ``BEREAVEMENT_REQUEST_LAW``; the other reading — one year from the death — would be earlier, never later)."""
    return dt.date(death.year + 1, 12, 31)


def _overlap(session, claim) -> Check:
    for other in _granted(session, claim.person_id, claim.id):
        if other.period_start <= claim.period_end and claim.period_start <= other.period_end:
            return Check("overlap", False, "overlap", {"other": other.id, "other_kind": KIND[other.kind],
                                                       "other_start": other.period_start,
                                                       "other_end": other.period_end})
    return Check("overlap", True, "no_overlap")


def _career_used(session, claim) -> int:
    """Months already granted over the career: this fund's earlier granted claims of the kind, plus the months
    declared as received outside its records (the highest declaration on any of the claims)."""
    same = [c for c in _granted(session, claim.person_id, claim.id) if c.kind == claim.kind]
    before = max([claim.facts.get("months_before", 0), *(c.facts.get("months_before", 0) for c in same)])
    return before + sum(c.counted or 0 for c in same)


def _merge(ex: Explanation, result: rules.BenefitResult) -> None:
    ex.steps.extend(result.explanation.steps)
    for k, v in result.explanation.used.items():
        ex.used.setdefault(k, v)


def _monthly(kind, claim, ex, used: int, limit: int, call, months: int | None = None
             ) -> tuple[int, int, list[Check]]:
    """Per calendar month, each at the amount in force in that month: (amount, months granted, refusals).
    ``months``: the months that may be granted at most (fewer than claimed: the age limit stops them)."""
    f = claim.facts
    asked = f["months"] if months is None else months
    total = granted = 0
    month = claim.period_start
    refusals: list[Check] = []
    for _ in range(asked):
        r = call(month, min(used + granted, limit))
        if not r.eligible:
            if granted == 0:  # the refusal's computation; after granted months the career check says why it stops
                _merge(ex, r)
            break
        _merge(ex, r)
        total += r.amount
        granted += 1
        month = add_months(month, 1)
    law = LAW[kind]
    unit = UNIT["months"]
    if granted == 0:
        refusals.append(Check("career", False, "career_used", {"limit": limit, "used": used, "unit": unit,
                                                               "law": law}))
    elif granted < asked:
        refusals.append(Check("career", True, "career_partly", {"granted": granted, "asked": asked,
                                                                "limit": limit, "used": used, "unit": unit,
                                                                "law": law}))
    else:
        refusals.append(Check("career", True, "career", {"used": used, "limit": limit, "unit": unit, "law": law}))
    return total, granted, refusals


def evaluate(session: Session, claim: BenefitClaim, today: dt.date) -> dict:
    """Run the checks and the rule; return the decision (not written). Raises UnknownParameter when an amount or
    a condition is not published for the date (no decision can be taken on a guess)."""
    params = load()
    f, kind = claim.facts, claim.kind
    ex = Explanation()
    checks: list[Check] = []
    amount, counted = 0, 0
    dispensation: Check | None = None  # a dispensation of contributions decided with the benefit (not a condition)
    voucher_request: Check | None = None
    maintained: dict | None = None  # the bridging right's quarters of rights maintained (stated with the grant)
    career: dict | None = None  # the bridging right's pension quarters: counted, declared, which one was used and why
    if kind == "adoption":
        raise UnknownParameter("adoption allowance: the amount and duration for 2024-2026 were NOT FOUND and it is "
                               "paid by the mutuality, not the fund (addendum §8.4); the claim is forwarded, not "
                               "decided here")
    start = claim.period_start
    if kind == "bridging_right":
        event = dt.date.fromisoformat(f["event_date"])
        undecided: list[Conflict] = []  # not decided (raised) unless a condition is refused
        before = ex.use(params.get("bridging_right_main_activity_quarters_before", event)).value
        first = Quarter.of(event)
        for _ in range(before):
            first = _previous(first)
        checks.append(_main_activity(session, claim, first.first_day, event, before))
        try:
            checks.append(_residence(session, claim, event))
        except Conflict as exc:  # no address on file that day
            undecided.append(exc)
        age_limit, birthday = None, dt.date.max
        try:
            age_check, birthday = _age(session, claim, ex, event)
            checks.append(age_check)
            age_limit = age_check.args["limit"]
        except Conflict as exc:  # the notes' age limit against the legal pension age
            undecided.append(exc)
        window = ex.use(params.get("bridging_right_paid_quarters_window", event)).value
        paid = _quarters(session, claim, ex, "bridging_right_paid_quarters", event, Quarter.of(event), window, today)
        checks.append(paid)
        checks.append(_overlap(session, claim))
        cumulation_law = DISPENSATION_LAW["cumulation"]
        activity = _declared(claim, "professional_activity", "no_professional_activity", "professional_activity",
                             {"law": BRIDGING_CONDITION_LAW, "cumulation_law": cumulation_law})
        if activity is not None:
            checks.append(activity)
        if f.get("replacement_income") is False:
            checks.append(Check("replacement_income", True, "no_replacement_income", {"law": BRIDGING_CONDITION_LAW}))
        cumulation = f.get("cumulation_months", 0)
        if cumulation:
            most = ex.use(params.get("bridging_right_cumulation_max_months", start)).value
            interruption = f["months"] - cumulation
            ok = interruption >= 1 and cumulation <= min(interruption, most)
            checks.append(Check("cumulation", ok, "cumulation" if ok else "cumulation_refused",
                                {"cumulation": cumulation, "interruption": interruption, "max": most,
                                 "law": cumulation_law}))
        used = _career_used(session, claim)
        to_verify: list[dict] = []  # what a caseworker must verify before a decision (``CaseworkerCheck``)
        if claim.bridging_case in ("economic_difficulties", "collective_debt_settlement"):
            special, items = (bridging_checks.economic_difficulties(session, claim, params, ex, event, today)
                              if claim.bridging_case == "economic_difficulties"
                              else bridging_checks.debt_settlement(session, claim, event, today))
            if special is not None:
                checks.append(Check(claim.bridging_case, special["ok"], special["text"], special["args"]))
            to_verify.extend(items)
        career, items = bridging_checks.pension_career(session, claim, params, ex, event, today)
        to_verify.extend(items)
        checks.append(Check("pension_quarters", True, "pension_quarters", {"text": career["rendered"]}))
        if all(c.ok for c in checks):
            if undecided:  # no address on file, the age limit against the legal pension age: a caseworker decides
                raise undecided[0]
            # the person's own declarations: never presumed (a claim pre-filled from a bankruptcy has neither)
            if f.get("professional_activity") is None:
                raise Conflict("professional_activity", "the person has not declared whether they exercise a "
                                                        "professional activity during the interruption (yes or no): "
                                                        "ask them or complete the claim")
            if f.get("replacement_income") is None:
                raise Conflict("replacement_income", "the person has not declared whether they receive a "
                                                     "replacement income during the period (yes or no): ask them or "
                                                     "complete the claim")
            if f.get("replacement_income"):  # the ceiling is NOT FOUND: raises, nothing decided
                params.get("bridging_right_replacement_income_ceiling", start)
            if cumulation:  # what sets the 25/50/75 % reduction is not in the notes: raises, nothing decided
                params.get("bridging_right_cumulation_reduction", start)
            if to_verify:  # the fund's data cannot answer a condition: a caseworker verifies, nothing decided yet
                raise bridging_checks.CaseworkerCheck(to_verify)
            pq = career["used"]  # counted by the fund, or the person's declaration once verified
            long = career["long"]
            limit = params.get("bridging_right_career_months_long" if long else "bridging_right_career_months",
                               event).value
            if "days" in f and start >= birthday:  # a forced interruption is judged on its first day
                checks.append(Check("age", False, "age_reached", {"limit": age_limit, "birthday": birthday,
                                                                  "date": start, "law": BRIDGING_CONDITION_LAW}))
            elif "days" in f:
                r = rules.bridging_right(start, days=f["days"], family_charge=f["family_charge"],
                                         months_used=min(used, limit), paid_quarters_last_16=paid.args["paid"],
                                         pension_quarters=pq)
                _merge(ex, r)
                if r.eligible:
                    amount, counted = r.amount, 1
                    checks.append(Check("career", True, "career", {"used": used, "limit": limit,
                                                                   "unit": UNIT["months"], "law": LAW[kind]}))
                elif used >= limit:
                    checks.append(Check("career", False, "career_used", {"limit": limit, "used": used,
                                                                         "unit": UNIT["months"], "law": LAW[kind]}))
                else:
                    checks.append(Check("rule", False, "rule_refused",
                                        {"why": {lang: rules_reasons(r, lang) for lang in LANGS}}))
            else:
                young = sum(1 for m in range(f["months"]) if add_months(start, m) < birthday)
                if young < f["months"]:  # the months from the birthday on are not granted
                    checks.append(Check("age", young > 0, "age_partly" if young else "age_reached", {
                        "limit": age_limit, "birthday": birthday, "granted": young,
                        "asked": f["months"], "date": start, "law": BRIDGING_CONDITION_LAW}))
                if young:
                    amount, counted, more = _monthly(kind, claim, ex, used, limit, lambda m, u: rules.bridging_right(
                        m, months=1, family_charge=f["family_charge"], months_used=u,
                        paid_quarters_last_16=paid.args["paid"], pension_quarters=pq), months=young)
                    checks.extend(more)
            if all(c.ok for c in checks) and counted:
                maintained = _maintained_rights(session, claim, ex, event, long, counted, today)
    elif kind == "carer":
        checks.append(_affiliation(session, claim, [start]))
        weeks = ex.use(params.get("carer_request_weeks", start)).value
        checks.append(_request(claim, carer_request_limit(start, weeks), CARER_REQUEST_LAW))
        checks.append(_quarters(session, claim, ex, "carer_paid_quarters_before", start, Quarter.of(start), 2, today))
        checks.append(_overlap(session, claim))
        used = _career_used(session, claim)
        limit = ex.use(params.get("carer_career_months", start)).value
        if all(c.ok for c in checks):
            amount, counted, more = _monthly(kind, claim, ex, used, limit, lambda m, u: rules.carer_leave(
                m, months=1, partial=f["partial"], months_used=u))
            checks.extend(more)
            full = ex.use(params.get("carer_dispensation_full_months", start)).value
            if not f["partial"] and counted >= full:
                dispensation = Check("dispensation", True, "carer_dispensation",
                                     {"quarter": str(Quarter.of(add_months(start, full - 1))),
                                      "law": DISPENSATION_LAW["carer"]})
            else:
                dispensation = Check("dispensation", False, "carer_no_dispensation", {"law": DISPENSATION_LAW["carer"]})
    elif kind in ("birth_leave", "bereavement"):
        event = dt.date.fromisoformat(f["birth_date" if kind == "birth_leave" else "death_date"])
        checks.append(_affiliation(session, claim, [event if kind == "birth_leave" else start]))
        window = ex.use(params.get(f"{kind}_window_months", event)).value
        checks.append(_window(claim, event, add_months(event, window) - dt.timedelta(days=1 if kind == "bereavement"
                                                                                      else 0), LAW[kind]))
        if kind == "birth_leave":
            checks.append(_request(claim, birth_leave_request_limit(event), BIRTH_REQUEST_LAW, "request_in_time"))
        else:
            checks.append(_request(claim, bereavement_request_limit(event), BEREAVEMENT_REQUEST_LAW))
        checks.append(_quarters(session, claim, ex, f"{kind}_paid_quarters_before", event, Quarter.of(event), 2,
                                today))
        checks.append(_overlap(session, claim))
        key = "birth_date" if kind == "birth_leave" else "death_date"
        same = [c for c in _granted(session, claim.person_id, claim.id) if c.kind == kind
                and c.facts.get(key) == f[key]]
        max_days = ex.use(params.get(f"{'birth_leave' if kind == 'birth_leave' else 'bereavement'}_days",
                                     event)).value
        asked = 2 * f["days"] + f.get("half_days", 0)  # in half-days
        used = sum(c.counted or 0 for c in same)
        if used + asked > 2 * max_days:
            checks.append(Check("days", False, "days_used", {"event": event, "used": used, "asked": asked,
                                                             "limit": 2 * max_days, "unit": UNIT["half_days"],
                                                             "law": LAW[kind]}))
        if all(c.ok for c in checks):
            r = (rules.birth_leave(start, days=f["days"], half_days=f["half_days"]) if kind == "birth_leave"
                 else rules.bereavement_leave(start, days=f["days"]))
            _merge(ex, r)
            amount, counted = r.amount, asked
    elif kind == "maternity":
        checks.append(_affiliation(session, claim, [start]))
        checks.append(_overlap(session, claim))
        if all(c.ok for c in checks):
            r = rules.maternity(start, full_weeks=f["full_weeks"], half_weeks=f["half_weeks"],
                                multiple_birth=f["multiple_birth"])
            _merge(ex, r)
            amount = r.amount
            vouchers = ex.use(params.get("maternity_service_vouchers", start)).value
            if "vouchers_requested" in f:
                voucher_request = Check("vouchers", True, "service_vouchers", {
                    "vouchers": vouchers, "asked": dt.date.fromisoformat(f["vouchers_requested"]),
                    "law": DISPENSATION_LAW["vouchers"]})
            birth = dt.date.fromisoformat(f["birth_date"])
            since = ex.use(params.get("maternity_dispensation_births_from", today)).value
            law = DISPENSATION_LAW["maternity"]
            dispensation = (Check("dispensation", True, "maternity_dispensation",
                                  {"quarter": str(Quarter.of(birth).next()), "law": law}) if birth >= since else
                            Check("dispensation", False, "maternity_dispensation_refused",
                                  {"since": since, "birth": birth, "law": law}))
    granted = all(c.ok for c in checks) and amount > 0
    appeal = params.get("charter_appeal_months", today)
    ex.use(appeal)
    decision = {
        "outcome": "granted" if granted else "refused",
        "kind": kind, "bridging_case": claim.bridging_case, "facts": f,
        "decided_on": today.isoformat(), "received_on": claim.received_on.isoformat(),
        "rule": RULE.get(kind), "law": LAW[kind], "caisse_version": caisse.__version__,
        "checks": [{"check": c.name, "ok": c.ok, "text": c.text,
                    "rendered": {lang: c.render(lang) for lang in LANGS}} for c in checks],
        "reasons": {lang: [c.render(lang) for c in checks if not c.ok] for lang in LANGS},
        "amount_cents": amount if granted else 0, "counted": counted if granted else 0,
        "payer": PAYER[kind],
        "computation": {lang: ex.text(lang) for lang in LANGS},
        "parameters": {lang: [{**p, "law": parameter_law(p["law"], lang)} for p in ex.parameters(lang)]
                       for lang in LANGS},
        "uses_estimates": ex.uses_estimates,
        "appeal": {"months": appeal.value, "from": appeal.start.isoformat(),
                   "law": {lang: parameter_law(appeal.parameter.law, lang) for lang in LANGS},
                   "note": appeal.note, "sources": [{"tag": s.tag, "title": s.title, "url": s.url}
                                                    for s in appeal.sources]},
    }
    if kind == "maternity":
        decision["service_vouchers"] = params.get("maternity_service_vouchers", start).value
    for name, c in (("dispensation", dispensation), ("vouchers_request", voucher_request)):
        if c is not None and granted:
            decision[name] = {"ok": c.ok, "text": c.text, "quarter": c.args.get("quarter"),
                              "rendered": {lang: c.render(lang) for lang in LANGS}}
    if maintained is not None and granted:
        decision["maintained_rights"] = maintained
    if kind == "bridging_right" and career is not None:
        decision["pension_quarters"] = {k: v for k, v in career.items() if k != "rendered"}
    decision["charter"] = charter.mentions(session, claim.person_id, today)
    return decision


def _maintained_rights(session, claim, ex: Explanation, event: dt.date, long: bool, counted: int,
                       today: dt.date) -> dict:
    """The quarters whose health-care and incapacity/maternity rights a bridging right maintains without
    contributions (legislation §8.1 [S41][S39]), pension not included: at most 4 over the career
    (``bridging_right_rights_quarters``), 8 after 60 pension-creating quarters (``…_long`` [S41]).

    Which quarters is not spelled out by the notes; they pair "12 months of benefit" with "4 quarters of rights" and
    "24 months" with "8 quarters", so caisse reads them as **the calendar quarters of the months granted** (a forced
    interruption: the quarter of its days), in order. A quarter already maintained by an earlier bridging claim, or
    kept with another benefit (``benefit_dispensed_quarter``), is not counted again; the counter is this fund's
    quarters of earlier grants plus ``rights_quarters_before`` (declared, used elsewhere: the highest declaration on
    any of the person's bridging claims). Quarters beyond the counter: the benefit is paid, the rights not
    maintained — said in the decision."""
    from caisse.benefits.models import BenefitDispensedQuarter, BenefitMaintainedQuarter

    limit = ex.use(load().get("bridging_right_rights_quarters_long" if long else "bridging_right_rights_quarters",
                              event)).value
    if "days" in claim.facts:
        quarters = [str(Quarter.of(claim.period_start))]
    else:
        quarters = list(dict.fromkeys(str(Quarter.of(add_months(claim.period_start, m))) for m in range(counted)))
    earlier = _granted(session, claim.person_id, claim.id)
    ids = [c.id for c in earlier]
    mine: set[str] = set()
    kept: set[str] = set()
    if ids:
        m = BenefitMaintainedQuarter
        mine = set(session.scalars(select(m.period).where(  # withdrawn by an undue decision by then: not counted
            m.claim_id.in_(ids), (m.withdrawn_on.is_(None)) | (m.withdrawn_on > today))))
        kept = set(session.scalars(select(BenefitDispensedQuarter.period).where(
            BenefitDispensedQuarter.claim_id.in_(ids))))
    declared = max([claim.facts.get("rights_quarters_before", 0),
                    *(c.facts.get("rights_quarters_before", 0) for c in earlier if c.kind == "bridging_right")])
    used = declared + len(mine)
    already = [q for q in quarters if q in mine or q in kept]
    new = [q for q in quarters if q not in already]
    left = max(limit - used, 0)
    maintained, beyond = new[:left], new[left:]
    law = BRIDGING_RIGHTS_LAW
    rendered = {}
    for lang in LANGS:
        parts = []
        if maintained:
            parts.append(CHECK["rights_maintained"][lang].format(quarters=", ".join(maintained), limit=limit,
                                                                 used=used + len(maintained), law=law[lang]))
        if beyond:
            parts.append(CHECK["rights_not_maintained"][lang].format(quarters=", ".join(beyond), limit=limit,
                                                                     law=law[lang]))
        if already:
            parts.append(CHECK["rights_already_kept"][lang].format(quarters=", ".join(already)))
        rendered[lang] = " ".join(parts)
    return {"ok": bool(maintained), "quarters": maintained, "not_maintained": beyond, "already": already,
            "limit": limit, "used_before": used, "declared_before": declared, "law": law["fr"],
            "rendered": rendered}


def reproduce(session: Session, claim_id: int) -> dict:
    """Decide a decided claim again from its stored facts, on its decision date, with today's parameter files and
    the ledger as it stood then: ``{"same": bool, "differences": [...]}``. A difference means a parameter file or
    the history changed since (e.g. a correction of a figure), and says which."""
    claim = get_claim(session, claim_id)
    if claim.decision is None:
        raise Conflict("claim", "claim {claim} is not decided yet", claim=claim_id)
    again = evaluate(session, claim, claim.decided_on)
    diffs = [k for k in ("outcome", "amount_cents", "counted", "checks", "computation", "parameters")
             if again[k] != claim.decision[k]]
    if again.get("maintained_rights") != claim.decision.get("maintained_rights"):
        diffs.append("maintained_rights")
    return {"same": not diffs, "differences": diffs}


def rules_reasons(result: rules.BenefitResult, lang: str) -> str:
    """The rule's own refusal lines (``not_eligible`` steps) in ``lang``."""
    lines = result.explanation.text(lang)
    keys = [k for k, _ in result.explanation.steps]
    return "; ".join(line for key, line in zip(keys, lines, strict=False) if key == "not_eligible")


def payment_due(claim: BenefitClaim, notified: dt.date) -> dt.date:
    """Charter art. 12 (addendum §15 [S237]): paid "at the latest within 4 months of the **notification** of the
    granting decision" — counted from ``notified`` (``claim.notified_on``: the day the decision was made available,
    or the registered letter the fund recorded), not from the decision date. Birth and bereavement leave are paid at
    the end of the month following the end of the leave (addendum §8.3 [S206], legislation §8.6 [S124]) — the
    earlier of the two, never before the notification. Interest runs from the day after (art. 20, ``late_interest``).
    """
    params = load()
    charter = add_months(notified, params.get("charter_payment_months", notified).value)
    if claim.kind in ("birth_leave", "bereavement"):
        last = claim.period_end
        if claim.kind == "birth_leave" and claim.received_on > last:
            last = claim.received_on
        specific = _month_end(last, 2)
        return min(charter, max(specific, notified))
    return charter


def decide(session: Session, who, claim_id: int, today: dt.date) -> BenefitClaim:
    """Check, decide and (when granted and paid by the fund) order the payment — all in the caller's transaction."""
    from caisse.cases.service import answer, close

    claim = session.get(BenefitClaim, claim_id, with_for_update=True)  # two deciders: the second waits, then sees it
    if claim is None:
        raise NotFound("claim", claim_id)
    if claim.status != "application":
        raise Conflict("claim", "claim {claim} was already decided on {day} ({outcome})", claim=claim_id,
                       day=claim.decided_on, outcome=claim.outcome)
    if today < claim.received_on:
        raise InvalidInput("today", "the decision cannot precede the request of {day}", day=claim.received_on)
    try:
        d = evaluate(session, claim, today)
    except bridging_checks.CaseworkerCheck as check:  # not decided: the caseworker's task says what to verify
        _open_check(session, who, claim, check.items, today)
        session.flush()
        return claim
    _close_check(session, who, claim, today)
    if claim.waiting_for is not None:  # decided on what the file holds (Charter art. 11): nothing awaited any more
        d["decided_while_waiting"] = {"since": claim.waiting_since.isoformat(),
                                      "reminded_on": claim.reminded_on and claim.reminded_on.isoformat(),
                                      "may_decide_from": may_decide_from(claim) and may_decide_from(claim).isoformat()}
        claim.waiting_for, claim.waiting_since, claim.reminded_on = None, None, None
    _step(session, claim, "checks", today, who, {"checks": [{k: c[k] for k in ("check", "ok", "text")}
                                                            for c in d["checks"]]})
    claim.outcome, claim.decided_on, claim.decision = d["outcome"], today, d
    # made available to the person today (the message in the claim's case, the PDF in their documents): notified
    # today, unless the fund records another notification (a registered letter: ``record_notification``)
    claim.notified_on, claim.notified_by = today, "sent"
    claim.amount_cents, claim.counted = d["amount_cents"], d["counted"]
    _step(session, claim, "decision", today, who, {"outcome": d["outcome"], "amount_cents": d["amount_cents"],
                                                   "late": today > claim.decision_due})
    if d["outcome"] == "granted":
        claim.status = "granted"
        if (d.get("dispensation") or {}).get("ok"):  # the quarter is not called, or its call cancelled
            from caisse.benefits import dispensation

            _step(session, claim, "dispensation", today, who, dispensation.apply(
                session, claim, d["dispensation"]["quarter"], DISPENSATION_LAW[claim.kind]["fr"], today))
        rights = d.get("maintained_rights") or {}
        if rights.get("quarters"):  # the bridging right's quarters of maintained rights, one row each
            from caisse.benefits.models import BenefitMaintainedQuarter

            session.add_all(BenefitMaintainedQuarter(person_id=claim.person_id, period=q, claim_id=claim.id,
                                                     law=rights["law"][:200], granted_on=today)
                            for q in rights["quarters"])
            session.flush()
            _step(session, claim, "rights_maintained", today, who, {
                k: rights[k] for k in ("quarters", "not_maintained", "already", "limit", "used_before")})
        if claim.payer == "fund":
            claim.payment_due = payment_due(claim, claim.notified_on)
            claim.ledger_key = f"benefit/claim/{claim.id}"
            from caisse.benefits.undue import grant_with_set_off

            withheld = grant_with_set_off(session, who, claim, d["amount_cents"], today,
                                          rule=LAW[claim.kind]["fr"][:100], parameter=RULE[claim.kind])
            if withheld is not None:  # None: a set-off is proposed to a caseworker, the payment waits for it
                _step(session, claim, "payment_ordered", today, who, {"ledger_key": claim.ledger_key,
                                                                      "payment_due": claim.payment_due.isoformat(),
                                                                      "iban_on_file": _has_iban(session, claim,
                                                                                                today)})
            if withheld:
                claim.decision = {**claim.decision, "set_off": {"withheld": {str(k): v for k, v in withheld.items()},
                                                                "paid_cents": claim.decision["transfer_cents"]}}
                _step(session, claim, "set_off", today, who, {"withheld": claim.decision["set_off"]["withheld"]})
            contributions = claim.decision.get("contribution_set_off")
            if contributions:
                _step(session, claim, "set_off_debts", today, who, {
                    k: contributions[k] for k in ("consent", "set_off_cents", "lines", "paid_cents")})
            if withheld is not None and claim.decision["transfer_cents"] == 0:  # nothing to transfer: settled
                claim.paid_on, claim.status, claim.closed_on = today, "closed", today
                _step(session, claim, "paid", today, who, {"late": False, "by": "set-off"})
                _step(session, claim, "closed", today, who, {"why": "settled by set-off"})
        else:
            _step(session, claim, "forwarded", today, who, {"payer": claim.payer})
            claim.status, claim.closed_on = "closed", today
            _step(session, claim, "closed", today, who, {"why": "paid by the mutuality"})
    else:
        claim.status = "refused"
    if claim.case_id is not None:
        lang = _language(session, claim.person_id)
        outcome = (MESSAGE["granted"][lang].format(amount=fmt_money(d["amount_cents"], lang))
                   if d["outcome"] == "granted" else MESSAGE["refused"][lang] + " — " + " ".join(d["reasons"][lang]))
        text = MESSAGE["decision"][lang].format(claim=claim.id, kind=KIND[claim.kind][lang], outcome=outcome)
        answer(session, who, claim.case_id, text, today)
        close(session, who, claim.case_id, today)
    session.flush()
    return claim


record_check = bridging_checks.record_check  # a caseworker's verification (the CLI's ``benefits verify``)


#: the subject of a claim's caseworker task: the same words on every task, so the desk shows them in the staff's
#: language (``web.labels.CASE_SUBJECTS``); the claim is named in the task's note and on the desk's case page
CHECK_SUBJECT = "Bridging right: a caseworker's check before the decision"


def check_task(session: Session, claim: BenefitClaim):
    """The open caseworker task of a claim waiting for a verification (step ``caseworker_check``), or None."""
    from caisse.cases.models import Case

    for step in reversed(steps(session, claim.id)):
        if step.step == "caseworker_check":
            case = session.get(Case, step.detail["case"])
            return case if case is not None and case.status != "closed" else None
    return None


def checked_by_task(session: Session, case) -> tuple[BenefitClaim, list[str]] | None:
    """The claim whose caseworker task ``case`` is, and the conditions it last listed — or None (another case)."""
    if case.kind != "benefit_claim" or case.party_id is None:
        return None
    for step in session.scalars(select(ClaimStep).join(BenefitClaim, BenefitClaim.id == ClaimStep.claim_id).where(
            BenefitClaim.person_id == case.party_id, ClaimStep.step == "caseworker_check").order_by(
            ClaimStep.id.desc())):
        if (step.detail or {}).get("case") == case.id:
            return session.get(BenefitClaim, step.claim_id), list(step.detail.get("conditions") or [])
    return None


def _open_check(session: Session, who, claim: BenefitClaim, items: list[dict], today: dt.date) -> None:
    """A claim the fund's data cannot decide (``bridging_checks.CaseworkerCheck``): a caseworker task (a case of the
    person's file) listing what to verify and how to record it, and a step ``caseworker_check`` (the conditions);
    the claim stays an application. Asked again with the same list, nothing new is written."""
    from caisse.cases.service import open_case

    conditions = [i["condition"] for i in items]
    task = check_task(session, claim)
    last = next((st for st in reversed(steps(session, claim.id)) if st.step == "caseworker_check"), None)
    if task is not None and last is not None and last.detail.get("conditions") == conditions:
        return
    lines = [f"Bridging right, claim {claim.id} ({claim.bridging_case}): the fund's records cannot decide it. "
             f"Verify, then record each finding on the claim's desk page, /desk/benefits/{claim.id} (\"A "
             "caseworker's check\": met or not, the day verified, a note, the proof scanned), which decides it "
             f"again — or with `caisse benefits verify --claim {claim.id} --condition C --met|--not-met`, then "
             f"`caisse benefits decide --claim {claim.id}`:"]
    lines += [f"- {i['condition']}: {i['en']}" for i in items]
    if task is None:  # the subject is one of the fund's own (translated on the staff's pages: web/labels.py)
        task = open_case(session, who, claim.person_id, "benefit_claim", CHECK_SUBJECT, "\n".join(lines), today,
                         channel="system")
    else:
        from caisse.cases.service import write

        write(session, who, task.id, "\n".join(lines), today, internal=True)
    _step(session, claim, "caseworker_check", today, who, {"case": task.id, "conditions": conditions})


def _close_check(session: Session, who, claim: BenefitClaim, today: dt.date) -> None:
    """The claim is decided: its caseworker task, if one is open, is answered and closed."""
    from caisse.cases.service import answer, close

    task = check_task(session, claim)
    if task is not None:
        lang = _language(session, claim.person_id)
        answer(session, who, task.id, MESSAGE["check_done"][lang].format(claim=claim.id), today)
        close(session, who, task.id, today)


def _language(session: Session, person_id: int) -> str:
    """The language the person reads (fr / nl / de; fr when the file says nothing usable)."""
    from caisse.store.models import Party

    party = session.get(Party, person_id)
    return party.language if party is not None and party.language in ("fr", "nl", "de") else "fr"


def _has_iban(session: Session, claim: BenefitClaim, on: dt.date) -> bool:
    return session.scalar(select(func.count()).select_from(BankAccount).where(
        BankAccount.party_id == claim.person_id, BankAccount.valid_from <= on,
        (BankAccount.valid_to.is_(None)) | (BankAccount.valid_to >= on))) > 0


def follow_up(session: Session, who, as_of: dt.date) -> dict:
    """Claims past a deadline: an application undecided after its decision deadline is flagged (once); a
    granted claim whose transfer was paid is closed (step ``paid`` on the payout date); one still unpaid after its
    payment due date is flagged late (once); a refused claim is closed once the appeal period, counted from the
    notification (Charter art. 23), is over — never while it is not notified or an art. 14 mention is missing; the
    applications the fund may decide on the information it has (art. 11) are listed (``may_decide_on_file``)."""
    done = {"paid": 0, "late": 0, "closed_refused": 0, "decision_late": 0}
    granted = list(session.scalars(select(BenefitClaim).where(BenefitClaim.status == "granted",
                                                              BenefitClaim.ledger_key.is_not(None))
                                   .order_by(BenefitClaim.id)))
    for claim in granted:
        order = session.scalar(select(LedgerTransaction.id).where(LedgerTransaction.key == claim.ledger_key))
        paid_on = session.scalar(select(LedgerTransaction.booked_on).where(
            LedgerTransaction.refers_to_id == order, LedgerTransaction.kind == "payout",
            LedgerTransaction.booked_on <= as_of))
        if paid_on is None and refresh_payment_due(session, who, claim, as_of):
            done["deadline_moved"] = done.get("deadline_moved", 0) + 1
        if paid_on is not None:
            claim.paid_on, claim.status, claim.closed_on = paid_on, "closed", as_of
            if paid_on > claim.payment_due and not claim.late:
                claim.late = True
            _step(session, claim, "paid", paid_on, who, {"late": paid_on > claim.payment_due})
            if paid_on > claim.payment_due:  # art. 20: ordered (paid by the run) when every day has a rate
                from caisse.benefits.payments import order_interest

                interest = order_interest(session, who, claim, paid_on, as_of)
                _step(session, claim, "interest_due", as_of, who, interest)
                if interest["interest"] != "computed":
                    _flag_interest(session, who, claim, interest, as_of)
                done["interest_due"] = done.get("interest_due", 0) + 1
            _step(session, claim, "closed", as_of, who)
            done["paid"] += 1
        elif as_of > claim.payment_due and not claim.late:
            claim.late = True
            _step(session, claim, "late", as_of, who, {"payment_due": claim.payment_due.isoformat(),
                                                       **late_interest(session, claim, as_of)})
            done["late"] += 1
    from caisse.benefits.payments import retry_interest

    ordered = retry_interest(session, who, as_of)  # rates entered since: the interest left to a caseworker, ordered
    if ordered:
        done["interest_ordered"] = ordered
    overdue = session.scalars(select(BenefitClaim).where(
        BenefitClaim.status == "application", BenefitClaim.decision_due < as_of,
        # a document asked before the deadline suspends it (Charter art. 10) until it arrives
        ~((BenefitClaim.waiting_since.is_not(None)) & (BenefitClaim.waiting_since <= BenefitClaim.decision_due)),
        ~select(ClaimStep.id).where(ClaimStep.claim_id == BenefitClaim.id, ClaimStep.step == "decision_late")
        .exists()).order_by(BenefitClaim.id))
    for claim in list(overdue):
        _step(session, claim, "decision_late", as_of, who, {"decision_due": claim.decision_due.isoformat(),
                                                            "law": "Charter art. 10: decision within 4 months"})
        done["decision_late"] += 1
    refused = list(session.scalars(select(BenefitClaim).where(BenefitClaim.status == "refused")
                                   .order_by(BenefitClaim.id)))
    for claim in refused:
        if (claim.decision.get("charter") or {}).get("missing"):  # art. 14: the appeal period has not started
            done["appeal_not_started"] = done.get("appeal_not_started", 0) + 1
            continue
        until = appeal_until(claim)
        if until is None:  # art. 23: the period runs from the notification, not recorded
            done["not_notified"] = done.get("not_notified", 0) + 1
        elif as_of > until:
            claim.status, claim.closed_on = "closed", as_of
            _step(session, claim, "closed", as_of, who, {"why": "appeal period over",
                                                         "notified_on": claim.notified_on.isoformat(),
                                                         "appeal_until": until.isoformat()})
            done["closed_refused"] += 1
    decidable = may_decide_on_file(session, who, as_of)
    if decidable:
        done["may_decide_on_file"] = decidable
    from caisse.benefits.models import UndueBenefit
    from caisse.benefits.undue import open_undue

    for person in sorted(set(session.scalars(select(UndueBenefit.person_id).where(UndueBenefit.status == "open")))):
        for undue, left in open_undue(session, person):
            if left == 0:  # paid by the person (designated to its communication) or withheld: recovered
                undue.status, undue.recovered_on = "recovered", as_of
                done["undue_recovered"] = done.get("undue_recovered", 0) + 1
    session.flush()
    return done


# --- notification and appeal (Charter art. 23), information asked and reminded (arts. 10 and 11) -----------------

NOTIFIED_BY = ("sent", "registered")
APPEAL_LAW = ("Charter of the social insured art. 23 (addendum §15 [S236]): appeal within three months of the "
              "notification")
REMINDER_LAW = ("Charter of the social insured art. 11 (addendum §15 [S232]): after a request for information and a "
                "reminder, the fund may decide on the available information one month after the reminder")


def appeal_until(claim: BenefitClaim) -> dt.date | None:
    """The last day to appeal (Charter art. 23: three months of the notification), or None while it does not run:
    no notification recorded, or a mandatory mention missing from the decision (art. 14, last paragraph)."""
    if claim.decision is None or claim.notified_on is None or (claim.decision.get("charter") or {}).get("missing"):
        return None
    return add_months(claim.notified_on, claim.decision["appeal"]["months"])


def record_notification(session: Session, who, claim_id: int, on: dt.date, by: str, today: dt.date
                        ) -> BenefitClaim:
    """The fund records how and when a decision was notified — ``registered``: the registered letter, on the day the
    fund records (presented / posted, its own practice); ``sent``: a letter posted or the decision made available on
    another day than the decision. It replaces the notification recorded (the decision's own day, when it was made
    available); the step keeps the one before. The appeal period runs from it."""
    claim = session.get(BenefitClaim, claim_id, with_for_update=True)
    if claim is None:
        raise NotFound("claim", claim_id)
    if claim.decision is None:
        raise Conflict("claim", "claim {claim} is not decided yet: there is no decision to notify", claim=claim_id)
    if by not in NOTIFIED_BY:
        raise InvalidInput("by", "sent or registered")
    if on < claim.decided_on:
        raise InvalidInput("on", "before the decision of {day}", day=claim.decided_on)
    if on > today:
        raise InvalidInput("on", "in the future")
    if claim.outcome == "refused" and claim.status == "closed":
        raise Conflict("claim", "claim {claim} was closed on {day}, its appeal period over", claim=claim_id,
                       day=claim.closed_on)
    before = {"on": claim.notified_on and claim.notified_on.isoformat(), "by": claim.notified_by}
    moved = _payment_deadline_moved(session, claim, on, today)
    claim.notified_on, claim.notified_by = on, by
    until = appeal_until(claim)
    _step(session, claim, "notified", on, who, {"by": by, "before": before, "law": APPEAL_LAW,
                                                "appeal_until": until and until.isoformat(), **moved})
    session.flush()
    return claim


def _payment_deadline_moved(session: Session, claim: BenefitClaim, notified: dt.date, today: dt.date) -> dict:
    """Charter art. 12: the payment deadline of a grant the fund pays runs from the notification, so recording
    another notification moves it (and with it the start of the art. 20 interest). Refused once the interest of a
    late payment was established on the old deadline (step ``interest_due``, or the interest ordered by a
    payment run, ``benefits.payments``): it is not counted twice. A claim flagged
    late whose new deadline has not passed (or was paid by it) is no longer late."""
    if claim.outcome != "granted" or claim.payer != "fund" or claim.payment_due is None:
        return {}
    new = payment_due(claim, notified)
    if new == claim.payment_due:
        return {}
    established = _interest_established(session, claim)
    if established is not None:
        raise Conflict("claim", "the late-payment interest of claim {claim} was established on {day} from the "
                                "deadline {due}: the notification can no longer move it", claim=claim.id,
                       day=established, due=claim.payment_due)
    before, claim.payment_due = claim.payment_due, new
    if claim.late and (claim.paid_on or today) <= new:
        claim.late = False
    return {"payment_due": new.isoformat(), "payment_due_before": before.isoformat(),
            "payment_law": "Charter art. 12: payment within 4 months of the notification of the grant"}


def _interest_established(session: Session, claim: BenefitClaim) -> dt.date | None:
    """The day the late-payment interest of the claim was established on its deadline (step ``interest_due``, or
    the interest ordered by a payment run), if it was: the deadline then stands."""
    established = session.scalar(select(ClaimStep.happened_on).where(
        ClaimStep.claim_id == claim.id, ClaimStep.step == "interest_due").order_by(ClaimStep.id).limit(1))
    if established is None:  # ordered by a payment run, before any follow-up recorded the step
        from caisse.benefits.payments import interest_key
        from caisse.ledger.models import LedgerTransaction

        established = session.scalar(select(LedgerTransaction.booked_on).where(
            LedgerTransaction.key == interest_key(claim.id)))
    return established


def current_payment_due(session: Session, claim: BenefitClaim) -> dt.date | None:
    """The payment deadline as the rule reads now for the claim's notification (Charter art. 12, ``payment_due``).
    ``claim.payment_due`` holds what the rule gave when the decision or its notification was recorded; a change of
    the rule's figure in force on the notification day (``charter_payment_months`` corrected in the parameter file)
    is shown at once, without recording the notification again, and written by the next follow-up or payment run
    (``refresh_payment_due``). A figure dated after the notification does not apply to it. Once the claim is paid
    or its late-payment interest established, the recorded deadline stands."""
    stored = claim.payment_due
    if (stored is None or claim.notified_on is None or claim.paid_on is not None or claim.outcome != "granted"
            or claim.payer != "fund"):
        return stored
    now = payment_due(claim, claim.notified_on)
    if now == stored or _interest_established(session, claim) is not None:
        return stored
    return now


def refresh_payment_due(session: Session, who, claim: BenefitClaim, today: dt.date) -> bool:
    """Write ``current_payment_due`` into the claim when the rule moved it since it was recorded (step
    ``payment_due_moved``, with the deadline before and after); a claim flagged late whose new deadline has not
    passed is no longer late. Returns whether it moved."""
    new = current_payment_due(session, claim)
    if new == claim.payment_due:
        return False
    before, claim.payment_due = claim.payment_due, new
    if claim.late and (claim.paid_on or today) <= new:
        claim.late = False
    _step(session, claim, "payment_due_moved", today, who, {
        "payment_due": new.isoformat(), "payment_due_before": before.isoformat(),
        "notified_on": claim.notified_on.isoformat(),
        "payment_law": "Charter art. 12: payment within the months of the notification of the grant in force on "
                       "that day (the rule's figure changed since the deadline was recorded)"})
    return True


def decision_deadline(claim: BenefitClaim, on: dt.date) -> dt.date:
    """The decision deadline as it stands on ``on``: moved by the days information asked of the person has been
    missing (Charter art. 10 — ``attachments.suspended_days``)."""
    from caisse.benefits.attachments import suspended_days

    return claim.decision_due + dt.timedelta(days=suspended_days(claim, on))


@dataclass(frozen=True)
class DeadlineState:
    """The decision deadline of an application as the person reads it (Charter art. 10): suspended while a document
    asked of them before it ran out is missing (no date then: it runs again when the document arrives), else the
    date, moved by the days earlier requests were waited for (``moved_days``)."""

    suspended: bool
    due: dt.date | None
    waiting_for: str | None
    waiting_since: dt.date | None
    moved_days: int
    overdue: bool


def deadline_state(claim: BenefitClaim, today: dt.date, moved_days: int = 0) -> DeadlineState | None:
    """None once the claim is no longer an application (decided, withdrawn, closed)."""
    if claim.status != "application" or claim.withdrawn_on is not None:
        return None
    suspended = claim.waiting_since is not None and claim.waiting_since <= claim.decision_due
    return DeadlineState(suspended=suspended, due=None if suspended else claim.decision_due,
                         waiting_for=claim.waiting_for, waiting_since=claim.waiting_since, moved_days=moved_days,
                         overdue=not suspended and claim.decision_due < today)


def moved_days(session: Session, claim_ids: list[int]) -> dict[int, int]:
    """Per claim, the days its decision deadline was moved by documents awaited and received (the steps
    ``document_received``, each with its ``suspended_days``)."""
    moved = dict.fromkeys(claim_ids, 0)
    if claim_ids:
        for claim_id, detail in session.execute(select(ClaimStep.claim_id, ClaimStep.detail).where(
                ClaimStep.claim_id.in_(claim_ids), ClaimStep.step == "document_received")):
            moved[claim_id] += int((detail or {}).get("suspended_days") or 0)
    return moved


def may_decide_from(claim: BenefitClaim) -> dt.date | None:
    """Charter art. 11: the first day the fund may decide on the information it has — the day after the month that
    follows the reminder (reminder 10 March: the person may answer until 10 April, the fund decides from 11 April);
    None without a reminder while information is awaited."""
    if claim.reminded_on is None or claim.waiting_for is None:
        return None
    months = load().get("charter_information_reminder_months", claim.reminded_on).value
    return add_months(claim.reminded_on, months) + dt.timedelta(days=1)


def send_reminder(session: Session, who, claim_id: int, on: dt.date) -> BenefitClaim:
    """A caseworker reminds the person of the information asked (``attachments.request_document``) and still
    missing: the person is told, in their language, until when they can answer and that the fund may then decide on
    what it has (Charter art. 11). The decision deadline stays suspended (art. 10) until the information arrives."""
    from caisse.cases.models import Case
    from caisse.cases.service import write

    claim = session.get(BenefitClaim, claim_id, with_for_update=True)
    if claim is None:
        raise NotFound("claim", claim_id)
    if claim.status != "application":
        raise Conflict("claim", "claim {claim} is no longer being examined ({status})", claim=claim_id,
                       status=claim.status)
    if claim.waiting_for is None:
        raise Conflict("claim", "claim {claim} waits for no information: ask for it first", claim=claim_id)
    if claim.reminded_on is not None:
        raise Conflict("claim", "a reminder was already sent on {day}", day=claim.reminded_on)
    if on < claim.waiting_since:
        raise InvalidInput("on", "before the information was asked ({day})", day=claim.waiting_since)
    claim.reminded_on = on
    start = may_decide_from(claim)
    _step(session, claim, "reminder_sent", on, who, {"asked_on": claim.waiting_since.isoformat(),
                                                     "may_decide_from": start.isoformat(), "law": REMINDER_LAW})
    case = session.get(Case, claim.case_id) if claim.case_id is not None else None
    if case is not None and case.status != "closed":
        lang = _language(session, claim.person_id)
        text = MESSAGE["information_reminder"][lang].format(
            claim=claim.id, kind=KIND[claim.kind][lang], what=claim.waiting_for,
            asked=fmt_date(claim.waiting_since, lang), until=fmt_date(start - dt.timedelta(days=1), lang))
        write(session, who, case.id, text, on, ask_person=case.status != "waiting_for_person")
    session.flush()
    return claim


def may_decide_on_file(session: Session, who, as_of: dt.date) -> list[int]:
    """The applications the fund may now decide on the information it has (Charter art. 11): information asked,
    reminded, and still missing a month after the reminder. Each gets a step ``may_decide`` once."""
    rows = session.scalars(select(BenefitClaim).where(
        BenefitClaim.status == "application", BenefitClaim.waiting_for.is_not(None),
        BenefitClaim.reminded_on.is_not(None)).order_by(BenefitClaim.id))
    out = []
    for claim in rows:
        start = may_decide_from(claim)
        if as_of < start:
            continue
        out.append(claim.id)
        flagged = session.scalar(select(ClaimStep.id).where(ClaimStep.claim_id == claim.id,
                                                            ClaimStep.step == "may_decide").limit(1))
        if flagged is None:
            _step(session, claim, "may_decide", as_of, who, {"reminded_on": claim.reminded_on.isoformat(),
                                                             "may_decide_from": start.isoformat(),
                                                             "law": REMINDER_LAW})
    return out


def late_interest(session: Session, claim: BenefitClaim, paid_or_today: dt.date) -> dict:
    """Charter art. 20 (addendum §15 [S234][S242]): a benefit paid after its due date bears interest de plein droit,
    in favour of the insured, from the expiry of the payment period (``payment_due``), on what was paid late
    (``interest_base``). Computed by ``benefits.interest`` with the legal interest rates the fund entered (with
    their source); a day late without a rate entered leaves it ``not computed`` with the days late and the reason —
    never guessed."""
    from caisse.benefits.interest import compute

    return compute(interest_base(session, claim), claim.payment_due, paid_or_today)


def interest_base(session: Session, claim: BenefitClaim) -> int:
    """What of the benefit was paid late: the amount granted, less what its grant settled on its own day — an undue
    benefit withheld, contributions set off with the person's agreement — when that day was not after the payment
    deadline (paid then, in time). The rest (the transfer, with the withholding tax that goes with it) bears the
    interest; a grant posted after the deadline is late as a whole."""
    from caisse.ledger.models import BENEFIT_UNDUE, LedgerEntry, LedgerTransaction

    grant = session.scalar(select(LedgerTransaction).where(LedgerTransaction.key == claim.ledger_key)) \
        if claim.ledger_key else None
    if grant is None or claim.payment_due is None or grant.booked_on > claim.payment_due:
        return claim.amount_cents
    e = LedgerEntry
    settled = session.scalar(select(func.coalesce(func.sum(-e.amount_cents), 0)).where(
        e.transaction_id == grant.id,
        (e.account == BENEFIT_UNDUE) | ((e.account == "credit") & (e.parameter == "benefit_set_off"))))
    return claim.amount_cents - int(settled or 0)


def _flag_interest(session: Session, who, claim: BenefitClaim, interest: dict, as_of: dt.date) -> None:
    """A caseworker task for the interest of a late payment when no rate was entered for part of the period (one per
    claim, the days late stated): computed, it is ordered and paid automatically (``benefits.payments``)."""
    from caisse.cases.service import open_system_cases

    head = (f"Claim {claim.id} ({claim.kind}), person {claim.person_id}: {fmt_money(claim.amount_cents, 'en')} due "
            f"by {claim.payment_due.isoformat()}, {interest['days']} days late (interest from "
            f"{interest['interest_from']} to {interest['interest_to']}, {interest['law']}).")
    subject = f"Late interest not computed — claim {claim.id}"
    body = head + f" {interest['days_without_rate']} of these days have no legal interest rate entered: " \
        + interest["why"] + ". Enter the rate with its source (legal_interest.yaml) — the next follow-up then orders " \
        "the interest, paid by the next credit-transfer run — or establish it."
    open_system_cases(session, [{"key": f"benefit/interest/{claim.id}", "kind": "benefit_interest",
                                 "party_id": claim.person_id, "subject": subject, "body": body}], as_of, str(who))


def _waiting_lines(claim: BenefitClaim) -> list[str]:
    """Information awaited from the person: since when, the deadline as suspended (art. 10), the reminder (art. 11)."""
    if claim.status != "application" or claim.waiting_for is None:
        return []
    suspends = claim.waiting_since <= claim.decision_due
    lines = [f"  information asked on {claim.waiting_since}: {claim.waiting_for} — "
             + ("the decision deadline is suspended until it arrives (Charter art. 10)" if suspends
                else "asked after the decision deadline: nothing suspended")]
    if claim.reminded_on:
        lines.append(f"  reminder sent {claim.reminded_on}: may be decided on the file's information from "
                     f"{may_decide_from(claim)} (Charter art. 11)")
    return lines


def describe(claim: BenefitClaim, lang: str = "en") -> list[str]:
    """The claim in a few lines (``caisse benefits show``)."""
    kind = KIND[claim.kind][lang] + (f" ({CASE[claim.bridging_case][lang]})" if claim.bridging_case else "")
    lines = [f"claim {claim.id}: {kind}, person {claim.person_id}, status {claim.status}"
             + (f" ({claim.outcome})" if claim.outcome else ""),
             f"  period {claim.period_start} to {claim.period_end}; received {claim.received_on}, decision due "
             f"{claim.decision_due}" + (f", decided {claim.decided_on}" if claim.decided_on else ""),
             *_waiting_lines(claim),
             "  facts: " + ", ".join(f"{k}={v}" for k, v in claim.facts.items())]
    if claim.decision:
        d = claim.decision
        for c in d["checks"]:
            lines.append(f"  [{'ok' if c['ok'] else 'NO'}] {c['rendered'][lang]}")
        if claim.outcome == "granted":
            lines.append(f"  amount {fmt_money(claim.amount_cents, lang)} paid by the {claim.payer}"
                         + (f", payment due {claim.payment_due}" if claim.payment_due else "")
                         + (f", paid {claim.paid_on}" if claim.paid_on else "")
                         + (" — LATE: Charter art. 20 interest due from "
                            f"{claim.payment_due + dt.timedelta(days=1)}" if claim.late else ""))
        for extra in ("dispensation", "vouchers_request", "maintained_rights"):
            if d.get(extra):
                lines.append(f"  [{'ok' if d[extra]['ok'] else 'NO'}] {d[extra]['rendered'][lang]}")
        if (d.get("set_off") or {}).get("pending"):
            lines.append(f"  set-off against undue benefits to decide (case {d['set_off']['case']}): proposed "
                         f"{fmt_money(d['set_off']['proposed_cents'], lang)}; the payment waits "
                         f"(`caisse benefits set-off --claim {claim.id} --withhold EUR`)")
        elif d.get("set_off"):
            lines.append("  set off against undue benefits: " + ", ".join(
                f"undue {k}: {fmt_money(v, lang)}" for k, v in d["set_off"]["withheld"].items())
                + f"; transferred {fmt_money(d['set_off']['paid_cents'], lang)}")
        if claim.outcome == "granted" and claim.payer == "fund":
            from caisse.documents.benefit_decisions import payment_lines

            lines.extend(f"  {text}" for _style, text in payment_lines(d, lang if lang in LANGS else "en"))
            if (d.get("contribution_set_off") or {}).get("excluded"):
                lines.append("  not set off: " + "; ".join(f"{x['period']} {x['account']} ({x['why']})"
                                                         for x in d["contribution_set_off"]["excluded"]))
        missing = (d.get("charter") or {}).get("missing")
        if missing:
            lines.append("  Charter art. 14 mentions missing: " + ", ".join(missing) + " (appeal period not started)")
        elif claim.notified_on:
            lines.append(f"  notified {claim.notified_on} ({claim.notified_by}): appeal until {appeal_until(claim)} "
                         "(Charter art. 23, three months of the notification)")
        else:
            lines.append("  notification not recorded: the appeal period (Charter art. 23) has not started")
        for line in d["computation"][lang]:
            lines.append(f"    {line}")
        lines.append("  parameters: " + "; ".join(f"{p['name']}={p['value']} from {p['from']} ({p['status']})"
                                                  for p in d["parameters"][lang]))
    return lines
