"""The "best solution" advisor for the caseworker: for a debtor's situation on a date, which of a reduction of the
provisional contributions, a payment plan, a dispensation and a surcharge waiver apply, what each takes off the
debt, what it costs and what it changes (legislation §4.3, §4.4, §5; addendum §4.2).

``advise(situation)`` is pure (no database, no clock): the figures come from the ``Situation`` (read from the
ledger and the file by ``situation_of``) and the rules (the contributions engine for the category minimum, the
recovery and surcharge parameters). The order of the advice follows the notes: a reduction first unless already at
the minimum (§5 [S26]), a waiver as soon as the quarter's contributions are paid (§4.4), a payment plan (the
surcharges keep running, §5 [S29]), a dispensation last (it costs pension rights unless bought back, §5, §9).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from caisse.money import fmt
from caisse.recovery import relief_rules as rules
from caisse.recovery.policy import ENFORCEMENT_STAGE
from caisse.services.calendar import Quarter
from caisse.texts import T_, Text


@dataclass(frozen=True)
class PeriodDebt:
    """One quarter of the debtor on the day of the advice (cents)."""

    period: str
    due_date: dt.date | None
    charged_contribution: int
    contribution: int  # open
    management_fee: int  # open
    surcharge: int  # open
    surcharge_waivable: int  # charged net of earlier waivers
    category: str | None
    category_minimum: int | None  # the category's minimum quarterly contribution that year (None: not known)
    main_minimum: int | None
    pending: frozenset[str] = frozenset()  # kinds of relief already asked for it


@dataclass(frozen=True)
class Rules:
    quarterly_rate: Fraction  # art. 44 §1: 3 % a quarter
    annual_rate: Fraction  # 7 % once on 1 January
    plan_max_months: int
    plan_down_payment: Fraction
    plan_max_broken: int
    dispensation_window_months: int
    dispensation_min_quarters: int
    buyback_years: int


@dataclass(frozen=True)
class Situation:
    party_id: int
    as_of: dt.date
    periods: list[PeriodDebt]
    primostarter: bool
    affiliated_quarters_before: dict[str, int]  # per period
    stage: str | None  # recovery file stage
    broken_plans: int  # in the window that counts
    plan_running: bool
    rules: Rules


@dataclass
class Option:
    kind: str  # reduction, payment_plan, dispensation, surcharge_waiver
    applies: bool
    why: Text
    periods: list[str] = field(default_factory=list)
    saves_cents: int = 0  # what it takes off the debt (at most)
    costs_cents: int = 0  # what it costs: surcharges that keep running, or the amount to buy the pension back
    changes: list[Text] = field(default_factory=list)  # translated where shown (caisse.texts)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "applies": self.applies, "why": str(self.why), "periods": self.periods,
                "saves": fmt(self.saves_cents), "costs": fmt(self.costs_cents),
                "changes": [str(c) for c in self.changes]}


@dataclass
class Advice:
    party_id: int
    as_of: dt.date
    owed_cents: int
    principal_cents: int
    surcharge_cents: int
    options: list[Option]
    recommended: list[str]

    def to_dict(self) -> dict:
        return {"debtor": self.party_id, "as_of": self.as_of.isoformat(), "owed": fmt(self.owed_cents),
                "principal": fmt(self.principal_cents), "surcharges": fmt(self.surcharge_cents),
                "recommended": self.recommended, "options": [o.to_dict() for o in self.options]}


def _half_up(base: int, rate: Fraction) -> int:
    return int(base * rate + Fraction(1, 2))


def running_surcharges(contribution_open: int, this_year_open: int, months: int, as_of: dt.date,
                       r: Rules) -> int:
    """The late-payment surcharges that arise over ``months`` if the open contributions are paid off in equal
    monthly parts from ``as_of`` (art. 44: 3 % at each quarter end on what is still unpaid, 7 % once on 1 January
    on last year's contributions): what a plan keeps running. An estimate, labelled so."""
    from caisse.rules.contributions import quarter_end

    end_day = _add_months(as_of, months)
    total = 0
    e = quarter_end(as_of)
    while e < end_day:
        elapsed = max(0, (e.year - as_of.year) * 12 + e.month - as_of.month)
        left = Fraction(max(0, months - elapsed), months)
        total += _half_up(int(contribution_open * left), r.quarterly_rate)
        jan = e + dt.timedelta(days=1)
        if jan.month == 1 and jan < end_day:
            total += _half_up(int(this_year_open * left), r.annual_rate)
        e = quarter_end(jan)
    return total


def _add_months(day: dt.date, months: int) -> dt.date:
    from caisse.services.calendar import add_months

    return add_months(day, months)


def _reduction(s: Situation) -> Option:
    year = s.as_of.year
    current = [p for p in s.periods if p.period.startswith(str(year)) and p.charged_contribution > 0]
    if not current:
        return Option("reduction", False, T_("no provisional contribution of {year} is called yet", year=year))
    unknown = [p.period for p in current if p.category_minimum is None]
    if unknown:
        return Option("reduction", False, T_("the category minimum of {year} is not known: cannot say how low a "
                                             "reduction could go", year=year))
    room = [(p, p.charged_contribution - p.category_minimum) for p in current]
    saves = sum(max(0, x) for _, x in room)
    if saves <= 0:
        return Option("reduction", False, T_("the provisional contributions of {year} are already at the "
                                             "category minimum: a reduction cannot go lower (legislation §5)",
                                             year=year))
    return Option("reduction", True, T_("provisional contributions above the category minimum (legislation §5 "
                                        "[S16][S25])"), [p.period for p, x in room if x > 0], saves, 0,
                  [T_("the provisional contributions are lowered on a justified estimate of this year's income, "
                      "never below the category minimum (at most the amount shown, with an income at or under the "
                      "minimum)"),
                   T_("if the income proves higher: the difference is due at the regularisation, with a 3 % + 7 % "
                      "surcharge on what is still unpaid on 31 December (legislation §4.3; article NOT FOUND)"),
                   T_("pension rights follow the definitive income: nothing is lost")])


#: the stages of an enforcement, by the names the desk gives them (caisse.web.labels.RECOVERY_STAGE)
ENFORCEMENT = ENFORCEMENT_STAGE


def _plan(s: Situation, owed: int, contribution: int, this_year: int) -> Option:
    r = s.rules
    if owed <= 0:
        return Option("payment_plan", False, T_("nothing due"))
    if s.plan_running:
        return Option("payment_plan", False, T_("a payment plan is already running"))
    if s.stage in ENFORCEMENT:
        return Option("payment_plan", False, T_("an enforcement is running (stage {stage}): no plan (S29)",
                                                stage=ENFORCEMENT[s.stage]))
    if s.broken_plans >= r.plan_max_broken:
        return Option("payment_plan", False, T_("{broken} plans broken recently: refused after {most} (S29)",
                                                broken=s.broken_plans, most=r.plan_max_broken))
    down = -((-owed * r.plan_down_payment.numerator) // r.plan_down_payment.denominator)
    cost = running_surcharges(contribution, this_year, r.plan_max_months, s.as_of, r)
    return Option("payment_plan", True, T_("debts already due, no enforcement running (S29)"), [], 0, cost,
                  [T_("the whole {owed} EUR over up to {months} months, a down payment of at least {down} EUR "
                      "({share})", owed=fmt(owed), months=r.plan_max_months, down=fmt(down),
                      share=r.plan_down_payment),
                   T_("no enforcement while it is respected; two broken plans in three years close this route"),
                   T_("surcharges keep running (art. 44): about {cost} EUR over {months} months in equal parts "
                      "(estimate) — a waiver can be asked once the contributions are paid", cost=fmt(cost),
                      months=r.plan_max_months),
                   T_("pension rights kept: the contributions are paid")])


def _dispensation(s: Situation) -> Option:
    r = s.rules
    ok, refused = [], []
    for p in s.periods:
        if p.contribution <= 0:
            continue
        q = Quarter.parse(p.period)
        facts = rules.QuarterFacts(q, p.category, s.primostarter, p.charged_contribution, p.contribution,
                                   p.management_fee, p.surcharge_waivable, p.main_minimum)
        problem = rules.dispensation_problem(facts, s.as_of, r.dispensation_window_months,
                                             r.dispensation_min_quarters, s.affiliated_quarters_before.get(p.period))
        if "dispensation" in p.pending:
            problem = ("quarter", T_("{quarter}: already asked", quarter=p.period))
        (refused if problem else ok).append((p, problem))
    if not ok:
        why = refused[0][1][1] if refused else T_("no unpaid contribution")
        return Option("dispensation", False, why)
    saves = sum(p.contribution + max(p.management_fee, 0) for p, _ in ok)
    buyback = sum(p.contribution for p, _ in ok)
    deadlines = [T_("{quarter} by {day}", quarter=p.period,
                    day=rules.buyback_deadline(Quarter.parse(p.period), r.buyback_years)) for p, _ in ok]
    changes = [T_("INASTI decides; the request is signed by the person; recovery waits while it is pending"),
               T_("takes off {saves} EUR of contributions and management fees (surcharges only if INASTI says so)",
                  saves=fmt(saves)),
               T_("NO PENSION RIGHTS for {count} quarter(s) unless the {buyback} EUR dispensed are paid within "
                  "{years} years: {deadlines}", count=len(ok), buyback=fmt(buyback), years=r.buyback_years,
                  deadlines=deadlines),
               T_("health care and family allowances are kept"),
               T_("ask a reduction first unless the contributions are already at the minimum (S26)")]
    if refused:
        changes.append(T_("not possible for {problems}", problems=[problem[1] for _, problem in refused]))
    return Option("dispensation", True, T_("unpaid quarters within {months} months, category allowed "
                                           "(legislation §5)", months=r.dispensation_window_months),
                  [p.period for p, _ in ok], saves, buyback, changes)


def _waiver(s: Situation) -> Option:
    now, later = [], []
    for p in s.periods:
        if p.surcharge_waivable <= 0 or "surcharge_waiver" in p.pending:
            continue
        principal = max(p.contribution, 0) + max(p.management_fee, 0)
        (later if principal > 0 else now).append((p, principal))
    if not now and not later:
        return Option("surcharge_waiver", False, T_("no surcharge to waive"))
    changes = [T_("INASTI decides, total or partial, no appeal; grounds: force majeure, good faith, a situation "
                  "deserving consideration (non-receipt of mail is not accepted)")]
    if later:
        quarters = [T_("{quarter} (pay {principal} EUR first, then up to {waivable} EUR)", quarter=p.period,
                       principal=fmt(x), waivable=fmt(p.surcharge_waivable)) for p, x in later]
        changes.append(T_("once the contributions are paid: {quarters}", quarters=quarters))
    if not now:
        return Option("surcharge_waiver", False, T_("the contributions of the quarters with surcharges are not "
                                                    "fully paid yet (legislation §4.4)"),
                      [p.period for p, _ in later], 0, 0, changes)
    saves = sum(p.surcharge_waivable for p, _ in now)
    return Option("surcharge_waiver", True, T_("contributions of the quarter paid (legislation §4.4)"),
                  [p.period for p, _ in now], saves, 0,
                  [T_("up to {saves} EUR of surcharges given up (already paid ones come back as credit)",
                      saves=fmt(saves)), *changes])


def advise(s: Situation) -> Advice:
    """Which solutions apply to this debtor today, what each saves and costs, and in which order to propose them."""
    due = [p for p in s.periods if p.due_date is None or p.due_date <= s.as_of]
    contribution = sum(max(p.contribution, 0) for p in due)
    principal = contribution + sum(max(p.management_fee, 0) for p in due)
    surcharge = sum(max(p.surcharge, 0) for p in s.periods)
    owed = principal + surcharge
    this_year = sum(max(p.contribution, 0) for p in due if p.due_date and p.due_date.year == s.as_of.year)
    options = [_reduction(s), _waiver(s), _plan(s, owed, contribution, this_year), _dispensation(s)]
    recommended = [o.kind for o in options if o.applies]
    return Advice(s.party_id, s.as_of, owed, principal, surcharge, options, recommended)


# --- reading the situation (database) ---------------------------------------------------------------------------

def situation_of(session, party_id: int, as_of: dt.date) -> Situation:
    """The debtor's situation on ``as_of`` from the ledger, the file and the recovery file."""
    from sqlalchemy import func, select

    from caisse.errors import InvalidInput, UnknownParameter
    from caisse.ledger.models import LedgerEntry, LedgerTransaction
    from caisse.recovery import relief
    from caisse.recovery.models import PaymentPlan, ReliefRequest
    from caisse.recovery.policy import policy
    from caisse.rules.contributions import contribution
    from caisse.rules.params import load as load_params
    from caisse.services.calendar import add_months
    from caisse.store.models import Affiliation

    e, t = LedgerEntry, LedgerTransaction
    periods = sorted({p for (p,) in session.execute(
        select(e.period).join(t, t.id == e.transaction_id).where(
            e.party_id == party_id, e.account.in_(("contribution", "management_fee", "surcharge")),
            t.booked_on <= as_of, e.period.like("%Q%")).group_by(e.period))})
    money = relief._ledger(session, party_id, periods, as_of)
    due = dict(session.execute(select(e.period, func.min(e.due_date)).join(t, t.id == e.transaction_id).where(
        e.party_id == party_id, e.account == "contribution", e.amount_cents > 0, t.booked_on <= as_of,
        e.period.in_(periods)).group_by(e.period)).all()) if periods else {}
    pending: dict[str, set[str]] = {}
    for kind, ps in session.execute(select(ReliefRequest.kind, ReliefRequest.periods).where(
            ReliefRequest.party_id == party_id, ReliefRequest.status.in_(relief.PENDING))):
        for p in ps:
            pending.setdefault(p, set()).add(kind)
    primo = bool(session.scalar(select(func.count()).select_from(Affiliation).where(
        Affiliation.person_id == party_id, Affiliation.primostarter.is_(True))))
    minima: dict[tuple[int, str], int | None] = {}

    def minimum(year: int, category: str | None) -> int | None:
        if category is None:
            return None
        if (year, category) not in minima:
            try:
                minima[(year, category)] = contribution(year, category, "0",
                                                        primostarter=primo and category == "main").quarterly
            except (UnknownParameter, InvalidInput):  # not published, or not computable on income 0: unknown
                minima[(year, category)] = None
        return minima[(year, category)]

    rows = []
    for p in periods:
        q = Quarter.parse(p)
        m = money[p]
        cat = relief.category_during(session, party_id, q)
        d = due.get(p)
        rows.append(PeriodDebt(p, d if d is None or isinstance(d, dt.date) else dt.date.fromisoformat(str(d)),
                               m["charged"], m["contribution"], m["management_fee"], m["surcharge"], m["waivable"],
                               cat, minimum(q.year, cat), minimum(q.year, "main"),
                               frozenset(pending.get(p, ()))))
    pol = policy(as_of)
    params = load_params()
    r = Rules(Fraction(params.get("late_surcharge_quarterly_rate", as_of).value),
              Fraction(params.get("late_surcharge_annual_rate", as_of).value), pol.plan_max_months,
              pol.plan_down_payment, pol.plan_max_broken, *relief._params(as_of))
    f = relief.recovery_file(session, party_id)
    broken = session.scalar(select(func.count()).select_from(PaymentPlan).where(
        PaymentPlan.party_id == party_id, PaymentPlan.status == "broken",
        PaymentPlan.ended_on >= add_months(as_of, -pol.plan_broken_window_months))) or 0
    running = session.scalar(select(func.count()).select_from(PaymentPlan).where(
        PaymentPlan.party_id == party_id, PaymentPlan.status == "active")) or 0
    return Situation(party_id, as_of, rows, primo,
                     {p: relief._affiliated_quarters(session, party_id, Quarter.parse(p)) for p in periods},
                     f.stage if f else None, broken, bool(running), r)


def lines(a: Advice) -> list[str]:
    """The advice as text for the command line."""
    out = [f"debtor {a.party_id} on {a.as_of}: {fmt(a.owed_cents)} EUR due (contributions and fees "
           f"{fmt(a.principal_cents)}, surcharges {fmt(a.surcharge_cents)})",
           "in this order: " + (" → ".join(a.recommended) or "nothing applies")]
    for o in a.options:
        mark = "+" if o.applies else "-"
        periods = f" [{', '.join(o.periods)}]" if o.periods else ""
        out.append(f"{mark} {o.kind}{periods}: {o.why}")
        if o.applies:
            out.append(f"    saves up to {fmt(o.saves_cents)} EUR, costs {fmt(o.costs_cents)} EUR")
        out += [f"    · {c}" for c in o.changes]
    return out


__all__ = ["Advice", "Option", "PeriodDebt", "Rules", "Situation", "advise", "lines", "running_surcharges",
           "situation_of"]
