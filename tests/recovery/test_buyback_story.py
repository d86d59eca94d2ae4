"""A dispensed quarter bought back, as a file's story: Eva's 2026Q1 is dispensed by INASTI (her pension loses it),
the career file tells INASTI "dispensed"; in 2027 she asks to buy it back, gets a due notice with its own structured
communication, pays it by bank transfer while 2026Q2 is still in arrears — the money goes to the buy-back, not to the
arrears — the quarter becomes "bought back" and the next career file corrects the record already sent."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from caisse.batches import quarterly_call
from caisse.cli import app
from caisse.collection.coda_import import import_coda
from caisse.config import Settings
from caisse.documents.relief_letters import buyback_notice_pdf
from caisse.errors import InvalidInput
from caisse.exchange.coda import make_statement, transfer_movement, write_coda
from caisse.exchange.fixed_width import CAREER
from caisse.ledger import balances
from caisse.ledger.check import run_check
from caisse.recovery import buyback, relief
from caisse.recovery.models import BuybackRequest, DispensedQuarter
from caisse.references import parse
from caisse.reporting import outgoing
from caisse.reporting.career import career_export
from caisse.security.authz import Principal
from caisse.store.db import session_scope

MIN_2026 = 89042  # 2026 main-activity minimum quarter, fee-free [S3]
CLERK = Principal.system("cli:caseworker")
LOW_INCOME = {2022: "9000.00", 2023: "9000.00", 2024: "9000.00"}
AT_ONCE = Settings(four_eyes_threshold_cents=10**9)  # the write-off needs no second pair of eyes here
FUND_IBAN = "BE71096123456769"
EVA_IBAN = "BE68539007547034"
runner = CliRunner()
_paper = itertools.count(1)


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def coda(*movements, day: dt.date) -> bytes:
    for i, mv in enumerate(movements, 1):
        mv.sequence = i
    return write_coda([make_statement(account_iban=FUND_IBAN, old_balance_cents=1_000_000,
                                      old_balance_date=day - dt.timedelta(1), new_balance_date=day,
                                      movements=list(movements), paper_sequence=next(_paper), holder_name="CAISSE")])


def open_of(url, party, account, period) -> int:
    with session_scope(url) as s:
        return sum(b.balance_cents for b in balances(s, party_id=party, accounts=(account,)) if b.period == period)


def career(url, as_of, path):
    outgoing.make_file(url, career_export(), as_of, path, who="test", today=as_of)
    lines = path.read_text(encoding="ascii").splitlines(keepends=True)
    return [v for c, v in (CAREER.parse(line) for line in lines[1:-1])]


@pytest.fixture
def eva(db_url, fund, tmp_path):
    """Eva (main activity since 2020) could not pay 2026Q1 nor 2026Q2; INASTI dispensed 2026Q1 on 1 September 2026."""
    eva = fund.person(category="main", start=d("2020-01-01"), language="nl", incomes=LOW_INCOME)
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    quarterly_call.run(db_url, "2026Q2", fee_rate="0")
    with session_scope(db_url) as s:
        informed, _ = relief.pension_notice(s, CLERK, eva, "2026Q1", d("2026-07-06"))
        r = relief.request_dispensation(s, CLERK, eva, "2026Q1", "serious illness since February", d("2026-07-08"),
                                        signed_personally=True, case_id=informed.case_id)
        relief.export_requests(s, CLERK, "dispensation", d("2026-07-09"), tmp_path)
        r = relief.record_decision(s, CLERK, r.id, d("2026-09-03"), decided_on=d("2026-09-01"),
                                   reference="RSVZ-D-12", granted="2026Q1", surcharges_included=True,
                                   settings=AT_ONCE)
        assert r.status == "granted"
    assert open_of(db_url, eva, "contribution", "2026Q1") == 0
    assert open_of(db_url, eva, "contribution", "2026Q2") == MIN_2026
    return eva


def test_a_dispensed_quarter_bought_back_by_its_own_communication_is_corrected_in_the_career_file(
        db_url, eva, fund, tmp_path):
    # the career file of October tells INASTI the quarter is dispensed
    sent = {x["quarter"]: x for x in career(db_url, d("2026-10-01"), tmp_path / "c1.txt")
            if x["niss"] == fund.niss_of(eva)}
    assert (sent["2026Q1"]["state"], sent["2026Q1"]["record_type"]) == ("dispensed", "N")

    # she asks to buy it back in January 2027: the amount is the contribution dispensed, nothing invented on top
    with session_scope(db_url) as s:
        r = buyback.request_buyback(s, CLERK, eva, "2026Q1", d("2027-01-10"))
        rid, ogm = r.id, r.communication
        assert (r.number, r.periods, r.amount_cents, r.due_date, r.status) == (
            1, ["2026Q1"], MIN_2026, d("2031-03-31"), "open")
        assert r.unknown == ["amount_revaluation", "management_fee"]
        ref = parse(ogm)
        assert (ref.party_id, ref.designation) == (eva, "buyback/1")
        pdf = buyback_notice_pdf(s, rid)
        assert ogm.encode() in pdf and b"31-03-2031" in pdf and b"geherwaardeerd" in pdf  # unknown said, in Dutch
    assert open_of(db_url, eva, "buyback", "2026Q1") == MIN_2026
    assert open_of(db_url, eva, "contribution", "2026Q1") == 0  # no contribution debt: no arrears, no surcharge

    # she pays exactly that, with the buy-back's communication, while 2026Q2 is still in arrears
    summary = import_coda(db_url, coda(transfer_movement(0, MIN_2026, d("2027-02-03"), ogm=ogm,
                                                         counterparty_iban=EVA_IBAN, counterparty_name="Eva"),
                                       day=d("2027-02-03")))
    assert summary.counts.get("booked") == 1
    assert open_of(db_url, eva, "buyback", "2026Q1") == 0
    assert open_of(db_url, eva, "contribution", "2026Q2") == MIN_2026  # not on the arrears
    with session_scope(db_url) as s:
        q = s.scalar(select(DispensedQuarter).where(DispensedQuarter.party_id == eva))
        assert (q.bought_back_on, q.buyback_request_id) == (d("2027-02-03"), rid)
        assert (s.get(BuybackRequest, rid).status, s.get(BuybackRequest, rid).paid_on) == ("paid", d("2027-02-03"))
        assert run_check(s).ok

    # the next career file corrects the record already sent: dispensed -> bought back
    changed = [x for x in career(db_url, d("2027-03-01"), tmp_path / "c2.txt") if x["niss"] == fund.niss_of(eva)
               and x["quarter"] == "2026Q1"]
    assert [(x["record_type"], x["corrects"], x["state"], x["reason"]) for x in changed] == [
        ("C", sent["2026Q1"]["record_id"], "bought_back", "bought_back")]

    # the quarter cannot be bought back twice
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
        buyback.request_buyback(s, CLERK, eva, "2026Q1", d("2027-03-02"))
    assert err.value.field == "quarters[0]" and "already bought back on 2027-02-03" in str(err.value)


def test_a_buy_back_is_refused_for_a_quarter_not_dispensed_or_out_of_the_window_and_paid_late_it_buys_nothing(
        db_url, eva):
    for quarters, today, words in (("2026Q2", "2027-01-10", "was not dispensed"),
                                   ("2026Q1", "2031-04-01", "window of 2026Q1 ended on 2031-03-31"),
                                   ("2026Q1,2026Q2", "2027-01-10", "2026Q2 was not dispensed")):
        with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
            buyback.request_buyback(s, CLERK, eva, quarters, d(today))
        assert err.value.field.startswith("quarters[") and words in str(err.value), str(err.value)
    with session_scope(db_url) as s:
        assert s.scalar(select(BuybackRequest.id)) is None

    with session_scope(db_url) as s:
        ogm = buyback.request_buyback(s, CLERK, eva, "2026Q1", d("2031-01-10")).communication
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:  # asked twice while open
        buyback.request_buyback(s, CLERK, eva, "2026Q1", d("2031-01-11"))
    assert "already in buy-back request 1" in str(err.value)
    # half paid in time, the rest after the deadline: the quarter is not bought back, the late money is an ordinary
    # payment (it goes to the arrears, as any payment without a valid designation)
    half = MIN_2026 // 2
    import_coda(db_url, coda(transfer_movement(0, half, d("2031-03-20"), ogm=ogm, counterparty_iban=EVA_IBAN,
                                               counterparty_name="Eva"), day=d("2031-03-20")))
    import_coda(db_url, coda(transfer_movement(0, MIN_2026 - half, d("2031-04-02"), ogm=ogm,
                                               counterparty_iban=EVA_IBAN, counterparty_name="Eva"),
                             day=d("2031-04-02")))
    assert open_of(db_url, eva, "buyback", "2026Q1") == MIN_2026 - half
    with session_scope(db_url) as s:
        q = s.scalar(select(DispensedQuarter).where(DispensedQuarter.party_id == eva))
        assert q.bought_back_on is None
        assert s.scalar(select(BuybackRequest.status)) == "open"
        assert run_check(s).ok


def test_the_buy_back_from_the_command_line(db_url, eva, tmp_path):
    bad = runner.invoke(app, ["relief", "buyback", "--debtor", str(eva), "--quarters", "2026Q2", "--today",
                              "2027-01-10", "--db", db_url])
    assert bad.exit_code == 2 and bad.output.startswith("error: quarters[0]"), bad.output
    ok = runner.invoke(app, ["relief", "buyback", "--debtor", str(eva), "--quarters", "2026Q1", "--today",
                             "2027-01-10", "--output", str(tmp_path / "n.pdf"), "--db", db_url])
    assert ok.exit_code == 0, ok.output
    assert "buy-back 1" in ok.output and "890.42 EUR still to pay by 2031-03-31" in ok.output
    assert (tmp_path / "n.pdf").read_bytes().startswith(b"%PDF")
    listed = runner.invoke(app, ["relief", "list", "--debtor", str(eva), "--db", db_url])
    assert listed.exit_code == 0 and "buy-back 1" in listed.output and "dispensed 2026Q1" in listed.output
    with session_scope(db_url) as s:
        rid = s.scalar(select(BuybackRequest.id))
    notice = runner.invoke(app, ["relief", "buyback-notice", "--request", str(rid), "--output",
                                 str(tmp_path / "again.pdf"), "--db", db_url])
    assert notice.exit_code == 0 and (tmp_path / "again.pdf").exists()


def test_an_unpaid_buy_back_lapses_with_its_deadline_in_the_prescription_run(db_url, eva, fund, tmp_path):
    from caisse.batches import prescription

    fran = fund.person(category="main", start=d("2020-01-01"), language="fr", incomes=LOW_INCOME)
    with session_scope(db_url) as s:  # Eva asks the buy-back of 2026Q1 and never pays it
        rid = buyback.request_buyback(s, CLERK, eva, "2026Q1", d("2027-01-10")).id
    summary = prescription.run(db_url, d("2031-03-31"), today=d("2031-03-31"))  # her last day: nothing lapses
    assert summary.details["buy-back options lapsed (dispensed quarters, deadline passed)"] == 0
    summary = prescription.run(db_url, d("2031-04-01"), today=d("2031-04-02"))
    assert summary.details["buy-back options lapsed (dispensed quarters, deadline passed)"] == 1
    assert summary.details["buy-back requests lapsed"] == 1
    with session_scope(db_url) as s:
        q = s.scalar(select(DispensedQuarter).where(DispensedQuarter.party_id == eva))
        assert (q.buyback_lapsed_on, q.bought_back_on) == (d("2031-04-01"), None)
        assert s.get(BuybackRequest, rid).status == "lapsed"
        shown = buyback.quarters_of(s, eva, d("2031-04-02"))
        assert [(x["period"], x["state"], x["lapsed_on"]) for x in shown] == [("2026Q1", "lapsed", d("2031-04-01"))]
        assert buyback.quarters_of(s, fran, d("2031-04-02")) == []
    again = prescription.run(db_url, d("2031-04-05"), today=d("2031-04-05"))  # once
    assert again.details["buy-back options lapsed (dispensed quarters, deadline passed)"] == 0
    # the career file keeps the quarter "dispensed": nothing to correct
    assert [x["state"] for x in career(db_url, d("2031-04-06"), tmp_path / "c.txt")
            if x["niss"] == fund.niss_of(eva) and x["quarter"] == "2026Q1"] in ([], ["dispensed"])
