"""Parse a CODA file of N movements (default 100 000) and report movements/s.

    PYTHONPATH=src python benchmarks/coda.py               # N = 100 000
    PYTHONPATH=src python benchmarks/coda.py --movements 20000 --repeat 5

The file is generated with caisse.exchange.coda.write_coda: incoming payments with a structured
communication (OGM), counterparty IBAN/BIC/name (records 2.1 + 2.2 + 2.3), one in ten with an information
record 3.1/3.2 (name and address), one in fifty a globalised amount with two details; one statement, so
the 4-digit sequence number wraps around after 9999 as it does in a bank's file. The timed part is the
whole strict parse: decoding, every record, balance and trailer validation, and the SHA-256 of the file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from caisse.exchange.coda import Information, Movement, TransactionCode, make_statement, parse_coda, write_coda
from caisse.identifiers import make_ogm, normalize_ogm

IBANS = ["BE71096123456769", "BE62510007547061", "BE61310126985517", "BE41063012345610", "BE43730004200601"]
NAMES = ["DUPONT JEAN", "JANSSENS TUUR", "LEFÈVRE HÉLÈNE", "MÜLLER ANNA", "PEETERS & ZONEN BV"]


def build(n: int, seed: int = 1) -> bytes:
    rnd = random.Random(seed)
    day = dt.date(2026, 3, 20)
    credit = TransactionCode.parse("00150000")
    total = TransactionCode.parse("10150000")
    detail = TransactionCode.parse("50150000")
    info_code = TransactionCode.parse("00150001")
    movements: list[Movement] = []
    k = 0
    while len(movements) < n:
        k += 1
        seq = k % 10_000  # the sequence number has 4 digits: 9999 wraps around to 0000
        i = rnd.randrange(len(IBANS))
        cents = rnd.randrange(5_000, 500_000)
        if k % 50 == 0 and len(movements) + 3 <= n:
            a = cents // 3
            movements.append(Movement(seq, 0, cents, day, day, total, communication="COLLECTIVE PAYMENT"))
            movements.append(Movement(seq, 1, a, day, day, detail, communication="PART 1"))
            movements.append(Movement(seq, 2, cents - a, day, day, detail, communication="PART 2"))
            continue
        mv = Movement(
            seq, 0, cents, day, day, credit,
            bank_reference=f"OL{k:019d}",
            communication_type="101",
            communication=normalize_ogm(make_ogm(rnd.randrange(10**10))),
            counterparty_account=IBANS[i],
            counterparty_bic="GKCCBEBB",
            counterparty_name=NAMES[i],
        )
        if k % 10 == 0:
            mv.information.append(Information(seq, 1, mv.bank_reference, info_code, "001",
                                              NAMES[i].ljust(70) + "RUE DE LA LOI 16".ljust(35) + "1000 BRUXELLES"))
        movements.append(mv)
    st = make_statement(account_iban="BE71096123456769", old_balance_cents=1_000_000,
                        old_balance_date=day - dt.timedelta(days=1), new_balance_date=day, movements=movements,
                        holder_name="CAISSE ASBL", bic="GKCCBEBB", paper_sequence=57)
    return write_coda([st])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--movements", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    t = time.perf_counter()
    data = build(args.movements)
    gen = time.perf_counter() - t
    records = data.count(b"\n")
    print(f"generated {args.movements:,} movements, {records:,} records, {len(data) / 1e6:.1f} MB in {gen:.2f} s")
    best = float("inf")
    for _ in range(args.repeat):
        t = time.perf_counter()
        f = parse_coda(data)
        best = min(best, time.perf_counter() - t)
    assert len(f.movements) == args.movements and not f.errors
    print(f"parse + validation (strict), best of {args.repeat}: {best:.2f} s   "
          f"{args.movements / best:,.0f} movements/s   {records / best:,.0f} records/s")


if __name__ == "__main__":
    main()
