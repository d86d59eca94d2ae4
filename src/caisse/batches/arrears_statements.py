"""The periodic statement of what is owed, to every debtor in arrears: ``caisse run arrears-statements --as-of D``.

The charter (issue 7) asks the fund to report regularly to every debtor what they owe. One account statement per
debtor with something due and unpaid on ``D`` (``recovery.arrears``: everything due before ``D`` and unpaid —
contributions, fees, surcharges, costs), recorded as a ``notice`` of kind ``statement`` (key
``arrears-statement/<D>/<file>``, the amount owed, the statement's structured communication) and drawn on demand
by the existing account statement document (``documents.notices.statement_document``: ``caisse notice pdfs
--batch arrears-statements/<D> --output-dir DIR``, and the portal's documents).

Set-based: one GROUP BY over the ledger, one read of the languages and of the open bankruptcies, notices inserted
in chunks (``framework``); batch key ``arrears-statements/<D>``: a rerun writes nothing, a run killed half-way
and run again ends as an uninterrupted one. Left out, and counted: a debtor whose bankruptcy is open (the claim
is declared to the trustee).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from caisse.batches.framework import CHUNK, Progress, Summary, _insert_notices, existing_keys, run_batch
from caisse.batches.recovery import _bankrupt
from caisse.errors import InvalidInput
from caisse.recovery.arrears import arrears
from caisse.references import for_statement
from caisse.services.calendar import Quarter
from caisse.store.db import engine_for
from caisse.store.models import Party, utcnow


def run(url: str, as_of: dt.date, *, progress: Progress | None = None, chunk: int = CHUNK) -> Summary:
    if not isinstance(as_of, dt.date):
        raise InvalidInput("as_of", "a date is required (YYYY-MM-DD)")
    key = f"arrears-statements/{as_of.isoformat()}"
    period = str(Quarter.of(as_of))

    def body(_params: dict, summary: Summary) -> None:
        with engine_for(url).connect() as conn:
            a = arrears(conn, as_of)
            bankrupt = _bankrupt(conn, as_of)
            langs = dict(conn.execute(select(Party.id, Party.language)).all())
        done = existing_keys(url, "notice", f"arrears-statement/{as_of.isoformat()}/")
        parties = a.party.tolist()
        totals = a.total.tolist()
        summary.skip("bankruptcy open: the claim is declared to the trustee", [p for p in parties if p in bankrupt])
        todo = [(p, t) for p, t in zip(parties, totals, strict=True) if p not in bankrupt]
        summary.debtors = len(todo)
        summary.notices = len(todo)
        summary.amount_cents = int(sum(t for _, t in todo))
        now = utcnow()
        for start in range(0, len(todo), chunk):
            rows = []
            for party, total in todo[start:start + chunk]:
                k = f"arrears-statement/{as_of.isoformat()}/{party}"
                if k in done:
                    summary.already += 1
                    continue
                ogm = "".join(ch for ch in for_statement(party, as_of.year).ogm if ch.isdigit())
                rows.append((k, "statement", party, period, int(total), None, ogm, langs.get(party, "fr"), key, now))
            if rows:
                summary.posted += _insert_notices(url, rows)
            if progress:
                progress(min(start + chunk, len(todo)), len(todo))

    return run_batch(url, key, "arrears-statements", {"as_of": as_of.isoformat()}, body)
