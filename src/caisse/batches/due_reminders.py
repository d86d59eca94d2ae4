"""The e-mail before a due date: ``caisse run due-reminders --as-of D [--days N]``.

Run every day after the bank import (the fund's calendar). Every due notice to a person — a quarterly call or a
regularisation notice (``notice.kind``; the company call is addressed to a company, not told here) — that falls due
within ``[D, D + N]`` (``N``: ``Settings.due_reminder_days``, 10 by default) and on which the ledger still has
something open is told to the person once, in their language: the amount still open, the due date, the structured
communication, the fund's IBAN, that a direct-debit mandate pays it automatically, and the link to the portal's
account page. The reminder is a message of the fund in the portal (a case of kind ``due_reminder``, closed when
written: ``cases.service.inform_in_bulk``) and the e-mail that carries it (``cases.mail``: the one kind whose
e-mail carries the text, amount included; sent by ``caisse cases send-mail`` as every notification).

What is still open is read from the ledger (``ledger.queries.balance_select`` over the principal accounts), never
recomputed: a quarterly call's quarter; a regularisation's quarters of its year. Not told (each counted in the
summary): the person has no e-mail address; an active direct-debit mandate signed by the due date, not lapsed by then,
will collect it (``collection.direct_debit``); nothing is open any more (paid, set off); a regularisation in the
person's favour.

Batch key ``due-reminders/<D>`` (``framework.run_batch``: a rerun of the same day does nothing); a notice is told at
most once whatever the runs — the case key is ``due-reminder/<notice key>``, so the next day's run, whose window
still holds the notice, tells nobody twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from caisse.batches.framework import Summary, run_batch
from caisse.batches.models import Notice
from caisse.config import Settings, get_settings
from caisse.errors import InvalidInput
from caisse.store.db import among, session_scope

KIND = "due_reminder"
KEY = "due-reminder"
SUBJECT = "Reminder: a due date is near"  # labels.CASE_SUBJECTS (shown in the reader's language)
NOTICE_KINDS = ("quarterly_call", "regularisation")
MAX_DAYS = 366


def _ogm(reference: str) -> str:
    return f"+++{reference[:3]}/{reference[3:7]}/{reference[7:]}+++"


def run(url: str, as_of: dt.date, days: int | None = None, *, settings: Settings | None = None,
        actor: str | None = None) -> Summary:
    settings = settings or get_settings()
    if not isinstance(as_of, dt.date):
        raise InvalidInput("as_of", "a date is required (YYYY-MM-DD)")
    days = settings.due_reminder_days if days is None else days
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_DAYS:
        raise InvalidInput("days", "a number of days from 0 to {most} is required, got {days!r}",
                           most=MAX_DAYS, days=days)

    def body(params: dict, summary: Summary) -> None:
        day, window = dt.date.fromisoformat(params["as_of"]), int(params["days"])
        with session_scope(url) as s:
            counts = remind(s, day, window, summary, settings, actor or "batch:due-reminders")
        summary.details.update(counts)
        summary.details["window"] = f"due {day} to {day + dt.timedelta(days=window)}"

    return run_batch(url, f"due-reminders/{as_of.isoformat()}", "due-reminders",
                     {"as_of": as_of.isoformat(), "days": days}, body, actor=actor)


def _mandated(session, parties: list[int], dialect: str) -> dict[int, tuple[dt.date, dt.date]]:
    """party -> (signed on, lapses on) of its active mandate (``direct_debit.lapsed_on``)."""
    from caisse.collection.direct_debit import lapsed_on
    from caisse.collection.models import DirectDebitCollection, DirectDebitRun, SepaMandate

    out: dict[int, tuple[dt.date, dt.date]] = {}
    mandates: dict[int, tuple[int, dt.date]] = {}
    for i in range(0, len(parties), 20_000):
        for mid, party, signed in session.execute(select(SepaMandate.id, SepaMandate.party_id, SepaMandate.signed_on)
                                                  .where(among(SepaMandate.party_id, parties[i:i + 20_000], dialect),
                                                         SepaMandate.status == "active")):
            mandates[mid] = (party, signed)
    if not mandates:
        return out
    c = DirectDebitCollection
    last: dict[int, dt.date] = {}
    ids = list(mandates)
    for i in range(0, len(ids), 20_000):
        for mid, day in session.execute(select(c.mandate_id, func.max(DirectDebitRun.collection_date))
                                        .join(DirectDebitRun, DirectDebitRun.id == c.run_id)
                                        .where(among(c.mandate_id, ids[i:i + 20_000], dialect))
                                        .group_by(c.mandate_id)):
            last[mid] = dt.date.fromisoformat(day) if isinstance(day, str) else day
    for mid, (party, signed) in mandates.items():
        out[party] = (signed, lapsed_on(signed, last.get(mid)))
    return out


def remind(session, as_of: dt.date, days: int, summary: Summary, settings: Settings, actor: str) -> dict[str, int]:
    """Tell once each person with an e-mail address of each notice due in ``[as_of, as_of + days]`` still open
    (module docstring). Returns the counts; skipped people go to ``summary.skip`` with the reason."""
    from caisse.cases import mail
    from caisse.cases import service as cases
    from caisse.cases.models import Case
    from caisse.ledger.models import PRINCIPAL, LedgerEntry
    from caisse.ledger.queries import balance_select
    from caisse.rules.explain import fmt_money
    from caisse.store.models import Party, Person

    dialect = session.get_bind().dialect.name
    last_day = as_of + dt.timedelta(days=days)
    notices = session.execute(select(Notice.key, Notice.kind, Notice.party_id, Notice.period, Notice.amount_cents,
                                     Notice.due_date, Notice.reference)
                              .where(Notice.kind.in_(NOTICE_KINDS), Notice.due_date >= as_of,
                                     Notice.due_date <= last_day).order_by(Notice.id)).all()
    counts = {"notices due": len(notices), "reminders queued": 0, "already told": 0}
    if not notices:
        return counts
    keys = [f"{KEY}/{n.key}" for n in notices]
    told: set[str] = set()
    for i in range(0, len(keys), 20_000):
        told |= set(session.scalars(select(Case.key).where(among(Case.key, keys[i:i + 20_000], dialect))))
    todo = [n for n in notices if f"{KEY}/{n.key}" not in told]
    counts["already told"] = len(notices) - len(todo)
    parties = sorted({n.party_id for n in todo})
    reach: dict[int, tuple[str | None, str]] = {}
    open_: dict[tuple[int, str], int] = {}
    for i in range(0, len(parties), 20_000):
        chunk = parties[i:i + 20_000]
        reach.update((pid, (email, lang)) for pid, email, lang in session.execute(
            select(Person.id, Person.email, Party.language).join(Party, Party.id == Person.id)
            .where(among(Person.id, chunk, dialect))))
        for party, _account, period, cents, _due in session.execute(
                balance_select(accounts=PRINCIPAL).where(among(LedgerEntry.party_id, chunk, dialect))):
            if period:
                open_[(party, period)] = open_.get((party, period), 0) + int(cents)
    mandates = _mandated(session, parties, dialect)
    skipped: dict[str, list[int]] = {}
    items = []
    portal = settings.portal_url.rstrip("/")
    for n in todo:
        due = n.due_date if isinstance(n.due_date, dt.date) else dt.date.fromisoformat(str(n.due_date))
        if n.kind == "quarterly_call":
            still_open = open_.get((n.party_id, n.period), 0)
        else:  # a regularisation notice names its year; the ledger holds its quarters
            still_open = sum(open_.get((n.party_id, f"{n.period}Q{k}"), 0) for k in range(1, 5))
        email, lang = reach.get(n.party_id, (None, "fr"))
        mandate = mandates.get(n.party_id)
        if n.party_id not in reach:
            reason = "not a person (a company's notice)"
        elif n.amount_cents <= 0:
            reason = "regularisation in the person's favour: nothing to pay"
        elif still_open <= 0:
            reason = "nothing open any more (paid or set off)"
        elif mandate is not None and mandate[0] <= due < mandate[1]:
            reason = "collected by direct debit (active mandate)"
        elif not email:
            reason = "no e-mail address"
        else:
            lang = lang if lang in ("fr", "nl", "de") else "fr"
            text = mail.due_reminder_text(lang, period=n.period, due=due.strftime("%d/%m/%Y"),
                                          amount=fmt_money(still_open, lang), iban=settings.fund_iban,
                                          ogm=_ogm(n.reference), url=f"{portal}/")  # the home, not the file
            items.append({"key": f"{KEY}/{n.key}", "kind": KIND, "party_id": n.party_id, "subject": SUBJECT,
                          "text": text, "note": f"Reminder e-mailed ({lang}) before the due date {due} of notice "
                                                f"{n.key}: {still_open} cents still open"})
            continue
        skipped.setdefault(reason, []).append(n.party_id)
    for reason, ids in skipped.items():
        summary.skip(reason, ids)
    told_now = cases.inform_in_bulk(session, items, as_of, actor)
    counts["reminders queued"] = len(told_now)
    summary.debtors = len({i["party_id"] for i in told_now})
    summary.posted = len(told_now)
    return counts
