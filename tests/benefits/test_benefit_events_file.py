"""Life events from a file (`caisse import events`, docs/formats/benefit-events.md): each good line recorded once
as `caisse benefits event` does, each bad line rejected with its line and field and kept, the same file twice
changes nothing, an event already known from another file or the command line is not recorded again."""

from __future__ import annotations

from helpers import d
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from caisse.benefits.models import BenefitClaim, BenefitEvent, BenefitEventLine
from caisse.cli import app
from caisse.demo.identities import make_niss
from caisse.store.db import session_scope
from caisse.store.models import Person

runner = CliRunner()
HEADER = "version,reference,niss,kind,date,facts\n"


def run(db_url, path, today="2025-06-02"):
    return runner.invoke(app, ["import", "events", str(path), "--today", today, "--db", db_url])


def count(db_url, model):
    with session_scope(db_url) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_an_events_file_records_good_lines_and_keeps_the_rejected_ones(db_url, fund, tmp_path):
    mother = fund.person(start=d("2015-01-01"))
    father = fund.person(start=d("2015-01-01"))
    owner = fund.person(start=d("2015-01-01"), language="nl")
    ill = fund.person(start=d("2015-01-01"))
    with session_scope(db_url) as s:
        s.execute(update(Person).where(Person.id == mother).values(sex="F"))
    niss = {p: fund.niss_of(p) for p in (mother, father, owner, ill)}
    path = tmp_path / "events-2025-06-02.csv"
    path.write_text(
        HEADER
        + f"1,RN-001,{niss[mother]},birth,2025-05-20,\n"
        + f"1,RN-002,{niss[father]},birth,2025-05-20,parent=co_parent;start=2025-05-21;end=2025-06-30;days=10\n"
        + f"1,MB-17,{niss[owner]},bankruptcy,2025-05-12,\n"
        + f"1,MUT-9,{niss[ill]},incapacity,2025-04-01,\n"
        + "1,RN-003,85.07.30-033.27,birth,2025-05-20,\n"  # a NISS whose check digits are wrong
        + f"1,RN-004,{niss[ill]},death,2025-05-20,\n"
        + f"1,RN-005,{niss[ill]},birth,2025-02-30,\n"
        + f"1,RN-006,{niss[father]},birth,2025-05-21,colour=blue\n"
        + f"2,RN-007,{niss[father]},birth,2025-05-22,\n"
        + f"1,RN-008,{niss[ill]},bankruptcy,2025-07-01,\n"  # after the import day
        + f"1,RN-009,{make_niss(d('1970-01-01'), 5)},birth,2025-05-20,\n",  # nobody of the fund
        encoding="utf-8")
    r = run(db_url, path)
    assert r.exit_code == 1, r.output
    assert "11 line(s): 4 recorded, 0 already known, 7 rejected (kept)" in r.stdout
    assert "  incapacity informed: 1" in r.stdout
    assert r.stderr.splitlines() == [
        "rejected: line 6: niss: national number (NISS) check digits do not match (typing error?)",
        "rejected: line 7: kind: one of birth, bankruptcy, incapacity, cessation, pension_age",
        "rejected: line 8: date: not a date (YYYY-MM-DD): 2025-02-30",
        "rejected: line 9: facts.colour: not a fact of a birth event (facts: days, end, full_weeks, half_days, "
        "half_weeks, multiple_birth, parent, start)",
        "rejected: line 10: version: format version '2' is not read here (versions: 1)",
        "rejected: line 11: date: after the import day 2025-06-02: the event has not happened yet",
        "rejected: line 12: niss: no person with this national number in the fund"]
    with session_scope(db_url) as s:
        kept = s.execute(select(BenefitEventLine.line, BenefitEventLine.status, BenefitEventLine.field,
                                BenefitEventLine.raw, BenefitEventLine.person_id)
                         .order_by(BenefitEventLine.line)).all()
        claims = dict(s.execute(select(BenefitClaim.person_id, BenefitClaim.kind)).all())
        known = set(s.scalars(select(BenefitEvent.known_on)))
    assert [k[1] for k in kept] == ["recorded"] * 4 + ["rejected"] * 7  # every line kept, none lost
    assert kept[4][2] == "niss" and kept[4][3] == "1,RN-003,85.07.30-033.27,birth,2025-05-20,"
    assert kept[5][4] == ill  # a rejected line naming a person of the fund is theirs (right of access)
    assert claims == {mother: "maternity", father: "birth_leave", owner: "bridging_right"}
    assert known == {d("2025-06-02")}  # the fund learnt them on the import day

    events_before, lines_before = count(db_url, BenefitEvent), count(db_url, BenefitEventLine)
    again = run(db_url, path)
    assert again.exit_code == 0 and "already imported" in again.stdout and "nothing changed" in again.stdout
    assert (count(db_url, BenefitEvent), count(db_url, BenefitEventLine)) == (events_before, lines_before)

    # the sender corrects a rejected line and sends it with an event already recorded: only the new one is recorded
    fixed = tmp_path / "events-2025-06-03.csv"
    fixed.write_text(HEADER + f"1,RN-001,{niss[mother]},birth,2025-05-20,\n"
                     + f"1,RN-005,{niss[ill]},incapacity,2025-05-02,\n", encoding="utf-8")
    r = run(db_url, fixed, today="2025-06-03")
    assert r.exit_code == 0, r.output
    assert "2 line(s): 1 recorded, 1 already known, 0 rejected" in r.stdout
    assert count(db_url, BenefitEvent) == events_before + 1
    assert count(db_url, BenefitClaim) == 3  # the birth already known opened no second claim


def test_a_file_that_is_not_an_events_file_is_refused_whole(db_url, fund, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("niss,kind,date\n", encoding="utf-8")
    r = run(db_url, path)
    assert r.exit_code == 2
    assert r.output.startswith("error: line 1: header must be version,reference,niss,kind,date,facts")
    assert count(db_url, BenefitEventLine) == 0
