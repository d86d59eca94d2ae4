"""SEPA payment initiation files: pain.008.001.02 (direct debit) and pain.001.001.03 (credit transfer).

Written with lxml and validated against the official ISO 20022 XSDs vendored in ``xsd/`` before being
returned: a function here never hands out a file its schema rejects. Amounts are integer cents.
The output is a pure function of the input (the caller gives the message id and the creation time),
so the same input gives the same bytes.

The Belgian structured communication (OGM/VCS, ``+++123/4567/89012+++``) is written the Febelfin way::

    <RmtInf><Strd><CdtrRefInf>
        <Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>BBA</Issr></Tp>
        <Ref>123456789012</Ref>
    </CdtrRefInf></Strd></RmtInf>

The requested collection date is a TARGET2 business day at least one TARGET2 business day after the file's
creation (SDD Core and B2B rulebooks since November 2016: every collection reaches the debtor bank by D-1; a due
date that is not a TARGET2 day would be settled on the next one, not on the date the debtor was told). TARGET2
closing days: ``holidays.financial_holidays("XECB")`` (weekends, 1 January, Good Friday, Easter Monday, 1 May,
25 and 26 December). The requested execution date of a credit-transfer file is a TARGET2 business day too, and not
before the file's creation (:func:`check_execution_date`).

A mandate amended since its previous collection (``DirectDebit.amendment``) carries ``AmdmntInd`` true and
``AmdmntInfDtls`` with what changed: ``OrgnlMndtId``, ``OrgnlCdtrSchmeId``, ``OrgnlDbtrAcct`` (another account at
the same bank) or ``OrgnlDbtrAgt/FinInstnId/Othr/Id`` = ``SMNDA`` (another or unknown bank); which collection carries
it is the caller's business (``caisse.collection.direct_debit``).

R-transactions (rejects, returns, refunds of collections) come back on the bank statement; see
:func:`direct_debit_returns` and ``Movement.r_transaction`` in :mod:`caisse.exchange.coda`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import holidays
from lxml import etree
from stdnum.eu import at_02
from stdnum.exceptions import ValidationError

from caisse.errors import CaisseError, InvalidInput
from caisse.exchange.coda import CodaFile, Movement, RTransaction, Statement
from caisse.identifiers import normalize_bic, normalize_iban, normalize_kbo, normalize_ogm

XSD_DIR = Path(__file__).parent / "xsd"
PAIN_008 = "pain.008.001.02"
PAIN_001 = "pain.001.001.03"
SCHEMAS = (PAIN_008, PAIN_001)

SEQUENCE_TYPES = ("FRST", "RCUR", "OOFF", "FNAL")
SCHEMES = ("CORE", "B2B")
MAX_AMOUNT_CENTS = 99_999_999_999  # 999 999 999.99, the EPC maximum

# EPC "Latin character set" for text; identifiers use the same set without the space.
_TEXT_OK = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")
_ID_RE = re.compile(r"^[A-Za-z0-9/\-?:().,'+]{1,35}$")
_TRANSLIT = {"ß": "ss", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "Ł": "L", "ł": "l",
             "&": "+", "€": "EUR", "_": "-", "\"": "'", "’": "'", "‘": "'", "«": "'", "»": "'"}


class SepaValidationError(CaisseError):
    """A produced or given file does not validate against its XSD."""

    def __init__(self, schema: str, errors: list[str]):
        self.schema = schema
        self.errors = errors
        super().__init__(f"{schema}: the file does not validate against the XSD: " + "; ".join(errors[:3]))


# --------------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True, slots=True)
class Account:
    """The fund's side: name, IBAN and (optional) BIC."""

    name: str
    iban: str
    bic: str | None = None


@dataclass(frozen=True, slots=True)
class Creditor:
    """The fund as direct-debit creditor: its account and its SEPA creditor identifier (AT-02)."""

    name: str
    iban: str
    creditor_id: str  # e.g. BE11ZZZ0403170701, see belgian_creditor_id()
    bic: str | None = None


@dataclass(frozen=True, slots=True)
class MandateAmendment:
    """What changed in a mandate since the debtor's bank last saw it, written once on the next collection
    (``AmdmntInd`` true and ``AmdmntInfDtls``; EPC SDD Core C2B implementation guidelines, AT-24)."""

    original_mandate_id: str | None = None  # OrgnlMndtId: the creditor gave the mandate a new reference
    original_creditor_id: str | None = None  # OrgnlCdtrSchmeId: the creditor identifier changed
    original_debtor_iban: str | None = None  # OrgnlDbtrAcct/Id/IBAN: another account at the same bank
    new_debtor_agent: bool = False  # OrgnlDbtrAgt/FinInstnId/Othr/Id=SMNDA: an account at another (or unknown) bank


@dataclass(frozen=True, slots=True)
class DirectDebit:
    end_to_end_id: str
    amount_cents: int
    debtor_name: str
    debtor_iban: str
    mandate_id: str
    mandate_signature_date: dt.date
    sequence_type: str = "RCUR"  # FRST, RCUR, OOFF, FNAL
    debtor_bic: str | None = None
    ogm: str | None = None  # structured communication (12 digits or +++ddd/dddd/ddddd+++)
    remittance_text: str | None = None  # unstructured, when there is no OGM
    amendment: MandateAmendment | None = None  # the mandate changed since the previous collection


@dataclass(frozen=True, slots=True)
class CreditTransfer:
    end_to_end_id: str
    amount_cents: int
    creditor_name: str
    creditor_iban: str
    creditor_bic: str | None = None
    ogm: str | None = None
    remittance_text: str | None = None
    purpose: str | None = None  # ISO purpose code, e.g. SSBE (social security benefit)


# --------------------------------------------------------------------------------------------------
# Field checks


def sepa_text(value: str | None, max_len: int, field: str, required: bool = True) -> str:
    """Transliterate to the EPC Latin character set (é→e, ß→ss, &→+) and check the length."""
    raw = "" if value is None else str(value)
    s = "".join(_TRANSLIT.get(ch, ch) for ch in raw)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = _TEXT_OK.sub(" ", s)
    s = " ".join(s.split())
    if not s:
        if required:
            raise InvalidInput(field, "is required")
        return ""
    if len(s) > max_len:
        raise InvalidInput(field, f"is {len(s)} characters long, at most {max_len} are allowed")
    return s


def sepa_id(value: str | None, field: str) -> str:
    """An identifier (message, payment, end-to-end, mandate): 1-35 characters of the EPC set, no space,
    not starting or ending with '/', no '//'."""
    s = "" if value is None else str(value)
    if not s:
        raise InvalidInput(field, "is required")
    if len(s) > 35:
        raise InvalidInput(field, f"is {len(s)} characters long, at most 35 are allowed")
    if not _ID_RE.match(s):
        raise InvalidInput(field, f"{s!r} contains characters not allowed in SEPA identifiers "
                                  "(letters, digits and / - ? : ( ) . , ' + only; no space)")
    if s.startswith("/") or s.endswith("/") or "//" in s:
        raise InvalidInput(field, f"{s!r} must not start or end with '/' nor contain '//'")
    return s


def check_amount(cents: object, field: str) -> int:
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise InvalidInput(field, f"must be an integer number of cents, not {type(cents).__name__}")
    if cents <= 0:
        raise InvalidInput(field, f"must be more than zero (got {cents} cents)")
    if cents > MAX_AMOUNT_CENTS:
        raise InvalidInput(field, "exceeds 999 999 999.99 EUR")
    return cents


def check_creditor_id(value: str, field: str = "creditor.creditor_id") -> str:
    """Validate a SEPA creditor identifier (stdnum.eu.at_02); a Belgian one must carry a valid KBO number."""
    try:
        cid = at_02.validate(str(value or ""))
    except ValidationError:
        raise InvalidInput(field, f"{value!r} is not a valid SEPA creditor identifier (check digits or format)") \
            from None
    if len(cid) < 8 or len(cid) > 35 or not cid[:2].isalpha() or not cid[2:4].isdigit():
        raise InvalidInput(field, f"{value!r} is not a valid SEPA creditor identifier")
    if cid.startswith("BE"):
        national = cid[7:]
        if len(national) != 10 or not national.isdigit():
            raise InvalidInput(field, f"{value!r}: a Belgian creditor id ends with the 10-digit KBO/BCE number")
        normalize_kbo(national, field)
    return cid


def belgian_creditor_id(kbo: str, business_code: str = "ZZZ") -> str:
    """``BE`` + check digits + business code (``ZZZ``) + KBO/BCE number, e.g. BE11ZZZ0403170701."""
    number = normalize_kbo(kbo, "kbo")
    if not re.fullmatch(r"[A-Z0-9]{3}", business_code):
        raise InvalidInput("business_code", "must be 3 letters or digits (ZZZ when unused)")
    return f"BE{at_02.calc_check_digits('BE00' + business_code + number)}{business_code}{number}"


@cache
def _target_closed() -> holidays.HolidayBase:
    return holidays.financial_holidays("XECB")


def target_closed(day: dt.date) -> str | None:
    """Why TARGET2 is closed on ``day`` ("Saturday", "Good Friday", ...), or None on a TARGET2 business day."""
    if day.weekday() >= 5:
        return day.strftime("%A")
    return _target_closed().get(day)


def next_target_day(day: dt.date) -> dt.date:
    """``day`` itself when TARGET2 is open that day, else the next TARGET2 business day."""
    while target_closed(day):
        day += dt.timedelta(days=1)
    return day


def previous_target_day(day: dt.date) -> dt.date:
    """The last TARGET2 business day before ``day``."""
    day -= dt.timedelta(days=1)
    while target_closed(day):
        day -= dt.timedelta(days=1)
    return day


def check_collection_date(collection_date: dt.date, created_on: dt.date, field: str = "collection_date") -> dt.date:
    """A TARGET2 business day, and at least one TARGET2 business day after the file is made (D-1)."""
    closed = target_closed(collection_date)
    if closed:
        raise InvalidInput(field, f"{collection_date} is not a TARGET2 business day ({closed}); "
                                  f"the next one is {next_target_day(collection_date)}")
    if previous_target_day(collection_date) < created_on:
        raise InvalidInput(field, f"{collection_date} is too early for a file made on {created_on}: a collection "
                                  "reaches the debtor's bank one TARGET2 business day before it (D-1); the first "
                                  f"possible date is {first_collection_date(created_on)}")
    return collection_date


def check_execution_date(execution_date: dt.date, created_on: dt.date, field: str = "execution_date") -> dt.date:
    """The requested execution date of a credit-transfer file: a TARGET2 business day, not before the day the
    file is made (the fund's bank debits the fund's account that day; SCT rulebook AT-07)."""
    closed = target_closed(execution_date)
    if closed:
        raise InvalidInput(field, f"{execution_date} is not a TARGET2 business day ({closed}); "
                                  f"the next one is {next_target_day(execution_date)}")
    if execution_date < created_on:
        raise InvalidInput(field, f"{execution_date} is in the past for a file made on {created_on}; "
                                  f"the first possible date is {next_target_day(created_on)}")
    return execution_date


def first_collection_date(created_on: dt.date) -> dt.date:
    """The first collection date a file made on ``created_on`` can ask: the TARGET2 business day after the one the
    file reaches the bank on (``created_on`` itself when TARGET2 is open that day, else the next open day)."""
    return next_target_day(next_target_day(created_on) + dt.timedelta(days=1))


def _fmt_amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _remittance(parent: etree._Element, ns: str, ogm: str | None, text: str | None, field: str) -> None:
    if ogm and text:
        raise InvalidInput(field, "give either a structured communication (ogm) or a free text, not both")
    if ogm:
        ref = normalize_ogm(ogm, f"{field}.ogm")
        rmt = _sub(parent, ns, "RmtInf")
        cri = _sub(_sub(rmt, ns, "Strd"), ns, "CdtrRefInf")
        tp = _sub(cri, ns, "Tp")
        _sub(_sub(tp, ns, "CdOrPrtry"), ns, "Cd", "SCOR")
        _sub(tp, ns, "Issr", "BBA")
        _sub(cri, ns, "Ref", ref)
    elif text:
        _sub(_sub(parent, ns, "RmtInf"), ns, "Ustrd", sepa_text(text, 140, f"{field}.remittance_text"))


def _sub(parent: etree._Element, ns: str, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ns}}}{tag}", attrib)
    if text is not None:
        el.text = text
    return el


def _agent(parent: etree._Element, ns: str, tag: str, bic: str | None) -> None:
    fin = _sub(_sub(parent, ns, tag), ns, "FinInstnId")
    if bic:
        _sub(fin, ns, "BIC", bic)
    else:
        _sub(_sub(fin, ns, "Othr"), ns, "Id", "NOTPROVIDED")


def _account(parent: etree._Element, ns: str, tag: str, iban: str) -> None:
    _sub(_sub(_sub(parent, ns, tag), ns, "Id"), ns, "IBAN", iban)


def _scheme_id(parent: etree._Element, ns: str, tag: str, creditor_id: str) -> None:
    othr = _sub(_sub(_sub(_sub(parent, ns, tag), ns, "Id"), ns, "PrvtId"), ns, "Othr")
    _sub(othr, ns, "Id", creditor_id)
    _sub(_sub(othr, ns, "SchmeNm"), ns, "Prtry", "SEPA")


def _check_amendment(d: DirectDebit, iban: str, creditor_id: str, field: str) -> MandateAmendment:
    """The amendment as written: identifiers checked, each "original" different from what the collection carries,
    and an account change either within the bank (the original IBAN) or to another bank (SMNDA), not both."""
    a = d.amendment
    if not (a.original_mandate_id or a.original_creditor_id or a.original_debtor_iban or a.new_debtor_agent):
        raise InvalidInput(field, "names no change (original mandate id, creditor id, debtor account or SMNDA)")
    mandate_id = a.original_mandate_id and sepa_id(a.original_mandate_id, f"{field}.original_mandate_id")
    if mandate_id == d.mandate_id:
        raise InvalidInput(f"{field}.original_mandate_id", f"{mandate_id!r} is the mandate's reference itself")
    cid = a.original_creditor_id and check_creditor_id(a.original_creditor_id, f"{field}.original_creditor_id")
    if cid == creditor_id:
        raise InvalidInput(f"{field}.original_creditor_id", f"{cid} is the creditor identifier itself")
    old_iban = a.original_debtor_iban and normalize_iban(a.original_debtor_iban, f"{field}.original_debtor_iban")
    if old_iban == iban:
        raise InvalidInput(f"{field}.original_debtor_iban", f"{old_iban} is the account debited itself")
    if old_iban and a.new_debtor_agent:
        raise InvalidInput(f"{field}.original_debtor_iban", "is for an account changed within the same bank; an "
                                                            "account at another bank is reported as SMNDA only")
    return MandateAmendment(mandate_id or None, cid or None, old_iban or None, bool(a.new_debtor_agent))


def _amendment(mri: etree._Element, ns: str, a: MandateAmendment) -> None:
    """``AmdmntInd`` and ``AmdmntInfDtls`` in the XSD's order: OrgnlMndtId, OrgnlCdtrSchmeId, OrgnlDbtrAcct,
    OrgnlDbtrAgt."""
    _sub(mri, ns, "AmdmntInd", "true")
    details = _sub(mri, ns, "AmdmntInfDtls")
    if a.original_mandate_id:
        _sub(details, ns, "OrgnlMndtId", a.original_mandate_id)
    if a.original_creditor_id:
        _scheme_id(details, ns, "OrgnlCdtrSchmeId", a.original_creditor_id)
    if a.original_debtor_iban:
        _account(details, ns, "OrgnlDbtrAcct", a.original_debtor_iban)
    if a.new_debtor_agent:
        _sub(_sub(_sub(_sub(details, ns, "OrgnlDbtrAgt"), ns, "FinInstnId"), ns, "Othr"), ns, "Id", "SMNDA")


def _group_header(root: etree._Element, ns: str, message_id: str, created_at: dt.datetime, n: int, total: int,
                  initiating_party: str, initiating_party_kbo: str | None) -> None:
    gh = _sub(root, ns, "GrpHdr")
    _sub(gh, ns, "MsgId", message_id)
    _sub(gh, ns, "CreDtTm", created_at.replace(microsecond=0).isoformat())
    _sub(gh, ns, "NbOfTxs", str(n))
    _sub(gh, ns, "CtrlSum", _fmt_amount(total))
    ip = _sub(gh, ns, "InitgPty")
    _sub(ip, ns, "Nm", sepa_text(initiating_party, 70, "initiating_party"))
    if initiating_party_kbo:
        othr = _sub(_sub(_sub(ip, ns, "Id"), ns, "OrgId"), ns, "Othr")
        _sub(othr, ns, "Id", normalize_kbo(initiating_party_kbo, "initiating_party_kbo"))
        _sub(othr, ns, "Issr", "KBO-BCE")


def _check_created(created_at: object) -> dt.datetime:
    if not isinstance(created_at, dt.datetime):
        raise InvalidInput("created_at", "must be a datetime (the caller fixes it, so that files are reproducible)")
    return created_at


def _check_date(value: object, field: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidInput(field, "must be a date")
    return value


def _serialise(root: etree._Element, schema: str) -> bytes:
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate(data, schema)
    return data


# --------------------------------------------------------------------------------------------------
# pain.008.001.02


def build_direct_debits(
    *,
    message_id: str,
    created_at: dt.datetime,
    creditor: Creditor,
    collection_date: dt.date,
    debits: Sequence[DirectDebit],
    scheme: str = "CORE",
    initiating_party_kbo: str | None = None,
    batch_booking: bool = True,
) -> bytes:
    """A pain.008.001.02 collection file: one payment information block per sequence type
    (FRST, RCUR, OOFF, FNAL, in that order; ids ``<message_id>-<SEQ>``), validated against the XSD."""
    ns = f"urn:iso:std:iso:20022:tech:xsd:{PAIN_008}"
    message_id = sepa_id(message_id, "message_id")
    if len(message_id) > 30:
        raise InvalidInput("message_id", "at most 30 characters (payment block ids add a 5-character suffix)")
    created_at = _check_created(created_at)
    collection_date = check_collection_date(_check_date(collection_date, "collection_date"), created_at.date())
    if scheme not in SCHEMES:
        raise InvalidInput("scheme", f"must be one of {', '.join(SCHEMES)}")
    if not debits:
        raise InvalidInput("debits", "a collection file needs at least one direct debit")
    cname = sepa_text(creditor.name, 70, "creditor.name")
    ciban = normalize_iban(creditor.iban, "creditor.iban")
    cbic = normalize_bic(creditor.bic, "creditor.bic") if creditor.bic else None
    cid = check_creditor_id(creditor.creditor_id)

    seen: dict[str, int] = {}
    groups: dict[str, list[tuple]] = {s: [] for s in SEQUENCE_TYPES}
    for i, d in enumerate(debits):
        f = f"debits[{i}]"
        e2e = sepa_id(d.end_to_end_id, f"{f}.end_to_end_id")
        if e2e in seen:
            raise InvalidInput(f"{f}.end_to_end_id", f"{e2e!r} is already used by debits[{seen[e2e]}]")
        seen[e2e] = i
        check_amount(d.amount_cents, f"{f}.amount_cents")
        sepa_id(d.mandate_id, f"{f}.mandate_id")
        sign_date = _check_date(d.mandate_signature_date, f"{f}.mandate_signature_date")
        if sign_date > created_at.date():
            raise InvalidInput(f"{f}.mandate_signature_date", f"{sign_date} is after the file's creation "
                                                              f"({created_at.date()})")
        if d.sequence_type not in SEQUENCE_TYPES:
            raise InvalidInput(f"{f}.sequence_type", f"must be one of {', '.join(SEQUENCE_TYPES)}")
        name = sepa_text(d.debtor_name, 70, f"{f}.debtor_name")
        iban = normalize_iban(d.debtor_iban, f"{f}.debtor_iban")
        bic = normalize_bic(d.debtor_bic, f"{f}.debtor_bic") if d.debtor_bic else None
        amendment = _check_amendment(d, iban, cid, f"{f}.amendment") if d.amendment is not None else None
        groups[d.sequence_type].append((i, d, name, iban, bic, e2e, amendment))

    total = sum(d.amount_cents for d in debits)
    root = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
    body = _sub(root, ns, "CstmrDrctDbtInitn")
    _group_header(body, ns, message_id, created_at, len(debits), total, creditor.name, initiating_party_kbo)
    for seq_type in SEQUENCE_TYPES:
        items = groups[seq_type]
        if not items:
            continue
        pi = _sub(body, ns, "PmtInf")
        _sub(pi, ns, "PmtInfId", f"{message_id}-{seq_type}")
        _sub(pi, ns, "PmtMtd", "DD")
        _sub(pi, ns, "BtchBookg", "true" if batch_booking else "false")
        _sub(pi, ns, "NbOfTxs", str(len(items)))
        _sub(pi, ns, "CtrlSum", _fmt_amount(sum(d.amount_cents for _, d, *_ in items)))
        pti = _sub(pi, ns, "PmtTpInf")
        _sub(_sub(pti, ns, "SvcLvl"), ns, "Cd", "SEPA")
        _sub(_sub(pti, ns, "LclInstrm"), ns, "Cd", scheme)
        _sub(pti, ns, "SeqTp", seq_type)
        _sub(pi, ns, "ReqdColltnDt", collection_date.isoformat())
        _sub(_sub(pi, ns, "Cdtr"), ns, "Nm", cname)
        _account(pi, ns, "CdtrAcct", ciban)
        _agent(pi, ns, "CdtrAgt", cbic)
        _sub(pi, ns, "ChrgBr", "SLEV")
        _scheme_id(pi, ns, "CdtrSchmeId", cid)
        for i, d, name, iban, bic, e2e, amendment in items:
            tx = _sub(pi, ns, "DrctDbtTxInf")
            _sub(_sub(tx, ns, "PmtId"), ns, "EndToEndId", e2e)
            _sub(tx, ns, "InstdAmt", _fmt_amount(d.amount_cents), Ccy="EUR")
            mri = _sub(_sub(tx, ns, "DrctDbtTx"), ns, "MndtRltdInf")
            _sub(mri, ns, "MndtId", d.mandate_id)
            _sub(mri, ns, "DtOfSgntr", d.mandate_signature_date.isoformat())
            if amendment is not None:
                _amendment(mri, ns, amendment)
            _agent(tx, ns, "DbtrAgt", bic)
            _sub(_sub(tx, ns, "Dbtr"), ns, "Nm", name)
            _account(tx, ns, "DbtrAcct", iban)
            _remittance(tx, ns, d.ogm, d.remittance_text, f"debits[{i}]")
    return _serialise(root, PAIN_008)


# --------------------------------------------------------------------------------------------------
# pain.001.001.03


def build_credit_transfers(
    *,
    message_id: str,
    created_at: dt.datetime,
    debtor: Account,
    execution_date: dt.date,
    transfers: Sequence[CreditTransfer],
    initiating_party_kbo: str | None = None,
    batch_booking: bool = True,
) -> bytes:
    """A pain.001.001.03 file of SEPA credit transfers (refunds, benefits) from the fund's account
    (one payment information block ``<message_id>-TRF``), validated against the XSD."""
    ns = f"urn:iso:std:iso:20022:tech:xsd:{PAIN_001}"
    message_id = sepa_id(message_id, "message_id")
    if len(message_id) > 31:
        raise InvalidInput("message_id", "at most 31 characters (the payment block id adds '-TRF')")
    created_at = _check_created(created_at)
    execution_date = check_execution_date(_check_date(execution_date, "execution_date"), created_at.date())
    if not transfers:
        raise InvalidInput("transfers", "a credit-transfer file needs at least one transfer")
    dname = sepa_text(debtor.name, 70, "debtor.name")
    diban = normalize_iban(debtor.iban, "debtor.iban")
    dbic = normalize_bic(debtor.bic, "debtor.bic") if debtor.bic else None

    seen: dict[str, int] = {}
    checked = []
    for i, t in enumerate(transfers):
        f = f"transfers[{i}]"
        e2e = sepa_id(t.end_to_end_id, f"{f}.end_to_end_id")
        if e2e in seen:
            raise InvalidInput(f"{f}.end_to_end_id", f"{e2e!r} is already used by transfers[{seen[e2e]}]")
        seen[e2e] = i
        check_amount(t.amount_cents, f"{f}.amount_cents")
        name = sepa_text(t.creditor_name, 70, f"{f}.creditor_name")
        iban = normalize_iban(t.creditor_iban, f"{f}.creditor_iban")
        bic = normalize_bic(t.creditor_bic, f"{f}.creditor_bic") if t.creditor_bic else None
        if t.purpose is not None and not re.fullmatch(r"[A-Z]{4}", t.purpose):
            raise InvalidInput(f"{f}.purpose", "must be a 4-letter ISO purpose code such as SSBE")
        checked.append((i, t, name, iban, bic, e2e))

    total = sum(t.amount_cents for t in transfers)
    root = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
    body = _sub(root, ns, "CstmrCdtTrfInitn")
    _group_header(body, ns, message_id, created_at, len(transfers), total, debtor.name, initiating_party_kbo)
    pi = _sub(body, ns, "PmtInf")
    _sub(pi, ns, "PmtInfId", f"{message_id}-TRF")
    _sub(pi, ns, "PmtMtd", "TRF")
    _sub(pi, ns, "BtchBookg", "true" if batch_booking else "false")
    _sub(pi, ns, "NbOfTxs", str(len(transfers)))
    _sub(pi, ns, "CtrlSum", _fmt_amount(total))
    _sub(_sub(_sub(pi, ns, "PmtTpInf"), ns, "SvcLvl"), ns, "Cd", "SEPA")
    _sub(pi, ns, "ReqdExctnDt", execution_date.isoformat())
    _sub(_sub(pi, ns, "Dbtr"), ns, "Nm", dname)
    _account(pi, ns, "DbtrAcct", diban)
    _agent(pi, ns, "DbtrAgt", dbic)
    _sub(pi, ns, "ChrgBr", "SLEV")
    for i, t, name, iban, bic, e2e in checked:
        tx = _sub(pi, ns, "CdtTrfTxInf")
        _sub(_sub(tx, ns, "PmtId"), ns, "EndToEndId", e2e)
        _sub(_sub(tx, ns, "Amt"), ns, "InstdAmt", _fmt_amount(t.amount_cents), Ccy="EUR")
        if bic:
            _sub(_sub(_sub(tx, ns, "CdtrAgt"), ns, "FinInstnId"), ns, "BIC", bic)
        _sub(_sub(tx, ns, "Cdtr"), ns, "Nm", name)
        _account(tx, ns, "CdtrAcct", iban)
        if t.purpose:
            _sub(_sub(tx, ns, "Purp"), ns, "Cd", t.purpose)
        _remittance(tx, ns, t.ogm, t.remittance_text, f"transfers[{i}]")
    return _serialise(root, PAIN_001)


# --------------------------------------------------------------------------------------------------
# Validation


@cache
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / f"{name}.xsd")))


def validate(xml_bytes: bytes, schema: str | None = None) -> None:
    """Validate a pain file against its vendored XSD (``pain.008.001.02`` or ``pain.001.001.03``;
    ``None``: taken from the document's namespace). Raises :class:`SepaValidationError`."""
    try:
        doc = etree.fromstring(xml_bytes, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise SepaValidationError(schema or "pain", [f"not well-formed XML: {exc}"]) from None
    if schema is None:
        ns = etree.QName(doc).namespace or ""
        schema = ns.rsplit(":", 1)[-1]
    if schema not in SCHEMAS:
        raise SepaValidationError(schema, [f"unknown schema {schema!r}; known: {', '.join(SCHEMAS)}"])
    xsd = _schema(schema)
    if not xsd.validate(doc):
        errors = [f"line {e.line}: {e.message}" for e in xsd.error_log]
        raise SepaValidationError(schema, errors)


# --------------------------------------------------------------------------------------------------
# R-transactions from the bank statement


def direct_debit_returns(coda_file: CodaFile) -> list[tuple[Statement, Movement, RTransaction]]:
    """Every movement of a parsed CODA file that reports a rejected/returned/refunded collection,
    as ``(statement, movement, r_transaction)`` triples.

    When the bank reports several returns as one globalised amount with details, the details (one per
    collection, each with its own mandate and reason) are returned and their total is not, so that no
    return is counted twice."""
    out: list[tuple[Statement, Movement, RTransaction]] = []
    for st in coda_file.statements:
        groups: dict[int, list[Movement]] = {}
        for mv in st.movements:
            groups.setdefault(mv.sequence, []).append(mv)
        for group in groups.values():
            found = [(mv, mv.r_transaction) for mv in group]
            found = [(mv, r) for mv, r in found if r is not None]
            if any(mv.is_detail for mv, _ in found):
                found = [(mv, r) for mv, r in found if mv.is_detail]
            out.extend((st, mv, r) for mv, r in found)
    return out


__all__ = [
    "Account",
    "CreditTransfer",
    "Creditor",
    "DirectDebit",
    "MandateAmendment",
    "PAIN_001",
    "PAIN_008",
    "SepaValidationError",
    "belgian_creditor_id",
    "build_credit_transfers",
    "build_direct_debits",
    "check_collection_date",
    "check_creditor_id",
    "check_execution_date",
    "direct_debit_returns",
    "first_collection_date",
    "next_target_day",
    "previous_target_day",
    "sepa_id",
    "sepa_text",
    "target_closed",
    "validate",
]
