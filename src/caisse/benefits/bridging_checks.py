"""The bridging right's case-specific conditions, the pension quarters counted from the fund's own records, and the
checks a caseworker makes where the fund's data cannot answer (issue 8; legislation §8.1, addendum §1.2).

**Cessation for economic difficulties** — the official INASTI FAQ [S247fr] (its Dutch version [S247], the older
[S267]; the reform [S40] names the same three situations): "Seules les situations suivantes sont considérées comme
des difficultés économiques":

1. "Vous recevez un revenu d'intégration du CPAS au moment de votre cessation" — the fund holds no CPAS data: the
   person declares it (``living_wage``) and a caseworker verifies the CPAS decision;
2. "L'INASTI vous a donné dans les douze derniers mois une dispense du paiement des cotisations sociales" — read
   from the fund's own records: a dispensation INASTI granted (``dispensed_quarter.granted_on``) within the 12
   months up to the cessation (the event date; the FAQ does not say from which day the 12 months run — the fund
   counts them back from the cessation, as Xerius words it: "au cours des douze mois précédant la cessation");
3. "Les revenus de votre activité dans l'année de cessation et l'année précédente ne dépassent pas le seuil minimum
   pour un travailleur indépendant à titre principal (ou un conjoint aidant maxi-statut)" — read from the incomes the
   tax administration communicated (``professional_income``, source ``tax``, the latest assessment known on the
   decision day), each year against **its own year's** threshold (``bridging_right_low_income_main`` /
   ``…_helping_spouse``: 2022–2024 published by INASTI; the category is the one on the event date). An income not
   assessed yet, or a threshold not published for the year: a caseworker verifies (accounting documents).

One situation met is enough. All three established as not met: a motivated refusal. Otherwise the claim is not
decided: a caseworker task lists what to verify (``CaseworkerCheck``).

**Collective debt settlement** — the only official text in the notes is the older RSVZ page [S41]: the self-employed
"die hun schulden niet kunnen betalen door kennelijk onvermogen en voor wie een collectieve schuldenregeling geldt".
Its admissibility decision, the timing windows and whether the case still exists for events from 1-1-2023 (the
reformed rules [S40] and the INASTI FAQ [S247fr] list only the forced interruptions and the economic difficulties)
are NOT FOUND: such a claim is never decided on the fund's data alone — a caseworker verifies and records it.

**Pension quarters** (legislation §8.1 [S41]: 24 months / 8 quarters "if ≥ 60 quarters of pension-creating
contributions as self-employed"): counted from the fund's own records (``counted_pension_quarters``); the person's
declaration (``pension_quarters``: quarters elsewhere) is their statement, used only once a caseworker verified it.

A caseworker's verification is a dated step ``verified`` of the claim (``record_check``: the condition and whether it
is met — no free text in the append-only steps: the desk's note is an internal note of the claim's task and the proof
a claim document, the step names their ids); the decision cites it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.benefits.models import BenefitClaim, ClaimStep
from caisse.benefits.texts import BRIDGING_CASE_LAW, CHECK, LANGS, VERIFY
from caisse.errors import Conflict, InvalidInput, NotFound, UnknownParameter
from caisse.rules.explain import Explanation, fmt_date, fmt_money
from caisse.rules.params import Parameters
from caisse.services.calendar import Quarter, add_months
from caisse.store.models import Affiliation, CategoryPeriod, ProfessionalIncome

#: the conditions a caseworker verifies and records on a bridging-right claim
VERIFIABLE = ("living_wage", "low_income", "debt_settlement", "pension_quarters")
PENSION_CATEGORIES = ("main", "helping_spouse")
#: the person's declaration of the living wage, as the caseworker's task quotes it in each language
DECLARED_YES = {"fr": "oui", "nl": "ja", "de": "ja", "en": "yes"}
NOT_DECLARED = {"fr": "non déclaré", "nl": "niet aangegeven", "de": "nicht angegeben", "en": "not declared"}


class CaseworkerCheck(Conflict):
    """The claim cannot be decided on the fund's data: ``items`` ({"condition", "fr"/"nl"/"de"/"en"}) say what a
    caseworker must verify (``service.decide`` opens the task and leaves the claim an application)."""

    def __init__(self, items: list[dict]):
        self.items = items
        super().__init__("caseworker_check", "a caseworker must verify before a decision: {what}",
                         what=" ".join(i["en"] for i in items))


def verification(session: Session, claim: BenefitClaim, condition: str, today: dt.date) -> dict | None:
    """The last verification of ``condition`` a caseworker recorded on the claim up to ``today``:
    ``{"met": bool, "on": date}`` or None."""
    found = None
    for step in session.scalars(select(ClaimStep).where(ClaimStep.claim_id == claim.id, ClaimStep.step == "verified",
                                                        ClaimStep.happened_on <= today).order_by(ClaimStep.id)):
        if (step.detail or {}).get("condition") == condition:
            found = {"met": bool(step.detail["met"]), "on": step.happened_on}
    return found


def record_check(session: Session, who, claim_id: int, condition: str, met: bool, on: dt.date,
                 proof: dict | None = None) -> BenefitClaim:
    """A caseworker records what they verified (the CPAS decision, the labour court's admissibility decision, the
    incomes from accounting documents, the person's career statement): a step ``verified``; the next ``decide``
    reads it. Only on a bridging-right claim not decided yet. ``proof``: ids only — ``attachment`` (the proof
    scanned, a claim document), ``note`` (the caseworker's note, a case message)."""
    from caisse.benefits.service import _step

    claim = session.get(BenefitClaim, claim_id, with_for_update=True)
    if claim is None:
        raise NotFound("claim", claim_id)
    if condition not in VERIFIABLE:
        raise InvalidInput("condition", "one of {conditions}", conditions=", ".join(VERIFIABLE))
    if not isinstance(met, bool):
        raise InvalidInput("met", "yes or no")
    if claim.kind != "bridging_right":
        raise Conflict("claim", "claim {claim} is not a bridging-right claim", claim=claim_id)
    if claim.status != "application":
        raise Conflict("claim", "claim {claim} was already decided on {day}", claim=claim_id, day=claim.decided_on)
    if condition in ("living_wage", "low_income") and claim.bridging_case != "economic_difficulties":
        raise InvalidInput("condition", "{condition} is a condition of a cessation for economic difficulties",
                           condition=condition)
    if condition == "debt_settlement" and claim.bridging_case != "collective_debt_settlement":
        raise InvalidInput("condition", "debt_settlement is a condition of a collective debt settlement claim")
    if on < claim.received_on:
        raise InvalidInput("on", "before the claim was received ({received})", received=claim.received_on)
    _step(session, claim, "verified", on, who, {"condition": condition, "met": met, **{
        k: v for k, v in (proof or {}).items() if k in ("attachment", "note") and isinstance(v, int)}})
    session.flush()
    return claim


def _item(condition: str, **args) -> dict:
    return {"condition": condition, **{lang: VERIFY[condition][lang].format(**{
        k: (fmt_date(v, lang) if isinstance(v, dt.date) else v[lang] if isinstance(v, dict) else v)
        for k, v in args.items()}) for lang in LANGS}}


# --- pension quarters -----------------------------------------------------------------------------------------------

def _periods(session: Session, person_id: int) -> list[tuple[dt.date, dt.date | None, str]]:
    """The person's category periods, each bounded by its affiliation: (from, to or None, category)."""
    rows = session.execute(
        select(CategoryPeriod.category, CategoryPeriod.valid_from, CategoryPeriod.valid_to, Affiliation.start_date,
               Affiliation.end_date)
        .join(Affiliation, Affiliation.id == CategoryPeriod.affiliation_id)
        .where(Affiliation.person_id == person_id, Affiliation.status.in_(("affiliated", "ceased")))).all()
    out = []
    for cat, vf, vt, start, end in rows:
        ends = [x for x in (vt, end) if x is not None]
        out.append((max(vf, start), min(ends) if ends else None, cat))
    return out


def _category_of(periods, q: Quarter) -> str | None:
    """The category of quarter ``q`` as the career file reads it: the period started most recently on or before the
    quarter's last day and not ended before its first day."""
    covering = [(begin, cat) for begin, end, cat in periods
                if begin <= q.last_day and (end is None or end >= q.first_day)]
    return max(covering)[1] if covering else None


def counted_pension_quarters(session: Session, person_id: int, last: Quarter, as_of: dt.date) -> list[str]:
    """The quarters up to ``last`` (the event's quarter) the fund's own records show as pension-creating
    contributions as self-employed: affiliated as main or maxi helping spouse in the quarter, its contribution
    charged and fully paid in the ledger on ``as_of`` (``service.paid_quarters``, the same reading as the "4 of the
    16" quarters)."""
    from caisse.benefits.service import paid_quarters

    periods = _periods(session, person_id)
    if not periods:
        return []
    q, qs = Quarter.of(min(begin for begin, _e, _c in periods)), []
    while (q.year, q.number) <= (last.year, last.number):
        qs.append(q)
        q = q.next()
    paid = paid_quarters(session, person_id, qs, as_of)
    return [str(q) for q in qs if str(q) in paid and _category_of(periods, q) in PENSION_CATEGORIES]


def pension_career(session: Session, claim: BenefitClaim, params: Parameters, ex: Explanation, event: dt.date,
                   today: dt.date) -> tuple[dict, list[dict]]:
    """Which figure of pension quarters the career limit uses, and why: ``(stated, items to verify)``.

    The counted figure when it reaches the threshold; the person's declaration (quarters outside the fund's records)
    only once a caseworker verified it — before that, a declaration above the threshold when the count is below is
    an item to verify; otherwise the counted figure, the declaration shown as the person's statement."""
    need = ex.use(params.get("bridging_right_long_career_quarters", event)).value
    counted = len(counted_pension_quarters(session, claim.person_id, Quarter.of(event), today))
    declared = claim.facts.get("pension_quarters")
    checked = verification(session, claim, "pension_quarters", today) if declared is not None else None
    items: list[dict] = []
    if counted >= need:
        used, basis = counted, "counted"
    elif declared is not None and declared >= need and checked is not None and checked["met"]:
        used, basis = declared, "declared_verified"
    else:
        used, basis = counted, "counted"
        if declared is not None and declared >= need and checked is None:
            items.append(_item("pension_quarters", declared=declared, counted=counted, need=need))
    args = {"counted": counted, "declared": "—" if declared is None else declared, "need": need, "used": used,
            "verified": checked["on"] if checked else "—"}
    text = {"counted": "pension_counted", "declared_verified": "pension_declared_verified"}[basis]
    if basis == "counted" and declared is not None and checked is not None and not checked["met"]:
        text = "pension_declaration_not_verified"
    stated = {"counted": counted, "declared": declared, "used": used, "basis": basis, "need": need,
              "long": used >= need, "verified_on": checked["on"].isoformat() if checked else None,
              "verified_met": checked["met"] if checked else None,
              "rendered": {lang: CHECK[text][lang].format(**{k: fmt_date(v, lang) if isinstance(v, dt.date) else v
                                                              for k, v in args.items()},
                                                          law=BRIDGING_CASE_LAW["pension"][lang]) for lang in LANGS}}
    return stated, items


# --- cessation for economic difficulties ----------------------------------------------------------------------------

def _income(session: Session, person_id: int, year: int, today: dt.date) -> int | None:
    """The net taxable professional income of ``year`` the tax administration communicated, the latest assessment
    known on ``today`` (a revision is a new row)."""
    p = ProfessionalIncome
    return session.scalar(select(p.amount_cents).where(p.person_id == person_id, p.year == year, p.source == "tax",
                                                       p.assessed_on <= today)
                          .order_by(p.assessed_on.desc(), p.id.desc()).limit(1))


def economic_difficulties(session: Session, claim: BenefitClaim, params: Parameters, ex: Explanation,
                          event: dt.date, today: dt.date) -> tuple[dict | None, list[dict]]:
    """The three situations of a cessation for economic difficulties [S247fr]: ``(check, items to verify)``. The
    check (``{"ok", "text", "args"}``) is None while undetermined (then the items say what to verify)."""
    from caisse.benefits.service import category_on
    from caisse.recovery.models import DispensedQuarter

    law = BRIDGING_CASE_LAW["economic_difficulties"]
    months = ex.use(params.get("bridging_right_dispensation_months", event)).value
    since = add_months(event, -months)
    found: list[tuple[str, dict]] = []  # (text key, args) of each situation met
    not_met: dict[str, dict] = {}  # per situation: the finding, in every language
    items: list[dict] = []

    # 2. a dispensation INASTI granted in the 12 months up to the cessation (the fund's records)
    rows = session.execute(select(DispensedQuarter.granted_on, DispensedQuarter.period).where(
        DispensedQuarter.party_id == claim.person_id, DispensedQuarter.granted_on >= since,
        DispensedQuarter.granted_on <= event, DispensedQuarter.granted_on <= today)
        .order_by(DispensedQuarter.granted_on, DispensedQuarter.period)).all()
    if rows:
        found.append(("economic_dispensation", {"date": rows[-1][0], "quarters": ", ".join(p for _d, p in rows),
                                                "since": since, "event": event, "months": months}))
    else:
        not_met["dispensation"] = {lang: CHECK["economic_no_dispensation"][lang].format(
            since=fmt_date(since, lang), event=fmt_date(event, lang), months=months) for lang in LANGS}

    # 3. the incomes of the year of the cessation and the year before, each at most its year's minimum
    category = category_on(session, claim.person_id, event)
    kind = "helping_spouse" if category == "helping_spouse" else "main"
    checked = verification(session, claim, "low_income", today)
    years, unknown, above = [], [], []
    for year in (event.year - 1, event.year):
        income = _income(session, claim.person_id, year, today)
        try:
            threshold = ex.use(params.get(f"bridging_right_low_income_{kind}", dt.date(year, 1, 1))).value
        except UnknownParameter:
            threshold = None
        years.append((year, income, threshold))
        if income is None or threshold is None:
            unknown.append(year)
        elif income > threshold:
            above.append(year)
    def _years(lang):
        return "; ".join(f"{y}: " + (fmt_money(i, lang) if i is not None else "—") + " / "
                         + (fmt_money(t, lang) if t is not None else "—") for y, i, t in years)
    if checked is not None:
        if checked["met"]:
            found.append(("economic_low_income_verified", {"date": checked["on"], "prev": event.year - 1,
                                                           "year": event.year, "event": event}))
        else:
            not_met["low_income"] = {lang: CHECK["economic_low_income_not_verified"][lang].format(
                date=fmt_date(checked["on"], lang), prev=event.year - 1, year=event.year) for lang in LANGS}
    elif above:
        not_met["low_income"] = {lang: CHECK["economic_income_above"][lang].format(years=_years(lang))
                                 for lang in LANGS}
    elif unknown:
        items.append(_item("low_income", prev=event.year - 1, year=event.year,
                           missing=", ".join(str(y) for y in unknown)))
    else:
        found.append(("economic_low_income", {"years": {lang: _years(lang) for lang in LANGS}}))

    # 1. the living wage (revenu d'intégration) of the CPAS at the cessation: declared, then verified
    checked = verification(session, claim, "living_wage", today)
    declared = claim.facts.get("living_wage")
    if checked is not None and checked["met"]:
        found.append(("economic_living_wage", {"date": checked["on"], "event": event}))
    elif checked is not None or declared is False:
        not_met["living_wage"] = {lang: (CHECK["economic_living_wage_not_verified"][lang].format(
            date=fmt_date(checked["on"], lang)) if checked is not None else CHECK["economic_no_living_wage"][lang])
            for lang in LANGS}
    elif not found:
        items.append(_item("living_wage", event=event, declared=DECLARED_YES if declared else NOT_DECLARED))

    if found:
        key, args = found[0]
        return {"ok": True, "text": key, "args": {**args, "law": law}}, []
    if items:
        return None, items
    return {"ok": False, "text": "economic_not_met", "args": {"findings": {
        lang: (" ; " if lang == "fr" else "; ").join(not_met[k][lang] for k in ("living_wage", "dispensation",
                                                                                 "low_income")) for lang in LANGS},
        "law": law}}, []


# --- collective debt settlement ---------------------------------------------------------------------------------------

def debt_settlement(session: Session, claim: BenefitClaim, event: dt.date, today: dt.date
                    ) -> tuple[dict | None, list[dict]]:
    """The collective debt settlement [S41]: never on the fund's data alone — a caseworker verifies the labour court's
    admissibility decision and the cessation, and whether the case applies to the event's date."""
    law = BRIDGING_CASE_LAW["collective_debt_settlement"]
    checked = verification(session, claim, "debt_settlement", today)
    if checked is None:
        return None, [_item("debt_settlement", event=event)]
    text = "debt_settlement_verified" if checked["met"] else "debt_settlement_not_met"
    return {"ok": checked["met"], "text": text, "args": {"date": checked["on"], "event": event, "law": law}}, []
