"""The fund's figures on screen: the public service page (``/public/service``, no login, no personal data) and the
manager's dashboard (``/desk/dashboard``, managers only). Charts are inline SVG (``web.charts``) with the table of
the same figures beside each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel import Locale
from babel.numbers import format_percent
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from caisse.reporting.service_levels import target_days
from caisse.services import dashboard as svc
from caisse.web import charts, labels
from caisse.web.auth import PrincipalDep, SessionDep
from caisse.web.desk import _page
from caisse.web.i18n import LOCALES, current, gettext, ngettext

router = APIRouter(include_in_schema=False)


def _pct(rate: str | None) -> str:
    """A rate in the page's language: 0.5 → "50.0 %" (en), "50,0 %" (fr, nl, de)."""
    if rate is None:
        return "—"
    locale = Locale.parse(LOCALES[current.get()])
    pattern = locale.percent_formats[None].pattern  # "#,##0 %" in French: one decimal added after the last 0
    last = pattern.rfind("0")
    return format_percent(Decimal(rate), pattern[:last + 1] + ".0" + pattern[last + 1:], locale=locale)


def _days(n: int | None) -> str:
    return "—" if n is None else ngettext("%(num)d day", "%(num)d days", n) % {"num": n}


def _kinds(levels) -> list[dict]:
    return [r for r in levels.rows if r["channel"] == "all" and r["kind"] != "all"]


def _channels(levels) -> list[dict]:
    return [r for r in levels.rows if r["kind"] == "all" and r["channel"] != "all"]


def _total(levels) -> dict | None:
    return next((r for r in levels.rows if r["channel"] == "all" and r["kind"] == "all"), None)


def _deadline(row: dict) -> str:
    text = row["deadline"]
    if not text:
        return ""
    n, unit = text.split()
    n = int(n)
    return ngettext("%(num)d day", "%(num)d days", n) % {"num": n} if unit == "days" else \
        ngettext("%(num)d month", "%(num)d months", n) % {"num": n}


def in_time_chart(rows: list[dict]) -> charts.Chart:
    bars = [charts.Bar(labels.label(labels.CASE_KIND, r["kind"]),
                       [(float(Decimal(r["share_in_time"])), "ok")] if r["share_in_time"] is not None else [],
                       _pct(r["share_in_time"])) for r in rows]
    return charts.Chart("in-time", gettext("Share of requests answered within the deadline"),
                        gettext("One bar per kind of request: the share of the requests whose deadline was met, "
                                "among those decided or already past their deadline. The table below gives the "
                                "same figures."), bars, scale_max=1.0)


def decision_chart(rows: list[dict]) -> charts.Chart:
    bars = [charts.Bar(labels.label(labels.CASE_KIND, r["kind"]),
                       [(r["decision_median_days"] or 0, "main")], _days(r["decision_median_days"]),
                       target=target_days(r["kind"])) for r in rows]
    return charts.Chart("decision-days", gettext("Median time to a decision, against the deadline"),
                        gettext("One bar per kind of request: the median number of days from the request to the "
                                "decision; the dashed mark is the legal or charter deadline. The table below gives "
                                "the same figures."), bars, target_label=gettext("deadline"))


def first_answer_chart(rows: list[dict]) -> charts.Chart:
    bars = [charts.Bar(labels.label(labels.CASE_KIND, r["kind"]),
                       [(r["first_answer_median_days"] or 0, "main")], _days(r["first_answer_median_days"]),
                       target=target_days(r["kind"])) for r in rows]
    return charts.Chart("first-answer-days", gettext("Median time to a first answer, against the deadline"),
                        gettext("One bar per kind of request: the median number of days from the request to the "
                                "first message sent back; the dashed mark is the legal or charter deadline. The "
                                "table gives the same figures."), bars, target_label=gettext("deadline"))


def rate_chart(rows: list[dict]) -> charts.Chart:
    bars = [charts.Bar(r["period"], [(float(Decimal(r["collection_rate"] or 0)), "main")],
                       _pct(r["collection_rate"])) for r in rows]
    return charts.Chart("collection-rate", gettext("Collection rate per quarter"),
                        gettext("One bar per quarter: the contributions collected as a share of the contributions "
                                "called for that quarter, as of the reference date. The table gives the same "
                                "figures."), bars, scale_max=1.0)


BACKLOG_AGE = {"0-7": "0–7", "8-30": "8–30", "31-60": "31–60", "61-120": "61–120", "over_120": "> 120"}


def backlog_chart(rows: list[dict]) -> charts.Chart:
    bars = [charts.Bar(gettext("%(days)s days") % {"days": BACKLOG_AGE[r["age"]]},
                       [(r["pending"] - r["overdue"], "ok"), (r["overdue"], "late")],
                       f"{r['pending']} ({r['overdue']} {gettext('overdue')})") for r in rows]
    return charts.Chart("backlog", gettext("Requests pending by age"),
                        gettext("One bar per age band of the requests pending: in green those still within their "
                                "deadline, in red those past it. The table gives the same figures."), bars,
                        legend=[("ok", gettext("within the deadline")), ("late", gettext("overdue"))])


ARREARS_BAND = {"not_yet_due": "not yet due", "1-90": "1–90", "91-180": "91–180", "181-365": "181–365",
                "366-730": "366–730", "over_730": "> 730", "no_due_date": "no due date"}


def _band(code: str) -> str:
    if code == "not_yet_due":
        return gettext("not yet due")
    if code == "no_due_date":
        return gettext("no due date")
    return gettext("%(days)s days late") % {"days": ARREARS_BAND[code]}


def ageing_chart(rows: list[dict], money) -> charts.Chart:
    bars = [charts.Bar(_band(r["band"]), [(r["open"] / 100, "other")], money(r["open"])) for r in rows]
    return charts.Chart("ageing", gettext("Arrears by age"),
                        gettext("One bar per age band: the contributions still open, by days past their due date. "
                                "The table gives the same figures."), bars)


def _figures_context(figures: svc.ServiceFigures) -> dict:
    kinds = _kinds(figures.levels)
    return {"as_of": figures.as_of, "since": dt.date.fromisoformat(figures.levels.params["since"]), "kinds": kinds,
            "channels": _channels(figures.levels), "total": _total(figures.levels), "rates": figures.rates,
            "pct": _pct, "days": _days, "deadline": _deadline,
            "channel": lambda code: labels.label(labels.CHANNEL, code),
            "charts": {"in_time": charts.render(in_time_chart(kinds)),
                       "decision": charts.render(decision_chart(kinds)),
                       "first_answer": charts.render(first_answer_chart(kinds)),
                       "rate": charts.render(rate_chart(figures.rates))}}


@router.get("/public/service", response_class=HTMLResponse)
def public_service(request: Request, session: SessionDep) -> HTMLResponse:
    """How fast the fund answers and how well it collects: no login, no personal data."""
    figures = svc.public_figures(session, dt.date.today())
    response = _page(request, "public_service.html", **_figures_context(figures))
    response.headers["Cache-Control"] = "public, max-age=600"
    return response


@router.get("/desk/dashboard", response_class=HTMLResponse)
def manager_dashboard(request: Request, session: SessionDep, who: PrincipalDep) -> HTMLResponse:
    from caisse.web.rendering import _money

    board = svc.manager_dashboard(session, who, dt.date.today())
    backlog = [r for r in board.backlog.rows if r["queue"] == "requests" and r["age"] != "total"]
    tasks = [r for r in board.backlog.rows if r["queue"] == "fund_tasks" and r["age"] != "total"]
    ageing = [r for r in board.ageing.rows if r["band"] != "total_overdue"]
    context = _figures_context(board.figures)
    context["charts"].update(backlog=charts.render(backlog_chart(backlog)),
                             ageing=charts.render(ageing_chart(ageing, _money)))
    return _page(request, "desk_dashboard.html", backlog=backlog, tasks=tasks, ageing=ageing,
                 ageing_total=board.ageing.rows[-1], batches=board.batches, age=BACKLOG_AGE, band=_band, **context)
