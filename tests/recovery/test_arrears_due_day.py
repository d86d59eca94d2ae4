"""The day a contribution falls due: what the recovery batch counts as due agrees with the imputation's cut
(``ledger.queries.split_not_yet_due``) and the surcharges batch — due on its due date, not the day before."""

from __future__ import annotations

import datetime as dt

from caisse.batches import quarterly_call
from caisse.batches import recovery as batch
from caisse.ledger import receive_payment
from caisse.ledger.queries import balances, pending_charges, split_not_yet_due
from caisse.recovery.arrears import arrears
from caisse.store.db import engine_for, session_scope

DUE = dt.date(2026, 3, 31)   # the quarterly call of 2026Q1 falls due on 31 March
MIN_2026 = 89042             # 2026 main-activity minimum quarter, fee-free


def owed(url, party, on):
    with engine_for(url).connect() as conn:
        return arrears(conn, on).of(party)


def due_by_imputation(url, party, on):
    """What the imputation would treat as already due on ``on``: the part of the open items not split off."""
    with session_scope(url) as s:
        rows = [b for b in balances(s, party_id=party, as_of=on) if b.balance_cents > 0 and b.party_id == party]
        split = split_not_yet_due(rows, pending_charges(s, [party], on).get(party, {}), on)
    return sum(b.balance_cents for b in split if not b.not_yet_due and b.account in ("contribution",
                                                                                    "management_fee"))


def test_a_quarter_is_due_on_its_due_date_for_the_batch_as_for_the_imputation(db_url, fund):
    ana = fund.person(category="main", start=dt.date(2025, 1, 1))
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    day_before = DUE - dt.timedelta(days=1)
    assert owed(db_url, ana, day_before) == (0, 0) == (due_by_imputation(db_url, ana, day_before), 0)
    assert owed(db_url, ana, DUE) == (MIN_2026, MIN_2026)
    assert due_by_imputation(db_url, ana, DUE) == MIN_2026
    with engine_for(db_url).connect() as conn:
        assert arrears(conn, DUE).oldest_due.tolist() == [DUE.toordinal()]
    # the reminder still waits its fortnight from the due date: nothing is sent on the due date itself
    assert batch.run(db_url, DUE).details["waiting (delay not over)"] == 1


def test_a_payment_booked_on_the_due_date_leaves_nothing_in_arrears(db_url, fund):
    bob = fund.person(category="main", start=dt.date(2025, 1, 1))
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    with session_scope(db_url) as s:
        receive_payment(s, "pay/bob", DUE, MIN_2026, bob)
    assert owed(db_url, bob, DUE) == (0, 0)
    assert owed(db_url, bob, DUE + dt.timedelta(days=20)) == (0, 0)
