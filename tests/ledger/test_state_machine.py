"""Random lives of a few debtors: calls, payments (some unmatched), regularisations, refunds, corrections and
bounced payments, with `caisse ledger check` and a model of each debtor's position verified after every step."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from ledger_helpers import call_quarter, new_party
from sqlalchemy import func, select

from caisse.ledger import (
    DebtLine,
    assign,
    balances,
    charge,
    credit_available,
    impute,
    open_items,
    receive_payment,
    refund,
    return_payment,
    reverse,
    unassigned,
)
from caisse.ledger.check import run_check
from caisse.ledger.models import RECEIVABLE, LedgerEntry
from caisse.store.db import session_scope

QUARTERS = [f"{y}Q{q}" for y in (2025, 2026) for q in (1, 2, 3, 4)]
amounts = st.integers(min_value=1, max_value=150_000)


def make_machine(url: str):
    class LedgerMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.tag = uuid.uuid4().hex[:8]
            self.seq = itertools.count()
            self.day = dt.date(2025, 1, 1)
            with session_scope(url) as s:
                self.parties = [new_party(s) for _ in range(3)]
            self.position = dict.fromkeys(self.parties, 0)  # charged - received, per debtor
            self.charges: list[tuple[str, int, int]] = []  # (key, party, amount) not yet reversed
            self.payments: list[tuple[str, int, int]] = []  # known-debtor payments not yet returned
            self.parked: list[str] = []

        def key(self, what: str) -> str:
            self.day += dt.timedelta(days=1)
            return f"sm/{self.tag}/{next(self.seq)}/{what}"

        @rule(who=st.integers(0, 2), quarter=st.sampled_from(QUARTERS), amount=amounts)
        def call(self, who, quarter, amount):
            party = self.parties[who]
            with session_scope(url) as s:
                key = self.key("call")
                fee = amount * 305 // 10000
                call_quarter(s, party, quarter, amount, fee, key=key)
                impute(s, party, key + "/set-off", self.day)
            self.charges.append((key, party, amount + fee))
            self.position[party] += amount + fee

        @rule(who=st.integers(0, 2), quarter=st.sampled_from(QUARTERS),
              delta=st.integers(-60_000, 60_000).filter(bool))
        def regularise(self, who, quarter, delta):
            party = self.parties[who]
            with session_scope(url) as s:
                key = self.key("regularisation")
                charge(s, key, party, quarter, self.day + dt.timedelta(days=90), self.day,
                       [DebtLine("contribution", delta, "RD38 art.13", "definitive_income")], kind="regularisation")
                impute(s, party, key + "/set-off", self.day)
            self.charges.append((key, party, delta))
            self.position[party] += delta

        @rule(who=st.integers(0, 2), amount=amounts, designation=st.none() | st.sampled_from(QUARTERS))
        def pay(self, who, amount, designation):
            party = self.parties[who]
            with session_scope(url) as s:
                key = self.key("payment")
                receive_payment(s, key, self.day, amount, party, designation=designation)
            self.payments.append((key, party, amount))
            self.position[party] -= amount

        @rule(amount=amounts)
        def park(self, amount):
            with session_scope(url) as s:
                key = self.key("unmatched")
                receive_payment(s, key, self.day, amount, None)
            self.parked.append(key)

        @precondition(lambda self: self.parked)
        @rule(data=st.data(), who=st.integers(0, 2))
        def assign_parked(self, data, who):
            payment = data.draw(st.sampled_from(self.parked))
            party = self.parties[who]
            with session_scope(url) as s:
                left = unassigned(s, payment)
                if left == 0:
                    return
                amount = data.draw(st.integers(1, left))
                assign(s, self.key("assign"), payment, party, self.day, amount_cents=amount)
            self.position[party] -= amount

        @rule(who=st.integers(0, 2), share=st.integers(1, 100))
        def refund_credit(self, who, share):
            party = self.parties[who]
            with session_scope(url) as s:
                available = credit_available(s, party)
                if available <= 0:
                    return
                refund(s, self.key("refund"), party, max(1, available * share // 100), self.day)

        @precondition(lambda self: self.charges)
        @rule(data=st.data())
        def correct_a_debt(self, data):
            key, party, amount = data.draw(st.sampled_from(self.charges))
            with session_scope(url) as s:
                correction = self.key("correction")
                reverse(s, key, correction, self.day, "wrong income")
                impute(s, party, correction + "/set-off", self.day)
            self.charges.remove((key, party, amount))
            self.position[party] -= amount

        @precondition(lambda self: self.payments)
        @rule(data=st.data())
        def bounce_a_payment(self, data):
            key, party, amount = data.draw(st.sampled_from(self.payments))
            with session_scope(url) as s:
                return_payment(s, key, self.key("returned"), self.day, "R-transaction AM04")
            self.payments.remove((key, party, amount))
            self.position[party] += amount

        @invariant()
        def the_ledger_checks(self):
            with session_scope(url) as s:
                report = run_check(s)
                assert report.breaches == []
                for party in self.parties:
                    rows = balances(s, party_id=party)
                    position = sum(b.balance_cents for b in rows if b.account in (*RECEIVABLE, "credit", "refund"))
                    assert position == self.position[party]
                    open_ = sum(b.balance_cents for b in open_items(s, party))
                    held = credit_available(s, party)
                    assert not (open_ > 0 and held > 0), "credit left unimputed while debts are open"
                    assert all(b.balance_cents >= 0 for b in rows if b.account in RECEIVABLE)
                    assert s.scalar(select(func.count()).select_from(LedgerEntry)
                                    .where(LedgerEntry.amount_cents == 0)) == 0

    return LedgerMachine


def test_random_lives_keep_every_invariant(db_url):
    run_state_machine_as_test(
        make_machine(db_url),
        settings=settings(max_examples=12, stateful_step_count=12, deadline=None, derandomize=True,
                          suppress_health_check=list(HealthCheck)),
    )
