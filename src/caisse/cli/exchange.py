"""Files for INASTI and the mutualities, their answers, and what went out:
`caisse export career-data` / `mutuality` / `service-vouchers` / `insurability` / `benefit-tax`, `caisse import ack`,
`caisse exchange list`."""

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


def _benefit_file(which: str, as_of: str, output: Path, db: str | None) -> None:
    from caisse.reporting import outgoing
    from caisse.reporting.benefit_files import EXPORTS

    day = parse_date(as_of, "as_of")
    exp = EXPORTS[which]()
    result = outgoing.make_file(database_url(db), exp, day, output, who=f"cli:{exp.kind}")
    typer.echo(result.line() + (f" -> {output}" if result.reference else ""))
    if which == "service-vouchers":
        from caisse.reporting.benefit_files import vouchers_not_sent
        from caisse.store.db import session_scope

        with session_scope(database_url(db)) as s:
            left = vouchers_not_sent(s, day)
        if left:
            typer.echo(f"not sent: {left} birth(s) with birth leave granted — the 15 service vouchers of a leave of "
                       "at most 8 days are NOT FOUND for births from 2023-01-01 (parameter "
                       "birth_leave_service_vouchers)")


def service_vouchers(as_of: str = typer.Option(..., "--as-of", help="Reference date YYYY-MM-DD: the claims as "
                                                                      "decided on it."),
                     output: Path = typer.Option(..., "--output", help="Where to write the file."),
                     db: str | None = DbOption) -> None:
    """Service-voucher requests: the 105 free vouchers of the maternity aid asked with a granted maternity claim,
    the 15 vouchers reimbursed for at most 8 days of birth leave (births 1-5-2019 to 31-12-2022 only: the rule is
    NOT FOUND for later births). Only what changed since the last file (docs/formats/service-vouchers.md); the
    same date again gives back the same file."""
    _benefit_file("service-vouchers", as_of, output, db)


def insurability(as_of: str = typer.Option(..., "--as-of", help="Reference date YYYY-MM-DD: the ledger, the "
                                                                  "events and the files as they stood on it."),
                 output: Path = typer.Option(..., "--output", help="Where to write the file."),
                 db: str | None = DbOption) -> None:
    """Insurability answers for the mutualities (the L410 purpose): for every incapacity the fund learned, the
    quarter it starts and the 3 before, each with its state and whether it is in order. Only what changed since
    the last file (docs/formats/insurability.md); the same date again gives back the same file."""
    _benefit_file("insurability", as_of, output, db)


def benefit_tax(as_of: str = typer.Option(..., "--as-of", help="Reference date YYYY-MM-DD: every calendar year "
                                                                 "ended on it is reported."),
                output: Path = typer.Option(..., "--output", help="Where to write the file."),
                db: str | None = DbOption) -> None:
    """Tax records of the benefits the fund paid: per person, year and benefit, what was transferred or set off in
    the year; form 281.18 for birth leave, NOT_FOUND for the others (box codes and withholding rate NOT FOUND).
    Only what changed since the last file (docs/formats/benefit-tax.md); the same date again gives back the same
    file."""
    _benefit_file("benefit-tax", as_of, output, db)


def ack(file: Path = typer.Argument(..., help="The answer to an outgoing file (docs/formats/acknowledgement.md)."),
        db: str | None = DbOption) -> None:
    """Import an acknowledgement or rejection: the file marked, its rejected records resent in the next file."""
    from caisse.reporting.outgoing import import_ack

    typer.echo(import_ack(database_url(db), file, who="cli:import-ack").line())


@app.command("list")
def list_files(kind: str | None = typer.Option(None, "--kind", help="inasti-career, mutuality-contributions, "
                                                                    "service-vouchers, insurability or benefit-tax."),
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
    export_app.command("service-vouchers")(service_vouchers)
    export_app.command("insurability")(insurability)
    export_app.command("benefit-tax")(benefit_tax)
    import_app.command("ack")(ack)
    root.add_typer(app, name="exchange")
