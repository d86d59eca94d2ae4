"""Service levels from the case data (issue 9, "for the fund itself"), and the collection rate per period.

A case (``caisse.cases``) is opened on ``opened_on`` through a channel; its **first answer** is the first message
sent to the person (``case_message`` of direction ``out``: an answer or a question back); its **decision** is the
day it was answered (``answered_on``); its deadline (``deadline``: the legal or charter period of
``cases/deadlines.yaml``, moved forward by the days spent waiting for the person, Charter art. 10). Only the
requests a person makes (``cases.service.PERSON_KINDS``) count for the service levels; the backlog shows the
fund's own tasks (unmatched payments, batch anomalies, personal contacts) apart.

Set-based: one GROUP BY per measure returns a histogram (channel, kind, days → cases); medians and 90th
percentiles come from those few rows. Counts only, no personal data. Columns: docs/formats/reports.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Date, Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from caisse.cases.models import Case, CaseMessage
from caisse.errors import InvalidInput
from caisse.reporting.reports import Report, collection


def _as_date(session: Session, column):
    return func.date(column, type_=Date) if session.get_bind().dialect.name == "sqlite" else cast(column, Date)


def _days(session: Session, later, earlier):
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return later - earlier  # date - date: an integer on PostgreSQL


def _rate(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def _percentile(hist: dict[int, int], share: Decimal) -> int | None:
    """The smallest number of days within which ``share`` of the cases of ``hist`` (days → cases) were handled."""
    total = sum(hist.values())
    if not total:
        return None
    need, seen = share * total, 0
    for days in sorted(hist):
        seen += hist[days]
        if seen >= need:
            return days
    return max(hist)


def deadline_label(kind: str) -> tuple[str, str]:
    from caisse.cases.service import deadlines

    rule = deadlines()[kind]
    return (f"{rule['days']} days" if "days" in rule else f"{rule['months']} months"), rule["status"]


def target_days(kind: str) -> int:
    """The deadline of a kind in days (a month counted as 30 days: for charts against a target only)."""
    from caisse.cases.service import deadlines

    rule = deadlines()[kind]
    return rule["days"] if "days" in rule else 30 * rule["months"]


# --- service levels -------------------------------------------------------------------------------------------

SERVICE_COLUMNS = ["channel", "kind", "deadline", "deadline_status", "received", "first_answers",
                   "first_answer_median_days", "first_answer_p90_days", "decided", "decision_median_days",
                   "decision_p90_days", "decided_in_time", "pending", "pending_overdue", "share_in_time"]


def _window(as_of: dt.date, since: dt.date | None) -> dt.date:
    since = since or (as_of - dt.timedelta(days=364))
    if since > as_of:
        raise InvalidInput("since", f"{since.isoformat()} is after the reference date {as_of.isoformat()}")
    return since


def service_levels(session: Session, as_of: dt.date, since: dt.date | None = None) -> Report:
    """The requests received from ``since`` (default: the 365 days to the date) to ``as_of``, per channel and
    kind: how many, how fast first answered and decided (median and 90th percentile in days), how many decided
    within their deadline, how many still pending on the date and past their deadline. ``share_in_time`` =
    decided in time / (decided + pending past the deadline): the cases whose deadline was met, among those
    where it was put to the test."""
    from caisse.cases.service import PERSON_KINDS

    since = _window(as_of, since)
    c = Case
    first_out = (select(CaseMessage.case_id, func.min(CaseMessage.at).label("at"))
                 .where(CaseMessage.direction == "out").group_by(CaseMessage.case_id).subquery("first_out"))
    first_day = _as_date(session, first_out.c.at)
    scope = and_(c.kind.in_(PERSON_KINDS), c.opened_on >= since, c.opened_on <= as_of)
    decided = and_(c.answered_on.is_not(None), c.answered_on <= as_of)
    closed = and_(c.closed_on.is_not(None), c.closed_on <= as_of)
    pending = and_(~closed, or_(~decided, c.status.in_(("open", "waiting_for_person"))))
    one = literal(1)

    def count_if(cond):
        return func.coalesce(func.sum(case((cond, one), else_=0)), 0)

    counts = session.execute(
        select(c.channel, c.kind, func.count(), count_if(decided), count_if(and_(decided, c.answered_on <= c.deadline)),
               count_if(pending), count_if(and_(pending, c.deadline < as_of)))
        .where(scope).group_by(c.channel, c.kind)).all()
    first_days = _days(session, first_day, c.opened_on)
    first_hist = session.execute(
        select(c.channel, c.kind, first_days, func.count()).join(first_out, first_out.c.case_id == c.id)
        .where(scope, first_day <= as_of).group_by(c.channel, c.kind, first_days)).all()
    decision_days = _days(session, c.answered_on, c.opened_on)
    decision_hist = session.execute(
        select(c.channel, c.kind, decision_days, func.count())
        .where(scope, decided).group_by(c.channel, c.kind, decision_days)).all()

    cells: dict[tuple[str, str], dict] = {}

    def cell(channel, kind):
        return cells.setdefault((channel, kind), {"n": [0, 0, 0, 0, 0], "first": defaultdict(int),
                                                  "decision": defaultdict(int)})

    for channel, kind, *n in counts:
        for key in ((channel, kind), ("all", kind), (channel, "all"), ("all", "all")):
            acc = cell(*key)["n"]
            for i, v in enumerate(n):
                acc[i] += int(v)
    for hist, name in ((first_hist, "first"), (decision_hist, "decision")):
        for channel, kind, days, n in hist:
            for key in ((channel, kind), ("all", kind), (channel, "all"), ("all", "all")):
                cell(*key)[name][max(int(days), 0)] += int(n)
    rows = []
    order_kind = {k: i for i, k in enumerate((*PERSON_KINDS, "all"))}
    order_channel = {k: i for i, k in enumerate(("portal", "phone", "email", "office", "letter", "system", "all"))}
    for (channel, kind), data in sorted(cells.items(), key=lambda kv: (order_channel.get(kv[0][0], 99),
                                                                       order_kind.get(kv[0][1], 99))):
        received, n_decided, in_time, n_pending, overdue = data["n"]
        label, status = deadline_label(kind) if kind != "all" else ("", "")
        rows.append({"channel": channel, "kind": kind, "deadline": label, "deadline_status": status,
                     "received": received, "first_answers": sum(data["first"].values()),
                     "first_answer_median_days": _percentile(data["first"], Decimal("0.5")),
                     "first_answer_p90_days": _percentile(data["first"], Decimal("0.9")),
                     "decided": n_decided, "decision_median_days": _percentile(data["decision"], Decimal("0.5")),
                     "decision_p90_days": _percentile(data["decision"], Decimal("0.9")),
                     "decided_in_time": in_time, "pending": n_pending, "pending_overdue": overdue,
                     "share_in_time": _rate(in_time, n_decided + overdue)})
    return Report("service-levels", as_of, SERVICE_COLUMNS, rows, params={"since": since.isoformat()})


# --- backlog --------------------------------------------------------------------------------------------------

BACKLOG_BANDS = (("0-7", 7), ("8-30", 30), ("31-60", 60), ("61-120", 120), ("over_120", None))
BACKLOG_COLUMNS = ["queue", "age", "pending", "overdue", "due_within_7_days"]


def case_backlog(session: Session, as_of: dt.date) -> Report:
    """The cases pending on the date (opened, neither decided nor closed by then) by days since they were opened:
    how many, how many past their deadline, how many due within the next 7 days. ``queue``: ``requests`` (what
    people asked) or ``fund_tasks`` (unmatched payments, batch anomalies, personal contacts)."""
    from caisse.cases.service import PERSON_KINDS

    c = Case
    decided = and_(c.answered_on.is_not(None), c.answered_on <= as_of)
    closed = and_(c.closed_on.is_not(None), c.closed_on <= as_of)
    pending = and_(c.opened_on <= as_of, ~closed, or_(~decided, c.status.in_(("open", "waiting_for_person"))))
    whens = [(c.opened_on >= as_of - dt.timedelta(days=days), literal(band)) for band, days in BACKLOG_BANDS[:-1]]
    band = case(*whens, else_=literal("over_120"))
    queue = case((c.kind.in_(PERSON_KINDS), literal("requests")), else_=literal("fund_tasks"))
    one = literal(1)
    q = (select(queue, band, func.count(), func.coalesce(func.sum(case((c.deadline < as_of, one), else_=0)), 0),
                func.coalesce(func.sum(case((and_(c.deadline >= as_of,
                                                  c.deadline <= as_of + dt.timedelta(days=7)), one), else_=0)), 0))
         .where(pending).group_by(queue, band))
    found = {(r[0], r[1]): tuple(map(int, r[2:])) for r in session.execute(q)}
    rows = []
    for qname in ("requests", "fund_tasks"):
        for b, _ in BACKLOG_BANDS:
            n, overdue, soon = found.get((qname, b), (0, 0, 0))
            rows.append({"queue": qname, "age": b, "pending": n, "overdue": overdue, "due_within_7_days": soon})
        mine = rows[-len(BACKLOG_BANDS):]
        rows.append({"queue": qname, "age": "total", **{k: sum(r[k] for r in mine) for k in BACKLOG_COLUMNS[2:]}})
    return Report("case-backlog", as_of, BACKLOG_COLUMNS, rows)


# --- collection rate ------------------------------------------------------------------------------------------

RATE_COLUMNS = ["period", "called", "collected", "written_off", "outstanding", "collection_rate"]


def collection_rate(session: Session, as_of: dt.date) -> Report:
    """Per period (quarter; a year for the company contribution): principal called and collected as of the date
    (the ``collection`` report's figures) and the collection rate = collected / called."""
    base = collection(session, as_of)
    rows = [{**{k: r[k] for k in RATE_COLUMNS[:-1]}, "collection_rate": _rate(r["collected"], r["called"])}
            for r in base.rows]
    return Report("collection-rate", as_of, RATE_COLUMNS, rows, {"called", "collected", "written_off", "outstanding"})


__all__ = ["case_backlog", "collection_rate", "service_levels", "target_days"]
