"""A benefit paid wrongly, claimed back (issue 8 and 7; Charter of the social insured arts. 14 and 23, addendum §15).

``claim_back`` takes the motivated decision — the finding, the total and how it is computed (paid − due), the
provision breached (one of ``texts.GROUND`` with the benefit's legal ground), the appeal route (labour court, 3
months, art. 23), the art. 14 mentions of a recovery decision (prescription and waiver: not in the notes, recorded
as missing unless the fund's ``charter.yaml`` gives them; instalments: a payment plan may be asked) — in fr/nl/de,
stored whole so its PDF prints the same later; posts the debt in the ledger (key ``benefit/undue/<id>``: Dr the
person's ``costs`` of the decision's quarter, due after ``undue_benefit_payment_days`` (fund policy), Cr
``benefit_expense``: the expense is undone), and tells the person in their language.

The debt is then recovered either by the person's payment (imputed like any open item) or by **set-off against
the person's later benefits**: ``settle_on_grant`` is called by ``service.decide`` when it grants a benefit the
fund pays; the grant itself then credits the open undue instead of the person's payable (one balanced
``benefit`` transaction: Dr benefit_expense the whole amount, Cr benefit what is still paid, Cr costs what is
withheld), so the credit-transfer export pays only the rest and the person is told what was withheld. Whether the
law limits what may be withheld from a later benefit is not in the notes: the whole open amount is set off (an
assumption to confirm). Undue benefits bear interest against the insured only in case of fraud (art. 20,
addendum §15): none is charged here.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import caisse
from caisse.benefits import charter
from caisse.benefits.models import BenefitClaim, UndueBenefit
from caisse.benefits.texts import GROUND, KIND, LANGS, LAW, MESSAGE, UNDUE_DOC, parameter_law
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.ledger import Entry, Posting, post
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.rules.explain import fmt_date, fmt_money
from caisse.rules.params import load
from caisse.services import audit
from caisse.services.calendar import Quarter

RULE = "Charte de l'assuré social, art. 14 — récupération d'une prestation indue"


def _paid(session: Session, claim: BenefitClaim) -> tuple[int, dt.date | None]:
    """What the fund actually paid on the claim (payouts of its order, set-offs included) and when."""
    order = session.scalar(select(LedgerTransaction.id).where(LedgerTransaction.key == claim.ledger_key))
    if order is None:
        return 0, None
    paid, on = session.execute(select(func.sum(LedgerEntry.amount_cents), func.max(LedgerTransaction.booked_on))
                               .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
                               .where(LedgerTransaction.refers_to_id == order, LedgerTransaction.kind == "payout",
                                      LedgerEntry.account == "benefit")).one()
    withheld = sum((claim.decision or {}).get("set_off", {}).get("withheld", {}).values())
    return int(paid or 0) + withheld, on or (claim.decided_on if withheld else None)


def claim_back(session: Session, who, claim_id: int, amount_cents: int, ground: str, finding: str,
               today: dt.date) -> UndueBenefit:
    """Decide that ``amount_cents`` of claim ``claim_id`` was paid wrongly, post the debt, tell the person."""
    from caisse.benefits.service import _language, _step
    from caisse.cases.service import open_case, write

    claim = session.get(BenefitClaim, claim_id, with_for_update=True)
    if claim is None:
        raise NotFound("claim", claim_id)
    if ground not in GROUND:
        raise InvalidInput("ground", f"one of {', '.join(GROUND)}")
    finding = (finding or "").strip()
    if not finding or len(finding) > 1000:
        raise InvalidInput("finding", "what was found, in the person's language (1 to 1000 characters)")
    if type(amount_cents) is not int or amount_cents <= 0:
        raise InvalidInput("amount", "a positive amount")
    if claim.outcome != "granted" or claim.payer != "fund":
        raise Conflict("claim", f"claim {claim_id} is not a benefit the fund granted and paid")
    paid, paid_on = _paid(session, claim)
    if paid_on is None or paid <= 0:
        raise Conflict("claim", f"claim {claim_id} is not paid yet: correct the grant, there is nothing to claim back")
    if today < paid_on:
        raise InvalidInput("today", f"before the payment of {paid_on}")
    before = int(session.scalar(select(func.coalesce(func.sum(UndueBenefit.amount_cents), 0))
                                .where(UndueBenefit.claim_id == claim_id)))
    if amount_cents > paid - before:
        left = fmt_money(paid - before, "en")
        raise InvalidInput("amount", f"more than what was paid and not yet claimed back ({left})")
    params = load()
    days = params.get("undue_benefit_payment_days", today)
    appeal = params.get("charter_appeal_months", today)
    due_date = today + dt.timedelta(days=days.value)
    undue = UndueBenefit(claim_id=claim_id, person_id=claim.person_id, amount_cents=amount_cents, decided_on=today,
                         due_date=due_date, decision={}, ledger_key="", period=str(Quarter.of(today)),
                         status="open", created_by=str(who))
    session.add(undue)
    session.flush()
    undue.ledger_key = f"benefit/undue/{undue.id}"
    due = paid - before - amount_cents
    decision = {
        "outcome": "undue", "claim": claim_id, "kind": claim.kind, "decided_on": today.isoformat(),
        "paid_cents": paid - before, "paid_on": paid_on.isoformat(), "due_cents": due, "undue_cents": amount_cents,
        "finding": finding, "ground": ground,
        "ground_text": {lang: GROUND[ground][lang] for lang in LANGS},
        "law": LAW[claim.kind], "rule": RULE, "caisse_version": caisse.__version__,
        "due_date": due_date.isoformat(),
        "payment_days": {"value": days.value, "status": days.status, "law": days.parameter.law},
        "appeal": {"months": appeal.value, "from": appeal.start.isoformat(),
                   "law": {lang: parameter_law(appeal.parameter.law, lang) for lang in LANGS},
                   "sources": [{"tag": s.tag, "title": s.title, "url": s.url} for s in appeal.sources]},
        "charter": charter.mentions(session, claim.person_id, today, undue=True),
    }
    undue.decision = decision
    post(session, Posting(undue.ledger_key, "charge", today, (
        Entry("costs", amount_cents, claim.person_id, undue.period, due_date, RULE[:100], f"benefit_claim:{claim_id}",
              {"undue": undue.id, "claim": claim_id, "ground": ground}),
        Entry("benefit_expense", -amount_cents, claim.person_id, undue.period, None, RULE[:100],
              f"benefit_claim:{claim_id}")), f"undue benefit, claim {claim_id}"))
    lang = _language(session, claim.person_id)
    case = open_case(session, who, claim.person_id, "benefit_claim", f"Undue benefit {undue.id} — claim {claim_id}",
                     f"Undue {amount_cents} cents on claim {claim_id}: {ground}; {finding}", today, channel="system")
    write(session, who, case.id, MESSAGE["undue"][lang].format(undue=undue.id, amount=fmt_money(amount_cents, lang),
                                                               kind=KIND[claim.kind][lang]), today)
    undue.case_id = case.id
    _step(session, claim, "undue", today, who, {"undue": undue.id, "amount_cents": amount_cents, "ground": ground})
    audit.record(session, who, "create", "benefit_undue", undue.id, party_id=claim.person_id,
                 detail={"claim": claim_id, "amount_cents": amount_cents, "ground": ground})
    session.flush()
    return undue


def open_undue(session: Session, person_id: int) -> list[tuple[UndueBenefit, int]]:
    """The person's undue benefits still owed, oldest first, with what is left of each: the undue amount less
    what later benefits already withheld, never more than the open balance of its ledger item (a payment by the
    person settles it too)."""
    out = []
    for u in session.scalars(select(UndueBenefit).where(UndueBenefit.person_id == person_id,
                                                        UndueBenefit.status == "open").order_by(UndueBenefit.id)):
        withheld = -int(session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(LedgerEntry.account == "costs", LedgerEntry.party_id == person_id,
                   LedgerEntry.parameter == f"benefit_undue:{u.id}")))
        open_item = int(session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
                LedgerEntry.account == "costs", LedgerEntry.party_id == person_id, LedgerEntry.period == u.period)))
        left = max(0, min(u.amount_cents - withheld, open_item))
        out.append((u, left))
    return out


def grant_with_set_off(session: Session, who, claim: BenefitClaim, amount_cents: int, today: dt.date,
                       rule: str, parameter: str) -> dict[int, int]:
    """Post the grant of ``claim`` (key ``benefit/claim/<id>``), withholding the person's open undue benefits:
    ``{undue id: cents withheld}``. Without open undue it is exactly ``ledger.grant_benefit``."""
    from caisse.benefits.service import _language

    period = str(Quarter.of(claim.period_start))
    entries = [Entry("benefit_expense", amount_cents, claim.person_id, period, None, rule, parameter)]
    withheld: dict[int, int] = {}
    rest = amount_cents
    for u, left in open_undue(session, claim.person_id):
        take = min(left, rest)
        if take <= 0:
            continue
        withheld[u.id] = take
        rest -= take
        entries.append(Entry("costs", -take, claim.person_id, u.period, None, RULE[:100], f"benefit_undue:{u.id}",
                             {"set_off": "benefit", "claim": claim.id, "undue": u.id}))
        if take == left:
            u.status, u.recovered_on = "recovered", today
    if rest:
        entries.append(Entry("benefit", -rest, claim.person_id, period, None, rule, parameter,
                             {"claim": claim.id, "kind": claim.kind}))
    post(session, Posting(claim.ledger_key, "benefit", today, tuple(entries)))
    if withheld:
        lang = _language(session, claim.person_id)
        for undue_id, take in withheld.items():
            u = session.get(UndueBenefit, undue_id)
            text = MESSAGE["set_off"][lang].format(claim=claim.id, kind=KIND[claim.kind][lang],
                                                   amount=fmt_money(amount_cents, lang),
                                                   withheld=fmt_money(take, lang), undue=undue_id,
                                                   paid=fmt_money(rest, lang))
            if u.case_id is not None:
                from caisse.cases.service import write

                write(session, who, u.case_id, text, today)
            audit.record(session, who, "set_off", "benefit_undue", undue_id, party_id=claim.person_id,
                         detail={"claim": claim.id, "withheld_cents": take})
    return withheld


def undue_lines(u: UndueBenefit, lang: str) -> list[tuple[str, str]]:
    """(style, text) lines of the recovery decision, from what was stored when it was taken."""
    from caisse.documents.benefit_decisions import charter_lines

    d, t = u.decision, UNDUE_DOC[lang]
    money = {k: fmt_money(d[k], lang) for k in ("paid_cents", "due_cents", "undue_cents")}
    out = [("title", t["title"].format(kind=KIND[d["kind"]][lang])),
           ("text", t["ref"].format(undue=u.id, claim=d["claim"], decided=fmt_date(u.decided_on, lang))),
           ("heading", t["finding_title"]),
           ("text", t["finding"].format(finding=d["finding"])),
           ("text", t["ground"].format(ground=d["ground_text"][lang], law=d["law"][lang])),
           ("heading", t["calc_title"]),
           ("bold", t["calc"].format(paid_on=fmt_date(dt.date.fromisoformat(d["paid_on"]), lang),
                                     paid=money["paid_cents"], due=money["due_cents"], undue=money["undue_cents"])),
           ("text", t["pay"].format(due_date=fmt_date(u.due_date, lang))),
           ("text", t["set_off"]),
           ("text", t["instalments"])]
    from caisse.benefits.texts import DOC

    a = d["appeal"]
    out.append(("heading", DOC[lang]["appeal_title"]))
    out.append(("text", DOC[lang]["appeal"].format(months=a["months"], law=a["law"][lang], sources="; ".join(
        f"[{s['tag']}] {s['title']}" for s in a["sources"]))))
    out.extend(charter_lines(d["charter"], lang, DOC[lang]["reference_undue"].format(undue=u.id)))
    return out
