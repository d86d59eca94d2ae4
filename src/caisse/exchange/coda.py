"""CODA (Febelfin "coded statement of account", versions 2.x and 1) parser and writer.

A CODA file is a sequence of fixed 128-character records::

    0        header (one per envelope; version code in position 128: 2, or 1 for the older layout)
    1        old balance, account, holder            ┐
    2.1-2.3  movement (amount, codes, communication, │ one statement
             counterparty)                           │ (an envelope normally holds one;
    3.1-3.3  information attached to a movement      │  several are accepted)
    8        new balance                             ┘
    4        free communication (accepted anywhere between 1 and 9)
    9        trailer: record count, debit total, credit total

Positions below are the specification's (1-based); the slices are 0-based.

Amounts are integer cents, signed (credit > 0, debit < 0). CODA carries 3 decimals; a non-zero third
decimal is refused (the fund only works in euro cents). Dates are DDMMYY (years 00-79 → 20xx,
80-99 → 19xx); a value date of ``000000`` means "unknown" and is read as ``None``.

Version 1 differs only in where records 1, 8 and 2.3 hold accounts: a Belgian 12-digit account number (BBAN)
and its currency, and in record 2.3 the counterparty's name (and address) where version 2 continues the
communication. Each Belgian number is given as its IBAN, so that a version 1 statement reads like its
version 2 equivalent; see docs/formats/coda.md for the positions and their source.

Strict mode (default) raises :class:`CodaError` on the first violation, naming line, record and field;
nothing partial is returned. Lenient mode returns everything it could read and lists every problem in
:attr:`CodaFile.problems`. Warnings (things a real bank file may legitimately do, such as an anonymised
account in record 8 that differs from record 1, or an OGM with a wrong check digit) never raise.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stdnum import iban as std_iban
from stdnum.be import ogm_vcs

from caisse.errors import CaisseError
from caisse.identifiers import normalize_ogm

RECORD_LENGTH = 128
SUPPORTED_VERSION = "2"  # the layout the writer writes
READ_VERSIONS = ("1", "2")

ERROR = "error"
WARNING = "warning"

#: Transaction types (first digit of the transaction code) that count in balances and trailer totals.
#: 5-9 are details of a globalised amount (type 1, 2 or 3) and are never added to the balance again.
TOTAL_TYPES = frozenset("0123")
DETAIL_TYPES = frozenset("56789")

#: Record 2.2, position 113: type of R-transaction.
R_TRANSACTION_TYPES = {"1": "reject", "2": "return", "3": "refund", "4": "reversal", "5": "cancellation"}

#: Direct-debit (family 05) operations, creditor side, that undo or refund a collection (Annex II).
DIRECT_DEBIT_R_OPERATIONS = {
    "54": "refund",  # Reimbursement (the debtor had the collection refunded)
    "56": "unexecutable_refund",  # Unexecutable reimbursement
    "58": "reversal",  # Reversal: the collection is rejected/returned by the debtor's bank
}


# --------------------------------------------------------------------------------------------------
# Problems and errors


@dataclass(frozen=True, slots=True)
class CodaProblem:
    """One violation of the format: where (line, record, field) and why."""

    line: int
    record: str  # '0', '1', '2.1', '2.2', '2.3', '3.1', '3.2', '3.3', '4', '8', '9' or '?'
    field: str
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"line {self.line} (record {self.record}), field {self.field}: {self.message}"


class CodaError(CaisseError):
    """A CODA file that breaks the format. ``line``/``record``/``field`` say where."""

    def __init__(self, problem: CodaProblem):
        self.problem = problem
        self.line = problem.line
        self.record = problem.record
        self.field = problem.field
        self.message = problem.message
        super().__init__(f"CODA {problem}")


# --------------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True, slots=True)
class TransactionCode:
    """Record 2.1 positions 54-61 (3.1: 32-39): type (1), family (2), operation (2), category (3)."""

    type: str
    family: str
    operation: str
    category: str

    @classmethod
    def parse(cls, code: str) -> TransactionCode:
        found = _TX_CODES.get(code)
        if found is None:
            found = _TX_CODES[code] = cls(code[0], code[1:3], code[3:5], code[5:8])
        return found

    def __str__(self) -> str:
        return f"{self.type}{self.family}{self.operation}{self.category}"

    @property
    def is_detail(self) -> bool:
        return self.type in DETAIL_TYPES


_TX_CODES: dict[str, TransactionCode] = {}


@dataclass(slots=True)
class Information:
    """Information record 3.1 (+ 3.2, 3.3) attached to the movement with the same sequence number."""

    sequence: int
    detail: int
    bank_reference: str
    transaction_code: TransactionCode
    communication_type: str | None = None  # '001' (name/address), '002', '004', ... or None (free text)
    communication: str = ""  # the concatenated zone after the type code, right-stripped
    line: int = field(default=0, compare=False)

    def _part(self, start: int, end: int) -> str:
        return self.communication[start:end].strip()

    @property
    def name(self) -> str | None:
        """Counterparty name (structured communications 001, 008, 009)."""
        return self._part(0, 70) if self.communication_type in {"001", "008", "009"} else None

    @property
    def street(self) -> str | None:
        return self._part(70, 105) if self.communication_type == "001" else None

    @property
    def locality(self) -> str | None:
        return self._part(105, 140) if self.communication_type == "001" else None


@dataclass(frozen=True, slots=True)
class SepaDirectDebitInfo:
    """Structured communication 127 (European/SEPA direct debit), Annex III of the specification."""

    settlement_date: dt.date | None
    direct_debit_type: str  # 0 unspecified, 1 recurrent, 2 one-off, 3 first, 4 last
    scheme: str  # 0 unspecified, 1 SEPA core, 2 SEPA B2B
    paid_or_reason: str  # 0 paid, 1 technical problem, 2 reason not specified, 3 debtor disagrees, 4 account
    creditor_id: str
    mandate_reference: str
    communication: str
    r_transaction_type: str  # 0 paid, 1 reject, 2 return, 3 refund, 4 reversal, 5 cancellation
    r_reason: str  # ISO reason code (AC04, MD06, ...)


@dataclass(frozen=True, slots=True)
class RTransaction:
    """A direct debit that was rejected, returned, refunded or reversed, as the statement reports it."""

    kind: str  # reject, return, refund, reversal, cancellation, unexecutable_refund
    reason: str  # ISO 20022 reason code when the bank gives one, else ""
    mandate_reference: str
    creditor_id: str
    end_to_end_id: str  # the collection's EndToEndId when the bank reports it (record 2.2 customer ref.)
    amount_cents: int


@dataclass(slots=True)
class Movement:
    """One movement (record 2.1 with its 2.2/2.3 continuations and its 3.x information records)."""

    sequence: int
    detail: int
    amount_cents: int  # signed: credit > 0, debit < 0
    value_date: dt.date | None
    entry_date: dt.date | None
    transaction_code: TransactionCode
    bank_reference: str = ""
    communication_type: str | None = None  # '101'/'102' (OGM), '127' (SEPA DD), ... None = free text
    communication: str = ""  # the communication zone after the type code (2.1+2.2+2.3), right-stripped
    globalisation_code: int = 0
    customer_reference: str = ""  # record 2.2 (for SEPA: the end-to-end id)
    counterparty_bic: str = ""
    r_transaction_type: str = ""  # record 2.2 position 113 (see R_TRANSACTION_TYPES)
    r_reason: str = ""  # record 2.2 positions 114-117 (ISO reason code)
    category_purpose: str = ""
    purpose: str = ""
    counterparty_account: str = ""  # record 2.3 (IBAN, Belgian 12-digit number or foreign number)
    counterparty_currency: str = ""
    counterparty_name: str = ""
    counterparty_address: str = ""  # CODA 1 only: record 2.3 positions 74-125
    information: list[Information] = field(default_factory=list)
    line: int = field(default=0, compare=False)

    @property
    def is_detail(self) -> bool:
        """A detail (type 5-9) of a globalised amount: shown, but never added to the balance."""
        return self.transaction_code.type in DETAIL_TYPES

    @property
    def structured_reference(self) -> str:
        """The 12 characters where the structured communication says the payer's structured reference is:
        the whole of types 101/102; for type 105 (original amount of a transaction, Annex III: gross amount 15,
        original amount 15, rate 12, currency 3, *structured format communication 12*, country 2, equivalent
        in EUR 15) positions 46-57. Empty for any other communication."""
        if self.communication_type in ("101", "102"):
            return self.communication[:12]
        if self.communication_type == "105":
            return self.communication[45:57].strip()
        return ""

    @property
    def ogm(self) -> str | None:
        """The 12-digit Belgian structured communication (types 101/102, or the one a type 105 carries) when its
        check digits are valid."""
        digits = self.structured_reference
        if len(digits) == 12 and digits.isdigit() and ogm_vcs.is_valid(digits):
            return digits
        return None

    @property
    def counterparty_iban(self) -> str | None:
        """The counterparty's IBAN (an old 12-digit Belgian account number is converted), else None."""
        return to_iban(self.counterparty_account)

    @property
    def free_communication(self) -> str | None:
        return self.communication if self.communication_type is None else None

    @property
    def sepa_direct_debit(self) -> SepaDirectDebitInfo | None:
        if self.communication_type != "127":
            return None
        c = self.communication.ljust(146)
        return SepaDirectDebitInfo(
            settlement_date=_date_or_none(c[0:6]),
            direct_debit_type=c[6],
            scheme=c[7],
            paid_or_reason=c[8],
            creditor_id=c[9:44].strip(),
            mandate_reference=c[44:79].strip(),
            communication=c[79:141].strip(),
            r_transaction_type=c[141].strip(),
            r_reason=c[142:146].strip(),
        )

    @property
    def r_transaction(self) -> RTransaction | None:
        """Recognise a rejected/returned/refunded direct debit (creditor side); see docs/formats/coda.md."""
        sdd = self.sepa_direct_debit
        kind = R_TRANSACTION_TYPES.get(self.r_transaction_type)
        reason = self.r_reason
        if kind is None and sdd is not None:
            kind = R_TRANSACTION_TYPES.get(sdd.r_transaction_type)
            reason = reason or sdd.r_reason
        tc = self.transaction_code
        if kind is None and tc.family == "05":
            kind = DIRECT_DEBIT_R_OPERATIONS.get(tc.operation)
            if kind is None and tc.operation in ("50", "52") and self.amount_cents < 0:
                kind = "reversal"  # a collection credit reported back as a debit
        if kind is None:
            return None
        return RTransaction(
            kind=kind,
            reason=reason or (sdd.r_reason if sdd else ""),
            mandate_reference=sdd.mandate_reference if sdd else "",
            creditor_id=sdd.creditor_id if sdd else "",
            end_to_end_id=self.customer_reference,
            amount_cents=self.amount_cents,
        )


@dataclass(slots=True)
class FreeMessage:
    """Record 4: free communication from the bank."""

    sequence: int
    detail: int
    text: str
    line: int = field(default=0, compare=False)


@dataclass(slots=True)
class Header:
    """Record 0."""

    creation_date: dt.date
    bank_id: str = "000"
    duplicate: bool = False
    file_reference: str = ""
    addressee: str = ""
    bic: str = ""
    holder_id: str = ""  # positions 72-82: identification number of the account holder (KBO with a leading 0)
    separate_application: str = "00000"
    transaction_reference: str = ""
    related_reference: str = ""
    version: int = 2
    line: int = field(default=0, compare=False)


@dataclass(slots=True)
class Statement:
    """One statement of one account: records 1 .. 8 inside a 0 .. 9 envelope."""

    header: Header
    account_structure: str  # 0 Belgian number, 1 foreign number, 2 Belgian IBAN, 3 foreign IBAN
    account: str
    currency: str
    paper_sequence: int  # record 1 positions 3-5 (the statement number printed on paper)
    old_balance_cents: int
    old_balance_date: dt.date
    new_balance_cents: int
    new_balance_date: dt.date
    holder_name: str = ""
    account_description: str = ""
    coda_sequence: int = 0  # record 1 positions 126-128
    country: str = ""  # structure 0 only
    movements: list[Movement] = field(default_factory=list)
    free_messages: list[FreeMessage] = field(default_factory=list)
    line: int = field(default=0, compare=False)

    @property
    def iban(self) -> str | None:
        """The account's IBAN (structure 0, a Belgian 12-digit number, is converted), else None."""
        return to_iban(self.account) if self.account_structure in ("0", "2", "3") else None

    @property
    def statement_number(self) -> str:
        """Year of the new balance and paper sequence, e.g. ``2012/135``."""
        return f"{self.new_balance_date.year}/{self.paper_sequence:03d}"

    @property
    def total_credit_cents(self) -> int:
        return sum(m.amount_cents for m in self.movements if m.amount_cents > 0 and not m.is_detail)

    @property
    def total_debit_cents(self) -> int:
        return -sum(m.amount_cents for m in self.movements if m.amount_cents < 0 and not m.is_detail)


@dataclass(slots=True)
class CodaFile:
    statements: list[Statement] = field(default_factory=list)
    problems: list[CodaProblem] = field(default_factory=list, compare=False)
    sha256: str = field(default="", compare=False)
    encoding: str = field(default="cp1252", compare=False)

    @property
    def movements(self) -> list[Movement]:
        return [m for s in self.statements for m in s.movements]

    @property
    def errors(self) -> list[CodaProblem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[CodaProblem]:
        return [p for p in self.problems if p.severity == WARNING]


# --------------------------------------------------------------------------------------------------
# Helpers


def file_sha256(data: bytes | str | os.PathLike) -> str:
    """Hex SHA-256 of the file's bytes (give bytes, or a path): an importer's key to spot a re-import."""
    if isinstance(data, bytes | bytearray | memoryview):
        return hashlib.sha256(data).hexdigest()
    h = hashlib.sha256()
    with open(data, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def to_iban(account: str) -> str | None:
    """An IBAN as written in CODA, or a Belgian 12-digit account number (check: first 10 digits mod 97),
    as a valid IBAN; None for anything else (foreign numbers, anonymised zeros)."""
    acc = (account or "").replace(" ", "").replace("-", "").upper()
    if len(acc) == 12 and acc.isdigit():
        if int(acc[10:]) != (int(acc[:10]) % 97 or 97) or acc == "000000000000":
            return None
        acc = "BE" + std_iban.calc_check_digits("BE00" + acc) + acc
    if len(acc) > 15 and acc[:2].isalpha() and std_iban.is_valid(acc):
        return acc
    return None


_DATE_CACHE: dict[str, dt.date] = {}


def _parse_date(s: str) -> dt.date:
    """DDMMYY -> date; raises ValueError."""
    d = _DATE_CACHE.get(s)
    if d is None:
        if len(s) != 6 or not (s.isascii() and s.isdigit()):
            raise ValueError(f"not a DDMMYY date: {s!r}")
        yy = int(s[4:6])
        d = dt.date(2000 + yy if yy < 80 else 1900 + yy, int(s[2:4]), int(s[0:2]))
        _DATE_CACHE[s] = d
    return d


def _date_or_none(s: str) -> dt.date | None:
    if s == "000000" or not s.strip():
        return None
    try:
        return _parse_date(s)
    except ValueError:
        return None


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding:
        return data.decode(encoding), encoding
    try:
        text = data.decode("cp1252")
        enc = "cp1252"
    except UnicodeDecodeError:
        text, enc = data.decode("latin-1"), "latin-1"
    if not data.isascii():
        # A file written in UTF-8 by mistake has multi-byte characters: lines are then longer than 128
        # in cp1252 but exactly 128 in UTF-8.
        try:
            utf = data.decode("utf-8")
        except UnicodeDecodeError:
            return text, enc
        if len(utf) != len(text):  # multi-byte characters present
            lengths_cp = {len(ln) for ln in text.splitlines() if ln}
            lengths_u8 = {len(ln) for ln in utf.splitlines() if ln}
            if lengths_cp != {RECORD_LENGTH} and lengths_u8 == {RECORD_LENGTH}:
                return utf, "utf-8"
    return text, enc


# --------------------------------------------------------------------------------------------------
# Parser


class _Parser:
    def __init__(self, strict: bool):
        self.strict = strict
        self.problems: list[CodaProblem] = []

    def problem(self, line: int, record: str, field_: str, message: str, severity: str = ERROR) -> None:
        p = CodaProblem(line, record, field_, message, severity)
        if self.strict and severity == ERROR:
            raise CodaError(p)
        self.problems.append(p)

    # field readers: on a bad value they report and return a neutral value (lenient mode keeps going)

    def amount(self, line: int, record: str, field_: str, sign: str, digits: str) -> int:
        if sign not in ("0", "1"):
            self.problem(line, record, field_ + "_sign", f"sign must be 0 (credit) or 1 (debit), not {sign!r}")
            return 0
        if not (digits.isascii() and digits.isdigit()):
            self.problem(line, record, field_, f"amount is not numeric: {digits!r}")
            return 0
        cents, mills = divmod(int(digits), 10)
        if mills:
            self.problem(line, record, field_, f"amount {digits!r} has a non-zero third decimal (not whole cents)")
        return -cents if sign == "1" else cents

    def date(self, line: int, record: str, field_: str, s: str, optional: bool = False) -> dt.date | None:
        if optional and (s == "000000" or s == "      "):
            return None
        try:
            return _parse_date(s)
        except ValueError:
            self.problem(line, record, field_, f"not a valid DDMMYY date: {s!r}")
            return None

    def number(self, line: int, record: str, field_: str, s: str) -> int:
        if s.isascii() and s.isdigit():
            return int(s)
        if not s.strip():
            return 0
        self.problem(line, record, field_, f"not a number: {s!r}")
        return 0


def _account_fields(structure: str, zone: str) -> tuple[str, str, str]:
    """The 37-character account zone of records 1 and 8 -> (account, currency, country)."""
    if structure == "0":
        return zone[0:12], zone[13:16], zone[17:19].strip()
    return zone[0:34].strip(), zone[34:37], ""


def _belgian_iban(number: str) -> str | None:
    """The IBAN of a Belgian 12-digit account number (BBAN) whose check holds (its last two digits are the first
    ten modulo 97, 97 for 0), else None. CODA 1 gives every account this way. Only arithmetic (ISO 13616 check
    digits, B = 11, E = 14): whether the bank code is a known one is not asked, as for an IBAN in CODA 2."""
    if len(number) == 12 and number.isascii() and number.isdigit() \
            and int(number[10:]) == (int(number[:10]) % 97 or 97):
        return f"BE{98 - int(number + '111400') % 97:02d}{number}"
    return None


def _structure_of(zone: str) -> str:
    """The account structure that the 37-character account zone of record 1 is written in, for a file whose
    structure code (position 2) is blank: 0 (Belgian 12-digit number, blank, currency), 2/3 (IBAN, Belgian or
    foreign) or 1 (any other foreign number)."""
    if zone[0:12].isdigit() and zone[12] == " ":
        return "0"
    account = zone[0:34].strip()
    if std_iban.is_valid(account):
        return "2" if account.startswith("BE") else "3"
    return "1"


def parse_coda(data: bytes | str, *, strict: bool = True, encoding: str | None = None) -> CodaFile:
    """Parse a CODA file (bytes as received, or already decoded text).

    ``strict=True``: raise :class:`CodaError` on the first violation. ``strict=False``: keep everything
    readable and list the problems in :attr:`CodaFile.problems`.
    """
    if isinstance(data, str):
        text, enc = data, "text"
        digest = hashlib.sha256(data.encode("utf-8")).hexdigest()
        bom = text.startswith("\ufeff")
        text = text.removeprefix("\ufeff")
    else:
        data = bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        bom = data.startswith(codecs.BOM_UTF8)
        body = data[len(codecs.BOM_UTF8):] if bom else data
        text, enc = _decode(body, encoding or ("utf-8" if bom and _is_utf8(body) else None))
    p = _Parser(strict)
    if bom:  # written by a tool on the way; the records after it are whole
        p.problem(1, "0", "encoding", "the file starts with a UTF-8 byte order mark, which is not part of any record",
                  WARNING)
    statements = _parse_lines(text, p)
    return CodaFile(statements=statements, problems=p.problems, sha256=digest, encoding=enc)


def parse_coda_file(path: str | os.PathLike, *, strict: bool = True, encoding: str | None = None) -> CodaFile:
    return parse_coda(Path(path).read_bytes(), strict=strict, encoding=encoding)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _records(text: str, p: _Parser) -> list[str]:
    """The file's lines: LF or CRLF line ends, CR alone (old Macintosh), or none at all (records written one after
    the other, as a mainframe writes fixed-length records); trailing empty lines and a DOS end-of-file mark are
    not records."""
    body = text.rstrip("\x1a")
    core = body.rstrip("\r\n")  # a final line end of another kind (CR records, then one LF) does not count
    cr_only = "\n" not in core and "\r" in core
    lines = core.split("\r") if cr_only else body.split("\n")
    while lines and lines[-1].strip("\r\x1a \t") == "":
        lines.pop()
    if len(lines) == 1:
        one = lines[0].rstrip("\r")
        n = len(one) // RECORD_LENGTH
        if n > 1 and len(one) == n * RECORD_LENGTH and one[0] == "0" and all(
                one[i * RECORD_LENGTH] in "0123489" for i in range(n)):
            p.problem(1, "0", "record", f"the {n} records are not separated by line ends; read 128 characters each",
                      WARNING)
            lines = [one[i * RECORD_LENGTH:(i + 1) * RECORD_LENGTH] for i in range(n)]
    return lines


def _parse_lines(text: str, p: _Parser) -> list[Statement]:  # noqa: C901 - one state machine, kept in one place
    lines = _records(text, p)
    if not lines:
        p.problem(1, "?", "record", "empty file: no CODA record")
        return []

    statements: list[Statement] = []
    header: Header | None = None
    stmt: Statement | None = None
    envelope: list[Statement] = []  # statements of the current 0..9 envelope
    mv: Movement | None = None
    info: Information | None = None
    prev = ""  # previous record kind
    last_seq = 0
    last_detail = -1
    count = 0  # records 1, 2.x, 3.x, 8 of the envelope
    count4 = 0
    comm_parts: list[str] = []
    info_parts: list[str] = []
    expect_next = False  # the previous 2.x/3.x record said another one follows (next code)
    new_balance_seen = False
    v1 = False  # the current envelope is CODA version 1
    old_date_empty = False  # record 1 of the current statement left its old balance date empty

    def close_movement() -> None:
        nonlocal mv, comm_parts
        if mv is not None:
            _finish_communication(mv, "".join(comm_parts))
            mv = None
            comm_parts = []

    def close_info() -> None:
        nonlocal info, info_parts
        if info is not None:
            zone = "".join(info_parts)
            if zone[:1] == "1":
                info.communication_type = zone[1:4]
                info.communication = zone[4:].rstrip()
            else:
                info.communication = zone[1:].rstrip()
            info = None
            info_parts = []

    def settle_old_date(new_date: dt.date | None) -> None:
        """An empty old balance date (record 1, 59-64) once the statement's movements are known: the entry date
        of its first movement, else the new balance date, else the day the bank made the file."""
        nonlocal old_date_empty
        if stmt is None or not old_date_empty:
            return
        old_date_empty = False
        first = stmt.movements[0].entry_date if stmt.movements else None
        if first is not None:
            day, why = first, "the entry date of the statement's first movement"
        elif new_date is not None:
            day, why = new_date, "the new balance date (the statement has no movement with an entry date)"
        else:
            day, why = stmt.header.creation_date, "the file's creation date (no movement, no new balance date)"
        stmt.old_balance_date = day
        p.problem(stmt.line, "1", "old_balance_date", f"empty; read as {day:%d/%m/%Y}, {why}", WARNING)

    def close_statement(line_no: int) -> None:
        nonlocal stmt, new_balance_seen
        close_movement()
        close_info()
        if stmt is None:
            return
        if not new_balance_seen:
            if stmt.movements:
                p.problem(line_no, "8", "record", "record 8 (new balance) is missing after movements")
            settle_old_date(None)
            stmt.new_balance_cents = stmt.old_balance_cents
            stmt.new_balance_date = stmt.old_balance_date
        stmt = None
        new_balance_seen = False

    n_lines = len(lines)
    for idx in range(n_lines):
        line_no = idx + 1
        rec = lines[idx]
        if rec.endswith("\r"):
            rec = rec[:-1]
        kind = rec[:1]
        if len(rec) != RECORD_LENGTH:
            if not rec.strip():
                p.problem(line_no, "?", "record", "empty line inside the file")
                continue
            rk = _record_kind(rec)
            if len(rec) > RECORD_LENGTH and not rec[RECORD_LENGTH:].strip():
                p.problem(line_no, rk, "record_length",
                          f"record has {len(rec)} characters; the ones after 128 are blank and are ignored", WARNING)
            else:
                p.problem(line_no, rk, "record_length", f"record has {len(rec)} characters, CODA records have 128")
            rec = rec[:RECORD_LENGTH].ljust(RECORD_LENGTH)

        if kind == "2" or kind == "3":
            article = rec[1]
            rk = f"{kind}.{article}"
            sd = rec[2:10]
            if sd.isascii() and sd.isdigit():
                seq, det = int(sd[:4]), int(sd[4:])
            else:
                seq = p.number(line_no, rk, "sequence", rec[2:6])
                det = p.number(line_no, rk, "detail", rec[6:10])
            next_code = rec[125]
            if stmt is None:
                p.problem(line_no, rk, "record", f"record {rk} outside a statement (no record 1 before it)")
                continue
            if kind == "2":
                if article == "1":
                    if expect_next:
                        p.problem(line_no, rk, "next_code", "previous record announced a continuation", WARNING)
                    close_movement()
                    close_info()
                    if seq < last_seq and not (last_seq == 9999 and seq <= 1):  # 4 digits: 9999 wraps around
                        p.problem(line_no, rk, "sequence", f"sequence {seq:04d} after {last_seq:04d}: out of order")
                    elif seq == last_seq and det <= last_detail:
                        p.problem(line_no, rk, "detail", f"detail {det:04d} after {last_detail:04d}: out of order")
                    last_seq, last_detail = seq, det
                    tcode = rec[53:61]
                    if not (tcode.isascii() and tcode.isdigit()):
                        p.problem(line_no, rk, "transaction_code", f"not numeric: {tcode!r}")
                        tcode = "00000000"
                    elif tcode[0] not in TOTAL_TYPES and tcode[0] not in DETAIL_TYPES:
                        p.problem(line_no, rk, "transaction_code", f"unknown transaction type {tcode[0]!r}")
                    glob = rec[124]
                    mv = Movement(
                        sequence=seq,
                        detail=det,
                        amount_cents=p.amount(line_no, rk, "amount", rec[31], rec[32:47]),
                        value_date=p.date(line_no, rk, "value_date", rec[47:53], optional=True),
                        entry_date=p.date(line_no, rk, "entry_date", rec[115:121], optional=True),
                        transaction_code=TransactionCode.parse(tcode),
                        bank_reference=rec[10:31].rstrip(),
                        globalisation_code=int(glob) if glob.isdigit() else 0,
                        line=line_no,
                    )
                    if not glob.isdigit():
                        p.problem(line_no, rk, "globalisation_code", f"not a digit: {glob!r}")
                    comm_parts = [rec[61:115]]
                    stmt.movements.append(mv)
                elif article == "2" or article == "3":
                    want = ("2.1",) if article == "2" else ("2.1", "2.2")
                    if mv is None or prev not in want:
                        p.problem(line_no, rk, "record", f"record {rk} must follow record {' or '.join(want)}")
                        continue
                    if seq != mv.sequence or det != mv.detail:
                        p.problem(
                            line_no, rk, "sequence",
                            f"{seq:04d}/{det:04d} does not match its record 2.1 ({mv.sequence:04d}/{mv.detail:04d})",
                        )
                    if article == "2":
                        if len(comm_parts) == 1:
                            comm_parts.append(rec[10:63])
                        mv.customer_reference = rec[63:98].strip()
                        mv.counterparty_bic = rec[98:109].strip()
                        mv.r_transaction_type = rec[112].strip()
                        mv.r_reason = rec[113:117].strip()
                        mv.category_purpose = rec[117:121].strip()
                        mv.purpose = rec[121:125].strip()
                    elif v1:
                        # CODA 1: 11-22 the counterparty's Belgian number (given as its IBAN when its check holds),
                        # 24-26 its currency, 48-73 name, 74-125 address; the communication does not go on here
                        number = rec[10:22]
                        mv.counterparty_account = _belgian_iban(number) or number.strip()
                        cur = rec[23:26]
                        mv.counterparty_currency = cur if rec[22] == " " and cur.isascii() and cur.isalpha() else ""
                        mv.counterparty_name = rec[47:73].strip()
                        mv.counterparty_address = rec[73:125].strip()
                    else:
                        if len(comm_parts) == 1:
                            comm_parts.append(" " * 53)
                        comm_parts.append(rec[82:125])
                        acc = rec[10:44].strip()
                        cur = rec[44:47].strip()
                        if len(acc) == 16 and acc[:12].isdigit() and acc[12] == " ":  # old form: number + currency
                            acc, cur = acc[:12], acc[13:16]
                        mv.counterparty_account = acc
                        mv.counterparty_currency = cur
                        mv.counterparty_name = rec[47:82].strip()
                else:
                    p.problem(line_no, rk, "article", f"unknown movement record article {article!r}")
                    continue
            else:  # information records
                if article == "1":
                    close_info()
                    target = mv if mv is not None and mv.sequence == seq else None
                    if target is None:
                        for m in reversed(stmt.movements):
                            if m.sequence == seq:
                                target = m
                                break
                    if target is None:
                        p.problem(line_no, rk, "sequence", f"information for sequence {seq:04d}, which has no movement")
                        continue
                    close_movement()
                    tcode = rec[31:39]
                    if not (tcode.isascii() and tcode.isdigit()):
                        p.problem(line_no, rk, "transaction_code", f"not numeric: {tcode!r}")
                        tcode = "00000000"
                    info = Information(
                        sequence=seq,
                        detail=det,
                        bank_reference=rec[10:31].rstrip(),
                        transaction_code=TransactionCode.parse(tcode),
                        line=line_no,
                    )
                    info_parts = [rec[39:113]]
                    target.information.append(info)
                elif article == "2" or article == "3":
                    want = ("3.1",) if article == "2" else ("3.1", "3.2")
                    if info is None or prev not in want:
                        p.problem(line_no, rk, "record", f"record {rk} must follow record {' or '.join(want)}")
                        continue
                    if seq != info.sequence or det != info.detail:
                        p.problem(
                            line_no, rk, "sequence",
                            f"{seq:04d}/{det:04d} does not match its record 3.1 "
                            f"({info.sequence:04d}/{info.detail:04d})",
                        )
                    if article == "2":
                        info_parts.append(rec[10:115])
                    else:
                        if len(info_parts) == 1:
                            info_parts.append(" " * 105)
                        info_parts.append(rec[10:100])
                else:
                    p.problem(line_no, rk, "article", f"unknown information record article {article!r}")
                    continue
            if next_code not in ("0", "1"):
                p.problem(line_no, rk, "next_code", f"must be 0 or 1, not {next_code!r}", WARNING)
            expect_next = next_code == "1"
            count += 1
            prev = rk
            continue

        expect_next_before = expect_next
        expect_next = False
        if kind == "0":
            if header is not None:
                p.problem(line_no, "0", "record", "header record 0 before the trailer record 9 of the previous file")
                close_statement(line_no)
            version = rec[127]
            if version not in READ_VERSIONS:
                p.problem(line_no, "0", "version",
                          f"unknown CODA version {version!r}: only CODA versions 2 and 1 are read")
            v1 = version == "1"
            if rec[14:16] != "05":
                p.problem(line_no, "0", "application_code", f"expected 05, found {rec[14:16]!r}", WARNING)
            creation = p.date(line_no, "0", "creation_date", rec[5:11]) or dt.date(2000, 1, 1)
            header = Header(
                creation_date=creation,
                bank_id=rec[11:14],
                duplicate=rec[16] == "D",
                file_reference=rec[24:34].strip(),
                addressee=rec[34:60].strip(),
                bic=rec[60:71].strip(),
                holder_id=rec[71:82].strip(),
                separate_application=rec[83:88],
                transaction_reference=rec[88:104].strip(),
                related_reference=rec[104:120].strip(),
                version=int(version) if version.isdigit() else 0,
                line=line_no,
            )
            envelope = []
            count = count4 = 0
            prev = "0"
            continue

        if header is None:
            p.problem(line_no, _record_kind(rec), "record", "the file must start with a header record 0")
            header = Header(creation_date=dt.date(2000, 1, 1), line=line_no)

        if kind == "1":
            if stmt is not None:  # the previous statement of this envelope
                if not new_balance_seen:
                    p.problem(line_no, "1", "record",
                              "record 1 (old balance) before record 8 of the previous statement")
                close_statement(line_no)
            if v1:
                # CODA 1 has no structure code: 6-17 a Belgian account number, 19-21 its currency
                number, currency, country = rec[5:17], rec[18:21], ""
                iban = _belgian_iban(number)
                if iban is None:
                    p.problem(line_no, "1", "account", f"{number!r} is not a Belgian account number (CODA 1: 12 "
                                                       "digits, the last two the first ten modulo 97)")
                structure, account = ("2", iban) if iban else ("0", number)
            else:
                structure = rec[1]
                if structure == " ":
                    # bpost bank leaves the code blank (wimverstuyf/php-coda-parser issue #14): the zone says which
                    structure = _structure_of(rec[5:42])
                    p.problem(line_no, "1", "account_structure",
                              f"blank; the account is read as structure {structure}", WARNING)
                elif structure not in "0123":
                    p.problem(line_no, "1", "account_structure", f"must be 0, 1, 2 or 3, not {structure!r}")
                    structure = "1"
                account, currency, country = _account_fields(structure, rec[5:42])
            old = p.amount(line_no, "1", "old_balance", rec[42], rec[43:58])
            old_empty = rec[58:64] in ("000000", "      ")  # some banks leave it empty: settled by the movements
            old_date = (None if old_empty else p.date(line_no, "1", "old_balance_date", rec[58:64])) \
                or header.creation_date
            stmt = Statement(
                header=header,
                account_structure=structure,
                account=account.strip(),
                currency=currency,
                paper_sequence=p.number(line_no, "1", "paper_sequence", rec[2:5]),
                old_balance_cents=old,
                old_balance_date=old_date,
                new_balance_cents=old,
                new_balance_date=old_date,
                holder_name=rec[64:90].strip(),
                account_description=rec[90:125].strip(),
                coda_sequence=p.number(line_no, "1", "coda_sequence", rec[125:128]),
                country=country,
                line=line_no,
            )
            if structure in ("2", "3") and account and not std_iban.is_valid(account):
                p.problem(line_no, "1", "account", f"{account!r} is not a valid IBAN", WARNING)
            old_date_empty = old_empty
            statements.append(stmt)
            envelope.append(stmt)
            last_seq, last_detail = 0, -1
            mv = info = None
            count += 1
            prev = "1"
            continue

        if kind == "8":
            if stmt is None or new_balance_seen:
                p.problem(line_no, "8", "record", "record 8 (new balance) without a record 1 before it")
                continue
            if expect_next_before:
                p.problem(line_no, "8", "record", "previous record announced a continuation", WARNING)
            close_movement()
            close_info()
            if v1:
                account, currency, _ = _account_fields("0", rec[4:41])
                account = _belgian_iban(account) or account
            else:
                account, currency, _ = _account_fields(stmt.account_structure, rec[4:41])
            stmt.new_balance_cents = p.amount(line_no, "8", "new_balance", rec[41], rec[42:57])
            new_date = p.date(line_no, "8", "new_balance_date", rec[57:63], optional=True)
            if new_date is None and rec[57:63] in ("000000", "      "):
                # some banks leave it empty: the statement is then of the day of its last movement (as Noviat's
                # l10n_be_coda_advanced reads it, luc-demeyer/noviat-apps wizard/account_coda_import.py)
                new_date = next((m.entry_date for m in reversed(stmt.movements) if m.entry_date), None)
                new_date = new_date or stmt.header.creation_date
                p.problem(line_no, "8", "new_balance_date", f"empty; read as {new_date:%d/%m/%Y}", WARNING)
            settle_old_date(new_date)
            stmt.new_balance_date = new_date or stmt.old_balance_date
            new_balance_seen = True
            if account.strip() != stmt.account or currency != stmt.currency:
                p.problem(
                    line_no, "8", "account",
                    f"account {account.strip()} {currency} differs from record 1 ({stmt.account} {stmt.currency})",
                    WARNING,
                )
            paper = p.number(line_no, "8", "paper_sequence", rec[1:4])
            if paper != stmt.paper_sequence:
                p.problem(line_no, "8", "paper_sequence", f"{paper} differs from record 1 ({stmt.paper_sequence})",
                          WARNING)
            expected = stmt.old_balance_cents + stmt.total_credit_cents - stmt.total_debit_cents
            if expected != stmt.new_balance_cents:
                p.problem(
                    line_no, "8", "new_balance",
                    f"old balance {_eur(stmt.old_balance_cents)} + movements "
                    f"{_eur(stmt.total_credit_cents - stmt.total_debit_cents)} = {_eur(expected)}, "
                    f"but the new balance is {_eur(stmt.new_balance_cents)}",
                )
            count += 1
            prev = "8"
            continue

        if kind == "4":
            if stmt is None and not envelope:
                p.problem(line_no, "4", "record", "record 4 (free communication) outside a statement")
                continue
            target_stmt = stmt if stmt is not None else envelope[-1]
            close_movement()
            close_info()
            target_stmt.free_messages.append(
                FreeMessage(
                    sequence=p.number(line_no, "4", "sequence", rec[2:6]),
                    detail=p.number(line_no, "4", "detail", rec[6:10]),
                    text=rec[32:112].rstrip(),
                    line=line_no,
                )
            )
            count4 += 1
            prev = "4"
            continue

        if kind == "9":
            if not envelope:
                p.problem(line_no, "9", "record", "trailer record 9 without a statement (record 1) before it")
            close_statement(line_no)
            n = p.number(line_no, "9", "number_of_records", rec[16:22])
            debit = p.amount(line_no, "9", "debit_total", "0", rec[22:37])
            credit = p.amount(line_no, "9", "credit_total", "0", rec[37:52])
            if n != count and n != count + count4:
                p.problem(line_no, "9", "number_of_records", f"trailer says {n} records, the file has {count}")
            total_debit = sum(s.total_debit_cents for s in envelope)
            total_credit = sum(s.total_credit_cents for s in envelope)
            if debit != total_debit:
                p.problem(line_no, "9", "debit_total",
                          f"trailer says {_eur(debit)}, the movements add up to {_eur(total_debit)}")
            if credit != total_credit:
                p.problem(line_no, "9", "credit_total",
                          f"trailer says {_eur(credit)}, the movements add up to {_eur(total_credit)}")
            if rec[127] not in ("1", "2"):
                p.problem(line_no, "9", "multiple_file_code", f"must be 1 or 2, not {rec[127]!r}", WARNING)
            header = None
            envelope = []
            count = count4 = 0
            prev = "9"
            continue

        p.problem(line_no, "?", "record_type", f"unknown record identification {kind!r}")

    if header is not None:
        p.problem(n_lines, prev or "?", "record", "truncated file: it ends without a trailer record 9")
        close_statement(n_lines)
    return statements


def _record_kind(rec: str) -> str:
    k = rec[:1]
    if k in ("2", "3"):
        return f"{k}.{rec[1:2]}"
    return k if k in ("0", "1", "4", "8", "9") else "?"


def _finish_communication(mv: Movement, zone: str) -> None:
    if zone[:1] == "1":
        mv.communication_type = zone[1:4]
        mv.communication = zone[4:].rstrip()
    else:
        mv.communication = zone[1:].rstrip()


def _eur(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    c = abs(cents)
    return f"{sign}{c // 100}.{c % 100:02d}"


# --------------------------------------------------------------------------------------------------
# Writer (the demo fund generates its bank statements with it; tests use it for round trips)


class CodaWriteError(CaisseError):
    def __init__(self, field_: str, message: str):
        self.field = field_
        self.message = message
        super().__init__(f"{field_}: {message}")


def _fit(value: str, width: int, field_: str) -> str:
    value = value or ""
    if len(value) > width:
        raise CodaWriteError(field_, f"{value!r} is longer than {width} characters")
    return value.ljust(width)


def _num(value: int, width: int, field_: str) -> str:
    s = f"{int(value):0{width}d}"
    if value < 0 or len(s) > width:
        raise CodaWriteError(field_, f"{value} does not fit in {width} digits")
    return s


def _amt(cents: int, field_: str) -> str:
    """Sign (0 credit / 1 debit) + 15 digits with 3 decimals."""
    return ("1" if cents < 0 else "0") + _num(abs(int(cents)) * 10, 15, field_)


def _dt(d: dt.date | None) -> str:
    return "000000" if d is None else d.strftime("%d%m%y")


def _account_zone(structure: str, account: str, currency: str, country: str) -> str:
    if structure == "0":
        return (
            _fit(account, 12, "account") + " " + _fit(currency, 3, "currency") + "0" + _fit(country, 2, "country")
            + " " * 18
        )
    return _fit(account, 34, "account") + _fit(currency, 3, "currency")


def _check(rec: str) -> str:
    assert len(rec) == RECORD_LENGTH, (len(rec), rec)
    return rec


def write_coda(statements: CodaFile | Iterable[Statement], *, encoding: str = "cp1252") -> bytes:
    """Write statements as a CODA 2 file (one 0..9 envelope per statement), CRLF-terminated records. A statement
    read from a CODA 1 file is written as CODA 2 (its accounts are already IBANs).

    The caller gives balances, sequences and codes; the trailer (record count, debit and credit totals)
    and the next/link codes are computed. Raises :class:`CodaWriteError` if a value does not fit.
    """
    stmts = list(statements.statements if isinstance(statements, CodaFile) else statements)
    out: list[str] = []
    for i, st in enumerate(stmts):
        out.extend(_write_statement(st, last=i == len(stmts) - 1))
    return ("\r\n".join(out) + "\r\n").encode(encoding)


def _write_statement(st: Statement, last: bool) -> list[str]:
    h = st.header
    recs: list[str] = []
    recs.append(
        _check(
            "0" + "0000" + _dt(h.creation_date) + _fit(h.bank_id, 3, "bank_id") + "05" + ("D" if h.duplicate else " ")
            + " " * 7 + _fit(h.file_reference, 10, "file_reference") + _fit(h.addressee, 26, "addressee")
            + _fit(h.bic, 11, "bic") + _fit(h.holder_id, 11, "holder_id") + " "
            + _fit(h.separate_application, 5, "separate_application")
            + _fit(h.transaction_reference, 16, "transaction_reference")
            + _fit(h.related_reference, 16, "related_reference") + " " * 7 + SUPPORTED_VERSION
        )
    )
    zone = _account_zone(st.account_structure, st.account, st.currency, st.country)
    recs.append(
        _check(
            "1" + st.account_structure + _num(st.paper_sequence, 3, "paper_sequence") + zone
            + _amt(st.old_balance_cents, "old_balance") + _dt(st.old_balance_date)
            + _fit(st.holder_name, 26, "holder_name") + _fit(st.account_description, 35, "account_description")
            + _num(st.coda_sequence, 3, "coda_sequence")
        )
    )
    n = 1
    paper = _num(st.paper_sequence % 1000, 3, "paper_sequence")
    for m in st.movements:
        out = _write_movement(m, paper)
        n += len(out)
        recs.extend(out)
    zone8 = _account_zone(st.account_structure, st.account, st.currency, st.country)
    recs.append(
        _check(
            "8" + paper + zone8 + _amt(st.new_balance_cents, "new_balance") + _dt(st.new_balance_date)
            + " " * 64 + ("1" if st.free_messages else "0")
        )
    )
    n += 1
    for k, fm in enumerate(st.free_messages):
        more = "1" if k < len(st.free_messages) - 1 else "0"
        recs.append(
            _check(
                "4 " + _num(fm.sequence, 4, "sequence") + _num(fm.detail, 4, "detail") + " " * 22
                + _fit(fm.text, 80, "free_message") + " " * 15 + more
            )
        )
    recs.append(
        _check(
            "9" + " " * 15 + _num(n, 6, "number_of_records") + _num(st.total_debit_cents * 10, 15, "debit_total")
            + _num(st.total_credit_cents * 10, 15, "credit_total") + " " * 75 + ("2" if last else "1")
        )
    )
    return recs


def _write_movement(m: Movement, paper: str) -> list[str]:
    seq = _num(m.sequence, 4, "sequence") + _num(m.detail, 4, "detail")
    if m.communication_type:
        zone = "1" + _fit(m.communication_type, 3, "communication_type") + m.communication
    else:
        zone = "0" + m.communication
    if len(zone) > 150:
        raise CodaWriteError("communication", f"{len(zone) - 1} characters; at most 149 fit in records 2.1-2.3")
    need22 = len(zone) > 54 or any(
        (m.customer_reference, m.counterparty_bic, m.r_transaction_type, m.r_reason, m.category_purpose, m.purpose)
    )
    need23 = len(zone) > 107 or bool(m.counterparty_account or m.counterparty_name or m.counterparty_currency)
    need22 = need22 or need23
    infos = m.information
    link = "1" if infos else "0"
    tc = m.transaction_code
    recs = [
        "21" + seq + _fit(m.bank_reference, 21, "bank_reference") + _amt(m.amount_cents, "amount")
        + _dt(m.value_date) + str(tc) + _fit(zone[:54], 54, "communication") + _dt(m.entry_date) + paper
        + _num(m.globalisation_code, 1, "globalisation_code") + ("1" if need22 else "0") + " "
        + ("0" if need22 else link)
    ]
    if need22:
        recs.append(
            "22" + seq + _fit(zone[54:107], 53, "communication") + _fit(m.customer_reference, 35, "customer_reference")
            + _fit(m.counterparty_bic, 11, "counterparty_bic") + "   " + _fit(m.r_transaction_type, 1, "r_type")
            + _fit(m.r_reason, 4, "r_reason") + _fit(m.category_purpose, 4, "category_purpose")
            + _fit(m.purpose, 4, "purpose") + ("1" if need23 else "0") + " " + ("0" if need23 else link)
        )
    if need23:
        recs.append(
            "23" + seq + _fit(m.counterparty_account, 34, "counterparty_account")
            + _fit(m.counterparty_currency, 3, "counterparty_currency")
            + _fit(m.counterparty_name, 35, "counterparty_name") + _fit(zone[107:150], 43, "communication")
            + "0" + " " + link
        )
    for k, info in enumerate(infos):
        recs.extend(_write_information(info, more=k < len(infos) - 1))
    return [_check(r) for r in recs]


def _write_information(info: Information, more: bool) -> list[str]:
    seq = _num(info.sequence, 4, "sequence") + _num(info.detail, 4, "detail")
    if info.communication_type:
        zone = "1" + _fit(info.communication_type, 3, "communication_type") + info.communication
    else:
        zone = "0" + info.communication
    if len(zone) > 74 + 105 + 90:
        raise CodaWriteError("information", "communication too long for records 3.1-3.3")
    parts = [zone[:74]]
    if len(zone) > 74:
        parts.append(zone[74:179])
    if len(zone) > 179:
        parts.append(zone[179:269])
    link = "1" if more else "0"
    recs = [
        "31" + seq + _fit(info.bank_reference, 21, "bank_reference") + str(info.transaction_code)
        + _fit(parts[0], 74, "communication") + " " * 12 + ("1" if len(parts) > 1 else "0") + " "
        + (link if len(parts) == 1 else "0")
    ]
    if len(parts) > 1:
        recs.append(
            "32" + seq + _fit(parts[1], 105, "communication") + " " * 10 + ("1" if len(parts) > 2 else "0") + " "
            + (link if len(parts) == 2 else "0")
        )
    if len(parts) > 2:
        recs.append("33" + seq + _fit(parts[2], 90, "communication") + " " * 25 + "0" + " " + link)
    return recs


def make_statement(
    *,
    account_iban: str,
    old_balance_cents: int,
    old_balance_date: dt.date,
    new_balance_date: dt.date,
    movements: Sequence[Movement],
    paper_sequence: int = 1,
    holder_name: str = "",
    bic: str = "",
    creation_date: dt.date | None = None,
    bank_id: str = "000",
    account_description: str = "",
) -> Statement:
    """Convenience for the demo fund: a statement of a Belgian/foreign IBAN whose new balance is computed."""
    iban = account_iban.replace(" ", "").upper()
    st = Statement(
        header=Header(creation_date=creation_date or new_balance_date, bank_id=bank_id, bic=bic, addressee=holder_name),
        account_structure="2" if iban.startswith("BE") else "3",
        account=iban,
        currency="EUR",
        paper_sequence=paper_sequence,
        old_balance_cents=old_balance_cents,
        old_balance_date=old_balance_date,
        new_balance_cents=0,
        new_balance_date=new_balance_date,
        holder_name=holder_name,
        account_description=account_description,
        coda_sequence=paper_sequence % 1000,
        movements=list(movements),
    )
    st.new_balance_cents = old_balance_cents + st.total_credit_cents - st.total_debit_cents
    return st


def transfer_movement(
    sequence: int,
    amount_cents: int,
    booking_date: dt.date,
    *,
    ogm: str | None = None,
    text: str = "",
    counterparty_iban: str = "",
    counterparty_name: str = "",
    counterparty_bic: str = "",
    end_to_end_id: str = "",
    bank_reference: str = "",
) -> Movement:
    """A SEPA credit transfer as a bank reports it: in our favour (family 01, operation 50) when
    ``amount_cents`` > 0, from our account (operation 01) otherwise; ``ogm`` (12 digits or +++ form)
    gives a structured communication 101, else ``text`` is the free communication."""
    code = "00150000" if amount_cents > 0 else "00101000"
    return Movement(
        sequence=sequence,
        detail=0,
        amount_cents=amount_cents,
        value_date=booking_date,
        entry_date=booking_date,
        transaction_code=TransactionCode.parse(code),
        bank_reference=bank_reference,
        communication_type="101" if ogm else None,
        communication=normalize_ogm(ogm, "ogm") if ogm else text,
        customer_reference=end_to_end_id,
        counterparty_bic=counterparty_bic,
        counterparty_account=counterparty_iban.replace(" ", "").upper(),
        counterparty_name=counterparty_name,
    )


def direct_debit_return_movement(
    sequence: int,
    amount_cents: int,
    booking_date: dt.date,
    *,
    mandate_reference: str,
    creditor_id: str,
    end_to_end_id: str,
    reason: str = "MD06",
    kind: str = "return",
    settlement_date: dt.date | None = None,
    debtor_iban: str = "",
    debtor_name: str = "",
) -> Movement:
    """A collection that comes back to the creditor (debit of ``amount_cents``, given positive), as Belgian
    banks report it: family 05 operation 58 (54 for a refund), R type and reason in record 2.2, and the
    structured communication 127 with mandate and creditor id."""
    r_type = {v: k for k, v in R_TRANSACTION_TYPES.items()}[kind]
    sdd = (
        _dt(settlement_date or booking_date) + "1" + "1" + "3"
        + _fit(creditor_id, 35, "creditor_id") + _fit(mandate_reference, 35, "mandate_reference")
        + " " * 62 + r_type + _fit(reason, 4, "reason")
    )
    return Movement(
        sequence=sequence,
        detail=0,
        amount_cents=-abs(amount_cents),
        value_date=booking_date,
        entry_date=booking_date,
        transaction_code=TransactionCode.parse("00554000" if kind == "refund" else "00558000"),
        communication_type="127",
        communication=sdd.rstrip(),
        customer_reference=end_to_end_id,
        r_transaction_type=r_type,
        r_reason=reason,
        counterparty_account=debtor_iban,
        counterparty_name=debtor_name,
    )


__all__ = [
    "direct_debit_return_movement",
    "transfer_movement",
    "CodaError",
    "CodaFile",
    "CodaProblem",
    "CodaWriteError",
    "FreeMessage",
    "Header",
    "Information",
    "Movement",
    "RTransaction",
    "SepaDirectDebitInfo",
    "Statement",
    "TransactionCode",
    "file_sha256",
    "make_statement",
    "parse_coda",
    "parse_coda_file",
    "to_iban",
    "write_coda",
]
