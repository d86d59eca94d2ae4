"""Documents a person or staff add — to a benefit claim (``benefits.attachments``) or to a case
(``cases.attachments``): the checks both share.

* The type is recognised from the bytes (a PDF starts with ``%PDF-`` and ends with ``%%EOF``; a JPEG starts with
  ``FF D8 FF`` and ends with ``FF D9``), never from the file's name or the browser's declared type.
* The size is limited (``upload_max_bytes``, env ``CAISSE_UPLOAD_MAX_BYTES``, the fund's choice, the same for every
  upload); an empty file is refused.
* The same bytes twice on the same claim or case are refused (``refuse_duplicate``: by SHA-256).
Every refusal names the form's field (``file`` on a claim's page, ``files`` on a case's); the pages show it
translated (``labels.error_text``).
"""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.errors import Conflict, InvalidInput

EXTENSION = {"application/pdf": "pdf", "image/jpeg": "jpg"}


def max_bytes() -> int:
    from caisse.config import get_settings

    return get_settings().upload_max_bytes


def sniff(content: bytes, field: str = "file") -> str:
    """The type of ``content`` from its bytes: application/pdf or image/jpeg, else InvalidInput naming ``field``."""
    if content.startswith(b"%PDF-") and b"%%EOF" in content[-2048:]:
        return "application/pdf"
    if content.startswith(b"\xff\xd8\xff") and b"\xff\xd9" in content[-64:]:
        return "image/jpeg"
    raise InvalidInput(field, "not a PDF or JPEG document (recognised from its content, not its name)")


def clean_name(filename: str | None) -> str:
    """The name as shown (no path, no control characters, at most 200 characters)."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "document"


def too_large(limit: int, field: str = "file") -> InvalidInput:
    return InvalidInput(field, "too large: at most {limit} bytes", limit=f"{limit:,}")


def check(content: bytes | None, limit: int | None = None, field: str = "file") -> tuple[str, str]:
    """``(content type, SHA-256)`` of a document someone adds, or the refusal naming ``field`` (the form's input):
    none chosen, empty, too large, not a PDF or JPEG."""
    limit = max_bytes() if limit is None else limit
    if content is None:
        raise InvalidInput(field, "choose a document (PDF or JPEG)")
    if not content:
        raise InvalidInput(field, "empty: choose a document")
    if len(content) > limit:
        raise too_large(limit, field)
    return sniff(content, field), hashlib.sha256(content).hexdigest()


def refuse_duplicate(session: Session, model, owner_column, owner_id: int, digest: str, field: str = "file") -> None:
    """Conflict when ``model`` already holds these bytes (``digest``) for this owner (a claim, a case)."""
    same = session.scalar(select(model).where(owner_column == owner_id, model.sha256 == digest))
    if same is not None:
        raise Conflict(field, "this document was already added on {date} ({name})",
                       date=same.received_on.isoformat(), name=same.filename)
