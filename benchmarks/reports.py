"""Every `caisse report` on a generated fund, on SQLite and PostgreSQL: seconds per report (and per PDF).

For each database:

1. a fresh migrated database gets a synthetic fund of N people and N/10 companies (``caisse.demo.generator``), the
   four quarterly calls of 2025 and the company call of 2025, a year of payments (``tax_certificates.pay``: ~85 %
   of the quarters paid), the surcharges batch as of 2025-10-01, the recovery batch as of 2025-11-15 (files and
   steps for the debtors in arrears); then, written straight into the tables: cases (one per 3 people, every kind
   and channel, most answered, a message each), payment plans (one per 50 debtors, every state, with their
   instalments), benefit claims (one per 100 people, granted ones posted and most paid in the ledger) and
   write-offs (one per 200 debtors) — not timed;
2. **each report** of ``caisse.reporting.reports.REPORTS`` as of 2025-12-31, timed alone (its own session);
3. **its PDF** (``Report.to_pdf``), timed apart.

Usage: PYTHONPATH=src python benchmarks/reports.py [--n 30000] [--db sqlite,postgresql] [--no-pdf] [--reuse NAME]
``--reuse NAME``: a PostgreSQL fund kept by ``benchmarks/home_page.py --keep`` (built by this file's ``build``), so
the 300 000-people fund that takes an hour to build is built once for every benchmark that reads it.
PostgreSQL: databases are created and dropped on postgresql://postgres@127.0.0.1:5432 (override with --pg); the
PostgreSQL half is skipped when no server answers there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time

from sqlalchemy import insert, text

from caisse.batches import company_call, quarterly_call, recovery, surcharges
from caisse.demo.generator import generate, load
from caisse.ledger import Entry, Posting, post_many
from caisse.store.db import engine_for, session_scope

sys.path.insert(0, os.path.dirname(__file__))
from quarterly_call import Target  # noqa: E402
from tax_certificates import QUARTERS, pay  # noqa: E402

AS_OF = dt.date(2025, 12, 31)
PERSON_KINDS = ("question", "complaint", "rectification", "reduction", "payment_plan", "dispensation",
                "surcharge_waiver", "change", "cessation", "benefit_claim")
CHANNELS = ("portal", "portal", "portal", "phone", "email", "office", "letter")
DAYS = {"question": 45, "complaint": 30, "rectification": 30, "reduction": 30, "payment_plan": 30,
        "dispensation": 30, "surcharge_waiver": 30, "change": 10, "cessation": 30, "benefit_claim": 120}
BENEFITS = ("bridging_right", "maternity", "birth_leave", "carer", "bereavement")


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def activity(url: str, seed: int = 11) -> dict:
    """Cases, payment plans, benefit claims and write-offs, set straight into the tables (not timed)."""
    from caisse.benefits.models import BenefitClaim
    from caisse.cases.models import Case, CaseMessage
    from caisse.recovery.models import PaymentPlan, PaymentPlanInstalment

    rng = random.Random(seed)
    with engine_for(url).connect() as conn:
        people = [r[0] for r in conn.execute(text("SELECT id FROM person ORDER BY id"))]
        owing = conn.execute(text(
            "SELECT e.party_id, e.period, SUM(e.amount_cents) FROM ledger_entry e "
            "WHERE e.account = 'contribution' GROUP BY e.party_id, e.period HAVING SUM(e.amount_cents) > 0 "
            "ORDER BY e.party_id, e.period")).all()
    debtors = sorted({p for p, _, _ in owing})
    cases, messages = [], []
    for i, party in enumerate(people[::3]):
        kind = PERSON_KINDS[i % len(PERSON_KINDS)]
        opened = _day(rng, dt.date(2025, 1, 2), AS_OF)
        deadline = opened + dt.timedelta(days=DAYS[kind])
        answered = opened + dt.timedelta(days=int(rng.expovariate(1 / (DAYS[kind] * 0.5))))
        first = opened + dt.timedelta(days=min(int(rng.expovariate(1 / 4)), (answered - opened).days))
        if rng.random() < 0.1 or answered > AS_OF:
            answered = None
        cases.append({"id": i + 1, "party_id": party, "kind": kind, "channel": CHANNELS[i % len(CHANNELS)],
                      "subject": "bench", "status": "closed" if answered else "open", "opened_on": opened,
                      "deadline": deadline, "answered_on": answered, "closed_on": answered, "created_by": "bench"})
        if answered or first <= AS_OF:
            messages.append({"case_id": i + 1, "direction": "out", "author": "bench", "body": "answer",
                             "at": dt.datetime.combine(first, dt.time(10)), "read_by_person": False})
    plans, instalments = [], []
    for i, party in enumerate(debtors[::50]):
        asked = _day(rng, dt.date(2025, 1, 15), dt.date(2025, 11, 30))
        status = ("pending", "active", "active", "completed", "broken", "refused")[i % 6]
        debt = 100_000 + rng.randrange(200_000)
        plans.append({"id": i + 1, "party_id": party, "status": status, "requested_on": asked, "debt_cents": debt,
                      "down_payment_cents": debt // 5, "months": 4, "reason": "bench", "requested_by": "bench",
                      "activated_on": asked + dt.timedelta(days=3) if status not in ("pending", "refused") else None,
                      "ended_on": asked + dt.timedelta(days=60) if status in ("completed", "broken", "refused")
                      else None})
        for seq in range(5):
            instalments.append({"plan_id": i + 1, "seq": seq, "due_date": asked + dt.timedelta(days=30 * seq + 10),
                                "amount_cents": debt // 5})
    claims, postings = [], []
    for i, party in enumerate(people[::100]):
        received = _day(rng, dt.date(2025, 1, 2), dt.date(2025, 11, 30))
        outcome = ("granted", "granted", "refused", None)[i % 4]
        decided = received + dt.timedelta(days=rng.randrange(20, 140)) if outcome else None
        if decided and decided > AS_OF:
            outcome = decided = None
        kind = BENEFITS[i % len(BENEFITS)]
        amount = 180_000 if outcome == "granted" else None
        key = f"bench/benefit/{i + 1}" if outcome == "granted" else None
        claims.append({"id": i + 1, "person_id": party, "kind": kind,
                       "bridging_case": "bankruptcy" if kind == "bridging_right" else None, "facts": {},
                       "period_start": received, "period_end": received + dt.timedelta(days=30),
                       "received_on": received, "decision_due": received + dt.timedelta(days=120),
                       "status": {"granted": "granted", "refused": "refused", None: "application"}[outcome],
                       "outcome": outcome, "decided_on": decided, "amount_cents": amount,
                       "payer": "fund" if outcome == "granted" else None, "ledger_key": key,
                       "payment_due": decided + dt.timedelta(days=30) if outcome == "granted" else None,
                       "late": False, "created_by": "bench"})
        if key:
            period = f"{received.year}Q{(received.month - 1) // 3 + 1}"
            postings.append(Posting(key, "benefit", decided, (
                Entry("benefit_expense", amount, party, period, None, "bench", "bench"),
                Entry("benefit", -amount, party, period, None, "bench", "bench"))))
            if rng.random() < 0.8:
                postings.append(Posting(f"{key}/payout", "payout", decided + dt.timedelta(days=10), (
                    Entry("benefit", amount, party, period), Entry("bank", -amount, party)), None, None, None, key))
    for party, period, cents in owing[::200]:
        cut = min(int(cents), 10_000)
        postings.append(Posting(f"bench/write-off/{party}/{period}", "write_off", dt.date(2025, 12, 15), (
            Entry("write_off", cut, party, period, None, "RD 19-12-1967 art. 50bis"),
            Entry("contribution", -cut, party, period, None, "RD 19-12-1967 art. 50bis"))))
    with session_scope(url) as s:
        for model, rows in ((Case, cases), (CaseMessage, messages), (PaymentPlan, plans),
                            (PaymentPlanInstalment, instalments), (BenefitClaim, claims)):
            if rows:
                s.execute(insert(model), rows)
    # the payouts refer to their grant: post the grants first
    post_many(url, [p for p in postings if p.kind != "payout"], chunk_size=50_000)
    post_many(url, [p for p in postings if p.kind == "payout"], chunk_size=50_000)
    return {"cases": len(cases), "plans": len(plans), "claims": len(claims),
            "write-offs": sum(1 for p in postings if p.kind == "write_off")}


def build(url: str, n: int) -> str:
    """The year 2025 of a fund of ``n`` people and ``n // 10`` companies in the migrated database ``url`` (steps 1
    of the docstring; also ``benchmarks/home_page.py``'s fund). Returns a line saying what was made."""
    fund = generate(affiliates=n, seed=7, as_of=dt.date(2025, 1, 10))
    with engine_for(url).begin() as conn:
        load(conn, fund)
    del fund
    for quarter in QUARTERS:
        quarterly_call.run(url, quarter, fee_rate="0.0405")
    company_call.run(url, 2025)
    posted = pay(url)
    surcharges.run(url, dt.date(2025, 10, 1))
    recovery.run(url, dt.date(2025, 11, 15))
    made = activity(url)
    with engine_for(url).connect() as conn:
        entries = conn.execute(text("SELECT COUNT(*) FROM ledger_entry")).scalar()
    return (f"n={n:,} people, {n // 10:,} companies; calls, {posted:,} payment transactions, surcharges, recovery, "
            f"{made} — {entries:,} ledger entries")


def bench(kind: str, n: int, pg: str, workdir: str, pdf: bool, reuse: str | None = None) -> None:
    from caisse.reporting.reports import REPORTS
    from caisse.reporting.reports import build as build_report

    target = Target(kind, pg, workdir)
    try:
        t0 = time.perf_counter()
        if reuse:
            url = target.existing(reuse)
            print(f"{kind:<10} reusing {reuse}: {fund_size(url)}", flush=True)
        else:
            url = target.new()
            print(f"{kind:<10} {build(url, n)}, made in {time.perf_counter() - t0:.1f} s (not timed)", flush=True)
        total = 0.0
        for name in REPORTS:
            start = time.perf_counter()
            with session_scope(url) as s:
                report = build_report(s, name, AS_OF)
            took = time.perf_counter() - start
            total += took
            line = f"  {name:<22} {took:8.2f} s  {len(report.rows):>4} rows"
            if pdf:
                start = time.perf_counter()
                size = len(report.to_pdf("Bench fund", "fr"))
                line += f"   pdf {time.perf_counter() - start:6.2f} s ({size / 1024:.0f} KB)"
            print(line, flush=True)
        print(f"  {'all reports':<22} {total:8.2f} s", flush=True)
    finally:
        target.cleanup()


def fund_size(url: str) -> str:
    """What a kept database holds, in one line (for a run with ``--reuse``)."""
    with engine_for(url).connect() as conn:
        people, companies, entries = (conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar()
                                      for t in ("person", "company", "ledger_entry"))
    return f"{people:,} people, {companies:,} companies, {entries:,} ledger entries"


def _postgres_reachable(pg: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(pg + "/postgres", connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=30_000)
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    ap.add_argument("--no-pdf", action="store_true")
    ap.add_argument("--reuse", metavar="NAME", help="PostgreSQL only: a database kept by benchmarks/home_page.py "
                    "--keep (the same builder), measured without building")
    args = ap.parse_args()
    if args.reuse:
        args.db = "postgresql"
    with tempfile.TemporaryDirectory(prefix="caisse-bench-") as workdir:
        for kind in (k.strip() for k in args.db.split(",")):
            if kind == "postgresql" and not _postgres_reachable(args.pg):
                print(f"postgresql: no server at {args.pg}, skipped", flush=True)
                continue
            bench(kind, args.n, args.pg, workdir, not args.no_pdf, args.reuse)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
