"""Logs never carry a national number (NISS/BIS) nor an IBAN.

The code does not log personal data; this is the safety net for what it does not control — chiefly uvicorn's
access log, which writes every request line *with its query string* (``GET /desk/search?q=85073003328``), and
exception messages. ``install()`` wraps the log-record factory of the process, so every record of every logger
(ours, uvicorn's, libraries') is masked when it is created, before any handler or formatter sees it:

- any run of 11 digits, bare or written with the usual separators (``85.07.30-033.28``, ``850730 033 28``,
  URL-encoded spaces) → ``[NISS]`` (no checksum test: a false positive only hides a number from a log);
- an IBAN (two letters, two check digits, 10 to 30 characters, with or without spaces) → ``[IBAN]``;
- the token of a forgotten-password link (``token=…``) → ``[TOKEN]``.

Incomes and health data have no recognisable shape; they are kept out of logs by never logging request or
response bodies (``tests/security/test_logs.py`` scans the logs of a full scenario for them too).
"""

from __future__ import annotations

import logging
import re

_SEP = r"(?:[.\s/+_-]|%20|%2[Ff]|%2[Dd]|%2[Ee])?"
NISS_RE = re.compile(rf"(?<![0-9])[0-9]{{2}}{_SEP}[0-9]{{2}}{_SEP}[0-9]{{2}}{_SEP}[0-9]{{3}}{_SEP}[0-9]{{2}}(?![0-9])")
IBAN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?:[A-Z0-9]{10,30}"  # compact, or in groups of four:
                     r"|(?P<sep> |%20|\+)[A-Z0-9]{4}(?:(?P=sep)[A-Z0-9]{4}){1,6}(?:(?P=sep)[A-Z0-9]{1,3})?)"
                     r"(?![A-Za-z0-9])", re.IGNORECASE)  # also typed in lower case in a search box


# a forgotten-password link's token in a request line (``GET /password-reset/new?token=…``): it works once and
# briefly, but whoever reads the access log before the person would get in
TOKEN_RE = re.compile(r"(?<=token=)[A-Za-z0-9_\-]{16,}")


def mask(text: str) -> str:
    return NISS_RE.sub("[NISS]", IBAN_RE.sub("[IBAN]", TOKEN_RE.sub("[TOKEN]", text)))


def _mask_value(value):
    if isinstance(value, str):
        return mask(value)
    if value is None or isinstance(value, int | float):
        return value
    if isinstance(value, bytes):
        text = value.decode("utf-8", "replace")
    else:  # an object formatted with %s (a URL, a request, an exception…): its text, masked, when it must be
        try:
            text = str(value)
        except Exception:  # a broken __str__ must not break logging
            return value
    masked = mask(text)
    return masked if masked != text else value


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask the message and its string arguments in place (the arguments keep their shape for formatters)."""
    if isinstance(record.msg, str):
        record.msg = mask(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_mask_value(a) for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _mask_value(v) for k, v in record.args.items()}
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        # formatters reuse a record's exc_text: give them the masked traceback
        record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
    return record


class PersonalDataFilter(logging.Filter):
    """The same masking as a filter, for a handler configured elsewhere (e.g. a logging config file)."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


_installed = False


def install() -> None:
    """Mask every log record of the process from now on (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        return mask_record(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True
