"""The set-based import books exactly what `ledger.receive_payment`, line by line, would have booked."""

from __future__ import annotations

import datetime as dt
import random
import shutil

from money_helpers import call_quarter, coda, new_debtor, ogm, pay
from sqlalchemy import select

from caisse.collection.coda_import import import_coda
from caisse.ledger import receive_payment
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.references import parse
from caisse.store.db import engine_for, session_scope


def ledger_content(session) -> list[tuple]:
    t, e = LedgerTransaction, LedgerEntry
    rows = session.execute(select(t.key, t.kind, t.booked_on, t.description, t.reference, e.account, e.party_id,
                                  e.period, e.amount_cents, e.rule, e.parameter, e.explanation)
                           .join(e, e.transaction_id == t.id))
    return sorted((*r[:11], repr(r[11])) for r in rows)


def test_bulk_import_equals_receive_payment_line_by_line(db, db_url, sqlite_template, tmp_path):
    rnd = random.Random(11)
    parties = [new_debtor(db) for _ in range(12)]
    for p in parties:
        for q in rnd.sample(["2025Q3", "2025Q4", "2026Q1", "2026Q2"], rnd.randint(1, 4)):
            call_quarter(db, p, q, rnd.randrange(30_000, 90_000), rnd.randrange(1_000, 4_000))
    db.commit()
    day = dt.date(2026, 3, 20)
    movements = []
    for _ in range(60):
        p = rnd.choice(parties)
        q = rnd.choice(["2025Q3", "2025Q4", "2026Q1", "2026Q2"])
        movements.append(pay(rnd.choice([rnd.randrange(1_000, 120_000), 50_000]), day, ogm=ogm(p, q)))
    data = coda(*movements)

    # the same fund, twice: one gets the bulk import, the other receive_payment per line with the same keys
    twin = f"sqlite:///{tmp_path / 'twin.sqlite'}"
    shutil.copy(sqlite_template, tmp_path / "twin.sqlite")
    summary = import_coda(db_url, data)
    with session_scope(twin) as other:
        from caisse.store.models import Party

        rows = db.execute(select(Party.id, Party.kind, Party.language)).all()
        other.execute(Party.__table__.insert(), [dict(id=i, kind=k, language=lang) for i, k, lang in rows])
        calls = db.scalars(select(LedgerTransaction.key).where(LedgerTransaction.kind == "charge")).all()
        from caisse.ledger import load, post

        for key in calls:
            post(other, load(db, key))
        for i, mv in enumerate(movements, 1):
            ref = parse(mv.communication)
            receive_payment(other, f"coda/{summary.sha256}/1/{i}", day, mv.amount_cents, ref.party_id,
                            reference=f"+++{mv.communication[:3]}/{mv.communication[3:7]}/{mv.communication[7:]}+++",
                            designation=ref.designation)
        other.flush()
        assert ledger_content(other) == ledger_content(db)
    engine_for(twin).dispose()


def test_select_in_long_lists_one_query(db):
    """More values than one IN list holds go as one parameter (JSON array / PostgreSQL array): same rows."""
    from caisse.collection.db import CHUNK, select_in
    from caisse.store.models import Party

    ids = [new_debtor(db) for _ in range(3)]
    db.flush()
    conn = db.connection()
    wanted = [*ids, *range(10**8, 10**8 + CHUNK + 5)]  # mostly ids that do not exist
    assert sorted(r[0] for r in select_in(conn, "SELECT id FROM party WHERE id IN ({in})", wanted)) == sorted(ids)
    kinds = {r[0] for r in select_in(conn, "SELECT kind FROM party WHERE kind IN ({in})",
                                     ["person", *(f"x{i}" for i in range(CHUNK + 5))])}
    assert kinds == set(db.scalars(select(Party.kind).where(Party.kind == "person")))
