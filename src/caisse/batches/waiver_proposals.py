"""The surcharge-waiver proposal once the principal is paid: ``caisse run waiver-proposals --as-of D [--since S]``.

Run every day after the bank import (the fund's calendar): each quarter whose contributions became fully paid in
``[S, D]`` while surcharges that could be waived remain on it is told to the person once, in their language, with
the link to the portal's form — unless a waiver of it is asked (pending or decided) or a waiver request of the person
is open (``recovery.waiver.propose``: the rules, what is left out, the case of kind ``waiver_proposal``).
``S`` defaults to the three months up to ``D``: a day the batch did not run is caught up by the next.

Batch key ``waiver-proposals/<D>`` (``framework.run_batch``: recorded, a rerun of the same day does nothing); a
quarter is told once whatever the runs — the case key names the quarters told, so a later run over the same window
tells nobody twice. Set-based (one GROUP BY over the ledger, the cases inserted together); the summary counts the
quarters found, told, and left out with why.
"""

from __future__ import annotations

import datetime as dt

from caisse.batches.framework import Summary, run_batch
from caisse.errors import InvalidInput
from caisse.services.calendar import add_months
from caisse.store.db import session_scope

LOOK_BACK_MONTHS = 3  # the default window: a missed day is caught up (fund practice, not a legal period)


def run(url: str, as_of: dt.date, since: dt.date | None = None, *, actor: str | None = None) -> Summary:
    from caisse.recovery.waiver import propose

    if not isinstance(as_of, dt.date):
        raise InvalidInput("as_of", "a date is required (YYYY-MM-DD)")
    since = since or add_months(as_of, -LOOK_BACK_MONTHS) + dt.timedelta(days=1)
    if since > as_of:
        raise InvalidInput("since", "{since} is after the as-of date {as_of}", since=since, as_of=as_of)

    def body(params: dict, summary: Summary) -> None:
        start, end = dt.date.fromisoformat(params["since"]), dt.date.fromisoformat(params["as_of"])
        with session_scope(url) as s:
            counts = propose(s, end, start, actor=actor or "batch:waiver-proposals")
        summary.debtors = counts["people told"]
        summary.posted = counts["quarters told"]
        summary.details.update(counts)
        summary.details["window"] = f"{start} to {end}"

    return run_batch(url, f"waiver-proposals/{as_of.isoformat()}", "waiver-proposals",
                     {"since": since.isoformat(), "as_of": as_of.isoformat()}, body, actor=actor)
