"""Helpers for the benefit stories: contributions called and paid in the ledger, an IBAN on file."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from caisse.ledger import DebtLine, charge, receive_payment
from caisse.services.calendar import Quarter
from caisse.store.db import session_scope
from caisse.store.models import BankAccount

IBAN = "BE62510007547061"
#: a bridging-right claimant's declarations: no professional activity during the interruption, no replacement income
NOTHING_ELSE = {"professional_activity": False, "replacement_income": False}


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def quarters(first: str, last: str) -> list[str]:
    q, end, out = Quarter.parse(first), Quarter.parse(last), []
    while q <= end:
        out.append(str(q))
        q = q.next()
    return out


def contributions(url: str, person: int, paid: list[str], unpaid: list[str] = ()) -> None:
    """Each quarter called (800.00 EUR, due at its end); the ``paid`` ones paid in full on their due date."""
    with session_scope(url) as s:
        for period in [*paid, *unpaid]:
            q = Quarter.parse(period)
            charge(s, f"test/call/{person}/{period}", person, period, q.last_day, q.first_day,
                   [DebtLine("contribution", 80_000, "RD38 art.12", "test")])
            if period in paid:
                receive_payment(s, f"test/pay/{person}/{period}", q.last_day, 80_000, person, designation=period)


def iban(url: str, person: int, since: dt.date = dt.date(2015, 1, 1)) -> None:
    with session_scope(url) as s:
        s.execute(insert(BankAccount), [{"party_id": person, "iban": IBAN, "bic": "AXABBE22", "valid_from": since}])
