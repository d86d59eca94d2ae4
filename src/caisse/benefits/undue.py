"""A benefit paid wrongly, claimed back (issue 8 and 7; Charter of the social insured arts. 14 and 23, addendum §15).

``claim_back`` takes the motivated decision — the finding, the total and how it is computed (paid − due), the
provision breached (one of ``texts.GROUND`` with the benefit's legal ground), the appeal route (labour court, 3
months, art. 23), the art. 14 mentions of a recovery decision (prescription and waiver: not in the notes, recorded
as missing unless the fund's ``charter.yaml`` gives them; instalments: a payment plan may be asked) — in fr/nl/de,
stored whole so its PDF prints the same later; posts the debt in the ledger (key ``benefit/undue/<id>``: Dr the
person's ``benefit_undue`` — its own account, one item per decision named ``benefit_undue:<id>`` in ``parameter``,
of the decision's quarter, due after ``undue_benefit_payment_days`` (fund policy) — Cr ``benefit_expense``: the
expense is undone), gives it its own structured communication (``references.for_undue``: the person's n-th
decision) and tells the person in their language.

An undue benefit is no contribution debt: it is not in ``ledger.models.RECEIVABLE``, so an ordinary payment is never
imputed on it, and the recovery arrears, letters, contraintes, bailiff hand-overs, the company's joint call, the
contributions' prescription (AR 38 art. 16 §2) and the tax certificates never see it. Its own prescription
(``undue_benefit_prescription_years``) is not in the notes: unknown, and nothing writes it off.

It is recovered either by the person's payment **designated to it** (its structured communication: the CODA import
and ``ledger.impute`` settle the item, Cr ``benefit_undue``) or by **set-off against a later benefit**. How much of
a later benefit may be withheld is limited by Belgian law, but the rule is not in the notes: the parameter
``undue_benefit_set_off_limit`` is unknown, so no set-off is automatic. When ``service.decide`` grants a benefit the
fund pays to a person with an undue still owed, ``grant_with_set_off`` posts nothing yet: it opens a caseworker task
proposing the set-off with the amounts, and the payment waits for ``decide_set_off`` — the caseworker's explicit
amount to withhold (0: pay it all), audited — which posts the grant (one balanced ``benefit`` transaction: Dr
benefit_expense the whole amount, Cr benefit what is still paid, Cr benefit_undue what is withheld) so the
credit-transfer export pays only the rest and the person is told what was withheld. Once the limit is known (a
dated value in the parameters), the grant withholds at most that share of the benefit by itself. Undue benefits bear
interest against the insured only in case of fraud (art. 20, addendum §15): none is charged here.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import caisse
from caisse.benefits import charter
from caisse.benefits.models import BenefitClaim, BenefitMaintainedQuarter, UndueBenefit
from caisse.benefits.texts import GROUND, KIND, LANGS, LAW, MESSAGE, UNDUE_DOC, parameter_law
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.ledger import Entry, Posting, post
from caisse.ledger.models import BENEFIT_UNDUE, LedgerEntry, LedgerTransaction
from caisse.ledger.queries import undue_open
from caisse.references import for_undue
from caisse.rules.explain import fmt_date, fmt_money
from caisse.rules.params import UnknownParameter, load
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
    d = claim.decision or {}
    # besides the transfer: what was withheld for undue benefits, set off against contributions (with the
    # person's agreement) and kept as withholding tax — all paid out of the benefit on its grant
    withheld = (sum(d.get("set_off", {}).get("withheld", {}).values())
                + (d.get("contribution_set_off") or {}).get("set_off_cents", 0)
                + (d.get("withholding") or {}).get("withheld_cents", 0))
    return int(paid or 0) + withheld, on or (claim.decided_on if withheld else None)


def claim_back(session: Session, who, claim_id: int, amount_cents: int, ground: str, finding: str,
               today: dt.date, withdraw_quarters: list[str] | None = None) -> UndueBenefit:
    """Decide that ``amount_cents`` of claim ``claim_id`` was paid wrongly, post the debt, tell the person.

    A bridging right's quarters of maintained rights (``benefit_maintained_quarter``) go with the benefit they came
    with: when nothing of it stays due, every quarter it still maintains is withdrawn; when part stays due, only
    the quarters the caseworker names (``withdraw_quarters``) — which quarters a partial undue concerns is the
    finding's, not a computation (the notes say nothing of it)."""
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
    held = _maintained_of(session, claim, today)
    names = list(dict.fromkeys(withdraw_quarters or []))
    wrong = [q for q in names if q not in held]
    if wrong:
        raise InvalidInput("withdraw_quarters", f"{', '.join(wrong)}: not a quarter of rights this claim maintains "
                                                f"({', '.join(held) or 'none'})")
    if names and paid - before - amount_cents == 0:
        raise InvalidInput("withdraw_quarters", "nothing of the benefit stays due: every quarter it maintains is "
                                                "withdrawn, name none")
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
    number = int(session.scalar(select(func.count()).select_from(UndueBenefit).where(
        UndueBenefit.person_id == claim.person_id, UndueBenefit.id <= undue.id)))
    communication = for_undue(claim.person_id, number).ogm
    try:  # not in the notes: recorded unknown, and nothing ever writes an undue off by a guessed period
        years = params.get("undue_benefit_prescription_years", today)
        prescription = {"years": years.value, "status": years.status}
    except UnknownParameter:
        prescription = {"years": None, "status": "unknown"}
    decision = {
        "outcome": "undue", "claim": claim_id, "kind": claim.kind, "decided_on": today.isoformat(),
        "paid_cents": paid - before, "paid_on": paid_on.isoformat(), "due_cents": due, "undue_cents": amount_cents,
        "finding": finding, "ground": ground,
        "ground_text": {lang: GROUND[ground][lang] for lang in LANGS},
        "law": LAW[claim.kind], "rule": RULE, "caisse_version": caisse.__version__,
        "due_date": due_date.isoformat(), "communication": communication, "number": number,
        "prescription": {"parameter": "undue_benefit_prescription_years", **prescription},
        "payment_days": {"value": days.value, "status": days.status, "law": days.parameter.law},
        "appeal": {"months": appeal.value, "from": appeal.start.isoformat(),
                   "law": {lang: parameter_law(appeal.parameter.law, lang) for lang in LANGS},
                   "sources": [{"tag": s.tag, "title": s.title, "url": s.url} for s in appeal.sources]},
        "charter": charter.mentions(session, claim.person_id, today, undue=True),
    }
    if held:  # a bridging right's maintained quarters: withdrawn with the benefit (all, or those named)
        gone = held if due == 0 else names
        decision["maintained_withdrawn"] = {"quarters": gone, "kept": [q for q in held if q not in gone]}
    undue.decision = decision
    post(session, Posting(undue.ledger_key, "charge", today, (
        Entry(BENEFIT_UNDUE, amount_cents, claim.person_id, undue.period, due_date, RULE[:100],
              f"benefit_undue:{undue.id}", {"undue": undue.id, "claim": claim_id, "ground": ground}),
        Entry("benefit_expense", -amount_cents, claim.person_id, undue.period, None, RULE[:100],
              f"benefit_claim:{claim_id}")), f"undue benefit, claim {claim_id}", communication))
    lang = _language(session, claim.person_id)
    case = open_case(session, who, claim.person_id, "benefit_claim", f"Undue benefit {undue.id} — claim {claim_id}",
                     f"Undue {amount_cents} cents on claim {claim_id}: {ground}; {finding}", today, channel="system")
    write(session, who, case.id, MESSAGE["undue"][lang].format(undue=undue.id, amount=fmt_money(amount_cents, lang),
                                                               kind=KIND[claim.kind][lang]), today)
    undue.case_id = case.id
    _step(session, claim, "undue", today, who, {"undue": undue.id, "amount_cents": amount_cents, "ground": ground})
    if decision.get("maintained_withdrawn", {}).get("quarters"):
        withdrawn = decision["maintained_withdrawn"]["quarters"]
        m = BenefitMaintainedQuarter
        session.execute(update(m).where(m.claim_id == claim_id, m.period.in_(withdrawn), m.withdrawn_on.is_(None))
                        .values(withdrawn_on=today, withdrawn_by_undue=undue.id))
        _step(session, claim, "rights_withdrawn", today, who, {"undue": undue.id, "quarters": withdrawn})
    audit.record(session, who, "create", "benefit_undue", undue.id, party_id=claim.person_id,
                 detail={"claim": claim_id, "amount_cents": amount_cents, "ground": ground})
    session.flush()
    return undue


def _maintained_of(session: Session, claim: BenefitClaim, today: dt.date) -> list[str]:
    """The quarters of rights the claim (a bridging right) still maintains on ``today``, in order."""
    m = BenefitMaintainedQuarter
    return list(session.scalars(select(m.period).where(m.claim_id == claim.id, m.granted_on <= today,
                                                       m.withdrawn_on.is_(None)).order_by(m.period)))


def open_undue(session: Session, person_id: int) -> list[tuple[UndueBenefit, int]]:
    """The person's undue benefits still marked open, oldest first, with what is left of each: the open balance of
    its own ledger item (``benefit_undue:<id>``), whatever settled it (a set-off or a payment designated to it)."""
    out = []
    for u in session.scalars(select(UndueBenefit).where(UndueBenefit.person_id == person_id,
                                                        UndueBenefit.status == "open").order_by(UndueBenefit.id)):
        out.append((u, max(0, undue_open(session, u.id))))
    return out


def set_off_limit(on: dt.date):
    """The share of a later benefit that may be withheld (``undue_benefit_set_off_limit``), or None while the
    parameters say it is unknown (it is not in the legislation notes)."""
    try:
        return load().get("undue_benefit_set_off_limit", on)
    except UnknownParameter:
        return None


def _allocate(owed: list[tuple[UndueBenefit, int]], cents: int) -> dict[int, int]:
    """``cents`` spread over the open undue benefits, oldest first."""
    out: dict[int, int] = {}
    for u, left in owed:
        take = min(left, cents)
        if take > 0:
            out[u.id] = take
            cents -= take
    return out


def _post_grant(session: Session, who, claim: BenefitClaim, amount_cents: int, today: dt.date, rule: str,
                parameter: str, withheld: dict[int, int], decided: dict) -> int:
    """The grant of ``claim`` (key ``benefit/claim/<id>``), in one balanced ``benefit`` transaction: Dr
    ``benefit_expense`` the gross amount; Cr ``withholding_tax`` the withholding tax at a rate the fund recorded
    (``benefits.withholding``: none in the notes, so usually nothing); Cr ``benefit_undue`` what is withheld for undue
    benefits (``withheld``: ``{undue id: cents}``); Cr the person's ``credit`` what they agreed to set off against
    their contribution debts (``benefits.setoff``, then imputed on the quarters); Cr ``benefit`` the rest, paid by
    the credit-transfer export. The decision records the withholding and the set-off; the person is told on each
    undue's case, each withholding audited. Returns the cents left to transfer."""
    from caisse.benefits import setoff, withholding
    from caisse.benefits.service import _language
    from caisse.ledger.models import WITHHOLDING_TAX

    period = str(Quarter.of(claim.period_start))
    tax = withholding.for_grant(claim.kind, amount_cents, today)
    after_undue = amount_cents - tax["withheld_cents"] - sum(withheld.values())
    contributions = setoff.plan(session, claim, after_undue, today)
    set_off = contributions["set_off_cents"] if contributions else 0
    rest = after_undue - set_off
    entries = [Entry("benefit_expense", amount_cents, claim.person_id, period, None, rule, parameter)]
    if tax["withheld_cents"]:
        entries.append(Entry(WITHHOLDING_TAX, -tax["withheld_cents"], claim.person_id, period, None,
                             "précompte professionnel (taux enregistré par la caisse)", "withholding",
                             {"rate": tax["rate"], "source": tax["source"], "source_id": tax["source_id"],
                              "from": tax["from"], "claim": claim.id}))
    for undue_id, take in withheld.items():
        u = session.get(UndueBenefit, undue_id)
        entries.append(Entry(BENEFIT_UNDUE, -take, claim.person_id, u.period, None, RULE[:100],
                             f"benefit_undue:{undue_id}", {"set_off": "benefit", "claim": claim.id, **decided}))
    if set_off:
        entries.append(Entry("credit", -set_off, claim.person_id, None, None, setoff.RULE[:100], "benefit_set_off",
                             {"claim": claim.id, "consent": contributions["consent"]}))
    if rest:
        entries.append(Entry("benefit", -rest, claim.person_id, period, None, rule, parameter,
                             {"claim": claim.id, "kind": claim.kind}))
    post(session, Posting(claim.ledger_key, "benefit", today, tuple(entries)))
    claim.decision = {**claim.decision, "withholding": tax, "transfer_cents": rest,
                      **({"contribution_set_off": contributions} if contributions else {})}
    if contributions:
        setoff.post_set_off(session, who, claim, contributions, today)
    if not withheld:
        return rest
    lang = _language(session, claim.person_id)
    for undue_id, take in withheld.items():
        u = session.get(UndueBenefit, undue_id)
        if undue_open(session, undue_id) <= 0:
            u.status, u.recovered_on = "recovered", today
        text = MESSAGE["set_off"][lang].format(claim=claim.id, kind=KIND[claim.kind][lang],
                                               amount=fmt_money(amount_cents, lang),
                                               withheld=fmt_money(take, lang), undue=undue_id,
                                               paid=fmt_money(rest, lang))
        if u.case_id is not None:
            from caisse.cases.service import write

            write(session, who, u.case_id, text, today)
        audit.record(session, who, "set_off", "benefit_undue", undue_id, party_id=claim.person_id,
                     detail={"claim": claim.id, "withheld_cents": take, **decided})
    return rest


def net_of_withholding(claim: BenefitClaim, amount_cents: int, on: dt.date) -> int:
    """What is left of a grant once the withholding tax (at a rate the fund recorded) is kept: what an undue benefit
    may be withheld from."""
    from caisse.benefits import withholding

    return amount_cents - withholding.for_grant(claim.kind, amount_cents, on)["withheld_cents"]


def grant_with_set_off(session: Session, who, claim: BenefitClaim, amount_cents: int, today: dt.date,
                       rule: str, parameter: str) -> dict[int, int] | None:
    """Post the grant of ``claim``: ``{undue id: cents withheld}``. Without an undue still owed it is exactly
    ``ledger.grant_benefit`` (``{}``). With one, while the legal limit of the set-off is unknown, nothing is posted
    and nothing withheld: a caseworker task proposes the set-off with the amounts and the payment waits for
    ``decide_set_off`` (returns None). With a known limit, at most that share of the benefit is withheld."""
    owed = [(u, left) for u, left in open_undue(session, claim.person_id) if left > 0]
    if not owed:
        _post_grant(session, who, claim, amount_cents, today, rule, parameter, {}, {})
        return {}
    limit = set_off_limit(today)
    if limit is None:
        propose_set_off(session, who, claim, amount_cents, owed, today)
        return None
    allowed = math.floor(amount_cents * Fraction(limit.value))  # a share (rate), rounded down: never more
    withheld = _allocate(owed, min(allowed, net_of_withholding(claim, amount_cents, today)))
    _post_grant(session, who, claim, amount_cents, today, rule, parameter, withheld,
                {"limit": str(limit.value), "parameter": f"undue_benefit_set_off_limit@{limit.start.isoformat()}"})
    return withheld


def propose_set_off(session: Session, who, claim: BenefitClaim, amount_cents: int,
                    owed: list[tuple[UndueBenefit, int]], today: dt.date) -> None:
    """A caseworker task (a ``benefit_claim`` case) proposing to withhold the undue still owed from this benefit;
    the claim's decision records the proposal, its payment waits for ``decide_set_off``."""
    from caisse.benefits.service import _step
    from caisse.cases.service import open_case

    total = sum(left for _u, left in owed)
    proposed = min(total, amount_cents)
    lines = [f"Claim {claim.id} ({claim.kind}) granted {fmt_money(amount_cents, 'en')} to person {claim.person_id}, "
             f"who still owes {fmt_money(total, 'en')} of undue benefits:"]
    lines += [f"- undue {u.id} (claim {u.claim_id}, decided {u.decided_on.isoformat()}): {fmt_money(left, 'en')}"
              for u, left in owed]
    lines.append(f"Proposed set-off: withhold {fmt_money(proposed, 'en')}, transfer "
                 f"{fmt_money(amount_cents - proposed, 'en')}.")
    lines.append("The legal limit of what may be withheld from a later benefit (undue_benefit_set_off_limit) is not "
                 "in the legislation notes: nothing was withheld automatically and the payment waits for your "
                 f"decision: `caisse benefits set-off --claim {claim.id} --withhold EUR` (0 pays it all).")
    case = open_case(session, who, claim.person_id, "benefit_claim", f"Set-off to decide — claim {claim.id}",
                     "\n".join(lines), today, channel="system")
    proposal = {"pending": True, "case": case.id, "proposed_cents": proposed,
                "owed": {str(u.id): left for u, left in owed}, "limit": "unknown"}
    claim.decision = {**claim.decision, "set_off": proposal}
    _step(session, claim, "set_off_proposed", today, who, proposal)


def decide_set_off(session: Session, who, claim_id: int, withhold_cents: int, today: dt.date) -> dict[int, int]:
    """The caseworker's decision on a proposed set-off: withhold ``withhold_cents`` (0 to withhold nothing) from the
    granted benefit of ``claim_id`` for the person's undue benefits (oldest first), post its grant, audited.
    Returns ``{undue id: cents withheld}``."""
    from caisse.benefits.service import RULE as CLAIM_RULE
    from caisse.benefits.service import _has_iban, _step
    from caisse.cases.service import write

    claim = session.get(BenefitClaim, claim_id, with_for_update=True)
    if claim is None:
        raise NotFound("claim", claim_id)
    if type(withhold_cents) is not int or withhold_cents < 0:
        raise InvalidInput("withhold", "an amount of 0 or more")
    if claim.outcome != "granted" or claim.payer != "fund" or not claim.ledger_key:
        raise Conflict("claim", f"claim {claim_id} is not a benefit the fund granted and pays")
    if session.scalar(select(LedgerTransaction.id).where(LedgerTransaction.key == claim.ledger_key)) is not None:
        raise Conflict("claim", f"the payment of claim {claim_id} is already ordered: nothing left to set off")
    owed = [(u, left) for u, left in open_undue(session, claim.person_id) if left > 0]
    total = sum(left for _u, left in owed)
    net = net_of_withholding(claim, claim.amount_cents, today)
    if withhold_cents > net:
        raise InvalidInput("withhold", f"more than the benefit ({fmt_money(net, 'en')}"
                           + (" after the withholding tax)" if net != claim.amount_cents else ")"))
    if withhold_cents > total:
        raise InvalidInput("withhold", f"more than the undue benefits still owed ({fmt_money(total, 'en')})")
    withheld = _allocate(owed, withhold_cents)
    limit = set_off_limit(today)
    decided = {"decided_by": str(who),
               "limit": "unknown" if limit is None else str(limit.value)}
    paid = _post_grant(session, who, claim, claim.amount_cents, today, LAW[claim.kind]["fr"][:100],
                       CLAIM_RULE[claim.kind], withheld, decided)
    proposal = (claim.decision or {}).get("set_off") or {}
    claim.decision = {**claim.decision, "set_off": {"withheld": {str(k): v for k, v in withheld.items()},
                                                    "paid_cents": paid, **decided}}
    _step(session, claim, "payment_ordered", today, who, {"ledger_key": claim.ledger_key,
                                                          "payment_due": claim.payment_due.isoformat(),
                                                          "iban_on_file": _has_iban(session, claim, today)})
    _step(session, claim, "set_off", today, who, {"withheld": claim.decision["set_off"]["withheld"],
                                                  "withhold_cents": withhold_cents, **decided})
    contributions = claim.decision.get("contribution_set_off")
    if contributions:
        _step(session, claim, "set_off_debts", today, who, {
            k: contributions[k] for k in ("consent", "set_off_cents", "lines", "paid_cents")})
    if paid == 0:  # nothing left to transfer: settled today
        claim.paid_on, claim.status, claim.closed_on = today, "closed", today
        _step(session, claim, "paid", today, who, {"late": today > claim.payment_due, "by": "set-off"})
        _step(session, claim, "closed", today, who, {"why": "settled by set-off"})
    if proposal.get("case"):
        write(session, who, proposal["case"], f"Decided: withhold {fmt_money(withhold_cents, 'en')}, transfer "
                                              f"{fmt_money(paid, 'en')}.", today, internal=True)
    audit.record(session, who, "decide_set_off", "benefit_claim", claim.id, party_id=claim.person_id,
                 detail={"withhold_cents": withhold_cents, "withheld": {str(k): v for k, v in withheld.items()},
                         "owed_cents": total, **decided})
    session.flush()
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
           ("text", t["pay_ref"].format(due_date=fmt_date(u.due_date, lang), communication=d["communication"])
            if d.get("communication") else t["pay"].format(due_date=fmt_date(u.due_date, lang))),
           ("text", t["set_off"]),
           ("text", t["instalments"])]
    rights = d.get("maintained_withdrawn")
    if rights:  # a bridging right's quarters of maintained rights withdrawn with the benefit
        out.append(("text", t["rights_withdrawn"].format(quarters=", ".join(rights["quarters"]) or "—",
                                                          kept=", ".join(rights["kept"]) or "—")))
    from caisse.benefits.texts import DOC

    a = d["appeal"]
    out.append(("heading", DOC[lang]["appeal_title"]))
    out.append(("text", DOC[lang]["appeal"].format(months=a["months"], law=a["law"][lang], sources="; ".join(
        f"[{s['tag']}] {s['title']}" for s in a["sources"]))))
    out.extend(charter_lines(d["charter"], lang, DOC[lang]["reference_undue"].format(undue=u.id)))
    return out
