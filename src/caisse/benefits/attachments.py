"""Documents on a benefit claim, and a document the fund asks the person for.

* ``add``: the person (or staff, for a paper document scanned) adds a PDF or JPEG to a claim not decided yet. The
  type is recognised from the bytes (a PDF starts with ``%PDF-`` and ends with ``%%EOF``; a JPEG starts with
  ``FF D8 FF`` and ends with ``FF D9``), never from the file's name or the browser's declared type; the size is
  limited (``upload_max_bytes``, the fund's choice). The same bytes twice on a claim are refused. These
  checks are shared with the documents added to a case: ``services/uploads.py``.
* ``request_document``: a caseworker asks the person for a document. Charter of the social insured art. 10
  (addendum §15 [S232]): the decision deadline is **suspended while information asked of the applicant is
  missing**. The claim shows what is awaited (``waiting_for``) since when (``waiting_since``), the person is told
  in their language. When a document arrives (``add``, or ``document_received`` for a paper one) the suspension
  ends: ``decision_due`` (and the case's deadline) move by the days waited. A request made after the decision
  deadline had passed suspends nothing (there is no running deadline left to suspend). The notes give no other
  ground for suspending or extending the deadline: a document the person adds on their own suspends nothing.
* Art. 11 (after a request *and a reminder*, silence lets the fund decide on what it has one month after the
  reminder): ``service.send_reminder`` records the reminder and tells the person until when they can answer;
  ``follow-up`` lists the claims still waiting a month after it (``service.may_decide_on_file``). The information
  arriving ends the wait as above (the reminder with it).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.benefits.models import BenefitClaim, ClaimAttachment
from caisse.benefits.texts import KIND, MESSAGE, SUSPENSION_LAW
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.services.uploads import EXTENSION, check, clean_name, refuse_duplicate, sniff  # noqa: F401 (sniff: API)

MAX_WHAT = 300


def _claim(session: Session, claim_id: int) -> BenefitClaim:
    claim = session.get(BenefitClaim, claim_id, with_for_update=True)
    if claim is None:
        raise NotFound("claim", claim_id)
    return claim


def _open(claim: BenefitClaim, what: str) -> None:
    if claim.status != "application":
        raise Conflict("claim", f"claim {claim.id} is no longer being examined ({claim.status}): {what}")


def add(session: Session, who, claim_id: int, filename: str | None, content: bytes, on: dt.date,
        field: str = "file") -> ClaimAttachment:
    """Add a document to a claim not decided yet (see the module). Ends a suspension waiting for a document. A
    refusal names ``field``, the form's input."""
    from caisse.benefits.service import _step

    claim = _claim(session, claim_id)
    _open(claim, "documents are added while it is examined")
    kind, digest = check(content, field=field)
    refuse_duplicate(session, ClaimAttachment, ClaimAttachment.claim_id, claim.id, digest, field=field)
    att = ClaimAttachment(claim_id=claim.id, person_id=claim.person_id, filename=clean_name(filename),
                          content_type=kind, size=len(content), sha256=digest, content=content, received_on=on,
                          answers=claim.waiting_for, added_by=str(who))
    session.add(att)
    session.flush()
    # no file name nor what was asked in a step (append-only): they stay on the attachment and the claim
    _step(session, claim, "document_added", on, who, {"attachment": att.id, "content_type": kind, "size": att.size,
                                                      "sha256": digest, "answers_request": att.answers is not None})
    if claim.waiting_for is not None:
        _resume(session, who, claim, on, att.id)
    session.flush()
    return att


def request_document(session: Session, who, claim_id: int, what: str, on: dt.date) -> BenefitClaim:
    """A caseworker asks the person for a document: the decision deadline is suspended from ``on`` (art. 10)."""
    from caisse.benefits.service import _language, _step
    from caisse.cases.service import write

    claim = _claim(session, claim_id)
    _open(claim, "no document can be asked any more")
    what = " ".join((what or "").split())
    if not what:
        raise InvalidInput("what", "say which document is missing")
    if len(what) > MAX_WHAT:
        raise InvalidInput("what", f"at most {MAX_WHAT} characters")
    if claim.waiting_for is not None:
        raise Conflict("claim", f"claim {claim.id} already waits for: {claim.waiting_for} "
                                f"(since {claim.waiting_since.isoformat()})")
    if on < claim.received_on:
        raise InvalidInput("on", f"before the claim was received ({claim.received_on.isoformat()})")
    suspends = on <= claim.decision_due
    claim.waiting_for, claim.waiting_since = what, on
    _step(session, claim, "document_requested", on, who, {  # what is asked: on the claim and in the case message
        "decision_due": claim.decision_due.isoformat(), "suspends": suspends,
        "law": SUSPENSION_LAW if suspends else "asked after the decision deadline: nothing left to suspend"})
    if claim.case_id is not None:
        lang = _language(session, claim.person_id)
        text = MESSAGE["document_requested"][lang].format(claim=claim.id, kind=KIND[claim.kind][lang], what=what)
        write(session, who, claim.case_id, text, on, ask_person=True)
    session.flush()
    return claim


def document_received(session: Session, who, claim_id: int, on: dt.date) -> BenefitClaim:
    """Staff record that the document asked for arrived otherwise (by post, at the office): the suspension ends."""
    claim = _claim(session, claim_id)
    _open(claim, "nothing is awaited")
    if claim.waiting_for is None:
        raise Conflict("claim", f"claim {claim.id} waits for no document")
    _resume(session, who, claim, on, None)
    session.flush()
    return claim


def suspended_days(claim: BenefitClaim, on: dt.date) -> int:
    """The days the decision deadline stands suspended on ``on`` (0 when the request came after the deadline)."""
    if claim.waiting_since is None or claim.waiting_since > claim.decision_due or on <= claim.waiting_since:
        return 0
    return (on - claim.waiting_since).days


def _resume(session: Session, who, claim: BenefitClaim, on: dt.date, attachment_id: int | None) -> None:
    from caisse.benefits.service import _step
    from caisse.cases.models import Case

    if on < claim.waiting_since:
        raise InvalidInput("on", f"before the document was asked ({claim.waiting_since.isoformat()})")
    days = suspended_days(claim, on)
    before = claim.decision_due
    claim.decision_due = before + dt.timedelta(days=days)
    case = session.get(Case, claim.case_id) if claim.case_id is not None else None
    if case is not None and case.status != "closed":
        if case.deadline is not None:
            case.deadline = case.deadline + dt.timedelta(days=days)
        if case.status == "waiting_for_person":
            case.status = "open"
        case.waiting_since = None
    _step(session, claim, "document_received", on, who, {
        "attachment": attachment_id, "asked_on": claim.waiting_since.isoformat(),
        "suspended_days": days, "decision_due_before": before.isoformat(),
        "reminded_on": claim.reminded_on and claim.reminded_on.isoformat(),
        "decision_due": claim.decision_due.isoformat(), "law": SUSPENSION_LAW})
    claim.waiting_for, claim.waiting_since, claim.reminded_on = None, None, None


def of_claim(session: Session, claim_id: int) -> list[ClaimAttachment]:
    return list(session.scalars(select(ClaimAttachment).where(ClaimAttachment.claim_id == claim_id)
                                .order_by(ClaimAttachment.id)))


def get(session: Session, claim_id: int, attachment_id: int) -> ClaimAttachment:
    att = session.get(ClaimAttachment, attachment_id)
    if att is None or att.claim_id != claim_id:
        raise NotFound("document", attachment_id)
    if not att.content:
        raise NotFound("document (emptied by the retention rules; its SHA-256 stays)", attachment_id)
    return att


def download_name(att: ClaimAttachment) -> str:
    return f"claim-{att.claim_id}-document-{att.id}.{EXTENSION[att.content_type]}"
