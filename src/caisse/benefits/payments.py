"""Paying a granted benefit (issue 8, payments part): the late-payment interest paid of the fund's own motion.

Charter art. 20 (addendum §15 [S234][S242]): a benefit paid after its deadline (``claim.payment_due``, Charter art.
12: 4 months from the notification) bears interest de plein droit, in favour of the insured, from the day after.
``benefits.interest.compute`` computes it with the rates the fund entered (``legal_interest.yaml``, each with its
source). When **every day late has a rate**, the interest is **ordered** here — one ``benefit`` transaction, key
``benefit/claim/<id>/interest`` (Dr ``benefit_expense``, Cr the person's ``benefit`` payable, rule Charter art. 20,
the days and rates in the entry's explanation) — so ``caisse export credit-transfers`` pays it in a pain.001 like
any benefit, and the person is told in their language (amount, days, rates, the law) in a case of their file:

- by the payment run itself (``order_for_run``): a grant paid late in a run gets its interest up to that run's
  execution date in the same file, beside the benefit;
- else by ``follow_up`` once it sees the benefit paid late (a rate entered after the run): paid by the next run.

When some day late has no rate entered, nothing is guessed and nothing ordered: a caseworker task says so (as
before). The interest order is keyed, so it is never posted twice; the fund pays no interest on interest.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.benefits.models import BenefitClaim
from caisse.benefits.payment_texts import INTEREST_BASE, INTEREST_MESSAGE, INTEREST_RATE, INTEREST_SUBJECT
from caisse.benefits.texts import KIND
from caisse.ledger import Entry, Posting, post
from caisse.ledger.models import LedgerTransaction
from caisse.rules.explain import fmt_date, fmt_money
from caisse.services import audit
from caisse.services.calendar import Quarter

INTEREST_RULE = "Charte de l'assuré social, art. 20 — intérêts de retard"
GRANT_KEY = re.compile(r"^benefit/claim/(\d+)$")


def interest_key(claim_id: int) -> str:
    return f"benefit/claim/{claim_id}/interest"


def interest_ordered(session: Session, claim_id: int) -> bool:
    return session.scalar(select(LedgerTransaction.id).where(
        LedgerTransaction.key == interest_key(claim_id))) is not None


def order_interest(session: Session, who, claim: BenefitClaim, paid_on: dt.date, today: dt.date) -> dict:
    """The interest of ``claim`` paid on ``paid_on`` (``benefits.interest``), ordered when computed and above zero;
    the result carries ``ordered`` (the ledger key) or why it is not. Told to the person once, when ordered."""
    from caisse.benefits.service import late_interest

    interest = late_interest(session, claim, paid_on)
    if interest_ordered(session, claim.id):
        return {**interest, "ordered": interest_key(claim.id), "already": True}
    if interest["interest"] != "computed" or interest["interest_cents"] <= 0:
        return interest
    cents = interest["interest_cents"]
    period = str(Quarter.of(claim.period_start))
    detail = {"claim": claim.id, "kind": claim.kind, "interest": {
        k: interest[k] for k in ("interest_from", "interest_to", "days", "base_cents")},
        "rates": [{k: p[k] for k in ("from", "to", "days", "rate", "source")} for p in interest["periods"]]}
    post(session, Posting(interest_key(claim.id), "benefit", today, (
        Entry("benefit_expense", cents, claim.person_id, period, None, INTEREST_RULE[:100], "legal_interest"),
        Entry("benefit", -cents, claim.person_id, period, None, INTEREST_RULE[:100], "legal_interest", detail)),
        f"late-payment interest, claim {claim.id}"))
    audit.record(session, who, "order_interest", "benefit_claim", claim.id, party_id=claim.person_id,
                 detail={"interest_cents": cents, "days": interest["days"], "paid_on": paid_on.isoformat()})
    _tell(session, claim, interest, paid_on, today)
    return {**interest, "ordered": interest_key(claim.id)}


def _tell(session: Session, claim: BenefitClaim, interest: dict, paid_on: dt.date, today: dt.date) -> None:
    """The notice to the person, in their language: a case of their file, answered and closed by the fund."""
    from caisse.benefits.service import _language
    from caisse.cases.service import answer, close, open_case
    from caisse.security.authz import Principal

    lang = _language(session, claim.person_id)
    rates = "; ".join(INTEREST_RATE[lang].format(days=p["days"], rate=_percent(p["rate"], lang))
                      for p in interest["periods"])
    text = INTEREST_MESSAGE[lang].format(
        kind=KIND[claim.kind][lang], claim=claim.id, amount=fmt_money(claim.amount_cents, lang),
        due=fmt_date(claim.payment_due, lang), paid=fmt_date(paid_on, lang), days=interest["days"],
        interest=fmt_money(interest["interest_cents"], lang), rates=rates,
        base="" if interest["base_cents"] == claim.amount_cents else INTEREST_BASE[lang].format(
            base=fmt_money(interest["base_cents"], lang)),
        start=fmt_date(dt.date.fromisoformat(interest["interest_from"]), lang),
        end=fmt_date(dt.date.fromisoformat(interest["interest_to"]), lang))
    fund = Principal.system("benefits")
    case = open_case(session, fund, claim.person_id, "benefit_claim", INTEREST_SUBJECT["en"].format(claim=claim.id),
                     f"Late-payment interest of claim {claim.id} ordered: {interest['interest_cents']} cents",
                     today, channel="system")
    answer(session, fund, case.id, text, today)
    close(session, fund, case.id, today)


def _percent(rate: str, lang: str) -> str:
    text = format((Decimal(rate) * 100).normalize(), "f")
    return text.replace(".", ",") if lang in ("fr", "de", "nl") else text


def order_for_run(session: Session, who, grant_keys: list[str], execution_date: dt.date) -> list[str]:
    """The payment run (``caisse export credit-transfers``) pays the grants ``grant_keys`` on ``execution_date``:
    each one paid after its deadline gets its interest to that day ordered now, so the same file pays it. Returns
    the interest orders posted."""
    ids = [int(m.group(1)) for k in grant_keys if (m := GRANT_KEY.match(k))]
    out = []
    from caisse.benefits.service import refresh_payment_due

    for claim in session.scalars(select(BenefitClaim).where(BenefitClaim.id.in_(ids)).order_by(BenefitClaim.id)):
        refresh_payment_due(session, who, claim, execution_date)  # the rule's figure changed since it was recorded
        if claim.payment_due is None or execution_date <= claim.payment_due or interest_ordered(session, claim.id):
            continue
        if order_interest(session, who, claim, execution_date, execution_date).get("ordered"):
            out.append(interest_key(claim.id))
    return out


def retry_interest(session: Session, who, as_of: dt.date) -> int:
    """Claims paid late whose interest could not be computed (a caseworker task ``benefit/interest/<id>`` still
    open): once the fund has entered the missing rates, the interest is ordered (paid by the next run), the task
    answered and closed, a step ``interest_due`` records it. Returns how many were ordered."""
    from caisse.benefits.service import _step
    from caisse.cases.models import Case, CaseMessage

    waiting = session.scalars(select(BenefitClaim).join(Case, Case.key == "benefit/interest/" + _text_id())
                              .where(BenefitClaim.late.is_(True), BenefitClaim.paid_on.is_not(None),
                                     Case.status != "closed").order_by(BenefitClaim.id))
    done = 0
    for claim in list(waiting):
        interest = order_interest(session, who, claim, claim.paid_on, as_of)
        if not interest.get("ordered"):
            continue
        _step(session, claim, "interest_due", as_of, who, interest)
        task = session.scalar(select(Case).where(Case.key == f"benefit/interest/{claim.id}"))
        # a task of the fund's own: an internal note, closed — the person got the notice (``_tell``)
        session.add(CaseMessage(case_id=task.id, direction="internal", author=str(who), body=(
            f"Rates entered: interest of {fmt_money(interest['interest_cents'], 'en')} ordered "
            f"({interest['ordered']}), paid by the next credit-transfer run.")))
        task.status, task.answered_on, task.closed_on, task.waiting_since = "closed", as_of, as_of, None
        audit.record(session, who, "close", "case", task.id, party_id=claim.person_id, detail={"task": True})
        done += 1
    return done


def _text_id():
    from sqlalchemy import String, cast

    return cast(BenefitClaim.id, String)
