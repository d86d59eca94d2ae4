"""Bulk posting for batches: idempotent by key, resumable after a crash, safe when run twice at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from ledger_helpers import new_party, quarter_due
from sqlalchemy import func, select

from caisse.errors import Conflict
from caisse.ledger import DebtLine, charge_posting, credit_available, load, open_items, post_many, receive_payment
from caisse.ledger.check import run_check
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.store.db import session_scope


def _debtors(url: str, n: int) -> list[int]:
    with session_scope(url) as s:
        return [new_party(s) for _ in range(n)]


def quarterly_call(parties: list[int], period: str = "2026Q1", amount: int = 89830):
    for p in parties:
        yield charge_posting(f"quarterly-call/{period}/{p}", p, period, quarter_due(period), dt.date(2026, 1, 5), [
            DebtLine("contribution", amount - 2659, "RD38 art.12 §1", "minimum@2026-01-01", {"text": "minimum"}),
            DebtLine("management_fee", 2659, "RD38 art.20 §2", "management_fee_rate@2026-01-01"),
        ], reference=f"+++000/{p:04d}/00001+++")


def _state(url: str):
    with session_scope(url) as s:
        report = run_check(s)
        assert report.breaches == []
        keys = sorted(s.scalars(select(LedgerTransaction.key)))
        entries = s.scalar(select(func.count()).select_from(LedgerEntry))
        return report.totals.line(), keys, entries


def test_post_many_posts_in_chunks_and_a_rerun_posts_nothing(db_url):
    parties = _debtors(db_url, 23)
    result = post_many(db_url, quarterly_call(parties), chunk_size=5)
    assert (result.posted, result.skipped) == (23, 0)
    first = _state(db_url)
    assert first[2] == 23 * 4
    again = post_many(db_url, quarterly_call(parties), chunk_size=7)
    assert (again.posted, again.skipped) == (0, 23)
    assert _state(db_url) == first
    with session_scope(db_url) as s:  # what the bulk path stored reads back exactly as posted
        posting = next(quarterly_call(parties[:1]))
        assert load(s, posting.key) == posting
        assert {b.period for b in open_items(s, parties[0])} == {"2026Q1"}


def test_a_run_killed_half_way_then_rerun_ends_as_an_uninterrupted_run(db_url):
    parties = _debtors(db_url, 30)

    def dies_after(n):
        for i, p in enumerate(quarterly_call(parties)):
            if i == n:
                raise KeyboardInterrupt("killed")
            yield p

    with pytest.raises(KeyboardInterrupt):
        post_many(db_url, dies_after(17), chunk_size=5)  # chunks 1-3 committed, chunk 4 never written
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(LedgerTransaction)) == 15
    rerun = post_many(db_url, quarterly_call(parties), chunk_size=4)
    assert (rerun.posted, rerun.skipped) == (15, 15)
    totals, keys, entries = _state(db_url)
    assert keys == sorted(p.key for p in quarterly_call(parties))
    assert entries == 30 * 4
    assert totals == "transactions=30 debts=26949.00 payments=0.00 open=26949.00 unmatched=0.00"


def test_same_key_with_other_content_is_a_conflict(db_url):
    parties = _debtors(db_url, 3)
    post_many(db_url, quarterly_call(parties))
    with pytest.raises(Conflict, match="different content"):
        post_many(db_url, quarterly_call(parties, amount=90000))
    with pytest.raises(Conflict, match="twice in the batch"):
        post_many(db_url, [*quarterly_call(parties[:1], "2026Q2"), *quarterly_call(parties[:1], "2026Q2", 1)])


def as_charges(parties: list[int], period: str = "2026Q1", fee: int = 2659):
    """The debts of ``quarterly_call`` as columns (a row with a fee of 0 has no fee line)."""
    import numpy as np

    from caisse.ledger import ChargeLine, Charges, explanation_json

    fees = np.array([fee if i % 3 else 0 for i in range(len(parties))], np.int64)
    return Charges([f"quarterly-call/{period}/{p}" for p in parties], parties, period,
                   [quarter_due(period)] * len(parties), dt.date(2026, 1, 5), [
                       ChargeLine("contribution", 89830 - fees, "RD38 art.12 §1", "minimum@2026-01-01",
                                  [explanation_json({"text": f"minimum {p} × 1"}) for p in parties]),
                       ChargeLine("management_fee", fees, "RD38 art.20 §2", ["management_fee_rate@2026-01-01"] *
                                  len(parties)),
                   ], None, [f"+++000/{p:04d}/00001+++" for p in parties])


def test_charges_given_as_columns_are_posted_as_the_same_postings(db_url):
    parties = _debtors(db_url, 7)
    charges = as_charges(parties)
    assert (post_many(db_url, charges).posted, post_many(db_url, charges).skipped) == (7, 7)  # rerun: nothing
    with session_scope(db_url) as s:
        for i, p in enumerate(parties):
            stored = load(s, f"quarterly-call/2026Q1/{p}")
            assert stored == charges.posting(i)
            assert len(stored.entries) == (2 if i % 3 == 0 else 4)  # no line of 0
            assert stored.entries[0].explanation == {"text": f"minimum {p} × 1"}
    _state(db_url)
    with pytest.raises(Conflict, match="different content"):
        post_many(db_url, as_charges(parties, fee=1000))


@pytest.mark.parametrize("fee_gaps", [False, True])
def test_a_line_few_rows_have_is_posted_in_its_place_as_the_same_postings(db_url, fee_gaps):
    """A second contribution line on a few rows only (the primostarter's first-quarter reduction): spliced in
    between the lines every row has, each row's entries in the order of its lines, as ``charge_posting`` does."""
    import numpy as np

    from caisse.ledger import ChargeLine, Charges, explanation_json

    parties = _debtors(db_url, 40)
    n = len(parties)
    reduction = np.array([-11503 if i in (0, 17, 39) else 0 for i in range(n)], np.int64)
    fees = np.array([0 if fee_gaps and i in (17, 20) else 1800 for i in range(n)], np.int64)
    charges = Charges([f"quarterly-call/2026Q1/{p}" for p in parties], parties, "2026Q1",
                      [quarter_due("2026Q1")] * n, dt.date(2026, 1, 5), [
                          ChargeLine("contribution", np.full(n, 44625, np.int64), "AR n° 38 art. 13bis",
                                     "primostarter_minimum_income@2026-01-01",
                                     [explanation_json({"text": f"regular {p}"}) for p in parties]),
                          ChargeLine("contribution", reduction, "AR n° 38 art. 12 §1bis",
                                     "primostarter_first_quarter_reduction@2026-01-01",
                                     [explanation_json({"text": f"reduced {p}"}) if r else None
                                      for p, r in zip(parties, reduction.tolist(), strict=True)]),
                          ChargeLine("management_fee", fees, "fee", "management_fee_rate=0.0405"),
                      ], "Quarterly call 2026Q1", [f"+++000/{p:04d}/00001+++" for p in parties])
    assert post_many(db_url, charges).posted == n
    with session_scope(db_url) as s:
        for i, p in enumerate(parties):
            stored = load(s, f"quarterly-call/2026Q1/{p}")
            assert stored == charges.posting(i)
            accounts = [(e.account, e.amount_cents) for e in stored.entries if e.account != "income"]
            assert accounts == [("contribution", 44625)] + ([("contribution", -11503)] if reduction[i] else []) + (
                [("management_fee", int(fees[i]))] if fees[i] else [])
        ids = [e.id for e in s.scalars(select(LedgerEntry).order_by(LedgerEntry.transaction_id, LedgerEntry.id))]
        assert ids == sorted(ids)
    assert post_many(db_url, charges).skipped == n
    _state(db_url)


def test_charges_of_a_chunk_half_posted_post_the_rest(db_url):
    parties = _debtors(db_url, 6)
    post_many(db_url, as_charges(parties[:2]))
    result = post_many(db_url, as_charges(parties))
    assert (result.posted, result.skipped) == (4, 2)
    assert _state(db_url)[1] == sorted(f"quarterly-call/2026Q1/{p}" for p in parties)


def test_bulk_and_single_postings_mix(db_url):
    parties = _debtors(db_url, 4)
    with session_scope(db_url) as s:
        receive_payment(s, "coda/m/1/1", dt.date(2026, 1, 2), 100000, parties[0])  # paid in advance
    post_many(db_url, quarterly_call(parties))
    with session_scope(db_url) as s:
        from caisse.ledger import impute

        impute(s, parties[0], f"set-off/2026Q1/{parties[0]}", dt.date(2026, 1, 5))
        assert open_items(s, parties[0]) == []
        assert credit_available(s, parties[0]) == 100000 - 89830
    _state(db_url)


def test_two_processes_posting_the_same_batch_at_once_do_not_double_post(db_url):
    parties = _debtors(db_url, 40)
    results, errors = [], []

    def run():
        try:
            results.append(post_many(db_url, quarterly_call(parties), chunk_size=10))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(r.posted for r in results) == 40
    assert sum(r.skipped for r in results) == 40
    assert _state(db_url)[2] == 40 * 4


KILLED_CHILD = """
import datetime as dt, sys
sys.path.insert(0, {helpers!r})
from test_bulk import quarterly_call
from caisse.ledger import post_many
parties = list(range({first}, {last}))
def progress(posted, skipped):
    print(posted, flush=True)
post_many({url!r}, quarterly_call(parties), chunk_size=50, progress=progress)
print("finished", flush=True)
"""


def test_a_run_killed_by_sigkill_then_rerun_ends_as_an_uninterrupted_run(db_url):
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    import caisse

    parties = _debtors(db_url, 2000)
    code = KILLED_CHILD.format(helpers=str(Path(__file__).parent), first=parties[0], last=parties[-1] + 1, url=db_url)
    env = {**os.environ, "PYTHONPATH": str(Path(caisse.__file__).parents[1])}
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    for line in child.stdout:
        if line.strip() == "finished" or int(line) >= 300:  # a few chunks committed, the rest not yet
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    with session_scope(db_url) as s:
        done = s.scalar(select(func.count()).select_from(LedgerTransaction))
    assert 300 <= done < 2000  # killed between two chunk commits, never inside one
    rerun = post_many(db_url, quarterly_call(parties), chunk_size=120)
    assert rerun.posted + rerun.skipped == 2000 and rerun.skipped == done
    totals, keys, entries = _state(db_url)
    assert keys == sorted(p.key for p in quarterly_call(parties)) and entries == 2000 * 4
    assert totals == "transactions=2000 debts=1796600.00 payments=0.00 open=1796600.00 unmatched=0.00"


def test_rows_inserted_with_their_checks_verified_once_are_refused_as_row_by_row(db_url):
    """``insert_rows(checks_once=True)`` (the bank import's path): a row that breaks a CHECK constraint makes the
    whole insert fail, nothing of it stays, and the connection checks rows again afterwards."""
    import sqlite3

    import psycopg

    from caisse.store.bulk import insert_rows
    from caisse.store.db import engine_for

    refused = (sqlite3.IntegrityError, psycopg.errors.CheckViolation)
    table, columns = LedgerTransaction.__table__, ("key", "kind", "booked_on", "recorded_at")
    day, now = dt.date(2026, 3, 20), dt.datetime(2026, 3, 20, 12)
    sqlite = db_url.startswith("sqlite")
    row = (lambda key, kind: (key, kind, day.isoformat(), now.isoformat(sep=" "))) if sqlite else (
        lambda key, kind: (key, kind, day, now))
    engine = engine_for(db_url)
    with pytest.raises(refused, match="kind"), engine.begin() as conn:
        insert_rows(conn, table, columns, [row("a", "payment"), row("b", "gift"), row("c", "payment")],
                    checks_once=True)
    with engine.begin() as conn:
        insert_rows(conn, table, columns, [row("a", "payment"), row("c", "imputation")], checks_once=True)
    with pytest.raises(refused), engine.begin() as conn:  # the same connection refuses a bad row at once again
        insert_rows(conn, table, columns, [row("d", "gift")])
    with session_scope(db_url) as s:
        assert sorted(s.scalars(select(LedgerTransaction.key))) == ["a", "c"]


def _payment(key: str, party: int, cents: int = 10_000):
    from caisse.ledger import payment_posting

    return payment_posting(key, dt.date(2026, 3, 20), cents, party, reference="+++000/0000/00097+++")


def test_postings_inserted_with_their_references_verified_once_are_refused_as_row_by_row(db_url):
    """``insert_postings`` (the bank import's path; on PostgreSQL the foreign keys are verified by one statement
    instead of a trigger per row): an entry on a party that does not exist makes the whole insert fail, naming the
    constraint, nothing of it stays, and the connection checks every row again afterwards."""
    import sqlite3

    import psycopg

    from caisse.ledger import insert_postings
    from caisse.store.db import engine_for

    refused = (sqlite3.IntegrityError, psycopg.errors.ForeignKeyViolation)
    (party,) = _debtors(db_url, 1)
    engine = engine_for(db_url)
    with pytest.raises(refused, match="FOREIGN KEY|fk_ledger_entry_party_id_party"), engine.begin() as conn:
        insert_postings(conn, [_payment("a", party), _payment("b", party + 1000), _payment("c", party)])
    with engine.begin() as conn:
        insert_postings(conn, [_payment("a", party), _payment("c", party)])
    with pytest.raises(refused), engine.begin() as conn:  # the same connection refuses a bad row again
        post_many(conn.engine, [_payment("d", party + 1000)])
    totals, keys, entries = _state(db_url)
    assert keys == ["a", "c"] and entries == 4


def test_a_chunk_of_post_many_naming_a_missing_party_is_refused_whole_and_the_chunks_before_it_stay(db_url):
    """``post_many`` verifies the constraints once per chunk (on PostgreSQL the foreign keys by one statement
    instead of a trigger per row, what a chunk verified counting for that chunk only): the chunk with an entry on
    a party that does not exist is refused whole, naming the constraint; the chunks committed before it stay, and
    the batch run again once the party is right posts the rest."""
    import sqlite3

    import psycopg

    refused = (sqlite3.IntegrityError, psycopg.errors.ForeignKeyViolation)
    (party,) = _debtors(db_url, 1)
    good = [_payment(f"p{i}", party) for i in range(4)]
    with pytest.raises(refused, match="FOREIGN KEY|fk_ledger_entry_party_id_party"):
        post_many(db_url, [*good[:3], _payment("p3", party + 1000)], chunk_size=2)
    assert _state(db_url)[1:] == (["p0", "p1"], 4)
    assert post_many(db_url, good, chunk_size=2) == (2, 2)
    totals, keys, entries = _state(db_url)
    assert keys == ["p0", "p1", "p2", "p3"] and entries == 8
    assert totals.startswith("transactions=4 ")


def test_a_party_referenced_by_postings_inserted_in_bulk_is_locked_until_commit(db_url):
    """What PostgreSQL's per-row trigger guarantees, the set-based check does too: the parties the new entries
    name cannot be deleted by another transaction before the import commits."""
    if not db_url.startswith("postgresql"):
        pytest.skip("row locks: PostgreSQL (SQLite has one writer at a time)")
    import psycopg

    from caisse.ledger import insert_postings
    from caisse.store.db import engine_for

    (party,) = _debtors(db_url, 1)
    with engine_for(db_url).begin() as conn:
        insert_postings(conn, [_payment("a", party)])
        assert conn.exec_driver_sql("SHOW session_replication_role").scalar() == "origin"
        with psycopg.connect(db_url.replace("+psycopg", ""), autocommit=True) as other:
            other.execute("SET lock_timeout = '200ms'")
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("SELECT id FROM party WHERE id = %s FOR UPDATE", (party,))


def test_a_role_that_may_not_set_aside_triggers_inserts_with_them(db_url):
    """Without the right to set ``session_replication_role`` (an ordinary role), the rows go in with their
    per-row triggers: the same rows posted, the same refusal."""
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL roles")
    import uuid

    import psycopg

    from caisse.ledger import insert_postings
    from caisse.store.db import engine_for

    (party,) = _debtors(db_url, 1)
    role = f"caisse_plain_{uuid.uuid4().hex[:8]}"
    engine = engine_for(db_url)

    def as_plain_role(conn):  # CREATE ROLE is transactional: gone with the rollback or the test's end
        conn.exec_driver_sql(f"CREATE ROLE {role} NOSUPERUSER")
        conn.exec_driver_sql(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
        conn.exec_driver_sql(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}")
        conn.exec_driver_sql(f"SET LOCAL ROLE {role}")

    with pytest.raises(psycopg.errors.ForeignKeyViolation, match="fk_ledger_entry_party_id_party"), \
            engine.begin() as conn:
        as_plain_role(conn)
        insert_postings(conn, [_payment("a", party), _payment("b", party + 1000)])
    conn = engine.connect()
    try:
        trans = conn.begin()
        as_plain_role(conn)
        insert_postings(conn, [_payment("a", party), _payment("c", party)])
        trans.commit()  # the role is created and kept with the rows: drop it after
    finally:
        with conn.begin():
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")
        conn.close()
    totals, keys, entries = _state(db_url)
    assert keys == ["a", "c"] and entries == 4


def test_a_caller_that_set_aside_the_triggers_itself_still_gets_its_rows_verified(db_url):
    """A session already in ``session_replication_role = replica`` (triggers off) inserting through
    ``insert_postings``: the references are verified all the same, and the setting is left as the caller set it."""
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL triggers")
    import psycopg

    from caisse.ledger import insert_postings
    from caisse.store.db import engine_for

    (party,) = _debtors(db_url, 1)
    with pytest.raises(psycopg.errors.ForeignKeyViolation, match="fk_ledger_entry_party_id_party"), \
            engine_for(db_url).begin() as conn:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        try:
            insert_postings(conn, [_payment("a", party), _payment("b", party + 1000)])
        finally:
            assert conn.exec_driver_sql("SHOW session_replication_role").scalar() == "replica"
    assert _state(db_url)[1:] == ([], 0)
