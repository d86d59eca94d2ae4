"""Bailiffs and lawyers: the partners the fund hands files to, and the hand-over files
(``caisse recovery partner add/list``, ``caisse recovery handover --as-of D --output-dir DIR``).

A debtor whose recovery file reached ``bailiff`` (the contrainte goes to be executed) is handed to a bailiff; one
that reached ``court`` (summons before the labour court) to a lawyer. The partner is the one already following
the file in this cycle, else the active partner of that kind speaking the debtor's language, else the first
active partner of that kind (lowest id). Per partner and date: one CSV (docs/formats/bailiff-handover.md: one
line per debtor and open period, amounts as of the date, the structured communication, the enforcement order
reference) and one PDF cover letter in the partner's language. Both are recorded (``recovery_handover``: when,
by whom, the CSV as sent, both SHA-256) and each debtor's step once (``recovery_handover_line``, unique per
recovery step): the same step is never handed twice; a rerun writes nothing new.

Set-based: one query finds every step not handed over yet, one GROUP BY over the ledger gives the open periods of
all of them (``recovery.arrears.open_by_period_of``), one read each of names, addresses and partners.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Date, bindparam, select, text
from sqlalchemy.orm import Session

from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.identifiers import normalize_iban
from caisse.money import fmt
from caisse.recovery.arrears import open_by_period_of
from caisse.recovery.models import (
    PARTNER_KINDS,
    PARTNER_OF_STAGE,
    RecoveryBankruptcy,
    RecoveryHandover,
    RecoveryHandoverLine,
    RecoveryPartner,
)
from caisse.references import for_company_contribution, for_quarter
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.store.db import session_scope
from caisse.store.models import Address, Company, Party, Person

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,29}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
HEADER = ("handover", "partner", "our_reference", "file_number", "debtor_name", "national_number", "address",
          "postal_code", "city", "language", "enforcement_order", "enforcement_date", "period", "principal",
          "accessories", "total", "structured_communication")


def _text(value: str | None, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(field, "required")
    if len(value) > limit or "\x00" in value:
        raise InvalidInput(field, f"at most {limit} characters of plain text")
    return value


def add_partner(session: Session, who: Principal, code: str, kind: str, name: str, address: str, email: str,
                language: str, iban: str | None = None) -> RecoveryPartner:
    """Configure a bailiff or a lawyer (each field checked, nothing written on a refusal). ``iban``: the account
    the partner remits from — a CODA credit from it settles what the partner owes (``partner_iban`` changes it)."""
    from caisse.security import authz

    authz.require(who, "recovery.manage")
    code = (code or "").strip()
    if not CODE.match(code):
        raise InvalidInput("code", "2 to 30 letters, digits, '-' or '_' (e.g. HUI-BXL-1)")
    if kind not in PARTNER_KINDS:
        raise InvalidInput("kind", f"one of {', '.join(PARTNER_KINDS)}")
    name, address = _text(name, "name", 200), _text(address, "address", 500)
    email = (email or "").strip()
    if not EMAIL.match(email) or len(email) > 200:
        raise InvalidInput("email", f"not an e-mail address: {email!r}")
    if language not in ("fr", "nl", "de"):
        raise InvalidInput("language", "fr, nl or de (the partner's working language)")
    iban = normalize_iban(iban, "iban") if iban is not None and iban.strip() else None
    if session.scalar(select(RecoveryPartner.id).where(RecoveryPartner.code == code)) is not None:
        raise Conflict("code", f"partner {code} already exists")
    partner = RecoveryPartner(code=code, kind=kind, name=name, address=address, email=email, language=language,
                              active=True, iban=iban)
    session.add(partner)
    session.flush()
    audit.record(session, who, "create", "recovery_partner", partner.id,
                 detail={"code": code, "kind": kind, "iban": iban})
    return partner


def set_partner_iban(session: Session, who: Principal, code: str, iban: str | None) -> RecoveryPartner:
    """The account a partner remits from (None: forget it). From then on a CODA credit from that IBAN is the
    partner's remittance, never a debtor's payment (docs/collection-money.md)."""
    from caisse.security import authz

    authz.require(who, "recovery.manage")
    partner = partner_by_code(session, code)
    new = normalize_iban(iban, "iban") if iban is not None and iban.strip() else None
    old, partner.iban = partner.iban, new
    session.flush()
    audit.record(session, who, "update", "recovery_partner", partner.id,
                 detail={"code": partner.code, "iban": new, "previous_iban": old})
    return partner


def partner_by_code(session: Session, code: str) -> RecoveryPartner:
    partner = session.scalar(select(RecoveryPartner).where(RecoveryPartner.code == (code or "").strip()))
    if partner is None:
        raise InvalidInput("partner", f"no partner {code!r} (caisse recovery partner list)")
    return partner


def partners(session: Session) -> list[RecoveryPartner]:
    return list(session.scalars(select(RecoveryPartner).order_by(RecoveryPartner.kind, RecoveryPartner.id)))


def reference_of(party_id: int, cycle: int, stage: str) -> str:
    """Our reference of a hand-over line: the file, the cycle, the stage (unique: one step per stage and cycle)."""
    return f"{party_id}-{cycle}-{stage}"


def enforcement_order(party_id: int, cycle: int, on: dt.date) -> str:
    """The reference of the contrainte (dwangbevel) of a cycle: C<year>-<file>-<cycle>."""
    return f"C{on.year}-{party_id}-{cycle}"


def communication(party_id: int, period: str) -> str:
    """The structured communication a payment of ``period`` carries (quarter, or a company contribution's year)."""
    if "Q" in period:
        return for_quarter(party_id, int(period[:4]), int(period[5])).ogm
    return for_company_contribution(party_id, int(period)).ogm


_TO_HAND = """
SELECT f.id, f.party_id, f.cycle, f.stage, st.id, st."on"
FROM recovery_file f
JOIN recovery_step st ON st.file_id = f.id AND st.cycle = f.cycle AND st.to_stage = f.stage AND st.event = 'stage'
WHERE f.stage IN ('bailiff', 'court') AND st."on" <= :at
  AND st.id = (SELECT MAX(s2.id) FROM recovery_step s2 WHERE s2.file_id = f.id AND s2.cycle = f.cycle
               AND s2.to_stage = f.stage AND s2.event = 'stage')
  AND NOT EXISTS (SELECT 1 FROM recovery_handover_line h WHERE h.step_id = st.id)
ORDER BY f.party_id
"""
_ENFORCEMENT = """
SELECT file_id, cycle, MIN("on") FROM recovery_step
WHERE to_stage = 'enforcement' AND event = 'stage' AND file_id IN :files GROUP BY file_id, cycle
"""


@dataclass
class Handed:
    key: str
    partner: str
    kind: str
    debtors: int
    amount_cents: int
    csv_path: Path
    pdf_path: Path


@dataclass
class HandoverResult:
    as_of: dt.date
    files: list[Handed] = field(default_factory=list)
    skipped: dict[str, list[int]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"hand-over as of {self.as_of}: {len(self.files)} file(s)"]
        for h in self.files:
            out.append(f"  {h.key}: {h.debtors} debtor(s), {fmt(h.amount_cents)} EUR -> {h.csv_path.name}, "
                       f"{h.pdf_path.name}")
        for reason, parties in self.skipped.items():
            out.append(f"  skipped {len(parties)} × {reason} (e.g. files {', '.join(map(str, parties[:5]))})")
        if not self.files and not self.skipped:
            out.append("  nothing to hand over (every step already handed over)")
        return out


def _names(session: Session, parties: list[int], as_of: dt.date) -> dict[int, dict]:
    out: dict[int, dict] = {p: {"name": f"#{p}", "id": "", "address": "", "postal_code": "", "city": "",
                                "language": "fr"} for p in parties}
    if not parties:
        return out
    for pid, lang in session.execute(select(Party.id, Party.language).where(Party.id.in_(parties))):
        out[pid]["language"] = lang
    for pid, first, last, niss in session.execute(select(Person.id, Person.first_name, Person.last_name,
                                                         Person.niss).where(Person.id.in_(parties))):
        out[pid].update(name=f"{first} {last}", id=niss)
    for pid, name, kbo in session.execute(select(Company.id, Company.name, Company.kbo)
                                          .where(Company.id.in_(parties))):
        out[pid].update(name=name, id=kbo)
    for a in session.scalars(select(Address).where(Address.party_id.in_(parties), Address.valid_from <= as_of)
                             .order_by(Address.party_id, Address.valid_from, Address.id)):
        out[a.party_id].update(address=f"{a.street} {a.house_number}" + (f" bte {a.box}" if a.box else ""),
                               postal_code=a.postal_code, city=a.city)  # the last one wins
    return out


def _choose(partner_list: list[RecoveryPartner], kind: str, language: str, following: int | None):
    of_kind = [p for p in partner_list if p.kind == kind and p.active]
    if following is not None:
        for p in of_kind:
            if p.id == following:
                return p
    for p in of_kind:
        if p.language == language:
            return p
    return of_kind[0] if of_kind else None


def handover(url: str, as_of: dt.date, output_dir: str | Path, who: Principal) -> HandoverResult:
    """Hand every file at ``bailiff`` / ``court`` not handed over yet for its step to its partner (see module)."""
    if not isinstance(as_of, dt.date):
        raise InvalidInput("as_of", "a date is required (YYYY-MM-DD)")
    from caisse.security import authz

    authz.require(who, "recovery.manage")
    out_dir = Path(output_dir)
    result = HandoverResult(as_of)
    with session_scope(url) as s:
        conn = s.connection()
        rows = conn.execute(text(_TO_HAND).bindparams(bindparam("at", type_=Date)), {"at": as_of}).all()
        if not rows:
            return result
        files = [int(r[0]) for r in rows]
        enforcement = {(int(f), int(c)): _d(on) for f, c, on in conn.execute(
            text(_ENFORCEMENT).bindparams(bindparam("files", expanding=True)), {"files": files})}
        partner_list = partners(s)
        kind_of = {p.id: p.kind for p in partner_list}
        following: dict[tuple[int, str], int] = {}  # (file, kind) -> the partner of that kind who last had it
        for file_id, partner_id in s.execute(select(RecoveryHandoverLine.file_id, RecoveryHandoverLine.partner_id)
                                             .where(RecoveryHandoverLine.file_id.in_(files))
                                             .order_by(RecoveryHandoverLine.id)):
            following[(file_id, kind_of[partner_id])] = partner_id
        bankrupt = set(s.scalars(select(RecoveryBankruptcy.party_id).where(RecoveryBankruptcy.status == "open")))
        parties = [int(r[1]) for r in rows]
        periods = open_by_period_of(conn, as_of, parties)
        who_is = _names(s, parties, as_of)
        groups: dict[int, list[tuple]] = {}
        for file_id, party, cycle, stage, step_id, _on in rows:
            party, cycle = int(party), int(cycle)
            kind = PARTNER_OF_STAGE[stage]
            if party in bankrupt:
                result.skipped.setdefault("bankruptcy open: the claim goes to the trustee", []).append(party)
                continue
            if not periods.get(party):
                result.skipped.setdefault("nothing due any more (the recovery run closes the file)", []).append(
                    party)
                continue
            partner = _choose(partner_list, kind, who_is[party]["language"], following.get((int(file_id), kind)))
            if partner is None:
                result.skipped.setdefault(f"no active {kind} configured (caisse recovery partner add)", []).append(
                    party)
                continue
            groups.setdefault(partner.id, []).append((int(file_id), party, cycle, stage, int(step_id)))
        out_dir.mkdir(parents=True, exist_ok=True)
        by_id = {p.id: p for p in partner_list}
        for partner_id, items in groups.items():
            partner = by_id[partner_id]
            base = f"handover/{partner.code}/{as_of.isoformat()}"
            taken = set(s.scalars(select(RecoveryHandover.key).where(RecoveryHandover.key.like(base + "%"))))
            key = base if base not in taken else f"{base}/{len(taken) + 1}"
            stem = key.replace("/", "-")
            rows_csv, lines, total = [], [], 0
            for file_id, party, cycle, stage, step_id in items:
                enf_on = enforcement.get((file_id, cycle))
                enf_ref = enforcement_order(party, cycle, enf_on) if enf_on else None
                ref = reference_of(party, cycle, stage)
                owed = 0
                info = who_is[party]
                for period, principal, accessories in periods[party]:
                    owed += principal + accessories
                    rows_csv.append((key, partner.code, ref, party, info["name"], info["id"], info["address"],
                                     info["postal_code"], info["city"], info["language"], enf_ref or "",
                                     enf_on.isoformat() if enf_on else "", period, fmt(principal), fmt(accessories),
                                     fmt(principal + accessories), communication(party, period)))
                total += owed
                lines.append(RecoveryHandoverLine(step_id=step_id, file_id=file_id, party_id=party,
                                                  partner_id=partner.id, cycle=cycle, stage=stage, reference=ref,
                                                  enforcement_ref=enf_ref, enforcement_on=enf_on, amount_cents=owed,
                                                  status="open", paid_cents=0, costs_cents=0))
            buf = io.StringIO(newline="")
            writer = csv.writer(buf, lineterminator="\n")
            writer.writerow(HEADER)
            writer.writerows(rows_csv)
            csv_text = buf.getvalue()
            from caisse.documents.recovery_partners import cover_letter

            pdf = cover_letter(partner, key, as_of, [(ln.party_id, who_is[ln.party_id]["name"], ln.reference,
                                                      ln.enforcement_ref, ln.amount_cents) for ln in lines], total)
            csv_path, pdf_path = out_dir / f"{stem}.csv", out_dir / f"{stem}.pdf"
            row = RecoveryHandover(key=key, partner_id=partner.id, as_of=as_of, debtors=len(lines),
                                   amount_cents=total, csv_name=csv_path.name, csv_text=csv_text,
                                   csv_sha256=hashlib.sha256(csv_text.encode()).hexdigest(), pdf_name=pdf_path.name,
                                   pdf_sha256=hashlib.sha256(pdf).hexdigest(), created_by=str(who))
            s.add(row)
            s.flush()
            for ln in lines:
                ln.handover_id = row.id
            s.add_all(lines)
            s.flush()
            csv_path.write_text(csv_text, encoding="utf-8")
            pdf_path.write_bytes(pdf)
            audit.record(s, who, "handover", "recovery_handover", row.id,
                         detail={"key": key, "partner": partner.code, "debtors": len(lines), "csv_sha256":
                                 row.csv_sha256, "parties": [ln.party_id for ln in lines][:50]})
            result.files.append(Handed(key, partner.code, partner.kind, len(lines), total, csv_path, pdf_path))
    return result


def write_again(url: str, key: str, output_dir: str | Path, who: Principal) -> tuple[Path, Path, bool]:
    """A hand-over already made, written again: the CSV exactly as sent (stored), the letter redrawn; the flag
    says whether the letter still matches its recorded checksum (a name or address may have changed since). The CSV
    names many debtors (NISS, addresses): only who may hand files over, and the read is audited per file."""
    from caisse.documents.recovery_partners import cover_letter
    from caisse.security import authz

    authz.require(who, "recovery.manage")
    out_dir = Path(output_dir)
    with session_scope(url) as s:
        row = s.scalar(select(RecoveryHandover).where(RecoveryHandover.key == key))
        if row is None:
            raise NotFound("hand-over", key)
        if not row.csv_text:
            raise InvalidInput("key", f"the CSV of {key} was emptied by the retention rules once its year was "
                                      f"prescribed (docs/privacy.md); its SHA-256 {row.csv_sha256} is kept")
        partner = s.get(RecoveryPartner, row.partner_id)
        lines = list(s.scalars(select(RecoveryHandoverLine).where(RecoveryHandoverLine.handover_id == row.id)
                               .order_by(RecoveryHandoverLine.id)))
        names = _names(s, [ln.party_id for ln in lines], row.as_of)
        pdf = cover_letter(partner, row.key, row.as_of, [(ln.party_id, names[ln.party_id]["name"], ln.reference,
                                                          ln.enforcement_ref, ln.amount_cents) for ln in lines],
                           row.amount_cents)
        out_dir.mkdir(parents=True, exist_ok=True)
        csv_path, pdf_path = out_dir / row.csv_name, out_dir / row.pdf_name
        csv_path.write_text(row.csv_text, encoding="utf-8")
        pdf_path.write_bytes(pdf)
        audit.record_reads(s, who, "recovery_handover", [ln.party_id for ln in lines], what="hand-over CSV again",
                           detail={"key": key})
        return csv_path, pdf_path, hashlib.sha256(pdf).hexdigest() == row.pdf_sha256


def _d(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


@dataclass
class PartnerBalance:
    """What a partner collected for the fund (its status files) and remitted (its transfers), as of a date."""

    code: str
    kind: str
    name: str
    iban: str | None
    collected_cents: int
    remitted_cents: int
    last_collected_on: dt.date | None
    last_remitted_on: dt.date | None
    owed_since: dt.date | None  # the oldest collection not covered by the remittances (oldest first)
    fees_cents: int = 0  # its fees kept out of what it collected (net remittances: recovery/partner_status.py)

    @property
    def owed_cents(self) -> int:
        return self.collected_cents - self.remitted_cents - self.fees_cents

    def as_dict(self) -> dict:
        return {"partner": self.code, "kind": self.kind, "name": self.name, "iban": self.iban,
                "collected_cents": self.collected_cents, "remitted_cents": self.remitted_cents,
                "fees_cents": self.fees_cents, "owed_cents": self.owed_cents,
                "owed_since": self.owed_since and self.owed_since.isoformat(),
                "last_collected_on": self.last_collected_on and self.last_collected_on.isoformat(),
                "last_remitted_on": self.last_remitted_on and self.last_remitted_on.isoformat()}


# A debit of a partner's clearing is a collection, a credit a remittance; a correction (reversal) counts against
# what it corrects: a reversed collection lowers "collected", a reversed remittance lowers "remitted". A credit by a
# ``charge`` transaction is the partner's fees kept out of what it collected (``ledger.retain_partner_fees``).
_CLEARING = """
SELECT e.parameter, t.booked_on,
       SUM(CASE WHEN (e.amount_cents > 0) = (t.corrects_id IS NULL) THEN e.amount_cents ELSE 0 END),
       SUM(CASE WHEN (e.amount_cents > 0) = (t.corrects_id IS NULL) OR t.kind = 'charge' THEN 0
                ELSE -e.amount_cents END),
       SUM(CASE WHEN t.kind = 'charge' THEN -e.amount_cents ELSE 0 END)
FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
WHERE e.account = 'partner_clearing' AND t.booked_on <= :at
GROUP BY e.parameter, t.booked_on
ORDER BY e.parameter, t.booked_on
"""


def partner_balances(session: Session, as_of: dt.date) -> list[PartnerBalance]:
    """Every partner's clearing account on ``as_of`` (ledger ``partner_clearing``, booked by that day): collected per
    its status files, remitted on the bank, what it still owes and since when. One grouped query over the ledger."""
    if not isinstance(as_of, dt.date):
        raise InvalidInput("as_of", "a date is required (YYYY-MM-DD)")
    moves: dict[str, list[tuple[dt.date, int, int, int]]] = {}
    for code, on, collected, remitted, fees in session.execute(
            text(_CLEARING).bindparams(bindparam("at", type_=Date)), {"at": as_of}):
        moves.setdefault(code, []).append((_d(on), int(collected), int(remitted), int(fees)))
    out = []
    for p in partners(session):
        out.append(_balance(p.code, p.kind, p.name, p.iban, moves.pop(p.code, [])))
    for code, rows in sorted(moves.items()):  # a partner no longer configured: its money is still owed
        out.append(_balance(code, "?", "(partner not configured)", None, rows))
    return out


def _balance(code: str, kind: str, name: str, iban: str | None,
             rows: list[tuple[dt.date, int, int, int]]) -> PartnerBalance:
    collected = sum(c for _, c, _r, _f in rows)
    remitted = sum(r for _, _c, r, _f in rows)
    fees = sum(f for _, _c, _r, f in rows)
    owed_since, covered = None, remitted + fees
    for on, cents, _r, _f in rows:  # remittances (and fees kept) cover the oldest collections first
        if cents <= 0:
            continue
        if covered >= cents:
            covered -= cents
            continue
        owed_since = on
        break
    if collected <= remitted + fees:
        owed_since = None
    last_in = max((on for on, c, _r, _f in rows if c > 0), default=None)
    last_out = max((on for on, _c, r, _f in rows if r > 0), default=None)
    return PartnerBalance(code, kind, name, iban, collected, remitted, last_in, last_out, owed_since, fees)


def reclassify_bank_collections(session: Session, who: Principal, today: dt.date) -> list[tuple[str, int]]:
    """Collections booked from status files before the clearing account existed debited ``bank`` (Dr bank / Cr the
    debtor's credit): the money was with the partner, and its transfer, parked when it arrived, counted the same euros
    a second time. Each such receipt gets a correction (same kind, ``refers_to`` it — the receipt itself stands: the
    debtor did pay, so it still interrupts prescription and counts as collected —, key
    ``correction/<key>/partner-clearing``, booked on ``today``): Dr partner_clearing (the partner, from the key) /
    Cr bank. The debtor's side is untouched (he paid). The parked transfers are then settled with ``caisse reconcile
    remittance``. Idempotent: a receipt already corrected is skipped. Returns (receipt key, cents) corrected."""
    from caisse.ledger import Entry, Posting, post
    from caisse.ledger.models import LedgerEntry, LedgerTransaction
    from caisse.ledger.operations import clearing_entry
    from caisse.security import authz

    authz.require(who, "recovery.manage")
    t, e = LedgerTransaction, LedgerEntry
    rows = session.execute(
        select(t.key, e.amount_cents).join(e, e.transaction_id == t.id)
        .where(t.kind == "payment", t.corrects_id.is_(None), t.key.like("partner/%/payment"), e.account == "bank",
               e.amount_cents > 0).order_by(t.id)).all()
    corrected = set(session.scalars(select(t.key).where(t.key.like("correction/partner/%/partner-clearing"))))
    done = []
    for key, cents in rows:
        fix = f"correction/{key}/partner-clearing"
        if fix in corrected:
            continue
        code = key.split("/")[1]
        post(session, Posting(fix, "payment", today, (
            clearing_entry(code, int(cents), {"reclassified": key}), Entry("bank", -int(cents))),
            f"Correction: {key} was collected by partner {code}, not received on the bank", refers_to=key))
        done.append((key, int(cents)))
    if done:
        audit.record(session, who, "reclassify", "ledger_transaction", None,
                     detail={"receipts": [k for k, _ in done][:200], "cents": sum(c for _, c in done)})
    return done
