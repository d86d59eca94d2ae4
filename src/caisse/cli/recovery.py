"""`caisse recovery ...`: the recovery pipeline by hand — report, a file's history, move a file one stage, log
the personal contact, ask a payment plan, the best-solution advice, the letters as PDF. The batch itself is
`caisse run recovery`."""

from __future__ import annotations

import getpass
import json

import typer

from caisse.cli.platform import DbOption, database_url, parse_date

app = typer.Typer(help="Recovery of arrears: report, history, stages by hand, personal contact, payment plans.",
                  no_args_is_help=True)

DebtorOption = typer.Option(..., "--debtor", help="The debtor's file number.")
TodayOption = typer.Option(None, "--today", help="The day of the action (default: today), YYYY-MM-DD.")


def _today(value: str | None):
    import datetime as dt

    return parse_date(value, "today") or dt.date.today()


def _who():
    from caisse.security.authz import Principal

    return Principal.system(f"cli:{getpass.getuser()}")


@app.command("report")
def report_cmd(as_of: str | None = typer.Option(None, "--as-of", help="The date (default: today)."),
               as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
               db: str | None = DbOption) -> None:
    """How many debtors, and how much they owe, at each stage."""
    from caisse.recovery.report import lines, report

    rep = report(database_url(db), parse_date(as_of, "as_of") or _today(None))
    typer.echo(json.dumps(rep, indent=2) if as_json else "\n".join(lines(rep)))


@app.command("show")
def show(debtor: int = DebtorOption, db: str | None = DbOption) -> None:
    """A debtor's recovery file: its stage and every dated step (who, why, amount, letter)."""
    from caisse.money import fmt
    from caisse.recovery.service import history
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        f, steps = history(s, _who(), debtor)
        if f is None:
            typer.echo(f"file {debtor}: no recovery file")
            return
        reason = f" ({f.closing_reason})" if f.closing_reason else ""
        typer.echo(f"file {debtor}: stage {f.stage}{reason} since {f.stage_since}, cycle {f.cycle}"
                   + (f", personal contact logged {f.contact_logged_on}" if f.contact_logged_on else ""))
        for st in steps:
            letter = f" letter:{st.letter}#{st.id}" if st.letter else ""
            case = f" case:{st.case_id}" if st.case_id else ""
            typer.echo(f"  {st.on}  {st.event:<14} {st.from_stage or '-':>16} -> {st.to_stage:<16} "
                       f"{fmt(st.amount_cents):>12} EUR  {st.actor}: {st.reason}{letter}{case}")


@app.command("move")
def move_cmd(debtor: int = DebtorOption,
             to: str = typer.Option(..., "--to", help="The next stage, court, or closed."),
             reason: str = typer.Option(..., "--reason", help="Why (kept in the history)."),
             closing_reason: str | None = typer.Option(None, "--closing-reason",
                                                       help="With --to closed: paid, plan, dispensation, "
                                                            "insolvency, prescribed, written_off, renounced."),
             today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Move a file one stage by hand (never skipping one; a judicial step needs the personal contact logged)."""
    from caisse.recovery.service import move
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        step = move(s, _who(), debtor, to, reason, _today(today), closing_reason=closing_reason)
        typer.echo(f"file {debtor}: {step.from_stage or 'no file'} -> {step.to_stage} (step {step.id})")


@app.command("contact")
def contact_cmd(debtor: int = DebtorOption,
                outcome: str = typer.Option(..., "--outcome", help="What was said or agreed."),
                channel: str = typer.Option("phone", "--channel", help="phone, meeting, visit or video."),
                today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Log the personal contact with the debtor (mandatory before the first judicial step)."""
    from caisse.recovery.service import log_contact
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        log_contact(s, _who(), debtor, _today(today), outcome, channel)
        typer.echo(f"file {debtor}: personal contact logged ({channel})")


@app.command("plan")
def plan_cmd(debtor: int = DebtorOption,
             schedule: str = typer.Option(..., "--schedule",
                                          help="DATE:AMOUNT,... the first is the down payment, e.g. "
                                               "2026-06-01:400.00,2026-07-01:400.00"),
             reason: str = typer.Option(..., "--reason", help="Why the plan is asked (kept with the decision)."),
             today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Ask a payment plan: eligibility, a schedule covering the whole debt, four eyes above the threshold."""
    from caisse.money import fmt
    from caisse.recovery.service import parse_schedule, request_plan
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        plan = request_plan(s, _who(), debtor, parse_schedule(schedule), reason, _today(today))
        typer.echo(f"payment plan {plan.id}: {plan.status}, {fmt(plan.debt_cents)} EUR in {plan.months} months "
                   f"(down payment {fmt(plan.down_payment_cents)} EUR; approval {plan.approval_id}"
                   + (": waiting for a manager)" if plan.status == "pending" else ")"))


@app.command("advise")
def advise_cmd(debtor: int = DebtorOption,
               as_of: str | None = typer.Option(None, "--as-of", help="The date (default: today)."),
               as_json: bool = typer.Option(False, "--json", help="JSON instead of text."),
               db: str | None = DbOption) -> None:
    """The best solution for a debtor: which of reduction, payment plan, dispensation and surcharge waiver apply,
    what each takes off the debt, what it costs and what it changes."""
    from caisse.recovery.advice import advise, lines, situation_of
    from caisse.services import audit
    from caisse.services.affiliation import file_access
    from caisse.store.db import session_scope

    day = parse_date(as_of, "as_of") or _today(None)
    with session_scope(database_url(db)) as s:
        who = _who()
        file_access(s, who, "recovery.manage", debtor)
        advice = advise(situation_of(s, debtor, day))
        audit.record(s, who, "read", "recovery_advice", debtor, party_id=debtor, origin="cli",
                     detail={"what": "debts per quarter, category, recovery stage"})
    typer.echo(json.dumps(advice.to_dict(), indent=2, ensure_ascii=False) if as_json else "\n".join(lines(advice)))


@app.command("letter")
def letter_cmd(step: int = typer.Option(..., "--step", help="The step id (caisse recovery show)."),
               output: str = typer.Option(..., "--output", help="The PDF file to write."),
               db: str | None = DbOption) -> None:
    """The letter of a step as PDF, in the debtor's language."""
    import getpass
    from pathlib import Path

    from caisse.documents.recovery_letters import step_pdf
    from caisse.recovery.models import RecoveryStep
    from caisse.services import audit
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        Path(output).write_bytes(step_pdf(s, step))
        row = s.get(RecoveryStep, step)
        audit.record(s, f"cli:{getpass.getuser()}", "read", "recovery_letter", step, party_id=row.party_id,
                     origin="cli", detail={"what": f"letter {row.letter} (pdf)"})
    typer.echo(output)


@app.command("letters")
def letters_cmd(batch: str = typer.Option(..., "--batch", help="The run's key, e.g. recovery/2026-09-15."),
                output_dir: str = typer.Option(..., "--output-dir", help="Directory for the PDFs."),
                db: str | None = DbOption) -> None:
    """Every letter of a recovery run as PDF."""
    from caisse.documents.recovery_letters import render_batch

    typer.echo(f"{render_batch(database_url(db), batch, output_dir)} letters in {output_dir}")
