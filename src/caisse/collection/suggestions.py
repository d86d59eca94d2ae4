"""Suggested debtors for a bank line staff must reconcile, set-based (one query per kind for all lines).

A suggestion is ``{"party_id": 42, "by": ["iban", "amount"], "period": "2026Q1"}``: who may have paid and why
we think so. Sources and weights (strongest first):

| by | meaning | weight |
|---|---|---|
| ``reference`` | one of our structured communications names this debtor (free text, unknown account) | 8 |
| ``collection``, ``transfer`` | the end-to-end id is one of our collections or transfers of this party | 8 |
| ``iban`` | the payer's IBAN is a bank account or a mandate account of this debtor | 4 |
| ``history`` | an earlier payment from this IBAN was booked to this debtor | 3 |
| ``name`` | the payer's name is this debtor's name (alone: only when at most 5 debtors bear it) | 2 |
| ``amount`` | the amount equals what this debtor owes for one period (alone only when at most 3 debtors owe it) | 1 |

Suggestions are ranked by the sum of their weights, then by file number; at most five are kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import lru_cache
from itertools import combinations

from sqlalchemy import Connection

from caisse.collection.db import select_in
from caisse.ledger.models import RECEIVABLE

WEIGHTS = {"reference": 8, "collection": 8, "transfer": 8, "iban": 4, "history": 3, "name": 2, "amount": 1}
MAX_SUGGESTIONS = 5
AMOUNT_ALONE_MAX = 3
NAME_ALONE_MAX = 5  # a name shared by more debtors only adds weight to candidates found otherwise
_NOISE = {"MR", "MRS", "MS", "M", "MME", "MLLE", "MEVR", "MEVROUW", "DHR", "HEER", "DE", "HR", "FRAU", "HERR",
          "MONSIEUR", "MADAME", "ET", "EN", "UND", "OU", "OF", "AND", "EPOUX", "ECHTG", "FAM", "FAMILLE", "FAMILIE"}


@lru_cache(maxsize=65536)
def name_tokens(name: str | None) -> frozenset[str]:
    """Upper-case ASCII words of a name without titles ('M. et Mme Lefèvre-Dupont' -> {LEFEVRE, DUPONT})."""
    if not name:
        return frozenset()
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()
    return frozenset(w for w in re.split(r"[^A-Z0-9]+", ascii_) if len(w) > 1 and w not in _NOISE)


class Candidate:
    __slots__ = ("by", "period")

    def __init__(self) -> None:
        self.by: list[str] = []
        self.period: str | None = None

    def add(self, by: str, period: str | None = None) -> None:
        if by not in self.by:
            self.by.append(by)
        self.period = self.period or period


def suggest(conn: Connection, lines: list[dict]) -> list[list[dict]]:
    """For each line (``amount_cents``, ``iban``, ``name``, ``known``: [(party_id, by, period)]) its ranked
    suggestions. Only credits get amount and name suggestions; every line gets IBAN ones."""
    ibans = {ln["iban"] for ln in lines if ln.get("iban")}
    by_iban: dict[str, set[int]] = defaultdict(set)
    history: dict[str, set[int]] = defaultdict(set)
    if ibans:
        for iban, party in select_in(conn, "SELECT iban, party_id FROM bank_account WHERE iban IN ({in})", ibans):
            by_iban[iban].add(party)
        for iban, party in select_in(conn, "SELECT iban, party_id FROM sepa_mandate WHERE iban IN ({in})", ibans):
            by_iban[iban].add(party)
        for iban, party in select_in(conn, "SELECT DISTINCT counterparty_iban, party_id FROM bank_line "
                                           "WHERE status = 'booked' AND counterparty_iban IN ({in})", ibans):
            history[iban].add(party)
    tokens = [name_tokens(ln.get("name")) if ln["amount_cents"] > 0 else frozenset() for ln in lines]
    names = {ln["name"].strip().upper() for ln, t in zip(lines, tokens, strict=True) if t}
    by_name: dict[frozenset[str], list[int]] = defaultdict(list)
    for party, needed in _name_candidates(conn, tokens, names):
        by_name[needed].append(party)
    amounts = {ln["amount_cents"] for ln in lines if ln["amount_cents"] > 0}
    owing = _owing(conn, amounts) if amounts else {}

    out = []
    for ln, toks in zip(lines, tokens, strict=True):
        cands: dict[int, Candidate] = defaultdict(Candidate)
        for party, by, period in ln.get("known") or ():
            cands[party].add(by, period)
        for party in by_iban.get(ln.get("iban"), ()):
            cands[party].add("iban")
        for party in history.get(ln.get("iban"), ()):
            cands[party].add("history")
        named = _named(by_name, toks)
        for party in named if len(named) <= NAME_ALONE_MAX else [p for p in named if p in cands]:
            cands[party].add("name")
        due = owing.get(ln["amount_cents"], [])
        for party, period in due:
            if party in cands:
                cands[party].add("amount", period)
        if not cands and 0 < len(due) <= AMOUNT_ALONE_MAX:
            for party, period in due:
                cands[party].add("amount", period)
        ranked = sorted(cands.items(), key=lambda kv: (-sum(WEIGHTS[b] for b in kv[1].by), kv[0]))
        out.append([{"party_id": p, "by": c.by, **({"period": c.period} if c.period else {})}
                    for p, c in ranked[:MAX_SUGGESTIONS]])
    return out


def _named(by_name: dict[frozenset[str], list[int]], toks: frozenset[str]) -> list[int]:
    """Debtors whose whole name is among the payer's words (a payer's name has a handful of words)."""
    if not toks or len(toks) > 8:
        return []
    words = sorted(toks)
    found: list[int] = []
    for r in range(1, min(len(words), 4) + 1):
        for combo in combinations(words, r):
            found.extend(by_name.get(frozenset(combo), ()))
    return found


def _name_candidates(conn: Connection, tokens: list[frozenset[str]],
                     names: set[str]) -> list[tuple[int, frozenset[str]]]:
    """(party, the name words a payer's name must contain) for people whose last name is a word of some
    payer's name, and companies whose name is some payer's name (upper case; SQLite upper-cases ASCII only)."""
    words = sorted({w for t in tokens for w in t})
    if not words:
        return []
    found: dict[int, frozenset[str]] = {}
    tokens_of: dict[tuple[str, str], frozenset[str]] = {}  # a common name is borne by many: its words once
    for pid, first, last in select_in(conn, "SELECT id, first_name, last_name FROM person "
                                            "WHERE upper(last_name) IN ({in})", words):
        toks = tokens_of.get((first, last))
        if toks is None:
            toks = tokens_of[(first, last)] = name_tokens(f"{first} {last}")
        found[pid] = toks
    for pid, name in select_in(conn, "SELECT id, name FROM company WHERE upper(name) IN ({in})", sorted(names)):
        found[pid] = name_tokens(name)
    return [(pid, toks) for pid, toks in found.items() if toks]


def _owing(conn: Connection, amounts: set[int]) -> dict[int, list[tuple[int, str]]]:
    """amount -> [(party, period)] of debtors whose open items of one period add up to exactly that amount, oldest
    period first (a debtor owing that amount for two quarters is suggested the older one, on every database)."""
    accounts = ", ".join(f"'{a}'" for a in RECEIVABLE)
    sql = (f"SELECT party_id, period, SUM(amount_cents) FROM ledger_entry WHERE account IN ({accounts}) "
           f"GROUP BY party_id, period HAVING SUM(amount_cents) > 0")
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur:
            cur.execute(sql)
            rows = cur.fetchall()
    else:
        rows = raw.execute(sql).fetchall()
    out: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for party, period, total in rows:
        total = int(total)
        if total in amounts:
            out[total].append((party, period))
    for found in out.values():
        found.sort()
    return out
