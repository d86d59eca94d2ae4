"""The `caisse affiliate` commands: one line naming the field on bad input, exit 2, nothing written."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from typer.testing import CliRunner

from caisse.cli import app
from caisse.demo.identities import make_niss
from caisse.store.db import session_scope
from caisse.store.models import AuditLog, BalanceSheet, BankAccount, Event, Mandate, Party, SpouseLink

runner = CliRunner()

PERSON = ["affiliate", "person", "--niss", "85073003328", "--first-name", "Ana", "--last-name", "Peeters",
          "--birth-date", "1985-07-30", "--language", "nl", "--street", "Meir", "--house-number", "1",
          "--postal-code", "2000", "--city", "Antwerpen", "--iban", "BE71096123456769"]


def run(db_url, *args):
    return runner.invoke(app, [*args, "--db", db_url])


def rows(db_url, model) -> int:
    with session_scope(db_url) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_every_command_has_help():
    for cmd in (["--help"], ["affiliate", "--help"], ["affiliate", "person", "--help"], ["demo", "--help"],
                ["serve", "--help"], ["db", "upgrade", "--help"], ["affiliate", "show", "--help"]):
        result = runner.invoke(app, cmd)
        assert result.exit_code == 0, (cmd, result.output)


def test_register_affiliate_show_and_cease(db_url):
    assert run(db_url, *PERSON).output.strip() == "person 1 registered"
    r = run(db_url, "affiliate", "start", "--person", "1", "--start-date", "2026-01-01", "--category", "main",
            "--requested-on", "2025-12-01")
    assert r.exit_code == 0 and r.output.strip() == "affiliation 1: affiliated"
    r = run(db_url, "affiliate", "start", "--person", "1", "--start-date", "2027-01-01", "--category",
            "complementary", "--requested-on", "2026-12-01")
    assert r.exit_code == 2 and "start_date: overlaps affiliation 1" in r.output
    shown = run(db_url, "affiliate", "show", "1", "--reason", "phone call")
    assert "85.07.30-033.28" in shown.output and "main 2026-01-01" in shown.output
    r = run(db_url, "affiliate", "cease", "--affiliation", "1", "--end-date", "2026-06-30", "--reason", "stopped")
    assert r.exit_code == 0 and "ceased on 2026-06-30" in r.output


def test_bad_niss_is_one_line_exit_2_and_nothing_written(db_url):
    args = list(PERSON)
    args[args.index("85073003328")] = "85073003329"
    result = run(db_url, *args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: niss: national number (NISS) check digits do not match (typing error?)"]
    assert rows(db_url, Party) == 0 and rows(db_url, AuditLog) == 0


def test_an_impossible_date_names_the_field(db_url):
    run(db_url, *PERSON)
    r = run(db_url, "affiliate", "start", "--person", "1", "--start-date", "2026-02-30", "--category", "main")
    assert r.exit_code == 2 and r.output.startswith("error: start_date: not a date")


def test_company_needs_a_director(db_url):
    r = run(db_url, "affiliate", "company", "--kbo", "0403170701", "--name", "X", "--legal-form", "SRL",
            "--language", "fr", "--street", "Rue", "--house-number", "1", "--postal-code", "1000", "--city",
            "Bruxelles", "--affiliation-start", "2024-01-01")
    assert r.exit_code == 2 and r.output.startswith("error: directors:")
    assert rows(db_url, Party) == 0


# ---------------------------------------------------------------- after the request: transfers, links, changes

def person(db_url, niss, birth, first="Jan", iban="BE71096123456769"):
    args = list(PERSON)
    args[args.index("85073003328")] = niss
    args[args.index("1985-07-30")] = birth
    args[args.index("Ana")] = first
    args[args.index("BE71096123456769")] = iban
    r = run(db_url, *args)
    assert r.exit_code == 0, r.output
    return int(r.output.split()[1])


def start(db_url, pid, *extra, category="main"):
    r = run(db_url, "affiliate", "start", "--person", str(pid), "--start-date", "2026-01-01", "--category", category,
            "--requested-on", "2025-12-01", *extra)
    assert r.exit_code == 0, r.output
    return int(r.output.split()[1].rstrip(":")), r.output.strip()


def events(db_url, party_id=None) -> list[tuple[str, str]]:
    with session_scope(db_url) as s:
        q = select(Event.kind, Event.effective_on).order_by(Event.id)
        if party_id is not None:
            q = q.where(Event.party_id == party_id)
        return [(k, d.isoformat()) for k, d in s.execute(q)]


def test_a_transfer_from_another_fund_is_completed(db_url):
    pid = person(db_url, "85073003328", "1985-07-30", "Ana")
    aid, shown = start(db_url, pid, "--previous-fund", "Autre caisse")
    assert shown == f"affiliation {aid}: pending_transfer"
    r = run(db_url, "affiliate", "transfer-complete", "--affiliation", str(aid), "--released-on", "2025-11-30")
    assert r.exit_code == 2 and r.output.strip() == (
        "error: released_on: is before the request (2025-12-01): the previous fund releases the affiliate after "
        "the transfer was asked")
    r = run(db_url, "affiliate", "transfer-complete", "--affiliation", str(aid), "--released-on", "2025-12-20")
    assert r.exit_code == 0 and r.output.strip() == f"affiliation {aid}: affiliated"
    r = run(db_url, "affiliate", "transfer-complete", "--affiliation", str(aid), "--released-on", "2025-12-21")
    assert r.exit_code == 2 and r.output.startswith("error: status: affiliation 1 is affiliated, not waiting")


def test_a_helping_spouse_is_linked_to_the_person_helped(db_url):
    ana = person(db_url, "85073003328", "1985-07-30", "Ana")
    jan = person(db_url, make_niss(dt.date(1987, 3, 2), 124), "1987-03-02")
    start(db_url, ana)
    link = ["affiliate", "helping-spouse", "--helper", str(jan), "--self-employed", str(ana), "--since", "2026-01-01"]
    r = run(db_url, *link)
    assert r.exit_code == 2 and r.output.strip() == (
        f"error: helper_id: person {jan} is not affiliated with the fund on 2026-01-01: affiliate them as "
        "helping_spouse first")
    assert rows(db_url, SpouseLink) == 0
    start(db_url, jan, "--document", "helping_spouse_declaration", category="helping_spouse")
    r = run(db_url, *link)
    assert r.exit_code == 0 and r.output.strip() == f"person {jan} helps person {ana} from 2026-01-01"
    assert events(db_url) == [("helping_spouse_linked", "2026-01-01")] * 2


def test_a_move_and_a_new_account_from_the_command_line(db_url):
    pid = person(db_url, "85073003328", "1985-07-30", "Ana")
    move = ["affiliate", "address", "--party", str(pid), "--street", "Kerkstraat", "--house-number", "5",
            "--postal-code", "9000", "--city", "Gent"]
    r = run(db_url, *move, "--effective", "2026-13-01")
    assert r.exit_code == 2 and r.output.startswith("error: effective: not a date")
    r = run(db_url, *move[:-2], "--city", " ", "--effective", "2030-01-01")
    assert r.exit_code == 2 and r.output.strip() == "error: address.city: is required"
    r = run(db_url, *move, "--effective", "2030-01-01")
    assert r.exit_code == 0 and r.output.strip() == f"file {pid}: address 9000 Gent from 2030-01-01"

    today = dt.date.today().isoformat()
    r = run(db_url, "affiliate", "iban", "--party", str(pid), "--iban", "BE71 0961 2345 6768")
    assert r.exit_code == 2 and r.output.startswith("error: iban: ")
    # registered today with a typo: corrected the same day, one account on file
    r = run(db_url, "affiliate", "iban", "--party", str(pid), "--iban", "BE73 7347 6543 2160")
    assert r.exit_code == 0 and r.output.strip() == f"file {pid}: account BE73 7347 6543 2160 from {today}"
    r = run(db_url, "affiliate", "iban", "--party", str(pid), "--iban", "BE73734765432160", "--effective", "2031-01-01")
    assert r.exit_code == 2 and r.output.strip() == "error: iban: this is already the account on file"
    assert rows(db_url, BankAccount) == 1
    assert events(db_url) == [("address_changed", "2030-01-01"), ("iban_corrected", today)]


COMPANY = ["affiliate", "company", "--kbo", "0403170701", "--name", "Peeters BV", "--legal-form", "BV",
           "--language", "nl", "--street", "Meir", "--house-number", "1", "--postal-code", "2000", "--city",
           "Antwerpen", "--affiliation-start", "2024-01-01"]


def test_a_company_with_balance_sheets_and_directors_who_change(db_url):
    ana = person(db_url, "85073003328", "1985-07-30", "Ana")
    jan = person(db_url, make_niss(dt.date(1987, 3, 2), 124), "1987-03-02")
    r = run(db_url, *COMPANY, "--director", str(ana), "--balance-sheet", "2023=500 000")
    assert r.exit_code == 2 and r.output.startswith("error: balance_sheet.2023: an amount in euros with at most two")
    r = run(db_url, *COMPANY, "--director", str(ana), "--balance-sheet", "twenty=1")
    assert r.exit_code == 2 and r.output.startswith("error: balance_sheet: expected YEAR=TOTAL")
    assert rows(db_url, Party) == 2
    r = run(db_url, *COMPANY, "--director", str(ana), "--balance-sheet", "2023=500000.00")
    assert r.exit_code == 0, r.output
    cid = int(r.output.split()[1])

    sheet = ["affiliate", "balance-sheet", "--company", str(cid), "--year", "2024"]
    r = run(db_url, *sheet, "--total", "612345.675")
    assert r.exit_code == 2 and r.output.startswith("error: total: an amount in euros with at most two decimals")
    r = run(db_url, *sheet, "--total", "612345,67")
    assert r.exit_code == 0 and r.output.strip() == f"company {cid}: balance sheet 2024 total 612345.67"
    r = run(db_url, *sheet, "--total", "1.00")
    assert r.exit_code == 2
    assert r.output.strip() == "error: financial_year: the balance sheet of 2024 is already on file"
    with session_scope(db_url) as s:
        sheets = s.scalars(select(BalanceSheet).order_by(BalanceSheet.financial_year))
        assert [(b.financial_year, b.total_cents) for b in sheets] == [(2023, 50_000_000), (2024, 61_234_567)]

    end = ["affiliate", "director-end", "--company", str(cid), "--person", str(ana), "--end-date", "2026-06-30"]
    r = run(db_url, *end)
    assert r.exit_code == 2 and r.output.strip() == (
        f"error: person_id: person {ana} is the company's last director: the company would have no director from "
        "2026-07-01; add the new director first")
    r = run(db_url, "affiliate", "director-add", "--company", str(cid), "--person", "99", "--since", "2026-07-01")
    assert r.exit_code == 2 and r.output.strip() == "error: person_id: no person with file number 99"
    r = run(db_url, "affiliate", "director-add", "--company", str(cid), "--person", str(jan), "--since", "2026-07-01")
    assert r.exit_code == 0 and r.output.strip() == f"company {cid}: person {jan} director from 2026-07-01"
    r = run(db_url, *end)
    assert r.exit_code == 0 and r.output.strip() == f"company {cid}: person {ana} director until 2026-06-30"
    with session_scope(db_url) as s:
        assert [(m.person_id, m.valid_to) for m in s.scalars(select(Mandate).order_by(Mandate.id))] == [
            (ana, dt.date(2026, 6, 30)), (jan, None)]
    assert [k for k, _ in events(db_url, cid)] == ["balance_sheet_recorded", "director_added", "director_ended"]


def test_the_new_commands_have_help():
    for cmd in ("transfer-complete", "helping-spouse", "address", "iban", "balance-sheet", "director-add",
                "director-end"):
        result = runner.invoke(app, ["affiliate", cmd, "--help"])
        assert result.exit_code == 0, (cmd, result.output)
