"""Prescribed debts written off: ``caisse run prescription --as-of D`` (AR n° 38 art. 16 §2; legislation.md §6, §9;
addendum 2026-11 §6.4).

Set-based: ``recovery.prescription.debts`` reads every open debt old enough to prescribe with its last
interruption in one statement; ``rules.prescription.clocks`` dates them all at once. Then, for every debt whose
prescription date is on or before ``as_of``:

1. a **write-off** transaction (Dr write_off / Cr the receivable, the open balance), key
   ``prescription/<debtor>/<account>/<period>/<prescribed on>``, reference = the period, every entry naming the
   rule (``AR n° 38 art. 16 §2``) and the parameter (``prescription_years@…``), its explanation the clock (legal
   start, last interruption, prescription date) — posted in chunks by ``post_many`` (resumable, idempotent);
2. the **pension-rights consequence**: a contribution quarter of a person written off as prescribed opens no
   pension right — one ``prescribed_quarter`` row per (person, quarter), for the career-data export;
3. the **recovery file closed** with reason ``prescribed`` when the debtor owes nothing else (step key
   ``recovery/<debtor>/<cycle>/closed/prescribed``);
4. the **buy-back options lapsed**: a dispensed quarter not bought back by its 5-year deadline gets
   ``buyback_lapsed_on`` (its pension rights can no longer be bought back), an open buy-back request none of whose
   quarters can still be bought back becomes ``lapsed`` (``recovery.buyback.lapse``).

Never written off: a debt of a debtor whose file stands at ``enforcement``, ``bailiff`` or ``court`` (the
proceedings interrupt prescription while they run: ``prescription_hold_while_proceedings``). Batch key
``prescription/<D>`` (``framework.run_batch``): a rerun does nothing, a killed run resumes.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import bindparam, insert, select, text, update

from caisse.batches.framework import CHUNK, Progress, Summary, existing_keys, run_batch, write_chunks
from caisse.ledger import Entry, Posting
from caisse.ledger.models import RECEIVABLE
from caisse.recovery.models import PrescribedQuarter, RecoveryFile, RecoveryStep
from caisse.recovery.prescription import debts
from caisse.recovery.step_reasons import reason
from caisse.rules.prescription import check_as_of, policy
from caisse.store.db import engine_for, session_scope
from caisse.store.models import Party, utcnow

ACTOR = "batch:prescription"
RULE = "AR n° 38 art. 16 §2 (prescription)"


def posting_key(party: int, account: str, period: str, prescribed_on) -> str:
    return f"prescription/{party}/{account}/{period}/{prescribed_on}"


def run(url: str, as_of: dt.date, *, today: dt.date | None = None, progress: Progress | None = None,
        chunk: int = CHUNK) -> Summary:
    """``as_of`` may not lie after ``today`` (a debt is written off once it has prescribed, never ahead: a typo in
    the year would otherwise write off most of the fund). A run for a past date writes off at most what is still
    open today: a payment booked since then is never turned into the debtor's credit."""
    from caisse.errors import InvalidInput

    check_as_of(as_of)
    today = today or dt.date.today()
    if as_of > today:
        raise InvalidInput("as_of", f"{as_of} is after today ({today}): prescribed debts are written off on or after "
                                    "the day they prescribe, never ahead")
    p = policy(as_of)
    key = f"prescription/{as_of.isoformat()}"

    def body(_params: dict, summary: Summary) -> None:
        engine = engine_for(url)
        with engine.connect() as conn:
            d = debts(conn, as_of, p)
            if as_of < today and len(d):
                now = debts(conn, today, p)
                left = {(int(a), str(b), str(c)): int(o) for a, b, c, o in zip(
                    now.party.tolist(), now.account.tolist(), now.period.tolist(), now.open_cents.tolist(),
                    strict=True)}
                d.open_cents = np.array([min(int(o), left.get((int(a), str(b), str(c)), 0)) for a, b, c, o in zip(
                    d.party.tolist(), d.account.tolist(), d.period.tolist(), d.open_cents.tolist(), strict=True)],
                    np.int64)
        due = (d.prescribed_on <= np.datetime64(as_of)) & (d.open_cents > 0)
        held = due & d.proceedings if p.hold_while_proceedings else np.zeros(len(d), bool)
        summary.skip("proceedings running (contrainte, bailiff or court): prescription interrupted while they run",
                     np.unique(d.party[held]))
        idx = np.flatnonzero(due & ~held)
        keys = [posting_key(int(d.party[i]), str(d.account[i]), str(d.period[i]), d.prescribed_on[i]) for i in idx]

        def postings(rows: np.ndarray) -> list[Posting]:
            out = []
            for j in rows.tolist():
                i = idx[j]
                party, account, period, cents = int(d.party[i]), str(d.account[i]), str(d.period[i]), \
                    int(d.open_cents[i])
                last = None if np.isnat(d.last_interruption[i]) else str(d.last_interruption[i])
                why = {"debt": {"account": account, "period": period}, "legal_start": str(d.legal_start[i]),
                       "last_interruption": last, "last_interruption_kind": d.last_kind[i] or None,
                       "prescribed_on": str(d.prescribed_on[i]), "years": p.years,
                       "text": f"prescribed on {d.prescribed_on[i]} ({RULE})"}
                out.append(Posting(keys[j], "write_off", as_of, (
                    Entry("write_off", cents, party, period, None, RULE, p.parameter, why),
                    Entry(account, -cents, party, period, None, RULE, p.parameter, why)),
                    f"Prescribed debt written off: {account} {period}", period))
            return out

        write_chunks(url, len(idx), postings, None, posted_keys=existing_keys(url, "ledger_transaction",
                                                                               "prescription/"),
                     notice_keys=set(), keys=keys, summary=summary, progress=progress, chunk=chunk)
        parties = np.unique(d.party[idx])
        summary.debtors = len(parties)
        summary.amount_cents = int(d.open_cents[idx].sum()) if len(idx) else 0
        summary.details["debts written off"] = len(idx)
        summary.details["rule"] = f"{RULE}; {p.parameter}"
        quarters = [i for i in idx.tolist() if d.account[i] == "contribution" and "Q" in str(d.period[i])]
        summary.details["quarters without pension rights"] = _pension_consequence(url, key, d, quarters, keys, idx,
                                                                                   chunk)
        summary.details["files closed (prescribed)"] = _close_files(url, key, as_of, parties.tolist(), chunk)
        with session_scope(url) as s:  # the 5-year buy-back of dispensed quarters: options whose deadline passed
            from caisse.recovery.buyback import lapse

            quarters, requests = lapse(s, as_of)
        summary.details["buy-back options lapsed (dispensed quarters, deadline passed)"] = quarters
        summary.details["buy-back requests lapsed"] = requests

    return run_batch(url, key, "prescription", {"as_of": as_of.isoformat()}, body)


def _pension_consequence(url, batch_key, d, quarters, keys, idx, chunk) -> int:
    """One ``prescribed_quarter`` row per (person, quarter) whose contribution was written off as prescribed."""
    if not quarters:
        return 0
    pos = {int(i): j for j, i in enumerate(idx.tolist())}
    written = 0
    for start in range(0, len(quarters), chunk):
        part = quarters[start:start + chunk]
        ids = sorted({int(d.party[i]) for i in part})
        with session_scope(url) as s:
            persons = set(s.scalars(select(Party.id).where(Party.id.in_(ids), Party.kind == "person")))
            taken = {(int(a), str(b)) for a, b in s.execute(select(
                PrescribedQuarter.party_id, PrescribedQuarter.period).where(PrescribedQuarter.party_id.in_(ids)))}
            rows = [{"party_id": int(d.party[i]), "period": str(d.period[i]),
                     "prescribed_on": d.prescribed_on[i].astype(dt.date), "written_off_cents": int(d.open_cents[i]),
                     "transaction_key": keys[pos[i]], "batch_key": batch_key, "created_at": utcnow()}
                    for i in part if int(d.party[i]) in persons and (int(d.party[i]), str(d.period[i])) not in taken]
            if rows:
                s.execute(insert(PrescribedQuarter), rows)
            written += len(rows)
    return written


def _close_files(url, batch_key, as_of, parties: list[int], chunk) -> int:
    """Close (reason ``prescribed``) the open files of debtors who owe nothing more after the write-offs."""
    closed = 0
    for start in range(0, len(parties), chunk):
        part = parties[start:start + chunk]
        with session_scope(url) as s:
            owing = set(s.execute(text(f"""
                SELECT DISTINCT party_id FROM (
                  SELECT party_id, account, period FROM ledger_entry
                   WHERE party_id IN :parties AND account IN ({", ".join(f"'{a}'" for a in RECEIVABLE)})
                   GROUP BY party_id, account, period HAVING SUM(amount_cents) > 0) open_items""").bindparams(
                bindparam("parties", expanding=True)), {"parties": part}).scalars())
            files = list(s.execute(select(RecoveryFile.id, RecoveryFile.party_id, RecoveryFile.cycle,
                                          RecoveryFile.stage).where(RecoveryFile.party_id.in_(part),
                                                                    RecoveryFile.stage.not_in(("closed", "plan")))))
            todo = [f for f in files if f.party_id not in owing]
            if not todo:
                continue
            step_keys = {f.party_id: f"recovery/{f.party_id}/{f.cycle}/closed/prescribed" for f in todo}
            taken = set(s.scalars(select(RecoveryStep.key).where(RecoveryStep.key.in_(list(step_keys.values())))))
            todo = [f for f in todo if step_keys[f.party_id] not in taken]
            if not todo:
                continue
            langs = {int(a): b for a, b in s.execute(select(Party.id, Party.language).where(
                Party.id.in_([f.party_id for f in todo])))}
            s.execute(update(RecoveryFile), [{"id": f.id, "stage": "closed", "stage_since": as_of,
                                              "closing_reason": "prescribed", "resume_stage": None,
                                              "updated_at": utcnow()} for f in todo])
            s.execute(insert(RecoveryStep), [{
                "key": step_keys[f.party_id], "file_id": f.id, "party_id": f.party_id, "cycle": f.cycle,
                "event": "stage", "from_stage": f.stage, "to_stage": "closed", "on": as_of, "actor": ACTOR,
                **reason("prescribed", rule=RULE),
                "closing_reason": "prescribed", "amount_cents": 0, "language": langs.get(f.party_id, "fr"),
                "letter": None, "case_id": None, "plan_id": None, "batch_key": batch_key, "created_at": utcnow()}
                for f in todo])
            closed += len(todo)
    return closed


__all__ = ["RULE", "posting_key", "run"]
