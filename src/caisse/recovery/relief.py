"""Dispensation of contributions and surcharge waivers: asked through the fund, decided by INASTI.

The flow (docs/recovery.md, "Payment difficulties"):

1. **information first** (dispensation): ``pension_notice`` tells the person, in their language and in their
   request (case), which quarters would lose their pension rights and until when they could be bought back;
2. **request**: ``request_dispensation`` / ``request_waiver`` check admissibility (``relief_rules``, each refusal
   naming its field, nothing written), record the request and keep a case of kind ``dispensation`` /
   ``surcharge_waiver`` open — which suspends the recovery batch (``suspends_recovery`` in cases/deadlines.yaml);
3. **export**: ``export_requests`` writes the requests not sent yet to a versioned CSV for INASTI
   (docs/formats/inasti-dispensation.md, docs/formats/inasti-surcharge-waiver.md);
4. **decision**: ``record_decision`` (or ``import_decisions`` from INASTI's answer file) records what INASTI
   granted per quarter; a refusal closes the request; a grant becomes one balanced ``write_off`` transaction
   (key ``relief/<id>/write-off``) through ``services.approvals`` — executed at once up to the four-eyes
   threshold, else when a manager who did not record it approves (kinds ``write_off`` for a dispensation,
   ``surcharge_waiver`` for a waiver);
5. **execution** (``execute``): the ledger written, each dispensed quarter recorded with its buy-back deadline
   (``dispensed_quarter``: career data), the request answered and closed in the person's language, and the
   recovery file closed with reason ``dispensation`` when nothing is left due.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caisse.cases.models import Case
from caisse.config import Settings, get_settings
from caisse.errors import Conflict, InvalidInput, NotFound, UnknownParameter
from caisse.ledger import Entry, Posting, impute, post
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.money import fmt, to_cents
from caisse.recovery import relief_rules as rules
from caisse.recovery.models import DispensedQuarter, RecoveryFile, ReliefRequest
from caisse.recovery.relief_texts import t
from caisse.rules.explain import fmt_date, fmt_money
from caisse.rules.params import load as load_params
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access, file_record
from caisse.services.calendar import Quarter
from caisse.store.models import Affiliation, ExchangeMessage, Party, Person

PENDING = ("requested", "sent", "awaiting_approval")
CASE_SUBJECT = {"dispensation": "Dispensation of contributions", "surcharge_waiver": "Surcharge waiver"}
RULE = {"dispensation": "dispense INASTI (legislation §5)", "surcharge_waiver": "renonciation INASTI (art. 44, §4.4)"}
FEE_RULE = "frais de gestion: % des cotisations dues (§3 S69)"
FORMAT = {"dispensation": "caisse-inasti-dispensation/1", "surcharge_waiver": "caisse-inasti-surcharge-waiver/1"}
DECISION_FORMAT = {"dispensation": "caisse-inasti-dispensation-decision/1",
                   "surcharge_waiver": "caisse-inasti-surcharge-waiver-decision/1"}


def _lang(session: Session, party_id: int) -> str:
    lang = session.get(Party, party_id).language
    return lang if lang in ("fr", "nl", "de") else "fr"


# --- what the file and the ledger say -----------------------------------------------------------------------

def _ledger(session: Session, party_id: int, periods: list[str], as_of: dt.date) -> dict[str, dict[str, int]]:
    """Per period: contribution charged, open contribution / management fee / surcharge, and the surcharges
    charged net of earlier waivers (entries of every transaction but imputations)."""
    e, tr = LedgerEntry, LedgerTransaction
    rows = session.execute(
        select(e.period, e.account,
               func.sum(sql_case((tr.kind.in_(("charge", "regularisation")), e.amount_cents), else_=0)),
               func.sum(e.amount_cents),
               func.sum(sql_case((tr.kind != "imputation", e.amount_cents), else_=0)))
        .join(tr, tr.id == e.transaction_id)
        .where(e.party_id == party_id, e.period.in_(periods), tr.booked_on <= as_of,
               e.account.in_(("contribution", "management_fee", "surcharge")))
        .group_by(e.period, e.account))
    out = {p: {"charged": 0, "contribution": 0, "management_fee": 0, "surcharge": 0, "waivable": 0} for p in periods}
    for period, account, charged, balance, not_imputed in rows:
        slot = out[period]
        slot[account] = int(balance)
        if account == "contribution":
            slot["charged"] = int(charged)
        if account == "surcharge":
            slot["waivable"] = int(not_imputed)
    return out


def category_during(session: Session, person_id: int, q: Quarter) -> str | None:
    from caisse.benefits.service import category_on

    return category_on(session, person_id, q.last_day) or category_on(session, person_id, q.first_day)


def _main_minimum(year: int) -> int | None:
    from caisse.rules.contributions import contribution

    try:
        return contribution(year, "main", "0").quarterly
    except UnknownParameter:
        return None


def _pending_periods(session: Session, party_id: int, kind: str) -> set[str]:
    rows = session.scalars(select(ReliefRequest.periods).where(
        ReliefRequest.party_id == party_id, ReliefRequest.kind == kind, ReliefRequest.status.in_(PENDING)))
    return {p for periods in rows for p in periods}


def quarter_facts(session: Session, party_id: int, quarters: list[Quarter], kind: str,
                  today: dt.date) -> list[rules.QuarterFacts]:
    names = [str(q) for q in quarters]
    money = _ledger(session, party_id, names, today)
    pending = _pending_periods(session, party_id, kind)
    person = session.get(Person, party_id) is not None
    primo = bool(session.scalar(select(func.max(sql_case((Affiliation.primostarter.is_(True), 1), else_=0)))
                                .where(Affiliation.person_id == party_id))) if person else False
    out = []
    for q in quarters:
        m = money[str(q)]
        out.append(rules.QuarterFacts(
            quarter=q, category=category_during(session, party_id, q) if person else None, primostarter=primo,
            charged_contribution=m["charged"], open_contribution=m["contribution"],
            open_management_fee=m["management_fee"], surcharges=m["waivable"],
            main_minimum=_main_minimum(q.year) if kind == "dispensation" else None, pending=str(q) in pending))
    return out


def _affiliated_quarters(session: Session, party_id: int, before: Quarter) -> int:
    start = session.scalar(select(func.min(Affiliation.start_date)).where(
        Affiliation.person_id == party_id, Affiliation.status.in_(("affiliated", "ceased"))))
    if start is None:
        return 0
    s = Quarter.of(start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start)))
    return max(0, (before.year * 4 + before.number) - (s.year * 4 + s.number))


def _params(on: dt.date) -> tuple[int, int, int]:
    p = load_params()
    return (int(p.get("dispensation_request_window_months", on).value),
            int(p.get("dispensation_min_affiliated_quarters", on).value),
            int(p.get("dispensed_quarters_buyback_years", on).value))


# --- 1. the information given before the person decides --------------------------------------------------------

def notice_lines(session: Session, party_id: int, quarters: list[Quarter], today: dt.date,
                 lang: str | None = None) -> list[tuple[str, str]]:
    """(style, text) of the pension-consequence information, in the person's language, from the ledger."""
    lang = lang or _lang(session, party_id)
    _, _, years = _params(today)
    money = _ledger(session, party_id, [str(q) for q in quarters], today)
    out = [("title", t("notice_title", lang)), ("text", t("notice_intro", lang))]
    surcharges = 0
    for q in quarters:
        m = money[str(q)]
        surcharges += max(m["surcharge"], 0)
        out.append(("bold", t("notice_quarter", lang, period=str(q), amount=fmt_money(max(m["contribution"], 0), lang),
                              deadline=fmt_date(rules.buyback_deadline(q, years), lang))))
    out.append(("text", t("notice_effect", lang)))
    if surcharges:
        out.append(("text", t("notice_surcharges", lang, amount=fmt_money(surcharges, lang))))
    out.append(("text", t("notice_reduction", lang)))
    out.append(("small", t("notice_law", lang)))
    return out


def pension_notice(session: Session, who: Principal, party_id: int, quarters: str | list, today: dt.date, *,
                   case_id: int | None = None) -> tuple[ReliefRequest, list[tuple[str, str]]]:
    """Tell the person what a dispensation of ``quarters`` would cost their pension, before they decide: the text is
    written to them in their dispensation request (a case, opened when there is none) and the request is kept as
    ``informed`` on ``today`` — ``request_dispensation`` on that case takes the date from it. Returns the request
    and the lines (printed as PDF by ``caisse relief pension-notice --output``)."""
    from caisse.cases import service as cases

    file_access(session, who, "recovery.manage", party_id)
    qs = rules.parse_quarters(quarters)
    money = _ledger(session, party_id, [str(q) for q in qs], today)
    open_ = sum(max(m["contribution"], 0) + max(m["management_fee"], 0) for m in money.values())
    if open_ <= 0:
        raise InvalidInput("quarters", "nothing is unpaid on these quarters: a dispensation concerns unpaid "
                                       "contributions")
    lines = notice_lines(session, party_id, qs, today)
    if case_id is None:
        c = cases.open_case(session, who, party_id, "dispensation", CASE_SUBJECT["dispensation"],
                            f"Dispensation considered for {', '.join(str(q) for q in qs)}", today, channel="office")
        case_id = c.id
    else:
        _case(session, who, case_id, party_id, "dispensation")
    cases.write(session, who, case_id, "\n".join(text for _, text in lines), today)
    r = ReliefRequest(kind="dispensation", party_id=party_id, case_id=case_id, status="informed", requested_on=today,
                      periods=[str(q) for q in qs], lines=[], amount_cents=open_, grounds="", informed_on=today,
                      requested_by=str(who))
    session.add(r)
    session.flush()
    audit.record(session, who, "pension_notice", "relief_request", r.id, party_id=party_id,
                 detail={"quarters": r.periods})
    return r, lines


def _informed(session: Session, party_id: int, case_id: int | None) -> ReliefRequest | None:
    """The information given in this request (the latest), if any."""
    if case_id is None:
        return None
    return session.scalar(select(ReliefRequest).where(
        ReliefRequest.party_id == party_id, ReliefRequest.case_id == case_id, ReliefRequest.status == "informed")
        .order_by(ReliefRequest.id.desc()).limit(1))


def _case(session: Session, who: Principal, case_id: int, party_id: int, kind: str):
    from caisse.cases import service as cases

    c = cases.get_case(session, who, case_id)
    if c.kind != kind or c.party_id != party_id:
        raise InvalidInput("case", "case {case} is not a request of this kind for file {party}", case=case_id,
                           party=party_id)
    if c.status == "closed":
        raise InvalidInput("case", "case {case} is closed", case=case_id)
    return c


# --- 2. the request --------------------------------------------------------------------------------------------

def _record(session: Session, who: Principal, kind: str, party_id: int, ok: rules.Admissible, grounds: str,
            today: dt.date, case_id: int | None, draft: ReliefRequest | None = None, **extra) -> ReliefRequest:
    from caisse.cases import service as cases

    if draft is not None:  # the information given becomes the request
        draft.status, draft.requested_on, draft.periods, draft.lines = "requested", today, ok.periods, ok.lines
        draft.amount_cents, draft.grounds, draft.requested_by = ok.amount_cents, grounds.strip(), str(who)
        for name, value in extra.items():
            setattr(draft, name, value)
        session.flush()
        cases.write(session, who, case_id, f"relief request {draft.id} recorded ({', '.join(ok.periods)}, "
                                           f"{fmt(ok.amount_cents)} EUR): to be sent to INASTI", today, internal=True)
        audit.record(session, who, "request", kind, draft.id, party_id=party_id,
                     detail={"periods": ok.periods, "amount_cents": ok.amount_cents})
        return draft
    person_side = who.role in cases.PERSON_SIDE
    if case_id is None:
        ground = f" (ground: {extra['ground_kind']})" if extra.get("ground_kind") else ""
        # the person's own words open the request they make; the fund's summary one it records (the request's
        # quarters, amounts and ground are shown from the request itself on the case's page)
        body = grounds.strip() if person_side else \
            f"{CASE_SUBJECT[kind]} asked for {', '.join(ok.periods)}{ground}: {grounds.strip()}"
        c = cases.open_case(session, who, party_id, kind, CASE_SUBJECT[kind], body, today,
                            channel="portal" if person_side else "letter")
        case_id = c.id
    r = ReliefRequest(kind=kind, party_id=party_id, case_id=case_id, status="requested", requested_on=today,
                      periods=ok.periods, lines=ok.lines, amount_cents=ok.amount_cents, grounds=grounds.strip(),
                      requested_by=str(who), **extra)
    session.add(r)
    session.flush()
    # the note for staff: written by the fund when the person asked (the person's side writes no internal note)
    cases.write(session, Principal.system("relief") if person_side else who, case_id,
                f"relief request {r.id} recorded ({', '.join(ok.periods)}, {fmt(ok.amount_cents)} EUR): to be sent "
                f"to INASTI", today, internal=True)
    audit.record(session, who, "request", kind, r.id, party_id=party_id,
                 detail={"periods": ok.periods, "amount_cents": ok.amount_cents})
    return r


def request_dispensation(session: Session, who: Principal, party_id: int, quarters: str | list, grounds: str,
                         today: dt.date, *, signed_personally: bool, informed_on: dt.date | None = None,
                         case_id: int | None = None) -> ReliefRequest:
    """Record a dispensation request for INASTI, once admissible (``relief_rules.check_dispensation``)."""
    file_access(session, who, "recovery.manage", party_id)
    qs = rules.parse_quarters(quarters)
    if case_id is not None:
        _case(session, who, case_id, party_id, "dispensation")
    informed = _informed(session, party_id, case_id)
    if informed is not None and informed_on is None:
        missing = [str(q) for q in qs if str(q) not in informed.periods]
        if missing:
            raise InvalidInput("informed_on", "the person was informed about {informed}, not {missing}: inform them "
                                              "first (caisse relief pension-notice)",
                               informed=", ".join(informed.periods), missing=", ".join(missing))
        informed_on = informed.informed_on
    window, min_quarters, _ = _params(today)
    ok = rules.check_dispensation(rules.DispensationAsk(
        today=today, quarters=quarter_facts(session, party_id, qs, "dispensation", today),
        affiliated_quarters=_affiliated_quarters(session, party_id, qs[0]), signed_personally=signed_personally,
        asked_by_accountant=who.role == "accountant", informed_on=informed_on, window_months=window,
        min_quarters=min_quarters, grounds=grounds))
    return _record(session, who, "dispensation", party_id, ok, grounds, today, case_id,
                   signed_personally=True, informed_on=informed_on, draft=informed)


def request_waiver(session: Session, who: Principal, party_id: int, quarters: str | list, grounds: str,
                   ground_kind: str, today: dt.date, *, case_id: int | None = None,
                   applicant_party_id: int | None = None,
                   documents: list[tuple[str | None, bytes | None]] = ()) -> ReliefRequest:
    """Record a surcharge-waiver request for INASTI: only quarters whose contributions are fully paid.

    Staff record it (``recovery.manage``: a letter, a call, the desk's form); the person or their accountant (a
    mandate on the file) ask it in the portal (``/my/files/{id}/waiver``) — the same checks, the same request, a
    ``surcharge_waiver`` case opened on the portal channel. ``documents``: what is joined to it (PDF or JPEG,
    ``(name, bytes)``), added to the request's case (``cases.attachments``); a refusal of any of them, like every
    refusal here, writes nothing."""
    from caisse.cases import attachments
    from caisse.cases import service as cases

    person_side = who.role in cases.PERSON_SIDE
    file_access(session, who, "file.read" if person_side else "recovery.manage", party_id)
    qs = rules.parse_quarters(quarters)
    if case_id is not None:
        _case(session, who, case_id, party_id, "surcharge_waiver")
    if applicant_party_id is not None:
        if person_side:
            raise InvalidInput("applicant_party_id", "a jointly liable party's request is recorded by the fund")
        if session.get(Party, applicant_party_id) is None:
            raise InvalidInput("applicant_party_id", "no file {party}", party=applicant_party_id)
    ok = rules.check_waiver(today, quarter_facts(session, party_id, qs, "surcharge_waiver", today), grounds,
                            ground_kind)
    documents = list(documents)
    if documents:
        attachments.checked(documents)  # before anything is written
    r = _record(session, who, "surcharge_waiver", party_id, ok, grounds, today, case_id,
                ground_kind=ground_kind, applicant_party_id=applicant_party_id)
    if documents:
        attachments.add(session, who, r.case_id, documents, today)
    return r


def get(session: Session, who: Principal, request_id: int, action: str = "file.read", *,
        audit_as: str | None = "relief_request", what: str | None = None) -> ReliefRequest:
    """A dispensation or surcharge-waiver request, once ``who`` may do ``action`` on the file
    (``affiliation.file_record``: the role first, an affiliate or accountant refused alike for another file's
    request and for one that does not exist, then the file's team and need to know); the access audited on
    ``audit_as`` (``what`` was read, the need-to-know reason) — ``None``: the caller audits what it does."""
    return file_record(session, who, ReliefRequest, request_id, action, thing="relief request", owner="party_id",
                       audit_as=audit_as, what=what)[0]


# --- 3. the file sent to INASTI ----------------------------------------------------------------------------------

COLUMNS = {
    "dispensation": ["format", "fund_kbo", "request_id", "niss", "last_name", "first_name", "birth_date", "category",
                     "primostarter", "affiliation_start", "quarter", "contribution", "management_fee", "surcharge",
                     "requested_on", "signed_personally", "informed_on", "grounds"],
    "surcharge_waiver": ["format", "fund_kbo", "request_id", "niss", "kbo", "name", "applicant_id", "quarter",
                         "contribution_paid", "surcharge", "requested_on", "ground_kind", "grounds"],
}


def export_requests(session: Session, who: Principal, kind: str, today: dt.date, output_dir: str | Path,
                    settings: Settings | None = None) -> tuple[Path | None, int]:
    """Write every ``requested`` request of ``kind`` to one CSV for INASTI (``;``-separated, UTF-8, a header):
    one row per quarter. The requests become ``sent``; rerun = nothing new. Returns (path, requests)."""
    from caisse.cases import service as cases
    from caisse.store.models import Company

    if kind not in FORMAT:
        raise InvalidInput("kind", f"one of {', '.join(FORMAT)}")
    if who.role not in ("system", "manager"):  # the file holds every team's requests
        from caisse.security.authz import Forbidden

        raise Forbidden(f"{who.role} may not send the fund's files to INASTI (a manager or the command line)")
    settings = settings or get_settings()
    todo = list(session.scalars(select(ReliefRequest).where(ReliefRequest.kind == kind,
                                                            ReliefRequest.status == "requested")
                                .order_by(ReliefRequest.id)))
    if not todo:
        return None, 0
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(COLUMNS[kind])
    for r in todo:
        person = session.get(Person, r.party_id)
        for line in r.lines:
            if kind == "dispensation":
                q = Quarter.parse(line["period"])
                aff = session.scalar(select(Affiliation).where(Affiliation.person_id == r.party_id)
                                     .order_by(Affiliation.start_date, Affiliation.id).limit(1))
                w.writerow([FORMAT[kind], settings.fund_kbo, r.id, person.niss, person.last_name, person.first_name,
                            person.birth_date.isoformat(), category_during(session, r.party_id, q),
                            "Y" if aff is not None and aff.primostarter else "N",
                            aff.start_date.isoformat() if aff else "", line["period"], fmt(line["contribution"]),
                            fmt(line["management_fee"]), fmt(line["surcharge"]), r.requested_on.isoformat(), "Y",
                            r.informed_on.isoformat(), r.grounds])
            else:
                company = session.get(Company, r.party_id)
                w.writerow([FORMAT[kind], settings.fund_kbo, r.id, person.niss if person else "",
                            company.kbo if company else "",
                            f"{person.last_name} {person.first_name}" if person else (company.name if company else ""),
                            r.applicant_party_id or "", line["period"], "Y", fmt(line["surcharge"]),
                            r.requested_on.isoformat(), r.ground_kind, r.grounds])
    body = buf.getvalue().encode("utf-8")
    sha = hashlib.sha256(body).hexdigest()
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{FORMAT[kind].split('/')[0]}-{today.isoformat()}-{sha[:8]}.csv"
    path.write_bytes(body)
    message = ExchangeMessage(direction="out", kind=f"inasti-{kind.replace('_', '-')}-request", party_id=None,
                              path=str(path), sha256=sha,
                              payload={"format": FORMAT[kind], "requests": [r.id for r in todo], "rows":
                                       sum(len(r.lines) for r in todo)})
    session.add(message)
    session.flush()
    for r in todo:
        r.status, r.sent_on, r.export_id = "sent", today, message.id
        cases.write(session, who, r.case_id, f"request {r.id} sent to INASTI in {path.name}", today, internal=True)
    audit.record_reads(session, who, "inasti_export", (r.party_id for r in todo),
                       what=["niss", "name", "birth date", "category", "amounts", "grounds"])
    return path, len(todo)


# --- 4. INASTI's decision ---------------------------------------------------------------------------------------

def parse_granted(text: str | None, periods: list[str]) -> dict[str, int | None]:
    """``2026Q1,2026Q2:150.00`` → {period: amount in cents or None (all of it)}; only quarters asked."""
    out: dict[str, int | None] = {}
    for n, part in enumerate(p.strip() for p in (text or "").split(",") if p.strip()):
        name, _, amount = part.partition(":")
        q = str(Quarter.parse(name, f"granted[{n}]"))
        if q not in periods:
            raise InvalidInput(f"granted[{n}]", f"{q} was not asked in this request ({', '.join(periods)})")
        if q in out:
            raise InvalidInput(f"granted[{n}]", f"{q} is named twice")
        out[q] = to_cents(amount, f"granted[{n}].amount") if amount else None
        if out[q] is not None and out[q] <= 0:
            raise InvalidInput(f"granted[{n}].amount", "a positive amount")
    return out


def _write_off_lines(session: Session, r: ReliefRequest, granted: dict[str, int | None],
                     today: dt.date) -> list[dict]:
    """What the grant gives up in the ledger, as of ``today``: a dispensation the open contribution and management
    fee of each quarter (and the surcharges when INASTI dispensed them too); a waiver the surcharges granted, at most
    those charged (net of earlier waivers) — paid ones come back to the debtor's credit."""
    money = _ledger(session, r.party_id, list(granted), today)
    lines = []
    for period, amount in granted.items():
        m = money[period]
        if r.kind == "dispensation":
            wanted = [("contribution", m["contribution"]), ("management_fee", m["management_fee"])]
            if r.surcharges_included:
                wanted.append(("surcharge", m["surcharge"]))
            if amount is not None:  # a partial dispensation: the contribution only, up to the amount
                wanted = [("contribution", min(amount, m["contribution"]))]
            lines += [{"period": period, "account": a, "cents": c} for a, c in wanted if c > 0]
        else:
            c = m["waivable"] if amount is None else min(amount, m["waivable"])
            if c > 0:
                lines.append({"period": period, "account": "surcharge", "cents": c})
    return lines


def record_decision(session: Session, who: Principal, request_id: int, today: dt.date, *, decided_on: dt.date,
                    reference: str, granted: str | None, reason: str = "",
                    surcharges_included: bool | None = None, settings: Settings | None = None) -> ReliefRequest:
    """Record INASTI's decision on a request sent to it. ``granted``: the quarters granted (``2026Q1,2026Q2``;
    ``PERIOD:AMOUNT`` for a partial grant); none = refused (a reason is then required). A grant is written off
    through four eyes (``services.approvals``)."""
    from caisse.cases import service as cases
    from caisse.services import approvals

    r = get(session, who, request_id, "money.order", audit_as=None)
    if r.status != "sent":
        what = "not sent to INASTI yet (caisse relief export)" if r.status == "requested" else f"already {r.status}"
        raise InvalidInput("request", f"request {r.id} is {what}")
    reference = (reference or "").strip()
    if not reference or len(reference) > 60:
        raise InvalidInput("reference", "INASTI's reference of the decision (at most 60 characters)")
    if not isinstance(decided_on, dt.date) or decided_on > today or (r.sent_on and decided_on < r.sent_on):
        raise InvalidInput("decided_on", f"the date of INASTI's decision, between the sending ({r.sent_on}) and "
                                         f"today ({today})")
    grants = parse_granted(granted, r.periods)
    reason = (reason or "").strip()
    if len(reason) > 2000 or "\x00" in reason:
        raise InvalidInput("reason", "at most 2000 characters of plain text")
    if len(grants) < len(r.periods) and not reason:
        raise InvalidInput("reason", "INASTI's reasons for what it refused (they go into the decision letter)")
    if r.kind == "dispensation" and grants:
        if surcharges_included is None:
            raise InvalidInput("surcharges", "say whether INASTI's decision dispenses the surcharges of these "
                                             "quarters too (included) or not (kept)")
        r.surcharges_included = surcharges_included
    elif surcharges_included is not None and r.kind != "dispensation":
        raise InvalidInput("surcharges", "only a dispensation decision says whether surcharges are included")
    lines = _write_off_lines(session, r, grants, today)
    r.decided_on, r.decision_ref, r.decision_reason = decided_on, reference, reason or None
    r.recorded_on, r.recorded_by = today, str(who)
    r.decision = {"granted": {p: a for p, a in grants.items()}, "refused": [p for p in r.periods if p not in grants],
                  "lines": lines}
    audit.record(session, who, "record_decision", r.kind, r.id, party_id=r.party_id,
                 detail={"granted": list(grants), "reference": reference})
    total = sum(x["cents"] for x in lines)
    if not grants or total <= 0:
        _finish(session, r, today, "refused" if not grants else _outcome(r, grants), written=0)
        return r
    r.status = "awaiting_approval"
    session.flush()
    approval = approvals.submit(
        session, who, "write_off" if r.kind == "dispensation" else "surcharge_waiver", r.party_id, total,
        {"relief_request_id": r.id, "periods": list(grants), "rule": RULE[r.kind]},
        f"{CASE_SUBJECT[r.kind]} granted by INASTI ({reference}, {decided_on}) for {', '.join(grants)}", today,
        settings or get_settings())
    r.approval_id = approval.id
    if approval.status == "pending":
        cases.write(session, who, r.case_id, t("answer_pending_approval", _lang(session, r.party_id)), today)
    return r


def _outcome(r: ReliefRequest, grants: dict[str, int | None]) -> str:
    full = len(grants) == len(r.periods) and all(a is None for a in grants.values())
    return "granted" if full else "partly_granted"


def execute(session: Session, approval, today: dt.date) -> str:
    """Called by ``services.approvals`` once the write-off is approved (or under the threshold): one balanced
    ``write_off`` transaction, the dispensed quarters recorded, the request answered and closed. Returns the key."""
    r = session.get(ReliefRequest, approval.payload["relief_request_id"])
    if r is None:
        raise NotFound("relief request", approval.payload["relief_request_id"])
    if r.status != "awaiting_approval":
        raise Conflict("status", f"request {r.id} is {r.status}")
    grants = r.decision["granted"]
    # as of today (a payment since the decision is kept), never more than the manager approved: each line capped at
    # the one recorded with the decision — a surcharge or a regularisation charged since waits for a new decision
    approved = {(x["account"], x["period"]): x["cents"] for x in r.decision.get("lines") or []}
    lines = []
    for x in _write_off_lines(session, r, grants, today):
        cents = min(x["cents"], approved.get((x["account"], x["period"]), 0))
        if cents > 0:
            lines.append({**x, "cents": cents})
    key = f"relief/{r.id}/write-off"
    rule = RULE[r.kind]
    why = {"request": r.id, "inasti_decision": r.decision_ref, "decided_on": r.decided_on.isoformat()}
    entries = []
    for x in lines:
        line_rule = FEE_RULE if x["account"] == "management_fee" else rule
        entries.append(Entry("write_off", x["cents"], r.party_id, x["period"], None, line_rule, r.decision_ref))
        entries.append(Entry(x["account"], -x["cents"], r.party_id, x["period"], None, line_rule, r.decision_ref,
                             {**why, "text": f"{CASE_SUBJECT[r.kind]} granted by INASTI for {x['period']}"}))
    written = sum(x["cents"] for x in lines)
    if entries:
        post(session, Posting(key, "write_off", today, tuple(entries),
                              f"{CASE_SUBJECT[r.kind]} granted by INASTI ({r.decision_ref}) for {', '.join(grants)}",
                              r.decision_ref))
        if r.kind == "surcharge_waiver":  # surcharges already paid and now waived: back to the debtor's credit
            impute(session, r.party_id, f"{key}/imputation", today)
    r.ledger_key = key if entries else None
    r.decision = {**r.decision, "lines": lines}
    if r.kind == "dispensation":
        _, _, years = _params(today)
        for period in grants:
            cents = sum(x["cents"] for x in lines if x["period"] == period and x["account"] == "contribution")
            q = Quarter.parse(period)
            session.add(DispensedQuarter(party_id=r.party_id, period=period, request_id=r.id, dispensed_cents=cents,
                                         granted_on=r.decided_on, buyback_deadline=rules.buyback_deadline(q, years)))
    _finish(session, r, today, _outcome(r, grants), written=written)
    return key


def reject(session: Session, approval, today: dt.date) -> None:
    """A manager rejected the write-off (the decision was recorded wrongly): nothing is written, the request waits
    for its decision to be recorded again."""
    from caisse.cases import service as cases

    r = session.get(ReliefRequest, approval.payload["relief_request_id"])
    if r is None or r.status != "awaiting_approval":
        return
    r.status, r.decision, r.decided_on, r.decision_ref, r.decision_reason = "sent", None, None, None, None
    r.surcharges_included, r.recorded_on, r.recorded_by = None, None, None
    cases.write(session, Principal.system("relief"), r.case_id,
                f"write-off of request {r.id} rejected by {approval.decided_by}: "
                f"{approval.decision_note or 'no note'} — record INASTI's decision again", today, internal=True)


def _finish(session: Session, r: ReliefRequest, today: dt.date, status: str, *, written: int) -> None:
    from caisse.cases import service as cases
    from caisse.recovery.service import file_of, move, owed

    r.status, r.closed_on, r.written_off_cents = status, today, written
    session.flush()
    system = Principal.system("relief")
    lang = _lang(session, r.party_id)
    body = "\n".join(text for _, text in decision_lines(session, r, lang, today))
    c = session.get(Case, r.case_id)
    if c is not None and c.status != "closed":
        cases.answer(session, system, r.case_id, body, today)
        cases.close(session, system, r.case_id, today)
    audit.record(session, system, "decision", r.kind, r.id, party_id=r.party_id,
                 detail={"status": status, "written_off_cents": written})
    if r.kind == "dispensation" and written:
        f = file_of(session, r.party_id)
        _, total = owed(session, r.party_id, today)
        if f is not None and f.stage not in ("closed", "plan") and total <= 0:
            move(session, system, r.party_id, "closed", f"dispensation granted by INASTI ({r.decision_ref})",
                 today, closing_reason="dispensation")


# --- the decision letter ---------------------------------------------------------------------------------------

def decision_lines(session: Session, r: ReliefRequest, lang: str, today: dt.date) -> list[tuple[str, str]]:
    """(style, text) of the decision letter, from the stored request alone (and the debt still due that day)."""
    from caisse.recovery.service import owed

    settings = get_settings()
    d = r.decision or {"granted": {}, "lines": [], "refused": r.periods}
    status = r.status if r.status in ("granted", "partly_granted", "refused") else "refused"
    out = [("title", t(f"title_{r.kind}_{status}", lang)),
           ("text", t("decision_intro", lang, request=r.id, requested=fmt_date(r.requested_on, lang),
                      decided=fmt_date(r.decided_on, lang) if r.decided_on else "—", ref=r.decision_ref or "—")),
           ("text", t("ground_dispensation", lang, grounds=(t(f"ground_{r.ground_kind}", lang) + " — "
                                                               if r.ground_kind else "") + r.grounds)),
           ("heading", t("quarters", lang))]
    for period in r.periods:
        if period in d["granted"]:
            cents = sum(x["cents"] for x in d["lines"] if x["period"] == period)
            out.append(("text", t("line_granted", lang, period=period, amount=fmt_money(cents, lang))))
        else:
            out.append(("text", t("line_refused", lang, period=period)))
    if r.decision_reason:
        out += [("heading", t("reasons", lang)), ("bold", r.decision_reason)]
    if r.written_off_cents:
        out.append(("bold", t("written_off", lang, amount=fmt_money(r.written_off_cents, lang))))
    _, total = owed(session, r.party_id, today)
    out.append(("text", t("still_due", lang, amount=fmt_money(total, lang))))
    if r.kind == "dispensation" and d["granted"]:
        out.append(("heading", t("pension_title", lang)))
        out.append(("text", t("pension_granted", lang)))
        for q in session.scalars(select(DispensedQuarter).where(DispensedQuarter.request_id == r.id)
                                 .order_by(DispensedQuarter.period)):
            out.append(("bold", t("buyback_line", lang, period=q.period, amount=fmt_money(q.dispensed_cents, lang),
                                  deadline=fmt_date(q.buyback_deadline, lang))))
        out.append(("text", t("surcharges_included" if r.surcharges_included else "surcharges_kept", lang)))
    out += [("heading", t("appeal_title", lang)), ("text", t(f"appeal_{r.kind}", lang)),
            ("text", t("contact", lang, file=r.party_id, request=r.id, phone=settings.fund_phone,
                       email=settings.fund_email)),
            ("small", t(f"law_{r.kind}", lang))]
    return out


# --- INASTI's answer file ---------------------------------------------------------------------------------------

DECISION_COLUMNS = ["format", "request_id", "quarter", "outcome", "amount", "surcharges", "decided_on", "reference",
                    "reason"]


def import_decisions(session: Session, who: Principal, path: str | Path, today: dt.date) -> list[ReliefRequest]:
    """INASTI's decisions in our documented CSV (docs/formats/inasti-dispensation.md): one row per quarter,
    ``outcome`` granted/refused. All rows are checked before anything is recorded; a file already imported is
    refused (its SHA-256 is kept)."""
    body = Path(path).read_bytes()
    sha = hashlib.sha256(body).hexdigest()
    if session.scalar(select(ExchangeMessage.id).where(ExchangeMessage.direction == "in",
                                                       ExchangeMessage.sha256 == sha)) is not None:
        raise Conflict("file", f"{Path(path).name} was already imported")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("file", "not UTF-8") from None
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    if reader.fieldnames != DECISION_COLUMNS:
        raise InvalidInput("file", f"header must be {';'.join(DECISION_COLUMNS)}")
    by_request: dict[int, dict] = {}
    for n, row in enumerate(reader, start=2):
        where = f"line {n}"
        if row["format"] not in DECISION_FORMAT.values():
            raise InvalidInput(f"{where}.format", f"one of {', '.join(DECISION_FORMAT.values())}")
        try:
            rid = int(row["request_id"])
            decided = dt.date.fromisoformat(row["decided_on"])
        except ValueError:
            raise InvalidInput(where, "request_id must be a number and decided_on a date YYYY-MM-DD") from None
        if row["outcome"] not in ("granted", "refused"):
            raise InvalidInput(f"{where}.outcome", "granted or refused")
        if row["surcharges"] not in ("", "included", "kept"):
            raise InvalidInput(f"{where}.surcharges", "included, kept or empty")
        r = session.get(ReliefRequest, rid)
        if r is None or DECISION_FORMAT[r.kind] != row["format"]:
            raise InvalidInput(f"{where}.request_id", f"no {row['format']} request {rid}")
        d = by_request.setdefault(rid, {"decided_on": decided, "reference": row["reference"], "granted": [],
                                        "reasons": [], "surcharges": None})
        if row["outcome"] == "granted":
            d["granted"].append(f"{row['quarter']}:{row['amount']}" if row["amount"] else row["quarter"])
            if row["surcharges"]:
                d["surcharges"] = row["surcharges"] == "included"
        if row["reason"]:
            d["reasons"].append(f"{row['quarter']}: {row['reason']}")
    done = []
    for rid, d in by_request.items():
        done.append(record_decision(session, who, rid, today, decided_on=d["decided_on"], reference=d["reference"],
                                    granted=",".join(d["granted"]), reason="; ".join(d["reasons"]),
                                    surcharges_included=d["surcharges"]))
    session.add(ExchangeMessage(direction="in", kind="inasti-relief-decision", party_id=None, path=str(path),
                                sha256=sha, payload={"requests": list(by_request)}))
    return done


# --- career data: the dispensed quarters and their buy-back deadlines --------------------------------------------

def dispensed(session: Session, who: Principal, *, party_id: int | None = None,
              deadline_before: dt.date | None = None) -> list[DispensedQuarter]:
    """Dispensed quarters not bought back (of one debtor, or all whose deadline falls before a date)."""
    q = select(DispensedQuarter).where(DispensedQuarter.bought_back_on.is_(None))
    if party_id is not None:
        file_access(session, who, "file.read", party_id)
        q = q.where(DispensedQuarter.party_id == party_id)
    elif who.role not in ("system", "manager", "auditor"):
        from caisse.security.authz import Forbidden

        raise Forbidden("the list of every file's dispensed quarters is for managers")
    if deadline_before is not None:
        q = q.where(DispensedQuarter.buyback_deadline <= deadline_before)
    rows = list(session.scalars(q.order_by(DispensedQuarter.buyback_deadline, DispensedQuarter.id)))
    audit.record_reads(session, who, "dispensed_quarters", (x.party_id for x in rows),
                       what=["period", "dispensed amount", "buy-back deadline"])
    return rows


def bought_back(session: Session, party_id: int) -> list[DispensedQuarter]:
    """The debtor's dispensed quarters bought back (recovery/buyback.py): their pension rights kept."""
    return list(session.scalars(select(DispensedQuarter).where(DispensedQuarter.party_id == party_id,
                                                               DispensedQuarter.bought_back_on.is_not(None))
                                .order_by(DispensedQuarter.period)))


def requests_of(session: Session, party_id: int) -> list[ReliefRequest]:
    return list(session.scalars(select(ReliefRequest).where(ReliefRequest.party_id == party_id)
                                .order_by(ReliefRequest.id)))


def of_case(session: Session, case_id: int) -> list[ReliefRequest]:
    """The requests recorded in a case (its page shows them: the case was read with its own access check)."""
    return list(session.scalars(select(ReliefRequest).where(ReliefRequest.case_id == case_id,
                                                            ReliefRequest.status != "informed")
                                .order_by(ReliefRequest.id)))


def recovery_file(session: Session, party_id: int) -> RecoveryFile | None:
    return session.scalar(select(RecoveryFile).where(RecoveryFile.party_id == party_id))
