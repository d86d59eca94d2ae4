"""`caisse run ...` (the fund's calendar) and `caisse notice ...` (the PDFs of the notices)."""

from __future__ import annotations

import contextlib
import datetime as dt

import typer

from caisse.cli.platform import DbOption, database_url

app = typer.Typer(help="The fund's calendar: quarterly call, company call, surcharges, regularisation.",
                  no_args_is_help=True)
notice_app = typer.Typer(help="Due notices, regularisation notices and account statements as PDF.",
                         no_args_is_help=True)

EstimatesOption = typer.Option(False, "--allow-estimates",
                               help="Use ESTIMATED (unpublished) figures instead of skipping those debtors.")


@contextlib.contextmanager
def _progress(what: str):
    """A rich progress bar on a terminal; nothing when the output is not a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(what, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _date(value: str, field: str) -> dt.date:
    from caisse.errors import InvalidInput

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, f"expected a date YYYY-MM-DD, got {value!r}") from None


def _year(value: str, field: str = "year") -> int:
    from caisse.errors import InvalidInput

    if not value.isdigit() or len(value) != 4:
        raise InvalidInput(field, f"expected a year like 2026, got {value!r}")
    return int(value)


def _print(summary) -> None:
    for line in summary.lines():
        typer.echo(line)


@app.command("quarterly-call")
def quarterly_call(quarter: str = typer.Option(..., "--quarter", help="The quarter, e.g. 2026Q1."),
                   allow_estimates: bool = EstimatesOption, db: str | None = DbOption) -> None:
    """Provisional contributions + management fee of the quarter for every affiliation, and the due notices."""
    from caisse.batches import quarterly_call as batch

    url = database_url(db)
    with _progress(f"quarterly call {quarter}") as progress:
        summary = batch.run(url, quarter, allow_estimates=allow_estimates, progress=progress)
    _print(summary)


@app.command("company-call")
def company_call(year: str = typer.Option(..., "--year", help="The contribution year, e.g. 2026."),
                 allow_estimates: bool = EstimatesOption, db: str | None = DbOption) -> None:
    """The annual contribution of every company subject in the year (due 31 December), and the due notices."""
    from caisse.batches import company_call as batch

    url = database_url(db)
    with _progress(f"company call {year}") as progress:
        summary = batch.run(url, _year(year), allow_estimates=allow_estimates, progress=progress)
    _print(summary)


@app.command("surcharges")
def surcharges(as_of: str = typer.Option(..., "--as-of", help="Post the surcharges arisen by this date."),
               db: str | None = DbOption) -> None:
    """Late-payment surcharges (3 % per quarter, 7 % on 1 January) arisen by the date, from the payments."""
    from caisse.batches import surcharges as batch

    url = database_url(db)
    with _progress(f"surcharges as of {as_of}") as progress:
        summary = batch.run(url, _date(as_of, "as_of"), progress=progress)
    _print(summary)


@app.command("recovery")
def recovery(as_of: str = typer.Option(..., "--as-of", help="Move each debtor at most one stage as of this date."),
             db: str | None = DbOption) -> None:
    """The dunning batch: payment plans monitored, each debtor in arrears moved at most one stage, letters."""
    from caisse.batches import recovery as batch

    url = database_url(db)
    with _progress(f"recovery as of {as_of}") as progress:
        summary = batch.run(url, _date(as_of, "as_of"), progress=progress)
    _print(summary)


@app.command("arrears-statements")
def arrears_statements(as_of: str = typer.Option(..., "--as-of", help="What is owed on this date."),
                       db: str | None = DbOption) -> None:
    """The periodic account statement to every debtor in arrears (notices of kind statement; PDFs with
    `caisse notice pdfs --batch arrears-statements/DATE`)."""
    from caisse.batches import arrears_statements as batch

    url = database_url(db)
    with _progress(f"arrears statements as of {as_of}") as progress:
        summary = batch.run(url, _date(as_of, "as_of"), progress=progress)
    _print(summary)


@app.command("prescription")
def prescription(as_of: str = typer.Option(..., "--as-of", help="Write off the debts prescribed on this date."),
                 today: str | None = typer.Option(None, "--today", help="The day of the run (default: the clock); "
                                                  "--as-of may not be after it."),
                 db: str | None = DbOption) -> None:
    """Prescribed debts written off (AR n° 38 art. 16 §2), the quarters' pension-rights consequence recorded, the
    files closed with reason prescribed when nothing else is owed."""
    from caisse.batches import prescription as batch

    url = database_url(db)
    when = _date(as_of, "as_of")
    with _progress(f"prescription as of {as_of}") as progress:
        summary = batch.run(url, when, today=_date(today, "today") if today else None, progress=progress)
    _print(summary)


@app.command("life-events")
def life_events(as_of: str = typer.Option(..., "--as-of", help="Events up to this date."),
                since: str | None = typer.Option(None, "--since", help="Events from this date (default: the three "
                                                 "months up to --as-of)."),
                db: str | None = DbOption) -> None:
    """Pension-age and cessation events found in the files, each opening an information task or a claim once."""
    from caisse.benefits.events import run_life_events

    summary = run_life_events(database_url(db), _date(as_of, "as_of"), _date(since, "since") if since else None)
    _print(summary)


@app.command("waiver-proposals")
def waiver_proposals(as_of: str = typer.Option(..., "--as-of", help="Quarters paid up to this date."),
                     since: str | None = typer.Option(None, "--since", help="Quarters paid from this date (default: "
                                                      "the three months up to --as-of)."),
                     db: str | None = DbOption) -> None:
    """Tell each person once, with the link to the portal's form, that the surcharges of a quarter whose
    contributions are now paid may be asked to be waived (run daily after the bank import)."""
    from caisse.batches import waiver_proposals as batch

    summary = batch.run(database_url(db), _date(as_of, "as_of"), _date(since, "since") if since else None)
    _print(summary)


@app.command("due-reminders")
def due_reminders(as_of: str = typer.Option(..., "--as-of", help="The day of the run (notices due from this day)."),
                  days: str | None = typer.Option(None, "--days", help="Notices due within this many days "
                                                  "(default: the fund setting due_reminder_days, 10)."),
                  db: str | None = DbOption) -> None:
    """E-mail each person once, before a notice's due date, the amount still open with how to pay (run daily
    after the bank import; direct-debit payers and people paid up get nothing)."""
    from caisse.batches import due_reminders as batch
    from caisse.errors import InvalidInput

    if days is not None and not (days.isascii() and days.isdigit()):
        raise InvalidInput("days", f"expected a whole number of days, got {days!r}")
    summary = batch.run(database_url(db), _date(as_of, "as_of"), int(days) if days is not None else None)
    _print(summary)


@app.command("regularisation")
def regularisation(year: str = typer.Option(..., "--year", help="The income year to regularise, e.g. 2024."),
                   notice_date: str | None = typer.Option(None, "--notice-date",
                                                          help="Date of the notices (default: today)."),
                   db: str | None = DbOption) -> None:
    """Definitive contributions of the year from the tax incomes on file, the difference per quarter, notices."""
    from caisse.batches import regularisation as batch

    url = database_url(db)
    when = _date(notice_date, "notice_date") if notice_date else None
    with _progress(f"regularisation {year}") as progress:
        summary = batch.run(url, _year(year), notice_date=when, progress=progress)
    _print(summary)


@notice_app.command("pdf")
def notice_pdf(notice: int = typer.Option(..., "--notice", help="The notice id."),
               output: str = typer.Option(..., "--output", help="PDF file to write."),
               db: str | None = DbOption) -> None:
    """Write one notice as PDF, in the debtor's language."""
    from pathlib import Path

    from caisse.documents.notices import notice_pdf as render
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        Path(output).write_bytes(render(s, notice))
    typer.echo(f"written {output}")


@notice_app.command("pdfs")
def notice_pdfs(batch: str = typer.Option(..., "--batch", help="Batch key, e.g. quarterly-call/2026Q1."),
                output_dir: str = typer.Option(..., "--output-dir", help="Directory for the PDF files."),
                db: str | None = DbOption) -> None:
    """Write every notice of a batch as PDF (one file per notice)."""
    import time

    from caisse.documents.notices import render_batch

    start = time.perf_counter()
    with _progress(f"notices of {batch}") as progress:
        n = render_batch(database_url(db), batch, output_dir, progress=progress)
    seconds = time.perf_counter() - start
    typer.echo(f"written {n:,} notices to {output_dir} in {seconds:.1f} s ({n / seconds:,.0f} per second)")


@notice_app.command("statement")
def statement(debtor: int = typer.Option(..., "--debtor", help="The debtor's file number."),
              output: str = typer.Option(..., "--output", help="PDF file to write."),
              db: str | None = DbOption) -> None:
    """The account statement of a debtor as PDF, in the debtor's language, with the QR code of what is due."""
    import getpass
    from pathlib import Path

    from caisse.documents.notices import statement_pdf
    from caisse.services import audit
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        Path(output).write_bytes(statement_pdf(s, debtor))
        audit.record(s, f"cli:{getpass.getuser()}", "read", "account_statement", debtor, party_id=debtor,
                     origin="cli", detail={"what": "statement (pdf)"})
    typer.echo(f"written {output}")


@app.command("tax-certificates")
def tax_certificates(year: str = typer.Option(..., "--year", help="The calendar year (ended) to certify, e.g. 2025."),
                     output_dir: str | None = typer.Option(None, "--output-dir",
                                                           help="Also write every certificate as PDF here."),
                     jobs: int = typer.Option(1, "--jobs", min=1, max=64,
                                              help="Processes rendering the PDFs (one per core)."),
                     db: str | None = DbOption) -> None:
    """The tax certificate of every debtor who paid (or was given back) money in the year: recorded, then PDFs."""
    import time

    from caisse.reporting import tax_certificates as batch

    url = database_url(db)
    y = batch.check_year(_year(year))
    with _progress(f"tax certificates {y}") as progress:
        summary = batch.run(url, y, progress=progress)
    _print(summary)
    if output_dir:
        start = time.perf_counter()
        with _progress(f"tax certificate PDFs {y}") as progress:
            n = batch.write_pdfs(url, y, output_dir, progress=progress, jobs=jobs)
        seconds = max(time.perf_counter() - start, 1e-9)
        typer.echo(f"written {n:,} certificates to {output_dir} in {seconds:.1f} s ({n / seconds:,.0f} per second)")


@app.command("yearly-summaries")
def yearly_summaries(year: str = typer.Option(..., "--year", help="The calendar year (ended) to sum up, e.g. 2025."),
                     output_dir: str | None = typer.Option(None, "--output-dir",
                                                           help="Also write every summary as PDF here."),
                     as_of: str | None = typer.Option(None, "--as-of", help="The date the summaries are made on "
                                                      "(default today; kept by the batch)."),
                     db: str | None = DbOption) -> None:
    """The yearly personal summary of every person: what they paid, what it opened (pension quarters, health
    cover), what is coming (next quarter, regularisation); one notice recorded per person, then PDFs."""
    import time

    from caisse.reporting import yearly_summary as batch

    url = database_url(db)
    y = _year(year)
    day = _date(as_of, "as_of") if as_of else None
    with _progress(f"yearly summaries {y}") as progress:
        summary = batch.run(url, y, as_of=day, progress=progress)
    _print(summary)
    if output_dir:
        start = time.perf_counter()
        with _progress(f"yearly summary PDFs {y}") as progress:
            n = batch.write_pdfs(url, y, output_dir, progress=progress)
        seconds = max(time.perf_counter() - start, 1e-9)
        typer.echo(f"written {n:,} summaries to {output_dir} in {seconds:.1f} s ({n / seconds:,.0f} per second)")


@notice_app.command("tax-certificate")
def tax_certificate(party: int = typer.Option(..., "--party", help="The file number of the person (or company)."),
                    year: str = typer.Option(..., "--year", help="The calendar year (ended), e.g. 2025."),
                    output: str = typer.Option(..., "--output", help="PDF file to write."),
                    db: str | None = DbOption) -> None:
    """One tax certificate as PDF in the debtor's language: the recorded one, else computed now from the ledger."""
    import datetime as dt
    import getpass
    from pathlib import Path

    from caisse.documents.tax_certificate import addresses, render_certificate
    from caisse.money import fmt
    from caisse.reporting import tax_certificates as batch
    from caisse.services import audit
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        cert = batch.one(s, party, _year(year))
        who = addresses(s, [party]).get(party)
        audit.record(s, f"cli:{getpass.getuser()}", "read", "tax_certificate", party, party_id=party, origin="cli",
                     detail={"what": "tax certificate (pdf)", "year": cert.year})
    Path(output).write_bytes(render_certificate(cert, who, dt.date.today()))
    typer.echo(f"written {output} (deductible {fmt(cert.deductible)} EUR, not deductible "
               f"{fmt(cert.surcharges + cert.other_costs)} EUR)")
