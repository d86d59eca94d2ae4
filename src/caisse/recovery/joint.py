"""Joint liability (art. 15 AR n° 38; legislation.md §6 [S32]): a company is jointly and severally liable for
the contributions, surcharges and reminder costs of its directors, **for the period of the mandate** only.

``call`` — the company is called (registered letter, fr/nl/de: ``documents/joint_call_letters.py``) for the
director's debts due and unpaid whose quarter falls within a mandate; the call is recorded (``joint_call``) and,
being a registered letter demanding payment of the director's debt, it **interrupts the prescription** of each debt
called (``prescription_interruption``, kind ``formal_notice``, via the company): proceedings against one jointly
liable debtor interrupt prescription for all [S32]. The director's own formal notice, contrainte or summons on his
file likewise interrupt the debt the company answers for: there is one clock per debt, whoever is pursued.

``pay`` — what the company pays is booked to the **director's** account (payer: the company) and imputed on the
debts of the call only. The letter carries the director's structured communication: a payment arriving through a
bank file (``caisse import coda``) lands on the director's account too, imputed by the ordinary rules.

The converse (``call_director`` / ``pay`` of a call whose ``liable`` is ``director``): the legislation notes say
that "conversely mandataries and partners are jointly liable for the company's annual contribution" (legislation.md
§6, [S32] FUND) and that "the mandatary or active partner is personally answerable for non-payment by the company"
(addendum 2026-11 §7, [S200] FUND); they give no article for it. A director (a person with a mandate at the company
on file) is called by registered letter for the company's ``company_contribution`` due and unpaid: the call records
the company's charges each amount comes from (ledger transaction keys and entry ids) and interrupts their
prescription (proceedings against one jointly liable party interrupt it for all [S32]). The debt stays once in the
ledger, on the company's account: what the director pays is booked there (payer: the director) and imputed on the
contributions called only; what the company pays settles the same items, so what the director still owes jointly
(``joint_debts``) is what is still open of them — never collected twice. What a director pays beyond it is his own
money: it goes to his own credit (``<key>/rest``), imputed on his own debts or refunded as any overpayment.

Where the notes are silent, nothing is decided by the code — the caseworker decides and the call keeps it
(``joint_call.decision``):
* **which mandate**: the notes do not say whether the mandatary answers for a contribution year outside his mandate
  (a former or a later director). The call shows each year against the mandates on file; a year no mandate overlaps
  is called only when the caseworker confirms it (``outside_mandate``) with his reason.
* **active partners** ("associés actifs" [S32][S200]) are not on file (only mandates are): they cannot be called here.
* **accessories**: the notes name the annual contribution only; the company contribution's surcharges (1 % per
  month, §7) are not built, so nothing but the contribution is called.
* **order of pursuit**: the notes do not say that the company must be pursued first; the company's recovery stage
  is shown and the choice is the caseworker's.

Not built, on purpose: the liability of the aided self-employed for a helper's contributions — its article is
NOT FOUND in the legislation notes (addendum 2026-11 §6.5); nothing is computed without a source.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.errors import InvalidInput, NotFound
from caisse.ledger import PaymentResult, balances
from caisse.recovery.models import JointCall, PrescriptionInterruption
from caisse.rules.prescription import period_year
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access
from caisse.services.calendar import Quarter
from caisse.store.models import Company, Mandate, Party, Person

#: what a company answers for: its director's contributions, surcharges and reminder costs [S32]
# The company answers for contributions, surcharges and *reminder* costs [S32] — not for judicial costs (bailiff,
# lawyer) nor anything else booked on ``costs``; the fund charges no reminder costs today, so ``costs`` is left out
# (an account of reminder costs, when the fund charges them, joins this list).
LIABLE_ACCOUNTS = ("contribution", "management_fee", "surcharge")
RULE = "AR n° 38 art. 15 (joint liability of the company for its directors)"


def quarter_bounds(period: str) -> tuple[dt.date, dt.date]:
    period_year(period)  # a period at all (its own message), then a quarter
    if len(period) != 6:
        raise InvalidInput("period", f"a director's contributions are quarterly (like 2026Q1), got {period!r}")
    q = Quarter.parse(period, "period")
    return q.first_day, q.last_day


def _mandate_of(mandates: list[Mandate], period: str) -> Mandate | None:
    """The mandate covering (part of) the quarter, or None."""
    first, last = quarter_bounds(period)
    for m in mandates:
        if m.valid_from <= last and (m.valid_to is None or m.valid_to >= first):
            return m
    return None


def _mandate_text(m: Mandate) -> str:
    return f"{m.valid_from}" + (f" to {m.valid_to}" if m.valid_to else " (running)")


def _mandates(session: Session, company_id: int, director_id: int) -> list[Mandate]:
    """The mandates of ``director_id`` at ``company_id``, oldest first; an unknown company or person is refused."""
    if session.get(Company, company_id) is None:
        raise InvalidInput("company", f"no company with file number {company_id}")
    if session.get(Person, director_id) is None:
        raise InvalidInput("director", f"no person with file number {director_id}")
    return list(session.scalars(select(Mandate).where(Mandate.company_id == company_id,
                                                      Mandate.person_id == director_id)
                                .order_by(Mandate.valid_from, Mandate.id)))


def callable_debts(session: Session, company_id: int, director_id: int, as_of: dt.date,
                   periods: list[str] | None = None) -> tuple[list[dict], Mandate]:
    """The director's debts the company can be called for on ``as_of`` (nothing written): due before ``as_of``,
    unpaid, in a quarter of the mandate. Each refusal names its field."""
    mandates = _mandates(session, company_id, director_id)
    if not mandates:
        raise InvalidInput("director", f"person {director_id} has never been a director of company {company_id}: "
                                       "the company answers only for its directors' contributions")
    rows = [b for b in balances(session, party_id=director_id, as_of=as_of, accounts=LIABLE_ACCOUNTS)
            if b.balance_cents > 0 and b.due_date is not None and b.due_date < as_of and len(b.period or "") == 6]
    if periods:
        for n, period in enumerate(periods):
            try:
                quarter_bounds(period)
            except InvalidInput as exc:
                raise InvalidInput(f"period[{n}]" if len(periods) > 1 else "period", exc.message) from None
            if _mandate_of(mandates, period) is None:
                raise InvalidInput("period", f"{period} is outside the mandate of person {director_id} at company "
                                             f"{company_id} ({'; '.join(_mandate_text(m) for m in mandates)}): the "
                                             "company answers only for the period of the mandate")
            if not any(b.period == period for b in rows):
                raise InvalidInput("period", f"nothing of {period} is due and unpaid by person {director_id} on "
                                             f"{as_of}")
        rows = [b for b in rows if b.period in periods]
    else:
        rows = [b for b in rows if _mandate_of(mandates, b.period) is not None]
        if not rows:
            raise InvalidInput("director", f"person {director_id} owes nothing due for the period of the mandate "
                                           f"({'; '.join(_mandate_text(m) for m in mandates)}) on {as_of}")
    rows.sort(key=lambda b: (b.period, LIABLE_ACCOUNTS.index(b.account)))
    debts = [{"period": b.period, "account": b.account, "cents": int(b.balance_cents)} for b in rows]
    return debts, _mandate_of(mandates, rows[0].period)


def _check_call(session: Session, who: Principal, company_id: int, director_id: int, as_of: dt.date,
                reason: str, today: dt.date | None) -> str:
    """What both calls check first, each refusal naming its field: the day (a call is an act done: never after
    ``today``, by default the real day — whoever calls, the command line, the desk or the API), the reason, both
    files and the caller's right to act on both. Returns the reason as kept."""
    from caisse.recovery.service import _reason

    if not isinstance(as_of, dt.date):
        raise InvalidInput("as_of", "a date is required (YYYY-MM-DD)")
    if as_of > (today or dt.date.today()):
        raise InvalidInput("as_of", "{day} is in the future", day=as_of)
    reason = _reason(reason)
    if session.get(Company, company_id) is None:
        raise InvalidInput("company", f"no company with file number {company_id}")
    if session.get(Person, director_id) is None:
        raise InvalidInput("director", f"no person with file number {director_id}")
    file_access(session, who, "recovery.manage", company_id)
    file_access(session, who, "recovery.manage", director_id)
    return reason


def _record(session: Session, who: Principal, jc: JointCall, debtor: int, called: int, rule: str) -> JointCall:
    """The call written: the row, the interruption of each debt called (the registered letter to ``called``
    interrupts the prescription of ``debtor``'s debt [S32]), an audit row on both files."""
    session.add(jc)
    session.flush()
    for x in jc.periods:
        session.add(PrescriptionInterruption(
            key=f"joint-call/{jc.id}/{x['account']}/{x['period']}", party_id=debtor, account=x["account"],
            period=x["period"], on=jc.called_on, kind="formal_notice", via_party_id=called, joint_call_id=jc.id,
            reason=f"joint call {jc.id}: registered letter to {'company' if jc.liable == 'company' else 'director'} "
                   f"{called} ({rule})", actor=str(who)))
    session.flush()
    for party in (jc.company_id, jc.director_id):
        audit.record(session, who, "joint_call", "joint_call", jc.id, party_id=party,
                     detail={"liable": jc.liable, "company": jc.company_id, "director": jc.director_id,
                             "amount_cents": jc.amount_cents, "periods": sorted({x["period"] for x in jc.periods}),
                             **({"outside_mandate": jc.decision["outside_mandate_confirmed"]} if jc.decision else {})})
    return jc


def call(session: Session, who: Principal, company_id: int, director_id: int, as_of: dt.date, reason: str, *,
         periods: list[str] | None = None, today: dt.date | None = None) -> JointCall:
    """Call the company for its director's unpaid debts of the mandate period (see the module docstring); ``as_of``
    after ``today`` (the real day by default) is refused."""
    reason = _check_call(session, who, company_id, director_id, as_of, reason, today)
    debts, mandate = callable_debts(session, company_id, director_id, as_of, periods)
    key = f"joint-call/{company_id}/{director_id}/{as_of.isoformat()}"
    existing = session.scalar(select(JointCall).where(JointCall.key == key))
    if existing is not None:
        return existing
    language = session.get(Party, company_id).language
    return _record(session, who, JointCall(
        key=key, liable="company", company_id=company_id, director_id=director_id, mandate_id=mandate.id,
        called_on=as_of, amount_cents=sum(x["cents"] for x in debts), periods=debts, language=language,
        reason=reason, actor=str(who)), director_id, company_id, RULE)


def pay(session: Session, who: Principal, call_id: int, key: str, amount_cents: int, on: dt.date, *,
        reference: str | None = None) -> PaymentResult:
    """The called party pays (part of) what it was called for. A company called for its director: booked to the
    director's account (payer: the company), then imputed on the debts of the call only, in the call's order
    (oldest quarter first, principal first) — never on a debt outside the mandate; what exceeds them stays on the
    director's credit. A director called for the company contribution: ``_pay_for_company``."""
    from caisse.ledger import Entry, imputation_posting, payment_posting, post
    from caisse.ledger.posting import transaction_id

    jc = session.get(JointCall, call_id)
    if jc is None:
        raise NotFound("joint call", call_id)
    file_access(session, who, "recovery.manage", jc.director_id if jc.liable == "company" else jc.company_id)
    if not key or len(key) > 180:
        raise InvalidInput("key", "the payment's reference in the bank file (1-180 characters) is required")
    if not isinstance(on, dt.date):
        raise InvalidInput("on", "a date is required (YYYY-MM-DD)")
    if on < jc.called_on:
        raise InvalidInput("on", f"is before the joint call of {jc.called_on}")
    if jc.liable == "director":
        return _pay_for_company(session, who, jc, key, amount_cents, on, reference)
    company = session.get(Company, jc.company_id)
    receipt = post(session, payment_posting(key, on, amount_cents, jc.director_id, reference=reference,
                                            counterparty={"name": company.name, "kbo": company.kbo,
                                                          "joint_call": jc.id, "rule": RULE}))
    imputed = None
    if receipt.created or transaction_id(session, f"{key}/imputation") is None:
        open_ = {(b.account, b.period): int(b.balance_cents)
                 for b in balances(session, party_id=jc.director_id, accounts=LIABLE_ACCOUNTS)}
        left, entries = amount_cents, []
        for n, x in enumerate(jc.periods, start=1):
            take = min(left, max(open_.get((x["account"], x["period"]), 0), 0))
            if take <= 0:
                continue
            left -= take
            entries.append(Entry(x["account"], -take, jc.director_id, x["period"], None, RULE, "joint_call",
                                 {"order": n, "joint_call": jc.id, "paid_by": jc.company_id}))
        if entries:
            entries.append(Entry("credit", amount_cents - left, jc.director_id, None, None, RULE, "joint_call"))
            imputed = post(session, imputation_posting(f"{key}/imputation", on, entries, jc.periods[0]["period"]))
    audit.record(session, who, "joint_payment", "joint_call", jc.id, party_id=jc.director_id,
                 detail={"amount_cents": amount_cents, "company": jc.company_id, "key": key})
    return PaymentResult(receipt, imputed)


# -- the converse: a director called for the company's annual contribution ---------------------------------------

#: what a director answers for: the company's annual contribution — the notes name nothing else [S32][S200]
COMPANY_LIABLE_ACCOUNTS = ("company_contribution",)
DIRECTOR_RULE = "mandataries jointly liable for the company contribution (legislation §6-§7 [S32][S200])"
SOURCES = ("legislation.md §6: conversely mandataries and partners are jointly liable for the company's annual "
           "contribution [S32]; addendum 2026-11 §7: the mandatary or active partner is personally answerable for "
           "non-payment by the company [S200]; no article given")


def _year_bounds(period: str) -> tuple[dt.date, dt.date]:
    if len(period or "") != 4 or not period.isdigit():
        raise InvalidInput("period", f"the company contribution is yearly (like 2025), got {period!r}")
    return dt.date(int(period), 1, 1), dt.date(int(period), 12, 31)


def _covers(m: Mandate, first: dt.date, last: dt.date) -> bool:
    return m.valid_from <= last and (m.valid_to is None or m.valid_to >= first)


def _charges_of(session: Session, company_id: int, years: list[str]) -> dict[str, list[dict]]:
    """The company's ledger charges each called year comes from: transaction key and entry id."""
    from caisse.ledger.models import LedgerEntry, LedgerTransaction

    out: dict[str, list[dict]] = {y: [] for y in years}
    rows = session.execute(select(LedgerEntry.period, LedgerEntry.id, LedgerTransaction.key, LedgerEntry.amount_cents)
                           .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
                           .where(LedgerEntry.party_id == company_id, LedgerEntry.account.in_(COMPANY_LIABLE_ACCOUNTS),
                                  LedgerEntry.period.in_(years), LedgerEntry.amount_cents > 0)
                           .order_by(LedgerEntry.id))
    for period, entry_id, tkey, cents in rows:
        out[period].append({"entry": int(entry_id), "transaction": tkey, "cents": int(cents)})
    return out


def director_callable(session: Session, company_id: int, director_id: int, as_of: dt.date,
                      periods: list[str] | None = None, *, outside_mandate: bool = False
                      ) -> tuple[list[dict], Mandate, dict]:
    """The company's annual contributions a director can be called for on ``as_of`` (nothing written): due before
    ``as_of`` and unpaid. Returns the debts (with the company's charges they come from), the mandate shown on the
    letter and the decision the caseworker takes where the notes are silent. Each refusal names its field."""
    mandates = _mandates(session, company_id, director_id)
    if not mandates:
        raise InvalidInput("director", f"person {director_id} has no mandate at company {company_id} on file: the "
                                       "notes make the company's mandataries (and active partners, not on file) "
                                       "jointly liable for its annual contribution [S32][S200]")
    rows = [b for b in balances(session, party_id=company_id, as_of=as_of, accounts=COMPANY_LIABLE_ACCOUNTS)
            if b.balance_cents > 0 and b.due_date is not None and b.due_date < as_of]
    if periods:
        for n, period in enumerate(periods):
            try:
                _year_bounds(period)
            except InvalidInput as exc:
                raise InvalidInput(f"period[{n}]" if len(periods) > 1 else "period", exc.message) from None
            if not any(b.period == period for b in rows):
                raise InvalidInput("period", f"nothing of the company contribution {period} is due and unpaid by "
                                             f"company {company_id} on {as_of}")
        rows = [b for b in rows if b.period in periods]
    if not rows:
        raise InvalidInput("company", f"company {company_id} owes no company contribution due and unpaid on {as_of}")
    rows.sort(key=lambda b: b.period)
    years = [b.period for b in rows]
    covered = {y: any(_covers(m, *_year_bounds(y)) for m in mandates) for y in years}
    outside = [y for y in years if not covered[y]]
    if outside and not outside_mandate:
        raise InvalidInput("period", f"{', '.join(outside)} outside the mandate of person {director_id} at company "
                                     f"{company_id} ({'; '.join(_mandate_text(m) for m in mandates)}): the "
                                     "legislation notes do not say whether a mandatary answers for a year outside "
                                     "his mandate — a caseworker's decision: confirm it (outside_mandate) with the "
                                     "reason, or call other years")
    charges = _charges_of(session, company_id, years)
    debts = [{"period": b.period, "account": b.account, "cents": int(b.balance_cents),
              "charges": charges.get(b.period, [])} for b in rows]
    first, last = _year_bounds(years[0])
    mandate = next((m for m in mandates if _covers(m, first, last)), mandates[-1])
    decision = {"mandate_covers": covered, "outside_mandate_confirmed": bool(outside),
                "mandates": [_mandate_text(m) for m in mandates], "sources": SOURCES,
                "left_to_the_caseworker": ["a year outside the mandate", "whether the company is pursued first"]}
    return debts, mandate, decision


def call_director(session: Session, who: Principal, company_id: int, director_id: int, as_of: dt.date, reason: str,
                  *, periods: list[str] | None = None, outside_mandate: bool = False,
                  today: dt.date | None = None) -> JointCall:
    """Call a director (mandatary) for the company's unpaid annual contribution (see the module docstring): the
    call recorded with the company's charges it comes from, prescription interrupted, the registered letter;
    ``as_of`` after ``today`` (the real day by default) is refused."""
    reason = _check_call(session, who, company_id, director_id, as_of, reason, today)
    debts, mandate, decision = director_callable(session, company_id, director_id, as_of, periods,
                                                 outside_mandate=outside_mandate)
    key = f"joint-call/director/{company_id}/{director_id}/{as_of.isoformat()}"
    existing = session.scalar(select(JointCall).where(JointCall.key == key))
    if existing is not None:
        return existing
    return _record(session, who, JointCall(
        key=key, liable="director", company_id=company_id, director_id=director_id, mandate_id=mandate.id,
        called_on=as_of, amount_cents=sum(x["cents"] for x in debts), periods=debts,
        language=session.get(Party, director_id).language, reason=reason, actor=str(who), decision=decision),
        company_id, director_id, DIRECTOR_RULE)


def still_open(session: Session, jc: JointCall) -> list[dict]:
    """What is still open of each debt called, read on its debtor's account now: a payment by either side (or a
    write-off) lowers it — the called party never owes more than the debtor still does."""
    debtor = jc.director_id if jc.liable == "company" else jc.company_id
    accounts = LIABLE_ACCOUNTS if jc.liable == "company" else COMPANY_LIABLE_ACCOUNTS
    open_ = {(b.account, b.period): int(b.balance_cents) for b in balances(session, party_id=debtor, accounts=accounts)}
    return [{**x, "open_cents": min(int(x["cents"]), max(open_.get((x["account"], x["period"]), 0), 0))}
            for x in jc.periods]


def joint_debts(session: Session, party_id: int) -> list[dict]:
    """The calls a party answers for as jointly liable (a director for his company's contribution, a company for
    its director's contributions), each with what is still open of it: the joint debt on the party's file, read
    from the debtor's ledger entries (never booked twice)."""
    from sqlalchemy import and_, or_

    calls = session.scalars(select(JointCall).where(or_(
        and_(JointCall.liable == "director", JointCall.director_id == party_id),
        and_(JointCall.liable == "company", JointCall.company_id == party_id))).order_by(JointCall.called_on,
                                                                                         JointCall.id))
    out = []
    for jc in calls:
        items = still_open(session, jc)
        out.append({"call": jc, "items": items, "open_cents": sum(x["open_cents"] for x in items)})
    return out


def _pay_for_company(session: Session, who: Principal, jc: JointCall, key: str, amount_cents: int, on: dt.date,
                     reference: str | None) -> PaymentResult:
    """A director pays (part of) the company contribution he was called for: booked to the company's account
    (payer: the director) up to what is still open of the call, imputed on the contributions called only; the rest
    is his own money, booked to his own credit (``<key>/rest``) and imputed by the ordinary rules."""
    from caisse.ledger import Entry, PostResult, imputation_posting, payment_posting, post, receive_payment
    from caisse.ledger.posting import transaction_id

    if type(amount_cents) is not int or amount_cents <= 0:
        raise InvalidInput("amount", "a positive amount")
    done = [k for k in (key, f"{key}/rest") if transaction_id(session, k) is not None]
    if done:  # the same bank line again: nothing new
        return PaymentResult(PostResult(transaction_id(session, done[0]), done[0], False), None)
    person = session.get(Person, jc.director_id)
    payer = {"name": f"{person.first_name} {person.last_name}", "file": jc.director_id, "joint_call": jc.id,
             "rule": DIRECTOR_RULE}
    items = still_open(session, jc)
    to_company = min(amount_cents, sum(x["open_cents"] for x in items))
    receipt = imputed = None
    if to_company > 0:
        receipt = post(session, payment_posting(key, on, to_company, jc.company_id, reference=reference,
                                                counterparty=payer))
        left, entries = to_company, []
        for n, x in enumerate(items, start=1):
            take = min(left, x["open_cents"])
            if take <= 0:
                continue
            left -= take
            entries.append(Entry(x["account"], -take, jc.company_id, x["period"], None, DIRECTOR_RULE, "joint_call",
                                 {"order": n, "joint_call": jc.id, "paid_by": jc.director_id}))
        entries.append(Entry("credit", to_company, jc.company_id, None, None, DIRECTOR_RULE, "joint_call"))
        imputed = post(session, imputation_posting(f"{key}/imputation", on, entries, items[0]["period"]))
    rest = amount_cents - to_company
    if rest > 0:
        own = receive_payment(session, f"{key}/rest", on, rest, jc.director_id, reference=reference,
                              counterparty={"joint_call": jc.id, "note": "beyond what was still open of the company "
                                                                         "contribution called: the director's own"})
        receipt = receipt or own.receipt
    audit.record(session, who, "joint_payment", "joint_call", jc.id, party_id=jc.company_id,
                 detail={"amount_cents": amount_cents, "to_company_cents": to_company, "rest_cents": rest,
                         "director": jc.director_id, "key": key})
    return PaymentResult(receipt, imputed)


def record_interruption(session: Session, who: Principal, party_id: int, on: dt.date, kind: str, reason: str, *,
                        period: str | None = None, account: str | None = None,
                        via_party_id: int | None = None) -> PrescriptionInterruption:
    """An act interrupting prescription that is not on file elsewhere: an acknowledgement of debt signed by the
    debtor, a summons or a contrainte served (on the debtor or a jointly liable party, ``via_party_id``)."""
    from caisse.ledger.models import RECEIVABLE
    from caisse.recovery.models import INTERRUPTIONS
    from caisse.recovery.service import _reason

    file_access(session, who, "recovery.manage", party_id)
    reason = _reason(reason)
    if kind not in INTERRUPTIONS or kind == "payment":
        raise InvalidInput("kind", "acknowledgement, formal_notice, enforcement or summons (payments are read from "
                                   "the ledger)")
    if not isinstance(on, dt.date):
        raise InvalidInput("on", "a date is required (YYYY-MM-DD)")
    if period is not None:
        period_year(period)
    if account is not None and (account not in RECEIVABLE or period is None):
        raise InvalidInput("account", f"one of {', '.join(RECEIVABLE)}, with a period")
    if via_party_id is not None and session.get(Party, via_party_id) is None:
        raise InvalidInput("via", f"no file number {via_party_id}")
    from sqlalchemy import func

    n = session.scalar(select(func.count()).select_from(PrescriptionInterruption).where(
        PrescriptionInterruption.party_id == party_id)) or 0
    row = PrescriptionInterruption(key=f"interruption/{party_id}/{on.isoformat()}/{n + 1}", party_id=party_id,
                                   account=account, period=period, on=on, kind=kind, via_party_id=via_party_id,
                                   reason=reason, actor=str(who))
    session.add(row)
    session.flush()
    audit.record(session, who, "prescription_interruption", "prescription_interruption", row.id, party_id=party_id,
                 detail={"kind": kind, "on": on.isoformat(), "period": period, "via": via_party_id})
    return row
