"""The service-voucher requests go out in a tracked file: the maternity aid's 105 free vouchers a mother asked with
her granted claim, the 15 vouchers reimbursed to a co-parent who took at most 8 days of birth leave — only for the
births where the notes give that rule (it is NOT FOUND from 2023: said, never sent on a guess). Only changes are
sent, a rejected request is sent again, a later leave that passes 8 days withdraws the request."""

from __future__ import annotations

import datetime as dt

from helpers import contributions, d, quarters
from sqlalchemy import insert, select
from typer.testing import CliRunner

from caisse.benefits import service
from caisse.benefits.models import BenefitClaim
from caisse.cli import app
from caisse.exchange.ack import Ack, render_ack
from caisse.exchange.fixed_width import VOUCHERS
from caisse.reporting import outgoing
from caisse.reporting.benefit_files import last_final_birth, voucher_export, vouchers_not_sent
from caisse.reporting.models import ExchangeRecord
from caisse.security.authz import Principal
from caisse.store.db import session_scope
from caisse.store.models import AuditLog

DESK = Principal.system("cli:benefits-officer")
runner = CliRunner()


def _read(path):
    lines = path.read_text(encoding="ascii").splitlines(keepends=True)
    assert all(len(line) == VOUCHERS.width + 1 for line in lines)
    parsed = [VOUCHERS.parse(line) for line in lines]
    return parsed[0][1], [v for _c, v in parsed[1:-1]], parsed[-1][1]


def _export(url, as_of: str, path, today="2026-01-31"):
    return outgoing.make_file(url, voucher_export(), d(as_of), path, who="test", today=d(today))


def _old_birth_leave(url, person, birth: dt.date, start: dt.date, days: int, half_days: int = 0) -> int:
    """A birth-leave claim of the 15-day regime (births of 2021-2022) granted before caisse kept the fund's files:
    its amounts are not in the parameter files, so it is written as the fund's records hold it."""
    end = start + dt.timedelta(days=days + half_days)
    with session_scope(url) as s:
        return s.execute(insert(BenefitClaim).returning(BenefitClaim.id), [{
            "person_id": person, "kind": "birth_leave", "facts": {"birth_date": birth.isoformat(),
                                                                  "start": start.isoformat(), "end": end.isoformat(),
                                                                  "days": days, "half_days": half_days},
            "period_start": start, "period_end": end, "received_on": start, "decision_due": start,
            "status": "closed", "outcome": "granted", "decided_on": start, "decision": {}, "amount_cents": 1,
            "counted": 2 * days + half_days, "payer": "fund", "created_by": "migration"}]).scalar_one()


def test_the_maternity_vouchers_asked_and_the_birth_leave_vouchers_go_out_once(db_url, fund, tmp_path):
    nora = fund.person(category="main", start=d("2015-01-01"))  # asks the 105 vouchers with her claim
    sara = fund.person(category="main", start=d("2015-01-01"))  # does not ask them
    tom = fund.person(category="main", start=d("2015-01-01"))  # 6 days of birth leave for a 2022 birth
    with session_scope(db_url) as s:
        nora_claim = service.file_claim(s, DESK, nora, "maternity", {
            "birth_date": d("2025-02-05"), "start": d("2025-02-03"), "full_weeks": 12,
            "vouchers_requested": d("2025-01-20")}, d("2025-01-20")).id
        sara_claim = service.file_claim(s, DESK, sara, "maternity", {
            "birth_date": d("2025-03-01"), "start": d("2025-02-27"), "full_weeks": 12}, d("2025-02-10")).id
    with session_scope(db_url) as s:
        assert service.decide(s, DESK, nora_claim, d("2025-01-25")).outcome == "granted"
        assert service.decide(s, DESK, sara_claim, d("2025-02-12")).outcome == "granted"
    tom_claim = _old_birth_leave(db_url, tom, d("2022-03-10"), d("2022-03-14"), days=5, half_days=2)

    first = _export(db_url, "2025-01-31", tmp_path / "v1.txt")
    header, details, trailer = _read(tmp_path / "v1.txt")
    assert first.reference == "VOUCHERS-20250131-0001" and header["format"] == "CAISSE-VOUCHERS"
    assert (header["first_quarter"], header["last_quarter"]) == ("2022Q1", "2025Q1")
    assert [(d_["niss"], d_["kind"], d_["birth_date"], d_["vouchers"], d_["nature"], d_["requested"],
             d_["half_days"], d_["claim"], d_["record_type"]) for d_ in details] == [
        (fund.niss_of(nora), "maternity", "20250205", 105, "free", "20250120", 0, nora_claim, "N"),
        (fund.niss_of(tom), "birth_leave", "20220310", 15, "refund", "", 12, tom_claim, "N")]
    assert (trailer["records"], trailer["vouchers"]) == (2, 120)
    with session_scope(db_url) as s:  # one audit row: which file, how many records, its checksum
        (row,) = s.execute(select(AuditLog.actor, AuditLog.entity, AuditLog.detail)
                           .where(AuditLog.action == "export")).all()
    assert row.actor == "test" and row.entity == "exchange_file"
    assert (row.detail["kind"], row.detail["reference"], row.detail["records"], row.detail["sha256"]) == (
        "service-vouchers", first.reference, 2, first.sha256)

    # nothing new: no file; the same date again: the same file
    assert _export(db_url, "2025-02-28", tmp_path / "v0.txt").reference is None
    again = runner.invoke(app, ["export", "service-vouchers", "--as-of", "2025-01-31", "--output",
                                str(tmp_path / "again.txt"), "--db", db_url])
    assert again.exit_code == 0 and "already made: VOUCHERS-20250131-0001 (2 records)" in again.output
    assert (tmp_path / "again.txt").read_bytes() == (tmp_path / "v1.txt").read_bytes()

    # the receiver refuses Nora's line; Tom takes 3 more days for the same birth (9 days in all: no vouchers)
    answer = tmp_path / "ack.txt"
    answer.write_bytes(render_ack(Ack(first.reference, "accepted",
                                      rejected=[(details[0]["record_id"], "V12", "mother unknown to the issuer")])))
    assert runner.invoke(app, ["import", "ack", str(answer), "--db", db_url]).exit_code == 0
    _old_birth_leave(db_url, tom, d("2022-03-10"), d("2022-05-02"), days=3)
    second = _export(db_url, "2025-03-31", tmp_path / "v2.txt")
    _h, (resent, withdrawn), trailer2 = _read(tmp_path / "v2.txt")
    assert second.counts == {"new": 0, "correction": 0, "resend": 1, "cancel": 1}
    assert (resent["record_type"], resent["corrects"], resent["kind"], resent["vouchers"]) == (
        "R", details[0]["record_id"], "maternity", 105)
    assert (withdrawn["record_type"], withdrawn["corrects"], withdrawn["kind"], withdrawn["vouchers"]) == (
        "D", details[1]["record_id"], "birth_leave", 0)
    assert trailer2["vouchers"] == 105
    with session_scope(db_url) as s:
        assert s.get(ExchangeRecord, details[0]["record_id"]).rejection_code == "V12"


def test_the_15_vouchers_are_not_sent_for_a_birth_from_2023_nor_before_the_leave_is_final(db_url, fund, tmp_path):
    """Ugo takes 8 days of birth leave for his son born on 10 March 2023, granted by the fund: the rule of the 15
    vouchers is stated in 2019-2021 sources only (NOT FOUND for the 20-day regime), so nothing is sent and the
    command says why. Vic's 2022 leave is sent only once the birth leave can no longer be asked (31 July 2022
    for a birth on 10 March: the quarter after the birth quarter, one month more for the third month)."""
    ugo = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, ugo, paid=quarters("2022Q1", "2023Q1"))
    with session_scope(db_url) as s:
        cid = service.file_claim(s, DESK, ugo, "birth_leave", {
            "birth_date": d("2023-03-10"), "start": d("2023-03-13"), "end": d("2023-03-22"), "days": 8},
            d("2023-03-11")).id
    with session_scope(db_url) as s:
        c = service.decide(s, DESK, cid, d("2023-03-20"))
        assert (c.outcome, c.counted) == ("granted", 16)
    vic = fund.person(category="main", start=d("2015-01-01"))
    _old_birth_leave(db_url, vic, d("2022-03-10"), d("2022-03-14"), days=4)
    assert last_final_birth(d("2022-07-31")) == d("2022-02-28") and last_final_birth(d("2022-08-01")) == \
        d("2022-03-31")

    early = _export(db_url, "2022-07-31", tmp_path / "early.txt", today="2022-07-31")
    assert early.reference is None  # Vic could still ask more days
    result = runner.invoke(app, ["export", "service-vouchers", "--as-of", "2023-08-01", "--output",
                                 str(tmp_path / "v.txt"), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "VOUCHERS-20230801-0001: 1 records (1 new)" in result.output
    assert ("not sent: 1 birth(s) with birth leave granted — the 15 service vouchers of a leave of at most 8 days "
            "are NOT FOUND for births from 2023-01-01") in result.output
    _h, (line,), _t = _read(tmp_path / "v.txt")
    assert (line["niss"], line["kind"], line["half_days"]) == (fund.niss_of(vic), "birth_leave", 8)
    with session_scope(db_url) as s:
        assert vouchers_not_sent(s, d("2023-07-31")) == 0  # Ugo's leave is not final before 31 July 2023
        assert vouchers_not_sent(s, d("2023-08-01")) == 1


def test_bad_input_is_one_line_naming_the_field_and_writes_nothing(db_url, tmp_path):
    for args, field in ((["--as-of", "2025-02-30"], "as_of"), (["--as-of", "2099-01-01"], "as_of")):
        result = runner.invoke(app, ["export", "service-vouchers", *args, "--output", str(tmp_path / "x.txt"),
                                     "--db", db_url])
        assert result.exit_code == 2 and result.output.startswith(f"error: {field}: "), result.output
        assert len(result.output.strip().splitlines()) == 1
    result = runner.invoke(app, ["export", "service-vouchers", "--as-of", "2025-01-31", "--output",
                                 str(tmp_path / "no" / "x.txt"), "--db", db_url])
    assert result.exit_code == 2 and result.output.startswith("error: output: ")
    assert not (tmp_path / "x.txt").exists() and not (tmp_path / "no").exists()
    with session_scope(db_url) as s:
        assert s.scalar(select(ExchangeRecord.id)) is None


def test_a_maternity_rest_granted_in_two_claims_asks_the_105_vouchers_once(db_url, fund, tmp_path):
    """Nora's rest for her child born on 5 February 2025 is granted in two claims — the 3 compulsory weeks, then
    9 weeks from April — and she ticked "I ask the vouchers" on both. The issuer gets one request for that birth,
    the first claim's: 105 vouchers, not 210, and later files send nothing more about it."""
    nora = fund.person(category="main", start=d("2015-01-01"))
    with session_scope(db_url) as s:
        first = service.file_claim(s, DESK, nora, "maternity", {
            "birth_date": d("2025-02-05"), "start": d("2025-02-03"), "full_weeks": 3,
            "vouchers_requested": d("2025-01-20")}, d("2025-01-20")).id
        second = service.file_claim(s, DESK, nora, "maternity", {
            "birth_date": d("2025-02-05"), "start": d("2025-04-07"), "full_weeks": 9,
            "vouchers_requested": d("2025-03-20")}, d("2025-03-20")).id
    with session_scope(db_url) as s:
        assert service.decide(s, DESK, first, d("2025-01-25")).outcome == "granted"
    with session_scope(db_url) as s:
        assert service.decide(s, DESK, second, d("2025-03-25")).outcome == "granted"

    _export(db_url, "2025-03-31", tmp_path / "v1.txt")
    _h, details, trailer = _read(tmp_path / "v1.txt")
    assert [(x["kind"], x["birth_date"], x["vouchers"], x["requested"], x["claim"], x["record_type"])
            for x in details] == [("maternity", "20250205", 105, "20250120", first, "N")]
    assert trailer["vouchers"] == 105
    assert _export(db_url, "2025-04-30", tmp_path / "v2.txt").reference is None  # nothing flips back and forth
