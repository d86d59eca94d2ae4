"""The audit log: who did or read what on which file, when, from where and why. Append-only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from caisse.store.models import AuditLog


def record(session: Session, actor: str, action: str, entity: str, entity_id: object, *, party_id: int | None = None,
           origin: str | None = None, reason: str | None = None, detail: dict | None = None) -> None:
    session.add(AuditLog(actor=actor, action=action, entity=entity, entity_id=str(entity_id), party_id=party_id,
                         origin=origin, reason=reason, detail=detail))
