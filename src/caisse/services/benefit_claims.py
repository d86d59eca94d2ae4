"""Benefit claims for the portal, the desk and the API: who may see, claim and decide what (issue 8).

The rules and the decision are ``caisse.benefits.service`` (checks, motivated decision, payment order, Charter
mentions) — nothing is decided here. This module checks authorisation and scope, audits the reads, pre-fills a
claim form from what the fund knows (a life event recorded, the legal figures in force) and orders the desk's list.

* the person (``affiliate``) and their accountant with a mandate read the claims of their files, claim a benefit
  (``benefit.claim``) and complete a claim the fund pre-filled from a life event; the decision PDF comes in the
  person's language;
* staff read the claims of a file as they read the file (team, need to know); a benefits officer or a manager
  decides (``benefit.decide``), only on their team's files for a benefits officer. The benefit services ask no
  second pair of eyes for a decision (``services/approvals.py`` covers refunds, write-offs and payment plans only):
  a refund of an undue benefit or a write-off still goes through four eyes there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.benefits import service
from caisse.benefits.models import BenefitClaim, BenefitEvent, ClaimStep
from caisse.errors import Conflict, InvalidInput, NotFound, UnknownParameter
from caisse.rules.params import load
from caisse.security import authz
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access, file_record
from caisse.services.calendar import add_months
from caisse.store.models import Party, Person

#: what a person may claim from the portal (adoption: paid by the mutuality and not decided here, see benefits.md)
PORTAL_KINDS = ("birth_leave", "maternity", "bridging_right", "carer", "bereavement")
#: the life event whose pre-filled claim a form completes
EVENT_OF_KIND = {"birth_leave": "birth", "maternity": "birth", "bridging_right": "bankruptcy"}


def _claim(session: Session, who: Principal, claim_id: int, action: str = "file.read") -> BenefitClaim:
    """The claim, once ``who`` may do ``action`` on its file (the access audited): an affiliate or accountant gets
    the same 403 for a claim of another file and for a claim that does not exist (probing ids reveals nothing)."""
    return file_record(session, who, BenefitClaim, claim_id, action, thing="claim", audit_as="benefit_claim")[0]


def get(session: Session, who: Principal, claim_id: int) -> tuple[BenefitClaim, list[ClaimStep]]:
    claim = _claim(session, who, claim_id)
    return claim, service.steps(session, claim.id)


@dataclass
class PendingForm:
    """A claim the fund pre-filled from a life event and that waits for the person."""

    claim: BenefitClaim
    event: BenefitEvent | None


def claims_of(session: Session, who: Principal, party_id: int) -> list[BenefitClaim]:
    """The claims of a file, newest first (read audited once for the file)."""
    reason = file_access(session, who, "file.read", party_id)
    claims = list(session.scalars(select(BenefitClaim).where(BenefitClaim.person_id == party_id)
                                  .order_by(BenefitClaim.received_on.desc(), BenefitClaim.id.desc())))
    audit.record(session, who, "read", "benefit_claims", party_id, party_id=party_id, reason=reason,
                 detail={"claims": [c.id for c in claims]})
    return claims


def events_by_claim(session: Session, party_id: int) -> dict[int, BenefitEvent]:
    return {e.claim_id: e for e in session.scalars(select(BenefitEvent).where(
        BenefitEvent.person_id == party_id, BenefitEvent.claim_id.is_not(None)))}


def pending(session: Session, claims: list[BenefitClaim]) -> list[PendingForm]:
    """The applications the person can still complete (pre-filled by the fund from a life event)."""
    if not claims:
        return []
    events = events_by_claim(session, claims[0].person_id)
    return [PendingForm(c, events.get(c.id)) for c in claims
            if c.status == "application" and c.kind in PORTAL_KINDS and c.id in events]


def _first_of_next_month(day: dt.date) -> dt.date:
    return add_months(day.replace(day=1), 1)


def prefill(session: Session, who: Principal, party_id: int, kind: str, today: dt.date,
            claim_id: int | None = None) -> tuple[dict, BenefitClaim | None, BenefitEvent | None]:
    """The facts a claim form opens with: those of the pre-filled claim being completed, else from the last life
    event of the matching kind the fund recorded, else the legal defaults in force (20 days of birth leave within
    4 months, the maternity weeks, one month of bridging right or carer leave from the 1st of next month)."""
    file_access(session, who, "benefit.claim", party_id)
    if kind not in PORTAL_KINDS:
        raise InvalidInput("kind", "one of {kinds}", kinds=", ".join(PORTAL_KINDS))
    if session.get(Person, party_id) is None:
        raise InvalidInput("file", "benefits are claimed on a person's file, not a company's")
    if claim_id is not None:
        claim = session.get(BenefitClaim, claim_id)
        if claim is None or claim.person_id != party_id or claim.kind != kind:
            raise NotFound("claim", claim_id)
        event = events_by_claim(session, party_id).get(claim.id)
        return dict(claim.facts), claim, event
    params = load()
    event = None
    if kind in EVENT_OF_KIND:
        event = session.scalar(select(BenefitEvent).where(
            BenefitEvent.person_id == party_id, BenefitEvent.kind == EVENT_OF_KIND[kind])
            .order_by(BenefitEvent.event_date.desc(), BenefitEvent.id.desc()).limit(1))
    if kind == "birth_leave":
        birth = event.event_date if event else None
        days = params.get("birth_leave_days", birth or today).value
        facts = {"days": int(days)}
        if birth:
            window = add_months(birth, params.get("birth_leave_window_months", birth).value)
            facts.update(birth_date=birth.isoformat(), start=birth.isoformat(),
                         end=(window - dt.timedelta(days=1)).isoformat())
    elif kind == "maternity":
        birth = event.event_date if event else None
        weeks = params.get("maternity_rest_weeks", birth or today).value
        facts = {"full_weeks": int(weeks)}
        if birth:
            facts.update(birth_date=birth.isoformat(), start=(birth - dt.timedelta(days=7)).isoformat())
    elif kind == "bridging_right":
        facts = {"months": 1, "family_charge": False}
        if event:
            facts.update(case="bankruptcy", event_date=event.event_date.isoformat(),
                         start=_first_of_next_month(event.event_date).isoformat())
        else:
            facts["start"] = _first_of_next_month(today).isoformat()
    elif kind == "carer":
        facts = {"months": 1, "partial": False, "start": _first_of_next_month(today).isoformat()}
    else:  # bereavement
        facts = {"days": int(params.get("bereavement_days", today).value)}
    return facts, None, event


def claim(session: Session, who: Principal, party_id: int, kind: str, facts: dict, today: dt.date,
          received_on: dt.date | None = None, complete: int | None = None) -> BenefitClaim:
    """File a claim for the file (or complete the pre-filled application ``complete``): the facts checked by
    ``benefits.service.normalise_facts`` (a refused fact names its field, nothing is written); a tracked case with
    the Charter's decision deadline. Only staff may date a claim received earlier (a letter)."""
    file_access(session, who, "benefit.claim", party_id)
    if session.get(Person, party_id) is None:
        raise InvalidInput("file", "benefits are claimed on a person's file, not a company's")
    staff = who.is_staff
    if kind not in (service.KINDS if staff else PORTAL_KINDS):
        raise InvalidInput("kind", "one of {kinds}", kinds=", ".join(service.KINDS if staff else PORTAL_KINDS))
    if received_on is not None and received_on != today and not staff:
        raise InvalidInput("received_on", "a claim made here is received today")
    if received_on is not None and received_on > today:
        raise InvalidInput("received_on", "in the future")
    if complete is not None:
        c = session.get(BenefitClaim, complete)
        if c is None or c.person_id != party_id or c.kind != kind:
            raise NotFound("claim", complete)
        return service.complete_claim(session, who, c.id, facts, today)
    return service.file_claim(session, who, party_id, kind, facts, received_on or today,
                              channel="letter" if staff else "portal")


#: the person's own declarations for a bridging right (``benefits.service.evaluate``: never presumed), which staff
#: record when they come on paper, by phone or at the office
DECLARATIONS = ("professional_activity", "replacement_income", "family_charge", "pension_quarters", "months_before",
                "rights_quarters_before")
DECLARED_BY = ("letter", "phone", "office")


def record_declarations(session: Session, who: Principal, claim_id: int, declared: dict, declared_on: dt.date,
                        channel: str, today: dt.date, scan: tuple[str | None, bytes] | None = None) -> BenefitClaim:
    """A caseworker records the declarations of a bridging-right claimant received on paper (``letter``), by phone
    or at the office: merged into the claim's facts and checked by the very function that completes a claim from the
    portal (``benefits.service.complete_claim``), in one transaction with the scan if any (a claim document). The
    step ``declared`` (audited) says who recorded them, the day they were made, how and which, and the scan."""
    c = _claim(session, who, claim_id, "benefit.claim")
    if not who.is_staff:
        raise authz.Forbidden("the person declares on their own claim form")
    if c.kind != "bridging_right":
        raise Conflict("claim", "claim {claim} is not a bridging right: its facts are declared with the claim",
                       claim=c.id)
    if channel not in DECLARED_BY:
        raise InvalidInput("channel", "one of {channels}", channels=", ".join(DECLARED_BY))
    unknown = sorted(set(declared) - set(DECLARATIONS))
    if unknown:
        raise InvalidInput(unknown[0], "not a declaration of the person")
    if not declared:
        raise InvalidInput("professional_activity", "record at least one declaration")
    _within_claim(c, declared_on, today, "declared_on")
    attachment = _attach(session, who, c, scan, declared_on, field="scan")
    done = service.complete_claim(session, who, c.id, {**c.facts, **declared}, declared_on, declared={
        "channel": channel, "fields": sorted(declared), "attachment": attachment})
    if channel == "phone":  # nothing signed: the person reads what was recorded, and may object
        service.confirm_declarations(session, done, declared, declared_on, today)
    return done


@dataclass
class Verified:
    """A caseworker's finding recorded at the desk, and whether the claim could be decided right after: ``decided``,
    or why not (``left``: the conditions still to verify; ``refusal``: why the decision could not be taken — the
    finding stays recorded either way)."""

    claim: BenefitClaim
    decided: bool
    left: list[str]
    refusal: Exception | None = None


def record_verification(session: Session, who: Principal, claim_id: int, condition: str, met: bool | None,
                        on: dt.date | None, today: dt.date, note: str | None = None,
                        scan: tuple[str | None, bytes] | None = None) -> Verified:
    """A caseworker's verification of a bridging-right claim the fund's records could not decide, recorded on the
    desk by those who may decide it (``benefit.decide``): the finding through ``benefits.service.record_check`` (the
    CLI's ``benefits verify``) — the day verified (not in the future), the note as an internal note of the claim's task
    (or of its case), the proof scanned as a claim document, the step naming both — then the claim decided again
    through ``benefits.service.decide`` (the CLI's ``benefits decide``). A decision that cannot be taken yet (another
    condition to verify, a figure not published) leaves the finding recorded: the page says what is left."""
    c = record_finding(session, who, claim_id, condition, met, on, today, note, scan)
    savepoint = session.begin_nested()
    try:
        service.decide(session, who, c.id, today)
    except (InvalidInput, Conflict, UnknownParameter) as exc:
        savepoint.rollback()
        return Verified(c, False, [], exc)
    savepoint.commit()
    if c.status != "application":
        return Verified(c, True, [])
    last = [st for st in service.steps(session, c.id) if st.step == "caseworker_check"]
    return Verified(c, False, list(last[-1].detail["conditions"]) if last else [])


def record_finding(session: Session, who: Principal, claim_id: int, condition: str, met: bool | None,
                   on: dt.date | None, today: dt.date, note: str | None = None,
                   scan: tuple[str | None, bytes] | None = None) -> BenefitClaim:
    """The finding alone (``record_verification`` without deciding; the CLI's ``benefits verify``, which decides with
    ``benefits decide``): the same checks, the note as an internal note of the claim's task, the proof a claim
    document, the step ``verified`` naming both."""
    from caisse.cases.service import write

    c = _claim(session, who, claim_id, "benefit.decide")
    if met is None:
        raise InvalidInput("finding", "met or not met")
    if on is None:
        raise InvalidInput("verified_on", "the day you verified it (YYYY-MM-DD)")
    _within_claim(c, on, today, "verified_on")
    proof: dict = {}
    if scan is not None:
        proof["attachment"] = _attach(session, who, c, scan, on, field="scan")
    if note and note.strip():
        task = service.check_task(session, c)
        proof["note"] = write(session, who, task.id if task is not None else c.case_id,
                              f"Claim {c.id}, {condition} ({'met' if met else 'not met'}, verified on "
                              f"{on.isoformat()}): {note.strip()}", today, internal=True).id
    service.record_check(session, who, c.id, condition, met, on, proof)
    return c


def decide(session: Session, who: Principal, claim_id: int, today: dt.date) -> BenefitClaim:
    """The decision, through ``benefits.service.decide`` (checks, motivated decision, payment order)."""
    c = _claim(session, who, claim_id, "benefit.decide")
    return service.decide(session, who, c.id, today)


def decision_pdf(session: Session, who: Principal, claim_id: int) -> tuple[BenefitClaim, bytes]:
    """The decision as PDF, in the person's language."""
    from caisse.documents.benefit_decisions import decision_pdf as render

    c = _claim(session, who, claim_id)
    if c.decision is None:
        raise NotFound("decision of claim", claim_id)
    audit.record(session, who, "read", "benefit_claim", c.id, party_id=c.person_id, detail={"what": "decision pdf"})
    return c, render(session, c.id)


# --- withdrawal and documents ---------------------------------------------------------------------------------

def withdraw(session: Session, who: Principal, claim_id: int, today: dt.date, reason: str | None = None
             ) -> BenefitClaim:
    """The person (or their accountant) withdraws a claim not decided yet; staff do it on the person's word."""
    c = _claim(session, who, claim_id, "benefit.claim")
    return service.withdraw(session, who, c.id, today, reason)


#: why an accountant (or anyone but the person) cannot agree to a set-off for them
PERSON_MUST_SIGN = ("only the person may agree to a set-off of their benefit against their contributions, or withdraw "
                    "it, on their own login or by a letter they sign: an accountant's mandate does not cover it")
SET_OFF_BY = ("letter", "desk")


def _consenting(session: Session, who: Principal, claim_id: int) -> BenefitClaim:
    """The claim, once ``who`` may agree to its set-off: the person on their own claim, or staff recording what the
    person signed — never an accountant, whatever their mandate (``benefit.set_off_consent``)."""
    if who.role == "accountant":
        raise authz.Forbidden(PERSON_MUST_SIGN)
    c = _claim(session, who, claim_id, "benefit.set_off_consent")
    if who.role == "affiliate" and c.person_id != who.party_id:
        raise authz.Forbidden(PERSON_MUST_SIGN)
    return c


def _cents(most: str | None) -> int | None:
    from caisse.money import to_cents

    return int(to_cents(most, "max")) if most and most.strip() else None


def agree_to_set_off(session: Session, who: Principal, claim_id: int, today: dt.date, most: str | None = None):
    """The person agrees, from the portal, that the benefit of the claim is set off against their contribution debts
    due (``benefits.setoff``), up to ``most`` EUR if given; staff record a signed agreement at the desk
    (``record_set_off_consent``). Not their accountant (``_consenting``)."""
    from caisse.benefits import setoff

    c = _consenting(session, who, claim_id)
    channel = "portal" if who.role == "affiliate" else "desk"
    return setoff.record_consent(session, who, c.id, today, channel, _cents(most))


Scan = tuple[str | None, bytes] | None


def record_set_off_consent(session: Session, who: Principal, claim_id: int, given_on: dt.date | None, channel: str,
                           most: str | None, document: Scan | Callable[[], Scan], today: dt.date):
    """Staff record the person's agreement to a set-off received in writing: a letter (``letter``) or a form signed
    at the office (``desk``), on ``given_on``, with the signed document scanned (a claim document, required), in one
    transaction; the step ``set_off_consent`` names the document, its actor is who recorded it. ``document`` may be
    read only once the access is checked (a callable: the API's base64, whose refusal names it)."""
    from caisse.benefits import setoff

    c = _consenting(session, who, claim_id)
    if not who.is_staff:
        raise authz.Forbidden("the person agrees on their own claim page")
    if given_on is None:
        raise InvalidInput("given_on", "the day the person signed the agreement (YYYY-MM-DD)")
    document = document() if callable(document) else document
    if channel not in SET_OFF_BY:
        raise InvalidInput("channel", "one of {channels}", channels=", ".join(SET_OFF_BY))
    if given_on > today:
        raise InvalidInput("given_on", "in the future")
    cents = _cents(most)
    if document is None:
        raise InvalidInput("document", "the agreement signed by the person, scanned (PDF or JPEG)")
    return setoff.record_consent(session, who, c.id, given_on, channel, cents,
                                 attachment_id=_attach(session, who, c, document, given_on))


def _attach(session: Session, who: Principal, claim: BenefitClaim, document: tuple[str | None, bytes] | None,
            on: dt.date, field: str = "document") -> int | None:
    """A scan handed in with what staff record (``field``: the form's name for it, in its refusal) as a claim
    document; its id, or None without one."""
    from caisse.benefits import attachments

    if document is None:
        return None
    return attachments.add(session, who, claim.id, document[0], document[1], on, field=field).id


def _within_claim(claim: BenefitClaim, day: dt.date, today: dt.date, field: str) -> None:
    """A day staff record for a claim (declared, verified): not in the future, not before the claim was received."""
    if day > today:
        raise InvalidInput(field, "in the future")
    if day < claim.received_on:
        raise InvalidInput(field, "before the claim was received ({received})", received=claim.received_on)


def withdraw_set_off(session: Session, who: Principal, claim_id: int, today: dt.date, on: dt.date | None = None,
                     document: Scan | Callable[[], Scan] = None):
    """The agreement to a set-off withdrawn, while the payment is not ordered: by the person on the portal (today), or
    recorded by staff on the day the person withdrew it, with their letter scanned if there is one."""
    from caisse.benefits import setoff

    c = _consenting(session, who, claim_id)
    document = document() if callable(document) else document
    if on is not None and on > today:
        raise InvalidInput("withdrawn_on", "in the future")
    return setoff.withdraw_consent(session, who, c.id, on or today,
                                   attachment_id=_attach(session, who, c, document, on or today))


def add_document(session: Session, who: Principal, claim_id: int, filename: str | None, content: bytes | None,
                 today: dt.date):
    """A document added to a claim being examined (``benefits.attachments.add``: type from the bytes)."""
    from caisse.benefits import attachments

    c = _claim(session, who, claim_id, "benefit.claim")
    if content is None:
        raise InvalidInput("file", "choose a document (PDF or JPEG)")
    return attachments.add(session, who, c.id, filename, content, today)


def request_document(session: Session, who: Principal, claim_id: int, what: str, today: dt.date) -> BenefitClaim:
    """A benefits officer (or a manager) asks the person for a document: the decision deadline is suspended."""
    from caisse.benefits import attachments

    c = _claim(session, who, claim_id, "benefit.decide")
    return attachments.request_document(session, who, c.id, what, today)


def document_received(session: Session, who: Principal, claim_id: int, today: dt.date) -> BenefitClaim:
    """The document asked for arrived by post or at the office: the suspension ends today."""
    from caisse.benefits import attachments

    c = _claim(session, who, claim_id, "benefit.decide")
    return attachments.document_received(session, who, c.id, today)


def send_reminder(session: Session, who: Principal, claim_id: int, today: dt.date) -> BenefitClaim:
    """A benefits officer (or a manager) reminds the person of the information asked (Charter art. 11)."""
    c = _claim(session, who, claim_id, "benefit.decide")
    return service.send_reminder(session, who, c.id, today)


def record_notification(session: Session, who: Principal, claim_id: int, on: dt.date, by: str,
                        today: dt.date) -> BenefitClaim:
    """A benefits officer (or a manager) records how and when the decision was notified (Charter art. 23)."""
    c = _claim(session, who, claim_id, "benefit.decide")
    return service.record_notification(session, who, c.id, on, by, today)


def documents(session: Session, claim: BenefitClaim) -> list:
    from caisse.benefits import attachments

    return attachments.of_claim(session, claim.id)


def document(session: Session, who: Principal, claim_id: int, attachment_id: int):
    """One document's bytes, for whoever may read the claim's file (the read audited)."""
    from caisse.benefits import attachments

    c = _claim(session, who, claim_id)
    att = attachments.get(session, c.id, attachment_id)
    audit.record(session, who, "read", "benefit_claim_attachment", att.id, party_id=c.person_id,
                 detail={"claim": c.id, "sha256": att.sha256})
    return att


# --- the desk's list ------------------------------------------------------------------------------------------

@dataclass
class DeskRow:
    claim: BenefitClaim
    name: str
    team: str | None
    deadline: dt.date | None  # the decision deadline of an application, the payment deadline of a granted claim
    deadline_kind: str | None  # decision | payment
    overdue: bool


LIST_STATUSES = ("application", "granted", "refused", "closed")


def desk_list(session: Session, who: Principal, today: dt.date, status: str | None = None,
              limit: int = 500) -> list[DeskRow]:
    """Claims by status and deadline, overdue first (Charter art. 10: decision within 4 months; art. 12: payment
    within 4 months of the grant, birth and bereavement leave at the end of the month after the leave). A
    benefits officer sees their team's files; a manager or an auditor every file. Each file shown is audited."""
    authz.require(who, "file.search")
    if status is not None and status not in LIST_STATUSES:
        raise InvalidInput("status", "one of {statuses}", statuses=", ".join(LIST_STATUSES))
    q = (select(BenefitClaim, Person.first_name, Person.last_name, Party.team)
         .join(Person, Person.id == BenefitClaim.person_id).join(Party, Party.id == BenefitClaim.person_id))
    if status:
        q = q.where(BenefitClaim.status == status)
    else:
        q = q.where(BenefitClaim.status.in_(("application", "granted")))
    if who.role in authz.TEAM_BOUND:
        q = q.where(Party.team == who.team)
    rows = []
    for c, first, last, team in session.execute(q.order_by(BenefitClaim.id).limit(limit)):
        if c.status == "application":  # a document asked suspends the deadline (art. 10): it moves with the wait
            deadline, kind = service.decision_deadline(c, today), "decision"
        elif c.status == "granted" and c.payment_due is not None and c.paid_on is None:
            deadline, kind = service.current_payment_due(session, c), "payment"  # the rule as it reads now
        else:
            deadline, kind = None, None
        rows.append(DeskRow(c, f"{first} {last}", team, deadline, kind, deadline is not None and deadline < today))
    rows.sort(key=lambda r: (not r.overdue, r.deadline or dt.date.max, r.claim.id))
    audit.record_reads(session, who, "benefit_claim", [r.claim.person_id for r in rows],
                       what=["claim", "kind", "status", "deadline"])
    return rows
