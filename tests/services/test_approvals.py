"""Four eyes: money leaving the fund above the threshold waits for a manager who did not ask."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from caisse.config import Settings
from caisse.demo.identities import make_iban
from caisse.errors import Conflict, InvalidInput
from caisse.ledger import DebtLine, charge, credit_available, receive_payment
from caisse.ledger.models import LedgerTransaction
from caisse.security.authz import Forbidden, Principal
from caisse.services import approvals
from caisse.store.db import session_scope
from support.people import register_someone

TODAY = dt.date(2026, 11, 24)
SETTINGS = Settings(four_eyes_threshold_cents=50_000)
CASEWORKER = Principal(login="cw", role="caseworker", account_id=1, team="t1")
MANAGER = Principal(login="boss", role="manager", account_id=2)
IBAN = make_iban("001", 42)  # the account on file (support.people.register_someone)


@pytest.fixture
def overpaid(db_url):
    """A person who paid 1,500.00 for a quarter of 907.01: 592.99 credit; accounts 1 (caseworker), 2 (manager)."""
    from caisse.services.accounts import create_account

    with session_scope(db_url) as s:
        for login, role, team in (("cw", "caseworker", "t1"), ("boss", "manager", None)):
            create_account(s, Principal.system("setup"), login, "Correct horse battery staple 42", role, team=team)
        p = register_someone(s)
        p.party.team = "t1"
        charge(s, "t/call", p.id, "2026Q1", dt.date(2026, 3, 31), dt.date(2026, 1, 5),
               [DebtLine("contribution", 90_701, "RD38 art.12", "min", {"text": "minimum"})])
        receive_payment(s, "t/pay", dt.date(2026, 2, 1), 150_000, p.id, designation="2026Q1")
        return p.id


def transactions(db_url) -> int:
    with session_scope(db_url) as s:
        return s.scalar(select(func.count()).select_from(LedgerTransaction))


def test_a_small_refund_is_executed_at_once(db_url, overpaid):
    with session_scope(db_url) as s:
        a = approvals.request_refund(s, CASEWORKER, overpaid, 20_000, IBAN, "overpaid Q1", TODAY, SETTINGS)
        assert a.status == "executed" and a.ledger_key
        assert credit_available(s, overpaid) == 59_299 - 20_000


def test_a_large_refund_waits_for_a_manager_who_did_not_ask(db_url, overpaid):
    with session_scope(db_url) as s:
        approval_id = approvals.request_refund(s, CASEWORKER, overpaid, 59_299, IBAN, "overpaid Q1", TODAY,
                                               SETTINGS).id
    before = transactions(db_url)
    with session_scope(db_url) as s:
        assert [a.id for a in approvals.pending(s, MANAGER)] == [approval_id]
        assert credit_available(s, overpaid) == 59_299  # nothing moved yet
    with session_scope(db_url) as s, pytest.raises(Forbidden):
        approvals.decide(s, CASEWORKER, approval_id, True, "ok", TODAY)  # not a manager
    manager_who_asked = Principal(login="boss", role="manager", account_id=2)
    with session_scope(db_url) as s:
        own = approvals.request_refund(s, manager_who_asked, overpaid, 50_001, IBAN, "x", TODAY, SETTINGS).id
    with session_scope(db_url) as s, pytest.raises(Forbidden):
        approvals.decide(s, MANAGER, own, True, "mine", TODAY)  # the same person cannot be both pairs of eyes
    assert transactions(db_url) == before
    with session_scope(db_url) as s:
        a = approvals.decide(s, MANAGER, approval_id, True, "checked the bank statement", TODAY)
        assert a.status == "executed"
        assert credit_available(s, overpaid) == 0
    with session_scope(db_url) as s, pytest.raises(Conflict):
        approvals.decide(s, MANAGER, approval_id, True, "again", TODAY)


def test_a_rejected_write_off_changes_no_money(db_url, overpaid):
    with session_scope(db_url) as s:
        charge(s, "t/call2", overpaid, "2026Q2", dt.date(2026, 6, 30), dt.date(2026, 4, 5),
               [DebtLine("contribution", 90_701, "RD38 art.12", "min", {"text": "minimum"})])
        approval_id = approvals.request_write_off(s, CASEWORKER, overpaid, "contribution", "2026Q2", 90_701,
                                                  "AR n° 38 art. 16 §2", "prescribed (five years)",
                                                  TODAY, SETTINGS).id
    before = transactions(db_url)
    with session_scope(db_url) as s:
        assert approvals.decide(s, MANAGER, approval_id, False, "not prescribed yet", TODAY).status == "rejected"
    assert transactions(db_url) == before


@pytest.mark.parametrize("amount, iban, reason, field", [
    (0, IBAN, "r", "amount"), (100, "BE00", "r", "iban"), (100, IBAN, " ", "reason")])
def test_bad_requests_name_the_field(db_url, overpaid, amount, iban, reason, field):
    with session_scope(db_url) as s, pytest.raises(InvalidInput) as err:
        approvals.request_refund(s, CASEWORKER, overpaid, amount, iban, reason, TODAY, SETTINGS)
    assert err.value.field == field


def test_an_affiliate_cannot_order_a_refund(db_url, overpaid):
    me = Principal(login="me", role="affiliate", account_id=9, party_id=overpaid)
    with session_scope(db_url) as s, pytest.raises(Forbidden):
        approvals.request_refund(s, me, overpaid, 100, IBAN, "please", TODAY, SETTINGS)


def test_small_refunds_cannot_be_split_past_the_threshold(db_url, overpaid):
    with session_scope(db_url) as s:
        first = approvals.request_refund(s, CASEWORKER, overpaid, 30_000, IBAN, "part 1", TODAY, SETTINGS)
        second = approvals.request_refund(s, CASEWORKER, overpaid, 29_299, IBAN, "part 2", TODAY, SETTINGS)
        assert (first.status, second.status) == ("executed", "pending")


def test_a_refund_to_an_account_not_on_file_always_needs_a_manager(db_url, overpaid):
    with session_scope(db_url) as s:
        a = approvals.request_refund(s, CASEWORKER, overpaid, 1_000, "BE62510007547061", "to my account", TODAY,
                                     SETTINGS)
        assert a.status == "pending" and a.payload["iban_on_file"] is False


def test_a_write_off_never_creates_credit(db_url, overpaid):
    with session_scope(db_url) as s, pytest.raises(Conflict) as err:
        approvals.request_write_off(s, CASEWORKER, overpaid, "contribution", "2026Q3", 10_000, "AR n° 38 art. 16 §2",
                                    "nothing is owed for 2026Q3", TODAY, SETTINGS)
    assert "never creates credit" in err.value.message


def test_a_handler_sees_only_the_pending_requests_of_their_team_and_the_read_is_audited(db_url, overpaid):
    from caisse.store.models import AuditLog

    with session_scope(db_url) as s:
        asked = approvals.request_refund(s, CASEWORKER, overpaid, 59_299, IBAN, "overpaid Q1", TODAY, SETTINGS).id
    other_team = Principal(login="cw2", role="recovery_officer", account_id=None, team="t2")
    same_team = Principal(login="cw3", role="benefits_officer", account_id=None, team="t1")
    with session_scope(db_url) as s:
        assert approvals.pending(s, other_team) == []
        assert [a.id for a in approvals.pending(s, same_team)] == [asked]
        assert [a.id for a in approvals.pending(s, MANAGER)] == [asked]
    with session_scope(db_url) as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.entity == "approval_inbox")).all()
        assert {(r.actor, r.party_id) for r in rows} == {("cw3", overpaid), ("boss", overpaid)}


def test_the_manager_sees_the_refund_account_masked_and_whether_it_is_on_file(db_url, overpaid):
    with session_scope(db_url) as s:
        approvals.request_refund(s, CASEWORKER, overpaid, 1_000, "BE62510007547061", "to my account", TODAY,
                                 SETTINGS)
        approvals.request_refund(s, CASEWORKER, overpaid, 59_000, IBAN, "overpaid Q1", TODAY, SETTINGS)
    with session_scope(db_url) as s:
        views = [approvals.iban_view(a) for a in approvals.pending(s, MANAGER)]
    assert views == [{"iban_masked": "BE62 xxxx xxxx 7061", "on_file": False},
                     {"iban_masked": f"{IBAN[:4]} xxxx xxxx {IBAN[-4:]}", "on_file": True}]
