"""A bailiff collects for the fund, then pays the money over: the debtor is settled once, the bailiff owes the fund
until his transfer arrives, and the same euros are never counted twice (status file + bank statement)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from caisse.batches import quarterly_call
from caisse.batches import recovery as batch
from caisse.cli import app
from caisse.collection.coda_import import import_coda
from caisse.collection.models import BankLine, ReconciliationItem
from caisse.collection.reconciliation import assign_item, remittance_item
from caisse.errors import Conflict, InvalidInput
from caisse.exchange.coda import make_statement, transfer_movement, write_coda
from caisse.ledger import (
    balances,
    clearing_balance,
    load,
    post,
    receive_payment,
    remittance_posting,
    unassigned,
)
from caisse.ledger.check import run_check
from caisse.ledger.posting import Entry, Posting
from caisse.recovery import service
from caisse.recovery.partner_status import import_status
from caisse.recovery.partners import add_partner, handover, partner_balances, set_partner_iban
from caisse.security.authz import Principal
from caisse.store.db import session_scope
from caisse.store.models import AuditLog

CLERK = Principal.system("cli:recovery-officer")
FUND_IBAN = "BE71096123456769"  # caisse.config default fund_iban
BAILIFF_IBAN = "BE62510007547061"  # Meester Peeters' third-party account
STRANGER_IBAN = "BE43730004200601"
STATUS_HEADER = "partner_ref,our_reference,file_number,event_date,served_on,paid,costs,outcome,note\n"
_paper = itertools.count(1)


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def coda(*movements, day: dt.date) -> bytes:
    """A one-statement CODA file of the fund's account (the way tests/money builds them)."""
    for i, mv in enumerate(movements, 1):
        mv.sequence = i
    return write_coda([make_statement(account_iban=FUND_IBAN, old_balance_cents=1_000_000,
                                      old_balance_date=day - dt.timedelta(1), new_balance_date=day,
                                      movements=list(movements), paper_sequence=next(_paper), holder_name="CAISSE")])


def transfer(cents: int, day: dt.date, *, iban: str, name: str, text: str = "", ogm: str | None = None):
    return transfer_movement(0, cents, day, ogm=ogm, text=text, counterparty_iban=iban, counterparty_name=name)


def owed(url, party) -> dict:
    with session_scope(url) as s:
        return {(b.account, b.period): b.balance_cents for b in balances(
            s, party_id=party, accounts=("contribution", "management_fee", "surcharge", "costs")) if b.balance_cents}


def bank(url) -> int:
    with session_scope(url) as s:
        return sum(b.balance_cents for b in balances(s, accounts=("bank",)))


def clearing(url, code="HUI-GENT") -> int:
    with session_scope(url) as s:
        return clearing_balance(s, code)


def check(url):
    with session_scope(url) as s:
        report = run_check(s)
    assert report.ok, report.breaches
    return report.totals


def queue(url) -> list[ReconciliationItem]:
    with session_scope(url) as s:
        return list(s.scalars(select(ReconciliationItem).order_by(ReconciliationItem.id)))


@pytest.fixture
def handed(db_url, fund, tmp_path):
    """Ana owes exactly 500.00 for 2026Q1 (a contribution of 500, no fee, no surcharge yet) and her file is handed
    to the bailiff Peeters of Gent; returns (ana, her hand-over reference)."""
    with session_scope(db_url) as s:
        add_partner(s, CLERK, "HUI-GENT", "bailiff", "Meester Peeters, gerechtsdeurwaarder",
                    "Veldstraat 1; 9000 Gent", "peeters@deurwaarder.example", "nl")
    ana = fund.person(category="main", start=d("2025-01-01"), language="nl")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    for day in ("2026-04-16", "2026-05-16", "2026-06-16", "2026-07-17"):
        batch.run(db_url, d(day))
    with session_scope(db_url) as s:
        service.log_contact(s, CLERK, ana, d("2026-07-20"), "called: cannot pay")
    batch.run(db_url, d("2026-08-05"))
    batch.run(db_url, d("2026-09-06"))
    assert handover(db_url, d("2026-09-07"), tmp_path, CLERK).files
    # what she owes is the minimum quarter; the bailiff collects 500.00 of it (oldest first, principal first)
    return ana, f"{ana}-1-bailiff"


def collect(db_url, ana, ref, partner_ref, cents, day):
    status = STATUS_HEADER + f"{partner_ref},{ref},{ana},{day},,{cents / 100:.2f},,,\n"
    r = import_status(db_url, status.encode(), "HUI-GENT", CLERK, d(day))
    assert (r.accepted, r.paid_cents, r.rejected) == (1, cents, [])


def test_the_bailiff_collects_500_and_his_transfer_from_his_iban_settles_what_he_owes(db_url, handed):
    ana, ref = handed
    before, bank_before = owed(db_url, ana), bank(db_url)
    principal = before[("contribution", "2026Q1")]
    check(db_url)

    collect(db_url, ana, ref, "GENT-1", 50_000, "2026-10-05")
    # the debtor has paid 500 (to the oldest principal), the bailiff owes 500, the bank has not moved
    assert owed(db_url, ana)[("contribution", "2026Q1")] == principal - 50_000
    assert clearing(db_url) == 50_000
    assert bank(db_url) == bank_before
    totals = check(db_url)
    assert (totals.partners, totals.unmatched) == (50_000, 0)
    with session_scope(db_url) as s:
        receipt = load(s, "partner/HUI-GENT/GENT-1/payment")
        assert {(e.account, e.party_id, e.parameter, e.amount_cents) for e in receipt.entries} == {
            ("partner_clearing", None, "HUI-GENT", 50_000), ("credit", ana, None, -50_000)}
        [row] = partner_balances(s, d("2026-10-31"))
        assert (row.collected_cents, row.remitted_cents, row.owed_cents, row.owed_since) == (
            50_000, 0, 50_000, d("2026-10-05"))
    # the partner's account is put on file; his transfer carries Ana's structured communication (from the
    # hand-over) — still his remittance, never a second payment of Ana
    with session_scope(db_url) as s:
        set_partner_iban(s, CLERK, "HUI-GENT", BAILIFF_IBAN)
    from caisse.references import for_quarter

    summary = import_coda(db_url, coda(transfer(50_000, d("2026-10-20"), iban=BAILIFF_IBAN, name="PEETERS DERDEN",
                                                ogm=for_quarter(ana, 2026, 1).ogm), day=d("2026-10-20")))
    assert summary.counts == {"booked": 1} and summary.queued == 0
    assert clearing(db_url) == 0
    assert bank(db_url) == bank_before + 50_000
    assert owed(db_url, ana)[("contribution", "2026Q1")] == principal - 50_000  # not paid twice
    totals = check(db_url)
    assert (totals.partners, totals.unmatched) == (0, 0)
    assert totals.line().endswith(" unmatched=0.00 partners=0.00")
    with session_scope(db_url) as s:
        line = s.scalar(select(BankLine))
        assert (line.status, line.party_id) == ("booked", None)
        assert {(e.account, e.parameter, e.amount_cents) for e in load(s, line.ledger_key).entries} == {
            ("bank", None, 50_000), ("partner_clearing", "HUI-GENT", -50_000)}
        [row] = partner_balances(s, d("2026-10-31"))
        assert (row.collected_cents, row.remitted_cents, row.owed_cents, row.last_remitted_on) == (
            50_000, 50_000, 0, d("2026-10-20"))
        # on a day between the collection and the transfer the report still shows the debt
        assert partner_balances(s, d("2026-10-10"))[0].owed_cents == 50_000


def test_a_transfer_without_recognisable_reference_is_parked_then_assigned_by_staff_as_the_remittance(
        db_url, handed, tmp_path):
    ana, ref = handed
    collect(db_url, ana, ref, "GENT-1", 50_000, "2026-10-05")
    # the bailiff's office pays from an account the fund does not know, with a free text
    import_coda(db_url, coda(transfer(50_000, d("2026-10-21"), iban=STRANGER_IBAN, name="ETUDE PEETERS",
                                      text="doorstorting dossiers oktober"), day=d("2026-10-21")))
    [item] = queue(db_url)
    assert (item.reason, item.status) == ("no_reference", "open")
    assert unassigned_of(db_url, item) == 50_000
    totals = check(db_url)
    assert (totals.partners, totals.unmatched) == (50_000, 50_000)  # parked, and still owed by the bailiff

    # a partner that owes nothing cannot absorb it; a wrong code is refused naming the field
    with session_scope(db_url) as s:
        add_partner(s, CLERK, "HUI-LIEGE", "bailiff", "Maître Lambert", "Rue 2; 4000 Liège", "l@h.example", "fr")
    with session_scope(db_url) as s, pytest.raises(Conflict) as err:
        remittance_item(s, item.id, "HUI-LIEGE", "staff")
    assert err.value.field == "partner"
    with session_scope(db_url) as s, pytest.raises(InvalidInput) as err:
        remittance_item(s, item.id, "NOBODY", "staff")
    assert err.value.field == "partner"

    # staff recognise the remittance of Peeters, from the queue, with the command
    result = CliRunner().invoke(app, ["reconcile", "remittance", str(item.id), "--partner", "HUI-GENT",
                                      "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "500.00 EUR settles partner HUI-GENT's clearing; partner still owes 0.00 EUR" in result.output
    [item] = queue(db_url)
    assert (item.status, item.resolution) == ("resolved", "remittance")
    assert clearing(db_url) == 0
    totals = check(db_url)
    assert (totals.partners, totals.unmatched) == (0, 0)
    with session_scope(db_url) as s:
        settled = load(s, f"reconcile/{item.payment_key}/remittance/50000")  # key: what was still parked
        assert settled.kind == "assignment" and settled.booked_on == d("2026-10-21")  # the bank's value date
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "remittance")).all()
        assert [(a.entity, a.entity_id, a.detail["partner"], a.detail["amount_cents"]) for a in audit] == [
            ("reconciliation_item", str(item.id), "HUI-GENT", 50_000)]
    # again: nothing new
    again = CliRunner().invoke(app, ["reconcile", "remittance", str(item.id), "--partner", "HUI-GENT",
                                     "--db", db_url])
    assert again.exit_code == 0 and "already settled" in again.output
    assert clearing(db_url) == 0


def unassigned_of(url, item) -> int:
    with session_scope(url) as s:
        return unassigned(s, item.payment_key)


def test_a_partial_remittance_leaves_the_difference_on_the_clearing_report_and_an_excess_stays_parked(
        db_url, handed):
    ana, ref = handed
    with session_scope(db_url) as s:
        set_partner_iban(s, CLERK, "HUI-GENT", BAILIFF_IBAN)
    collect(db_url, ana, ref, "GENT-1", 50_000, "2026-10-05")
    import_coda(db_url, coda(transfer(30_000, d("2026-10-20"), iban=BAILIFF_IBAN, name="PEETERS"),
                             day=d("2026-10-20")))
    assert clearing(db_url) == 20_000 and queue(db_url) == []
    with session_scope(db_url) as s:
        [row] = partner_balances(s, d("2026-11-30"))
        assert (row.collected_cents, row.remitted_cents, row.owed_cents, row.owed_since) == (
            50_000, 30_000, 20_000, d("2026-10-05"))
    result = CliRunner().invoke(app, ["recovery", "partner", "balances", "--as-of", "2026-11-30", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert ("HUI-GENT         bailiff        500.00       300.00         0.00       200.00  2026-10-05  2026-10-20"
            in result.output)
    assert check(db_url).partners == 20_000

    # the next transfer is 400: 200 settles what is owed, 200 is beyond any status file: parked for staff
    import_coda(db_url, coda(transfer(40_000, d("2026-11-03"), iban=BAILIFF_IBAN, name="PEETERS"),
                             day=d("2026-11-03")))
    assert clearing(db_url) == 0
    [item] = queue(db_url)
    assert (item.reason, item.amount_cents) == ("partner_remittance", 40_000)
    assert "remittance of partner HUI-GENT: 200.00 EUR settled what it owes, 200.00 EUR beyond" in item.note
    assert unassigned_of(db_url, item) == 20_000
    totals = check(db_url)
    assert (totals.partners, totals.unmatched) == (0, 20_000)
    # the status file arrives later with the 200 collected: staff settle the parked rest
    collect(db_url, ana, ref, "GENT-2", 20_000, "2026-11-02")
    with session_scope(db_url) as s:
        remittance_item(s, item.id, "HUI-GENT", "staff")
    [item] = queue(db_url)
    assert item.status == "resolved"
    totals = check(db_url)
    assert (totals.partners, totals.unmatched) == (0, 0)
    # and the bank holds the 700 the bailiff paid over, once
    with session_scope(db_url) as s:
        [row] = partner_balances(s, d("2026-11-30"))
        assert (row.collected_cents, row.remitted_cents, row.owed_cents, row.owed_since) == (70_000, 70_000, 0, None)


def test_staff_may_still_give_a_parked_partner_transfer_to_a_debtor_and_the_check_catches_an_overpaid_clearing(
        db_url, handed):
    ana, _ref = handed
    with session_scope(db_url) as s:
        set_partner_iban(s, CLERK, "HUI-GENT", BAILIFF_IBAN)
    # nothing collected yet: the whole transfer is parked (a remittance before its status file)
    import_coda(db_url, coda(transfer(10_000, d("2026-10-20"), iban=BAILIFF_IBAN, name="PEETERS"),
                             day=d("2026-10-20")))
    [item] = queue(db_url)
    assert item.reason == "partner_remittance" and unassigned_of(db_url, item) == 10_000
    # money the bailiff collected reaches Ana through his status file, never twice
    with session_scope(db_url) as s, pytest.raises(Conflict, match="remittance"):
        assign_item(s, item.id, ana, "staff")
    with session_scope(db_url) as s:
        assign_item(s, item.id, ana, "staff", not_a_collection=True)  # e.g. Ana paid through the bailiff's account
    assert check(db_url).unmatched == 0
    # a clearing settled beyond what the partner collected is a breach of the ledger check
    with session_scope(db_url) as s:
        post(s, remittance_posting("test/overpaid", d("2026-10-22"), 5_000, "HUI-GENT", 5_000))
    with session_scope(db_url) as s:
        report = run_check(s)
    assert not report.ok
    assert report.breaches == ["partner HUI-GENT remitted 50.00 more than its status files report collected"]


def test_a_clearing_entry_names_its_partner_and_no_debtor(db_url, handed):
    ana, _ref = handed
    with session_scope(db_url) as s:
        for bad in (Entry("partner_clearing", 100), Entry("partner_clearing", 100, ana, None, None, None, "HUI-GENT")):
            with pytest.raises(InvalidInput) as err:
                post(s, Posting("test/bad", "payment", d("2026-10-01"), (bad, Entry("credit", -100, ana))))
            assert "partner_clearing entry names its partner" in err.value.message
        assert s.scalar(select(func.count()).select_from(BankLine)) == 0
    # the partner's IBAN is checked like any IBAN
    with session_scope(db_url) as s, pytest.raises(InvalidInput) as err:
        set_partner_iban(s, CLERK, "HUI-GENT", "BE00 1234")
    assert err.value.field == "iban"
    result = CliRunner().invoke(app, ["recovery", "partner", "iban", "--code", "HUI-GENT", "--iban", BAILIFF_IBAN,
                                      "--db", db_url])
    assert result.exit_code == 0 and f"remits from {BAILIFF_IBAN}" in result.output


def test_collections_booked_on_the_bank_before_the_upgrade_are_moved_to_the_partners_clearing_once(db_url, handed):
    ana, _ref = handed
    bank_before = bank(db_url)
    with session_scope(db_url) as s:  # what the status import booked before the clearing account existed
        receive_payment(s, "partner/HUI-GENT/OLD-1/payment", d("2026-10-05"), 50_000, ana, reference=f"{ana}-1-bailiff")
    import_coda(db_url, coda(transfer(50_000, d("2026-10-20"), iban=STRANGER_IBAN, name="PEETERS"),
                             day=d("2026-10-20")))
    assert bank(db_url) == bank_before + 100_000  # the double count: 500 collected, 1000 "in the bank"
    result = CliRunner().invoke(app, ["recovery", "partner", "reclassify", "--today", "2026-12-01", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "1 collection(s) reclassified, 500.00 EUR" in result.output
    again = CliRunner().invoke(app, ["recovery", "partner", "reclassify", "--today", "2026-12-02", "--db", db_url])
    assert "0 collection(s) reclassified" in again.output
    assert bank(db_url) == bank_before + 50_000 and clearing(db_url) == 50_000
    with session_scope(db_url) as s:  # the partner collected it, has not remitted it yet: owed 500, nothing remitted
        [row] = [r for r in partner_balances(s, d("2026-12-02")) if r.code == "HUI-GENT"]
    assert (row.collected_cents, row.remitted_cents, row.owed_cents) == (50_000, 0, 50_000)
    [item] = queue(db_url)
    with session_scope(db_url) as s:
        remittance_item(s, item.id, "HUI-GENT", "staff")
    totals = check(db_url)
    assert (totals.partners, totals.unmatched) == (0, 0)
    assert bank(db_url) == bank_before + 50_000


def test_a_parked_partner_transfer_is_settled_in_two_steps_as_its_status_files_arrive_and_its_case_closes(
        db_url, handed):
    from caisse.cases.models import Case

    ana, ref = handed
    collect(db_url, ana, ref, "GENT-1", 30_000, "2026-10-05")
    import_coda(db_url, coda(transfer(50_000, d("2026-10-21"), iban=STRANGER_IBAN, name="ETUDE PEETERS",
                                      text="doorstorting oktober"), day=d("2026-10-21")))
    [item] = queue(db_url)
    # staff recognise the remittance: 300 settles what the bailiff owes so far, 200 stay parked
    with session_scope(db_url) as s:
        first = remittance_item(s, item.id, "HUI-GENT", "staff")
    assert first.created and first.key == f"reconcile/{item.payment_key}/remittance/50000"
    [item] = queue(db_url)
    assert item.status == "open" and unassigned_of(db_url, item) == 20_000
    # the status file of the other 200 arrives: the same default action settles the rest (it was refused before:
    # the first settlement's key blocked the second)
    collect(db_url, ana, ref, "GENT-2", 20_000, "2026-10-25")
    with session_scope(db_url) as s:
        second = remittance_item(s, item.id, "HUI-GENT", "staff")
    assert second.created and second.key == f"reconcile/{item.payment_key}/remittance/20000"
    [item] = queue(db_url)
    assert (item.status, item.resolution) == ("resolved", "remittance")
    assert clearing(db_url) == 0
    totals = check(db_url)
    assert (totals.partners, totals.unmatched) == (0, 0)
    with session_scope(db_url) as s:  # the work queue's case of the bank line is answered and closed
        case = s.scalar(select(Case).where(Case.key == f"bank_line/{item.bank_line_id}"))
        assert case.status == "closed" and case.answered_on is not None
        again = remittance_item(s, item.id, "HUI-GENT", "staff")  # a retry: nothing new
    assert not again.created and again.key == second.key
