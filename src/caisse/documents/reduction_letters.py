"""The decision letter of a reduction of provisional contributions (``caisse.recovery.reduction``) as PDF in the
person's language (fr / nl / de): the new quarterly amount, the quarters corrected, the warning of the surcharge if
the income proves higher (with an example; its source is secondary, the article was not found), the appeal route.
Drawn from the stored request by the page layout of the benefit decisions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from caisse.documents.benefit_decisions import render_pages
from caisse.documents.notices import _debtor
from caisse.errors import Conflict, NotFound


def decision_pdf(session: Session, request_id: int) -> bytes:
    from caisse.recovery.models import ReductionRequest
    from caisse.recovery.reduction import decision_lines

    r = session.get(ReductionRequest, request_id)
    if r is None:
        raise NotFound("reduction request", request_id)
    if r.decided_on is None:
        raise Conflict("request", f"request {request_id} is {r.status}: no decision letter yet")
    name, address, language = _debtor(session, r.party_id, r.decided_on)
    lang = language if language in ("fr", "nl", "de") else "fr"
    return render_pages(decision_lines(session, r, lang), name, address, f"{r.party_id} / {r.id}")


__all__ = ["decision_pdf"]
