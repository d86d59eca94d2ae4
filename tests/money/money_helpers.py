"""A small fund for the money tests: debtors with names and bank accounts, quarterly calls, bank statements."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import func, insert, select

from caisse.exchange.coda import make_statement, transfer_movement, write_coda
from caisse.ledger import DebtLine, charge
from caisse.references import for_quarter
from caisse.store.models import BankAccount, Party, Person

FUND_IBAN = "BE71096123456769"  # caisse.config default fund_iban
OTHER_IBAN = "BE62510007547061"
_ids = itertools.count(1000)
_seq = itertools.count(1)


def new_debtor(session, first: str = "Jean", last: str = "Dupont", iban: str | None = None, language: str = "fr"):
    pid = next(_ids)
    session.execute(insert(Party), [{"id": pid, "kind": "person", "language": language}])
    session.execute(insert(Person), [{"id": pid, "niss": f"{85073000000 + pid}", "first_name": first,
                                      "last_name": last, "birth_date": dt.date(1985, 7, 30)}])
    if iban:
        session.execute(insert(BankAccount), [{"party_id": pid, "iban": iban, "valid_from": dt.date(2020, 1, 1)}])
    return pid


def quarter_due(period: str) -> dt.date:
    year, q = int(period[:4]), int(period[5])
    return dt.date(year, 3, 31) if q == 1 else dt.date(year, q * 3, 30 if q in (2, 3) else 31)


def call_quarter(session, party: int, period: str, contribution: int = 80_000, fee: int = 3_240):
    year, q = int(period[:4]), int(period[5])
    return charge(session, f"quarterly-call/{period}/{party}", party, period, quarter_due(period),
                  dt.date(year, q * 3 - 2, 5), [
                      DebtLine("contribution", contribution, "RD38 art.12 §1", f"first_threshold@{year}-01-01"),
                      DebtLine("management_fee", fee, "RD38 art.20 §2", f"management_fee_rate@{year}-01-01")])


def ogm(party: int, period: str) -> str:
    return for_quarter(party, int(period[:4]), int(period[5])).ogm


def pay(amount: int, day: dt.date, *, ogm: str | None = None, text: str = "", iban: str = "", name: str = "",
        e2e: str = ""):
    return transfer_movement(0, amount, day, ogm=ogm, text=text, counterparty_iban=iban, counterparty_name=name,
                             end_to_end_id=e2e)


def coda(*movements, account: str = FUND_IBAN, day: dt.date = dt.date(2026, 3, 20), paper: int | None = None):
    """A one-statement CODA file (bytes) of ``movements``; sequence numbers are given here."""
    for i, mv in enumerate(movements, 1):
        mv.sequence = i
    st = make_statement(account_iban=account, old_balance_cents=1_000_000, old_balance_date=day - dt.timedelta(1),
                        new_balance_date=day, movements=list(movements), paper_sequence=paper or next(_seq),
                        holder_name="CAISSE")
    return write_coda([st])


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))
