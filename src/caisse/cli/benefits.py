"""`caisse benefits ...`: a claim filed, decided (checks, motivated decision, payment ordered), shown, printed, and
followed up (paid → closed, late → flagged). See docs/benefits.md."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import typer

from caisse.cli.platform import DbOption, database_url, parse_date

app = typer.Typer(help="Benefit claims: bridging right, maternity, birth leave, adoption, carer, bereavement.",
                  no_args_is_help=True)

ClaimOption = typer.Option(..., "--claim", help="The claim number.")
TodayOption = typer.Option(None, "--today", help="The day of the action (default: today), YYYY-MM-DD.")


def _who():
    from caisse.security.authz import Principal

    return Principal.system(f"cli:{getpass.getuser()}")


def _scan(document: Path | None) -> tuple[str, bytes] | None:
    """A scanned document given on the command line: (its file name, its bytes); unreadable: an error naming it."""
    from caisse.errors import InvalidInput

    if document is None:
        return None
    try:
        return document.name, document.read_bytes()
    except OSError as exc:
        raise InvalidInput("document", "cannot be read: {why}", why=exc.strerror or str(exc)) from exc


def _today(value: str | None, name: str = "today"):
    import datetime as dt

    return parse_date(value, name) or dt.date.today()


@app.command("claim")
def claim_cmd(person: int = typer.Option(..., "--person", help="The person's file number."),
              kind: str = typer.Option(..., "--kind", help="bridging_right, maternity, birth_leave, adoption, carer "
                                                           "or bereavement."),
              case: str | None = typer.Option(None, "--case", help="Bridging right: bankruptcy, disaster, fire, "
                                              "damage, allergy, third_party, economic_event, economic_difficulties, "
                                              "collective_debt_settlement."),
              event_date: str | None = typer.Option(None, "--event-date", help="Bridging right: the date of the "
                                                    "event (bankruptcy, interruption)."),
              birth_date: str | None = typer.Option(None, "--birth-date", help="Maternity, birth leave."),
              death_date: str | None = typer.Option(None, "--death-date", help="Bereavement leave."),
              start: str | None = typer.Option(None, "--start", help="First day of the period claimed."),
              end: str | None = typer.Option(None, "--end", help="Last day (birth leave, bereavement, adoption)."),
              months: int | None = typer.Option(None, "--months", help="Months claimed (bridging right, carer)."),
              days: int | None = typer.Option(None, "--days", help="Days (bridging right: forced interruption days "
                                              "in the month; birth leave; bereavement)."),
              half_days: int | None = typer.Option(None, "--half-days", help="Birth leave half-days."),
              full_weeks: int | None = typer.Option(None, "--full-weeks", help="Maternity full weeks."),
              half_weeks: int | None = typer.Option(None, "--half-weeks", help="Maternity half weeks."),
              family_charge: bool | None = typer.Option(None, "--family-charge/--single",
                                                        help="Bridging right: with family charge or not."),
              partial: bool | None = typer.Option(None, "--partial/--full", help="Carer: partial interruption."),
              multiple_birth: bool | None = typer.Option(None, "--multiple-birth", help="Maternity."),
              months_before: int | None = typer.Option(None, "--months-before", help="Bridging right or carer "
                                                       "months already received outside this fund's records."),
              pension_quarters: int | None = typer.Option(None, "--pension-quarters", help="Bridging right: "
                                                          "pension-creating quarters the person declares (the fund "
                                                          "counts its own; a declaration is used once verified)."),
              living_wage: bool | None = typer.Option(None, "--living-wage/--no-living-wage", help="Bridging right, "
                                                      "economic difficulties: the person declares receiving the CPAS "
                                                      "living wage at the cessation, or not."),
              cumulation_months: int | None = typer.Option(None, "--cumulation-months", help="Bridging right: the "
                                                           "last months of the period with an activity resumed."),
              replacement_income: bool | None = typer.Option(None, "--replacement-income/--no-replacement-income",
                                                             help="Bridging right: the person declares a "
                                                             "replacement income during the period, or none."),
              professional_activity: bool | None = typer.Option(
                  None, "--professional-activity/--no-professional-activity", help="Bridging right: the person "
                  "declares a professional activity during the months of total interruption, or none."),
              rights_quarters_before: int | None = typer.Option(None, "--rights-quarters-before", help="Bridging "
                                                                "right: quarters of maintained rights already used "
                                                                "outside this fund's records."),
              vouchers_requested: str | None = typer.Option(None, "--vouchers-requested", help="Maternity: the day "
                                                            "the 105 service vouchers were requested."),
              received: str | None = typer.Option(None, "--received", help="Day the request was received "
                                                  "(default: today)."),
              db: str | None = DbOption) -> None:
    """File a claim (the application, with its facts); the decision is due within 4 months (Charter art. 10)."""
    from caisse.benefits.service import file_claim
    from caisse.store.db import session_scope

    facts = {"case": case, "event_date": parse_date(event_date, "event-date"),
             "birth_date": parse_date(birth_date, "birth-date"), "death_date": parse_date(death_date, "death-date"),
             "start": parse_date(start, "start"), "end": parse_date(end, "end"), "months": months, "days": days,
             "half_days": half_days, "full_weeks": full_weeks, "half_weeks": half_weeks,
             "family_charge": family_charge, "partial": partial, "multiple_birth": multiple_birth,
             "months_before": months_before, "pension_quarters": pension_quarters,
             "cumulation_months": cumulation_months, "replacement_income": replacement_income,
             "professional_activity": professional_activity, "rights_quarters_before": rights_quarters_before,
             "living_wage": living_wage,
             "vouchers_requested": parse_date(vouchers_requested, "vouchers-requested")}
    from caisse.errors import InvalidInput

    with session_scope(database_url(db)) as s:
        try:
            c = file_claim(s, _who(), person, kind, facts, _today(received, "received"))
        except InvalidInput as exc:  # the facts' names as the options are spelled (event_date → event-date)
            raise InvalidInput(exc.field.replace("_", "-"), exc.message) from None
        typer.echo(f"claim {c.id}: {c.kind} for person {c.person_id}, {c.period_start} to {c.period_end}; "
                   f"decision due by {c.decision_due} (case {c.case_id})")


@app.command("decide")
def decide_cmd(claim: int = ClaimOption, today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Run the checks, decide (granted or refused, motivated) and order the payment of a granted claim."""
    from caisse.benefits.service import decide, steps
    from caisse.money import fmt
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        c = decide(s, _who(), claim, _today(today))
        if c.outcome is None:  # the fund's records cannot answer a condition: a caseworker verifies first
            from caisse.benefits.service import check_task

            last = [st for st in steps(s, c.id) if st.step == "caseworker_check"][-1]
            task = check_task(s, c)
            typer.echo(f"claim {c.id}: not decided — a caseworker must verify "
                       + ", ".join(last.detail["conditions"])
                       + (f" (task: case {task.id})" if task is not None else "")
                       + f"; record each with `caisse benefits verify --claim {c.id} --condition C --met|--not-met`")
            return
        if c.outcome == "granted":
            pending = (c.decision.get("set_off") or {}).get("pending")
            pay = (f"; paid by the {c.payer}" if c.payer != "fund"
                   else f"; set-off against undue benefits to decide (case {c.decision['set_off']['case']}, proposed "
                        f"{fmt(c.decision['set_off']['proposed_cents'])} EUR): the payment waits for "
                        f"`caisse benefits set-off --claim {c.id} --withhold EUR`, due by {c.payment_due}" if pending
                   else f"; credit transfer queued, payment due by {c.payment_due}")
            typer.echo(f"claim {c.id}: granted {fmt(c.amount_cents)} EUR{pay}")
            tax = c.decision.get("withholding")
            if tax:
                typer.echo(f"  withholding tax: {fmt(tax['withheld_cents'])} EUR at {tax['rate']} ({tax['source']})"
                           if tax["applied"] else "  gross; withholding: not applied — rate not recorded")
            rights = c.decision.get("maintained_rights")
            if rights:  # the bridging right's quarters of health-care rights kept (legislation §8.1)
                typer.echo("  health-care rights kept without contributions: "
                           + (", ".join(rights["quarters"]) or "none")
                           + f" ({rights['used_before'] + len(rights['quarters'])} of the {rights['limit']} quarters "
                             "of the career)"
                           + (f"; not kept: {', '.join(rights['not_maintained'])} (career quarters used)"
                              if rights["not_maintained"] else "")
                           + (f"; already kept: {', '.join(rights['already'])}" if rights["already"] else ""))
            so = c.decision.get("contribution_set_off")
            if so:
                typer.echo(f"  set off against contributions (agreed {so['given_on']}): {fmt(so['set_off_cents'])} EUR"
                           + "".join(f", {x['period']} {x['account']} {fmt(x['cents'])}" for x in so["lines"])
                           + f"; to transfer {fmt(c.decision['transfer_cents'])} EUR")
            ordered = [st for st in steps(s, c.id) if st.step == "payment_ordered"]
            if ordered and not ordered[0].detail.get("iban_on_file"):
                typer.echo(f"warning: no bank account on file for person {c.person_id}: the credit-transfer export "
                           "will skip this benefit until one is recorded (caisse affiliate iban)", err=True)
        else:
            typer.echo(f"claim {c.id}: refused — " + " ".join(c.decision["reasons"]["en"]))
        missing = (c.decision.get("charter") or {}).get("missing")
        if missing:
            typer.echo("warning: Charter art. 14 mentions missing (" + ", ".join(missing) + "): the appeal period "
                       "does not start until a decision carrying them is notified (docs/benefits.md)", err=True)


@app.command("show")
def show_cmd(claim: int = ClaimOption, lang: str = typer.Option("en", "--lang", help="en, fr, nl or de."),
             as_json: bool = typer.Option(False, "--json", help="The claim and its decision as JSON."),
             db: str | None = DbOption) -> None:
    """A claim: its facts, every dated step, the checks, the decision and its computation, the payment."""
    from caisse.benefits.service import describe, get_claim, steps
    from caisse.errors import InvalidInput
    from caisse.services import audit
    from caisse.store.db import session_scope

    if lang not in ("en", "fr", "nl", "de"):
        raise InvalidInput("lang", "en, fr, nl or de")
    with session_scope(database_url(db)) as s:
        c = get_claim(s, claim)
        audit.record(s, _who(), "read", "benefit_claim", c.id, party_id=c.person_id)
        history = steps(s, claim)
        if as_json:
            typer.echo(json.dumps({
                "claim": c.id, "person": c.person_id, "kind": c.kind, "status": c.status, "outcome": c.outcome,
                "facts": c.facts, "received_on": c.received_on.isoformat(), "decision_due": c.decision_due.isoformat(),
                "payment_due": c.payment_due and c.payment_due.isoformat(), "paid_on": c.paid_on and
                c.paid_on.isoformat(), "late": c.late, "amount_cents": c.amount_cents, "decision": c.decision,
                "steps": [{"step": st.step, "on": st.happened_on.isoformat(), "actor": st.actor, "detail": st.detail}
                          for st in history]}, indent=2, ensure_ascii=False))
            return
        for line in describe(c, lang):
            typer.echo(line)
        typer.echo("  steps:")
        for st in history:
            typer.echo(f"    {st.happened_on}  {st.step:<16} {st.actor}")


@app.command("decision-pdf")
def pdf_cmd(claim: int = ClaimOption, output: str = typer.Option(..., "--output", help="The PDF file to write."),
            db: str | None = DbOption) -> None:
    """The decision as PDF in the person's language (facts, rule and source, computation, appeal route)."""
    from caisse.benefits.service import get_claim
    from caisse.documents.benefit_decisions import decision_pdf
    from caisse.services import audit
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        data = decision_pdf(s, claim)
        audit.record(s, _who(), "read", "benefit_claim", claim, party_id=get_claim(s, claim).person_id,
                     detail={"what": "decision pdf"})
    Path(output).write_bytes(data)
    typer.echo(f"{output}: decision of claim {claim} ({len(data)} bytes)")


@app.command("follow-up")
def follow_cmd(as_of: str | None = typer.Option(None, "--as-of", help="The day (default: today)."),
               db: str | None = DbOption) -> None:
    """Close paid claims, flag granted claims unpaid after their payment due date and applications undecided after
    their decision deadline, close refused claims whose appeal period (from the notification) is over, list the
    claims that may be decided on the information available (a month after a reminder left unanswered)."""
    from caisse.benefits.service import follow_up
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        done = follow_up(s, _who(), _today(as_of, "as_of"))
    typer.echo(f"paid and closed {done['paid']}; flagged late {done['late']}; refused claims closed "
               f"{done['closed_refused']}; undecided past the decision deadline {done['decision_late']}"
               + "".join(f"; {label} {done[key]}" for key, label in (
                   ("interest_due", "paid late (Charter art. 20 interest due, not computed)"),
                   ("appeal_not_started", "refused with a Charter mention missing (appeal period not started)"),
                   ("not_notified", "refused without a notification recorded (appeal period not started)"),
                   ("undue_recovered", "undue benefits recovered")) if done.get(key)))
    for cid in done.get("may_decide_on_file", []):
        typer.echo(f"claim {cid}: information still missing a month after the reminder — may be decided on the "
                   "information the fund has (Charter art. 11): caisse benefits decide --claim " + str(cid))


@app.command("ask-info")
def ask_info_cmd(claim: int = ClaimOption,
                 what: str = typer.Option(..., "--what", help="The information or document the person must give."),
                 today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Ask the person for information: the decision deadline is suspended until it arrives (Charter art. 10)."""
    from caisse.benefits.attachments import request_document
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        c = request_document(s, _who(), claim, what, _today(today))
        suspends = c.waiting_since <= c.decision_due
        typer.echo(f"claim {c.id}: information asked on {c.waiting_since}; " +
                   ("the decision deadline is suspended until it arrives (Charter art. 10)" if suspends else
                    f"asked after the decision deadline of {c.decision_due}: nothing suspended"))


@app.command("remind")
def remind_cmd(claim: int = ClaimOption, today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Remind the person of the information asked and still missing; a month of silence after it lets the fund
    decide on the information it has (Charter art. 11; listed by `follow-up`)."""
    from caisse.benefits.service import may_decide_from, send_reminder
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        c = send_reminder(s, _who(), claim, _today(today))
        typer.echo(f"claim {c.id}: reminder sent on {c.reminded_on}; without an answer it may be decided on the "
                   f"information the fund has from {may_decide_from(c)} (Charter art. 11)")


@app.command("info-received")
def info_received_cmd(claim: int = ClaimOption, today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """The information asked arrived (by post, at the office): the decision deadline runs again, moved by the days
    it was missing (Charter art. 10)."""
    from caisse.benefits.attachments import document_received
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        c = document_received(s, _who(), claim, _today(today))
        typer.echo(f"claim {c.id}: information received; decision due by {c.decision_due}")


@app.command("notified")
def notified_cmd(claim: int = ClaimOption,
                 on: str = typer.Option(..., "--on", help="The day the decision was notified, YYYY-MM-DD."),
                 registered: bool = typer.Option(False, "--registered/--sent", help="By registered letter (the day "
                                                 "the fund records), or sent / made available (default)."),
                 today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Record when a decision was notified: the appeal period (three months, Charter art. 23) runs from that day."""
    from caisse.benefits.service import appeal_until, record_notification
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        c = record_notification(s, _who(), claim, parse_date(on, "on"), "registered" if registered else "sent",
                                _today(today))
        until = appeal_until(c)
        typer.echo(f"claim {c.id}: decision notified on {c.notified_on} ({c.notified_by}); " +
                   (f"appeal until {until}" if until else "a Charter art. 14 mention is missing: the appeal period "
                    "does not start"))


@app.command("reproduce")
def reproduce_cmd(claim: int = ClaimOption, db: str | None = DbOption) -> None:
    """Decide a decided claim again from its stored facts and the stored rule versions; say whether it is the same."""
    from caisse.benefits.service import reproduce
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        r = reproduce(s, claim)
        s.rollback()  # a check only: nothing is written
    typer.echo(f"claim {claim}: " + ("the same decision" if r["same"] else
                                     "DIFFERENT: " + ", ".join(r["differences"])))


@app.command("event")
def event_cmd(person: int = typer.Option(..., "--person", help="The person's file number."),
              kind: str = typer.Option(..., "--kind", help="birth, bankruptcy, incapacity, cessation or pension_age."),
              date: str = typer.Option(..., "--date", help="The day of the event (birth, bankruptcy judgment, start "
                                                           "of the incapacity, cessation, pension date)."),
              known_on: str | None = typer.Option(None, "--known-on", help="The day the fund learned it (default: "
                                                  "today); the Charter's 4 months run from it."),
              parent: str | None = typer.Option(None, "--parent", help="Birth: mother or co-parent (default: from "
                                                "the file's sex)."),
              multiple_birth: bool | None = typer.Option(None, "--multiple-birth", help="Birth: a multiple birth."),
              start: str | None = typer.Option(None, "--start", help="Declared leave / benefit start."),
              end: str | None = typer.Option(None, "--end", help="Birth leave: last day."),
              days: int | None = typer.Option(None, "--days", help="Birth leave: days taken."),
              half_days: int | None = typer.Option(None, "--half-days", help="Birth leave: half-days taken."),
              full_weeks: int | None = typer.Option(None, "--full-weeks", help="Maternity: full weeks planned."),
              half_weeks: int | None = typer.Option(None, "--half-weeks", help="Maternity: half weeks planned."),
              months: int | None = typer.Option(None, "--months", help="Bankruptcy: months of bridging right."),
              family_charge: bool | None = typer.Option(None, "--family-charge/--single", help="Bankruptcy."),
              pension_quarters: int | None = typer.Option(None, "--pension-quarters", help="Bankruptcy."),
              months_before: int | None = typer.Option(None, "--months-before", help="Bankruptcy."),
              reason: str | None = typer.Option(None, "--reason", help="Cessation: the reason given."),
              source: str = typer.Option("cli", "--source", help="Who told the fund (mutuality, registry, ...)."),
              db: str | None = DbOption) -> None:
    """Record a life event the fund learned: a pre-filled claim (granted at once when every condition is met and
    nothing needs the person's choice, else the person is invited to complete it) or an information task."""
    from caisse.benefits.events import record_event
    from caisse.errors import InvalidInput
    from caisse.store.db import session_scope

    facts = {"parent": parent.replace("-", "_") if parent else None, "multiple_birth": multiple_birth,
             "start": parse_date(start, "start"), "end": parse_date(end, "end"), "days": days,
             "half_days": half_days, "full_weeks": full_weeks, "half_weeks": half_weeks, "months": months,
             "family_charge": family_charge, "pension_quarters": pension_quarters, "months_before": months_before,
             "reason": reason}
    with session_scope(database_url(db)) as s:
        try:
            e, created = record_event(s, _who(), person, kind, parse_date(date, "date"),
                                      _today(known_on, "known-on"), facts, source=source)
        except InvalidInput as exc:
            raise InvalidInput(exc.field.replace("_", "-"), exc.message) from None
        what = {"granted": f"claim {e.claim_id} granted automatically", "claim": f"claim {e.claim_id} pre-filled, "
                "the person invited to complete it", "informed": "information sent, task in the work queue"}
        typer.echo(f"event {e.id}: {e.kind} of {e.event_date} for person {e.person_id}: "
                   + (what[e.outcome] if created else f"already recorded ({what[e.outcome]})")
                   + (f" (case {e.case_id})" if e.case_id else ""))


@app.command("undue")
def undue_cmd(claim: int = ClaimOption,
              amount: str = typer.Option(..., "--amount", help="The amount paid wrongly, in EUR (e.g. 409.57)."),
              ground: str = typer.Option(..., "--ground", help="conditions_not_met, overlap, activity or amount."),
              finding: str = typer.Option(..., "--finding", help="What was found, in the person's language."),
              withdraw_quarters: str | None = typer.Option(
                  None, "--withdraw-quarters", help="A bridging right partly undue: the quarters of maintained "
                  "rights to withdraw (2024Q3,2024Q4); wholly undue, all are withdrawn."),
              today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Claim back a benefit paid wrongly: the motivated decision (fr/nl/de, appeal route), the debt posted, set off
    against the person's later benefits or paid by them."""
    from caisse.benefits.undue import claim_back
    from caisse.money import fmt, to_cents
    from caisse.store.db import session_scope

    cents = int(to_cents(amount, "amount"))
    with session_scope(database_url(db)) as s:
        quarters = [q.strip().upper() for q in (withdraw_quarters or "").split(",") if q.strip()]
        u = claim_back(s, _who(), claim, cents, ground, finding, _today(today), quarters)
        missing = u.decision["charter"]["missing"]
        rights = u.decision.get("maintained_withdrawn")
        if rights:
            typer.echo(f"  maintained rights withdrawn: {', '.join(rights['quarters']) or 'none'}; still maintained: "
                       f"{', '.join(rights['kept']) or 'none'}")
        typer.echo(f"undue {u.id}: {fmt(u.amount_cents)} EUR of claim {claim} claimed back, due by {u.due_date} "
                   f"with communication {u.decision['communication']} (ledger {u.ledger_key}); a set-off against "
                   "a later benefit is proposed to a caseworker (`caisse benefits set-off`)")
    if missing:
        typer.echo("warning: Charter art. 14 mentions missing (" + ", ".join(missing) + "): the appeal period does "
                   "not start until a decision carrying them is notified (docs/benefits.md)", err=True)


@app.command("verify")
def verify_cmd(claim: int = ClaimOption,
               condition: str = typer.Option(..., "--condition", help="living_wage, low_income (economic "
                                             "difficulties), debt_settlement (collective debt settlement) or "
                                             "pension_quarters (the person's declaration)."),
               met: bool = typer.Option(..., "--met/--not-met", help="What you found."),
               verified_on: str | None = typer.Option(None, "--verified-on", help="The day you verified it "
                                                      "(default: today)."),
               note: str | None = typer.Option(None, "--note", help="What you saw (kept as an internal note of "
                                               "the claim's task)."),
               document: Path | None = typer.Option(None, "--document", help="The proof, scanned (PDF or JPEG): "
                                                    "kept as a document of the claim."),
               today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Record what you verified on a bridging-right claim the fund's records could not decide (its task lists
    what): the CPAS decision, the incomes on documents, the labour court's admissibility decision, the person's
    career statement. Then decide the claim again. (The desk's claim page does both in one step.)"""
    from caisse.services.benefit_claims import record_finding
    from caisse.store.db import session_scope

    day = _today(today)
    with session_scope(database_url(db)) as s:
        record_finding(s, _who(), claim, condition, met,
                       _today(verified_on, "verified_on") if verified_on is not None else day, day, note,
                       _scan(document))
    typer.echo(f"claim {claim}: {condition} {'met' if met else 'not met'} recorded; decide it again "
               f"(caisse benefits decide --claim {claim})")


@app.command("set-off")
def set_off_cmd(claim: int = ClaimOption,
                withhold: str = typer.Option(..., "--withhold", help="The amount to withhold from the benefit for "
                                                                     "the person's undue benefits, in EUR (0: none)."),
                today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Decide a proposed set-off: withhold this amount from the granted benefit for the person's undue benefits
    (oldest first) and order the payment of the rest. The legal limit is not in the notes: you decide, audited."""
    from caisse.benefits.undue import decide_set_off
    from caisse.money import fmt, to_cents
    from caisse.store.db import session_scope

    cents = int(to_cents(withhold, "withhold"))
    with session_scope(database_url(db)) as s:
        withheld = decide_set_off(s, _who(), claim, cents, _today(today))
        from caisse.benefits.models import BenefitClaim

        c = s.get(BenefitClaim, claim)
        typer.echo(f"claim {claim}: withheld {fmt(cents)} EUR"
                   + "".join(f", undue {k}: {fmt(v)}" for k, v in withheld.items())
                   + f"; to transfer {fmt(c.decision['transfer_cents'])} EUR (ledger {c.ledger_key})")


@app.command("set-off-consent")
def set_off_consent_cmd(claim: int = ClaimOption,
                        channel: str = typer.Option("desk", "--channel", help="How the person agreed: desk (at the "
                                                    "office) or letter (signed, received by post)."),
                        most: str | None = typer.Option(None, "--max", help="At most this amount in EUR (default: "
                                                        "the whole benefit)."),
                        document: Path | None = typer.Option(None, "--document", help="The agreement signed by the "
                                                             "person, scanned (PDF or JPEG): required, as on the desk; "
                                                             "with --withdraw, their letter if there is one."),
                        signed_on: str | None = typer.Option(None, "--signed-on", help="The day the person signed "
                                                             "(or withdrew) it (default: today)."),
                        withdraw: bool = typer.Option(False, "--withdraw", help="The person withdraws the agreement."),
                        today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Record the person's agreement, received in writing, that the benefit of this claim is set off against their
    contribution debts due, not contested and outside a payment plan (or its withdrawal) — only while the payment is
    not ordered. Without it, nothing is ever set off (docs/benefits.md). Same rules as the desk's form."""
    from caisse.errors import InvalidInput
    from caisse.money import fmt
    from caisse.services.benefit_claims import record_set_off_consent, withdraw_set_off
    from caisse.store.db import session_scope

    if channel not in ("desk", "letter"):
        raise InvalidInput("channel", "desk or letter (the person agrees on the portal themselves)")
    day = _today(today)
    on = _today(signed_on, "signed_on") if signed_on is not None else day
    scan = _scan(document)
    with session_scope(database_url(db)) as s:
        if withdraw:
            c = withdraw_set_off(s, _who(), claim, day, on, scan)
            typer.echo(f"claim {claim}: agreement {c.id} of {c.given_on} withdrawn on {on}: nothing will be set off")
            return
        c = record_set_off_consent(s, _who(), claim, on, channel, most, scan, day)
        typer.echo(f"claim {claim}: agreement {c.id} signed on {on} recorded ({channel})"
                   + (f", up to {fmt(c.max_cents)} EUR" if c.max_cents else "")
                   + ": the benefit will be set off against the contributions due, not contested and outside a "
                     "payment plan, when the payment is ordered; the person is told")


@app.command("undue-pdf")
def undue_pdf_cmd(undue: int = typer.Option(..., "--undue", help="The undue benefit number."),
                  output: str = typer.Option(..., "--output", help="The PDF file to write."),
                  db: str | None = DbOption) -> None:
    """The decision claiming back an undue benefit as PDF, in the person's language."""
    from caisse.benefits.models import UndueBenefit
    from caisse.documents.benefit_decisions import undue_pdf
    from caisse.services import audit
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        data = undue_pdf(s, undue)
        audit.record(s, _who(), "read", "benefit_undue", undue, party_id=s.get(UndueBenefit, undue).person_id,
                     detail={"what": "undue decision pdf"})
    Path(output).write_bytes(data)
    typer.echo(f"{output}: decision of undue benefit {undue} ({len(data)} bytes)")


# --- assimilation for illness and continued insurance: requests forwarded and tracked ------------------------------

RequestOption = typer.Option(..., "--request", help="The request number.")


def _dashed(exc):
    from caisse.errors import InvalidInput

    return InvalidInput(exc.field.replace("_", "-"), exc.message)


@app.command("request")
def request_cmd(person: int = typer.Option(..., "--person", help="The person's file number."),
                kind: str = typer.Option(..., "--kind", help="illness_assimilation or continued_insurance."),
                incapacity_start: str | None = typer.Option(None, "--incapacity-start", help="Assimilation: the "
                                                            "first day of the incapacity (default: the mutuality's "
                                                            "event)."),
                incapacity_end: str | None = typer.Option(None, "--incapacity-end", help="Assimilation: the last "
                                                          "day, if known."),
                cessation_date: str | None = typer.Option(None, "--cessation-date", help="Continued insurance: the "
                                                          "cessation (default: the one on the file)."),
                option: str | None = typer.Option(None, "--option", help="Continued insurance: pension or "
                                                  "pension_health."),
                extension: bool = typer.Option(False, "--extension", help="Continued insurance: extended up to the "
                                               "pension (only if it starts at the earliest 7 years before)."),
                no_other_status: bool = typer.Option(False, "--no-other-status", help="Continued insurance: the "
                                                     "person declares no other social status."),
                prepared: int | None = typer.Option(None, "--prepared", help="The request the fund prepared from "
                                                    "a life event, now filed."),
                today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """File an assimilation-for-illness or continued-insurance request (checked, then forwarded; another
    institution decides). Pre-filled from the file where an option is left out."""
    from caisse.benefits import insurance_requests as ir
    from caisse.errors import InvalidInput
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        try:
            known = ir.prefill(s, person, kind) if kind in ("illness_assimilation", "continued_insurance") else {}
            facts = {k: v for k, v in known.items() if k in ("incapacity_start", "cessation_date")}  # dates only
            given = {"incapacity_start": parse_date(incapacity_start, "incapacity-start"),
                     "incapacity_end": parse_date(incapacity_end, "incapacity-end"),
                     "cessation_date": parse_date(cessation_date, "cessation-date"), "option": option,
                     "extension": extension, "no_other_status": no_other_status}
            facts.update({k: v for k, v in given.items() if v is not None})
            r = ir.file_request(s, _who(), person, kind, facts, _today(today), request_id=prepared)
        except InvalidInput as exc:
            raise _dashed(exc) from None
        typer.echo(f"request {r.id}: {r.kind} for person {r.person_id}, quarters "
                   f"{ir.quarters_text(r.first_quarter, r.last_quarter)}; to forward to "
                   f"{r.institution or 'the competent institution'} (case {r.case_id})")


@app.command("forward")
def forward_cmd(request: int = RequestOption,
                institution: str | None = typer.Option(None, "--institution", help="Where it went (INASTI for a "
                                                       "continued insurance; required for an assimilation)."),
                on: str | None = typer.Option(None, "--on", help="The day it was forwarded (default: today)."),
                today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Record that a request was forwarded to the institution that decides (the person is told)."""
    from caisse.benefits import insurance_requests as ir
    from caisse.errors import InvalidInput
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        try:
            r = ir.forward(s, _who(), request, _today(today), institution=institution, on=parse_date(on, "on"))
        except InvalidInput as exc:
            raise _dashed(exc) from None
        typer.echo(f"request {r.id}: forwarded to {r.institution} on {r.forwarded_on}")


@app.command("export-requests")
def export_requests_cmd(output_dir: str = typer.Option(..., "--output-dir", help="Where to write the CSV."),
                        today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Write the continued-insurance requests not forwarded yet to a CSV for INASTI
    (docs/formats/inasti-continued-insurance.md); they become forwarded today."""
    from caisse.benefits import insurance_requests as ir
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        path, n = ir.export_continued_insurance(s, _who(), _today(today), output_dir)
    typer.echo(f"{n} request(s) written to {path}" if n else "nothing to send")


@app.command("request-decision")
def request_decision_cmd(request: int = RequestOption,
                         outcome: str = typer.Option(..., "--outcome", help="granted or refused."),
                         decided_on: str = typer.Option(..., "--decided-on", help="The day of the institution's "
                                                        "decision."),
                         reference: str = typer.Option(..., "--reference", help="The institution's reference."),
                         quarters: str | None = typer.Option(None, "--quarters", help="Granted: the quarters "
                                                             "(2026Q1,2026Q2; default every quarter asked)."),
                         reason: str = typer.Option("", "--reason", help="The institution's reasons (required "
                                                    "for a refusal)."),
                         today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Record the institution's decision on a forwarded request; the person gets the letter, the case closes."""
    from caisse.benefits import insurance_requests as ir
    from caisse.errors import InvalidInput
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        try:
            r = ir.record_decision(s, _who(), request, _today(today), outcome=outcome,
                                   decided_on=parse_date(decided_on, "decided-on"), reference=reference,
                                   quarters=quarters, reason=reason)
        except InvalidInput as exc:
            raise _dashed(exc) from None
        typer.echo(f"request {r.id}: {r.status}" + (f" for {', '.join(r.granted_quarters)}"
                                                    if r.granted_quarters else f" — {r.decision_reason}"))


@app.command("request-withdraw")
def request_withdraw_cmd(request: int = RequestOption,
                         reason: str = typer.Option(..., "--reason", help="How the person asked to withdraw it (a "
                                                    "letter, a call) and why."),
                         today: str | None = TodayOption, db: str | None = DbOption) -> None:
    """Withdraw a request not decided yet, on the person's word: it is closed, the person told in their language
    (a request already forwarded: its case stays open to tell the institution)."""
    from caisse.benefits import insurance_requests as ir
    from caisse.errors import InvalidInput, NotFound
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        try:
            r = ir.withdraw(s, _who(), request, _today(today), reason)
        except InvalidInput as exc:
            raise _dashed(exc) from None
        except NotFound:
            raise InvalidInput("request", "no request {request}", request=request) from None
        typer.echo(f"request {r.id}: withdrawn on {r.withdrawn_on}"
                   + (f"; tell {r.institution}, which had it since {r.forwarded_on} (case {r.case_id} stays open)"
                      if r.forwarded_on else ""))


@app.command("requests")
def requests_cmd(person: int = typer.Option(..., "--person", help="The person's file number."),
                 db: str | None = DbOption) -> None:
    """The assimilation and continued-insurance requests of a file, with their state and dates."""
    from caisse.benefits import insurance_requests as ir
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        for r in ir.requests_of(s, _who(), person):
            typer.echo(f"request {r.id}: {r.kind} {ir.quarters_text(r.first_quarter, r.last_quarter)} — {r.status}"
                       f"; requested {r.requested_on or '-'}, forwarded {r.forwarded_on or '-'} to "
                       f"{r.institution or '-'}, decided {r.decided_on or '-'}"
                       + (f", withdrawn {r.withdrawn_on}" if r.withdrawn_on else "") + f" (case {r.case_id})")
