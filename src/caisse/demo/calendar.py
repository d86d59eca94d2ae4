"""The demo fund lives: its calendar run from 2024Q1 up to today.

Each quarter: the quarterly call; direct debits for the affiliates who signed a mandate (the quarter collected ten
days before its due date; about half of the mandates are monthly: a third of the quarter on the 5th of its first
month, half the rest on the 5th of the second, the rest with the others; a few returned for insufficient funds);
bank transfers for the others, arriving as CODA
statements the way a bank sends them — most on time, some late, some partial, some never, a few with a wrong or
missing communication, a few overpaying; then the surcharges that arose at the end of the quarter. Each year the
company contributions; and the regularisation of 2024 from the incomes the tax administration sent.

Everything goes through the fund's real entry points (batches, CODA import, SEPA export), so every screen and
report of the demo shows what a fund would see. Deterministic for a given seed and date.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from caisse.config import get_settings
from caisse.demo import life
from caisse.security.authz import Principal
from caisse.services.calendar import Quarter, add_months
from caisse.store.db import session_scope
from caisse.store.models import Affiliation, BankAccount, CategoryPeriod, Person

FIRST_QUARTER = Quarter(2024, 1)
MAX_MOVEMENTS_PER_STATEMENT = 5000


@dataclass
class Payment:
    value_date: dt.date
    amount_cents: int
    ogm: str | None = None
    text: str = ""
    iban: str = ""
    name: str = ""
    end_to_end_id: str = ""
    returned: dict | None = None  # a direct debit the bank takes back


@dataclass
class BankState:
    balance_cents: int = 0
    last_date: dt.date = dt.date(2023, 12, 31)
    statements: int = 0
    queue: list[Payment] = field(default_factory=list)


def _say(echo: Callable[[str], None] | None, text: str) -> None:
    if echo:
        echo(text)


def run_calendar(url: str, today: dt.date, seed: int = 1, echo: Callable[[str], None] | None = None) -> dict:
    """Run the fund's calendar up to ``today``; returns counts for the demo's summary."""
    from caisse.batches import company_call, quarterly_call, regularisation, surcharges

    rng = random.Random(seed * 7919)
    settings = get_settings()
    bank = BankState()
    mandated = _sign_mandates(url, rng, today)
    counts = {"quarters": 0, "statements": 0, "payments": 0, "direct_debits": 0, "reconciled": 0}
    demo_debtors = life.demo_debtors(url, set(mandated))
    q = FIRST_QUARTER
    last = Quarter.of(today)
    while q <= last:
        quarterly_call.run(url, str(q), fee_rate=settings.management_fee_rate)
        counts["quarters"] += 1
        counts["direct_debits"] += _collect(url, q, today, bank, rng, settings)
        counts["payments"] += _transfers(url, q, today, bank, rng, mandated, demo_debtors)
        counts["payments"] += life.plan_payments(url, q, today, bank)
        counts["payments"] += _catch_up(url, q, today, bank, rng, demo_debtors)
        if q.number == 4 and q.year < today.year:
            company_call.run(url, q.year)
            counts["payments"] += _company_payments(url, q.year, bank, rng)
        counts["statements"] += _flush(url, bank, min(q.last_day, today), settings)
        counts["reconciled"] += life.reconcile(url, min(q.last_day, today), rng)
        if q.last_day < today:
            surcharges.run(url, q.last_day + dt.timedelta(days=1))
        if q == REGULARISATION_QUARTER and today >= REGULARISATION_NOTICE:
            regularisation.run(url, 2024, notice_date=REGULARISATION_NOTICE, fee_rate=settings.management_fee_rate)
            counts["payments"] += _regularisation_payments(url, bank, rng, today)
            _say(echo, "  2024 regularised from the incomes of the tax administration")
        life.recovery(url, q, today, rng, counts)
        _say(echo, f"  {q}: called, paid, surcharged, reconciled, recovery")
        q = q.next()
    counts["payments"] += life.recent_unidentified(url, today, bank)
    counts["statements"] += _flush(url, bank, today, settings)
    counts["reconciled"] += life.reconcile(url, today, rng)
    life.recovery_today(url, today)
    life.the_rest_of_the_year(url, today, seed, counts, echo)
    return counts


# the tax administration has sent the 2024 incomes by the end of 2025: the fund regularises 2024 in early 2026
REGULARISATION_QUARTER = Quarter(2026, 1)
REGULARISATION_NOTICE = dt.date(2026, 2, 16)


def _regularisation_payments(url: str, bank: BankState, rng: random.Random, today: dt.date) -> int:
    """Most pay the 2024 supplement by its due date; some late, some never (surcharges, then recovery)."""
    from caisse.batches.models import Notice

    with session_scope(url) as session:
        rows = session.execute(
            select(Notice.party_id, Notice.amount_cents, Notice.reference, Notice.due_date, BankAccount.iban,
                   Person.last_name)
            .join(BankAccount, BankAccount.party_id == Notice.party_id, isouter=True)
            .join(Person, Person.id == Notice.party_id, isouter=True)
            .where(Notice.kind == "regularisation", Notice.amount_cents > 0)
            .order_by(Notice.party_id, Notice.id, BankAccount.id)).all()
    n, behaviour = 0, {}
    for party, amount, ref, due, iban, name in rows:  # one notice per quarter regularised: a person pays them alike
        if party not in behaviour:
            behaviour[party] = (rng.random(), rng.randint(2, 60), rng.randint(5, 80))
        x, early, late = behaviour[party]
        if x >= 0.95 or (_struggling(party) and x >= 0.4):
            continue  # never pays
        day = due - dt.timedelta(days=early) if x < 0.85 else due + dt.timedelta(days=late)
        if day <= today:
            bank.queue.append(Payment(day, amount, ogm=ref, iban=iban or "", name=name or ""))
            n += 1
    return n


MONTHLY_SHARE = 0.5


def _monthly(party: int) -> bool:
    """About half of the mandates are collected monthly (a trait of the person, drawn apart from the calendar's
    random stream)."""
    return random.Random(party * 2_000_003 + 29).random() < MONTHLY_SHARE


def _sign_mandates(url: str, rng: random.Random, today: dt.date) -> set[int]:
    """About one main-activity affiliate in eight pays by direct debit, half of them monthly."""
    from caisse.collection.direct_debit import add_mandate

    chosen: set[int] = set()
    with session_scope(url) as session:
        rows = session.execute(
            select(Person.id, Person.first_name, Person.last_name, BankAccount.iban)
            .join(BankAccount, BankAccount.party_id == Person.id)
            .join(Affiliation, Affiliation.person_id == Person.id)
            .join(CategoryPeriod, CategoryPeriod.affiliation_id == Affiliation.id)
            .where(Affiliation.status == "affiliated", CategoryPeriod.category == "main",
                   CategoryPeriod.valid_to.is_(None), BankAccount.valid_to.is_(None))
            .order_by(Person.id, BankAccount.id)).all()
        for pid, first, last, iban in rows:
            if rng.random() < 0.125:
                add_mandate(session, pid, iban, dt.date(2023, 12, 1), Principal.system("demo"),
                            debtor_name=f"{first} {last}", today=today,
                            rhythm="monthly" if _monthly(pid) else "quarterly")
                chosen.add(pid)
    return chosen


def _notices(url: str, q: Quarter, kind: str = "quarterly") -> list[tuple[int, int, str, str, str]]:
    from caisse.batches.models import Notice

    with session_scope(url) as session:
        rows = session.execute(
            select(Notice.party_id, Notice.amount_cents, Notice.reference, BankAccount.iban, Person.last_name)
            .join(BankAccount, BankAccount.party_id == Notice.party_id, isouter=True)
            .join(Person, Person.id == Notice.party_id, isouter=True)
            .where(Notice.period == (str(q) if kind == "quarterly" else str(q.year)), Notice.amount_cents > 0)
            .order_by(Notice.party_id, Notice.id, BankAccount.id)).all()
    seen, out = set(), []
    for party, amount, ref, iban, name in rows:
        if party not in seen:
            seen.add(party)
            out.append((party, amount, ref, iban or "", name or ""))
    return out


def _transfers(url: str, q: Quarter, today: dt.date, bank: BankState, rng: random.Random, mandated: set[int],
               demo_debtors: set[int] = frozenset()) -> int:
    """How people pay a quarter by transfer: mostly on time, some late, partial, never, or mistyped."""
    n, skip = 0, life.broken_plan_debtors(url)
    for party, amount, ref, iban, name in _notices(url, q):
        if party in mandated or party in skip:
            continue
        x = rng.random()
        if party in demo_debtors and q >= _quarters_back(today, 2):
            continue  # the demo affiliate "with arrears" has not paid for two quarters (a credit from the
            # regularisation settles part of them): a plan may still help
        on_time = q.last_day - dt.timedelta(days=rng.randint(3, 40))
        late = q.last_day + dt.timedelta(days=rng.randint(10, 75))
        if _struggling(party):  # a few people struggle quarter after quarter: they end up in recovery
            x = 0.70 + 0.30 * x
        if x < 0.80:
            pay = Payment(on_time if x < 0.72 else late, amount, ogm=ref, iban=iban, name=name)
        elif x < 0.85:  # part now, the rest a month or two later
            part = amount * rng.randint(40, 90) // 100
            pay = Payment(on_time, part, ogm=ref, iban=iban, name=name)
            if not _struggling(party) and late <= today:
                bank.queue.append(Payment(late, amount - part, ogm=ref, iban=iban, name=name))
        elif x < 0.90 and _struggling(party):
            continue  # never pays: surcharges, then recovery
        elif x < 0.90:
            pay = Payment(late, amount, ogm=ref, iban=iban, name=name)
        elif x < 0.93:
            pay = Payment(on_time, amount, text=f"cotisations {q} {name}", iban=iban, name=name)  # no communication
        elif x < 0.95:
            pay = Payment(on_time, amount + rng.choice((5_000, 10_000, 25_000)), ogm=ref, iban=iban, name=name)
        elif _struggling(party):
            continue
        else:
            pay = Payment(on_time, amount, ogm=ref, iban=iban, name=name)
        if pay.value_date <= today:
            bank.queue.append(pay)
            n += 1
    return n


def _quarters_back(today: dt.date, n: int) -> Quarter:
    q = Quarter.of(today)
    for _ in range(n):
        q = Quarter.of(q.first_day - dt.timedelta(days=1))
    return q


STRUGGLING_SHARE = 0.07
CATCH_UP_SHARE = 0.85


def _catch_up(url: str, q: Quarter, today: dt.date, bank: BankState, rng: random.Random,
              demo_debtors: set[int]) -> int:
    """A reminder or a statement works: most people who owe something for more than a month (a part left
    unpaid, the surcharges of a late payment) pay everything they owe early in the next quarter, with the
    communication of their account statement (imputed oldest debt first). Those who struggle do not."""
    from caisse.recovery.arrears import arrears
    from caisse.recovery.models import PaymentPlan
    from caisse.references import for_statement
    from caisse.store.db import engine_for

    seen = q.first_day + dt.timedelta(days=10)
    if seen > today:
        return 0
    with engine_for(url).connect() as conn:
        owed = arrears(conn, seen)
        in_plan = set(conn.execute(select(PaymentPlan.party_id).where(PaymentPlan.status.in_(("active",
                                                                                              "pending")))).scalars())
        ibans = dict(conn.execute(select(BankAccount.party_id, BankAccount.iban)
                                  .where(BankAccount.valid_to.is_(None))
                                  .order_by(BankAccount.party_id, BankAccount.id)).all())
    limit = (seen - dt.timedelta(days=30)).toordinal()
    n = 0
    for party, principal, total, oldest in zip(owed.party.tolist(), owed.principal.tolist(), owed.total.tolist(),
                                               owed.oldest_due.tolist(), strict=True):
        if principal <= 0 or not 0 < oldest < limit or total <= 0:
            continue
        if party in in_plan or _struggling(party) or rng.random() > CATCH_UP_SHARE:
            continue
        if party in demo_debtors and q >= _quarters_back(today, 1):  # the demo affiliate keeps its arrears
            continue
        day = seen + dt.timedelta(days=rng.randint(0, 20))
        if day <= min(q.last_day, today):
            bank.queue.append(Payment(day, total, ogm=for_statement(party, day.year).ogm,
                                      iban=ibans.get(party, ""), name=f"file {party}"))
            n += 1
    return n


def _struggling(party: int) -> bool:
    """About 7 % of the people struggle to pay (a trait of the person, not of the quarter)."""
    return random.Random(party * 1_000_003 + 17).random() < STRUGGLING_SHARE


def _company_payments(url: str, year: int, bank: BankState, rng: random.Random) -> int:
    n = 0
    for party, amount, ref, iban, _name in _notices(url, Quarter(year, 4), kind="company"):
        if rng.random() < 0.85:
            bank.queue.append(Payment(dt.date(year, 12, rng.randint(1, 28)), amount, ogm=ref, iban=iban,
                                      name=f"company {party}"))
            n += 1
    return n


def _collect(url: str, q: Quarter, today: dt.date, bank: BankState, rng: random.Random, settings) -> int:
    """The quarter's direct-debit collections: on the 5th of its first two months (the monthly mandates' instalments,
    and what fell due meanwhile), then ten days before its due date (the quarter, due by its last day: the quarterly
    mandates, and the rest for the monthly ones); the bank credits each amount, and returns a few."""
    from caisse.exchange.sepa import next_target_day

    n = 0
    for month in (0, 1):  # the bank collects on TARGET2 business days
        n += _collect_on(url, next_target_day(add_months(q.first_day, month) + dt.timedelta(days=4)), None, today,
                         bank, rng, settings)
    return n + _collect_on(url, next_target_day(q.last_day - dt.timedelta(days=10)), q.last_day, today, bank, rng,
                           settings)


def _collect_on(url: str, day: dt.date, due_by: dt.date | None, today: dt.date, bank: BankState,
                rng: random.Random, settings) -> int:
    from caisse.collection.direct_debit import export_direct_debits
    from caisse.collection.models import DirectDebitCollection, DirectDebitRun, SepaMandate
    from caisse.exchange.sepa import belgian_creditor_id

    if day > today:
        return 0
    result = export_direct_debits(url, day, due_by=due_by, who="demo", settings=settings,
                                  now=dt.datetime.combine(day - dt.timedelta(days=5), dt.time(9)))
    if not result.created:
        return 0
    with session_scope(url) as session:
        rows = session.execute(select(DirectDebitCollection, SepaMandate.reference, SepaMandate.iban)
                               .join(SepaMandate, SepaMandate.id == DirectDebitCollection.mandate_id)
                               .join(DirectDebitRun, DirectDebitRun.id == DirectDebitCollection.run_id)
                               .where(DirectDebitRun.message_id == result.message_id)
                               .order_by(DirectDebitCollection.id)).all()
    creditor = belgian_creditor_id(settings.fund_kbo)
    for c, mandate_ref, iban in rows:
        bank.queue.append(Payment(day, c.amount_cents, ogm=c.ogm, iban=iban, end_to_end_id=c.end_to_end_id))
        if rng.random() < 0.04:  # insufficient funds: the bank takes it back a few days later
            bank.queue.append(Payment(day + dt.timedelta(days=5), c.amount_cents, returned={
                "mandate_reference": mandate_ref, "creditor_id": creditor, "end_to_end_id": c.end_to_end_id,
                "reason": "AM04"}))
    return len(rows)


def _flush(url: str, bank: BankState, until: dt.date, settings) -> int:
    """Send the bank statements of everything that happened up to ``until``; import them as CODA files."""
    from caisse.collection.coda_import import import_coda
    from caisse.exchange.coda import direct_debit_return_movement, make_statement, transfer_movement, write_coda

    due = sorted((p for p in bank.queue if p.value_date <= until), key=lambda p: (p.value_date, p.end_to_end_id))
    bank.queue = [p for p in bank.queue if p.value_date > until]
    files = 0
    for start in range(0, len(due), MAX_MOVEMENTS_PER_STATEMENT):
        chunk = due[start:start + MAX_MOVEMENTS_PER_STATEMENT]
        movements = []
        for i, p in enumerate(chunk, 1):
            if p.returned:
                movements.append(direct_debit_return_movement(i, p.amount_cents, p.value_date, **p.returned))
            else:
                movements.append(transfer_movement(i, p.amount_cents, p.value_date, ogm=p.ogm, text=p.text,
                                                   counterparty_iban=p.iban, counterparty_name=p.name[:35],
                                                   end_to_end_id=p.end_to_end_id))
        bank.statements += 1
        new_date = chunk[-1].value_date
        st = make_statement(account_iban=settings.fund_iban, old_balance_cents=bank.balance_cents,
                            old_balance_date=bank.last_date, new_balance_date=new_date, movements=movements,
                            paper_sequence=bank.statements, holder_name=settings.fund_name[:26],
                            bic=settings.fund_bic)
        bank.balance_cents, bank.last_date = st.new_balance_cents, new_date
        import_coda(url, write_coda([st]), filename=f"demo-{bank.statements:04d}.coda", actor="demo")
        files += 1
    return files
