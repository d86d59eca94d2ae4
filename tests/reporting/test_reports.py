"""`caisse report`: every figure of the known fund checked against the ledger and the files, as of a date."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from story import build
from typer.testing import CliRunner

from caisse.cli import app
from caisse.ledger import balances
from caisse.ledger.models import PRINCIPAL
from caisse.reporting.reports import arrears_ageing, collection
from caisse.store.db import session_scope

D = dt.date
runner = CliRunner()


def _report(db_url, *args):
    result = runner.invoke(app, ["report", *args, "--db", db_url])
    assert result.exit_code == 0, result.output
    return result.output


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def cents(value: str) -> int:
    return int(value.replace(".", ""))


def test_collection_per_quarter(db_url, fund):
    st = build(fund)
    q = st.q
    rows = {r["period"]: r for r in _rows(_report(db_url, "collection", "--as-of", "2025-12-31"))}
    expect = {  # called, collected, written off, outstanding — by hand from the story
        "2024Q4": (80000, 80000, 0, 0),
        "2025Q1": (5 * q - 20000, 3 * q - 20000, 0, 2 * q),  # ana's quarter lowered by 200 after payment
        "2025Q2": (5 * q, q, 10000, 4 * q - 10000),
        "2025Q3": (4 * q, q, 0, 3 * q),  # eve ceased on 30 June
        "2025Q4": (4 * q, q, 0, 3 * q),
    }
    assert list(rows) == [*expect, "total"]
    for period, (called, collected, written_off, outstanding) in expect.items():
        r = rows[period]
        got = tuple(cents(r[c]) for c in ("called", "collected", "written_off", "outstanding"))
        assert got == (called, collected, written_off, outstanding), period
    for r in rows.values():  # the cross-check, on every line and the total
        assert cents(r["collected"]) + cents(r["outstanding"]) + cents(r["written_off"]) == cents(r["called"])
        assert (cents(r["surcharges_collected"]) + cents(r["surcharges_outstanding"]) + cents(r["surcharges_waived"])
                == cents(r["surcharges_charged"]))
    assert [cents(rows["2024Q4"][c]) for c in ("surcharges_charged", "surcharges_collected")] == [1500, 1500]
    assert [cents(rows["2025Q2"][c]) for c in ("surcharges_charged", "surcharges_waived")] == [2000, 2000]
    with session_scope(db_url) as s:  # outstanding = the open principal the ledger's own balances give
        open_ = sum(b.balance_cents for b in balances(s, as_of=D(2025, 12, 31), accounts=PRINCIPAL))
        assert cents(rows["total"]["outstanding"]) == open_ == 12 * q - 10000
        # as of another date: what was booked after it is left out, so the figure never moves afterwards
        before = {r["period"]: r for r in collection(s, D(2025, 6, 30)).rows}
        later = {r["period"]: r for r in collection(s, D(2026, 1, 31)).rows}
    assert "2025Q3" not in before and before["2025Q1"]["collected"] == 3 * q
    assert later["2025Q1"]["collected"] == 4 * q - 20000  # dan paid his first quarter on 20 January 2026


def test_arrears_ageing(db_url, fund):
    st = build(fund)
    q = st.q
    with session_scope(db_url) as s:
        bands = {r["band"]: r for r in arrears_ageing(s, D(2025, 12, 31)).rows}
    # contribution and management fee are two items of a quarter; due dates: end of quarter, dan's first two
    # quarters one quarter later (starter affiliated in time)
    assert (bands["not_yet_due"]["items"], bands["not_yet_due"]["debtors"], bands["not_yet_due"]["open"]) == \
        (6, 3, 3 * q)  # the 2025Q4 of bo, cy, dan: due on the reference date itself
    assert (bands["1-90"]["items"], bands["1-90"]["open"]) == (0, 0)
    assert (bands["91-180"]["items"], bands["91-180"]["debtors"], bands["91-180"]["open"]) == (8, 3, 4 * q)
    assert (bands["181-365"]["items"], bands["181-365"]["debtors"], bands["181-365"]["open"]) == \
        (10, 4, 5 * q - 10000)
    assert bands["total_overdue"]["open"] == 9 * q - 10000
    out = json.loads(_report(db_url, "arrears-ageing", "--as-of", "2025-12-31", "--format", "json"))
    assert out["report"] == "arrears-ageing" and out["rows"][0] == {"band": "not_yet_due", "items": 6, "debtors": 3,
                                                                    "open": f"{3 * q // 100}.{3 * q % 100:02d}"}
    # overdue + not yet due = outstanding of the collection report
    coll = {r["period"]: r for r in _rows(_report(db_url, "collection", "--as-of", "2025-12-31"))}
    assert cents(coll["total"]["outstanding"]) == bands["total_overdue"]["open"] + bands["not_yet_due"]["open"]


def test_affiliates(db_url, fund):
    build(fund)
    text = _report(db_url, "affiliates", "--as-of", "2025-12-31")
    got = {(r["measure"], r["category"], r["region"], r["age_band"], r["sex"]): int(r["affiliates"])
           for r in _rows(text)}
    assert got == {
        ("affiliates", "main", "brussels", "45-54", "M"): 1,  # ana (sex from the NISS: odd sequence)
        ("affiliates", "main", "flanders", "45-54", "M"): 1,  # bo, Gent
        ("affiliates", "main", "german_speaking", "45-54", "F"): 1,  # cy, Eupen, sex on file
        ("affiliates", "main", "wallonia", "under_25", "M"): 1,  # dan, Namur
        ("starts", "main", "wallonia", "under_25", "M"): 1,  # dan, 1 March 2025
        ("cessations", "main", "flanders", "45-54", "M"): 1,  # eve, Antwerp, 30 June 2025
    }
    assert "Test" not in text and "Rue" not in text  # counts only: no name, no address, no number
    mid = {(r["measure"], r["region"]): int(r["affiliates"])
           for r in _rows(_report(db_url, "affiliates", "--as-of", "2025-02-28"))}
    assert mid == {("affiliates", "brussels"): 1, ("affiliates", "flanders"): 2, ("affiliates", "german_speaking"): 1}
    merged = _rows(_report(db_url, "affiliates", "--as-of", "2025-12-31", "--min-count", "2"))
    assert [(r["measure"], r["category"], r["affiliates"]) for r in merged] == [  # every cell here counts one
        ("affiliates", "suppressed", "4"), ("starts", "suppressed", "1"), ("cessations", "suppressed", "1")]
    since = _rows(_report(db_url, "affiliates", "--as-of", "2025-12-31", "--since", "2025-07-01"))
    assert {r["measure"] for r in since} == {"affiliates"}


def test_bad_input_is_one_line_and_exit_2(db_url, fund):
    for args, message in [
        (["report", "income-tax", "--as-of", "2025-12-31"], "error: report: unknown report 'income-tax'"),
        (["report", "collection", "--as-of", "31/12/2025"], "error: as_of: not a date"),
        (["report", "collection", "--as-of", "2025-12-31", "--format", "xml"], "error: format:"),
        (["report", "arrears-ageing", "--as-of", "2099-01-01"], "error: as_of: 2099-01-01 is in the future"),
        (["report", "affiliates", "--as-of", "2025-01-01", "--since", "2025-06-01"], "error: since:"),
        (["report", "affiliates", "--as-of", "2025-01-01", "--min-count", "0"], "error: min_count:"),
        (["report", "collection", "--as-of", "2025-01-01", "--min-count", "5"], "error: min_count:"),
    ]:
        result = runner.invoke(app, [*args, "--db", db_url])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and len(result.output.strip().splitlines()) == 1, (args, result.output)
