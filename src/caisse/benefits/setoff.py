"""Set-off of a benefit against the person's contribution debts — only with the person's agreement (issue 8).

**The law, as far as the notes go.** The legislation notes say nothing of a set-off of a social benefit against
social contributions owed (searched: legislation.md, addendum-2026-11.md, parameters.yaml — "set-off",
"compensation", "retenue", "1410", "saisie"). The stored public pages found only a SECONDARY note from the family-
benefits agency (famipedia.be, 1989) on art. 1410 Judicial Code: §2 makes some social benefits unseizable, §4 lets a
paying body withhold ex officio at most 10 % of later benefits **for an undue payment of the same benefit** — and
asks whether a retention agreed by the debtor beyond that is lawful. Nothing there permits a fund to set off a
self-employed benefit against contribution debts, or limits it. So the fund never does it on its own motion:

- the person **agrees** for one claim (``record_consent``: from the portal, at the desk or by letter recorded by
  staff with its scan; optionally up to an amount), and may withdraw it while the payment is not ordered; it is the
  person's own agreement: an accountant's mandate does not cover it (the notes say nothing of who may give it);
- only debts **due** on the day of the grant (a quarter called and not yet due is not taken), **not contested**
  (no contestation recorded on the recovery file, art. 46), **not in a payment plan** (pending or active: the debts
  due on the day it was asked), the recovery not handed to a bailiff or lawyer, no bankruptcy open — every debt left
  out is listed with why;
- in the imputation order of the ledger (``ledger.imputation``, oldest quarter first, principal first);
- posted with the grant: the part set off goes to the person's ``credit`` in the grant transaction and an
  ``imputation`` (key ``benefit/claim/<id>/set-off``) settles the quarters — contributions paid by set-off count as
  paid (tax certificate, paid quarters) like any payment — and the rest is transferred;
- a **notice** in the person's language says what was set off against which quarter and what is transferred; the
  decision (and its PDF) records it.

Without an agreement nothing is set off, whatever is owed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.benefits.models import BenefitClaim, SetOffConsent
from caisse.benefits.payment_texts import ACCOUNT, CONSENT_LIMIT, CONSENT_MESSAGE, CONSENT_WITHDRAWN, SET_OFF_MESSAGE
from caisse.benefits.texts import KIND
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.ledger import Entry, Posting, post
from caisse.ledger.imputation import allocate, policy_named
from caisse.ledger.models import RECEIVABLE, LedgerTransaction
from caisse.ledger.queries import balances, pending_charges, split_not_yet_due
from caisse.rules.explain import fmt_date, fmt_money
from caisse.services import audit

RULE = "compensation acceptée par l'assuré (aucune base légale de compensation d'office dans les notes)"
LAW = ("set-off agreed by the person: the legislation notes give no legal basis for a set-off of a benefit against "
       "contribution debts without it (NOT FOUND; art. 1410 Judicial Code not in the notes)")
CHANNELS = ("portal", "desk", "letter")


def active_consent(session: Session, claim_id: int) -> SetOffConsent | None:
    return session.scalar(select(SetOffConsent).where(
        SetOffConsent.claim_id == claim_id, SetOffConsent.withdrawn_on.is_(None)).order_by(SetOffConsent.id.desc())
        .limit(1))


def _payment_ordered(session: Session, claim: BenefitClaim) -> bool:
    return claim.ledger_key is not None and session.scalar(select(LedgerTransaction.id).where(
        LedgerTransaction.key == claim.ledger_key)) is not None


def _open_to_consent(session: Session, claim_id: int) -> BenefitClaim:
    claim = session.get(BenefitClaim, claim_id, with_for_update=True)
    if claim is None:
        raise NotFound("claim", claim_id)
    if claim.payer not in (None, "fund") or claim.kind in ("maternity", "adoption"):
        raise Conflict("claim", "claim {claim} is paid by the mutuality: the fund has nothing to set off",
                       claim=claim_id)
    if claim.status == "refused" or (claim.status == "closed" and claim.outcome != "granted"):
        raise Conflict("claim", "claim {claim} is {status}: there is no benefit to set off", claim=claim_id,
                       status=claim.status)
    if _payment_ordered(session, claim) or claim.status == "closed":
        raise Conflict("claim", "the payment of claim {claim} is already ordered: too late to agree to a set-off",
                       claim=claim_id)
    return claim


def record_consent(session: Session, who, claim_id: int, on: dt.date, channel: str,
                   max_cents: int | None = None, attachment_id: int | None = None) -> SetOffConsent:
    """The person agrees that the benefit of ``claim_id`` is set off against their contribution debts (due, not
    contested, not in a payment plan), up to ``max_cents`` if given. Only while the payment is not ordered. Only the
    person's own agreement counts (the caller checks who: ``services.benefit_claims._consenting``); a signed one
    received on paper names its scan, ``attachment_id`` (a claim document), in the step."""
    if channel not in CHANNELS:
        raise InvalidInput("channel", "one of {channels}", channels=", ".join(CHANNELS))
    if max_cents is not None and (type(max_cents) is not int or max_cents <= 0):
        raise InvalidInput("max", "a positive amount, or nothing for the whole benefit")
    claim = _open_to_consent(session, claim_id)
    if on < claim.received_on:
        raise InvalidInput("on", "before the claim was received ({received})", received=claim.received_on)
    given = active_consent(session, claim_id)
    if given is not None:
        raise Conflict("claim", "the person already agreed on {day} for claim {claim}", day=given.given_on,
                       claim=claim_id)
    consent = SetOffConsent(claim_id=claim.id, person_id=claim.person_id, given_on=on, channel=channel,
                            max_cents=max_cents, recorded_by=str(who))
    session.add(consent)
    session.flush()
    from caisse.benefits.service import _language, _step

    _step(session, claim, "set_off_consent", on, who, {"consent": consent.id, "channel": channel,
                                                       "max_cents": max_cents, "law": LAW,
                                                       **({"attachment": attachment_id} if attachment_id else {})})
    lang = _language(session, claim.person_id)
    limit = CONSENT_LIMIT[lang].format(amount=fmt_money(max_cents, lang)) if max_cents else ""
    tell(session, who, claim, CONSENT_MESSAGE[lang].format(given=fmt_date(on, lang), kind=KIND[claim.kind][lang],
                                                           claim=claim.id, limit=limit), on)
    audit.record(session, who, "set_off_consent", "benefit_claim", claim.id, party_id=claim.person_id,
                 detail={"consent": consent.id, "channel": channel, "max_cents": max_cents})
    return consent


def withdraw_consent(session: Session, who, claim_id: int, on: dt.date,
                     attachment_id: int | None = None) -> SetOffConsent:
    """The person withdraws their agreement, while the payment is not ordered: nothing will be set off (their letter
    received on paper: ``attachment_id``, named in the step)."""
    claim = _open_to_consent(session, claim_id)
    consent = active_consent(session, claim_id)
    if consent is None:
        raise Conflict("claim", "no agreement to a set-off is recorded for claim {claim}", claim=claim_id)
    if on < consent.given_on:
        raise InvalidInput("on", "before the agreement of {day}", day=consent.given_on)
    consent.withdrawn_on, consent.withdrawn_by = on, str(who)
    from caisse.benefits.service import _language, _step

    _step(session, claim, "set_off_withdrawn", on, who,
          {"consent": consent.id, **({"attachment": attachment_id} if attachment_id else {})})
    lang = _language(session, claim.person_id)
    tell(session, who, claim, CONSENT_WITHDRAWN[lang].format(claim=claim.id, date=fmt_date(on, lang)), on)
    audit.record(session, who, "set_off_consent_withdrawn", "benefit_claim", claim.id, party_id=claim.person_id,
                 detail={"consent": consent.id})
    session.flush()
    return consent


def tell(session: Session, who, claim: BenefitClaim, text: str, on: dt.date) -> None:
    """A message to the person: in the claim's case while it is open, else in a case answered and closed."""
    from caisse.benefits.service import tell as tell_person

    tell_person(session, claim, text, on, f"Set-off — claim {claim.id}")


def eligible_debts(session: Session, person_id: int, on: dt.date) -> tuple[list, list[dict]]:
    """The person's contribution debts that may be set off on ``on`` (due, not contested, not in a payment plan, not
    with a bailiff or lawyer, no bankruptcy open, no dispensation or reduction asked for them and still waiting for a
    decision — a set-off would pay what the person asked not to pay), in imputation order, and those left out with
    why."""
    from caisse.recovery.models import PaymentPlan, RecoveryBankruptcy, RecoveryFile, ReductionRequest, ReliefRequest
    from caisse.recovery.relief import PENDING

    rows = [b for b in balances(session, party_id=person_id, accounts=RECEIVABLE) if b.balance_cents > 0]
    rows = split_not_yet_due(rows, pending_charges(session, [person_id], on).get(person_id), on)
    out, excluded = [], []

    def leave(b, why):
        excluded.append({"account": b.account, "period": b.period, "cents": b.balance_cents, "why": why})

    f = session.scalar(select(RecoveryFile).where(RecoveryFile.party_id == person_id))
    bankrupt = session.scalar(select(RecoveryBankruptcy.declared_on).where(
        RecoveryBankruptcy.party_id == person_id, RecoveryBankruptcy.status == "open").limit(1))
    plan = session.scalar(select(PaymentPlan).where(PaymentPlan.party_id == person_id,
                                                    PaymentPlan.status.in_(("pending", "active")))
                          .order_by(PaymentPlan.id.desc()).limit(1))
    dispensation_asked = {period: asked for periods, asked in session.execute(
        select(ReliefRequest.periods, ReliefRequest.requested_on).where(
            ReliefRequest.party_id == person_id, ReliefRequest.kind == "dispensation",
            ReliefRequest.status.in_(PENDING))) for period in periods}
    reduction_asked = dict(session.execute(select(ReductionRequest.year, ReductionRequest.requested_on).where(
        ReductionRequest.party_id == person_id, ReductionRequest.status.in_(("requested", "awaiting_approval")))).all())
    for b in rows:
        year = int(b.period[:4]) if b.period and b.period[:4].isdigit() else None
        if b.not_yet_due or (b.due_date is not None and b.due_date > on):
            leave(b, "not due yet")
        elif b.period in dispensation_asked:
            leave(b, f"dispensation asked on {dispensation_asked[b.period].isoformat()}: waiting for INASTI's decision")
        elif year in reduction_asked and b.account in ("contribution", "management_fee"):
            leave(b, f"reduction of the {year} contributions asked on {reduction_asked[year].isoformat()}: waiting "
                     "for a decision")
        elif bankrupt is not None:
            leave(b, f"bankruptcy declared on {bankrupt.isoformat()}: recovery stopped")
        elif f is not None and f.stage != "closed" and f.contest_kind == "contest":
            leave(b, f"contested on {f.contested_on.isoformat()} (art. 46 registered letter)")
        elif f is not None and f.stage in ("bailiff", "court"):
            leave(b, f"handed over for recovery ({f.stage})")
        elif plan is not None and (b.due_date is None or b.due_date <= plan.requested_on):
            leave(b, f"in payment plan {plan.id} ({plan.status})")
        else:
            out.append(b)
    return policy_named().ordered(out), excluded


def plan(session: Session, claim: BenefitClaim, available_cents: int, on: dt.date) -> dict | None:
    """The set-off the person agreed to for ``claim``, on the ``available_cents`` left of the benefit (after the
    withholding tax and an undue benefit withheld): None without an agreement."""
    consent = active_consent(session, claim.id)
    if consent is None:
        return None
    items, excluded = eligible_debts(session, claim.person_id, on)
    cap = available_cents if consent.max_cents is None else min(available_cents, consent.max_cents)
    lines = [{"account": b.account, "period": b.period, "cents": take}
             for b, take in allocate(max(cap, 0), items)] if cap > 0 else []
    total = sum(x["cents"] for x in lines)
    return {"consent": consent.id, "given_on": consent.given_on.isoformat(), "channel": consent.channel,
            "max_cents": consent.max_cents, "set_off_cents": total, "lines": lines, "excluded": excluded,
            "paid_cents": available_cents - total, "law": LAW}


def post_set_off(session: Session, who, claim: BenefitClaim, done: dict, on: dt.date) -> None:
    """After the grant credited the part set off to the person's ``credit``: the imputation on the quarters, the
    agreement marked used, the notice to the person."""
    consent = session.get(SetOffConsent, done["consent"])
    consent.used_on = on
    if not done["lines"]:
        from caisse.benefits.payment_texts import SET_OFF_DOC
        from caisse.benefits.service import _language

        lang = _language(session, claim.person_id)
        tell(session, who, claim, SET_OFF_DOC[lang]["none"].format(given=fmt_date(consent.given_on, lang)), on)
        return
    policy = policy_named()
    entries = [Entry(x["account"], -x["cents"], claim.person_id, x["period"], None, RULE[:100], "benefit_set_off",
                     {"claim": claim.id, "consent": consent.id, "policy": policy.name}) for x in done["lines"]]
    entries.append(Entry("credit", done["set_off_cents"], claim.person_id, None, None, RULE[:100], "benefit_set_off"))
    post(session, Posting(f"{claim.ledger_key}/set-off", "imputation", on, tuple(entries),
                          f"benefit of claim {claim.id} set off against contributions, agreed {consent.given_on}",
                          None, None, claim.ledger_key))
    from caisse.benefits.service import _language

    lang = _language(session, claim.person_id)
    lines = ", ".join(f"{x['period']} {ACCOUNT[x['account']][lang]} {fmt_money(x['cents'], lang)}"
                      for x in done["lines"])
    tell(session, who, claim, SET_OFF_MESSAGE[lang].format(
        given=fmt_date(consent.given_on, lang), set_off=fmt_money(done["set_off_cents"], lang),
        kind=KIND[claim.kind][lang], claim=claim.id, amount=fmt_money(claim.amount_cents, lang), lines=lines,
        paid=fmt_money(done["paid_cents"], lang)), on)
    audit.record(session, who, "set_off_contributions", "benefit_claim", claim.id, party_id=claim.person_id,
                 detail={"consent": consent.id, "set_off_cents": done["set_off_cents"],
                         "periods": [x["period"] for x in done["lines"]]})
