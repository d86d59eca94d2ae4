"""A small known fund for the reporting tests: quarterly calls for 2025, payments through the ledger (arrears of
2024 paid in 2025, a quarter paid with court costs, an overpayment refunded), a surcharge and reminder costs, a
regularisation lowering a quarter already paid (released, refunded), a write-off and a waived surcharge.

Every amount the tests expect is written here by hand; Q is the 2025 minimum quarter (contribution + fee)
read from the ledger after the call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import update

from caisse.batches import quarterly_call
from caisse.ledger import DebtLine, balances, charge, impute, payout, receive_payment, refund, write_off
from caisse.store.db import session_scope
from caisse.store.models import Address, Person

D = dt.date


@dataclass
class Story:
    ana: int  # fr, Brussels, pays everything in 2025 (and 2024 arrears)
    bo: int  # nl, Gent, pays 2025Q1 only; 2025Q2 partly written off
    cy: int  # de, Eupen, pays nothing
    dan: int  # fr, Namur, started 2025-03-01 (a start)
    eve: int  # nl, Antwerp, pays 2025Q1, ceased 2025-06-30 (a cessation)
    q: int  # 2025 quarter of ana/bo/cy: contribution + management fee (cents)
    q_dan: int  # dan's starter quarter


def _move(url, party, postal, city):
    with session_scope(url) as s:
        s.execute(update(Address).where(Address.party_id == party).values(postal_code=postal, city=city))


def build(fund) -> Story:
    url = fund.url
    ana = fund.person(language="fr", incomes={2022: "12000.00"})
    bo = fund.person(language="nl", incomes={2022: "12000.00"})
    cy = fund.person(language="de", incomes={2022: "12000.00"})
    dan = fund.person(language="fr", start=D(2025, 3, 1))
    eve = fund.person(language="nl", incomes={2022: "12000.00"}, end=D(2025, 6, 30))
    _move(url, bo, "9000", "Gent")
    _move(url, cy, "4700", "Eupen")
    _move(url, dan, "5000", "Namur")
    _move(url, eve, "2000", "Antwerpen")
    with session_scope(url) as s:  # cy's sex is on file (F) although her NISS sequence is odd; dan is 23
        s.execute(update(Person).where(Person.id == cy).values(sex="F"))
        s.execute(update(Person).where(Person.id == dan).values(birth_date=D(2002, 5, 5)))
    with session_scope(url) as s:  # 2024Q4 arrears of ana, partly paid in 2024
        charge(s, "test/2024Q4/ana", ana, "2024Q4", D(2024, 12, 31), D(2024, 10, 1),
               [DebtLine("contribution", 80000, "test")])
        receive_payment(s, "bank/ana/1", D(2024, 12, 20), 30000, ana)
    for quarter in ("2025Q1", "2025Q2", "2025Q3", "2025Q4"):
        quarterly_call.run(url, quarter, fee_rate="0.04")
    with session_scope(url) as s:
        q = sum(b.balance_cents for b in balances(s, party_id=cy, accounts=("contribution", "management_fee"))
                if b.period == "2025Q1")
        q_dan = sum(b.balance_cents for b in balances(s, party_id=dan, accounts=("contribution", "management_fee"))
                    if b.period == "2025Q2")
        # a surcharge and reminder costs on the 2024Q4 arrears, court costs on ana's 2025Q2
        charge(s, "test/surcharge/ana", ana, "2024Q4", D(2025, 1, 1), D(2025, 1, 1),
               [DebtLine("surcharge", 1500, "RD 19-12-1967 art. 44")])
        charge(s, "test/reminder/ana", ana, "2024Q4", D(2025, 1, 20), D(2025, 1, 20),
               [DebtLine("costs", 1000, "test", explanation={"cost_kind": "reminder"})])
        charge(s, "test/court/ana", ana, "2025Q2", D(2025, 5, 31), D(2025, 5, 1),
               [DebtLine("costs", 5000, "test", explanation={"cost_kind": "court_costs"})])
        receive_payment(s, "bank/ana/2", D(2025, 2, 10), 52500, ana)  # 2024Q4: 500 + 15 + 10
        receive_payment(s, "bank/ana/3", D(2025, 3, 20), q, ana)  # 2025Q1
        receive_payment(s, "bank/ana/4", D(2025, 6, 15), q + 5000, ana)  # court costs (due) then 2025Q2
        receive_payment(s, "bank/ana/5", D(2025, 9, 10), q, ana)  # 2025Q3
        receive_payment(s, "bank/ana/6", D(2025, 11, 20), q + 10000, ana)  # 2025Q4 and 100 too much
        refund(s, "refund/ana/1", ana, 10000, D(2025, 11, 25), reason="overpayment")
        payout(s, "pain001/ana/1", "refund/ana/1", D(2025, 12, 1))
        # 2025Q1 lowered by 200 after it was paid: released to her credit, refunded
        charge(s, "test/regularisation/ana", ana, "2025Q1", D(2025, 12, 10), D(2025, 12, 10),
               [DebtLine("contribution", -20000, "test")], kind="regularisation")
        impute(s, ana, "test/release/ana", D(2025, 12, 10))
        refund(s, "refund/ana/2", ana, 20000, D(2025, 12, 12), reason="regularisation")
        payout(s, "pain001/ana/2", "refund/ana/2", D(2025, 12, 15))
        receive_payment(s, "bank/ana/7", D(2026, 1, 5), 7000, ana)  # stays on credit (nothing open): not paid
        # bo pays 2025Q1; 2025Q2: 100 written off (art. 50bis), a surcharge charged then waived
        receive_payment(s, "bank/bo/1", D(2025, 3, 25), q, bo)
        write_off(s, "test/writeoff/bo", bo, "contribution", "2025Q2", 10000, D(2025, 11, 1),
                  rule="RD 19-12-1967 art. 50bis")
        charge(s, "test/surcharge/bo", bo, "2025Q2", D(2025, 7, 1), D(2025, 7, 1),
               [DebtLine("surcharge", 2000, "RD 19-12-1967 art. 44")])
        write_off(s, "test/waiver/bo", bo, "surcharge", "2025Q2", 2000, D(2025, 8, 1), rule="waiver")
        receive_payment(s, "bank/eve/1", D(2025, 2, 15), q, eve)  # eve pays 2025Q1 only, then ceases
        # dan pays his first quarter in 2026 (arrears of 2025)
        receive_payment(s, "bank/dan/1", D(2026, 1, 20), q_dan, dan)
    return Story(ana, bo, cy, dan, eve, q, q_dan)
