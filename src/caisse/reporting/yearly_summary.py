"""The yearly personal summary (récapitulatif annuel / jaaroverzicht / Jahresübersicht) of a person: what they paid in
a year, what it opened (pension quarters, health cover), what is coming (the next quarter, the regularisation).

Built from the ledger and the files only, for one person or for the whole fund with one query per kind of data
(never one query per person):

* **paid** — the tax certificate's figures of the year (``reporting.tax_certificates``: the recorded certificate
  when the batch made it, else the same aggregation computed now): paid in the year whatever the period, returned,
  deductible, surcharges and other costs (not deductible); plus per quarter of the year what was called and paid
  for it (``reporting.career.quarter_states``), and the benefits paid to the person in the year (``payout``
  entries on the ``benefit`` account);
* **opened** — per quarter of the year, as of the document's date, the pension career state (paid / dispensed /
  bought back / prescribed / unpaid) and the health cover (the mutualities' "in order" flag): the very query the
  INASTI and mutuality files are made from;
* **coming** — the next quarterly amount and due date (the last call notice; a later quarter of the same year
  repeats its amount, labelled "expected"; a quarter of a year not called yet has no amount: the parameters of
  that year decide, and an unpublished one is said as such), and the regularisation of the year: the one assessed
  (the regularisation notice), else computed by the rules engine (``rules.contributions.regularisation``) on the
  definitive income when the tax administration sent it, else **an estimate** on the basis of the provisional
  contributions (the income the calls were computed on, ``rules.contributions.provisional``), labelled with its
  basis. A legal figure not published (``UnknownParameter``) gives no number: the document says "not known yet".

``build`` returns the summaries; ``run`` records one notice per person (kind ``summary``, key
``yearly-summary/<Y>/<party>``, batch ``yearly-summaries/<Y>``: idempotent, a rerun writes nothing) and, with an
output directory, writes the PDFs (``documents.yearly_summary``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import BigInteger, cast, func, select
from sqlalchemy.orm import Session

from caisse.batches.framework import CHUNK, Progress, Summary, _insert_notices, existing_keys, run_batch
from caisse.errors import CaisseError, InvalidInput, NotFound, UnknownParameter
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.money import div_half_up, fmt
from caisse.reporting import tax_certificates
from caisse.reporting.career import quarter_states
from caisse.store.models import Party, ProfessionalIncome, utcnow

KIND = "yearly-summaries"
NOTICE_KIND = "summary"
RULE = "AR n° 38 art. 11 §5"


def batch_key(year: int) -> str:
    return f"{KIND}/{year}"


def summary_key(year: int, party_id: int) -> str:
    return f"yearly-summary/{year}/{party_id}"


def check_year(year: object, as_of: dt.date) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2099:
        raise InvalidInput("year", f"expected a year like {as_of.year - 1}, got {year!r}")
    if year > as_of.year:
        raise InvalidInput("year", f"{year} has not started yet (the summary is made on {as_of.isoformat()})")
    return year


@dataclass
class QuarterLine:
    period: str
    called: int
    paid: int
    open: int
    state: str  # paid | kept_rights | assimilated | dispensed | bought_back | prescribed | unpaid (career.STATES)
    reason: str
    in_order: bool  # health cover: the quarter is in order for the mutuality


@dataclass
class NextDue:
    due_date: dt.date | None = None
    amount: int | None = None
    expected: bool = False  # not called yet: the amount of the last call of the same year repeated
    unknown: str | None = None  # why no amount: a parameter not published, or not called yet


@dataclass
class Regularisation:
    status: str  # assessed | computed | estimate | forecast (on an income typed) | unknown | none
    amount: int | None = None  # > 0 to pay, < 0 given back
    due_date: dt.date | None = None
    basis: int | None = None  # the income the figure rests on
    basis_kind: str | None = None  # tax_income | reference (N-3 revalued) | starter | chosen
    unknown: str | None = None  # the parameter not published (or why nothing can be computed)
    uses_estimates: bool = False


@dataclass
class YearlySummary:
    party_id: int
    year: int
    language: str
    as_of: dt.date
    certificate: tax_certificates.Certificate
    quarters: list[QuarterLine] = field(default_factory=list)
    benefits_paid: int = 0
    next_due: NextDue = field(default_factory=NextDue)
    regularisation: Regularisation = field(default_factory=lambda: Regularisation("none"))

    @property
    def key(self) -> str:
        return summary_key(self.year, self.party_id)

    def to_json(self) -> dict:
        c, r, n = self.certificate, self.regularisation, self.next_due

        def money(v):
            return None if v is None else fmt(v)

        return {
            "party": self.party_id, "year": self.year, "as_of": self.as_of.isoformat(), "language": self.language,
            "paid": {"paid": fmt(c.paid), "returned": fmt(c.returned), "deductible": fmt(c.deductible),
                     "surcharges": fmt(c.surcharges), "other_costs": fmt(c.other_costs),
                     "benefits_paid": fmt(self.benefits_paid)},
            "quarters": [{"period": q.period, "called": fmt(q.called), "paid": fmt(q.paid), "open": fmt(q.open),
                          "pension": q.state, "reason": q.reason, "health_cover": q.in_order}
                         for q in self.quarters],
            "next_due": {"due_date": n.due_date.isoformat() if n.due_date else None, "amount": money(n.amount),
                         "expected": n.expected, "unknown": n.unknown},
            "regularisation": {"status": r.status, "amount": money(r.amount),
                               "due_date": r.due_date.isoformat() if r.due_date else None,
                               "basis": money(r.basis), "basis_kind": r.basis_kind, "unknown": r.unknown,
                               "uses_estimates": r.uses_estimates},
        }


# --------------------------------------------------------------------------------------------- the reads (sets)

def _ids(party_ids: Iterable[int] | None) -> list[int] | None:
    return None if party_ids is None else sorted(set(party_ids))


def _persons(session: Session, ids: list[int] | None) -> dict[int, str]:
    q = select(Party.id, Party.language).where(Party.kind == "person")
    if ids is not None:
        q = q.where(Party.id.in_(ids))
    return {pid: (lang if lang in ("fr", "nl", "de") else "fr") for pid, lang in session.execute(q)}


def _certificates(session: Session, year: int, ids: list[int] | None) -> dict[int, tax_certificates.Certificate]:
    """The recorded certificate (what was sent) when the batch made it, else the same aggregation now."""
    out = {c.party_id: c for c in tax_certificates.compute(session, year, ids)}
    out.update({c.party_id: c for c in tax_certificates.stored(session, year, ids)})
    return out


def _quarters(session: Session, year: int, as_of: dt.date, ids: list[int] | None) -> dict[int, list[QuarterLine]]:
    s = quarter_states(session, as_of).subquery("s")
    q = (select(s.c.party_id, s.c.period, s.c.called, s.c.paid, s.c.open, s.c.state, s.c.reason, s.c.in_order)
         .where(s.c.period.like(f"{year}Q%")).order_by(s.c.party_id, s.c.period))
    if ids is not None:
        q = q.where(s.c.party_id.in_(ids))
    out: dict[int, list[QuarterLine]] = {}
    for pid, period, called, paid, open_, state, reason, in_order in session.execute(q):
        out.setdefault(pid, []).append(QuarterLine(period, int(called), int(paid), int(open_), state, reason,
                                                   in_order == "Y"))
    return out


def _benefits_paid(session: Session, year: int, ids: list[int] | None) -> dict[int, int]:
    t, e = LedgerTransaction, LedgerEntry
    q = (select(e.party_id, cast(func.sum(e.amount_cents), BigInteger)).join(t, t.id == e.transaction_id)
         .where(t.kind == "payout", e.account == "benefit", t.booked_on >= dt.date(year, 1, 1),
                t.booked_on <= dt.date(year, 12, 31)).group_by(e.party_id))
    if ids is not None:
        q = q.where(e.party_id.in_(ids))
    return {pid: int(v or 0) for pid, v in session.execute(q)}


def _calls_due(session: Session, year: int, as_of: dt.date,
               ids: list[int] | None) -> dict[int, tuple[str, int, dt.date | None]]:
    """Per person, from the quarterly call notices of ``year`` on: the earliest one still to fall due on ``as_of``,
    else the latest one (period, amount, due date)."""
    from caisse.batches.models import Notice as N

    q = (select(N.party_id, N.period, N.amount_cents, N.due_date)
         .where(N.kind == "quarterly_call", N.period >= f"{year}Q1").order_by(N.party_id, N.period, N.id))
    if ids is not None:
        q = q.where(N.party_id.in_(ids))
    out: dict[int, tuple[str, int, dt.date | None]] = {}
    for pid, period, amount, due in session.execute(q):
        found = out.get(pid)
        if found is not None and found[2] is not None and found[2] >= as_of:
            continue  # the earliest call still to come is kept
        out[pid] = (period, int(amount), due)
    return out


def _assessed(session: Session, year: int, ids: list[int] | None) -> dict[int, tuple[int, dt.date | None]]:
    """The regularisation notices of ``year`` (the latest assessment wins): (amount, due date)."""
    from caisse.batches.models import Notice as N

    q = (select(N.party_id, N.amount_cents, N.due_date)
         .where(N.kind == "regularisation", N.key.like(f"regularisation/{year}/%")).order_by(N.party_id, N.key))
    if ids is not None:
        q = q.where(N.party_id.in_(ids))
    return {pid: (int(amount), due) for pid, amount, due in session.execute(q)}


def _tax_incomes(session: Session, year: int, as_of: dt.date, ids: list[int] | None) -> dict[int, int]:
    p = ProfessionalIncome
    q = (select(p.person_id, p.amount_cents).where(p.year == year, p.source == "tax", p.assessed_on <= as_of)
         .order_by(p.person_id, p.assessed_on, p.id))
    if ids is not None:
        q = q.where(p.person_id.in_(ids))
    return {pid: int(v) for pid, v in session.execute(q)}


def _calls(session: Session, year: int, ids: list[int] | None) -> tuple[dict, dict, dict]:
    """The provisional calls of ``year``: {party: {quarter: calc inputs}}, {party: fee rate text},
    {party: {quarter: contribution + fee charged (calls and earlier regularisations)}}."""
    t, e = LedgerTransaction, LedgerEntry
    q = (select(e.party_id, e.period, e.account, e.explanation).join(t, t.id == e.transaction_id)
         .where(t.kind == "charge", t.key.like(f"quarterly-call/{year}Q%"),
                e.account.in_(("contribution", "management_fee")))
         .order_by(e.party_id, e.period, e.id))
    charged = (select(e.party_id, e.period, cast(func.sum(e.amount_cents), BigInteger))
               .join(t, t.id == e.transaction_id)
               .where(t.kind.in_(("charge", "regularisation")), e.period.like(f"{year}Q_"),
                      e.account.in_(("contribution", "management_fee")))
               .group_by(e.party_id, e.period))
    if ids is not None:
        q = q.where(e.party_id.in_(ids))
        charged = charged.where(e.party_id.in_(ids))
    calcs: dict[int, dict[int, dict]] = {}
    fees: dict[int, str] = {}
    for pid, period, account, explanation in session.execute(q):
        expl = explanation or {}
        if account == "contribution" and isinstance(expl.get("calc"), dict):
            calcs.setdefault(pid, {})[int(period[-1])] = expl["calc"]
        elif account == "management_fee" and expl.get("rate"):
            fees[pid] = str(expl["rate"])
    called: dict[int, dict[int, int]] = {}
    for pid, period, amount in session.execute(charged):
        called.setdefault(pid, {})[int(period[-1])] = int(amount or 0)
    return calcs, fees, called


# --------------------------------------------------------------------------------------------- the rules (pure)

def _unknown_text(exc: Exception) -> str:
    return str(exc) or exc.__class__.__name__


def next_due(year: int, as_of: dt.date, last_call: tuple[str, int, dt.date | None] | None,
             params=None) -> NextDue:
    """What is coming next: the last call when still to come, else the next quarter (same year: the amount
    repeated, labelled expected; a new year: no amount before its call — ``unknown`` says whether the year's
    parameters are published)."""
    from caisse.rules import contributions as rc
    from caisse.rules.params import load

    if last_call is None:
        return NextDue()
    period, amount, due = last_call
    if due is not None and due >= as_of:
        return NextDue(due, amount)
    nxt = rc.quarter_end(as_of)  # the first quarter end on or after the date, after the last call's due date
    if due is not None and nxt <= due:
        nxt = rc.next_quarter_end(due)
    if nxt.year == int(period[:4]):
        return NextDue(nxt, amount, expected=True)
    try:
        rc.year_params(nxt.year, params=params or load())
    except UnknownParameter as exc:
        return NextDue(nxt, None, unknown=_unknown_text(exc))
    return NextDue(nxt, None, unknown=f"{nxt.year}Q1 not called yet")


def regularisation_figure(year: int, *, assessed: tuple[int, dt.date | None] | None = None,
                          tax_income: int | None = None, calcs: dict[int, dict] | None = None,
                          fee_rate: str | None = None, called: dict[int, int] | None = None,
                          params=None) -> Regularisation:
    """The regularisation of ``year``: assessed (a notice), computed on the tax income, or estimated on the
    provisional basis; ``unknown`` when a legal figure is not published (never a number then)."""
    from caisse.rules import contributions as rc

    if assessed is not None:
        return Regularisation("assessed", assessed[0], assessed[1], tax_income,
                              "tax_income" if tax_income is not None else None)
    if not calcs:
        return Regularisation("none")
    quarters = sorted(calcs)
    if quarters != list(range(quarters[0], quarters[-1] + 1)) or len({c.get("category") for c in calcs.values()}) > 1:
        return Regularisation("unknown", unknown="the category or the affiliation changed during the year: the "
                                                 "regularisation is computed when the income is known")
    last = calcs[quarters[-1]]
    inputs = {k: last[k] for k in ("primostarter", "pension", "opt_out") if k in last}
    # the primostarter's first quarter of activity, reduced by the call (art. 12 §1bis): reduced in the definitive too
    start = next((c["start_quarter"] for c in calcs.values() if c.get("start_quarter") in quarters), None)
    category = last.get("category")
    paid = [int((called or {}).get(q, 0)) for q in quarters]
    try:
        if tax_income is not None:
            income, kind = tax_income, "tax_income"
            basis = income
        else:
            kw = dict(inputs)
            if "reference_income" in last:
                kw["reference_income"], kind = int(last["reference_income"]), "reference"
            elif last.get("starter"):
                kw["starter"], kind = True, "starter"
            elif "chosen_income" in last:
                kw["chosen_income"], kind = int(last["chosen_income"]), "chosen"
            else:
                return Regularisation("unknown", unknown="the basis of the provisional contributions is not on file")
            prov = rc.provisional(year, category, params=params, **kw)  # incomes in cents (int)
            basis = prov.basis
            income = div_half_up(basis * len(quarters), 4)  # the contribution annualises it again
        result = rc.regularisation(year, category, int(income), [fmt(p) for p in paid], quarters=len(quarters),
                                   first_quarter=quarters[0], fee_rate=fee_rate, params=params,
                                   start_quarter=start if inputs.get("primostarter") else None, **inputs)
    except UnknownParameter as exc:
        return Regularisation("unknown", basis=None, basis_kind=None, unknown=_unknown_text(exc))
    except CaisseError as exc:
        return Regularisation("unknown", unknown=_unknown_text(exc))
    return Regularisation("computed" if kind == "tax_income" else "estimate", result.difference, None, basis, kind,
                          uses_estimates=result.explanation.uses_estimates)


@dataclass
class Forecast:
    """What the regularisation of a year would be on an income the person types (a *what if*, never a decision)."""

    year: int
    income: int  # cents, as typed
    regularisation: Regularisation
    assumed: list[int] = field(default_factory=list)  # quarters of the year not called yet, counted like the last


def forecast(session: Session, party_id: int, year: int, income: int, as_of: dt.date, params=None) -> Forecast:
    """The regularisation of ``year`` if the net professional income of the year were ``income`` (cents): the same
    rules and inputs as the summary's figure (``regularisation_figure``: the calls' category, primostarter, fee
    rate and what was charged), the typed income standing for the one the tax administration will send. Quarters
    of the year not called yet (the year is not over) are counted as called like the last one — the provisional
    contributions going on unchanged — unless the affiliation ends before them; the answer lists them. A year
    already regularised answers with its assessment (status ``assessed``), whatever the income typed."""
    from caisse.store.models import Affiliation

    if income < 0:
        raise InvalidInput("income", "cannot be negative")
    assessed = _assessed(session, year, [party_id]).get(party_id)
    if assessed is not None:
        return Forecast(year, income, regularisation_figure(year, assessed=assessed))
    calcs, fees, called = _calls(session, year, [party_id])
    quarters, charged = dict(calcs.get(party_id, {})), dict(called.get(party_id, {}))
    assumed: list[int] = []
    if quarters:
        last = max(quarters)
        ends = session.scalars(select(Affiliation.end_date).where(Affiliation.person_id == party_id)
                               .order_by(Affiliation.start_date.desc(), Affiliation.id.desc()).limit(1)).first()
        if quarters[last].get("start_quarter") != last:  # a primostarter's reduced first quarter is not the rule
            for q in range(last + 1, 5):
                if ends is not None and ends < dt.date(year, 3 * q - 2, 1):
                    break
                quarters[q], charged[q] = quarters[last], charged.get(last, 0)
                assumed.append(q)
    figure = regularisation_figure(year, tax_income=income, calcs=quarters or None, fee_rate=fees.get(party_id),
                                   called=charged, params=params)
    if figure.status == "computed":
        figure = dataclasses.replace(figure, status="forecast", basis_kind="typed")
    return Forecast(year, income, figure, assumed)


# --------------------------------------------------------------------------------------------- build, one, run

def build(session: Session, year: int, as_of: dt.date, party_ids: Iterable[int] | None = None,
          params=None) -> dict[int, YearlySummary]:
    """The summaries of ``year`` as of ``as_of`` of every person (or of the given ones) who had something in the
    year (a quarter called, money paid, a benefit): one query per kind of data."""
    from caisse.rules.params import load

    check_year(year, as_of)
    params = params or load()
    ids = _ids(party_ids)
    langs = _persons(session, ids)
    certs = _certificates(session, year, ids)
    quarters = _quarters(session, year, as_of, ids)
    benefits = _benefits_paid(session, year, ids)
    calls = _calls_due(session, year, as_of, ids)
    assessed = _assessed(session, year, ids)
    incomes = _tax_incomes(session, year, as_of, ids)
    calcs, fees, called = _calls(session, year, ids)
    who = set(certs) | set(quarters) | set(benefits) | set(calcs)
    if ids is not None:
        who |= set(ids)
    out: dict[int, YearlySummary] = {}
    replayed: dict[str, Regularisation] = {}  # most people share their inputs (a minimum, a starter): replay once
    for pid in sorted(p for p in who if p in langs):
        lang = langs[pid]
        cert = certs.get(pid) or tax_certificates.Certificate(pid, year, lang)
        inputs = {"assessed": assessed.get(pid), "tax_income": incomes.get(pid), "calcs": calcs.get(pid),
                  "fee_rate": fees.get(pid), "called": called.get(pid)}
        memo = json.dumps(inputs, sort_keys=True, default=str)
        if memo not in replayed:
            replayed[memo] = regularisation_figure(year, params=params, **inputs)
        reg = dataclasses.replace(replayed[memo])
        out[pid] = YearlySummary(pid, year, lang, as_of, cert, quarters.get(pid, []), benefits.get(pid, 0),
                                 next_due(year, as_of, calls.get(pid), params), reg)
    return out


def one(session: Session, party_id: int, year: int, as_of: dt.date) -> YearlySummary:
    """The summary of one person (no authorisation here: ``services.portal.yearly_summary`` checks it)."""
    party = session.get(Party, party_id)
    if party is None or party.kind != "person":
        raise NotFound("person", party_id)
    return build(session, year, as_of, [party_id])[party_id]


def run(url: str, year: int, *, as_of: dt.date | None = None, progress: Progress | None = None,
        chunk: int = CHUNK) -> Summary:
    """Record one summary notice per person for an ended ``year`` (batch ``yearly-summaries/<Y>``, as of
    ``as_of``, default today, kept in the batch's params). A finished batch reruns as "already finished": nothing
    written; a run stopped half-way and run again writes only the notices missing."""
    from caisse.references import for_statement
    from caisse.store.db import session_scope

    as_of = as_of or dt.date.today()
    tax_certificates.check_year(year, as_of)
    key = batch_key(year)

    def body(params: dict, summary: Summary) -> None:
        day = dt.date.fromisoformat(params["as_of"])
        with session_scope(url) as s:
            summaries = build(s, int(params["year"]), day)
        done = existing_keys(url, "notice", f"yearly-summary/{year}/")
        summary.debtors = len(summaries)
        summary.amount_cents = sum(x.certificate.paid for x in summaries.values())
        todo = [x for x in summaries.values() if x.key not in done]
        summary.already = len(summaries) - len(todo)
        now = utcnow()
        for start in range(0, len(todo), chunk):
            rows = []
            for x in todo[start:start + chunk]:
                ogm = "".join(ch for ch in for_statement(x.party_id, year).ogm if ch.isdigit())
                rows.append((x.key, NOTICE_KIND, x.party_id, str(year), x.certificate.paid, None, ogm, x.language,
                             key, now))
            summary.posted += _insert_notices(url, rows)
            summary.notices += len(rows)
            if progress:
                progress(summary.already + min(start + chunk, len(todo)), len(summaries))
        count = {k: sum(x.regularisation.status == k for x in summaries.values())
                 for k in ("assessed", "computed", "estimate", "unknown")}
        summary.details["paid in the year"] = f"{fmt(summary.amount_cents)} EUR (the tax certificates' figure)"
        summary.details["regularisation"] = (f"{count['assessed']} assessed, {count['computed']} computed on the tax "
                                             f"income, {count['estimate']} estimated, {count['unknown']} not known "
                                             "yet")

    return run_batch(url, key, KIND, {"year": year, "as_of": as_of.isoformat()}, body)


def _batch_as_of(session: Session, batch: str) -> dt.date | None:
    from caisse.batches.models import BatchRun

    params = session.scalar(select(BatchRun.params).where(BatchRun.key == batch)) or {}
    return dt.date.fromisoformat(params["as_of"]) if "as_of" in params else None


def write_pdfs(url: str, year: int, directory: str | Path, *, progress: Progress | None = None) -> int:
    """Every summary recorded by the batch of ``year`` as ``<directory>/<party>-<year>-summary.pdf``, as of the
    batch's date (the data read set-based, names and addresses in one query). Returns how many."""
    from caisse.batches.models import Notice
    from caisse.documents.tax_certificate import addresses
    from caisse.documents.yearly_summary import render_summary
    from caisse.store.db import session_scope

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    with session_scope(url) as s:
        as_of = _batch_as_of(s, batch_key(year))
        parties = list(s.scalars(select(Notice.party_id).where(Notice.batch_key == batch_key(year),
                                                               Notice.kind == NOTICE_KIND)))
        if as_of is None or not parties:
            raise NotFound("yearly summaries of", year)
        summaries = build(s, year, as_of, parties)
        who = addresses(s, parties)
    for n, (pid, x) in enumerate(summaries.items(), 1):
        (out / f"{pid}-{x.year}-summary.pdf").write_bytes(render_summary(x, who.get(pid)))
        if progress:
            progress(n, len(summaries))
    return len(summaries)


def for_notice(session: Session, notice) -> YearlySummary:
    """The summary a recorded notice stands for, as of the batch's date."""
    as_of = _batch_as_of(session, notice.batch_key) or notice.created_at.date()
    return one(session, notice.party_id, int(notice.period), as_of)


__all__ = ["KIND", "NOTICE_KIND", "NextDue", "QuarterLine", "Regularisation", "YearlySummary", "batch_key", "build",
           "for_notice", "next_due", "one", "regularisation_figure", "run", "summary_key", "write_pdfs"]
