"""Parked money (a bank line nobody could book) leaves the fund only under four eyes: to the account it came from
and up to the threshold at once, to any other account — or above — only once a manager who did not ask approves."""

from __future__ import annotations

import datetime as dt

import pytest
from money_helpers import OTHER_IBAN, coda, pay
from sqlalchemy import select
from typer.testing import CliRunner

from caisse.cases.models import Case
from caisse.cli import app
from caisse.collection.coda_import import import_coda
from caisse.collection.credit_transfers import export_credit_transfers
from caisse.collection.models import ReconciliationItem
from caisse.collection.reconciliation import refund_item
from caisse.config import Settings
from caisse.demo.identities import make_iban
from caisse.errors import Conflict
from caisse.ledger import load, unassigned
from caisse.security.authz import Forbidden, Principal
from caisse.services import approvals, reconciliation_desk
from caisse.services.accounts import create_account
from caisse.store.db import session_scope
from caisse.store.models import Approval, AuditLog

PAID_ON = dt.date(2026, 3, 20)
SETTINGS = Settings(four_eyes_threshold_cents=50_000)
ELSEWHERE = make_iban("001", 7)  # an account the money did not come from
PASSWORD = "Correct horse battery staple 42"


@pytest.fixture
def staff(db_url):
    """Accounts: a caseworker of team t1, another of team t2, two managers (and their TOTP secrets)."""
    who, secrets = {}, {}
    with session_scope(db_url) as s:
        for login, role, team in (("cw1", "caseworker", "t1"), ("cw2", "caseworker", "t2"),
                                  ("boss", "manager", None), ("chief", "manager", None)):
            account, secrets[login] = create_account(s, Principal.system("setup"), login, PASSWORD, role, team=team)
            who[login] = Principal(login=login, role=role, account_id=account.id, team=team)
    who["secrets"] = secrets
    return who


@pytest.fixture
def app_for(db_url, tmp_path):
    from caisse.web.app import create_app

    return create_app(Settings(database_url=db_url, exchange_dir=str(tmp_path / "exchange"),
                               four_eyes_threshold_cents=50_000))


def parked(db_url, *movements) -> list[int]:
    import_coda(db_url, coda(*movements))
    with session_scope(db_url) as s:
        return list(s.scalars(select(ReconciliationItem.id).order_by(ReconciliationItem.id)))


def state(db_url, item_id: int) -> tuple[str, str | None, int]:
    with session_scope(db_url) as s:
        item = s.get(ReconciliationItem, item_id)
        return item.status, item.resolution, unassigned(s, item.payment_key)


def test_a_small_refund_to_the_account_the_money_came_from_is_ordered_at_once(db_url, staff):
    [item] = parked(db_url, pay(42_000, PAID_ON, text="cotisation autre caisse", iban=OTHER_IBAN, name="LEFEVRE"))
    with session_scope(db_url) as s:
        order = refund_item(s, item, staff["cw1"], reason="wrong fund", settings=SETTINGS)
        assert order.created and order.approval.status == "executed"
        assert (order.approval.kind, order.approval.party_id, order.approval.item_id) == ("parked_refund", None, item)
        assert order.approval.decision_note == "under the four-eyes threshold"
        assert load(s, order.key).kind == "refund"
    assert state(db_url, item) == ("resolved", "refunded", 0)
    with session_scope(db_url) as s:
        assert s.scalar(select(Case.status).where(Case.kind == "unmatched_payment")) == "closed"
        assert not refund_item(s, item, staff["cw1"], reason="wrong fund", settings=SETTINGS).created  # a retry


def test_a_refund_to_another_account_always_waits_and_the_asker_cannot_approve_it(db_url, staff, tmp_path):
    [item] = parked(db_url, pay(1_000, PAID_ON, text="?", iban=OTHER_IBAN, name="A. PAYER"))
    with session_scope(db_url) as s:  # even 10 EUR, even asked by a manager
        order = refund_item(s, item, staff["boss"], reason="the payer's new account", iban=ELSEWHERE,
                            settings=SETTINGS)
        approval_id = order.approval.id
        assert order.awaiting_approval and order.key is None
    assert state(db_url, item) == ("open", None, 1_000)
    with session_scope(db_url) as s, pytest.raises(Forbidden):
        approvals.decide(s, staff["boss"], approval_id, True, "me", PAID_ON)
    with session_scope(db_url) as s, pytest.raises(Forbidden):
        approvals.decide(s, staff["cw2"], approval_id, True, "not a manager", PAID_ON)
    with session_scope(db_url) as s, pytest.raises(Conflict):  # its money is spoken for meanwhile
        reconciliation_desk.refund(s, staff["cw1"], item, "payer's own account")  # another account than asked
    with session_scope(db_url) as s:
        decided = approvals.decide(s, staff["chief"], approval_id, True, "checked with the payer", PAID_ON)
        assert decided.status == "executed" and decided.ledger_key
    assert state(db_url, item) == ("resolved", "refunded", 0)
    run = export_credit_transfers(db_url, dt.date(2026, 3, 23), now=dt.datetime(2026, 3, 20, 9))
    assert ELSEWHERE.encode() in run.content and b"10.00" in run.content


def test_above_the_threshold_counting_30_days_to_the_same_account_the_refund_waits(db_url, staff):
    small, large = parked(db_url, pay(30_000, PAID_ON, text="?", iban=OTHER_IBAN),
                          pay(30_000, PAID_ON, text="again?", iban=OTHER_IBAN))
    with session_scope(db_url) as s:
        assert refund_item(s, small, staff["cw1"], reason="wrong fund", settings=SETTINGS).approval.status == \
            "executed"
        # 300 + 300 to the same account within 30 days: above 500, no splitting into small refunds
        order = refund_item(s, large, staff["cw1"], reason="wrong fund", settings=SETTINGS)
        assert order.awaiting_approval
        approval_id = order.approval.id
    with session_scope(db_url) as s:
        approvals.decide(s, staff["boss"], approval_id, False, "ask the payer first", PAID_ON)
    status, _, left = state(db_url, large)
    assert (status, left) == ("open", 30_000)  # rejected: the money stays parked, the item open
    with session_scope(db_url) as s:
        assert "rejected by boss" in s.get(ReconciliationItem, large).note
        again = refund_item(s, large, staff["cw1"], reason="the payer confirmed", settings=SETTINGS)
        assert again.created and again.approval.id != approval_id and again.awaiting_approval


def test_the_inbox_and_the_api_list_a_parked_refund_without_a_file(app_for, db_url, staff):
    from fastapi.testclient import TestClient

    from support.web import form_login, log_in

    [item] = parked(db_url, pay(70_000, PAID_ON, text="?", iban=OTHER_IBAN))
    with session_scope(db_url) as s:
        approval_id = refund_item(s, item, staff["cw1"], reason="wrong fund", settings=SETTINGS).approval.id
    with session_scope(db_url) as s:  # team-bound: their own requests; another team's caseworker sees none
        assert [a.id for a in approvals.pending(s, staff["cw1"])] == [approval_id]
        assert approvals.pending(s, staff["cw2"]) == []
        assert [a.id for a in approvals.pending(s, staff["boss"])] == [approval_id]
        read = s.scalar(select(AuditLog).where(AuditLog.entity == "approval_inbox", AuditLog.party_id.is_(None))
                        .order_by(AuditLog.id.desc()))
        assert read.detail["reconciliation_items"] == [item]
    with TestClient(app_for, headers={"accept-language": "en"}) as c:
        log_in(c, "boss", staff["secrets"]["boss"])
        [listed] = c.get("/api/approvals").json()
        assert (listed["id"], listed["kind"], listed["party_id"], listed["item_id"]) == \
            (approval_id, "parked_refund", None, item)
        assert listed["iban_from_payer"] is True and listed["iban_on_file"] is None
        assert OTHER_IBAN not in str(listed)
    with TestClient(app_for, headers={"accept-language": "en"}) as c:
        assert form_login(c, "boss", staff["secrets"]["boss"]).status_code == 303
        page = c.get("/desk/approvals")
        assert page.status_code == 200 and f'href="/desk/reconciliation/{item}"' in page.text
        assert "the account the money came from" in page.text and OTHER_IBAN not in page.text
        line = c.get(f"/desk/reconciliation/{item}")
        assert "awaiting approval" in line.text and "Give it back to the payer" not in line.text
        assert "awaiting approval" in c.get("/desk/reconciliation").text
        decided = c.post(f"/desk/approvals/{approval_id}", data={"csrf_token": _csrf(page), "decision": "approve",
                                                                 "note": "ok"}, follow_redirects=False)
        assert decided.status_code == 303
    assert state(db_url, item) == ("resolved", "refunded", 0)


def _csrf(page) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_the_desk_asks_a_refund_to_another_account_and_shows_it_awaiting_approval(app_for, db_url, staff):
    from fastapi.testclient import TestClient

    from support.web import form_login

    [item] = parked(db_url, pay(2_500, PAID_ON, text="?", iban=OTHER_IBAN))
    with TestClient(app_for, headers={"accept-language": "en"}) as c:
        assert form_login(c, "cw1", staff["secrets"]["cw1"]).status_code == 303
        page = c.get(f"/desk/reconciliation/{item}")
        r = c.post(f"/desk/reconciliation/{item}", data={"csrf_token": _csrf(page), "action": "refund",
                                                         "reason": "payer's other account", "iban": ELSEWHERE},
                   follow_redirects=False)
        assert r.status_code == 303
        assert "awaiting approval" in c.get(f"/desk/reconciliation/{item}").text
    assert state(db_url, item) == ("open", None, 2_500)


def test_the_command_says_a_refund_awaits_approval(db_url, staff):
    [item] = parked(db_url, pay(2_500, PAID_ON, text="?", iban=OTHER_IBAN))
    r = CliRunner().invoke(app, ["reconcile", "refund", str(item), "--reason", "other account", "--iban", ELSEWHERE,
                                 "--db", db_url])
    assert r.exit_code == 0 and "awaiting approval (request" in r.output, r.output
    assert state(db_url, item) == ("open", None, 2_500)
    again = CliRunner().invoke(app, ["reconcile", "refund", str(item), "--reason", "other account", "--iban",
                                     ELSEWHERE, "--db", db_url])
    assert "already asked, awaiting approval" in again.output
    listed = CliRunner().invoke(app, ["reconcile", "list", "--db", db_url])
    assert "awaiting approval (request" in listed.output
    with session_scope(db_url) as s:
        assert s.scalar(select(Approval.requested_by)).startswith("cli:")
