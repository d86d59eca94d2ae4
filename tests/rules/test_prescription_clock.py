"""The prescription clock (AR n° 38 art. 16 §2: five years from 1 January after the year for which the
contributions are due; interrupted by an acknowledgement, a registered letter, a summons), as a pure rule."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

import numpy as np
import pytest

from caisse.errors import InvalidInput
from caisse.rules.prescription import add_years, check_as_of, clock, clocks, legal_start, period_year, policy

P = policy(dt.date(2026, 12, 1))


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def test_the_parameters_name_their_law_source_and_status():
    assert P.years == 5 and P.parameter == "prescription_years@2005-10-11"
    assert "AR n° 38 art. 16 §2" in P.sources["prescription_years"]
    for name in ("prescription_start_from_due_year", "prescription_interruption_day_after",
                 "prescription_payment_interrupts_every_open_debt", "prescription_hold_while_proceedings"):
        assert P.sources[name].endswith("fund)") and "FUNDPOL" in P.sources[name]  # the fund's conservative choice
    assert P.sources["prescription_starter_regularisation_years"].endswith("S31, secondary)")


@pytest.mark.parametrize(("period", "due", "start", "prescribed"), [
    # a quarter due 30 June 2021: not 1 July 2026 (due date + 5 years) but 1 January 2027
    ("2021Q2", "2021-06-30", "2022-01-01", "2027-01-01"),
    ("2021Q4", "2021-12-31", "2022-01-01", "2027-01-01"),
    # the company contribution of 2021 (due 31 December 2021)
    ("2021", "2021-12-31", "2022-01-01", "2027-01-01"),
    # a regularisation supplement for 2021 falling due in 2023: from 1 January 2024 (the later reading)
    ("2021Q3", "2023-09-30", "2024-01-01", "2029-01-01"),
])
def test_a_debt_without_interruption(period, due, start, prescribed):
    s = legal_start(period, P, principal_due=d(due))
    c = clock(s, [], P)
    assert (c.legal_start, c.prescribed_on, c.last_interruption) == (d(start), d(prescribed), None)
    assert not c.prescribed(d(prescribed) - dt.timedelta(days=1)) and c.prescribed(d(prescribed))


def test_the_contribution_year_alone_when_the_fund_chooses_so():
    lenient = replace(P, start_from_due_year=False)
    assert legal_start("2021Q3", lenient, principal_due=d("2023-09-30")) == d("2022-01-01")


def test_a_starters_regularisation_starts_on_1_january_of_the_third_year_after_the_start_year():
    # started in 2019; the regularisation of 2019 falls due in 2020 (an unusually early one): 1 January 2022
    assert legal_start("2019Q3", P, principal_due=d("2020-12-31"), regularisation=True,
                       starter_start_year=2019) == d("2022-01-01")
    # not a regularisation: the ordinary rule
    assert legal_start("2019Q3", P, principal_due=d("2019-09-30"), starter_start_year=2019) == d("2020-01-01")
    # a regularisation of the 4th year is no longer a starter's
    assert legal_start("2022Q1", P, principal_due=d("2022-03-31"), regularisation=True,
                       starter_start_year=2019) == d("2023-01-01")


@pytest.mark.parametrize(("acts", "runs_from", "prescribed"), [
    # a formal notice sent before the five years started changes nothing
    (["2021-09-16"], "2022-01-01", "2027-01-01"),
    # a payment on 15 March 2024: five new years from the day after
    (["2024-03-15"], "2024-03-16", "2029-03-16"),
    # the last act counts, whatever the order they are given in
    (["2025-03-12", "2023-01-05", "2024-03-15"], "2025-03-13", "2030-03-13"),
    # an act on 28 February 2024 (leap year): from 29 February 2024, prescribed on 1 March 2029
    (["2024-02-28"], "2024-02-29", "2029-03-01"),
])
def test_each_interruption_starts_five_new_years_from_the_day_after(acts, runs_from, prescribed):
    c = clock(d("2022-01-01"), [d(a) for a in acts], P)
    assert (c.runs_from, c.prescribed_on) == (d(runs_from), d(prescribed))
    assert c.last_interruption == max(d(a) for a in acts)


def test_add_years_puts_29_february_on_1_march():
    assert add_years(d("2024-02-29"), 5) == d("2029-03-01")
    assert add_years(d("2024-02-29"), 4) == d("2028-02-29")


def test_the_vectorised_clock_agrees_with_the_scalar_one():
    rng = random.Random(7)
    rows = []
    for _ in range(400):
        year = rng.randint(2010, 2024)
        due = dt.date(year + rng.choice([0, 0, 1, 2]), rng.randint(1, 12), 28) if rng.random() < 0.9 else None
        reg = rng.random() < 0.3
        starter = rng.choice([0, year - 1, year, year - 5])
        last = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 3000)) if rng.random() < 0.6 else None
        if rng.random() < 0.05:
            last = dt.date(2024, 2, 28)
        rows.append((year, due, reg, starter, last))
    start, runs, prescribed = clocks(
        np.array([r[0] for r in rows]), np.array([r[1] for r in rows], dtype="datetime64[D]"),
        np.array([r[2] for r in rows]), np.array([r[3] for r in rows]),
        np.array([r[4] for r in rows], dtype="datetime64[D]"), P)
    for i, (year, due, reg, starter, last) in enumerate(rows):
        s = legal_start(f"{year}Q1", P, principal_due=due, regularisation=reg, starter_start_year=starter or None)
        c = clock(s, [last] if last else [], P)
        assert (start[i].astype(dt.date), runs[i].astype(dt.date), prescribed[i].astype(dt.date)) == (
            c.legal_start, c.runs_from, c.prescribed_on), rows[i]


@pytest.mark.parametrize(("value", "field"), [("2021Q5", "period"), ("21Q1", "period"), ("2021-Q1", "period")])
def test_a_malformed_period_is_refused_naming_the_field(value, field):
    with pytest.raises(InvalidInput) as err:
        period_year(value)
    assert err.value.field == field


@pytest.mark.parametrize("value", ["2026-01-01", None, dt.date(1900, 1, 1), dt.date(2999, 1, 1)])
def test_an_impossible_run_date_is_refused(value):
    with pytest.raises(InvalidInput) as err:
        check_as_of(value)
    assert err.value.field == "as_of"
