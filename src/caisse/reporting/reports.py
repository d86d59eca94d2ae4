"""The fund's reports (`caisse report NAME --as-of D`), each one set-based SQL query (or three) as of a date.

Every figure is reproducible: ledger entries of transactions booked on or before ``as_of``, affiliations,
category periods and addresses valid on the reference date. No report carries a personal identifier (no file
number, name, NISS): counts and sums only. Columns and rules: docs/formats/reports.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import BigInteger, Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from caisse.errors import InvalidInput
from caisse.ledger.imputation import period_end
from caisse.ledger.models import PRINCIPAL, LedgerEntry, LedgerTransaction
from caisse.money import fmt
from caisse.reporting.regions import GERMAN_SPEAKING_POSTAL_CODES


@dataclass
class Report:
    name: str
    as_of: dt.date
    columns: list[str]
    rows: list[dict]
    money: set[str] = field(default_factory=set)  # columns in cents, printed as 1234.56
    params: dict = field(default_factory=dict)

    def _cell(self, column: str, value):
        return fmt(value) if column in self.money and value is not None else value

    def to_csv(self) -> str:
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\n")
        out.writerow(self.columns)
        for row in self.rows:
            out.writerow([self._cell(c, row[c]) for c in self.columns])
        return buf.getvalue()

    def to_pdf(self, fund_name: str, language: str = "fr") -> bytes:
        from caisse.reporting.pdf import render

        return render(self, fund_name, language)

    def to_json(self) -> str:
        return json.dumps({"report": self.name, "as_of": self.as_of.isoformat(), **self.params,
                           "columns": self.columns,
                           "rows": [{c: self._cell(c, r[c]) for c in self.columns} for r in self.rows]},
                          ensure_ascii=False, indent=1) + "\n"


def _sum_if(condition, value=LedgerEntry.amount_cents):
    return cast(func.coalesce(func.sum(case((condition, value), else_=0)), 0), BigInteger)


# --- collection -----------------------------------------------------------------------------------------------

COLLECTION_COLUMNS = ["period", "called", "collected", "written_off", "outstanding", "surcharges_charged",
                      "surcharges_collected", "surcharges_waived", "surcharges_outstanding"]


def collection(session: Session, as_of: dt.date) -> Report:
    """Per period (quarter, or year for the company contribution): principal called, collected (imputed), written
    off, outstanding — so called = collected + written off + outstanding — and the same for surcharges."""
    t, e = LedgerTransaction, LedgerEntry
    principal = e.account.in_(PRINCIPAL)
    surcharge = e.account == "surcharge"
    debt = t.kind.in_(("charge", "regularisation"))
    q = (select(e.period,
                _sum_if(and_(principal, debt)), -_sum_if(and_(principal, t.kind == "imputation")),
                -_sum_if(and_(principal, t.kind == "write_off")), _sum_if(principal),
                _sum_if(and_(surcharge, debt)), -_sum_if(and_(surcharge, t.kind == "imputation")),
                -_sum_if(and_(surcharge, t.kind == "write_off")), _sum_if(surcharge))
         .join(t, t.id == e.transaction_id)
         .where(t.booked_on <= as_of, or_(principal, surcharge))
         .group_by(e.period))
    rows = [dict(zip(COLLECTION_COLUMNS, (r[0], *map(int, r[1:])), strict=True)) for r in session.execute(q)]
    rows.sort(key=lambda r: (period_end(r["period"]), r["period"]))
    if rows:
        rows.append({"period": "total", **{c: sum(r[c] for r in rows) for c in COLLECTION_COLUMNS[1:]}})
    return Report("collection", as_of, COLLECTION_COLUMNS, rows, set(COLLECTION_COLUMNS[1:]))


# --- arrears ageing -------------------------------------------------------------------------------------------

AGE_BANDS = (("not_yet_due", None), ("1-90", 90), ("91-180", 180), ("181-365", 365), ("366-730", 730),
             ("over_730", None))


def arrears_ageing(session: Session, as_of: dt.date) -> Report:
    """Open principal (per debtor, account and period, balance > 0 as of the date) by days past its due date."""
    t, e = LedgerTransaction, LedgerEntry
    items = (select(e.party_id, cast(func.sum(e.amount_cents), BigInteger).label("open"),
                    func.min(e.due_date).label("due"))
             .join(t, t.id == e.transaction_id)
             .where(t.booked_on <= as_of, e.account.in_(PRINCIPAL))
             .group_by(e.party_id, e.account, e.period)
             .having(func.sum(e.amount_cents) > 0).subquery("items"))
    whens = [(items.c.due.is_(None), literal("no_due_date")), (items.c.due >= as_of, literal("not_yet_due"))]
    for band, days in AGE_BANDS[1:-1]:
        whens.append((items.c.due >= as_of - dt.timedelta(days=days), literal(band)))
    banded = select(items.c.party_id, items.c.open,
                    case(*whens, else_=literal("over_730")).label("band")).subquery("banded")
    q = (select(banded.c.band, func.count(), func.count(func.distinct(banded.c.party_id)),
                cast(func.sum(banded.c.open), BigInteger))
         .group_by(banded.c.band))
    found = {band: (int(n), int(debtors), int(cents)) for band, n, debtors, cents in session.execute(q)}
    order = [b for b, _ in AGE_BANDS] + ["no_due_date"]
    rows = [{"band": b, "items": found.get(b, (0, 0, 0))[0], "debtors": found.get(b, (0, 0, 0))[1],
             "open": found.get(b, (0, 0, 0))[2]} for b in order if b in found or b != "no_due_date"]
    overdue = [r for r in rows if r["band"] not in ("not_yet_due", "no_due_date")]
    rows.append({"band": "total_overdue", "items": sum(r["items"] for r in overdue), "debtors": None,
                 "open": sum(r["open"] for r in overdue)})
    return Report("arrears-ageing", as_of, ["band", "items", "debtors", "open"], rows, {"open"})


# --- affiliates -----------------------------------------------------------------------------------------------

AFFILIATE_COLUMNS = ["measure", "category", "region", "age_band", "sex", "affiliates"]
AGES = ((25, "under_25"), (35, "25-34"), (45, "35-44"), (55, "45-54"), (65, "55-64"))


def _years_before(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def region_of(postal_code, country):
    """SQL CASE: the region of a Belgian postal code (docs/formats/reports.md gives the ranges and their source)."""
    pc = postal_code
    return case(
        (country.is_(None), literal("unknown")),
        (country != "BE", literal("abroad")),
        (pc.is_(None), literal("unknown")),
        (func.length(pc) != 4, literal("unknown")),
        (pc.between("1000", "1299"), literal("brussels")),
        (pc.in_(GERMAN_SPEAKING_POSTAL_CODES), literal("german_speaking")),
        (pc.between("1300", "1499"), literal("wallonia")),
        (pc.between("1500", "3999"), literal("flanders")),
        (pc.between("4000", "7999"), literal("wallonia")),
        (pc.between("8000", "9999"), literal("flanders")),
        else_=literal("unknown"))


def _classified(as_of: dt.date, ref, where) -> select:
    """One row per affiliation matching ``where``: category and address valid on ``ref`` (a date or a column),
    age band on ``as_of``, sex (stored, else from the NISS sequence: odd men, even women; BIS numbers unknown)."""
    from sqlalchemy.orm import aliased

    from caisse.store.models import Address, Affiliation, CategoryPeriod, Person

    a, p = Affiliation, Person
    cp, cur, ad = CategoryPeriod, aliased(Address), Address
    category = (select(cp.category).where(cp.affiliation_id == a.id, cp.valid_from <= ref,
                                          or_(cp.valid_to.is_(None), cp.valid_to >= ref))
                .order_by(cp.valid_from.desc(), cp.id.desc()).limit(1).correlate(a).scalar_subquery())
    address = (select(cur.id).where(cur.party_id == a.person_id, cur.valid_from <= ref,
                                    or_(cur.valid_to.is_(None), cur.valid_to >= ref))
               .order_by(cur.valid_from.desc(), cur.id.desc()).limit(1).correlate(a).scalar_subquery())
    age = case(*[(p.birth_date > _years_before(as_of, years), literal(band)) for years, band in AGES],
               else_=literal("65_and_over"))
    month = func.substr(p.niss, 3, 2)
    from_niss = case((month.between("21", "52"), literal("unknown")),  # BIS number: month + 20 or + 40
                     (cast(func.substr(p.niss, 7, 3), Integer) % 2 == 0, literal("F")), else_=literal("M"))
    sex = case((p.sex.is_not(None), p.sex), else_=from_niss)
    inner = (select(func.coalesce(category, literal("unknown")).label("category"),
                    region_of(ad.postal_code, ad.country).label("region"), age.label("age_band"), sex.label("sex"))
             .select_from(a).join(p, p.id == a.person_id)
             .outerjoin(ad, ad.id == address)
             .where(a.status.in_(("affiliated", "ceased")), where))
    return inner.subquery()


def affiliates(session: Session, as_of: dt.date, since: dt.date | None = None, min_count: int = 1) -> Report:
    """Affiliates on ``as_of`` by category, region, age band and sex; starts and cessations from ``since``
    (default: 1 January of the year of ``as_of``) to ``as_of``. Counts only. ``min_count`` K > 1: the cells counting
    fewer than K people are merged into one ``suppressed`` row per measure (the totals stay exact)."""
    from caisse.store.models import Affiliation as A

    since = since or dt.date(as_of.year, 1, 1)
    if since > as_of:
        raise InvalidInput("since", f"{since.isoformat()} is after the reference date {as_of.isoformat()}")
    if min_count < 1:
        raise InvalidInput("min_count", f"a count of at least 1, got {min_count}")
    measures = (
        ("affiliates", as_of, and_(A.start_date <= as_of, or_(A.end_date.is_(None), A.end_date >= as_of))),
        ("starts", A.start_date, A.start_date.between(since, as_of)),
        ("cessations", A.end_date, and_(A.end_date.is_not(None), A.end_date.between(since, as_of))),
    )
    rows = []
    for measure, ref, where in measures:
        sub = _classified(as_of, ref, where)
        q = (select(sub.c.category, sub.c.region, sub.c.age_band, sub.c.sex, func.count())
             .group_by(sub.c.category, sub.c.region, sub.c.age_band, sub.c.sex)
             .order_by(sub.c.category, sub.c.region, sub.c.age_band, sub.c.sex))
        found = [{"measure": measure, "category": c, "region": r, "age_band": a, "sex": s, "affiliates": int(n)}
                 for c, r, a, s, n in session.execute(q)]
        small = [row for row in found if row["affiliates"] < min_count]
        rows += [row for row in found if row["affiliates"] >= min_count]
        if small:
            rows.append({"measure": measure, **{c: "suppressed" for c in AFFILIATE_COLUMNS[1:5]},
                         "affiliates": sum(row["affiliates"] for row in small)})
    return Report("affiliates", as_of, AFFILIATE_COLUMNS, rows,
                  params={"since": since.isoformat(), "min_count": min_count})


def _lazy(module: str, name: str) -> Callable[..., Report]:
    """A report of another module of this package (they import ``Report`` from here)."""
    def run(session: Session, as_of: dt.date, **kw) -> Report:
        import importlib

        return getattr(importlib.import_module(f"caisse.reporting.{module}"), name)(session, as_of, **kw)

    run.__name__ = name
    return run


REPORTS: dict[str, Callable[..., Report]] = {
    "collection": collection,
    "arrears-ageing": arrears_ageing,
    "affiliates": affiliates,
    "payment-plans": _lazy("statistics", "payment_plans"),
    "recovery-stages": _lazy("statistics", "recovery_stages"),
    "benefits": _lazy("statistics", "benefits"),
    "company-contributions": _lazy("statistics", "company_contributions"),
    "surcharges": _lazy("statistics", "surcharges"),
    "write-offs": _lazy("statistics", "write_offs"),
    "service-levels": _lazy("service_levels", "service_levels"),
    "case-backlog": _lazy("service_levels", "case_backlog"),
    "collection-rate": _lazy("service_levels", "collection_rate"),
}
#: the reports taking ``since`` (a window of flows ending on the reference date)
TAKES_SINCE = ("affiliates", "service-levels")


def build(session: Session, name: str, as_of: dt.date, **kw) -> Report:
    if name not in REPORTS:
        raise InvalidInput("report", f"unknown report {name!r}; one of {', '.join(REPORTS)}")
    return REPORTS[name](session, as_of, **kw)


__all__ = ["REPORTS", "TAKES_SINCE", "Report", "affiliates", "arrears_ageing", "build", "collection", "region_of"]
