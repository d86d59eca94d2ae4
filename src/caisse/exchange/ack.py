"""The acknowledgement of an outgoing file (pure parsing; format: docs/formats/acknowledgement.md).

The receiver's real answer format (KSZ/BCSS, INASTI, the mutualities) is not public; this is our own simple one,
so that an adapter for the real answer only has to produce it::

    caisse-ack;1
    file;CAREER-20250715-0001
    status;accepted
    rejected;12;E101;NISS unknown to the National Register

UTF-8, one item per line, fields separated by ``;`` (the reason is the rest of the line and may contain ``;``),
blank lines and lines starting with ``#`` ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from caisse.errors import InvalidInput

MAGIC = "caisse-ack;1"
_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,20}\Z")


@dataclass
class Ack:
    file: str
    status: str  # accepted | rejected
    reason: str | None = None
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (record id, code, reason)


def parse_ack(data: bytes) -> Ack:
    """The acknowledgement in ``data``; a bad line is refused with the field and line it is about."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("file", "an acknowledgement is UTF-8 text") from None
    lines = [(n, raw.strip()) for n, raw in enumerate(text.splitlines(), 1)]
    lines = [(n, s) for n, s in lines if s and not s.startswith("#")]
    if not lines or lines[0][1] != MAGIC:
        raise InvalidInput("format", f"the first line must be {MAGIC!r}")
    ref = status = reason = None
    rejected: list[tuple[int, str, str]] = []
    seen: set[int] = set()
    for n, line in lines[1:]:
        tag, _, rest = line.partition(";")
        if tag == "file":
            if ref is not None:
                raise InvalidInput("file", f"line {n}: a second file line")
            ref = rest.strip()
            if not ref:
                raise InvalidInput("file", f"line {n}: the file reference is empty")
        elif tag == "status":
            if status is not None:
                raise InvalidInput("status", f"line {n}: a second status line")
            status = rest.strip()
            if status not in ("accepted", "rejected"):
                raise InvalidInput("status", f"line {n}: accepted or rejected, got {status!r}")
        elif tag == "reason":
            reason = rest.strip() or None
        elif tag == "rejected":
            parts = rest.split(";", 2)
            if len(parts) < 3 or not parts[0].strip().isdigit():
                raise InvalidInput("rejected", f"line {n}: expected rejected;<record number>;<code>;<reason>")
            record, code, why = int(parts[0]), parts[1].strip(), parts[2].strip()
            if not _CODE.match(code):
                raise InvalidInput("rejected", f"line {n}: the code must be 1 to 20 letters, digits or _.-")
            if not why:
                raise InvalidInput("rejected", f"line {n}: the reason is empty")
            if record in seen:
                raise InvalidInput("rejected", f"line {n}: record {record} is rejected twice")
            seen.add(record)
            rejected.append((record, code, why))
        else:
            raise InvalidInput("format", f"line {n}: unknown line {tag!r} (file, status, reason or rejected)")
    if ref is None:
        raise InvalidInput("file", "no file line: which file does this answer?")
    if status is None:
        raise InvalidInput("status", "no status line")
    if status == "rejected" and rejected:
        raise InvalidInput("rejected", "a rejected file rejects every record: list rejected records only with "
                                       "status accepted")
    return Ack(ref, status, reason, rejected)


def render_ack(ack: Ack) -> bytes:
    """The text of an acknowledgement (tests, the demo, an adapter)."""
    out = [MAGIC, f"file;{ack.file}", f"status;{ack.status}"]
    if ack.reason:
        out.append(f"reason;{ack.reason}")
    out += [f"rejected;{r};{c};{w}" for r, c, w in ack.rejected]
    return ("\n".join(out) + "\n").encode()
