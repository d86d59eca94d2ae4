"""Status files from bailiffs and lawyers: ``caisse recovery status-import FILE --partner CODE``.

Layout and rules: docs/formats/bailiff-status.md. One line per event the partner reports on a debtor handed over
(``our_reference`` of the hand-over): the day the contrainte (or the summons) was served, money collected and
remitted, costs charged to the debtor, the outcome. Each line is checked on its own; a bad line is **rejected**
with its line number and field and **kept** (``recovery_status_line``, status ``rejected``, the raw text and the
error) while the good lines are imported — the partner corrects and sends the rejected ones again. The file is
one database transaction; the same bytes twice are recognised (SHA-256) and change nothing; a line whose
``partner_ref`` was already booked from an earlier file is kept as ``already`` and books nothing.

What an accepted line does, in this order:

1. ``served_on``: recorded on the hand-over line — the surcharges batch then stops the 3 % surcharges at the end of
   the quarter before that day instead of the quarter before the enforcement step (addendum §4.2; art. 44 AR
   19-12-1967 as amended by RD 4-10-2005);
2. ``costs``: a debt on the ``costs`` account (``explanation.cost_kind`` = bailiff / lawyer: judicial costs, not
   deductible on the tax certificate), period = the quarter of the event, key ``partner/<code>/<ref>/costs``;
3. ``paid``: money the partner collected from the debtor: the debtor has paid — to his credit and imputed exactly as
   a bank payment without designation — but the money is with the partner until his remittance reaches the bank:
   Dr ``partner_clearing`` (the partner) / Cr the debtor's credit (``ledger.receive_via_partner``, key
   ``partner/<code>/<ref>/payment``). The remittance in a CODA file settles the clearing (docs/collection-money.md);
   booking the status file's payment on ``bank`` would count the same euros twice;
4. ``outcome``: ``paid`` closes the recovery file (reason ``paid``) when nothing due is left, ``insolvent`` closes it
   (reason ``insolvency``), ``not_found`` / ``returned`` give the file back to the fund (hand-over line
   ``returned``, the file stays where it is for a decision by hand), ``plan`` is recorded (the partner follows the
   debtor's instalments; the hand-over stays open).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.errors import InvalidInput
from caisse.errors import RejectedLine as Rejected
from caisse.ledger import DebtLine, charge, clearing_balance, impute, receive_via_partner, retain_partner_fees
from caisse.money import fmt, to_cents
from caisse.recovery.models import (
    OUTCOMES,
    RecoveryFile,
    RecoveryHandover,
    RecoveryHandoverLine,
    RecoveryStatusFile,
    RecoveryStatusLine,
)
from caisse.recovery.partners import partner_by_code
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.calendar import Quarter
from caisse.store.db import session_scope

HEADER = ("partner_ref", "our_reference", "file_number", "event_date", "served_on", "paid", "costs", "outcome",
          "note")
# Version 2 of the layout (docs/formats/bailiff-status.md): the fees the partner kept out of what it collected (its
# remittance is net of them), and the schedule of a payment plan it agreed with the debtor (outcome ``plan``).
HEADER_V2 = (*HEADER, "fees_retained", "plan_instalments")
REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,59}$")
COSTS_RULE = "bailiff/lawyer costs charged to the debtor (legislation.md §6 [S34])"  # ledger_entry.rule <= 100
CLOSING = {"paid": "paid", "insolvent": "insolvency"}
# The notes list the bailiff's administrative/judicial costs among the recovery steps (legislation.md §6 [S34]) and
# count judicial costs among what a debtor pays (§10 [S63]): a bailiff's fees fall on the debtor, as its ``costs``
# lines already do. For a lawyer's fees the notes give no such rule (only a "procedural indemnity", without rule or
# amount): the fund bears them unless the partner reports ``costs`` charged to the debtor.
RECOVERABLE_FEES = ("bailiff",)


@dataclass
class StatusResult:
    file_id: int
    sha256: str
    already_imported: bool = False
    lines: int = 0
    accepted: int = 0
    already: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    paid_cents: int = 0
    costs_cents: int = 0
    fees_cents: int = 0  # kept by the partner out of what it collected (netted)
    fees_borne_cents: int = 0  # of which the fund bears (not recoverable from the debtor per the notes)
    plans: int = 0  # payment plans agreed by the partner, with their schedule (monitored)
    served: int = 0
    closed: dict[str, int] = field(default_factory=dict)  # closing reason -> files
    warnings: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        if self.already_imported:
            return [f"already imported (status file {self.file_id}, sha256 {self.sha256[:12]}…): nothing changed"]
        out = [f"status file {self.file_id}: {self.lines} line(s): {self.accepted} accepted, {self.already} already "
               f"booked from an earlier file, {len(self.rejected)} rejected (kept)",
               f"  paid via the partner {fmt(self.paid_cents):>12} EUR (imputed; owed by the partner until remitted)",
               f"  costs charged        {fmt(self.costs_cents):>12} EUR",
               f"  fees kept (netted)   {fmt(self.fees_cents):>12} EUR (of which borne by the fund "
               f"{fmt(self.fees_borne_cents)} EUR)",
               f"  plans followed       {self.plans:>12}",
               f"  contraintes served   {self.served:>12}"]
        out += [f"  files closed ({reason}) {n}" for reason, n in sorted(self.closed.items())]
        out += [f"  note: {w}" for w in self.warnings]
        return out


@dataclass
class _Line:
    number: int
    raw: str
    ref: str = ""
    handover: RecoveryHandoverLine | None = None
    event_on: dt.date | None = None
    served_on: dt.date | None = None
    paid: int = 0
    costs: int = 0
    fees: int = 0
    plan: list[tuple[dt.date, int]] = field(default_factory=list)
    outcome: str | None = None
    note: str = ""
    error: InvalidInput | None = None
    status: str = "accepted"


def _date(value: str, name: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(name, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _amount(value: str, name: str) -> int:
    value = value.strip()
    if not value:
        return 0
    if not re.fullmatch(r"\d{1,12}(\.\d{1,2})?", value):
        raise InvalidInput(name, f"{value!r} is not an amount (EUR, '.' as decimal mark, at most 2 decimals, ≥ 0)")
    return to_cents(value, name)


def _plan(value: str, after: dt.date) -> list[tuple[dt.date, int]]:
    """``2027-01-31:150.00;2027-02-28:150.00`` → [(due date, cents)], due dates increasing, none before ``after``."""
    out: list[tuple[dt.date, int]] = []
    for n, part in enumerate(p.strip() for p in value.split(";") if p.strip()):
        day, sep, amount = part.partition(":")
        if not sep:
            raise InvalidInput("plan_instalments", f"instalment {n + 1}: {part!r} is not DUE_DATE:AMOUNT")
        due = _date(day, "plan_instalments")
        cents = _amount(amount, "plan_instalments")
        if cents <= 0:
            raise InvalidInput("plan_instalments", f"instalment {n + 1}: the amount must be positive")
        if due < after or (out and due <= out[-1][0]):
            raise InvalidInput("plan_instalments", f"instalment {n + 1}: due {due} must follow the event date and "
                                                   "the previous instalment")
        out.append((due, cents))
    return out


def _check(ln: _Line, row: list[str], handovers: dict[str, RecoveryHandoverLine], handed_on: dict[int, dt.date],
           partner_id: int, today: dt.date, header: tuple[str, ...] = HEADER) -> None:
    if len(row) != len(header):
        raise InvalidInput("columns", f"{len(row)} columns, expected {len(header)} ({','.join(header)})")
    v = dict(zip(header, (c.strip() for c in row), strict=True))
    if not REF.match(v["partner_ref"]):
        raise InvalidInput("partner_ref", "your unique reference of this report: 1 to 60 letters, digits, . _ / -")
    ln.ref = v["partner_ref"]
    h = handovers.get(v["our_reference"])
    if h is None or h.partner_id != partner_id:
        raise InvalidInput("our_reference", f"{v['our_reference']!r} is not a file handed over to you")
    ln.handover = h
    if v["file_number"] != str(h.party_id):
        raise InvalidInput("file_number", f"{v['file_number']!r} does not match our reference {h.reference} "
                                          f"(file {h.party_id})")
    ln.event_on = _date(v["event_date"], "event_date")
    if ln.event_on is None:
        raise InvalidInput("event_date", "required (YYYY-MM-DD)")
    if ln.event_on > today:
        raise InvalidInput("event_date", f"{ln.event_on} is in the future")
    if ln.event_on < handed_on[h.handover_id]:
        raise InvalidInput("event_date", f"{ln.event_on} is before the hand-over ({handed_on[h.handover_id]})")
    ln.served_on = _date(v["served_on"], "served_on")
    if ln.served_on is not None:
        if ln.served_on > ln.event_on:
            raise InvalidInput("served_on", f"{ln.served_on} is after the event date {ln.event_on}")
        if h.enforcement_on is not None and ln.served_on < h.enforcement_on:
            raise InvalidInput("served_on", f"{ln.served_on} is before the contrainte was issued "
                                            f"({h.enforcement_on})")
        if h.served_on is not None and h.served_on != ln.served_on:
            raise InvalidInput("served_on", f"already recorded as {h.served_on} for {h.reference}")
    ln.paid = _amount(v["paid"], "paid")
    ln.costs = _amount(v["costs"], "costs")
    ln.fees = _amount(v.get("fees_retained", ""), "fees_retained")
    outcome = v["outcome"].lower() or None
    if outcome is not None and outcome not in OUTCOMES:
        raise InvalidInput("outcome", f"{v['outcome']!r}: one of {', '.join(OUTCOMES)} or empty (still running)")
    if outcome is not None and h.status != "open":
        raise InvalidInput("outcome", f"{h.reference} is already {h.status} (outcome {h.outcome})")
    ln.outcome = outcome
    if v.get("plan_instalments"):
        if outcome != "plan":
            raise InvalidInput("plan_instalments", "a schedule goes with the outcome plan only")
        ln.plan = _plan(v["plan_instalments"], ln.event_on)
    elif outcome == "plan" and header == HEADER_V2:
        raise InvalidInput("plan_instalments", "required with the outcome plan: the schedule agreed with the debtor "
                                               "(DUE_DATE:AMOUNT;…), so that the fund can follow it")
    if len(v["note"]) > 500 or "\x00" in v["note"]:
        raise InvalidInput("note", "at most 500 characters of plain text")
    ln.note = v["note"]
    if ln.served_on is None and not ln.paid and not ln.costs and not ln.fees and outcome is None:
        raise InvalidInput("event_date", "the line reports nothing (no service date, payment, costs or outcome)")


def import_status(url: str, data: bytes, partner_code: str, who: Principal, today: dt.date, *,
                  filename: str | None = None) -> StatusResult:
    from caisse.security import authz

    authz.require(who, "recovery.manage")
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("file", f"not UTF-8 text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(content, newline=""))
    header = next(reader, None)
    if header is None:
        raise InvalidInput("file", "empty file")
    layout = tuple(h.strip().lower() for h in header)
    if layout not in (HEADER, HEADER_V2):
        raise InvalidInput("line 1", f"header must be {','.join(HEADER)} (optionally followed by "
                                     f"{','.join(HEADER_V2[len(HEADER):])}), got {','.join(header)}")
    raw_lines = content.splitlines()
    rows: list[tuple[int, list[str]]] = []
    for row in reader:
        if any(c.strip() for c in row):
            rows.append((reader.line_num, row))
    sha = hashlib.sha256(data).hexdigest()
    with session_scope(url) as s:
        partner = partner_by_code(s, partner_code)
        done = s.scalar(select(RecoveryStatusFile).where(RecoveryStatusFile.sha256 == sha))
        if done is not None:
            return StatusResult(done.id, sha, already_imported=True)
        refs = {r[1].strip() for _, r in rows if len(r) > 1}
        handovers = {h.reference: h for h in s.scalars(select(RecoveryHandoverLine).where(
            RecoveryHandoverLine.reference.in_(refs)))} if refs else {}
        handed_on = dict(s.execute(select(RecoveryHandover.id, RecoveryHandover.as_of).where(
            RecoveryHandover.id.in_({h.handover_id for h in handovers.values()}))).all()) if handovers else {}
        keys = {f"status/{partner.code}/{r[0].strip()}" for _, r in rows if r}
        booked = set(s.scalars(select(RecoveryStatusLine.key).where(RecoveryStatusLine.key.in_(keys)))) \
            if keys else set()
        lines: list[_Line] = []
        seen: set[str] = set()
        holding = clearing_balance(s, partner.code)  # what the partner holds for the fund, line after line
        for number, row in rows:
            ln = _Line(number, raw_lines[number - 1] if number - 1 < len(raw_lines) else ",".join(row))
            try:
                _check(ln, row, handovers, handed_on, partner.id, today, layout)
                if ln.ref in seen:
                    raise InvalidInput("partner_ref", f"{ln.ref} appears twice in this file")
                if ln.fees and f"status/{partner.code}/{ln.ref}" not in booked and ln.fees > holding + ln.paid:
                    raise InvalidInput("fees_retained", f"{fmt(ln.fees)} EUR kept, but you hold only "
                                                        f"{fmt(holding + ln.paid)} EUR collected for the fund")
            except InvalidInput as exc:
                ln.error, ln.status = exc, "rejected"
            if ln.status == "accepted":
                seen.add(ln.ref)
                if f"status/{partner.code}/{ln.ref}" in booked:
                    ln.status = "already"
                else:
                    holding += ln.paid - ln.fees
            lines.append(ln)
        f = RecoveryStatusFile(sha256=sha, partner_id=partner.id, filename=(filename or "")[:300] or None,
                               lines=len(lines), accepted=sum(ln.status == "accepted" for ln in lines),
                               rejected=sum(ln.status == "rejected" for ln in lines),
                               already=sum(ln.status == "already" for ln in lines), imported_on=today,
                               imported_by=str(who))
        s.add(f)
        s.flush()
        result = StatusResult(f.id, sha, lines=len(lines), accepted=f.accepted, already=f.already)
        for ln in lines:
            if ln.status == "accepted":
                _apply(s, who, partner, ln, result)
            elif ln.status == "rejected":
                result.rejected.append(Rejected(ln.number, ln.error.field, ln.error.message))
            s.add(RecoveryStatusLine(
                file_id=f.id, line=ln.number, raw=ln.raw[:4000], status=ln.status,
                error=str(ln.error) if ln.error else None,
                key=f"status/{partner.code}/{ln.ref}" if ln.status == "accepted" else None,
                handover_line_id=ln.handover.id if ln.handover else None,
                party_id=ln.handover.party_id if ln.handover else None, event_on=ln.event_on,
                served_on=ln.served_on, paid_cents=ln.paid, costs_cents=ln.costs, fees_cents=ln.fees,
                outcome=ln.outcome))
        s.flush()
        audit.record(s, who, "import", "recovery_status_file", f.id,
                     detail={"partner": partner.code, "sha256": sha, "accepted": f.accepted, "rejected": f.rejected,
                             "already": f.already, "paid_cents": result.paid_cents,
                             "costs_cents": result.costs_cents, "fees_cents": result.fees_cents})
    return result


def _apply(s: Session, who: Principal, partner, ln: _Line, result: StatusResult) -> None:
    from caisse.recovery.service import move, owed

    h = ln.handover
    party = h.party_id
    key = f"partner/{partner.code}/{ln.ref}"
    if ln.served_on is not None and h.served_on is None:
        h.served_on = ln.served_on
        result.served += 1
    # the fees kept out of a net remittance are the debtor's costs where the notes let them be recovered (a bailiff),
    # unless the line charges the debtor its costs itself (then those are the debtor's share: never twice)
    recovered = ln.fees if ln.fees and not ln.costs and partner.kind in RECOVERABLE_FEES else 0
    if ln.costs or recovered:
        quarter = str(Quarter.of(ln.event_on))
        cents = ln.costs or recovered
        charge(s, f"{key}/costs", party, quarter, ln.event_on, ln.event_on, [DebtLine(
            "costs", cents, COSTS_RULE, None,
            {"cost_kind": partner.kind, "partner": partner.code, "reference": h.reference,
             **({"netted": True} if recovered else {}),
             "text": f"costs of {partner.name} ({partner.kind}) on {h.reference}" + (f": {ln.note}" if ln.note
                                                                                     else "")})],
            description=f"Costs charged by {partner.kind} {partner.code}", reference=h.reference)
        h.costs_cents += cents
        result.costs_cents += cents
        impute(s, party, f"{key}/costs/imputation", ln.event_on)  # credit the debtor held settles them
    if ln.paid:
        receive_via_partner(s, f"{key}/payment", ln.event_on, ln.paid, party, partner.code, reference=h.reference,
                            counterparty={"partner": partner.code, "name": partner.name, "kind": partner.kind})
        h.paid_cents += ln.paid
        result.paid_cents += ln.paid
    if ln.fees:
        borne = ln.fees - (ln.costs if ln.costs else recovered)
        retain_partner_fees(s, f"{key}/fees", ln.event_on, ln.fees, partner.code, party, reference=h.reference,
                            explanation={"reference": h.reference, "charged_to_debtor": ln.fees - max(borne, 0)})
        h.fees_cents += ln.fees
        result.fees_cents += ln.fees
        if borne > 0:
            result.fees_borne_cents += borne
            result.warnings.append(f"{h.reference}: {fmt(borne)} EUR of fees kept by {partner.kind} {partner.code} "
                                   "are borne by the fund (the notes give no rule recovering them from the debtor)")
    if ln.plan:
        from caisse.recovery.partner_plans import record_plan

        record_plan(s, h, ln.event_on, ln.plan)
        result.plans += 1
    elif ln.outcome == "plan":
        result.warnings.append(f"{h.reference}: plan reported without its schedule (layout version 1): recorded, "
                               "not followed by the fund")
    if ln.outcome is None:
        return
    h.outcome, h.outcome_on = ln.outcome, ln.event_on
    h.status = "returned" if ln.outcome in ("not_found", "returned") else "closed" if ln.outcome in CLOSING \
        else "open"
    f = s.get(RecoveryFile, h.file_id)
    current = f is not None and f.cycle == h.cycle and f.stage in ("bailiff", "court")
    if ln.outcome in ("not_found", "returned"):
        result.warnings.append(f"{h.reference}: {ln.outcome} by {partner.code} — back with the fund, decide by hand "
                               "(another partner, court, or close)")
        return
    if ln.outcome not in CLOSING:
        return
    if not current:
        result.warnings.append(f"{h.reference}: {ln.outcome} reported, the recovery file had already moved on "
                               f"({f.stage if f else 'none'})")
        return
    reason = CLOSING[ln.outcome]
    if reason == "paid":
        _, left = owed(s, party, ln.event_on + dt.timedelta(days=1))
        if left > 0:
            result.warnings.append(f"{h.reference}: paid reported by {partner.code} but {fmt(left)} EUR is still "
                                   "due: the file stays open")
            return
    move(s, who, party, "closed", f"{partner.kind} {partner.code} reports {ln.outcome} ({ln.ref})"
         + (f": {ln.note}" if ln.note else ""), ln.event_on, closing_reason=reason)
    result.closed[reason] = result.closed.get(reason, 0) + 1
