"""A bailiff keeps its fees out of what it collected and remits the rest: the fees fall on the debtor (a bailiff's
costs, legislation §6), the fund's books and the bailiff's account both balance; a lawyer's fees, which the notes do
not let the fund recover, are borne by the fund. A bailiff reports a payment plan agreed with the debtor: the fund
follows its instalments through the bailiff's reports, refuses a new enforcement while it is respected, and gives the
recovery staff a task when an instalment is missed."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from test_partner_remittance_story import (  # noqa: F401 - the fixture ``handed`` and the helpers of that story
    BAILIFF_IBAN,
    CLERK,
    bank,
    check,
    clearing,
    coda,
    d,
    handed,
    owed,
    transfer,
)

from caisse.batches import recovery as batch
from caisse.cases.models import Case, CaseMessage
from caisse.collection.coda_import import import_coda
from caisse.errors import Conflict
from caisse.ledger import balances, load
from caisse.recovery import service
from caisse.recovery.models import PartnerPlanInstalment, RecoveryHandoverLine, RecoveryPartner
from caisse.recovery.partner_status import import_status
from caisse.recovery.partners import partner_balances, set_partner_iban
from caisse.store.db import session_scope

V2 = ("partner_ref,our_reference,file_number,event_date,served_on,paid,costs,outcome,note,fees_retained,"
      "plan_instalments\n")


def status(db_url, body: str, day: str):
    return import_status(db_url, (V2 + body).encode(), "HUI-GENT", CLERK, d(day))


def fund_account(db_url, account) -> int:
    with session_scope(db_url) as s:
        return sum(b.balance_cents for b in balances(s, accounts=(account,)))


def test_a_bailiff_remits_net_of_its_fees_the_debtor_bears_them_and_both_accounts_balance(db_url, handed):  # noqa: F811
    ana, ref = handed
    before, bank_before = owed(db_url, ana), bank(db_url)
    principal = before[("contribution", "2026Q1")]
    # the bailiff collected 500.00 and kept 60.00 of fees: it will remit 440.00
    r = status(db_url, f"GENT-1,{ref},{ana},2026-10-05,,500.00,,,,60.00,\n", "2026-10-06")
    assert (r.accepted, r.paid_cents, r.fees_cents, r.costs_cents, r.fees_borne_cents) == (1, 50_000, 6_000, 6_000, 0)
    assert clearing(db_url) == 44_000  # what it still holds for the fund
    after = owed(db_url, ana)
    assert after[("contribution", "2026Q1")] == principal - 50_000  # she paid 500
    assert after[("costs", "2026Q4")] == 6_000  # and owes the bailiff's costs, recoverable on her
    assert fund_account(db_url, "partner_fees") == 6_000  # the fund's expense, met by the costs charged
    with session_scope(db_url) as s:
        fees = load(s, "partner/HUI-GENT/GENT-1/fees")
        assert {(e.account, e.parameter, e.amount_cents) for e in fees.entries} == {
            ("partner_fees", "HUI-GENT", 6_000), ("partner_clearing", "HUI-GENT", -6_000)}
        costs = load(s, "partner/HUI-GENT/GENT-1/costs")
        assert [e.explanation.get("netted") for e in costs.entries if e.account == "costs"] == [True]
        assert s.scalar(select(RecoveryHandoverLine.fees_cents)) == 6_000
        set_partner_iban(s, CLERK, "HUI-GENT", BAILIFF_IBAN)
    check(db_url)

    # its net transfer settles its account exactly: nothing parked, nothing owed
    summary = import_coda(db_url, coda(transfer(44_000, d("2026-10-20"), iban=BAILIFF_IBAN, name="PEETERS"),
                                       day=d("2026-10-20")))
    assert summary.counts == {"booked": 1} and summary.queued == 0
    assert clearing(db_url) == 0 and bank(db_url) == bank_before + 44_000
    totals = check(db_url)
    assert (totals.partners, totals.unmatched) == (0, 0)
    with session_scope(db_url) as s:
        [row] = partner_balances(s, d("2026-10-31"))
        assert (row.collected_cents, row.remitted_cents, row.fees_cents, row.owed_cents, row.owed_since) == (
            50_000, 44_000, 6_000, 0, None)
        assert row.as_dict()["fees_cents"] == 6_000


def test_fees_beyond_what_the_partner_holds_are_refused_and_a_lawyers_fees_are_borne_by_the_fund(db_url, handed):  # noqa: F811
    ana, ref = handed
    r = status(db_url, f"GENT-1,{ref},{ana},2026-10-05,,100.00,,,,150.00,\n", "2026-10-06")
    assert r.accepted == 0 and [(x.field, x.line) for x in r.rejected] == [("fees_retained", 2)]
    assert "you hold only 100.00 EUR" in r.rejected[0].message
    assert clearing(db_url) == 0 and fund_account(db_url, "partner_fees") == 0

    with session_scope(db_url) as s:  # the same partner as a lawyer: the notes give no rule recovering its fees
        s.execute(update(RecoveryPartner).where(RecoveryPartner.code == "HUI-GENT").values(kind="lawyer"))
    costs_before = owed(db_url, ana).get(("costs", "2026Q4"), 0)
    r = status(db_url, f"GENT-2,{ref},{ana},2026-10-05,,500.00,,,,60.00,\n", "2026-10-06")
    assert (r.accepted, r.fees_cents, r.fees_borne_cents, r.costs_cents) == (1, 6_000, 6_000, 0)
    assert any("borne by the fund" in w for w in r.warnings)
    assert owed(db_url, ana).get(("costs", "2026Q4"), 0) == costs_before  # nothing charged to her
    assert clearing(db_url) == 44_000 and fund_account(db_url, "partner_fees") == 6_000
    check(db_url)


def test_a_plan_agreed_by_the_bailiff_is_followed_holds_back_enforcement_and_a_missed_instalment_is_a_task(
        db_url, handed):  # noqa: F811
    ana, ref = handed
    r = status(db_url, f"GENT-1,{ref},{ana},2026-10-05,,,,plan,agreed at the office,,"
                       "2026-11-30:100.00;2026-12-31:100.00\n", "2026-10-06")
    assert (r.accepted, r.plans, r.rejected) == (1, 1, [])
    with session_scope(db_url) as s:
        assert [(i.seq, i.due_date, i.amount_cents, i.status) for i in s.scalars(
            select(PartnerPlanInstalment).order_by(PartnerPlanInstalment.seq))] == [
            (1, d("2026-11-30"), 10_000, "due"), (2, d("2026-12-31"), 10_000, "due")]
    # a schedule without the outcome plan, or a plan without its schedule, is refused naming the field
    bad = status(db_url, f"GENT-X,{ref},{ana},2026-10-05,,,,,,,2026-11-30:100.00\n"
                         f"GENT-Y,{ref},{ana},2026-10-05,,,,plan,,,\n", "2026-10-06")
    assert [x.field for x in bad.rejected] == ["plan_instalments", "plan_instalments"]

    status(db_url, f"GENT-2,{ref},{ana},2026-11-20,,100.00,,,,,\n", "2026-11-21")  # first instalment, via the bailiff
    batch.run(db_url, d("2026-12-02"))
    with session_scope(db_url) as s:
        assert [i.status for i in s.scalars(select(PartnerPlanInstalment).order_by(PartnerPlanInstalment.seq))] \
            == ["paid", "due"]
        # while it is respected, no new enforcement (the summons route) starts
        with pytest.raises(Conflict) as err:
            service.move(s, CLERK, ana, "court", "summons", d("2026-12-02"))
        assert err.value.field == "to_stage" and "respected" in str(err.value)

    # the second instalment never comes: after the grace period, missed, and a task for the recovery staff
    batch.run(db_url, d("2027-01-10"))  # within the 15 days of grace: nothing yet
    with session_scope(db_url) as s:
        assert s.scalar(select(Case).where(Case.kind == "partner_plan_missed")) is None
    summary = batch.run(db_url, d("2027-01-20"))
    assert summary.details.get("partner plans: instalments missed") == 1
    with session_scope(db_url) as s:
        second = s.scalar(select(PartnerPlanInstalment).where(PartnerPlanInstalment.seq == 2))
        task = s.get(Case, second.case_id)
        assert (second.status, task.kind, task.party_id, task.status) == ("missed", "partner_plan_missed", ana,
                                                                          "open")
        body = s.scalar(select(CaseMessage.body).where(CaseMessage.case_id == task.id))
        assert "instalment 2 of 100.00 EUR due 2026-12-31 not received through HUI-GENT" in body
    batch.run(db_url, d("2027-01-25"))  # flagged once
    with session_scope(db_url) as s:
        assert len(s.scalars(select(Case).where(Case.kind == "partner_plan_missed")).all()) == 1
        # no longer respected: the recovery staff may take the next step
        step = service.move(s, CLERK, ana, "court", "plan broken with the bailiff: summons", d("2027-01-25"))
        assert step.to_stage == "court"
