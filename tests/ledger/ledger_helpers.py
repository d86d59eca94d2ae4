"""Ledger test helpers: debtors (party rows) and calls posted the way the quarterly batch will."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import insert

from caisse.ledger import DebtLine, charge
from caisse.store.models import Party

_ids = itertools.count(1000)


def new_party(session, kind: str = "person") -> int:
    pid = next(_ids)
    session.execute(insert(Party), [{"id": pid, "kind": kind, "language": "fr"}])
    return pid


def quarter_due(period: str) -> dt.date:
    """Last day of the quarter (legislation §4.1: credited on the fund's account by then)."""
    year, q = int(period[:4]), int(period[5])
    return dt.date(year, 3, 31) if q == 1 else dt.date(year, q * 3, 30 if q in (2, 3) else 31)


def call_quarter(session, party: int, period: str, contribution: int, fee: int, key: str | None = None):
    """A quarterly call as the batch will post it: contribution + management fee, due at the quarter's end."""
    year, q = int(period[:4]), int(period[5])
    booked = dt.date(year, q * 3 - 2, 5)
    return charge(session, key or f"quarterly-call/{period}/{party}", party, period, quarter_due(period), booked, [
        DebtLine("contribution", contribution, "RD38 art.12 §1", f"first_threshold@{year}-01-01",
                 {"text": "20.50 % of the reference income, per quarter"}),
        DebtLine("management_fee", fee, "RD38 art.20 §2", f"management_fee_rate@{year}-01-01"),
    ])
