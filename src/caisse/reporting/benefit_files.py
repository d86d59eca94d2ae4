"""Outbound files about benefits, each an ``Export`` of the outgoing-file machinery (``reporting.outgoing``: only
changes sent, corrections naming what they correct, rejected records resent, the same date giving back the same
file, acknowledgements imported) — one set-based SELECT of the current records as of a date:

* ``voucher_export`` — **service-voucher requests** (docs/formats/service-vouchers.md): the maternity aid's 105
  free vouchers asked via the fund (legislation.md §8.2 [S46][S120]) once the maternity claim is granted; the 15
  vouchers reimbursed when at most 8 days of birth leave are taken (§8.3 [S49], addendum §8.3 [S258][S260]) for the
  births where the parameter files know the rule (births 1-5-2019 to 31-12-2022; NOT FOUND from 2023);
* ``insurability_export`` — **insurability answers** to the mutualities (the purpose of the L410 flow, §11.2 [S66];
  docs/formats/insurability.md): for every incapacity the fund learned, the quarter it starts and the quarters
  before (``insurability_answer_quarters_before``, fund policy: the window is NOT FOUND), each with the career
  file's state and whether it is in order;
* ``benefit_tax_export`` — the **tax records of the benefits** the fund paid (docs/formats/benefit-tax.md): per
  person, year and benefit, what was transferred, set off (an undue benefit, or contributions with the person's
  agreement) and withheld as tax in the year; the form is 281.18 for birth leave (addendum §8.3 [S260]) and NOT
  FOUND for the others; box codes NOT FOUND; the withholding rate the fund recorded and applied, with its source
  id, else NOT FOUND (none is in the notes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from caisse.benefits.models import BenefitClaim, BenefitEvent, BenefitEventLine
from caisse.exchange.fixed_width import BENEFIT_TAX, INSURABILITY, VOUCHERS, FileFormat
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.reporting.career import _category, quarter_states
from caisse.reporting.outgoing import Export
from caisse.rules.params import load
from caisse.store.models import Person


def _text(col):
    return func.coalesce(cast(col, String), literal(""))


def _content(*cols):
    out = _text(cols[0])
    for c in cols[1:]:
        out = out + literal("|") + _text(c)
    return out


def _ymd(iso):
    """``2025-02-05`` → ``20250205`` (an ISO date as text: a JSON fact, or a date column cast to text)."""
    return func.replace(iso, "-", "")


def _quarter_of(iso):
    """The quarter (``2025Q1``) of an ISO date held as text."""
    month = cast(func.substr(iso, 6, 2), Integer)
    return func.substr(iso, 1, 4) + literal("Q") + cast((month + 2) // 3, String)


def _cancel(fmt: FileFormat, changes: dict):
    def cancel_content(previous: str) -> str:
        values = fmt.from_content(previous)
        values.update(changes)
        return fmt.content(values)
    return cancel_content


# --- service vouchers ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Known:
    """A dated value of a parameter the files publish (``start`` to ``end`` inclusive, ``end`` None: open)."""

    start: dt.date
    end: dt.date | None
    value: int


def known(name: str) -> list[Known]:
    """The periods in which parameter ``name`` has a published value (never an estimate or unknown)."""
    p = load().parameter(name)
    out = []
    for i, v in enumerate(p.values):
        if v.status in ("official", "fund", "secondary"):
            nxt = p.values[i + 1].start - dt.timedelta(days=1) if i + 1 < len(p.values) else None
            out.append(Known(v.start, v.end or nxt, int(v.value)))
    return out


def _in(col, k: Known):
    return and_(col >= k.start.isoformat(), *(() if k.end is None else (col <= k.end.isoformat(),)))


def last_final_birth(as_of: dt.date) -> dt.date:
    """The latest birth whose birth leave can no longer be asked on ``as_of`` (its request limit is over): the days
    taken for it are final."""
    from caisse.benefits.service import birth_leave_request_limit

    day = as_of
    while birth_leave_request_limit(day) >= as_of:
        day -= dt.timedelta(days=1)
    return day


def _birth_leaves(as_of: dt.date):
    """Per person and birth: the half-days of birth leave granted by ``as_of`` and the first claim."""
    c = BenefitClaim
    birth = c.facts["birth_date"].as_string()
    return (select(c.person_id.label("party_id"), birth.label("birth"),
                   cast(func.sum(c.counted), BigInteger).label("half_days"), func.min(c.id).label("claim"))
            .where(c.kind == "birth_leave", c.outcome == "granted", c.decided_on <= as_of,
                   birth <= last_final_birth(as_of).isoformat())
            .group_by(c.person_id, birth)).subquery("bl")


def vouchers_current(session: Session, as_of: dt.date):
    c, earlier = BenefitClaim, aliased(BenefitClaim, name="earlier")
    birth = c.facts["birth_date"].as_string()
    requested = c.facts["vouchers_requested"].as_string()
    # one request per mother and birth: her maternity rest granted in two claims (the compulsory weeks, then the
    # others) with the vouchers asked on both is the first claim's request — never 2 × 105 vouchers, nor a line
    # that flips between the two claims from one file to the next
    asked_before = (select(earlier.id).where(
        earlier.person_id == c.person_id, earlier.kind == "maternity", earlier.outcome == "granted",
        earlier.decided_on <= as_of, earlier.facts["birth_date"].as_string() == birth,
        earlier.facts["vouchers_requested"].as_string().is_not(None), earlier.id < c.id).exists())
    maternity = (select(c.person_id.label("party_id"),
                        (_quarter_of(birth) + literal("/maternity/") + _ymd(birth)).label("subject"),
                        _content(Person.niss, literal("maternity"), _ymd(birth), c.decision["service_vouchers"]
                                 .as_integer(), literal("free"), _ymd(requested), literal(0), c.id).label("content"))
                 .join(Person, Person.id == c.person_id)
                 .where(c.kind == "maternity", c.outcome == "granted", c.decided_on <= as_of,
                        requested.is_not(None), ~asked_before))
    bl = _birth_leaves(as_of)
    vouchers, max_days = known("birth_leave_service_vouchers"), known("birth_leave_service_vouchers_max_days")
    if not vouchers or not max_days:
        return maternity
    count = case(*[(_in(bl.c.birth, k), literal(k.value)) for k in vouchers], else_=literal(None, Integer))
    most = case(*[(_in(bl.c.birth, k), literal(2 * k.value)) for k in max_days], else_=literal(None, Integer))
    birth_leave = (select(bl.c.party_id, (_quarter_of(bl.c.birth) + literal("/birth_leave/") + _ymd(bl.c.birth))
                          .label("subject"),
                          _content(Person.niss, literal("birth_leave"), _ymd(bl.c.birth), count, literal("refund"),
                                   literal(""), bl.c.half_days, bl.c.claim).label("content"))
                   .join(Person, Person.id == bl.c.party_id)
                   .where(count.is_not(None), most.is_not(None), bl.c.half_days <= most))
    return union_all(maternity, birth_leave)


def vouchers_not_sent(session: Session, as_of: dt.date) -> int:
    """Births whose birth leave is final on ``as_of`` and for which the 15-voucher rule is NOT FOUND (births from
    1-1-2023): said by the command, never sent on a guess."""
    bl = _birth_leaves(as_of)
    ranges = known("birth_leave_service_vouchers")
    if not ranges:
        return int(session.scalar(select(func.count()).select_from(bl)) or 0)
    return int(session.scalar(select(func.count()).select_from(bl)
                              .where(~or_(*[_in(bl.c.birth, k) for k in ranges]))) or 0)


def voucher_export() -> Export:
    return Export("service-vouchers", "VOUCHERS", VOUCHERS, _current(vouchers_current),
                  _cancel(VOUCHERS, {"vouchers": 0}), "service-voucher requests")


def _current(fn):
    """A SELECT of party_id, subject, content from a union of such SELECTs."""
    def current(session: Session, as_of: dt.date):
        sub = fn(session, as_of).subquery("rows")
        return select(sub.c.party_id, sub.c.subject, sub.c.content)
    return current


# --- insurability answers -----------------------------------------------------------------------------------------

def _incapacities(as_of: dt.date):
    e = BenefitEvent
    return select(e.id, e.person_id, e.event_date).where(e.kind == "incapacity", e.known_on <= as_of)


def asked_quarters(as_of: dt.date, before: int):
    """SELECT event_id, party_id, incapacity (ISO text), period: for every incapacity known on ``as_of``, the
    quarter it starts and the ``before`` quarters before it."""
    e = _incapacities(as_of).subquery("inc")
    iso = cast(e.c.event_date, String)
    index = cast(func.substr(iso, 1, 4), Integer) * 4 + (cast(func.substr(iso, 6, 2), Integer) - 1) // 3
    parts = []
    for k in range(before + 1):
        i = index - k
        parts.append(select(e.c.id.label("event_id"), e.c.person_id.label("party_id"), iso.label("incapacity"),
                            (cast(i // 4, String) + literal("Q") + cast(i % 4 + 1, String)).label("period")))
    return union_all(*parts)


def insurability_current(session: Session, as_of: dt.date):
    before = int(load().get("insurability_answer_quarters_before", as_of).value)
    a = asked_quarters(as_of, before).subquery("asked")
    persons = select(_incapacities(as_of).subquery("p").c.person_id.label("party_id")).subquery("persons")
    s = quarter_states(session, as_of, parties=persons, pending=True).subquery("s")
    line = BenefitEventLine
    notice = (select(line.reference).where(line.event_id == a.c.event_id, line.status == "recorded")
              .order_by(line.id).limit(1).correlate(a).scalar_subquery())
    known_state = s.c.party_id.is_not(None)
    zero = literal(0, BigInteger)
    content = _content(Person.niss, notice, _ymd(a.c.incapacity), a.c.period,
                       case((known_state, s.c.category),
                            else_=func.coalesce(_category(session, a.c.party_id, a.c.period, a), literal("unknown"))),
                       func.coalesce(s.c.in_order, literal("N")), func.coalesce(s.c.state, literal("none")),
                       func.coalesce(s.c.called, zero), func.coalesce(s.c.paid, zero), func.coalesce(s.c.open, zero),
                       func.coalesce(s.c.reason, literal("not_called")), s.c.decision)
    return (select(a.c.party_id, (a.c.period + literal("/") + cast(a.c.event_id, String)).label("subject"),
                   content.label("content"))
            .select_from(a.outerjoin(s, and_(s.c.party_id == a.c.party_id, s.c.period == a.c.period))
                         .join(Person, Person.id == a.c.party_id)))


def insurability_export() -> Export:
    return Export("insurability", "INSURAB", INSURABILITY, insurability_current,
                  _cancel(INSURABILITY, {"in_order": "", "state": "cancelled", "called": 0, "paid": 0, "open": 0,
                                         "reason": "withdrawn", "decision": ""}),
                  "insurability answers (mutualities)")


# --- tax records of benefits --------------------------------------------------------------------------------------

FORMS = {"birth_leave": "281.18"}  # addendum §8.3 [S260]; every other benefit: NOT FOUND in the notes
NOT_FOUND = "NOT_FOUND"
FUND_PAID = ("bridging_right", "birth_leave", "carer", "bereavement")


def last_ended_year(as_of: dt.date) -> int:
    """The last calendar year ended on ``as_of`` (a year is reported once it is over)."""
    return as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1


def benefit_tax_current(session: Session, as_of: dt.date):
    end = dt.date(last_ended_year(as_of), 12, 31)
    e, c = LedgerEntry, BenefitClaim
    pay, grant = aliased(LedgerTransaction, name="pay"), aliased(LedgerTransaction, name="grant")
    zero = literal(0, BigInteger)
    # the rate the grant was taxed at, as its ``withholding_tax`` entry recorded it (``benefits.undue._post_grant``):
    # the transfers and what the grant kept are reported with it; no entry, no rate (NOT_FOUND)
    w = aliased(LedgerEntry, name="w")
    rates = (select(w.transaction_id.label("grant_id"), w.explanation["rate"].as_string().label("rate"),
                    w.explanation["source_id"].as_string().label("source_id"),
                    w.explanation["from"].as_string().label("rate_from"))
             .where(w.account == "withholding_tax")).subquery("rates")

    # one record per person, year, benefit and rate applied: the payments without a rate keep the subject
    # ``year/benefit`` (as in version 1); those taxed at a recorded rate are ``year/benefit/<rate's first day>``
    # (the rates of one benefit never overlap, so its first day names it; a grant posted before the entry recorded it
    # has it in its decision)
    key = case((rates.c.rate.is_(None), literal("")), else_=literal("/") + _ymd(func.coalesce(
        rates.c.rate_from, c.decision["withholding"]["from"].as_string())))

    def taxed(q):
        return q.outerjoin(rates, rates.c.grant_id == grant.id)

    paid = taxed(select(e.party_id.label("party_id"), func.substr(cast(pay.booked_on, String), 1, 4).label("year"),
                        c.kind.label("benefit"), e.amount_cents.label("paid"), zero.label("set_off"),
                        zero.label("tax"), c.id.label("claim"), rates.c.rate.label("rate"),
                        rates.c.source_id.label("source_id"), key.label("key"))
                 .join(pay, pay.id == e.transaction_id).join(grant, grant.id == pay.refers_to_id)
                 .join(c, c.ledger_key == grant.key)) \
        .where(pay.kind == "payout", e.account == "benefit", e.amount_cents > 0, pay.booked_on <= end)
    # kept out of the grant itself, on its day: what settled an undue benefit, what settled contributions with the
    # person's agreement (``benefits.setoff``: credited to them, then imputed) and the withholding tax at a rate the
    # fund recorded (``benefits.withholding``)
    set_off_entry = or_(e.account == "benefit_undue", and_(e.account == "credit", e.parameter == "benefit_set_off"))
    kept = taxed(select(e.party_id, func.substr(cast(grant.booked_on, String), 1, 4), c.kind, zero,
                        case((set_off_entry, -e.amount_cents), else_=zero),
                        case((e.account == "withholding_tax", -e.amount_cents), else_=zero), c.id, rates.c.rate,
                        rates.c.source_id, key)
                 .join(grant, grant.id == e.transaction_id).join(c, c.ledger_key == grant.key)) \
        .where(grant.kind == "benefit", or_(set_off_entry, e.account == "withholding_tax"), grant.booked_on <= end)
    u = union_all(paid, kept).subquery("u")
    t = (select(u.c.party_id, u.c.year, u.c.benefit, u.c.key, func.max(u.c.rate).label("rate"),
                func.max(u.c.source_id).label("source_id"),
                cast(func.sum(u.c.paid), BigInteger).label("paid"),
                cast(func.sum(u.c.set_off), BigInteger).label("set_off"),
                cast(func.sum(u.c.tax), BigInteger).label("tax"),
                func.count(func.distinct(u.c.claim)).label("claims"))
         .where(u.c.benefit.in_(FUND_PAID))
         .group_by(u.c.party_id, u.c.year, u.c.benefit, u.c.key)).subquery("t")
    form = case(*[(t.c.benefit == k, literal(v)) for k, v in FORMS.items()], else_=literal(NOT_FOUND))
    # the source id is the content's optional tail (BENEFIT_TAX.optional_tail): left out without a rate, so a record
    # sent in version 1 reads the same and is not corrected for a column added
    content = (_content(Person.niss, t.c.year, t.c.benefit, form, literal(NOT_FOUND), t.c.paid, t.c.set_off,
                        t.c.paid + t.c.set_off + t.c.tax, t.c.tax, func.coalesce(t.c.rate, literal(NOT_FOUND)),
                        t.c.claims)
               + case((t.c.rate.is_(None), literal("")), else_=literal("|") + _text(t.c.source_id)))
    return (select(t.c.party_id, (t.c.year + literal("/") + t.c.benefit + t.c.key).label("subject"),
                   content.label("content"))
            .join(Person, Person.id == t.c.party_id))


def benefit_tax_export() -> Export:
    return Export("benefit-tax", "BENEFITTAX", BENEFIT_TAX, benefit_tax_current,
                  _cancel(BENEFIT_TAX, {"paid": 0, "set_off": 0, "gross": 0, "tax_withheld": 0, "claims": 0}),
                  "tax records of benefits", period=lambda subject: subject[:4])


EXPORTS = {"service-vouchers": voucher_export, "insurability": insurability_export, "benefit-tax": benefit_tax_export}

__all__ = ["EXPORTS", "benefit_tax_export", "insurability_export", "voucher_export", "vouchers_not_sent"]
