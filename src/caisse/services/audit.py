"""The audit log: who did or read what on which file, when, from where and why.

Append-only (database triggers refuse UPDATE/DELETE) and hash-chained: each row's ``hash`` is the SHA-256 of
the previous row's hash and this row's content, ``seq`` its place in the chain, and ``audit_head`` keeps the
last hash and the row count. Updating the head row first serialises the writers of the chain (a row lock on
PostgreSQL, the write lock on SQLite), so the chain never forks. ``verify`` recomputes the whole chain.

Two ways in:

- **chained at once** (``record``, ``append``, ``append_many``: changes, batches): the row is chained in the
  writer's own transaction, which holds the head until it commits;
- **sealed after** (``record_read``, ``record_reads``: the reads of pages and lists): the row is inserted with
  no hash and without touching the head, so concurrent pages never wait for each other. It is in the log — and in
  the file's history — as soon as the request commits, before the page leaves. ``seal`` then chains the rows
  not yet sealed, in id order, each at the next place (a row committed late simply takes a later place): the
  server's ``Sealer`` does it every ``CAISSE_AUDIT_SEAL_SECONDS``, any chained write does it first, and so does
  ``caisse audit verify``; a process that dies before sealing loses nothing (its rows were committed, the next
  seal takes them). The database lets an unsealed row be sealed once and changed in no other way
  (migration 0030); until it is sealed, the chain does not yet vouch for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
from dataclasses import dataclass

from sqlalchemy import Connection, event, select, text, update
from sqlalchemy.orm import Session

from caisse.store.models import AuditHead, AuditLog

ZERO = "0" * 64
_HEAD = "caisse.audit_head"
_CONTENT = "id, at, actor, action, entity, entity_id, party_id, origin, reason, detail"
SEAL_BATCH = 2000
log = logging.getLogger(__name__)


def _digest(prev: str, at: dt.datetime, actor: str, action: str, entity: str, entity_id: str | None,
            party_id: int | None, origin: str | None, reason: str | None, detail: dict | None) -> str:
    body = json.dumps([prev, at.isoformat(timespec="microseconds"), actor, action, entity, entity_id, party_id,
                       origin, reason, detail], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def _stored_digest(prev: str, r) -> str:
    """The digest of a row as read back from the database (SQLite gives the time and the JSON as text)."""
    at = r.at if isinstance(r.at, dt.datetime) else dt.datetime.fromisoformat(r.at)
    detail = json.loads(r.detail) if isinstance(r.detail, str) else r.detail
    return _digest(prev, at, r.actor, r.action, r.entity, r.entity_id, r.party_id, r.origin, r.reason, detail)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _take_head(conn: Connection, wait: bool = True) -> list | None:
    """Lock the head row and return [last_hash, count]; ``wait=False``: None when another transaction holds it
    (PostgreSQL; it will seal what is waiting itself)."""
    if not wait and conn.dialect.name == "postgresql":
        row = conn.execute(select(AuditHead.last_hash, AuditHead.count).where(AuditHead.id == 1)
                           .with_for_update(skip_locked=True)).first()
        return None if row is None else [row[0], row[1]]
    row = conn.execute(update(AuditHead).where(AuditHead.id == 1).values(count=AuditHead.count)
                       .returning(AuditHead.last_hash, AuditHead.count)).first()
    if row is None:
        raise RuntimeError("audit_head is missing: the audit chain cannot be extended")
    return [row[0], row[1]]


def _seal_waiting(conn: Connection, head: list, batch: int = SEAL_BATCH) -> int:
    """Chain the rows written unsealed (committed ones: the head is held), in id order, after ``head``; the
    head row is written when anything was sealed. Returns how many."""
    sealed = 0
    while True:
        rows = conn.execute(text(f"SELECT {_CONTENT} FROM audit_log WHERE hash IS NULL ORDER BY id LIMIT :n"),
                            {"n": batch}).all()
        if not rows:
            break
        prev, seq, out = head[0], head[1], []
        for r in rows:
            seq += 1
            digest = _stored_digest(prev, r)
            out.append({"i": r.id, "s": seq, "p": prev, "h": digest})
            prev = digest
        conn.execute(text("UPDATE audit_log SET seq = :s, prev_hash = :p, hash = :h WHERE id = :i"), out)
        head[0], head[1] = prev, seq
        sealed += len(rows)
        if len(rows) < batch:
            break
    if sealed:
        conn.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=head[0], count=head[1]))
    return sealed


def _lock_head(conn: Connection, info: dict) -> list:
    """Lock the head row once per transaction and cache [last_hash, count] in ``info``; the rows waiting for their
    seal are chained first."""
    head = info.get(_HEAD)
    if head is None:
        head = info[_HEAD] = _take_head(conn)
        _seal_waiting(conn, head)
    return head


def append(conn: Connection, info: dict, actor: str, action: str, entity: str, entity_id: object = None, *,
           party_id: int | None = None, origin: str | None = None, reason: str | None = None,
           detail: dict | None = None) -> None:
    head = _lock_head(conn, info)
    at = _now()
    eid = None if entity_id is None else str(entity_id)
    digest = _digest(head[0], at, actor, action, entity, eid, party_id, origin, reason, detail)
    seq = head[1] + 1
    conn.execute(AuditLog.__table__.insert().values(
        at=at, actor=actor, action=action, entity=entity, entity_id=eid, party_id=party_id, origin=origin,
        reason=reason, detail=detail, prev_hash=head[0], hash=digest, seq=seq))
    head[0], head[1] = digest, seq
    conn.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=digest, count=seq))


def _values(r: dict) -> dict:
    return {"at": _now(), "actor": r["actor"], "action": r["action"], "entity": r["entity"],
            "entity_id": None if r.get("entity_id") is None else str(r["entity_id"]), "party_id": r.get("party_id"),
            "origin": r.get("origin"), "reason": r.get("reason"), "detail": r.get("detail")}


def append_many(conn: Connection, info: dict, rows: list[dict]) -> None:
    """Append several rows (each the keyword arguments of ``append``: actor, action, entity, entity_id, party_id,
    origin, reason, detail) in order: the same chain as one ``append`` per row, written with one INSERT and one
    update of the head (a batch's tasks)."""
    if not rows:
        return
    head = _lock_head(conn, info)
    prev, seq, out = head[0], head[1], []
    for r in rows:
        values = _values(r)
        digest = _digest(prev, values["at"], values["actor"], values["action"], values["entity"],
                         values["entity_id"], values["party_id"], values["origin"], values["reason"],
                         values["detail"])
        seq += 1
        out.append({**values, "prev_hash": prev, "hash": digest, "seq": seq})
        prev = digest
    conn.execute(AuditLog.__table__.insert(), out)
    head[0], head[1] = prev, seq
    conn.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=prev, count=seq))


def append_unsealed(conn: Connection, rows: list[dict]) -> None:
    """Write rows (as ``append_many``) without taking the chain's head: in the log when the transaction commits,
    chained later by ``seal``."""
    if rows:
        conn.execute(AuditLog.__table__.insert(), [_values(r) for r in rows])


def record(session: Session, who: object, action: str, entity: str, entity_id: object = None, *,
           party_id: int | None = None, origin: str | None = None, reason: str | None = None,
           detail: dict | None = None) -> None:
    """Append one row to the audit chain within the session's transaction.

    ``who`` is a ``Principal`` (its login and origin are kept) or a plain actor name."""
    origin = origin or getattr(who, "origin", None)
    append(session.connection(), session.info, str(who), action, entity, entity_id, party_id=party_id,
           origin=origin, reason=reason, detail=detail)


def record_read(session: Session, who: object, entity: str, entity_id: object = None, *,
                party_id: int | None = None, origin: str | None = None, reason: str | None = None,
                detail: dict | None = None) -> None:
    """A page's read of a file: written in the session's transaction (so before the page leaves, once the request
    commits), sealed into the chain after (the module's docstring) — no page waits for another's."""
    append_unsealed(session.connection(), [{
        "actor": str(who), "action": "read", "entity": entity, "entity_id": entity_id, "party_id": party_id,
        "origin": origin or getattr(who, "origin", None), "reason": reason, "detail": detail}])


def record_reads(session: Session, who: object, entity: str, party_ids, *, what: list[str] | str,
                 reason: str | None = None, detail: dict | None = None, origin: str | None = None) -> None:
    """A list or document showing personal data of several files: one ``read`` row per file shown (who, which
    file, what — the fields or the document —, when, from where, why), so a file's history names every list it
    appeared in. ``party_ids`` may repeat; each file is recorded once. Written in one statement, sealed after
    (as ``record_read``)."""
    seen: set[int] = set()
    fields = what if isinstance(what, str) else ",".join(what)
    origin = origin or getattr(who, "origin", None)
    rows = []
    for pid in party_ids:
        if pid is None or pid in seen:
            continue
        seen.add(pid)
        rows.append({"actor": str(who), "action": "read", "entity": entity, "party_id": pid, "origin": origin,
                     "reason": reason, "detail": {"what": fields, **(detail or {})}})
    append_unsealed(session.connection(), rows)


def seal(conn: Connection, *, wait: bool = True) -> int:
    """Chain every committed row still waiting for its seal, in its own transaction (``conn``: a plain connection
    in a transaction, not a session's). Returns how many were sealed; ``wait=False`` returns 0 at once when
    another transaction holds the head (PostgreSQL)."""
    if conn.execute(text("SELECT id FROM audit_log WHERE hash IS NULL LIMIT 1")).first() is None:
        return 0  # nothing waiting: no lock taken, nothing written
    head = _take_head(conn, wait)
    return 0 if head is None else _seal_waiting(conn, head)


class Sealer:
    """The server's sealer: a thread of each worker process sealing the waiting rows every ``every`` seconds
    (each seal in a short transaction of its own; when another worker holds the head this one skips a turn), once
    at the start (rows left by a process that died) and once at a clean stop."""

    def __init__(self, url: str, every: float) -> None:
        self.url, self.every = url, every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def seal_once(self, wait: bool = False) -> int:
        from caisse.store.db import engine_for

        try:
            with engine_for(self.url).begin() as conn:
                return seal(conn, wait=wait)
        except Exception as exc:  # noqa: BLE001 — the next turn tries again; the rows stay safe, unsealed
            log.warning("audit sealer: %s (the rows wait for the next turn)", type(exc).__name__)
            return 0

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.seal_once()

    def start(self) -> None:
        self.seal_once(wait=True)
        if self.every > 0:
            self._thread = threading.Thread(target=self._run, name="audit-sealer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.seal_once(wait=True)


@dataclass
class Verification:
    ok: bool
    rows: int
    problem: str | None = None
    unsealed: int = 0  # rows committed while the chain was being checked, waiting for their seal


def _row_problem(prev: str, r) -> str | None:
    if r.prev_hash != prev:
        return f"row {r.id}: link broken (a row before it was removed or changed)"
    if _stored_digest(prev, r) != r.hash:
        return f"row {r.id}: content does not match its hash (row altered)"
    return None


def verify(conn: Connection, chunk: int = 50_000) -> Verification:
    """Recompute the chain: every row's hash, every link, every place, and the head. The rows chained before
    places existed (migration 0030) come first, in id order; then the sealed rows by place."""
    prev, rows, last = ZERO, 0, 0
    columns = f"{_CONTENT}, prev_hash, hash, seq"
    while True:
        batch = conn.execute(text(
            f"SELECT {columns} FROM audit_log WHERE id > :last AND seq IS NULL AND hash IS NOT NULL "
            "ORDER BY id LIMIT :n"), {"last": last, "n": chunk}).all()
        if not batch:
            break
        for r in batch:
            if problem := _row_problem(prev, r):
                return Verification(False, rows, problem)
            prev, rows, last = r.hash, rows + 1, r.id
    last = 0
    while True:
        batch = conn.execute(text(f"SELECT {columns} FROM audit_log WHERE seq > :last ORDER BY seq LIMIT :n"),
                             {"last": last, "n": chunk}).all()
        if not batch:
            break
        for r in batch:
            if problem := _row_problem(prev, r):
                return Verification(False, rows, problem)
            if r.seq != rows + 1:
                return Verification(False, rows, f"row {r.id}: sealed at place {r.seq}, {rows + 1} expected "
                                                 "(a sealed row was removed)")
            prev, rows, last = r.hash, rows + 1, r.seq
    head = conn.execute(select(AuditHead.last_hash, AuditHead.count).where(AuditHead.id == 1)).first()
    if head is None or head[0] != prev or head[1] != rows:
        return Verification(False, rows, "the head does not match the last row (rows removed at the end?)")
    unsealed = conn.execute(text("SELECT COUNT(*) FROM audit_log WHERE hash IS NULL")).scalar() or 0
    return Verification(True, rows, unsealed=unsealed)


@event.listens_for(Session, "after_transaction_end")
def _forget_cached_head(session: Session, _transaction) -> None:
    session.info.pop(_HEAD, None)
