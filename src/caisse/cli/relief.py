"""`caisse relief ...`: dispensations of contributions and surcharge waivers — the pension consequence told first,
the request checked and recorded, the file sent to INASTI, INASTI's decision recorded (or imported) and written off
through four eyes, the decision letter, the dispensed quarters and their buy-back deadlines. See docs/recovery.md.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import typer

from caisse.cli.platform import DbOption, database_url, output_path, parse_date, unknown_as

app = typer.Typer(help="Payment difficulties: dispensation of contributions and surcharge waivers (INASTI decides).",
                  no_args_is_help=True)

DebtorOption = typer.Option(..., "--debtor", help="The debtor's file number.")
QuartersOption = typer.Option(..., "--quarters", help="The quarters, e.g. 2026Q1,2026Q2.")
RequestOption = typer.Option(..., "--request", help="The request number (caisse relief list --debtor ID).")
TodayOption = typer.Option(None, "--today", help="The day of the action (default: today), YYYY-MM-DD.")
CaseOption = typer.Option(None, "--case", help="The person's request (case) it answers, if any.")


def _who(origin: str | None = None):
    from dataclasses import replace

    from caisse.security.authz import Principal

    return replace(Principal.system(f"cli:{getpass.getuser()}"), origin=origin)


def _today(value: str | None, name: str = "today"):
    import datetime as dt

    return parse_date(value, name) or dt.date.today()


def _describe(r) -> str:
    from caisse.money import fmt

    extra = f", INASTI {r.decision_ref} of {r.decided_on}" if r.decided_on else ""
    off = f", written off {fmt(r.written_off_cents)} EUR" if r.written_off_cents else ""
    wait = f" (approval {r.approval_id}: waiting for a manager)" if r.status == "awaiting_approval" else ""
    return (f"request {r.id}: {r.kind} {', '.join(r.periods)} — {r.status}{wait}, {fmt(r.amount_cents)} EUR asked"
            f"{extra}{off}, case {r.case_id}")


@app.command("pension-notice")
def pension_notice_cmd(debtor: int = DebtorOption, quarters: str = QuartersOption, case: int | None = CaseOption,
                       output: str | None = typer.Option(None, "--output", help="Also write it as PDF here."),
                       today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Tell the person, before they decide, what a dispensation would cost their pension (written in their request,
    in their language; the request remembers the day)."""
    from caisse.recovery import relief
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        day = _today(today)
        r, lines = relief.pension_notice(s, _who(), debtor, quarters, day, case_id=case)
        if output:
            from caisse.documents.relief_letters import notice_pdf

            Path(output).write_bytes(notice_pdf(s, debtor, quarters, day))
        for _, text in lines:
            typer.echo(text)
        typer.echo(f"-- written to the person in case {r.case_id} (informed on {day})")


@app.command("dispensation-request")
def dispensation_request_cmd(debtor: int = DebtorOption, quarters: str = QuartersOption,
                             grounds: str = typer.Option(..., "--grounds", help="Why (sent to INASTI)."),
                             signed_personally: bool = typer.Option(False, "--signed-personally",
                                                                    help="The request is signed by the person "
                                                                         "(never the accountant)."),
                             informed_on: str | None = typer.Option(None, "--informed-on",
                                                                    help="The day the pension consequence was "
                                                                         "explained (default: from the case)."),
                             case: int | None = CaseOption, today: str | None = TodayOption,
                             db: str | None = DbOption) -> None:
    """Record a dispensation request for INASTI (checked: category, 12 months, no future quarter, unpaid)."""
    from caisse.recovery import relief
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        r = relief.request_dispensation(s, _who(), debtor, quarters, grounds, _today(today),
                                        signed_personally=signed_personally,
                                        informed_on=parse_date(informed_on, "informed_on"), case_id=case)
        typer.echo(_describe(r))


@app.command("waiver-request")
def waiver_request_cmd(debtor: int = DebtorOption, quarters: str = QuartersOption,
                       grounds: str = typer.Option(..., "--grounds", help="Why (sent to INASTI)."),
                       ground_kind: str = typer.Option(..., "--ground-kind",
                                                       help="force_majeure, good_faith or hardship."),
                       applicant: int | None = typer.Option(None, "--applicant",
                                                            help="A jointly liable party asking (e.g. the company)."),
                       case: int | None = CaseOption, today: str | None = TodayOption,
                       db: str | None = DbOption) -> None:
    """Record a surcharge-waiver request for INASTI (only quarters whose contributions are fully paid)."""
    from caisse.recovery import relief
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        r = relief.request_waiver(s, _who(), debtor, quarters, grounds, ground_kind, _today(today), case_id=case,
                                  applicant_party_id=applicant)
        typer.echo(_describe(r))


@app.command("export")
def export_cmd(kind: str = typer.Option(..., "--kind", help="dispensation or surcharge_waiver."),
               output_dir: str | None = typer.Option(None, "--output-dir",
                                                     help="Default: <CAISSE_EXCHANGE_DIR>/inasti/out."),
               today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """The requests not sent yet, as one CSV for INASTI (docs/formats/inasti-dispensation.md)."""
    from caisse.config import get_settings
    from caisse.recovery import relief
    from caisse.store.db import session_scope

    out = output_dir or str(Path(get_settings().exchange_dir) / "inasti" / "out")
    with session_scope(database_url(db)) as s:
        path, n = relief.export_requests(s, _who(), kind, _today(today), out)
    typer.echo(f"{n} requests in {path}" if path else "nothing to send")


def _decision(request: int, kind: str, decided_on: str, reference: str, granted: str | None, reason: str | None,
              surcharges: str | None, today: str | None, db: str | None) -> None:
    from caisse.errors import InvalidInput
    from caisse.recovery import relief
    from caisse.store.db import session_scope

    if surcharges not in (None, "included", "kept"):
        raise InvalidInput("surcharges", "included or kept")
    with session_scope(database_url(db)) as s:
        r = relief.get(s, _who(), request, "money.order", audit_as=None)  # recording the decision is audited
        if r.kind != kind:
            raise InvalidInput("request", f"request {request} is a {r.kind} request")
        r = relief.record_decision(s, _who(), request, _today(today), decided_on=parse_date(decided_on, "decided_on"),
                                   reference=reference, granted=granted, reason=reason or "",
                                   surcharges_included=None if surcharges is None else surcharges == "included")
        typer.echo(_describe(r))


GrantedOption = typer.Option(None, "--granted", help="The quarters INASTI granted, e.g. 2026Q1,2026Q2 "
                                                     "(PERIOD:AMOUNT for a partial grant); none: refused.")
DecidedOption = typer.Option(..., "--decided-on", help="The date of INASTI's decision.")
ReferenceOption = typer.Option(..., "--reference", help="INASTI's reference of the decision.")
ReasonOption = typer.Option(None, "--reason", help="INASTI's reasons (required for what it refused).")


@app.command("dispensation-decision")
def dispensation_decision_cmd(request: int = RequestOption, decided_on: str = DecidedOption,
                              reference: str = ReferenceOption, granted: str | None = GrantedOption,
                              reason: str | None = ReasonOption,
                              surcharges: str | None = typer.Option(None, "--surcharges",
                                                                    help="included (INASTI dispensed them too) or "
                                                                         "kept; required for a grant."),
                              today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Record INASTI's decision on a dispensation: granted quarters written off (four eyes above the threshold)."""
    _decision(request, "dispensation", decided_on, reference, granted, reason, surcharges, today, db)


@app.command("waiver-decision")
def waiver_decision_cmd(request: int = RequestOption, decided_on: str = DecidedOption,
                        reference: str = ReferenceOption, granted: str | None = GrantedOption,
                        reason: str | None = ReasonOption, today: str | None = TodayOption,
                        db: str | None = DbOption) -> None:
    """Record INASTI's decision on a surcharge waiver: the surcharges written off (four eyes above the threshold)."""
    _decision(request, "surcharge_waiver", decided_on, reference, granted, reason, None, today, db)


@app.command("import-decisions")
def import_decisions_cmd(file: str = typer.Argument(..., help="INASTI's decisions (our CSV layout)."),
                         today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """INASTI's decisions from a file (docs/formats/inasti-dispensation.md): all rows checked first."""
    from caisse.recovery import relief
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        for r in relief.import_decisions(s, _who(), file, _today(today)):
            typer.echo(_describe(r))


@app.command("list")
def list_cmd(debtor: int = DebtorOption, db: str | None = DbOption) -> None:
    """A debtor's dispensation and waiver requests, and the quarters dispensed with their buy-back deadline."""
    from caisse.money import fmt
    from caisse.recovery import buyback, relief
    from caisse.services import audit
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        who = _who()
        rows = relief.requests_of(s, debtor)
        audit.record(s, who, "read", "relief_requests", debtor, party_id=debtor, origin="cli",
                     detail={"what": "dispensation and waiver requests"})
        for r in rows:
            typer.echo(_describe(r))
        for q in relief.dispensed(s, who, party_id=debtor):
            typer.echo(f"dispensed {q.period}: {fmt(q.dispensed_cents)} EUR, granted {q.granted_on}, pension rights "
                       f"lost unless paid by {q.buyback_deadline}")
        for q in relief.bought_back(s, debtor):
            typer.echo(f"bought back {q.period}: {fmt(q.dispensed_cents)} EUR paid on {q.bought_back_on} "
                       f"(deadline {q.buyback_deadline}): pension rights kept")
        for b in buyback.requests_of(s, debtor):
            typer.echo(buyback.describe(s, b))


@app.command("dispensed")
def dispensed_cmd(deadline_before: str | None = typer.Option(None, "--deadline-before",
                                                             help="Only buy-back deadlines up to this date."),
                  as_json: bool = typer.Option(False, "--json"), db: str | None = DbOption) -> None:
    """Every dispensed quarter not bought back, by buy-back deadline (career data)."""
    from caisse.money import fmt
    from caisse.recovery import relief
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        rows = relief.dispensed(s, _who(), deadline_before=parse_date(deadline_before, "deadline_before"))
        out = [{"debtor": q.party_id, "period": q.period, "dispensed": fmt(q.dispensed_cents),
                "granted_on": q.granted_on.isoformat(), "buyback_deadline": q.buyback_deadline.isoformat()}
               for q in rows]
    if as_json:
        typer.echo(json.dumps(out, indent=2))
    else:
        for o in out:
            typer.echo(f"{o['debtor']:>8} {o['period']} {o['dispensed']:>10} EUR  granted {o['granted_on']}  "
                       f"buy back by {o['buyback_deadline']}")


@app.command("letter")
def letter_cmd(request: int = RequestOption, output: str = typer.Option(..., "--output", help="The PDF to write."),
               db: str | None = DbOption) -> None:
    """The decision letter (fr/nl/de: what INASTI decided, what it changed, the pension consequence, the appeal)."""
    from caisse.documents.relief_letters import decision_pdf
    from caisse.recovery import relief
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        r = relief.get(s, _who(origin="cli"), request, audit_as="relief_letter", what="decision letter (pdf)")
        Path(output).write_bytes(decision_pdf(s, r.id))
    typer.echo(output)


@app.command("buyback")
def buyback_cmd(debtor: int = DebtorOption, quarters: str = QuartersOption,
                output: str | None = typer.Option(None, "--output", help="Also write the due notice as PDF here."),
                today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """The person asks to buy back dispensed quarters (pay the dispensed contributions within the 5 years to keep
    the pension rights): checked, posted on its own account, with its own structured communication."""
    from caisse.recovery import buyback
    from caisse.store.db import session_scope

    path = output_path(output) if output else None
    day = _today(today)
    with unknown_as("debtor"), session_scope(database_url(db)) as s:
        r = buyback.request_buyback(s, _who(), debtor, quarters, day)
        if path is not None:
            from caisse.documents.relief_letters import buyback_notice_pdf

            path.write_bytes(buyback_notice_pdf(s, r.id))
        typer.echo(buyback.describe(s, r))


@app.command("buyback-notice")
def buyback_notice_cmd(request: int = typer.Option(..., "--request", help="The buy-back request (relief list)."),
                       output: str = typer.Option(..., "--output", help="The PDF to write."),
                       db: str | None = DbOption) -> None:
    """The due notice of a buy-back request (fr/nl/de, its structured communication, what is still to pay)."""
    from caisse.documents.relief_letters import buyback_notice_pdf
    from caisse.recovery import buyback
    from caisse.store.db import session_scope

    path = output_path(output)
    with unknown_as("request"), session_scope(database_url(db)) as s:
        r = buyback.get(s, _who(origin="cli"), request, audit_as="buyback_notice", what="buy-back due notice (pdf)")
        path.write_bytes(buyback_notice_pdf(s, r.id))
    typer.echo(output)
