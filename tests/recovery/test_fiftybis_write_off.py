"""A write-off under art. 50bis AR 19-12-1967 (addendum §6.3) is refused unless its conditions hold that day: the
person no longer subject, everything owed under the threshold (recovery_renounce_below), and — the unpaid quarters
concerning the pension — the person informed by the recovery run's letter on an earlier day."""

from __future__ import annotations

import datetime as dt

import pytest

from caisse.batches import quarterly_call
from caisse.batches import recovery as batch
from caisse.config import Settings
from caisse.errors import InvalidInput
from caisse.ledger import receive_payment
from caisse.security.authz import Principal
from caisse.services import approvals
from caisse.store.db import session_scope

CLERK = Principal.system("cli:recovery-officer")
SETTINGS = Settings(four_eyes_threshold_cents=50_000)
RULE = "art. 50bis AR 19-12-1967"


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def ask(url, party, amount, on):
    with session_scope(url) as s:
        return approvals.request_write_off(s, CLERK, party, "contribution", "2026Q1", amount, RULE,
                                           "small debt of a person who stopped", on, SETTINGS).status


def test_a_50bis_write_off_needs_its_conditions_and_the_letter_sent_before(db_url, fund):
    gone = fund.person(category="main", start=d("2025-01-01"), end=d("2026-03-31"))
    still = fund.person(category="main", start=d("2025-01-01"))
    big = fund.person(category="main", start=d("2025-01-01"), end=d("2026-03-31"))
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")  # 890.42 each
    with session_scope(db_url) as s:
        for i, p in enumerate((gone, still)):
            receive_payment(s, f"coda/f/1/{i}", d("2026-03-20"), 50000, p)  # 390.42 left
    with pytest.raises(InvalidInput) as err:  # not informed yet
        ask(db_url, gone, 39042, d("2026-04-15"))
    assert err.value.field == "rule" and "2026Q1" in str(err.value) and "informed first" in str(err.value)
    batch.run(db_url, d("2026-04-16"))  # the letter goes out
    with pytest.raises(InvalidInput) as err:  # the same day is not "before"
        ask(db_url, gone, 39042, d("2026-04-16"))
    assert err.value.field == "rule"
    with pytest.raises(InvalidInput) as err:  # still subject
        ask(db_url, still, 39042, d("2026-04-17"))
    assert err.value.field == "rule" and "still subject" in str(err.value)
    with pytest.raises(InvalidInput) as err:  # 890.42 owed: not a small claim
        ask(db_url, big, 89042, d("2026-04-17"))
    assert err.value.field == "amount" and "890.42" in str(err.value) and "500.00" in str(err.value)
    assert ask(db_url, gone, 39042, d("2026-04-17")) == "executed"  # under the four-eyes threshold: at once
