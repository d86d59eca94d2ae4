"""Automatic and proactive rights (issue 8; Charter of the social insured arts. 3 and 8, addendum §15): the life
events the fund learns — a birth registered, a bankruptcy published, an incapacity reported by the mutuality, a
cessation, reaching pension age — each recorded once as a dated ``benefit_event`` and answered:

* **a claim**, pre-filled from the event and the file (the Charter lets a benefit be granted ex officio, and the
  4-month decision deadline then runs from the day the fund learned the fact, art. 10). When every condition is
  met and nothing needs the person's choice (the event carries every fact of the claim), the right is granted at
  once through the ordinary ``decide`` path and the person is told; otherwise the claim stays an application and
  the person is invited, in their language, to complete it (the case waits for them; the conditions not met yet
  are named, e.g. a quarter still unpaid);
* **a request prepared for the person** where another institution decides: an incapacity (assimilation for
  illness), a cessation (continued insurance; the message also names the bridging right) — a tracked
  ``InsuranceRequest`` (``benefits.insurance_requests``) in a case waiting for the person, linked from the event
  (``case_id``, ``detail.request_id``);
* **an information task** (case ``life_event`` in the work queue, a message to the person in their language) where
  the fund pays nothing itself: pension age (activity after pension age).

``key`` = kind/person/date: recording the same event again (a second notice from the mutuality, a rerun of the
batch) changes nothing and says so. ``caisse run life-events --as-of D`` finds the pension-age and cessation events
in the files themselves (set-based reads; each event is then written in its own small transaction, so a run
stopped half-way resumes where it stopped).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.benefits import service
from caisse.benefits.models import EVENT_KINDS, BenefitClaim, BenefitEvent
from caisse.benefits.texts import DOC, EVENT, KIND, MESSAGE
from caisse.errors import CaisseError, InvalidInput, NotFound
from caisse.rules.explain import fmt_date, fmt_money
from caisse.rules.params import load
from caisse.services import audit
from caisse.services.calendar import Quarter, add_months
from caisse.store.models import Person

FACTS = {  # what an event may carry besides its date
    "birth": {"parent", "multiple_birth", "start", "end", "days", "half_days", "full_weeks", "half_weeks"},
    "bankruptcy": {"start", "months", "family_charge", "pension_quarters", "months_before"},
    "incapacity": set(),
    "cessation": {"reason"},
    "pension_age": {"age"},
}
PARENTS = ("mother", "co_parent")
#: the request an event prepares for the person (``benefits.insurance_requests``)
REQUEST_OF_EVENT = {"incapacity": "illness_assimilation", "cessation": "continued_insurance"}


def _check_facts(kind: str, facts: dict) -> dict:
    if kind not in EVENT_KINDS:
        raise InvalidInput("kind", f"one of {', '.join(EVENT_KINDS)}")
    f = {k: v for k, v in facts.items() if v is not None}
    extra = sorted(set(f) - FACTS[kind])
    if extra:
        known = ", ".join(sorted(FACTS[kind])) or "none"
        raise InvalidInput(extra[0], f"not a fact of a {kind} event (facts: {known})")
    if "reason" in f and (not isinstance(f["reason"], str) or not 0 < len(f["reason"].strip()) <= 200):
        raise InvalidInput("reason", "a short text (at most 200 characters)")
    if "parent" in f and f["parent"] not in PARENTS:
        raise InvalidInput("parent", "mother or co_parent")
    for k in ("start", "end"):
        if k in f:
            f[k] = f[k].isoformat() if isinstance(f[k], dt.date) else dt.date.fromisoformat(str(f[k])).isoformat()
    return f


def _facts_text(facts: dict, lang: str) -> str:
    keys = DOC.get(lang, DOC["fr"])["fact_keys"]
    sep = " : " if lang == "fr" else ": "
    parts = []
    for k, v in facts.items():
        if k in ("case", "event_date", "birth_date"):
            continue
        if isinstance(v, bool):
            v = DOC.get(lang, DOC["fr"])["yes" if v else "no"]
        elif k in ("start", "end"):
            v = fmt_date(dt.date.fromisoformat(v), lang)
        parts.append(f"{keys.get(k, k.replace('_', ' ')) if lang != 'en' else k.replace('_', ' ')}{sep}{v}")
    return ", ".join(parts)


def record_event(session: Session, who, person_id: int, kind: str, event_date: dt.date, known_on: dt.date,
                 facts: dict | None = None, source: str = "cli") -> tuple[BenefitEvent, bool]:
    """Record an event and open what it calls for; ``(event, created)`` — ``created`` False when it was known."""
    facts = _check_facts(kind, facts or {})
    if not source or len(source) > 40:
        raise InvalidInput("source", "who told the fund, at most 40 characters")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("person", person_id)
    if known_on < event_date and kind != "pension_age":
        raise InvalidInput("known_on", f"the fund cannot learn of an event of {event_date} on {known_on}")
    key = f"{kind}/{person_id}/{event_date.isoformat()}"
    existing = session.scalar(select(BenefitEvent).where(BenefitEvent.key == key))
    if existing is not None:
        return existing, False
    lang = service._language(session, person_id)
    handler = {"birth": _birth, "bankruptcy": _bankruptcy}.get(kind, _inform)
    outcome, claim, case_id, detail = handler(session, who, person, kind, event_date, known_on, facts, lang)
    event = BenefitEvent(key=key, person_id=person_id, kind=kind, event_date=event_date, known_on=known_on,
                         facts=facts, source=source, outcome=outcome, claim_id=claim.id if claim else None,
                         case_id=case_id, detail=detail, recorded_by=str(who))
    session.add(event)
    session.flush()
    audit.record(session, who, "create", "benefit_event", event.id, party_id=person_id,
                         detail={"kind": kind, "date": event_date.isoformat(), "outcome": outcome,
                                 "claim": event.claim_id})
    return event, True


# --- a claim from an event ---------------------------------------------------------------------------------------

def _claim_from_event(session, who, person, kind: str, claim_kind: str, event_date, known_on, claim_facts: dict,
                      complete: bool, choice: str, lang: str):
    """File the pre-filled claim; grant it now when ``complete`` (nothing left to the person's choice) and every
    condition is met, else invite the person to complete it (naming what is not met yet)."""
    from caisse.cases.service import write

    claim = service.file_claim(session, who, person.id, claim_kind, claim_facts, known_on)
    detail: dict = {"prefilled": claim.facts}
    why: list[str] = []
    try:  # the conditions as they stand today, even when the person still has a choice to make
        trial = service.evaluate(session, claim, known_on)
    except CaisseError as exc:  # a figure not published, a case a caseworker decides: the claim waits
        trial, detail["not_decided"] = None, str(exc)
    if trial is not None:
        if complete and trial["outcome"] == "granted":
            service.decide(session, who, claim.id, known_on)
            _tell(session, who, claim, MESSAGE["granted_ex_officio"][lang].format(
                event=EVENT[kind][lang], date=fmt_date(event_date, lang), kind=KIND[claim_kind][lang],
                claim=claim.id, amount=fmt_money(claim.amount_cents, lang)), known_on)
            return "granted", claim, claim.case_id, detail
        why = trial["reasons"][lang]
        if why:
            detail["conditions_not_met"] = trial["reasons"]["en"]
    text = MESSAGE["invite"][lang].format(event=EVENT[kind][lang], date=fmt_date(event_date, lang),
                                          kind=KIND[claim_kind][lang], claim=claim.id,
                                          prefilled=_facts_text(claim.facts, lang), choice=choice)
    if why:
        text += MESSAGE["open_conditions"][lang].format(reasons=" ".join(why))
    write(session, who, claim.case_id, text, known_on, ask_person=True)
    service._step(session, claim, "invited", known_on, who, {"event": kind, **detail})
    return "claim", claim, claim.case_id, detail


def _tell(session, who, claim: BenefitClaim, text: str, on: dt.date) -> None:
    """A message to the person in the claim's case (closed by the decision: the message is added all the same)."""
    from caisse.cases.models import Case, CaseMessage
    from caisse.cases.service import _notify

    message = CaseMessage(case_id=claim.case_id, direction="out", author=str(who), body=text)
    session.add(message)
    session.flush()
    _notify(session, session.get(Case, claim.case_id), message)


def _parent(person: Person, facts: dict) -> str:
    if "parent" in facts:
        return facts["parent"]
    if person.sex in ("F", "f"):
        return "mother"
    if person.sex in ("M", "m"):
        return "co_parent"
    raise InvalidInput("parent", "mother or co_parent: the file does not say (no sex recorded)")


def _birth(session, who, person, kind, birth: dt.date, known_on, facts, lang):
    params = load()
    multiple = bool(facts.get("multiple_birth", False))
    if _parent(person, facts) == "mother":
        weeks = params.get("maternity_rest_weeks_multiple_birth" if multiple else "maternity_rest_weeks", birth).value
        plan = {k: facts[k] for k in ("full_weeks", "half_weeks", "start") if k in facts}
        claim_facts = {"birth_date": birth, "multiple_birth": multiple,
                       "start": facts.get("start") or (birth - dt.timedelta(days=7)).isoformat(),
                       "full_weeks": plan.get("full_weeks", weeks if "half_weeks" not in plan else 0),
                       "half_weeks": plan.get("half_weeks", 0)}
        vouchers = params.get("maternity_service_vouchers", birth).value
        choice = MESSAGE["choice_maternity"][lang].format(vouchers=vouchers, quarter=Quarter.of(birth).next())
        return _claim_from_event(session, who, person, kind, "maternity", birth, known_on, claim_facts,
                                 complete="full_weeks" in plan or "half_weeks" in plan, choice=choice, lang=lang)
    days = params.get("birth_leave_days", birth).value
    window = add_months(birth, params.get("birth_leave_window_months", birth).value)
    declared = "start" in facts and "end" in facts and ("days" in facts or "half_days" in facts)
    claim_facts = ({"birth_date": birth, "start": facts["start"], "end": facts["end"], "days": facts.get("days", 0),
                    "half_days": facts.get("half_days", 0)} if declared else
                   {"birth_date": birth, "start": birth, "end": window - dt.timedelta(days=1), "days": days})
    q = Quarter.of(birth).next()
    limit = q.last_day if birth.month % 3 else add_months(q.last_day.replace(day=1), 2) - dt.timedelta(days=1)
    choice = MESSAGE["choice_birth_leave"][lang].format(days=days, half_days=2 * days, limit=fmt_date(limit, lang))
    return _claim_from_event(session, who, person, kind, "birth_leave", birth, known_on, claim_facts,
                             complete=declared, choice=choice, lang=lang)


def _bankruptcy(session, who, person, kind, day: dt.date, known_on, facts, lang):
    first = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    declared = "family_charge" in facts and "months" in facts
    claim_facts = {"case": "bankruptcy", "event_date": day, "start": facts.get("start") or first,
                   "months": facts.get("months", 1), "family_charge": facts.get("family_charge", False),
                   **{k: facts[k] for k in ("pension_quarters", "months_before") if k in facts}}
    return _claim_from_event(session, who, person, kind, "bridging_right", day, known_on, claim_facts,
                             complete=declared, choice=MESSAGE["choice_bridging_right"][lang], lang=lang)


# --- an information task ----------------------------------------------------------------------------------------

def _inform(session, who, person, kind, day: dt.date, known_on, facts, lang):
    from caisse.cases.service import open_case, write

    if kind == "pension_age":
        from caisse.services.life_events import pension_date

        age, on = pension_date(person.birth_date)
        text = MESSAGE["info_pension_age"][lang].format(age=facts.get("age", age), date=fmt_date(on, lang))
    else:
        text = MESSAGE[f"info_{kind}"][lang].format(date=fmt_date(day, lang))
    if kind in REQUEST_OF_EVENT:  # the request the event calls for, prepared and tracked (not a bare task)
        from caisse.benefits.insurance_requests import propose

        r = propose(session, who, person.id, REQUEST_OF_EVENT[kind], day, known_on, text)
        return "informed", None, r.case_id, {"message_language": lang, "request_id": r.id}
    case = open_case(session, who, person.id, "life_event", f"Life event: {kind} of {day.isoformat()}",
                     f"{kind} of {day.isoformat()} learnt on {known_on.isoformat()}; information sent to the person "
                     f"({lang}); follow up (facts: {facts or 'none'})", known_on, channel="system")
    write(session, who, case.id, text, known_on)
    return "informed", None, case.id, {"message_language": lang}


# --- the batch ------------------------------------------------------------------------------------------------------

def find_events(session: Session, since: dt.date, as_of: dt.date) -> list[tuple[int, str, dt.date]]:
    """(person, kind, date) of the pension-age and cessation events in ``[since, as_of]`` found in the files: one
    query per kind (affiliations ceased in the window; persons affiliated whose birth date puts their legal pension
    date in the window — the age band is read at once, the exact date computed in memory)."""
    from caisse.services.life_events import pension_date
    from caisse.store.models import Affiliation

    out: list[tuple[int, str, dt.date]] = []
    for person_id, end in session.execute(
            select(Affiliation.person_id, Affiliation.end_date).where(
                Affiliation.status == "ceased", Affiliation.end_date >= since, Affiliation.end_date <= as_of)):
        out.append((int(person_id), "cessation", end))
    oldest = dt.date(since.year - 68, 1, 1)
    youngest = dt.date(as_of.year - 64, 12, 31)
    rows = session.execute(
        select(Person.id, Person.birth_date).join(Affiliation, Affiliation.person_id == Person.id).where(
            Person.birth_date >= oldest, Person.birth_date <= youngest, Affiliation.status == "affiliated",
            (Affiliation.end_date.is_(None)) | (Affiliation.end_date >= since)).distinct())
    for person_id, born in rows:
        _age, on = pension_date(born)
        if since <= on <= as_of:
            out.append((int(person_id), "pension_age", on))
    return sorted(out, key=lambda r: (r[2], r[0], r[1]))


def run_life_events(url: str, as_of: dt.date, since: dt.date | None = None, *, actor: str | None = None):
    """``caisse run life-events --as-of D``: the events of the files in ``[since, as_of]`` (default: the three
    months up to ``as_of``), each recorded once (key kind/person/date) and answered as ``record_event`` does."""
    from caisse.batches.framework import run_batch
    from caisse.security.authz import Principal
    from caisse.store.db import session_scope

    since = since or add_months(as_of, -3) + dt.timedelta(days=1)
    if since > as_of:
        raise InvalidInput("since", f"after the as-of date {as_of}")
    who = Principal.system(actor or "batch:life-events")

    def body(params: dict, summary) -> None:
        start, end = dt.date.fromisoformat(params["since"]), dt.date.fromisoformat(params["as_of"])
        with session_scope(url) as s:
            found = find_events(s, start, end)
        counts: dict[str, int] = {}
        for person_id, kind, day in found:
            with session_scope(url) as s:
                event, created = record_event(s, who, person_id, kind, day, end, source="life-events batch")
                label = f"{kind} {event.outcome}" if created else f"{kind} already recorded"
                counts[label] = counts.get(label, 0) + 1
                summary.posted += created
                summary.already += not created
        summary.debtors = len({p for p, _, _ in found})
        summary.details.update({k: v for k, v in sorted(counts.items())})
        summary.details["window"] = f"{start} to {end}"

    return run_batch(url, f"life-events/{since.isoformat()}/{as_of.isoformat()}", "life-events",
                     {"since": since.isoformat(), "as_of": as_of.isoformat()}, body, actor=str(who))
