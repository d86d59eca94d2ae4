"""A quarter whose rights are kept without contributions reaches INASTI and the mutualities: the quarter after a
birth dispensed with the maternity claim (nothing called, or its call cancelled), a period of incapacity
assimilated by the institution. Before, such a quarter was absent (nothing called) or cancelled (call withdrawn)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from typer.testing import CliRunner

from caisse.batches import quarterly_call
from caisse.benefits import events, service
from caisse.benefits import insurance_requests as ir
from caisse.cli import app
from caisse.exchange.fixed_width import CAREER, CAREER_V1, MUTUALITY
from caisse.ledger import receive_payment
from caisse.reporting import outgoing
from caisse.reporting.career import career_export, mutuality_export, quarter_states
from caisse.reporting.models import ExchangeFile
from caisse.security.authz import Principal
from caisse.store.db import session_scope

D = dt.date
DESK = Principal.system("cli:benefits-officer")
TODAY = D(2026, 1, 31)
runner = CliRunner()


def _read(fmt, path):
    lines = path.read_text(encoding="ascii").splitlines(keepends=True)
    parsed = [fmt.parse(line) for line in lines]
    return parsed[0][1], [v for _c, v in parsed[1:-1]], parsed[-1][1]


def _export(url, exp, as_of, path):
    return outgoing.make_file(url, exp, as_of, path, who="test", today=TODAY)


def _maternity(url, person, birth: D, received: D, decided: D) -> int:
    with session_scope(url) as s:
        cid = service.file_claim(s, DESK, person, "maternity", {"birth_date": birth, "start": birth - dt.timedelta(2),
                                                                "full_weeks": 12}, received).id
        assert service.decide(s, DESK, cid, decided).outcome == "granted"
    return cid


def test_the_quarter_after_a_birth_is_sent_kept_with_rights_called_or_not(db_url, fund, tmp_path):
    """Lea's claim is granted before the 2025Q2 call: nothing is called for Q2, yet INASTI and the mutuality learn
    that the quarter keeps its rights. Mia had paid her Q2 when her claim was granted: the first file said "paid",
    the next one corrects it to "kept_rights" (her call cancelled, her payment released)."""
    lea = fund.person(category="main", start=D(2015, 1, 1), incomes={2022: "40000.00"})
    mia = fund.person(category="main", start=D(2015, 1, 1), incomes={2022: "40000.00"})
    quarterly_call.run(db_url, "2025Q1", fee_rate="0.0405")
    lea_claim = _maternity(db_url, lea, D(2025, 2, 5), D(2025, 1, 20), D(2025, 1, 25))
    quarterly_call.run(db_url, "2025Q2", fee_rate="0.0405")
    with session_scope(db_url) as s:
        receive_payment(s, "test/pay/mia/2025Q2", D(2025, 4, 5), 232_997, mia, designation="2025Q2")

    first = _export(db_url, career_export(), D(2025, 4, 5), tmp_path / "c1.txt")
    header, details, _t = _read(CAREER, tmp_path / "c1.txt")
    assert header["version"] == 2 and first.records == 4
    got = {(d["niss"], d["quarter"]): (d["state"], d["called"], d["paid"], d["reason"], d["decision"])
           for d in details}
    assert got[(fund.niss_of(lea), "2025Q2")] == ("kept_rights", 0, 0, "maternity", f"claim/{lea_claim}")
    assert got[(fund.niss_of(mia), "2025Q2")] == ("paid", 223_928, 223_928, "paid", "")  # paid before its due date
    assert got[(fund.niss_of(lea), "2025Q1")][0] == got[(fund.niss_of(mia), "2025Q1")][0] == "unpaid"

    mia_claim = _maternity(db_url, mia, D(2025, 2, 10), D(2025, 2, 20), D(2025, 4, 10))
    second = _export(db_url, career_export(), D(2025, 4, 30), tmp_path / "c2.txt")
    _h, (q1, c), _t = _read(CAREER, tmp_path / "c2.txt")
    # the payment released from Q2 settled her unpaid Q1 (docs/benefits.md): a correction too
    assert second.records == 2 and (q1["quarter"], q1["state"], q1["paid"]) == ("2025Q1", "paid", 223_928)
    assert (c["record_type"], c["niss"], c["quarter"], c["state"], c["called"], c["paid"], c["open"], c["reason"],
            c["decision"]) == ("C", fund.niss_of(mia), "2025Q2", "kept_rights", 0, 0, 0, "maternity",
                               f"claim/{mia_claim}")
    assert c["corrects"] == next(d["record_id"] for d in details
                                 if d["niss"] == fund.niss_of(mia) and d["quarter"] == "2025Q2")

    m = _export(db_url, mutuality_export(), D(2025, 4, 30), tmp_path / "m1.txt")
    _h, mdetails, trailer = _read(MUTUALITY, tmp_path / "m1.txt")
    flags = {(d["niss"], d["quarter"]): (d["in_order"], d["state"], d["reason"]) for d in mdetails}
    assert flags[(fund.niss_of(lea), "2025Q2")] == ("Y", "kept_rights", "maternity")
    assert flags[(fund.niss_of(mia), "2025Q2")] == ("Y", "kept_rights", "maternity")
    assert (m.records, trailer["in_order"], trailer["not_in_order"]) == (4, 3, 1)  # lea's Q1 alone is unpaid


def test_quarters_assimilated_for_illness_once_the_decision_is_recorded_not_a_continued_insurance(
        db_url, fund, tmp_path):
    """Paul falls ill on 10 April 2025 and pays nothing more; the mutuality tells the fund, his request for
    assimilation is forwarded and granted for 2025Q2 and 2025Q3, recorded on 1 October. The file as of 30 September
    says "unpaid"; the next one corrects both quarters to "assimilated", amounts unchanged."""
    paul = fund.person(category="main", start=D(2015, 1, 1), incomes={2022: "40000.00"})
    for quarter in ("2025Q2", "2025Q3"):
        quarterly_call.run(db_url, quarter, fee_rate="0.0405")
    with session_scope(db_url) as s:
        e, _ = events.record_event(s, DESK, paul, "incapacity", D(2025, 4, 10), D(2025, 4, 15), source="mutuality")
        rid = e.detail["request_id"]
        ir.file_request(s, DESK, paul, "illness_assimilation", {"incapacity_start": "2025-04-10",
                                                                  "incapacity_end": "2025-09-30"},
                        D(2025, 4, 20), request_id=rid)
        ir.forward(s, DESK, rid, D(2025, 4, 25), institution="INASTI")
    before = _export(db_url, career_export(), D(2025, 9, 30), tmp_path / "c1.txt")
    _h, details, _t = _read(CAREER, tmp_path / "c1.txt")
    assert before.records == 2 and {d["state"] for d in details} == {"unpaid"}
    with session_scope(db_url) as s:
        ir.record_decision(s, DESK, rid, D(2025, 10, 1), outcome="granted", decided_on=D(2025, 9, 29),
                           reference="INASTI-A-77")
    with session_scope(db_url) as s:  # known from the day the fund recorded it, not the institution's date
        assert {r.state for r in s.execute(quarter_states(s, D(2025, 9, 30)))} == {"unpaid"}
    after = _export(db_url, career_export(), D(2025, 10, 31), tmp_path / "c2.txt")
    _h, details2, _t = _read(CAREER, tmp_path / "c2.txt")
    assert after.records == 2
    assert [(d["record_type"], d["quarter"], d["state"], d["called"], d["paid"], d["open"], d["reason"],
             d["decision"]) for d in details2] == [
        ("C", "2025Q2", "assimilated", 223_928, 0, 223_928, "illness", f"assimilation/{rid}"),
        ("C", "2025Q3", "assimilated", 223_928, 0, 223_928, "illness", f"assimilation/{rid}")]
    m = _export(db_url, mutuality_export(), D(2025, 10, 31), tmp_path / "m.txt")
    _h, mdetails, _t = _read(MUTUALITY, tmp_path / "m.txt")
    assert m.records == 2 and {(d["in_order"], d["state"]) for d in mdetails} == {("Y", "assimilated")}

    # a continued insurance granted after a cessation opens rights only if its own contributions are paid — their
    # percentages are NOT FOUND and the fund neither calls nor collects them: its quarters are not in the files
    from caisse.benefits.models import InsuranceQuarter

    with session_scope(db_url) as s:
        s.add(InsuranceQuarter(person_id=paul, period="2026Q1", kind="continued_insurance", request_id=rid,
                               decided_on=D(2025, 12, 1), recorded_on=D(2025, 12, 1)))
    assert _export(db_url, career_export(), D(2026, 1, 31), tmp_path / "c3.txt").reference is None


def test_a_file_made_in_version_1_is_given_back_in_version_1_and_the_next_is_version_2(db_url, fund, tmp_path):
    """Files made before the states were added were written in version 1; asking their date again rebuilds them
    byte for byte (their SHA-256 is checked), while a new file is written in version 2."""
    ana = fund.person(category="main", start=D(2015, 1, 1), incomes={2022: "40000.00"})
    quarterly_call.run(db_url, "2025Q1", fee_rate="0.0405")
    old = outgoing.make_file(db_url, dataclasses.replace(career_export(), fmt=CAREER_V1), D(2025, 4, 30),
                             tmp_path / "v1.txt", who="test", today=TODAY)
    assert _read(CAREER_V1, tmp_path / "v1.txt")[0]["version"] == 1
    result = runner.invoke(app, ["export", "career-data", "--as-of", "2025-04-30", "--output",
                                 str(tmp_path / "again.txt"), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "again.txt").read_bytes() == (tmp_path / "v1.txt").read_bytes()
    with session_scope(db_url) as s:
        assert s.scalar(select(ExchangeFile.format_version).where(ExchangeFile.reference == old.reference)) == 1
        receive_payment(s, "test/pay/ana", D(2025, 5, 2), 232_997, ana, designation="2025Q1")
    new = _export(db_url, career_export(), D(2025, 5, 31), tmp_path / "v2.txt")
    header, (c,), _t = _read(CAREER, tmp_path / "v2.txt")
    assert (header["version"], c["record_type"], c["state"]) == (2, "C", "paid")
    with session_scope(db_url) as s:
        assert s.scalar(select(ExchangeFile.format_version).where(ExchangeFile.reference == new.reference)) == 2
