"""Career data for pensions (INASTI) and contributions paid for the mutualities (the A908 purpose), per person and
quarter, as of a reference date — one set-based SQL query, no loop over affiliates.

For every (person, quarter) with principal social contributions (ledger account ``contribution``; management fees
are the fund's, company contributions are not a person's career) called on or before the reference date:

* ``called``  = charges and regularisations of the quarter booked up to the date (calls, supplements, reductions);
* ``paid``    = money imputed on it (net of releases of an overpaid part and of payments the bank returned);
* ``written_off`` = what the fund renounced (write-offs); ``open`` = what is still owed (the balance).

The quarter is reported once it is due (its earliest due date on or before the reference date) or fully paid;
a quarter called but not yet due and not paid is not reported yet. Its **state**, first match wins:

1. ``bought_back`` — dispensed (``dispensations()`` says so: status ``bought_back``), or dispensed and fully paid;
2. ``paid``        — fully paid: ``paid >= called`` (reason ``paid``);
3. ``kept_rights`` / ``assimilated`` — rights kept without contributions (``kept_rights()``): dispensed with a
   benefit (reason ``maternity`` / ``carer``) or a period of incapacity assimilated (reason ``illness``);
4. ``dispensed``   — a dispensation granted by INASTI for the quarter (``dispensations()``; reason ``dispensation``);
5. ``prescribed``  — the contributions are prescribed (``prescriptions()``; reason ``prescription``);
6. ``unpaid``      — reason ``written_off`` (part renounced, e.g. art. 50bis), ``partly_paid`` or ``not_paid``.

A quarter kept without contributions is reported even when nothing was called for it (the quarterly call skipped
it, or its call was cancelled when the benefit was granted): from the day the right was recorded, with the
ledger's figures (zeros when nothing was ever called).

For the mutualities a quarter is **in order** (Y) when paid, bought back, dispensed (a dispensation keeps the
health-care rights, legislation.md §5 "Effect of dispensation"), kept with a benefit ("without loss of rights",
§8.2 [S44]) or assimilated (§9 [S129]); not (N) when unpaid or prescribed; their file gives an unpaid quarter the
one reason ``not_paid`` (a partial payment changes nothing for them).

The **category** is the contributor category of the person's affiliation valid in the quarter (the period covering
most recently started on or before the quarter's last day and not ended before its first day), ``unknown`` if none.

PLUG-IN POINTS — ``dispensations``, ``prescriptions`` and ``kept_rights`` below read the records of the relief
decisions, the prescription batch and the benefits. Each must return a SELECT (or None) of exactly these columns,
at most one row per (party_id, period), for decisions taken on or before ``as_of``:

* ``dispensations(as_of)``: ``party_id`` (int, the person), ``period`` (``'2025Q1'``), ``status`` (``'dispensed'``,
  or ``'bought_back'`` once the dispensed contributions were paid within the 5 years, legislation.md §9),
  ``reference`` (text ≤ 20 plain characters, the decision's reference, or NULL);
* ``prescriptions(as_of)``: ``party_id``, ``period``, ``reference`` (text ≤ 20 or NULL) — the quarters whose
  contributions are prescribed (art. 16 §2 RD n° 38, addendum §6.4) as recorded on that date;
* ``kept_rights(as_of)``: ``party_id``, ``period``, ``state`` (``'kept_rights'`` or ``'assimilated'``), ``reason``
  (``maternity``, ``carer``, ``illness``), ``reference`` (text ≤ 20 or NULL) — quarters whose rights are kept
  without contributions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import (
    BigInteger,
    Date,
    Select,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session, aliased

from caisse.exchange.fixed_width import CAREER, MUTUALITY
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.reporting.outgoing import Export
from caisse.store.models import Affiliation, CategoryPeriod, Person

STATES = ("paid", "kept_rights", "assimilated", "dispensed", "bought_back", "prescribed", "unpaid")
IN_ORDER = ("paid", "bought_back", "dispensed", "kept_rights", "assimilated")


# --- PLUG-IN POINTS ---------------------------------------------------------------------------------------------

def dispensations(as_of: dt.date):
    """The quarters dispensed by INASTI as known on ``as_of`` (``dispensed_quarter``, written when a dispensation
    is granted: docs/recovery.md): SELECT party_id, period, status ('dispensed', or 'bought_back' once the buy-back
    is recorded by that day), reference ``relief/<request>``."""
    from caisse.recovery.models import DispensedQuarter as D

    bought = and_(D.bought_back_on.is_not(None), D.bought_back_on <= as_of)
    return (select(D.party_id, D.period, case((bought, literal("bought_back")), else_=literal("dispensed"))
                   .label("status"), (literal("relief/", String) + cast(D.request_id, String)).label("reference"))
            .where(D.granted_on <= as_of))


def prescriptions(as_of: dt.date):
    """The quarters whose contributions were written off as prescribed by ``as_of`` (``prescribed_quarter``,
    written by `caisse run prescription`): SELECT party_id, period, reference 'prescription'."""
    from caisse.recovery.models import PrescribedQuarter as P

    return (select(P.party_id, P.period, literal("prescription", String).label("reference"))
            .where(P.prescribed_on <= as_of))


def kept_rights(as_of: dt.date, *, pension: bool = False):
    """The quarters whose rights are kept without contributions, as known on ``as_of``: SELECT party_id, period,
    state, reason, reference — at most one row per person and quarter. ``pension``: only the quarters whose
    **pension** rights are kept (the INASTI career file) — without the bridging right's.

    * ``kept_rights`` — contributions dispensed with a benefit, rights kept (``benefit_dispensed_quarter``: the
      quarter after a birth, maternity [S44]; the quarter of the third month of a full carer interruption [S204]
      [S205]); reason ``maternity`` / ``carer``, reference ``claim/<id>``; from the day the claim was granted;
    * ``assimilated`` — a period of incapacity assimilated (free maintenance of social security, pension included,
      legislation.md §9 [S129]): the quarters the institution granted on an illness-assimilation request
      (``benefit_insurance_quarter``), from the day the fund recorded the decision; reason ``illness``, reference
      ``assimilation/<request id>``. A quarter both dispensed with a benefit and assimilated is ``kept_rights``;
    * ``kept_rights`` — the health-care and incapacity/maternity rights a granted bridging right maintains without
      contributions, **pension not included** (legislation §8.1 [S41][S39]; ``benefit_maintained_quarter``), reason
      ``bridging``, reference ``claim/<id>``, from the day the claim was granted until the day an undue-benefit
      decision on the claim withdrew it (``withdrawn_on``); not with ``pension`` (the quarter
      gives no pension right: the career file shows it as the ledger has it, unpaid or absent). A quarter also
      dispensed with a benefit or assimilated is that.

    Continued-insurance quarters are not here: whether one opens rights depends on its own contributions being
    paid, whose percentages are NOT FOUND in the notes and which the fund neither calls nor collects."""
    from caisse.benefits.models import BenefitDispensedQuarter as B
    from caisse.benefits.models import BenefitMaintainedQuarter as M
    from caisse.benefits.models import InsuranceQuarter as Q

    benefit = (select(B.person_id.label("party_id"), B.period.label("period"),
                      literal("kept_rights", String).label("state"), B.reason.label("reason"),
                      (literal("claim/", String) + cast(B.claim_id, String)).label("reference"))
               .where(B.granted_on <= as_of))
    other = aliased(B)
    illness = (select(Q.person_id, Q.period, literal("assimilated", String), literal("illness", String),
                      literal("assimilation/", String) + cast(Q.request_id, String))
               .where(Q.kind == "illness_assimilation", Q.recorded_on <= as_of,
                      ~select(other.id).where(other.person_id == Q.person_id, other.period == Q.period,
                                              other.granted_on <= as_of).exists()))
    if pension:
        return union_all(benefit, illness)
    dispensed, assimilated = aliased(B), aliased(Q)
    bridging = (select(M.person_id, M.period, literal("kept_rights", String), literal("bridging", String),
                       literal("claim/", String) + cast(M.claim_id, String))
                .where(M.granted_on <= as_of, or_(M.withdrawn_on.is_(None), M.withdrawn_on > as_of),
                       ~select(dispensed.id).where(dispensed.person_id == M.person_id, dispensed.period == M.period,
                                                   dispensed.granted_on <= as_of).exists(),
                       ~select(assimilated.id).where(assimilated.person_id == M.person_id,
                                                     assimilated.period == M.period,
                                                     assimilated.kind == "illness_assimilation",
                                                     assimilated.recorded_on <= as_of).exists()))
    return union_all(benefit, illness, bridging)


Hook = Callable[[dt.date], object]


# --- the query --------------------------------------------------------------------------------------------------

def _sum_if(condition):
    return cast(func.coalesce(func.sum(case((condition, LedgerEntry.amount_cents), else_=0)), 0), BigInteger)


def _quarter_bound(session: Session, period, last: bool):
    """The first or last day of the quarter ``period`` ('2025Q1') as a date expression (PostgreSQL casts the text;
    SQLite keeps dates as ISO text, so the text compares as a date there)."""
    q = func.substr(period, 6, 1)
    if last:
        md = case((q == "1", literal("-03-31")), (q == "2", literal("-06-30")), (q == "3", literal("-09-30")),
                  else_=literal("-12-31"))
    else:
        md = case((q == "1", literal("-01-01")), (q == "2", literal("-04-01")), (q == "3", literal("-07-01")),
                  else_=literal("-10-01"))
    text = func.substr(period, 1, 4) + md
    if session.get_bind().dialect.name == "postgresql":
        return cast(text, Date)
    return type_coerce(text, Date)


def _amounts(as_of: dt.date, *, parties=None, kept=None) -> Select:
    """The quarter's contribution figures from the ledger (entries booked up to ``as_of``), per person and quarter;
    ``parties`` (a subquery of ``party_id``) or ``kept`` (a subquery of ``party_id, period``) restrict the entries
    read."""
    t, e = LedgerTransaction, LedgerEntry
    debt = t.kind.in_(("charge", "regularisation"))
    # a quarter ('2025Q1', not a year): LIKE, whose share of the rows PostgreSQL estimates from the column's
    # statistics, where ``length(period) = 6`` was guessed at 0.5 % — a plan for a few thousand rows (a nested loop
    # per ledger entry) on the millions of a real fund
    q = (select(e.party_id.label("party_id"), e.period.label("period"),
                _sum_if(debt).label("called"), (-_sum_if(t.kind == "imputation")).label("paid"),
                (-_sum_if(t.kind == "write_off")).label("written_off"),
                cast(func.sum(e.amount_cents), BigInteger).label("open"), func.min(e.due_date).label("due"))
         .join(t, t.id == e.transaction_id)
         .where(t.booked_on <= as_of, e.account == "contribution", e.period.like("____Q_")))
    if parties is not None:
        q = q.where(e.party_id.in_(select(parties.c.party_id)))
    if kept is not None:
        q = q.join(kept, and_(kept.c.party_id == e.party_id, kept.c.period == e.period))
    return q.group_by(e.party_id, e.period)


def _category(session: Session, party, period, outer):
    """The contributor category of ``party`` in quarter ``period`` (a correlated lookup)."""
    a, cp = aliased(Affiliation), aliased(CategoryPeriod)
    first_day, last_day = _quarter_bound(session, period, False), _quarter_bound(session, period, True)
    return (select(cp.category).join(a, a.id == cp.affiliation_id)
            .where(a.person_id == party, a.status.in_(("affiliated", "ceased")),
                   cp.valid_from <= last_day, or_(cp.valid_to.is_(None), cp.valid_to >= first_day))
            .order_by(cp.valid_from.desc(), cp.id.desc()).limit(1).correlate(outer).scalar_subquery())


def quarter_states(session: Session, as_of: dt.date, *, dispensed: Hook | None = None,
                   prescribed: Hook | None = None, kept: Hook | None = None, parties=None,
                   pending: bool = False) -> Select:
    """SELECT party_id, period, niss, category, called, paid, written_off, open, state, reason, decision, in_order:
    one row per person and quarter reported as of ``as_of`` (module docstring). ``dispensed``/``prescribed``/
    ``kept`` replace the plug-in functions (tests). ``parties`` (a subquery of ``party_id``) limits the persons
    read; ``pending`` also gives the quarters called but not due yet (state ``not_due``, reason ``not_due``: the
    insurability answers, which must say something of every quarter asked)."""
    q = _amounts(as_of, parties=parties).subquery("q")
    fully = and_(q.c.called > 0, q.c.paid >= q.c.called)
    reported = or_(q.c.due.is_(None), q.c.due <= as_of, fully)

    d_sel = (dispensed or dispensations)(as_of)
    p_sel = (prescribed or prescriptions)(as_of)
    stmt_from = q
    if d_sel is not None:
        d0 = d_sel.subquery("d0")
        d = (select(d0.c.party_id, d0.c.period,
                    func.max(case((d0.c.status == "bought_back", 1), else_=0)).label("bought_back"),
                    func.max(d0.c.reference).label("reference"))
             .group_by(d0.c.party_id, d0.c.period).subquery("d"))
        stmt_from = stmt_from.outerjoin(d, and_(d.c.party_id == q.c.party_id, d.c.period == q.c.period))
        is_d, d_back, d_ref = d.c.party_id.is_not(None), d.c.bought_back == 1, d.c.reference
    else:
        is_d, d_back, d_ref = literal(False), literal(False), literal(None, String)
    if p_sel is not None:
        p0 = p_sel.subquery("p0")
        p = (select(p0.c.party_id, p0.c.period, func.max(p0.c.reference).label("reference"))
             .group_by(p0.c.party_id, p0.c.period).subquery("p"))
        stmt_from = stmt_from.outerjoin(p, and_(p.c.party_id == q.c.party_id, p.c.period == q.c.period))
        is_p, p_ref = p.c.party_id.is_not(None), p.c.reference
    else:
        is_p, p_ref = literal(False), literal(None, String)
    k_sel = (kept or kept_rights)(as_of)
    k = None
    if k_sel is not None:
        k0 = k_sel.subquery("k0")
        k = (select(k0.c.party_id, k0.c.period, func.max(k0.c.state).label("state"),
                    func.max(k0.c.reason).label("reason"), func.max(k0.c.reference).label("reference"))
             .group_by(k0.c.party_id, k0.c.period).subquery("k"))
        stmt_from = stmt_from.outerjoin(k, and_(k.c.party_id == q.c.party_id, k.c.period == q.c.period))
        is_k, k_state, k_reason, k_ref = k.c.party_id.is_not(None), k.c.state, k.c.reason, k.c.reference
    else:
        is_k, k_state, k_reason, k_ref = literal(False), literal(None, String), literal(None, String), \
            literal(None, String)
    # quarters called but not due yet (only asked with ``pending``)
    waiting = ~reported if pending else false()

    back = and_(is_d, or_(d_back, fully))
    state = case((back, literal("bought_back")),
                 (fully, literal("paid")),
                 (is_k, k_state),
                 (waiting, literal("not_due")),
                 (is_d, literal("dispensed")),
                 (is_p, literal("prescribed")),
                 else_=literal("unpaid"))
    reason = case((back, literal("bought_back")),
                  (fully, literal("paid")),
                  (is_k, k_reason),
                  (waiting, literal("not_due")),
                  (is_d, literal("dispensation")),
                  (is_p, literal("prescription")),
                  (q.c.written_off > 0, literal("written_off")),
                  (q.c.paid > 0, literal("partly_paid")),
                  else_=literal("not_paid"))
    decision = case((back, d_ref), (fully, literal(None, String)), (is_k, k_ref), (is_d, d_ref), (is_p, p_ref),
                    else_=literal(None, String))

    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        a, cp = aliased(Affiliation), aliased(CategoryPeriod)
        first_day, last_day = _quarter_bound(session, q.c.period, False), _quarter_bound(session, q.c.period, True)
        # joined, the latest period kept by DISTINCT ON: a third of the time of a subquery run per person-quarter
        c = (select(a.person_id, cp.category, cp.valid_from, cp.valid_to, cp.id)
             .join(a, a.id == cp.affiliation_id).where(a.status.in_(("affiliated", "ceased"))).subquery("c"))
        stmt_from = stmt_from.outerjoin(c, and_(c.c.person_id == q.c.party_id, c.c.valid_from <= last_day,
                                                or_(c.c.valid_to.is_(None), c.c.valid_to >= first_day)))
        category = c.c.category
    else:
        category = _category(session, q.c.party_id, q.c.period, q)
    stmt = (select(q.c.party_id, q.c.period, Person.niss.label("niss"),
                   func.coalesce(category, literal("unknown")).label("category"),
                   q.c.called, q.c.paid, q.c.written_off, q.c.open, state.label("state"), reason.label("reason"),
                   decision.label("decision"),
                   case((state.in_(IN_ORDER), literal("Y")), else_=literal("N")).label("in_order"))
            .select_from(stmt_from.join(Person, Person.id == q.c.party_id))
            .where(q.c.called > 0, *(() if pending else (reported,))))
    if postgresql:
        stmt = (stmt.ext(distinct_on(q.c.party_id, q.c.period))
                .order_by(q.c.party_id, q.c.period, c.c.valid_from.desc(), c.c.id.desc()))
    if k is None:
        return stmt
    # the quarters kept without contributions that the ledger does not report (nothing called — the call skipped
    # or cancelled —, or not due yet): their own rows, the ledger's figures for them read apart (a few rows)
    kq = _amounts(as_of, parties=parties, kept=k).subquery("kq")
    k_fully = and_(kq.c.called > 0, kq.c.paid >= kq.c.called)
    k_called = func.coalesce(kq.c.called, 0) > 0
    k_reported = k_called if pending else and_(k_called, or_(kq.c.due.is_(None), kq.c.due <= as_of, k_fully))
    zero = literal(0, BigInteger)
    only_kept = (select(k.c.party_id, k.c.period, Person.niss.label("niss"),
                        func.coalesce(_category(session, k.c.party_id, k.c.period, k), literal("unknown"))
                        .label("category"),
                        cast(func.coalesce(kq.c.called, zero), BigInteger).label("called"),
                        cast(func.coalesce(kq.c.paid, zero), BigInteger).label("paid"),
                        cast(func.coalesce(kq.c.written_off, zero), BigInteger).label("written_off"),
                        cast(func.coalesce(kq.c.open, zero), BigInteger).label("open"),
                        k.c.state, k.c.reason, k.c.reference.label("decision"), literal("Y").label("in_order"))
                 .select_from(k.outerjoin(kq, and_(kq.c.party_id == k.c.party_id, kq.c.period == k.c.period))
                              .join(Person, Person.id == k.c.party_id))
                 .where(~k_reported))
    if parties is not None:
        only_kept = only_kept.where(k.c.party_id.in_(select(parties.c.party_id)))
    both = union_all(select(stmt.subquery("reported")), only_kept).subquery("states")
    return select(both)


def _text(col):
    return func.coalesce(cast(col, String), literal(""))


def _current(content_fields: tuple[str, ...], dispensed: Hook | None = None, prescribed: Hook | None = None,
             *, one_unpaid_reason: bool = False, kept: Hook | None = None):
    """The export's current records. ``one_unpaid_reason`` (the mutualities): an unpaid quarter's reason is always
    ``not_paid``, so a partial payment or a write-off that leaves it unpaid changes nothing and sends nothing."""
    def current(session: Session, as_of: dt.date):
        s = quarter_states(session, as_of, dispensed=dispensed, prescribed=prescribed, kept=kept).subquery("s")
        columns = dict(s.c)
        if one_unpaid_reason:
            columns["reason"] = case((s.c.state == "unpaid", literal("not_paid")), else_=s.c.reason)
        content = _text(columns[content_fields[0]])
        for name in content_fields[1:]:
            content = content + literal("|") + _text(columns[name])
        return select(s.c.party_id, s.c.period.label("subject"), content.label("content"))
    return current


def _cancel(fmt, blanks: dict):
    def cancel_content(previous: str) -> str:
        values = fmt.from_content(previous)
        values.update(state="cancelled", reason="withdrawn", decision="", **blanks)
        return fmt.content(values)
    return cancel_content


def career_export(*, dispensed: Hook | None = None, prescribed: Hook | None = None) -> Export:
    # pension rights only: the bridging right's maintained quarters are not pension quarters (legislation §8.1)
    return Export("inasti-career", "CAREER", CAREER, _current(CAREER.content_fields, dispensed, prescribed,
                                                              kept=lambda as_of: kept_rights(as_of, pension=True)),
                  _cancel(CAREER, {"called": 0, "paid": 0, "open": 0}), "career data")


def mutuality_export(*, dispensed: Hook | None = None, prescribed: Hook | None = None) -> Export:
    return Export("mutuality-contributions", "MUTUALITY", MUTUALITY,
                  _current(MUTUALITY.content_fields, dispensed, prescribed, one_unpaid_reason=True),
                  _cancel(MUTUALITY, {"in_order": ""}), "contributions paid (mutualities)")


__all__ = ["IN_ORDER", "STATES", "career_export", "dispensations", "kept_rights", "mutuality_export", "prescriptions",
           "quarter_states"]
