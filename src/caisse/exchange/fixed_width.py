"""Fixed-width record files of our own (pure: no database, no clock).

A file is a header line (code ``0``), detail lines (code ``1``) and a trailer line (code ``9``), each exactly
``FileFormat.width`` ASCII characters followed by LF. Every field is declared once here, with its position, width,
kind and meaning; the format docs (docs/formats/inasti-career.md, docs/formats/mutuality.md) show the same tables
and a test checks that they agree.

Field kinds: ``text`` left-aligned, space-padded (ASCII letters, digits, ``_-/.`` and space); ``number`` unsigned,
right-aligned, zero-padded; ``amount`` cents as a sign (``+``/``-``) and zero-padded digits; ``date`` ``YYYYMMDD``;
``stamp`` ``YYYYMMDDHHMMSS`` (UTC).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from dataclasses import dataclass

from caisse.errors import InvalidInput

_TEXT = re.compile(r"[A-Za-z0-9_\-/. ]*\Z")
_LINE = re.compile(r"[A-Za-z0-9_\-/. +]*\n\Z")


@dataclass(frozen=True)
class Field:
    name: str
    width: int
    kind: str  # text | number | amount | date | stamp
    doc: str


@dataclass(frozen=True)
class Layout:
    code: str
    fields: tuple[Field, ...]

    @functools.cached_property
    def length(self) -> int:
        return 1 + sum(f.width for f in self.fields)

    def positions(self) -> list[tuple[int, Field]]:
        """(1-based start position, field) of every field after the record code."""
        out, pos = [], 2
        for f in self.fields:
            out.append((pos, f))
            pos += f.width
        return out


def _cell(f: Field, value) -> str:
    if f.kind == "text":
        text = "" if value is None else str(value)
        if len(text) > f.width or not _TEXT.match(text):
            raise InvalidInput(f.name, f"{text!r} does not fit {f.width} plain characters")
        return text.ljust(f.width)
    if f.kind == "number":
        n = int(value or 0)
        text = str(n)
        if n < 0 or len(text) > f.width:
            raise InvalidInput(f.name, f"{n} does not fit {f.width} digits")
        return text.zfill(f.width)
    if f.kind == "amount":
        n = int(value)
        digits = str(abs(n))
        if len(digits) > f.width - 1:
            raise InvalidInput(f.name, f"{n} does not fit {f.width - 1} digits")
        return ("-" if n < 0 else "+") + digits.zfill(f.width - 1)
    if f.kind == "date":
        return value.strftime("%Y%m%d") if value else " " * f.width
    if f.kind == "stamp":
        return value.strftime("%Y%m%d%H%M%S")
    raise ValueError(f.kind)


def _value(f: Field, text: str):
    if f.kind == "text":
        return text.rstrip()
    if f.kind == "number":
        return int(text)
    if f.kind == "amount":
        return int(text)
    if f.kind == "date":
        return dt.datetime.strptime(text, "%Y%m%d").date() if text.strip() else None
    if f.kind == "stamp":
        return dt.datetime.strptime(text, "%Y%m%d%H%M%S")
    raise ValueError(f.kind)


def _template(layout: Layout, width: int) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    spec = {"text": "<{w}", "number": "0{w}d", "amount": "+0{w}d", "date": "<{w}", "stamp": "<{w}"}
    body = layout.code.replace("{", "{{") + "".join("{:" + spec[f.kind].format(w=f.width) + "}"
                                                   for f in layout.fields)
    filler = width - layout.length
    return body + " " * filler + "\n", tuple(f.name for f in layout.fields), tuple(f.kind for f in layout.fields)


def _prepare_text(value):
    text = "" if value is None else str(value)
    if "+" in text:
        raise ValueError(text)
    return text


def _prepare_number(value):
    n = int(value or 0)
    if n < 0:
        raise ValueError(n)
    return n


def _prepare_date(value):
    return value.strftime("%Y%m%d") if value else ""


def _prepare_stamp(value):
    return value.strftime("%Y%m%d%H%M%S")


# The value as the template formats it, per field kind; ValueError sends the line to the field-by-field check
# (which names the field): a '+' in a text (the line's pattern allows it for the amounts) or a negative number.
_PREPARE = {"text": _prepare_text, "number": _prepare_number, "amount": int, "date": _prepare_date,
            "stamp": _prepare_stamp}


@dataclass(frozen=True)
class FileFormat:
    """A versioned file of header / details / trailer; ``content_fields`` are the detail fields that make up a
    record's data (what a correction compares), in the order of the stored ``content`` (joined by ``|``)."""

    name: str
    version: int
    header: Layout
    detail: Layout
    trailer: Layout
    content_fields: tuple[str, ...]
    # trailer fields computed from the details: (trailer field, detail field, value counted — None: the sum)
    totals: tuple[tuple[str, str, str | None], ...] = ()
    # the last ``optional_tail`` content fields (added by a later version) are left out of a record's content while
    # blank: a record without them is read, compared and cancelled as the earlier version wrote it (no correction
    # sent because a column was added)
    optional_tail: int = 0

    @functools.cached_property
    def width(self) -> int:
        return max(self.header.length, self.detail.length, self.trailer.length)

    @functools.cached_property
    def _templates(self) -> dict:
        return {layout.code: _template(layout, self.width) for layout in (self.header, self.detail, self.trailer)}

    def line(self, layout: Layout, values: dict) -> str:
        """One line: a format string per layout (fast: a first file has a line per quarter of every career); a
        value that does not fit — the line's length or characters are off — is checked field by field, and the
        field is named in the error."""
        template, names, kinds = self._templates[layout.code]
        try:
            body = template.format(*[_PREPARE[kind](values.get(name)) for name, kind in zip(names, kinds, strict=True)])
        except (TypeError, ValueError):
            body = ""
        if len(body) != self.width + 1 or not _LINE.match(body):
            body = layout.code + "".join(_cell(f, values.get(f.name)) for f in layout.fields)
            return body.ljust(self.width) + "\n"
        return body

    @functools.cached_property
    def _detail_plan(self) -> tuple[str, tuple]:
        """The detail template and, per field, (position in the content's parts or -1, name, preparation)."""
        template, names, kinds = self._templates[self.detail.code]
        index = {name: i for i, name in enumerate(self.content_fields)}
        return template, tuple((index.get(name, -1), name, _PREPARE[kind]) for name, kind in zip(names, kinds,
                                                                                                 strict=True))

    def detail_line(self, parts: list[str], other: dict) -> str:
        """``line(detail, ...)`` of a record from its content's parts (``parts(content)``, checked by the caller)
        and the detail fields that are not content (record number, type...), without a dict per line: the same
        line, or the same error."""
        template, plan = self._detail_plan
        try:
            body = template.format(*[prepare(parts[i]) if i >= 0 else prepare(other.get(name))
                                     for i, name, prepare in plan])
        except (TypeError, ValueError):
            body = ""
        if len(body) != self.width + 1 or not _LINE.match(body):
            return self.line(self.detail, {**dict(zip(self.content_fields, parts, strict=True)), **other})
        return body

    def parse(self, line: str) -> tuple[str, dict]:
        """(code, values) of one line (for tests and for reading a file back)."""
        line = line.rstrip("\n")
        if len(line) != self.width:
            raise InvalidInput("line", f"expected {self.width} characters, got {len(line)}")
        layout = {self.header.code: self.header, self.detail.code: self.detail,
                  self.trailer.code: self.trailer}.get(line[:1])
        if layout is None:
            raise InvalidInput("line", f"unknown record code {line[:1]!r}")
        return layout.code, {f.name: _value(f, line[pos - 1:pos - 1 + f.width]) for pos, f in layout.positions()}

    def content(self, values: dict) -> str:
        parts = ["" if values.get(n) is None else str(values[n]) for n in self.content_fields]
        for _ in range(self.optional_tail):  # a blank optional tail is left out (see ``optional_tail``)
            if parts[-1]:
                break
            parts.pop()
        return "|".join(parts)

    def parts(self, content: str) -> list[str]:
        """The content's parts, a blank optional tail filled in (``optional_tail``); the count is the caller's."""
        parts = content.split("|")
        missing = len(self.content_fields) - len(parts)
        return parts + [""] * missing if 0 < missing <= self.optional_tail else parts

    def from_content(self, content: str) -> dict:
        parts = self.parts(content)
        if len(parts) != len(self.content_fields):
            raise InvalidInput("content", f"{len(parts)} fields for {len(self.content_fields)}")
        return dict(zip(self.content_fields, parts, strict=True))


RECORD_TYPE_CODES = {"new": "N", "correction": "C", "resend": "R", "cancel": "D"}

_HEADER = (
    Field("format", 20, "text", "format name"),
    Field("version", 3, "number", "format version"),
    Field("fund_kbo", 10, "number", "the fund's enterprise number (KBO/BCE), 10 digits"),
    Field("reference", 24, "text", "the file's reference, unique (the acknowledgement quotes it)"),
    Field("as_of", 8, "date", "reference date: the ledger and the files as they stood on that day"),
    Field("created", 14, "stamp", "when the file was made (UTC)"),
    Field("first_quarter", 6, "text", "earliest quarter in the file (YYYYQn)"),
    Field("last_quarter", 6, "text", "latest quarter in the file (YYYYQn)"),
)
_TRAILER = (
    Field("reference", 24, "text", "the file's reference again"),
    Field("records", 10, "number", "number of detail lines"),
    Field("new", 10, "number", "detail lines of type N"),
    Field("corrections", 10, "number", "detail lines of type C"),
    Field("resends", 10, "number", "detail lines of type R"),
    Field("cancellations", 10, "number", "detail lines of type D"),
)
_RECORD = (
    Field("record_id", 10, "number", "the record's number, unique across all the fund's files of every kind"),
    Field("record_type", 1, "text", "N new, C correction, R resent after a rejection, D cancellation"),
    Field("corrects", 10, "number", "C, R, D: the number of the record this one replaces; N: zeros"),
    Field("niss", 11, "text", "national register number or BIS number of the self-employed person"),
    Field("quarter", 6, "text", "the quarter the contributions are due for (YYYYQn)"),
    Field("category", 14, "text", "contributor category in that quarter: main, complementary, student, "
                                  "helping_spouse, post_pension, art37, unknown"),
)

CAREER = FileFormat(
    name="CAISSE-CAREER", version=2,
    header=Layout("0", _HEADER),
    detail=Layout("1", (
        *_RECORD,
        Field("state", 11, "text", "paid, kept_rights, assimilated, dispensed, bought_back, prescribed, unpaid; "
                                   "cancelled on a D line"),
        Field("called", 13, "amount", "principal contributions of the quarter called (calls, regularisations), "
                                      "cents"),
        Field("paid", 13, "amount", "of which paid (money imputed, net of releases and returned payments), cents"),
        Field("open", 13, "amount", "of which still owed on the reference date, cents"),
        Field("reason", 12, "text", "why this state: paid, not_paid, partly_paid, written_off, dispensation, "
                                    "bought_back, prescription, maternity, carer, illness, withdrawn"),
        Field("decision", 20, "text", "reference of the dispensation, prescription, benefit claim or assimilation "
                                      "decision, else blank"),
    )),
    trailer=Layout("9", (*_TRAILER,
                         Field("called", 16, "amount", "sum of the called column, cents"),
                         Field("paid", 16, "amount", "sum of the paid column, cents"))),
    content_fields=("niss", "category", "state", "called", "paid", "open", "reason", "decision"),
    totals=(("called", "called", None), ("paid", "paid", None)),
)

MUTUALITY = FileFormat(
    name="CAISSE-MUTUALITY", version=3,
    header=Layout("0", _HEADER),
    detail=Layout("1", (
        *_RECORD,
        Field("in_order", 1, "text", "Y: the contributions of the quarter are in order (paid, bought back, "
                                     "dispensed, kept with a benefit or assimilated), N: they are not; blank on a D "
                                     "line"),
        Field("state", 11, "text", "the same states as the career file; cancelled on a D line"),
        Field("reason", 12, "text", "the reasons of the career file, and bridging (health-care rights maintained "
                                    "with a bridging right); an unpaid quarter is always not_paid"),
        Field("decision", 20, "text", "reference of the dispensation, prescription, benefit claim or "
                                      "assimilation decision, else blank"),
    )),
    trailer=Layout("9", (*_TRAILER,
                         Field("in_order", 10, "number", "detail lines with Y"),
                         Field("not_in_order", 10, "number", "detail lines with N"))),
    content_fields=("niss", "category", "in_order", "state", "reason", "decision"),
    totals=(("in_order", "in_order", "Y"), ("not_in_order", "in_order", "N")),
)

_IDS = _RECORD[:3]  # record_id, record_type, corrects
_NISS = _RECORD[3]

VOUCHERS = FileFormat(
    name="CAISSE-VOUCHERS", version=1,
    header=Layout("0", _HEADER),
    detail=Layout("1", (
        *_IDS, _NISS,
        Field("kind", 12, "text", "maternity (maternity aid) or birth_leave (at most 8 days of birth leave taken)"),
        Field("birth_date", 8, "text", "the child's birth date, YYYYMMDD"),
        Field("vouchers", 3, "number", "service vouchers: 105 (maternity) or 15 (birth leave); 0 on a D line"),
        Field("nature", 6, "text", "free: free vouchers delivered (maternity aid); refund: vouchers reimbursed "
                                   "(birth leave)"),
        Field("requested", 8, "text", "maternity: the day the mother asked the vouchers, YYYYMMDD; birth leave: "
                                      "blank"),
        Field("half_days", 3, "number", "birth leave: half-days of leave granted for the birth; maternity: zeros"),
        Field("claim", 10, "number", "the fund's claim number (birth leave: the first claim for the birth)"),
    )),
    trailer=Layout("9", (*_TRAILER, Field("vouchers", 10, "number", "sum of the vouchers column"))),
    content_fields=("niss", "kind", "birth_date", "vouchers", "nature", "requested", "half_days", "claim"),
    totals=(("vouchers", "vouchers", None),),
)

INSURABILITY = FileFormat(
    name="CAISSE-INSURABILITY", version=2,
    header=Layout("0", _HEADER),
    detail=Layout("1", (
        *_IDS, _NISS,
        Field("notice", 60, "text", "the mutuality's reference of the incapacity notice (the events file's "
                                    "reference), else blank"),
        Field("incapacity", 8, "text", "the first day of the incapacity, YYYYMMDD"),
        Field("quarter", 6, "text", "the quarter answered (YYYYQn)"),
        Field("category", 14, "text", "contributor category in that quarter (as the career file), unknown if none"),
        Field("in_order", 1, "text", "Y: the quarter is in order (paid, bought back, dispensed, kept with a benefit "
                                     "or assimilated), N: it is not; blank on a D line"),
        Field("state", 11, "text", "the career file's states, and not_due (called, not due yet), none (nothing "
                                   "called); cancelled on a D line"),
        Field("called", 13, "amount", "principal contributions of the quarter called, cents"),
        Field("paid", 13, "amount", "of which paid, cents"),
        Field("open", 13, "amount", "of which still owed on the reference date, cents"),
        Field("reason", 12, "text", "the career file's reasons, and bridging, not_due, not_called"),
        Field("decision", 20, "text", "reference of the dispensation, prescription, benefit claim or assimilation "
                                      "decision, else blank"),
    )),
    trailer=Layout("9", (*_TRAILER,
                         Field("in_order", 10, "number", "detail lines with Y"),
                         Field("not_in_order", 10, "number", "detail lines with N"))),
    content_fields=("niss", "notice", "incapacity", "quarter", "category", "in_order", "state", "called", "paid",
                    "open", "reason", "decision"),
    totals=(("in_order", "in_order", "Y"), ("not_in_order", "in_order", "N")),
)

_YEARS = (*_HEADER[:6],
          Field("first_year", 4, "text", "earliest year in the file (YYYY)"),
          Field("last_year", 4, "text", "latest year in the file (YYYY)"))

_BENEFIT_TAX_HEAD = (
    *_IDS, _NISS,
    Field("year", 4, "text", "the calendar year the benefit was paid in (YYYY)"),
    Field("benefit", 14, "text", "bridging_right, birth_leave, carer, bereavement"),
    Field("form", 9, "text", "the tax form: 281.18 for birth leave (addendum §8.3 [S260]); NOT_FOUND for the "
                             "others"),
    Field("boxes", 9, "text", "the form's box codes: NOT_FOUND (not in the notes)"),
    Field("paid", 13, "amount", "transferred to the person in the year (credit transfers booked), cents"),
    Field("set_off", 13, "amount", "kept in the year out of the benefit to settle an undue benefit the person "
                                  "owed or, with their agreement, their contributions due, cents"),
    Field("gross", 13, "amount", "paid + set_off + tax_withheld: the benefit paid in the year, cents"),
    Field("tax_withheld", 13, "amount", "tax the fund withheld at a rate it recorded (none in the notes: "
                                       "zeros until it records one), cents"),
)
_BENEFIT_TAX_CLAIMS = Field("claims", 5, "number", "claims whose benefit was paid in the year")
_BENEFIT_TAX_TRAILER = Layout("9", (*_TRAILER,
                                    Field("gross", 16, "amount", "sum of the gross column, cents"),
                                    Field("tax_withheld", 16, "amount", "sum of the tax_withheld column, cents")))
_BENEFIT_TAX_CONTENT = ("niss", "year", "benefit", "form", "boxes", "paid", "set_off", "gross", "tax_withheld",
                        "withholding", "claims")

BENEFIT_TAX = FileFormat(
    name="CAISSE-BENEFIT-TAX", version=2,
    header=Layout("0", _YEARS),
    detail=Layout("1", (
        *_BENEFIT_TAX_HEAD,
        Field("withholding", 9, "text", "the withholding rate the fund recorded and applied to these payments, as a "
                                        "share (0.1111 is 11.11 %); NOT_FOUND where none was recorded (none is in "
                                        "the notes)"),
        Field("withholding_source", 20, "text", "the source id the fund recorded with that rate; blank with "
                                                "NOT_FOUND"),
        _BENEFIT_TAX_CLAIMS,
    )),
    trailer=_BENEFIT_TAX_TRAILER,
    content_fields=(*_BENEFIT_TAX_CONTENT, "withholding_source"),
    totals=(("gross", "gross", None), ("tax_withheld", "tax_withheld", None)),
    optional_tail=1,
)
# Version 1: the withholding rate always NOT_FOUND, no source column (lines of 135 characters)
BENEFIT_TAX_V1 = FileFormat(
    name="CAISSE-BENEFIT-TAX", version=1,
    header=Layout("0", _YEARS),
    detail=Layout("1", (*_BENEFIT_TAX_HEAD,
                        Field("withholding", 9, "text", "the withholding rate: NOT_FOUND (not in the notes)"),
                        _BENEFIT_TAX_CLAIMS)),
    trailer=_BENEFIT_TAX_TRAILER,
    content_fields=_BENEFIT_TAX_CONTENT,
    totals=(("gross", "gross", None), ("tax_withheld", "tax_withheld", None)),
)

# Version 1 of the career and mutuality files: the same layout without the states kept_rights and assimilated
# (a quarter dispensed with a benefit or assimilated was absent). Kept so that a file made in version 1 is rebuilt
# byte for byte when its date is asked again.
CAREER_V1 = dataclasses.replace(CAREER, version=1)
MUTUALITY_V1 = dataclasses.replace(MUTUALITY, version=1)
# Version 2 of the mutuality file and version 1 of the insurability answers: without the reason ``bridging`` (the
# health-care rights a bridging right maintains, which those files did not carry). Kept for the same reason.
MUTUALITY_V2 = dataclasses.replace(MUTUALITY, version=2)
INSURABILITY_V1 = dataclasses.replace(INSURABILITY, version=1)

FORMATS = {f.name: f for f in (CAREER, MUTUALITY)}
_VERSIONS: dict[tuple[str, int], FileFormat] = {}


def register(*formats: FileFormat) -> None:
    """Make formats known by name and version (the current one in ``FORMATS``, every one for ``format_version``)."""
    for f in formats:
        _VERSIONS[(f.name, f.version)] = f
        if f.version >= FORMATS.get(f.name, f).version:
            FORMATS[f.name] = f


register(CAREER_V1, MUTUALITY_V1, MUTUALITY_V2, CAREER, MUTUALITY, VOUCHERS, INSURABILITY_V1, INSURABILITY,
         BENEFIT_TAX_V1, BENEFIT_TAX)


def format_version(name: str, version: int) -> FileFormat:
    """The format ``name`` in ``version`` (an older file rebuilt as it was written)."""
    try:
        return _VERSIONS[(name, version)]
    except KeyError:
        raise InvalidInput("format", f"{name} version {version} is not known to this caisse") from None
