"""CODA import: what happens to every euro a bank statement reports (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from money_helpers import (
    FUND_IBAN,
    OTHER_IBAN,
    call_quarter,
    coda,
    count,
    new_debtor,
    ogm,
    pay,
)
from sqlalchemy import select

from caisse.collection.coda_import import import_coda, our_reference
from caisse.collection.models import BankFile, BankLine, BankStatement, ReconciliationItem
from caisse.exchange.coda import CodaError, Movement, TransactionCode
from caisse.ledger import credit_available, load, open_items, unassigned
from caisse.ledger.models import LedgerTransaction
from caisse.references import parse
from support.coda_v1 import to_version_1
from support.samples import CODA, require_coda_samples

DAY = dt.date(2026, 3, 20)
require_coda_samples()
SAMPLES = CODA


def periods(db, party) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in open_items(db, party):
        out[item.period] = out.get(item.period, 0) + item.balance_cents
    return out


def queue(db) -> list[ReconciliationItem]:
    db.expire_all()
    return list(db.scalars(select(ReconciliationItem).order_by(ReconciliationItem.id)))


def test_a_payment_with_this_communication_settles_that_quarter(db, db_url):
    jean = new_debtor(db)
    call_quarter(db, jean, "2026Q1")
    call_quarter(db, jean, "2026Q2")
    db.commit()
    # Jean pays the second quarter first, on its communication: the designation wins over "oldest first".
    summary = import_coda(db_url, coda(pay(83_240, DAY, ogm=ogm(jean, "2026Q2"), iban=OTHER_IBAN, name="DUPONT J")))
    assert summary.counts == {"booked": 1} and summary.queued == 0
    assert periods(db, jean) == {"2026Q1": 83_240}
    receipt = load(db, f"coda/{summary.sha256}/1/1")
    assert receipt.booked_on == DAY  # the bank's value date
    assert receipt.reference == ogm(jean, "2026Q2")
    assert {e.account: e.amount_cents for e in receipt.entries} == {"bank": 83_240, "credit": -83_240}
    line = db.scalar(select(BankLine))
    assert (line.status, line.party_id, line.ledger_key) == ("booked", jean, receipt.key)


def test_a_payment_without_communication_from_a_known_iban_is_parked_with_that_debtor_suggested(db, db_url):
    jean = new_debtor(db, iban=OTHER_IBAN)
    marie = new_debtor(db, "Marie", "Peeters")
    call_quarter(db, jean, "2026Q1")
    call_quarter(db, marie, "2026Q1", 50_000, 2_025)
    db.commit()
    summary = import_coda(db_url, coda(pay(83_240, DAY, text="cotisation mars", iban=OTHER_IBAN, name="DUPONT JEAN")))
    assert summary.counts == {"parked": 1} and summary.queued == 1
    [item] = queue(db)
    assert item.reason == "no_reference" and item.status == "open" and item.amount_cents == 83_240
    assert item.suggestions[0] == {"party_id": jean, "by": ["iban", "name", "amount"], "period": "2026Q1"}
    assert marie not in [s["party_id"] for s in item.suggestions]
    assert unassigned(db, item.payment_key) == 83_240  # in suspense, never dropped
    assert periods(db, jean) == {"2026Q1": 83_240}


def test_a_payment_matching_only_an_amount_owed_by_one_debtor_suggests_him(db, db_url):
    jean = new_debtor(db)
    call_quarter(db, jean, "2026Q1", 71_111, 2_880)
    db.commit()
    import_coda(db_url, coda(pay(73_991, DAY, text="bijdrage", iban="BE43730004200601", name="X")))
    [item] = queue(db)
    assert item.suggestions == [{"party_id": jean, "by": ["amount"], "period": "2026Q1"}]


def test_the_same_file_twice_changes_nothing(db, db_url):
    jean = new_debtor(db)
    call_quarter(db, jean, "2026Q1")
    db.commit()
    data = coda(pay(83_240, DAY, ogm=ogm(jean, "2026Q1")), pay(1_000, DAY, text="?"))
    first = import_coda(db_url, data, filename="a.coda")
    before = (count(db, LedgerTransaction), count(db, BankLine), count(db, ReconciliationItem), count(db, BankFile))
    again = import_coda(db_url, data, filename="renamed.coda")
    assert again.already_imported and again.file_id == first.file_id
    assert (count(db, LedgerTransaction), count(db, BankLine), count(db, ReconciliationItem),
            count(db, BankFile)) == before
    stored = db.scalar(select(BankFile))
    assert stored.content == data and stored.sha256 == first.sha256 and stored.filename == "a.coda"


def test_a_broken_file_changes_nothing(db, db_url):
    jean = new_debtor(db)
    call_quarter(db, jean, "2026Q1")
    db.commit()
    good = coda(pay(83_240, DAY, ogm=ogm(jean, "2026Q1")))
    lines = good.split(b"\r\n")
    new_balance = next(i for i, rec in enumerate(lines) if rec.startswith(b"8"))
    rec = lines[new_balance]
    lines[new_balance] = rec[:42] + b"000000099999999" + rec[57:]  # the new balance no longer adds up
    with pytest.raises(CodaError) as err:
        import_coda(db_url, b"\r\n".join(lines))
    assert err.value.line == new_balance + 1 and err.value.field == "new_balance"
    short = good.replace(lines[1], lines[1][:100], 1)
    with pytest.raises(CodaError) as err:
        import_coda(db_url, short)
    assert err.value.field == "record_length" and err.value.line == 2
    assert count(db, BankFile) == count(db, BankLine) == count(db, LedgerTransaction) - 1 == 0
    assert periods(db, jean) == {"2026Q1": 83_240}


def test_a_statement_of_another_account_is_imported_with_a_warning_and_its_lines_parked(db, db_url):
    jean = new_debtor(db)
    call_quarter(db, jean, "2026Q1")
    db.commit()
    summary = import_coda(db_url, coda(pay(83_240, DAY, ogm=ogm(jean, "2026Q1")), pay(-500, DAY, text="frais"),
                                       account="BE43730004200601"))
    assert any("BE43730004200601 is not one of the fund's accounts" in w for w in summary.warnings)
    assert summary.counts == {"parked": 1, "review": 1}
    credit, debit = queue(db)
    assert (credit.reason, debit.reason) == ("unknown_account", "unknown_account")
    assert credit.suggestions[0]["party_id"] == jean and "reference" in credit.suggestions[0]["by"]
    assert periods(db, jean) == {"2026Q1": 83_240}


def test_a_declared_fund_account_is_reconciled(db, db_url):
    from caisse.collection.reconciliation import add_fund_account

    jean = new_debtor(db)
    call_quarter(db, jean, "2026Q1")
    add_fund_account(db, "BE43 7300 0420 0601", "test")
    db.commit()
    summary = import_coda(db_url, coda(pay(83_240, DAY, ogm=ogm(jean, "2026Q1")), account="BE43730004200601"))
    assert summary.counts == {"booked": 1} and not summary.warnings


def test_bank_costs_are_recorded_for_staff_to_acknowledge(db, db_url):
    summary = import_coda(db_url, coda(pay(-1_250, DAY, text="FRAIS DE GESTION")))
    assert summary.counts == {"review": 1}
    [item] = queue(db)
    assert (item.reason, item.amount_cents, item.payment_key) == ("unexplained_debit", -1_250, None)


def test_two_payments_of_one_debtor_in_one_file_are_imputed_one_after_the_other(db, db_url):
    jean = new_debtor(db)
    for q in ("2025Q4", "2026Q1", "2026Q2"):
        call_quarter(db, jean, q)
    db.commit()
    import_coda(db_url, coda(pay(83_240, DAY, ogm=ogm(jean, "2026Q1")),
                             pay(100_000, DAY, ogm=ogm(jean, "2026Q1"))))
    # The first pays 2026Q1 (designated); the second finds 2026Q1 paid and goes to the oldest, 2025Q4, then
    # 16 760 to 2026Q2; nothing is left on credit.
    assert periods(db, jean) == {"2026Q2": 83_240 - 16_760}
    assert credit_available(db, jean) == 0


def test_an_overpayment_stays_on_the_debtors_credit(db, db_url):
    jean = new_debtor(db)
    call_quarter(db, jean, "2026Q1")
    db.commit()
    import_coda(db_url, coda(pay(90_000, DAY, ogm=ogm(jean, "2026Q1"))))
    assert periods(db, jean) == {} and credit_available(db, jean) == 90_000 - 83_240


def test_a_globalised_total_is_booked_detail_by_detail(db, db_url):
    jean, marie = new_debtor(db), new_debtor(db, "Marie", "Peeters")
    call_quarter(db, jean, "2026Q1")
    call_quarter(db, marie, "2026Q1")
    db.commit()
    total = Movement(0, 0, 166_480, DAY, DAY, TransactionCode.parse("10150000"), communication="GLOBAL")
    d1 = Movement(0, 1, 83_240, DAY, DAY, TransactionCode.parse("50150000"), communication_type="101",
                  communication=ogm(jean, "2026Q1").strip("+").replace("/", ""))
    d2 = Movement(0, 2, 83_240, DAY, DAY, TransactionCode.parse("50150000"), communication_type="101",
                  communication=ogm(marie, "2026Q1").strip("+").replace("/", ""))
    data = coda(total)
    d1.sequence = d2.sequence = 1
    from caisse.exchange.coda import make_statement, write_coda

    data = write_coda([make_statement(account_iban=FUND_IBAN, old_balance_cents=0, old_balance_date=DAY,
                                      new_balance_date=DAY, movements=[total, d1, d2])])
    summary = import_coda(db_url, data)
    assert summary.counts == {"globalised": 1, "booked": 2}
    assert periods(db, jean) == periods(db, marie) == {}


def test_a_transfer_from_abroad_reported_as_a_net_amount_is_booked_on_its_original_communication(db, db_url):
    """BNP Paribas Fortis reports a payment from abroad as a net amount (type 3) detailed by its original amount
    (type 8, structured communication 105, whose positions 46-57 hold the payer's structured communication), as
    in OCA/l10n-belgium __unported__/account_statement_coda_import/tests/Coda_iban_v2_3_multi_statements.txt."""
    from caisse.exchange.coda import make_statement, write_coda

    jean = new_debtor(db)
    call_quarter(db, jean, "2026Q1")
    db.commit()
    digits = ogm(jean, "2026Q1").strip("+").replace("/", "")
    gross = f"{83_240 * 10:015d}"
    original = gross + gross + "000100000000" + "EUR" + digits + "NL" + gross
    net = Movement(1, 0, 83_240, DAY, DAY, TransactionCode.parse("30150000"), globalisation_code=1,
                   counterparty_account="NL91ABNA0417164300", counterparty_name="J DUPONT")
    detail = Movement(1, 1, 83_240, DAY, DAY, TransactionCode.parse("80150100"), communication_type="105",
                      communication=original, counterparty_account="NL91ABNA0417164300", counterparty_name="J DUPONT")
    data = write_coda([make_statement(account_iban=FUND_IBAN, old_balance_cents=0, old_balance_date=DAY,
                                      new_balance_date=DAY, movements=[net, detail])])
    summary = import_coda(db_url, data)
    assert summary.counts == {"globalised": 1, "booked": 1}
    assert periods(db, jean) == {}
    line = db.scalar(select(BankLine).where(BankLine.status == "booked"))
    assert line.party_id == jean


def test_our_reference_typed_as_free_text_is_parked_with_that_debtor_suggested(db, db_url):
    jean = new_debtor(db)
    call_quarter(db, jean, "2026Q1")
    db.commit()
    import_coda(db_url, coda(pay(83_240, DAY, text=f"cotisation {ogm(jean, '2026Q1')} merci")))
    [item] = queue(db)
    assert item.reason == "reference_in_free_text"
    assert item.suggestions[0]["party_id"] == jean and item.suggestions[0]["period"] == "2026Q1"


def test_references_that_are_not_a_debtors_are_parked(db, db_url):
    from caisse.identifiers import make_ogm

    new_debtor(db)
    db.commit()
    unknown = ogm(9_999_999, "2026Q1")  # our format, no such file number
    elsewhere = make_ogm(1234567895)  # valid check digits, but kind 5 is none of ours: another creditor's
    import_coda(db_url, coda(pay(1_000, DAY, ogm=unknown), pay(2_000, DAY, ogm=elsewhere)))
    assert [i.reason for i in queue(db)] == ["unknown_debtor", "not_our_reference"]


def test_our_reference_fast_path_agrees_with_references_parse():
    import random

    from caisse.identifiers import make_ogm

    rnd = random.Random(4)
    for _ in range(5_000):
        digits = make_ogm(rnd.randrange(10**10)).strip("+").replace("/", "")
        if rnd.random() < 0.2:
            digits = digits[:10] + f"{rnd.randrange(100):02d}"
        assert our_reference(digits) == parse(digits), digits


def test_the_real_kbc_statement_is_imported_line_by_line_and_parked(db, db_url):
    data = (SAMPLES / "kbc-2006-single-statement.coda").read_bytes()
    summary = import_coda(db_url, data)
    lines = list(db.scalars(select(BankLine)))
    assert len(lines) == summary.movements == 111
    assert summary.warnings  # not the fund's account
    # nothing lost: the lines that carry money add up to what the balance moved
    from caisse.collection.models import BankStatement

    st = db.scalar(select(BankStatement))
    moved = sum(ln.amount_cents for ln in lines if ln.status not in ("info", "globalised"))
    assert moved == st.new_balance_cents - st.old_balance_cents
    assert {ln.status for ln in lines} <= {"parked", "review", "globalised", "info"}
    parked = [ln for ln in lines if ln.status == "parked"]
    assert sum(unassigned(db, ln.ledger_key) for ln in parked) == sum(ln.amount_cents for ln in parked)


def test_the_real_oca_statement_whose_balances_do_not_add_up_is_refused(db, db_url):
    data = (SAMPLES / "received-2012-01-11.coda").read_bytes()
    with pytest.raises(CodaError) as err:
        import_coda(db_url, data)
    assert err.value.field == "new_balance"
    assert count(db, BankFile) == 0


def test_the_fast_iban_check_agrees_with_the_parsers():
    import random

    from caisse.collection.coda_import import counterparty_iban
    from caisse.demo.identities import make_iban
    from caisse.exchange.coda import to_iban

    rnd = random.Random(3)
    samples = ["", "000000000000", "BE61310126985517", "BE61 3101 2698 5517", "NL91ABNA0417164300",
               "FR1420041010050500013M02606", "310126985517", "310126985518", "BE61310126985518", "12345",
               "DE89370400440532013000", "GB82WEST12345698765432", "BE68539007547034"]
    samples += [make_iban("001", rnd.randrange(10**7)) for _ in range(300)]
    samples += [s[:-1] + str((int(s[-1]) + 1) % 10) for s in samples[-100:]]
    samples += [s[:2] + f"{(int(s[2:4]) + 1) % 100:02d}" + s[4:] for s in samples[-200:-100]]  # IBAN check wrong
    for acc in samples:
        expected = to_iban(acc)
        if acc.replace(" ", "") == "BE68539007547034":  # bank code 539 is missing from stdnum's registry
            assert counterparty_iban(acc) == "BE68539007547034" and expected is None
            continue
        assert counterparty_iban(acc) == expected, acc


def test_a_statement_the_bank_sends_again_in_another_file_is_not_booked_twice(db, db_url):
    jean = new_debtor(db)
    call_quarter(db, jean, "2026Q1")
    db.commit()
    data = coda(pay(83_240, DAY, ogm=ogm(jean, "2026Q1")))
    import_coda(db_url, data, filename="a.coda")
    before = (count(db, LedgerTransaction), count(db, BankLine))
    header = data.split(b"\r\n")[0]
    resent = data.replace(header, header[:5] + b"010426" + header[11:], 1)  # only the file's creation date differs
    assert resent != data
    again = import_coda(db_url, resent, filename="resent.coda")
    assert not again.already_imported  # another file, kept as received …
    assert any("already imported" in w for w in again.warnings)  # … whose statement is recognised
    assert (count(db, LedgerTransaction), count(db, BankLine)) == before
    assert count(db, BankFile) == 2 and periods(db, jean) == {}


@pytest.mark.parametrize("version", ["2", "1"])
def test_a_coda_1_statement_books_what_its_coda_2_equivalent_books(db, db_url, version):
    """A bank can still deliver CODA version 1 (Belgian 12-digit account numbers): the same statement in either
    version books the same movements, on the fund's IBAN, and is recognised as the same statement."""
    jean = new_debtor(db, iban=OTHER_IBAN)
    marie = new_debtor(db, "Marie", "Peeters")
    call_quarter(db, jean, "2026Q1")
    call_quarter(db, marie, "2026Q1")
    db.commit()
    v2 = coda(pay(83_240, DAY, ogm=ogm(marie, "2026Q1"), iban="BE43730004200601", name="PEETERS MARIE"),
              pay(50_000, DAY, text="cotisation", iban=OTHER_IBAN, name="DUPONT JEAN"),
              pay(-1_250, DAY, text="FRAIS DE GESTION"))
    v1 = to_version_1(v2)
    summary = import_coda(db_url, v1 if version == "1" else v2)
    assert summary.warnings == [] and summary.counts == {"booked": 1, "parked": 1, "review": 1}
    st = db.scalar(select(BankStatement))
    assert (st.account, st.iban, st.currency, st.fund_account) == (FUND_IBAN, FUND_IBAN, "EUR", True)
    lines = db.execute(select(BankLine.amount_cents, BankLine.status, BankLine.party_id, BankLine.counterparty_iban,
                              BankLine.counterparty_name).order_by(BankLine.ordinal)).all()
    assert [tuple(row) for row in lines] == [(83_240, "booked", marie, "BE43730004200601", "PEETERS MARIE"),
                                             (50_000, "parked", None, OTHER_IBAN, "DUPONT JEAN"),
                                             (-1_250, "review", None, None, None)]
    assert periods(db, marie) == {} and periods(db, jean) == {"2026Q1": 83_240}
    parked, _costs = queue(db)
    assert parked.suggestions[0]["party_id"] == jean and "iban" in parked.suggestions[0]["by"]

    # the same statement in the other version, in another file: kept as received, never booked twice
    before = (count(db, LedgerTransaction), count(db, BankLine))
    again = import_coda(db_url, v2 if version == "1" else v1, filename="other-version.coda")
    assert not again.already_imported and any("already imported" in w for w in again.warnings)
    assert (count(db, LedgerTransaction), count(db, BankLine)) == before


KILLED_IMPORT = """
import time
import caisse.ledger.bulk as bulk
from caisse.collection.coda_import import import_coda
insert_entries = bulk._SqliteWriter.insert_entries if {sqlite!r} else bulk._PgWriter.insert_entries
def written_then_wait(self, rows):
    insert_entries(self, rows)
    print("written", flush=True)  # the ledger rows are in, the transaction not committed
    time.sleep(30)
setattr(bulk._SqliteWriter if {sqlite!r} else bulk._PgWriter, "insert_entries", written_then_wait)
import_coda({url!r}, open({path!r}, "rb").read())
print("finished", flush=True)
"""


def test_an_import_killed_half_way_then_run_again_ends_as_an_uninterrupted_one(db, db_url, tmp_path):
    """A process killed once the file's ledger rows are written but before it commits leaves nothing (one
    transaction), and the same file imported again gives what one uninterrupted import gives."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    import caisse
    from caisse.ledger.check import run_check

    debtors = [new_debtor(db, last=f"Name{i}") for i in range(600)]
    for d in debtors:
        call_quarter(db, d, "2026Q1")
    db.commit()
    path = tmp_path / "big.coda"
    path.write_bytes(coda(*(pay(83_240, DAY, ogm=ogm(d, "2026Q1")) for d in debtors)))
    env = {**os.environ, "PYTHONPATH": str(Path(caisse.__file__).parents[1])}
    code = KILLED_IMPORT.format(url=db_url, path=str(path), sqlite=db_url.startswith("sqlite"))
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    said = child.stdout.readline().strip()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    assert said == "written"  # killed with its ledger rows written, not committed
    db.expire_all()
    assert count(db, BankFile) == 0 and count(db, BankLine) == 0 and count(db, LedgerTransaction) == 600

    summary = import_coda(db_url, path.read_bytes())
    assert summary.counts == {"booked": 600} and summary.queued == 0
    db.expire_all()
    report = run_check(db)
    assert report.ok, report.breaches
    # 600 calls, then a receipt and an imputation per payment: all paid, as one run would leave it
    assert report.totals.line() == ("transactions=1800 debts=499440.00 payments=499440.00 open=0.00 "
                                    "unmatched=0.00")
    assert count(db, BankLine) == 600 and import_coda(db_url, path.read_bytes()).already_imported



def test_after_an_import_the_log_is_copied_into_the_database_file_and_later_commits_checkpoint_again(tmp_path):
    """SQLite: the import's commit leaves the copy of its pages from the write-ahead log into the database file to
    a thread (docs/collection-money.md); the fund's other writes keep their automatic checkpoint."""
    from caisse.store.bulk import wait_for_checkpoints
    from caisse.store.db import engine_for, session_scope
    from caisse.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'fund.sqlite'}"
    upgrade(url)
    with session_scope(url) as db:
        jean = new_debtor(db)
        call_quarter(db, jean, "2026Q1")
    import_coda(url, coda(pay(83_240, DAY, ogm=ogm(jean, "2026Q1"), iban=OTHER_IBAN, name="DUPONT J")))
    wait_for_checkpoints(30)
    engine = engine_for(url)
    with engine.connect() as conn:  # the connection the import used, back in the pool
        assert conn.connection.driver_connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    assert engine.pool.checkedout() == 0
    with session_scope(url) as db:
        assert periods(db, jean) == {}
    engine.dispose()
