"""`caisse recovery ...`: the recovery pipeline by hand — report, a file's history, move a file one stage, log
the personal contact, ask a payment plan, the best-solution advice, the letters as PDF. The batch itself is
`caisse run recovery`."""

from __future__ import annotations

import getpass
import json

import typer

from caisse.cli.platform import DbOption, database_url, output_path, parse_date, unknown_as

app = typer.Typer(help="Recovery of arrears: report, history, stages by hand, personal contact, payment plans.",
                  no_args_is_help=True)

DebtorOption = typer.Option(..., "--debtor", help="The debtor's file number.")
TodayOption = typer.Option(None, "--today", help="The day of the action (default: today), YYYY-MM-DD.")


def _today(value: str | None):
    import datetime as dt

    return parse_date(value, "today") or dt.date.today()


def _who(origin: str | None = None):
    from dataclasses import replace

    from caisse.security.authz import Principal

    return replace(Principal.system(f"cli:{getpass.getuser()}"), origin=origin)


@app.command("report")
def report_cmd(as_of: str | None = typer.Option(None, "--as-of", help="The date (default: today)."),
               as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
               db: str | None = DbOption) -> None:
    """How many debtors, and how much they owe, at each stage."""
    from caisse.recovery.report import lines, report

    rep = report(database_url(db), parse_date(as_of, "as_of") or _today(None))
    typer.echo(json.dumps(rep, indent=2) if as_json else "\n".join(lines(rep)))


@app.command("prescription-report")
def prescription_report_cmd(as_of: str | None = typer.Option(None, "--as-of", help="The date (default: today)."),
                            within_days: int = typer.Option(90, "--within-days",
                                                            help="Debts prescribed by as-of + this many days."),
                            as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
                            db: str | None = DbOption) -> None:
    """Debts about to prescribe (or prescribed): debtor, period, kind, open amount, date, last interruption."""
    from caisse.recovery.prescription import lines, report

    rep = report(database_url(db), parse_date(as_of, "as_of") or _today(None), within_days)
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
            _show_prescription(s, debtor)
            return
        reason = f" ({f.closing_reason})" if f.closing_reason else ""
        typer.echo(f"file {debtor}: stage {f.stage}{reason} since {f.stage_since}, cycle {f.cycle}"
                   + (f", personal contact logged {f.contact_logged_on}" if f.contact_logged_on else "")
                   + (f", formal notice presented {f.notice_presented_on}" if f.notice_presented_on else "")
                   + (f", {f.contest_kind} received {f.contested_on} (art. 46)" if f.contested_on else ""))
        for st in steps:
            letter = f" letter:{st.letter}#{st.id}" if st.letter else ""
            case = f" case:{st.case_id}" if st.case_id else ""
            typer.echo(f"  {st.on}  {st.event:<14} {st.from_stage or '-':>16} -> {st.to_stage:<16} "
                       f"{fmt(st.amount_cents):>12} EUR  {st.actor}: {st.reason}{letter}{case}")
        _show_partners(s, debtor)
        _show_contrainte(s, debtor)
        _show_prescription(s, debtor)


def _show_contrainte(s, debtor: int) -> None:
    """Where the contrainte handed to a bailiff stands: served, the month of opposition, enforceable from."""
    from caisse.recovery.service import contrainte_state

    c = contrainte_state(s, debtor)
    if c is None:
        return
    if c.served_on is None:
        typer.echo(f"  contrainte {c.reference} issued {c.issued_on}: with the bailiff to be served; enforceable only "
                   "the day after the month of opposition from its service")
    elif c.enforceable_from is not None:
        typer.echo(f"  contrainte {c.reference} served {c.served_on}: opposition until {c.opposition_ends}; "
                   f"enforceable from {c.enforceable_from}"
                   + (" (recorded)" if c.enforceable_on else " if no opposition is recorded before"))


def _show_partners(s, debtor: int) -> None:
    """The hand-overs to bailiffs and lawyers and the bankruptcies of a file (``caisse recovery show``)."""
    from sqlalchemy import select

    from caisse.money import fmt
    from caisse.recovery.models import RecoveryBankruptcy, RecoveryHandover, RecoveryHandoverLine, RecoveryPartner

    for h, key, code in s.execute(select(RecoveryHandoverLine, RecoveryHandover.key, RecoveryPartner.code)
                                  .join(RecoveryHandover, RecoveryHandover.id == RecoveryHandoverLine.handover_id)
                                  .join(RecoveryPartner, RecoveryPartner.id == RecoveryHandoverLine.partner_id)
                                  .where(RecoveryHandoverLine.party_id == debtor).order_by(RecoveryHandoverLine.id)):
        typer.echo(f"  hand-over {h.reference} to {code} ({key}): {fmt(h.amount_cents)} EUR, {h.status}"
                   + (f", served {h.served_on}" if h.served_on else "")
                   + (f", opposition {h.opposed_on}" if h.opposed_on else "")
                   + f", paid via partner {fmt(h.paid_cents)}, costs {fmt(h.costs_cents)}"
                   + (f", outcome {h.outcome} on {h.outcome_on}" if h.outcome else ""))
    for b in s.scalars(select(RecoveryBankruptcy).where(RecoveryBankruptcy.party_id == debtor)
                       .order_by(RecoveryBankruptcy.declared_on, RecoveryBankruptcy.id)):
        typer.echo(f"  bankruptcy {b.id}: {b.court} {b.declared_on}, trustee {b.trustee_name}, {b.status}"
                   + (f", claim {fmt(b.claim_cents)} EUR declared {b.claim_on}" if b.claim_cents is not None else "")
                   + f", dividend {fmt(b.dividend_cents)} EUR" + (f", closed {b.closed_on}" if b.closed_on else ""))


def _show_prescription(s, debtor: int) -> None:
    """The acts recorded against prescription, the joint calls and the prescribed quarters of a file."""
    from sqlalchemy import or_, select

    from caisse.money import fmt
    from caisse.recovery.models import JointCall, PrescribedQuarter, PrescriptionInterruption

    for r in s.scalars(select(PrescriptionInterruption).where(PrescriptionInterruption.party_id == debtor)
                       .order_by(PrescriptionInterruption.on, PrescriptionInterruption.id)):
        via = f" via {r.via_party_id}" if r.via_party_id else ""
        typer.echo(f"  {r.on}  interruption   {r.kind:<16} {r.period or 'all debts'}{via}: {r.reason}")
    from caisse.recovery.joint import still_open

    for jc in s.scalars(select(JointCall).where(or_(JointCall.company_id == debtor, JointCall.director_id == debtor))
                        .order_by(JointCall.called_on, JointCall.id)):
        what = (f"company {jc.company_id} for director {jc.director_id}" if jc.liable == "company"
                else f"director {jc.director_id} for the company contribution of company {jc.company_id}")
        left = sum(x["open_cents"] for x in still_open(s, jc))
        typer.echo(f"  {jc.called_on}  joint call {jc.id}: {what}, {fmt(jc.amount_cents)} EUR "
                   f"({', '.join(sorted({x['period'] for x in jc.periods}))}); still open {fmt(left)} EUR")
    for q in s.scalars(select(PrescribedQuarter).where(PrescribedQuarter.party_id == debtor)
                       .order_by(PrescribedQuarter.period)):
        typer.echo(f"  {q.prescribed_on}  prescribed     {q.period}: {fmt(q.written_off_cents)} EUR written off, "
                   "no pension right for the quarter")


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


@app.command("notice-presented")
def notice_presented_cmd(debtor: int = DebtorOption,
                         on: str = typer.Option(..., "--on", help="The day the registered letter was "
                                                                  "posted/presented, YYYY-MM-DD."),
                         today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Record the day the formal notice (registered letter, art. 46) was posted/presented: the debtor's month
    to contest or ask terms runs from it."""
    from caisse.recovery.policy import policy
    from caisse.recovery.service import notice_on, record_notice_presented
    from caisse.store.db import session_scope

    day = _today(today)
    with unknown_as("debtor"), session_scope(database_url(db)) as s:
        f = record_notice_presented(s, _who(), debtor, parse_date(on, "presented_on"), day)
        end = policy(day).contest_ends(notice_on(s, f), f.notice_presented_on)
        typer.echo(f"file {debtor}: formal notice presented {f.notice_presented_on}; the debtor's month ends {end}")


@app.command("contest")
def contest_cmd(debtor: int = DebtorOption,
                kind: str = typer.Option(..., "--kind", help="contest (the sums are contested) or terms "
                                                             "(payment terms asked)."),
                received_on: str = typer.Option(..., "--received-on", help="The day the registered letter was "
                                                                            "received, YYYY-MM-DD."),
                note: str = typer.Option(..., "--note", help="What the debtor writes (kept in the history)."),
                today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Record the debtor's registered letter after the formal notice (art. 46): a contestation (no contrainte
    any more, only the summons: move --to court) or a request for payment terms."""
    from caisse.recovery.service import record_contestation
    from caisse.store.db import session_scope

    with unknown_as("debtor"), session_scope(database_url(db)) as s:
        f = record_contestation(s, _who(), debtor, kind, parse_date(received_on, "received_on"), note,
                                _today(today))
        typer.echo(f"file {debtor}: {f.contest_kind} received {f.contested_on}"
                   + (" — no contrainte: the summons route (court) only" if f.contest_kind == "contest" else ""))


@app.command("served")
def served_cmd(debtor: int = DebtorOption,
               on: str = typer.Option(..., "--on", help="The day the contrainte was served, YYYY-MM-DD."),
               today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Record the day the bailiff served the contrainte (when its status file does not bring it): the month of
    opposition runs from it."""
    from caisse.recovery.service import execution_from, record_service
    from caisse.store.db import session_scope

    with unknown_as("debtor"), session_scope(database_url(db)) as s:
        h = record_service(s, _who(), debtor, parse_date(on, "served_on"), _today(today))
        typer.echo(f"file {debtor}: contrainte served {h.served_on}; enforceable (execution allowed) from "
                   f"{execution_from(s, debtor)} if no opposition is recorded before")


@app.command("opposition")
def opposition_cmd(debtor: int = DebtorOption,
                   on: str = typer.Option(..., "--on", help="The day of the opposition (citation), YYYY-MM-DD."),
                   note: str = typer.Option(..., "--note", help="The citation's reference and grounds."),
                   today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Record the debtor's opposition to the contrainte (citation of the fund): the file goes to court."""
    from caisse.recovery.service import record_opposition
    from caisse.store.db import session_scope

    with unknown_as("debtor"), session_scope(database_url(db)) as s:
        step = record_opposition(s, _who(), debtor, parse_date(on, "opposed_on"), note, _today(today))
        typer.echo(f"file {debtor}: opposition recorded; {step.from_stage} -> {step.to_stage} (step {step.id})")


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


@app.command("reduction-request")
def reduction_request_cmd(debtor: int = DebtorOption,
                          year: int = typer.Option(..., "--year", help="The contribution year (this year or next)."),
                          estimate: str = typer.Option(..., "--estimate",
                                                       help="The estimated net professional income of the year, "
                                                            "EUR, e.g. 20000.00."),
                          justification: str = typer.Option(..., "--justification",
                                                            help="The objective evidence the estimate rests on."),
                          today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Ask a reduction (or an increase) of the provisional contributions of a year on an estimated income: checked,
    a request (case of kind reduction, with its deadline) recorded; prints what each quarter becomes."""
    from caisse.money import fmt, to_cents
    from caisse.recovery import reduction
    from caisse.store.db import session_scope

    cents = to_cents(estimate, "estimate")
    with session_scope(database_url(db)) as s:
        r = reduction.request(s, _who(), debtor, year, cents, justification, _today(today))
        p = reduction.preview(s, debtor, r.year, r.estimate_cents, r.requested_on, request_id=r.id)
        typer.echo(f"{r.direction} request {r.id} (case {r.case_id}): {r.year} on {fmt(r.estimate_cents)} EUR, "
                   f"{fmt(p.quarterly)} EUR a quarter ({fmt(p.quarterly_total)} with the management fee)")
        for q in p.quarters:
            was = f"called {fmt(q.charged_total)}, " if q.called else "not called yet, "
            typer.echo(f"  {q.period}: {was}on the estimate {fmt(q.new_total)} EUR")


@app.command("reduction-decision")
def reduction_decision_cmd(request: int = typer.Option(..., "--request", help="The reduction request's id."),
                           grant: bool = typer.Option(..., "--grant/--refuse", help="Grant or refuse the request."),
                           motivation: str = typer.Option("", "--motivation",
                                                          help="Why (required to refuse; written to the person)."),
                           output: str | None = typer.Option(None, "--output",
                                                             help="Also write the decision letter (PDF) here."),
                           today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Decide a reduction request: granted, the estimate is written and the quarters already called are corrected
    (above the four-eyes threshold once a manager approves); refused, motivated. The request is answered in the
    person's language."""
    from pathlib import Path

    from caisse.documents.reduction_letters import decision_pdf
    from caisse.money import fmt
    from caisse.recovery import reduction
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        r = reduction.decide(s, _who(), request, grant, motivation, _today(today))
        pdf = decision_pdf(s, r.id) if output and r.decided_on else None
        typer.echo(f"{r.direction} request {r.id}: {r.status}"
                   + (f", {fmt(r.quarterly_cents)} EUR a quarter ({fmt(r.quarterly_total_cents)} with the "
                      f"management fee), {len(r.corrections)} quarter(s) corrected" if r.status == "granted" else "")
                   + (f" (approval {r.approval_id}: waiting for a manager, four eyes; the letter once decided)"
                      if r.status == "awaiting_approval" else ""))
    if pdf is not None:
        Path(output).write_bytes(pdf)
        typer.echo(output)


@app.command("reduction-letter")
def reduction_letter_cmd(request: int = typer.Option(..., "--request", help="The reduction request's id."),
                         output: str = typer.Option(..., "--output", help="The PDF file to write."),
                         db: str | None = DbOption) -> None:
    """The decision letter of a reduction request as PDF (fr/nl/de), with the surcharge warning."""
    from pathlib import Path

    from caisse.documents.reduction_letters import decision_pdf
    from caisse.recovery import reduction
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        r = reduction.get(s, _who(origin="cli"), request, audit_as="reduction_letter", what="decision letter (pdf)")
        pdf = decision_pdf(s, r.id)
    Path(output).write_bytes(pdf)
    typer.echo(output)


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


partner_app = typer.Typer(help="The bailiffs and lawyers the fund hands files to.", no_args_is_help=True)
bankruptcy_app = typer.Typer(help="A debtor's bankruptcy: the trustee, the claim declared, the dividend, the end.",
                             no_args_is_help=True)
app.add_typer(partner_app, name="partner")
app.add_typer(bankruptcy_app, name="bankruptcy")


@partner_app.command("add")
def partner_add(code: str = typer.Option(..., "--code", help="A short code, e.g. HUI-BXL-1."),
                kind: str = typer.Option(..., "--kind", help="bailiff or lawyer."),
                name: str = typer.Option(..., "--name"),
                address: str = typer.Option(..., "--address", help="Lines separated by ';'."),
                email: str = typer.Option(..., "--email"),
                language: str = typer.Option(..., "--language", help="fr, nl or de: the letters' language."),
                iban: str | None = typer.Option(None, "--iban", help="The account the partner remits from."),
                db: str | None = DbOption) -> None:
    """Configure a bailiff (files at the bailiff stage) or a lawyer (files at the court stage)."""
    from caisse.recovery.partners import add_partner
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        p = add_partner(s, _who(), code, kind, name, address, email, language, iban)
        typer.echo(f"partner {p.code}: {p.kind} {p.name} ({p.language})" + (f", remits from {p.iban}" if p.iban
                                                                             else ""))


@partner_app.command("iban")
def partner_iban(code: str = typer.Option(..., "--code", help="The partner's code."),
                 iban: str | None = typer.Option(None, "--iban", help="The account it remits from."),
                 clear: bool = typer.Option(False, "--clear", help="Forget the account."),
                 db: str | None = DbOption) -> None:
    """The account a partner remits collected money from: a bank credit from it settles what the partner owes."""
    from caisse.errors import InvalidInput
    from caisse.recovery.partners import set_partner_iban
    from caisse.store.db import session_scope

    if (iban is None) == (not clear):
        raise InvalidInput("iban", "give --iban IBAN, or --clear to forget the account")
    with session_scope(database_url(db)) as s:
        p = set_partner_iban(s, _who(), code, None if clear else iban)
        typer.echo(f"partner {p.code}: " + (f"remits from {p.iban}" if p.iban else "no remittance account"))


@partner_app.command("reclassify")
def partner_reclassify(today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Once, after upgrading: collections booked from status files on the bank account (before the partner clearing
    account existed) are corrected onto the partner's clearing account; then settle the parked transfers with
    `caisse reconcile remittance`. Running it again changes nothing."""
    from caisse.money import fmt
    from caisse.recovery.partners import reclassify_bank_collections
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        done = reclassify_bank_collections(s, _who(), _today(today))
    for key, cents in done:
        typer.echo(f"  {key}: {fmt(cents)} EUR moved from bank to the partner's clearing account")
    typer.echo(f"{len(done)} collection(s) reclassified, {fmt(sum(c for _, c in done))} EUR")


@partner_app.command("balances")
def partner_balances_cmd(as_of: str | None = typer.Option(None, "--as-of", help="The date (default: today)."),
                         as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
                         db: str | None = DbOption) -> None:
    """What each partner collected for the fund (its status files), remitted (its bank transfers) and still owes,
    and since when: the partner to chase."""
    from caisse.money import fmt
    from caisse.recovery.partners import partner_balances
    from caisse.store.db import session_scope

    day = _today(as_of)
    with session_scope(database_url(db)) as s:
        rows = partner_balances(s, day)
    if as_json:
        typer.echo(json.dumps({"as_of": day.isoformat(), "partners": [r.as_dict() for r in rows]}, indent=2))
        return
    typer.echo(f"partner clearing balances on {day}")
    typer.echo(f"{'partner':<16} {'kind':<8} {'collected':>12} {'remitted':>12} {'fees kept':>12} {'owed':>12}  "
               "owed since  last remitted")
    for r in rows:
        typer.echo(f"{r.code:<16} {r.kind:<8} {fmt(r.collected_cents):>12} {fmt(r.remitted_cents):>12} "
                   f"{fmt(r.fees_cents):>12} {fmt(r.owed_cents):>12}  {str(r.owed_since or '-'):<10}  "
                   f"{r.last_remitted_on or '-'}")
    typer.echo(f"{'total':<25} {fmt(sum(r.collected_cents for r in rows)):>12} "
               f"{fmt(sum(r.remitted_cents for r in rows)):>12} {fmt(sum(r.fees_cents for r in rows)):>12} "
               f"{fmt(sum(r.owed_cents for r in rows)):>12}")


@partner_app.command("list")
def partner_list(db: str | None = DbOption) -> None:
    """The partners configured."""
    from caisse.recovery.partners import partners
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        for p in partners(s):
            typer.echo(f"{p.code:<16} {p.kind:<8} {p.language}  {'active' if p.active else 'inactive':<8} {p.name} "
                       f"<{p.email}>" + (f" remits from {p.iban}" if p.iban else ""))


@app.command("handover")
def handover_cmd(as_of: str = typer.Option(..., "--as-of", help="Amounts owed on this date."),
                 output_dir: str = typer.Option(..., "--output-dir", help="Directory for the CSV and PDF files."),
                 db: str | None = DbOption) -> None:
    """Hand the files at bailiff (to a bailiff) or court (to a lawyer) not handed over yet: one CSV and one cover
    letter per partner (docs/formats/bailiff-handover.md); never the same step twice."""
    from caisse.recovery.partners import handover

    result = handover(database_url(db), parse_date(as_of, "as_of"), output_dir, _who())
    typer.echo("\n".join(result.lines()))


@app.command("handover-again")
def handover_again_cmd(key: str = typer.Option(..., "--key", help="The hand-over, e.g. handover/HUI-1/2027-01-05."),
                       output_dir: str = typer.Option(..., "--output-dir"), db: str | None = DbOption) -> None:
    """Write a hand-over already made again (the CSV exactly as sent, the letter redrawn)."""
    from caisse.recovery.partners import write_again

    csv_path, pdf_path, same = write_again(database_url(db), key, output_dir, _who())
    typer.echo(f"{csv_path}\n{pdf_path}" + ("" if same else "\nnote: the letter differs from the one sent (a name or "
                                                            "address changed since); the CSV is the one sent"))


@app.command("status-import")
def status_import_cmd(file: str = typer.Argument(..., help="The partner's status file (CSV)."),
                      partner: str = typer.Option(..., "--partner", help="The partner's code."),
                      today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Import a bailiff's or lawyer's status file (docs/formats/bailiff-status.md): service date, payments
    (booked and imputed), costs, outcome. Bad lines are rejected with line and field and kept; exit code 1 then."""
    from pathlib import Path

    from caisse.errors import InvalidInput
    from caisse.recovery.partner_status import import_status

    path = Path(file)
    if not path.is_file():
        raise InvalidInput("file", f"{file}: no such file")
    result = import_status(database_url(db), path.read_bytes(), partner, _who(), _today(today), filename=path.name)
    typer.echo("\n".join(result.summary_lines()))
    for r in result.rejected:
        typer.echo(f"rejected: {r}", err=True)
    if result.rejected:
        raise typer.Exit(1)


@bankruptcy_app.command("record")
def bankruptcy_record(debtor: int = DebtorOption,
                      declared_on: str = typer.Option(..., "--declared-on", help="Date of the judgment."),
                      court: str = typer.Option(..., "--court", help="e.g. Tribunal de l'entreprise de Liège."),
                      court_ref: str | None = typer.Option(None, "--court-ref", help="The court's reference."),
                      trustee: str = typer.Option(..., "--trustee", help="The trustee's name."),
                      trustee_address: str = typer.Option(..., "--trustee-address", help="Lines separated by ';'."),
                      trustee_email: str | None = typer.Option(None, "--trustee-email"),
                      language: str = typer.Option(..., "--language", help="fr, nl or de: the procedure's."),
                      today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Record a debtor's bankruptcy and its trustee (recovery stops; the claim goes to the trustee)."""
    from caisse.recovery import bankruptcy
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        b = bankruptcy.record(s, _who(), debtor, parse_date(declared_on, "declared_on"), court, trustee,
                              trustee_address, language, _today(today), court_ref=court_ref,
                              trustee_email=trustee_email)
        typer.echo(f"bankruptcy {b.id}: file {debtor}, {b.court} {b.declared_on}, trustee {b.trustee_name}")


@bankruptcy_app.command("claim")
def bankruptcy_claim(bankruptcy_id: int = typer.Option(..., "--bankruptcy", help="The bankruptcy's id."),
                     output: str = typer.Option(..., "--output", help="The PDF to write."),
                     today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """The declaration of claim to the trustee (PDF, the trustee's language); the amounts are fixed once."""
    from pathlib import Path

    from caisse.money import fmt
    from caisse.recovery import bankruptcy
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        Path(output).write_bytes(bankruptcy.claim(s, _who(), bankruptcy_id, _today(today)))
        b = bankruptcy.get(s, _who(), bankruptcy_id)
        typer.echo(f"{output}: claim of {fmt(b.claim_cents)} EUR owed on {b.declared_on}")


@bankruptcy_app.command("dividend")
def bankruptcy_dividend(bankruptcy_id: int = typer.Option(..., "--bankruptcy"),
                        amount: str = typer.Option(..., "--amount", help="EUR, e.g. 123.45."),
                        on: str = typer.Option(..., "--on", help="The day it was credited."),
                        reference: str = typer.Option(..., "--reference", help="The trustee's reference."),
                        today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """The dividend the trustee paid: booked and imputed."""
    from caisse.money import to_cents
    from caisse.recovery import bankruptcy
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        r = bankruptcy.dividend(s, _who(), bankruptcy_id, to_cents(amount, "amount"), parse_date(on, "on"),
                                reference, _today(today))
        typer.echo(f"dividend {'booked' if r.receipt.created else 'already booked'}: {r.receipt.key}")


@bankruptcy_app.command("close")
def bankruptcy_close(bankruptcy_id: int = typer.Option(..., "--bankruptcy"),
                     on: str = typer.Option(..., "--on", help="The day the procedure ended."),
                     reason: str = typer.Option(..., "--reason"),
                     today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """The procedure ended: file closed (insolvency), the rest of the claim proposed for write-off (four eyes)."""
    from caisse.money import fmt
    from caisse.recovery import bankruptcy
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        made = bankruptcy.close(s, _who(), bankruptcy_id, parse_date(on, "on"), reason, _today(today))
        for a in made:
            typer.echo(f"write-off {a.id}: {a.payload['account']} {a.payload['period']} {fmt(a.amount_cents)} EUR — "
                       f"{a.status}")
        typer.echo(f"bankruptcy {bankruptcy_id} closed; {len(made)} write-off(s) asked")


@app.command("joint-call")
def joint_call_cmd(company: int = typer.Option(..., "--company", help="The company's file number."),
                   director: int = typer.Option(..., "--director", help="The director's file number."),
                   as_of: str = typer.Option(..., "--as-of", help="The day of the call, YYYY-MM-DD."),
                   reason: str = typer.Option("director's contributions unpaid despite the reminders", "--reason",
                                              help="Why (kept with the call)."),
                   period: str | None = typer.Option(None, "--period",
                                                     help="Quarters to call, e.g. 2026Q1,2026Q2 (default: every "
                                                          "quarter of the mandate due and unpaid)."),
                   output: str | None = typer.Option(None, "--output", help="Also write the letter (PDF) here."),
                   db: str | None = DbOption) -> None:
    """Call a company for its director's unpaid contributions of the mandate period (art. 15 AR n° 38): the
    call recorded, prescription interrupted for the debts called, the registered letter in fr/nl/de."""

    from caisse.documents.joint_call_letters import joint_call_pdf
    from caisse.money import fmt
    from caisse.recovery.joint import call
    from caisse.store.db import session_scope

    when = parse_date(as_of, "as_of")  # a day in the future: refused by the service (recovery.joint)
    periods = [p.strip() for p in period.split(",") if p.strip()] if period else None
    path = output_path(output) if output else None
    with session_scope(database_url(db)) as s:
        jc = call(s, _who(), company, director, when, reason, periods=periods)
        if path is not None:
            path.write_bytes(joint_call_pdf(s, jc.id))
        called = ", ".join(f"{x['period']} {x['account']} {fmt(x['cents'])}" for x in jc.periods)
        typer.echo(f"joint call {jc.id}: company {company} called for {fmt(jc.amount_cents)} EUR owed by director "
                   f"{director} ({called})" + (f"; letter {output}" if output else ""))


@app.command("director-call")
def director_call_cmd(company: int = typer.Option(..., "--company", help="The company's file number."),
                      director: int = typer.Option(..., "--director", help="The director's (mandatary's) file number."),
                      as_of: str = typer.Option(..., "--as-of", help="The day of the call, YYYY-MM-DD."),
                      reason: str = typer.Option(..., "--reason", help="Why this director (kept with the call)."),
                      period: str | None = typer.Option(None, "--period",
                                                        help="Contribution years to call, e.g. 2024,2025 (default: "
                                                             "every year due and unpaid)."),
                      outside_mandate: bool = typer.Option(False, "--outside-mandate",
                                                           help="Call a year no mandate of the director overlaps "
                                                                "(the notes are silent: the caseworker's decision)."),
                      output: str | None = typer.Option(None, "--output", help="Also write the letter (PDF) here."),
                      db: str | None = DbOption) -> None:
    """Call a director (mandatary) for the company's unpaid annual contribution (legislation.md §6 [S32], addendum
    §7 [S200]): the call recorded with the company's charges it comes from, prescription interrupted, the registered
    letter in the director's language (fr/nl/de). A payment of either side settles the contribution once."""

    from caisse.documents.joint_call_letters import joint_call_pdf
    from caisse.money import fmt
    from caisse.recovery.joint import call_director
    from caisse.store.db import session_scope

    when = parse_date(as_of, "as_of")  # a day in the future: refused by the service (recovery.joint)
    periods = [p.strip() for p in period.split(",") if p.strip()] if period else None
    path = output_path(output) if output else None
    with session_scope(database_url(db)) as s:
        jc = call_director(s, _who(), company, director, when, reason, periods=periods,
                           outside_mandate=outside_mandate)
        if path is not None:
            path.write_bytes(joint_call_pdf(s, jc.id))
        called = ", ".join(f"{x['period']} {fmt(x['cents'])}" for x in jc.periods)
        typer.echo(f"joint call {jc.id}: director {director} called for {fmt(jc.amount_cents)} EUR of company "
                   f"contribution owed by company {company} ({called})" + (f"; letter {output}" if output else ""))


@app.command("joint-letter")
def joint_letter_cmd(call_id: int = typer.Option(..., "--call", help="The joint call's id."),
                     output: str = typer.Option(..., "--output", help="The PDF file to write."),
                     db: str | None = DbOption) -> None:
    """The letter of a joint call as PDF, in the called party's language."""
    from pathlib import Path

    from caisse.documents.joint_call_letters import joint_call_pdf
    from caisse.recovery.models import JointCall
    from caisse.services import audit
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        Path(output).write_bytes(joint_call_pdf(s, call_id))
        jc = s.get(JointCall, call_id)
        audit.record(s, f"cli:{getpass.getuser()}", "read", "joint_call_letter", call_id,
                     party_id=jc.company_id if jc.liable == "company" else jc.director_id,
                     origin="cli", detail={"what": "joint call letter (pdf)"})
    typer.echo(output)


@app.command("joint-payment")
def joint_payment_cmd(call_id: int = typer.Option(..., "--call", help="The joint call's id."),
                      amount: str = typer.Option(..., "--amount", help="What the called party paid, e.g. 890.42."),
                      on: str = typer.Option(..., "--on", help="Booking date, YYYY-MM-DD."),
                      key: str = typer.Option(..., "--key", help="The payment's bank reference (idempotency key)."),
                      db: str | None = DbOption) -> None:
    """What the called party paid: a company's payment booked to the director's account and imputed on his debt; a
    director's booked to the company's account and imputed on the contribution called (the rest to his own credit)."""
    from caisse.money import to_cents
    from caisse.recovery.joint import pay
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        result = pay(s, _who(), call_id, key, to_cents(amount, "amount"), parse_date(on, "on"))
        typer.echo(f"joint call {call_id}: {amount} EUR booked ({result.receipt.key}"
                   + (", already booked)" if not result.receipt.created else ")"))


@app.command("interruption")
def interruption_cmd(debtor: int = DebtorOption,
                     on: str = typer.Option(..., "--on", help="The day of the act, YYYY-MM-DD."),
                     kind: str = typer.Option(..., "--kind", help="acknowledgement, formal_notice, enforcement or "
                                                                  "summons."),
                     reason: str = typer.Option(..., "--reason", help="What the act was (kept with it)."),
                     period: str | None = typer.Option(None, "--period", help="Only this period's debts."),
                     account: str | None = typer.Option(None, "--account", help="Only this kind of debt."),
                     via: int | None = typer.Option(None, "--via", help="The jointly liable party the act was "
                                                                        "addressed to."),
                     db: str | None = DbOption) -> None:
    """Record an act that interrupted prescription and is not on file elsewhere (signed acknowledgement, summons,
    contrainte served on a jointly liable party)."""
    from caisse.recovery.joint import record_interruption
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        row = record_interruption(s, _who(), debtor, parse_date(on, "on"), kind, reason, period=period,
                                  account=account, via_party_id=via)
        typer.echo(f"file {debtor}: {kind} of {row.on} recorded (interruption {row.id})")
