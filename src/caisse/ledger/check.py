"""``caisse ledger check``: every invariant of the ledger, verified in SQL over the whole database.

Breaches (any one makes the check fail):
  1. a transaction whose entries do not sum to zero;
  2. the sum of all entries is not zero;
  3. a transaction without entries, an entry without its transaction, an entry on an unknown party;
  4. a derived balance (views ``ledger_balance`` / ``ledger_open_item``) that differs from its entries;
  5. an orphan payment: a receipt whose money does not land on a debtor's credit, on suspense or on a partner's
     clearing (or that comes neither from the bank nor from a partner's clearing), or a parked payment
     assigned/refunded beyond its amount;
  6. a correction or reference to a transaction that does not exist;
  7. a partner's clearing account in credit: a bailiff or lawyer remitted more than its status files reported
     collected (the import and staff never settle beyond what is owed: the rest stays parked).
Warnings (reported, not failing): a debtor's credit account in debit (money imputed or refunded that the
fund no longer holds, e.g. after a bounced payment).

The last line is the totals, for comparing two databases:
``transactions=N debts=EUR payments=EUR open=EUR unmatched=EUR`` and, once a bailiff or lawyer has collected
anything (a ``partner_clearing`` entry exists), `` partners=EUR``: what partners collected and have not remitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from caisse.errors import CaisseError
from caisse.ledger.models import RECEIVABLE
from caisse.money import fmt

LIMIT = 20
_RECEIVABLE_SQL = ", ".join(f"'{a}'" for a in RECEIVABLE)


@dataclass
class Totals:
    transactions: int
    debts: int  # everything charged, net of corrections and downward regularisations (= -income)
    payments: int  # money received on the bank account (net of returned payments)
    open: int  # sum of open items
    unmatched: int  # money parked in suspense
    partners: int | None = None  # collected by bailiffs/lawyers, not remitted yet; None: no partner ever collected

    def line(self) -> str:
        return (f"transactions={self.transactions} debts={fmt(self.debts)} payments={fmt(self.payments)} "
                f"open={fmt(self.open)} unmatched={fmt(self.unmatched)}"
                + ("" if self.partners is None else f" partners={fmt(self.partners)}"))


@dataclass
class CheckReport:
    totals: Totals
    breaches: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaches


def _rows(session: Session, sql: str) -> list:
    return list(session.execute(text(sql)))


def _scalar(session: Session, sql: str) -> int:
    return int(session.execute(text(sql)).scalar() or 0)


def run_check(session: Session) -> CheckReport:
    tables = set(inspect(session.connection()).get_table_names())
    if not {"ledger_transaction", "ledger_entry"} <= tables:
        raise CaisseError("the database has no ledger tables: run `caisse db upgrade` first")
    b: list[str] = []
    w: list[str] = []

    for key, total in _rows(session, f"""
            SELECT t.key, SUM(e.amount_cents) FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
            GROUP BY t.id, t.key HAVING SUM(e.amount_cents) <> 0 ORDER BY t.id LIMIT {LIMIT}"""):
        b.append(f"unbalanced transaction {key}: entries sum to {fmt(int(total))}")

    grand = _scalar(session, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entry")
    if grand != 0:
        b.append(f"sum of all entries is {fmt(grand)}, not 0.00")

    for (key,) in _rows(session, f"""
            SELECT t.key FROM ledger_transaction t
            WHERE NOT EXISTS (SELECT 1 FROM ledger_entry e WHERE e.transaction_id = t.id)
            ORDER BY t.id LIMIT {LIMIT}"""):
        b.append(f"transaction {key} has no entries")
    for entry_id, tid in _rows(session, f"""
            SELECT e.id, e.transaction_id FROM ledger_entry e LEFT JOIN ledger_transaction t ON t.id = e.transaction_id
            WHERE t.id IS NULL ORDER BY e.id LIMIT {LIMIT}"""):
        b.append(f"entry {entry_id} belongs to no transaction (transaction_id={tid})")
    for entry_id, party in _rows(session, f"""
            SELECT e.id, e.party_id FROM ledger_entry e LEFT JOIN party p ON p.id = e.party_id
            WHERE e.party_id IS NOT NULL AND p.id IS NULL ORDER BY e.id LIMIT {LIMIT}"""):
        b.append(f"entry {entry_id} is on unknown party {party}")
    for key, col, ref in _rows(session, f"""
            SELECT t.key, 'corrects', t.corrects_id FROM ledger_transaction t
            WHERE t.corrects_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM ledger_transaction o WHERE o.id = t.corrects_id)
            UNION ALL
            SELECT t.key, 'refers_to', t.refers_to_id FROM ledger_transaction t
            WHERE t.refers_to_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM ledger_transaction o WHERE o.id = t.refers_to_id)
            ORDER BY 1, 2 LIMIT {LIMIT}"""):
        b.append(f"transaction {key} {col} missing transaction id {ref}")

    # Derived balances: the views must equal a fresh aggregation of the entries, account by account
    # (count of accounts, sum, and a party-weighted sum that catches balances moved between debtors).
    fresh = {r[0]: tuple(int(x) for x in r[1:]) for r in _rows(session, """
            SELECT account, COUNT(*), SUM(s), SUM(s * (COALESCE(party_id, 0) % 1009 + 1)) FROM (
              SELECT party_id, account, period, SUM(amount_cents) AS s FROM ledger_entry
              GROUP BY party_id, account, period) g GROUP BY account""")}
    view = {r[0]: tuple(int(x) for x in r[1:]) for r in _rows(session, """
            SELECT account, COUNT(*), SUM(balance_cents), SUM(balance_cents * (COALESCE(party_id, 0) % 1009 + 1))
            FROM ledger_balance GROUP BY account""")}
    for account in sorted(fresh.keys() | view.keys()):
        if fresh.get(account) != view.get(account):
            b.append(f"balances of {account}: view ledger_balance {view.get(account)} != entries {fresh.get(account)}")
    open_fresh = _scalar(session, f"""
            SELECT COALESCE(SUM(s), 0) FROM (SELECT SUM(amount_cents) AS s FROM ledger_entry
            WHERE account IN ({_RECEIVABLE_SQL}) GROUP BY party_id, account, period) g WHERE s > 0""")
    open_view = _scalar(session, "SELECT COALESCE(SUM(balance_cents), 0) FROM ledger_open_item")
    if open_fresh != open_view:
        b.append(f"open items: view ledger_open_item {fmt(open_view)} != entries {fmt(open_fresh)}")

    # Orphan payments: a receipt is a bank debit whose counterpart is a debtor's credit, suspense or a partner's
    # clearing (a remittance) — or money a partner collected: a clearing debit whose counterpart is a debtor's credit.
    for key, problem in _rows(session, f"""
            SELECT t.key, 'no bank or partner clearing entry' FROM ledger_transaction t
            WHERE t.kind = 'payment' AND t.corrects_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM ledger_entry e WHERE e.transaction_id = t.id
                              AND e.account IN ('bank', 'partner_clearing'))
            UNION ALL
            SELECT t.key, 'money lands on ' || e.account FROM ledger_transaction t
              JOIN ledger_entry e ON e.transaction_id = t.id
            WHERE t.kind = 'payment' AND e.account NOT IN ('bank', 'credit', 'suspense', 'partner_clearing')
            UNION ALL
            SELECT t.key, 'credit entry without debtor' FROM ledger_transaction t
              JOIN ledger_entry e ON e.transaction_id = t.id
            WHERE t.kind = 'payment' AND e.account = 'credit' AND e.party_id IS NULL
            ORDER BY 1, 2 LIMIT {LIMIT}"""):
        b.append(f"orphan payment {key}: {problem}")
    for key, total in _rows(session, f"""
            SELECT p.key, SUM(e.amount_cents) FROM ledger_transaction p
              JOIN ledger_transaction t ON t.id = p.id OR t.refers_to_id = p.id OR t.corrects_id = p.id
              JOIN ledger_entry e ON e.transaction_id = t.id AND e.account = 'suspense'
            WHERE p.kind = 'payment' AND p.corrects_id IS NULL
            GROUP BY p.id, p.key HAVING SUM(e.amount_cents) > 0 ORDER BY p.id LIMIT {LIMIT}"""):
        b.append(f"parked payment {key} assigned or refunded {fmt(int(total))} beyond its amount")

    for code, total in _rows(session, f"""
            SELECT parameter, SUM(amount_cents) FROM ledger_entry WHERE account = 'partner_clearing'
            GROUP BY parameter HAVING SUM(amount_cents) < 0 ORDER BY parameter LIMIT {LIMIT}"""):
        b.append(f"partner {code} remitted {fmt(-int(total))} more than its status files report collected")

    for party, total in _rows(session, f"""
            SELECT party_id, SUM(amount_cents) FROM ledger_entry WHERE account = 'credit'
            GROUP BY party_id HAVING SUM(amount_cents) > 0 ORDER BY party_id LIMIT {LIMIT}"""):
        w.append(f"credit account of party {party} is in debit by {fmt(int(total))}")

    clearing = session.execute(text(
        "SELECT SUM(amount_cents) FROM ledger_entry WHERE account = 'partner_clearing'")).scalar()
    totals = Totals(
        transactions=_scalar(session, "SELECT COUNT(*) FROM ledger_transaction"),
        debts=-_scalar(session, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entry WHERE account = 'income'"),
        payments=_scalar(session, """SELECT COALESCE(SUM(e.amount_cents), 0) FROM ledger_entry e
            JOIN ledger_transaction t ON t.id = e.transaction_id WHERE t.kind = 'payment' AND e.account = 'bank'"""),
        open=open_view,
        unmatched=-_scalar(session,
                           "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entry WHERE account = 'suspense'"),
        partners=None if clearing is None else int(clearing),
    )
    return CheckReport(totals, b, w)
