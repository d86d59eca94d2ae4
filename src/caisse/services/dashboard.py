"""What the public service page and the manager's dashboard show: the reports of ``caisse.reporting`` as of a date,
plus the latest batch runs. Counts and sums only — never a file — so the public page needs no login; the
dashboard is for managers (``dashboard.read``) and its reading is audited."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.reporting.reports import Report, arrears_ageing
from caisse.reporting.service_levels import case_backlog, collection_rate, service_levels
from caisse.security import authz
from caisse.security.authz import Principal
from caisse.services import audit

PUBLIC_QUARTERS = 8  # the collection rate of the last eight quarters on the public page
CACHE_SECONDS = 600  # the public page is computed at most once every ten minutes per database and day


@dataclass
class ServiceFigures:
    as_of: dt.date
    levels: Report
    rates: list[dict]  # collection-rate rows of the quarters, oldest first


@dataclass
class Dashboard:
    figures: ServiceFigures
    backlog: Report
    ageing: Report
    batches: list[dict]


def _quarters(rates: Report, as_of: dt.date, count: int | None) -> list[dict]:
    rows = [r for r in rates.rows if "Q" in str(r["period"]) and r["called"] > 0]
    return rows[-count:] if count else rows


def service_figures(session: Session, as_of: dt.date, quarters: int | None = PUBLIC_QUARTERS) -> ServiceFigures:
    return ServiceFigures(as_of, service_levels(session, as_of), _quarters(collection_rate(session, as_of), as_of,
                                                                            quarters))


_cache: dict[tuple[str, dt.date], tuple[float, ServiceFigures]] = {}
_lock = threading.Lock()


def public_figures(session: Session, today: dt.date) -> ServiceFigures:
    """The public page's figures, kept ten minutes: an anonymous page must not let anyone make the database
    aggregate the whole fund at every request."""
    key = (str(session.get_bind().url), today)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
        if hit and now - hit[0] < CACHE_SECONDS:
            return hit[1]
    figures = service_figures(session, today)
    with _lock:
        _cache.clear()
        _cache[key] = (now, figures)
    return figures


def manager_dashboard(session: Session, who: Principal, today: dt.date, batch_runs: int = 15) -> Dashboard:
    from caisse.batches.models import BatchRun

    authz.require(who, "dashboard.read")
    figures = service_figures(session, today, quarters=12)
    runs = [{"key": r.key, "kind": r.kind, "status": r.status, "started_at": r.started_at,
             "finished_at": r.finished_at, "attempts": r.attempts, "debtors": r.debtors,
             "amount_cents": r.amount_cents, "notices": r.notices, "skipped": r.skipped, "error": r.error}
            for r in session.scalars(select(BatchRun).order_by(BatchRun.started_at.desc(), BatchRun.id.desc())
                                     .limit(batch_runs))]
    audit.record(session, who, "read", "dashboard", None, detail={"as_of": today.isoformat()})
    return Dashboard(figures, case_backlog(session, today), arrears_ageing(session, today), runs)
