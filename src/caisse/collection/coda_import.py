"""CODA import with automatic reconciliation: every movement a bank sends becomes a bank line, and money.

One file = one database transaction (all or nothing). The file is parsed strictly first: a file that breaks
the format raises ``CodaError`` (line, record, field) and nothing is written. The bytes are kept with their
SHA-256; the same bytes again are recognised and change nothing.

What each movement becomes (docs/collection-money.md has the full rules):

* a credit for one of our SEPA collections (end-to-end id) or with one of the fund's structured
  communications for an existing debtor: **booked** — ``receive_payment`` semantics (to the debtor's credit,
  then imputed with the communication's period as designation), booked on the bank's value date;
* a credit from a bailiff's or lawyer's IBAN (``recovery_partner.iban``): its **remittance** — Dr bank / Cr the
  partner's ``partner_clearing`` up to what it owes (collections its status files reported, not yet remitted), the
  rest parked (reason ``partner_remittance``); never a debtor's payment, whatever its communication;
* any other credit: **parked** in suspense, plus a reconciliation item with suggested debtors;
* a direct-debit return (R-transaction) of a collection that was paid: **returned** — ``return_payment``
  (imputation and receipt reversed, the rest imputed again), the collection and its mandate updated;
* a debit that confirms one of our credit transfers: **confirmed** (the payout was posted at export);
* any other debit (bank costs, unknown returns): **review** — a reconciliation item, no ledger posting;
* a statement of an account that is not one of the fund's: imported with a warning, its credits parked and
  its debits put to review.

Set-based: the ledger postings of all booked and parked credits are built in memory — the debtors'
balances are read once, and each payment is imputed on the balances as the previous payments of the file
left them, with the ledger's own pure functions (so exactly what ``receive_payment`` would post) — then
inserted with ``ledger.insert_postings`` (SQLite executemany, PostgreSQL COPY). Returns are few and go
through the ledger's ordinary calls.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from caisse.collection.db import adapt, begin_write, next_ids, select_in
from caisse.collection.models import (
    BankFile,
    BankStatement,
    CreditTransfer,
    DirectDebitCollection,
    FundBankAccount,
    SepaMandate,
)
from caisse.collection.suggestions import suggest
from caisse.config import Settings, get_settings
from caisse.errors import InvalidInput
from caisse.exchange.coda import CodaFile, Movement, Statement, file_sha256, parse_coda
from caisse.ledger import (
    Balance,
    ImputationPolicy,
    clearing_balances,
    imputation_entries,
    imputation_posting,
    insert_postings,
    payment_posting,
    policy_named,
    remittance_posting,
    return_payment,
)
from caisse.ledger.models import BENEFIT_UNDUE, BUYBACK, RECEIVABLE
from caisse.ledger.queries import BuybackItem, UndueItem, buyback_items_of, undue_items_of
from caisse.references import KINDS, MAX_FILE_NUMBER, PaymentReference, buyback_number, undue_number
from caisse.services import audit
from caisse.store.bulk import checkpoint_after, gc_paused, insert_rows, lz4_for_large_values
from caisse.store.db import engine_for

LOCK = "caisse.money"  # imports and exports of money serialise on this lock
# Return reasons after which the mandate cannot be used again until staff looks (ISO 20022 codes).
MANDATE_STOPPERS = {"AC01": "incorrect account number", "AC04": "account closed", "AC06": "account blocked",
                    "MD01": "no valid mandate", "MD07": "debtor deceased"}
_OGM_IN_TEXT = re.compile(r"(?<!\d)(\d{3})\s*/?\s*(\d{4})\s*/?\s*(\d{5})(?!\d)")


@dataclass
class ImportSummary:
    sha256: str
    file_id: int | None
    already_imported: bool
    statements: int = 0
    movements: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # per bank line status
    cents: dict[str, int] = field(default_factory=dict)
    queued: int = 0
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def line(self) -> str:
        if self.already_imported:
            return f"already imported (file {self.file_id}, sha256 {self.sha256[:12]}…): nothing changed"
        parts = [f"{k}={self.counts[k]} ({_eur(self.cents.get(k, 0))})" for k in sorted(self.counts)]
        return (f"imported file {self.file_id}: {self.statements} statement(s), {self.movements} movement(s); "
                + ", ".join(parts) + f"; to reconcile: {self.queued}")


def _eur(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d} EUR"


@dataclass(slots=True)
class _Line:
    st: int  # statement ordinal
    ordinal: int
    mv: Movement
    fund: bool
    booked_on: dt.date
    status: str = "info"
    party: int | None = None
    key: str | None = None
    reason: str | None = None
    known: list = field(default_factory=list)  # [(party, by, period)] for suggestions
    designation: str | None = None
    reference: str | None = None
    collection: int | None = None
    return_of: object = None  # the collection row a return reverses
    transfers: list = field(default_factory=list)
    note: str | None = None
    line_id: int = 0
    iban: str | None = None
    partner: str | None = None  # the bailiff/lawyer whose IBAN sent it: a remittance settling its clearing


def our_reference(digits: str) -> PaymentReference | None:
    """``references.parse`` for 12 digits, without the generic validation (the import's hot path)."""
    if len(digits) != 12 or not digits.isdigit():
        return None
    base = int(digits[:10])
    if (base % 97 or 97) != int(digits[10:]):
        return None
    party_id, yy, kind = int(digits[:7]), int(digits[7:9]), int(digits[9])
    if party_id == 0 or party_id > MAX_FILE_NUMBER or kind not in KINDS:
        return None
    return PaymentReference(party_id, 2000 + yy, kind)


_LETTERS = str.maketrans({c: str(ord(c) - 55) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"})


def counterparty_iban(account: str) -> str | None:
    """``Movement.counterparty_iban`` without the bank-code registry look-up (stdnum's costs ~0.4 ms a line):
    an IBAN whose ISO 13616 check digits hold (a Belgian one also its national check), or an old Belgian
    12-digit number made an IBAN; else None. Used for matching against IBANs on file, never to send money
    (exports validate fully)."""
    if len(account) == 16 and account[:2] == "BE" and account.isascii() and account[2:].isdigit():
        # the usual case, a Belgian IBAN as banks write it: the same checks without normalising it first
        # (B = 11, E = 14 in the ISO 13616 check)
        if int(account[14:]) != (int(account[4:14]) % 97 or 97):
            return None
        return account if int(account[4:] + "1114" + account[2:4]) % 97 == 1 else None
    acc = account.replace(" ", "").replace("-", "").upper() if account else ""
    if len(acc) == 12 and acc.isdigit():
        if acc == "000000000000" or int(acc[10:]) != (int(acc[:10]) % 97 or 97):
            return None
        return f"BE{98 - int(acc + '111400') % 97:02d}{acc}"
    if not (15 < len(acc) <= 34 and acc[:2].isalpha() and acc[2:4].isdigit() and acc.isalnum()):
        return None
    if acc.startswith("BE") and (len(acc) != 16 or not acc[4:].isdigit()
                                 or int(acc[14:]) != (int(acc[4:14]) % 97 or 97)):
        return None
    number = (acc[4:] + acc[:4]).translate(_LETTERS)
    return acc if number.isascii() and number.isdigit() and int(number) % 97 == 1 else None


def _ogm_text(digits: str) -> str:
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def fund_accounts(session: Session, settings: Settings) -> list[tuple[str, dt.date | None, dt.date | None]]:
    rows = [(settings.fund_iban.replace(" ", "").upper(), None, None)]
    rows += [(r.iban, r.valid_from, r.valid_to) for r in session.scalars(select(FundBankAccount))]
    return rows


def _is_fund(accounts, st: Statement) -> bool:
    iban = st.iban
    day = st.new_balance_date
    return any(iban == a and (f is None or f <= day) and (t is None or day <= t) for a, f, t in accounts)


def import_coda(db: str | Engine, data: bytes, *, filename: str | None = None, actor: object = "coda-import",
                settings: Settings | None = None, policy: ImputationPolicy | None = None,
                parsed: CodaFile | None = None) -> ImportSummary:
    """Import one CODA file (bytes as received). Raises ``CodaError`` for a broken file (nothing written).
    ``parsed``: the strict parse of these very bytes, when the caller already checked the file."""
    if not isinstance(data, bytes | bytearray) or not data:
        raise InvalidInput("file", "an empty file is not a CODA file")
    with gc_paused():
        return _import_file(db, bytes(data), filename, actor, settings, policy, parsed)


def _import_file(db: str | Engine, data: bytes, filename: str | None, actor: object, settings: Settings | None,
                 policy: ImputationPolicy | None, parsed: CodaFile | None) -> ImportSummary:
    t0 = time.perf_counter()
    coda = parsed if parsed is not None and parsed.sha256 == file_sha256(bytes(data)) else parse_coda(bytes(data))
    timings = {"parse": time.perf_counter() - t0}
    settings = settings or get_settings()
    policy = policy or policy_named()
    engine = engine_for(db) if isinstance(db, str) else db
    # the commit does not wait for SQLite to copy its ~800 000 rows from the log into the file (a thread does)
    with checkpoint_after(engine) as bound, Session(bound, expire_on_commit=False) as session, session.begin():
        conn = session.connection()
        begin_write(conn, LOCK)
        found = session.scalar(select(BankFile.id).where(BankFile.sha256 == coda.sha256))
        if found is not None:
            return ImportSummary(coda.sha256, found, True, len(coda.statements), len(coda.movements))
        summary = _import(session, coda, bytes(data), filename, str(actor), settings, policy, timings)
        audit.record(session, actor, "import", "bank_file", summary.file_id, reason=filename,
                     detail={"sha256": coda.sha256, "counts": summary.counts, "queued": summary.queued})
    summary.timings["commit"] = time.perf_counter() - t0 - sum(summary.timings.values())
    return summary


def _import(session: Session, coda: CodaFile, data: bytes, filename: str | None, actor: str, settings: Settings,
            policy: ImputationPolicy, timings: dict[str, float]) -> ImportSummary:
    conn = session.connection()
    mark = time.perf_counter()
    sha = coda.sha256
    accounts = fund_accounts(session, settings)
    warnings = [str(p) for p in coda.warnings]
    lz4_for_large_values(conn)
    file_id = conn.execute(insert(BankFile).returning(BankFile.id), [dict(
        sha256=sha, format="coda", filename=filename, size=len(data), content=data, imported_by=actor,
        statements=len(coda.statements), movements=len(coda.movements), warnings=None)]).scalar_one()

    # 1. statements, and every movement as a line; totals whose details add up give way to their details.
    lines: list[_Line] = []
    effective: list[_Line] = []
    statement_ids: dict[int, int] = {}
    for s, st in enumerate(coda.statements, 1):
        earlier = _already_imported(session, st)
        if earlier is not None:  # a bank re-sends a statement (new file date, a recap file): never book it twice
            warnings.append(f"statement {st.statement_number} of account {st.iban or st.account} "
                            f"({st.old_balance_date} → {st.new_balance_date}) was already imported from file "
                            f"#{earlier}: kept in this file as received, not booked again")
            continue
        fund = _is_fund(accounts, st)
        if not fund:
            warnings.append(f"statement {st.statement_number} of account {st.iban or st.account} is not one of the "
                            f"fund's accounts: imported, its lines parked for reconciliation")
        statement_ids[s] = conn.execute(insert(BankStatement).returning(BankStatement.id), [dict(
            file_id=file_id, ordinal=s, account=st.account[:40], iban=st.iban, currency=st.currency,
            statement_number=st.statement_number, old_balance_cents=st.old_balance_cents,
            old_balance_date=st.old_balance_date, new_balance_cents=st.new_balance_cents,
            new_balance_date=st.new_balance_date, holder_name=(st.holder_name or None) and st.holder_name[:100],
            fund_account=fund)]).scalar_one()
        mine = [_Line(s, i, mv, fund, mv.value_date or mv.entry_date or st.new_balance_date)
                for i, mv in enumerate(st.movements, 1)]
        lines.extend(mine)
        effective.extend(_effective(mine))
    for ln in effective:
        ln.key = f"coda/{sha}/{ln.st}/{ln.ordinal}"
    for lid, ln in zip(next_ids(conn, "bank_line", len(lines)), lines, strict=True):
        ln.line_id = lid
    timings["lines"] = time.perf_counter() - mark

    # 2. what each line is (look-ups in bulk), 3. the ledger postings, 4. the rows.
    mark = time.perf_counter()
    _classify(session, effective)
    timings["classify"] = time.perf_counter() - mark
    mark = time.perf_counter()
    postings = _postings(session, effective, policy)
    timings["impute"] = time.perf_counter() - mark
    mark = time.perf_counter()
    # the rows this transaction inserts or verifies, per table: their references are not looked up again
    known: dict[str, set] = {"bank_statement": set(statement_ids.values())}
    insert_postings(conn, postings, known=known)
    buying = {ln.party for ln in effective if ln.party is not None and buyback_number(ln.designation)}
    if buying:  # payments to a buy-back's communication: the quarters paid in full are bought back
        from caisse.recovery.buyback import record_bought_back

        record_bought_back(session, buying)
    timings["ledger_insert"] = time.perf_counter() - mark
    mark = time.perf_counter()
    _returns(session, effective)
    _insert_lines(conn, lines, statement_ids, known)
    known["bank_line"] = {ln.line_id for ln in lines}
    _collections_and_transfers(session, effective)
    timings["rows"] = time.perf_counter() - mark
    mark = time.perf_counter()
    queue = [ln for ln in effective if ln.reason]
    found = suggest(conn, [dict(amount_cents=ln.mv.amount_cents, iban=ln.iban,
                                name=ln.mv.counterparty_name, known=ln.known) for ln in queue])
    _insert_queue(conn, queue, found, known)
    _open_cases(session, queue, actor)
    timings["suggest"] = time.perf_counter() - mark

    counts: dict[str, int] = defaultdict(int)
    cents: dict[str, int] = defaultdict(int)
    for ln in lines:
        counts[ln.status] += 1
        if ln.status != "info" and ln.status != "globalised":
            cents[ln.status] += ln.mv.amount_cents
    summary = ImportSummary(sha, file_id, False, len(coda.statements), len(coda.movements), dict(counts),
                            dict(cents), len(queue), warnings, timings)
    session.execute(update(BankFile).where(BankFile.id == file_id).values(
        warnings=warnings or None, summary={"counts": summary.counts, "cents": summary.cents, "queued": len(queue)}))
    return summary


def _already_imported(session: Session, st: Statement) -> int | None:
    """The file an identical statement (same account, number, dates and balances) was imported from, if any."""
    b = BankStatement
    return session.scalar(select(b.file_id).where(
        b.account == st.account[:40], b.statement_number == st.statement_number,
        b.old_balance_date == st.old_balance_date, b.new_balance_date == st.new_balance_date,
        b.old_balance_cents == st.old_balance_cents, b.new_balance_cents == st.new_balance_cents).limit(1))


def _effective(mine: list[_Line]) -> list[_Line]:
    """The lines that carry money: a total (type 1-3) whose details (type 5-9, same sequence) add up to it
    gives way to its details; otherwise the total counts and its details are information."""
    out: list[_Line] = []
    i, n = 0, len(mine)
    while i < n:
        ln = mine[i]
        if ln.mv.is_detail:  # a detail without its total: shown, never counted (the parser checked the balance)
            ln.status = "info"
            i += 1
            continue
        j = i + 1
        while j < n and mine[j].mv.is_detail and mine[j].mv.sequence == ln.mv.sequence:
            j += 1
        details = mine[i + 1:j]
        amount = ln.mv.amount_cents
        if details and sum(d.mv.amount_cents for d in details) == amount and all(
                d.mv.amount_cents * amount > 0 for d in details):
            ln.status = "globalised"
            out.extend(details)
        else:
            for d in details:
                d.status = "info"
            if details:
                ln.note = "globalised_mismatch"
            out.append(ln)
        i = j
    return [ln for ln in out if ln.mv.amount_cents != 0]


def _classify(session: Session, effective: list[_Line]) -> None:
    """Decide each line's fate from what the bank says and what the fund knows (a few queries in all)."""
    conn = session.connection()
    refs = {ln.mv.customer_reference.strip() for ln in effective if ln.mv.customer_reference.strip()}
    collections = {r[1]: r for r in select_in(
        conn, "SELECT id, end_to_end_id, party_id, amount_cents, ogm, status, payment_key, mandate_id "
              "FROM dd_collection WHERE end_to_end_id IN ({in})", refs)} if refs else {}
    transfers = {r[1]: r for r in select_in(
        conn, "SELECT id, end_to_end_id, party_id, amount_cents, status, run_id FROM credit_transfer "
              "WHERE end_to_end_id IN ({in})", refs)} if refs else {}
    runs = {}
    if refs:
        ids = {ref.removesuffix("-TRF") for ref in refs}
        runs = {r[1]: r for r in select_in(conn, "SELECT id, message_id, total_cents FROM ct_run "
                                                 "WHERE message_id IN ({in})", ids)}
    # one of our references: in the structured communication, or typed in free text
    wanted: dict[int, None] = {}
    for ln in effective:
        mv = ln.mv
        ln.iban = counterparty_iban(mv.counterparty_account)
        ref = None
        if mv.communication_type in ("101", "102") or (mv.communication_type == "105" and mv.structured_reference):
            digits = mv.structured_reference  # 105: the structured communication of a converted/charged transfer
            ref = our_reference(digits)
            ln.reference = _ogm_text(digits) if digits.isdigit() and len(digits) == 12 else None
            ln.known.append(("ogm", ref))
        elif mv.communication_type is None and mv.amount_cents > 0 and mv.communication:
            for m in _OGM_IN_TEXT.finditer(mv.communication):
                ref = our_reference("".join(m.groups()))
                if ref:
                    ln.known.append(("text", ref))
                    break
            ln.reference = mv.communication[:60].strip() or None
        if ref:
            wanted[ref.party_id] = None
    existing = {r[0] for r in select_in(conn, "SELECT id FROM party WHERE id IN ({in})", wanted)} if wanted else set()
    partner_ibans: dict[str, list[str]] = defaultdict(list)  # a few rows: the partners' remittance accounts
    for code, iban in conn.execute(text("SELECT code, iban FROM recovery_partner WHERE iban IS NOT NULL "
                                        "ORDER BY code")):
        partner_ibans[iban].append(code)
    returns = [ln for ln in effective if ln.mv.amount_cents < 0 and ln.mv.r_transaction is not None]
    by_mandate = _collections_by_mandate(conn, returns)

    for ln in effective:
        mv = ln.mv
        tags, ln.known = ln.known, []
        how, ref = tags[0] if tags else (None, None)
        e2e = mv.customer_reference.strip()
        if mv.amount_cents > 0:
            coll = collections.get(e2e)
            ct = transfers.get(e2e)
            if ref and ref.party_id in existing:
                ln.known.append((ref.party_id, "reference", ref.designation))
            if not ln.fund:
                ln.status, ln.reason = "parked", "unknown_account"
            elif ln.note == "globalised_mismatch":
                ln.status, ln.reason = "parked", "globalised_mismatch"
            elif coll and coll[5] == "sent" and coll[3] == mv.amount_cents:
                ln.status, ln.party, ln.collection = "booked", coll[2], coll[0]
                ref = our_reference(coll[4])
                ln.designation = ref.designation if ref else None
                ln.reference = _ogm_text(coll[4])
            elif ct:
                ln.status, ln.reason = "parked", "returned_transfer"
                if ct[2] is not None:
                    ln.known.append((ct[2], "transfer", None))
                ln.transfers = [(ct[0], "returned")]
            elif ln.iban in partner_ibans:
                # A bailiff's or lawyer's transfer is its remittance of what it collected — booked on the debtors
                # from its status files — never a debtor's payment, whatever communication it carries.
                codes = partner_ibans[ln.iban]
                ln.status, ln.reason = "parked", "partner_remittance"
                if len(codes) == 1:
                    ln.partner = codes[0]  # _postings settles the clearing, up to what the partner owes
                else:
                    ln.note = f"from the account of partners {', '.join(codes)}: which one remits?"
            elif how == "ogm" and ref and ref.party_id in existing:
                ln.status, ln.party, ln.designation = "booked", ref.party_id, ref.designation
            elif how == "ogm":
                ln.status, ln.reason = "parked", "unknown_debtor" if ref else "not_our_reference"
            elif how == "text" and ref and ref.party_id in existing:
                ln.status, ln.reason = "parked", "reference_in_free_text"
            else:
                ln.status, ln.reason = "parked", "no_reference"
            continue
        # debits
        ln.reference = None
        rt = mv.r_transaction
        if not ln.fund:
            ln.status, ln.reason = "review", "unknown_account"
        elif rt is not None:
            coll = collections.get(e2e) or _pick(by_mandate.get(rt.mandate_reference, ()), -mv.amount_cents)
            ln.status, ln.reason, ln.return_of = "review", "unmatched_return", coll
            ln.note = f"{rt.kind} {rt.reason}".strip()
            if coll is not None:
                ln.known.append((coll[2], "collection", None))
        elif (ct := transfers.get(e2e)) is not None and ct[3] == -mv.amount_cents and ct[4] == "sent":
            ln.status, ln.party, ln.transfers = "confirmed", ct[2], [(ct[0], "confirmed")]
        elif (run := runs.get(e2e.removesuffix("-TRF"))) is not None and run[2] == -mv.amount_cents:
            ln.status = "confirmed"
            ln.transfers = [(tid, "confirmed") for (tid,) in conn.execute(
                select(CreditTransfer.id).where(CreditTransfer.run_id == run[0], CreditTransfer.status == "sent"))]
        else:
            ln.status, ln.reason = "review", "unexplained_debit"


def _collections_by_mandate(conn, returns: list[_Line]) -> dict[str, list[tuple]]:
    mandates = {ln.mv.r_transaction.mandate_reference for ln in returns if ln.mv.r_transaction.mandate_reference}
    out: dict[str, list[tuple]] = defaultdict(list)
    if mandates:
        for row in select_in(conn, "SELECT c.id, c.end_to_end_id, c.party_id, c.amount_cents, c.ogm, c.status, "
                                   "c.payment_key, c.mandate_id, m.reference FROM dd_collection c "
                                   "JOIN sepa_mandate m ON m.id = c.mandate_id WHERE m.reference IN ({in}) "
                                   "ORDER BY c.id DESC", mandates):
            out[row[8]].append(row[:8])
    return out


def _pick(candidates, amount: int):
    """The latest collection of the mandate with that amount that was not returned yet."""
    return next((c for c in candidates if c[3] == amount and c[5] in ("sent", "paid")), None)


def _postings(session: Session, effective: list[_Line], policy: ImputationPolicy) -> list:
    """The receipts and imputations of the file, each imputed on the balances the file's earlier payments
    left: the debtors' balances are read once, then kept in memory."""
    booked = [ln for ln in effective if ln.status in ("booked", "parked") and ln.mv.amount_cents > 0]
    parties = {ln.party for ln in booked if ln.party is not None}
    first_day = min((ln.booked_on for ln in booked), default=None)
    state, pending = debtor_state(session, parties, first_day)
    owed = {code: c - r for code, (c, r) in clearing_balances(session).items()} \
        if any(ln.partner for ln in booked) else {}
    # payments to an undue benefit's communication (rare): the persons' recovery decisions, kept in memory too
    undue = {party: [list(u) for u in items] for party, items in undue_items_of(
        session, {ln.party for ln in booked if ln.party is not None and undue_number(ln.designation)}).items()}
    # payments to a buy-back request's communication (rare): the persons' buy-back requests, kept in memory too
    buyback = {party: [[list(b) for b in request] for request in requests] for party, requests in buyback_items_of(
        session, {ln.party for ln in booked if ln.party is not None and buyback_number(ln.designation)}).items()}
    postings = []
    append = postings.append
    for ln in booked:
        mv = ln.mv
        iban = ln.iban or mv.counterparty_account.strip() or None
        name = mv.counterparty_name or None
        # what payment_posting's explanation holds (the same keys in the same order: the same JSON)
        counterparty = ({"iban": iban, "name": name} if name else {"iban": iban}) if iban else \
            ({"name": name} if name else None)
        if ln.partner is not None:
            settled = min(mv.amount_cents, max(owed.get(ln.partner, 0), 0))
            if settled:
                owed[ln.partner] -= settled
                append(remittance_posting(ln.key, ln.booked_on, mv.amount_cents, ln.partner, settled,
                                          reference=ln.reference, counterparty=counterparty))
                if settled == mv.amount_cents:
                    ln.status, ln.reason = "booked", None
                    continue
            ln.note = (f"remittance of partner {ln.partner}: {_eur(settled)} settled what it owes, "
                       f"{_eur(mv.amount_cents - settled)} beyond what its status files report collected: parked")
            if settled:
                continue
        party = ln.party if ln.status == "booked" else None
        append(payment_posting(ln.key, ln.booked_on, mv.amount_cents, party, reference=ln.reference,
                               counterparty=counterparty))
        if party is None:
            continue
        accounts = state[party]
        cur = accounts.get(("credit", None))
        if cur is None:
            accounts[("credit", None)] = [-mv.amount_cents, None]
        else:
            cur[0] -= mv.amount_cents
        designation = ln.designation
        items = undue.get(party) if undue and undue_number(designation) else None
        bought = buyback.get(party) if buyback and buyback_number(designation) else None
        rows = []
        owing = False  # an item open (or to release): else imputation_entries would return no entry
        for (a, p), v in accounts.items():
            if v[0]:
                rows.append(Balance(party, a, p, v[0], v[1]))
                if a != "credit":
                    owing = True
        if not owing and not items and not bought:
            continue
        entries = imputation_entries(rows, party, policy, designation, mv.amount_cents,
                                     pending=pending.get(party), on=ln.booked_on,
                                     undue=[UndueItem(*u) for u in items] if items else None,
                                     buyback=[[BuybackItem(*b) for b in request] for request in bought]
                                     if bought else None)
        if entries:
            append(imputation_posting(f"{ln.key}/imputation", ln.booked_on, entries, designation))
            for e in entries:
                account = e.account
                if account == BENEFIT_UNDUE:
                    next(u for u in items if u[0] == e.parameter)[2] += e.amount_cents
                elif account == BUYBACK:
                    next(b for request in bought for b in request
                         if (b[0], b[1]) == (e.parameter, e.period))[2] += e.amount_cents
                else:
                    cur = accounts.get((account, e.period))
                    if cur is None:
                        accounts[(account, e.period)] = [e.amount_cents, None]
                    else:
                        cur[0] += e.amount_cents
    return postings


def pending_by_debtor(session: Session, parties: set[int], after: dt.date) -> dict[int, dict[tuple, list]]:
    """``ledger.pending_charges`` for a whole file's debtors in one query (``select_in``): the charges falling due
    after the file's first booking day."""
    conn = session.connection()
    accounts = ", ".join(f"'{a}'" for a in RECEIVABLE)
    sql = (f"SELECT party_id, account, period, due_date, SUM(amount_cents) FROM ledger_entry "
           f"WHERE account IN ({accounts}) AND amount_cents > 0 AND due_date > '{after.isoformat()}' "
           f"AND party_id IN ({{in}}) GROUP BY party_id, account, period, due_date")
    out: dict[int, dict[tuple, list]] = {}
    for party, account, period, due, cents in select_in(conn, sql, sorted(parties)):
        due = due if isinstance(due, dt.date) else dt.date.fromisoformat(str(due))
        out.setdefault(party, {}).setdefault((account, period), []).append((due, int(cents)))
    return out


def debtor_balances(session: Session, parties: set[int]) -> dict[int, dict]:
    """Receivables and credit of many debtors in one query: ``{party: {(account, period): [cents, first due]}}``
    (the import keeps them in memory; the batches' set-off reads them the same way)."""
    return debtor_state(session, parties, None)[0]


def debtor_state(session: Session, parties: set[int], after: dt.date | None
                 ) -> tuple[dict[int, dict], dict[int, dict[tuple, list]]]:
    """``debtor_balances`` and ``pending_by_debtor`` (charges falling due after ``after``; None: not wanted) of
    many debtors from one read of their entries, grouped by due date too."""
    conn = session.connection()
    state: dict[int, dict] = defaultdict(dict)
    pending: dict[int, dict[tuple, list]] = {}
    if not parties:
        return state, pending
    accounts = ", ".join(f"'{a}'" for a in (*RECEIVABLE, "credit"))
    sql = (f"SELECT party_id, account, period, due_date, SUM(amount_cents), "
           f"SUM(CASE WHEN amount_cents > 0 THEN amount_cents ELSE 0 END) FROM ledger_entry "
           f"WHERE account IN ({accounts}) AND party_id IN ({{in}}) GROUP BY party_id, account, period, due_date "
           f"ORDER BY party_id, account, period, due_date")
    sqlite = conn.dialect.name != "postgresql"
    dates: dict[str, dt.date] = {}
    receivable = set(RECEIVABLE)
    for party, account, period, due, total, charged in select_in(conn, sql, sorted(parties)):
        if sqlite and isinstance(due, str):
            due = dates.get(due) or dates.setdefault(due, dt.date.fromisoformat(due))
        accounts_of = state[party]
        cur = accounts_of.get((account, period))
        if cur is None:
            accounts_of[(account, period)] = [int(total), due]
        else:  # NULL due dates sort first (SQLite) or last (PostgreSQL): keep the earliest date
            cur[0] += int(total)
            if due is not None and (cur[1] is None or due < cur[1]):
                cur[1] = due
        if after is not None and due is not None and due > after and charged and account in receivable:
            pending.setdefault(party, {}).setdefault((account, period), []).append((due, int(charged)))
    return state, pending


def _returns(session: Session, effective: list[_Line]) -> None:
    """Direct-debit returns of collections that were paid: the ledger reverses them (few per file)."""
    for ln in effective:
        coll = ln.return_of
        if coll is None:
            continue
        cid, _e2e, party, amount, _ogm, status, payment_key, mandate_id = coll[:8]
        if status == "sent" and (paid := next((x for x in effective if x.collection == cid), None)):
            status, payment_key = "paid", paid.key  # paid earlier in this very file
        rt = ln.mv.r_transaction
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        if status == "paid" and payment_key and amount == -ln.mv.amount_cents:
            return_payment(session, payment_key, ln.key, ln.booked_on, f"direct debit {ln.note}".strip())
            ln.status, ln.reason, ln.party = "returned", None, party
            ln.known = []
            session.execute(update(DirectDebitCollection).where(DirectDebitCollection.id == cid).values(
                status="returned", return_key=ln.key, r_reason=rt.reason or None, updated_at=now))
        elif status == "sent":
            # The bank took back a collection whose money we never saw booked: the collection failed; the
            # debit itself waits for staff (it may net a parked total).
            session.execute(update(DirectDebitCollection).where(DirectDebitCollection.id == cid).values(
                status="rejected", r_reason=rt.reason or None, updated_at=now))
        if rt.reason in MANDATE_STOPPERS:
            session.execute(update(SepaMandate).where(SepaMandate.id == mandate_id, SepaMandate.status == "active")
                            .values(status="suspended",
                                    status_reason=f"{rt.kind} {rt.reason}: {MANDATE_STOPPERS[rt.reason]}"))


def _collections_and_transfers(session: Session, effective: list[_Line]) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    paid = [dict(cid=ln.collection, key=ln.key) for ln in effective if ln.collection and ln.status == "booked"]
    if paid:
        session.connection().execute(
            update(DirectDebitCollection).where(DirectDebitCollection.id == bindparam("cid"))
            .values(status="paid", payment_key=bindparam("key"), updated_at=now), paid)
    for ln in effective:
        for tid, status in ln.transfers:
            session.execute(update(CreditTransfer).where(CreditTransfer.id == tid).values(
                status=status, bank_line_id=ln.line_id))


def _insert_lines(conn, lines: list[_Line], statement_ids: dict[int, int], known: dict[str, set]) -> None:
    date, _stamp, boolean, _json = adapt(conn)
    rows = []
    for ln in lines:
        mv = ln.mv
        rows.append((
            ln.line_id, statement_ids[ln.st], ln.ordinal, mv.line, mv.sequence, mv.detail, mv.amount_cents,
            date(mv.value_date), date(mv.entry_date), str(mv.transaction_code), mv.bank_reference.strip()[:21] or None,
            mv.communication_type, mv.communication or None,
            ln.iban if ln.iban is not None else counterparty_iban(mv.counterparty_account),
            mv.counterparty_account.strip()[:40] or None, mv.counterparty_name.strip()[:100] or None,
            mv.counterparty_bic.strip()[:11] or None, mv.customer_reference.strip()[:35] or None,
            boolean(mv.is_detail), (rt := mv.r_transaction) and rt.kind, (rt and rt.reason) or None, ln.status,
            ln.party, ln.key if ln.status in ("booked", "parked", "returned") else None,
        ))
    from caisse.collection.models import BankLine

    insert_rows(conn, BankLine.__table__, LINE_COLUMNS, rows, checks_once=True, known=known)


LINE_COLUMNS = ("id", "statement_id", "ordinal", "file_line", "sequence", "detail", "amount_cents", "value_date",
                "entry_date", "transaction_code", "bank_reference", "communication_type", "communication",
                "counterparty_iban", "counterparty_account", "counterparty_name", "counterparty_bic",
                "customer_reference", "is_detail", "r_kind", "r_reason", "status", "party_id", "ledger_key")
QUEUE_COLUMNS = ("bank_line_id", "reason", "amount_cents", "payment_key", "suggestions", "status", "created_at",
                 "note")


def _open_cases(session: Session, queue: list[_Line], actor: str) -> None:
    """Each queued bank line is an ``unmatched_payment`` case in the work queue (deadline: fund charter), one per
    bank line whatever happens later (key ``bank_line/<id>``); it is answered and closed when staff assign,
    refund, tie or acknowledge the line (``caisse.collection.reconciliation``)."""
    from caisse.cases.service import open_system_cases

    wanted = []
    for ln in queue:
        mv = ln.mv
        money = ("credit of " if mv.amount_cents > 0 else "debit of ") + _eur(abs(mv.amount_cents))
        wanted.append({
            "key": f"bank_line/{ln.line_id}", "kind": "unmatched_payment",
            "subject": f"Bank line to reconcile: {money} on {ln.booked_on.isoformat()} ({ln.reason})",
            "body": f"The bank import could not book this line ({ln.reason}). {money}, value date "
                    f"{ln.booked_on.isoformat()}. Reconcile it on the desk: /desk/reconciliation (bank line "
                    f"{ln.line_id}), or caisse reconcile list."})
    open_system_cases(session, wanted, dt.date.today(), actor)


def _insert_queue(conn, queue: list[_Line], suggestions: list[list[dict]], known: dict[str, set]) -> None:
    if not queue:
        return
    from caisse.collection.models import ReconciliationItem

    _date, stamp, _boolean, as_json = adapt(conn)
    now = stamp(dt.datetime.now(dt.UTC).replace(tzinfo=None))
    rows = [(ln.line_id, ln.reason, ln.mv.amount_cents, ln.key if ln.status == "parked" else None,
             as_json(found or None), "open", now, ln.note) for ln, found in zip(queue, suggestions, strict=True)]
    insert_rows(conn, ReconciliationItem.__table__, QUEUE_COLUMNS, rows, checks_once=True, known=known)
