"""Letters of a dispensation or surcharge-waiver request as PDF in the person's language (fr / nl / de): the
information on the pension consequence given before the person decides, and the decision (INASTI's, with what it
changed in the account, the pension consequence and the buy-back deadlines, and the appeal route).

Drawn from the stored request and the ledger (``caisse.recovery.relief.decision_lines`` / ``notice_lines``), by the
same page layout as the benefit decisions (``documents.benefit_decisions``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from caisse.documents.benefit_decisions import render_pages
from caisse.documents.notices import _debtor
from caisse.errors import Conflict, NotFound


def render(lines: list[tuple[str, str]], name: str, address: list[str], header_line: str) -> bytes:
    """As many A4 pages as the lines need: fund and reference on top, the addressee on the right."""
    return render_pages(lines, name, address, header_line)


def decision_pdf(session: Session, request_id: int, today: dt.date | None = None) -> bytes:
    """The decision letter of a request INASTI decided (and whose effect on the account is written)."""
    from caisse.recovery.models import ReliefRequest
    from caisse.recovery.relief import decision_lines

    r = session.get(ReliefRequest, request_id)
    if r is None:
        raise NotFound("relief request", request_id)
    if r.status not in ("granted", "partly_granted", "refused"):
        raise Conflict("request", f"request {request_id} is {r.status}: no decision letter yet")
    name, address, language = _debtor(session, r.party_id, r.closed_on)
    lang = language if language in ("fr", "nl", "de") else "fr"
    lines = decision_lines(session, r, lang, today or r.closed_on)
    return render(lines, name, address, f"{r.party_id} / {r.id}")


def notice_pdf(session: Session, party_id: int, quarters, today: dt.date) -> bytes:
    """The information on the pension consequence of a dispensation of ``quarters``, before the person decides."""
    from caisse.recovery import relief_rules
    from caisse.recovery.relief import notice_lines

    name, address, language = _debtor(session, party_id, today)
    lines = notice_lines(session, party_id, relief_rules.parse_quarters(quarters), today, language)
    return render(lines, name, address, f"{party_id} — {today.isoformat()}")


def buyback_notice_pdf(session: Session, request_id: int) -> bytes:
    """The due notice of a buy-back of dispensed quarters (``caisse.recovery.buyback``), with its own structured
    communication, in the person's language."""
    from caisse.recovery.buyback import notice_lines
    from caisse.recovery.models import BuybackRequest

    r = session.get(BuybackRequest, request_id)
    if r is None:
        raise NotFound("buy-back request", request_id)
    name, address, _ = _debtor(session, r.party_id, r.asked_on)
    return render(notice_lines(session, r), name, address, f"{r.party_id} / {r.communication}")


__all__ = ["buyback_notice_pdf", "decision_pdf", "notice_pdf", "render"]
