"""Messages to INASTI about affiliations (start and end notifications).

The record is kept in ``exchange_message`` (the source of truth: JSON payload + SHA-256); ``write_outbox``
materialises every message not yet written as a file under ``<exchange_dir>/inasti/out/``. The layout is
documented in ``docs/formats/inasti-affiliation.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.config import get_settings
from caisse.store.models import Affiliation, ExchangeMessage, Person

FORMAT_VERSION = "caisse-inasti-affiliation/1"


def _payload(kind: str, affiliation: Affiliation, person: Person, on: dt.date) -> dict:
    category = affiliation.categories[-1] if affiliation.categories else None
    return {
        "format": FORMAT_VERSION,
        "kind": kind,
        "fund_kbo": get_settings().fund_kbo,
        "niss": person.niss,
        "last_name": person.last_name,
        "first_name": person.first_name,
        "birth_date": person.birth_date.isoformat(),
        "affiliation_id": affiliation.id,
        "start_date": affiliation.start_date.isoformat(),
        "end_date": affiliation.end_date.isoformat() if affiliation.end_date else None,
        "end_reason": affiliation.end_reason,
        "category": category.category if category else None,
        "previous_fund": affiliation.previous_fund,
        "notified_on": on.isoformat(),
    }


def _record(session: Session, kind: str, affiliation: Affiliation, on: dt.date) -> ExchangeMessage:
    person = session.get(Person, affiliation.person_id)
    payload = _payload(kind, affiliation, person, on)
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    sha = hashlib.sha256(body).hexdigest()
    existing = session.scalar(select(ExchangeMessage).where(
        ExchangeMessage.direction == "out", ExchangeMessage.kind == kind, ExchangeMessage.sha256 == sha))
    if existing is not None:
        return existing
    message = ExchangeMessage(direction="out", kind=kind, party_id=affiliation.person_id, sha256=sha, payload=payload)
    session.add(message)
    session.flush()
    return message


def notify_start(session: Session, affiliation: Affiliation, on: dt.date) -> ExchangeMessage:
    return _record(session, "inasti-affiliation-start", affiliation, on)


def notify_end(session: Session, affiliation: Affiliation, on: dt.date) -> ExchangeMessage:
    return _record(session, "inasti-affiliation-end", affiliation, on)


def write_outbox(session: Session, exchange_dir: str | Path) -> list[Path]:
    """Write every INASTI message that has no file yet; idempotent (rerun writes nothing new)."""
    out = Path(exchange_dir) / "inasti" / "out"
    written: list[Path] = []
    pending = session.scalars(select(ExchangeMessage).where(
        ExchangeMessage.direction == "out", ExchangeMessage.kind.like("inasti-%"), ExchangeMessage.path.is_(None),
    ).order_by(ExchangeMessage.id))
    for message in pending:
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"{message.id:09d}-{message.kind}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(message.payload, sort_keys=True, ensure_ascii=False, indent=2) + "\n")
        tmp.replace(path)
        message.path = str(path)
        written.append(path)
    session.flush()
    return written
