"""Documents on a case: the person adds PDF or JPEG files when opening a request and later in its thread; staff add
a paper document scanned. The checks (type from the bytes, size limit, empty, the same bytes twice on the case) are
the benefit claims' ones (``services/uploads.py``). Who may add or read one: whoever may write on, or read, the case
(``service._case``: the person on their own files — another's case and a missing one refused alike —, staff with the
need to know); every download is audited with the need-to-know reason.
A person's document restarts the clock of a case waiting for them, like their reply."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.cases import service
from caisse.cases.models import Case, CaseAttachment
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.uploads import EXTENSION, check, clean_name, refuse_duplicate

MAX_FILES = 10
FIELD = "files"  # the form's input the refusals name


def checked(files: list[tuple[str | None, bytes | None]]) -> list[tuple[str, bytes, str, str]]:
    """``(name, content, type, sha256)`` of each file, or the first refusal (nothing is written): none may be
    empty, too large, not a PDF or JPEG, or the same as another of the lot."""
    if len(files) > MAX_FILES:
        raise InvalidInput(FIELD, "at most {n} documents at once", n=MAX_FILES)
    out, seen = [], set()
    for name, content in files:
        kind, digest = check(content, field=FIELD)
        if digest in seen:
            raise Conflict(FIELD, "the same document is chosen twice ({name})", name=clean_name(name))
        seen.add(digest)
        out.append((clean_name(name), content, kind, digest))
    return out


def add(session: Session, who: Principal, case_id: int, files: list[tuple[str | None, bytes | None]],
        today: dt.date) -> list[CaseAttachment]:
    """Add documents to an open case (the person on their own file, or staff handling it)."""
    c = service._case(session, who, case_id, write=True, lock=True)[0]
    if c.status == "closed":
        raise Conflict("status", "this case is closed; open a new one")
    if not files:
        raise InvalidInput(FIELD, "choose a document (PDF or JPEG)")
    added = []
    for name, content, kind, digest in checked(files):
        refuse_duplicate(session, CaseAttachment, CaseAttachment.case_id, c.id, digest, FIELD)
        att = CaseAttachment(case_id=c.id, party_id=c.party_id, filename=name, content_type=kind, size=len(content),
                             sha256=digest, content=content, received_on=today, added_by=str(who))
        session.add(att)
        session.flush()
        # the name stays on the attachment: the audit row holds what proves the bytes, not what names them
        audit.record(session, who, "create", "case_attachment", att.id, party_id=c.party_id,
                     detail={"case": c.id, "content_type": kind, "size": att.size, "sha256": digest})
        added.append(att)
    if added and who.role in service.PERSON_SIDE:
        service.person_resumes(c, today)
    return added


def of_case(session: Session, c: Case) -> list[CaseAttachment]:
    """The documents of a case already read (``service.get_case``), oldest first, without their bytes loaded;
    ``available``: the bytes are still kept (not emptied by the retention rules)."""
    from sqlalchemy import func
    from sqlalchemy.orm import defer

    rows = session.execute(select(CaseAttachment, func.length(CaseAttachment.content) > 0)
                           .where(CaseAttachment.case_id == c.id).options(defer(CaseAttachment.content))
                           .order_by(CaseAttachment.id)).all()
    for att, kept in rows:
        att.available = bool(kept)
    return [att for att, _kept in rows]


def get(session: Session, who: Principal, case_id: int, attachment_id: int,
        reason: str | None = None) -> CaseAttachment:
    """One document's bytes, for whoever may read the case (the case's own check); the read is audited."""
    c, reason = service._case(session, who, case_id, write=False, reason=reason)
    att = session.get(CaseAttachment, attachment_id)
    if att is None or att.case_id != c.id:
        raise NotFound("document", attachment_id)
    if not att.content:
        raise NotFound("document (emptied by the retention rules; its SHA-256 stays)", attachment_id)
    audit.record(session, who, "read", "case_attachment", att.id, party_id=c.party_id, reason=reason,
                 detail={"case": c.id, "sha256": att.sha256})
    return att


def download_name(att: CaseAttachment) -> str:
    return f"case-{att.case_id}-document-{att.id}.{EXTENSION[att.content_type]}"
