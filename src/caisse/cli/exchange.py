"""Files for INASTI and the mutualities, their answers, and what went out:
`caisse export career-data` / `caisse export mutuality`, `caisse import ack`, `caisse exchange list`."""

from __future__ import annotations

from pathlib import Path

import typer

from caisse.cli.platform import DbOption, database_url, parse_date

app = typer.Typer(help="What went out to INASTI and the mutualities, and what they answered.", no_args_is_help=True)


def _export(which: str, as_of: str, output: Path, db: str | None) -> None:
    from caisse.reporting import outgoing
    from caisse.reporting.career import career_export, mutuality_export

    day = parse_date(as_of, "as_of")
    exp = career_export() if which == "career" else mutuality_export()
    result = outgoing.make_file(database_url(db), exp, day, output, who=f"cli:{exp.kind}")
    typer.echo(result.line() + (f" -> {output}" if result.reference else ""))


def career_data(as_of: str = typer.Option(..., "--as-of", help="Reference date YYYY-MM-DD: the ledger and the "
                                                                 "files as they stood on it."),
                output: Path = typer.Option(..., "--output", help="Where to write the file."),
                db: str | None = DbOption) -> None:
    """Career data for INASTI: per person and quarter, are the pension contributions paid (paid, dispensed, bought
    back, prescribed, unpaid)? Only what changed since the last file (docs/formats/inasti-career.md); the same date
    again gives back the same file."""
    _export("career", as_of, output, db)


def mutuality(as_of: str = typer.Option(..., "--as-of", help="Reference date YYYY-MM-DD."),
              output: Path = typer.Option(..., "--output", help="Where to write the file."),
              db: str | None = DbOption) -> None:
    """Contributions paid, for the mutualities (the A908 purpose): who is in order for which quarter. Only what
    changed since the last file (docs/formats/mutuality.md); the same date again gives back the same file."""
    _export("mutuality", as_of, output, db)


def ack(file: Path = typer.Argument(..., help="The answer to an outgoing file (docs/formats/acknowledgement.md)."),
        db: str | None = DbOption) -> None:
    """Import an acknowledgement or rejection: the file marked, its rejected records resent in the next file."""
    from caisse.reporting.outgoing import import_ack

    typer.echo(import_ack(database_url(db), file, who="cli:import-ack").line())


@app.command("list")
def list_files(kind: str | None = typer.Option(None, "--kind", help="inasti-career or mutuality-contributions."),
               rejected: str | None = typer.Option(None, "--rejected", help="A file reference: list its rejected "
                                                                           "records."),
               db: str | None = DbOption) -> None:
    """Every file sent: reference, kind, as-of date, records, status, rejected records, SHA-256, where written."""
    from caisse.reporting.outgoing import list_files as files
    from caisse.reporting.outgoing import rejected_records
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as s:
        if rejected:
            for r in rejected_records(s, rejected):
                typer.echo(f"{r.id}\t{r.party_id}\t{r.subject}\t{r.record_type}\t{r.rejection_code}\t"
                           f"{r.rejection_reason}")
            return
        rows = files(s, kind)
        if not rows:
            typer.echo("no file sent yet")
            return
        typer.echo("reference\tkind\tas_of\tcreated\trecords\tstatus\trejected\tsha256\tpath")
        for f in rows:
            typer.echo(f"{f.reference}\t{f.kind}\t{f.as_of}\t{f.created_at:%Y-%m-%d %H:%M}\t{f.record_count}\t"
                       f"{f.status}\t{f.rejected_count}\t{f.sha256[:16]}\t{f.path}")


def register(root: typer.Typer, export_app: typer.Typer, import_app: typer.Typer) -> None:
    export_app.command("career-data")(career_data)
    export_app.command("mutuality")(mutuality)
    import_app.command("ack")(ack)
    root.add_typer(app, name="exchange")
