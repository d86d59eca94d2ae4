"""`caisse report NAME --as-of D [--format csv|json|pdf] [--output F]`: the fund's statistics, no personal data."""

from __future__ import annotations

import typer

from caisse.cli.platform import DbOption, database_url

NAMES = ("collection | arrears-ageing | affiliates | payment-plans | recovery-stages | benefits | "
         "company-contributions | surcharges | write-offs | service-levels | case-backlog | collection-rate")


def report(name: str = typer.Argument(..., help=NAMES),
           as_of: str = typer.Option(..., "--as-of", help="Reference date YYYY-MM-DD: entries booked up to it, "
                                                          "files as they stood on it."),
           fmt: str = typer.Option("csv", "--format", help="csv, json or pdf (pdf needs --output)."),
           since: str | None = typer.Option(None, "--since",
                                            help="affiliates: starts and cessations from this date (default 1 "
                                                 "January of the as-of year); service-levels: the requests received "
                                                 "from this date (default the 365 days to the as-of date)."),
           min_count: int | None = typer.Option(None, "--min-count",
                                                help="affiliates: merge the cells counting fewer people into one "
                                                     "'suppressed' row per measure."),
           language: str = typer.Option("fr", "--language", help="pdf: headings in fr, nl, de or en."),
           output: str | None = typer.Option(None, "--output", help="Write to this file instead of stdout."),
           db: str | None = DbOption) -> None:
    """One report as CSV, JSON or PDF (columns: docs/formats/reports.md)."""
    import datetime as dt
    from pathlib import Path

    from caisse.cli.platform import parse_date
    from caisse.config import get_settings
    from caisse.errors import InvalidInput
    from caisse.reporting.labels import LANGUAGES
    from caisse.reporting.reports import REPORTS, TAKES_SINCE, build
    from caisse.store.db import session_scope

    if name not in REPORTS:
        raise InvalidInput("report", f"unknown report {name!r}; one of {', '.join(REPORTS)}")
    if fmt not in ("csv", "json", "pdf"):
        raise InvalidInput("format", f"csv, json or pdf, got {fmt!r}")
    if fmt == "pdf" and not output:
        raise InvalidInput("output", "a PDF is written to a file: give --output FILE")
    if language not in LANGUAGES:
        raise InvalidInput("language", f"one of {', '.join(LANGUAGES)}, got {language!r}")
    day = parse_date(as_of, "as_of")
    if day > dt.date.today():
        raise InvalidInput("as_of", f"{day.isoformat()} is in the future: a report counts what was booked up to its "
                                    "date, and that is not known yet")
    kw = {}
    if since is not None:
        if name not in TAKES_SINCE:
            raise InvalidInput("since", f"only the {' and '.join(TAKES_SINCE)} reports take --since")
        kw["since"] = parse_date(since, "since")
    if min_count is not None:
        if name != "affiliates":
            raise InvalidInput("min_count", "only the affiliates report takes --min-count")
        kw["min_count"] = min_count
    with session_scope(database_url(db)) as s:
        result = build(s, name, day, **kw)
    if fmt == "pdf":
        Path(output).write_bytes(result.to_pdf(get_settings().fund_name, language))
        typer.echo(f"written {output} ({len(result.rows)} rows)")
        return
    body = result.to_csv() if fmt == "csv" else result.to_json()
    if output:
        Path(output).write_text(body, encoding="utf-8")
        typer.echo(f"written {output} ({len(result.rows)} rows)")
    else:
        typer.echo(body, nl=False)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
