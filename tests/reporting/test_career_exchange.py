"""Career data for INASTI and contributions paid for the mutualities: what each quarter's state is as of a date, and
the discipline of the files — only changes sent, corrections naming what they correct, rejected records resent,
the same date giving back the same file."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import func, literal, select
from typer.testing import CliRunner

from caisse.batches import quarterly_call
from caisse.cli import app
from caisse.errors import InvalidInput
from caisse.exchange.ack import Ack, render_ack
from caisse.exchange.fixed_width import CAREER, MUTUALITY
from caisse.ledger import DebtLine, balances, charge, receive_payment, write_off
from caisse.reporting import outgoing
from caisse.reporting.career import career_export, mutuality_export, quarter_states
from caisse.reporting.models import ExchangeFile, ExchangeRecord
from caisse.store.db import session_scope

D = dt.date
runner = CliRunner()
TODAY = D(2026, 1, 31)


def _quarter_due(url, party, period):
    """What a quarter costs the debtor (contribution + management fee), read from the ledger after the call."""
    with session_scope(url) as s:
        return sum(b.balance_cents for b in balances(s, party_id=party, accounts=("contribution", "management_fee"))
                   if b.period == period)


def _contribution(url, party, period):
    with session_scope(url) as s:
        return sum(b.balance_cents for b in balances(s, party_id=party, accounts=("contribution",))
                   if b.period == period)


def _pay(url, key, party, day, cents, period):
    with session_scope(url) as s:
        receive_payment(s, key, day, cents, party, designation=period)


def _read(fmt, path):
    lines = path.read_text(encoding="ascii").splitlines(keepends=True)
    assert all(len(line) == fmt.width + 1 for line in lines)
    parsed = [fmt.parse(line) for line in lines]
    assert parsed[0][0] == "0" and parsed[-1][0] == "9"
    header, details, trailer = parsed[0][1], [v for c, v in parsed[1:-1]], parsed[-1][1]
    assert trailer["records"] == len(details) and trailer["reference"] == header["reference"]
    return header, details, trailer


def _export(url, exp, as_of, path):
    return outgoing.make_file(url, exp, as_of, path, who="test", today=TODAY)


@pytest.fixture
def two(fund):
    """Ana pays 2025Q1 on time and nothing else (yet); Bo pays nothing. Both called for 2025Q1-Q3."""
    url = fund.url
    ana = fund.person(incomes={2022: "12000.00"})
    bo = fund.person(incomes={2022: "12000.00"}, category="main")
    for quarter in ("2025Q1", "2025Q2", "2025Q3"):
        quarterly_call.run(url, quarter, fee_rate="0.04")
    _pay(url, "bank/ana/q1", ana, D(2025, 3, 20), _quarter_due(url, ana, "2025Q1"), "2025Q1")
    return ana, bo


def test_states_as_of_a_date(db_url, two, fund):
    ana, bo = two
    with session_scope(db_url) as s:
        rows = {(r.party_id, r.period): r for r in s.execute(quarter_states(s, D(2025, 7, 15)))}
    # 2025Q3 falls due on 30 September: not reported yet on 15 July
    assert set(rows) == {(ana, "2025Q1"), (ana, "2025Q2"), (bo, "2025Q1"), (bo, "2025Q2")}
    q1 = rows[(ana, "2025Q1")]
    assert (q1.state, q1.reason, q1.in_order, q1.category) == ("paid", "paid", "Y", "main")
    assert q1.called == q1.paid == _contribution(db_url, bo, "2025Q1") and q1.open == 0
    q2 = rows[(ana, "2025Q2")]
    assert (q2.state, q2.reason, q2.in_order, q2.paid) == ("unpaid", "not_paid", "N", 0)
    assert q2.open == q2.called > 0
    assert rows[(bo, "2025Q1")].niss == fund.niss_of(bo)
    # as of a date before the payment was booked, ana's Q1 was not paid yet
    with session_scope(db_url) as s:
        early = {(r.party_id, r.period): r.state for r in s.execute(quarter_states(s, D(2025, 3, 19)))}
    assert early == {}  # Q1 falls due on 31 March: not reported before
    with session_scope(db_url) as s:
        due = {(r.party_id, r.period): r.state for r in s.execute(quarter_states(s, D(2025, 3, 31)))}
    assert due == {(ana, "2025Q1"): "paid", (bo, "2025Q1"): "unpaid"}


def test_paying_q2_later_sends_exactly_one_correction(db_url, two, tmp_path):
    ana, bo = two
    first = _export(db_url, career_export(), D(2025, 7, 15), tmp_path / "c1.txt")
    assert first.created and first.records == 4 and first.counts["new"] == 4
    header, details, trailer = _read(CAREER, tmp_path / "c1.txt")
    assert header["reference"] == first.reference == "CAREER-20250715-0001"
    assert header["as_of"] == D(2025, 7, 15) and (header["first_quarter"], header["last_quarter"]) == ("2025Q1",
                                                                                                         "2025Q2")
    by_key = {(d["niss"], d["quarter"]): d for d in details}
    with session_scope(db_url) as s:
        from caisse.store.models import Person

        niss = dict(s.execute(select(Person.id, Person.niss)).all())
    assert by_key[(niss[ana], "2025Q1")]["state"] == "paid"
    assert by_key[(niss[ana], "2025Q2")]["state"] == "unpaid"
    assert all(d["record_type"] == "N" and d["corrects"] == 0 for d in details)
    assert trailer["called"] == sum(d["called"] for d in details) and trailer["paid"] == sum(d["paid"]
                                                                                             for d in details)
    assert hashlib.sha256((tmp_path / "c1.txt").read_bytes()).hexdigest() == first.sha256

    # nothing changed: a later date sends nothing, and makes no file
    nothing = _export(db_url, career_export(), D(2025, 7, 31), tmp_path / "c0.txt")
    assert nothing.reference is None and not (tmp_path / "c0.txt").exists()

    _pay(db_url, "bank/ana/q2", ana, D(2025, 8, 1), _quarter_due(db_url, ana, "2025Q2"), "2025Q2")
    second = _export(db_url, career_export(), D(2025, 8, 31), tmp_path / "c2.txt")
    _h, details2, trailer2 = _read(CAREER, tmp_path / "c2.txt")
    assert second.records == 1 and len(details2) == 1 and trailer2["corrections"] == 1
    (c,) = details2
    assert (c["record_type"], c["niss"], c["quarter"], c["state"], c["open"]) == ("C", niss[ana], "2025Q2",
                                                                                  "paid", 0)
    assert c["corrects"] == by_key[(niss[ana], "2025Q2")]["record_id"]
    assert c["record_id"] > max(d["record_id"] for d in details)


def test_a_rejected_record_is_resent_in_the_next_file_and_only_it(db_url, two, tmp_path):
    ana, bo = two
    first = _export(db_url, career_export(), D(2025, 7, 15), tmp_path / "c1.txt")
    _h, details, _t = _read(CAREER, tmp_path / "c1.txt")
    bo_q1 = next(d for d in details if d["quarter"] == "2025Q1" and d["state"] == "unpaid")
    answer = tmp_path / "ack1.txt"
    answer.write_bytes(render_ack(Ack(first.reference, "accepted",
                                      rejected=[(bo_q1["record_id"], "E101", "NISS unknown; check it")])))
    result = runner.invoke(app, ["import", "ack", str(answer), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "acknowledged, 1 records rejected" in result.output
    with session_scope(db_url) as s:
        f = s.scalar(select(ExchangeFile))
        assert (f.status, f.rejected_count) == ("acknowledged", 1)
        statuses = dict(s.execute(select(ExchangeRecord.id, ExchangeRecord.status)).all())
        rec = s.get(ExchangeRecord, bo_q1["record_id"])
        assert (rec.rejection_code, rec.rejection_reason) == ("E101", "NISS unknown; check it")
    assert statuses.pop(bo_q1["record_id"]) == "rejected" and set(statuses.values()) == {"accepted"}
    # the same answer again changes nothing; another answer to the same file is refused
    again = runner.invoke(app, ["import", "ack", str(answer), "--db", db_url])
    assert again.exit_code == 0 and "already imported" in again.output
    other = tmp_path / "ack2.txt"
    other.write_bytes(render_ack(Ack(first.reference, "accepted")))
    refused = runner.invoke(app, ["import", "ack", str(other), "--db", db_url])
    assert refused.exit_code == 2 and refused.output.startswith("error: file: ")

    second = _export(db_url, career_export(), D(2025, 8, 1), tmp_path / "c2.txt")
    _h, details2, _t = _read(CAREER, tmp_path / "c2.txt")
    assert second.records == 1
    (r,) = details2
    assert (r["record_type"], r["corrects"], r["quarter"], r["niss"]) == ("R", bo_q1["record_id"], "2025Q1",
                                                                          bo_q1["niss"])
    listing = runner.invoke(app, ["exchange", "list", "--db", db_url])
    assert listing.exit_code == 0
    assert "CAREER-20250715-0001\tinasti-career\t2025-07-15" in listing.output and "\tacknowledged\t1\t" in \
        listing.output
    assert "CAREER-20250801-0002" in listing.output and "\tsent\t0\t" in listing.output
    shown = runner.invoke(app, ["exchange", "list", "--rejected", first.reference, "--db", db_url])
    assert f"{bo_q1['record_id']}\t{bo}\t2025Q1\tnew\tE101\tNISS unknown; check it" in shown.output


def test_a_file_rejected_as_a_whole_is_sent_again_record_by_record(db_url, two, tmp_path):
    first = _export(db_url, career_export(), D(2025, 7, 15), tmp_path / "c1.txt")
    answer = tmp_path / "nack.txt"
    answer.write_bytes(render_ack(Ack(first.reference, "rejected", reason="bad trailer")))
    assert outgoing.import_ack(db_url, answer).line().endswith("its 4 records will be sent again")
    second = _export(db_url, career_export(), D(2025, 7, 16), tmp_path / "c2.txt")
    assert second.records == 4 and second.counts["resend"] == 4


def test_the_same_date_gives_back_the_same_file_and_nothing_new(db_url, two, tmp_path):
    ana, _bo = two
    first = _export(db_url, career_export(), D(2025, 7, 15), tmp_path / "c1.txt")
    # a payment booked later but dated before the reference date does not change the recorded file
    _pay(db_url, "bank/ana/q2-backdated", ana, D(2025, 7, 1), _quarter_due(db_url, ana, "2025Q2"), "2025Q2")
    result = runner.invoke(app, ["export", "career-data", "--as-of", "2025-07-15", "--output",
                                 str(tmp_path / "again.txt"), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "already made: CAREER-20250715-0001 (4 records)" in result.output
    assert (tmp_path / "again.txt").read_bytes() == (tmp_path / "c1.txt").read_bytes()
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(ExchangeFile)) == 1
        assert s.scalar(select(func.count()).select_from(ExchangeRecord)) == 4
    assert first.sha256 == hashlib.sha256((tmp_path / "again.txt").read_bytes()).hexdigest()
    # an earlier date than the last file's is refused, nothing written
    early = runner.invoke(app, ["export", "career-data", "--as-of", "2025-07-01", "--output",
                                str(tmp_path / "early.txt"), "--db", db_url])
    assert early.exit_code == 2 and early.output.startswith("error: as_of: ")
    assert not (tmp_path / "early.txt").exists()
    bad = runner.invoke(app, ["export", "mutuality", "--as-of", "2025-13-01", "--output", str(tmp_path / "m.txt"),
                              "--db", db_url])
    assert bad.exit_code == 2 and bad.output.startswith("error: as_of: ")


def test_mutuality_file_says_who_is_in_order(db_url, two, tmp_path):
    ana, bo = two
    m1 = _export(db_url, mutuality_export(), D(2025, 7, 15), tmp_path / "m1.txt")
    header, details, trailer = _read(MUTUALITY, tmp_path / "m1.txt")
    assert header["format"] == "CAISSE-MUTUALITY" and m1.reference == "MUTUALITY-20250715-0001"
    flags = sorted((d["quarter"], d["in_order"]) for d in details)
    assert flags == [("2025Q1", "N"), ("2025Q1", "Y"), ("2025Q2", "N"), ("2025Q2", "N")]
    assert (trailer["in_order"], trailer["not_in_order"]) == (1, 3)
    # the career file is tracked apart: its first file is complete, whatever the mutuality file sent
    c1 = _export(db_url, career_export(), D(2025, 7, 15), tmp_path / "c1.txt")
    assert c1.records == 4
    _pay(db_url, "bank/ana/q2", ana, D(2025, 8, 1), _quarter_due(db_url, ana, "2025Q2"), "2025Q2")
    m2 = _export(db_url, mutuality_export(), D(2025, 8, 31), tmp_path / "m2.txt")
    _h, (c,), _t = _read(MUTUALITY, tmp_path / "m2.txt")
    assert m2.records == 1 and (c["record_type"], c["quarter"], c["in_order"], c["state"]) == ("C", "2025Q2", "Y",
                                                                                                "paid")


def test_written_off_partly_paid_and_a_withdrawn_call(db_url, two, tmp_path):
    ana, bo = two
    _export(db_url, career_export(), D(2025, 7, 15), tmp_path / "c1.txt")
    _export(db_url, mutuality_export(), D(2025, 7, 15), tmp_path / "m1.txt")
    q2 = _contribution(db_url, bo, "2025Q2")
    _pay(db_url, "bank/bo/part", bo, D(2025, 8, 1), 10000, "2025Q1")
    with session_scope(db_url) as s:  # bo's 2025Q2 contribution cancelled (e.g. affiliation annulled)
        charge(s, "test/cancel/bo/2025Q2", bo, "2025Q2", D(2025, 6, 30), D(2025, 8, 2),
               [DebtLine("contribution", -q2, "test")], kind="regularisation")
        write_off(s, "test/wo/ana/2025Q2", ana, "contribution", "2025Q2", 5000, D(2025, 8, 3), rule="art. 50bis")
    _export(db_url, career_export(), D(2025, 8, 31), tmp_path / "c2.txt")
    _h, details, _t = _read(CAREER, tmp_path / "c2.txt")
    got = {(d["quarter"], d["record_type"], d["state"], d["reason"]) for d in details}
    assert got == {("2025Q1", "C", "unpaid", "partly_paid"), ("2025Q2", "D", "cancelled", "withdrawn"),
                   ("2025Q2", "C", "unpaid", "written_off")}
    cancel = next(d for d in details if d["record_type"] == "D")
    assert (cancel["called"], cancel["paid"], cancel["open"]) == (0, 0, 0) and cancel["corrects"] > 0
    # the cancellation is sent once
    assert _export(db_url, career_export(), D(2025, 9, 1), tmp_path / "c3.txt").reference is None
    # for the mutualities a partial payment or a write-off leaves the quarters "not in order, not paid": only the
    # cancellation goes out
    _export(db_url, mutuality_export(), D(2025, 8, 31), tmp_path / "m2.txt")
    _h, (m,), _t = _read(MUTUALITY, tmp_path / "m2.txt")
    assert (m["record_type"], m["quarter"], m["state"], m["in_order"]) == ("D", "2025Q2", "cancelled", "")


def test_dispensed_bought_back_and_prescribed_quarters_through_the_plug_in_points(db_url, two, tmp_path, fund):
    ana, bo = two

    def dispensed(as_of):
        return select(literal(bo).label("party_id"), literal("2025Q1").label("period"),
                      literal("dispensed").label("status"), literal("DISP-2025-0042").label("reference"))

    def prescribed(as_of):
        return select(literal(bo).label("party_id"), literal("2025Q2").label("period"),
                      literal(None).label("reference"))

    with session_scope(db_url) as s:
        rows = {r.period: r for r in s.execute(quarter_states(s, D(2025, 7, 15), dispensed=dispensed,
                                                              prescribed=prescribed)) if r.party_id == bo}
    assert (rows["2025Q1"].state, rows["2025Q1"].in_order, rows["2025Q1"].decision) == ("dispensed", "Y",
                                                                                         "DISP-2025-0042")
    assert (rows["2025Q2"].state, rows["2025Q2"].reason, rows["2025Q2"].in_order) == ("prescribed", "prescription",
                                                                                     "N")
    # the dispensed quarter paid afterwards (within the 5 years): bought back
    _pay(db_url, "bank/bo/q1", bo, D(2025, 8, 1), _quarter_due(db_url, bo, "2025Q1"), "2025Q1")
    with session_scope(db_url) as s:
        (q1,) = [r for r in s.execute(quarter_states(s, D(2025, 8, 31), dispensed=dispensed)) if r.party_id == bo
                 and r.period == "2025Q1"]
    assert (q1.state, q1.reason) == ("bought_back", "bought_back")
    exp = career_export(dispensed=dispensed, prescribed=prescribed)
    _export(db_url, exp, D(2025, 8, 31), tmp_path / "c.txt")
    _h, details, _t = _read(CAREER, tmp_path / "c.txt")
    assert {(d["quarter"], d["state"], d["decision"]) for d in details if d["niss"] == fund.niss_of(bo)} == {
        ("2025Q1", "bought_back", "DISP-2025-0042"), ("2025Q2", "prescribed", "")}


def test_bad_acknowledgements_are_refused_naming_the_field(db_url, two, tmp_path):
    first = _export(db_url, career_export(), D(2025, 7, 15), tmp_path / "c1.txt")
    cases = {
        "format": b"hello\n",
        "status": f"caisse-ack;1\nfile;{first.reference}\nstatus;maybe\n".encode(),
        "rejected": f"caisse-ack;1\nfile;{first.reference}\nstatus;accepted\nrejected;99999;E1;nope\n".encode(),
        "file": b"caisse-ack;1\nfile;CAREER-19990101-0001\nstatus;accepted\n",
    }
    for field, body in cases.items():
        path = tmp_path / f"{field}.txt"
        path.write_bytes(body)
        result = runner.invoke(app, ["import", "ack", str(path), "--db", db_url])
        assert result.exit_code == 2 and result.output.startswith(f"error: {field}"), (field, result.output)
    with session_scope(db_url) as s:
        assert s.scalar(select(ExchangeFile.status)) == "sent"
        assert set(s.scalars(select(ExchangeRecord.status))) == {"sent"}
    with pytest.raises(InvalidInput):
        outgoing.make_file(db_url, career_export(), D(2026, 2, 1), tmp_path / "x.txt", today=TODAY)
    with pytest.raises(InvalidInput):
        outgoing.make_file(db_url, career_export(), D(2025, 9, 1), tmp_path / "nodir" / "x.txt", today=TODAY)


def test_the_format_docs_show_the_layouts_of_the_code():
    """Every field of every record, with its position and width, appears in the format doc as a table row."""
    from pathlib import Path

    docs = Path(__file__).parents[2] / "docs" / "formats"
    for fmt, doc in ((CAREER, "inasti-career.md"), (MUTUALITY, "mutuality.md")):
        text = (docs / doc).read_text(encoding="utf-8")
        assert f"`{fmt.name}`" in text and f"{fmt.width} characters" in text
        for layout in (fmt.header, fmt.detail, fmt.trailer):
            for pos, f in layout.positions():
                assert f"| {layout.code} | {pos} | {f.width} | `{f.name}` | {f.kind} |" in text, (doc, f.name)


def test_a_pseudonymised_person_keeps_the_records_sent_and_causes_no_resend(db_url, fund, tmp_path):
    """Ten years after cessation, nothing owed: the retention rule pseudonymises the NISS — in the records sent too,
    so the next file does not 'correct' the quarters with a new NISS."""
    from caisse.security.authz import Principal
    from caisse.services import gdpr

    old = fund.person(start=D(2014, 1, 1), end=D(2015, 6, 30))
    niss = fund.niss_of(old)
    with session_scope(db_url) as s:
        charge(s, "test/2015Q1/old", old, "2015Q1", D(2015, 3, 31), D(2015, 1, 5),
               [DebtLine("contribution", 70000, "test")])
    _pay(db_url, "bank/old/2015Q1", old, D(2015, 3, 1), 70000, "2015Q1")
    first = _export(db_url, career_export(), D(2025, 12, 31), tmp_path / "c1.txt")
    assert first.records == 1 and niss in (tmp_path / "c1.txt").read_text()
    with session_scope(db_url) as s:
        assert [r["quarter"] for r in gdpr._records_sent(s, old)] == ["2015Q1"]
        assert gdpr.apply_retention(s, Principal.system("test"), D(2026, 11, 24)).identities_pseudonymised == 1
    with session_scope(db_url) as s:
        (content,) = s.scalars(select(ExchangeRecord.content)).all()
    assert niss not in content and content.startswith("P")
    assert _export(db_url, career_export(), D(2026, 1, 31), tmp_path / "c2.txt").reference is None


def test_a_file_streamed_in_small_chunks_is_the_same_file(db_url, two, tmp_path, monkeypatch):
    """The changes are read in chunks while the records are inserted (a first file carries whole careers)."""
    whole = _export(db_url, career_export(), D(2025, 7, 15), tmp_path / "whole.txt")
    with session_scope(db_url) as s:
        s.execute(ExchangeRecord.__table__.delete())
        s.execute(ExchangeFile.__table__.delete())
    monkeypatch.setattr(outgoing, "CHUNK", 1)
    small = _export(db_url, career_export(), D(2025, 7, 15), tmp_path / "small.txt")
    header, details, _t = _read(CAREER, tmp_path / "small.txt")
    assert small.records == whole.records == len(details) == 4
    assert (header["first_quarter"], header["last_quarter"]) == ("2025Q1", "2025Q2")
    assert hashlib.sha256((tmp_path / "small.txt").read_bytes()).hexdigest() == small.sha256
    again = _export(db_url, career_export(), D(2025, 7, 15), tmp_path / "again.txt")
    assert not again.created and (tmp_path / "again.txt").read_bytes() == (tmp_path / "small.txt").read_bytes()


def test_a_value_that_does_not_fit_its_field_is_refused_naming_the_field():
    good = dict(record_id=5, record_type="C", corrects=2, niss="80010200273", quarter="2025Q2", category="main",
                state="paid", called="87171", paid="87171", open="0", reason="paid", decision="")
    other = ("record_id", "record_type", "corrects", "quarter")

    def from_content(values):  # the writer's way: the stored content's parts and the other fields
        return CAREER.detail_line([str(values[n]) for n in CAREER.content_fields], {k: values[k] for k in other})

    assert len(CAREER.line(CAREER.detail, good)) == CAREER.width + 1
    assert from_content(good) == CAREER.line(CAREER.detail, good)
    for field, value in (("niss", "800102002731"), ("decision", "a|b"), ("decision", "a+b"), ("corrects", -1),
                         ("called", -10**12), ("category", "hélène")):
        for make in (lambda v: CAREER.line(CAREER.detail, v), from_content):
            with pytest.raises(InvalidInput) as err:
                make({**good, field: value})
            assert err.value.field == field


def test_the_fund_own_dispensations_and_prescriptions_reach_the_career_file(db_url, two, tmp_path, fund):
    """Without plug-ins: what the relief decisions (``dispensed_quarter``) and the prescription batch
    (``prescribed_quarter``) recorded is what the career and mutuality files say, from the day recorded."""
    from caisse.recovery.models import DispensedQuarter, PrescribedQuarter, ReliefRequest

    _ana, bo = two
    with session_scope(db_url) as s:
        req = ReliefRequest(kind="dispensation", party_id=bo, status="granted", requested_on=D(2025, 7, 1),
                            periods=["2025Q1"], lines=[], amount_cents=1, grounds="g", requested_by="t",
                            decided_on=D(2025, 8, 1))
        s.add(req)
        s.flush()
        s.add(DispensedQuarter(party_id=bo, period="2025Q1", request_id=req.id, dispensed_cents=1,
                               granted_on=D(2025, 8, 1), buyback_deadline=D(2030, 3, 31)))
        s.add(PrescribedQuarter(party_id=bo, period="2025Q2", prescribed_on=D(2031, 1, 1), written_off_cents=1,
                                transaction_key="t/p", batch_key="t"))
        ref = f"relief/{req.id}"
    with session_scope(db_url) as s:
        before = {r.period: r.state for r in s.execute(quarter_states(s, D(2025, 7, 31))) if r.party_id == bo}
        after = {r.period: (r.state, r.decision) for r in s.execute(quarter_states(s, D(2031, 1, 2)))
                 if r.party_id == bo}
    assert before["2025Q1"] == "unpaid" and before["2025Q2"] == "unpaid"
    assert after["2025Q1"] == ("dispensed", ref) and after["2025Q2"][0] == "prescribed"
