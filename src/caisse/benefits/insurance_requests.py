"""Assimilation for illness and continued insurance: requests the fund checks, forwards and tracks (issue 8).

The fund decides neither (legislation §9): the continued insurance is "request via the fund, decided by RSVZ"
(INASTI); who decides an assimilation of a period of incapacity is NOT FOUND in the notes (S129 only says the
periods are assimilated). The flow follows the dispensation request (``recovery/relief.py``):

1. **proposed**: a life event (an incapacity reported by the mutuality, a cessation) prepares the request,
   pre-filled from the file, and invites the person (``propose``, called by ``benefits.events``);
2. **requested**: the person (portal) or a caseworker (``caisse benefits request``) files it — checked with what the
   notes give, each refusal naming its field, nothing written — in a case with the fund's forwarding deadline
   (``cases/deadlines.yaml``: 30 days, fund charter);
3. **forwarded**: ``export_continued_insurance`` writes the continued-insurance requests to a CSV for INASTI
   (docs/formats/inasti-continued-insurance.md); ``forward`` records a forwarding made otherwise (an assimilation:
   the caseworker names the institution), dated;
4. **decided**: ``record_decision`` records the institution's answer (granted for quarters / refused with reasons);
   the person is told in their language at each step and the case is closed with the decision.

At any step before the decision the request may be **withdrawn** (``withdraw``): by the person (or their
accountant) from My rights, or by staff on the person's word (saying how they asked). It is closed (``withdrawn``,
dated, by whom; the reason kept on the row, never in the audit log), the person gets the confirmation in their
language and the case is closed — except when the request had already been forwarded: the case then stays in the
work queue with a note to tell the institution, which staff close once done.

Continued insurance, as the notes give it (§9 [S60–S62], addendum §9 [S251]): after a cessation, no other social
status (declared by the person), contributions paid as main or maxi-statut helping spouse in the quarter of
cessation and the 3 before; at most 8 quarters from the quarter after the cessation; an extension (at most 5 more
years, up to the pension) only if it starts at the earliest 7 years before the legal pension age. The deadline to
ask and the contribution percentages are NOT FOUND.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.benefits.insurance_texts import COMPETENT, FROM, KIND, OPTION, t
from caisse.benefits.models import INSURANCE_REQUEST_KINDS, BenefitEvent, InsuranceQuarter, InsuranceRequest
from caisse.config import Settings, get_settings
from caisse.errors import Conflict, InvalidInput
from caisse.rules.explain import fmt_date
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access, file_record
from caisse.services.calendar import Quarter
from caisse.store.models import Affiliation, ExchangeMessage, Person

INASTI = "INASTI"
OPTIONS = ("pension", "pension_health")
PENDING = ("requested", "forwarded")
WITHDRAWABLE = ("proposed", "requested", "forwarded")  # not decided yet
MAX_REASON = 500
CI_QUARTERS = 8            # legislation §9 [S60–S62], addendum §9 [S251]
CI_EXTENSION_QUARTERS = 20  # "extendable by max 5 years" (§9)
CI_EXTENSION_YEARS_BEFORE_PENSION = 7  # addendum §9 [S251]
CI_CATEGORIES = ("main", "helping_spouse")  # "main/maxi-spouse" (§9)
SUBJECT = {"illness_assimilation": "Assimilation for illness", "continued_insurance": "Continued insurance"}
FORMAT = "caisse-inasti-continued-insurance/1"
COLUMNS = ["format", "fund_kbo", "request_id", "niss", "last_name", "first_name", "birth_date", "cessation_date",
           "first_quarter", "last_quarter", "option", "extension", "no_other_status", "requested_on"]


# --- the rules the notes give (pure) --------------------------------------------------------------------------------

def plus(q: Quarter, n: int) -> Quarter:
    k = q.year * 4 + q.number - 1 + n
    return Quarter(k // 4, k % 4 + 1)


def continued_insurance_quarters(cessation: dt.date, pension_on: dt.date, extension: bool) -> tuple[Quarter, Quarter]:
    """The quarters a continued insurance may cover: 8 from the quarter after the cessation; with the extension, up
    to the quarter before the pension (at most 5 years more), only when it starts at the earliest 7 years before the
    legal pension age (legislation §9, addendum §9 [S251])."""
    first = Quarter.of(cessation).next()
    last = plus(first, CI_QUARTERS - 1)
    if not extension:
        return first, last
    earliest = pension_on.replace(year=pension_on.year - CI_EXTENSION_YEARS_BEFORE_PENSION)
    if first.first_day < earliest:
        raise InvalidInput("extension", "an extension up to the pension is possible only when the continued "
                                        "insurance starts at the earliest 7 years before the legal pension age "
                                        "({date})", date=earliest.isoformat())
    before_pension = Quarter.of(pension_on - dt.timedelta(days=1))
    if before_pension <= last:
        raise InvalidInput("extension", "the 8 quarters already reach the pension ({date}): no extension needed",
                           date=pension_on.isoformat())
    return first, min(before_pension, plus(last, CI_EXTENSION_QUARTERS))


def quarters_text(first: str, last: str | None, lang: str = "en") -> str:
    return f"{first}–{last}" if last else FROM[lang].format(first=first)


# --- what the file says ---------------------------------------------------------------------------------------------

def _lang(session: Session, person_id: int) -> str:
    from caisse.benefits.service import _language

    return _language(session, person_id)


def cessation_of(session: Session, person_id: int) -> dt.date | None:
    """The last cessation recorded on the file (an affiliation ceased, with its end date)."""
    return session.scalar(select(Affiliation.end_date).where(
        Affiliation.person_id == person_id, Affiliation.end_date.is_not(None))
        .order_by(Affiliation.end_date.desc()).limit(1))


def _active(session: Session, person_id: int, on: dt.date) -> bool:
    return session.scalar(select(Affiliation.id).where(
        Affiliation.person_id == person_id, Affiliation.status == "affiliated", Affiliation.start_date <= on,
        (Affiliation.end_date.is_(None)) | (Affiliation.end_date >= on)).limit(1)) is not None


def prefill(session: Session, person_id: int, kind: str) -> dict:
    """The facts the fund knows: the start of the incapacity the mutuality reported (the latest), the cessation."""
    if kind == "illness_assimilation":
        start = session.scalar(select(BenefitEvent.event_date).where(
            BenefitEvent.person_id == person_id, BenefitEvent.kind == "incapacity")
            .order_by(BenefitEvent.event_date.desc()).limit(1))
        return {"incapacity_start": start.isoformat()} if start else {}
    end = cessation_of(session, person_id)
    return {"cessation_date": end.isoformat(), "option": "pension_health", "extension": False} if end else {}


def _date(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(field, "a date YYYY-MM-DD") from None


def check(session: Session, person_id: int, kind: str, facts: dict, today: dt.date) -> tuple[dict, str, str | None]:
    """The facts as filed, checked: (facts, first quarter, last quarter or None). Each refusal names its field."""
    if kind not in INSURANCE_REQUEST_KINDS:
        raise InvalidInput("kind", "one of {kinds}", kinds=", ".join(INSURANCE_REQUEST_KINDS))
    from caisse.benefits.service import category_on, paid_quarters

    if kind == "illness_assimilation":
        start = _date(facts.get("incapacity_start"), "incapacity_start")
        end = _date(facts.get("incapacity_end"), "incapacity_end")
        if start is None:
            raise InvalidInput("incapacity_start", "is required (the first day of the incapacity)")
        if start > today:
            raise InvalidInput("incapacity_start", "in the future: an incapacity is assimilated once it has begun")
        if end is not None and end < start:
            raise InvalidInput("incapacity_end", "before the start of the incapacity")
        if category_on(session, person_id, start) is None:
            raise InvalidInput("incapacity_start", "the person was not affiliated with the fund on {date}",
                               date=start.isoformat())
        out = {"incapacity_start": start.isoformat(), "incapacity_end": end.isoformat() if end else None}
        return out, str(Quarter.of(start)), str(Quarter.of(end)) if end else None
    recorded = cessation_of(session, person_id)
    given = _date(facts.get("cessation_date"), "cessation_date") or recorded
    if given is not None and given > today:
        raise InvalidInput("cessation_date", "in the future: the continued insurance follows a cessation that has "
                                             "happened")
    if recorded is None or _active(session, person_id, today):
        raise InvalidInput("person", "still active as a self-employed (no cessation on the file): the continued "
                                     "insurance follows a cessation")
    if given != recorded:
        raise InvalidInput("cessation_date", "the file records the cessation on {date}", date=recorded.isoformat())
    option = facts.get("option")
    if option not in OPTIONS:
        raise InvalidInput("option", "one of {options}", options=", ".join(OPTIONS))
    if facts.get("no_other_status") is not True:
        raise InvalidInput("no_other_status", "the continued insurance is open only to a person with no other "
                                              "social status: confirm it")
    last_four = [plus(Quarter.of(recorded), -n) for n in range(3, -1, -1)]
    paid = paid_quarters(session, person_id, last_four, today)
    missing = [str(q) for q in last_four if str(q) not in paid
               or category_on(session, person_id, min(q.last_day, recorded)) not in CI_CATEGORIES]
    if missing:
        raise InvalidInput("contributions", "contributions as a main self-employed (or maxi-statut helping spouse) "
                                            "paid in the quarter of the cessation and the 3 before are a "
                                            "condition; not paid so: {quarters}", quarters=", ".join(missing))
    from caisse.services.life_events import pension_date

    _age, pension_on = pension_date(session.get(Person, person_id).birth_date)
    first, last = continued_insurance_quarters(recorded, pension_on, bool(facts.get("extension")))
    out = {"cessation_date": recorded.isoformat(), "option": option, "extension": bool(facts.get("extension")),
           "no_other_status": True}
    return out, str(first), str(last)


# --- 1. proposed from a life event ----------------------------------------------------------------------------------

def propose(session: Session, who: Principal, person_id: int, kind: str, day: dt.date, known_on: dt.date,
            intro: str) -> InsuranceRequest:
    """The request prepared from a life event (``day``: the incapacity start or the cessation): a case waiting for
    the person with ``intro`` (the information of the event) and the invitation, in their language."""
    from caisse.cases.service import open_case, write

    lang = _lang(session, person_id)
    if kind == "illness_assimilation":
        facts, first, last = {"incapacity_start": day.isoformat()}, str(Quarter.of(day)), None
    else:
        first_q = Quarter.of(day).next()
        facts, first, last = ({"cessation_date": day.isoformat(), "option": "pension_health", "extension": False},
                              str(first_q), str(plus(first_q, CI_QUARTERS - 1)))
    case = open_case(session, who, person_id, kind, SUBJECT[kind],
                     f"{SUBJECT[kind]} prepared from the event of {day.isoformat()} learnt on {known_on.isoformat()}:"
                     f" waiting for the person to check and send it", known_on, channel="system")
    r = InsuranceRequest(person_id=person_id, kind=kind, status="proposed", facts=facts, first_quarter=first,
                         last_quarter=last, proposed_on=known_on, case_id=case.id, created_by=str(who))
    session.add(r)
    session.flush()
    invite = t(f"proposed_{kind}", lang, request=r.id, start=fmt_date(day, lang),
               quarters=quarters_text(first, last, lang))
    write(session, who, case.id, intro + invite, known_on, ask_person=True)
    audit.record(session, who, "create", "insurance_request", r.id, party_id=person_id,
                 detail={"kind": kind, "status": "proposed"})
    return r


# --- 2. filed -------------------------------------------------------------------------------------------------------

def file_request(session: Session, who: Principal, person_id: int, kind: str, facts: dict, today: dt.date, *,
                 request_id: int | None = None) -> InsuranceRequest:
    """File the request (or send the one the fund prepared, ``request_id``): checked, recorded, the person told."""
    from caisse.cases.service import open_case, write

    if who.is_staff and session.get(Person, person_id) is None:
        raise InvalidInput("person", "no person {person} in the fund's files", person=person_id)
    file_access(session, who, "benefit.claim", person_id)
    if session.get(Person, person_id) is None:
        raise InvalidInput("person", "no person {person} in the fund's files", person=person_id)
    facts, first, last = check(session, person_id, kind, facts, today)
    pending = session.scalar(select(InsuranceRequest.id).where(
        InsuranceRequest.person_id == person_id, InsuranceRequest.kind == kind,
        InsuranceRequest.status.in_(PENDING)).limit(1))
    if pending is not None:
        raise InvalidInput("kind", "request {request} of this kind is already under way", request=pending)
    draft = None
    if request_id is not None:
        draft = session.get(InsuranceRequest, request_id)
        if draft is None or draft.person_id != person_id or draft.kind != kind or draft.status != "proposed":
            raise InvalidInput("request", "no request {request} prepared for this file", request=request_id)
    if draft is None:
        case = open_case(session, who, person_id, kind, SUBJECT[kind],
                         f"{SUBJECT[kind]} asked ({quarters_text(first, last)})", today,
                         channel="letter" if who.is_staff else "portal")
        draft = InsuranceRequest(person_id=person_id, kind=kind, case_id=case.id, created_by=str(who))
        session.add(draft)
    draft.status, draft.facts, draft.first_quarter, draft.last_quarter = "requested", facts, first, last
    draft.requested_on = today
    draft.institution = INASTI if kind == "continued_insurance" else None
    session.flush()
    lang = _lang(session, person_id)
    from caisse.cases.models import Case

    case = session.get(Case, draft.case_id)
    if request_id is not None:  # the fund's time to forward runs from the request, no longer waiting for the person
        from caisse.cases.service import deadline_for

        case.status, case.waiting_since = "open", None
        case.deadline = max(case.deadline, deadline_for(kind, today))
    deadline = case.deadline
    text = t("filed", lang, request=draft.id, kind=KIND[kind][lang], quarters=quarters_text(first, last, lang),
             date=fmt_date(today, lang), institution=draft.institution or COMPETENT[lang],
             deadline=fmt_date(deadline, lang))
    if kind == "continued_insurance":
        text += t("option", lang, option=OPTION[facts["option"]][lang])
    write(session, Principal.system("insurance-requests"), draft.case_id, text, today)  # the fund's answer
    audit.record(session, who, "request", "insurance_request", draft.id, party_id=person_id,
                 detail={"kind": kind, "quarters": [first, last]})
    return draft


# --- 3. forwarded ---------------------------------------------------------------------------------------------------

def _get(session: Session, who: Principal, request_id: int, action: str) -> InsuranceRequest:
    r = session.get(InsuranceRequest, request_id)
    if r is None:
        raise InvalidInput("request", "no request {request}", request=request_id)
    file_access(session, who, action, r.person_id)
    return r


def _forwarded(session: Session, who: Principal, r: InsuranceRequest, on: dt.date, institution: str,
               today: dt.date) -> None:
    from caisse.cases.service import answer

    r.status, r.forwarded_on, r.institution = "forwarded", on, institution
    lang = _lang(session, r.person_id)
    # the fund's part is done: the case stands answered (not overdue in the work queue) until the decision comes
    answer(session, who, r.case_id, t("forwarded", lang, request=r.id, kind=KIND[r.kind][lang],
                                     date=fmt_date(on, lang), institution=institution), today)
    audit.record(session, who, "forward", "insurance_request", r.id, party_id=r.person_id,
                 detail={"institution": institution, "on": on.isoformat()})


def forward(session: Session, who: Principal, request_id: int, today: dt.date, *, institution: str | None = None,
            on: dt.date | None = None) -> InsuranceRequest:
    """Record that the request was forwarded (``on``, default today) to ``institution`` — INASTI for a continued
    insurance; for an assimilation the caseworker names it (the notes do not say who decides: NOT FOUND)."""
    r = _get(session, who, request_id, "benefit.decide")
    if r.status != "requested":
        raise InvalidInput("request", "request {request} is {status}, not waiting to be forwarded", request=r.id,
                           status=r.status)
    on = on or today
    if on > today or on < r.requested_on:
        raise InvalidInput("on", "between the request ({requested}) and today", requested=r.requested_on.isoformat())
    institution = (institution or (INASTI if r.kind == "continued_insurance" else "")).strip()
    if not institution or len(institution) > 60:
        raise InvalidInput("institution", "the institution the request is forwarded to (at most 60 characters)")
    if r.kind == "continued_insurance" and institution != INASTI:
        raise InvalidInput("institution", "INASTI decides the continued insurance")
    _forwarded(session, who, r, on, institution, today)
    return r


def export_continued_insurance(session: Session, who: Principal, today: dt.date, output_dir: str | Path,
                               settings: Settings | None = None) -> tuple[Path | None, int]:
    """Every continued-insurance request ``requested`` in one CSV for INASTI (``;``, UTF-8, a header; one row per
    request; docs/formats/inasti-continued-insurance.md). They become ``forwarded`` today; rerun = nothing new."""
    if who.role not in ("system", "manager"):
        from caisse.security.authz import Forbidden

        raise Forbidden(f"{who.role} may not send the fund's files to INASTI (a manager or the command line)")
    settings = settings or get_settings()
    todo = list(session.scalars(select(InsuranceRequest).where(
        InsuranceRequest.kind == "continued_insurance", InsuranceRequest.status == "requested")
        .order_by(InsuranceRequest.id)))
    if not todo:
        return None, 0
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(COLUMNS)
    for r in todo:
        p = session.get(Person, r.person_id)
        w.writerow([FORMAT, settings.fund_kbo, r.id, p.niss, p.last_name, p.first_name, p.birth_date.isoformat(),
                    r.facts["cessation_date"], r.first_quarter, r.last_quarter, r.facts["option"],
                    "Y" if r.facts.get("extension") else "N", "Y", r.requested_on.isoformat()])
    body = buf.getvalue().encode("utf-8")
    sha = hashlib.sha256(body).hexdigest()
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"caisse-inasti-continued-insurance-{today.isoformat()}-{sha[:8]}.csv"
    path.write_bytes(body)
    message = ExchangeMessage(direction="out", kind="inasti-continued-insurance-request", party_id=None,
                              path=str(path), sha256=sha, payload={"format": FORMAT, "requests": [r.id for r in todo]})
    session.add(message)
    session.flush()
    for r in todo:
        r.export_id = message.id
        _forwarded(session, who, r, today, INASTI, today)
    audit.record_reads(session, who, "inasti_export", (r.person_id for r in todo),
                       what=["niss", "name", "birth date", "cessation", "quarters", "option"])
    return path, len(todo)


# --- 4. the institution's decision ----------------------------------------------------------------------------------

def _quarters(text: str | None, r: InsuranceRequest) -> list[str]:
    out: list[str] = []
    for n, part in enumerate(p.strip() for p in (text or "").split(",") if p.strip()):
        q = str(Quarter.parse(part, f"quarters[{n}]"))
        if q < r.first_quarter or (r.last_quarter and q > r.last_quarter) or q in out:
            raise InvalidInput(f"quarters[{n}]", "{quarter} is not a quarter of this request ({asked})", quarter=q,
                               asked=quarters_text(r.first_quarter, r.last_quarter))
        out.append(q)
    return sorted(out)


def record_decision(session: Session, who: Principal, request_id: int, today: dt.date, *, outcome: str,
                    decided_on: dt.date, reference: str, quarters: str | None = None,
                    reason: str = "") -> InsuranceRequest:
    """Record the institution's decision on a forwarded request: ``granted`` for ``quarters`` (default: every
    quarter asked, when the request has an end) or ``refused`` with its reasons; the person told, the case closed."""
    from caisse.cases.service import answer, close

    r = _get(session, who, request_id, "benefit.decide")
    if r.status != "forwarded":
        raise InvalidInput("request", "request {request} is {status}, not forwarded", request=r.id, status=r.status)
    if outcome not in ("granted", "refused"):
        raise InvalidInput("outcome", "granted or refused")
    if not isinstance(decided_on, dt.date) or decided_on > today or decided_on < r.forwarded_on:
        raise InvalidInput("decided_on", "between the forwarding ({on}) and today", on=r.forwarded_on.isoformat())
    reference = (reference or "").strip()
    if not reference or len(reference) > 60:
        raise InvalidInput("reference", "the institution's reference of the decision (at most 60 characters)")
    reason = (reason or "").strip()
    if len(reason) > 2000 or "\x00" in reason:
        raise InvalidInput("reason", "at most 2000 characters of plain text")
    granted: list[str] = []
    if outcome == "granted":
        granted = _quarters(quarters, r)
        if not granted:
            if r.last_quarter is None:
                raise InvalidInput("quarters", "the quarters the institution assimilated (the incapacity has no end "
                                               "on the request)")
            q, granted = Quarter.parse(r.first_quarter), []
            while str(q) <= r.last_quarter:
                granted.append(str(q))
                q = q.next()
    elif not reason:
        raise InvalidInput("reason", "the institution's reasons for the refusal (they go into the letter)")
    elif quarters:
        raise InvalidInput("quarters", "a refusal grants no quarter")
    r.status, r.decided_on, r.decision_ref = outcome, decided_on, reference
    r.granted_quarters, r.decision_reason, r.recorded_by = granted or None, reason or None, str(who)
    for q in granted:  # one row per quarter: what the career and mutuality files read (docs/formats/inasti-career.md)
        if session.scalar(select(InsuranceQuarter.id).where(
                InsuranceQuarter.person_id == r.person_id, InsuranceQuarter.period == q,
                InsuranceQuarter.kind == r.kind)) is None:
            session.add(InsuranceQuarter(person_id=r.person_id, period=q, kind=r.kind, request_id=r.id,
                                         decided_on=decided_on, recorded_on=today))
    session.flush()
    lang = _lang(session, r.person_id)
    text = t(outcome, lang, institution=r.institution, date=fmt_date(decided_on, lang), ref=reference, request=r.id,
             kind=KIND[r.kind][lang], quarters=", ".join(granted))
    if reason:
        text += t("reasons", lang, reason=reason)
    text += t("appeal", lang)
    system = Principal.system("insurance-requests")
    answer(session, who, r.case_id, text, today)
    close(session, system, r.case_id, today)
    audit.record(session, who, "record_decision", "insurance_request", r.id, party_id=r.person_id,
                 detail={"outcome": outcome, "quarters": granted, "reference": reference})
    return r


# --- withdrawn ------------------------------------------------------------------------------------------------------

def withdraw(session: Session, who: Principal, request_id: int, today: dt.date,
             reason: str | None = None) -> InsuranceRequest:
    """The person withdraws a request not decided yet (from the portal; their accountant with a mandate), or staff
    do it on their word — then ``reason`` says how they asked (a letter, a call) and is required. The request is
    closed (``withdrawn``), the person told in their language in its case; the case is closed, or — the request
    already forwarded — left in the work queue with a note to tell the institution (see the module)."""
    from caisse.cases.models import Case
    from caisse.cases.service import answer, close, write

    r, _reason = _mine(session, who, request_id, "benefit.claim")
    if r.status not in WITHDRAWABLE:
        raise Conflict("request", "request {request} is {status}: only a request not decided yet can be withdrawn",
                       request=r.id, status=r.status)
    reason = " ".join((reason or "").split())
    if len(reason) > MAX_REASON or "\x00" in reason:
        raise InvalidInput("reason", "at most {n} characters of plain text", n=MAX_REASON)
    if who.is_staff and not reason:
        raise InvalidInput("reason", "say how the person asked to withdraw it (a letter, a call) and why")
    before = r.status
    r.status, r.withdrawn_on, r.withdrawn_by, r.withdrawal_reason = "withdrawn", today, str(who), reason or None
    session.flush()
    lang = _lang(session, r.person_id)
    text = t("withdrawn", lang, request=r.id, kind=KIND[r.kind][lang], date=fmt_date(today, lang))
    if before == "forwarded":
        text += t("withdrawn_forwarded", lang, institution=r.institution)
    fund = Principal.system("insurance-requests")  # the fund confirms, whoever withdrew
    case = session.get(Case, r.case_id)
    if case.status != "closed":
        answer(session, fund, case.id, text, today)
        if before == "forwarded":
            write(session, fund, case.id, f"Request {r.id} withdrawn on {today.isoformat()} after it was forwarded "
                                          f"to {r.institution} on {r.forwarded_on.isoformat()}: tell {r.institution}, "
                                          "then close this case.", today, internal=True)
        else:
            close(session, fund, case.id, today)
    # the reason is a free text (it may name someone): on the row only, which the retention blanks
    audit.record(session, who, "withdraw", "insurance_request", r.id, party_id=r.person_id,
                 detail={"kind": r.kind, "status_before": before, "reason_given": bool(reason)})
    return r


# --- reading --------------------------------------------------------------------------------------------------------

def _mine(session: Session, who: Principal, request_id: int, action: str) -> tuple[InsuranceRequest, str | None]:
    """The request and the need-to-know reason to log, once ``who`` may do ``action`` on its file: an affiliate or
    accountant gets the same 403 for a request of another file and for one that does not exist (probing ids
    reveals nothing)."""
    return file_record(session, who, InsuranceRequest, request_id, action, thing="request",
                       missing="insurance request")


def read(session: Session, who: Principal, request_id: int) -> InsuranceRequest:
    """One request for the desk's page: the file's access check (another team's file: the need-to-know reason
    first), the read audited with that reason."""
    return file_record(session, who, InsuranceRequest, request_id, "file.read", thing="request",
                       missing="insurance request", audit_as="insurance_request")[0]


def requests_of(session: Session, who: Principal, person_id: int) -> list[InsuranceRequest]:
    reason = file_access(session, who, "file.read", person_id)
    rows = list(session.scalars(select(InsuranceRequest).where(InsuranceRequest.person_id == person_id)
                                .order_by(InsuranceRequest.id.desc())))
    audit.record(session, who, "read", "insurance_requests", person_id, party_id=person_id, reason=reason,
                 detail={"requests": [r.id for r in rows]})
    return rows


def get(session: Session, who: Principal, request_id: int) -> InsuranceRequest:
    """A request for a form to pre-fill (the file's read is audited by the page): the access check of ``_mine``."""
    return _mine(session, who, request_id, "file.read")[0]
