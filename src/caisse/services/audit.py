"""The audit log: who did or read what on which file, when, from where and why.

Append-only (database triggers refuse UPDATE/DELETE) and hash-chained: each row's ``hash`` is the SHA-256 of
the previous row's hash and this row's content, and ``audit_head`` keeps the last hash and the row count.
Updating the head row first serialises concurrent writers (a row lock on PostgreSQL, the write lock on
SQLite), so the chain never forks. ``verify`` recomputes the whole chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import Connection, event, select, text, update
from sqlalchemy.orm import Session

from caisse.store.models import AuditHead, AuditLog

ZERO = "0" * 64
_HEAD = "caisse.audit_head"


def _digest(prev: str, at: dt.datetime, actor: str, action: str, entity: str, entity_id: str | None,
            party_id: int | None, origin: str | None, reason: str | None, detail: dict | None) -> str:
    body = json.dumps([prev, at.isoformat(timespec="microseconds"), actor, action, entity, entity_id, party_id,
                       origin, reason, detail], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _lock_head(conn: Connection, info: dict) -> list:
    """Lock the head row once per transaction and cache [last_hash, count] in ``info``."""
    head = info.get(_HEAD)
    if head is None:
        row = conn.execute(update(AuditHead).where(AuditHead.id == 1).values(count=AuditHead.count)
                           .returning(AuditHead.last_hash, AuditHead.count)).first()
        if row is None:
            raise RuntimeError("audit_head is missing: the audit chain cannot be extended")
        head = info[_HEAD] = [row[0], row[1]]
    return head


def append(conn: Connection, info: dict, actor: str, action: str, entity: str, entity_id: object = None, *,
           party_id: int | None = None, origin: str | None = None, reason: str | None = None,
           detail: dict | None = None) -> None:
    head = _lock_head(conn, info)
    at = _now()
    eid = None if entity_id is None else str(entity_id)
    digest = _digest(head[0], at, actor, action, entity, eid, party_id, origin, reason, detail)
    conn.execute(AuditLog.__table__.insert().values(
        at=at, actor=actor, action=action, entity=entity, entity_id=eid, party_id=party_id, origin=origin,
        reason=reason, detail=detail, prev_hash=head[0], hash=digest))
    head[0], head[1] = digest, head[1] + 1
    conn.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=digest, count=head[1]))


def append_many(conn: Connection, info: dict, rows: list[dict]) -> None:
    """Append several rows (each the keyword arguments of ``append``: actor, action, entity, entity_id, party_id,
    origin, reason, detail) in order: the same chain as one ``append`` per row, written with one INSERT and one
    update of the head (a batch's tasks)."""
    if not rows:
        return
    head = _lock_head(conn, info)
    prev, out = head[0], []
    for r in rows:
        at = _now()
        eid = None if r.get("entity_id") is None else str(r["entity_id"])
        values = {"at": at, "actor": r["actor"], "action": r["action"], "entity": r["entity"], "entity_id": eid,
                  "party_id": r.get("party_id"), "origin": r.get("origin"), "reason": r.get("reason"),
                  "detail": r.get("detail")}
        digest = _digest(prev, at, values["actor"], values["action"], values["entity"], eid, values["party_id"],
                         values["origin"], values["reason"], values["detail"])
        out.append({**values, "prev_hash": prev, "hash": digest})
        prev = digest
    conn.execute(AuditLog.__table__.insert(), out)
    head[0], head[1] = prev, head[1] + len(out)
    conn.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=prev, count=head[1]))


def record(session: Session, who: object, action: str, entity: str, entity_id: object = None, *,
           party_id: int | None = None, origin: str | None = None, reason: str | None = None,
           detail: dict | None = None) -> None:
    """Append one row to the audit chain within the session's transaction.

    ``who`` is a ``Principal`` (its login and origin are kept) or a plain actor name."""
    origin = origin or getattr(who, "origin", None)
    append(session.connection(), session.info, str(who), action, entity, entity_id, party_id=party_id,
           origin=origin, reason=reason, detail=detail)


def record_reads(session: Session, who: object, entity: str, party_ids, *, what: list[str] | str,
                 reason: str | None = None, detail: dict | None = None, origin: str | None = None) -> None:
    """A list or document showing personal data of several files: one ``read`` row per file shown (who, which
    file, what — the fields or the document —, when, from where, why), so a file's history names every list it
    appeared in. ``party_ids`` may repeat; each file is recorded once."""
    seen: set[int] = set()
    fields = what if isinstance(what, str) else ",".join(what)
    for pid in party_ids:
        if pid is None or pid in seen:
            continue
        seen.add(pid)
        record(session, who, "read", entity, None, party_id=pid, reason=reason, origin=origin,
               detail={"what": fields, **(detail or {})})


@dataclass
class Verification:
    ok: bool
    rows: int
    problem: str | None = None


def verify(conn: Connection, chunk: int = 50_000) -> Verification:
    """Recompute the chain: every row's hash, every link, and the head."""
    prev, rows, last_id = ZERO, 0, 0
    while True:
        batch = conn.execute(text(
            "SELECT id, at, actor, action, entity, entity_id, party_id, origin, reason, detail, prev_hash, hash "
            "FROM audit_log WHERE id > :last ORDER BY id LIMIT :n"), {"last": last_id, "n": chunk}).all()
        if not batch:
            break
        for r in batch:
            at = r.at if isinstance(r.at, dt.datetime) else dt.datetime.fromisoformat(r.at)
            detail = json.loads(r.detail) if isinstance(r.detail, str) else r.detail
            if r.prev_hash != prev:
                return Verification(False, rows, f"row {r.id}: link broken (a row before it was removed or changed)")
            expected = _digest(prev, at, r.actor, r.action, r.entity, r.entity_id, r.party_id, r.origin, r.reason,
                               detail)
            if expected != r.hash:
                return Verification(False, rows, f"row {r.id}: content does not match its hash (row altered)")
            prev, rows, last_id = r.hash, rows + 1, r.id
    head = conn.execute(select(AuditHead.last_hash, AuditHead.count).where(AuditHead.id == 1)).first()
    if head is None or head[0] != prev or head[1] != rows:
        return Verification(False, rows, "the head does not match the last row (rows removed at the end?)")
    return Verification(True, rows)


@event.listens_for(Session, "after_transaction_end")
def _forget_cached_head(session: Session, _transaction) -> None:
    session.info.pop(_HEAD, None)
