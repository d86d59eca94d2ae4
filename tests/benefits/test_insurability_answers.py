"""The mutuality reports an incapacity; the fund answers with the person's insurability: the quarter the incapacity
starts and the 3 before (the notes give no window: fund policy), each in order or not, with its state and amounts,
quoting the mutuality's reference. What changes later — a quarter falling due unpaid, the assimilation granted — goes
out as a correction, nothing else."""

from __future__ import annotations

import datetime as dt

from helpers import contributions, d
from typer.testing import CliRunner

from caisse.benefits import events
from caisse.benefits import insurance_requests as ir
from caisse.benefits.events_import import import_events
from caisse.cli import app
from caisse.exchange.fixed_width import INSURABILITY
from caisse.reporting import outgoing
from caisse.reporting.benefit_files import insurability_export
from caisse.security.authz import Principal
from caisse.store.db import session_scope

DESK = Principal.system("cli:benefits-officer")
runner = CliRunner()


def _read(path):
    lines = path.read_text(encoding="ascii").splitlines(keepends=True)
    assert all(len(line) == INSURABILITY.width + 1 for line in lines)
    parsed = [INSURABILITY.parse(line) for line in lines]
    return parsed[0][1], [v for _c, v in parsed[1:-1]], parsed[-1][1]


def _export(url, as_of: str, path):
    return outgoing.make_file(url, insurability_export(), d(as_of), path, who="test", today=d("2026-01-31"))


def _row(x):
    return (x["quarter"], x["category"], x["in_order"], x["state"], x["called"], x["paid"], x["open"], x["reason"],
            x["decision"])


def test_paul_falls_ill_in_april_the_mutuality_learns_which_quarters_are_in_order(db_url, fund, tmp_path):
    # Paul, main activity since 1 October 2024, paid 2024Q4 and 2025Q1; 2025Q2 is called (800.00, due 30 June)
    paul = fund.person(category="main", start=d("2024-10-01"))
    contributions(db_url, paul, paid=["2024Q4", "2025Q1"], unpaid=["2025Q2"])
    # the mutuality's notice arrives in an events file, with its own reference
    data = f"version,reference,niss,kind,date,facts\n1,MUT-235-2025-88,{fund.niss_of(paul)},incapacity," \
           "2025-04-10,\n".encode()
    assert import_events(db_url, data, DESK, d("2025-04-15")).recorded == 1
    # Rita's incapacity was phoned in and keyed by a caseworker: no reference to quote
    rita = fund.person(category="complementary", start=d("2015-01-01"))
    contributions(db_url, rita, paid=["2025Q1"])
    with session_scope(db_url) as s:
        events.record_event(s, DESK, rita, "incapacity", d("2025-05-02"), d("2025-05-05"), source="mutuality")

    result = runner.invoke(app, ["export", "insurability", "--as-of", "2025-05-15", "--output",
                                 str(tmp_path / "a1.txt"), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("INSURAB-20250515-0001: 8 records (8 new)")
    header, lines, trailer = _read(tmp_path / "a1.txt")
    assert (header["format"], header["first_quarter"], header["last_quarter"]) == ("CAISSE-INSURABILITY", "2024Q3",
                                                                                   "2025Q2")
    mine = [x for x in lines if x["niss"] == fund.niss_of(paul)]
    assert {(x["notice"], x["incapacity"]) for x in mine} == {("MUT-235-2025-88", "20250410")}
    assert [_row(x) for x in mine] == [
        ("2024Q3", "unknown", "N", "none", 0, 0, 0, "not_called", ""),  # not affiliated yet: nothing called
        ("2024Q4", "main", "Y", "paid", 80_000, 80_000, 0, "paid", ""),
        ("2025Q1", "main", "Y", "paid", 80_000, 80_000, 0, "paid", ""),
        ("2025Q2", "main", "N", "not_due", 80_000, 0, 80_000, "not_due", "")]  # called, due on 30 June
    hers = [x for x in lines if x["niss"] == fund.niss_of(rita)]
    assert {x["notice"] for x in hers} == {""}
    assert [(x["quarter"], x["category"], x["in_order"], x["state"]) for x in hers] == [
        ("2024Q3", "complementary", "N", "none"), ("2024Q4", "complementary", "N", "none"),
        ("2025Q1", "complementary", "Y", "paid"), ("2025Q2", "complementary", "N", "none")]
    assert (trailer["records"], trailer["in_order"], trailer["not_in_order"]) == (8, 3, 5)

    # 30 June passes unpaid: one correction
    second = _export(db_url, "2025-07-31", tmp_path / "a2.txt")
    _h, (c,), _t = _read(tmp_path / "a2.txt")
    assert second.records == 1 and (c["record_type"], c["niss"]) == ("C", fund.niss_of(paul))
    assert _row(c) == ("2025Q2", "main", "N", "unpaid", 80_000, 0, 80_000, "not_paid", "")
    assert c["corrects"] == mine[3]["record_id"]

    # his assimilation for 2025Q2 is granted and recorded on 20 August: the quarter is in order again
    with session_scope(db_url) as s:
        rid = ir.file_request(s, DESK, paul, "illness_assimilation", {"incapacity_start": "2025-04-10",
                                                                        "incapacity_end": "2025-06-30"},
                              d("2025-08-01")).id
        ir.forward(s, DESK, rid, d("2025-08-02"), institution="INASTI")
        ir.record_decision(s, DESK, rid, d("2025-08-20"), outcome="granted", decided_on=d("2025-08-18"),
                           reference="A-2025-17")
    third = _export(db_url, "2025-08-31", tmp_path / "a3.txt")
    _h, (c3,), _t = _read(tmp_path / "a3.txt")
    assert third.records == 1
    assert _row(c3) == ("2025Q2", "main", "Y", "assimilated", 80_000, 0, 80_000, "illness", f"assimilation/{rid}")
    assert _export(db_url, "2025-09-15", tmp_path / "a4.txt").reference is None  # nothing new
    with session_scope(db_url) as s:  # right of access: what was sent about him, and the quarter granted
        from caisse.services import gdpr

        export = gdpr.export_file(s, DESK, paul)
    sent = [(r["file"], r["quarter"], r["type"]) for r in export["records_sent_to_institutions"]]
    assert sent[-2:] == [("INSURAB-20250731-0002", f"2025Q2/{_event_of(db_url, paul)}",
                          "correction"),
                         ("INSURAB-20250831-0003", f"2025Q2/{_event_of(db_url, paul)}", "correction")]
    assert [(q["period"], q["kind"], q["request_id"]) for q in export["insurance_quarters"]] == [
        ("2025Q2", "illness_assimilation", rid)]
    listing = runner.invoke(app, ["exchange", "list", "--kind", "insurability", "--db", db_url])
    assert [line.split("\t")[:5] for line in listing.output.splitlines()[1:]] == [
        ["INSURAB-20250515-0001", "insurability", "2025-05-15", line_date(listing.output, 1), "8"],
        ["INSURAB-20250731-0002", "insurability", "2025-07-31", line_date(listing.output, 2), "1"],
        ["INSURAB-20250831-0003", "insurability", "2025-08-31", line_date(listing.output, 3), "1"]]


def _event_of(url, person) -> int:
    from sqlalchemy import select

    from caisse.benefits.models import BenefitEvent

    with session_scope(url) as s:
        return s.scalar(select(BenefitEvent.id).where(BenefitEvent.person_id == person))


def line_date(output: str, n: int) -> str:
    """The 'created' column of the n-th file listed (made now)."""
    created = output.splitlines()[n].split("\t")[3]
    dt.datetime.strptime(created, "%Y-%m-%d %H:%M")
    return created


def test_an_incapacity_learnt_after_the_date_is_not_answered_yet(db_url, fund, tmp_path):
    eva = fund.person(category="main", start=d("2015-01-01"))
    with session_scope(db_url) as s:
        events.record_event(s, DESK, eva, "incapacity", d("2025-05-02"), d("2025-06-10"), source="mutuality")
    assert _export(db_url, "2025-06-09", tmp_path / "none.txt").reference is None
    assert _export(db_url, "2025-06-10", tmp_path / "one.txt").records == 4
