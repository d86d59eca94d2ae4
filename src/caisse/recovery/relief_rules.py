"""The admissibility of a dispensation or a surcharge-waiver request, as pure functions (no database, no clock).

Both are decided by INASTI, not by the fund (legislation.md §4.4 and §5); the fund checks that a request can be
made and files it. Each refusal is an ``InvalidInput`` naming the field, raised before anything is written.

Dispensation (dispense de cotisations / vrijstelling van bijdragen), legislation §5 [S26][S27][S28][S114]:
main activity and helping spouses (maxi status) affiliated for at least 4 quarters, primostarters, pensioners
(``post_pension``); art. 37 and students only when their provisional contributions reach the main-activity
minimum; **never a complementary activity**; asked within 12 months of the quarter's end; never for a future
quarter; the request is signed by the self-employed personally (not the accountant); the quarters must have been
called and be unpaid. Dispensed quarters give no pension rights unless the dispensed contributions are paid within
5 years (§5, §9 [S26][S115]).

Surcharge waiver (renonciation aux majorations / kwijtschelding van verhogingen), legislation §4.4
[S20][S22][S23][S110]: only once all the contributions of the quarter are paid (the surcharges need not be);
grounds: force majeure, good-faith belief of not being subject, a situation deserving consideration; total or
partial; no appeal against INASTI's decision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from caisse.errors import InvalidInput
from caisse.money import fmt
from caisse.services.calendar import Quarter, add_months
from caisse.texts import T_, Text

#: categories a dispensation may be asked for, and those that may only when the provisional contributions reach
#: the main-activity minimum (legislation §5 [S26][S114]); ``complementary`` never
ALLOWED = frozenset({"main", "helping_spouse", "post_pension"})
IF_AT_MAIN_MINIMUM = frozenset({"art37", "student"})
#: categories for which the "affiliated at least N quarters" condition holds (primostarters are exempt)
MIN_QUARTERS_FOR = frozenset({"main", "helping_spouse"})
LAW_DISPENSATION = "dispense de cotisations, legislation §5 [S26][S27][S28][S114]"
LAW_WAIVER = "renonciation aux majorations, legislation §4.4 [S20][S22][S23][S110]"
#: the categories by the names the pages give them (caisse.web.labels.CATEGORY)
CATEGORY = {"main": T_("main activity"), "complementary": T_("complementary activity"),
            "student": T_("student self-employed"), "helping_spouse": T_("helping spouse"),
            "post_pension": T_("active after pension age"), "art37": T_("assimilated to complementary (art. 37)")}


def parse_quarters(text: str | list, field_name: str = "quarters") -> list[Quarter]:
    """``2026Q1,2026Q2`` (or a list) → distinct quarters in order; refused when empty or repeated."""
    parts = [p.strip() for p in (text.split(",") if isinstance(text, str) else text) if str(p).strip()]
    if not parts:
        raise InvalidInput(field_name, "name at least one quarter, like 2026Q1")
    out: list[Quarter] = []
    for n, part in enumerate(parts):
        q = Quarter.parse(part, f"{field_name}[{n}]")
        if q in out:
            raise InvalidInput(f"{field_name}[{n}]", "{quarter} is named twice", quarter=q)
        out.append(q)
    return sorted(out, key=lambda q: (q.year, q.number))


def request_deadline(q: Quarter, window_months: int) -> dt.date:
    """The last day a dispensation of ``q`` may be asked: ``window_months`` after the quarter's end."""
    return add_months(q.last_day, window_months)


def buyback_deadline(q: Quarter, years: int) -> dt.date:
    """The last day the dispensed contributions of ``q`` may be paid to keep the pension rights of the quarter.

    The notes give 5 years but not their start (legislation §5, §9): counted from the end of the quarter, the
    earliest reading, so that the person is never told a later date than the real one."""
    return add_months(q.last_day, 12 * years)


@dataclass(frozen=True)
class QuarterFacts:
    """What the file and the ledger say about one quarter of the debtor, on the day of the request."""

    quarter: Quarter
    category: str | None  # the contributor category during the quarter (None: not affiliated)
    primostarter: bool = False
    charged_contribution: int = 0  # cents called for the quarter (contribution account, charges only)
    open_contribution: int = 0  # still unpaid
    open_management_fee: int = 0
    surcharges: int = 0  # surcharges charged on the quarter, net of earlier waivers (what a waiver may give up)
    main_minimum: int | None = None  # the main-activity minimum quarterly contribution of that year (art37/student)
    pending: bool = False  # another request of the same kind is pending for this quarter


@dataclass(frozen=True)
class DispensationAsk:
    today: dt.date
    quarters: list[QuarterFacts]
    affiliated_quarters: int  # quarters affiliated before the first quarter asked
    signed_personally: bool
    asked_by_accountant: bool
    informed_on: dt.date | None
    window_months: int
    min_quarters: int
    grounds: str


@dataclass
class Admissible:
    periods: list[str]
    lines: list[dict] = field(default_factory=list)
    amount_cents: int = 0
    notes: list[str] = field(default_factory=list)


def _grounds(text: str) -> str:
    text = (text or "").strip()
    if len(text) < 10:
        raise InvalidInput("grounds", "say in a sentence why (the reasons go to INASTI with the request)")
    if len(text) > 2000 or "\x00" in text:
        raise InvalidInput("grounds", "at most 2000 characters of plain text")
    return text


def dispensation_problem(f: QuarterFacts, today: dt.date, window_months: int, min_quarters: int,
                         affiliated_quarters: int | None) -> tuple[str, Text] | None:
    """Why ``f.quarter`` cannot be dispensed (field kind — ``quarter``, ``category`` or ``party_id`` — and the
    reason), or None. ``affiliated_quarters``: quarters affiliated before it (None: not checked)."""
    q = f.quarter
    today_q = Quarter.of(today)
    if (q.year, q.number) > (today_q.year, today_q.number):
        return "quarter", T_("{quarter} has not begun: no dispensation for a future quarter ({law})", quarter=q,
                             law=LAW_DISPENSATION)
    last = request_deadline(q, window_months)
    if today > last:
        return "quarter", T_("a dispensation of {quarter} had to be asked by {day} ({months} months after the "
                             "quarter, {law})", quarter=q, day=last, months=window_months, law=LAW_DISPENSATION)
    if f.category is None:
        return "category", T_("not affiliated as self-employed during {quarter}", quarter=q)
    if f.category == "complementary":
        return "category", T_("{quarter}: a complementary activity can never be dispensed ({law})", quarter=q,
                              law=LAW_DISPENSATION)
    if f.category in IF_AT_MAIN_MINIMUM:
        if f.main_minimum is None:
            return "category", T_("{quarter}: the main-activity minimum of {year} is not known, so the condition "
                                  "for the category {category} cannot be checked", quarter=q, year=q.year,
                                  category=CATEGORY[f.category])
        if f.charged_contribution < f.main_minimum:
            return "category", T_("{quarter}: in the category {category}, a dispensation is possible only when "
                                  "the provisional contributions reach the main-activity minimum ({charged} < "
                                  "{minimum} EUR; {law})", quarter=q, category=CATEGORY[f.category],
                                  charged=fmt(f.charged_contribution), minimum=fmt(f.main_minimum),
                                  law=LAW_DISPENSATION)
    elif f.category not in ALLOWED:
        return "category", T_("{quarter}: no dispensation for the category {category}", quarter=q,
                              category=CATEGORY.get(f.category, f.category))
    if f.category in MIN_QUARTERS_FOR and not f.primostarter and affiliated_quarters is not None \
            and affiliated_quarters < min_quarters:
        return "party_id", T_("affiliated {count} quarter(s) before {quarter}: a dispensation needs at least "
                              "{least} (primostarters excepted; {law})", count=affiliated_quarters, quarter=q,
                              least=min_quarters, law=LAW_DISPENSATION)
    if f.charged_contribution <= 0:
        return "quarter", T_("no contribution was called for {quarter}", quarter=q)
    if f.open_contribution <= 0:
        return "quarter", T_("the contribution of {quarter} is paid: a dispensation concerns unpaid contributions",
                             quarter=q)
    return None


def check_dispensation(ask: DispensationAsk) -> Admissible:
    """Refuse a dispensation request that cannot be made (naming the field), else the lines to send to INASTI."""
    _grounds(ask.grounds)
    out = Admissible(periods=[str(f.quarter) for f in ask.quarters])
    for n, f in enumerate(ask.quarters):
        where = f"quarters[{n}]"
        q = f.quarter
        problem = dispensation_problem(f, ask.today, ask.window_months, ask.min_quarters,
                                       ask.affiliated_quarters if n == 0 else None)
        if problem:
            raise InvalidInput(where if problem[0] == "quarter" else problem[0], problem[1])
        if f.pending:
            raise InvalidInput(where, "a dispensation of {quarter} is already asked and not decided yet", quarter=q)
        out.lines.append({"period": str(q), "contribution": f.open_contribution,
                          "management_fee": max(f.open_management_fee, 0), "surcharge": f.surcharges})
        out.amount_cents += f.open_contribution + max(f.open_management_fee, 0)
    if ask.asked_by_accountant:
        raise InvalidInput("signed_personally", "a dispensation request is signed by the self-employed personally, "
                                                "not by the accountant ({law})", law=LAW_DISPENSATION)
    if not ask.signed_personally:
        raise InvalidInput("signed_personally", "the request must be signed by the self-employed personally "
                                                "({law})", law=LAW_DISPENSATION)
    if ask.informed_on is None:
        raise InvalidInput("informed_on", "the person must first be told that dispensed quarters give no pension "
                                          "rights unless paid within 5 years (caisse relief pension-notice), and "
                                          "decide after that")
    if ask.informed_on > ask.today:
        raise InvalidInput("informed_on", "{day} is after the request ({today})", day=ask.informed_on,
                           today=ask.today)
    return out


def waiver_problem(f: QuarterFacts) -> Text | None:
    """Why the surcharges of ``f.quarter`` cannot be asked to be waived today, or None (legislation §4.4: only once
    all the contributions of the quarter are paid; something to waive; not already asked)."""
    q = f.quarter
    if f.surcharges <= 0:
        return T_("no surcharge was charged on {quarter}", quarter=q)
    principal = max(f.open_contribution, 0) + max(f.open_management_fee, 0)
    if principal > 0:
        return T_("the contributions of {quarter} are not fully paid ({open} EUR still open): a waiver of the "
                  "surcharges is asked only once they are ({law})", quarter=q, open=fmt(principal), law=LAW_WAIVER)
    if f.pending:
        return T_("a waiver of the surcharges of {quarter} is already asked and not decided yet", quarter=q)
    return None


def check_waiver(today: dt.date, quarters: list[QuarterFacts], grounds: str, ground_kind: str) -> Admissible:
    """Refuse a waiver request that cannot be made (naming the field), else the lines to send to INASTI."""
    from caisse.recovery.models import WAIVER_GROUNDS

    if ground_kind not in WAIVER_GROUNDS:
        raise InvalidInput("ground_kind", "one of {grounds} (force majeure, good-faith belief of not being "
                                          "subject, a situation deserving consideration; {law})",
                           grounds=", ".join(WAIVER_GROUNDS), law=LAW_WAIVER)
    _grounds(grounds)
    out = Admissible(periods=[str(f.quarter) for f in quarters])
    for n, f in enumerate(quarters):
        problem = waiver_problem(f)
        if problem is not None:
            raise InvalidInput(f"quarters[{n}]", problem)
        out.lines.append({"period": str(f.quarter), "contribution": 0, "management_fee": 0, "surcharge": f.surcharges})
        out.amount_cents += f.surcharges
    return out


__all__ = ["ALLOWED", "IF_AT_MAIN_MINIMUM", "Admissible", "DispensationAsk", "QuarterFacts", "buyback_deadline",
           "check_dispensation", "check_waiver", "dispensation_problem", "parse_quarters", "request_deadline",
           "waiver_problem"]
