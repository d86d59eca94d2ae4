"""``caisse recovery report``: how many debtors, and how much they owe, at each stage on a date.

The stage on a date is the last change of stage recorded on or before it (``recovery_step``), so a report as
of a past date shows the pipeline as it stood then; the amounts are everything due and unpaid on that date
(the ledger as of that date, ``recovery.arrears``). Debtors in arrears without a file yet are counted apart.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Date, bindparam, text

from caisse.money import fmt
from caisse.recovery.arrears import arrears
from caisse.recovery.models import STAGES
from caisse.store.db import engine_for

_STAGE_ON = """
SELECT s.party_id, s.to_stage, s.id FROM recovery_step s
JOIN (SELECT party_id, MAX(id) AS id FROM recovery_step
      WHERE "on" <= :at AND event IN ('stage', 'plan_granted', 'plan_broken', 'plan_completed')
      GROUP BY party_id) last ON last.id = s.id
"""
_ENFORCEABLE_ON = """
SELECT party_id, MAX(id) FROM recovery_step WHERE "on" <= :at AND event = 'enforceable' GROUP BY party_id
"""


def report(url: str, as_of: dt.date) -> dict:
    with engine_for(url).connect() as conn:
        return report_on(conn, as_of)


def report_on(conn: Connection, as_of: dt.date) -> dict:
    """The same report on an open connection (``caisse report recovery-stages`` runs it in its session)."""
    last = {p: (st, sid) for p, st, sid in conn.execute(text(_STAGE_ON).bindparams(bindparam("at", type_=Date)),
                                                        {"at": as_of})}
    stage_of = {p: st for p, (st, _sid) in last.items()}
    enforceable_step = dict(conn.execute(text(_ENFORCEABLE_ON).bindparams(bindparam("at", type_=Date)),
                                         {"at": as_of}).all())
    # at `bailiff`, the contrainte enforceable on that date (art. 47bis §5: step `enforceable` of the same stay)
    enforceable = [p for p, (st, sid) in last.items() if st == "bailiff" and enforceable_step.get(p, 0) > sid]
    a = arrears(conn, as_of)
    owed = dict(zip(a.party.tolist(), a.total.tolist(), strict=True))
    rows = {s: {"debtors": 0, "amount_cents": 0} for s in STAGES}
    for party, stage in stage_of.items():
        rows[stage]["debtors"] += 1
        rows[stage]["amount_cents"] += owed.get(party, 0)
    outside = [p for p, pr in zip(a.party.tolist(), a.principal.tolist(), strict=True)
               if pr > 0 and stage_of.get(p) in (None, "closed")]
    return {"as_of": as_of.isoformat(),
            "stages": [{"stage": s, "debtors": r["debtors"], "amount": fmt(r["amount_cents"])}
                       for s, r in rows.items()],
            "bailiff_enforceable": {"debtors": len(enforceable),
                                    "amount": fmt(sum(owed.get(p, 0) for p in enforceable))},
            "in_arrears_without_open_file": {"debtors": len(outside), "amount": fmt(sum(owed[p] for p in outside))},
            "total_open": {"debtors": sum(r["debtors"] for s, r in rows.items() if s != "closed"),
                           "amount": fmt(sum(r["amount_cents"] for s, r in rows.items() if s != "closed"))},
            # every debtor with something due and unpaid, file or not: the stages plus the debtors never given a
            # file add up to it (a debtor at a stage may owe nothing any more: counted, amount 0)
            "in_arrears": {"debtors": len(a.party), "amount": fmt(int(a.total.sum()))}}


def lines(rep: dict) -> list[str]:
    out = [f"recovery as of {rep['as_of']}", f"  {'stage':<18} {'debtors':>9} {'amount EUR':>16}"]
    for r in rep["stages"]:
        out.append(f"  {r['stage']:<18} {r['debtors']:>9,} {r['amount']:>16}")
        if r["stage"] == "bailiff" and "bailiff_enforceable" in rep:
            e = rep["bailiff_enforceable"]
            out.append(f"  {'  enforceable':<18} {e['debtors']:>9,} {e['amount']:>16}   contrainte served, no "
                       "opposition within the month")
    w = rep["in_arrears_without_open_file"]
    out.append(f"  {'(no open file)':<18} {w['debtors']:>9,} {w['amount']:>16}   in arrears, not yet reminded")
    t = rep["total_open"]
    out.append(f"  {'open files':<18} {t['debtors']:>9,} {t['amount']:>16}")
    return out
