"""``validate`` refuses every posting that breaks an invariant — also on its fast path, once it has seen the same
accounts and periods in good postings (a bank file validates ~400 000 entries)."""

from __future__ import annotations

import datetime as dt

import pytest

from caisse.errors import InvalidInput
from caisse.ledger.posting import Entry, Posting, validate

DAY = dt.date(2026, 3, 20)


def posting(*entries: Entry, kind: str = "payment") -> Posting:
    return Posting("test/validate", kind, DAY, tuple(entries))


GOOD = [
    posting(Entry("bank", 1000, 7), Entry("credit", -1000, 7)),
    posting(Entry("bank", 1000), Entry("suspense", -1000, None, None, None, "unmatched")),
    posting(Entry("credit", 1000, 7), Entry("contribution", -800, 7, "2026Q1"),
            Entry("management_fee", -200, 7, "2026Q1"), kind="imputation"),
    posting(Entry("contribution", 500, 7, "2026Q1", DAY), Entry("income", -500, 7, "2026Q1"), kind="charge"),
    posting(Entry("bank", 300), Entry("partner_clearing", -300, None, None, None, None, "BAILIFF1")),
    posting(Entry("credit", 100, 7), Entry("benefit_undue", -100, 7, "2026Q1", None, None, "benefit_undue:3"),
            kind="imputation"),
]


@pytest.mark.parametrize("bad, field, message", [
    (posting(Entry("bank", 1000), Entry("credit", -1000)), "entries[1]", "needs a party"),
    (posting(Entry("credit", 1000, 7), Entry("contribution", -1000, None, "2026Q1")), "entries[1]",
     "debtor and a period"),
    (posting(Entry("credit", 1000, 7), Entry("contribution", -1000, 7)), "entries[1]", "debtor and a period"),
    (posting(Entry("bank", 1000, 7), Entry("benefit", -1000)), "entries[1]", "needs a party"),
    (posting(Entry("bank", 1000), Entry("partner_clearing", -1000, 7, None, None, None, "BAILIFF1")), "entries[1]",
     "names its partner"),
    (posting(Entry("bank", 1000), Entry("partner_clearing", -1000)), "entries[1]", "names its partner"),
    (posting(Entry("credit", 100, 7), Entry("benefit_undue", -100, 7, "2026Q1")), "entries[1]", "its decision"),
    (posting(Entry("credit", 100, 7), Entry("buyback", -100, 7, "2026Q1", None, None, "other:1")), "entries[1]",
     "its request"),
    (posting(Entry("bank", 1000, 7), Entry("credit", -1000.0, 7)), "entries[1].amount_cents", "integer cents"),
    (posting(Entry("bank", True, 7), Entry("credit", -1, 7)), "entries[0].amount_cents", "integer cents"),
    (posting(Entry("bank", 0, 7), Entry("credit", 0, 7)), "entries[0].amount_cents", "zero"),
    (posting(Entry("bank", 1000, 7), Entry("cash", -1000, 7)), "entries[1].account", "unknown account"),
    (posting(Entry("credit", 1000, 7), Entry("contribution", -1000, 7, "2026Q5")), "entries[1].period",
     "2026Q1 or 2026"),
    (posting(Entry("bank", 1000, 7), Entry("credit", -999, 7)), "entries", "unbalanced"),
])
def test_every_broken_posting_is_refused_also_after_good_ones(bad, field, message):
    for good in GOOD:  # the accounts and periods of good postings seen first (validate's fast path)
        validate(good)
    with pytest.raises(InvalidInput, match=message) as exc:
        validate(bad)
    assert exc.value.field == field
