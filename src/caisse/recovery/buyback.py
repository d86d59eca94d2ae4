"""Buy-back of dispensed quarters (rachat / terugkoop): the pension rights of a quarter dispensed by INASTI are lost
"unless the dispensed contributions are paid within 5 years" (legislation.md §5 "Effect of dispensation", §9;
parameter ``dispensed_quarters_buyback_years``).

What the notes give, and what the fund therefore does:

* **window** — 5 years; the notes do not say from when: counted from the end of the dispensed quarter
  (``relief_rules.buyback_deadline``, the earliest reading, the deadline already recorded on ``dispensed_quarter``).
  A buy-back is asked on or before that day, and a quarter is bought back only when it is paid in full by it;
* **amount** — "the dispensed contributions": the contribution INASTI dispensed (``dispensed_quarter.dispensed_cents``,
  without the management fee nor the surcharges). Whether that amount is revalued or indexed when paid later, and
  whether a management fee is added, is **not in the notes**: nothing is added, and the request, its notice and the
  ledger entries say so (``UNKNOWN``) — never an invented coefficient.

The flow: ``request_buyback`` checks the quarters (dispensed for this person, not bought back, not already asked,
window still open), posts the debt on the person's own ``buyback`` account (one item per request and quarter,
``parameter`` = ``buyback:<id>``, due on the quarter's deadline; Cr ``income``) — never a contribution debt, so no
ordinary payment, arrears, surcharge, recovery or prescription ever touches it — and gives the request its own
structured communication (``references.for_buyback``: the person's n-th request). The due notice (fr/nl/de PDF,
``documents.relief_letters.buyback_notice_pdf``) carries it. A payment with that communication (CODA import, or a
parked payment assigned on the reconciliation desk with designation ``buyback/<n>``) settles the request's quarters
oldest first; ``record_bought_back`` then marks each quarter paid in full within its window ``bought_back_on`` (the
day of the payment that completed it) and the request ``paid`` when all are. The career export for INASTI reads
``bought_back_on`` (``reporting.career.dispensations``): the quarter goes from ``dispensed`` to ``bought_back``, sent
as a correction of the record already reported.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, String, and_, case, cast, func, literal, select, update
from sqlalchemy.orm import Session

from caisse.config import get_settings
from caisse.errors import Conflict, InvalidInput
from caisse.ledger import Entry, Posting, post
from caisse.ledger.models import BUYBACK, LedgerEntry, LedgerTransaction
from caisse.money import fmt
from caisse.recovery import relief_rules as rules
from caisse.recovery.models import BuybackRequest, DispensedQuarter
from caisse.recovery.relief_texts import t
from caisse.references import MAX_UNDUE_NUMBER, for_buyback
from caisse.rules.explain import fmt_date, fmt_money
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access, file_record
from caisse.store.models import Party

RULE = "dispensed contributions paid within 5 years (legislation §5, §9)"  # ledger_entry.rule <= 100
# What the notes do not give (kept on the request, told to the person, written on the ledger entries).
UNKNOWN = ("amount_revaluation", "management_fee")
UNKNOWN_TEXT = {
    "amount_revaluation": "whether the dispensed amount is revalued or indexed when bought back later: not in the "
                          "notes (legislation §5, §9) — the contribution dispensed is asked as it was",
    "management_fee": "whether a management fee is added to a buy-back: not in the notes — none is charged",
}


def _lang(session: Session, party_id: int) -> str:
    lang = session.get(Party, party_id).language
    return lang if lang in ("fr", "nl", "de") else "fr"


def request_buyback(session: Session, who: Principal, party_id: int, quarters: str | list,
                    today: dt.date) -> BuybackRequest:
    """Record the person's request to buy back dispensed ``quarters`` and post what it costs (module docstring).
    Each refusal names its field (``quarters[n]``); nothing is written then."""
    file_access(session, who, "recovery.manage", party_id)
    qs = rules.parse_quarters(quarters)
    rows = {q.period: q for q in session.scalars(select(DispensedQuarter).where(
        DispensedQuarter.party_id == party_id, DispensedQuarter.period.in_([str(q) for q in qs])))}
    asked = {r.id: r for r in session.scalars(select(BuybackRequest).where(BuybackRequest.party_id == party_id))}
    chosen: list[DispensedQuarter] = []
    for n, q in enumerate(qs):
        field, d = f"quarters[{n}]", rows.get(str(q))
        if d is None or d.granted_on > today:
            raise InvalidInput(field, f"{q} was not dispensed by INASTI for file {party_id}: only a dispensed "
                                      "quarter can be bought back")
        if d.bought_back_on is not None:
            raise InvalidInput(field, f"{q} was already bought back on {d.bought_back_on}")
        if today > d.buyback_deadline:
            raise InvalidInput(field, f"the 5-year buy-back window of {q} ended on {d.buyback_deadline} "
                                      "(legislation §5, §9): its pension rights can no longer be bought back")
        earlier = asked.get(d.buyback_request_id) if d.buyback_request_id else None
        if earlier is not None and earlier.status == "open":
            raise InvalidInput(field, f"{q} is already in buy-back request {earlier.number} (communication "
                                      f"{earlier.communication}), still open")
        if d.dispensed_cents <= 0:
            raise InvalidInput(field, f"{q}: no contribution was dispensed (0 EUR), nothing to buy back")
        chosen.append(d)
    number = len(asked) + 1
    if number > MAX_UNDUE_NUMBER:
        raise Conflict("number", f"file {party_id} already has {len(asked)} buy-back requests (at most "
                                 f"{MAX_UNDUE_NUMBER}, one communication each)")
    lang = _lang(session, party_id)
    r = BuybackRequest(party_id=party_id, number=number, status="open", asked_on=today,
                       periods=[d.period for d in chosen], amount_cents=sum(d.dispensed_cents for d in chosen),
                       due_date=min(d.buyback_deadline for d in chosen),
                       communication=for_buyback(party_id, number).ogm, language=lang,
                       ledger_key=f"buyback/{party_id}/{number}", unknown=list(UNKNOWN), asked_by=str(who))
    session.add(r)
    session.flush()
    entries = []
    for d in chosen:
        why = {"request": r.id, "dispensed_by": f"relief/{d.request_id}", "granted_on": d.granted_on.isoformat(),
               "deadline": d.buyback_deadline.isoformat(), "unknown": dict(UNKNOWN_TEXT),
               "text": f"buy-back of the contributions dispensed for {d.period}"}
        entries.append(Entry(BUYBACK, d.dispensed_cents, party_id, d.period, d.buyback_deadline, RULE,
                             f"buyback:{r.id}", why))
        entries.append(Entry("income", -d.dispensed_cents, party_id, d.period, None, RULE, f"buyback:{r.id}"))
        d.buyback_request_id = r.id
    post(session, Posting(r.ledger_key, "charge", today, tuple(entries),
                          f"Buy-back of dispensed quarters {', '.join(r.periods)} (request {number})",
                          r.communication))
    audit.record(session, who, "request", "buyback_request", r.id, party_id=party_id,
                 detail={"periods": r.periods, "amount_cents": r.amount_cents, "communication": r.communication,
                         "unknown": list(UNKNOWN)})
    return r


def record_bought_back(session: Session, party_ids) -> int:
    """Mark the dispensed quarters of ``party_ids`` whose buy-back is paid in full within the window: set-based (one
    read of their ``buyback`` items, one update per day found). ``bought_back_on`` = the booking day of the last
    payment on the quarter's item. Returns the number of quarters marked now."""
    ids = sorted(set(party_ids))
    if not ids:
        return 0
    e, t_ = LedgerEntry, LedgerTransaction
    d = DispensedQuarter
    paid_day = func.max(case((e.amount_cents < 0, t_.booked_on), else_=None))
    q = (select(d.id, d.buyback_request_id, d.buyback_deadline, paid_day)
         .join(e, and_(e.party_id == d.party_id, e.period == d.period, e.account == BUYBACK,
                       e.parameter == literal("buyback:", String) + cast(d.buyback_request_id, String)))
         .join(t_, t_.id == e.transaction_id)
         .where(d.party_id.in_(ids), d.bought_back_on.is_(None), d.buyback_request_id.is_not(None))
         .group_by(d.id, d.buyback_request_id, d.buyback_deadline)
         .having(func.sum(e.amount_cents) == 0))
    marked: dict[dt.date, list[int]] = {}
    requests: set[int] = set()
    for qid, rid, deadline, day in session.execute(q):
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
        if day <= deadline:
            marked.setdefault(day, []).append(qid)
            requests.add(rid)
    for day, qids in marked.items():
        session.execute(update(d).where(d.id.in_(qids)).values(bought_back_on=day))
    if requests:
        left = {rid for (rid,) in session.execute(select(d.buyback_request_id).where(
            d.buyback_request_id.in_(requests), d.bought_back_on.is_(None)))}
        for r in session.scalars(select(BuybackRequest).where(BuybackRequest.id.in_(requests - left))):
            r.status = "paid"
            r.paid_on = session.scalar(select(func.max(d.bought_back_on)).where(d.buyback_request_id == r.id))
    return sum(len(v) for v in marked.values())


def lapse(session: Session, as_of: dt.date) -> tuple[int, int]:
    """The buy-back options whose deadline passed before ``as_of`` without the quarter bought back: each dispensed
    quarter gets ``buyback_lapsed_on`` (the day after its deadline: its pension rights can no longer be bought back,
    legislation §5, §9) and an open request none of whose quarters can still be bought back becomes ``lapsed``.
    Set-based, idempotent (``caisse run prescription``). Returns (quarters, requests) marked now."""
    d = DispensedQuarter
    late = session.execute(select(d.id, d.buyback_deadline).where(
        d.bought_back_on.is_(None), d.buyback_lapsed_on.is_(None), d.buyback_deadline < as_of)).all()
    by_day: dict[dt.date, list[int]] = {}
    for qid, deadline in late:
        by_day.setdefault(deadline + dt.timedelta(days=1), []).append(qid)
    for day, qids in by_day.items():
        session.execute(update(d).where(d.id.in_(qids)).values(buyback_lapsed_on=day))
    still = select(d.id).where(d.buyback_request_id == BuybackRequest.id, d.bought_back_on.is_(None),
                               d.buyback_lapsed_on.is_(None)).exists()
    lapsed = list(session.scalars(select(BuybackRequest).where(BuybackRequest.status == "open", ~still)))
    for r in lapsed:
        r.status = "lapsed"
    return len(late), len(lapsed)


def quarters_of(session: Session, party_id: int, today: dt.date) -> list[dict]:
    """The person's dispensed quarters as the portal shows them: the amount, the buy-back deadline, and where the
    buy-back stands on ``today`` — ``bought_back`` (on the day paid), ``lapsed`` (deadline passed: the pension rights
    of the quarter are lost), ``asked`` (a request is open: its structured communication and what is left to pay)
    or ``open`` (still possible: ask the fund before the deadline). Needs ``file_access`` first."""
    by_id = {r.id: r for r in requests_of(session, party_id)}
    out = []
    for q in session.scalars(select(DispensedQuarter).where(DispensedQuarter.party_id == party_id)
                             .order_by(DispensedQuarter.period)):
        r = by_id.get(q.buyback_request_id) if q.buyback_request_id else None
        if q.bought_back_on is not None:
            state = "bought_back"
        elif q.buyback_lapsed_on is not None or today > q.buyback_deadline:
            state = "lapsed"
        elif r is not None and r.status == "open":
            state = "asked"
        else:
            state = "open"
        out.append({"period": q.period, "dispensed_cents": q.dispensed_cents, "deadline": q.buyback_deadline,
                    "state": state, "bought_back_on": q.bought_back_on,
                    "lapsed_on": q.buyback_lapsed_on or q.buyback_deadline + dt.timedelta(days=1),
                    "communication": r.communication if state == "asked" else None,
                    "left_cents": open_cents(session, r) if state == "asked" else 0})
    return out


def requests_of(session: Session, party_id: int) -> list[BuybackRequest]:
    return list(session.scalars(select(BuybackRequest).where(BuybackRequest.party_id == party_id)
                                .order_by(BuybackRequest.number)))


def get(session: Session, who: Principal, request_id: int, *, audit_as: str = "buyback_request",
        what: str | None = None) -> BuybackRequest:
    """A buy-back request read (its due notice drawn: ``what``), once ``who`` may read the file
    (``affiliation.file_record``: the role first, an affiliate or accountant refused alike for another file's
    request and for one that does not exist, then the file's team and need to know); the read is audited on
    ``audit_as`` with the need-to-know reason."""
    return file_record(session, who, BuybackRequest, request_id, "file.read", thing="buy-back request",
                       owner="party_id", audit_as=audit_as, what=what)[0]


def open_cents(session: Session, r: BuybackRequest) -> int:
    """What is still to pay on the request (its ``buyback`` items)."""
    return int(session.scalar(select(cast(func.coalesce(func.sum(LedgerEntry.amount_cents), 0), BigInteger)).where(
        LedgerEntry.account == BUYBACK, LedgerEntry.party_id == r.party_id,
        LedgerEntry.parameter == f"buyback:{r.id}")))


def notice_lines(session: Session, r: BuybackRequest, lang: str | None = None) -> list[tuple[str, str]]:
    """(style, text) of the due notice, in the person's language: each quarter with its amount and deadline (or the
    day it was bought back), the total, the account and the request's own structured communication, what the notes
    leave unknown, the legal basis."""
    lang = lang or r.language
    quarters = {q.period: q for q in session.scalars(select(DispensedQuarter).where(
        DispensedQuarter.buyback_request_id == r.id))}
    out = [("title", t("buyback_title", lang)), ("text", t("buyback_intro", lang))]
    for period in r.periods:
        q = quarters[period]
        if q.bought_back_on is not None:
            out.append(("bold", t("buyback_state", lang, period=period, date=fmt_date(q.bought_back_on, lang))))
        else:
            out.append(("bold", t("buyback_line", lang, period=period, amount=fmt_money(q.dispensed_cents, lang),
                                  deadline=fmt_date(q.buyback_deadline, lang))))
    out.append(("text", t("buyback_pay", lang, amount=fmt_money(open_cents(session, r), lang),
                          iban=get_settings().fund_iban, ogm=r.communication)))
    out.append(("text", t("buyback_unknown", lang)))
    out.append(("small", t("buyback_law", lang)))
    return out


def describe(session: Session, r: BuybackRequest) -> str:
    left = open_cents(session, r)
    return (f"buy-back {r.number} (request {r.id}): {', '.join(r.periods)} — {r.status}, {fmt(r.amount_cents)} EUR"
            f" asked on {r.asked_on}, {fmt(left)} EUR still to pay by {r.due_date}, communication {r.communication}"
            + (f", paid on {r.paid_on}" if r.paid_on else "")
            + "; unknown: " + "; ".join(UNKNOWN_TEXT[k] for k in r.unknown))


__all__ = ["RULE", "UNKNOWN", "describe", "get", "lapse", "notice_lines", "open_cents", "quarters_of",
           "record_bought_back", "request_buyback", "requests_of"]
