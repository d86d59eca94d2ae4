"""The tax certificate (attestation fiscale) of a calendar year, for every debtor at once, from the ledger alone.

Legal notes (legislation.md §10, [S63][S130]): social contributions are deductible as professional expenses in the
year they are *paid*; the fund's yearly certificate shows the amounts paid in the calendar year directly linked to
the self-employed status (reminder costs included), the amounts refunded in that year, the difference (the
deductible amount), and lists as **not deductible** surcharges, procedural indemnity, judicial costs and judicial
interest.

How the ledger answers (docs/tax-certificates.md):

* **paid** = money *imputed* in the year (imputation transactions booked from 1 January to 31 December) on a
  debtor's contribution, management fee, company contribution — whatever period they belong to (arrears of earlier
  years paid this year count this year; a call paid in advance counts in the year the money was imputed) — and on
  reminder costs. An imputation taken back because the bank returned the payment counts negatively in the year of
  the return.
* **returned** = the part of those items given back in the year: a debt lowered after it was paid (a regularisation
  downwards) releases the overpaid part to the debtor's credit (``rule = 'release'`` entries), from where it is
  refunded or set off against another debt. Counting the *release* (not the credit transfer) is the fund's choice,
  labelled as such in the docs: it subtracts each euro given back exactly once, whether it is refunded or set off,
  and an overpayment that was never imputed (a quarter paid twice and refunded) was never counted as paid.
* **deductible** = paid − returned.
* **not deductible**, listed: surcharges (net paid) and other costs (costs whose charge is not marked
  ``cost_kind = 'reminder'``: judicial costs, procedural indemnity, legal interest, unclassified).

``compute`` is one SQL aggregation (GROUP BY debtor, period, class) over the year's imputation entries; Python
only shapes its rows into certificates. ``run`` records them (``tax_certificate``, key
``tax-certificate/<year>/<party>``) through ``run_batch``: idempotent, resumable, chunked.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import BigInteger, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session

from caisse.batches.framework import Progress, Summary, existing_keys, run_batch
from caisse.errors import InvalidInput
from caisse.ledger.models import PRINCIPAL, RECEIVABLE, LedgerEntry, LedgerTransaction
from caisse.money import fmt
from caisse.store.db import engine_for, session_scope
from caisse.store.models import Party, utcnow

KIND = "tax-certificates"
CLASSES = ("contributions", "reminder_costs", "surcharges", "other_costs")
DEDUCTIBLE = ("contributions", "reminder_costs")
CHUNK = 20_000
SOURCE = "legislation.md §10 [S63][S130]"


def batch_key(year: int) -> str:
    return f"{KIND}/{year}"


def certificate_key(year: int, party_id: int) -> str:
    return f"tax-certificate/{year}/{party_id}"


def check_year(year: int, today: dt.date | None = None) -> int:
    """A certificate covers a whole calendar year: the year must have ended (and the ledger must exist then)."""
    today = today or dt.date.today()
    if not isinstance(year, int) or year < 1990:
        raise InvalidInput("year", f"expected a year like {today.year - 1}, got {year!r}")
    if year >= today.year:
        raise InvalidInput("year", f"{year} has not ended yet (today is {today.isoformat()}): a tax certificate "
                                   "covers a whole calendar year")
    return year


@dataclass
class Certificate:
    party_id: int
    year: int
    language: str
    lines: list[dict] = field(default_factory=list)  # per period: period + the CLASSES paid, returned
    paid: int = 0
    returned: int = 0
    surcharges: int = 0
    other_costs: int = 0

    @property
    def deductible(self) -> int:
        return self.paid - self.returned

    @property
    def key(self) -> str:
        return certificate_key(self.year, self.party_id)

    def to_json(self) -> dict:
        return {"party": self.party_id, "year": self.year, "paid": fmt(self.paid), "returned": fmt(self.returned),
                "deductible": fmt(self.deductible), "not_deductible": {
                    "surcharges": fmt(self.surcharges), "other_costs": fmt(self.other_costs)},
                "periods": self.lines}


def aggregation(year: int, party_ids: Iterable[int] | None = None):
    """The one SELECT: (party, language, period, class, paid, returned) summed over the year's imputations."""
    t, e = LedgerTransaction, LedgerEntry
    # costs items (debtor, period) whose every charge is a reminder cost: deductible (legislation §10)
    reminder = (select(e.party_id, e.period,
                       func.min(case((e.explanation["cost_kind"].as_string() == "reminder", 1), else_=0))
                       .label("reminder_only"))
                .join(t, t.id == e.transaction_id)
                .where(e.account == "costs", e.amount_cents > 0, t.kind.in_(("charge", "regularisation")))
                .group_by(e.party_id, e.period).subquery("reminder"))
    release = func.coalesce(e.rule, "") == "release"
    per_entry = (
        select(e.party_id.label("party_id"), e.period.label("period"),
               case((e.account.in_(PRINCIPAL), literal("contributions")),
                    (e.account == "surcharge", literal("surcharges")),
                    (reminder.c.reminder_only == 1, literal("reminder_costs")),
                    else_=literal("other_costs")).label("cls"),
               case((release, 0), else_=-e.amount_cents).label("paid"),
               case((release, e.amount_cents), else_=0).label("returned"))
        .join(t, t.id == e.transaction_id)
        .outerjoin(reminder, and_(e.account == "costs", reminder.c.party_id == e.party_id,
                                  reminder.c.period == e.period))
        .where(t.kind == "imputation", t.booked_on >= dt.date(year, 1, 1), t.booked_on <= dt.date(year, 12, 31),
               e.account.in_(RECEIVABLE)))
    if party_ids is not None:
        per_entry = per_entry.where(e.party_id.in_(list(party_ids)))
    sub = per_entry.subquery("paid_in_year")
    return (select(sub.c.party_id, Party.language, sub.c.period, sub.c.cls,
                   cast(func.sum(sub.c.paid), BigInteger), cast(func.sum(sub.c.returned), BigInteger))
            .join(Party, Party.id == sub.c.party_id)
            .group_by(sub.c.party_id, Party.language, sub.c.period, sub.c.cls)
            .order_by(sub.c.party_id, sub.c.period))


def compute(session: Session, year: int, party_ids: Iterable[int] | None = None) -> list[Certificate]:
    """Every certificate of ``year`` (or of the given debtors), from one aggregation. A debtor with nothing paid nor
    returned in the year gets none."""
    from caisse.ledger.imputation import period_end

    out: list[Certificate] = []
    current: Certificate | None = None
    periods: dict[str, dict] = {}

    def close() -> None:
        if current is None:
            return
        current.lines = [periods[p] for p in sorted(periods, key=lambda p: (period_end(p), p))]
        if any(v for line in current.lines for k, v in line.items() if k != "period"):
            out.append(current)

    for party, language, period, cls, paid, returned in session.execute(aggregation(year, party_ids)):
        paid, returned = int(paid or 0), int(returned or 0)
        if current is None or current.party_id != party:
            close()
            current = Certificate(int(party), year, language if language in ("fr", "nl", "de") else "fr")
            periods = {}
        line = periods.setdefault(period, {"period": period, **{c: 0 for c in CLASSES}, "returned": 0})
        line[cls] += paid
        if cls in DEDUCTIBLE:
            line["returned"] += returned
            current.paid += paid
            current.returned += returned
        else:
            line[cls] -= returned  # a surcharge or cost lowered after it was paid: net
            if cls == "surcharges":
                current.surcharges += paid - returned
            else:
                current.other_costs += paid - returned
    close()
    return out


COLUMNS = ("key", "party_id", "year", "language", "paid_cents", "returned_cents", "deductible_cents",
           "surcharges_cents", "other_costs_cents", "lines", "batch_key", "created_at")


def _rows(certs: list[Certificate], key: str, sqlite: bool) -> list[tuple]:
    now = utcnow()
    stamp = now.isoformat(sep=" ") if sqlite else now
    return [(c.key, c.party_id, c.year, c.language, c.paid, c.returned, c.deductible, c.surcharges, c.other_costs,
             json.dumps(c.lines, separators=(",", ":")), key, stamp) for c in certs]


def _insert(url: str, rows: list[tuple]) -> int:
    """One chunk in one transaction; a chunk that meets keys written meanwhile is retried without them."""
    from caisse.batches.framework import insert_keyed
    from caisse.reporting.models import TaxCertificate

    return insert_keyed(url, TaxCertificate.__table__, COLUMNS, rows, what="tax certificates")


def run(url: str, year: int, *, today: dt.date | None = None, progress: Progress | None = None,
        chunk: int = CHUNK) -> Summary:
    """Record every certificate of ``year`` (batch ``tax-certificates/<year>``): idempotent, resumable."""
    check_year(year, today)
    key = batch_key(year)
    sqlite = engine_for(url).dialect.name == "sqlite"

    def body(params: dict, summary: Summary) -> None:
        with session_scope(url) as s:
            certs = compute(s, int(params["year"]))
        done = existing_keys(url, "tax_certificate", f"tax-certificate/{year}/")
        summary.debtors = len(certs)
        summary.amount_cents = sum(c.deductible for c in certs)
        todo = [c for c in certs if c.key not in done]
        summary.already = len(certs) - len(todo)
        for start in range(0, len(todo), chunk):
            summary.posted += _insert(url, _rows(todo[start:start + chunk], key, sqlite))
            if progress:
                progress(summary.already + min(start + chunk, len(todo)), len(certs))
        summary.details["paid"] = f"{fmt(sum(c.paid for c in certs))} EUR"
        summary.details["returned"] = f"{fmt(sum(c.returned for c in certs))} EUR"
        summary.details["surcharges"] = f"{fmt(sum(c.surcharges for c in certs))} EUR (not deductible)"
        summary.details["other costs"] = f"{fmt(sum(c.other_costs for c in certs))} EUR (not deductible)"

    return run_batch(url, key, KIND, {"year": year}, body)


def stored(session: Session, year: int, party_ids: Iterable[int] | None = None) -> list[Certificate]:
    """The certificates recorded for ``year`` (what was sent), in one query."""
    from caisse.reporting.models import TaxCertificate as T

    q = select(T.party_id, T.language, T.paid_cents, T.returned_cents, T.surcharges_cents, T.other_costs_cents,
               T.lines).where(T.year == year).order_by(T.party_id)
    if party_ids is not None:
        q = q.where(T.party_id.in_(list(party_ids)))
    out = []
    for party, lang, paid, returned, surcharges, other, lines in session.execute(q):
        if isinstance(lines, str):
            lines = json.loads(lines)
        out.append(Certificate(party, year, lang, list(lines or []), int(paid), int(returned), int(surcharges),
                               int(other)))
    return out


_JOB: dict = {}


def _render_slice(bounds: tuple[int, int]) -> int:
    """Render certificates[start:stop] of the job set up before the fork (see ``write_pdfs``)."""
    from caisse.documents.tax_certificate import render_certificate

    certs, who, out, today = _JOB["certs"], _JOB["who"], _JOB["out"], _JOB["today"]
    for cert in certs[bounds[0]:bounds[1]]:
        (out / f"{cert.party_id}-{cert.year}.pdf").write_bytes(render_certificate(cert, who.get(cert.party_id),
                                                                                  today))
    return bounds[1] - bounds[0]


def write_pdfs(url: str, year: int, directory: str | Path, *, today: dt.date | None = None,
               progress: Progress | None = None, jobs: int = 1) -> int:
    """Every recorded certificate of ``year`` as ``<directory>/<party>-<year>.pdf`` (certificates, names and
    addresses read in one query each). ``jobs`` > 1 renders in that many forked processes. Returns how many."""
    import multiprocessing

    from caisse.documents.tax_certificate import addresses

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    with session_scope(url) as s:
        certs = stored(s, year)
        who = addresses(s, [c.party_id for c in certs])
    _JOB.update(certs=certs, who=who, out=out, today=today or dt.date.today())
    step = max(1, min(500, -(-len(certs) // (jobs * 4))))  # slices of at most 500, several per process
    slices = [(i, min(i + step, len(certs))) for i in range(0, len(certs), step)]
    done = 0
    try:
        if jobs > 1 and len(slices) > 1:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for n in pool.imap_unordered(_render_slice, slices):
                    done += n
                    if progress:
                        progress(done, len(certs))
        else:
            for bounds in slices:
                done += _render_slice(bounds)
                if progress:
                    progress(done, len(certs))
    finally:
        _JOB.clear()
    return len(certs)


def one(session: Session, party_id: int, year: int, today: dt.date | None = None) -> Certificate:
    """The certificate of one debtor: the recorded one when the batch made it, else computed now (not recorded)."""
    from caisse.errors import NotFound

    check_year(year, today)
    if session.get(Party, party_id) is None:
        raise NotFound("party", party_id)
    found = stored(session, year, [party_id]) or compute(session, year, [party_id])
    if found:
        return found[0]
    lang = session.scalar(select(Party.language).where(Party.id == party_id))
    return Certificate(party_id, year, lang if lang in ("fr", "nl", "de") else "fr")


__all__ = ["CLASSES", "Certificate", "aggregation", "batch_key", "certificate_key", "check_year", "compute", "one",
           "run", "stored", "write_pdfs"]
