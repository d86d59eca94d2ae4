"""Prescription of contributions (AR n° 38 art. 16 §2): when a debt is lost to the fund — and, for a contribution
quarter, the pension rights of that quarter with it (legislation.md §6, §9; addendum 2026-11 §6.4).

Pure functions: no database, no clock. The service (``caisse.recovery.prescription``) reads the ledger, the
recovery files and the recorded interruptions set-based, then asks these functions for each debt's date.

The clock of a debt (debtor, kind of ledger debt, period):

* **legal start** — 1 January following the year *for which* the contribution is due [S227]; the
  conservative readings of ``recovery.yaml`` may only move it later (never earlier):
  ``prescription_start_from_due_year`` (1: a debt whose principal fell due in a later year — a regularisation
  supplement, a late call — starts on 1 January after *that* year) and ``prescription_starter_regularisation_years``
  (a starter's regularisation: not before 1 January of the 3rd year after the start year [S31]);
* **interruptions** — acknowledgement of the debt (a payment, a payment plan asked or granted), a registered letter
  (the formal notice), a summons or an enforcement order [S31]: each starts a new period of the same length
  (Civil Code), counted from the day after the act (``prescription_interruption_day_after``: the day of the act is
  not counted — the later of the two readings);
* **prescribed on** = max(legal start, last interruption + 1 day) + ``prescription_years`` years: the first day on
  which the fund may no longer recover it. 29 February + 5 years is 1 March (the later reading).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from caisse.errors import InvalidInput
from caisse.rules.params import load as load_params

NAMES = {
    "years": "prescription_years",
    "start_from_due_year": "prescription_start_from_due_year",
    "starter_regularisation_years": "prescription_starter_regularisation_years",
    "interruption_day_after": "prescription_interruption_day_after",
    "payment_interrupts_every_open_debt": "prescription_payment_interrupts_every_open_debt",
    "hold_while_proceedings": "prescription_hold_while_proceedings",
}


@dataclass(frozen=True)
class PrescriptionPolicy:
    """The prescription parameters in force on ``on``, with the ``name@date (law; sources, status)`` of each."""

    on: dt.date
    years: int
    start_from_due_year: bool
    starter_regularisation_years: int
    interruption_day_after: int
    payment_interrupts_every_open_debt: bool
    hold_while_proceedings: bool
    sources: dict[str, str]

    @property
    def parameter(self) -> str:
        """What a write-off names as its parameter, e.g. ``prescription_years@2005-10-11``."""
        return self.sources["prescription_years"].split(" (")[0]


def policy(on: dt.date) -> PrescriptionPolicy:
    params = load_params()
    values = {field: params.get(name, on) for field, name in NAMES.items()}
    raw = {f: v.value for f, v in values.items()}
    return PrescriptionPolicy(
        on=on, years=int(raw["years"]), start_from_due_year=bool(raw["start_from_due_year"]),
        starter_regularisation_years=int(raw["starter_regularisation_years"]),
        interruption_day_after=int(raw["interruption_day_after"]),
        payment_interrupts_every_open_debt=bool(raw["payment_interrupts_every_open_debt"]),
        hold_while_proceedings=bool(raw["hold_while_proceedings"]),
        sources={v.name: f"{v.name}@{v.start.isoformat()} ({v.parameter.law}; "
                 f"{', '.join(s.tag for s in v.sources)}, {v.status})" for v in values.values()})


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years; 29 February lands on 1 March (the later of the two possible readings)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return dt.date(day.year + years, 3, 1)


def period_year(period: str, field: str = "period") -> int:
    """The year *for which* a debt is due: ``2021Q2`` → 2021, ``2021`` (company contribution) → 2021."""
    if not isinstance(period, str) or len(period) not in (4, 6) or not period[:4].isdigit() or (
            len(period) == 6 and (period[4] != "Q" or period[5] not in "1234")):
        raise InvalidInput(field, f"a period looks like 2021Q2 or 2021, got {period!r}")
    return int(period[:4])


def legal_start(period: str, p: PrescriptionPolicy, *, principal_due: dt.date | None = None,
                regularisation: bool = False, starter_start_year: int | None = None) -> dt.date:
    """The day the 5 years start running for a debt of ``period`` (see the module docstring).

    ``principal_due``: the latest due date of the period's principal (contribution, management fee, company
    contribution) — accessories (surcharges, costs) share the clock of the period's principal.
    ``regularisation``: the debt holds a regularisation supplement; ``starter_start_year``: the year the debtor's
    first affiliation started (a starter's regularisation starts later)."""
    year = period_year(period)
    start = dt.date(year + 1, 1, 1)
    if p.start_from_due_year and principal_due is not None and principal_due.year > year:
        start = dt.date(principal_due.year + 1, 1, 1)
    if regularisation and starter_start_year is not None and year < starter_start_year + p.starter_regularisation_years:
        start = max(start, dt.date(starter_start_year + p.starter_regularisation_years, 1, 1))
    return start


@dataclass(frozen=True)
class Clock:
    legal_start: dt.date
    last_interruption: dt.date | None
    runs_from: dt.date  # the start of the period running now
    prescribed_on: dt.date  # the first day the debt can no longer be recovered

    def prescribed(self, as_of: dt.date) -> bool:
        return as_of >= self.prescribed_on

    def days_left(self, as_of: dt.date) -> int:
        return (self.prescribed_on - as_of).days


def clock(start: dt.date, interruptions, p: PrescriptionPolicy) -> Clock:
    """The prescription clock of one debt: its legal start and the dates of the acts that interrupted it
    (any order; acts before the legal start change nothing, as they cannot restart a period that has not
    begun)."""
    last = max(interruptions, default=None)
    runs_from = start
    if last is not None:
        runs_from = max(start, last + dt.timedelta(days=p.interruption_day_after))
    return Clock(start, last, runs_from, add_years(runs_from, p.years))


def check_as_of(as_of: object, field: str = "as_of") -> dt.date:
    """A run date: a real date between 1968 (AR n° 38 is of 27 July 1967) and 2100."""
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise InvalidInput(field, f"a date is required (YYYY-MM-DD), got {as_of!r}")
    if not dt.date(1968, 1, 1) <= as_of <= dt.date(2100, 12, 31):
        raise InvalidInput(field, f"{as_of} is not a possible date for a prescription run (1968-01-01 to 2100-12-31)")
    return as_of


def clocks(period_year, principal_due, regularisation, starter_start_year, last_interruption,
           p: PrescriptionPolicy):
    """``clock(...).prescribed_on`` and ``runs_from`` for many debts at once (numpy, the batch's and the
    report's path): the same rule as ``legal_start`` + ``clock``. Dates are ``datetime64[D]`` arrays, NaT for
    none; years are int arrays (0 for no starter year). Returns (legal_start, runs_from, prescribed_on)."""
    import numpy as np

    year = np.asarray(period_year, dtype=np.int64)
    due = np.asarray(principal_due, dtype="datetime64[D]")
    reg = np.asarray(regularisation, dtype=bool)
    starter = np.asarray(starter_start_year, dtype=np.int64)
    last = np.asarray(last_interruption, dtype="datetime64[D]")

    def jan1(y):
        return (np.asarray(y, dtype=np.int64) - 1970).astype("datetime64[Y]").astype("datetime64[D]")

    start_year = year + 1
    if p.start_from_due_year:
        due_year = np.where(np.isnat(due), 0, due.astype("datetime64[Y]").astype(np.int64) + 1970)
        start_year = np.where(due_year > year, due_year + 1, start_year)
    start = jan1(start_year)
    late = reg & (starter > 0) & (year < starter + p.starter_regularisation_years)
    start = np.where(late, np.maximum(start, jan1(starter + p.starter_regularisation_years)), start)
    after = last + np.timedelta64(p.interruption_day_after, "D")
    runs = np.where(np.isnat(last), start, np.maximum(start, np.where(np.isnat(after), start, after)))
    # + years: month arithmetic, then the day; 29 February into a common year overflows to 1 March
    months = runs.astype("datetime64[M]")
    day = (runs - months.astype("datetime64[D]")).astype(np.int64)
    prescribed = (months + np.timedelta64(12 * p.years, "M")).astype("datetime64[D]") + day
    return start, runs, prescribed
