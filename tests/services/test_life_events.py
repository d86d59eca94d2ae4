"""The portal's "I am starting" figures: what a primostarter pays, from the file and the rules engine."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from caisse.config import Settings
from caisse.rules.contributions import provisional
from caisse.security.authz import Principal
from caisse.services.life_events import life_event
from caisse.store.db import session_scope

sys.path.insert(0, str(Path(__file__).parents[1] / "batches"))
from fund import Fund  # noqa: E402


def figures(db_url, pid, today):
    who = Principal(login=f"p{pid}", role="affiliate", account_id=100 + pid, party_id=pid)
    with session_scope(db_url) as s:
        return life_event(s, who, pid, "starting", today, Settings(management_fee_rate="0.041")).figures


@pytest.mark.parametrize(("start", "quarter"), [(dt.date(2024, 2, 1), 1), (dt.date(2024, 8, 19), 3)])
def test_a_primostarter_is_told_what_the_reduced_first_quarter_costs(db_url, start, quarter):
    # Securex 2024: 344.80 for the first quarter (331.22 with the fee of 4.10 %), 464.55 for the others
    fund = Fund(db_url)
    primo = fund.person(category="main", start=start, primostarter=True)
    plain = fund.person(category="main", start=start)
    f = figures(db_url, primo, dt.date(2024, 9, 1))
    assert (f["first_quarter"], f["first_quarter_total"], f["first_quarter_reduction"]) == (
        f"2024Q{quarter}", 34480, 11503)
    assert f["starter_quarterly"] == provisional(2024, "main", starter=True, primostarter=True,
                                                 fee_rate="0.041").quarterly_total == 46455
    assert "first_quarter" not in figures(db_url, plain, dt.date(2024, 9, 1))
    assert "first_quarter" not in figures(db_url, primo, dt.date(2025, 3, 1))  # started the year before
